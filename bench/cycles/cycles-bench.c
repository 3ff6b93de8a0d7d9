/*
 * cycles-bench.c -- one full collection over N tracked lists, in CPU time,
 * on the reference layers (built -O2).
 *
 *     cycles-bench N          (N >= 2; 10^4 .. 10^7 in `make bench`)
 *
 * Two graphs, each built fresh with the collector disabled, then one
 * gc_collect(2) timed alone:
 *   reachable   N empty lists held by one root list: nothing is freed, every
 *               object is still visited by each pass of the collection;
 *   cycles      N/2 pairs a = [b], b = [a], dropped: all N are found, cleared
 *               and freed.
 * Times are the process's CPU time (the machine may be shared: waiting for a
 * core is not the collector's cost).  Prints "reachable NS_PER_OBJECT" and
 * "cycles NS_PER_OBJECT".  bench/cycles/cycles-bench.py runs this program and
 * python3's gc.collect() on the same graphs, interleaved, and compares.
 */
#include "memlab/cycles.h"
#include "memlab/object.h"
#include "memlab/runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static ml_object *need(ml_object *op)
{
    if (op == NULL) {
        fprintf(stderr, "cycles-bench: out of memory\n");
        exit(1);
    }
    return op;
}

/* ns per object of collecting a graph that is all reachable. */
static double reachable(long n)
{
    ml_object *root = need(list_new(0));
    for (long i = 0; i < n; i++) {
        ml_object *l = need(list_new(0));
        if (list_append(root, l) != 0)
            exit(1);
        obj_decref(l);
    }
    double t0 = cpu_ns();
    ml_ssize_t found = gc_collect(2);
    double t1 = cpu_ns();
    if (found != 0)
        fprintf(stderr, "cycles-bench: reachable graph: collect() = %zd, expected 0\n", found);
    obj_decref(root);
    return (t1 - t0) / (double)n;
}

/* ns per object of collecting n/2 unreachable 2-cycles. */
static double two_cycles(long n)
{
    for (long i = 0; i < n / 2; i++) {
        ml_object *a = need(list_new(0)), *b = need(list_new(0));
        if (list_append(a, b) != 0 || list_append(b, a) != 0)
            exit(1);
        obj_decref(a);
        obj_decref(b);
    }
    double t0 = cpu_ns();
    ml_ssize_t found = gc_collect(2);
    double t1 = cpu_ns();
    if (found != n / 2 * 2)
        fprintf(stderr, "cycles-bench: 2-cycles: collect() = %zd, expected %ld\n", found,
                n / 2 * 2);
    return (t1 - t0) / (double)(n / 2 * 2);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    if (n < 2) {
        fprintf(stderr, "usage: cycles-bench N (N >= 2)\n");
        return 2;
    }
    ml_runtime_init();
    gc_disable();
    printf("reachable %.2f\n", reachable(n));
    printf("cycles %.2f\n", two_cycles(n));
    ml_runtime_fini();
    return 0;
}
