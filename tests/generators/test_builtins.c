/*
 * test_builtins.c -- range, map, filter, take, zip and enumerate written as
 * generators, chained into pipelines; and the notebook's claim, measured:
 * a pipeline's peak memory does not grow with its input, a list's does.
 */
#include "generators_test.h"

#include <limits.h>
#include <valgrind/valgrind.h>

/* Drain an iterator of ints into out[] (at most cap); returns the count. */
static int drain(ml_object *it, long *out, int cap)
{
    int n = 0;
    ml_object *v;
    while ((v = obj_iternext(it)) != NULL) {
        ck_assert_msg(n < cap, "too many items");
        out[n++] = take_long(v);
    }
    ck_assert_msg(err_occurred() == ML_EXC_NONE, "iteration ended with %s: %s",
                  ml_exc_kind_name(err_occurred()), err_message());
    return n;
}

static ml_object *square(ml_object *item, void *ctx)
{
    (void)ctx;
    long x = int_as_long(item);
    return int_from_long(x * x);
}

static int is_even(ml_object *item, void *ctx)
{
    (void)ctx;
    return int_as_long(item) % 2 == 0;
}

ML_TEST(range_yields_lazily_forwards_and_backwards, .points = 1,
        .description = "gen_range: range(2, 9, 3) and range(5, 0, -2), like Python's",
        .hint = "handout §7, Lazy builtins")
{
    long got[8];
    ml_object *r = gen_range(2, 9, 3);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(drain(r, got, 8), 3);
    ck_assert_int_eq(got[0], 2);
    ck_assert_int_eq(got[2], 8);
    obj_decref(r);
    r = gen_range(5, 0, -2);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(drain(r, got, 8), 3);
    ck_assert_int_eq(got[1], 3);
    ck_assert_int_eq(got[2], 1);
    obj_decref(r);
    r = gen_range(3, 3, 1);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(drain(r, got, 8), 0);
    obj_decref(r);
}

ML_TEST(range_step_zero_is_value_error, .points = 1,
        .description = "gen_range(0, 5, 0): ValueError, range() arg 3 must not be zero",
        .hint = "handout §7, Lazy builtins")
{
    ck_assert_ptr_null(gen_range(0, 5, 0));
    ASSERT_ERROR(ML_EXC_VALUE_ERROR, "range() arg 3 must not be zero");
}

ML_TEST(range_reaches_the_edges_of_long, .points = 1,
        .description = "range(LONG_MAX - 2, LONG_MAX): two values, no overflow",
        .hint = "handout §7, Lazy builtins")
{
    long got[4];
    ml_object *r = gen_range(LONG_MAX - 2, LONG_MAX, 1);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(drain(r, got, 4), 2);
    ck_assert_int_eq(got[1], LONG_MAX - 1);
    obj_decref(r);
}

ML_TEST(map_filter_take_pipeline, .points = 2,
        .description = "take(map(square, filter(even, range(0, 100))), 4) = 0 4 16 36",
        .hint = "handout §7, Pipelines")
{
    long got[8];
    ml_object *r = gen_range(0, 100, 1);
    ck_assert_ptr_nonnull(r);
    ml_object *f = gen_filter(is_even, NULL, r);
    ck_assert_ptr_nonnull(f);
    ml_object *m = gen_map(square, NULL, f);
    ck_assert_ptr_nonnull(m);
    ml_object *t = gen_take(m, 4);
    ck_assert_ptr_nonnull(t);
    obj_decref(r);
    obj_decref(f);
    obj_decref(m);
    ck_assert_int_eq(drain(t, got, 8), 4);
    ck_assert_int_eq(got[0], 0);
    ck_assert_int_eq(got[1], 4);
    ck_assert_int_eq(got[2], 16);
    ck_assert_int_eq(got[3], 36);
    obj_decref(t);
}

ML_TEST(take_stops_pulling_after_the_nth, .points = 1,
        .description = "take(count, 2) pulls exactly two items from its input",
        .hint = "handout §7, Lazy builtins")
{
    long got[4];
    ml_object *c = count_new(10);
    ck_assert_ptr_nonnull(c);
    ml_object *t = gen_take(c, 2);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(drain(t, got, 4), 2);
    ck_assert_int_eq(take_long(gen_next(c)), 2); /* the input resumes where take left it */
    obj_decref(t);
    obj_decref(c);
}

ML_TEST(take_negative_is_value_error, .points = 1,
        .description = "gen_take(it, -1): islice's ValueError", .hint = "handout §7, Lazy builtins")
{
    ml_object *c = count_new(1);
    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_null(gen_take(c, -1));
    ASSERT_ERROR(ML_EXC_VALUE_ERROR,
                 "Stop argument for islice() must be None or an integer: 0 <= x <= sys.maxsize.");
    obj_decref(c);
}

ML_TEST(zip_stops_at_the_shorter_and_enumerate_counts, .points = 2,
        .description = "zip(range(3), [a, b]) -> 2 pairs; enumerate(list, 1) -> (1, a), (2, b)",
        .hint = "handout §7, Lazy builtins")
{
    ml_object *list = list_new(0);
    ml_object *a = str_from_cstr("a"), *b = str_from_cstr("b");
    list_append(list, a);
    list_append(list, b);
    ml_object *r = gen_range(0, 3, 1);
    ck_assert_ptr_nonnull(r);
    ml_object *z = gen_zip(r, list);
    ck_assert_ptr_nonnull(z);
    char buf[64];
    ml_object *p = gen_next(z);
    ck_assert_ptr_nonnull(p);
    obj_repr(p, buf, sizeof buf);
    ck_assert_str_eq(buf, "(0, 'a')");
    obj_decref(p);
    p = gen_next(z);
    ck_assert_ptr_nonnull(p);
    obj_decref(p);
    ck_assert_ptr_null(gen_next(z));
    ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
    obj_decref(z);
    obj_decref(r);

    ml_object *e = gen_enumerate(list, 1);
    ck_assert_ptr_nonnull(e);
    p = gen_next(e);
    ck_assert_ptr_nonnull(p);
    obj_repr(p, buf, sizeof buf);
    ck_assert_str_eq(buf, "(1, 'a')");
    obj_decref(p);
    p = gen_next(e);
    ck_assert_ptr_nonnull(p);
    obj_repr(p, buf, sizeof buf);
    ck_assert_str_eq(buf, "(2, 'b')");
    obj_decref(p);
    ck_assert_ptr_null(gen_next(e));
    obj_decref(e);
    ck_assert_int_eq(obj_getrefcount(a), 3); /* a, the list; the pairs are gone */
    obj_decref(list);
    obj_decref(a);
    obj_decref(b);
}

ML_TEST(builtins_reject_non_iterables_at_the_call, .points = 1,
        .description = "map/filter/take/zip/enumerate of an int: TypeError at once, like Python",
        .hint = "handout §7, Lazy builtins")
{
    ml_object *n = int_from_long(3);
    ck_assert_ptr_null(gen_map(square, NULL, n));
    ASSERT_ERROR(ML_EXC_TYPE_ERROR, "'int' object is not iterable");
    ck_assert_ptr_null(gen_filter(is_even, NULL, n));
    ASSERT_ERROR(ML_EXC_TYPE_ERROR, "'int' object is not iterable");
    ck_assert_ptr_null(gen_take(n, 1));
    ASSERT_ERROR(ML_EXC_TYPE_ERROR, "'int' object is not iterable");
    ck_assert_ptr_null(gen_enumerate(n, 0));
    ASSERT_ERROR(ML_EXC_TYPE_ERROR, "'int' object is not iterable");
    ml_object *r = gen_range(0, 1, 1);
    ck_assert_ptr_nonnull(r);
    ck_assert_ptr_null(gen_zip(r, n));
    ASSERT_ERROR(ML_EXC_TYPE_ERROR, "'int' object is not iterable");
    ck_assert_int_eq(obj_getrefcount(r), 2);
    obj_decref(r);
}

static ml_object *fail_on_three(ml_object *item, void *ctx)
{
    (void)ctx;
    if (int_as_long(item) == 3) {
        err_set(ML_EXC_ZERO_DIVISION_ERROR, "division by zero");
        return NULL;
    }
    return obj_newref(item);
}

ML_TEST(callback_errors_propagate_and_close_the_stage, .points = 1,
        .description = "an error in map's function comes out of next() and ends that generator",
        .hint = "handout §7, Pipelines")
{
    ml_object *r = gen_range(0, 10, 1);
    ck_assert_ptr_nonnull(r);
    ml_object *m = gen_map(fail_on_three, NULL, r);
    ck_assert_ptr_nonnull(m);
    obj_decref(r);
    for (long i = 0; i < 3; i++)
        ck_assert_int_eq(take_long(gen_next(m)), i);
    ck_assert_ptr_null(gen_next(m));
    ASSERT_ERROR(ML_EXC_ZERO_DIVISION_ERROR, "division by zero");
    ck_assert_msg(gen_getstate(m) == GEN_CLOSED, "the failed stage is closed");
    obj_decref(m);
}

/* ---------------------------------------------------------------- memory */

/* sum(take(map(square, filter(even, range(0, LONG_MAX))), n)); its peak. */
static size_t pipeline_peak(long n, long *sum)
{
    size_t base = mem_current_bytes();
    mem_reset_peak();
    ml_object *r = gen_range(0, LONG_MAX, 1);
    ml_object *f = gen_filter(is_even, NULL, r);
    ml_object *m = gen_map(square, NULL, f);
    ml_object *t = gen_take(m, n);
    ck_assert_msg(r && f && m && t, "building the pipeline failed");
    obj_decref(r);
    obj_decref(f);
    obj_decref(m);
    ml_object *v;
    *sum = 0;
    while ((v = gen_next(t)) != NULL)
        *sum += take_long(v);
    ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
    obj_decref(t);
    return mem_peak_bytes() - base;
}

/* The same values in a list, as a list comprehension would hold them. */
static size_t list_peak(long n)
{
    size_t base = mem_current_bytes();
    mem_reset_peak();
    ml_object *list = list_new(0);
    ck_assert_ptr_nonnull(list);
    for (long i = 0; i < n; i++) {
        ml_object *v = int_from_long(4 * i * i);
        list_append(list, v);
        obj_decref(v);
    }
    obj_decref(list);
    return mem_peak_bytes() - base;
}

/* Natively the largest run is the notebook's million; under Valgrind (the
 * grader), where each item costs ~100 times more, it is 20,000. */
ML_TEST(pipeline_peak_memory_does_not_grow_with_the_input, .points = 3,
        .description = "same peak live bytes for 10, 1000 and 1,000,000 items; a list grows",
        .hint = "handout §8, Memory", .timeout = 20)
{
    long big = RUNNING_ON_VALGRIND ? 20000 : 1000000;
    long sum;
    size_t p10 = pipeline_peak(10, &sum);
    ck_assert_int_eq(sum, 1140); /* sum of (2k)^2, k < 10 */
    size_t p1k = pipeline_peak(1000, &sum);
    size_t pbig = pipeline_peak(big, &sum);
    ck_assert_msg(p10 == p1k && p1k == pbig,
                  "peak bytes grew: %zu (10 items), %zu (1000), %zu (%ld)", p10, p1k, pbig, big);
    ck_assert_msg(p10 < 1024, "four generators and two ints should fit in 1 KiB, not %zu", p10);
    /* the list equivalent grows with the input */
    size_t l10 = list_peak(10), l1k = list_peak(1000);
    ck_assert_msg(l1k > 50 * l10 && l1k > 10 * p1k, "a list of 1000 (%zu B) vs of 10 (%zu B)", l1k,
                  l10);
}
