/*
 * sandbox.c -- the walls around one test process, beyond its rlimits and
 * its own uid (both in run.c).
 *
 * The file system a test sees (sandbox_enter_view), built in a private
 * mount namespace on an empty tmpfs, then made the root with pivot_root:
 *
 *   /usr /etc            the host's, read-only, nosuid
 *   /bin /lib /lib64 ..  the host's links (or read-only binds where they
 *                        are real folders)
 *   /dev/{null,zero,full,random,urandom}   bound one by one; /dev/fd links
 *   /proc                a fresh proc with hidepid=2: a test sees its own
 *                        processes only (the host's /proc when the kernel
 *                        refuses a new one)
 *   /tmp                 an empty tmpfs of 16 MiB
 *   <binary>             the test binary, read-only, at its own path
 *   <rw folders>         the test's scratch folder (and gcov's object folder),
 *                        read-write, at their own paths
 *
 * Nothing else exists in that tree: the kit, its solutions/ and
 * tests/<lab>/hidden/ sources, the reference libraries, the report folder,
 * the other tests' scratch folders.  Paths are kept, so Valgrind's frames
 * and gcov's .gcda paths are the same as outside.
 *
 * The system calls a test may not make (sandbox_deny_syscalls), a seccomp
 * filter on top of "allow everything else" (Valgrind and Check need the
 * ordinary ones, fork included: the process count is an rlimit):
 *   EACCES  socket, socketpair: no network, even where the network
 *           namespace is unavailable
 *   killed  ptrace, process_vm_readv/writev, mount, umount2, pivot_root,
 *           chroot, unshare, setns, bpf, perf_event_open, userfaultfd,
 *           io_uring_*, kexec_*, *_module, reboot, swapon/off, keyctl,
 *           add_key, request_key, and any x32 or foreign-ABI call
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox.h"

/* ------------------------------------------------------------ the view */

static const char *const system_paths[] = {"/usr",  "/etc",   "/bin",   "/sbin",
                                            "/lib", "/lib64", "/lib32", "/libx32"};
static const char *const devices[] = {"null", "zero", "full", "random", "urandom"};

/* root + path, in a static buffer (one at a time). */
static const char *in_root(const char *root, const char *path)
{
    static char buf[PATH_MAX];
    if ((size_t)snprintf(buf, sizeof buf, "%s%s", root, path) >= sizeof buf)
        return NULL;
    return buf;
}

/* Create every folder of `path` (absolute) under root, then the last
 * component itself: a folder, or an empty file when `file`. */
static int make_path(const char *root, const char *path, int file)
{
    char full[PATH_MAX];
    size_t n = strlen(root);
    if (n + strlen(path) >= sizeof full || path[0] != '/')
        return -1;
    strcpy(full, root);
    strcpy(full + n, path);
    for (char *p = full + n + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(full, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (!file)
        return mkdir(full, 0755) != 0 && errno != EEXIST ? -1 : 0;
    int fd = open(full, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

/* Bind `path` at the same place under root; read-only unless `rw`. */
static int bind_same(const char *root, const char *path, int rw)
{
    struct stat st;
    if (stat(path, &st) != 0 || make_path(root, path, !S_ISDIR(st.st_mode)) != 0)
        return -1;
    const char *dst = in_root(root, path);
    if (!dst || mount(path, dst, NULL, MS_BIND | MS_REC, NULL) != 0)
        return -1;
    unsigned long flags = MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV | (rw ? 0 : MS_RDONLY);
    return mount(NULL, dst, NULL, flags, NULL);
}

/* A system folder: the same link when it is one (/bin -> usr/bin), else a
 * read-only bind.  Absent ones are skipped. */
static int add_system_path(const char *root, const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return 0;
    if (!S_ISLNK(st.st_mode))
        return S_ISDIR(st.st_mode) ? bind_same(root, path, 0) : 0;
    char target[PATH_MAX];
    ssize_t n = readlink(path, target, sizeof target - 1);
    const char *dst = in_root(root, path);
    if (n < 0 || !dst)
        return -1;
    target[n] = '\0';
    return symlink(target, dst);
}

static int add_dev(const char *root)
{
    if (make_path(root, "/dev", 0) != 0)
        return -1;
    for (size_t i = 0; i < sizeof devices / sizeof *devices; i++) {
        char path[32];
        snprintf(path, sizeof path, "/dev/%s", devices[i]);
        /* a device node needs a mount without nodev: a plain bind */
        const char *dst = in_root(root, path);
        if (make_path(root, path, 1) != 0 || !dst || mount(path, dst, NULL, MS_BIND, NULL) != 0)
            return -1;
    }
    const char *const links[][2] = {{"/proc/self/fd", "/dev/fd"},
                                    {"/proc/self/fd/0", "/dev/stdin"},
                                    {"/proc/self/fd/1", "/dev/stdout"},
                                    {"/proc/self/fd/2", "/dev/stderr"}};
    for (size_t i = 0; i < sizeof links / sizeof *links; i++) {
        const char *dst = in_root(root, links[i][1]);
        if (!dst || symlink(links[i][0], dst) != 0)
            return -1;
    }
    return 0;
}

static int add_proc_and_tmp(const char *root)
{
    const char *dst = in_root(root, "/proc");
    if (!dst || mkdir(dst, 0555) != 0)
        return -1;
    if (mount("proc", dst, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=2") != 0 &&
        mount("/proc", dst, NULL, MS_BIND | MS_REC, NULL) != 0)
        return -1;
    dst = in_root(root, "/tmp");
    if (!dst || mkdir(dst, 01777) != 0 ||
        mount("memlab-tmp", dst, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=16m") != 0)
        return -1;
    return 0;
}

int sandbox_enter_view(const char *root, const char *binary, char *const rw[])
{
    if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        return -1;
    if (mount("memlab-root", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m") != 0)
        return -1;
    for (size_t i = 0; i < sizeof system_paths / sizeof *system_paths; i++)
        if (add_system_path(root, system_paths[i]) != 0)
            return -1;
    if (add_dev(root) != 0 || add_proc_and_tmp(root) != 0 || bind_same(root, binary, 0) != 0)
        return -1;
    for (size_t i = 0; rw && rw[i]; i++)
        if (bind_same(root, rw[i], 1) != 0)
            return -1;
    /* the tmpfs becomes "/", the old root is detached: nothing of it stays
     * reachable, not even through ".." */
    if (chdir(root) != 0 || syscall(SYS_pivot_root, ".", ".") != 0 ||
        umount2(".", MNT_DETACH) != 0 || chdir("/") != 0)
        return -1;
    return 0;
}

/* ------------------------------------------------------------ system calls */

#if defined(__x86_64__)
#define SANDBOX_ARCH AUDIT_ARCH_X86_64
#define X32_BIT 0x40000000u
#endif

int sandbox_deny_syscalls(void)
{
#ifdef SANDBOX_ARCH
    static const int refused[] = {SYS_socket, SYS_socketpair};
    static const int fatal[] = {
        SYS_ptrace,          SYS_process_vm_readv, SYS_process_vm_writev, SYS_mount,
        SYS_umount2,         SYS_pivot_root,       SYS_chroot,            SYS_unshare,
        SYS_setns,           SYS_bpf,              SYS_perf_event_open,   SYS_userfaultfd,
        SYS_io_uring_setup,  SYS_io_uring_enter,   SYS_io_uring_register, SYS_kexec_load,
        SYS_kexec_file_load, SYS_init_module,      SYS_finit_module,      SYS_delete_module,
        SYS_reboot,          SYS_swapon,           SYS_swapoff,           SYS_keyctl,
        SYS_add_key,         SYS_request_key,
    };
    enum { NREFUSED = sizeof refused / sizeof *refused, NFATAL = sizeof fatal / sizeof *fatal };
    struct sock_filter prog[6 + 2 * (NREFUSED + NFATAL) + 1];
    size_t n = 0;
    /* a foreign ABI (32-bit int $0x80, x32) would number calls differently */
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                             offsetof(struct seccomp_data, arch));
    prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SANDBOX_ARCH, 1, 0);
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                             offsetof(struct seccomp_data, nr));
    prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_BIT, 0, 1);
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
    for (size_t i = 0; i < NREFUSED; i++) {
        prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)refused[i],
                                                 0, 1);
        prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
                                                 SECCOMP_RET_ERRNO | (EACCES & SECCOMP_RET_DATA));
    }
    for (size_t i = 0; i < NFATAL; i++) {
        prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)fatal[i], 0,
                                                 1);
        prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
    }
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    struct sock_fprog fprog = {(unsigned short)n, prog};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return -1;
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog) == 0 ? 0 : -1;
#else
    return -1;
#endif
}

/* ------------------------------------------------------------ descriptors */

void sandbox_close_fds(void)
{
#ifdef SYS_close_range
    if (syscall(SYS_close_range, 3u, ~0u, 0u) == 0)
        return;
#endif
    long max = sysconf(_SC_OPEN_MAX);
    for (long fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
        close((int)fd);
}
