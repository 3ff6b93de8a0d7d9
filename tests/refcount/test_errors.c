/*
 * test_errors.c -- the error paths of the containers: bad internal calls,
 * out-of-memory at every allocation, failing comparisons, and visitors
 * that stop a traversal.  Every failure must leave the reference counts
 * and the memory exactly as they were.
 */
#include "mlalloc.h"
#include "refcount_test.h"

#include <stdint.h>
#include <stdlib.h>

/* ==================================================================== a failing allocator */

/* On MEM and OBJ, one plan for both (mlalloc.h): the allocations a run
 * allows, across the two domains, then none. */
static ml_alloc failing = ML_ALLOC_COUNT;

/* Runs `scenario` with 0, 1, 2, ... allocations allowed until it succeeds.
 * Each failed run must report MemoryError and leave everything balanced. */
static void fails_cleanly_at_every_allocation(int (*scenario)(void), const char *name)
{
    ml_alloc_install(&failing, MEM_DOMAIN_MEM);
    ml_alloc_install(&failing, MEM_DOMAIN_OBJ);
    for (long allowed = 0; allowed < 500; allowed++) {
        ml_ssize_t total0 = obj_total_refcount();
        size_t blocks0 = live_blocks();
        ml_alloc_plan(&failing, allowed, -1);
        int rc = scenario();
        ml_alloc_plan(&failing, -1, 0);
        if (rc == 0) {
            ASSERT_BALANCED(total0, blocks0);
            ml_alloc_remove(&failing);
            return;
        }
        ck_assert_msg(err_occurred() == ML_EXC_MEMORY_ERROR,
                      "%s with %ld allocations allowed: expected MemoryError, got kind %d", name,
                      allowed, (int)err_occurred());
        ASSERT_BALANCED(total0, blocks0);
    }
    ml_alloc_remove(&failing);
    ck_abort_msg("%s never succeeded", name);
}

static int list_scenario(void)
{
    ml_object *l = list_new(3);
    if (l == NULL)
        return -1;
    for (int i = 0; i < 3; i++)
        LIST_SET_ITEM(l, i, ML_NONE);
    int rc = 0;
    for (int i = 0; i < 10 && rc == 0; i++)
        rc = list_append(l, ML_NONE);
    ml_object *s = rc == 0 ? list_getslice(l, 0, 10) : NULL;
    if (s == NULL)
        rc = -1;
    obj_xdecref(s);
    obj_decref(l);
    return rc;
}

static int tuple_scenario(void)
{
    ml_object *l = list_new(0);
    if (l == NULL)
        return -1;
    ml_object *t = tuple_pack(2, l, ML_NONE);
    ml_object *u = t != NULL ? tuple_new(5) : NULL;
    int rc = u != NULL ? 0 : -1;
    obj_xdecref(u);
    obj_xdecref(t);
    obj_decref(l);
    return rc;
}

static int dict_scenario(void)
{
    ml_object *d = dict_new();
    if (d == NULL)
        return -1;
    int rc = 0;
    for (long i = 0; i < 20 && rc == 0; i++)
        rc = dict_setitem(d, int_from_long(i), ML_TRUE);
    ml_object *views[3] = {NULL, NULL, NULL};
    if (rc == 0 && (views[0] = dict_items(d)) == NULL)
        rc = -1;
    if (rc == 0 && (views[1] = dict_keys(d)) == NULL)
        rc = -1;
    if (rc == 0 && (views[2] = dict_values(d)) == NULL)
        rc = -1;
    if (rc == 0 && dict_setdefault(d, int_from_long(100), ML_NONE) == NULL)
        rc = -1;
    for (int i = 0; i < 3; i++)
        obj_xdecref(views[i]);
    obj_decref(d);
    return rc;
}

ML_TEST(out_of_memory_in_list_operations_fails_cleanly, .points = 1,
        .description = "list_new/append/getslice: MemoryError at any allocation, nothing leaked",
        .hint = "handout §6.1, list (errors)",
        .parent = "list_getslice_returns_a_new_list_of_new_references")
{
    fails_cleanly_at_every_allocation(list_scenario, "list_new + 10 appends + getslice");
}

ML_TEST(out_of_memory_in_tuple_operations_fails_cleanly, .points = 1,
        .description = "tuple_pack/tuple_new: MemoryError at any allocation, nothing leaked",
        .hint = "handout §6.2, tuple (errors)", .parent = "tuple_pack_increfs_each_argument")
{
    fails_cleanly_at_every_allocation(tuple_scenario, "tuple_pack + tuple_new");
}

ML_TEST(out_of_memory_in_dict_operations_fails_cleanly, .points = 1,
        .description = "dict setitem/items/keys/values/setdefault: MemoryError, nothing leaked",
        .hint = "handout §6.3, dict (errors)", .parent = "dict_keys_values_items_are_new_lists")
{
    fails_cleanly_at_every_allocation(dict_scenario, "dict with 20 keys + views + setdefault");
}

ML_TEST(
    an_object_domain_that_refuses_everything_gives_memory_error, .points = 1,
    .description = "objects cannot be allocated at all (buffers can): MemoryError, no recursion",
    .hint = "handout §2, The object header (allocation)",
    .parent = "new_var_object_has_size_and_null_items")
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    ml_alloc_install(&failing, MEM_DOMAIN_OBJ);
    ml_alloc_plan(&failing, 0,
                  -1); /* the object domain refuses every request, even a MemoryError's */
    ml_object *l = list_new(2);
    ml_object *t = tuple_new(1);
    ml_alloc_remove(&failing);
    ck_assert_msg(l == NULL && t == NULL, "list_new and tuple_new should fail without memory");
    ck_assert_msg(err_occurred() == ML_EXC_MEMORY_ERROR, "expected MemoryError, got kind %d",
                  (int)err_occurred());
    ASSERT_BALANCED(total0, blocks0);
}

ML_TEST(impossible_sizes_are_memory_errors, .points = 1,
        .description = "list_new and tuple_new of PTRDIFF_MAX items fail with MemoryError",
        .hint = "handout §2, The object header (allocation)",
        .parent = "new_var_object_has_size_and_null_items")
{
    ck_assert_ptr_null(list_new(PTRDIFF_MAX));
    ck_assert_int_eq(err_occurred(), ML_EXC_MEMORY_ERROR);
    err_clear();
    ck_assert_ptr_null(tuple_new(PTRDIFF_MAX / 2));
    ck_assert_int_eq(err_occurred(), ML_EXC_MEMORY_ERROR);
    err_clear();
    ml_object *l = list_new(0);
    ck_assert_ptr_nonnull(l);
    obj_decref(l);
}

/* ==================================================================== bad internal calls */

ML_TEST(non_containers_are_bad_internal_calls, .points = 1,
        .description = "every container call given None fails with SystemError (dict_next: 0)",
        .hint = "handout §1, errors", .parent = "dict_setitem_increfs_key_and_value")
{
    ml_object *k = str_from_cstr("k");
    ck_assert_ptr_nonnull(k);
    ck_assert_ptr_null(list_getslice(ML_NONE, 0, 1));
    ck_assert_int_eq(err_occurred(), ML_EXC_SYSTEM_ERROR);
    err_clear();
    ck_assert_ptr_null(dict_getitem_witherror(ML_NONE, k));
    ck_assert_int_eq(err_occurred(), ML_EXC_SYSTEM_ERROR);
    err_clear();
    ck_assert_int_eq(dict_setitem(ML_NONE, k, k), -1);
    ck_assert_int_eq(err_occurred(), ML_EXC_SYSTEM_ERROR);
    err_clear();
    ck_assert_int_eq(dict_delitem(ML_NONE, k), -1);
    ck_assert_int_eq(err_occurred(), ML_EXC_SYSTEM_ERROR);
    err_clear();
    ck_assert_ptr_null(dict_setdefault(ML_NONE, k, k));
    ck_assert_int_eq(err_occurred(), ML_EXC_SYSTEM_ERROR);
    err_clear();
    ml_ssize_t pos = 0;
    ck_assert_int_eq(dict_next(ML_NONE, &pos, NULL, NULL), 0);
    ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
    ck_assert_int_eq(ML_REFCNT(k), 1);
    obj_decref(k);
}

/* ==================================================================== failing comparisons */

/* Keys that all hash alike and whose comparison raises ValueError. */
static int raising_equal(ml_object *a, ml_object *b)
{
    (void)a;
    (void)b;
    err_set(ML_EXC_VALUE_ERROR, "cannot compare");
    return -1;
}

static uint64_t same_hash(ml_object *op)
{
    (void)op;
    return 42;
}

static void raising_dealloc(ml_object *op) { ML_TYPE(op)->tp_free(op); }

static ml_type raising_key_type = {
    .tp_name = "raising_key",
    .tp_basicsize = sizeof(ml_object),
    .tp_dealloc = raising_dealloc,
    .tp_free = obj_free,
    .tp_hash = same_hash,
    .tp_equal = raising_equal,
};

ML_TEST(a_raising_comparison_fails_every_dict_lookup, .points = 1,
        .description = "a key whose == raises: setitem/delitem/setdefault/witherror fail with it, "
                       "getitem swallows it",
        .hint = "handout §6.3, dict (GetItem vs GetItemWithError)",
        .parent = "dict_getitem_swallows_errors_getitem_witherror_does_not")
{
    ml_ssize_t total0 = obj_total_refcount();
    ml_object *d = dict_new(), *k1 = obj_new(&raising_key_type), *k2 = obj_new(&raising_key_type);
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(k1);
    ck_assert_ptr_nonnull(k2);
    ck_assert_int_eq(dict_setitem(d, k1, ML_NONE), 0);
    ck_assert_ptr_eq(dict_getitem(d, k1), ML_NONE); /* identity: no comparison needed */
    ck_assert_int_eq(dict_setitem(d, k2, ML_NONE), -1);
    ck_assert_int_eq(err_occurred(), ML_EXC_VALUE_ERROR);
    ck_assert_str_eq(err_message(), "cannot compare");
    err_clear();
    ck_assert_int_eq(dict_delitem(d, k2), -1);
    ck_assert_int_eq(err_occurred(), ML_EXC_VALUE_ERROR);
    err_clear();
    ck_assert_ptr_null(dict_setdefault(d, k2, ML_NONE));
    ck_assert_int_eq(err_occurred(), ML_EXC_VALUE_ERROR);
    err_clear();
    ck_assert_ptr_null(dict_getitem_witherror(d, k2));
    ck_assert_int_eq(err_occurred(), ML_EXC_VALUE_ERROR);
    err_clear();
    ck_assert_ptr_null(dict_getitem(d, k2));
    ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
    ck_assert_msg(ML_REFCNT(k2) == 1, "failed calls take no reference to the key");
    ck_assert_int_eq(dict_size(d), 1);
    obj_decref(d);
    obj_decref(k1);
    obj_decref(k2);
    ASSERT_BALANCED(total0, live_blocks());
}

/* ==================================================================== stopping a traversal */

static int stop_at_second(ml_object *op, void *arg)
{
    (void)op;
    int *visits = arg;
    return ++*visits == 2 ? 7 : 0;
}

ML_TEST(traverse_stops_at_the_first_nonzero_visit, .points = 1,
        .description = "list, tuple and dict traverse return the visitor's first non-zero result",
        .hint = "handout §6, containers (GC slots)",
        .parent = "list_traverse_visits_items_last_to_first")
{
    ml_object *l = list_new(0), *d = dict_new();
    ck_assert_ptr_nonnull(l);
    ck_assert_ptr_nonnull(d);
    for (int i = 0; i < 3; i++)
        list_append(l, ML_NONE);
    dict_setitem(d, ML_TRUE, ML_FALSE);
    dict_setitem(d, ML_FALSE, ML_TRUE);
    ml_object *t = tuple_pack(3, ML_NONE, ML_NONE, ML_NONE);
    ck_assert_ptr_nonnull(t);
    int visits = 0;
    ck_assert_int_eq(ml_list_type.tp_traverse(l, stop_at_second, &visits), 7);
    ck_assert_int_eq(visits, 2);
    visits = 0;
    ck_assert_int_eq(ml_tuple_type.tp_traverse(t, stop_at_second, &visits), 7);
    ck_assert_int_eq(visits, 2);
    visits = 0;
    ck_assert_int_eq(ml_dict_type.tp_traverse(d, stop_at_second, &visits), 7);
    ck_assert_int_eq(visits, 2);
    obj_decref(l);
    obj_decref(t);
    obj_decref(d);
}
