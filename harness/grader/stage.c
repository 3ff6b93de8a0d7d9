/*
 * stage.c -- stage 1: copy the submission's files into a fresh work folder.
 *
 * The submission is read, never written: everything later (compiling,
 * coverage data, the tests' scratch folders) happens under work/.  A file is
 * looked for as SUBMISSION/<file>, then SUBMISSION/labs/<lab>/<file>, so both
 * a folder of files and a whole copy of the kit can be graded.  It must be a
 * plain file, not empty, at most 1 MiB.
 *
 *   work/src/<file>     the staged copy (what is compiled and covered)
 *   work/obj/           objects, .gcno and .gcda
 *   work/bin/t_<lab>    the test binary
 *   work/tests/<name>/  one scratch folder per test
 */
#include "results.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *find_file(const struct grade *g, const char *file)
{
    char *direct = xprintf("%s/%s", g->submission, file);
    char *nested = xprintf("%s/labs/%s/%s", g->submission, g->lab, file);
    struct stat st;
    if (lstat(direct, &st) != 0 && lstat(nested, &st) == 0) {
        free(direct);
        return nested;
    }
    free(nested);
    return direct; /* named in the message as the place it was expected */
}

#define MAX_SOURCE_BYTES (1 << 20)

/* Why the file cannot be graded, or NULL.  Only plain files are taken: a
 * symbolic link could point the grader, which may run as root, at a file
 * the student may not read. */
static char *unusable(const struct grade *g, const char *file, const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return xprintf("%s is missing: the lab needs labs/%s/%s (looked in %s)", file, g->lab, file,
                       g->submission);
    if (!S_ISREG(st.st_mode))
        return xprintf("%s is not a regular file (a link or a folder): submit the file itself",
                       file);
    if (st.st_size == 0)
        return xprintf("%s is empty: the lab needs labs/%s/%s", file, g->lab, file);
    if (st.st_size > MAX_SOURCE_BYTES)
        return xprintf("%s is too large (%lld bytes; a lab file may have %d)", file,
                       (long long)st.st_size, MAX_SOURCE_BYTES);
    return NULL;
}

/* Stage every file of the lab.  On a missing or empty file: outcome
 * OUT_MISSING with a message naming the file, and -1. */
int stage_submission(struct grade *g)
{
    char *src = xprintf("%s/src", g->work_dir);
    char *obj = xprintf("%s/obj", g->work_dir);
    char *bin = xprintf("%s/bin", g->work_dir);
    rm_rf(g->work_dir);
    int rc = mkdir_p(src, 0755) | mkdir_p(obj, 0755) | mkdir_p(bin, 0755);
    free(obj);
    free(bin);
    if (rc != 0) {
        fprintf(stderr, "memlab-grade: cannot create the work folder %s\n", g->work_dir);
        free(src);
        return -2;
    }
    for (size_t i = 0; g->files[i]; i++) {
        char *from = find_file(g, g->files[i]);
        char *to = xprintf("%s/%s", src, g->files[i]);
        char *why = unusable(g, g->files[i], from);
        if (why) {
            g->outcome = OUT_MISSING;
            g->outcome_message = why;
            free(from);
            free(to);
            free(src);
            return -1;
        }
        if (copy_file(from, to) != 0) {
            fprintf(stderr, "memlab-grade: cannot copy %s to %s\n", from, to);
            free(from);
            free(to);
            free(src);
            return -2;
        }
        g->staged = list_push(g->staged, to);
        free(from);
    }
    free(src);
    return 0;
}
