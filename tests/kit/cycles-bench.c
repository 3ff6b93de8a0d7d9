/*
 * cycles-bench.c -- one full collection over 1,000,000 tracked lists, timed.
 *
 *     cycles-bench [N]
 *
 * Two graphs, each built fresh with the collector disabled, then one
 * gc_collect(2) timed alone:
 *   reachable   N empty lists, all held by one root list: nothing to free,
 *               the collector still walks everything (update, subtract, move);
 *   cycles      N/2 pairs a = [b], b = [a], dropped: everything is garbage,
 *               found, cleared and freed.
 * Prints "reachable NS_PER_OBJECT" and "cycles NS_PER_OBJECT".
 * tests/kit/cycles-bench.sh runs the same graphs in python3 and compares.
 */
#include "memlab/cycles.h"
#include "memlab/runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double bench_reachable(long n)
{
    ml_object *root = list_new(0);
    for (long i = 0; i < n; i++) {
        ml_object *l = list_new(0);
        list_append(root, l);
        obj_decref(l);
    }
    double t0 = now_ns();
    ml_ssize_t found = gc_collect(2);
    double t1 = now_ns();
    if (found != 0)
        fprintf(stderr, "cycles-bench: reachable graph: collect() = %zd, expected 0\n", found);
    obj_decref(root);
    return (t1 - t0) / (double)n;
}

static double bench_cycles(long n)
{
    for (long i = 0; i < n / 2; i++) {
        ml_object *a = list_new(0), *b = list_new(0);
        list_append(a, b);
        list_append(b, a);
        obj_decref(a);
        obj_decref(b);
    }
    double t0 = now_ns();
    ml_ssize_t found = gc_collect(2);
    double t1 = now_ns();
    if (found != n / 2 * 2)
        fprintf(stderr, "cycles-bench: 2-cycles: collect() = %zd, expected %ld\n", found, n);
    return (t1 - t0) / (double)n;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    ml_runtime_init();
    gc_disable();
    printf("reachable %.2f\n", bench_reachable(n));
    printf("cycles %.2f\n", bench_cycles(n));
    ml_runtime_fini();
    return 0;
}
