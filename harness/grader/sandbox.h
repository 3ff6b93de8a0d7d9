/*
 * sandbox.h -- what a test process may see and do, beyond its rlimits and
 * its uid (run.c): a private view of the file system, a system-call deny
 * list, and no descriptor of the grader's.
 *
 * Each function runs in the forked child, after fork and before exec; the
 * grader is single-threaded, so they may allocate.
 */
#ifndef MEMLAB_GRADER_SANDBOX_H
#define MEMLAB_GRADER_SANDBOX_H

/* Build a new root on the empty folder `root` (a tmpfs mounted there, in a
 * private mount namespace) and pivot into it.  It
 * holds the system folders read-only (/usr, /etc, the /bin and /lib links),
 * a few /dev nodes, a /proc that shows only the caller's own processes, an
 * empty /tmp, `binary` read-only and each folder of `rw` (NULL-terminated)
 * read-write, all at their usual paths.  Nothing else: not the kit, its
 * solutions, its tests, the other tests' folders.  Needs CAP_SYS_ADMIN
 * (root).  0 on success; -1 when a step failed (the caller must not run
 * the test then: the view may be half built). */
int sandbox_enter_view(const char *root, const char *binary, char *const rw[]);

/* Install the seccomp deny list: sockets fail with EACCES; tracing, mounts,
 * namespaces, kernel modules, BPF and the like kill the process.  Sets
 * no_new_privs (no set-uid program can give privileges back).  0 on
 * success, -1 when the kernel refused (no seccomp here). */
int sandbox_deny_syscalls(void);

/* Close every descriptor from 3 up: the test inherits none of the grader's. */
void sandbox_close_fds(void);

#endif /* MEMLAB_GRADER_SANDBOX_H */
