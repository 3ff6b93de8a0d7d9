/*
 * run.c -- stage 4: run each test alone, in its own process, under Valgrind
 * memcheck, inside a small sandbox, `jobs` at a time.
 *
 * One test = one process tree:
 *
 *   grader --fork--> [sandbox: new process group, no network, rlimits,
 *                     own uid, cwd = the test's scratch folder, stdout and
 *                     stderr to files]  --exec--> valgrind ... t_<lab>
 *                                                  --run NAME --result result.json
 *
 * The grader keeps the wall clock: at the test's budget it kills the whole
 * process group (and, when it runs as root, every process of the test's uid:
 * a fork that left the group dies too).  Nothing the test prints decides its
 * verdict: judge.c reads the result record (with the run's token), the exit
 * status and Valgrind's XML.
 *
 * Sandbox, as far as the machine allows (what could not be applied is noted
 * in the report):
 *   RLIMIT_CPU    budget + slack (SIGXCPU, then SIGKILL)
 *   RLIMIT_AS     policy (Valgrind itself needs a large address space)
 *   RLIMIT_FSIZE  policy: caps the test's output files too
 *   RLIMIT_NOFILE, RLIMIT_NPROC (enforced only for a non-root uid), RLIMIT_CORE 0
 *   a private network namespace (unshare(CLONE_NEWNET)) when permitted
 *   when root: a uid of its own per job slot, leased per grader (lease_uids)
 *   when root: a private view of the file system (sandbox.c): the system
 *              folders, the test binary and the test's own scratch folder,
 *              nothing of the kit (solutions, hidden tests) or other tests
 *   a seccomp deny list (no sockets, no ptrace, mounts, namespaces...),
 *   no descriptor of the grader's
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <jansson.h>
#include <math.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "results.h"
#include "sandbox.h"
#include "util.h"

#define MAX_JOBS 16

/* ------------------------------------------------------------ the list */

static enum visibility visibility_of(const char *s)
{
    if (s && strcmp(s, "hidden") == 0)
        return VIS_HIDDEN;
    if (s && strcmp(s, "after_published") == 0)
        return VIS_AFTER_PUBLISHED;
    return VIS_VISIBLE;
}

static char *str_field(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) && json_string_length(v) ? xstrdup(json_string_value(v)) : NULL;
}

int test_wanted(const struct grade *g, const char *name)
{
    if (!g->only)
        return 1;
    char **names = split(g->only, ", ");
    int yes = list_has(names, name);
    list_free(names);
    return yes;
}

/* Read the declared tests from `binary --list` (the reference binary: the
 * list is known even when the student's file does not compile). */
int tests_load(struct grade *g, const char *binary)
{
    char *argv[] = {(char *)binary, "--list", NULL};
    char *out = NULL;
    int rc = run_capture(argv, NULL, &out, 16 << 20);
    json_error_t err;
    json_t *arr = rc == 0 ? json_loads(out, 0, &err) : NULL;
    if (!json_is_array(arr)) {
        fprintf(stderr, "memlab-grade: %s --list failed (status %d):\n%s\n", binary, rc,
                out ? out : "");
        free(out);
        json_decref(arr);
        return -1;
    }
    free(out);
    g->tests = xcalloc(json_array_size(arr), sizeof *g->tests);
    g->ntests = 0;
    size_t i;
    json_t *o;
    json_array_foreach(arr, i, o) {
        const char *name = json_string_value(json_object_get(o, "name"));
        if (!name || !test_wanted(g, name))
            continue;
        struct test *t = &g->tests[g->ntests++];
        t->name = xstrdup(name);
        t->file = str_field(o, "file");
        t->line = (int)json_integer_value(json_object_get(o, "line"));
        t->points = json_number_value(json_object_get(o, "points"));
        t->visibility = visibility_of(json_string_value(json_object_get(o, "visibility")));
        t->description = str_field(o, "description");
        t->hint = str_field(o, "hint");
        t->parent = str_field(o, "parent");
        t->tags = str_field(o, "tags");
        t->declared_timeout = json_number_value(json_object_get(o, "timeout"));
        if (t->points <= 0)
            t->points = 1;
        if (t->declared_timeout <= 0)
            t->declared_timeout = 2;
    }
    json_decref(arr);
    int only_perf = g->only && g->perf.program && test_wanted(g, g->perf.name);
    if (g->ntests == 0 && !only_perf) {
        fprintf(stderr, "memlab-grade: no test of %s matches '%s'\n", binary,
                g->only ? g->only : "");
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ the sandbox */

struct sandbox {
    int probed;
    int netns;     /* unshare(CLONE_NEWNET) works */
    int own_uids;  /* root: tests run as uid `uid_base` + slot */
    int uid_base;  /* policy base + lease x MAX_JOBS */
    int view;      /* sandbox_enter_view works (root) */
    int seccomp;   /* sandbox_deny_syscalls works */
};

#define UID_LEASES 64

/* Graders running side by side (grade-all, several make runs) must never
 * share a uid: the sweep after a test kills every process of its uid.  Each
 * grader holds an flock on one of UID_LEASES lock files for its lifetime
 * (released by the kernel when it exits) and uses that lease's uid range. */
static int lease_uids(int policy_base)
{
    for (int n = 0; n < UID_LEASES; n++) {
        char path[64];
        snprintf(path, sizeof path, "/tmp/memlab-grade-uids.%d.lock", n);
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
            continue;
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return policy_base + n * MAX_JOBS; /* fd stays open: the lease */
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

/* The empty folder each test's private root is mounted on. */
static char *view_root(const char *scratch_root) { return xprintf("%s/.root", scratch_root); }

/* In a child: can a test get its private view and the system-call filter? */
static int probe_view(const char *scratch_root, const char *binary)
{
    char *rw[] = {(char *)scratch_root, NULL};
    char *root = view_root(scratch_root);
    return sandbox_enter_view(root, binary, rw) == 0 && access(binary, R_OK) == 0 ? 0 : 1;
}

static int probe_seccomp(const char *unused, const char *unused_too)
{
    (void)unused;
    (void)unused_too;
    return sandbox_deny_syscalls() == 0 && socket(AF_INET, SOCK_STREAM, 0) < 0 && errno == EACCES
               ? 0
               : 1;
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

/* Find out once what this machine lets the grader do. */
static void sandbox_probe(struct grade *g, struct sandbox *sb, const char *scratch_root,
                          const char *binary)
{
    sb->probed = 1;
    sb->view = geteuid() == 0 && probe(probe_view, scratch_root, binary);
    if (!sb->view)
        g->notes = list_push(g->notes, xstrdup("no private file system view for the tests (needs "
                                               "root and mount namespaces): a test can read what "
                                               "its uid may read"));
    sb->seccomp = probe(probe_seccomp, NULL, NULL);
    if (!sb->seccomp)
        g->notes = list_push(g->notes, xstrdup("no seccomp filter for the tests (the kernel "
                                               "refused it): sockets are not refused"));
    pid_t pid = fork();
    if (pid == 0)
        _exit(unshare(CLONE_NEWNET) == 0 ? 0 : 1);
    int st = 0;
    waitpid(pid, &st, 0);
    sb->netns = WIFEXITED(st) && WEXITSTATUS(st) == 0;
    if (!sb->netns)
        g->notes = list_push(g->notes, xstrdup("no private network namespace for the tests "
                                               "(unshare(CLONE_NEWNET) is not permitted here)"));

    int base = geteuid() == 0 && g->policy.sandbox_uid_base > 0
                   ? lease_uids(g->policy.sandbox_uid_base)
                   : -1;
    int free_uids = base > 0;
    for (int s = 0; free_uids && s < g->jobs; s++)
        free_uids = uid_is_free(base + s);
    if (free_uids) {
        /* Can such a uid reach the scratch folders (every parent folder
         * traversable)? */
        pid = fork();
        if (pid == 0) {
            drop_to(base);
            _exit(access(scratch_root, X_OK) == 0 ? 0 : 1);
        }
        waitpid(pid, &st, 0);
        free_uids = WIFEXITED(st) && WEXITSTATUS(st) == 0;
    }
    sb->own_uids = free_uids;
    sb->uid_base = base;
    if (!sb->own_uids && geteuid() == 0)
        g->notes = list_push(g->notes, xprintf("tests run as root: the process limit is not "
                                               "enforced (uids %d.. unavailable, or %s is not "
                                               "reachable by them)",
                                               base, scratch_root));
}

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

static int open_out(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
}

/* In the child, between fork and exec (the grader is single-threaded).
 * Exit 125: the sandbox could not be built, the test did not start. */
static void exec_sandboxed(const struct grade *g, const struct sandbox *sb, const struct test *t,
                           int slot, char **argv, char **envp, const char *binary,
                           const char *root, char **rw)
{
    setpgid(0, 0);
    if (sb->netns)
        unshare(CLONE_NEWNET);
    if (sb->view && sandbox_enter_view(root, binary, rw) != 0)
        _exit(125);
    const struct policy *p = &g->policy;
    rlim_t cpu = (rlim_t)ceil(t->budget + p->cpu_slack);
    set_limit(RLIMIT_CPU, cpu, cpu + 1);
    set_limit(RLIMIT_AS, (rlim_t)p->as_mb << 20, (rlim_t)p->as_mb << 20);
    set_limit(RLIMIT_FSIZE, (rlim_t)p->fsize_mb << 20, (rlim_t)p->fsize_mb << 20);
    set_limit(RLIMIT_NOFILE, (rlim_t)p->nofile, (rlim_t)p->nofile);
    set_limit(RLIMIT_NPROC, (rlim_t)p->nproc, (rlim_t)p->nproc);
    set_limit(RLIMIT_CORE, 0, 0);
    umask(0); /* .gcda files stay writable by the other job slots' uids */
    if (sb->own_uids)
        drop_to(sb->uid_base + slot);
    if (chdir(t->scratch) != 0)
        _exit(126);
    int in = open("/dev/null", O_RDONLY);
    int out = open_out(t->scratch, "stdout.txt");
    int err = open_out(t->scratch, "stderr.txt");
    if (in < 0 || out < 0 || err < 0)
        _exit(126);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    sandbox_close_fds();
    if (sb->seccomp && sandbox_deny_syscalls() != 0)
        _exit(125);
    execve(argv[0], argv, envp);
    _exit(127);
}

/* Kill every process left by the test that ran on `slot`. */
static void sweep(const struct sandbox *sb, int slot, pid_t pgid)
{
    kill(-pgid, SIGKILL);
    if (!sb->own_uids)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        drop_to(sb->uid_base + slot); /* exits if it cannot: never kill as root */
        /* a fork bomb may fork while the first pass runs: again until no
         * process of this uid is left (kill(-1) spares the caller) */
        for (int pass = 0; pass < 1000 && kill(-1, SIGKILL) == 0; pass++)
            ;
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
}

/* ------------------------------------------------------------ one test */

static char *find_valgrind(void)
{
    const char *const places[] = {"/usr/bin/valgrind", "/usr/local/bin/valgrind"};
    for (size_t i = 0; i < sizeof places / sizeof *places; i++)
        if (access(places[i], X_OK) == 0)
            return xstrdup(places[i]);
    return NULL;
}

static char **test_argv(const struct grade *g, const char *valgrind, const char *binary,
                        const struct test *t)
{
    char **argv = list_push(NULL, NULL);
    if (g->use_valgrind) {
        const char *const vg[] = {"-q", "--tool=memcheck", "--xml=yes", "--xml-file=vg.xml",
                                  "--leak-check=full", "--show-leak-kinds=definite",
                                  "--errors-for-leak-kinds=definite", "--num-callers=30",
                                  "--child-silent-after-fork=yes",
                                  "--read-inline-info=no" /* -O0: nothing inlined; faster start */};
        argv = list_push(argv, xstrdup(valgrind));
        for (size_t i = 0; i < sizeof vg / sizeof *vg; i++)
            argv = list_push(argv, xstrdup(vg[i]));
    }
    argv = list_push(argv, xstrdup(binary));
    argv = list_push(argv, xstrdup("--run"));
    argv = list_push(argv, xstrdup(t->name));
    argv = list_push(argv, xstrdup("--result"));
    argv = list_push(argv, xstrdup("result.json"));
    return argv;
}

/* All a confined process inherits: a plain PATH and locale, its folder as
 * HOME, and the run's token (when there is one). */
static char **confined_env(const char *home, const char *token)
{
    char **env = list_push(NULL, NULL);
    env = list_push(env, xstrdup("PATH=/usr/bin:/bin"));
    env = list_push(env, xstrdup("LANG=C"));
    env = list_push(env, xprintf("HOME=%s", home));
    if (token)
        env = list_push(env, xprintf("MEMLAB_TOKEN=%s", token));
    return env;
}

static char *slug(const char *name)
{
    char *s = xstrdup(name);
    for (char *p = s; *p; p++)
        if (!(*p == '_' || *p == '-' || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
              (*p >= 'A' && *p <= 'Z')))
            *p = '_';
    return s;
}

struct slot {
    pid_t pid; /* 0: free */
    struct test *t;
    double start, deadline;
};

static pid_t launch(struct grade *g, const struct sandbox *sb, const char *valgrind,
                    const char *binary, const char *scratch_root, struct test *t, int slot)
{
    char *name = slug(t->name);
    free(t->scratch);
    t->scratch = xprintf("%s/%s", scratch_root, name);
    free(name);
    rm_rf(t->scratch);
    mkdir_p(t->scratch, 0755);
    if (sb->own_uids &&
        chown(t->scratch, (uid_t)(sb->uid_base + slot), (gid_t)(sb->uid_base + slot)) != 0)
        chmod(t->scratch, 0777);
    char **argv = test_argv(g, valgrind, binary, t);
    char **envp = confined_env(t->scratch, g->token);
    /* what the test sees read-write: its folder, and gcov's .gcda files */
    char **rw = list_push(list_push(NULL, NULL), xstrdup(t->scratch));
    char *objdir = xprintf("%s/obj", g->work_dir);
    if (is_dir(objdir))
        rw = list_push(rw, objdir);
    else
        free(objdir);
    char *root = view_root(scratch_root);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        exec_sandboxed(g, sb, t, slot, argv, envp, binary, root, rw);
    free(root);
    list_free(rw);
    list_free(argv);
    list_free(envp);
    if (pid > 0) {
        setpgid(pid, pid); /* also here: no race with the kill at the deadline */
        t->ran = 1;
    }
    return pid;
}

/* The first `kib` KiB of what a test wrote; the file is cut to that too, so
 * that a report folder stays small whatever a test printed. */
static char *head_of(const char *dir, const char *file, long kib)
{
    char *path = xprintf("%s/%s", dir, file);
    char *text = read_file(path, (size_t)kib << 10, NULL);
    struct stat st;
    if (stat(path, &st) == 0 && st.st_size > (off_t)kib << 10 && truncate(path, (off_t)kib << 10))
        perror(path);
    free(path);
    return text ? text : xstrdup("");
}

static void finish(struct grade *g, const struct sandbox *sb, struct slot *s, int slot, int st,
                   int judged)
{
    struct test *t = s->t;
    t->seconds = now_seconds() - s->start;
    t->exited = WIFEXITED(st);
    t->exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    t->signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
    sweep(sb, slot, s->pid);
    t->out_head = head_of(t->scratch, "stdout.txt", g->policy.output_kib);
    t->err_head = head_of(t->scratch, "stderr.txt", g->policy.output_kib);
    if (judged)
        judge_test(g, t);
    s->pid = 0;
    s->t = NULL;
}

/* ------------------------------------------------------------ the schedule */

enum { PENDING, RUNNING, DONE };

static struct test *find(struct grade *g, const char *name)
{
    for (size_t i = 0; name && i < g->ntests; i++)
        if (strcmp(g->tests[i].name, name) == 0)
            return &g->tests[i];
    return NULL;
}

static int passed(const struct test *t) { return t->status == ST_PASS || t->status == ST_LEAK; }

/* The next test that may start: its parent is done (or absent).  With
 * `judged`, children of a failed parent are marked skipped on the way. */
static struct test *next_ready(struct grade *g, int *state, int judged, int *skipped)
{
    for (size_t i = 0; i < g->ntests; i++) {
        if (state[i] != PENDING)
            continue;
        struct test *t = &g->tests[i];
        struct test *parent = find(g, t->parent);
        if (parent && parent != t && state[parent - g->tests] != DONE)
            continue;
        if (judged && parent && parent != t && !passed(parent)) {
            char buf[64];
            t->status = ST_SKIPPED;
            t->score = 0;
            t->reason = xprintf("skipped: depends on %s, which did not pass",
                                test_label(g, parent, buf, sizeof buf));
            state[i] = DONE;
            (*skipped)++;
            continue;
        }
        state[i] = RUNNING;
        return t;
    }
    return NULL;
}

static struct test *any_pending(struct grade *g, int *state)
{
    for (size_t i = 0; i < g->ntests; i++)
        if (state[i] == PENDING) {
            state[i] = RUNNING;
            return &g->tests[i];
        }
    return NULL;
}

int run_tests(struct grade *g, const char *binary, const char *scratch_root, int judged)
{
    static struct sandbox sb;
    char *valgrind = g->use_valgrind ? find_valgrind() : NULL;
    if (g->use_valgrind && !valgrind) {
        fprintf(stderr, "memlab-grade: valgrind is not installed (make deps)\n");
        return -1;
    }
    mkdir_p(scratch_root, 0755);
    char *root = view_root(scratch_root);
    mkdir_p(root, 0755);
    free(root);
    if (!sb.probed)
        sandbox_probe(g, &sb, scratch_root, binary);
    /* gcov writes the .gcda files beside the objects, as the test's uid */
    char *objdir = xprintf("%s/obj", g->work_dir);
    chmod(objdir, 0777);
    free(objdir);

    int jobs = g->jobs < 1 ? 1 : g->jobs > MAX_JOBS ? MAX_JOBS : g->jobs;
    struct slot slots[MAX_JOBS] = {{0}};
    int *state = xcalloc(g->ntests, sizeof *state);
    size_t done = 0;
    while (done < g->ntests) {
        int busy = 0, progress = 0;
        for (int s = 0; s < jobs; s++)
            busy += slots[s].pid != 0;
        for (int s = 0; s < jobs; s++) {
            if (slots[s].pid)
                continue;
            int skipped = 0;
            struct test *t = next_ready(g, state, judged, &skipped);
            done += (size_t)skipped;
            progress |= skipped;
            if (!t && !busy && done < g->ntests)
                t = any_pending(g, state); /* a parent cycle: run anyway */
            if (!t)
                break;
            slots[s].t = t;
            slots[s].start = now_seconds();
            slots[s].deadline = slots[s].start + t->budget;
            slots[s].pid = launch(g, &sb, valgrind, binary, scratch_root, t, s);
            if (slots[s].pid < 0) {
                t->status = ST_ERROR;
                t->reason = xprintf("the grader could not start the test: %s", strerror(errno));
                slots[s].pid = 0;
                state[t - g->tests] = DONE;
                done++;
            }
            busy++;
            progress = 1;
        }
        for (int s = 0; s < jobs; s++) {
            if (!slots[s].pid)
                continue;
            int st;
            pid_t r = waitpid(slots[s].pid, &st, WNOHANG);
            if (r == 0 && now_seconds() > slots[s].deadline) {
                slots[s].t->timed_out = 1;
                kill(-slots[s].pid, SIGKILL);
                r = waitpid(slots[s].pid, &st, 0);
            }
            if (r == slots[s].pid) {
                state[slots[s].t - g->tests] = DONE;
                finish(g, &sb, &slots[s], s, st, judged);
                done++;
                progress = 1;
            }
        }
        if (!progress) {
            struct timespec nap = {0, 5 * 1000 * 1000};
            nanosleep(&nap, NULL);
        }
    }
    free(state);
    free(valgrind);
    return 0;
}

/* ------------------------------------------------------------ one command */

/* `memlab-grade --sandbox-exec`: what a lab's performance program (stage 7)
 * runs the student's code through.  argv runs in the same sandbox as a
 * test: `binary` read-only, `dir` read-write and its working folder, the
 * policy's limits, a wall clock of `seconds`; the environment is PATH, LANG,
 * HOME and the MEMLAB_TOKEN this process was given.  Returns the command's
 * exit status, 128+signal when it was killed, 124 at the deadline, 125 when
 * the sandbox could not be built. */
int run_sandboxed(struct grade *g, const char *dir, const char *binary, double seconds,
                  char **argv)
{
    struct sandbox sb = {0};
    if (argv[0][0] != '/' || access(argv[0], X_OK) != 0) {
        fprintf(stderr, "memlab-grade: --sandbox-exec needs the absolute path of a program: %s\n",
                argv[0]);
        return 125;
    }
    char *parent = xprintf("%s/..", dir);
    char *scratch_root = abs_path(parent);
    free(parent);
    char *root = view_root(scratch_root);
    mkdir_p(root, 0755);
    g->jobs = 1;
    sandbox_probe(g, &sb, scratch_root, binary);
    if (sb.own_uids && chown(dir, (uid_t)sb.uid_base, (gid_t)sb.uid_base) != 0)
        chmod(dir, 0777);
    struct test t = {.scratch = xstrdup(dir), .budget = seconds};
    char **envp = confined_env(dir, getenv("MEMLAB_TOKEN"));
    char **rw = list_push(list_push(NULL, NULL), xstrdup(dir));
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        exec_sandboxed(g, &sb, &t, 0, argv, envp, binary, root, rw);
    list_free(rw);
    list_free(envp);
    free(root);
    free(scratch_root);
    free(t.scratch);
    if (pid < 0)
        return 125;
    setpgid(pid, pid);
    double deadline = now_seconds() + seconds;
    int st = 0, late = 0;
    while (waitpid(pid, &st, WNOHANG) == 0) {
        if (now_seconds() > deadline) {
            late = 1;
            kill(-pid, SIGKILL);
            waitpid(pid, &st, 0);
            break;
        }
        struct timespec nap = {0, 10 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    sweep(&sb, 0, pid);
    for (size_t i = 0; g->notes && g->notes[i]; i++)
        fprintf(stderr, "memlab-grade: note: %s\n", g->notes[i]);
    if (late)
        return 124;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
