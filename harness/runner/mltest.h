/*
 * mltest.h -- how a graded test is written.  Every test file of every lab
 * includes this header and declares each test once, with everything the
 * grader needs to know about it, beside its body:
 *
 *     ML_TEST(decref_to_zero_runs_dealloc_once,
 *             .points = 2,
 *             .description = "the last decref runs the type's dealloc once",
 *             .hint = "handout 2.1, Reference counts")
 *     {
 *         ck_assert_int_eq(...);       // Check's assertions
 *     }
 *
 * Fields (all but the name are optional):
 *   .points       weight in the lab's score (default 1)
 *   .visibility   ML_VISIBLE (default), ML_HIDDEN (never shown to students),
 *                 ML_AFTER_PUBLISHED (shown once grades are published)
 *   .description  one line: the behaviour the test checks
 *   .hint         the handout section that teaches it
 *   .parent       name of a test this one depends on: when the parent fails,
 *                 this one is reported "skipped: depends on <parent>"
 *   .timeout      native seconds the test may take (default 2); the grader
 *                 scales it for Valgrind
 *   .tags         space-separated, e.g. "stress" or "perf"
 *
 * The declarations land in the "ml_tests" linker section, which the runner
 * (runner.c) walks: there is no list of tests to keep in step by hand.
 *
 * Every Check assertion that passes is observed: this header redefines
 * ck_assert_msg, through which all of Check's ck_assert* macros expand, so
 * that a passing one also adds its "file:line" to the test's observation
 * trace (a count and a hash, in the test's result record).  The grader
 * compares that trace with the reference solution's for the same test: a
 * test that passes without having gone through its assertions is caught.
 * Failures are Check's own, message for message.
 */
#ifndef MEMLAB_MLTEST_H
#define MEMLAB_MLTEST_H

#include <check.h>
#include <stdint.h>

/* Records one passed assertion at file:line in the running test's trace
 * (repeats at the same place in a row count once), and moves Check's
 * "(after this point)" mark there, as Check's own ck_assert_msg does.
 * Called by ck_assert_msg only. */
void ml_observe(const char *file, int line);

/* Check 0.15.2's ck_assert_msg, with ml_observe in place of _mark_point:
 * `expr` is evaluated once and a failure reads exactly as Check's. */
#undef ck_assert_msg
#define ck_assert_msg(expr, ...)                                                                   \
    ((expr)                                                                                        \
         ? ml_observe(__FILE__, __LINE__)                                                          \
         : _ck_assert_failed(__FILE__, __LINE__, "Assertion '" #expr "' failed", ##__VA_ARGS__))

enum ml_visibility { ML_VISIBLE = 0, ML_HIDDEN = 1, ML_AFTER_PUBLISHED = 2 };

struct ml_test_info {
    const char *name;
    const TTest *check_test;
    const char *file;
    int line;
    double points;
    enum ml_visibility visibility;
    const char *description;
    const char *hint;
    const char *parent;
    double timeout;
    const char *tags;
};

#define ML_TEST(tname, ...)                                                                        \
    static void tname##_fn(int _i CK_ATTRIBUTE_UNUSED);                                            \
    static const TTest tname##_ttest = {#tname, tname##_fn, __FILE__, __LINE__};                   \
    static const struct ml_test_info tname##_info __attribute__((                                  \
        used, section("ml_tests"), aligned(sizeof(void *)))) = {.name = #tname,                    \
                                                                .check_test = &tname##_ttest,      \
                                                                .file = __FILE__,                  \
                                                                .line = __LINE__,                  \
                                                                __VA_ARGS__};                      \
    static void tname##_fn(int _i CK_ATTRIBUTE_UNUSED)

/* The seed of this run (--seed N, else MEMLAB_SEED, else a fixed value derived
 * from the test's name).  Randomized tests draw from it and the grader
 * prints it in the repro line. */
uint64_t ml_test_seed(void);

/* Name of the running test. */
const char *ml_test_name(void);

/* A small deterministic PRNG (splitmix64) for tests. */
uint64_t ml_rand_next(uint64_t *state);
/* Uniform in [0, bound). */
uint64_t ml_rand_below(uint64_t *state, uint64_t bound);

/* Runs fn(arg) and reports whether it aborted (ml_fatal*, abort()): 1 if it
 * did, with what it printed on stderr in `text` (NUL-terminated); the test
 * goes on either way. */
int ml_runs_into_abort(void (*fn)(void *), void *arg, char *text, size_t size);

/* Attaches a picture to the running test's result record, for the report
 * (report.html) only: the grader never reads it for the verdict.  `name`
 * is 1..64 characters of [A-Za-z0-9_.-] ending in ".dot" (Graphviz text,
 * which the grader renders) or ".svg"; `text` is UTF-8.  At most
 * ML_ATTACH_MAX attachments and ML_ATTACH_BYTES bytes of text per test.
 * Returns 0, or -1 (nothing attached) when a limit or rule is broken.
 * Attach before the assertion that fails: a failing assertion ends the test. */
#define ML_ATTACH_MAX   8
#define ML_ATTACH_BYTES (256 * 1024)
int ml_attach(const char *name, const char *text);
/* The same, and frees `text` (malloc'd; NULL attaches nothing, -1). */
int ml_attach_take(const char *name, char *text);

/* Per-lab fixture: a test directory may define these (strong symbols); the
 * runner calls them around every test, inside the test's process. */
void ml_lab_setup(void);
void ml_lab_teardown(void);

#endif /* MEMLAB_MLTEST_H */
