/*
 * main.c -- memlab-grade: grade one submission of one lab.
 *
 *   memlab-grade --lab ID [--submission DIR] [--report DIR] [--kit ROOT]
 *                [--build DIR] [--jobs N] [--only PATTERNS] [--no-valgrind]
 *                [--no-calibrate] [--reveal-hidden] [--quiet] [--reuse]
 *                [--no-perf] [--no-static-check]   (the grader's own tests only)
 *   memlab-grade --calibrate-only --lab ID [--kit ROOT] [--build DIR] [--jobs N]
 *                (fill BUILD/calibration/<lab>.json from the reference alone,
 *                and BUILD/perf-cache/ for a lab with a performance stage:
 *                what an image build runs once, so that no grade pays for it)
 *   memlab-grade --sandbox-exec --lab ID [--kit ROOT] --dir DIR --binary FILE
 *                --timeout SECONDS -- COMMAND...
 *                (for a lab's performance program: run COMMAND the way a
 *                test runs, exit with its status; run.c run_sandboxed)
 *
 * The stages run in the order of DESIGN.md section 4; one that stops the
 * grading (a missing file, a static check, a compile error) still leads to
 * a full report in which every test scores 0.  Exit status: 0 whenever
 * grading ran, whatever the score; 2 when it could not grade (no such lab,
 * the kit is not built, a folder cannot be written).
 *
 * --only takes fnmatch patterns (comma-separated) over the tests' names: a
 * partial grade, said so in every output and never reused.  --reuse (make
 * grade) shows the last report again when nothing that decides it changed:
 * the key (grade.key in the report folder) lists the submission's files,
 * the test binary's inputs, the grader, policy.json, lab.json and the
 * flags, each with the hash of its contents.
 */
#include "results.h"
#include "util.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <glob.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* --reuse and --calibrate-only: set by parse_args (not part of the model:
 * no stage reads them). */
static int reuse, calibrate_only;

static void usage(FILE *out)
{
    fputs("usage: memlab-grade --lab ID [--submission DIR] [--report DIR] [--kit ROOT]\n"
          "                    [--build DIR] [--jobs N] [--only PATTERNS] [--no-valgrind]\n"
          "                    [--no-calibrate] [--reveal-hidden] [--no-perf] [--quiet] [--reuse]\n"
          "  --submission DIR  the student's files: DIR/<file> or DIR/labs/<lab>/<file>\n"
          "                    (default: ROOT/labs/<lab>)\n"
          "  --report DIR      where the report goes (default: BUILD/reports/<lab>)\n"
          "  --kit ROOT        the kit (default: .); --build DIR its build (default ROOT/build)\n"
          "  --jobs N          tests run at a time (default 2)\n"
          "  --only PATTERNS   grade the tests whose names match (fnmatch, comma-separated):\n"
          "                    a partial grade\n"
          "  --reuse           show the last report when nothing it depends on changed\n"
          "  --calibrate-only  run the reference's tests into the calibration cache and\n"
          "                    stop (no submission is graded)\n"
          "  --no-perf         leave out the performance stage (labs that have one)\n"
          "  --no-static-check for the grader's own tests only: skip stage 2, so that\n"
          "                    hostile code reaches the sandbox (the report says so)\n",
          out);
}

static int could_not_grade(const char *why)
{
    fprintf(stderr, "memlab-grade: %s\n", why);
    return 2;
}

/* ------------------------------------------------------------ setup */

static char *string_or(json_t *o, const char *key, const char *fallback)
{
    const char *s = json_string_value(json_object_get(o, key));
    return xstrdup(s ? s : fallback);
}

/* lab.json "perf" (results.h): {"program", "points", "timeout", "name",
 * "description", "hint"}; only "program" is required. */
static void read_perf(struct grade *g, json_t *perf)
{
    const char *program = json_string_value(json_object_get(perf, "program"));
    if (!program)
        return;
    struct perf_spec *p = &g->perf;
    p->program = xstrdup(program);
    p->name = string_or(perf, "name", "performance");
    p->description = string_or(perf, "description", "the lab's performance part");
    p->hint = string_or(perf, "hint", "the handout's grading section");
    json_t *points = json_object_get(perf, "points"), *timeout = json_object_get(perf, "timeout");
    p->points = json_is_number(points) ? json_number_value(points) : 20;
    p->timeout = json_is_number(timeout) ? json_number_value(timeout) : 120;
}

static int read_lab(struct grade *g)
{
    char *path = xprintf("%s/tests/%s/lab.json", g->kit, g->lab);
    json_error_t err;
    json_t *o = json_load_file(path, 0, &err);
    if (!o) {
        fprintf(stderr, "memlab-grade: no lab '%s': cannot read %s (%s)\n", g->lab, path, err.text);
        free(path);
        return -1;
    }
    free(path);
    g->title = xstrdup(json_string_value(json_object_get(o, "title")));
    g->files = list_push(NULL, NULL);
    g->lab_allow = list_push(NULL, NULL);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(o, "files"), i, v) g->files =
        list_push(g->files, xstrdup(json_string_value(v)));
    json_array_foreach(json_object_get(o, "allow"), i, v) g->lab_allow =
        list_push(g->lab_allow, xstrdup(json_string_value(v)));
    json_t *hidden = json_object_get(o, "hidden_tests");
    g->hidden_declared = json_is_integer(hidden) ? (int)json_integer_value(hidden) : -1;
    read_perf(g, json_object_get(o, "perf"));
    json_decref(o);
    return list_len(g->files) ? 0 : -1;
}

static int parse_args(struct grade *g, int argc, char **argv)
{
    static const struct option options[] = {
        {"lab", required_argument, NULL, 'l'},
        {"submission", required_argument, NULL, 's'},
        {"report", required_argument, NULL, 'r'},
        {"kit", required_argument, NULL, 'k'},
        {"build", required_argument, NULL, 'b'},
        {"jobs", required_argument, NULL, 'j'},
        {"only", required_argument, NULL, 'o'},
        {"no-valgrind", no_argument, NULL, 'V'},
        {"no-calibrate", no_argument, NULL, 'C'},
        {"reveal-hidden", no_argument, NULL, 'H'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"no-static-check", no_argument, NULL, 'S'},
        {"no-perf", no_argument, NULL, 'P'},
        {"sandbox-exec", no_argument, NULL, 'X'},
        {"dir", required_argument, NULL, 'D'},
        {"binary", required_argument, NULL, 'B'},
        {"timeout", required_argument, NULL, 'T'},
        {"reuse", no_argument, NULL, 'R'},
        {"calibrate-only", no_argument, NULL, 'K'},
        {NULL, 0, NULL, 0},
    };
    g->jobs = 2;
    g->use_valgrind = 1;
    g->calibrate = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, "l:s:r:k:b:j:o:VCHqh", options, NULL)) != -1) {
        switch (opt) {
        case 'l': g->lab = xstrdup(optarg); break;
        case 's': g->submission = abs_path(optarg); break;
        case 'r': g->report_dir = abs_path(optarg); break;
        case 'k': g->kit = abs_path(optarg); break;
        case 'b': g->build = abs_path(optarg); break;
        case 'j': g->jobs = atoi(optarg); break;
        case 'o': g->only = xstrdup(optarg); break;
        case 'V': g->use_valgrind = 0; break;
        case 'C': g->calibrate = 0; break;
        case 'H': g->reveal_hidden = 1; break;
        case 'q': g->quiet = 1; break;
        case 'S': g->no_static_check = 1; break;
        case 'P': g->no_perf = 1; break;
        case 'X': g->sandbox_exec = 1; break;
        case 'D': g->exec_dir = abs_path(optarg); break;
        case 'B': g->exec_binary = abs_path(optarg); break;
        case 'T': g->exec_seconds = atof(optarg); break;
        case 'R': reuse = 1; break;
        case 'K': calibrate_only = 1; break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); return -1;
        }
    }
    if (g->sandbox_exec) {
        g->exec_argv = argv + optind;
        if (!g->lab || !g->exec_dir || !g->exec_binary || g->exec_seconds <= 0 || optind == argc) {
            usage(stderr);
            return -1;
        }
    } else if (!g->lab || optind != argc) {
        usage(stderr);
        return -1;
    }
    if (!g->kit)
        g->kit = abs_path(".");
    if (!g->build)
        g->build = xprintf("%s/build", g->kit);
    if (!g->submission)
        g->submission = xprintf("%s/labs/%s", g->kit, g->lab);
    if (!g->report_dir)
        g->report_dir = xprintf("%s/reports/%s", g->build, g->lab);
    g->work_dir = xprintf("%s/work", g->report_dir);
    return 0;
}

/* ------------------------------------------------------------ --only */

static int matches_any(char **patterns, const char *name)
{
    for (size_t i = 0; patterns[i]; i++)
        if (fnmatch(patterns[i], name, 0) == 0)
            return 1;
    return 0;
}

static void test_free(struct test *t)
{
    free(t->name);
    free(t->file);
    free(t->description);
    free(t->hint);
    free(t->parent);
    free(t->tags);
}

/* Keep the tests whose names match --only's patterns and turn g->only into
 * their exact names (what run.c's test_wanted compares, the performance
 * row's name included when it matches); g->secrets keeps every hidden
 * test's name and description first.  -1 when nothing matches. */
static int select_tests(struct grade *g, const char *only)
{
    g->lab_tests = g->ntests;
    g->secrets = list_push(NULL, NULL);
    for (size_t i = 0; i < g->ntests; i++) {
        const struct test *t = &g->tests[i];
        if (t->visibility != VIS_VISIBLE && t->name)
            g->secrets = list_push(g->secrets, xstrdup(t->name));
        if (t->visibility != VIS_VISIBLE && t->description)
            g->secrets = list_push(g->secrets, xstrdup(t->description));
    }
    if (!only)
        return 0;
    char **patterns = split(only, ",");
    struct sbuf names = {0};
    size_t kept = 0;
    for (size_t i = 0; i < g->ntests; i++) {
        if (!matches_any(patterns, g->tests[i].name)) {
            test_free(&g->tests[i]);
            continue;
        }
        sb_printf(&names, "%s%s", kept ? "," : "", g->tests[i].name);
        g->tests[kept++] = g->tests[i];
    }
    g->ntests = kept;
    int perf = g->perf.program && matches_any(patterns, g->perf.name);
    if (perf)
        sb_printf(&names, "%s%s", kept ? "," : "", g->perf.name);
    list_free(patterns);
    free(g->only);
    g->only = sb_take(&names);
    return kept || perf ? 0 : -1;
}

/* ------------------------------------------------------------ --reuse */

/* One line of the key: a file and the hash of its contents (0: absent). */
static void key_file(struct sbuf *key, const char *path)
{
    sb_printf(key, "%s %016llx\n", path, (unsigned long long)hash_file(path));
}

/* The objects the lab's tests are linked from (build/grader/<lab>.link). */
static void key_link_manifest(const struct grade *g, struct sbuf *key)
{
    char *path = xprintf("%s/grader/%s.link", g->build, g->lab);
    key_file(key, path);
    char *text = read_file(path, 1 << 20, NULL);
    char **lines = split(text ? text : "", "\n");
    for (size_t i = 0; lines[i]; i++)
        if (strncmp(lines[i], "obj ", 4) == 0)
            key_file(key, lines[i] + 4);
    list_free(lines);
    free(text);
    free(path);
}

/* Everything a grade depends on, one line each: what --reuse compares. */
static char *grade_key(const struct grade *g, int argc, char **argv)
{
    struct sbuf key = {0};
    sb_add(&key, "flags");
    for (int i = 1; i < argc; i++)
        sb_printf(&key, " %s", argv[i]);
    sb_add(&key, "\n");
    for (size_t i = 0; g->files[i]; i++) {
        char *direct = xprintf("%s/%s", g->submission, g->files[i]);
        char *nested = xprintf("%s/labs/%s/%s", g->submission, g->lab, g->files[i]);
        key_file(&key, direct);
        key_file(&key, nested);
        free(direct);
        free(nested);
    }
    const char *kit_files[] = {"harness/policy.json", "tests/%s/lab.json"};
    for (size_t i = 0; i < 2; i++) {
        char *rel = xprintf(kit_files[i], g->lab), *path = xprintf("%s/%s", g->kit, rel);
        key_file(&key, path);
        free(rel);
        free(path);
    }
    char *headers = xprintf("%s/labs/include/*.h", g->kit);
    glob_t gl;
    if (glob(headers, 0, NULL, &gl) == 0)
        for (size_t i = 0; i < gl.gl_pathc; i++)
            key_file(&key, gl.gl_pathv[i]);
    globfree(&gl);
    free(headers);
    char *refbin = xprintf("%s/tests/%s/t_%s", g->build, g->lab, g->lab);
    key_file(&key, refbin);
    free(refbin);
    key_link_manifest(g, &key);
    key_file(&key, "/proc/self/exe");
    return sb_take(&key);
}

/* --reuse: the last report when its key is `key`; 1 when shown. */
static int show_last_report(const struct grade *g, const char *key)
{
    char *key_path = xprintf("%s/grade.key", g->report_dir);
    char *table_path = xprintf("%s/table.txt", g->report_dir);
    char *old = read_file(key_path, 1 << 20, NULL);
    char *table = old && strcmp(old, key) == 0 ? read_file(table_path, 16 << 20, NULL) : NULL;
    struct stat st;
    char when[64] = "?";
    if (table && stat(key_path, &st) == 0)
        strftime(when, sizeof when, "%Y-%m-%d %H:%M", localtime(&st.st_mtime));
    if (table && !g->quiet)
        printf("unchanged since the last grade (%s; the same files, tests, grader and flags): "
               "showing the last report\n\n%s",
               when, table);
    int shown = table != NULL;
    free(old);
    free(table);
    free(key_path);
    free(table_path);
    return shown;
}

/* After a grade: its key, for the next --reuse (a partial grade has none). */
static void store_key(const struct grade *g, const char *key)
{
    char *path = xprintf("%s/grade.key", g->report_dir);
    if (key && !g->only)
        write_atomic(path, key, strlen(key));
    else
        unlink(path);
    free(path);
}

/* ------------------------------------------------------------ the stages */

/* Stages 1-3.  0: a test binary is ready; -1: grading stopped on the
 * submission (reported, every test 0); -2: the grader could not go on. */
static int prepare(struct grade *g)
{
    int rc = stage_submission(g);
    if (rc != 0)
        return rc;
    if (g->no_static_check)
        g->notes = list_push(g->notes, xstrdup("static checks skipped (--no-static-check: for the "
                                               "grader's own tests, never for grading)"));
    if (build_compile(g, 0) != 0 || (!g->no_static_check && check_static(g) != 0) ||
        build_compile(g, 1) != 0)
        return -1;
    return build_link(g);
}

/* --sandbox-exec: one command, confined like a test (run.c). */
static int sandbox_exec(struct grade *g)
{
    int rc = run_sandboxed(g, g->exec_dir, g->exec_binary, g->exec_seconds, g->exec_argv);
    if (rc == 125)
        fprintf(stderr, "memlab-grade: the sandbox could not be built for %s\n", g->exec_argv[0]);
    return rc;
}

static void run_tests_and_coverage(struct grade *g)
{
    calibrate_budgets(g);
    if (!g->quiet)
        fprintf(stderr, "memlab-grade: %s: %zu tests%s, %d at a time\n", g->lab, g->ntests,
                g->use_valgrind ? " under Valgrind memcheck" : "", g->jobs);
    char *scratch = xprintf("%s/tests", g->work_dir);
    run_tests(g, g->test_binary, scratch, 1); /* the hidden tests on g->hidden_binary */
    free(scratch);
    coverage_collect(g);
}

/* The tests, then coverage; the performance stage (a lab that has one)
 * runs beside them: its program is mostly the reference's and the student's
 * builds and one callgrind process per trace, which fill the cores the
 * tests' serving processes leave idle (a long test at the end). */
static void run_and_judge(struct grade *g)
{
    int perf = perf_wanted(g);
    if (perf)
        perf_start(g);
    if (g->ntests > 0) /* 0: --only named the performance stage alone */
        run_tests_and_coverage(g);
    struct test *row = perf_add_row(g);
    if (row)
        perf_finish(g, row);
}

/* --calibrate-only: the reference's answers cached, its scratch (under the
 * report folder, as in a grade) removed; no report is written.  A lab with
 * a performance stage also has its program measure the reference into
 * BUILD/perf-cache/, which it does before it builds the student's file: the
 * kit's skeleton stands in for one (its own result is thrown away). */
static int calibrate_alone(struct grade *g)
{
    double start = now_seconds();
    calibrate_budgets(g);
    size_t answered = 0, ntests = g->ntests;
    for (size_t i = 0; i < ntests; i++)
        answered += g->tests[i].has_reference;
    struct test *perf = perf_add_row(g);
    if (perf) {
        char *skeleton[] = {xprintf("%s/labs/%s/%s", g->kit, g->lab, g->files[0]), NULL};
        g->staged = skeleton;
        perf_run(g, perf);
        free(skeleton[0]);
        g->staged = NULL;
    }
    rm_rf(g->work_dir);
    if (!g->quiet)
        fprintf(stderr, "memlab-grade: %s: calibrated %zu of %zu tests%s (%.0f s)\n", g->lab,
                answered, ntests, perf ? " and the performance stage" : "", now_seconds() - start);
    int perf_failed = perf && perf->status == ST_ERROR; /* the program could not run */
    if (perf_failed)
        fprintf(stderr, "memlab-grade: %s: %s\n", g->lab, perf->reason);
    return answered == ntests && !perf_failed ? 0 : 2;
}

int main(int argc, char **argv)
{
    struct grade g = {0};
    if (parse_args(&g, argc, argv) != 0)
        return 2;
    double start = now_seconds();
    char *policy = xprintf("%s/harness/policy.json", g.kit);
    if (read_lab(&g) != 0 || policy_load(&g.policy, policy) != 0)
        return could_not_grade("cannot grade without the lab's lab.json and the policy");
    free(policy);
    char *lab_json = xprintf("%s/tests/%s/lab.json", g.kit, g.lab);
    policy_lab_overrides(&g.policy, lab_json);
    free(lab_json);
    if (g.sandbox_exec)
        return sandbox_exec(&g);
    char *refbin = xprintf("%s/tests/%s/t_%s", g.build, g.lab, g.lab);
    if (!is_file(refbin))
        return could_not_grade("the kit is not built (no reference test binary): run make");
    char *only = g.only;
    g.only = NULL; /* the whole list first: a partial grade says of how many */
    if (tests_load(&g, refbin) != 0)
        return could_not_grade("cannot list the lab's tests");
    free(refbin);
    if (select_tests(&g, only) != 0)
        return could_not_grade("no test matches --only");
    free(only);
    if (mkdir_p(g.report_dir, 0755) != 0)
        return could_not_grade("cannot create the report folder");
    if (calibrate_only)
        return calibrate_alone(&g);
    char *key = reuse && !g.only ? grade_key(&g, argc, argv) : NULL;
    if (key && show_last_report(&g, key))
        return 0;
    store_key(&g, NULL); /* until this grade's report is whole */

    int rc = prepare(&g);
    if (rc == -2)
        return could_not_grade("stopped while preparing the submission");
    if (rc == 0) {
        run_and_judge(&g);
    } else {
        perf_add_row(&g);
        judge_not_run(&g, g.outcome == OUT_MISSING  ? "a file of the submission is missing"
                          : g.outcome == OUT_STATIC ? "a static check failed"
                                                    : "the submission does not compile");
    }
    judge_totals(&g);
    g.seconds = now_seconds() - start;
    if (report_write(&g) != 0)
        return could_not_grade("cannot write the report");
    store_key(&g, key);
    free(key);
    if (!g.quiet)
        report_table(&g);
    return 0;
}
