/*
 * Hidden tests of the cycles lab: the same mechanism, corners the public
 * tests leave out.
 */
#include "../cycles_test.h"
#include "mltest.h"

#include <stdlib.h>
#include <string.h>

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

ML_TEST(every_finalizer_runs_before_any_clear, .points = 2, .visibility = ML_HIDDEN,
        .description = "in a 4-cycle of finalizable nodes, the 4 finalizer calls all come before "
                       "the first tp_clear",
        .hint = "handout §4, finalize_garbage",
        .parent = "finalizers_of_a_cycle_run_once_then_it_is_freed")
{
    ml_object *n[4];
    for (int i = 0; i < 4; i++)
        n[i] = node_new(&fin_node_type, i);
    for (int i = 0; i < 4; i++)
        node_set(n[i], 0, n[(i + 1) % 4]);
    for (int i = 0; i < 4; i++)
        obj_decref(n[i]);
    ck_assert_int_eq(gc_collect(2), 4);
    for (int i = 0; i < 4; i++)
        ck_assert_msg(node_sequence(i) == NODE_EVENT(EV_FINALIZE, i),
                      "event %d must be node %d's finalizer", i, i);
    ck_assert_int_eq(node_sequence(4), NODE_EVENT(EV_CLEAR, 0));
    ck_assert_int_eq(node_events_total(EV_FINALIZE), 4);
}

ML_TEST(a_finalized_object_is_not_finalized_by_its_dealloc, .points = 1, .visibility = ML_HIDDEN,
        .description = "after the collector ran its finalizer (and it resurrected), dropping the "
                       "last reference frees the node without a second finalizer call",
        .hint = "handout §4, gc_call_finalizer_from_dealloc",
        .parent = "a_resurrected_object_is_not_freed_nor_finalized_again")
{
    ml_object *a = node_new(&fin_node_type, 1);
    ((node *)a)->flags = NODE_RESURRECT;
    node_set(a, 0, a);
    obj_decref(a);
    ck_assert_int_eq(gc_collect(2), 0);
    node_set(a, 0, NULL); /* only node_lazarus holds it now */
    OBJ_CLEAR(node_lazarus);
    ck_assert_int_eq(node_events(EV_FINALIZE, 1), 1);
    ck_assert_int_eq(node_alive(), 0);
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

ML_TEST(no_automatic_collection_while_an_exception_is_set, .points = 1, .visibility = ML_HIDDEN,
        .description = "an allocation past the threshold with an exception set does not collect; "
                       "the next one after it is cleared does",
        .hint = "handout §3, Automatic collection",
        .parent = "allocation_past_threshold_0_collects_generation_0")
{
    gc_set_threshold(2, 10, 10);
    ml_object *n[4];
    n[0] = node_new(&node_type, 0);
    n[1] = node_new(&node_type, 1);
    err_set(ML_EXC_RUNTIME_ERROR, "pending");
    n[2] = node_new(&node_type, 2);
    ck_assert_int_eq(gc_generation_size(1), 0);
    err_clear();
    n[3] = node_new(&node_type, 3);
    ck_assert_msg(gc_generation_size(1) == 3, "the 4th allocation collects generation 0");
    for (int i = 0; i < 4; i++)
        obj_decref(n[i]);
}

ML_TEST(collect_of_generation_1_adds_to_the_pending_long_lived_objects, .points = 1,
        .visibility = ML_HIDDEN,
        .description = "after 4 full-collection survivors, one collect(1) promoting 1 object makes "
                       "generation 2 eligible (1 >= 4 / 4): the next automatic collection is full",
        .hint = "handout §3, The long-lived heuristic",
        .parent = "a_full_collection_waits_for_a_quarter_of_long_lived_objects")
{
    ml_object *keep[4];
    for (int i = 0; i < 4; i++)
        keep[i] = node_new(&node_type, 10 + i);
    gc_collect(2); /* long_lived_total 4, pending 0 */
    ml_object *x = node_new(&node_type, 1);
    gc_collect(1); /* x promoted into generation 2: pending 1; count 2 is 1 */
    gc_set_threshold(1, 100, 0);
    gc_generation_stats before[3], after[3];
    gc_get_stats(before);
    ml_object *y = node_new(&node_type, 2);
    ml_object *z = node_new(&node_type, 3); /* count 0 is 2 > 1 */
    gc_get_stats(after);
    ck_assert_msg(after[2].collections == before[2].collections + 1,
                  "pending 1 >= total 4 / 4: the automatic collection is a full one");
    ck_assert_int_eq(after[0].collections, before[0].collections);
    obj_decref(x);
    obj_decref(y);
    obj_decref(z);
    for (int i = 0; i < 4; i++)
        obj_decref(keep[i]);
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

static void allocate_three(const char *phase, const gc_callback_info *info, void *ctx)
{
    (void)info;
    ml_object **made = ctx;
    if (strcmp(phase, "start") == 0)
        for (int i = 0; i < 3; i++)
            made[i] = node_new(&node_type, 100 + i);
}

ML_TEST(allocating_during_a_collection_does_not_start_another, .points = 1, .visibility = ML_HIDDEN,
        .description = "with threshold 1, three allocations made while a collection runs (from its "
                       "start callback) do not trigger a nested collection",
        .hint = "handout §3, Automatic collection",
        .parent = "collect_during_a_collection_returns_zero")
{
    ml_object *made[3] = {NULL, NULL, NULL};
    gc_set_threshold(1, 10, 10);
    gc_callbacks_add(allocate_three, made);
    ml_object *a = node_new(&node_type, 1);
    node_set(a, 0, a);
    obj_decref(a);
    ck_assert_int_eq(gc_collect(2), 1);
    gc_callbacks_remove(allocate_three, made);
    gc_generation_stats st[3];
    gc_get_stats(st);
    ck_assert_msg(st[0].collections + st[1].collections + st[2].collections == 1,
                  "exactly one collection ran");
    for (int i = 0; i < 3; i++)
        obj_decref(made[i]);
}

ML_TEST(get_referrers_ignores_the_permanent_generation, .points = 1, .visibility = ML_HIDDEN,
        .description = "a frozen referrer is not found by get_referrers; unfrozen it is",
        .hint = "handout §6, gc.get_referrers",
        .parent = "get_referrers_finds_the_containers_that_reference_an_object")
{
    ml_object *x = node_new(&node_type, 1);
    ml_object *p = node_new(&node_type, 2);
    node_set(p, 0, x);
    gc_freeze();
    ml_object *objs[] = {x};
    ml_object *refs = must(gc_get_referrers(objs, 1), "gc_get_referrers");
    ck_assert_int_eq(list_size(refs), 0);
    obj_decref(refs);
    gc_unfreeze();
    refs = must(gc_get_referrers(objs, 1), "gc_get_referrers");
    ck_assert_int_eq(list_size(refs), 1);
    obj_decref(refs);
    obj_decref(x);
    obj_decref(p);
}

ML_TEST(a_tuple_holding_an_empty_dict_stays_tracked, .points = 1, .visibility = ML_HIDDEN,
        .description = "({},): an untracked dict may become tracked later, so the tuple stays "
                       "tracked (CPython's _PyObject_GC_MAY_BE_TRACKED)",
        .hint = "handout §7, untrack_tuples",
        .parent = "a_tuple_of_atoms_is_untracked_by_any_collection")
{
    ml_object *d = must(dict_new(), "dict_new");
    ml_object *t = must(tuple_pack(1, d), "tuple_pack");
    obj_decref(d);
    ck_assert_msg(!gc_is_tracked(d), "an empty dict is not tracked");
    ck_assert_msg(gc_may_be_tracked(d), "but it may be");
    gc_collect(2);
    ck_assert_msg(gc_is_tracked(t), "so the tuple stays tracked");
    obj_decref(t);
}

ML_TEST(a_dict_holding_an_untracked_tuple_is_untracked, .points = 1, .visibility = ML_HIDDEN,
        .description = "{'k': (1,)}: a full collection untracks the tuple first, then the dict",
        .hint = "handout §7, untrack_dicts",
        .parent = "a_dict_is_untracked_only_by_a_full_collection")
{
    ml_object *d = must(dict_new(), "dict_new");
    ml_object *one = int_from_long(1);
    ml_object *t = must(tuple_pack(1, one), "tuple_pack");
    ml_object *k = str_from_cstr("k");
    dict_setitem(d, k, t);
    ck_assert_msg(gc_is_tracked(d), "a tracked tuple makes the dict tracked");
    gc_collect(2);
    ck_assert_msg(!gc_is_tracked(t), "the tuple is untracked");
    ck_assert_msg(!gc_is_tracked(d), "then the dict, in the same full collection");
    obj_decref(d);
    obj_decref(t);
    obj_decref(k);
    obj_decref(one);
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

ML_TEST(debug_stats_for_a_young_collection, .points = 1, .visibility = ML_HIDDEN,
        .description = "DEBUG_STATS text for collect(0) with an uncollectable self loop",
        .hint = "handout §6, Debug flags",
        .parent = "debug_stats_prints_the_generations_and_the_result")
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ml_set_debug_stream(f);
    ml_object *d = node_new(&del_node_type, 1);
    node_set(d, 0, d);
    obj_decref(d);
    gc_set_debug(GC_DEBUG_STATS);
    ck_assert_int_eq(gc_collect(0), 1);
    fflush(f);
    const char *head = "gc: collecting generation 0...\n"
                       "gc: objects in each generation: 1 0 0\n"
                       "gc: objects in permanent generation: 0\n"
                       "gc: done, 1 unreachable, 1 uncollectable, ";
    ck_assert_msg(strncmp(buf, head, strlen(head)) == 0, "got:\n%s", buf);
    ml_set_debug_stream(NULL);
    fclose(f);
    free(buf);
    node_release_garbage();
}

/* A non-GC type with a finalizer: there is no FINALIZED bit to remember the
 * call, so each dealloc runs the finalizer again (CPython does the same). */
typedef struct atom {
    ml_object ob_base;
    int resurrect;
} atom;

static int atom_finalized;
static ml_object *atom_saved;

static void atom_finalize(ml_object *self)
{
    atom_finalized++;
    if (((atom *)self)->resurrect-- > 0)
        atom_saved = obj_newref(self);
}

static void atom_dealloc(ml_object *self)
{
    if (gc_call_finalizer_from_dealloc(self) < 0)
        return;
    obj_free(self);
}

static ml_type atom_type = {
    .tp_name = "atom",
    .tp_basicsize = sizeof(atom),
    .tp_dealloc = atom_dealloc,
    .tp_finalize = atom_finalize,
    .tp_free = obj_free,
};

ML_TEST(a_non_gc_finalizer_runs_at_each_dealloc, .points = 1, .visibility = ML_HIDDEN,
        .description = "a non-GC object resurrected by its finalizer runs the finalizer again at "
                       "its next dealloc: only GC objects have a FINALIZED bit",
        .hint = "handout §4, gc_call_finalizer_from_dealloc",
        .parent = "finalizer_from_dealloc_can_resurrect")
{
    atom_finalized = 0;
    atom_saved = NULL;
    ml_object *a = must(obj_new(&atom_type), "obj_new");
    ((atom *)a)->resurrect = 1;
    obj_decref(a);
    ck_assert_msg(atom_saved == a && atom_finalized == 1,
                  "resurrected by its first finalizer call");
    ck_assert_int_eq(REFS(a), 1);
    ck_assert_msg(!gc_is_finalized(a), "no GC header, no FINALIZED bit");
    OBJ_CLEAR(atom_saved);
    ck_assert_int_eq(atom_finalized, 2);
}
