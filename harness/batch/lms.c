/*
 * lms.c -- the class's grades as an LMS gradebook import (--format canvas
 * or moodle, --roster FILE.csv), written beside gradebook.csv.
 *
 * A submission folder is named by whatever handed it in (a Classroom login,
 * a Gradescope export name); the LMS knows students by its own identities.
 * The roster maps one to the other: a CSV file with a header row and a
 * column "folder" (the submission's name), plus the identity columns the
 * format needs:
 *   canvas  name, id (required), sis_user_id, sis_login_id, section
 *   moodle  username or email (one of them required; both are written)
 * Every other column is ignored.  The roster is read with libcsv.
 *
 *   OUT/canvas.csv  Canvas's gradebook import: Student, ID, SIS User ID,
 *                   SIS Login ID, Section, then one column per lab,
 *                   "memlabs <lab>", and a "Points Possible" row under the
 *                   header; Canvas ignores no column of it and rejects none
 *   OUT/moodle.csv  Moodle's "Import grades from CSV": username, email, one
 *                   column per lab; mapped on username or email
 *
 * A folder the roster does not name is never dropped in silence: it is
 * listed on stderr and in OUT/lms-unmatched.txt, and so is a roster entry
 * with no submission (its row is written with empty grades, which both
 * LMSs leave as they were).  Only a lab's score is exported: status and
 * coverage stay in gradebook.csv, as Canvas would make each an assignment.
 */
#include "batch.h"

#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ the roster */

/* One row of the roster, each field malloc'd ("" when the column is absent). */
struct person {
    char *folder, *name, *id, *sis_user, *sis_login, *section, *username, *email;
    int matched; /* a submission folder has this name */
};

static const char *const columns[] = {"folder",       "name",    "id",       "sis_user_id",
                                      "sis_login_id", "section", "username", "email"};
#define NCOLUMNS (sizeof columns / sizeof *columns)

struct roster {
    struct person *people;
    size_t n;
    int column_of[64]; /* the roster's column k is our field column_of[k], or -1 */
    size_t ncolumns;
    size_t field; /* the column being read */
    int header_done;
    char *row[NCOLUMNS];
};

static char **person_field(struct person *p, size_t k)
{
    char **fields[NCOLUMNS] = {&p->folder,    &p->name,    &p->id,       &p->sis_user,
                               &p->sis_login, &p->section, &p->username, &p->email};
    return fields[k];
}

/* libcsv's field callback: the header names the columns, a row fills one. */
static void on_field(void *text, size_t len, void *data)
{
    struct roster *r = data;
    char *s = malloc(len + 1);
    memcpy(s, text, len);
    s[len] = '\0';
    size_t k = r->field++;
    if (!r->header_done) {
        if (k < 64) {
            r->column_of[k] = -1;
            for (size_t c = 0; c < NCOLUMNS; c++)
                if (strcasecmp(s, columns[c]) == 0)
                    r->column_of[k] = (int)c;
            r->ncolumns = k + 1;
        }
        free(s);
        return;
    }
    if (k < r->ncolumns && r->column_of[k] >= 0 && !r->row[r->column_of[k]])
        r->row[r->column_of[k]] = s;
    else
        free(s);
}

/* libcsv's end-of-row callback: a row with a folder becomes a person. */
static void on_row(int c, void *data)
{
    (void)c;
    struct roster *r = data;
    r->field = 0;
    if (!r->header_done) {
        r->header_done = 1;
        return;
    }
    if (!r->row[0] || !r->row[0][0]) {
        for (size_t k = 0; k < NCOLUMNS; k++)
            free(r->row[k]);
    } else {
        r->people = realloc(r->people, (r->n + 1) * sizeof *r->people);
        struct person *p = &r->people[r->n++];
        memset(p, 0, sizeof *p);
        for (size_t k = 0; k < NCOLUMNS; k++)
            *person_field(p, k) = r->row[k] ? r->row[k] : xstrdup("");
    }
    memset(r->row, 0, sizeof r->row);
}

/* Reads the roster; -1 (with a message) when it cannot be read or parsed. */
static int roster_read(const char *path, struct roster *r)
{
    memset(r, 0, sizeof *r);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "memlab-grade-all: cannot read the roster %s\n", path);
        return -1;
    }
    struct csv_parser p;
    csv_init(&p, CSV_STRICT | CSV_STRICT_FINI);
    char buf[8192];
    size_t n;
    int bad = 0;
    while (!bad && (n = fread(buf, 1, sizeof buf, f)) > 0)
        bad = csv_parse(&p, buf, n, on_field, on_row, r) != n;
    bad = bad || csv_fini(&p, on_field, on_row, r) != 0;
    if (bad)
        fprintf(stderr, "memlab-grade-all: the roster %s is not valid CSV: %s\n", path,
                csv_strerror(csv_error(&p)));
    csv_free(&p);
    fclose(f);
    return bad ? -1 : 0;
}

static struct person *roster_find(struct roster *r, const char *folder)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->people[i].folder, folder) == 0)
            return &r->people[i];
    return NULL;
}

static void roster_free(struct roster *r)
{
    for (size_t i = 0; i < r->n; i++)
        for (size_t k = 0; k < NCOLUMNS; k++)
            free(*person_field(&r->people[i], k));
    free(r->people);
}

/* ------------------------------------------------------------ the exports */

/* The field as RFC 4180 quotes it, and with a leading ' when a spreadsheet
 * would take it for a formula. */
static void put_field(FILE *f, const char *s, int last)
{
    int formula = s[0] && strchr("=+-@", s[0]);
    if (formula || strpbrk(s, ",\"\r\n")) {
        fputs(formula ? "\"'" : "\"", f);
        for (const char *p = s; *p; p++)
            fputs(*p == '"' ? "\"\"" : (char[]){*p, 0}, f);
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputc(last ? '\n' : ',', f);
}

/* A lab's score of the student, or "" when it was not graded. */
static void put_score(FILE *f, const char *out, const char *folder, const char *lab, int last)
{
    char *dir = job_final_dir(out, folder, lab);
    double score = 0, max = 0;
    char text[32] = "";
    if (folder && job_is_done(dir) && results_score(dir, &score, &max) == 0)
        snprintf(text, sizeof text, "%g", score);
    free(dir);
    put_field(f, text, last);
}

/* The best-known maximum of each lab: the largest any report gave. */
static double lab_max(const char *out, struct student *st, size_t n, const char *lab)
{
    double best = 0;
    for (size_t s = 0; s < n; s++) {
        char *dir = job_final_dir(out, st[s].name, lab);
        double score, max;
        if (job_is_done(dir) && results_score(dir, &score, &max) == 0 && max > best)
            best = max;
        free(dir);
    }
    return best;
}

static void write_rows(FILE *f, int canvas, struct roster *r, const char *out, char **labs,
                       size_t nlabs)
{
    for (size_t i = 0; i < r->n; i++) {
        struct person *p = &r->people[i];
        if (canvas) {
            const char *ids[] = {p->name, p->id, p->sis_user, p->sis_login, p->section};
            for (size_t k = 0; k < 5; k++)
                put_field(f, ids[k], 0);
        } else {
            put_field(f, p->username, 0);
            put_field(f, p->email, 0);
        }
        for (size_t l = 0; l < nlabs; l++)
            put_score(f, out, p->matched ? p->folder : NULL, labs[l], l + 1 == nlabs);
    }
}

/* The header (and Canvas's Points Possible row). */
static void write_header(FILE *f, int canvas, const char *out, struct student *st, size_t n,
                         char **labs, size_t nlabs)
{
    fputs(canvas ? "Student,ID,SIS User ID,SIS Login ID,Section," : "username,email,", f);
    for (size_t l = 0; l < nlabs; l++) {
        char *title = xprintf("memlabs %s", labs[l]);
        put_field(f, title, l + 1 == nlabs);
        free(title);
    }
    if (!canvas)
        return;
    fputs("    Points Possible,,,,,", f);
    for (size_t l = 0; l < nlabs; l++)
        fprintf(f, "%g%c", lab_max(out, st, n, labs[l]), l + 1 == nlabs ? '\n' : ',');
}

/* The folders and roster entries that do not meet, on stderr and in
 * OUT/lms-unmatched.txt.  Returns how many. */
static size_t report_unmatched(const char *out, struct roster *r, struct student *st, size_t n)
{
    char *path = path_join(out, "lms-unmatched.txt");
    FILE *f = fopen(path, "w");
    size_t count = 0;
    for (size_t s = 0; s < n; s++) {
        struct person *p = roster_find(r, st[s].name);
        if (p) {
            p->matched = 1;
            continue;
        }
        count++;
        fprintf(stderr, "memlab-grade-all: %s is not in the roster: not exported\n", st[s].name);
        if (f)
            fprintf(f, "submission not in the roster: %s\n", st[s].name);
    }
    for (size_t i = 0; i < r->n; i++)
        if (!r->people[i].matched) {
            count++;
            fprintf(stderr, "memlab-grade-all: %s (roster) has no submission: empty grades\n",
                    r->people[i].folder);
            if (f)
                fprintf(f, "roster entry without a submission: %s\n", r->people[i].folder);
        }
    if (f)
        fclose(f);
    free(path);
    return count;
}

/* A roster usable for the format: every entry has the identity the LMS
 * maps on.  0, or -1 with a message. */
static int roster_fits(struct roster *r, int canvas)
{
    for (size_t i = 0; i < r->n; i++) {
        struct person *p = &r->people[i];
        if (canvas ? !p->id[0] : !p->username[0] && !p->email[0]) {
            fprintf(stderr, "memlab-grade-all: roster entry %s has no %s\n", p->folder,
                    canvas ? "id (Canvas's ID column)" : "username or email");
            return -1;
        }
    }
    return 0;
}

int lms_write(const char *out, const char *format, const char *roster_path,
              struct student *students, size_t n, char **labs, size_t nlabs)
{
    int canvas = strcmp(format, "canvas") == 0;
    if (!canvas && strcmp(format, "moodle") != 0) {
        fprintf(stderr, "memlab-grade-all: --format is canvas or moodle, not '%s'\n", format);
        return 2;
    }
    struct roster r;
    if (roster_read(roster_path, &r) != 0 || roster_fits(&r, canvas) != 0) {
        roster_free(&r);
        return 2;
    }
    report_unmatched(out, &r, students, n);
    char *path = path_join(out, canvas ? "canvas.csv" : "moodle.csv");
    char *tmp = xprintf("%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int rc = 2;
    if (f) {
        write_header(f, canvas, out, students, n, labs, nlabs);
        write_rows(f, canvas, &r, out, labs, nlabs);
        rc = fclose(f) == 0 && rename(tmp, path) == 0 ? 0 : 2;
    }
    if (rc)
        fprintf(stderr, "memlab-grade-all: cannot write %s\n", path);
    else
        fprintf(stderr, "memlab-grade-all: %s gradebook %s (%zu roster entries)\n", format, path,
                r.n);
    free(tmp);
    free(path);
    roster_free(&r);
    return rc;
}
