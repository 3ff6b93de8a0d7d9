/*
 * batch.h -- grading a whole class: one grader run per (student, lab).
 *
 * memlab-grade-all walks a folder of submissions (one folder, tarball or zip
 * per student), runs memlab-grade once per student and lab, N at a time, and
 * rebuilds a gradebook CSV from the finished report folders:
 *
 *     SUBMISSIONS/alice/            a folder ...
 *     SUBMISSIONS/bob.tar.gz        ... or an archive per student
 *                 |
 *                 v   unpack (archives only, once, atomically)
 *     OUT/unpacked/bob/
 *                 |
 *                 v   memlab-grade --lab L --submission S --report TMP   (N workers)
 *     OUT/reports/alice/.refcount.tmp-<pid>/     graded here, then
 *     OUT/reports/alice/refcount/.done           renamed into place with its marker
 *                 |
 *                 v   read every finished report folder
 *     OUT/gradebook.csv                          written to a temporary, then renamed
 *
 * Invariant (what makes a restart safe): a folder OUT/reports/<s>/<l>/ exists
 * only complete, with its .done marker inside, because it appears by one
 * rename(2) of a folder the grader has finished.  Anything else under
 * OUT/reports is a leftover of an interrupted run and is thrown away.  So a
 * restart skips exactly the jobs that finished, and the gradebook, rebuilt
 * from finished folders only, can never hold half a result.
 *
 * Several machines can share one OUT (a network folder): each grades a shard
 * of the class (--shard I/N, shard.c), and a last run (--merge) rebuilds the
 * gradebook from every shard's finished folders.  The invariant is the same:
 * a student belongs to exactly one shard, so one process writes its folders.
 *
 * Files: main.c (options, the run), discover.c (labs, students, jobs),
 * unpack.c (archives), pool.c (the workers, progress, atomic finish),
 * gradebook.c (the CSV), shard.c (shards, locks, status); paths, files,
 * folders and memory come from the grader's and this tool's one helper
 * library, harness/common/util.h.
 */
#ifndef MEMLAB_BATCH_H
#define MEMLAB_BATCH_H

#include "util.h"

#include <stddef.h>
#include <sys/types.h>

/* ------------------------------------------------------------ options */

/* Part I of N of the class (1 <= I <= N); count 0: the whole class. */
struct shard {
    int index;
    int count;
};

struct batch_options {
    const char *submissions; /* folder holding one entry per student */
    const char *out;         /* OUT above */
    const char *kit;         /* the kit's root (tests/<lab>/lab.json live there) */
    const char *build;       /* the kit's build folder, passed to the grader */
    const char *grader;      /* path of memlab-grade */
    char **labs;             /* labs to grade; all of the kit's when none given */
    size_t nlabs;
    int jobs;           /* graders running at once */
    int grader_jobs;    /* --jobs given to each grader */
    double timeout;     /* wall seconds one grader run may take */
    int force;          /* regrade even what is done */
    int retry_failed;   /* regrade jobs whose grader failed or timed out */
    int quiet;          /* no per-job progress lines */
    char **grader_args; /* extra arguments for every grader run */
    size_t ngrader_args;
    struct shard shard; /* the part of the class to grade; count 0: all */
    const char *format; /* --format canvas|moodle: an LMS export too (lms.c), or NULL */
    const char *roster; /* --roster: folder -> LMS identity, with --format */
};

/* ------------------------------------------------------------ jobs */

enum job_state { JOB_TODO, JOB_SKIPPED, JOB_RUNNING, JOB_DONE };

struct student {
    char *name;   /* folder or archive name without its extension */
    char *source; /* SUBMISSIONS/<entry> */
    int is_archive;
    char *dir; /* the folder handed to the grader (after unpacking) */
    int unpack_failed;
    char *unpack_error;
};

struct job {
    struct student *student;
    const char *lab;
    enum job_state state;
    pid_t pid;
    double started; /* monotonic seconds */
    char *tmp_dir;  /* where the grader writes while it runs */
    char *final_dir;
};

/* Labs of the kit (folders tests/<lab>/ with a lab.json), in the order of
 * their lab.json "number" (the course's), then by name.  Returns the count;
 * *out is malloc'd. */
size_t discover_labs(const char *kit, char ***out);

/* One student per folder, .tar, .tar.gz, .tgz, .tar.xz or .zip in dir, by name.
 * Hidden entries are ignored.  Returns the count, or (size_t)-1 when dir
 * cannot be read. */
size_t discover_students(const char *dir, struct student **out);

/* The report folder of a (student, lab) job: OUT/reports/<student>/<lab>. */
char *job_final_dir(const char *out, const char *student, const char *lab);

/* True when that folder is finished (its .done marker exists). */
int job_is_done(const char *final_dir);

/* True when the finished job's grader failed or timed out. */
int job_failed(const char *final_dir);

/* ------------------------------------------------------------ unpack */

/* Makes s->dir: the student's folder as is, or the archive unpacked once into
 * OUT/unpacked/<name>/ (to a temporary, then renamed).  When the archive holds
 * a single top folder, s->dir is that folder.  Returns 0, or -1 with
 * s->unpack_error set. */
int unpack_student(const char *out, struct student *s);

/* ------------------------------------------------------------ pool */

/* Runs every JOB_TODO job, opts->jobs at a time, printing a progress line per
 * finished job.  Returns 0, or 130 when interrupted by SIGINT/SIGTERM (the
 * finished jobs are kept, the running ones discarded). */
int pool_run(const struct batch_options *opts, struct job *jobs, size_t njobs);

/* ------------------------------------------------------------ gradebook */

/* lms.c: OUT/<format>.csv (canvas or moodle) for the students whose folders
 * the roster names; unmatched folders and entries listed on stderr and in
 * OUT/lms-unmatched.txt.  0, or 2 when it cannot be written. */
int lms_write(const char *out, const char *format, const char *roster_path,
              struct student *students, size_t n, char **labs, size_t nlabs);

/* gradebook.c: the score and maximum a report folder's results.json holds;
 * -1 when it has none. */
int results_score(const char *report_dir, double *score, double *max_score);

/* Rebuilds OUT/gradebook.csv from the finished report folders of the given
 * students and labs (atomically).  Returns 0 or -1. */
int gradebook_write(const char *out, struct student *students, size_t nstudents, char **labs,
                    size_t nlabs);

/* ------------------------------------------------------------ shard */

/* Parses "I/N" with 1 <= I <= N.  Returns 0, or -1 when text is not that. */
int shard_parse(const char *text, struct shard *out);

/* The shard (1..count) a student of that name belongs to: a hash of the name
 * alone, so no other student's arrival or departure ever moves it. */
int shard_of(const char *name, int count);

/* The students of all that belong to shard sh, in the same order, into a
 * malloc'd *mine (shallow copies).  Returns their count. */
size_t shard_select(struct student *all, size_t n, const struct shard *sh, struct student **mine);

/* Locks OUT for this run: exclusively for a whole-class run, shared for a
 * shard (which also locks its own shard exclusively) or when shared is set
 * (a merge, a warm-up).  Returns 0, or -1 after saying who holds it. */
int lock_out(const char *out, const struct shard *sh, int shared);

/* Removes what an interrupted run left of this student's jobs (report and
 * archive temporaries), and nothing of any other student's. */
void remove_student_leftovers(const char *out, const struct student *s, char **labs, size_t nlabs);

/* Prints one line "LABEL: S students, J jobs: G graded, F failed, R being
 * graded, T to do" for these students.  Returns 0 when every job is
 * finished, else 1. */
int shard_status(const char *out, struct student *students, size_t n, char **labs, size_t nlabs,
                 const char *label);

#endif /* MEMLAB_BATCH_H */
