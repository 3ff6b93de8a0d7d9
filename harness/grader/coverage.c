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
 */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "results.h"
#include "util.h"

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
    const char *const tail[] = {"--json-summary-pretty", "--json-summary", "summary.json",
                                "--txt", "coverage.txt", "--html-details", "index.html",
                                "--html-title", "memlab coverage"};
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
