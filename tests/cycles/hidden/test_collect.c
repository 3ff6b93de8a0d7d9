/*
 * hidden/test_collect.c -- the hidden tests of test_collect.c's area (the public file
 * tests/cycles/test_collect.c); those that came from mutation testing are tagged
 * "mutation".
 */
#include "../cycles_test.h"
#include "memlab/mem.h"
#include "mlalloc.h"
#include "mltest.h"

#include <stdlib.h>
#include <string.h>

/* ==================================================================== visitors' return values */
ML_TEST(a_list_keeps_its_items_alive_after_an_int, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "a reachable list whose last item is an int and whose first is a node "
                       "only the list holds: collect(0) finds nothing and clears nothing",
        .hint = "handout §2, move_unreachable (visitors return 0 to go on)")
{
    ml_object *n = node_new(&node_type, 1);
    ml_object *l = must(list_new(0), "list_new");
    ml_object *i = must(int_from_long(12345), "int_from_long");
    ck_assert_int_eq(list_append(l, n), 0);
    ck_assert_int_eq(list_append(l, i), 0);
    obj_decref(n);
    obj_decref(i);
    ck_assert_int_eq(gc_collect(0), 0);
    ck_assert_int_eq(node_events(EV_CLEAR, 1), 0);
    ck_assert_int_eq(node_alive(), 1);
    obj_decref(l);
    ck_assert_int_eq(node_alive(), 0);
}

/* ==================================================================== the COLLECTING flag */
ML_TEST(a_legacy_finalizer_leaves_reachable_objects_where_they_are, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "a tp_del node in a 2-cycle that also references a node the test holds: "
                       "collect(0) returns 2, and the held node is not uncollectable",
        .hint = "handout §2, move_unreachable; handout §5, Legacy finalizers")
{
    ml_object *l = node_new(&del_node_type, 1);
    ml_object *a = node_new(&node_type, 2);
    ml_object *r = node_new(&node_type, 3);
    node_pair(l, a);
    node_set(l, 1, r);
    obj_decref(l);
    obj_decref(a);
    ck_assert_int_eq(gc_collect(0), 2);
    gc_generation_stats st[GC_NUM_GENERATIONS];
    gc_get_stats(st);
    ck_assert_msg(st[0].uncollectable == 2, "uncollectable %zd, expected 2", st[0].uncollectable);
    ck_assert_int_eq(gc_generation_size(1), 3);
    ck_assert_int_eq(list_size(gc_garbage()), 1);
    node_release_garbage();
    ck_assert_int_eq(node_alive(), 1);
    obj_decref(r);
}

ML_TEST(an_object_that_survives_clearing_is_an_ordinary_old_object, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "a self-referencing node without tp_clear survives collect(0) in "
                       "generation 1; a young node referencing it, collected next, leaves it and "
                       "its neighbours intact, and it can then be freed",
        .hint = "handout §2, gc_refs; handout §4, delete_garbage")
{
    ml_object *w = node_new(&node_type, 1);
    ml_object *x = node_new(&noclear_node_type, 2);
    node_set(x, 0, x);
    obj_decref(x);
    ck_assert_int_eq(gc_collect(0), 1);
    ck_assert_int_eq(gc_generation_size(1), 2);
    ml_object *z = node_new(&node_type, 3);
    node_set(z, 0, x);
    ck_assert_int_eq(gc_collect(0), 0);
    ck_assert_int_eq(gc_generation_size(1), 3);
    node_set(z, 0, NULL);
    node_set(x, 0, NULL); /* x's last reference: freed */
    ck_assert_int_eq(node_events(EV_DEALLOC, 2), 1);
    ck_assert_int_eq(gc_generation_size(1), 2);
    ck_assert_int_eq(gc_collect(2), 0);
    ck_assert_int_eq(gc_generation_size(2), 2);
    obj_decref(z);
    obj_decref(w);
    ck_assert_int_eq(node_alive(), 0);
}

ML_TEST(rescued_objects_are_reappended_in_scan_order, .points = 2, .visibility = ML_HIDDEN,
        .description = "c, b, a allocated in that order, a held, a -> b -> c: after collect(0) "
                       "generation 1 lists a, b, c (each rescue re-appends at the tail)",
        .hint = "handout §2, move_unreachable",
        .parent = "collect_keeps_what_a_reachable_object_reaches")
{
    ml_object *c = node_new(&node_type, 3);
    ml_object *b = node_new(&node_type, 2);
    ml_object *a = node_new(&node_type, 1);
    node_set(a, 0, b);
    node_set(b, 0, c);
    obj_decref(b);
    obj_decref(c);
    ck_assert_int_eq(gc_collect(0), 0);
    ml_object *g1 = must(gc_get_objects(1), "gc_get_objects");
    ck_assert_int_eq(list_size(g1), 3);
    ck_assert_msg(list_getitem(g1, 0) == a && list_getitem(g1, 1) == b && list_getitem(g1, 2) == c,
                  "generation 1 must be a, b, c");
    obj_decref(g1);
    obj_decref(a);
}

ML_TEST(a_clear_that_raises_is_reported_and_the_collection_goes_on, .points = 1,
        .visibility = ML_HIDDEN,
        .description = "an exception left by tp_clear is written as unraisable; the cycle is "
                       "still freed, no exception is left set",
        .hint = "handout §2, delete_garbage", .parent = "collect_frees_a_two_cycle")
{
    FILE *quiet = fopen("/dev/null", "w");
    ml_set_debug_stream(quiet);
    size_t before = err_unraisable_count();
    ml_object *a = node_new(&node_type, 1);
    ml_object *b = node_new(&node_type, 2);
    ((node *)a)->flags = NODE_CLEAR_RAISES;
    ((node *)b)->flags = NODE_CLEAR_RAISES;
    node_pair(a, b);
    obj_decref(a);
    obj_decref(b);
    ck_assert_int_eq(gc_collect(2), 2);
    ck_assert_int_eq(node_alive(), 0);
    ck_assert_int_eq(err_unraisable_count() - before, 1);
    ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
    ml_set_debug_stream(NULL);
    fclose(quiet);
}

ML_TEST(a_long_chain_of_lists_is_collected, .points = 1, .visibility = ML_HIDDEN,
        .description = "a ring of 100000 lists is one cycle: collect() returns 100000",
        .hint = "handout §2", .parent = "collect_counts_only_the_unreachable_part", .timeout = 20,
        .tags = "stress")
{
    enum { N = 100000 };
    gc_disable();
    ml_object *first = must(list_new(0), "list_new");
    ml_object *prev = first;
    for (int i = 1; i < N; i++) {
        ml_object *l = must(list_new(0), "list_new");
        list_append(l, prev);
        if (prev != first)
            obj_decref(prev);
        prev = l;
    }
    list_append(first, prev); /* close the ring */
    obj_decref(prev);
    obj_decref(first);
    ck_assert_int_eq(gc_collect(2), N);
    ck_assert_int_eq(gc_collect(2), 0);
}
