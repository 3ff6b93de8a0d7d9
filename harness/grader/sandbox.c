/*
 * sandbox.c -- the walls around every process that runs student code: a
 * test's serving process, a confined command of stage 7, the compiler on
 * the student's file.  The whole list is in sandbox.h; this file builds it,
 * in the order a confined process meets it (confine_and_exec):
 *
 *   its own process group; exactly the descriptors it is given; a private
 *   network namespace; the private view of the file system; rlimits; the
 *   slot's uid; its working folder; the system-call filter; exec.
 *
 * The file system it sees (sandbox_enter_view), built in a private mount
 * namespace on an empty tmpfs, then made the root with pivot_root:
 *
 *   /usr /etc            the host's, read-only, nosuid
 *   /bin /lib /lib64 ..  the host's links (or read-only binds where they
 *                        are real folders)
 *   /dev/{null,zero,full,random,urandom}   bound one by one; /dev/fd links
 *   /proc                a fresh proc with hidepid=2: a process sees only
 *                        its uid's processes (the host's /proc when the
 *                        kernel refuses a new one)
 *   /tmp                 an empty tmpfs of 16 MiB
 *   <ro paths>           the test binary (the compiler's include folder),
 *                        read-only, at their own paths
 *   <rw folders>         the slot's folder, its Valgrind folder, gcov's
 *                        object folder: read-write, at their own paths
 *
 * Nothing else exists in that tree: the kit, its solutions/ and
 * tests/<lab>/hidden/ sources, the reference libraries, the report folder,
 * the other slots' folders.  Paths are kept, so Valgrind's frames and gcov's
 * .gcda paths are the same as outside.
 *
 * The system calls it may not make (sandbox_deny_syscalls, with
 * libseccomp), on top of "allow everything else" (Valgrind and Check need
 * the ordinary ones, fork included: the process count is an rlimit):
 *   EACCES  socket, socketpair: no network, even where the network
 *           namespace is unavailable
 *   killed  ptrace, process_vm_readv/writev, mount, umount2, pivot_root,
 *           chroot, unshare, setns, bpf, perf_event_open, userfaultfd,
 *           io_uring_*, kexec_*, *_module, reboot, swapon/off, keyctl,
 *           add_key, request_key, and any x32 or foreign-ABI call
 *
 * The view is built here rather than by bubblewrap: bwrap would put a
 * process of its own between the grader and the serving process (which
 * the grader reaps, signals by group and checks as the parent of each test
 * child), and the view is the one part of bwrap needed.  Measured on this
 * kind of machine: bwrap 7.2 ms per launch, unshare of the same namespaces
 * 3.4 ms (both nothing next to memcheck's start).
 */
#include "sandbox.h"

#include "results.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------ the view */

static const char *const system_paths[] = {"/usr", "/etc",   "/bin",   "/sbin",
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

/* Is `path` inside one of the system folders, which the view has already? */
static int under_system_path(const char *path)
{
    for (size_t i = 0; i < sizeof system_paths / sizeof *system_paths; i++) {
        size_t n = strlen(system_paths[i]);
        if (strncmp(path, system_paths[i], n) == 0 && (path[n] == '/' || path[n] == '\0'))
            return 1;
    }
    return 0;
}

int sandbox_enter_view(const char *root, char *const ro[], char *const rw[])
{
    if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        return -1;
    if (mount("memlab-root", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m") != 0)
        return -1;
    for (size_t i = 0; i < sizeof system_paths / sizeof *system_paths; i++)
        if (add_system_path(root, system_paths[i]) != 0)
            return -1;
    if (add_dev(root) != 0 || add_proc_and_tmp(root) != 0)
        return -1;
    for (size_t i = 0; ro && ro[i]; i++)
        if (!under_system_path(ro[i]) && bind_same(root, ro[i], 0) != 0)
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

/* libseccomp writes the filter: the architecture check (a 32-bit int $0x80
 * or an x32 call numbers calls differently, and kills the process), then
 * one rule per call. */
int sandbox_deny_syscalls(void)
{
    static const int refused[] = {SCMP_SYS(socket), SCMP_SYS(socketpair)};
    static const int fatal[] = {
        SCMP_SYS(ptrace),
        SCMP_SYS(process_vm_readv),
        SCMP_SYS(process_vm_writev),
        SCMP_SYS(mount),
        SCMP_SYS(umount2),
        SCMP_SYS(pivot_root),
        SCMP_SYS(chroot),
        SCMP_SYS(unshare),
        SCMP_SYS(setns),
        SCMP_SYS(bpf),
        SCMP_SYS(perf_event_open),
        SCMP_SYS(userfaultfd),
        SCMP_SYS(io_uring_setup),
        SCMP_SYS(io_uring_enter),
        SCMP_SYS(io_uring_register),
        SCMP_SYS(kexec_load),
        SCMP_SYS(kexec_file_load),
        SCMP_SYS(init_module),
        SCMP_SYS(finit_module),
        SCMP_SYS(delete_module),
        SCMP_SYS(reboot),
        SCMP_SYS(swapon),
        SCMP_SYS(swapoff),
        SCMP_SYS(keyctl),
        SCMP_SYS(add_key),
        SCMP_SYS(request_key),
    };
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    int rc = ctx ? seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) : -1;
    for (size_t i = 0; rc == 0 && i < sizeof refused / sizeof *refused; i++)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), refused[i], 0);
    for (size_t i = 0; rc == 0 && i < sizeof fatal / sizeof *fatal; i++)
        rc = seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, fatal[i], 0);
    if (rc == 0)
        rc = seccomp_load(ctx); /* sets no_new_privs first (SCMP_FLTATR_CTL_NNP) */
    seccomp_release(ctx);
    return rc == 0 ? 0 : -1;
}

/* ------------------------------------------------------------ descriptors */

static void close_from(int first)
{
#ifdef SYS_close_range
    if (syscall(SYS_close_range, (unsigned)first, ~0u, 0u) == 0)
        return;
#endif
    long max = sysconf(_SC_OPEN_MAX);
    for (long fd = first; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
        close((int)fd);
}

/* ------------------------------------------------------------ uids */

#define UID_LEASES 64

/* Graders running side by side (grade-all, several make runs, CI) must
 * never share a uid: the sweep after a test kills every process of its uid.
 * Each grader holds an flock on one of UID_LEASES lock files for its
 * lifetime (the kernel releases it when the grader exits) and uses that
 * lease's range of SANDBOX_MAX_SLOTS uids. */
static int lease_uids(int policy_base)
{
    static int leased = -1; /* one lease per grader process, however many probes */
    if (leased >= 0)
        return leased;
    for (int n = 0; n < UID_LEASES; n++) {
        char path[64];
        snprintf(path, sizeof path, "/tmp/memlab-grade-uids.%d.lock", n);
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
            continue;
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return leased = policy_base + n * SANDBOX_MAX_SLOTS; /* fd stays open: the lease */
        close(fd);
    }
    return -1;
}

static int uid_is_free(int uid) { return getpwuid((uid_t)uid) == NULL; }

static void drop_to(int uid)
{
    if (setgroups(0, NULL) != 0 || setgid((gid_t)uid) != 0 || setuid((uid_t)uid) != 0)
        _exit(125);
}

int sandbox_uid(const struct sandbox *sb, int slot)
{
    return sb->own_uids ? sb->uid_base + slot : -1;
}

void sandbox_give(const struct sandbox *sb, int slot, const char *path, int mode)
{
    int uid = sandbox_uid(sb, slot);
    if (uid >= 0 && chown(path, (uid_t)uid, (gid_t)uid) != 0)
        mode |= 0777;
    chmod(path, (mode_t)mode);
}

/* ------------------------------------------------------------ probes */

/* The empty folder a private root is mounted on. */
static char *view_root(const char *scratch_root) { return xprintf("%s/.root", scratch_root); }

/* In a child: can a process get its private view? */
static int probe_view(const char *scratch_root, const char *binary)
{
    char *ro[] = {(char *)binary, NULL};
    char *rw[] = {(char *)scratch_root, NULL};
    char *root = view_root(scratch_root);
    return sandbox_enter_view(root, ro, rw) == 0 && access(binary, R_OK) == 0 ? 0 : 1;
}

static int probe_seccomp(const char *unused, const char *unused_too)
{
    (void)unused;
    (void)unused_too;
    return sandbox_deny_syscalls() == 0 && socket(AF_INET, SOCK_STREAM, 0) < 0 && errno == EACCES
               ? 0
               : 1;
}

static int probe_netns(const char *unused, const char *unused_too)
{
    (void)unused;
    (void)unused_too;
    return unshare(CLONE_NEWNET) == 0 ? 0 : 1;
}

static int probe(int (*what)(const char *, const char *), const char *a, const char *b)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(what(a, b));
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* Add a note to the report, once however many probes find it. */
static void note(struct grade *g, char *text)
{
    if (list_has(g->notes, text))
        free(text);
    else
        g->notes = list_push(g->notes, text);
}

/* Can every slot's uid be used, and reach the scratch folders (every
 * parent folder traversable)?  A grade has up to two serving processes per
 * job slot (one per test binary, run.c), each with a uid of its own. */
static int uids_usable(struct grade *g, int base, const char *scratch_root)
{
    if (base <= 0)
        return 0;
    for (int s = 0; s < 2 * g->jobs && s < SANDBOX_MAX_SLOTS; s++)
        if (!uid_is_free(base + s))
            return 0;
    pid_t pid = fork();
    if (pid == 0) {
        drop_to(base);
        _exit(access(scratch_root, X_OK) == 0 ? 0 : 1);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

void sandbox_probe(struct grade *g, struct sandbox *sb, const char *scratch_root,
                   const char *binary)
{
    char *root = view_root(scratch_root);
    mkdir_p(root, 0755);
    free(root);
    sb->probed = 1;
    sb->view = geteuid() == 0 && probe(probe_view, scratch_root, binary);
    if (!sb->view)
        note(g, xstrdup("no private file system view for the tests (needs root and mount "
                        "namespaces): a test can read what its uid may read"));
    sb->seccomp = probe(probe_seccomp, NULL, NULL);
    if (!sb->seccomp)
        note(g, xstrdup("no seccomp filter for the tests (the kernel refused it): sockets are not "
                        "refused"));
    sb->netns = probe(probe_netns, NULL, NULL);
    if (!sb->netns)
        note(g, xstrdup("no private network namespace for the tests (unshare(CLONE_NEWNET) is not "
                        "permitted here)"));
    int base = geteuid() == 0 && g->policy.sandbox_uid_base > 0
                   ? lease_uids(g->policy.sandbox_uid_base)
                   : -1;
    sb->own_uids = uids_usable(g, base, scratch_root);
    sb->uid_base = base;
    if (!sb->own_uids && geteuid() == 0)
        note(g, xprintf("tests run as root: the process limit is not enforced (uids %d.. "
                        "unavailable, or %s is not reachable by them)",
                        base, scratch_root));
    if (!sb->own_uids || !sb->view)
        note(g, xstrdup("the tests' evidence is not out of their reach on this machine (needs "
                        "root): a test could change its own Valgrind report"));
}

/* ------------------------------------------------------------ one process */

static void set_limit(int resource, rlim_t soft, rlim_t hard)
{
    struct rlimit r = {soft, hard};
    struct rlimit cur;
    if (getrlimit(resource, &cur) == 0 && cur.rlim_max != RLIM_INFINITY) {
        if (r.rlim_max > cur.rlim_max)
            r.rlim_max = cur.rlim_max; /* lowering only: no CAP_SYS_RESOURCE needed */
        if (r.rlim_cur > r.rlim_max)
            r.rlim_cur = r.rlim_max;
    }
    setrlimit(resource, &r);
}

static void set_limits(const struct policy *p, double cpu_seconds)
{
    rlim_t cpu = (rlim_t)ceil(cpu_seconds);
    set_limit(RLIMIT_CPU, cpu, cpu + 1);
    set_limit(RLIMIT_AS, (rlim_t)p->as_mb << 20, (rlim_t)p->as_mb << 20);
    set_limit(RLIMIT_FSIZE, (rlim_t)p->fsize_mb << 20, (rlim_t)p->fsize_mb << 20);
    set_limit(RLIMIT_NOFILE, (rlim_t)p->nofile, (rlim_t)p->nofile);
    set_limit(RLIMIT_NPROC, (rlim_t)p->nproc, (rlim_t)p->nproc);
    set_limit(RLIMIT_CORE, 0, 0);
}

/* fds[i] becomes descriptor i (0..2 default to /dev/null); every other
 * descriptor is closed.  Done first, while the limit on open files is the
 * grader's. */
static void give_descriptors(const int fds[SANDBOX_MAX_FDS])
{
    int moved[SANDBOX_MAX_FDS];
    for (int i = 0; i < SANDBOX_MAX_FDS; i++)
        moved[i] = fds[i] >= 0 ? fcntl(fds[i], F_DUPFD, 256) : -1;
    for (int i = 0; i < SANDBOX_MAX_FDS; i++) {
        int fd = moved[i] >= 0 ? moved[i] : i <= 2 ? open("/dev/null", O_RDWR) : -1;
        if (fd >= 0 && dup2(fd, i) < 0)
            _exit(125);
        if (fd < 0)
            close(i);
    }
    close_from(SANDBOX_MAX_FDS);
}

/* In the child, between fork and exec.  Exit 125: the sandbox could not be
 * built, the program did not start. */
static void confine_and_exec(const struct grade *g, const struct sandbox *sb,
                             const struct confinement *c, char **argv, char **envp)
{
    setpgid(0, 0);
    /* the same addresses in every run: a test's course (how many pools fit
     * an arena) must not change between the reference's run and this one */
    personality(ADDR_NO_RANDOMIZE);
    give_descriptors(c->fds);
    if (sb->netns && unshare(CLONE_NEWNET) != 0)
        _exit(125);
    if (sb->view && sandbox_enter_view(c->view_root, c->ro, c->rw) != 0)
        _exit(125);
    set_limits(&g->policy, c->cpu_seconds);
    umask(0); /* .gcda files stay writable by the other job slots' uids */
    if (sb->own_uids)
        drop_to(sb->uid_base + c->slot);
    if (c->cwd && chdir(c->cwd) != 0)
        _exit(125);
    if (sb->seccomp && sandbox_deny_syscalls() != 0)
        _exit(125);
    execve(argv[0], argv, envp);
    _exit(127);
}

pid_t sandbox_spawn(const struct grade *g, const struct sandbox *sb, const struct confinement *c,
                    char **argv, char **envp)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        confine_and_exec(g, sb, c, argv, envp);
    if (pid > 0)
        setpgid(pid, pid); /* also here: no race with a kill at the deadline */
    return pid;
}

char **sandbox_env(const char *home)
{
    char **env = list_push(NULL, NULL);
    env = list_push(env, xstrdup("PATH=/usr/bin:/bin"));
    env = list_push(env, xstrdup("LANG=C"));
    env = list_push(env, xprintf("HOME=%s", home));
    return env;
}

/* ------------------------------------------------------------ the sweep */

/* The real uid of process `pid` from /proc/PID/status (its folder's owner
 * is root for a process that made itself non-dumpable), or -1. */
static long uid_of(const char *pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%s/status", pid);
    FILE *f = fopen(path, "r");
    long uid = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "Uid:", 4) == 0) {
            uid = strtol(line + 4, NULL, 10);
            break;
        }
    if (f)
        fclose(f);
    return uid;
}

/* One pass over /proc: SIGKILL every process of `uid` but `spare`.  The
 * number found. */
static int kill_uid_pass(long uid, pid_t spare)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int found = 0;
    while (d && (e = readdir(d))) {
        long pid = strtol(e->d_name, NULL, 10);
        if (pid <= 0 || pid == spare || uid_of(e->d_name) != uid)
            continue;
        kill((pid_t)pid, SIGKILL);
        found++;
    }
    if (d)
        closedir(d);
    return found;
}

void sandbox_sweep(const struct sandbox *sb, int slot, pid_t pgid, pid_t spare)
{
    if (pgid > 0 && pgid != spare)
        kill(-pgid, SIGKILL);
    if (!sb->own_uids)
        return;
    if (spare > 0) {
        /* the serving process stays: kill the others one by one, again
         * while a fork bomb still forks (RLIMIT_NPROC bounds it) */
        for (int pass = 0; pass < 1000 && kill_uid_pass(sb->uid_base + slot, spare) > 0; pass++)
            ;
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        drop_to(sb->uid_base + slot); /* exits if it cannot: never kill as root */
        /* kill(-1) spares the caller; again until no process of this uid is left */
        for (int pass = 0; pass < 1000 && kill(-1, SIGKILL) == 0; pass++)
            ;
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
}

/* ------------------------------------------------------------ one command */

/* Wait for pid until `seconds` have passed (then kill its group): its
 * status as run_sandboxed returns it. */
/* Read what `fd` (non-blocking) holds now; keep up to `cap` bytes. */
static void drain(int fd, struct sbuf *out, size_t cap)
{
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        if (out->len < cap)
            sb_addn(out, buf, out->len + (size_t)n > cap ? cap - out->len : (size_t)n);
}

static int wait_with_deadline(pid_t pid, double seconds, int drain_fd, struct sbuf *out, size_t cap)
{
    double deadline = now_seconds() + seconds;
    int st = 0, late = 0;
    for (;;) {
        if (drain_fd >= 0)
            drain(drain_fd, out, cap);
        if (waitpid(pid, &st, WNOHANG) != 0)
            break;
        if (now_seconds() > deadline) {
            late = 1;
            kill(-pid, SIGKILL);
            waitpid(pid, &st, 0);
            break;
        }
        struct timespec nap = {0, 5 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    if (late)
        return 124;
    return exit_code_of(st);
}

/* Give `dir` and everything under it to slot 0's uid (links are not
 * followed): a confined command may write where the grader prepared. */
static int tree_owner = -1; /* for give_one, which nftw calls */
static int give_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)ftw;
    if (flag != FTW_SL && flag != FTW_SLN && lchown(path, (uid_t)tree_owner, (gid_t)tree_owner))
        chmod(path, (st->st_mode & 07777) | 0777);
    return 0;
}

static void give_tree(const char *dir, int uid)
{
    tree_owner = uid;
    if (uid >= 0)
        nftw(dir, give_one, 16, FTW_PHYS);
}

void sandbox_reclaim(const char *dir)
{
    if (geteuid() == 0)
        give_tree(dir, 0);
}

/* The shared part of run_sandboxed and sandbox_run_capture. */
static int run_confined(struct grade *g, const char *cwd, const char *rw_dir, char *const ro[],
                        double seconds, char **argv, char **output, size_t cap)
{
    if (argv[0][0] != '/' || access(argv[0], X_OK) != 0) {
        fprintf(stderr,
                "memlab-grade: a confined command needs the absolute path of a program: "
                "%s\n",
                argv[0]);
        return 125;
    }
    char *parent = xprintf("%s/..", rw_dir);
    char *scratch_root = abs_path(parent);
    free(parent);
    struct sandbox sb = {0};
    int saved_jobs = g->jobs;
    g->jobs = 1;
    sandbox_probe(g, &sb, scratch_root, argv[0]);
    g->jobs = saved_jobs;
    give_tree(rw_dir, sandbox_uid(&sb, 0));
    int pipefd[2] = {-1, -1};
    if (output && (pipe2(pipefd, O_CLOEXEC) != 0 || fcntl(pipefd[0], F_SETFL, O_NONBLOCK) != 0))
        return 125;
    struct confinement c = {.slot = 0,
                            .cpu_seconds = seconds + g->policy.cpu_slack,
                            .cwd = cwd,
                            .view_root = NULL,
                            .fds = {-1, pipefd[1], pipefd[1], -1, -1, -1}};
    c.ro = list_push(NULL, NULL);
    for (size_t i = 0; ro && ro[i]; i++)
        c.ro = list_push(c.ro, xstrdup(ro[i]));
    c.rw = list_push(list_push(NULL, NULL), xstrdup(rw_dir));
    char *root = view_root(scratch_root);
    c.view_root = root;
    char **envp = sandbox_env(rw_dir);
    pid_t pid = sandbox_spawn(g, &sb, &c, argv, envp);
    if (pipefd[1] >= 0)
        close(pipefd[1]);
    struct sbuf out = {0};
    int rc = pid < 0 ? 125 : wait_with_deadline(pid, seconds, pipefd[0], &out, cap);
    if (pid > 0)
        sandbox_sweep(&sb, 0, pid, 0);
    if (pipefd[0] >= 0) {
        drain(pipefd[0], &out, cap); /* what was written just before the end */
        close(pipefd[0]);
    }
    if (output)
        *output = sb_take(&out);
    if (sb.own_uids) /* back to the grader: no later test's uid owns it */
        give_tree(rw_dir, (int)geteuid());
    list_free(c.ro);
    list_free(c.rw);
    list_free(envp);
    free(root);
    free(scratch_root);
    return rc;
}

int run_sandboxed(struct grade *g, const char *dir, const char *binary, double seconds, char **argv)
{
    char *ro[] = {(char *)binary, NULL};
    int rc = run_confined(g, dir, dir, ro, seconds, argv, NULL, 0);
    for (size_t i = 0; g->notes && g->notes[i]; i++)
        fprintf(stderr, "memlab-grade: note: %s\n", g->notes[i]);
    return rc;
}

int sandbox_run_capture(struct grade *g, const char *cwd, const char *rw_dir, char *const ro[],
                        double seconds, char **argv, char **output, size_t cap)
{
    return run_confined(g, cwd, rw_dir, ro, seconds, argv, output, cap);
}
