/*
 * test_tuple.c -- part 3 of the lab (containers.c): tuple.
 */
#include "memlab/draw.h"
#include "refcount_test.h"

ML_TEST(tuple_new_has_null_slots_and_is_tracked, .points = 2,
        .description = "tuple_new(n): refcount 1, n NULL slots inline, tracked at creation",
        .hint = "handout §6.2, tuple", .parent = "new_object_has_refcount_one")
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    ml_object *t = tuple_new(3);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(ML_REFCNT(t), 1);
    ck_assert_msg(tuple_check(t) && !tuple_check(ML_NONE), "tuple_check tells tuples apart");
    ck_assert_int_eq(tuple_size(t), 3);
    for (int i = 0; i < 3; i++)
        ck_assert_ptr_null(TUPLE_GET_ITEM(t, i));
    ck_assert_msg(gc_is_tracked(t), "tuple_new tracks the tuple (CPython's PyTuple_New does)");
    ck_assert_msg(mem_block_size(GC_HEAD(t)) ==
                      sizeof(gc_head) + sizeof(ml_varobject) + 3 * sizeof(ml_object *),
                  "the items live inline: one block of head + header + 3 pointers");
    obj_decref(t);
    ASSERT_BALANCED(total0, blocks0);
    ck_assert_int_eq(tuple_size(ML_NONE), -1);
    ck_assert_int_eq(err_occurred(), ML_EXC_SYSTEM_ERROR);
    err_clear();
    ck_assert_ptr_null(tuple_new(-1));
    ck_assert_int_eq(err_occurred(), ML_EXC_SYSTEM_ERROR);
    err_clear();
}

ML_TEST(empty_tuple_is_an_immortal_singleton, .points = 2,
        .description = "tuple_new(0) always returns the same immortal, untracked empty tuple",
        .hint = "handout §6.2, tuple; §4 immortal objects",
        .parent = "tuple_new_has_null_slots_and_is_tracked")
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    ml_object *e1 = tuple_new(0), *e2 = tuple_new(0);
    ck_assert_ptr_nonnull(e1);
    ck_assert_msg(e1 == e2, "() is a singleton");
    ck_assert_int_eq(tuple_size(e1), 0);
    ck_assert_msg(obj_is_immortal(e1), "() is immortal");
    ck_assert_msg(!gc_is_tracked(e1), "() is never tracked");
    obj_decref(e1);
    obj_decref(e2);
    obj_decref(e2);
    ck_assert_int_eq(obj_getrefcount(e1), ML_IMMORTAL_REFCNT);
    ck_assert_ptr_eq(tuple_pack(0), e1);
    ASSERT_BALANCED(total0, blocks0);
}

ML_TEST(tuple_setitem_steals_the_item, .points = 2,
        .description = "tuple_setitem on a fresh tuple takes the caller's reference",
        .hint = "handout §6.2, tuple", .parent = "tuple_new_has_null_slots_and_is_tracked")
{
    ml_ssize_t total0 = obj_total_refcount();
    ml_object *t = tuple_new(2);
    ml_object *a = probe_new(1), *b = probe_new(2);
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(tuple_setitem(t, 0, a), 0);
    ck_assert_int_eq(ML_REFCNT(a), 1);
    ck_assert_ptr_eq(TUPLE_GET_ITEM(t, 0), a);
    ck_assert_int_eq(tuple_setitem(t, 0, b), 0);
    ck_assert_msg(dealloc_count == 1 && dealloc_log[0] == 1, "the replaced item is released");
    obj_decref(t);
    ck_assert_int_eq(dealloc_count, 2);
    ck_assert_int_eq(obj_total_refcount(), total0);
}

ML_TEST(tuple_setitem_on_a_shared_tuple_fails_and_still_steals, .points = 3,
        .description = "tuple_setitem when the refcount is not 1: SystemError, item released",
        .hint = "handout §6.2, tuple (immutable once shared)",
        .parent = "tuple_setitem_steals_the_item")
{
    ml_ssize_t total0 = obj_total_refcount();
    ml_object *t = tuple_new(1);
    ml_object *a = probe_new(1);
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_nonnull(a);
    obj_incref(t); /* someone else holds it now */
    ck_assert_int_eq(tuple_setitem(t, 0, a), -1);
    ck_assert_msg(dealloc_count == 1, "the item is stolen even when the call fails");
    ck_assert_int_eq(err_occurred(), ML_EXC_SYSTEM_ERROR);
    ck_assert_str_eq(err_message(), "bad argument to internal function");
    ck_assert_ptr_null(TUPLE_GET_ITEM(t, 0));
    err_clear();
    obj_decref(t);
    obj_decref(t);
    ck_assert_int_eq(obj_total_refcount(), total0);
}

ML_TEST(tuple_setitem_out_of_range_still_steals, .points = 2,
        .description = "tuple_setitem with a bad index: IndexError, and the item is released",
        .hint = "handout §6.2, tuple", .parent = "tuple_setitem_steals_the_item")
{
    ml_ssize_t total0 = obj_total_refcount();
    ml_object *t = tuple_new(1);
    ml_object *a = probe_new(1);
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(tuple_setitem(t, 1, a), -1);
    ck_assert_int_eq(dealloc_count, 1);
    ck_assert_int_eq(err_occurred(), ML_EXC_INDEX_ERROR);
    ck_assert_str_eq(err_message(), "tuple assignment index out of range");
    err_clear();
    ml_object *b = probe_new(2);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(tuple_setitem(ML_NONE, 0, b), -1);
    ck_assert_msg(dealloc_count == 2, "not a tuple: the item is still stolen");
    ck_assert_int_eq(err_occurred(), ML_EXC_SYSTEM_ERROR);
    err_clear();
    obj_decref(t);
    ck_assert_int_eq(obj_total_refcount(), total0);
}

ML_TEST(tuple_getitem_returns_a_borrowed_reference, .points = 2,
        .description = "tuple_getitem does not incref; out of range: IndexError",
        .hint = "handout §6.2, tuple", .parent = "tuple_setitem_steals_the_item")
{
    ml_object *t = tuple_new(1);
    ml_object *a = probe_new(1);
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_nonnull(a);
    tuple_setitem(t, 0, a);
    ck_assert_ptr_eq(tuple_getitem(t, 0), a);
    ck_assert_int_eq(ML_REFCNT(a), 1);
    ck_assert_ptr_null(tuple_getitem(t, 1));
    ck_assert_int_eq(err_occurred(), ML_EXC_INDEX_ERROR);
    ck_assert_str_eq(err_message(), "tuple index out of range");
    err_clear();
    ck_assert_ptr_null(tuple_getitem(ML_NONE, 0));
    ck_assert_int_eq(err_occurred(), ML_EXC_SYSTEM_ERROR);
    err_clear();
    obj_decref(t);
    ck_assert_int_eq(dealloc_count, 1);
}

ML_TEST(tuple_pack_increfs_each_argument, .points = 2,
        .description = "tuple_pack(n, ...) does not steal: each argument gets one more reference",
        .hint = "handout §6.2, tuple", .parent = "tuple_new_has_null_slots_and_is_tracked")
{
    ml_ssize_t total0 = obj_total_refcount();
    ml_object *a = probe_new(1), *b = probe_new(2);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ml_object *t = tuple_pack(3, a, b, a);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(tuple_size(t), 3);
    ml_object *objs[] = {a, b};
    const ml_ssize_t want[] = {3, 2};
    ml_attach_take("refcounts.dot",
                   draw_refcount_mismatch(t, objs, want, 2, "tuple_pack(3, a, b, a)"));
    ck_assert_int_eq(ML_REFCNT(a), 3);
    ck_assert_int_eq(ML_REFCNT(b), 2);
    ck_assert_ptr_eq(TUPLE_GET_ITEM(t, 2), a);
    ck_assert_msg(gc_is_tracked(t), "a packed tuple is tracked");
    obj_decref(a);
    obj_decref(b);
    ck_assert_int_eq(dealloc_count, 0);
    obj_decref(t);
    ck_assert_int_eq(dealloc_count, 2);
    ck_assert_int_eq(obj_total_refcount(), total0);
}

ML_TEST(tuple_dealloc_releases_items_last_to_first, .points = 2,
        .description = "freeing a tuple decrefs its items from the last to the first",
        .hint = "handout §6.2, tuple; §2.2 dealloc chains",
        .parent = "tuple_setitem_steals_the_item")
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    ml_object *t = tuple_new(4);
    ck_assert_ptr_nonnull(t);
    for (int i = 0; i < 4; i++)
        if (i != 1)
            TUPLE_SET_ITEM(t, i, probe_new(i));
    obj_decref(t);
    ck_assert_int_eq(dealloc_count, 3);
    ck_assert_msg(dealloc_log[0] == 3 && dealloc_log[1] == 2 && dealloc_log[2] == 0,
                  "order must be 3 2 0 (got %d %d %d)", dealloc_log[0], dealloc_log[1],
                  dealloc_log[2]);
    ASSERT_BALANCED(total0, blocks0);
}

ML_TEST(tuple_traverse_visits_items_last_to_first, .points = 1,
        .description = "tp_traverse of a tuple visits each non-NULL item, last to first",
        .hint = "handout §6.2, tuple (GC slots)", .parent = "tuple_setitem_steals_the_item")
{
    ml_object *t = tuple_new(3);
    ck_assert_ptr_nonnull(t);
    for (int i = 0; i < 3; i++)
        TUPLE_SET_ITEM(t, i, probe_new(i + 10));
    ck_assert_ptr_nonnull(ml_tuple_type.tp_traverse);
    ck_assert_int_eq(ml_tuple_type.tp_traverse(t, record_visit, NULL), 0);
    ck_assert_int_eq(visit_count, 3);
    ck_assert_msg(visit_log[0] == 12 && visit_log[1] == 11 && visit_log[2] == 10,
                  "visit order must be 12 11 10 (got %d %d %d)", visit_log[0], visit_log[1],
                  visit_log[2]);
    obj_decref(t);
    ck_assert_int_eq(dealloc_count, 3);
}
