/*
 * Step 7 of the handout: tuples and dicts that cannot be in a cycle are
 * untracked, as CPython does.
 */
#include "cycles_test.h"
#include "mltest.h"

ML_TEST(a_tuple_of_atoms_is_untracked_by_any_collection, .points = 1,
        .description = "(12345, 'x') is tracked when made, untracked after collect(0)",
        .hint = "handout §7, untrack_tuples", .parent = "collect_of_nothing_returns_zero")
{
    ml_object *i = int_from_long(12345);
    ml_object *s = str_from_cstr("x");
    ml_object *t = must(tuple_pack(2, i, s), "tuple_pack");
    obj_decref(i);
    obj_decref(s);
    ck_assert_msg(gc_is_tracked(t), "tuples are tracked at creation");
    gc_collect(0);
    ck_assert_msg(!gc_is_tracked(t), "a tuple of atoms is untracked by the collection");
    ck_assert_msg(!gc_may_be_tracked(t), "an untracked tuple may not be in a cycle");
    obj_decref(t);
}

ML_TEST(a_tuple_holding_a_container_stays_tracked, .points = 1,
        .description = "([],) stays tracked after a collection",
        .hint = "handout §7, untrack_tuples",
        .parent = "a_tuple_of_atoms_is_untracked_by_any_collection")
{
    ml_object *l = must(list_new(0), "list_new");
    ml_object *t = must(tuple_pack(1, l), "tuple_pack");
    obj_decref(l);
    gc_collect(2);
    ck_assert_msg(gc_is_tracked(t), "a list inside may make a cycle");
    obj_decref(t);
}

ML_TEST(nested_tuples_may_take_several_collections, .points = 2,
        .description =
            "outer = (inner,), outer tracked before inner: the first collection untracks "
            "inner only, the second outer",
        .hint = "handout §7, untrack_tuples",
        .parent = "a_tuple_of_atoms_is_untracked_by_any_collection")
{
    ml_object *outer = must(tuple_new(1), "tuple_new");
    ml_object *one = int_from_long(1);
    ml_object *inner = must(tuple_pack(1, one), "tuple_pack");
    obj_decref(one);
    TUPLE_SET_ITEM(outer, 0, inner); /* steals inner */
    gc_collect(0);
    ck_assert_msg(!gc_is_tracked(inner), "inner: untracked by the first collection");
    ck_assert_msg(gc_is_tracked(outer), "outer was examined first, while inner was tracked");
    gc_collect(1);
    ck_assert_msg(!gc_is_tracked(outer), "outer: untracked by the second collection");
    obj_decref(outer);
}

ML_TEST(a_dict_is_untracked_only_by_a_full_collection, .points = 2,
        .description = "a dict tracked since a list was inserted stays tracked after the list is "
                       "deleted, through collect(1), and is untracked by collect(2)",
        .hint = "handout §7, untrack_dicts", .parent = "collect_of_nothing_returns_zero")
{
    ml_object *d = must(dict_new(), "dict_new");
    ml_object *ka = str_from_cstr("a"), *kb = str_from_cstr("b");
    ml_object *one = int_from_long(1);
    ml_object *l = must(list_new(0), "list_new");
    dict_setitem(d, ka, one);
    ck_assert_msg(!gc_is_tracked(d), "{'a': 1} is not tracked");
    dict_setitem(d, kb, l);
    ck_assert_msg(gc_is_tracked(d), "inserting a list tracks the dict");
    dict_delitem(d, kb);
    ck_assert_msg(gc_is_tracked(d), "deleting it does not untrack");
    gc_collect(1);
    ck_assert_msg(gc_is_tracked(d), "only full collections untrack dicts");
    gc_collect(2);
    ck_assert_msg(!gc_is_tracked(d), "the full collection untracks it");
    obj_decref(d);
    obj_decref(ka);
    obj_decref(kb);
    obj_decref(one);
    obj_decref(l);
}
