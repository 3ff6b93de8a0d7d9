/*
 * tracing-bench.c -- what tracing costs, measured on the reference tracer
 * (built -O2 against the given mem layer: the tracer stands on mem alone).
 *
 *     tracing-bench churn STEPS     the cost of tracing an allocation-heavy loop
 *     tracing-bench traces N        snapshot + statistics over N live traces
 *
 * Both run under a 30-frame stack and print `key value` lines; times are the
 * process's CPU time (the machine may be shared).
 *
 *   churn: 1000 live blocks of 16..271 bytes, one freed and replaced per
 *   step; tracing off, with 1 frame, with 25 frames (the modes interleaved,
 *   best of 5 runs of STEPS/5 each)
 *     churn_ns_off churn_ns_1 churn_ns_25   ns per (free + malloc) pair
 *     slowdown_1 slowdown_25                 the ratios to tracing off
 *   traces: N live blocks of 16..63 bytes from 100 source lines, with
 *   trace_start(1); then take_snapshot() and statistics("lineno")
 *     traces groups                          the snapshot's length, statistics' length
 *     snapshot_ms statistics_ms              the two steps
 *     total_ns_per_trace                     (snapshot + statistics) / N
 *     snapshot_bytes_per_trace               the C library's bytes held by the snapshot / N
 *     tracer_bytes_per_trace                 get_tracemalloc_memory() / N
 *
 * bench/tracing/tracing-bench.py runs this program and CPython's tracemalloc on
 * the same workloads, interleaved, and compares.
 */
#include "memlab/mem.h"
#include "memlab/tracing.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RING       1000
#define CHURN_RUNS 5

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Bytes the C library has handed out (small and mmapped blocks). */
static double heap_bytes(void)
{
    struct mallinfo2 mi = mallinfo2();
    return (double)(mi.uordblks + mi.hblkhd);
}

static double min(double a, double b) { return a < b ? a : b; }

static void fail(const char *what)
{
    fprintf(stderr, "tracing-bench: %s: %s\n", what, trace_error_message());
    exit(1);
}

/* ======================================================================== churn */

/* ns per free + malloc pair over `steps` steps, in whatever mode is on. */
static double churn_once(long steps)
{
    static void *ring[RING];
    for (int i = 0; i < RING; i++)
        ring[i] = mem_malloc(MEM_DOMAIN_OBJ, 16 + (size_t)(i % 256));
    unsigned x = 12345;
    double t0 = cpu_seconds();
    for (long s = 0; s < steps; s++) {
        x = x * 1103515245u + 12345u;
        int slot = (int)(s % RING);
        ML_LINE(100 + (unsigned)(s & 7));
        mem_free(MEM_DOMAIN_OBJ, ring[slot]);
        ring[slot] = mem_malloc(MEM_DOMAIN_OBJ, 16 + ((x >> 16) & 255));
    }
    double t = (cpu_seconds() - t0) / (double)steps * 1e9;
    for (int i = 0; i < RING; i++)
        mem_free(MEM_DOMAIN_OBJ, ring[i]);
    return t;
}

/* The three modes interleaved, best of CHURN_RUNS each: a shared machine's
 * load changes during the run, and it should weigh on every mode alike. */
static void churn(long steps)
{
    long each = steps / CHURN_RUNS > 0 ? steps / CHURN_RUNS : 1;
    double off = 1e30, one = 1e30, many = 1e30;
    for (int run = 0; run < CHURN_RUNS; run++) {
        off = min(off, churn_once(each));
        if (trace_start(1) != 0)
            fail("trace_start(1)");
        one = min(one, churn_once(each));
        trace_stop();
        if (trace_start(25) != 0)
            fail("trace_start(25)");
        many = min(many, churn_once(each));
        trace_stop();
    }
    printf("churn_ns_off %.1f\nchurn_ns_1 %.1f\nchurn_ns_25 %.1f\n", off, one, many);
    printf("slowdown_1 %.2f\nslowdown_25 %.2f\n", one / off, many / off);
}

/* ======================================================================== live traces */

static void traces(long n)
{
    void **blocks = malloc((size_t)n * sizeof *blocks);
    if (!blocks || trace_start(1) != 0)
        fail("cannot start");
    for (long i = 0; i < n; i++) {
        ML_LINE(200 + (unsigned)(i % 100));
        blocks[i] = mem_malloc(MEM_DOMAIN_OBJ, 16 + (size_t)(i % 48));
    }
    size_t tracer_bytes = trace_get_tracemalloc_memory();

    double before = heap_bytes();
    double t0 = cpu_seconds();
    trace_snapshot *snap = trace_take_snapshot();
    double t1 = cpu_seconds();
    double after = heap_bytes();
    trace_stats *st = trace_snapshot_statistics(snap, "lineno", 0);
    double t2 = cpu_seconds();
    if (!snap || !st)
        fail("snapshot");

    printf("traces %zu\ngroups %zu\n", trace_snapshot_len(snap), st->len);
    printf("snapshot_ms %.3f\nstatistics_ms %.3f\n", (t1 - t0) * 1e3, (t2 - t1) * 1e3);
    printf("total_ns_per_trace %.2f\n", (t2 - t0) * 1e9 / (double)n);
    printf("snapshot_bytes_per_trace %.1f\n", (after - before) / (double)n);
    printf("tracer_bytes_per_trace %.1f\n", (double)tracer_bytes / (double)n);

    trace_stats_free(st);
    trace_snapshot_free(snap);
    trace_stop();
    for (long i = 0; i < n; i++)
        mem_free(MEM_DOMAIN_OBJ, blocks[i]);
    free(blocks);
}

static const char *const files[] = {"main.py", "app.py", "lib/util.py", "lib/io.py"};

int main(int argc, char **argv)
{
    long n = argc == 3 ? atol(argv[2]) : 0;
    if (n < 1 || (strcmp(argv[1], "churn") != 0 && strcmp(argv[1], "traces") != 0)) {
        fprintf(stderr, "usage: tracing-bench churn STEPS | traces N   (STEPS, N >= 1)\n");
        return 2;
    }
    for (int d = 0; d < 30; d++)
        mem_frame_push(files[d % 4], (unsigned)(10 + d), "f");
    if (strcmp(argv[1], "churn") == 0)
        churn(n);
    else
        traces(n);
    return 0;
}
