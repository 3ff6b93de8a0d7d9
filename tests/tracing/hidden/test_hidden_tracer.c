/*
 * test_hidden_tracer.c -- instructor-only tests of the tracer: seeded random
 * churn against a model, deep stacks, restarts, corner sizes.
 */
#include "../tracing_test.h"
#include "memlab/pools.h"

typedef struct live_block {
    void *ptr;
    mem_domain domain;
    size_t size;
    unsigned line;
} live_block;

/* Random malloc / calloc / realloc / free at 8 lines; after every step the
 * tracer's count, current and peak must equal the model's. */
static void churn_against_model(int steps, size_t max_size)
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

ML_TEST(
    hidden_random_churn_matches_the_model, .points = 3, .visibility = ML_HIDDEN,
    .description = "5000 random malloc/calloc/realloc/free: count, current, peak and lines exact",
    .hint = "handout 3, Traces", .timeout = 10)
{
    ck_assert_int_eq(trace_start(1), 0);
    churn_against_model(5000, 2000);
}

ML_TEST(hidden_random_churn_on_pools_matches_the_model, .points = 3, .visibility = ML_HIDDEN,
        .description = "the same churn with the pools allocator underneath",
        .hint = "handout 2, What is underneath", .timeout = 10)
{
    pool_install();
    ck_assert_int_eq(trace_start(1), 0);
    churn_against_model(5000, 700);
    trace_stop();
    pool_uninstall();
}

ML_TEST(hidden_deep_stack_keeps_limit_frames_and_counts_all, .points = 2, .visibility = ML_HIDDEN,
        .description = "1024 frames, limit 25: nframe 25, total_nframe 1024, marked in repr",
        .hint = "handout 3, Tracebacks")
{
    ck_assert_int_eq(trace_start(25), 0);
    for (unsigned i = 0; i < MEM_MAX_FRAMES; i++)
        ck_assert_int_eq(mem_frame_push("deep.py", i, "r"), 0);
    void *p = mem_malloc(MEM_DOMAIN_OBJ, 1);
    for (unsigned i = 0; i < MEM_MAX_FRAMES; i++)
        mem_frame_pop();
    const trace_traceback *tb = trace_get_object_traceback(p);
    ck_assert_ptr_nonnull(tb);
    ck_assert_uint_eq(tb->nframe, 25);
    ck_assert_uint_eq(tb->total_nframe, 1024);
    ck_assert_uint_eq(tb->frames[0].lineno, 1023);
    ck_assert_uint_eq(tb->frames[24].lineno, 999);
    char buf[4096] = "";
    trace_format_traceback_repr(buf, sizeof buf, tb);
    ck_assert_msg(strncmp(buf, "<Traceback (<Frame filename='deep.py' lineno=999>, ", 51) == 0,
                  "repr: %s", buf);
    ck_assert_str_eq(buf + strlen(buf) - 20, ") total_nframe=1024>");
    mem_free(MEM_DOMAIN_OBJ, p);
}

ML_TEST(hidden_total_nframe_distinguishes_tracebacks_but_not_lines, .points = 2,
        .visibility = ML_HIDDEN,
        .description = "same frame at two depths: two interned tracebacks, one 'lineno' line",
        .hint = "handout 3, Interning")
{
    ck_assert_int_eq(trace_start(1), 0);
    mem_frame_push("a.py", 1, "f");
    void *p = mem_malloc(MEM_DOMAIN_OBJ, 10);
    mem_frame_push("a.py", 1, "f");
    void *q = mem_malloc(MEM_DOMAIN_OBJ, 30);
    mem_frame_pop();
    mem_frame_pop();
    ck_assert_ptr_ne(trace_get_object_traceback(p), trace_get_object_traceback(q));
    trace_snapshot *s = trace_take_snapshot();
    ck_assert_ptr_nonnull(s);
    trace_stats *st = trace_snapshot_statistics(s, "lineno", 0);
    ck_assert_ptr_nonnull(st);
    ck_assert_uint_eq(st->len, 1);
    ck_assert_str_eq(stat_text(&st->items[0]), "a.py:1: size=40 B, count=2, average=20 B");
    trace_stats_free(st);
    st = trace_snapshot_statistics(s, "traceback", 0);
    ck_assert_ptr_nonnull(st);
    ck_assert_uint_eq(st->len, 1);
    trace_stats_free(st);
    trace_snapshot_free(s);
    mem_free(MEM_DOMAIN_OBJ, p);
    mem_free(MEM_DOMAIN_OBJ, q);
}

ML_TEST(hidden_restart_begins_from_nothing, .points = 2, .visibility = ML_HIDDEN,
        .description = "stop then start(3): no old trace, new limit, memory and peak from 0",
        .hint = "handout 1, Starting and stopping")
{
    ck_assert_int_eq(trace_start(1), 0);
    void *p = alloc_at("a.py", 1, 500);
    trace_stop();
    ck_assert_int_eq(trace_start(3), 0);
    ck_assert_int_eq(trace_get_traceback_limit(), 3);
    ck_assert_ptr_null(trace_get_object_traceback(p));
    size_t current = 1, peak = 1;
    trace_get_traced_memory(&current, &peak);
    ck_assert_uint_eq(current + peak, 0);
    mem_free(MEM_DOMAIN_OBJ, p); /* traced before the restart: nothing to forget */
    void *q = alloc_at("b.py", 2, 5);
    trace_get_traced_memory(&current, &peak);
    ck_assert_uint_eq(current, 5);
    ck_assert_uint_eq(peak, 5);
    mem_free(MEM_DOMAIN_OBJ, q);
}

ML_TEST(hidden_zero_byte_blocks_are_traced, .points = 1, .visibility = ML_HIDDEN,
        .description = "malloc(0) and calloc(0, n) are traces of 0 bytes",
        .hint = "handout 3, Traces")
{
    ck_assert_int_eq(trace_start(1), 0);
    void *p = alloc_at("z.py", 4, 0);
    mem_frame_push("z.py", 4, "f");
    void *q = mem_calloc(MEM_DOMAIN_MEM, 0, 8);
    mem_frame_pop();
    ck_assert_uint_eq(trace_count(), 2);
    trace_snapshot *s = trace_take_snapshot();
    ck_assert_ptr_nonnull(s);
    trace_stats *st = trace_snapshot_statistics(s, "filename", 0);
    ck_assert_ptr_nonnull(st);
    ck_assert_str_eq(stat_text(&st->items[0]), "z.py:0: size=0 B, count=2, average=0 B");
    trace_stats_free(st);
    trace_snapshot_free(s);
    mem_free(MEM_DOMAIN_OBJ, p);
    mem_free(MEM_DOMAIN_MEM, q);
}

ML_TEST(hidden_track_replaces_and_keeps_the_peak, .points = 2, .visibility = ML_HIDDEN,
        .description = "re-tracking a key replaces its size; peak follows the largest total",
        .hint = "handout 3, Domains")
{
    ck_assert_int_eq(trace_start(1), 0);
    ck_assert_int_eq(trace_track(389047, 0xabc0, 100), 0);
    ck_assert_int_eq(trace_track(389047, 0xabc0, 700), 0);
    ck_assert_int_eq(trace_track(389047, 0xabc0, 50), 0);
    size_t current, peak;
    trace_get_traced_memory(&current, &peak);
    ck_assert_uint_eq(current, 50);
    ck_assert_uint_eq(peak, 700);
    ck_assert_uint_eq(trace_count(), 1);
    ck_assert_int_eq(trace_untrack(389047, 0xabc1), 0); /* not traced: nothing happens */
    ck_assert_uint_eq(trace_count(), 1);
    for (uintptr_t a = 0; a < 5000; a++)
        ck_assert_int_eq(trace_track(5, a * 16, 1), 0);
    for (uintptr_t a = 0; a < 5000; a += 2)
        ck_assert_int_eq(trace_untrack(5, a * 16), 0);
    ck_assert_uint_eq(trace_count(), 2501);
    for (uintptr_t a = 1; a < 5000; a += 2)
        ck_assert_ptr_nonnull(trace_get_traceback(5, a * 16, NULL));
    trace_get_traced_memory(&current, &peak);
    ck_assert_uint_eq(current, 2550);
    ck_assert_uint_eq(peak, 5050);
}

ML_TEST(hidden_snapshot_survives_clear_traces, .points = 1, .visibility = ML_HIDDEN,
        .description = "clear_traces after a snapshot leaves the snapshot whole",
        .hint = "handout 4, Snapshots")
{
    ck_assert_int_eq(trace_start(2), 0);
    void *p = alloc_at("keep.py", 9, 77);
    trace_snapshot *s = trace_take_snapshot();
    ck_assert_ptr_nonnull(s);
    trace_clear_traces();
    trace_snapshot *empty = trace_take_snapshot();
    ck_assert_ptr_nonnull(empty);
    ck_assert_uint_eq(trace_snapshot_len(empty), 0);
    trace_stats *st = trace_snapshot_statistics(s, "traceback", 0);
    ck_assert_ptr_nonnull(st);
    ck_assert_str_eq(stat_text(&st->items[0]), "keep.py:9: size=77 B, count=1, average=77 B");
    trace_stats_free(st);
    st = trace_snapshot_statistics(empty, "lineno", 1);
    ck_assert_ptr_nonnull(st);
    ck_assert_uint_eq(st->len, 0);
    trace_stats_free(st);
    trace_diffs *d = trace_snapshot_compare_to(empty, s, "lineno", 0);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->len, 1);
    ck_assert_str_eq(diff_text(&d->items[0]), "keep.py:9: size=0 B (-77 B), count=0 (-1)");
    trace_diffs_free(d);
    trace_snapshot_free(s);
    trace_snapshot_free(empty);
    mem_free(MEM_DOMAIN_OBJ, p);
}
