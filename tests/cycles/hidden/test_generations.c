/*
 * hidden/test_generations.c -- the hidden tests of test_generations.c's area (the public file
 * tests/cycles/test_generations.c); those that came from mutation testing are tagged
 * "mutation".
 */
#include "../cycles_test.h"
#include "memlab/mem.h"
#include "mlalloc.h"
#include "mltest.h"

#include <stdlib.h>
#include <string.h>

/* ==================================================================== thresholds */
ML_TEST(get_threshold_writes_three_ints, .tags = "mutation", .points = 1, .visibility = ML_HIDDEN,
        .description = "gc_get_threshold writes out[0..2] and nothing after them",
        .hint = "handout §3, Generations")
{
    struct {
        int out[GC_NUM_GENERATIONS];
        int guard;
    } s = {{0, 0, 0}, -7};
    gc_get_threshold(s.out);
    ck_assert_msg(s.out[0] == 700 && s.out[1] == 10 && s.out[2] == 10, "(%d, %d, %d)", s.out[0],
                  s.out[1], s.out[2]);
    ck_assert_msg(s.guard == -7, "gc_get_threshold wrote past out[2]");
}

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

ML_TEST(collect_during_an_automatic_collection_returns_0, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
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

ML_TEST(untracked_tuples_do_not_count_as_long_lived, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
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

ML_TEST(tuples_that_stay_tracked_count_once_as_long_lived, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
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

ML_TEST(dicts_and_tuples_untracked_by_a_full_collection_leave_the_long_lived_count,
        .tags = "mutation", .points = 1, .visibility = ML_HIDDEN,
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

ML_TEST(dicts_that_stay_tracked_count_once_as_long_lived, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
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

ML_TEST(first_call_gc_set_threshold_sticks, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "gc_set_threshold(5, 6, 7) as the first call: gc_get_threshold() then "
                       "gives (5, 6, 7)",
        .hint = "handout §3, Generations (cycles.c, ensure_ready)")
{
    gc_set_threshold(5, 6, 7);
    int t[GC_NUM_GENERATIONS];
    gc_get_threshold(t);
    ck_assert_msg(t[0] == 5 && t[1] == 6 && t[2] == 7,
                  "thresholds (%d, %d, %d), expected (5, 6, 7)", t[0], t[1], t[2]);
}

ML_TEST(first_call_gc_get_threshold_gives_700_10_10, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "gc_get_threshold() as the first call gives CPython's (700, 10, 10)",
        .hint = "handout §3, Generations (cycles.c, ensure_ready)")
{
    int t[GC_NUM_GENERATIONS];
    gc_get_threshold(t);
    ck_assert_msg(t[0] == 700 && t[1] == 10 && t[2] == 10,
                  "thresholds (%d, %d, %d), expected (700, 10, 10)", t[0], t[1], t[2]);
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
