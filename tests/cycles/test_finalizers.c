/*
 * Step 4 of the handout: PEP 442 finalizers, once per object, resurrection.
 */
#include "cycles_test.h"
#include "mltest.h"

ML_TEST(finalizers_of_a_cycle_run_once_then_it_is_freed, .points = 2,
        .description = "two nodes with tp_finalize in a cycle: each finalizer runs once, both are "
                       "freed, collect() returns 2",
        .hint = "handout §4, finalize_garbage", .parent = "collect_frees_a_two_cycle")
{
    ml_object *a = node_new(&fin_node_type, 1);
    ml_object *b = node_new(&fin_node_type, 2);
    node_pair(a, b);
    obj_decref(a);
    obj_decref(b);
    ck_assert_int_eq(node_events_total(EV_FINALIZE), 0);
    ck_assert_int_eq(gc_collect(2), 2);
    ck_assert_int_eq(node_events(EV_FINALIZE, 1), 1);
    ck_assert_int_eq(node_events(EV_FINALIZE, 2), 1);
    ck_assert_int_eq(node_events(EV_DEALLOC, 1), 1);
    ck_assert_int_eq(node_events(EV_DEALLOC, 2), 1);
}

ML_TEST(is_finalized_is_set_by_the_collector, .points = 1,
        .description = "gc_is_finalized is 0 before, 1 after the collector ran tp_finalize",
        .hint = "handout §4", .parent = "finalizers_of_a_cycle_run_once_then_it_is_freed")
{
    ml_object *a = node_new(&fin_node_type, 1);
    ((node *)a)->flags = NODE_RESURRECT;
    node_set(a, 0, a);
    ck_assert_msg(!gc_is_finalized(a), "not finalized yet");
    obj_decref(a);
    ck_assert_int_eq(gc_collect(2), 0);
    ck_assert_msg(node_lazarus == a, "the finalizer resurrected it");
    ck_assert_msg(gc_is_finalized(a), "finalized now");
    node_set(a, 0, NULL);
}

ML_TEST(a_resurrected_object_is_not_freed_nor_finalized_again, .points = 3,
        .description = "a self loop whose finalizer stores it away survives (collect() 0); once "
                       "dropped again it is collected (1) without a second finalizer call",
        .hint = "handout §4, Resurrection",
        .parent = "finalizers_of_a_cycle_run_once_then_it_is_freed")
{
    ml_object *a = node_new(&fin_node_type, 1);
    ((node *)a)->flags = NODE_RESURRECT;
    node_set(a, 0, a);
    obj_decref(a);
    ck_assert_int_eq(gc_collect(2), 0);
    ck_assert_int_eq(node_alive(), 1);
    ck_assert_msg(REFS(a) == 2, "its self loop and node_lazarus: refcount 2, got %zd", REFS(a));
    ck_assert_msg(gc_is_tracked(a), "a resurrected object stays tracked");
    OBJ_CLEAR(node_lazarus);
    ck_assert_int_eq(gc_collect(2), 1);
    ck_assert_int_eq(node_events(EV_FINALIZE, 1), 1);
    ck_assert_int_eq(node_alive(), 0);
}

ML_TEST(resurrection_keeps_everything_the_object_reaches, .points = 2,
        .description = "a <-> b <-> c, a resurrects itself: nothing is freed or cleared, every "
                       "finalizer ran once",
        .hint = "handout §4, handle_resurrected_objects",
        .parent = "a_resurrected_object_is_not_freed_nor_finalized_again")
{
    ml_object *a = node_new(&fin_node_type, 1);
    ml_object *b = node_new(&fin_node_type, 2);
    ml_object *c = node_new(&node_type, 3);
    ((node *)a)->flags = NODE_RESURRECT;
    node_pair(a, b);
    node_set(b, 1, c);
    node_set(c, 0, b);
    obj_decref(a);
    obj_decref(b);
    obj_decref(c);
    ck_assert_int_eq(gc_collect(2), 0);
    ck_assert_int_eq(node_alive(), 3);
    ck_assert_int_eq(node_events_total(EV_CLEAR), 0);
    ck_assert_int_eq(node_events_total(EV_FINALIZE), 2);
    ck_assert_msg(gc_generation_size(2) == 3, "the resurrected set goes to the old generation");
    OBJ_CLEAR(node_lazarus);
    ck_assert_int_eq(gc_collect(2), 3);
    ck_assert_int_eq(node_events_total(EV_FINALIZE), 2);
    ck_assert_int_eq(node_alive(), 0);
}

ML_TEST(a_finalizer_that_breaks_the_cycle_frees_it_by_refcounting, .points = 2,
        .description = "a finalizer that drops its own link frees a 2-cycle through refcounting: "
                       "collect() then counts 0",
        .hint = "handout §4, handle_resurrected_objects",
        .parent = "finalizers_of_a_cycle_run_once_then_it_is_freed")
{
    ml_object *a = node_new(&fin_node_type, 1);
    ml_object *b = node_new(&node_type, 2);
    ((node *)a)->flags = NODE_FINALIZER_CUTS;
    node_pair(a, b);
    obj_decref(a);
    obj_decref(b);
    ck_assert_int_eq(gc_collect(2), 0);
    ck_assert_int_eq(node_alive(), 0);
    ck_assert_int_eq(node_events_total(EV_CLEAR), 0);
}

ML_TEST(finalizer_from_dealloc_runs_once, .points = 2,
        .description = "a finalizable node freed by refcounting runs its finalizer once, then is "
                       "freed",
        .hint = "handout §4, gc_call_finalizer_from_dealloc",
        .parent = "track_then_untrack_changes_is_tracked")
{
    ml_object *a = node_new(&fin_node_type, 1);
    obj_decref(a);
    ck_assert_int_eq(node_events(EV_FINALIZE, 1), 1);
    ck_assert_int_eq(node_events(EV_DEALLOC, 1), 1);
}

ML_TEST(finalizer_from_dealloc_can_resurrect, .points = 2,
        .description = "a finalizer that stores its object away stops the dealloc; the next "
                       "dealloc skips the finalizer and frees it",
        .hint = "handout §4, gc_call_finalizer_from_dealloc",
        .parent = "finalizer_from_dealloc_runs_once")
{
    ml_object *a = node_new(&fin_node_type, 1);
    ((node *)a)->flags = NODE_RESURRECT;
    obj_decref(a);
    ck_assert_msg(node_lazarus == a, "the finalizer resurrected it");
    ck_assert_msg(REFS(a) == 1, "refcount 1 (node_lazarus), got %zd", REFS(a));
    ck_assert_int_eq(node_alive(), 1);
    ck_assert_msg(gc_is_finalized(a), "the FINALIZED flag is set");
    OBJ_CLEAR(node_lazarus);
    ck_assert_int_eq(node_events(EV_FINALIZE, 1), 1);
    ck_assert_int_eq(node_alive(), 0);
}

ML_TEST(a_finalizer_that_raises_is_reported_as_unraisable, .points = 1,
        .description = "an exception left by tp_finalize during a collection is written as "
                       "unraisable and cleared; the collection goes on",
        .hint = "handout §4", .parent = "finalizers_of_a_cycle_run_once_then_it_is_freed")
{
    FILE *quiet = fopen("/dev/null", "w");
    ml_set_debug_stream(quiet);
    size_t before = err_unraisable_count();
    ml_object *a = node_new(&fin_node_type, 1);
    ((node *)a)->flags = NODE_FINALIZER_RAISES;
    node_set(a, 0, a);
    obj_decref(a);
    ck_assert_int_eq(gc_collect(2), 1);
    ck_assert_int_eq(err_unraisable_count() - before, 1);
    ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
    ml_set_debug_stream(NULL);
    fclose(quiet);
}
