/*
 * discover.c -- what there is to grade: the kit's labs, the class's
 * submissions, and whether a (student, lab) job has already finished.
 */
#include "batch.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ labs */

static const char *const teaching_order[] = {"refcount", "cycles", "pools", "generators",
                                             "tracing"};

static int lab_rank(const char *lab)
{
    size_t n = sizeof teaching_order / sizeof *teaching_order;
    for (size_t i = 0; i < n; i++)
        if (strcmp(lab, teaching_order[i]) == 0)
            return (int)i;
    return (int)n;
}

static int compare_labs(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    int rx = lab_rank(x), ry = lab_rank(y);
    return rx != ry ? rx - ry : strcmp(x, y);
}

size_t discover_labs(const char *kit, char ***out)
{
    char *tests = path_join(kit, "tests");
    DIR *d = opendir(tests);
    size_t n = 0, cap = 8;
    char **labs = xmalloc(cap * sizeof *labs);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *json = xprintf("%s/%s/lab.json", tests, e->d_name);
        if (is_file(json)) {
            if (n == cap)
                labs = xrealloc(labs, (cap *= 2) * sizeof *labs);
            labs[n++] = xstrdup(e->d_name);
        }
        free(json);
    }
    if (d)
        closedir(d);
    free(tests);
    qsort(labs, n, sizeof *labs, compare_labs);
    *out = labs;
    return n;
}

/* ------------------------------------------------------------ students */

static const char *const archive_suffixes[] = {".tar.gz",  ".tgz", ".tar.xz",
                                               ".tar.bz2", ".tar", ".zip"};

/* Length of the archive suffix name ends with, or 0. */
static size_t archive_suffix(const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < sizeof archive_suffixes / sizeof *archive_suffixes; i++) {
        size_t sl = strlen(archive_suffixes[i]);
        if (len > sl && strcmp(name + len - sl, archive_suffixes[i]) == 0)
            return sl;
    }
    return 0;
}

static int compare_students(const void *a, const void *b)
{
    return strcmp(((const struct student *)a)->name, ((const struct student *)b)->name);
}

size_t discover_students(const char *dir, struct student **out)
{
    DIR *d = opendir(dir);
    if (!d)
        return (size_t)-1;
    size_t n = 0, cap = 64;
    struct student *s = xmalloc(cap * sizeof *s);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *source = path_join(dir, e->d_name);
        size_t suffix = archive_suffix(e->d_name);
        if (!is_dir(source) && !(suffix && is_file(source))) {
            fprintf(stderr, "memlab-grade-all: ignoring %s (neither a folder nor an archive)\n",
                    source);
            free(source);
            continue;
        }
        if (n == cap)
            s = xrealloc(s, (cap *= 2) * sizeof *s);
        struct student *st = &s[n++];
        memset(st, 0, sizeof *st);
        st->source = source;
        st->is_archive = !is_dir(source);
        st->name = xstrdup(e->d_name);
        if (st->is_archive)
            st->name[strlen(st->name) - suffix] = '\0';
    }
    closedir(d);
    qsort(s, n, sizeof *s, compare_students);
    /* alice/ and alice.zip side by side: one student, graded once (the first). */
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (kept && strcmp(s[kept - 1].name, s[i].name) == 0) {
            fprintf(stderr, "memlab-grade-all: %s and %s are the same student; grading %s\n",
                    s[kept - 1].source, s[i].source, s[kept - 1].source);
            free(s[i].name);
            free(s[i].source);
            continue;
        }
        s[kept++] = s[i];
    }
    *out = s;
    return kept;
}

/* ------------------------------------------------------------ job folders */

char *job_final_dir(const char *out, const char *student, const char *lab)
{
    return xprintf("%s/reports/%s/%s", out, student, lab);
}

int job_is_done(const char *final_dir)
{
    char *marker = path_join(final_dir, ".done");
    int done = is_file(marker);
    free(marker);
    return done;
}

int job_failed(const char *final_dir)
{
    char *marker = path_join(final_dir, ".done");
    FILE *f = fopen(marker, "r");
    free(marker);
    if (!f)
        return 1;
    char line[256];
    int graded = 0;
    while (fgets(line, sizeof line, f))
        if (strcmp(line, "status=graded\n") == 0)
            graded = 1;
    fclose(f);
    return !graded;
}
