/*
 * coverage.c -- stage 6: line and branch coverage of the student's files by
 * the graded runs.
 *
 * The graded objects were built with --coverage, so every test process added
 * its counts to work/obj/<file>.gcda (a test that crashed still dumps them:
 * the runner's signal handlers and its _exit wrapper call __gcov_dump).
 * gcovr reads them, filtered to the student's staged files only, and writes
 *   REPORT/coverage/index.html (+ one page per file, line by line)
 *   REPORT/coverage/summary.json, REPORT/coverage/coverage.txt
 *   REPORT/coverage/cobertura.xml  (GitLab's and Jenkins' coverage views)
 *   REPORT/coverage/lcov.info      (Codecov, editors' gutters; gcovr 5.2 has no
 *                                   --lcov, so it is written here from gcovr's JSON)
 * Paths in lcov.info are the repository's, labs/<lab>/<file>, so that a
 * viewer of the student's repository finds the file.
 */
#include "results.h"
#include "util.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* gcovr's filters are regular expressions, matched from the start of the
 * absolute path (an explicit ^ or $ makes gcovr 5.2 match nothing). */
static char *regex_of(const char *path)
{
    struct sbuf b = {0};
    for (const char *p = path; *p; p++) {
        if (strchr(".^$*+?()[]{}|\\", *p))
            sb_add(&b, "\\");
        sb_addn(&b, p, 1);
    }
    return sb_take(&b);
}

/* Keep only regular files and folders in the object folder: the tests could
 * write there (gcov's .gcda files), and gcovr, run by the grader, must not
 * follow a link of theirs. */
static void keep_regular_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *path = xprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            keep_regular_files(path);
        else if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1)
            unlink(path);
        free(path);
    }
    if (d)
        closedir(d);
}

/* gcovr, and once more when it fails: a passing failure of the machine is
 * not a loss of coverage; a failure that persists is noted with its cause. */
static int run_gcovr(char **argv, const char *dir, char **out)
{
    int rc = run_capture(argv, dir, out, 1 << 20);
    if (rc != 0) {
        free(*out);
        *out = NULL;
        rc = run_capture(argv, dir, out, 1 << 20);
    }
    return rc;
}

/* One lcov branch record per outcome of every branch gcov saw on a line. */
static void lcov_branches(FILE *f, json_t *line, long *found, long *hit)
{
    long no = json_integer_value(json_object_get(line, "line_number"));
    size_t i;
    json_t *br;
    json_array_foreach(json_object_get(line, "branches"), i, br)
    {
        long n = json_integer_value(json_object_get(br, "count"));
        fprintf(f, "BRDA:%ld,0,%zu,%ld\n", no, i, n);
        ++*found;
        *hit += n > 0;
    }
}

/* The record of one source file: its functions, lines and branches, code
 * lines only (gcovr marks comments and excluded lines). */
static void lcov_file(FILE *f, const char *lab, json_t *file)
{
    const char *name = json_string_value(json_object_get(file, "file"));
    fprintf(f, "TN:\nSF:labs/%s/%s\n", lab, base_name(name ? name : "?"));
    size_t i;
    json_t *v;
    long fn_hit = 0, ln_hit = 0, ln_found = 0, br_found = 0, br_hit = 0;
    json_t *fns = json_object_get(file, "functions");
    json_array_foreach(fns, i, v)
    {
        fprintf(f, "FN:%lld,%s\n", json_integer_value(json_object_get(v, "lineno")),
                json_string_value(json_object_get(v, "name")));
    }
    json_array_foreach(fns, i, v)
    {
        long n = json_integer_value(json_object_get(v, "execution_count"));
        fprintf(f, "FNDA:%ld,%s\n", n, json_string_value(json_object_get(v, "name")));
        fn_hit += n > 0;
    }
    fprintf(f, "FNF:%zu\nFNH:%ld\n", json_array_size(fns), fn_hit);
    json_array_foreach(json_object_get(file, "lines"), i, v)
    {
        if (json_is_true(json_object_get(v, "gcovr/noncode")) ||
            json_is_true(json_object_get(v, "gcovr/excluded")))
            continue;
        long n = json_integer_value(json_object_get(v, "count"));
        fprintf(f, "DA:%lld,%ld\n", json_integer_value(json_object_get(v, "line_number")), n);
        ln_found++;
        ln_hit += n > 0;
        lcov_branches(f, v, &br_found, &br_hit);
    }
    fprintf(f, "BRF:%ld\nBRH:%ld\nLF:%ld\nLH:%ld\nend_of_record\n", br_found, br_hit, ln_found,
            ln_hit);
}

/* dir/lcov.info from gcovr's JSON report dir/coverage.json (then removed:
 * the summary and the HTML say the same for people).  0 on success. */
static int write_lcov(const char *dir, const char *lab)
{
    char *json = xprintf("%s/coverage.json", dir);
    char *path = xprintf("%s/lcov.info.tmp", dir);
    json_t *o = json_load_file(json, 0, NULL);
    FILE *f = o ? fopen(path, "w") : NULL;
    int rc = -1;
    if (f) {
        size_t i;
        json_t *file;
        json_array_foreach(json_object_get(o, "files"), i, file) lcov_file(f, lab, file);
        rc = fclose(f) == 0 ? 0 : -1;
        char *final = xprintf("%s/lcov.info", dir);
        rc = rc == 0 ? rename_into_place(path, final) : -1;
        free(final);
    }
    json_decref(o);
    unlink(json);
    free(path);
    free(json);
    return rc;
}

void coverage_collect(struct grade *g)
{
    char *dir = xprintf("%s/coverage", g->report_dir);
    rm_rf(dir);
    mkdir_p(dir, 0755);
    char *src = xprintf("%s/src", g->work_dir);
    char *obj = xprintf("%s/obj", g->work_dir);
    char **argv = list_push(NULL, xstrdup("gcovr"));
    argv = list_push(argv, xstrdup("--root"));
    argv = list_push(argv, xstrdup(src));
    for (size_t i = 0; g->staged && g->staged[i]; i++) {
        argv = list_push(argv, xstrdup("--filter"));
        argv = list_push(argv, regex_of(g->staged[i]));
    }
    const char *const tail[] = {"--json-summary-pretty",
                                "--json-summary",
                                "summary.json",
                                "--txt",
                                "coverage.txt",
                                "--html-details",
                                "index.html",
                                "--html-title",
                                "memlab coverage",
                                "--cobertura-pretty",
                                "--cobertura",
                                "cobertura.xml",
                                "--json",
                                "coverage.json"};
    for (size_t i = 0; i < sizeof tail / sizeof *tail; i++)
        argv = list_push(argv, xstrdup(tail[i]));
    argv = list_push(argv, xstrdup(obj));
    keep_regular_files(obj);
    char *out = NULL;
    int rc = run_gcovr(argv, dir, &out);
    char *summary = xprintf("%s/summary.json", dir);
    json_t *o = rc == 0 ? json_load_file(summary, 0, NULL) : NULL;
    if (o) {
        g->has_coverage = 1;
        g->line_pct = json_number_value(json_object_get(o, "line_percent"));
        g->branch_pct = json_number_value(json_object_get(o, "branch_percent"));
        g->lines_total = (long)json_integer_value(json_object_get(o, "line_total"));
        g->lines_covered = (long)json_integer_value(json_object_get(o, "line_covered"));
        if (write_lcov(dir, g->lab) != 0)
            g->notes = list_push(g->notes, xstrdup("no lcov.info: gcovr's JSON was unreadable"));
    } else {
        char *why = one_line(out, 200);
        g->notes = list_push(g->notes, xprintf("no coverage: gcovr failed (%d): %s", rc, why));
        free(why);
    }
    json_decref(o);
    free(summary);
    free(out);
    list_free(argv);
    free(obj);
    free(src);
    free(dir);
}
