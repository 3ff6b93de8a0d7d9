/*
 * hidden/tracing_hidden.h -- helpers shared by the hidden tracing tests: a
 * gate that makes RAW refuse, one allocation under RAW that fails, a small
 * snapshot, and seeded random churn checked against a model.
 */
#ifndef TRACING_HIDDEN_H
#define TRACING_HIDDEN_H

#include "../tracing_test.h"
#include "mlalloc.h"

#include <stdlib.h>

/* ------------------------------------------- an allocator that can refuse */

/* A gate a test puts under RAW with ml_alloc_install(&gate, MEM_DOMAIN_RAW)
 * (mlalloc.h); shut_gate(1): every request fails from now on, shut_gate(0):
 * every one passes again. */
__attribute__((unused)) static ml_alloc gate = ML_ALLOC_COUNT;

static inline void shut_gate(int shut) { ml_alloc_plan(&gate, shut ? 0 : -1, shut ? -1 : 0); }

/* ------------------------------------------------ one allocation that fails */

/* Under RAW: call number `k` (counted from 1) fails, the others pass;
 * -1: none fails.  ml_alloc_plan(&once, k - 1, 1) plans it again while
 * installed (mlalloc.h). */
__attribute__((unused)) static ml_alloc once;

static inline void fail_call(long k)
{
    ml_alloc_remove(&once);
    once = (ml_alloc){.pass = k - 1, .refuse = k > 0 ? 1 : 0};
    ml_alloc_install(&once, MEM_DOMAIN_RAW);
}

/* ------------------------------------------------ a small snapshot */

/* Three traces in two domains, one of them in a file whose name has a quote. */
static inline trace_snapshot *small_snapshot(void)
{
    trace_snapshot *s = trace_snapshot_new(2);
    add_trace_text(s, 0, 100, "a.py:1 main.py:9");
    add_trace_text(s, 3, 300, "lib/y.py:5 a.py:2");
    add_trace_text(s, 0, 12, "it's.py:3");
    return s;
}

/* ------------------------------------------------ random churn against a model */

typedef struct live_block {
    void *ptr;
    mem_domain domain;
    size_t size;
    unsigned line;
} live_block;

/* Random malloc / calloc / realloc / free at 8 lines; after every step the
 * tracer's count, current and peak must equal the model's. */
static inline void churn_against_model(int steps, size_t max_size)
{
    uint64_t rng = ml_test_seed();
    static live_block live[512];
    int n = 0;
    size_t current = 0, peak = 0, got_current, got_peak;
    mem_frame_push("model.py", 1, "churn");
    for (int s = 0; s < steps; s++) {
        unsigned line = 1 + (unsigned)ml_rand_below(&rng, 8);
        ML_LINE(line);
        uint64_t op = ml_rand_below(&rng, 4);
        if ((op == 0 || n == 512) && n > 0) {
            int k = (int)ml_rand_below(&rng, (uint64_t)n);
            mem_free(live[k].domain, live[k].ptr);
            current -= live[k].size;
            live[k] = live[--n];
        } else if (op == 1 && n > 0) {
            int k = (int)ml_rand_below(&rng, (uint64_t)n);
            size_t size = (size_t)ml_rand_below(&rng, max_size);
            live[k].ptr = mem_realloc(live[k].domain, live[k].ptr, size);
            current += size - live[k].size;
            live[k].size = size;
            live[k].line = line;
        } else {
            mem_domain d = (mem_domain)ml_rand_below(&rng, 3);
            size_t size = (size_t)ml_rand_below(&rng, max_size);
            void *p = op == 2 ? mem_calloc(d, 1, size) : mem_malloc(d, size);
            live[n++] = (live_block){p, d, size, line};
            current += size;
        }
        peak = current > peak ? current : peak;
        trace_get_traced_memory(&got_current, &got_peak);
        ck_assert_msg(got_current == current && got_peak == peak && trace_count() == (size_t)n,
                      "step %d: traced (%zu, %zu) count %zu, expected (%zu, %zu) count %d", s,
                      got_current, got_peak, trace_count(), current, peak, n);
    }
    mem_frame_pop();
    /* every block's trace has its size and its last line */
    for (int k = 0; k < n; k++) {
        size_t size = 0;
        const trace_traceback *tb = trace_get_traceback(0, (uintptr_t)live[k].ptr, &size);
        ck_assert_ptr_nonnull(tb);
        ck_assert_uint_eq(size, live[k].size);
        ck_assert_uint_eq(tb->frames[0].lineno, live[k].line);
    }
    /* statistics('lineno') agree with the model, line by line */
    trace_snapshot *snap = trace_take_snapshot();
    ck_assert_ptr_nonnull(snap);
    trace_stats *st = trace_snapshot_statistics(snap, "lineno", 0);
    ck_assert_ptr_nonnull(st);
    for (size_t i = 0; i < st->len; i++) {
        size_t size = 0, count = 0;
        for (int k = 0; k < n; k++)
            if (live[k].line == st->items[i].traceback->frames[0].lineno) {
                size += live[k].size;
                count++;
            }
        ck_assert_uint_eq(st->items[i].size, size);
        ck_assert_uint_eq(st->items[i].count, count);
        if (i > 0)
            ck_assert_msg(st->items[i - 1].size > size ||
                              (st->items[i - 1].size == size && st->items[i - 1].count >= count),
                          "statistics must be sorted by size, then count");
    }
    trace_stats_free(st);
    trace_snapshot_free(snap);
    for (int k = 0; k < n; k++)
        mem_free(live[k].domain, live[k].ptr);
}

#endif /* TRACING_HIDDEN_H */
