/*
 * tracing_scale.c -- how snapshot + statistics grow with the number of live
 * traces, on the reference tracer (built -O2 against the given mem layer).
 *
 *     tracing-scale N
 *
 * N live blocks of 16..63 bytes, allocated from 100 source lines under a
 * 30-frame stack with trace_start(1); then take_snapshot() and
 * statistics("lineno") timed in CPU time (the machine may be shared).
 * Prints `key value` lines:
 *   traces groups             the snapshot's length (N), statistics' length
 *   snapshot_ms statistics_ms the two steps
 *   total_ns_per_trace        (snapshot + statistics) / N
 *   snapshot_bytes_per_trace  the C library's bytes held by the snapshot / N
 *   tracer_bytes_per_trace    get_tracemalloc_memory() / N
 * bench/tracing_scale.py does the same with CPython's tracemalloc.
 */
#include "memlab/mem.h"
#include "memlab/tracing.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

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

static const char *const files[] = {"main.py", "app.py", "lib/util.py", "lib/io.py"};

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    if (n < 1) {
        fprintf(stderr, "usage: tracing-scale N (N >= 1)\n");
        return 2;
    }
    for (int d = 0; d < 30; d++)
        mem_frame_push(files[d % 4], (unsigned)(10 + d), "f");
    void **blocks = malloc((size_t)n * sizeof *blocks);
    if (!blocks || trace_start(1) != 0) {
        fprintf(stderr, "tracing-scale: cannot start\n");
        return 1;
    }
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
    if (!snap || !st) {
        fprintf(stderr, "tracing-scale: %s\n", trace_error_message());
        return 1;
    }

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
    return 0;
}
