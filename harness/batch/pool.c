/*
 * pool.c -- N graders at once, one per (student, lab) job.
 *
 * The life of a job:
 *
 *   TODO --launch--> RUNNING --reaped--> DONE
 *          |            |
 *          |            +-- over --timeout: the grader's process group is killed,
 *          |                the job finishes with status "timeout"
 *          +-- the student's archive would not unpack: finishes at once,
 *              status "bad-archive"
 *
 * A running grader writes into OUT/reports/<s>/.<lab>.tmp-<pid>.  When it is
 * reaped, the .done marker (status, exit code, seconds) is written into that
 * folder, and the folder is renamed to OUT/reports/<s>/<lab>: finished work
 * appears whole, in one step (see the invariant in batch.h).  On SIGINT or
 * SIGTERM the running graders are stopped and their temporaries removed;
 * what finished stays finished.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "batch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int results_score(const char *report_dir, double *score, double *max_score); /* gradebook.c */

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void install_stop_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

static void sleep_briefly(void)
{
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

/* ------------------------------------------------------------ launch */

static char *log_path_of(const struct job *j) { return xprintf("%s.log", j->tmp_dir); }

/* In the child: its own process group (so a timeout kills the whole grader),
 * killed with us if we die, stdin closed, output to the job's log. */
static void exec_grader(const struct batch_options *o, const struct job *j, pid_t parent)
{
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(126);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    int in = open("/dev/null", O_RDONLY);
    char *log = log_path_of(j);
    int out = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in >= 0)
        dup2(in, 0);
    if (out >= 0) {
        dup2(out, 1);
        dup2(out, 2);
    }
    char jobs[16];
    snprintf(jobs, sizeof jobs, "%d", o->grader_jobs);
    char *fixed[] = {
        (char *)o->grader, "--lab",    (char *)j->lab, "--submission",    j->student->dir,
        "--report",        j->tmp_dir, "--kit",        (char *)o->kit,    "--build",
        (char *)o->build,  "--jobs",   jobs,           "--reveal-hidden", "--quiet"};
    size_t nfixed = sizeof fixed / sizeof *fixed;
    char **argv = xmalloc((nfixed + o->ngrader_args + 1) * sizeof *argv);
    memcpy(argv, fixed, sizeof fixed);
    for (size_t i = 0; i < o->ngrader_args; i++)
        argv[nfixed + i] = o->grader_args[i];
    argv[nfixed + o->ngrader_args] = NULL;
    execv(argv[0], argv);
    fprintf(stderr, "memlab-grade-all: cannot run %s: %s\n", o->grader, strerror(errno));
    _exit(127);
}

static int launch(const struct batch_options *o, struct job *j)
{
    char *parent = xprintf("%s/reports/%s", o->out, j->student->name);
    mkdir_p(parent, 0755);
    j->tmp_dir = xprintf("%s/.%s.tmp-%ld", parent, j->lab, (long)getpid());
    free(parent);
    rm_rf(j->tmp_dir);
    if (mkdir_p(j->tmp_dir, 0755) != 0)
        return -1;
    pid_t me = getpid();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        exec_grader(o, j, me);
    setpgid(pid, pid); /* also here: no race with a kill before the child ran */
    j->pid = pid;
    j->started = now_seconds();
    j->state = JOB_RUNNING;
    return 0;
}

/* ------------------------------------------------------------ finish */

/* Moves the finished temporary folder to its final name.  When a previous
 * result is there (--force, --retry-failed) the two are swapped atomically,
 * so the final name never points at nothing. */
static int commit_folder(const char *tmp, const char *final)
{
    if (rename(tmp, final) == 0)
        return fsync_dir_of(final), 0;
    if (errno != EEXIST && errno != ENOTEMPTY)
        return -1;
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_EXCHANGE) != 0)
        return -1;
    fsync_dir_of(final);
    return rm_rf(tmp); /* now holds the old result */
}

static const char *status_of(int wait_status, int timed_out, const char *tmp_dir, char *detail,
                             size_t size)
{
    char *results = path_join(tmp_dir, "results.json");
    int has_results = is_file(results);
    free(results);
    detail[0] = '\0';
    if (timed_out)
        return "timeout";
    if (WIFSIGNALED(wait_status)) {
        snprintf(detail, size, "killed by signal %d", WTERMSIG(wait_status));
        return "grader-error";
    }
    if (WEXITSTATUS(wait_status) != 0) {
        snprintf(detail, size, "exit %d", WEXITSTATUS(wait_status));
        return "grader-error";
    }
    if (!has_results) {
        snprintf(detail, size, "no results.json");
        return "grader-error";
    }
    return "graded";
}

/* Writes the marker and commits the folder.  Returns 0 or -1. */
static int finish_folder(struct job *j, const char *status, const char *detail, int exit_code,
                         double seconds)
{
    char *marker = path_join(j->tmp_dir, ".done");
    char *text = xprintf("status=%s\ndetail=%s\nexit=%d\nseconds=%.1f\nstudent=%s\nlab=%s\n",
                         status, detail, exit_code, seconds, j->student->name, j->lab);
    int rc = write_atomic(marker, text, strlen(text));
    free(marker), free(text);
    if (rc == 0)
        rc = commit_folder(j->tmp_dir, j->final_dir);
    if (rc != 0)
        fprintf(stderr, "memlab-grade-all: cannot finish %s: %s\n", j->final_dir, strerror(errno));
    free(j->tmp_dir);
    j->tmp_dir = NULL;
    j->state = JOB_DONE;
    return rc;
}

static void finish_reaped(struct job *j, int wait_status, int timed_out, double seconds)
{
    char detail[64];
    const char *status = status_of(wait_status, timed_out, j->tmp_dir, detail, sizeof detail);
    char *log = log_path_of(j);
    char *kept = path_join(j->tmp_dir, "grader.log");
    rename(log, kept); /* the grader's own messages, kept with its report */
    free(log), free(kept);
    int code = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
    finish_folder(j, status, detail, code, seconds);
}

/* A job that never reaches a grader: its student's archive is broken. */
static void finish_unpack_failure(const struct batch_options *o, struct job *j)
{
    char *parent = xprintf("%s/reports/%s", o->out, j->student->name);
    mkdir_p(parent, 0755);
    j->tmp_dir = xprintf("%s/.%s.tmp-%ld", parent, j->lab, (long)getpid());
    free(parent);
    rm_rf(j->tmp_dir);
    mkdir_p(j->tmp_dir, 0755);
    char *note = path_join(j->tmp_dir, "report.txt");
    char *log_path = xprintf("%s/unpacked/.%s.log", o->out, j->student->name);
    char log[2048] = "";
    FILE *f = fopen(log_path, "r");
    if (f) {
        log[fread(log, 1, sizeof log - 1, f)] = '\0';
        fclose(f);
    }
    char *text = xprintf("%s\n%s", j->student->unpack_error, log);
    write_atomic(note, text, strlen(text));
    free(note), free(text), free(log_path);
    finish_folder(j, "bad-archive", j->student->unpack_error, -1, 0);
}

/* ------------------------------------------------------------ progress */

static void format_duration(double s, char *buf, size_t size)
{
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, size, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, size, "%02ld:%02ld", t / 60, t % 60);
}

struct progress {
    size_t total, done;
    double start;
    int quiet;
};

/* One line per finished job: done/total, elapsed, time left, what happened. */
static void progress_line(struct progress *p, const struct job *j)
{
    p->done++;
    if (p->quiet)
        return;
    double elapsed = now_seconds() - p->start;
    char took[32], left[32];
    format_duration(elapsed, took, sizeof took);
    if (p->done < p->total)
        format_duration(elapsed / (double)p->done * (double)(p->total - p->done), left,
                        sizeof left);
    else
        snprintf(left, sizeof left, "00:00");
    double score = 0, max = 0;
    char what[96];
    if (job_failed(j->final_dir)) {
        char *marker = path_join(j->final_dir, ".done");
        FILE *f = fopen(marker, "r");
        char line[80] = "status=?";
        if (f) {
            if (!fgets(line, sizeof line, f))
                line[0] = '\0';
            fclose(f);
        }
        free(marker);
        line[strcspn(line, "\n")] = '\0';
        snprintf(what, sizeof what, "%s", strchr(line, '=') ? strchr(line, '=') + 1 : line);
    } else if (results_score(j->final_dir, &score, &max) == 0) {
        snprintf(what, sizeof what, "%g/%g", score, max);
    } else {
        snprintf(what, sizeof what, "graded");
    }
    fprintf(stderr, "[%*zu/%zu] %s elapsed, ~%s left  %s %s: %s\n", p->total >= 100 ? 3 : 2,
            p->done, p->total, took, left, j->student->name, j->lab, what);
}

/* ------------------------------------------------------------ the loop */

static struct job *job_of_pid(struct job *jobs, size_t n, pid_t pid)
{
    for (size_t i = 0; i < n; i++)
        if (jobs[i].state == JOB_RUNNING && jobs[i].pid == pid)
            return &jobs[i];
    return NULL;
}

/* SIGTERM to every running grader's group, SIGKILL after 2 s, reap them all,
 * throw their temporaries away. */
static void stop_all(struct job *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (jobs[i].state == JOB_RUNNING)
            kill(-jobs[i].pid, SIGTERM);
    double deadline = now_seconds() + 2;
    for (;;) {
        int left = 0;
        for (size_t i = 0; i < n; i++) {
            struct job *j = &jobs[i];
            if (j->state != JOB_RUNNING)
                continue;
            if (waitpid(j->pid, NULL, WNOHANG) == j->pid) {
                char *log = log_path_of(j);
                unlink(log);
                free(log);
                rm_rf(j->tmp_dir);
                j->state = JOB_TODO;
            } else {
                left++;
                if (now_seconds() > deadline)
                    kill(-j->pid, SIGKILL);
            }
        }
        if (!left)
            return;
        sleep_briefly();
    }
}

/* The grader times the reference once per lab (its calibration, cached in
 * BUILD/calibration/<lab>.json).  While that cache is missing, a lab's first
 * job runs alone among that lab's jobs, so that N graders do not all time
 * the reference at once; once one of its jobs has finished, the lab is free. */
static int must_wait_for_calibration(const struct batch_options *o, const struct job *j,
                                     const struct job *jobs, size_t n)
{
    for (size_t i = 0; i < o->ngrader_args; i++)
        if (strcmp(o->grader_args[i], "--no-calibrate") == 0)
            return 0;
    int running = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(jobs[i].lab, j->lab) != 0)
            continue;
        if (jobs[i].state == JOB_DONE || jobs[i].state == JOB_SKIPPED)
            return 0;
        running |= jobs[i].state == JOB_RUNNING;
    }
    if (!running)
        return 0;
    char *cache = xprintf("%s/calibration/%s.json", o->build, j->lab);
    int missing = !is_file(cache);
    free(cache);
    return missing;
}

int pool_run(const struct batch_options *o, struct job *jobs, size_t njobs)
{
    install_stop_handlers();
    struct progress p = {0, 0, now_seconds(), o->quiet};
    for (size_t i = 0; i < njobs; i++)
        p.total += jobs[i].state == JOB_TODO;
    size_t next = 0;
    int running = 0;
    char *timed_out = xcalloc(njobs ? njobs : 1, 1);
    for (;;) {
        while (!stop_requested && running < o->jobs && next < njobs) {
            struct job *j = &jobs[next];
            if (j->state == JOB_TODO && must_wait_for_calibration(o, j, jobs, njobs))
                break;
            next++;
            if (j->state != JOB_TODO)
                continue;
            if (unpack_student(o->out, j->student) != 0) {
                finish_unpack_failure(o, j);
                progress_line(&p, j);
            } else if (launch(o, j) == 0) {
                running++;
            } else {
                fprintf(stderr, "memlab-grade-all: cannot start the grader for %s %s: %s\n",
                        j->student->name, j->lab, strerror(errno));
                rm_rf(j->tmp_dir);
            }
        }
        if (stop_requested) {
            stop_all(jobs, njobs);
            free(timed_out);
            return 130;
        }
        if (running == 0 && next >= njobs)
            break;
        int st;
        pid_t pid = waitpid(-1, &st, WNOHANG);
        struct job *j = pid > 0 ? job_of_pid(jobs, njobs, pid) : NULL;
        if (j) {
            running--;
            finish_reaped(j, st, timed_out[j - jobs], now_seconds() - j->started);
            progress_line(&p, j);
            continue;
        }
        double now = now_seconds();
        for (size_t i = 0; i < njobs; i++)
            if (jobs[i].state == JOB_RUNNING && !timed_out[i] &&
                now - jobs[i].started > o->timeout) {
                timed_out[i] = 1;
                kill(-jobs[i].pid, SIGKILL);
            }
        if (pid <= 0)
            sleep_briefly();
    }
    free(timed_out);
    return 0;
}
