/*
 * Step 5 of the handout: legacy finalizers, gc.garbage, DEBUG_SAVEALL, stats.
 */
#include "cycles_test.h"
#include "mltest.h"

static int garbage_holds(ml_object *op)
{
    ml_object *g = gc_garbage();
    for (ml_ssize_t i = 0; i < list_size(g); i++)
        if (list_getitem(g, i) == op)
            return 1;
    return 0;
}

ML_TEST(garbage_starts_empty, .points = 1, .description = "gc.garbage is an empty list at start",
        .hint = "handout §5, gc.garbage")
{
    ml_object *g = gc_garbage();
    ck_assert_msg(g != NULL && list_check(g), "gc_garbage() returns a list");
    ck_assert_int_eq(list_size(g), 0);
}

ML_TEST(legacy_finalizer_cycle_goes_to_garbage, .points = 3,
        .description = "two tp_del nodes in a cycle are uncollectable: collect() returns 2, both "
                       "are appended to gc.garbage and stay alive, tp_del never runs",
        .hint = "handout §5, Legacy finalizers", .parent = "collect_frees_a_two_cycle")
{
    ml_object *a = node_new(&del_node_type, 1);
    ml_object *b = node_new(&del_node_type, 2);
    node_pair(a, b);
    obj_decref(a);
    obj_decref(b);
    ck_assert_int_eq(gc_collect(2), 2);
    ck_assert_int_eq(list_size(gc_garbage()), 2);
    ck_assert_msg(garbage_holds(a) && garbage_holds(b), "both nodes are in gc.garbage");
    ck_assert_int_eq(node_alive(), 2);
    ck_assert_int_eq(node_events_total(EV_DEL), 0);
    ck_assert_int_eq(node_events_total(EV_CLEAR), 0);
    ck_assert_msg(gc_collect(2) == 0, "gc.garbage keeps them reachable: a second collect finds 0");
    node_release_garbage();
    ck_assert_int_eq(node_alive(), 0);
}

ML_TEST(what_a_legacy_finalizer_reaches_is_kept_but_not_in_garbage, .points = 2,
        .description = "d (tp_del) -> p -> q -> d: collect() returns 3, only d is in gc.garbage, "
                       "p and q stay alive",
        .hint = "handout §5, move_legacy_finalizer_reachable",
        .parent = "legacy_finalizer_cycle_goes_to_garbage")
{
    ml_object *d = node_new(&del_node_type, 1);
    ml_object *p = node_new(&node_type, 2);
    ml_object *q = node_new(&node_type, 3);
    node_set(d, 0, p);
    node_set(p, 0, q);
    node_set(q, 0, d);
    obj_decref(d);
    obj_decref(p);
    obj_decref(q);
    ck_assert_int_eq(gc_collect(2), 3);
    ck_assert_int_eq(list_size(gc_garbage()), 1);
    ck_assert_msg(garbage_holds(d), "d is in gc.garbage");
    ck_assert_int_eq(node_alive(), 3);
    node_release_garbage();
    ck_assert_int_eq(node_alive(), 0);
}

ML_TEST(a_cycle_next_to_a_legacy_one_is_still_collected, .points = 2,
        .description = "a plain 2-cycle beside a tp_del self loop: collect() returns 3, the plain "
                       "cycle is freed, the other lands in gc.garbage",
        .hint = "handout §5", .parent = "legacy_finalizer_cycle_goes_to_garbage")
{
    ml_object *a = node_new(&node_type, 1);
    ml_object *b = node_new(&node_type, 2);
    ml_object *d = node_new(&del_node_type, 3);
    node_pair(a, b);
    node_set(d, 0, d);
    obj_decref(a);
    obj_decref(b);
    obj_decref(d);
    ck_assert_int_eq(gc_collect(2), 3);
    ck_assert_int_eq(node_events(EV_DEALLOC, 1) + node_events(EV_DEALLOC, 2), 2);
    ck_assert_int_eq(list_size(gc_garbage()), 1);
    gc_generation_stats st[3];
    gc_get_stats(st);
    ck_assert_int_eq(st[2].collected, 2);
    ck_assert_int_eq(st[2].uncollectable, 1);
}

ML_TEST(saveall_keeps_every_unreachable_object_in_garbage, .points = 2,
        .description = "under DEBUG_SAVEALL a 2-cycle is not cleared but appended to gc.garbage; "
                       "collect() still returns 2 and counts them collected",
        .hint = "handout §5, DEBUG_SAVEALL", .parent = "collect_frees_a_two_cycle")
{
    gc_set_debug(GC_DEBUG_SAVEALL);
    ml_object *a = node_new(&node_type, 1);
    ml_object *b = node_new(&node_type, 2);
    node_pair(a, b);
    obj_decref(a);
    obj_decref(b);
    ck_assert_int_eq(gc_collect(2), 2);
    ck_assert_int_eq(list_size(gc_garbage()), 2);
    ck_assert_msg(list_getitem(gc_garbage(), 0) == a && list_getitem(gc_garbage(), 1) == b,
                  "gc.garbage lists the cycle in allocation order");
    ck_assert_int_eq(node_events_total(EV_CLEAR), 0);
    gc_generation_stats st[3];
    gc_get_stats(st);
    ck_assert_int_eq(st[2].collected, 2);
    ck_assert_int_eq(st[2].uncollectable, 0);
    node_release_garbage();
    ck_assert_int_eq(node_alive(), 0);
}

ML_TEST(stats_count_collections_collected_and_uncollectable, .points = 2,
        .description = "get_stats() per generation: collections, collected, uncollectable",
        .hint = "handout §6, gc.get_stats", .parent = "legacy_finalizer_cycle_goes_to_garbage")
{
    gc_generation_stats st[3];
    gc_get_stats(st);
    for (int i = 0; i < 3; i++)
        ck_assert_msg(st[i].collections == 0 && st[i].collected == 0 && st[i].uncollectable == 0,
                      "generation %d starts at zero", i);
    ml_object *a = node_new(&node_type, 1);
    node_set(a, 0, a);
    obj_decref(a);
    gc_collect(0);
    gc_collect(1);
    ml_object *d = node_new(&del_node_type, 2);
    node_set(d, 0, d);
    obj_decref(d);
    gc_collect(2);
    gc_collect(2);
    gc_get_stats(st);
    ck_assert_msg(st[0].collections == 1 && st[0].collected == 1 && st[0].uncollectable == 0,
                  "generation 0: 1 collection, 1 collected");
    ck_assert_msg(st[1].collections == 1 && st[1].collected == 0, "generation 1: 1 collection");
    ck_assert_msg(st[2].collections == 2 && st[2].collected == 0 && st[2].uncollectable == 1,
                  "generation 2: 2 collections, 1 uncollectable, got %zd/%zd/%zd",
                  st[2].collections, st[2].collected, st[2].uncollectable);
}
