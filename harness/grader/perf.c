/*
 * perf.c -- stage 7: the lab's performance part, as one more row of the
 * report.
 *
 * The lab names a program in lab.json ("perf", results.h); the grader runs
 * it once, after the tests, with the staged file, and reads the JSON it
 * writes.  The program is trusted kit code: it builds and measures the
 * reference itself, and runs every piece of the student's code through the
 * sandbox prefix it is given (`memlab-grade --sandbox-exec`, run.c), so the
 * student's code meets the same limits, uid, file-system view and system-
 * call filter as in a test.
 *
 * The row: score and points from the program; PASS when every case ran
 * correctly (a slow but correct allocator passes with a lower score), FAIL
 * when a case failed, ERROR when the program could not grade (then the
 * report says so and the score is 0: an instructor reruns it).
 */
#include "results.h"
#include "util.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PERF_OUTPUT_LIMIT (64 * 1024)

/* Stage 7 is left out with --no-perf, and when --only names tests but not
 * this row. */
int perf_wanted(const struct grade *g)
{
    return g->perf.program && !g->no_perf && test_wanted(g, g->perf.name);
}

struct test *perf_add_row(struct grade *g)
{
    if (!perf_wanted(g))
        return NULL;
    g->tests = xrealloc(g->tests, (g->ntests + 1) * sizeof *g->tests);
    struct test *t = &g->tests[g->ntests++];
    memset(t, 0, sizeof *t);
    t->name = xstrdup(g->perf.name);
    t->file = xprintf("tests/%s/lab.json", g->lab);
    t->description = xstrdup(g->perf.description);
    t->hint = xstrdup(g->perf.hint);
    t->tags = xstrdup("performance");
    t->points = g->perf.points;
    t->visibility = VIS_VISIBLE;
    t->status = ST_SKIPPED;
    t->reason = xstrdup("not run");
    return t;
}

/* The command the program confines the student's runs with. */
static char *sandbox_prefix(const struct grade *g)
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return NULL;
    self[n] = '\0';
    return xprintf("%s --sandbox-exec --kit %s --lab %s", self, g->kit, g->lab);
}

/* Under a case that lost performance points, where the instructions went:
 * "most instructions in: pool_free (2.10x the reference's), small_alloc (no such
 * name in the reference), ..." from perf-run's "hot" (the student's functions with
 * the most instructions of their own, beside the reference's of that name). */
static void hot_line(struct sbuf *b, json_t *hot)
{
    if (json_array_size(hot) == 0)
        return;
    sb_printf(b, "  %-16s        most instructions in:", "");
    size_t i;
    json_t *h;
    json_array_foreach(hot, i, h)
    {
        const char *name = json_string_value(json_object_get(h, "function"));
        double mine = json_number_value(json_object_get(h, "student_ir"));
        json_t *theirs = json_object_get(h, "reference_ir");
        sb_printf(b, "%s %s", i ? "," : "", name ? name : "?");
        if (json_is_number(theirs) && json_number_value(theirs) > 0)
            sb_printf(b, " (%.2fx%s)", mine / json_number_value(theirs),
                      i ? "" : " the reference's");
        else
            sb_printf(b, " (no such name in the reference)");
    }
    sb_printf(b, "\n");
}

/* One line per case: "  notebook      ok    1.02x instructions  0.98x utilization  0.99",
 * and where the instructions went when the case lost performance points. */
static char *case_table(json_t *cases)
{
    struct sbuf b = {0};
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c)
    {
        const char *name = json_string_value(json_object_get(c, "name"));
        int ok = json_is_true(json_object_get(c, "ok"));
        double score = json_number_value(json_object_get(c, "score"));
        double s_ir = json_number_value(json_object_get(c, "student_ir"));
        double r_ir = json_number_value(json_object_get(c, "reference_ir"));
        double u = json_number_value(json_object_get(c, "utilization"));
        double u_ref = json_number_value(json_object_get(c, "ref_utilization"));
        if (!ok) {
            const char *error = json_string_value(json_object_get(c, "error"));
            char *line = one_line(error ? error : "failed", 160);
            sb_printf(&b, "  %-16s FAIL   %s\n", name ? name : "?", line);
            free(line);
            continue;
        }
        sb_printf(&b,
                  "  %-16s ok     %.2fx the reference's instructions, %.2fx its utilization:"
                  " %.0f%%\n",
                  name ? name : "?", r_ir > 0 ? s_ir / r_ir : 0.0, u_ref > 0 ? u / u_ref : 0.0,
                  100 * score);
        if (json_number_value(json_object_get(c, "perf_points")) < 1.0)
            hot_line(&b, json_object_get(c, "hot"));
    }
    return sb_take(&b);
}

/* Fill the row from the program's JSON. */
static void perf_judge(struct grade *g, struct test *t, json_t *r)
{
    json_t *cases = json_object_get(r, "traces");
    const char *error = json_string_value(json_object_get(r, "error"));
    size_t failed = 0, n = json_array_size(cases);
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c) failed += !json_is_true(json_object_get(c, "ok"));
    double score = json_number_value(json_object_get(r, "score"));
    t->score = fmin(fmax(score, 0.0), t->points);
    t->status = failed || (error && *error) || n == 0 ? ST_FAIL : ST_PASS;
    if (error && *error)
        t->reason = one_line(error, 200);
    else if (failed)
        t->reason =
            xprintf("%zu of %zu traces failed their checked replay (0 points each)", failed, n);
    else
        t->reason =
            xprintf("%zu traces replayed correctly; score %.2f of %g", n, t->score, t->points);
    char *table = case_table(cases);
    t->detail = xprintf("%sRerun alone: make %s-perf SUBMISSION=<your %s> (labs/%s/README.md)\n",
                        table, g->lab, g->files[0], g->lab);
    free(table);
}

/* The program's folder, result and captured output. */
static char *perf_dir(const struct grade *g) { return xprintf("%s/perf", g->work_dir); }

void perf_start(struct grade *g)
{
    char *dir = perf_dir(g);
    rm_rf(dir);
    mkdir_p(dir, 0755);
    char *out = xprintf("%s/perf.json", dir);
    char *log = xprintf("%s/perf-run.log", dir);
    char *program = xprintf("%s/%s", g->kit, g->perf.program);
    char *sandbox = sandbox_prefix(g);
    char *cache = xprintf("%s/perf-cache", g->build);
    char *points = xprintf("%g", g->perf.points);
    char *timeout = xprintf("%g", g->perf.timeout);
    char *jobs = xprintf("%d", g->jobs > 0 ? g->jobs : 1); /* the grade's job slots */
    char *argv[] = {program,
                    "--student",
                    g->staged[0],
                    "--out",
                    out,
                    "--kit",
                    g->kit,
                    "--work",
                    dir,
                    "--cache",
                    cache,
                    "--max-score",
                    points,
                    "--timeout",
                    timeout,
                    "--jobs",
                    jobs,
                    "--sandbox",
                    sandbox ? sandbox : "",
                    NULL};
    if (!g->quiet)
        fprintf(stderr, "memlab-grade: %s: performance (%s), beside the tests\n", g->lab,
                g->perf.program);
    static struct side_job job;
    job = (struct side_job){.started = now_seconds()};
    job.pid = sandbox ? spawn_logged(argv, dir, log) : -1;
    g->perf_job = &job;
    free(jobs);
    free(timeout);
    free(points);
    free(cache);
    free(sandbox);
    free(program);
    free(log);
    free(out);
    free(dir);
}

/* The program's exit status as run_capture gives it; -1 when it did not
 * start. */
static int perf_wait(struct grade *g)
{
    struct side_job *job = g->perf_job;
    if (!job || job->pid <= 0)
        return -1;
    int st = job->status;
    if (!job->reaped)
        while (waitpid(job->pid, &st, 0) < 0)
            if (errno != EINTR)
                return -1;
    job->pid = 0;
    return exit_code_of(st);
}

void perf_finish(struct grade *g, struct test *t)
{
    int rc = perf_wait(g);
    t->seconds = g->perf_job ? now_seconds() - g->perf_job->started : 0;
    char *dir = perf_dir(g);
    char *out = xprintf("%s/perf.json", dir);
    char *log = xprintf("%s/perf-run.log", dir);
    char *output = read_file(log, PERF_OUTPUT_LIMIT, NULL);
    json_error_t err;
    json_t *r = rc == 0 ? json_load_file(out, 0, &err) : NULL;
    free(t->reason);
    t->reason = NULL;
    if (r) {
        perf_judge(g, t, r);
        char *copy = xprintf("%s/perf.json", g->report_dir);
        copy_file(out, copy);
        free(copy);
        json_decref(r);
    } else {
        t->status = ST_ERROR;
        t->score = 0;
        char *why = one_line(output && *output ? output : "no result file", 300);
        t->reason = xprintf("the performance stage could not run (exit %d): %s", rc, why);
        free(why);
        g->notes = list_push(g->notes, xprintf("performance stage: %s", t->reason));
    }
    free(output);
    free(log);
    free(out);
    free(dir);
}

void perf_run(struct grade *g, struct test *t)
{
    perf_start(g);
    perf_finish(g, t);
}
