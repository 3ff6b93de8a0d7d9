/*
 * hidden/test_trashcan.c -- the hidden tests of test_trashcan.c's area (the public file
 * tests/refcount/test_trashcan.c); those that came from mutation testing are tagged
 * "mutation".
 */
#include "../refcount_test.h"
#include "mlalloc.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ==================================================================== the trashcan */

/* [[...[[[p1], [p2], [p3]]]...]]: `depth` lists above one list of three
 * one-probe lists, so that three deallocs are postponed at the same time. */
static ml_object *deep_fan(long depth)
{
    ml_object *fan = list_new(0);
    ck_assert_ptr_nonnull(fan);
    for (int id = 1; id <= 3; id++) {
        ml_object *leaf = list_new(1), *p = probe_new(id);
        ck_assert_ptr_nonnull(leaf);
        ck_assert_ptr_nonnull(p);
        LIST_SET_ITEM(leaf, 0, p);
        ck_assert_int_eq(list_append(fan, leaf), 0);
        obj_decref(leaf);
    }
    ml_object *inner = fan;
    for (long i = 0; i < depth; i++) {
        ml_object *outer = list_new(1);
        ck_assert_ptr_nonnull(outer);
        LIST_SET_ITEM(outer, 0, inner);
        inner = outer;
    }
    return inner;
}

ML_TEST(trashcan_keeps_every_dealloc_it_postpones, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "three lists postponed at the same depth are all freed, none lost",
        .hint = "handout §7, The trashcan",
        .parent = "trashcan_bounds_the_depth_of_10000_nested_lists")
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    for (long depth = ML_TRASHCAN_UNWIND_LEVEL - 3; depth <= ML_TRASHCAN_UNWIND_LEVEL + 3;
         depth++) {
        dealloc_count = 0;
        obj_decref(deep_fan(depth));
        ck_assert_msg(dealloc_count == 3, "depth %ld: %d of the 3 probes freed", depth,
                      dealloc_count);
    }
    ASSERT_BALANCED(total0, blocks0);
}

static ml_object *chain_of(long depth, int id)
{
    ml_object *inner = probe_new(id);
    ck_assert_ptr_nonnull(inner);
    for (long i = 0; i < depth; i++) {
        ml_object *outer = list_new(1);
        ck_assert_ptr_nonnull(outer);
        LIST_SET_ITEM(outer, 0, inner);
        inner = outer;
    }
    return inner;
}

ML_TEST(trashcan_is_back_at_rest_after_a_long_chain, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "after freeing a 1000-deep chain, a second one and a lone list free "
                       "normally: the nesting is back at 0",
        .hint = "handout §7, The trashcan",
        .parent = "trashcan_bounds_the_depth_of_10000_nested_lists")
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    obj_decref(chain_of(1000, 1));
    ck_assert_int_eq(dealloc_count, 1);
    obj_decref(chain_of(1000, 2));
    ck_assert_msg(dealloc_count == 2, "the second chain's probe was not freed");
    obj_trashcan_reset_max_depth();
    ck_assert_int_eq(obj_trashcan_max_depth(), 0);
    obj_decref(chain_of(1, 3));
    ck_assert_msg(obj_trashcan_max_depth() == 1,
                  "one list freed alone nests 1 trashcan-protected dealloc, not %d",
                  obj_trashcan_max_depth());
    ASSERT_BALANCED(total0, blocks0);
}

static void base_dealloc(ml_object *op) { (void)op; }

ML_TEST(
    trashcan_defers_the_dealloc_past_the_unwind_level, .points = 2, .visibility = ML_HIDDEN,
    .description = "at nesting 50 begin deposits (returns 1); the outermost end runs the dealloc",
    .hint = "handout §7, The trashcan", .parent = "trashcan_bounds_the_depth_of_10000_nested_lists")
{
    ml_object *g = obj_new(&gc_probe_type);
    ck_assert_ptr_nonnull(g);
    ml_destructor own = ML_TYPE(g)->tp_dealloc;
    for (int i = 0; i < ML_TRASHCAN_UNWIND_LEVEL; i++)
        ck_assert_msg(obj_trashcan_begin(g, own) == 0, "level %d must run the body", i + 1);
    ck_assert_msg(obj_trashcan_begin(g, base_dealloc) == 0,
                  "a base dealloc (not the type's own) never deposits");
    obj_trashcan_end();
    ML_REFCNT(g) = 0; /* as a dealloc sees it */
    ck_assert_msg(obj_trashcan_begin(g, own) == 1, "at the unwind level, begin must deposit");
    ck_assert_int_eq(dealloc_count, 0);
    for (int i = ML_TRASHCAN_UNWIND_LEVEL; i > 1; i--)
        obj_trashcan_end();
    ck_assert_msg(dealloc_count == 0, "the deposited object waits for the outermost level");
    obj_trashcan_end();
    ck_assert_msg(dealloc_count == 1, "the outermost end runs the deposited object's dealloc");
}

/* A chain of `depth` 1-tuples around a probe, built with tuple_pack. */
static ml_object *nested_tuples(long depth)
{
    ml_object *inner = probe_new(-1);
    for (long i = 0; i < depth && inner != NULL; i++) {
        ml_object *outer = tuple_pack(1, inner);
        obj_decref(inner);
        inner = outer;
    }
    return inner;
}

ML_TEST(trashcan_frees_100000_nested_tuples, .points = 1, .visibility = ML_HIDDEN,
        .description = "a 100,000-deep tuple chain is freed with nesting <= 50",
        .hint = "handout §7, The trashcan", .parent = "trashcan_covers_tuples_and_dicts_too",
        .timeout = 5)
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    ml_object *chain = nested_tuples(100000);
    ck_assert_ptr_nonnull(chain);
    obj_trashcan_reset_max_depth();
    obj_decref(chain);
    ck_assert_int_eq(dealloc_count, 1);
    ck_assert_int_le(obj_trashcan_max_depth(), ML_TRASHCAN_UNWIND_LEVEL);
    ASSERT_BALANCED(total0, blocks0);
}

ML_TEST(trashcan_keeps_dealloc_order_within_each_container, .points = 1, .visibility = ML_HIDDEN,
        .description = "a deep chain whose bottom list holds 3 probes still frees them 2 1 0",
        .hint = "handout §7, The trashcan",
        .parent = "trashcan_bounds_the_depth_of_10000_nested_lists")
{
    ml_object *bottom = list_new(3);
    ck_assert_ptr_nonnull(bottom);
    for (int i = 0; i < 3; i++)
        LIST_SET_ITEM(bottom, i, probe_new(i));
    ml_object *chain = bottom;
    for (int i = 0; i < 500 && chain != NULL; i++) {
        ml_object *outer = list_new(1);
        ck_assert_ptr_nonnull(outer);
        LIST_SET_ITEM(outer, 0, chain);
        chain = outer;
    }
    obj_decref(chain);
    ck_assert_int_eq(dealloc_count, 3);
    ck_assert_int_eq(dealloc_log[0], 2);
    ck_assert_int_eq(dealloc_log[1], 1);
    ck_assert_int_eq(dealloc_log[2], 0);
}
