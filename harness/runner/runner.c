/*
 * runner.c -- the main() of every lab's test binary.
 *
 * Four ways to run a test binary:
 *
 *   t_refcount                    every test, each in a forked child (Check's
 *                                 fork mode), with Check's own report: for
 *                                 students and kit developers at the shell.
 *   t_refcount --list             the declared tests as JSON, for the grader.
 *   t_refcount --run NAME [--seed N] [--result FILE]
 *                                 one test, in this process (no fork): what
 *                                 the repro line and gdb use.
 *   t_refcount --serve            the grader's way: one process per job slot,
 *                                 under Valgrind, forking one child per test
 *                                 the grader asks for (protocol below).
 *
 * The verdict of a test is its result record, one JSON line: Check's outcome
 * and the test's observation trace (mltest.h), which the grader compares
 * with the trace of the reference solution.  A test that never gets back
 * here (exit() in student code, a crash, a timeout) writes no record, so it
 * cannot pass, whatever it prints.  A table in which two tests have the same
 * name is refused in every mode, so that a test declared in a student's file
 * can never run in place of a public one.
 *
 * The --serve protocol.  Descriptors: 0 is /dev/null, 1 and 2 the grader's
 * output pipes, 3 the requests (grader -> server), 4 the replies (server ->
 * grader), 5 the records (test child -> grader).  A line ends in "\n", its
 * fields are separated by one space:
 *
 *   server -> 4   HELLO <pid>                  once, at start
 *   3 -> server   RUN <name> <seed>|- <dir>    "-": the seed from the name
 *   server -> 4   NOTEST <name>                no such test; next request
 *   child  -> 4   READY <pid> <name>           forked, in its own group
 *   3 -> child    GO                           the grader secured vg.<pid>.xml
 *   child  -> 5   <result record>              ran in <dir> (absolute)
 *   server -> 4   EXIT <pid> <wait status>     the child is gone; next request
 *
 * The child exits 0 if the test passed and 1 otherwise, with exit() so that
 * Valgrind's leak check and gcov's dump happen; 3 if GO did not come, 4 if
 * it could not enter <dir>.  EOF on fd 3 ends the server with status 0, any
 * other request with "ERROR bad request" and status 2.  The server runs no
 * test or lab code itself, so every test starts from the state the binary
 * loaded in; it reads fd 3 a byte at a time and never while a child is
 * alive, so no byte meant for a child is ever in its buffer.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "mlhash.h"
#include "mltest.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern const struct ml_test_info __start_ml_tests[];
extern const struct ml_test_info __stop_ml_tests[];

/* gcov's dump, present only in binaries built with --coverage. */
extern void __gcov_dump(void) __attribute__((weak));

static const char *program = "runner"; /* argv[0]'s last component, for messages */
static uint64_t current_seed;
static int seed_given; /* --seed, MEMLAB_SEED or RUN's seed: else each test seeds from its name */
static const char *current_name = "";
/* Check's fork mode runs many tests in one srunner: the fixture asks Check
 * which one runs.  run_in_process names its one test itself (Check would
 * still name the warm-up's last test there, from before the fixture). */
static int name_from_check = 1;

/* ------------------------------------------------------------ helpers */

uint64_t ml_test_seed(void) { return current_seed; }

const char *ml_test_name(void) { return current_name; }

uint64_t ml_rand_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t ml_rand_below(uint64_t *state, uint64_t bound)
{
    return bound ? ml_rand_next(state) % bound : 0;
}

/* Weak defaults: a lab without a fixture file gets empty ones. */
__attribute__((weak)) void ml_lab_setup(void) {}
__attribute__((weak)) void ml_lab_teardown(void) {}

static size_t test_count(void) { return (size_t)(__stop_ml_tests - __start_ml_tests); }

static const struct ml_test_info *find_test(const char *name)
{
    for (const struct ml_test_info *t = __start_ml_tests; t < __stop_ml_tests; t++)
        if (strcmp(t->name, name) == 0)
            return t;
    return NULL;
}

static double points_of(const struct ml_test_info *t) { return t->points > 0 ? t->points : 1; }
static double timeout_of(const struct ml_test_info *t) { return t->timeout > 0 ? t->timeout : 2; }

static const char *visibility_name(enum ml_visibility v)
{
    switch (v) {
    case ML_HIDDEN: return "hidden";
    case ML_AFTER_PUBLISHED: return "after_published";
    default: return "visible";
    }
}

/* Coverage of a test that dies by a signal or leaves through _exit (a failed
 * assertion) would be lost: dump it first.  Linked with -Wl,--wrap=_exit. */
extern void __real__exit(int status) __attribute__((noreturn));
void __wrap__exit(int status)
{
    if (__gcov_dump)
        __gcov_dump();
    __real__exit(status);
}

static void dump_coverage_and_reraise(int sig)
{
    if (__gcov_dump)
        __gcov_dump();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_coverage_signal_handlers(void)
{
    const int fatal[] = {SIGSEGV, SIGABRT, SIGFPE, SIGBUS, SIGILL};
    for (size_t i = 0; i < sizeof fatal / sizeof *fatal; i++)
        signal(fatal[i], dump_coverage_and_reraise);
}

/* ------------------------------------------------------------ catching aborts */

static sigjmp_buf abort_jump;

static void on_abort(int sig)
{
    (void)sig;
    siglongjmp(abort_jump, 1);
}

int ml_runs_into_abort(void (*fn)(void *), void *arg, char *text, size_t size)
{
    struct sigaction catch_abort = {.sa_handler = on_abort}, saved;
    sigemptyset(&catch_abort.sa_mask);
    FILE *capture = tmpfile();
    if (capture == NULL)
        return 0;
    fflush(stderr);
    int saved_stderr = dup(STDERR_FILENO);
    dup2(fileno(capture), STDERR_FILENO);
    sigaction(SIGABRT, &catch_abort, &saved);

    volatile int aborted = 0;
    if (sigsetjmp(abort_jump, 1) == 0)
        fn(arg);
    else
        aborted = 1;

    sigaction(SIGABRT, &saved, NULL);
    fflush(stderr);
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    rewind(capture);
    size_t n = size > 0 ? fread(text, 1, size - 1, capture) : 0;
    if (size > 0)
        text[n] = '\0';
    fclose(capture);
    return aborted;
}

/* ------------------------------------------------------------ observation trace */

/* The running test's trace: how many assertions passed (repeats in a row
 * folded, see ml_observe), and the FNV-1a hash of their "file:line\n" in
 * the order they passed. */
#define TRACE_START ML_FNV_BASIS
static uint64_t trace_hash = TRACE_START;
static long trace_asserts;

static const char *last_file; /* the last assertion recorded, to fold repeats */
static int last_line;

/* An assertion that passes again at the place of the one before it (a loop
 * over blocks, items, arenas) is folded into that one: how often a loop runs
 * may differ between correct solutions (a pool count that depends on where
 * the system put an arena), the path through the test may not. */
void ml_observe(const char *file, int line)
{
    /* a repeat leaves Check's mark where it is: no message for it (one
     * write to Check's message file each, which under Valgrind made a loop
     * over a block's bytes cost seconds) */
    if (line == last_line && last_file && strcmp(file, last_file) == 0)
        return;
    _mark_point(file, line);
    last_file = file;
    last_line = line;
    char where[24];
    snprintf(where, sizeof where, ":%d\n", line);
    trace_hash = ml_fnv1a_str(ml_fnv1a_str(trace_hash, file), where);
    trace_asserts++;
}

static void trace_reset(void)
{
    trace_hash = TRACE_START;
    trace_asserts = 0;
    last_file = NULL;
    last_line = 0;
}

/* ------------------------------------------------------------ attachments */

static json_t *attachments; /* [{"name", "text"}] of the running test */
static size_t attached_bytes;

static int attach_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n < 5 || n > 64 || name[0] == '.')
        return 0;
    if (strcmp(name + n - 4, ".dot") != 0 && strcmp(name + n - 4, ".svg") != 0)
        return 0;
    return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

int ml_attach(const char *name, const char *text)
{
    if (!attach_name_ok(name) || text == NULL)
        return -1;
    size_t n = strlen(text);
    if (attached_bytes + n > ML_ATTACH_BYTES || json_array_size(attachments) >= ML_ATTACH_MAX)
        return -1;
    json_t *value = json_string(text); /* NULL when not UTF-8 */
    if (value == NULL)
        return -1;
    if (attachments == NULL)
        attachments = json_array();
    json_array_append_new(attachments, json_pack("{s:s, s:o}", "name", name, "text", value));
    attached_bytes += n;
    return 0;
}

int ml_attach_take(const char *name, char *text)
{
    int rc = ml_attach(name, text);
    free(text);
    return rc;
}

/* ------------------------------------------------------------ fixtures */

/* The first thing of every test, in the test's process: the trace starts
 * empty, before the lab's fixture (which asserts too) runs. */
static void fixture_setup(void)
{
    trace_reset();
    if (name_from_check && tcase_name())
        current_name = tcase_name();
    if (!seed_given)
        current_seed = ml_seed_from_name(current_name);
    ml_lab_setup();
}

static void fixture_teardown(void) { ml_lab_teardown(); }

/* ------------------------------------------------------------ the table */

/* 0 if every test has a name of its own; else says which two share one, on
 * stderr, and returns 2. */
static int refuse_duplicate_names(void)
{
    for (const struct ml_test_info *a = __start_ml_tests; a < __stop_ml_tests; a++)
        for (const struct ml_test_info *b = a + 1; b < __stop_ml_tests; b++)
            if (strcmp(a->name, b->name) == 0) {
                fprintf(stderr, "%s: two tests are named %s (%s:%d and %s:%d)\n", program, a->name,
                        a->file, a->line, b->file, b->line);
                return 2;
            }
    return 0;
}

/* ------------------------------------------------------------ --list */

static int list_tests(void)
{
    json_t *arr = json_array();
    for (const struct ml_test_info *t = __start_ml_tests; t < __stop_ml_tests; t++) {
        json_t *o = json_pack("{s:s, s:s, s:i, s:f, s:s, s:s, s:s, s:f, s:s}", "name", t->name,
                              "file", t->file, "line", t->line, "points", points_of(t),
                              "visibility", visibility_name(t->visibility), "description",
                              t->description ? t->description : "", "hint", t->hint ? t->hint : "",
                              "timeout", timeout_of(t), "tags", t->tags ? t->tags : "");
        if (t->parent)
            json_object_set_new(o, "parent", json_string(t->parent));
        json_array_append_new(arr, o);
    }
    char *text = json_dumps(arr, JSON_INDENT(1));
    puts(text);
    free(text);
    json_decref(arr);
    return 0;
}

/* ------------------------------------------------------------ one test, in this process */

static const char *status_name(int rtype)
{
    switch (rtype) {
    case CK_PASS: return "pass";
    case CK_FAILURE: return "fail";
    default: return "error";
    }
}

/* The result record of test t, as one line ending in "\n" (malloc'd):
 * Check's outcome and the trace of what the test observed. */
static char *record_line(const struct ml_test_info *t, TestResult *tr)
{
    char trace[17];
    snprintf(trace, sizeof trace, "%016" PRIx64, trace_hash);
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:i}", "test", t->name, "status", status_name(tr_rtype(tr)),
                  "file", tr_lfile(tr) ? tr_lfile(tr) : "", "line", tr_lno(tr));
    json_object_set_new(o, "message", json_string_nocheck(tr_msg(tr) ? tr_msg(tr) : ""));
    json_object_set_new(o, "seed", json_integer((json_int_t)current_seed));
    json_object_set_new(o, "asserts", json_integer(trace_asserts));
    json_object_set_new(o, "trace", json_string(trace));
    if (attachments) { /* the record takes them: the next test starts with none */
        json_object_set_new(o, "attachments", attachments);
        attachments = NULL;
        attached_bytes = 0;
    }
    char *text = json_dumps(o, JSON_COMPACT);
    if (text == NULL) { /* a message that is not UTF-8 cannot be dumped */
        json_object_set_new(o, "message", json_string("(message not in UTF-8)"));
        text = json_dumps(o, JSON_COMPACT);
    }
    json_decref(o);
    size_t n = strlen(text);
    char *line = realloc(text, n + 2);
    if (line == NULL) {
        free(text);
        return NULL;
    }
    memcpy(line + n, "\n", 2);
    return line;
}

/* Runs the tests of `tc` here, in this process (CK_NOFORK), silently; the
 * caller reads the results and frees the runner. */
static SRunner *run_here(TCase *tc)
{
    Suite *s = suite_create("memlab");
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_SILENT);
    return sr;
}

/* Runs test t here, with no fork (Check's CK_NOFORK), so that Valgrind's
 * leak check and gcov see exactly that test.  Sets *passed and returns the
 * test's record line (malloc'd), or NULL when Check did not run it. */
static char *run_in_process(const struct ml_test_info *t, int *passed)
{
    current_name = t->name;
    name_from_check = 0;
    TCase *tc = tcase_create(t->name);
    tcase_add_checked_fixture(tc, fixture_setup, fixture_teardown);
    _tcase_add_test(tc, t->check_test, 0, 0, 0, 1);
    install_coverage_signal_handlers();
    SRunner *sr = run_here(tc);

    TestResult **results = srunner_results(sr);
    char *record = NULL;
    *passed = srunner_ntests_failed(sr) == 0 && srunner_ntests_run(sr) == 1;
    if (srunner_ntests_run(sr) >= 1) {
        TestResult *tr = results[0];
        if (!*passed)
            fprintf(stderr, "%s:%d: %s\n", tr_lfile(tr) ? tr_lfile(tr) : "?", tr_lno(tr),
                    tr_msg(tr) ? tr_msg(tr) : "");
        record = record_line(t, tr);
    }
    free(results);
    srunner_free(sr);
    return record;
}

/* Two tests of the runner's own, for warm_up: one passes, one fails. */
static void warm_up_pass_fn(int _i CK_ATTRIBUTE_UNUSED) {}
static void warm_up_fail_fn(int _i CK_ATTRIBUTE_UNUSED) { ck_abort_msg("warm-up: %d", 0); }
static const TTest warm_up_tests[] = {{"warm_up_pass", warm_up_pass_fn, __FILE__, __LINE__},
                                      {"warm_up_fail", warm_up_fail_fn, __FILE__, __LINE__}};

/* --serve runs the runner's and Check's way through one test once, in the
 * server, before the first request: under Valgrind each test child then
 * inherits the translations of that code from the server instead of making
 * its own (about a tenth of a second per test).  No lab or test code runs
 * (no fixture, an empty test), and what it leaves is reset: every child
 * still starts from the state of a server that ran no test. */
static void warm_up(void)
{
    TCase *tc = tcase_create("warm_up");
    for (size_t i = 0; i < sizeof warm_up_tests / sizeof *warm_up_tests; i++)
        _tcase_add_test(tc, &warm_up_tests[i], 0, 0, 0, 1);
    SRunner *sr = run_here(tc);
    TestResult **results = srunner_results(sr);
    const struct ml_test_info info = {.name = "warm_up"};
    for (int i = 0; i < srunner_ntests_run(sr); i++)
        free(record_line(&info, results[i]));
    free(results);
    srunner_free(sr);
    trace_reset();
}

/* --run: exit status 0 if the test passed, 1 if not, 2 if there is no such
 * test; the record goes to result_path, when there is one. */
static int run_one(const char *name, const char *result_path)
{
    const struct ml_test_info *t = find_test(name);
    if (!t) {
        fprintf(stderr, "no test named '%s' (try --list)\n", name);
        return 2;
    }
    int passed;
    char *record = run_in_process(t, &passed);
    if (record && result_path) {
        FILE *out = fopen(result_path, "w");
        if (out == NULL || fputs(record, out) == EOF || fclose(out) != 0)
            fprintf(stderr, "cannot write the result to %s\n", result_path);
    }
    free(record);
    return passed ? 0 : 1;
}

/* ------------------------------------------------------------ all, forked */

static int run_all_forked(void)
{
    Suite *s = suite_create("memlab");
    for (const struct ml_test_info *t = __start_ml_tests; t < __stop_ml_tests; t++) {
        TCase *tc = tcase_create(t->name);
        tcase_add_checked_fixture(tc, fixture_setup, fixture_teardown);
        tcase_set_timeout(tc, timeout_of(t));
        _tcase_add_test(tc, t->check_test, 0, 0, 0, 1);
        suite_add_tcase(s, tc);
    }
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

/* ------------------------------------------------------------ --serve */

enum { REQUESTS_FD = 3, REPLIES_FD = 4, RECORDS_FD = 5 };
enum { REQUEST_MAX = 4096 }; /* bytes of a request line, "\n" included */

/* A request: RUN's fields, pointing into the line they were read from. */
struct request {
    const char *name;
    int seed_given;
    uint64_t seed;
    const char *dir;
};

/* Writes all of text[0..n) on fd: 0, or -1 on an error. */
static int write_all(int fd, const char *text, size_t n)
{
    while (n > 0) {
        ssize_t done = write(fd, text, n);
        if (done < 0 && errno == EINTR)
            continue;
        if (done <= 0)
            return -1;
        text += done;
        n -= (size_t)done;
    }
    return 0;
}

/* One formatted line on the replies descriptor: 0, or -1 if it could not be
 * written (a grader that has gone away has already raised SIGPIPE). */
static int reply(const char *format, ...) __attribute__((format(printf, 1, 2)));
static int reply(const char *format, ...)
{
    char line[REQUEST_MAX + 64]; /* a reply repeats at most a name of a request */
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(line, sizeof line, format, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof line)
        return -1;
    return write_all(REPLIES_FD, line, (size_t)n);
}

/* Reads one line from fd into buf, without its "\n", one byte at a time so
 * that not a byte past the line is taken from the descriptor.  Returns 1 for
 * a line, 0 for EOF before its first byte, -1 for a read error, a line that
 * does not fit or EOF inside a line. */
static int read_line(int fd, char *buf, size_t size)
{
    size_t n = 0;
    while (n < size) {
        ssize_t got = read(fd, buf + n, 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return got == 0 && n == 0 ? 0 : -1;
        if (buf[n] == '\n') {
            buf[n] = '\0';
            return 1;
        }
        n++;
    }
    return -1;
}

/* RUN's seed: "-" (the test seeds from its name) or a decimal.  0 if it is
 * one of them. */
static int parse_seed(const char *text, struct request *r)
{
    r->seed_given = strcmp(text, "-") != 0;
    if (!r->seed_given)
        return 0;
    if (!isdigit((unsigned char)text[0]))
        return -1;
    char *end;
    errno = 0;
    r->seed = strtoull(text, &end, 10);
    return errno == 0 && *end == '\0' ? 0 : -1;
}

/* Splits "RUN <name> <seed> <dir>" (one space between fields, <dir>
 * absolute) in place into r: 0 if the line is such a request. */
static int parse_request(char *line, struct request *r)
{
    char *field[4];
    int n = 0;
    while (line != NULL && n < 4)
        field[n++] = strsep(&line, " ");
    if (line != NULL || n != 4 || strcmp(field[0], "RUN") != 0 || field[1][0] == '\0' ||
        field[3][0] != '/')
        return -1;
    r->name = field[1];
    r->dir = field[3];
    return parse_seed(field[2], r);
}

/* The forked child: announces itself, waits for GO, then runs test t in
 * r->dir exactly as --run does and writes its record on fd 5. */
static void serve_child(const struct ml_test_info *t, const struct request *r)
    __attribute__((noreturn));
static void serve_child(const struct ml_test_info *t, const struct request *r)
{
    char go[8];
    setpgid(0, 0);
    if (reply("READY %d %s\n", (int)getpid(), t->name) != 0 ||
        read_line(REQUESTS_FD, go, sizeof go) != 1 || strcmp(go, "GO") != 0)
        _exit(3);
    close(REQUESTS_FD);
    close(REPLIES_FD);
    if (chdir(r->dir) != 0)
        _exit(4);
    seed_given = r->seed_given;
    current_seed = r->seed;
    int passed;
    char *record = run_in_process(t, &passed);
    if (record)
        write_all(RECORDS_FD, record, strlen(record));
    free(record);
    close(RECORDS_FD);
    exit(passed ? 0 : 1);
}

/* Runs test t in a child and reports how it ended: 0, or -1 if the server
 * cannot go on (no fork, no wait, or the grader is gone). */
static int serve_one(const struct ml_test_info *t, const struct request *r)
{
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "%s --serve: cannot fork: %s\n", program, strerror(errno));
        reply("ERROR cannot fork\n");
        return -1;
    }
    if (pid == 0)
        serve_child(t, r);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            fprintf(stderr, "%s --serve: waitpid: %s\n", program, strerror(errno));
            return -1;
        }
    return reply("EXIT %d %d\n", (int)pid, status);
}

/* 0 if fd is open for reading (want_write 0) or for writing (1); else says
 * so on stderr and returns -1. */
static int check_serve_fd(int fd, int want_write)
{
    int flags = fcntl(fd, F_GETFD) < 0 ? -1 : fcntl(fd, F_GETFL);
    int mode = flags & O_ACCMODE;
    if (flags >= 0 && (mode == O_RDWR || mode == (want_write ? O_WRONLY : O_RDONLY)))
        return 0;
    fprintf(stderr, "%s --serve: descriptor %d is not open for %s (see runner.c)\n", program, fd,
            want_write ? "writing" : "reading");
    return -1;
}

/* --serve: the grader's request loop (protocol at the top of this file).
 * Exit status 0 at EOF on the requests, 2 on a bad request or a broken
 * start. */
static int serve(void)
{
    /* No test child of the same uid may open /proc/<server>/fd or mem. */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    signal(SIGPIPE, SIG_DFL); /* the grader gone: the server goes too */
    signal(SIGCHLD, SIG_DFL); /* an inherited SIG_IGN would lose the wait status */
    if (check_serve_fd(REQUESTS_FD, 0) || check_serve_fd(REPLIES_FD, 1) ||
        check_serve_fd(RECORDS_FD, 1))
        return 2;
    warm_up();
    if (reply("HELLO %d\n", (int)getpid()) != 0)
        return 2;
    static char line[REQUEST_MAX];
    for (;;) {
        int got = read_line(REQUESTS_FD, line, sizeof line);
        if (got == 0)
            return 0;
        struct request r;
        if (got < 0 || parse_request(line, &r) != 0) {
            reply("ERROR bad request\n");
            return 2;
        }
        const struct ml_test_info *t = find_test(r.name);
        if (t == NULL) {
            if (reply("NOTEST %s\n", r.name) != 0)
                return 2;
        } else if (serve_one(t, &r) != 0)
            return 2;
    }
}

/* ------------------------------------------------------------ main */

static void usage(FILE *out)
{
    fprintf(out,
            "usage: %s                 run every test (forked, Check's report)\n"
            "       %s --list          the tests, as JSON\n"
            "       %s --run NAME [--seed N] [--result FILE]\n"
            "       %s --serve         the grader's serving mode (see runner.c)\n",
            program, program, program, program);
}

int main(int argc, char **argv)
{
    /* Keep the test's own prints even when it fails (Check leaves through _exit). */
    setvbuf(stdout, NULL, _IONBF, 0);
    program = argc > 0 ? basename(argv[0]) : program;

    static const struct option options[] = {
        {"list", no_argument, NULL, 'l'},
        {"run", required_argument, NULL, 'r'},
        {"seed", required_argument, NULL, 's'},
        {"result", required_argument, NULL, 'o'},
        {"serve", no_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *run_name = NULL, *result_path = NULL, *seed_text = getenv("MEMLAB_SEED");
    int list = 0, serving = 0, opt;
    while ((opt = getopt_long(argc, argv, "lr:s:o:h", options, NULL)) != -1) {
        switch (opt) {
        case 'l': list = 1; break;
        case 'r': run_name = optarg; break;
        case 's': seed_text = optarg; break;
        case 'o': result_path = optarg; break; /* copied below, before any test runs */
        case 'S': serving = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc || list + serving + (run_name != NULL) > 1) {
        usage(stderr);
        return 2;
    }
    if (test_count() == 0) {
        fprintf(stderr, "%s: no tests were linked in\n", program);
        return 2;
    }
    if (refuse_duplicate_names() != 0)
        return 2;
    if (list)
        return list_tests();
    if (serving)
        return serve();
    /* argv's strings are the process's own memory: keep private copies, so
     * that test code rewriting them cannot send the record elsewhere. */
    char *result_copy = result_path ? strdup(result_path) : NULL;
    char *name_copy = run_name ? strdup(run_name) : NULL;
    seed_given = seed_text != NULL;
    current_seed = seed_given ? strtoull(seed_text, NULL, 10) : 0;
    int rc = name_copy ? run_one(name_copy, result_copy) : run_all_forked();
    free(result_copy);
    free(name_copy);
    return rc;
}
