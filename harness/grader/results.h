/*
 * results.h -- the grader's one in-memory model of a grading run.
 *
 * Every stage reads and fills the same `struct grade`; every output
 * (terminal table, report.txt, results.json, junit.xml, results.tap,
 * results.csv) is written from it by report.c, so they can never disagree.
 *
 *   main.c      parses the command line, runs the stages in order
 *   stage.c     copies the submission's files into work/src     (1)
 *   check.c     forbidden symbols, constructors, raw syscalls     (2)
 *   build.c     compiles with --coverage and links the tests      (3)
 *   run.c       each test alone, under Valgrind, sandboxed        (4)
 *   calibrate.c the reference's run of each test: its time (fair
 *               timeouts) and its observation trace (what a pass must match)
 *   judge.c     one verdict and a score per test (the policy)     (5)
 *   coverage.c  gcovr over the student's files                    (6)
 *   perf.c      the lab's performance program, as one more row    (7)
 *   report.c    every output, atomically                          (8)
 *   policy.c    harness/policy.json: deductions, limits, allowlist
 *   ../common/util.c  files, processes, strings (shared with harness/batch)
 */
#ifndef MEMLAB_GRADER_RESULTS_H
#define MEMLAB_GRADER_RESULTS_H

#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------ verdicts */

/* A test's verdict, worst last.  judge.c picks exactly one per test. */
enum status {
    ST_PASS,    /* it observed what the reference observed, exited 0, Valgrind is clean */
    ST_LEAK,    /* passed, but leaked memory (definitely lost): policy deducts */
    ST_FAIL,    /* an assertion failed */
    ST_MEMORY,  /* a memcheck error (invalid read/write/free, uninitialised use) */
    ST_CRASH,   /* killed by a signal, or left before its end (exit(), abort()) */
    ST_TIMEOUT, /* over its time budget (wall clock or CPU) */
    ST_SKIPPED, /* not run: its parent test did not pass */
    ST_ERROR,   /* not graded: the grader's own machinery failed (the cause is given) */
};

const char *status_word(enum status s); /* "PASS", "FAIL", ... */

enum visibility { VIS_VISIBLE, VIS_HIDDEN, VIS_AFTER_PUBLISHED };

/* One frame of a Valgrind stack, as the XML gives it. */
struct frame {
    char *fn, *dir, *file;
    int line;
};

/* The first memcheck error (or leak) of a test, reduced to what a student
 * needs: what happened and where, in their own file when possible. */
struct memissue {
    char *kind;      /* Valgrind's kind: InvalidRead, Leak_DefinitelyLost, ... */
    char *what;      /* "Invalid read of size 8", "32 bytes in 1 blocks are ..." */
    struct frame at; /* first frame in the student's file, else the first frame with a file */
    int in_student;  /* `at` is in the student's file */
    char *aux;       /* "freed at refcount.c:70 (obj_dealloc)" or NULL */
};

/* A process the grader runs beside the tests.  run.c's reap takes every
 * child of the grader (a subreaper): when it takes this one, it keeps the
 * wait status here for its owner. */
struct side_job {
    int pid; /* 0: none */
    int status, reaped;
    double started;
};

/* ------------------------------------------------------------ one test */

struct test {
    /* declared beside the test (t_<lab> --list) */
    char *name, *file, *description, *hint, *parent, *tags;
    int line;
    double points, declared_timeout;
    enum visibility visibility;

    /* the reference's answer (calibrate.c): what its run of this test
     * observed, and how long it took */
    int has_reference;
    long ref_asserts;   /* assertions passed */
    char *ref_trace;    /* hash of their sequence of file:line */
    double ref_seconds; /* its wall-clock time under the grade's mode; 0: unknown */

    /* run (run.c): the evidence, each piece through a channel the test
     * cannot reach or cannot forge (docs/grading-policy.md) */
    double budget;  /* wall-clock seconds allowed */
    double seconds; /* wall-clock seconds taken */
    int ran;        /* a process was started */
    int exited, exit_code, signal;
    int timed_out;             /* killed by the grader at `budget` */
    int server_died;           /* its serving process ended while it ran */
    int output_over;           /* killed for writing more than the policy's file size limit */
    int retries;               /* runs again after a failure of the grader's machinery */
    char *machinery;           /* that failure, when it persisted: the test is not graded */
    char *scratch;             /* the test's working folder */
    char *record;              /* what came on the record channel: the runner's JSON line */
    int record_lines;          /* lines on it: exactly one from an honest run */
    char *xml;                 /* its Valgrind XML, read through the grader's own descriptor */
    int xml_missing;           /* Valgrind's file for it could not be secured or read */
    char *out_head, *err_head; /* the first KiB of what the test printed */

    /* judged (judge.c) */
    int has_record; /* a well-formed record of this test */
    char *record_status, *record_message, *record_file;
    int record_line;
    long asserts; /* the run's observation trace */
    char *trace;
    uint64_t seed;
    int mem_errors, leaks;
    long leaked_bytes;
    struct memissue first_error, first_leak;
    char *fatal_line; /* "memlab fatal error: ..." printed by the runtime */
    enum status status;
    double score;
    char *reason; /* one line */
    char *detail; /* more lines under the row (the performance stage's table), or NULL */
    /* pictures the test attached (record "attachments", ml_attach): shown in
     * report.html only, never read for the verdict; NULL-terminated lists */
    char **attach_names, **attach_texts;
};

/* ------------------------------------------------------------ the policy */

struct policy {
    double memory_factor;   /* share of a test's points kept after a memcheck error (0) */
    double leak_factor;     /* share kept after a definite leak (0.5) */
    double timeout_margin;  /* budget = reference time under Valgrind x margin ... */
    double timeout_floor;   /* ... but never below this many seconds */
    double valgrind_factor; /* without calibration: declared timeout x this */
    double cpu_slack;       /* CPU limit = budget + this */
    long as_mb, fsize_mb, nofile, nproc;
    long output_kib;       /* what is kept of a test's stdout and stderr */
    int sandbox_uid_base;  /* when root: tests run as uid base+slot */
    char **libc_allowed;   /* symbols of the C library every lab file may use */
    char **libc_forbidden; /* named for a clearer message */
};

/* ------------------------------------------------------------ stage 7 */

/* lab.json "perf": a lab's performance part.  `program` (a path in the
 * kit) is run as
 *   PROGRAM --student WORK/src/<file> --out FILE --kit KIT --work DIR
 *           --cache BUILD/perf-cache --max-score POINTS --timeout SECONDS
 *           --sandbox "MEMLAB-GRADE --sandbox-exec --kit KIT --lab LAB"
 * and writes {"traces": [{"name", "ok", "error", "score", ...}], "score",
 * "max_score", "error"}: the grader shows it as one more row, worth
 * `points`.  The program must run every piece of student code through
 * the --sandbox prefix. */
struct perf_spec {
    char *program; /* NULL: the lab has no performance part */
    char *name, *description, *hint;
    double points;
    double timeout; /* per run of the student's code, seconds */
};

/* ------------------------------------------------------------ the run */

enum outcome {
    OUT_GRADED,  /* the tests ran */
    OUT_MISSING, /* a file is missing or empty */
    OUT_STATIC,  /* a static check failed */
    OUT_COMPILE, /* compile or link error */
};

struct grade {
    /* what to grade (main.c) */
    char *lab, *title;
    char **files;        /* the student's file names (lab.json "files") */
    char **lab_allow;    /* lab.json "allow" */
    int hidden_declared; /* lab.json "hidden_tests", -1 when absent */
    char *kit, *build, *submission, *report_dir, *work_dir;
    char *only;       /* comma-separated test names, or NULL for all */
    size_t lab_tests; /* the lab's tests before --only: a partial grade runs fewer */
    char **secrets;   /* every hidden test's name and description, --only or not */
    int jobs, use_valgrind, quiet, reveal_hidden, calibrate;
    int no_static_check; /* --no-static-check: the grader's own tests only */
    int no_perf;         /* --no-perf: leave stage 7 out (its row too) */
    int sandbox_exec;    /* --sandbox-exec: run exec_argv confined, nothing else */
    char *exec_dir, *exec_binary;
    double exec_seconds;
    char **exec_argv;
    struct perf_spec perf;
    struct policy policy;

    /* stages */
    enum outcome outcome;
    char *outcome_message; /* the one message of a stage that stopped grading */
    char **staged;         /* work/src/<file>, one per file */
    char **violations;     /* static check messages */
    char *warnings;        /* compiler warnings, cut */
    char *test_binary;     /* work/bin/t_<lab>: the public tests only */
    char *hidden_binary;   /* work/bin/t_<lab>.hidden: every test; NULL when the lab
                              has no hidden test objects */
    char *timeout_source;  /* "calibrated on the reference" or "declared x factor" */
    char **notes;          /* sandbox limits that could not be applied, ... */

    struct test *tests;
    size_t ntests;

    /* coverage */
    int has_coverage;
    double line_pct, branch_pct;
    long lines_total, lines_covered;

    /* stage 7 while it runs beside the tests (perf.c), or NULL; shared by
     * the copies of g that calibration makes */
    struct side_job *perf_job;

    /* totals (judge.c) */
    double score, max_score;
    double seconds;
};

/* ------------------------------------------------------------ stages */

int stage_submission(struct grade *g);               /* stage.c */
int build_compile(struct grade *g, int coverage);    /* build.c: work/obj */
int build_link(struct grade *g);                     /* build.c: work/bin */
int check_static(struct grade *g);                   /* check.c */
int tests_load(struct grade *g, const char *binary); /* run.c: --list */
/* run.c: every test of g (in order, parents first), `jobs` at a time, in
 * scratch folders under scratch_root; judged: skip children of failed
 * parents and judge each test as it ends (calibration runs unjudged). */
int run_tests(struct grade *g, const char *binary, const char *scratch_root, int judged);
int calibrate_budgets(struct grade *g);               /* calibrate.c */
void judge_test(struct grade *g, struct test *t);     /* judge.c */
int record_parse(struct test *t);                     /* judge.c: t->record into its fields */
void judge_not_run(struct grade *g, const char *why); /* judge.c */
void judge_totals(struct grade *g);                   /* judge.c */
void coverage_collect(struct grade *g);               /* coverage.c */
/* perf.c: the row of stage 7, not run yet (NULL: no such stage, or not
 * wanted); perf_run fills it.  perf_start starts the program (it then runs
 * beside the tests: its student runs are sandboxed on their own), and
 * perf_finish waits for it and fills the row; perf_run does both. */
struct test *perf_add_row(struct grade *g);
int perf_wanted(const struct grade *g);
void perf_start(struct grade *g);
void perf_finish(struct grade *g, struct test *row);
void perf_run(struct grade *g, struct test *row);
int run_sandboxed(struct grade *g, const char *dir, const char *binary, double seconds,
                  char **argv);    /* run.c: --sandbox-exec */
int report_write(struct grade *g); /* report.c */
/* html.c: report.html, the rows in `order` (as the other outputs), the
 * sections' headings at their first rows; pictures rendered with dot. */
struct html_section {
    const char *title; /* NULL: "Other tests" */
    int number;        /* the handout's, or -1 */
    size_t first, end; /* rows order[first..end-1] */
};
int html_write(const struct grade *g, const size_t *order, const struct html_section *sections,
               size_t nsections, const char *path);
/* html.c: one shown test's output in Gradescope's "html" format: `text`
 * escaped in a <pre>, then the pictures it attached as data: images (at
 * most *budget rendered, counted down).  Malloc'd. */
char *html_test_output(const struct grade *g, const struct test *t, const char *text, int *budget);
void report_table(struct grade *g);                                /* report.c */
int policy_load(struct policy *p, const char *path);               /* policy.c */
void policy_lab_overrides(struct policy *p, const char *lab_json); /* policy.c */

/* run.c: a test (or the performance row) that --only selects (all without it). */
int test_wanted(const struct grade *g, const char *name);
/* Tests the student may see by name. */
int test_shown(const struct grade *g, const struct test *t);
/* What to call a test in front of students: its name or "hidden test N". */
const char *test_label(const struct grade *g, const struct test *t, char *buf, size_t size);
/* The repro line of a test, natively ("make test-one ..."). */
char *repro_line(const struct grade *g, const struct test *t);

#endif /* MEMLAB_GRADER_RESULTS_H */
