/*
 * sandbox.h -- everything a process running student code may see and do,
 * in one place (sandbox.c), for a reviewer to read alone.
 *
 * A confined process gets, as far as the machine allows (what could not be
 * applied is noted in the report, never silently dropped):
 *   - its own uid per job slot (root only), leased per grader so that
 *     graders side by side never share one: RLIMIT_NPROC then holds
 *   - rlimits: CPU, address space, file size, open files, processes, no core
 *   - a private network namespace (only a down loopback)
 *   - a private view of the file system (root only): the system folders
 *     read-only, the paths it is given, nothing of the kit
 *   - a seccomp deny list: no sockets, no tracing, no mounts, namespaces...
 *   - only the descriptors it is given, at the numbers it is given
 *   - a new process group, killed whole at its deadline, and a sweep of its
 *     uid afterwards (a process that left the group dies too)
 *
 * Every function that runs in a forked child runs between fork and exec;
 * the grader is single-threaded, so they may allocate.
 */
#ifndef MEMLAB_GRADER_SANDBOX_H
#define MEMLAB_GRADER_SANDBOX_H

#include <stddef.h>
#include <sys/types.h>

struct grade;

/* What this machine lets the grader do, found once per grader run. */
struct sandbox {
    int probed;
    int netns;    /* unshare(CLONE_NEWNET) works */
    int own_uids; /* root: slot s runs as uid `uid_base` + s */
    int uid_base; /* the policy's base + this grader's lease x SANDBOX_MAX_SLOTS */
    int view;     /* sandbox_enter_view works (root) */
    int seccomp;  /* sandbox_deny_syscalls works */
};

#define SANDBOX_MAX_SLOTS 16
#define SANDBOX_MAX_FDS   6 /* descriptors 0..5 of a confined process */

/* Find out what the machine allows, once: probes in children, leases a uid
 * range for g->jobs slots, and notes in g->notes each layer it cannot
 * apply.  `scratch_root` must be a folder the slots' uids can reach. */
void sandbox_probe(struct grade *g, struct sandbox *sb, const char *scratch_root,
                   const char *binary);

/* One confined process. */
struct confinement {
    int slot;                 /* job slot: its uid, its sweep */
    double cpu_seconds;       /* RLIMIT_CPU (SIGXCPU, then SIGKILL a second later) */
    const char *cwd;          /* its working folder (inside one of rw) */
    const char *view_root;    /* an empty folder to build the private view on */
    char **ro;                /* NULL-terminated: files or folders it may read */
    char **rw;                /* NULL-terminated: folders it may write */
    int fds[SANDBOX_MAX_FDS]; /* fds[i] becomes descriptor i; -1: /dev/null for 0..2,
                                 closed above; every other descriptor is closed */
};

/* Fork and exec argv (argv[0] an absolute path) confined as `c` says, with
 * the environment envp.  Returns the pid (also its process group), or -1.
 * A child that cannot build its sandbox exits 125 before exec. */
pid_t sandbox_spawn(const struct grade *g, const struct sandbox *sb, const struct confinement *c,
                    char **argv, char **envp);

/* All a confined process inherits: a plain PATH and locale, `home` as HOME. */
char **sandbox_env(const char *home);

/* Kill the process group `pgid` and then every process of slot's uid but
 * `spare` (0: none), again until none is left.  Without own uids, only the
 * group. */
void sandbox_sweep(const struct sandbox *sb, int slot, pid_t pgid, pid_t spare);

/* The uid slot `slot` runs as, or -1 when tests keep the grader's. */
int sandbox_uid(const struct sandbox *sb, int slot);

/* Give `path` to slot's uid (chown when tests have their own uids, else
 * leave it); `mode` applied either way. */
void sandbox_give(const struct sandbox *sb, int slot, const char *path, int mode);

/* Give `dir` and everything in it back to root (links not followed), once
 * no confined process is left: no folder stays owned by a leased uid. */
void sandbox_reclaim(const char *dir);

/* `memlab-grade --sandbox-exec`: argv runs confined like a test: `binary`
 * read-only, `dir` read-write and its working folder, a wall clock of
 * `seconds`.  Returns its exit status, 128+signal when it was killed, 124
 * at the deadline, 125 when the sandbox could not be built. */
int run_sandboxed(struct grade *g, const char *dir, const char *binary, double seconds,
                  char **argv);

/* Run argv (argv[0] an absolute path) confined as a test is: `rw_dir`
 * read-write, `cwd` (inside rw_dir) its working folder, each path of `ro`
 * (NULL-terminated; files or folders) read-only, a wall clock of `seconds`.
 * stdout and stderr together come back in *output (NUL-terminated, at most
 * `cap` bytes kept).  Returns as run_sandboxed does. */
int sandbox_run_capture(struct grade *g, const char *cwd, const char *rw_dir, char *const ro[],
                        double seconds, char **argv, char **output, size_t cap);

/* ------------------------------------------------------------ the walls */

/* In a child: build a new root on the empty folder `root` (a tmpfs in a
 * private mount namespace) and pivot into it.  It holds the system folders
 * read-only (/usr, /etc, the /bin and /lib links), a few /dev nodes, a
 * /proc that shows only the caller's uid's processes, an empty /tmp, each
 * path of `ro` read-only and each folder of `rw` read-write, at their usual
 * paths.  Nothing else.  Needs CAP_SYS_ADMIN (root).  0 on success; -1
 * when a step failed (the caller must not run then: the view may be half
 * built). */
int sandbox_enter_view(const char *root, char *const ro[], char *const rw[]);

/* In a child: install the seccomp deny list (sockets fail with EACCES;
 * tracing, mounts, namespaces, modules, BPF and the like kill the process)
 * and no_new_privs.  0 on success, -1 when the kernel refused. */
int sandbox_deny_syscalls(void);

#endif /* MEMLAB_GRADER_SANDBOX_H */
