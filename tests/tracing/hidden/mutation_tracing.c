/*
 * mutation_tracing.c -- instructor-only tests written against mutants of the
 * reference that the other tests let through: a failure that must replace
 * the message an earlier failure left behind.
 */
#include "../tracing_test.h"

/* ------------------------------------------- an allocator that can refuse */

static int refuse; /* 1: every allocation fails */

static void *gate_malloc(void *ctx, size_t n)
{
    (void)ctx;
    return refuse ? NULL : malloc(n ? n : 1);
}
static void *gate_calloc(void *ctx, size_t a, size_t b)
{
    (void)ctx;
    return refuse ? NULL : calloc(a ? a : 1, b ? b : 1);
}
static void *gate_realloc(void *ctx, void *p, size_t n)
{
    (void)ctx;
    return refuse ? NULL : realloc(p, n ? n : 1);
}
static void gate_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

/* ------------------------------------------------------------ compare_to */

ML_TEST(hidden_compare_to_out_of_memory_replaces_an_earlier_message, .points = 1,
        .visibility = ML_HIDDEN,
        .description = "compare_to that runs out of memory says \"out of memory\", not the "
                       "message of the previous failure",
        .hint = "handout 5, compare_to")
{
    refuse = 0;
    mem_allocator gate = {NULL, gate_malloc, gate_calloc, gate_realloc, gate_free};
    mem_set_allocator(MEM_DOMAIN_RAW, &gate);
    trace_snapshot *now = trace_snapshot_new(1);
    trace_snapshot *before = trace_snapshot_new(1);
    ck_assert_msg(now && before, "trace_snapshot_new(1) must give a snapshot");
    add_trace_text(now, 0, 64, "a.py:1");
    add_trace_text(before, 0, 32, "a.py:1");

    ck_assert_msg(trace_snapshot_compare_to(now, before, "bogus", 0) == NULL,
                  "an unknown key_type must fail");
    ck_assert_str_eq(trace_error_message(), "unknown key_type: 'bogus'");

    refuse = 1;
    trace_diffs *diffs = trace_snapshot_compare_to(now, before, "lineno", 0);
    refuse = 0;
    ck_assert_msg(diffs == NULL, "compare_to must fail when no memory can be had");
    ck_assert_str_eq(trace_error_message(), "out of memory");

    trace_snapshot_free(now);
    trace_snapshot_free(before);
}
