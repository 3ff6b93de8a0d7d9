/*
 * mdriver.c -- the main() of a mutant's test binary: runs a list of tests,
 * each in a forked child, and stops at the first one that does not pass.
 *
 *   t_<lab> NAME:SECONDS [NAME:SECONDS ...]
 *
 * Each child is the ordinary runner (harness/runner/runner.c, its main()
 * renamed ml_runner_main when the tool links a mutant) called as
 * `t_<lab> --run NAME`.  Under Valgrind the children are traced without an
 * exec, so one Valgrind start serves every test, and each child's exit
 * status carries its own memcheck verdict (--error-exitcode).
 *
 * Prints "PASS NAME" per test passed, then, at the first failure,
 * "FAIL NAME why" and exits 1; exits 0 when every test passed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int ml_runner_main(int argc, char **argv);

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The child's wait status, or -1 when it outlived its time (then killed). */
static int run_child(char *prog, char *name, double seconds)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -2;
    if (pid == 0) {
        char *args[] = {prog, "--run", name, NULL};
        exit(ml_runner_main(3, args));
    }
    double deadline = now() + seconds;
    int status;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return status;
        if (now() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        usleep(2000);
    }
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        char *colon = strrchr(argv[i], ':');
        double seconds = colon ? atof(colon + 1) : 10;
        if (colon)
            *colon = '\0';
        int st = run_child(argv[0], argv[i], seconds);
        if (st == 0) {
            printf("PASS %s\n", argv[i]);
            continue;
        }
        if (st == -1)
            printf("FAIL %s timeout (%g s)\n", argv[i], seconds);
        else if (st == -2)
            printf("FAIL %s fork failed\n", argv[i]);
        else if (WIFSIGNALED(st))
            printf("FAIL %s signal %d\n", argv[i], WTERMSIG(st));
        else if (WEXITSTATUS(st) == 99)
            printf("FAIL %s memcheck\n", argv[i]);
        else
            printf("FAIL %s exit %d\n", argv[i], WEXITSTATUS(st));
        return 1;
    }
    return 0;
}
