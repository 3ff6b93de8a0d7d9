/*
 * mutation_generators.c -- hidden tests that kill what the mutation run
 * (make mutation LAB=generators) found alive: the context pointer of the
 * lazy builtins' callbacks.
 */
#include "../gen_testutil.h"

static int above(ml_object *item, void *ctx) { return int_as_long(item) > *(long *)ctx; }

static ml_object *plus(ml_object *item, void *ctx)
{
    return int_from_long(int_as_long(item) + *(long *)ctx);
}

ML_TEST(filter_and_map_pass_their_context_to_the_callback, .points = 1,
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

ML_TEST(empty_ranges_yield_nothing, .points = 1, .visibility = ML_HIDDEN,
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
