/*
 * main.c -- memlab-grade-all: a whole class graded in one command.
 *
 *   memlab-grade-all --submissions DIR [--lab ID]... [--out DIR] [--jobs N]
 *
 * Reads the options, finds the labs and the students, skips the jobs an
 * earlier run finished, runs the rest (pool.c), then rebuilds the gradebook
 * from every finished report folder (gradebook.c).  Run it again after an
 * interruption and it goes on where it stopped.  See batch.h for the layout
 * and the invariant that makes this safe.
 */
#include "batch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fputs("usage: memlab-grade-all --submissions DIR [options]\n"
          "\n"
          "Grades every student's submission (a folder, .zip or .tar[.gz|.xz] per student)\n"
          "for every lab, N graders at a time, and writes OUT/gradebook.csv and each\n"
          "student's report folder OUT/reports/<student>/<lab>/.  Rerun the same command\n"
          "after an interruption: finished work is kept and not graded again.\n"
          "\n"
          "  --submissions DIR  one entry per student (required)\n"
          "  --lab ID           grade this lab (repeatable, or a comma list); default: all\n"
          "  --out DIR          where reports and the gradebook go (default: grades)\n"
          "  --jobs N           graders at once (default: the number of CPUs)\n"
          "  --grader-jobs N    --jobs given to each grader (default 1)\n"
          "  --timeout SEC      wall time one grader run may take (default 1800)\n"
          "  --kit DIR          the kit's root (default .)\n"
          "  --build DIR        the kit's build folder (default build)\n"
          "  --grader PATH      memlab-grade (default BUILD/bin/memlab-grade)\n"
          "  --grader-arg ARG   pass ARG to every grader run (repeatable), e.g.\n"
          "                     --grader-arg=--no-calibrate\n"
          "  --force            grade again what is already graded\n"
          "  --retry-failed     grade again the jobs whose grader failed or timed out\n"
          "  --gradebook-only   only rebuild the gradebook from the finished reports\n"
          "  --quiet            no progress lines\n",
          f);
}

static void add_labs(struct batch_options *o, const char *list)
{
    char *copy = xstrdup(list), *save = NULL;
    for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        o->labs = realloc(o->labs, (o->nlabs + 1) * sizeof *o->labs);
        o->labs[o->nlabs++] = xstrdup(tok);
    }
    free(copy);
}

static int positive(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (*s == '\0' || *end != '\0' || !(v > 0))
        return -1;
    *out = v;
    return 0;
}

/* Leftovers of an interrupted run (temporaries of reports and archives):
 * never a finished result, so they are simply removed. */
static void remove_leftovers(const char *out)
{
    const char *holders[] = {"reports", "unpacked"};
    for (size_t h = 0; h < 2; h++) {
        char *base = path_join(out, holders[h]);
        DIR *d = opendir(base);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                char *p = path_join(base, e->d_name);
                remove_tree(p);
                free(p);
                continue;
            }
            if (h != 0 || e->d_name[0] == '.')
                continue;
            char *student = path_join(base, e->d_name);
            DIR *sd = opendir(student);
            struct dirent *se;
            while (sd && (se = readdir(sd))) {
                if (se->d_name[0] == '.' && strstr(se->d_name, ".tmp-")) {
                    char *p = path_join(student, se->d_name);
                    remove_tree(p);
                    free(p);
                }
            }
            if (sd)
                closedir(sd);
            free(student);
        }
        if (d)
            closedir(d);
        free(base);
    }
}

/* One grade-all at a time per OUT: a second one would race the first. */
static int lock_out(const char *out)
{
    char *path = path_join(out, ".lock");
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    free(path);
    if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0) {
        fprintf(stderr, "memlab-grade-all: %s is in use by another memlab-grade-all\n", out);
        return -1;
    }
    return fd; /* held until exit */
}

static int parse_options(int argc, char **argv, struct batch_options *o, int *gradebook_only)
{
    static const struct option opts[] = {
        {"submissions", required_argument, NULL, 's'},
        {"lab", required_argument, NULL, 'l'},
        {"out", required_argument, NULL, 'o'},
        {"jobs", required_argument, NULL, 'j'},
        {"grader-jobs", required_argument, NULL, 'J'},
        {"timeout", required_argument, NULL, 't'},
        {"kit", required_argument, NULL, 'k'},
        {"build", required_argument, NULL, 'b'},
        {"grader", required_argument, NULL, 'g'},
        {"grader-arg", required_argument, NULL, 'a'},
        {"force", no_argument, NULL, 'f'},
        {"retry-failed", no_argument, NULL, 'r'},
        {"gradebook-only", no_argument, NULL, 'G'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    double v;
    int c;
    while ((c = getopt_long(argc, argv, "s:l:o:j:J:t:k:b:g:a:frGqh", opts, NULL)) != -1) {
        switch (c) {
        case 's': o->submissions = optarg; break;
        case 'l': add_labs(o, optarg); break;
        case 'o': o->out = optarg; break;
        case 'k': o->kit = optarg; break;
        case 'b': o->build = optarg; break;
        case 'g': o->grader = optarg; break;
        case 'a':
            o->grader_args = realloc(o->grader_args, (o->ngrader_args + 1) * sizeof(char *));
            o->grader_args[o->ngrader_args++] = optarg;
            break;
        case 'f': o->force = 1; break;
        case 'r': o->retry_failed = 1; break;
        case 'G': *gradebook_only = 1; break;
        case 'q': o->quiet = 1; break;
        case 'h': usage(stdout); exit(0);
        case 'j':
        case 'J':
        case 't':
            if (positive(optarg, &v) != 0) {
                fprintf(stderr, "memlab-grade-all: --%s wants a positive number, not '%s'\n",
                        c == 't'   ? "timeout"
                        : c == 'j' ? "jobs"
                                   : "grader-jobs",
                        optarg);
                return -1;
            }
            if (c == 'j')
                o->jobs = (int)v;
            else if (c == 'J')
                o->grader_jobs = (int)v;
            else
                o->timeout = v;
            break;
        default: usage(stderr); return -1;
        }
    }
    if (optind < argc || !o->submissions) {
        fprintf(stderr, "memlab-grade-all: %s\n",
                optind < argc ? "unexpected arguments" : "--submissions DIR is required");
        usage(stderr);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    struct batch_options o = {
        .out = "grades",
        .kit = ".",
        .build = "build",
        .jobs = cpus > 0 ? (int)cpus : 1,
        .grader_jobs = 1,
        .timeout = 1800,
    };
    int gradebook_only = 0;
    if (parse_options(argc, argv, &o, &gradebook_only) != 0)
        return 2;
    char *default_grader = path_join(o.build, "bin/memlab-grade");
    if (!o.grader)
        o.grader = default_grader;
    if (!o.nlabs)
        o.nlabs = discover_labs(o.kit, &o.labs);
    if (!o.nlabs) {
        fprintf(stderr, "memlab-grade-all: no labs under %s/tests (no tests/<lab>/lab.json)\n",
                o.kit);
        return 2;
    }
    struct student *students;
    size_t nstudents = discover_students(o.submissions, &students);
    if (nstudents == (size_t)-1) {
        fprintf(stderr, "memlab-grade-all: cannot read %s: %s\n", o.submissions, strerror(errno));
        return 2;
    }
    if (!gradebook_only && access(o.grader, X_OK) != 0) {
        fprintf(stderr, "memlab-grade-all: no grader at %s (build it: make %s)\n", o.grader,
                o.grader);
        return 2;
    }
    if (mkdir_p(o.out) != 0) {
        fprintf(stderr, "memlab-grade-all: cannot make %s: %s\n", o.out, strerror(errno));
        return 2;
    }
    if (lock_out(o.out) < 0)
        return 2;
    remove_leftovers(o.out);

    /* Jobs, student by student; the finished ones are skipped. */
    size_t njobs = nstudents * o.nlabs, skipped = 0;
    struct job *jobs = calloc(njobs + 1, sizeof *jobs);
    for (size_t s = 0; s < nstudents; s++)
        for (size_t l = 0; l < o.nlabs; l++) {
            struct job *j = &jobs[s * o.nlabs + l];
            j->student = &students[s];
            j->lab = o.labs[l];
            j->final_dir = job_final_dir(o.out, students[s].name, o.labs[l]);
            int done = job_is_done(j->final_dir);
            int redo = o.force || (o.retry_failed && done && job_failed(j->final_dir));
            j->state = gradebook_only || (done && !redo) ? JOB_SKIPPED : JOB_TODO;
            skipped += j->state == JOB_SKIPPED;
        }
    int rc = 0;
    if (!gradebook_only) {
        if (!o.quiet)
            fprintf(stderr,
                    "memlab-grade-all: %zu students x %zu labs = %zu jobs, %zu already "
                    "graded, %d at a time\n",
                    nstudents, o.nlabs, njobs, skipped, o.jobs);
        rc = pool_run(&o, jobs, njobs);
    }
    char *gradebook = path_join(o.out, "gradebook.csv");
    if (gradebook_write(o.out, students, nstudents, o.labs, o.nlabs) != 0) {
        fprintf(stderr, "memlab-grade-all: cannot write %s: %s\n", gradebook, strerror(errno));
        rc = rc ? rc : 2;
    } else if (!o.quiet) {
        fprintf(stderr, "memlab-grade-all: gradebook %s (%zu students)\n", gradebook, nstudents);
    }
    if (rc == 130)
        fprintf(stderr, "memlab-grade-all: interrupted; finished reports are kept. Run the "
                        "same command again to go on.\n");
    free(gradebook);
    return rc;
}
