/*
 * hidden/test_object.c -- the hidden tests of test_object.c's area (the public file
 * tests/generators/test_object.c); those that came from mutation testing are tagged
 * "mutation".
 */
#include "generators_hidden.h"

#include <stdlib.h>

/* ==================================================================== the collector */
static int count_visit(ml_object *op, void *arg)
{
    (void)op;
    (*(int *)arg)++;
    return 0;
}

ML_TEST(traverse_visits_everything_and_returns_zero, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "tp_traverse of a delegator (sub-iterator + a local) and of zip (two "
                       "iterators) visits each and returns 0",
        .hint = "handout §5, The collector", .parent = "traverse_visits_the_delegate")
{
    ml_object *items = one_two_list();
    ml_object *g = catching_delegator_new(items);
    ck_assert_int_eq(take_long(gen_next(g)), 1);
    int visits = 0;
    int rc = ML_TYPE(g)->tp_traverse(g, count_visit, &visits);
    ck_assert_msg(visits == 2, "%d visits, not 2 (the list iterator, the list)", visits);
    ck_assert_int_eq(rc, 0);
    obj_decref(g);

    ml_object *z = gen_zip(items, items);
    ck_assert_ptr_nonnull(z);
    visits = 0;
    rc = ML_TYPE(z)->tp_traverse(z, count_visit, &visits);
    ck_assert_msg(visits == 2, "%d visits, not 2 (zip's two iterators)", visits);
    ck_assert_int_eq(rc, 0);
    obj_decref(z);
    obj_decref(items);
}

static int stop_visit(ml_object *op, void *arg)
{
    (void)op;
    (void)arg;
    return 7;
}

ML_TEST(traverse_stops_at_the_first_nonzero_visit, .points = 1, .visibility = ML_HIDDEN,
        .description = "tp_traverse returns a visit's non-zero result at once",
        .hint = "handout §5, The collector")
{
    ml_object *s = str_from_cstr("x");
    ml_object *g = holder_new(s);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(ML_TYPE(g)->tp_traverse(g, stop_visit, NULL), 7);
    obj_decref(g);
    g = oracle_outer();
    ck_assert_ptr_nonnull(g);
    free(oracle_take_events());
    ml_object *v = gen_next(g);
    ck_assert_ptr_nonnull(v);
    obj_decref(v);
    ck_assert_int_eq(ML_TYPE(g)->tp_traverse(g, stop_visit, NULL), 7);
    obj_decref(g);
    obj_decref(s);
    free(oracle_take_events());
}

ML_TEST(
    generator_cycle_is_collected_after_its_finalizer, .points = 2, .visibility = ML_HIDDEN,
    .description = "box -> gen -> frame -> box: collect() finalizes the generator once, frees both",
    .hint = "handout §5, The collector")
{
    free(oracle_take_events());
    gc_disable();
    size_t bytes = mem_current_bytes();
    ml_object *box = list_new(0);
    ck_assert_ptr_nonnull(box);
    ml_object *g = oracle_selfref(box);
    ck_assert_ptr_nonnull(g);
    list_append(box, g);
    obj_decref(box);
    ck_assert_int_eq(take_long(gen_next(g)), 1);
    obj_decref(g);
    ck_assert_msg(mem_current_bytes() > bytes, "the cycle is still alive before collect");
    /* Closing the generator clears its frame, which frees the box, which
     * frees the generator: nothing is left for tp_clear, and CPython 3.11's
     * gc.collect() returns 0 here too. */
    ck_assert_int_eq(gc_collect(2), 0);
    expect_events("    ev selfref finally (box len 1)\n");
    ck_assert_uint_eq(mem_current_bytes(), bytes);
    free(oracle_take_events());
}
