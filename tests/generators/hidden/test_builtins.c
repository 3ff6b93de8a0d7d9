/*
 * hidden/test_builtins.c -- the hidden tests of test_builtins.c's area (the public file
 * tests/generators/test_builtins.c); those that came from mutation testing are tagged
 * "mutation".
 */
#include "generators_hidden.h"

#include <stdlib.h>
#include <string.h>

/* ==================================================================== range */
ML_TEST(negative_ranges_whose_span_is_a_multiple_of_the_step, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "range(10, 0, -5) is 10, 5; range(5, 3, -2) is 5; range(-1, -7, -3) is "
                       "-1, -4: the stop itself is never reached",
        .hint = "handout §7, Lazy builtins", .parent = "range_yields_lazily_forwards_and_backwards")
{
    const long cases[][3] = {{10, 0, -5}, {5, 3, -2}, {-1, -7, -3}};
    const long expected[][3] = {{10, 5}, {5}, {-1, -4}};
    const int lengths[] = {2, 1, 2};
    for (int c = 0; c < 3; c++) {
        ml_object *r = gen_range(cases[c][0], cases[c][1], cases[c][2]);
        ck_assert_ptr_nonnull(r);
        int n = 0;
        ml_object *v;
        while ((v = obj_iternext(r)) != NULL) {
            long x = int_as_long(v);
            obj_decref(v);
            ck_assert_msg(n < lengths[c], "range(%ld, %ld, %ld) yielded %ld after its %d values",
                          cases[c][0], cases[c][1], cases[c][2], x, lengths[c]);
            ck_assert_int_eq(x, expected[c][n]);
            n++;
        }
        ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
        ck_assert_int_eq(n, lengths[c]);
        obj_decref(r);
    }
}

ML_TEST(empty_ranges_yield_nothing, .tags = "mutation", .points = 1, .visibility = ML_HIDDEN,
        .description = "range(5, 5, s) for s = -2, -1, 1, 2, range(5, 6, -2) and range(6, 5, 2) "
                       "are empty",
        .hint = "handout §7, Lazy builtins", .parent = "map_filter_take_pipeline")
{
    const long cases[][3] = {{5, 5, -2}, {5, 5, -1}, {5, 5, 1}, {5, 5, 2}, {5, 6, -2}, {6, 5, 2}};
    for (int i = 0; i < 6; i++) {
        ml_object *r = gen_range(cases[i][0], cases[i][1], cases[i][2]);
        ck_assert_ptr_nonnull(r);
        ml_object *v = obj_iternext(r);
        ck_assert_msg(v == NULL, "range(%ld, %ld, %ld) yielded %ld", cases[i][0], cases[i][1],
                      cases[i][2], v ? int_as_long(v) : 0);
        ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
        obj_decref(r);
    }
}

/* ==================================================================== map, filter, take */
static int above(ml_object *item, void *ctx) { return int_as_long(item) > *(long *)ctx; }

static ml_object *plus(ml_object *item, void *ctx)
{
    return int_from_long(int_as_long(item) + *(long *)ctx);
}

ML_TEST(filter_and_map_pass_their_context_to_the_callback, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "map(x + k, filter(x > t, range(0, 10))) with k and t given as the ctx",
        .hint = "handout §7, Lazy builtins", .parent = "map_filter_take_pipeline")
{
    long threshold = 6, k = 100;
    ml_object *r = gen_range(0, 10, 1);
    ck_assert_ptr_nonnull(r);
    ml_object *f = gen_filter(above, &threshold, r);
    ck_assert_ptr_nonnull(f);
    ml_object *m = gen_map(plus, &k, f);
    ck_assert_ptr_nonnull(m);
    obj_decref(r);
    obj_decref(f);
    long expected[] = {107, 108, 109};
    int n = 0;
    ml_object *v;
    while ((v = obj_iternext(m)) != NULL) {
        ck_assert_msg(n < 3, "too many items");
        ck_assert_int_eq(int_as_long(v), expected[n]);
        obj_decref(v);
        n++;
    }
    ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
    ck_assert_int_eq(n, 3);
    obj_decref(m);
}

ML_TEST(
    an_ended_pipeline_stage_closes_its_input, .points = 2, .visibility = ML_HIDDEN,
    .description = "take(counter(5), 2) ends: its frame releases the counter, whose finally runs",
    .hint = "handout §7, Pipelines")
{
    free(oracle_take_events());
    ml_object *c = oracle_counter(5);
    ck_assert_ptr_nonnull(c);
    ml_object *t = gen_take(c, 2);
    ck_assert_ptr_nonnull(t);
    obj_decref(c);
    ck_assert_int_eq(take_long(gen_next(t)), 0);
    ck_assert_int_eq(take_long(gen_next(t)), 1);
    ck_assert_ptr_null(gen_next(t));
    ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
    /* take's frame is cleared as it ends, and its input with it */
    expect_events("    ev counter start n=5\n    ev counter got None\n    ev counter finally\n");
    obj_decref(t);
    expect_events("");
    free(oracle_take_events());
}

ML_TEST(take_zero_is_empty_and_pulls_nothing, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "islice(it, 0) is a valid, empty generator that never pulls from `it`",
        .hint = "handout §7, Lazy builtins", .parent = "take_negative_is_value_error")
{
    ml_object *items = three_item_list();
    ml_object *it = obj_iter(items);
    ck_assert_ptr_nonnull(it);
    ml_object *t = gen_take(it, 0);
    ck_assert_msg(t != NULL, "take(it, 0) failed: %s: %s", ml_exc_kind_name(err_occurred()),
                  err_message());
    ck_assert_ptr_null(gen_next(t));
    ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
    ck_assert_int_eq(take_long(obj_iternext(it)), 1); /* nothing was pulled */
    obj_decref(t);
    obj_decref(it);
    obj_decref(items);
}

static int fails_on_b(ml_object *item, void *ctx)
{
    (void)ctx;
    if (strcmp(str_as_cstr(item), "b") == 0) {
        err_set(ML_EXC_VALUE_ERROR, "no b");
        return -1;
    }
    return 1;
}

ML_TEST(filter_releases_the_item_its_predicate_failed_on, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "filter(p, ['a', 'b', 'c']) where p('b') raises: 'a', then ValueError, and "
                       "'b' is held by the list alone",
        .hint = "handout §7, Lazy builtins",
        .parent = "callback_errors_propagate_and_close_the_stage")
{
    ml_object *items = list_new(0);
    ck_assert_ptr_nonnull(items);
    const char *texts[] = {"a", "b", "c"};
    for (int i = 0; i < 3; i++) {
        ml_object *s = str_from_cstr(texts[i]);
        ck_assert_int_eq(list_append(items, s), 0);
        obj_decref(s);
    }
    ml_object *b = list_getitem(items, 1);
    ck_assert_int_eq(obj_getrefcount(b), 2); /* sys.getrefcount: the list's, the argument */
    ml_object *f = gen_filter(fails_on_b, NULL, items);
    ck_assert_ptr_nonnull(f);
    ml_object *v = gen_next(f);
    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(str_as_cstr(v), "a");
    obj_decref(v);
    ck_assert_ptr_null(gen_next(f));
    ASSERT_ERROR(ML_EXC_VALUE_ERROR, "no b");
    ck_assert_msg(obj_getrefcount(b) == 2,
                  "sys.getrefcount('b') is %ld after the predicate failed on it, not 2",
                  (long)obj_getrefcount(b));
    obj_decref(f);
    obj_decref(items);
}

/* ==================================================================== out of memory */
static ml_object *square(ml_object *item, void *ctx)
{
    (void)ctx;
    long x = int_as_long(item);
    return int_from_long(x * x);
}

static int keep_all(ml_object *item, void *ctx)
{
    (void)item;
    (void)ctx;
    return 1;
}

/* enumerate(zip(take(map(square, filter(keep, range(300))), 280), range(300))),
 * drained; 0 if it ran to the end, -1 if it stopped with an exception. */
static int run_pipeline(void)
{
    ml_object *stages[7] = {NULL};
    int rc = -1;
    if ((stages[0] = gen_range(300, 600, 1)) == NULL ||
        (stages[1] = gen_filter(keep_all, NULL, stages[0])) == NULL ||
        (stages[2] = gen_map(square, NULL, stages[1])) == NULL ||
        (stages[3] = gen_take(stages[2], 280)) == NULL ||
        (stages[4] = gen_range(300, 600, 1)) == NULL ||
        (stages[5] = gen_zip(stages[3], stages[4])) == NULL ||
        (stages[6] = gen_enumerate(stages[5], 0)) == NULL)
        goto done;
    ml_object *v;
    long n = 0;
    while ((v = gen_next(stages[6])) != NULL) {
        obj_decref(v);
        n++;
    }
    if (err_occurred() == ML_EXC_NONE) {
        ck_assert_int_eq(n, 280);
        rc = 0;
    }
done:
    for (int i = 6; i >= 0; i--)
        obj_xdecref(stages[i]);
    return rc;
}

/* counter, outer (yield from), and the PEP 479 generator, under pressure. */
static void run_protocol(void)
{
    ml_object *gens[3] = {oracle_leaks_stopiteration(), oracle_outer(), oracle_counter(3)};
    for (int i = 0; i < 3; i++) {
        for (int step = 0; gens[i] != NULL && step < 4; step++) {
            ml_object *v = gen_next(gens[i]);
            obj_xdecref(v);
            err_clear();
        }
        obj_xdecref(gens[i]);
    }
    err_clear();
}

ML_TEST(
    each_allocation_failure_is_a_clean_memory_error, .points = 3, .visibility = ML_HIDDEN,
    .description = "the n-th allocation fails, for every n: MemoryError, no crash, nothing leaked",
    .hint = "handout §2, The generator object", .timeout = 10)
{
    free(oracle_take_events());
    size_t bytes = mem_current_bytes();
    ml_ssize_t total = obj_total_refcount();
    int completed = 0;
    for (long n = 0; n < 2000 && !completed; n += (n < 60 ? 1 : 37)) {
        fail_allocation(n);
        int rc = run_pipeline();
        if (rc < 0)
            ck_assert_msg(err_occurred() == ML_EXC_MEMORY_ERROR,
                          "allocation %ld failed: expected MemoryError, got %s (%s)", n,
                          ml_exc_kind_name(err_occurred()), err_message());
        err_clear();
        run_protocol();
        stop_failing();
        completed = rc == 0;
        ck_assert_msg(mem_current_bytes() == bytes, "allocation %ld failed: %zu bytes leaked", n,
                      mem_current_bytes() - bytes);
        ck_assert_int_eq(obj_total_refcount(), total);
    }
    ck_assert_msg(completed, "the pipeline never ran to its end");
    free(oracle_take_events());
}
