/*
 * hidden/test_garbage.c -- the hidden tests of test_garbage.c's area (the public file
 * tests/cycles/test_garbage.c); those that came from mutation testing are tagged
 * "mutation".
 */
#include "../cycles_test.h"
#include "memlab/mem.h"
#include "mlalloc.h"
#include "mltest.h"

#include <stdlib.h>
#include <string.h>

static int node_id(ml_object *op) { return ((node *)op)->id; }

ML_TEST(a_legacy_finalizer_keeps_everything_it_references, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "a tp_del node whose slots 0 and 1 hold two nodes that point back at it: "
                       "all three are uncollectable, none is cleared",
        .hint = "handout §5, Legacy finalizers (visitors return 0 to go on)")
{
    ml_object *l = node_new(&del_node_type, 1);
    ml_object *a = node_new(&node_type, 2);
    ml_object *b = node_new(&node_type, 3);
    node_set(l, 0, a);
    node_set(l, 1, b);
    node_set(a, 0, l);
    node_set(b, 0, l);
    obj_decref(l);
    obj_decref(a);
    obj_decref(b);
    ck_assert_int_eq(gc_collect(2), 3);
    gc_generation_stats st[GC_NUM_GENERATIONS];
    gc_get_stats(st);
    ck_assert_msg(st[2].uncollectable == 3 && st[2].collected == 0,
                  "uncollectable %zd, collected %zd: expected 3 and 0", st[2].uncollectable,
                  st[2].collected);
    ck_assert_int_eq(node_events_total(EV_CLEAR), 0);
    ck_assert_int_eq(list_size(gc_garbage()), 1);
    node_release_garbage();
    ck_assert_int_eq(node_alive(), 0);
}

ML_TEST(two_legacy_finalizers_go_to_garbage_in_order, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "a 2-cycle of tp_del nodes 1 and 2 lands in gc.garbage as [1, 2], in the "
                       "order they were tracked",
        .hint = "handout §5, Legacy finalizers")
{
    ml_object *a = node_new(&del_node_type, 1);
    ml_object *b = node_new(&del_node_type, 2);
    node_pair(a, b);
    obj_decref(a);
    obj_decref(b);
    ck_assert_int_eq(gc_collect(2), 2);
    ml_object *garbage = gc_garbage();
    ck_assert_int_eq(list_size(garbage), 2);
    ck_assert_msg(node_id(list_getitem(garbage, 0)) == 1 && node_id(list_getitem(garbage, 1)) == 2,
                  "gc.garbage is [%d, %d], expected [1, 2]", node_id(list_getitem(garbage, 0)),
                  node_id(list_getitem(garbage, 1)));
    node_release_garbage();
    ck_assert_int_eq(node_alive(), 0);
}

ML_TEST(a_legacy_finalizer_reaching_a_cycle_moves_it_once, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN, .timeout = 2,
        .description = "a tp_del node in a cycle with node A, and A in a 2-cycle with node B: "
                       "collect(2) returns 3, all uncollectable, gc.garbage holds the tp_del node",
        .hint = "handout §5, Legacy finalizers (move_legacy_finalizer_reachable)")
{
    ml_object *l = node_new(&del_node_type, 1);
    ml_object *a = node_new(&node_type, 2);
    ml_object *b = node_new(&node_type, 3);
    node_set(l, 0, a);
    node_set(a, 1, l);
    node_pair(a, b);
    obj_decref(l);
    obj_decref(a);
    obj_decref(b);
    ck_assert_int_eq(gc_collect(2), 3);
    gc_generation_stats st[GC_NUM_GENERATIONS];
    gc_get_stats(st);
    ck_assert_int_eq(st[2].uncollectable, 3);
    ck_assert_int_eq(list_size(gc_garbage()), 1);
    node_set(a, 1, NULL); /* a (alive in gc.garbage's cycle) lets go of the tp_del node */
    node_release_garbage();
    ck_assert_int_eq(node_alive(), 2);
    ck_assert_int_eq(gc_collect(2), 2);
    ck_assert_int_eq(node_alive(), 0);
}

/* ==================================================================== gc.garbage that cannot grow
 */
ML_TEST(saveall_with_a_garbage_list_that_cannot_grow_leaves_no_exception, .tags = "mutation",
        .points = 1, .visibility = ML_HIDDEN,
        .description = "under DEBUG_SAVEALL, when gc.garbage cannot grow, collect() returns 2 "
                       "for a 2-cycle, leaves no exception set and keeps both nodes alive; the "
                       "next collect() saves them",
        .hint = "handout §5, DEBUG_SAVEALL")
{
    ml_object *garbage = gc_garbage();
    ck_assert_msg(garbage != NULL, "gc_garbage() returns a list");
    ml_object *a = node_new(&node_type, 1);
    ml_object *b = node_new(&node_type, 2);
    node_pair(a, b);
    obj_decref(a);
    obj_decref(b);
    gc_set_debug(GC_DEBUG_SAVEALL);
    ml_alloc refuse_all = ML_ALLOC_REFUSE_ALL;
    ml_alloc_install(&refuse_all, MEM_DOMAIN_MEM);
    ml_ssize_t found = gc_collect(2);
    ml_exc_kind pending = err_occurred();
    ml_alloc_remove(&refuse_all);
    err_clear();
    ck_assert_msg(pending == ML_EXC_NONE, "collect() left exception kind %d set", (int)pending);
    ck_assert_int_eq(found, 2);
    ck_assert_int_eq(list_size(garbage), 0);
    ck_assert_int_eq(node_alive(), 2);
    ck_assert_int_eq(node_events_total(EV_CLEAR), 0);
    ck_assert_int_eq(gc_collect(2), 2);
    ck_assert_int_eq(list_size(garbage), 2);
    gc_set_debug(0);
    node_release_garbage();
    ck_assert_int_eq(node_alive(), 0);
}

ML_TEST(gc_garbage_stops_at_the_first_append_that_fails, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "when gc.garbage fails to grow once, the collection appends none of the "
                       "two tp_del nodes (as CPython, it stops at the first failure)",
        .hint = "handout §5, Legacy finalizers")
{
    ml_object *garbage = gc_garbage();
    ck_assert_msg(garbage != NULL, "gc_garbage() returns a list");
    ml_object *a = node_new(&del_node_type, 1);
    ml_object *b = node_new(&del_node_type, 2);
    node_pair(a, b);
    obj_decref(a);
    obj_decref(b);
    ml_alloc refuse_once = ML_ALLOC_REFUSE_ONCE;
    ml_alloc_install(&refuse_once, MEM_DOMAIN_MEM);
    ml_ssize_t found = gc_collect(2);
    ml_alloc_remove(&refuse_once);
    ck_assert_msg(err_occurred() == ML_EXC_NONE, "no exception left");
    ck_assert_int_eq(found, 2);
    ck_assert_msg(list_size(garbage) == 0, "gc.garbage holds %zd, expected 0", list_size(garbage));
    ck_assert_int_eq(gc_collect(2), 2);
    ck_assert_int_eq(list_size(garbage), 2);
    node_release_garbage();
    ck_assert_int_eq(node_alive(), 0);
}

/* ==================================================================== lists that cannot grow */

/* MEM_DOMAIN_MEM (where list item arrays live) refuses every new block
 * and every resize (mlalloc.h); frees go to the allocator that made every
 * block the test had before. */
ML_TEST(a_garbage_list_that_cannot_grow_leaves_no_exception, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "when gc.garbage cannot grow, collect() still returns 2 for a tp_del "
                       "2-cycle and leaves no exception set; the next collect() saves both",
        .hint = "handout §5, Legacy finalizers", .parent = "legacy_finalizer_cycle_goes_to_garbage")
{
    ml_object *garbage = gc_garbage(); /* made now, while lists can still be made */
    ck_assert_msg(garbage != NULL, "gc_garbage() returns a list");
    ml_object *a = node_new(&del_node_type, 1);
    ml_object *b = node_new(&del_node_type, 2);
    node_pair(a, b);
    obj_decref(a);
    obj_decref(b);
    ml_alloc refuse_all = ML_ALLOC_REFUSE_ALL;
    ml_alloc_install(&refuse_all, MEM_DOMAIN_MEM);
    ml_ssize_t found = gc_collect(2);
    ml_exc_kind pending = err_occurred();
    ml_alloc_remove(&refuse_all);
    err_clear();
    ck_assert_msg(pending == ML_EXC_NONE,
                  "collect() left exception kind %d set after gc.garbage could not grow",
                  (int)pending);
    ck_assert_msg(found == 2, "collect() returned %zd, expected 2", found);
    ck_assert_int_eq(list_size(garbage), 0);
    ck_assert_int_eq(node_alive(), 2);
    ck_assert_msg(gc_collect(2) == 2, "the next collection finds the cycle again");
    ck_assert_int_eq(list_size(garbage), 2);
    node_release_garbage();
    ck_assert_int_eq(node_alive(), 0);
}

ML_TEST(garbage_order_is_allocation_order_under_saveall, .points = 1, .visibility = ML_HIDDEN,
        .description = "a 3-cycle allocated 1, 2, 3 with the links reversed lands in gc.garbage "
                       "as 1, 2, 3",
        .hint = "handout §5, DEBUG_SAVEALL",
        .parent = "saveall_keeps_every_unreachable_object_in_garbage")
{
    ml_object *n[3];
    for (int i = 0; i < 3; i++)
        n[i] = node_new(&node_type, i + 1);
    node_set(n[2], 0, n[1]);
    node_set(n[1], 0, n[0]);
    node_set(n[0], 0, n[2]);
    for (int i = 0; i < 3; i++)
        obj_decref(n[i]);
    gc_set_debug(GC_DEBUG_SAVEALL);
    ck_assert_int_eq(gc_collect(2), 3);
    ml_object *g = gc_garbage();
    for (int i = 0; i < 3; i++)
        ck_assert_msg(list_getitem(g, i) == n[i], "gc.garbage[%d] must be node %d", i, i + 1);
    node_release_garbage();
}

ML_TEST(saveall_puts_what_legacy_finalizers_reach_in_garbage_too, .points = 1,
        .visibility = ML_HIDDEN,
        .description = "under DEBUG_SAVEALL, d (tp_del) -> p -> d: both are in gc.garbage, "
                       "counted uncollectable",
        .hint = "handout §5, handle_legacy_finalizers",
        .parent = "what_a_legacy_finalizer_reaches_is_kept_but_not_in_garbage")
{
    ml_object *d = node_new(&del_node_type, 1);
    ml_object *p = node_new(&node_type, 2);
    node_pair(d, p);
    obj_decref(d);
    obj_decref(p);
    gc_set_debug(GC_DEBUG_SAVEALL);
    ck_assert_int_eq(gc_collect(2), 2);
    ck_assert_int_eq(list_size(gc_garbage()), 2);
    gc_generation_stats st[3];
    gc_get_stats(st);
    ck_assert_int_eq(st[2].uncollectable, 2);
    ck_assert_int_eq(st[2].collected, 0);
    node_release_garbage();
}

ML_TEST(reset_state_restores_every_setting, .points = 1, .visibility = ML_HIDDEN,
        .description = "gc_reset_state: thresholds, counts, stats, debug, enabled, callbacks and "
                       "gc.garbage are back to their start values",
        .hint = "cycles.h, gc_reset_state", .parent = "legacy_finalizer_cycle_goes_to_garbage")
{
    gc_set_threshold(1, 2, 3);
    gc_set_debug(GC_DEBUG_SAVEALL);
    gc_disable();
    ml_object *a = node_new(&node_type, 1);
    node_set(a, 0, a);
    obj_decref(a);
    gc_collect(2);
    ck_assert_int_eq(list_size(gc_garbage()), 1);
    node_set(a, 0, NULL); /* break it; gc.garbage still holds a */
    gc_reset_state();
    int t[3], c[3];
    gc_get_threshold(t);
    gc_get_count(c);
    gc_generation_stats st[3];
    gc_get_stats(st);
    ck_assert_msg(t[0] == 700 && t[1] == 10 && t[2] == 10, "thresholds");
    ck_assert_msg(c[0] == 0 && c[1] == 0 && c[2] == 0, "counts");
    ck_assert_msg(st[2].collections == 0 && st[2].collected == 0, "stats");
    ck_assert_int_eq(gc_get_debug(), 0);
    ck_assert_int_eq(gc_isenabled(), 1);
    ck_assert_int_eq(list_size(gc_garbage()), 0);
    ck_assert_msg(node_alive() == 0, "emptying gc.garbage released the node");
}
