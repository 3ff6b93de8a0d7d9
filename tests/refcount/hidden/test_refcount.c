/*
 * hidden/test_refcount.c -- the hidden tests of test_refcount.c's area (the public file
 * tests/refcount/test_refcount.c); those that came from mutation testing are tagged
 * "mutation".
 */
#include "../refcount_test.h"
#include "mlalloc.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

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

ML_TEST(obj_new_gives_room_for_every_byte_of_the_basic_size, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
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

ML_TEST(obj_new_allocates_no_items, .tags = "mutation", .points = 1, .visibility = ML_HIDDEN,
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

ML_TEST(obj_new_var_of_zero_items_is_a_valid_object, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
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

ML_TEST(a_plain_object_that_cannot_be_allocated_is_a_memory_error, .tags = "mutation", .points = 1,
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

ML_TEST(getrefcount_of_an_object_held_by_a_list_is_three, .points = 1, .visibility = ML_HIDDEN,
        .description = "a = object(); l = [a]; sys.getrefcount(a) == 3",
        .hint = "handout §3, getrefcount and its +1",
        .parent = "getrefcount_counts_its_own_argument")
{
    ml_object *a = probe_new(1), *l = list_new(0);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(l);
    ck_assert_int_eq(list_append(l, a), 0);
    ck_assert_int_eq(obj_getrefcount(a), 3);
    obj_decref(l);
    ck_assert_int_eq(obj_getrefcount(a), 2);
    obj_decref(a);
}

static void decref_once(void *arg) { obj_decref(arg); }

ML_TEST(negative_refcount_report_names_the_object_type, .points = 1, .visibility = ML_HIDDEN,
        .description = "the fatal negative-refcount report names the object's type",
        .hint = "handout §5, Negative refcounts", .parent = "decref_below_zero_is_a_fatal_error")
{
    char text[1024];
    ml_object *l = list_new(0);
    ck_assert_ptr_nonnull(l);
    ML_REFCNT(l) = 0;
    ck_assert(ml_runs_into_abort(decref_once, l, text, sizeof text));
    ck_assert_msg(strstr(text, "list") != NULL, "the report should name the type: %s", text);
    ML_REFCNT(l) = 1;
    obj_decref(l);
}

ML_TEST(clear_macro_empties_the_field_before_releasing, .points = 1, .visibility = ML_HIDDEN,
        .description = "OBJ_CLEAR: the field is NULL by the time the old value's dealloc runs",
        .hint = "handout §2.2, Dealloc", .parent = "decref_to_zero_runs_dealloc_once")
{
    static ml_object *field;
    ml_object *l = list_new(0);
    ck_assert_ptr_nonnull(l);
    field = l;
    OBJ_CLEAR(field);
    ck_assert_ptr_null(field);
    ml_object *p = probe_new(4);
    ck_assert_ptr_nonnull(p);
    field = p;
    OBJ_SETREF(field, ML_NONE);
    ck_assert_ptr_eq(field, ML_NONE);
    ck_assert_int_eq(dealloc_count, 1);
}
