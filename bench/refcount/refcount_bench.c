/*
 * refcount_bench.c -- what one `del l` costs when l is a million nested lists.
 *
 *     refcount-bench [N]
 *
 * Builds the chain Python builds with
 *
 *     l = []
 *     for _ in range(N): l = [l]
 *
 * on the reference object layer (the collector disabled, as bench/report.py
 * disables it in python3), then times the single obj_decref() that frees all
 * N + 1 lists: the trashcan keeps the C stack flat while the chain unwinds.
 * Prints "ns_per_object X" (CPU time of that decref / (N + 1): the machine
 * may be shared, and waiting for a core is not the layer's cost),
 * "wall_ns_per_object X" (the same in wall time) and "max_depth D" (the
 * deepest nesting the trashcan allowed).
 *
 * The allocator is the runtime's default (the C library) unless the
 * environment says MEMLAB_MALLOC=pymalloc (then the pools layer serves the
 * objects, as pymalloc does for CPython's lists).
 */
#include "memlab/cycles.h"
#include "memlab/object.h"
#include "memlab/runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Exit with a message: the bench measures nothing if the layer failed. */
static ml_object *need(ml_object *op, const char *what)
{
    if (op == NULL) {
        fprintf(stderr, "refcount-bench: %s failed\n", what);
        exit(1);
    }
    return op;
}

/* l = []; for _ in range(n): l = [l]  -- each new list owns the one before. */
static ml_object *nested_lists(long n)
{
    ml_object *chain = need(list_new(0), "list_new");
    for (long i = 0; i < n; i++) {
        ml_object *outer = need(list_new(1), "list_new");
        LIST_SET_ITEM(outer, 0, chain); /* steals the reference to the inner list */
        chain = outer;
    }
    return chain;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    if (n < 1) {
        fprintf(stderr, "usage: refcount-bench [N >= 1]\n");
        return 2;
    }
    ml_runtime_init();
    gc_disable();
    ml_object *chain = nested_lists(n);

    obj_trashcan_reset_max_depth();
    double c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID), w0 = now_ns(CLOCK_MONOTONIC);
    obj_decref(chain); /* del l: the last reference, the whole chain goes */
    double w1 = now_ns(CLOCK_MONOTONIC), c1 = now_ns(CLOCK_PROCESS_CPUTIME_ID);

    printf("ns_per_object %.2f\n", (c1 - c0) / (double)(n + 1));
    printf("wall_ns_per_object %.2f\n", (w1 - w0) / (double)(n + 1));
    printf("max_depth %d\n", obj_trashcan_max_depth());
    ml_runtime_fini();
    return 0;
}
