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
 * Files: main.c (options, the run), discover.c (labs, students, jobs),
 * unpack.c (archives), pool.c (the workers, progress, atomic finish),
 * gradebook.c (the CSV), fsutil.c (paths, files, folders).
 */
#ifndef MEMLAB_BATCH_H
#define MEMLAB_BATCH_H

#include <stddef.h>
#include <sys/types.h>

/* ------------------------------------------------------------ options */

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

/* Labs of the kit (folders tests/<lab>/ with a lab.json), in teaching order
 * first, then by name.  Returns the count; *out is malloc'd. */
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

/* Rebuilds OUT/gradebook.csv from the finished report folders of the given
 * students and labs (atomically).  Returns 0 or -1. */
int gradebook_write(const char *out, struct student *students, size_t nstudents, char **labs,
                    size_t nlabs);

/* ------------------------------------------------------------ fsutil */

char *path_join(const char *a, const char *b); /* malloc'd "a/b" */
char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int mkdir_p(const char *path);                             /* 0 or -1 */
int remove_tree(const char *path);                         /* 0 or -1; absent is fine */
int write_file_atomic(const char *path, const char *text); /* tmp + fsync + rename */
int fsync_dir_of(const char *path);                        /* fsync the parent folder */
int is_dir(const char *path);
int is_file(const char *path);
double now_seconds(void); /* CLOCK_MONOTONIC */
void *xmalloc(size_t n);
char *xstrdup(const char *s);

#endif /* MEMLAB_BATCH_H */
