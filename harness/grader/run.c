/*
 * run.c -- stage 4: run the tests, `jobs` at a time, each job slot with one
 * serving process that forks a child per test.
 *
 *   grader ──spawn (sandbox.c)──> valgrind memcheck ... t_<lab> --serve
 *     │  fd 3 requests ──────────>  │   (loaded once, no test code run)
 *     │  fd 4 replies  <──────────  ├─fork─> child: one test, then exit
 *     │  fd 5 records  <──────────────────────┘  (its own vg.<pid>.xml,
 *     │  fd 1, 2 output <─────────────────────┘   leak check, gcov dump)
 *
 * A test, as the grader drives it (the runner's side is harness/runner/
 * runner.c):
 *   RUN name seed dir   the serving process forks; the child says READY pid
 *                       and waits
 *   (the grader secures the child's Valgrind file: vg.<pid>.xml, created by
 *    memcheck at the fork in a root-owned sticky folder, is opened by the
 *    grader and given to root before any test code runs, so the test can
 *    neither open, replace nor remove it)
 *   GO                  the child runs the test, writes one record line on
 *                       fd 5 and exits; the serving process says EXIT pid
 *                       status
 * The grader keeps each test's wall clock: at its budget it kills that
 * child's process group, then sweeps every other process of the slot's uid
 * but the serving process.  A serving process that dies, hangs or stops
 * answering is killed and started again; the test it was serving is judged
 * from what it left.  The grader is a child subreaper, so a test whose
 * serving process died is still reaped here, with its real exit status.
 *
 * Each test starts from the same state: the serving process runs no test
 * and no lab code, and each test is a fresh fork of it.  Visible tests run
 * on the public test binary, the others on the hidden one (the public one
 * holds no hidden test's name or text).
 *
 * Nothing a test prints decides its verdict: judge.c reads the record (an
 * observation trace compared with the reference's), the exit status and
 * the Valgrind XML read through the grader's own descriptor.  A failure of
 * the grader's machinery (a serving process that cannot start, evidence
 * that cannot be secured) is retried once, then reported as "not graded".
 */
#include "progress.h"
#include "results.h"
#include "sandbox.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MACHINERY_RETRIES 1     /* runs again after a failure of the grader's own */
#define HELLO_SECONDS     120.0 /* a serving process's start under Valgrind, at most */
#define READY_SECONDS     60.0  /* from RUN to READY (a fork under Valgrind) */
#define EXIT_GRACE        10.0  /* from a kill at the deadline to EXIT */
#define RECORD_LIMIT      (1 << 20)

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
    json_array_foreach(arr, i, o)
    {
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

/* ------------------------------------------------------------ a serving process */

enum server_state {
    SV_NONE,     /* no process */
    SV_STARTING, /* spawned, waiting for HELLO */
    SV_IDLE,     /* waiting for a request */
    SV_READYING, /* RUN sent, waiting for READY */
    SV_RUNNING,  /* GO sent: the test runs */
    SV_KILLED,   /* the test was killed at its budget: waiting for EXIT */
};

/* One job slot's serving process and the test it serves.  The grader's
 * ends of the pipes are non-blocking and close on exec. */
struct server {
    enum server_state state;
    pid_t pid;  /* 0 once reaped */
    pid_t pgid; /* its process group: the pid it started with */
    const char *binary;
    int req, rep, rec, out, err;
    struct sbuf replies; /* bytes of a reply line not complete yet */
    struct sbuf record, out_text, err_text, start_err;
    size_t written; /* bytes the test wrote on stdout and stderr */
    struct test *t; /* the test it serves, or NULL */
    pid_t child;    /* that test's process */
    int child_status, child_reaped;
    int xml_fd;
    double started;         /* when GO was sent */
    double deadline;        /* when the current state must have ended */
    char *folder, *xml_dir; /* the slot's working folder; Valgrind's files */
};

/* Everything one call of run_tests shares. */
struct run {
    struct grade *g;
    const char *binary, *hidden_binary, *scratch_root, *valgrind;
    int judged, jobs;
    int nservers; /* jobs per test binary: servers[k] serves binary_of_server(k) */
    struct sandbox *sb;
    struct server servers[SANDBOX_MAX_SLOTS];
    int *state;       /* per test: PENDING, RUNNING or DONE */
    double *priority; /* per test: seconds of the longest chain it starts (schedule) */
    size_t done;
    int start_failures; /* serving processes that did not start, in a row */
    double max_budget;
};

enum { PENDING, RUNNING, DONE };

static char *find_valgrind(void)
{
    const char *const places[] = {"/usr/bin/valgrind", "/usr/local/bin/valgrind"};
    for (size_t i = 0; i < sizeof places / sizeof *places; i++)
        if (access(places[i], X_OK) == 0)
            return xstrdup(places[i]);
    return NULL;
}

/* valgrind memcheck ... BINARY --serve: every child writes its own XML,
 * vg.<pid>.xml, in xml_dir. */
static char **server_argv(const struct run *r, const char *binary, const char *xml_dir)
{
    char **argv = list_push(NULL, NULL);
    if (r->valgrind) {
        const char *const vg[] = {"-q",
                                  "--tool=memcheck",
                                  "--xml=yes",
                                  "--leak-check=full",
                                  "--show-leak-kinds=definite",
                                  "--errors-for-leak-kinds=definite",
                                  "--num-callers=30",
                                  "--child-silent-after-fork=no",
                                  "--read-inline-info=no" /* -O0: nothing inlined; faster start */};
        argv = list_push(argv, xstrdup(r->valgrind));
        for (size_t i = 0; i < sizeof vg / sizeof *vg; i++)
            argv = list_push(argv, xstrdup(vg[i]));
        argv = list_push(argv, xprintf("--xml-file=%s/vg.%%p.xml", xml_dir));
    }
    argv = list_push(argv, xstrdup(binary));
    argv = list_push(argv, xstrdup("--serve"));
    return argv;
}

/* A pipe whose grader end (read or write) is non-blocking and closes on
 * exec; the other end is for the serving process. */
static int make_pipe(int *grader_end, int *server_end, int grader_reads)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0)
        return -1;
    *grader_end = grader_reads ? p[0] : p[1];
    *server_end = grader_reads ? p[1] : p[0];
    return fcntl(*grader_end, F_SETFL, O_NONBLOCK);
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* The folders of a slot: its working folder (the slot's uid owns it) and
 * Valgrind's folder, root's and sticky when tests have their own uid: the
 * test may create its file there but not list, open or remove another's,
 * and not its own once the grader has taken it over. */
static int prepare_folders(struct run *r, struct server *s, int slot)
{
    free(s->folder);
    free(s->xml_dir);
    s->folder = xprintf("%s/slot%d", r->scratch_root, slot);
    s->xml_dir = xprintf("%s/slot%d.vg", r->scratch_root, slot);
    rm_rf(s->folder);
    rm_rf(s->xml_dir);
    if (mkdir_p(s->folder, 0755) != 0 || mkdir_p(s->xml_dir, 0700) != 0)
        return -1;
    sandbox_give(r->sb, slot, s->folder, 0755);
    if (sandbox_uid(r->sb, slot) >= 0)
        chmod(s->xml_dir, 01733);
    return 0;
}

static int start_server(struct run *r, int slot, const char *binary)
{
    struct server *s = &r->servers[slot];
    int kid[SANDBOX_MAX_FDS] = {-1, -1, -1, -1, -1, -1};
    if (prepare_folders(r, s, slot) != 0 || make_pipe(&s->out, &kid[1], 1) != 0 ||
        make_pipe(&s->err, &kid[2], 1) != 0 || make_pipe(&s->req, &kid[3], 0) != 0 ||
        make_pipe(&s->rep, &kid[4], 1) != 0 || make_pipe(&s->rec, &kid[5], 1) != 0) {
        for (int i = 1; i < SANDBOX_MAX_FDS; i++)
            close_fd(&kid[i]);
        return -1;
    }
    char *objdir = xprintf("%s/obj", r->g->work_dir);
    char *root = xprintf("%s/.root", r->scratch_root);
    mkdir_p(root, 0755); /* the empty folder the private view is built on */
    struct confinement c = {.slot = slot,
                            .cpu_seconds = r->max_budget + r->g->policy.cpu_slack,
                            .cwd = s->folder,
                            .view_root = root};
    memcpy(c.fds, kid, sizeof kid);
    c.ro = list_push(list_push(NULL, NULL), xstrdup(binary));
    c.rw = list_push(list_push(list_push(NULL, NULL), xstrdup(s->folder)), xstrdup(s->xml_dir));
    if (is_dir(objdir)) /* gcov writes the .gcda files beside the objects */
        c.rw = list_push(c.rw, xstrdup(objdir));
    char **argv = server_argv(r, binary, s->xml_dir);
    char **envp = sandbox_env(s->folder);
    s->pid = sandbox_spawn(r->g, r->sb, &c, argv, envp);
    s->pgid = s->pid > 0 ? s->pid : 0;
    for (int i = 1; i < SANDBOX_MAX_FDS; i++)
        close_fd(&kid[i]);
    list_free(argv);
    list_free(envp);
    list_free(c.ro);
    list_free(c.rw);
    free(root);
    free(objdir);
    s->binary = binary;
    s->state = SV_STARTING;
    s->deadline = now_seconds() + HELLO_SECONDS;
    return s->pid > 0 ? 0 : -1;
}

/* Kill the serving process and everything of its slot; close its pipes. */
static void stop_server(struct run *r, int slot)
{
    struct server *s = &r->servers[slot];
    sandbox_sweep(r->sb, slot, s->pgid, 0);
    if (s->pid > 0)
        waitpid(s->pid, NULL, 0);
    s->pgid = 0;
    int *fds[] = {&s->req, &s->rep, &s->rec, &s->out, &s->err, &s->xml_fd};
    for (size_t i = 0; i < sizeof fds / sizeof *fds; i++)
        close_fd(fds[i]);
    free(sb_take(&s->replies));
    free(sb_take(&s->start_err));
    s->pid = 0;
    s->state = SV_NONE;
}

/* End a serving process politely (EOF on its requests), else kill it. */
static void retire_server(struct run *r, int slot)
{
    struct server *s = &r->servers[slot];
    if (s->pid <= 0)
        return;
    close_fd(&s->req);
    for (int i = 0; i < 200 && waitpid(s->pid, NULL, WNOHANG) == 0; i++) {
        struct timespec nap = {0, 10 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    stop_server(r, slot);
}

static int send_line(struct server *s, const char *line)
{
    size_t n = strlen(line);
    return write(s->req, line, n) == (ssize_t)n ? 0 : -1;
}

/* ------------------------------------------------------------ evidence */

/* Keep up to `cap` bytes of what fd holds now, counting all of it in
 * *total (when not NULL); 1 at end of file. */
static int drain_counted(int fd, struct sbuf *b, size_t cap, size_t *total)
{
    char buf[8192];
    for (;;) {
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf) : 0;
        if (n == 0)
            return 1;
        if (n < 0)
            return 0;
        if (total)
            *total += (size_t)n;
        if (b->len < cap)
            sb_addn(b, buf, b->len + (size_t)n > cap ? cap - b->len : (size_t)n);
    }
}

static int drain_into(int fd, struct sbuf *b, size_t cap)
{
    return drain_counted(fd, b, cap, NULL);
}

/* What the serving process's pipes hold now.  A test's output beyond the
 * policy's file size limit ends it, as that limit ended a test writing a
 * file: the grader reads on, so nothing else would. */
static void drain_output(struct run *r, struct server *s)
{
    size_t cap = (size_t)r->g->policy.output_kib << 10;
    if (s->t) {
        drain_counted(s->out, &s->out_text, cap, &s->written);
        drain_counted(s->err, &s->err_text, cap, &s->written);
        drain_into(s->rec, &s->record, RECORD_LIMIT);
        if (s->written > (size_t)r->g->policy.fsize_mb << 20 && !s->t->output_over &&
            s->child > 0) {
            s->t->output_over = 1;
            kill(-s->child, SIGKILL);
        }
    } else { /* between tests: the serving process's own words (Valgrind's) */
        struct sbuf ignored = {0};
        drain_into(s->out, &ignored, 0);
        drain_into(s->err, &s->start_err, 4096);
        drain_into(s->rec, &ignored, 0);
        free(ignored.s);
    }
}

/* Is `pid` a child of `parent`?  (/proc/PID/stat's fourth field.) */
static int is_child_of(pid_t pid, pid_t parent)
{
    char path[64], text[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f)
        fclose(f);
    text[n] = '\0';
    const char *after_name = strrchr(text, ')'); /* the name may hold spaces */
    int ppid = -1;
    return after_name && sscanf(after_name, ") %*c %d", &ppid) == 1 && ppid == parent;
}

/* Take over the child's Valgrind file before its test runs: opened here,
 * it must be a regular file of the slot's uid with one name; then it
 * becomes root's, mode 0600.  -1 (the test cannot be graded) otherwise. */
static int secure_xml(struct run *r, struct server *s, int slot)
{
    if (!r->valgrind)
        return 0;
    char *path = xprintf("%s/vg.%d.xml", s->xml_dir, (int)s->child);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    free(path);
    struct stat st;
    int uid = sandbox_uid(r->sb, slot);
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
        (uid >= 0 && (st.st_uid != (uid_t)uid || fchown(fd, 0, 0) != 0 || fchmod(fd, 0600) != 0))) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    s->xml_fd = fd;
    return 0;
}

/* The whole XML, through the descriptor taken at READY. */
static char *read_xml(int fd)
{
    struct sbuf b = {0};
    char buf[65536];
    off_t at = 0;
    ssize_t n;
    while (b.len < (64u << 20) && (n = pread(fd, buf, sizeof buf, at)) > 0) {
        sb_addn(&b, buf, (size_t)n);
        at += n;
    }
    return sb_take(&b);
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; s && *s; s++)
        n += *s == '\n';
    return n;
}

/* ------------------------------------------------------------ one test */

static struct test *find(struct grade *g, const char *name)
{
    for (size_t i = 0; name && i < g->ntests; i++)
        if (strcmp(g->tests[i].name, name) == 0)
            return &g->tests[i];
    return NULL;
}

static int passed(const struct test *t) { return t->status == ST_PASS || t->status == ST_LEAK; }

static const char *binary_of(const struct run *r, const struct test *t)
{
    return t->visibility != VIS_VISIBLE && r->hidden_binary ? r->hidden_binary : r->binary;
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

static void mark_done(struct run *r, struct test *t)
{
    r->state[t - r->g->tests] = DONE;
    r->done++;
    progress_step(r->g, r->done);
}

/* The grader's own machinery failed around `t` (not the test): run it
 * again, or, when that already happened, report it not graded. */
static void machinery_failed(struct run *r, struct test *t, const char *why)
{
    if (t->retries < MACHINERY_RETRIES) {
        t->retries++;
        r->state[t - r->g->tests] = PENDING;
        return;
    }
    t->status = ST_ERROR;
    t->score = 0;
    free(t->machinery);
    t->machinery = xstrdup(why);
    free(t->reason);
    t->reason = xprintf("not graded: %s", why);
    mark_done(r, t);
}

/* RUN: the serving process forks the test's child. */
static void request_test(struct run *r, int slot, struct test *t)
{
    struct server *s = &r->servers[slot];
    char *name = slug(t->name);
    free(t->scratch);
    t->scratch = xprintf("%s/%s", s->folder, name);
    free(name);
    rm_rf(t->scratch);
    mkdir_p(t->scratch, 0755);
    sandbox_give(r->sb, slot, t->scratch, 0755);
    char *line = xprintf("RUN %s - %s\n", t->name, t->scratch); /* "-": the test's own seed */
    int sent = send_line(s, line);
    free(line);
    s->t = t;
    s->child = 0;
    s->child_reaped = 0;
    free(sb_take(&s->record));
    free(sb_take(&s->out_text));
    free(sb_take(&s->err_text));
    s->written = 0;
    s->state = SV_READYING;
    s->deadline = now_seconds() + READY_SECONDS;
    if (sent != 0)
        s->deadline = 0; /* handled as a serving process that stopped answering */
}

/* Move what the test left into it, and judge it. */
static void finish_test(struct run *r, int slot, int status, int have_status)
{
    struct server *s = &r->servers[slot];
    struct test *t = s->t;
    if (s->pid > 0)
        sandbox_sweep(r->sb, slot, s->child, s->pid);
    drain_output(r, s);
    t->seconds = now_seconds() - s->started;
    t->ran = 1;
    t->exited = have_status && WIFEXITED(status);
    t->exit_code = have_status && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    t->signal = have_status && WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    t->record = sb_take(&s->record);
    t->record_lines = count_lines(t->record);
    t->out_head = sb_take(&s->out_text);
    t->err_head = sb_take(&s->err_text);
    t->xml_missing = r->valgrind && s->xml_fd < 0;
    t->xml = s->xml_fd >= 0 ? read_xml(s->xml_fd) : NULL;
    close_fd(&s->xml_fd);
    s->t = NULL;
    s->child = 0;
    if (s->state != SV_NONE)
        s->state = SV_IDLE;
    if (r->judged)
        judge_test(r->g, t);
    if (r->judged && t->status == ST_ERROR && t->retries < MACHINERY_RETRIES) {
        t->retries++; /* the evidence failed, not the test: once more */
        free(t->reason);
        t->reason = NULL;
        t->timed_out = t->server_died = 0;
        t->mem_errors = t->leaks = 0;
        t->leaked_bytes = 0;
        r->state[t - r->g->tests] = PENDING;
        return;
    }
    mark_done(r, t);
}

/* The serving process is gone or must go: judge or requeue its test. */
static void server_lost(struct run *r, int slot, const char *why)
{
    struct server *s = &r->servers[slot];
    enum server_state was = s->state;
    struct test *t = s->t;
    drain_output(r, s);
    if (t && (was == SV_RUNNING || was == SV_KILLED)) { /* the test ran: what it left decides */
        sandbox_sweep(r->sb, slot, s->pgid, 0);
        int st;
        /* orphaned, the test's process is the grader's (a subreaper) */
        if (s->child > 0 && !s->child_reaped && waitpid(s->child, &st, 0) == s->child) {
            s->child_status = st;
            s->child_reaped = 1;
        }
        t->server_died = 1;
        s->state = SV_NONE;
        finish_test(r, slot, s->child_status, s->child_reaped);
        stop_server(r, slot);
        return;
    }
    char *cause =
        was == SV_STARTING
            ? xprintf("the test binary's serving process did not start (%s)%s%.300s", why,
                      s->start_err.len ? ": " : "", s->start_err.len ? s->start_err.s : "")
            : xprintf("the serving process did not start the test (%s)", why);
    stop_server(r, slot);
    if (was == SV_STARTING)
        r->start_failures++;
    if (t && (was == SV_STARTING || was == SV_READYING))
        machinery_failed(r, t, cause);
    free(cause);
    s->t = NULL;
}

/* ------------------------------------------------------------ replies */

static void on_reply(struct run *r, int slot, const char *line)
{
    struct server *s = &r->servers[slot];
    int pid = 0, status = 0;
    char name[512];
    if (s->state == SV_STARTING && sscanf(line, "HELLO %d", &pid) == 1 && pid == s->pid) {
        r->start_failures = 0;
        s->state = SV_IDLE;
        if (s->t) { /* the test this process was started for */
            struct test *t = s->t;
            s->t = NULL;
            request_test(r, slot, t);
        }
    } else if (s->state == SV_READYING && sscanf(line, "READY %d %511s", &pid, name) == 2 &&
               strcmp(name, s->t->name) == 0 && is_child_of(pid, s->pid)) {
        s->child = pid;
        if (secure_xml(r, s, slot) != 0) {
            server_lost(r, slot, "its Valgrind report could not be secured");
            return;
        }
        send_line(s, "GO\n");
        s->state = SV_RUNNING;
        s->started = now_seconds();
        s->deadline = s->started + s->t->budget;
    } else if (s->state == SV_READYING && strncmp(line, "NOTEST ", 7) == 0) {
        struct test *t = s->t;
        s->t = NULL;
        s->state = SV_IDLE;
        t->retries = MACHINERY_RETRIES;
        machinery_failed(r, t, "the test binary has no test of that name");
    } else if ((s->state == SV_RUNNING || s->state == SV_KILLED) &&
               sscanf(line, "EXIT %d %d", &pid, &status) == 2 && pid == s->child) {
        finish_test(r, slot, status, 1);
    } else {
        server_lost(r, slot, "it sent a reply out of turn");
    }
}

static void read_replies(struct run *r, int slot)
{
    struct server *s = &r->servers[slot];
    int eof = drain_into(s->rep, &s->replies, 1 << 16);
    char *nl;
    while (s->state != SV_NONE && s->replies.s && (nl = strchr(s->replies.s, '\n'))) {
        *nl = '\0';
        char *line = xstrdup(s->replies.s);
        size_t rest = s->replies.len - (size_t)(nl + 1 - s->replies.s);
        memmove(s->replies.s, nl + 1, rest + 1);
        s->replies.len = rest;
        on_reply(r, slot, line);
        free(line);
    }
    /* a test's process outlives a serving process it killed: its end,
     * reaped here (reap), decides */
    if (eof && s->state != SV_NONE && s->state != SV_RUNNING && s->state != SV_KILLED)
        server_lost(r, slot, "it closed its replies");
}

/* Reap what ended: a serving process, or (the grader being a subreaper)
 * a test whose serving process died first. */
static void reap(struct run *r)
{
    int st;
    pid_t pid;
    while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
        struct side_job *side = r->g->perf_job;
        if (side && pid == side->pid) { /* stage 7, beside the tests: perf_finish reads it */
            side->status = st;
            side->reaped = 1;
        }
        for (int k = 0; k < r->nservers; k++) {
            struct server *s = &r->servers[k];
            int running = s->state == SV_RUNNING || s->state == SV_KILLED;
            if (pid == s->child) {
                s->child_status = st;
                s->child_reaped = 1;
                if (s->pid == 0) /* its serving process died before it */
                    server_lost(r, k, "it died during the test");
            } else if (pid == s->pid) {
                s->pid = 0; /* already reaped: stop_server must not wait */
                if (!running || s->child_reaped)
                    server_lost(r, k, WIFSIGNALED(st) ? "it was killed" : "it exited");
            }
        }
    }
}

static void check_deadline(struct run *r, int slot)
{
    struct server *s = &r->servers[slot];
    if (s->state == SV_NONE || s->state == SV_IDLE || now_seconds() <= s->deadline)
        return;
    if (s->state == SV_RUNNING) {
        s->t->timed_out = 1;
        if (s->child > 0)
            kill(-s->child, SIGKILL);
        s->state = SV_KILLED;
        s->deadline = now_seconds() + EXIT_GRACE;
        return;
    }
    server_lost(r, slot,
                s->state == SV_KILLED ? "it did not report the killed test"
                                      : "it stopped answering");
}

/* ------------------------------------------------------------ the schedule */

/* A test's expected seconds: the reference's time, else a tenth of its
 * declared timeout (while calibrating, the only hint there is). */
static double expected_seconds(const struct test *t)
{
    return t->ref_seconds > 0 ? t->ref_seconds : t->declared_timeout / 10;
}

/* Each test's priority: its expected time plus that of the longest chain
 * of tests waiting on it (children wait for their parent).  Relaxed once
 * per level of the deepest chain; a parent cycle stops at ntests passes. */
static void compute_priorities(struct run *r)
{
    struct grade *g = r->g;
    long *parent = xcalloc(g->ntests, sizeof *parent);
    for (size_t i = 0; i < g->ntests; i++) {
        struct test *p = find(g, g->tests[i].parent);
        parent[i] = p && p != &g->tests[i] ? p - g->tests : -1;
        r->priority[i] = expected_seconds(&g->tests[i]);
    }
    int changed = 1;
    for (size_t pass = 0; changed && pass < g->ntests; pass++) {
        changed = 0;
        for (size_t i = 0; i < g->ntests; i++) {
            long p = parent[i];
            double through = p >= 0 ? expected_seconds(&g->tests[p]) + r->priority[i] : 0;
            if (p >= 0 && through > r->priority[p] + 1e-9) {
                r->priority[p] = through;
                changed = 1;
            }
        }
    }
    free(parent);
}

/* The next test that may start: its parent is done (or absent).  The
 * longest chains go first, so that a long test does not start last while
 * the other slots have nothing left to do.  When judging, children of a
 * failed parent are marked skipped on the way. */
static struct test *next_ready(struct run *r)
{
    struct grade *g = r->g;
    struct test *best = NULL;
    for (size_t i = 0; i < g->ntests; i++) {
        if (r->state[i] != PENDING)
            continue;
        struct test *t = &g->tests[i];
        struct test *parent = find(g, t->parent);
        if (parent && parent != t && r->state[parent - g->tests] != DONE)
            continue;
        if (r->judged && parent && parent != t && !passed(parent)) {
            char buf[64];
            t->status = ST_SKIPPED;
            t->score = 0;
            t->reason = xprintf("skipped: depends on %s, which did not pass",
                                test_label(g, parent, buf, sizeof buf));
            mark_done(r, t);
            continue;
        }
        if (!best || r->priority[i] > r->priority[best - g->tests])
            best = t;
    }
    return best;
}

static int slot_busy(const struct server *s) { return s->t != NULL; }

static int busy_servers(const struct run *r)
{
    int n = 0;
    for (int k = 0; k < r->nservers; k++)
        n += slot_busy(&r->servers[k]);
    return n;
}

static struct test *any_pending(struct run *r)
{
    for (size_t i = 0; i < r->g->ntests; i++)
        if (r->state[i] == PENDING)
            return &r->g->tests[i];
    return NULL;
}

/* Servers 0..jobs-1 serve the public binary, jobs..2 jobs-1 the hidden one
 * (when there is one): each binary keeps its serving processes between
 * tests, at most `jobs` of them running a test at once, so a grade starts
 * Valgrind at most twice per job slot however its tests alternate. */
static const char *binary_of_server(const struct run *r, int k)
{
    return k < r->jobs ? r->binary : r->hidden_binary;
}

/* A server of `binary` with no test: one already serving, else any. */
static int free_server(const struct run *r, const char *binary)
{
    int found = -1;
    for (int k = 0; k < r->nservers; k++) {
        const struct server *s = &r->servers[k];
        if (binary_of_server(r, k) != binary || slot_busy(s))
            continue;
        if (s->state == SV_IDLE)
            return k;
        if (found < 0)
            found = k;
    }
    return found;
}

/* Start the next test, if one may start: 0 when none could. */
static int dispatch(struct run *r)
{
    int busy = busy_servers(r);
    if (busy >= r->jobs)
        return 0;
    struct test *t = next_ready(r);
    if (!t && !busy)
        t = any_pending(r); /* a parent cycle: run anyway */
    if (!t)
        return 0;
    r->state[t - r->g->tests] = RUNNING;
    if (r->start_failures >= 2 * r->nservers) {
        t->retries = MACHINERY_RETRIES;
        machinery_failed(r, t, "the test binary's serving process does not start on this machine");
        return 1;
    }
    int k = free_server(r, binary_of(r, t));
    struct server *s = &r->servers[k];
    if (s->state == SV_IDLE) {
        request_test(r, k, t);
        return 1;
    }
    retire_server(r, k);
    if (start_server(r, k, binary_of(r, t)) != 0) {
        stop_server(r, k);
        r->start_failures++;
        machinery_failed(r, t, "the grader could not start the test binary's serving process");
        return 1;
    }
    s->t = t; /* sent RUN once HELLO comes */
    return 1;
}

/* Wait (at most 20 ms) until a descriptor of a serving process has
 * something, then read it all. */
static void wait_and_read(struct run *r)
{
    struct pollfd pfd[SANDBOX_MAX_SLOTS * 4];
    nfds_t n = 0;
    for (int k = 0; k < r->nservers; k++) {
        struct server *s = &r->servers[k];
        if (s->state == SV_NONE)
            continue;
        int fds[] = {s->rep, s->rec, s->out, s->err};
        for (size_t i = 0; i < 4; i++)
            if (fds[i] >= 0)
                pfd[n++] = (struct pollfd){.fd = fds[i], .events = POLLIN};
    }
    poll(pfd, n, 20);
    for (int k = 0; k < r->nservers; k++) {
        if (r->servers[k].state == SV_NONE)
            continue;
        drain_output(r, &r->servers[k]);
        read_replies(r, k);
    }
}

static double largest_budget(const struct grade *g)
{
    double m = 1;
    for (size_t i = 0; i < g->ntests; i++)
        if (g->tests[i].budget > m)
            m = g->tests[i].budget;
    return m;
}

int run_tests(struct grade *g, const char *binary, const char *scratch_root, int judged)
{
    static struct sandbox sb;
    struct run r = {.g = g, .binary = binary, .scratch_root = scratch_root, .judged = judged};
    r.hidden_binary = judged ? g->hidden_binary : NULL;
    char *valgrind = g->use_valgrind ? find_valgrind() : NULL;
    if (g->use_valgrind && !valgrind) {
        fprintf(stderr, "memlab-grade: valgrind is not installed (make deps)\n");
        return -1;
    }
    r.valgrind = valgrind;
    mkdir_p(scratch_root, 0755);
    if (!sb.probed)
        sandbox_probe(g, &sb, scratch_root, binary);
    r.sb = &sb;
    signal(SIGPIPE, SIG_IGN);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    char *objdir = xprintf("%s/obj", g->work_dir);
    chmod(objdir, 0777); /* gcov writes the .gcda files beside the objects, as the test's uid */
    r.jobs = g->jobs < 1 ? 1 : g->jobs > SANDBOX_MAX_SLOTS ? SANDBOX_MAX_SLOTS : g->jobs;
    if ((size_t)r.jobs > g->ntests)
        r.jobs = g->ntests ? (int)g->ntests : 1;
    if (r.hidden_binary && 2 * r.jobs > SANDBOX_MAX_SLOTS)
        r.jobs = SANDBOX_MAX_SLOTS / 2;
    r.nservers = r.hidden_binary ? 2 * r.jobs : r.jobs;
    r.max_budget = largest_budget(g);
    r.state = xcalloc(g->ntests, sizeof *r.state);
    r.priority = xcalloc(g->ntests, sizeof *r.priority);
    compute_priorities(&r);
    for (int k = 0; k < r.nservers; k++) {
        struct server *s = &r.servers[k];
        s->req = s->rep = s->rec = s->out = s->err = s->xml_fd = -1;
    }
    char *what = judged ? xstrdup(g->lab) : xprintf("calibrating %s", g->lab);
    progress_begin(g, what, g->ntests);
    free(what);
    while (r.done < g->ntests) {
        while (r.done < g->ntests && dispatch(&r))
            ;
        wait_and_read(&r);
        reap(&r);
        for (int k = 0; k < r.nservers; k++)
            check_deadline(&r, k);
    }
    progress_end(g);
    for (int k = 0; k < r.nservers; k++) {
        retire_server(&r, k);
        free(r.servers[k].folder);
        free(r.servers[k].xml_dir);
    }
    prctl(PR_SET_CHILD_SUBREAPER, 0);
    sandbox_reclaim(scratch_root);
    sandbox_reclaim(objdir);
    chmod(objdir, 0755);
    free(objdir);
    free(r.state);
    free(r.priority);
    free(valgrind);
    return 0;
}
