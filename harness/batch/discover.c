/*
 * discover.c -- what there is to grade: the kit's labs, the class's
 * submissions, and whether a (student, lab) job has already finished.
 */
#include "batch.h"

#include <dirent.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ labs */

/* A lab and its place in the course: lab.json's "number" (labs without
 * one come last). */
struct lab_entry {
    char *name;
    json_int_t number;
};

static json_int_t lab_number(const char *json_path)
{
    json_t *lab = json_load_file(json_path, 0, NULL);
    json_t *number = json_object_get(lab, "number");
    json_int_t n = json_is_integer(number) ? json_integer_value(number) : INT_MAX;
    json_decref(lab);
    return n;
}

static int compare_labs(const void *a, const void *b)
{
    const struct lab_entry *x = a, *y = b;
    if (x->number != y->number)
        return x->number < y->number ? -1 : 1;
    return strcmp(x->name, y->name);
}

size_t discover_labs(const char *kit, char ***out)
{
    char *tests = path_join(kit, "tests");
    DIR *d = opendir(tests);
    size_t n = 0;
    struct lab_entry *found = NULL;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *json = xprintf("%s/%s/lab.json", tests, e->d_name);
        if (is_file(json)) {
            found = xrealloc(found, (n + 1) * sizeof *found);
            found[n++] = (struct lab_entry){xstrdup(e->d_name), lab_number(json)};
        }
        free(json);
    }
    if (d)
        closedir(d);
    free(tests);
    qsort(found, n, sizeof *found, compare_labs);
    char **labs = xmalloc((n + 1) * sizeof *labs);
    for (size_t i = 0; i < n; i++)
        labs[i] = found[i].name;
    free(found);
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
