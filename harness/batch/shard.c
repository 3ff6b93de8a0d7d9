/*
 * shard.c -- one class graded by several machines at once, into one shared
 * OUT folder: which students a shard grades, how shards share OUT without
 * stepping on each other, and how far each one has got.
 *
 * A shard is "--shard I/N" (1 <= I <= N).  Student s belongs to shard
 *
 *     1 + FNV-1a-32(s.name) mod N
 *
 * a function of the name alone.  That is what makes a shard stable: adding
 * a late submission, or removing one, never moves any other student to
 * another shard, so a task that is requeued after the submissions folder
 * changed still owns exactly the students it owned (and whose report
 * folders it may have half written), and no two shards ever grade one
 * student.  Sorted-order striding would balance shards exactly, but one new
 * name shifts every student after it.  The price is balance: with 10
 * students and 3 shards, a shard may hold 2 and another 5; with a class of
 * a hundred or more the shards differ by a few percent.
 *
 * Sharing OUT: a whole-class run locks OUT/.lock exclusively; a shard, a
 * warm-up and a merge lock it shared (so none of them runs beside a
 * whole-class run), and a shard also locks OUT/.lock-shard-I-of-N
 * exclusively (one process per shard).  A shard only removes the leftovers
 * of its own students: another shard's temporaries are that shard's
 * running work.
 */
#include "batch.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* ------------------------------------------------------------ which shard */

int shard_parse(const char *text, struct shard *out)
{
    char *end;
    long i = strtol(text, &end, 10);
    if (end == text || *end != '/')
        return -1;
    const char *rest = end + 1;
    long n = strtol(rest, &end, 10);
    if (end == rest || *end != '\0' || n < 1 || n > 100000 || i < 1 || i > n)
        return -1;
    out->index = (int)i;
    out->count = (int)n;
    return 0;
}

int shard_of(const char *name, int count)
{
    uint32_t h = 2166136261u; /* FNV-1a, 32 bits: fixed, so shards never move */
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h ^= *p;
        h *= 16777619u;
    }
    return (int)(h % (uint32_t)count) + 1;
}

size_t shard_select(struct student *all, size_t n, const struct shard *sh, struct student **mine)
{
    struct student *kept = xmalloc((n + 1) * sizeof *kept);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (shard_of(all[i].name, sh->count) == sh->index)
            kept[k++] = all[i];
    *mine = kept;
    return k;
}

/* ------------------------------------------------------------ locks */

/* Opens OUT/name and flocks it (LOCK_SH or LOCK_EX, never waiting).
 * Returns the descriptor, held until exit, or -1. */
static int lock_file(const char *out, const char *name, int how)
{
    char *path = path_join(out, name);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    free(path);
    if (fd >= 0 && flock(fd, how | LOCK_NB) == 0)
        return fd;
    if (fd >= 0)
        close(fd);
    return -1;
}

int lock_out(const char *out, const struct shard *sh, int shared)
{
    if (lock_file(out, ".lock", sh->count || shared ? LOCK_SH : LOCK_EX) < 0) {
        fprintf(stderr,
                "memlab-grade-all: %s is in use by another memlab-grade-all (a whole-class "
                "run, or shards while a whole-class run was asked for)\n",
                out);
        return -1;
    }
    if (!sh->count)
        return 0;
    char *name = xprintf(".lock-shard-%d-of-%d", sh->index, sh->count);
    int fd = lock_file(out, name, LOCK_EX);
    free(name);
    if (fd < 0) {
        fprintf(stderr, "memlab-grade-all: shard %d/%d of %s is already being graded\n", sh->index,
                sh->count, out);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ leftovers */

/* True when entry is "<prefix><pid>" (a temporary folder) or
 * "<prefix><pid>.log" (its grader's log, kept beside it while it runs). */
static int is_temporary_of(const char *entry, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(entry, prefix, n) != 0)
        return 0;
    size_t digits = strspn(entry + n, "0123456789");
    const char *rest = entry + n + digits;
    return digits > 0 && (*rest == '\0' || strcmp(rest, ".log") == 0);
}

/* Removes every entry of dir that is a temporary with that prefix. */
static void remove_temporaries(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (is_temporary_of(e->d_name, prefix)) {
            char *p = path_join(dir, e->d_name);
            rm_rf(p);
            free(p);
        }
    }
    if (d)
        closedir(d);
}

void remove_student_leftovers(const char *out, const struct student *s, char **labs, size_t nlabs)
{
    char *reports = xprintf("%s/reports/%s", out, s->name);
    for (size_t l = 0; l < nlabs; l++) {
        char *prefix = xprintf(".%s.tmp-", labs[l]);
        remove_temporaries(reports, prefix);
        free(prefix);
    }
    char *unpacked = path_join(out, "unpacked");
    char *prefix = xprintf(".%s.tmp-", s->name);
    remove_temporaries(unpacked, prefix);
    free(prefix), free(unpacked), free(reports);
}

/* ------------------------------------------------------------ progress */

/* Report folders of a student being graded now (or left by a killed run). */
static size_t count_in_progress(const char *out, const struct student *s, const char *lab)
{
    char *reports = xprintf("%s/reports/%s", out, s->name);
    char *prefix = xprintf(".%s.tmp-", lab);
    DIR *d = opendir(reports);
    size_t n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += is_temporary_of(e->d_name, prefix);
    if (d)
        closedir(d);
    free(prefix), free(reports);
    return n > 0;
}

int shard_status(const char *out, struct student *students, size_t n, char **labs, size_t nlabs,
                 const char *label)
{
    size_t graded = 0, failed = 0, running = 0, total = n * nlabs;
    for (size_t s = 0; s < n; s++)
        for (size_t l = 0; l < nlabs; l++) {
            char *dir = job_final_dir(out, students[s].name, labs[l]);
            if (job_is_done(dir))
                job_failed(dir) ? failed++ : graded++;
            else
                running += count_in_progress(out, &students[s], labs[l]);
            free(dir);
        }
    printf("%s: %zu students, %zu jobs: %zu graded, %zu failed, %zu being graded, %zu to do\n",
           label, n, total, graded, failed, running, total - graded - failed - running);
    return graded + failed == total ? 0 : 1;
}
