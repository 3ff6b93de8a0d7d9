/*
 * mutation_cycles.c -- hidden tests that kill what the mutation run
 * (make mutation LAB=cycles) found alive: untracked tuples and dicts
 * leaving the long-lived count, and a list that cannot grow while
 * gc.garbage or gc_get_referrers fill theirs.
 */
#include "../cycles_test.h"
#include "memlab/mem.h"
#include "mlalloc.h"
#include "mltest.h"

#include <stdlib.h>

/* ==================================================================== the long-lived count */

#define MAX_ALLOCATIONS 64

typedef struct full_watch {
    int allocations; /* nodes allocated so far */
    int first_full;  /* allocation that started the first full collection, 0 if none yet */
} full_watch;

static void note_full(const char *phase, const gc_callback_info *info, void *ctx)
{
    full_watch *w = ctx;
    if (phase[0] == 's' && phase[2] == 'a' && info->generation == GC_NUM_GENERATIONS - 1 &&
        w->first_full == 0)
        w->first_full = w->allocations + 1;
}

/* With thresholds (1, 1, 1), allocate nodes until a full collection starts
 * (at most MAX_ALLOCATIONS); returns the allocation that started it, or 0. */
static int allocations_until_full_collection(void)
{
    full_watch w = {0, 0};
    ml_object *n[MAX_ALLOCATIONS];
    ck_assert_int_eq(gc_callbacks_add(note_full, &w), 0);
    gc_set_threshold(1, 1, 1);
    while (w.first_full == 0 && w.allocations < MAX_ALLOCATIONS) {
        n[w.allocations] = node_new(&node_type, w.allocations);
        w.allocations++;
    }
    gc_set_threshold(0, 0, 0);
    gc_callbacks_remove(note_full, &w);
    for (int i = 0; i < w.allocations; i++)
        obj_decref(n[i]);
    return w.first_full;
}

ML_TEST(untracked_tuples_do_not_count_as_long_lived, .points = 1, .visibility = ML_HIDDEN,
        .description =
            "20 nodes and 80 tuples of ints survive collect(2): the tuples are "
            "untracked, so only 20 objects are long-lived and, with thresholds "
            "(1, 1, 1), the first full collection comes at the 14th allocation (the first "
            "time generation 2 passes its threshold), not the 32nd",
        .hint = "handout §7, untrack_tuples; handout §3, The long-lived heuristic",
        .parent = "a_full_collection_waits_for_a_quarter_of_long_lived_objects")
{
    ml_object *keep[20], *tuples[80];
    for (int i = 0; i < 20; i++)
        keep[i] = node_new(&node_type, 100 + i);
    for (int i = 0; i < 80; i++) {
        ml_object *v = must(int_from_long(1000 + i), "int_from_long");
        tuples[i] = must(tuple_pack(1, v), "tuple_pack");
        obj_decref(v);
    }
    gc_collect(2);
    int untracked = 0;
    for (int i = 0; i < 80; i++)
        untracked += !gc_is_tracked(tuples[i]);
    ck_assert_msg(untracked == 80, "collect(2) untracks the 80 tuples of ints (%d were)",
                  untracked);
    int at = allocations_until_full_collection();
    ck_assert_msg(at == 14,
                  "20 long-lived objects: the first full collection at allocation 14, got %d "
                  "(0: none in %d)",
                  at, MAX_ALLOCATIONS);
    for (int i = 0; i < 80; i++)
        obj_decref(tuples[i]);
    for (int i = 0; i < 20; i++)
        obj_decref(keep[i]);
}

ML_TEST(tuples_that_stay_tracked_count_once_as_long_lived, .points = 1, .visibility = ML_HIDDEN,
        .description = "a list and 100 tuples holding it survive collect(2): 101 long-lived "
                       "objects, so with thresholds (1, 1, 1) the first full collection comes "
                       "at the 32nd allocation",
        .hint = "handout §7, untrack_tuples; handout §3, The long-lived heuristic",
        .parent = "a_full_collection_waits_for_a_quarter_of_long_lived_objects")
{
    ml_object *l = must(list_new(0), "list_new");
    ml_object *tuples[100];
    for (int i = 0; i < 100; i++)
        tuples[i] = must(tuple_pack(1, l), "tuple_pack");
    gc_collect(2);
    int tracked = 0;
    for (int i = 0; i < 100; i++)
        tracked += gc_is_tracked(tuples[i]);
    ck_assert_msg(tracked == 100, "tuples holding a list stay tracked (%d are)", tracked);
    int at = allocations_until_full_collection();
    ck_assert_msg(at == 32,
                  "101 long-lived objects: the first full collection at allocation 32, got %d "
                  "(0: none in %d)",
                  at, MAX_ALLOCATIONS);
    for (int i = 0; i < 100; i++)
        obj_decref(tuples[i]);
    obj_decref(l);
}

/* ==================================================================== lists that cannot grow */

/* MEM_DOMAIN_MEM (where list item arrays live) refuses every new block
 * and every resize (mlalloc.h); frees go to the allocator that made every
 * block the test had before. */

ML_TEST(a_garbage_list_that_cannot_grow_leaves_no_exception, .points = 1, .visibility = ML_HIDDEN,
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

static ml_ssize_t objects_tracked(void)
{
    ml_ssize_t n = 0;
    for (int i = 0; i < GC_NUM_GENERATIONS; i++)
        n += gc_generation_size(i);
    return n;
}

ML_TEST(get_referrers_that_cannot_grow_its_list_frees_it, .points = 1, .visibility = ML_HIDDEN,
        .description = "gc_get_referrers returns NULL with MemoryError when its list cannot "
                       "grow, and leaves no list behind in the generations",
        .hint = "handout §6, gc.get_referrers",
        .parent = "get_referrers_finds_the_containers_that_reference_an_object")
{
    ml_object *a = node_new(&node_type, 1);
    ml_object *b = node_new(&node_type, 2);
    node_set(b, 0, a);
    ml_object *refs = gc_get_referrers(&a, 1);
    ck_assert_msg(refs != NULL, "gc_get_referrers failed with every allocator working");
    ck_assert_int_eq(list_size(refs), 1);
    obj_decref(refs);
    ml_ssize_t tracked = objects_tracked();
    ml_alloc refuse_all = ML_ALLOC_REFUSE_ALL;
    ml_alloc_install(&refuse_all, MEM_DOMAIN_MEM);
    refs = gc_get_referrers(&a, 1);
    ml_alloc_remove(&refuse_all);
    ml_exc_kind pending = err_occurred();
    err_clear();
    ck_assert_msg(refs == NULL, "gc_get_referrers returned a list it could not fill");
    ck_assert_msg(pending == ML_EXC_MEMORY_ERROR, "MemoryError expected, kind %d set",
                  (int)pending);
    ck_assert_msg(objects_tracked() == tracked,
                  "%zd objects tracked after the failed call, %zd before: the list was not freed",
                  objects_tracked(), tracked);
    obj_decref(a);
    obj_decref(b);
}

/* ==================================================================== dicts and the long-lived
 * count */

/* With thresholds (1, 1, 1), the first full collection comes at allocation
 * 14 while at most 47 objects are long-lived, 20 from 48 to 71, 26 from 72
 * to 95: a long-lived count on either side of 48 or 72 shows. */

/* A tracked dict that holds only atoms: it held a list first. */
static ml_object *tracked_dict_of_atoms(long key)
{
    ml_object *d = must(dict_new(), "dict_new");
    ml_object *k = must(int_from_long(key), "int_from_long");
    ml_object *l = must(list_new(0), "list_new");
    ck_assert_int_eq(dict_setitem(d, k, l), 0);
    obj_decref(l);
    ck_assert_int_eq(dict_setitem(d, k, k), 0);
    obj_decref(k);
    ck_assert_msg(gc_is_tracked(d), "a dict that held a list is tracked");
    return d;
}

/* A dict {key: value}, tracked because value is a node. */
static ml_object *dict_holding(long key, ml_object *value)
{
    ml_object *d = must(dict_new(), "dict_new");
    ml_object *k = must(int_from_long(key), "int_from_long");
    ck_assert_int_eq(dict_setitem(d, k, value), 0);
    obj_decref(k);
    return d;
}

ML_TEST(dicts_and_tuples_untracked_by_a_full_collection_leave_the_long_lived_count, .points = 1,
        .visibility = ML_HIDDEN,
        .description = "38 nodes and 10 dicts holding nodes go to generation 2 (collect(1)); "
                       "then 10 dicts of ints and 10 tuples of ints are untracked by collect(2): "
                       "48 long-lived objects, none pending, so with thresholds (1, 1, 1) the "
                       "first full collection comes at allocation 20",
        .hint = "handout §7, Untracking tuples and dicts; handout §3, The long-lived heuristic",
        .parent = "a_full_collection_waits_for_a_quarter_of_long_lived_objects")
{
    ml_object *nodes[38], *held[10], *atoms[10], *tuples[10];
    for (int i = 0; i < 38; i++)
        nodes[i] = node_new(&node_type, 100 + i);
    for (int i = 0; i < 10; i++)
        held[i] = dict_holding(i, nodes[i]);
    gc_collect(1); /* 48 objects promoted into generation 2: 48 pending */
    for (int i = 0; i < 10; i++) {
        atoms[i] = tracked_dict_of_atoms(i);
        ml_object *v = must(int_from_long(1000 + i), "int_from_long");
        tuples[i] = must(tuple_pack(1, v), "tuple_pack");
        obj_decref(v);
    }
    gc_collect(2);
    int untracked = 0, tracked = 0;
    for (int i = 0; i < 10; i++) {
        untracked += !gc_is_tracked(atoms[i]) + !gc_is_tracked(tuples[i]);
        tracked += gc_is_tracked(held[i]);
    }
    ck_assert_msg(untracked == 20, "collect(2) untracks the 20 dicts and tuples of ints (%d)",
                  untracked);
    ck_assert_msg(tracked == 10, "dicts holding nodes stay tracked (%d are)", tracked);
    int at = allocations_until_full_collection();
    ck_assert_msg(at == 20,
                  "48 long-lived objects and none pending: the first full collection at "
                  "allocation 20, got %d (0: none in %d)",
                  at, MAX_ALLOCATIONS);
    for (int i = 0; i < 10; i++) {
        obj_decref(tuples[i]);
        obj_decref(atoms[i]);
        obj_decref(held[i]);
    }
    for (int i = 0; i < 38; i++)
        obj_decref(nodes[i]);
}

ML_TEST(dicts_that_stay_tracked_count_once_as_long_lived, .points = 1, .visibility = ML_HIDDEN,
        .description = "61 nodes, 10 dicts holding nodes and 10 dicts of ints survive collect(2): "
                       "the dicts of ints are untracked, 71 objects are long-lived, so with "
                       "thresholds (1, 1, 1) the first full collection comes at allocation 20",
        .hint = "handout §7, Untracking tuples and dicts; handout §3, The long-lived heuristic",
        .parent = "a_full_collection_waits_for_a_quarter_of_long_lived_objects")
{
    ml_object *nodes[61], *held[10], *atoms[10];
    for (int i = 0; i < 61; i++)
        nodes[i] = node_new(&node_type, 100 + i);
    for (int i = 0; i < 10; i++) {
        held[i] = dict_holding(i, nodes[i]);
        atoms[i] = tracked_dict_of_atoms(i);
    }
    gc_collect(2);
    int untracked = 0, tracked = 0;
    for (int i = 0; i < 10; i++) {
        untracked += !gc_is_tracked(atoms[i]);
        tracked += gc_is_tracked(held[i]);
    }
    ck_assert_msg(untracked == 10, "collect(2) untracks the 10 dicts of ints (%d)", untracked);
    ck_assert_msg(tracked == 10, "dicts holding nodes stay tracked (%d are)", tracked);
    int at = allocations_until_full_collection();
    ck_assert_msg(at == 20,
                  "71 long-lived objects: the first full collection at allocation 20, got %d "
                  "(0: none in %d)",
                  at, MAX_ALLOCATIONS);
    for (int i = 0; i < 10; i++) {
        obj_decref(atoms[i]);
        obj_decref(held[i]);
    }
    for (int i = 0; i < 61; i++)
        obj_decref(nodes[i]);
}
