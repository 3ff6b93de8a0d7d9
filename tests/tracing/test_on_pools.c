/*
 * test_on_pools.c -- the tracer stacked on the pools layer (the reference
 * pymalloc): pools does the allocating, the tracer only watches (handout
 * section 2, "What is underneath").
 */
#include "memlab/pools.h"
#include "tracing_test.h"

static void stack_up(int nframe)
{
    pool_install();
    ck_assert_int_eq(trace_start(nframe), 0);
}

static void take_down(void)
{
    trace_stop();
    pool_uninstall();
}

ML_TEST(on_pools_small_blocks_come_from_pools_and_are_traced, .points = 2,
        .description = "with pools underneath, small blocks are pool blocks and carry a trace",
        .hint = "handout 2, What is underneath")
{
    stack_up(1);
    void *small = alloc_at("a.py", 1, 48);
    void *large = alloc_at("a.py", 2, 4000);
    ck_assert_msg(pool_address_in_range(small), "a 48-byte block must come from a pool");
    ck_assert_msg(!pool_address_in_range(large), "a 4000-byte block goes to the system");
    size_t size = 0, current;
    ck_assert_ptr_nonnull(trace_get_traceback(0, (uintptr_t)small, &size));
    ck_assert_uint_eq(size, 48);
    trace_get_traced_memory(&current, NULL);
    ck_assert_uint_eq(current, 4048);
    mem_free(MEM_DOMAIN_OBJ, small);
    mem_free(MEM_DOMAIN_OBJ, large);
    ck_assert_uint_eq(trace_count(), 0);
    take_down();
}

ML_TEST(on_pools_arenas_are_not_traced, .points = 2,
        .description = "the traces are the program's blocks only, never the allocator's arenas",
        .hint = "handout 2, Reentrancy")
{
    stack_up(1);
    void *p[3000];
    for (int i = 0; i < 3000; i++)
        p[i] = alloc_at("b.py", 7, 16 + (size_t)(i % 32) * 16);
    pool_stats ps;
    pool_get_stats(&ps);
    ck_assert_uint_ge(ps.arenas_current, 1);
    ck_assert_uint_eq(trace_count(), 3000);
    size_t want = 0, current;
    for (int i = 0; i < 3000; i++)
        want += 16 + (size_t)(i % 32) * 16;
    trace_get_traced_memory(&current, NULL);
    ck_assert_uint_eq(current, want);
    for (int i = 0; i < 3000; i++)
        mem_free(MEM_DOMAIN_OBJ, p[i]);
    take_down();
}

ML_TEST(on_pools_realloc_across_the_threshold_moves_the_trace, .points = 2,
        .description = "a pool block grown past 512 bytes moves to the system with its trace",
        .hint = "handout 3, Traces")
{
    stack_up(2);
    mem_frame_push("c.py", 1, "f");
    char *p = mem_malloc(MEM_DOMAIN_MEM, 100);
    ML_LINE(2);
    char *q = mem_realloc(MEM_DOMAIN_MEM, p, 2000);
    mem_frame_pop();
    ck_assert_ptr_ne(p, q);
    ck_assert_ptr_null(trace_get_traceback(0, (uintptr_t)p, NULL));
    size_t size = 0;
    const trace_traceback *tb = trace_get_traceback(0, (uintptr_t)q, &size);
    ck_assert_ptr_nonnull(tb);
    ck_assert_uint_eq(size, 2000);
    ck_assert_uint_eq(tb->frames[0].lineno, 2);
    ck_assert_uint_eq(trace_count(), 1);
    mem_free(MEM_DOMAIN_MEM, q);
    take_down();
}

ML_TEST(on_pools_statistics_of_a_notebook_cell, .points = 2,
        .description = "statistics('lineno') over pool-allocated objects gives the exact lines",
        .hint = "handout 5, Statistics")
{
    stack_up(1);
    void *objs[500], *arr;
    mem_frame_push("cell.py", 2, "build");
    arr = mem_malloc(MEM_DOMAIN_MEM, 8);
    for (int i = 0; i < 500; i++) {
        ML_LINE(3);
        objs[i] = mem_malloc(MEM_DOMAIN_OBJ, 32);
        ML_LINE(4);
        arr = mem_realloc(MEM_DOMAIN_MEM, arr, 8 * (size_t)(i + 1));
    }
    mem_frame_pop();
    trace_snapshot *s = trace_take_snapshot();
    ck_assert_ptr_nonnull(s);
    trace_stats *st = trace_snapshot_statistics(s, "lineno", 0);
    ck_assert_ptr_nonnull(st);
    ck_assert_uint_eq(st->len, 2);
    ck_assert_str_eq(stat_text(&st->items[0]), "cell.py:3: size=15.6 KiB, count=500, average=32 B");
    ck_assert_str_eq(stat_text(&st->items[1]), "cell.py:4: size=4000 B, count=1, average=4000 B");
    trace_stats_free(st);
    trace_snapshot_free(s);
    for (int i = 0; i < 500; i++)
        mem_free(MEM_DOMAIN_OBJ, objs[i]);
    mem_free(MEM_DOMAIN_MEM, arr);
    take_down();
}
