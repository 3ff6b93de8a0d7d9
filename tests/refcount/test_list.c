/*
 * test_list.c -- part 2 of the lab (containers.c): list, with CPython's
 * new / borrowed / stolen reference rules.
 */
#include "memlab/draw.h"
#include "refcount_test.h"

#include <string.h>

ML_TEST(list_new_has_null_slots_and_is_tracked, .points = 2,
        .description = "list_new(n): refcount 1, n NULL slots, tracked by the collector",
        .hint = "handout §6.1, list", .parent = "new_object_has_refcount_one")
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    ml_object *l = list_new(3);
    ck_assert_ptr_nonnull(l);
    ck_assert_int_eq(ML_REFCNT(l), 1);
    ck_assert_msg(list_check(l) && !list_check(ML_NONE), "list_check tells lists apart");
    ck_assert_int_eq(list_size(l), 3);
    for (int i = 0; i < 3; i++)
        ck_assert_msg(LIST_GET_ITEM(l, i) == NULL, "a new list's slots are NULL");
    ck_assert_msg(gc_is_tracked(l), "a list is tracked as soon as list_new returns it");
    obj_decref(l);
    ASSERT_BALANCED(total0, blocks0);
}

ML_TEST(list_new_with_negative_size_is_a_bad_internal_call, .points = 1,
        .description = "list_new(-1) and list_size(non-list) fail with SystemError",
        .hint = "handout §6.1, list", .parent = "list_new_has_null_slots_and_is_tracked")
{
    ml_object *l = list_new(0);
    ck_assert_ptr_nonnull(l);
    ck_assert_int_eq(list_size(l), 0);
    obj_decref(l);
    ck_assert_ptr_null(list_new(-1));
    ck_assert_int_eq(err_occurred(), ML_EXC_SYSTEM_ERROR);
    ck_assert_str_eq(err_message(), "bad argument to internal function");
    err_clear();
    ck_assert_int_eq(list_size(ML_NONE), -1);
    ck_assert_int_eq(err_occurred(), ML_EXC_SYSTEM_ERROR);
    err_clear();
}

ML_TEST(
    list_setitem_steals_the_item, .points = 2,
    .description = "list_setitem takes the caller's reference: the item's refcount is unchanged",
    .hint = "handout §6.1, list; §1 ownership table",
    .parent = "list_new_has_null_slots_and_is_tracked")
{
    ml_ssize_t total0 = obj_total_refcount();
    ml_object *l = list_new(2);
    ml_object *a = probe_new(1);
    ck_assert_ptr_nonnull(l);
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(list_setitem(l, 0, a), 0);
    ck_assert_msg(ML_REFCNT(a) == 1, "setitem steals: the list now owns the one reference");
    ck_assert_ptr_eq(LIST_GET_ITEM(l, 0), a);
    obj_decref(l);
    ck_assert_msg(dealloc_count == 1, "the list's dealloc releases the stolen item");
    ck_assert_int_eq(obj_total_refcount(), total0);
}

ML_TEST(list_setitem_releases_the_old_item, .points = 2,
        .description = "replacing an item with list_setitem decrefs the one it replaces",
        .hint = "handout §6.1, list", .parent = "list_setitem_steals_the_item")
{
    ml_ssize_t total0 = obj_total_refcount();
    ml_object *l = list_new(1);
    ck_assert_ptr_nonnull(l);
    ml_object *a = probe_new(1), *b = probe_new(2);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(list_setitem(l, 0, a), 0);
    ck_assert_int_eq(list_setitem(l, 0, b), 0);
    ck_assert_msg(dealloc_count == 1 && dealloc_log[0] == 1, "the replaced item must be freed");
    ck_assert_ptr_eq(LIST_GET_ITEM(l, 0), b);
    ck_assert_int_eq(list_setitem(l, 0, NULL), 0); /* NULL is allowed: the slot empties */
    ck_assert_int_eq(dealloc_count, 2);
    obj_decref(l);
    ck_assert_int_eq(obj_total_refcount(), total0);
}

ML_TEST(list_setitem_out_of_range_still_steals, .points = 3,
        .description = "list_setitem with a bad index decrefs the item anyway, then IndexError",
        .hint = "handout §6.1, list (the setitem quirk)", .parent = "list_setitem_steals_the_item")
{
    ml_ssize_t total0 = obj_total_refcount();
    ml_object *l = list_new(2);
    ml_object *a = probe_new(1);
    ck_assert_ptr_nonnull(l);
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(list_setitem(l, 2, a), -1);
    ck_assert_msg(dealloc_count == 1,
                  "the item was stolen even though the call failed: its only reference is gone");
    ck_assert_int_eq(err_occurred(), ML_EXC_INDEX_ERROR);
    ck_assert_str_eq(err_message(), "list assignment index out of range");
    err_clear();
    ml_object *b = probe_new(2);
    ck_assert_ptr_nonnull(b);
    ck_assert_msg(list_setitem(l, -1, b) == -1, "the C API has no negative indexing");
    ck_assert_int_eq(dealloc_count, 2);
    err_clear();
    obj_decref(l);
    ASSERT_BALANCED(total0, live_blocks());
}

ML_TEST(list_setitem_on_a_non_list_still_steals, .points = 1,
        .description = "list_setitem on something that is not a list: SystemError, item released",
        .hint = "handout §6.1, list (the setitem quirk)", .parent = "list_setitem_steals_the_item")
{
    ml_object *a = probe_new(1);
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(list_setitem(ML_NONE, 0, a), -1);
    ck_assert_int_eq(dealloc_count, 1);
    ck_assert_int_eq(err_occurred(), ML_EXC_SYSTEM_ERROR);
    err_clear();
}

ML_TEST(list_getitem_returns_a_borrowed_reference, .points = 2,
        .description = "list_getitem does not incref; out of range: NULL and IndexError",
        .hint = "handout §6.1, list", .parent = "list_setitem_steals_the_item")
{
    ml_object *l = list_new(1);
    ml_object *a = probe_new(1);
    ck_assert_ptr_nonnull(l);
    ck_assert_ptr_nonnull(a);
    list_setitem(l, 0, a);
    ck_assert_ptr_eq(list_getitem(l, 0), a);
    ck_assert_msg(ML_REFCNT(a) == 1, "a borrowed reference is not counted");
    ck_assert_ptr_null(list_getitem(l, 1));
    ck_assert_int_eq(err_occurred(), ML_EXC_INDEX_ERROR);
    ck_assert_str_eq(err_message(), "list index out of range");
    err_clear();
    ck_assert_ptr_null(list_getitem(l, -1));
    ck_assert_int_eq(err_occurred(), ML_EXC_INDEX_ERROR);
    err_clear();
    ck_assert_ptr_null(list_getitem(ML_NONE, 0));
    ck_assert_int_eq(err_occurred(), ML_EXC_SYSTEM_ERROR);
    err_clear();
    obj_decref(l);
    ck_assert_int_eq(dealloc_count, 1);
}

ML_TEST(list_append_increfs_and_grows, .points = 2,
        .description = "list_append does not steal: each append adds one reference",
        .hint = "handout §6.1, list", .parent = "list_new_has_null_slots_and_is_tracked")
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    ml_object *l = list_new(0);
    ml_object *a = probe_new(1);
    ck_assert_ptr_nonnull(l);
    ck_assert_ptr_nonnull(a);
    for (int i = 0; i < 100; i++)
        ck_assert_int_eq(list_append(l, a), 0);
    ck_assert_int_eq(list_size(l), 100);
    const ml_ssize_t want = 101;
    ml_attach_take("refcounts.dot",
                   draw_refcount_mismatch(l, &a, &want, 1, "100 x list_append(l, a)"));
    ck_assert_msg(ML_REFCNT(a) == 101, "100 appends + the caller's own = 101 references");
    for (int i = 0; i < 100; i++)
        ck_assert_ptr_eq(LIST_GET_ITEM(l, i), a);
    obj_decref(a);
    ck_assert_int_eq(dealloc_count, 0);
    obj_decref(l);
    ck_assert_int_eq(dealloc_count, 1);
    ASSERT_BALANCED(total0, blocks0);
    ck_assert_int_eq(list_append(ML_NONE, ML_NONE), -1);
    ck_assert_int_eq(err_occurred(), ML_EXC_SYSTEM_ERROR);
    err_clear();
}

ML_TEST(
    list_insert_clamps_the_index_and_increfs, .points = 2,
    .description = "list_insert: negatives count from the end, out-of-range clamps, item incref'd",
    .hint = "handout §6.1, list", .parent = "list_append_increfs_and_grows")
{
    ml_ssize_t total0 = obj_total_refcount();
    ml_object *l = list_new(0);
    ml_object *p[5];
    ck_assert_ptr_nonnull(l);
    for (int i = 0; i < 5; i++) {
        p[i] = probe_new(i);
        ck_assert_ptr_nonnull(p[i]);
    }
    ck_assert_int_eq(list_insert(l, 0, p[2]), 0);    /* [2] */
    ck_assert_int_eq(list_insert(l, 100, p[4]), 0);  /* [2, 4] */
    ck_assert_int_eq(list_insert(l, -100, p[0]), 0); /* [0, 2, 4] */
    ck_assert_int_eq(list_insert(l, -1, p[3]), 0);   /* [0, 2, 3, 4] */
    ck_assert_int_eq(list_insert(l, 1, p[1]), 0);    /* [0, 1, 2, 3, 4] */
    ck_assert_int_eq(list_size(l), 5);
    for (int i = 0; i < 5; i++) {
        ck_assert_msg(probe_id(LIST_GET_ITEM(l, i)) == i, "item %d is probe %d", i,
                      probe_id(LIST_GET_ITEM(l, i)));
        ck_assert_int_eq(ML_REFCNT(p[i]), 2);
        obj_decref(p[i]);
    }
    ck_assert_int_eq(list_insert(l, 0, NULL), -1);
    ck_assert_int_eq(err_occurred(), ML_EXC_SYSTEM_ERROR);
    err_clear();
    obj_decref(l);
    ck_assert_int_eq(dealloc_count, 5);
    ck_assert_int_eq(obj_total_refcount(), total0);
}

ML_TEST(list_getslice_returns_a_new_list_of_new_references, .points = 2,
        .description = "list_getslice(lo, hi) clamps, and the slice owns a reference to each item",
        .hint = "handout §6.1, list", .parent = "list_append_increfs_and_grows")
{
    ml_ssize_t total0 = obj_total_refcount();
    ml_object *l = list_new(0);
    ck_assert_ptr_nonnull(l);
    for (int i = 0; i < 4; i++) {
        ml_object *p = probe_new(i);
        ck_assert_ptr_nonnull(p);
        list_append(l, p);
        obj_decref(p);
    }
    ml_object *s = list_getslice(l, 1, 3);
    ck_assert_ptr_nonnull(s);
    ck_assert_msg(s != l && ML_REFCNT(s) == 1, "a slice is a new list");
    ck_assert_int_eq(list_size(s), 2);
    ck_assert_int_eq(probe_id(LIST_GET_ITEM(s, 0)), 1);
    ck_assert_int_eq(probe_id(LIST_GET_ITEM(s, 1)), 2);
    ck_assert_int_eq(ML_REFCNT(LIST_GET_ITEM(l, 1)), 2);
    ml_object *all = list_getslice(l, -5, 99), *none = list_getslice(l, 3, 1);
    ck_assert_ptr_nonnull(all);
    ck_assert_ptr_nonnull(none);
    ck_assert_int_eq(list_size(all), 4);
    ck_assert_int_eq(list_size(none), 0);
    obj_decref(l);
    ck_assert_msg(dealloc_count == 0, "the slices keep the items alive");
    obj_decref(all);
    obj_decref(none);
    ck_assert_int_eq(dealloc_count, 2); /* probes 0 and 3 were only in l and all */
    obj_decref(s);
    ck_assert_int_eq(dealloc_count, 4);
    ck_assert_int_eq(obj_total_refcount(), total0);
}

ML_TEST(list_dealloc_releases_items_last_to_first, .points = 2,
        .description = "freeing a list decrefs its items from the last to the first",
        .hint = "handout §6.1, list; §2.2 dealloc chains", .parent = "list_setitem_steals_the_item")
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    ml_object *l = list_new(3);
    ck_assert_ptr_nonnull(l);
    for (int i = 0; i < 3; i++) {
        ml_object *p = probe_new(i);
        ck_assert_ptr_nonnull(p);
        LIST_SET_ITEM(l, i, p); /* fills a fresh list; steals like setitem */
    }
    obj_decref(l);
    ck_assert_int_eq(dealloc_count, 3);
    ck_assert_msg(dealloc_log[0] == 2 && dealloc_log[1] == 1 && dealloc_log[2] == 0,
                  "order must be 2 1 0 (got %d %d %d)", dealloc_log[0], dealloc_log[1],
                  dealloc_log[2]);
    ASSERT_BALANCED(total0, blocks0);
}

ML_TEST(list_dealloc_chain_frees_nested_lists, .points = 1,
        .description = "a list inside a list inside a list: one decref frees all three",
        .hint = "handout §2.2, dealloc chains",
        .parent = "list_dealloc_releases_items_last_to_first")
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    ml_object *inner = list_new(1), *middle = list_new(1), *outer = list_new(2);
    ml_object *p = probe_new(9);
    ck_assert_ptr_nonnull(inner);
    ck_assert_ptr_nonnull(middle);
    ck_assert_ptr_nonnull(outer);
    ck_assert_ptr_nonnull(p);
    LIST_SET_ITEM(inner, 0, p);
    LIST_SET_ITEM(middle, 0, inner);
    LIST_SET_ITEM(outer, 0, middle);
    obj_decref(outer); /* slot 1 stays NULL: xdecref must skip it */
    ck_assert_int_eq(dealloc_count, 1);
    ASSERT_BALANCED(total0, blocks0);
}

ML_TEST(list_traverse_visits_items_last_to_first, .points = 1,
        .description = "tp_traverse of a list visits each non-NULL item, last to first",
        .hint = "handout §6.1, list (GC slots)", .parent = "list_setitem_steals_the_item")
{
    ml_object *l = list_new(4);
    ck_assert_ptr_nonnull(l);
    for (int i = 0; i < 4; i++)
        if (i != 2)
            LIST_SET_ITEM(l, i, probe_new(i));
    ck_assert_ptr_nonnull(ml_list_type.tp_traverse);
    ck_assert_int_eq(ml_list_type.tp_traverse(l, record_visit, NULL), 0);
    ck_assert_int_eq(visit_count, 3);
    ck_assert_msg(visit_log[0] == 3 && visit_log[1] == 1 && visit_log[2] == 0,
                  "visit order must be 3 1 0 (got %d %d %d)", visit_log[0], visit_log[1],
                  visit_log[2]);
    obj_decref(l);
    ck_assert_int_eq(dealloc_count, 3);
}

ML_TEST(list_clear_slot_empties_the_list_then_releases, .points = 1,
        .description = "tp_clear of a list leaves it empty and releases the items",
        .hint = "handout §6.1, list (GC slots)",
        .parent = "list_dealloc_releases_items_last_to_first")
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    ml_object *l = list_new(0);
    ck_assert_ptr_nonnull(l);
    for (int i = 0; i < 3; i++) {
        ml_object *p = probe_new(i);
        ck_assert_ptr_nonnull(p);
        list_append(l, p);
        obj_decref(p);
    }
    ck_assert_ptr_nonnull(ml_list_type.tp_clear);
    ck_assert_int_eq(ml_list_type.tp_clear(l), 0);
    ck_assert_int_eq(list_size(l), 0);
    ck_assert_int_eq(dealloc_count, 3);
    ck_assert_int_eq(dealloc_log[0], 2);
    ck_assert_int_eq(ml_list_type.tp_clear(l), 0); /* clearing an empty list is fine */
    ck_assert_int_eq(list_append(l, ML_NONE), 0);  /* and it is still usable */
    obj_decref(l);
    ASSERT_BALANCED(total0, blocks0);
}
