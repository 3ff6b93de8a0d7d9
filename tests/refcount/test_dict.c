/*
 * test_dict.c -- part 4 of the lab (containers.c): dict.
 */
#include "memlab/draw.h"
#include "refcount_test.h"

#include <stdio.h>
#include <string.h>

ML_TEST(dict_new_is_empty_and_untracked, .points = 1,
        .description = "dict_new: refcount 1, size 0, not tracked by the collector",
        .hint = "handout §6.3, dict", .parent = "new_object_has_refcount_one")
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    ml_object *d = dict_new();
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(ML_REFCNT(d), 1);
    ck_assert_msg(dict_check(d) && !dict_check(ML_NONE), "dict_check tells dicts apart");
    ck_assert_int_eq(dict_size(d), 0);
    ck_assert_msg(!gc_is_tracked(d), "an empty dict is not tracked (CPython starts it untracked)");
    obj_decref(d);
    ASSERT_BALANCED(total0, blocks0);
    ck_assert_int_eq(dict_size(ML_NONE), -1);
    ck_assert_int_eq(err_occurred(), ML_EXC_SYSTEM_ERROR);
    err_clear();
}

ML_TEST(dict_setitem_increfs_key_and_value, .points = 2,
        .description = "dict_setitem does not steal: key and value each get one more reference",
        .hint = "handout §6.3, dict", .parent = "dict_new_is_empty_and_untracked")
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    ml_object *d = dict_new();
    ml_object *k = probe_new(1), *v = probe_new(2);
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(k);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(dict_setitem(d, k, v), 0);
    ck_assert_int_eq(dict_size(d), 1);
    ml_object *objs[] = {k, v};
    const ml_ssize_t want[] = {2, 2}; /* the test's own + the dict's */
    ml_attach_take("refcounts.dot",
                   draw_refcount_mismatch(d, objs, want, 2, "dict_setitem(d, k, v)"));
    ck_assert_int_eq(ML_REFCNT(k), 2);
    ck_assert_int_eq(ML_REFCNT(v), 2);
    ck_assert_ptr_eq(dict_getitem(d, k), v);
    obj_decref(k);
    obj_decref(v);
    ck_assert_int_eq(dealloc_count, 0);
    obj_decref(d);
    ck_assert_int_eq(dealloc_count, 2);
    ASSERT_BALANCED(total0, blocks0);
}

ML_TEST(dict_setitem_on_an_existing_key_keeps_the_key_and_releases_the_value, .points = 2,
        .description = "replacing a value keeps the first key object and decrefs the old value",
        .hint = "handout §6.3, dict", .parent = "dict_setitem_increfs_key_and_value")
{
    ml_ssize_t total0 = obj_total_refcount();
    ml_object *d = dict_new();
    ml_object *k1 = probe_new(5), *k2 = probe_new(5); /* equal keys, distinct objects */
    ml_object *v1 = probe_new(100), *v2 = probe_new(200);
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(k1);
    ck_assert_ptr_nonnull(k2);
    ck_assert_ptr_nonnull(v1);
    ck_assert_ptr_nonnull(v2);
    dict_setitem(d, k1, v1);
    obj_decref(v1);
    ck_assert_int_eq(dict_setitem(d, k2, v2), 0);
    ck_assert_int_eq(dict_size(d), 1);
    ck_assert_msg(dealloc_count == 1 && dealloc_log[0] == 100, "the old value is released");
    ck_assert_msg(ML_REFCNT(k1) == 2 && ML_REFCNT(k2) == 1,
                  "the dict keeps its original key and takes no reference to the new one");
    ck_assert_ptr_eq(dict_getitem(d, k2), v2);
    ck_assert_int_eq(ML_REFCNT(v2), 2);
    ck_assert_int_eq(dict_setitem(d, k1, v2), 0); /* the same value again */
    ck_assert_int_eq(ML_REFCNT(v2), 2);
    obj_decref(d);
    obj_decref(k1);
    obj_decref(k2);
    obj_decref(v2);
    ck_assert_int_eq(dealloc_count, 4);
    ck_assert_int_eq(obj_total_refcount(), total0);
}

ML_TEST(
    dict_is_tracked_once_it_holds_a_container, .points = 2,
    .description = "a dict of atoms stays untracked; a tracked container key or value tracks it",
    .hint = "handout §6.3, dict (MAINTAIN_TRACKING)",
    .parent = "dict_setitem_increfs_key_and_value")
{
    ml_ssize_t total0 = obj_total_refcount();
    ml_object *d = dict_new(), *d2 = dict_new();
    ml_object *k = str_from_cstr("k"), *l = list_new(0), *t = tuple_pack(1, ML_NONE);
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(d2);
    ck_assert_ptr_nonnull(k);
    ck_assert_ptr_nonnull(l);
    ck_assert_ptr_nonnull(t);
    dict_setitem(d, k, int_from_long(1));
    dict_setitem(d, ML_NONE, ML_TRUE);
    ck_assert_msg(!gc_is_tracked(d), "str, int, None and bool cannot make a cycle: untracked");
    dict_setitem(d, k, l);
    ck_assert_msg(gc_is_tracked(d), "a list value may be part of a cycle: the dict is tracked");
    dict_setitem(d2, t, k);
    ck_assert_msg(gc_is_tracked(d2), "a tracked tuple key tracks the dict too");
    obj_decref(d);
    obj_decref(d2);
    obj_decref(k);
    obj_decref(l);
    obj_decref(t);
    ck_assert_int_eq(obj_total_refcount(), total0);
}

ML_TEST(dict_getitem_returns_borrowed_and_null_when_missing, .points = 2,
        .description = "dict_getitem: borrowed value; missing key: NULL and no exception",
        .hint = "handout §6.3, dict", .parent = "dict_setitem_increfs_key_and_value")
{
    ml_object *d = dict_new();
    ml_object *a = str_from_cstr("a"), *a2 = str_from_cstr("a"), *b = str_from_cstr("b");
    ml_object *v = probe_new(1);
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(a2);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_nonnull(v);
    dict_setitem(d, a, v);
    ck_assert_msg(dict_getitem(d, a2) == v, "an equal key (another str 'a') finds the value");
    ck_assert_int_eq(ML_REFCNT(v), 2);
    ck_assert_ptr_null(dict_getitem(d, b));
    ck_assert_msg(err_occurred() == ML_EXC_NONE, "a missing key is not an error for getitem");
    ck_assert_ptr_null(dict_getitem_witherror(d, b));
    ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
    ck_assert_ptr_eq(dict_getitem_witherror(d, a), v);
    obj_decref(d);
    obj_decref(a);
    obj_decref(a2);
    obj_decref(b);
    obj_decref(v);
    ck_assert_int_eq(dealloc_count, 1);
}

ML_TEST(dict_getitem_swallows_errors_getitem_witherror_does_not, .points = 2,
        .description = "an unhashable key: getitem returns NULL with no exception, "
                       "getitem_witherror sets TypeError",
        .hint = "handout §6.3, dict (GetItem vs GetItemWithError)",
        .parent = "dict_getitem_returns_borrowed_and_null_when_missing")
{
    ml_object *d = dict_new(), *l = list_new(0);
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(l);
    ck_assert_ptr_null(dict_getitem(d, l));
    ck_assert_msg(err_occurred() == ML_EXC_NONE, "dict_getitem must swallow the TypeError");
    ck_assert_ptr_null(dict_getitem_witherror(d, l));
    ck_assert_int_eq(err_occurred(), ML_EXC_TYPE_ERROR);
    ck_assert_str_eq(err_message(), "unhashable type: 'list'");
    err_clear();
    ck_assert_int_eq(dict_setitem(d, l, ML_NONE), -1);
    ck_assert_int_eq(err_occurred(), ML_EXC_TYPE_ERROR);
    ck_assert_msg(ML_REFCNT(l) == 1, "a failed setitem takes no reference");
    err_clear();
    obj_decref(d);
    obj_decref(l);
}

ML_TEST(dict_delitem_releases_key_and_value_and_reports_missing_keys, .points = 2,
        .description = "dict_delitem decrefs key then value; a missing key is KeyError('x')",
        .hint = "handout §6.3, dict", .parent = "dict_setitem_increfs_key_and_value")
{
    ml_ssize_t total0 = obj_total_refcount();
    ml_object *d = dict_new();
    ml_object *k = probe_new(1), *v = probe_new(2), *x = str_from_cstr("x");
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(k);
    ck_assert_ptr_nonnull(v);
    ck_assert_ptr_nonnull(x);
    dict_setitem(d, k, v);
    obj_decref(k);
    obj_decref(v);
    ck_assert_int_eq(dict_delitem(d, k), -1 + 1); /* k is still alive: the dict owns it */
    ck_assert_int_eq(dict_size(d), 0);
    ck_assert_int_eq(dealloc_count, 2);
    ck_assert_msg(dealloc_log[0] == 1 && dealloc_log[1] == 2, "the key goes first, then the value");
    ck_assert_int_eq(dict_delitem(d, x), -1);
    ck_assert_int_eq(err_occurred(), ML_EXC_KEY_ERROR);
    ck_assert_str_eq(err_message(), "'x'");
    err_clear();
    obj_decref(x);
    obj_decref(d);
    ck_assert_int_eq(obj_total_refcount(), total0);
}

ML_TEST(dict_next_walks_insertion_order_with_borrowed_references, .points = 2,
        .description = "dict_next yields live entries in insertion order, skipping deleted ones",
        .hint = "handout §6.3, dict (the compact layout)",
        .parent = "dict_delitem_releases_key_and_value_and_reports_missing_keys")
{
    ml_ssize_t total0 = obj_total_refcount();
    ml_object *d = dict_new();
    ck_assert_ptr_nonnull(d);
    int order[] = {5, 3, 9, 1, 7};
    for (int i = 0; i < 5; i++) {
        ml_object *k = int_from_long(order[i]), *v = probe_new(order[i]);
        ck_assert_ptr_nonnull(v);
        dict_setitem(d, k, v);
        obj_decref(v);
    }
    dict_delitem(d, int_from_long(3));
    ml_ssize_t pos = 0;
    ml_object *key, *value;
    int expected[] = {5, 9, 1, 7}, n = 0;
    while (dict_next(d, &pos, &key, &value)) {
        ck_assert_int_lt(n, 4);
        ck_assert_int_eq(int_as_long(key), expected[n]);
        ck_assert_int_eq(probe_id(value), expected[n]);
        ck_assert_msg(ML_REFCNT(value) == 1, "dict_next returns borrowed references");
        n++;
    }
    ck_assert_int_eq(n, 4);
    pos = 0;
    ck_assert_int_eq(dict_next(d, &pos, NULL, &value), 1); /* either pointer may be NULL */
    ck_assert_int_eq(probe_id(value), 5);
    obj_decref(d);
    ck_assert_int_eq(dealloc_count, 5);
    ck_assert_int_eq(obj_total_refcount(), total0);
}

ML_TEST(dict_setdefault_inserts_only_when_absent, .points = 2,
        .description = "dict_setdefault returns a borrowed value and increfs only when it inserts",
        .hint = "handout §6.3, dict", .parent = "dict_setitem_increfs_key_and_value")
{
    ml_ssize_t total0 = obj_total_refcount();
    ml_object *d = dict_new(), *k = str_from_cstr("k");
    ml_object *first = probe_new(1), *second = probe_new(2);
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(k);
    ck_assert_ptr_nonnull(first);
    ck_assert_ptr_nonnull(second);
    ck_assert_ptr_eq(dict_setdefault(d, k, first), first);
    ck_assert_int_eq(ML_REFCNT(first), 2);
    ck_assert_int_eq(ML_REFCNT(k), 2);
    ck_assert_msg(dict_setdefault(d, k, second) == first, "present: the existing value");
    ck_assert_msg(ML_REFCNT(second) == 1 && ML_REFCNT(k) == 2, "present: no new references");
    obj_decref(d);
    obj_decref(k);
    obj_decref(first);
    obj_decref(second);
    ck_assert_int_eq(obj_total_refcount(), total0);
}

ML_TEST(dict_keys_values_items_are_new_lists, .points = 2,
        .description = "dict_keys/values/items: new lists, in insertion order, owning their items",
        .hint = "handout §6.3, dict",
        .parent = "dict_next_walks_insertion_order_with_borrowed_references")
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    ml_object *d = dict_new();
    ml_object *k[3], *v[3];
    ck_assert_ptr_nonnull(d);
    for (int i = 0; i < 3; i++) {
        k[i] = probe_new(i);
        v[i] = probe_new(10 + i);
        ck_assert_ptr_nonnull(k[i]);
        ck_assert_ptr_nonnull(v[i]);
        dict_setitem(d, k[i], v[i]);
    }
    ml_object *keys = dict_keys(d), *values = dict_values(d), *items = dict_items(d);
    ck_assert_ptr_nonnull(keys);
    ck_assert_ptr_nonnull(values);
    ck_assert_ptr_nonnull(items);
    ck_assert_int_eq(list_size(keys), 3);
    ck_assert_int_eq(list_size(items), 3);
    for (int i = 0; i < 3; i++) {
        ck_assert_ptr_eq(LIST_GET_ITEM(keys, i), k[i]);
        ck_assert_ptr_eq(LIST_GET_ITEM(values, i), v[i]);
        ml_object *pair = LIST_GET_ITEM(items, i);
        ck_assert_msg(tuple_check(pair) && tuple_size(pair) == 2, "items are (key, value)");
        ck_assert_ptr_eq(TUPLE_GET_ITEM(pair, 0), k[i]);
        ck_assert_ptr_eq(TUPLE_GET_ITEM(pair, 1), v[i]);
        ck_assert_msg(ML_REFCNT(k[i]) == 4 && ML_REFCNT(v[i]) == 4,
                      "caller + dict + view list + item tuple = 4 references");
    }
    obj_decref(keys);
    obj_decref(values);
    obj_decref(items);
    obj_decref(d);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(ML_REFCNT(k[i]), 1);
        obj_decref(k[i]);
        obj_decref(v[i]);
    }
    ASSERT_BALANCED(total0, blocks0);
    ck_assert_ptr_null(dict_keys(ML_NONE));
    ck_assert_int_eq(err_occurred(), ML_EXC_SYSTEM_ERROR);
    err_clear();
}

ML_TEST(dict_dealloc_releases_key_then_value_in_insertion_order, .points = 2,
        .description = "freeing a dict decrefs k0 v0 k1 v1 ... in insertion order",
        .hint = "handout §6.3, dict; §2.2 dealloc chains",
        .parent = "dict_setitem_increfs_key_and_value")
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    ml_object *d = dict_new();
    ck_assert_ptr_nonnull(d);
    for (int i = 0; i < 3; i++) {
        ml_object *k = probe_new(2 * i), *v = probe_new(2 * i + 1);
        ck_assert_ptr_nonnull(k);
        ck_assert_ptr_nonnull(v);
        dict_setitem(d, k, v);
        obj_decref(k);
        obj_decref(v);
    }
    obj_decref(d);
    ck_assert_int_eq(dealloc_count, 6);
    for (int i = 0; i < 6; i++)
        ck_assert_msg(dealloc_log[i] == i,
                      "dealloc %d should be probe %d (k0 v0 k1 v1 k2 v2), got %d", i, i,
                      dealloc_log[i]);
    ASSERT_BALANCED(total0, blocks0);
}

ML_TEST(dict_holds_a_thousand_keys_through_resizes, .points = 2,
        .description = "1000 random inserts and deletes agree with a simple model",
        .hint = "handout §6.3, dict (resizing)",
        .parent = "dict_next_walks_insertion_order_with_borrowed_references")
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    uint64_t seed = ml_test_seed();
    int present[600] = {0}, live = 0;
    ml_object *d = dict_new();
    ck_assert_ptr_nonnull(d);
    for (int step = 0; step < 1000; step++) {
        long key = (long)ml_rand_below(&seed, 600);
        ml_object *k = int_from_long(key * 7 - 1000);
        ck_assert_ptr_nonnull(k);
        if (ml_rand_below(&seed, 3) != 0) {
            ml_object *v = int_from_long(key);
            ck_assert_int_eq(dict_setitem(d, k, v), 0);
            obj_decref(v);
            live += !present[key];
            present[key] = 1;
        } else {
            int rc = dict_delitem(d, k);
            ck_assert_int_eq(rc, present[key] ? 0 : -1);
            err_clear();
            live -= present[key];
            present[key] = 0;
        }
        obj_decref(k);
        ck_assert_int_eq(dict_size(d), live);
    }
    for (long key = 0; key < 600; key++) {
        ml_object *k = int_from_long(key * 7 - 1000);
        ml_object *v = dict_getitem(d, k);
        ck_assert_msg((v != NULL) == present[key], "key %ld: present %d", key, present[key]);
        if (v != NULL)
            ck_assert_int_eq(int_as_long(v), key);
        obj_decref(k);
    }
    obj_decref(d);
    ASSERT_BALANCED(total0, blocks0);
}
