/*
 * hidden/test_untracking.c -- the hidden tests of test_untracking.c's area (the public file
 * tests/cycles/test_untracking.c); those that came from mutation testing are tagged
 * "mutation".
 */
#include "../cycles_test.h"
#include "memlab/mem.h"
#include "mlalloc.h"
#include "mltest.h"

#include <stdlib.h>
#include <string.h>

ML_TEST(gc_may_be_tracked_returns_exactly_1_or_0, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "gc_may_be_tracked is 1 for a list, a dict and a tracked tuple, 0 for an "
                       "int and an untracked tuple",
        .hint = "handout §7, Untracking tuples and dicts")
{
    ml_object *l = must(list_new(0), "list_new");
    ml_object *d = must(dict_new(), "dict_new");
    ml_object *i = must(int_from_long(7), "int_from_long");
    ml_object *t = must(tuple_pack(1, l), "tuple_pack");
    ml_object *u = must(tuple_pack(1, i), "tuple_pack");
    gc_collect(0); /* untracks u */
    ck_assert_int_eq(gc_may_be_tracked(l), 1);
    ck_assert_int_eq(gc_may_be_tracked(d), 1);
    ck_assert_int_eq(gc_may_be_tracked(t), 1);
    ck_assert_int_eq(gc_may_be_tracked(i), 0);
    ck_assert_int_eq(gc_may_be_tracked(u), 0);
    obj_decref(u);
    obj_decref(t);
    obj_decref(i);
    obj_decref(d);
    obj_decref(l);
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

ML_TEST(a_full_collection_untracks_only_dicts_of_atoms, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
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
