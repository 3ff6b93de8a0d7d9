/*
 * gradebook.c -- the class's gradebook, rebuilt from the finished report
 * folders every time (never appended to), so an interrupted run can never
 * leave it half written or out of step with the reports.
 *
 * One row per student, one group of columns per lab:
 *
 *   student, total,
 *   <lab> score, <lab> max, <lab> status, <lab> memory errors, <lab> leaks,
 *   <lab> line coverage %, <lab>: <test> ... (points of each test, hidden ones too)
 *
 * A job that has not finished leaves its cells empty and its status
 * "not graded".  Fields are quoted as RFC 4180 says (a field holding a comma,
 * a quote or a line break is put in quotes, quotes doubled), and a text field
 * that a spreadsheet would run as a formula (=, +, -, @) is prefixed with '.
 */
#include "batch.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------ reading a report */

static json_t *load_results(const char *report_dir)
{
    char *path = path_join(report_dir, "results.json");
    json_t *root = json_load_file(path, 0, NULL);
    free(path);
    if (root && !json_is_object(root)) {
        json_decref(root);
        return NULL;
    }
    return root;
}

static double number_or(json_t *v, double fallback)
{
    return json_is_number(v) ? json_number_value(v) : fallback;
}

static double max_score_of(json_t *root)
{
    json_t *top = json_object_get(json_object_get(root, "extra_data"), "max_score");
    if (json_is_number(top))
        return json_number_value(top);
    double max = 0;
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(root, "tests"), i, t) max +=
        number_or(json_object_get(t, "max_score"), 0);
    return max;
}

int results_score(const char *report_dir, double *score, double *max_score)
{
    json_t *root = load_results(report_dir);
    if (!root)
        return -1;
    *score = number_or(json_object_get(root, "score"), 0);
    *max_score = max_score_of(root);
    json_decref(root);
    return 0;
}

/* A per-test count, wherever the grader keeps it: the test's extra_data, or
 * the test itself. */
static double test_count(json_t *t, const char *key)
{
    json_t *extra = json_object_get(t, "extra_data");
    json_t *v = json_object_get(extra, key);
    if (!json_is_number(v))
        v = json_object_get(t, key);
    return number_or(v, 0);
}

/* A lab-wide number: top level, then extra_data, then the sum over tests. */
static double lab_count(json_t *root, const char *key)
{
    json_t *v = json_object_get(root, key);
    if (!json_is_number(v))
        v = json_object_get(json_object_get(root, "extra_data"), key);
    if (json_is_number(v))
        return json_number_value(v);
    double sum = 0;
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(root, "tests"), i, t) sum += test_count(t, key);
    return sum;
}

/* Line coverage %: extra_data.line_percent (what memlab-grade writes), else
 * gcovr's summary in the report folder; -1 when there is none. */
static double line_coverage(json_t *root, const char *report_dir)
{
    json_t *extra = json_object_get(root, "extra_data");
    json_t *v = json_object_get(extra, "line_percent");
    if (!json_is_number(v))
        v = json_object_get(extra, "line_coverage");
    if (json_is_number(v))
        return json_number_value(v);
    char *path = path_join(report_dir, "coverage/summary.json");
    json_t *summary = json_load_file(path, 0, NULL);
    free(path);
    double pct = number_or(json_object_get(summary, "line_percent"), -1);
    json_decref(summary);
    return pct;
}

/* The grader's outcome when it stopped before running tests (missing_file,
 * static_check, compile_error), else NULL. */
static const char *grader_outcome(json_t *root)
{
    const char *o =
        json_string_value(json_object_get(json_object_get(root, "extra_data"), "outcome"));
    return o && strcmp(o, "graded") != 0 ? o : NULL;
}

/* ------------------------------------------------------------ CSV writing */

static void csv_text(FILE *f, const char *s)
{
    if (!s)
        s = "";
    int formula = strchr("=+-@\t\r", s[0]) && s[0];
    int quote =
        formula || strpbrk(s, ",\"\r\n") || (s[0] == ' ') || (s[0] && s[strlen(s) - 1] == ' ');
    if (!quote) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    if (formula)
        fputc('\'', f);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

static void csv_number(FILE *f, double v) { fprintf(f, "%.10g", v); }

static void csv_sep(FILE *f) { fputc(',', f); }

/* ------------------------------------------------------------ the table */

struct lab_columns {
    const char *lab;
    char **tests; /* every test name seen, in the order first seen */
    size_t ntests, cap;
};

static void add_test_name(struct lab_columns *c, const char *name)
{
    for (size_t i = 0; i < c->ntests; i++)
        if (strcmp(c->tests[i], name) == 0)
            return;
    if (c->ntests == c->cap)
        c->tests = xrealloc(c->tests, (c->cap = c->cap ? 2 * c->cap : 16) * sizeof *c->tests);
    c->tests[c->ntests++] = xstrdup(name);
}

static char *done_status(const char *report_dir)
{
    char *marker = path_join(report_dir, ".done");
    FILE *f = fopen(marker, "r");
    free(marker);
    if (!f)
        return xstrdup("not graded");
    char line[512], *status = xstrdup("graded"), *detail = xstrdup("");
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, "status=", 7) == 0)
            free(status), status = xstrdup(line + 7);
        else if (strncmp(line, "detail=", 7) == 0)
            free(detail), detail = xstrdup(line + 7);
    }
    fclose(f);
    char *text = detail[0] ? xprintf("%s: %s", status, detail) : xstrdup(status);
    free(status), free(detail);
    return text;
}

static json_t *test_named(json_t *root, const char *name)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(root, "tests"), i, t)
    {
        const char *n = json_string_value(json_object_get(t, "name"));
        if (n && strcmp(n, name) == 0)
            return t;
    }
    return NULL;
}

static void write_header(FILE *f, struct lab_columns *cols, size_t nlabs)
{
    fputs("student,total", f);
    for (size_t l = 0; l < nlabs; l++) {
        const char *suffixes[] = {"score",         "max",   "status",
                                  "memory errors", "leaks", "line coverage %"};
        for (size_t k = 0; k < sizeof suffixes / sizeof *suffixes; k++) {
            char *h = xprintf("%s %s", cols[l].lab, suffixes[k]);
            csv_sep(f), csv_text(f, h);
            free(h);
        }
        for (size_t t = 0; t < cols[l].ntests; t++) {
            char *h = xprintf("%s: %s", cols[l].lab, cols[l].tests[t]);
            csv_sep(f), csv_text(f, h);
            free(h);
        }
    }
    fputs("\r\n", f);
}

static void write_lab_cells(FILE *f, struct lab_columns *c, json_t *root, const char *dir)
{
    char *status = done_status(dir);
    if (!root) {
        csv_sep(f), csv_sep(f), csv_sep(f), csv_text(f, status);
        csv_sep(f), csv_sep(f), csv_sep(f);
        for (size_t t = 0; t < c->ntests; t++)
            csv_sep(f);
        free(status);
        return;
    }
    csv_sep(f), csv_number(f, number_or(json_object_get(root, "score"), 0));
    csv_sep(f), csv_number(f, max_score_of(root));
    const char *outcome = grader_outcome(root);
    char *shown = outcome ? xprintf("%s: %s", status, outcome) : xstrdup(status);
    csv_sep(f), csv_text(f, shown);
    free(shown);
    csv_sep(f), csv_number(f, lab_count(root, "memcheck_errors"));
    csv_sep(f), csv_number(f, lab_count(root, "leaks"));
    double cov = line_coverage(root, dir);
    csv_sep(f);
    if (cov >= 0)
        fprintf(f, "%.1f", cov);
    for (size_t t = 0; t < c->ntests; t++) {
        json_t *test = test_named(root, c->tests[t]);
        csv_sep(f);
        if (test)
            csv_number(f, number_or(json_object_get(test, "score"), 0));
    }
    free(status);
}

int gradebook_write(const char *out, struct student *students, size_t nstudents, char **labs,
                    size_t nlabs)
{
    /* Load every finished report once; a job not finished has no results. */
    json_t **results = xcalloc(nstudents * nlabs + 1, sizeof *results);
    struct lab_columns *cols = xcalloc(nlabs + 1, sizeof *cols);
    for (size_t l = 0; l < nlabs; l++)
        cols[l].lab = labs[l];
    for (size_t s = 0; s < nstudents; s++)
        for (size_t l = 0; l < nlabs; l++) {
            char *dir = job_final_dir(out, students[s].name, labs[l]);
            json_t *root = job_is_done(dir) ? load_results(dir) : NULL;
            results[s * nlabs + l] = root;
            size_t i;
            json_t *t;
            json_array_foreach(json_object_get(root, "tests"), i, t)
            {
                const char *name = json_string_value(json_object_get(t, "name"));
                if (name)
                    add_test_name(&cols[l], name);
            }
            free(dir);
        }

    char *path = path_join(out, "gradebook.csv");
    char *tmp = xprintf("%s.tmp-%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    int rc = f ? 0 : -1;
    if (f) {
        write_header(f, cols, nlabs);
        for (size_t s = 0; s < nstudents; s++) {
            double total = 0;
            for (size_t l = 0; l < nlabs; l++)
                total += number_or(json_object_get(results[s * nlabs + l], "score"), 0);
            csv_text(f, students[s].name);
            csv_sep(f), csv_number(f, total);
            for (size_t l = 0; l < nlabs; l++) {
                char *dir = job_final_dir(out, students[s].name, labs[l]);
                write_lab_cells(f, &cols[l], results[s * nlabs + l], dir);
                free(dir);
            }
            fputs("\r\n", f);
        }
        rc = fflush(f) == 0 && fsync(fileno(f)) == 0 ? 0 : -1;
        rc = fclose(f) == 0 ? rc : -1;
        rc = rc == 0 && rename(tmp, path) == 0 ? 0 : -1;
        if (rc != 0)
            unlink(tmp);
    }
    for (size_t i = 0; i < nstudents * nlabs; i++)
        json_decref(results[i]);
    for (size_t l = 0; l < nlabs; l++) {
        for (size_t t = 0; t < cols[l].ntests; t++)
            free(cols[l].tests[t]);
        free(cols[l].tests);
    }
    free(results), free(cols), free(path), free(tmp);
    return rc;
}
