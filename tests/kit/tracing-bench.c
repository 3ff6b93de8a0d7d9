/*
 * tracing-bench.c -- what tracing costs, measured on the reference layer
 * (built -O2).  Printed as `key value` lines that tracing-bench.sh puts next
 * to CPython's numbers for the same shapes of workload (tracing-bench.py).
 *
 *   churn_ns_off / churn_ns_1 / churn_ns_25   ns per (free + malloc) pair of an
 *        allocation-heavy loop: 1000 live blocks of 16..271 bytes, one
 *        replaced per step, under a 30-frame stack; tracing off, with 1 frame,
 *        with 25 frames (modes interleaved, best of 5 runs each)
 *   slowdown_1 / slowdown_25                  the ratios to tracing off
 *   snapshot_ms / statistics_ms               take_snapshot and statistics('lineno')
 *        over 1,000,000 live traces
 *   snapshot_bytes_per_trace                  the snapshot's memory / traces
 *   tracer_bytes_per_trace                    get_tracemalloc_memory() / traces
 *
 * Times are CPU time of the process (the machine may be shared).
 */
#include "memlab/mem.h"
#include "memlab/tracing.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define RING 1000
#define LIVE 1000000

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static const char *const files[] = {"main.py", "app.py", "lib/util.py", "lib/io.py"};

/* ns per free+malloc pair over `steps` steps. */
static double churn(long steps)
{
    static void *ring[RING];
    for (int i = 0; i < RING; i++)
        ring[i] = mem_malloc(MEM_DOMAIN_OBJ, 16 + (size_t)(i % 256));
    unsigned x = 12345;
    double t0 = now();
    for (long s = 0; s < steps; s++) {
        x = x * 1103515245u + 12345u;
        int slot = (int)(s % RING);
        ML_LINE(100 + (unsigned)(s & 7));
        mem_free(MEM_DOMAIN_OBJ, ring[slot]);
        ring[slot] = mem_malloc(MEM_DOMAIN_OBJ, 16 + ((x >> 16) & 255));
    }
    double t = (now() - t0) / (double)steps * 1e9;
    for (int i = 0; i < RING; i++)
        mem_free(MEM_DOMAIN_OBJ, ring[i]);
    return t;
}

static double min(double a, double b) { return a < b ? a : b; }

int main(int argc, char **argv)
{
    long steps = argc > 1 ? atol(argv[1]) : 2000000;
    for (int d = 0; d < 30; d++)
        mem_frame_push(files[d % 4], (unsigned)(10 + d), "f");

    /* the three modes interleaved, best of 5 each: a shared machine's load
     * changes during the run, and it should weigh on every mode alike */
    double off = 1e30, one = 1e30, many = 1e30;
    for (int rep = 0; rep < 5; rep++) {
        off = min(off, churn(steps / 5));
        trace_start(1);
        one = min(one, churn(steps / 5));
        trace_stop();
        trace_start(25);
        many = min(many, churn(steps / 5));
        trace_stop();
    }
    printf("churn_ns_off %.1f\nchurn_ns_1 %.1f\nchurn_ns_25 %.1f\n", off, one, many);
    printf("slowdown_1 %.2f\nslowdown_25 %.2f\n", one / off, many / off);

    /* 1,000,000 live traces from 100 lines */
    void **blocks = malloc(LIVE * sizeof *blocks);
    trace_start(1);
    for (long i = 0; i < LIVE; i++) {
        ML_LINE(200 + (unsigned)(i % 100));
        blocks[i] = mem_malloc(MEM_DOMAIN_OBJ, 16 + (size_t)(i % 48));
    }
    size_t tracer_bytes = trace_get_tracemalloc_memory();
    struct mallinfo2 before = mallinfo2();
    double t0 = now();
    trace_snapshot *snap = trace_take_snapshot();
    double t1 = now();
    struct mallinfo2 after = mallinfo2();
    trace_stats *st = trace_snapshot_statistics(snap, "lineno", 0);
    double t2 = now();
    printf("traces %zu\n", trace_snapshot_len(snap));
    printf("groups %zu\n", st->len);
    printf("snapshot_ms %.1f\nstatistics_ms %.1f\n", (t1 - t0) * 1e3, (t2 - t1) * 1e3);
    printf("snapshot_bytes_per_trace %.1f\n",
           (double)(after.uordblks + after.hblkhd - before.uordblks - before.hblkhd) / LIVE);
    printf("tracer_bytes_per_trace %.1f\n", (double)tracer_bytes / LIVE);
    trace_stats_free(st);
    trace_snapshot_free(snap);
    trace_stop();
    for (long i = 0; i < LIVE; i++)
        mem_free(MEM_DOMAIN_OBJ, blocks[i]);
    free(blocks);
    return 0;
}
