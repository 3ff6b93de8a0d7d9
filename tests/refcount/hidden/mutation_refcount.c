/*
 * mutation_refcount.c -- hidden tests that kill what the mutation run
 * (make mutation LAB=refcount) found alive: allocation sizes, object
 * allocation failing, zero-item variable objects, and a trashcan that
 * postpones several deallocs at once or runs twice.
 */
#include "../probe.h"
#include "mlalloc.h"

#include <stddef.h>
#include <stdlib.h>

/* ==================================================================== sizes */

/* A plain object whose size is not a multiple of a pointer: a header and
 * one byte. */
static void odd_dealloc(ml_object *op) { ML_TYPE(op)->tp_free(op); }

static ml_type odd_type = {
    .tp_name = "odd",
    .tp_basicsize = sizeof(ml_object) + 1,
    .tp_dealloc = odd_dealloc,
    .tp_free = obj_free,
};

/* A variable-size plain object: a header and 64-byte items. */
static ml_type wide_var_type = {
    .tp_name = "wide",
    .tp_basicsize = sizeof(ml_varobject),
    .tp_itemsize = 64,
    .tp_dealloc = odd_dealloc,
    .tp_free = obj_free,
};

ML_TEST(obj_new_gives_room_for_every_byte_of_the_basic_size, .points = 1, .visibility = ML_HIDDEN,
        .description = "an object of basicsize 17 gets at least 17 bytes, the last one writable",
        .hint = "handout §2, The object header", .parent = "new_object_has_refcount_one")
{
    ml_object *op = obj_new(&odd_type);
    ck_assert_ptr_nonnull(op);
    ck_assert_msg(mem_block_size(op) >= odd_type.tp_basicsize,
                  "a block of %zu bytes cannot hold an object of basicsize %zu", mem_block_size(op),
                  odd_type.tp_basicsize);
    ck_assert_msg(((unsigned char *)op)[sizeof(ml_object)] == 0, "the object is zeroed");
    ((unsigned char *)op)[sizeof(ml_object)] = 0xab;
    obj_decref(op);
}

ML_TEST(obj_new_allocates_no_items, .points = 1, .visibility = ML_HIDDEN,
        .description = "obj_new of a type with items allocates the basic size only",
        .hint = "handout §2, The object header", .parent = "new_object_has_refcount_one")
{
    ml_object *op = obj_new(&wide_var_type);
    ck_assert_ptr_nonnull(op);
    ck_assert_msg(mem_block_size(op) < wide_var_type.tp_basicsize + wide_var_type.tp_itemsize,
                  "obj_new made a block of %zu bytes: room for an item no one asked for",
                  mem_block_size(op));
    obj_decref(op);
}

ML_TEST(obj_new_var_of_zero_items_is_a_valid_object, .points = 1, .visibility = ML_HIDDEN,
        .description = "obj_new_var(type, 0) returns an object of size 0; -1 is a bad call",
        .hint = "handout §2, The object header", .parent = "new_object_has_refcount_one")
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    ml_object *op = obj_new_var(&wide_var_type, 0);
    ck_assert_msg(op != NULL, "zero items is a valid size");
    ck_assert_int_eq(ML_SIZE(op), 0);
    ck_assert_int_eq(ML_REFCNT(op), 1);
    obj_decref(op);
    ck_assert_ptr_null(obj_new_var(&wide_var_type, -1));
    ck_assert_int_eq(err_occurred(), ML_EXC_SYSTEM_ERROR);
    ASSERT_BALANCED(total0, blocks0);
}

/* ==================================================================== out of memory */

/* An allocator whose planned malloc fails, then passes every call through
 * (the MemoryError itself is an object: it must be allocatable); callocs
 * and reallocs always pass (mlalloc.h). */
static ml_alloc fail_once = {.kinds = ML_ALLOC_MALLOC};

ML_TEST(a_plain_object_that_cannot_be_allocated_is_a_memory_error, .points = 1,
        .visibility = ML_HIDDEN,
        .description = "obj_new of a non-GC type whose allocation fails: NULL, MemoryError",
        .hint = "handout §2, The object header", .parent = "new_object_has_refcount_one")
{
    ml_ssize_t total0 = obj_total_refcount();
    ml_alloc_install(&fail_once, MEM_DOMAIN_OBJ);
    ml_alloc_plan(&fail_once, 0, 1);
    ml_object *op = probe_new(1);
    ml_alloc_remove(&fail_once);
    ck_assert_ptr_null(op);
    ck_assert_msg(err_occurred() == ML_EXC_MEMORY_ERROR,
                  "a failed allocation sets MemoryError (kind %d seen)", (int)err_occurred());
    err_clear();
    ck_assert_msg(obj_total_refcount() == total0, "a failed allocation counts no reference");
}

/* ==================================================================== the trashcan */

/* [[...[[[p1], [p2], [p3]]]...]]: `depth` lists above one list of three
 * one-probe lists, so that three deallocs are postponed at the same time. */
static ml_object *deep_fan(long depth)
{
    ml_object *fan = list_new(0);
    ck_assert_ptr_nonnull(fan);
    for (int id = 1; id <= 3; id++) {
        ml_object *leaf = list_new(1), *p = probe_new(id);
        ck_assert_ptr_nonnull(leaf);
        ck_assert_ptr_nonnull(p);
        LIST_SET_ITEM(leaf, 0, p);
        ck_assert_int_eq(list_append(fan, leaf), 0);
        obj_decref(leaf);
    }
    ml_object *inner = fan;
    for (long i = 0; i < depth; i++) {
        ml_object *outer = list_new(1);
        ck_assert_ptr_nonnull(outer);
        LIST_SET_ITEM(outer, 0, inner);
        inner = outer;
    }
    return inner;
}

ML_TEST(trashcan_keeps_every_dealloc_it_postpones, .points = 1, .visibility = ML_HIDDEN,
        .description = "three lists postponed at the same depth are all freed, none lost",
        .hint = "handout §7, The trashcan",
        .parent = "trashcan_bounds_the_depth_of_10000_nested_lists")
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    for (long depth = ML_TRASHCAN_UNWIND_LEVEL - 3; depth <= ML_TRASHCAN_UNWIND_LEVEL + 3;
         depth++) {
        dealloc_count = 0;
        obj_decref(deep_fan(depth));
        ck_assert_msg(dealloc_count == 3, "depth %ld: %d of the 3 probes freed", depth,
                      dealloc_count);
    }
    ASSERT_BALANCED(total0, blocks0);
}

static ml_object *chain_of(long depth, int id)
{
    ml_object *inner = probe_new(id);
    ck_assert_ptr_nonnull(inner);
    for (long i = 0; i < depth; i++) {
        ml_object *outer = list_new(1);
        ck_assert_ptr_nonnull(outer);
        LIST_SET_ITEM(outer, 0, inner);
        inner = outer;
    }
    return inner;
}

ML_TEST(trashcan_is_back_at_rest_after_a_long_chain, .points = 1, .visibility = ML_HIDDEN,
        .description = "after freeing a 1000-deep chain, a second one and a lone list free "
                       "normally: the nesting is back at 0",
        .hint = "handout §7, The trashcan",
        .parent = "trashcan_bounds_the_depth_of_10000_nested_lists")
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    obj_decref(chain_of(1000, 1));
    ck_assert_int_eq(dealloc_count, 1);
    obj_decref(chain_of(1000, 2));
    ck_assert_msg(dealloc_count == 2, "the second chain's probe was not freed");
    obj_trashcan_reset_max_depth();
    ck_assert_int_eq(obj_trashcan_max_depth(), 0);
    obj_decref(chain_of(1, 3));
    ck_assert_msg(obj_trashcan_max_depth() == 1,
                  "one list freed alone nests 1 trashcan-protected dealloc, not %d",
                  obj_trashcan_max_depth());
    ASSERT_BALANCED(total0, blocks0);
}

/* ==================================================================== lists */

ML_TEST(an_empty_list_has_no_item_array, .points = 1, .visibility = ML_HIDDEN,
        .description = "list_new(0) allocates no item array; list_new(3) allocates exactly 3 slots",
        .hint = "handout §6.1, list", .parent = "list_append_increfs_and_grows")
{
    ml_object *empty = list_new(0), *three = list_new(3);
    ck_assert_ptr_nonnull(empty);
    ck_assert_ptr_nonnull(three);
    ck_assert_msg(((ml_list *)empty)->ob_item == NULL, "[] has ob_item NULL, as in CPython");
    ck_assert_int_eq(((ml_list *)empty)->allocated, 0);
    ck_assert_int_eq(((ml_list *)three)->allocated, 3);
    ck_assert_int_eq(list_size(three), 3);
    obj_decref(empty);
    obj_decref(three);
}

ML_TEST(
    insert_at_zero_puts_the_item_first, .points = 1, .visibility = ML_HIDDEN,
    .description = "l.insert(0, x) on [a, b] gives [x, a, b]; l.insert(-2, y) gives [x, y, a, b]",
    .hint = "handout §6.1, list", .parent = "list_insert_clamps_the_index_and_increfs")
{
    ml_object *l = list_new(0), *p[4];
    ck_assert_ptr_nonnull(l);
    for (int i = 0; i < 4; i++) {
        p[i] = probe_new(i);
        ck_assert_ptr_nonnull(p[i]);
    }
    ck_assert_int_eq(list_append(l, p[0]), 0);
    ck_assert_int_eq(list_append(l, p[1]), 0);
    ck_assert_int_eq(list_insert(l, 0, p[2]), 0);  /* [2, 0, 1] */
    ck_assert_int_eq(list_insert(l, -2, p[3]), 0); /* [2, 3, 0, 1] */
    const int expected[] = {2, 3, 0, 1};
    ck_assert_int_eq(list_size(l), 4);
    for (int i = 0; i < 4; i++)
        ck_assert_msg(probe_id(list_getitem(l, i)) == expected[i], "item %d is probe %d, not %d", i,
                      probe_id(list_getitem(l, i)), expected[i]);
    obj_decref(l);
    for (int i = 0; i < 4; i++)
        obj_decref(p[i]);
}

ML_TEST(insert_and_append_report_a_failed_resize, .points = 1, .visibility = ML_HIDDEN,
        .description = "list_insert and list_append return -1 with MemoryError when the list "
                       "cannot grow, and leave it unchanged",
        .hint = "handout §6.1, list", .parent = "list_append_increfs_and_grows")
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    ml_object *l = list_new(0), *p = probe_new(1);
    ck_assert_ptr_nonnull(l);
    ck_assert_ptr_nonnull(p);
    ml_alloc_install(&fail_once, MEM_DOMAIN_MEM);
    ml_alloc_plan(&fail_once, 0, 1);
    int rc = list_insert(l, 0, p);
    ck_assert_msg(rc == -1, "list_insert returned %d when the list could not grow", rc);
    ck_assert_int_eq(err_occurred(), ML_EXC_MEMORY_ERROR);
    err_clear();
    ml_alloc_plan(&fail_once, 0, 1);
    rc = list_append(l, p);
    ml_alloc_remove(&fail_once);
    ck_assert_msg(rc == -1, "list_append returned %d when the list could not grow", rc);
    ck_assert_int_eq(err_occurred(), ML_EXC_MEMORY_ERROR);
    err_clear();
    ck_assert_int_eq(list_size(l), 0);
    ck_assert_int_eq(ML_REFCNT(p), 1);
    obj_decref(l);
    obj_decref(p);
    ASSERT_BALANCED(total0, blocks0);
}

/* ==================================================================== dicts */

ML_TEST(dict_keeps_keys_whose_hashes_all_collide, .points = 1, .visibility = ML_HIDDEN,
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

ML_TEST(dict_growth_that_fails_half_way_frees_what_it_got, .points = 1, .visibility = ML_HIDDEN,
        .description = "the first insert into a dict fails with MemoryError when either of the "
                       "two new tables cannot be allocated, and frees the other",
        .hint = "handout §6.3, dict", .parent = "out_of_memory_in_dict_operations_fails_cleanly")
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    ml_object *k = probe_new(1);
    ck_assert_ptr_nonnull(k);
    for (int passes = 0; passes < 2; passes++) {
        ml_object *d = dict_new();
        ck_assert_ptr_nonnull(d);
        size_t blocks1 = live_blocks();
        ml_alloc_install(&fail_once, MEM_DOMAIN_MEM);
        ml_alloc_plan(&fail_once, passes, 1);
        int rc = dict_setitem(d, k, k);
        ml_alloc_remove(&fail_once);
        ck_assert_msg(rc == -1, "allocation %d failed: dict_setitem returned %d", passes + 1, rc);
        ck_assert_int_eq(err_occurred(), ML_EXC_MEMORY_ERROR);
        err_clear();
        ck_assert_msg(live_blocks() == blocks1,
                      "allocation %d failed: %zu blocks left behind by the failed growth",
                      passes + 1, live_blocks() - blocks1);
        ck_assert_int_eq(dict_size(d), 0);
        ck_assert_int_eq(ML_REFCNT(k), 1);
        obj_decref(d);
    }
    obj_decref(k);
    ASSERT_BALANCED(total0, blocks0);
}

ML_TEST(freed_containers_leave_the_collector_clean, .points = 1, .visibility = ML_HIDDEN,
        .description = "a tuple and a dict freed by refcounting are untracked first: a full "
                       "collection afterwards finds nothing and touches no freed memory",
        .hint = "handout §6, Containers", .parent = "tuple_new_has_null_slots_and_is_tracked")
{
    ml_object *p = probe_new(1);
    ck_assert_ptr_nonnull(p);
    ml_object *t = tuple_pack(1, p), *d = dict_new();
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(dict_setitem(d, p, t), 0);
    ck_assert(gc_is_tracked(t));
    ck_assert(gc_is_tracked(d));
    obj_decref(t);
    obj_decref(d);
    ck_assert_int_eq(gc_collect(2), 0);
    ck_assert_int_eq(gc_collect(2), 0);
    obj_decref(p);
}

ML_TEST(tuple_traverse_skips_null_slots, .points = 1, .visibility = ML_HIDDEN,
        .description = "traversing (a, NULL, b) visits a and b and returns 0",
        .hint = "handout §6.2, tuple", .parent = "tuple_new_has_null_slots_and_is_tracked")
{
    ml_object *t = tuple_new(3), *a = probe_new(1), *b = probe_new(2);
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(tuple_setitem(t, 0, a), 0);
    ck_assert_int_eq(tuple_setitem(t, 2, b), 0);
    visit_count = 0;
    ck_assert_int_eq(ml_tuple_type.tp_traverse(t, record_visit, NULL), 0);
    ck_assert_int_eq(visit_count, 2);
    ck_assert_msg(visit_log[0] + visit_log[1] == 3 && visit_log[0] * visit_log[1] == 2,
                  "the two items are visited (probes %d and %d seen)", visit_log[0], visit_log[1]);
    obj_decref(t);
}

ML_TEST(dict_calls_with_a_missing_argument_are_bad_calls, .points = 1, .visibility = ML_HIDDEN,
        .description = "dict_getitem on a non-dict or with no key is NULL; setitem and "
                       "setdefault with any argument NULL fail with SystemError",
        .hint = "handout §6.3, dict", .parent = "non_containers_are_bad_internal_calls")
{
    ml_object *d = dict_new(), *l = list_new(0), *k = probe_new(1);
    ck_assert(d && l && k);
    for (int i = 0; i < 9; i++)
        ck_assert_int_eq(list_append(l, k), 0);
    ck_assert_ptr_null(dict_getitem(l, k));
    ck_assert_ptr_null(dict_getitem(d, NULL));
    err_clear();
    ck_assert_int_eq(dict_setitem(d, k, NULL), -1);
    ck_assert_int_eq(err_occurred(), ML_EXC_SYSTEM_ERROR);
    err_clear();
    ck_assert_int_eq(dict_setitem(d, NULL, k), -1);
    err_clear();
    ck_assert_ptr_null(dict_setdefault(d, k, NULL));
    ck_assert_int_eq(err_occurred(), ML_EXC_SYSTEM_ERROR);
    err_clear();
    ck_assert_int_eq(dict_size(d), 0);
    obj_decref(d);
    obj_decref(l);
    ck_assert_int_eq(ML_REFCNT(k), 1);
    obj_decref(k);
}

ML_TEST(dict_next_from_a_negative_position_starts_at_the_first_entry, .points = 1,
        .visibility = ML_HIDDEN, .description = "dict_next with *pos = -5 returns the first entry",
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

ML_TEST(dict_setdefault_that_cannot_grow_fails_cleanly, .points = 1, .visibility = ML_HIDDEN,
        .description = "setdefault into an empty dict whose tables cannot be allocated: NULL, "
                       "MemoryError, no reference taken",
        .hint = "handout §6.3, dict", .parent = "out_of_memory_in_dict_operations_fails_cleanly")
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    ml_object *d = dict_new(), *k = probe_new(1), *v = probe_new(2);
    ck_assert(d && k && v);
    ml_alloc_install(&fail_once, MEM_DOMAIN_MEM);
    ml_alloc_plan(&fail_once, 0, 1);
    ml_object *r = dict_setdefault(d, k, v);
    ml_alloc_remove(&fail_once);
    ck_assert_ptr_null(r);
    ck_assert_int_eq(err_occurred(), ML_EXC_MEMORY_ERROR);
    err_clear();
    ck_assert_int_eq(ML_REFCNT(k), 1);
    ck_assert_int_eq(ML_REFCNT(v), 1);
    obj_decref(d);
    obj_decref(k);
    obj_decref(v);
    ASSERT_BALANCED(total0, blocks0);
}

/* A plain object whose dealloc runs a full collection, as a __del__ calling
 * gc.collect() would. */
static ml_ssize_t collected_inside;

static void collecting_dealloc(ml_object *op)
{
    collected_inside += gc_collect(2);
    ML_TYPE(op)->tp_free(op);
}

static ml_type collecting_type = {
    .tp_name = "collecting",
    .tp_basicsize = sizeof(ml_object),
    .tp_dealloc = collecting_dealloc,
    .tp_free = obj_free,
};

ML_TEST(a_collection_during_a_containers_dealloc_does_not_see_it, .points = 1,
        .visibility = ML_HIDDEN,
        .description = "a tuple, a list and a dict are untracked before they release their "
                       "items: an item whose dealloc collects finds nothing to collect",
        .hint = "handout §6, Containers", .parent = "tuple_new_has_null_slots_and_is_tracked")
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    for (int kind = 0; kind < 3; kind++) {
        ml_object *item = obj_new(&collecting_type), *c = NULL;
        ck_assert_ptr_nonnull(item);
        if (kind == 0) {
            c = tuple_pack(1, item);
        } else if (kind == 1) {
            c = list_new(0);
            ck_assert_ptr_nonnull(c);
            ck_assert_int_eq(list_append(c, item), 0);
        } else {
            c = dict_new();
            ck_assert_ptr_nonnull(c);
            ck_assert_int_eq(dict_setitem(c, ML_NONE, item), 0);
        }
        ck_assert_ptr_nonnull(c);
        obj_decref(item);
        obj_decref(c);
    }
    ck_assert_msg(collected_inside == 0,
                  "the collections run from the items' deallocs found %td objects: a container "
                  "being freed was still tracked",
                  collected_inside);
    ck_assert_int_eq(gc_collect(2), 0);
    ASSERT_BALANCED(total0, blocks0);
}
