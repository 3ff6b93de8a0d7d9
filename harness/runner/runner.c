/*
 * runner.c -- the main() of every lab's test binary.
 *
 * Three ways to run a test binary:
 *
 *   t_refcount                    every test, each in a forked child (Check's
 *                                 fork mode), with Check's own report: for
 *                                 students and kit developers at the shell.
 *   t_refcount --list             the declared tests as JSON, for the grader.
 *   t_refcount --run NAME [--seed N] [--result FILE]
 *                                 one test, in this process (no fork, so
 *                                 Valgrind's leak check and gcov see exactly
 *                                 that test); what the grader and the repro
 *                                 line use.
 *
 * The verdict of a --run is the JSON record written to --result, carrying the
 * token the grader passed in MEMLAB_TOKEN (read, then removed from the
 * environment before any test code runs).  A test that never gets back here
 * (exit() in student code, a crash, a timeout) writes no record, so it cannot
 * pass, whatever it prints.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <getopt.h>
#include <jansson.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mltest.h"

extern const struct ml_test_info __start_ml_tests[];
extern const struct ml_test_info __stop_ml_tests[];

/* gcov's dump, present only in binaries built with --coverage. */
extern void __gcov_dump(void) __attribute__((weak));

static uint64_t current_seed;
static int seed_given; /* --seed or MEMLAB_SEED: else each test seeds from its name */
static const char *current_name = "";

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

static uint64_t seed_from_name(const char *name)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h % 1000000007ULL;
}

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

/* ------------------------------------------------------------ fixtures */

static uint64_t seed_from_name(const char *name);

static void fixture_setup(void)
{
    current_name = tcase_name() ? tcase_name() : current_name;
    if (!seed_given)
        current_seed = seed_from_name(current_name);
    ml_lab_setup();
}

static void fixture_teardown(void) { ml_lab_teardown(); }

/* ------------------------------------------------------------ --list */

static int list_tests(void)
{
    json_t *arr = json_array();
    for (const struct ml_test_info *t = __start_ml_tests; t < __stop_ml_tests; t++) {
        json_t *o = json_pack("{s:s, s:s, s:i, s:f, s:s, s:s, s:s, s:f, s:s}", "name", t->name,
                              "file", t->file, "line", t->line, "points", points_of(t),
                              "visibility", visibility_name(t->visibility), "description",
                              t->description ? t->description : "", "hint",
                              t->hint ? t->hint : "", "timeout", timeout_of(t), "tags",
                              t->tags ? t->tags : "");
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

/* ------------------------------------------------------------ --run */

static const char *status_name(int rtype)
{
    switch (rtype) {
    case CK_PASS: return "pass";
    case CK_FAILURE: return "fail";
    default: return "error";
    }
}

static int write_result(const char *path, const char *token, const struct ml_test_info *t,
                        TestResult *tr)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:i, s:I}", "token", token ? token : "",
                          "test", t->name, "status", status_name(tr_rtype(tr)), "file",
                          tr_lfile(tr) ? tr_lfile(tr) : "", "line", tr_lno(tr), "seed",
                          (json_int_t)current_seed);
    json_object_set_new(o, "message", json_string_nocheck(tr_msg(tr) ? tr_msg(tr) : ""));
    int rc = json_dump_file(o, path, JSON_COMPACT);
    json_decref(o);
    return rc;
}

static int run_one(const char *name, const char *result_path, const char *token)
{
    const struct ml_test_info *t = find_test(name);
    if (!t) {
        fprintf(stderr, "no test named '%s' (try --list)\n", name);
        return 2;
    }
    current_name = t->name;
    Suite *s = suite_create("memlab");
    TCase *tc = tcase_create(t->name);
    tcase_add_checked_fixture(tc, fixture_setup, fixture_teardown);
    _tcase_add_test(tc, t->check_test, 0, 0, 0, 1);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    install_coverage_signal_handlers();
    srunner_run_all(sr, CK_SILENT);

    TestResult **results = srunner_results(sr);
    int passed = srunner_ntests_failed(sr) == 0 && srunner_ntests_run(sr) == 1;
    if (srunner_ntests_run(sr) >= 1) {
        TestResult *tr = results[0];
        if (!passed)
            fprintf(stderr, "%s:%d: %s\n", tr_lfile(tr) ? tr_lfile(tr) : "?", tr_lno(tr),
                    tr_msg(tr) ? tr_msg(tr) : "");
        if (result_path && write_result(result_path, token, t, tr) != 0)
            fprintf(stderr, "cannot write the result to %s\n", result_path);
    }
    free(results);
    srunner_free(sr);
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

/* The grader's token, taken out of the environment before any test code
 * runs.  unsetenv only drops the pointer: the string itself stays where the
 * kernel put it, on the stack, so its value is wiped too. */
static char *take_token(void)
{
    char *value = getenv("MEMLAB_TOKEN");
    if (value == NULL)
        return NULL;
    char *token = strdup(value);
    unsetenv("MEMLAB_TOKEN");
    memset(value, 0, strlen(value));
    return token;
}

static void usage(FILE *out, const char *prog)
{
    fprintf(out,
            "usage: %s                 run every test (forked, Check's report)\n"
            "       %s --list          the tests, as JSON\n"
            "       %s --run NAME [--seed N] [--result FILE]\n",
            prog, prog, prog);
}

int main(int argc, char **argv)
{
    /* Keep the test's own prints even when it fails (Check leaves through _exit). */
    setvbuf(stdout, NULL, _IONBF, 0);

    char *token = take_token();

    static const struct option options[] = {
        {"list", no_argument, NULL, 'l'},  {"run", required_argument, NULL, 'r'},
        {"seed", required_argument, NULL, 's'}, {"result", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},  {NULL, 0, NULL, 0},
    };
    const char *run_name = NULL, *result_path = NULL, *seed_text = getenv("MEMLAB_SEED");
    int list = 0, opt;
    while ((opt = getopt_long(argc, argv, "lr:s:o:h", options, NULL)) != -1) {
        switch (opt) {
        case 'l': list = 1; break;
        case 'r': run_name = optarg; break;
        case 's': seed_text = optarg; break;
        case 'o': result_path = optarg; break; /* copied below, before any test runs */
        case 'h': usage(stdout, argv[0]); free(token); return 0;
        default: usage(stderr, argv[0]); free(token); return 2;
        }
    }
    if (test_count() == 0) {
        fprintf(stderr, "%s: no tests were linked in\n", argv[0]);
        free(token);
        return 2;
    }
    /* argv's strings are the process's own memory: keep private copies, so
     * that test code rewriting them cannot send the record elsewhere. */
    char *result_copy = result_path ? strdup(result_path) : NULL;
    char *name_copy = run_name ? strdup(run_name) : NULL;
    result_path = result_copy;
    run_name = name_copy;
    seed_given = seed_text != NULL;
    current_seed = seed_given ? strtoull(seed_text, NULL, 10) : 0;
    int rc;
    if (list)
        rc = list_tests();
    else if (run_name)
        rc = run_one(run_name, result_path, token);
    else
        rc = run_all_forked();
    free(token);
    free(result_copy);
    free(name_copy);
    return rc;
}
