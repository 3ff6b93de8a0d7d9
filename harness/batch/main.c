/*
 * main.c -- memlab-grade-all: a whole class graded in one command.
 *
 *   memlab-grade-all --submissions DIR [--lab ID]... [--out DIR] [--jobs N]
 *   memlab-grade-all ... --shard I/N      part I of N of the class (shard.c)
 *   memlab-grade-all ... --merge          the gradebook of every shard's reports
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
          "  --quiet            no progress lines\n"
          "  --format canvas|moodle  also OUT/<format>.csv, an LMS gradebook import\n"
          "  --roster FILE      with --format: CSV mapping each submission folder to its\n"
          "                     LMS identity (harness/batch/lms.c says the columns)\n"
          "\n"
          "Several machines sharing OUT (docs/instructor-guide.md, \"Shards\"):\n"
          "  --shard I/N        grade only part I of N of the class (a hash of each\n"
          "                     student's name); no gradebook: --merge makes it\n"
          "  --merge            rebuild the gradebook from every shard's reports; exit 3\n"
          "                     when some job is not graded yet\n"
          "  --warm-up          grade each lab's skeleton once, so that the grader's\n"
          "                     calibration is cached before the shards start\n"
          "  --status           one line of progress (of the --shard, else the class)\n",
          f);
}

static void add_labs(struct batch_options *o, const char *list)
{
    char *copy = xstrdup(list), *save = NULL;
    for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        o->labs = xrealloc(o->labs, (o->nlabs + 1) * sizeof *o->labs);
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
    static const char *const holders[] = {"reports", "unpacked"};
    for (size_t h = 0; h < 2; h++) {
        char *base = path_join(out, holders[h]);
        DIR *d = opendir(base);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                char *p = path_join(base, e->d_name);
                rm_rf(p);
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
                    rm_rf(p);
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

/* What this run does besides (or instead of) grading. */
enum mode { MODE_GRADE, MODE_GRADEBOOK_ONLY, MODE_MERGE, MODE_WARM_UP, MODE_STATUS };

static int set_mode(enum mode *mode, enum mode m)
{
    if (*mode != MODE_GRADE && *mode != m) {
        fprintf(stderr, "memlab-grade-all: --gradebook-only, --merge, --warm-up and --status "
                        "exclude each other\n");
        return -1;
    }
    *mode = m;
    return 0;
}

static int number_option(int c, const char *arg, struct batch_options *o)
{
    double v;
    if (positive(arg, &v) != 0) {
        fprintf(stderr, "memlab-grade-all: --%s wants a positive number, not '%s'\n",
                c == 't'   ? "timeout"
                : c == 'j' ? "jobs"
                           : "grader-jobs",
                arg);
        return -1;
    }
    if (c == 'j')
        o->jobs = (int)v;
    else if (c == 'J')
        o->grader_jobs = (int)v;
    else
        o->timeout = v;
    return 0;
}

static int parse_options(int argc, char **argv, struct batch_options *o, enum mode *mode)
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
        {"shard", required_argument, NULL, 'S'},
        {"force", no_argument, NULL, 'f'},
        {"retry-failed", no_argument, NULL, 'r'},
        {"gradebook-only", no_argument, NULL, 'G'},
        {"merge", no_argument, NULL, 'M'},
        {"warm-up", no_argument, NULL, 'W'},
        {"status", no_argument, NULL, 'T'},
        {"quiet", no_argument, NULL, 'q'},
        {"format", required_argument, NULL, 'F'},
        {"roster", required_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, bad = 0;
    while (!bad && (c = getopt_long(argc, argv, "s:l:o:j:J:t:k:b:g:a:frGqh", opts, NULL)) != -1) {
        switch (c) {
        case 's': o->submissions = optarg; break;
        case 'l': add_labs(o, optarg); break;
        case 'o': o->out = optarg; break;
        case 'k': o->kit = optarg; break;
        case 'b': o->build = optarg; break;
        case 'g': o->grader = optarg; break;
        case 'a':
            o->grader_args = xrealloc(o->grader_args, (o->ngrader_args + 1) * sizeof(char *));
            o->grader_args[o->ngrader_args++] = optarg;
            break;
        case 'S':
            if (shard_parse(optarg, &o->shard) != 0) {
                fprintf(stderr, "memlab-grade-all: --shard wants I/N with 1 <= I <= N, not '%s'\n",
                        optarg);
                bad = 1;
            }
            break;
        case 'f': o->force = 1; break;
        case 'r': o->retry_failed = 1; break;
        case 'G': bad = set_mode(mode, MODE_GRADEBOOK_ONLY); break;
        case 'M': bad = set_mode(mode, MODE_MERGE); break;
        case 'W': bad = set_mode(mode, MODE_WARM_UP); break;
        case 'T': bad = set_mode(mode, MODE_STATUS); break;
        case 'q': o->quiet = 1; break;
        case 'F': o->format = optarg; break;
        case 'R': o->roster = optarg; break;
        case 'h': usage(stdout); exit(0);
        case 'j':
        case 'J':
        case 't': bad = number_option(c, optarg, o); break;
        default: usage(stderr); return -1;
        }
    }
    if (bad)
        return -1;
    const char *wrong = optind < argc     ? "unexpected arguments"
                        : !o->submissions ? "--submissions DIR is required"
                        : o->shard.count && (*mode == MODE_MERGE || *mode == MODE_GRADEBOOK_ONLY ||
                                             *mode == MODE_WARM_UP)
                            ? "--shard goes with grading or --status, not with --merge, "
                              "--gradebook-only or --warm-up"
                        : !o->format != !o->roster ? "--format and --roster go together"
                                                   : NULL;
    if (wrong) {
        fprintf(stderr, "memlab-grade-all: %s\n", wrong);
        usage(stderr);
        return -1;
    }
    return 0;
}

/* Grades each lab's skeleton (KIT/labs/<lab>) once, with the same grader
 * arguments as the class, so that the reference's calibration is cached in
 * BUILD before N shards start: else each shard would time the reference
 * itself, at the same time.  The reports are thrown away. */
static int warm_up(const struct batch_options *o)
{
    struct student *skeletons = xcalloc(o->nlabs + 1, sizeof *skeletons);
    struct job *jobs = xcalloc(o->nlabs + 1, sizeof *jobs);
    for (size_t l = 0; l < o->nlabs; l++) {
        /* A hidden name: never a student, and swept by a whole-class run. */
        skeletons[l].name = xprintf(".warm-up-%s", o->labs[l]);
        skeletons[l].source = xprintf("%s/labs/%s", o->kit, o->labs[l]);
        skeletons[l].dir = xstrdup(skeletons[l].source);
        jobs[l] = (struct job){.student = &skeletons[l], .lab = o->labs[l], .state = JOB_TODO};
        jobs[l].final_dir = job_final_dir(o->out, skeletons[l].name, o->labs[l]);
        rm_rf(jobs[l].final_dir);
    }
    int rc = pool_run(o, jobs, o->nlabs);
    for (size_t l = 0; l < o->nlabs; l++) {
        if (rc == 0 && job_failed(jobs[l].final_dir))
            fprintf(stderr,
                    "memlab-grade-all: warm-up of %s failed (the shards will calibrate "
                    "it themselves)\n",
                    o->labs[l]);
        char *folder = xprintf("%s/reports/%s", o->out, skeletons[l].name);
        rm_rf(folder);
        free(folder), free(jobs[l].final_dir);
        free(skeletons[l].name), free(skeletons[l].source), free(skeletons[l].dir);
    }
    free(jobs), free(skeletons);
    return rc;
}

/* The jobs of these students, the finished ones skipped (all of them when
 * grade is 0).  *skipped counts those.  Returns the malloc'd array. */
static struct job *make_jobs(const struct batch_options *o, struct student *students, size_t n,
                             int grade, size_t *skipped)
{
    struct job *jobs = xcalloc(n * o->nlabs + 1, sizeof *jobs);
    *skipped = 0;
    for (size_t s = 0; s < n; s++)
        for (size_t l = 0; l < o->nlabs; l++) {
            struct job *j = &jobs[s * o->nlabs + l];
            j->student = &students[s];
            j->lab = o->labs[l];
            j->final_dir = job_final_dir(o->out, students[s].name, o->labs[l]);
            int done = job_is_done(j->final_dir);
            int redo = o->force || (o->retry_failed && done && job_failed(j->final_dir));
            j->state = !grade || (done && !redo) ? JOB_SKIPPED : JOB_TODO;
            *skipped += j->state == JOB_SKIPPED;
        }
    return jobs;
}

/* Grades the jobs of these students (a shard, or the class). */
static int grade(const struct batch_options *o, struct student *students, size_t n)
{
    size_t skipped;
    struct job *jobs = make_jobs(o, students, n, 1, &skipped);
    if (!o->quiet) {
        char part[48] = "";
        if (o->shard.count)
            snprintf(part, sizeof part, "shard %d/%d: ", o->shard.index, o->shard.count);
        fprintf(stderr,
                "memlab-grade-all: %s%zu students x %zu labs = %zu jobs, %zu already graded, "
                "%d at a time\n",
                part, n, o->nlabs, n * o->nlabs, skipped, o->jobs);
    }
    int rc = pool_run(o, jobs, n * o->nlabs);
    for (size_t i = 0; i < n * o->nlabs; i++)
        free(jobs[i].final_dir);
    free(jobs);
    return rc;
}

/* Rebuilds OUT/gradebook.csv.  A merge also says which jobs are missing,
 * and returns 3 when some are (the gradebook is written all the same). */
static int write_gradebook(const struct batch_options *o, struct student *students, size_t n,
                           int merge)
{
    char *gradebook = path_join(o->out, "gradebook.csv");
    int rc = 0;
    if (gradebook_write(o->out, students, n, o->labs, o->nlabs) != 0) {
        fprintf(stderr, "memlab-grade-all: cannot write %s: %s\n", gradebook, strerror(errno));
        rc = 2;
    } else if (!o->quiet) {
        fprintf(stderr, "memlab-grade-all: gradebook %s (%zu students)\n", gradebook, n);
    }
    size_t missing = 0;
    for (size_t s = 0; merge && s < n; s++)
        for (size_t l = 0; l < o->nlabs; l++) {
            char *dir = job_final_dir(o->out, students[s].name, o->labs[l]);
            if (!job_is_done(dir) && missing++ < 10)
                fprintf(stderr, "memlab-grade-all: not graded yet: %s %s\n", students[s].name,
                        o->labs[l]);
            free(dir);
        }
    if (missing) {
        fprintf(stderr, "memlab-grade-all: %zu jobs not graded yet: their cells are empty\n",
                missing);
        rc = rc ? rc : 3;
    }
    free(gradebook);
    return rc;
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
    enum mode mode = MODE_GRADE;
    if (parse_options(argc, argv, &o, &mode) != 0)
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
    struct student *mine = students;
    size_t nmine = nstudents;
    if (o.shard.count)
        nmine = shard_select(students, nstudents, &o.shard, &mine);
    if (mode == MODE_STATUS) {
        char *label =
            o.shard.count ? xprintf("shard %d/%d", o.shard.index, o.shard.count) : xstrdup("class");
        int rc = shard_status(o.out, mine, nmine, o.labs, o.nlabs, label);
        free(label);
        return rc;
    }
    int grading = mode == MODE_GRADE || mode == MODE_WARM_UP;
    if (grading && access(o.grader, X_OK) != 0) {
        fprintf(stderr, "memlab-grade-all: no grader at %s (build it: make %s)\n", o.grader,
                o.grader);
        return 2;
    }
    if (mkdir_p(o.out, 0755) != 0) {
        fprintf(stderr, "memlab-grade-all: cannot make %s: %s\n", o.out, strerror(errno));
        return 2;
    }
    if (lock_out(o.out, &o.shard, mode == MODE_MERGE || mode == MODE_WARM_UP) != 0)
        return 2;
    if (mode == MODE_WARM_UP)
        return warm_up(&o);
    if (o.shard.count) {
        for (size_t s = 0; s < nmine; s++)
            remove_student_leftovers(o.out, &mine[s], o.labs, o.nlabs);
    } else if (mode != MODE_MERGE) {
        remove_leftovers(o.out);
    }
    int rc = mode == MODE_GRADE ? grade(&o, mine, nmine) : 0;
    /* A shard writes no gradebook: it would hold only its part of the class,
     * and shards on several hosts would race to rename it. */
    if (!o.shard.count) {
        int wrc = write_gradebook(&o, students, nstudents, mode == MODE_MERGE);
        int lrc = o.format && (wrc == 0 || wrc == 3)
                      ? lms_write(o.out, o.format, o.roster, students, nstudents, o.labs, o.nlabs)
                      : 0;
        wrc = lrc ? lrc : wrc;
        rc = rc ? rc : wrc;
    } else if (!o.quiet && rc == 0) {
        fprintf(stderr, "memlab-grade-all: shard %d/%d done; the gradebook: --merge\n",
                o.shard.index, o.shard.count);
    }
    if (rc == 130)
        fprintf(stderr, "memlab-grade-all: interrupted; finished reports are kept. Run the "
                        "same command again to go on.\n");
    return rc;
}
