/*
 * mutation_collect.c -- hidden tests that kill what the mutation run (make
 * mutation LAB=cycles) found alive inside a collection: the `collecting`
 * guard of an automatic collection, the return values of the visitors,
 * the COLLECTING flag of the objects a collection leaves behind, dicts
 * untracked by a full collection, and gc.garbage lists that cannot grow.
 */
#include "../cycles_test.h"
#include "memlab/mem.h"
#include "mlalloc.h"
#include "mltest.h"

#include <stdlib.h>

static int node_id(ml_object *op) { return ((node *)op)->id; }

/* ==================================================================== the collecting guard */

typedef struct nested_watch {
    int calls;         /* callback calls, every phase */
    int tried;         /* gc_collect was called from inside */
    ml_ssize_t nested; /* what it returned */
} nested_watch;

static void collect_from_inside(const char *phase, const gc_callback_info *info, void *ctx)
{
    (void)phase;
    (void)info;
    nested_watch *w = ctx;
    w->calls++;
    if (!w->tried) {
        w->tried = 1;
        w->nested = gc_collect(2);
    }
}

ML_TEST(collect_during_an_automatic_collection_returns_0, .points = 1, .visibility = ML_HIDDEN,
        .description = "gc_collect(2) called by a callback of an automatic collection returns 0 "
                       "and starts nothing: one generation-0 collection, two callback calls",
        .hint = "handout §3, When collections run")
{
    nested_watch w = {0, 0, -5};
    ck_assert_int_eq(gc_callbacks_add(collect_from_inside, &w), 0);
    gc_set_threshold(1, 10, 10);
    ml_object *a = node_new(&node_type, 1);
    ml_object *b = node_new(&node_type, 2); /* count 2 > 1: collects generation 0 */
    gc_set_threshold(0, 0, 0);
    ck_assert_msg(w.tried, "no automatic collection ran");
    ck_assert_msg(w.nested == 0, "the nested gc_collect returned %zd, expected 0", w.nested);
    ck_assert_msg(w.calls == 2, "%d callback calls, expected 2 (start, stop)", w.calls);
    gc_generation_stats st[GC_NUM_GENERATIONS];
    gc_get_stats(st);
    ck_assert_msg(st[0].collections == 1 && st[2].collections == 0,
                  "collections (%zd, %zd, %zd), expected (1, 0, 0)", st[0].collections,
                  st[1].collections, st[2].collections);
    gc_callbacks_remove(collect_from_inside, &w);
    obj_decref(a);
    obj_decref(b);
}

/* ==================================================================== visitors' return values */

ML_TEST(a_list_keeps_its_items_alive_after_an_int, .points = 1, .visibility = ML_HIDDEN,
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

ML_TEST(a_legacy_finalizer_keeps_everything_it_references, .points = 1, .visibility = ML_HIDDEN,
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

/* ==================================================================== the COLLECTING flag */

ML_TEST(a_legacy_finalizer_leaves_reachable_objects_where_they_are, .points = 1,
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

ML_TEST(two_legacy_finalizers_go_to_garbage_in_order, .points = 1, .visibility = ML_HIDDEN,
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

ML_TEST(a_legacy_finalizer_reaching_a_cycle_moves_it_once, .points = 1, .visibility = ML_HIDDEN,
        .timeout = 2,
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

ML_TEST(an_object_that_survives_clearing_is_an_ordinary_old_object, .points = 1,
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

/* ==================================================================== dicts */

static ml_object *dict_of(long key, ml_object *value)
{
    ml_object *d = must(dict_new(), "dict_new");
    ml_object *k = must(int_from_long(key), "int_from_long");
    ck_assert_int_eq(dict_setitem(d, k, value), 0);
    obj_decref(k);
    return d;
}

static void dict_put(ml_object *d, long key, ml_object *value)
{
    ml_object *k = must(int_from_long(key), "int_from_long");
    ck_assert_int_eq(dict_setitem(d, k, value), 0);
    obj_decref(k);
}

ML_TEST(a_full_collection_untracks_only_dicts_of_atoms, .points = 1, .visibility = ML_HIDDEN,
        .description = "after collect(2): {1: node} and {1: node, 2: 3} stay tracked; {1: 2} "
                       "and {1: node, 2: 3} once key 1 is deleted are untracked",
        .hint = "handout §7, Untracking tuples and dicts")
{
    ml_object *two = must(int_from_long(2), "int_from_long");
    ml_object *three = must(int_from_long(3), "int_from_long");
    ml_object *n1 = node_new(&node_type, 1);
    ml_object *n2 = node_new(&node_type, 2);
    ml_object *n3 = node_new(&node_type, 3);
    ml_object *d1 = dict_of(1, n1);
    ml_object *d2 = dict_of(1, two);
    ml_object *d3 = dict_of(1, n2);
    dict_put(d3, 2, three);
    ml_object *d4 = dict_of(1, n3);
    dict_put(d4, 2, three);
    ml_object *k1 = must(int_from_long(1), "int_from_long");
    ck_assert_int_eq(dict_delitem(d4, k1), 0);
    obj_decref(k1);
    gc_collect(2);
    ck_assert_msg(gc_is_tracked(d1), "{1: node} stays tracked");
    ck_assert_msg(!gc_is_tracked(d2), "{1: 2} is untracked");
    ck_assert_msg(gc_is_tracked(d3), "{1: node, 2: 3} stays tracked");
    ck_assert_msg(!gc_is_tracked(d4), "{2: 3}, after a delete, is untracked");
    obj_decref(d4);
    obj_decref(d3);
    obj_decref(d2);
    obj_decref(d1);
    obj_decref(n3);
    obj_decref(n2);
    obj_decref(n1);
    obj_decref(three);
    obj_decref(two);
}

/* ==================================================================== gc.garbage that cannot grow
 */

ML_TEST(saveall_with_a_garbage_list_that_cannot_grow_leaves_no_exception, .points = 1,
        .visibility = ML_HIDDEN,
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

ML_TEST(gc_garbage_stops_at_the_first_append_that_fails, .points = 1, .visibility = ML_HIDDEN,
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
