/*
 * hidden/test_dict.c -- the hidden tests of test_dict.c's area (the public file
 * tests/refcount/test_dict.c); those that came from mutation testing are tagged
 * "mutation".
 */
#include "../refcount_test.h"
#include "mlalloc.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ==================================================================== dicts */
ML_TEST(dict_keeps_keys_whose_hashes_all_collide, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "40 keys with hashes 0, 64, 128, ... (one slot in every table up to 64): "
                       "through resizes, deletions and reinsertions every key is found",
        .hint = "handout §6.3, dict", .parent = "dict_holds_a_thousand_keys_through_resizes")
{
    enum { N = 40 };
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    ml_object *d = dict_new(), *keys[N];
    ck_assert_ptr_nonnull(d);
    for (int i = 0; i < N; i++) {
        keys[i] = probe_new(i * 64);
        ck_assert_ptr_nonnull(keys[i]);
        ck_assert_int_eq(dict_setitem(d, keys[i], keys[i]), 0);
        for (int j = 0; j <= i; j++)
            ck_assert_msg(dict_getitem(d, keys[j]) == keys[j], "after %d inserts key %d is lost",
                          i + 1, j * 64);
    }
    for (int i = 0; i < N; i += 3)
        ck_assert_int_eq(dict_delitem(d, keys[i]), 0);
    for (int i = 0; i < N; i += 3)
        ck_assert_int_eq(dict_setitem(d, keys[i], keys[i]), 0);
    ck_assert_int_eq(dict_size(d), N);
    for (int i = 0; i < N; i++)
        ck_assert_msg(dict_getitem(d, keys[i]) == keys[i], "key %d is lost", i * 64);
    obj_decref(d);
    for (int i = 0; i < N; i++)
        obj_decref(keys[i]);
    ASSERT_BALANCED(total0, blocks0);
}

ML_TEST(dict_next_from_a_negative_position_starts_at_the_first_entry, .tags = "mutation",
        .points = 1, .visibility = ML_HIDDEN,
        .description = "dict_next with *pos = -5 returns the first entry",
        .hint = "handout §6.3, dict",
        .parent = "dict_next_walks_insertion_order_with_borrowed_references")
{
    ml_object *d = dict_new(), *a = probe_new(1), *b = probe_new(2);
    ck_assert(d && a && b);
    ck_assert_int_eq(dict_setitem(d, a, a), 0);
    ck_assert_int_eq(dict_setitem(d, b, b), 0);
    ml_ssize_t pos = -5;
    ml_object *key = NULL, *value = NULL;
    ck_assert_int_eq(dict_next(d, &pos, &key, &value), 1);
    ck_assert_msg(key == a, "the first entry is key 1, got probe %d", probe_id(key));
    obj_decref(d);
    obj_decref(a);
    obj_decref(b);
}

ML_TEST(dict_reinserted_key_moves_to_the_end, .points = 1, .visibility = ML_HIDDEN,
        .description = "deleting a key and setting it again puts it last in iteration order",
        .hint = "handout §6.3, dict (the compact layout)",
        .parent = "dict_next_walks_insertion_order_with_borrowed_references")
{
    ml_object *d = dict_new();
    ck_assert_ptr_nonnull(d);
    for (long i = 0; i < 4; i++)
        dict_setitem(d, int_from_long(i), ML_NONE);
    ck_assert_int_eq(dict_delitem(d, int_from_long(1)), 0);
    ck_assert_int_eq(dict_setitem(d, int_from_long(1), ML_TRUE), 0);
    ml_object *keys = dict_keys(d);
    ck_assert_ptr_nonnull(keys);
    long expected[] = {0, 2, 3, 1};
    ck_assert_int_eq(list_size(keys), 4);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(int_as_long(LIST_GET_ITEM(keys, i)), expected[i]);
    obj_decref(keys);
    obj_decref(d);
}

ML_TEST(dict_getitem_keeps_an_exception_already_set, .points = 1, .visibility = ML_HIDDEN,
        .description = "dict_getitem leaves an exception set before the call untouched",
        .hint = "handout §6.3, dict (GetItem vs GetItemWithError)",
        .parent = "dict_getitem_swallows_errors_getitem_witherror_does_not")
{
    ml_object *d = dict_new(), *l = list_new(0), *k = str_from_cstr("k");
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(l);
    ck_assert_ptr_nonnull(k);
    ck_assert_int_eq(dict_setitem(d, k, ML_TRUE), 0);
    err_set(ML_EXC_VALUE_ERROR, "set before");
    ck_assert_ptr_null(dict_getitem(d, l));
    ck_assert_ptr_eq(dict_getitem(d, k), ML_TRUE);
    ck_assert_int_eq(err_occurred(), ML_EXC_VALUE_ERROR);
    ck_assert_str_eq(err_message(), "set before");
    err_clear();
    ck_assert_ptr_null(dict_getitem(ML_NONE, k));
    ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
    obj_decref(d);
    obj_decref(l);
    obj_decref(k);
}

ML_TEST(dict_traverse_visits_value_then_key, .points = 1, .visibility = ML_HIDDEN,
        .description = "tp_traverse of a dict visits v0 k0 v1 k1 ... of live entries",
        .hint = "handout §6.3, dict (GC slots)", .parent = "dict_setitem_increfs_key_and_value")
{
    ml_object *d = dict_new();
    ck_assert_ptr_nonnull(d);
    for (int i = 0; i < 3; i++) {
        ml_object *k = probe_new(10 * i), *v = probe_new(10 * i + 1);
        ck_assert_ptr_nonnull(k);
        ck_assert_ptr_nonnull(v);
        dict_setitem(d, k, v);
        obj_decref(k);
        obj_decref(v);
    }
    ml_object *k10 = probe_new(10);
    ck_assert_ptr_nonnull(k10);
    ck_assert_int_eq(dict_delitem(d, k10), 0);
    obj_decref(k10);
    ck_assert_ptr_nonnull(ml_dict_type.tp_traverse);
    ck_assert_int_eq(ml_dict_type.tp_traverse(d, record_visit, NULL), 0);
    int expected[] = {1, 0, 21, 20};
    ck_assert_int_eq(visit_count, 4);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(visit_log[i], expected[i]);
    obj_decref(d);
}

ML_TEST(dict_clear_slot_releases_entries_and_leaves_a_usable_dict, .points = 1,
        .visibility = ML_HIDDEN,
        .description = "tp_clear of a dict releases k0 v0 k1 v1 and leaves an empty, usable dict",
        .hint = "handout §6.3, dict (GC slots)",
        .parent = "dict_dealloc_releases_key_then_value_in_insertion_order")
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    ml_object *d = dict_new();
    ck_assert_ptr_nonnull(d);
    for (int i = 0; i < 2; i++) {
        ml_object *k = probe_new(2 * i), *v = probe_new(2 * i + 1);
        ck_assert_ptr_nonnull(k);
        ck_assert_ptr_nonnull(v);
        dict_setitem(d, k, v);
        obj_decref(k);
        obj_decref(v);
    }
    ck_assert_ptr_nonnull(ml_dict_type.tp_clear);
    ck_assert_int_eq(ml_dict_type.tp_clear(d), 0);
    ck_assert_int_eq(dict_size(d), 0);
    ck_assert_int_eq(dealloc_count, 4);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(dealloc_log[i], i);
    ck_assert_int_eq(dict_setitem(d, ML_NONE, ML_NONE), 0);
    ck_assert_ptr_eq(dict_getitem(d, ML_NONE), ML_NONE);
    obj_decref(d);
    ASSERT_BALANCED(total0, blocks0);
}

ML_TEST(dict_setdefault_tracks_like_setitem, .points = 1, .visibility = ML_HIDDEN,
        .description = "dict_setdefault inserting a list tracks the dict",
        .hint = "handout §6.3, dict (MAINTAIN_TRACKING)",
        .parent = "dict_is_tracked_once_it_holds_a_container")
{
    ml_object *d = dict_new(), *l = list_new(0);
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(l);
    ck_assert_ptr_eq(dict_setdefault(d, ML_NONE, ML_TRUE), ML_TRUE);
    ck_assert(!gc_is_tracked(d));
    ck_assert_ptr_eq(dict_setdefault(d, ML_FALSE, l), l);
    ck_assert(gc_is_tracked(d));
    ck_assert_int_eq(ML_REFCNT(l), 2);
    obj_decref(d);
    obj_decref(l);
}
