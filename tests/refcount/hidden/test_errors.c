/*
 * hidden/test_errors.c -- the hidden tests of test_errors.c's area (the public file
 * tests/refcount/test_errors.c); those that came from mutation testing are tagged
 * "mutation".
 */
#include "../refcount_test.h"
#include "mlalloc.h"

#include <stddef.h>
#include <stdlib.h>

/* ==================================================================== out of memory */

/* An allocator whose planned malloc fails, then passes every call through
 * (the MemoryError itself is an object: it must be allocatable); callocs
 * and reallocs always pass (mlalloc.h). */
static ml_alloc fail_once = {.kinds = ML_ALLOC_MALLOC};

ML_TEST(dict_growth_that_fails_half_way_frees_what_it_got, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
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

ML_TEST(dict_calls_with_a_missing_argument_are_bad_calls, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
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

ML_TEST(dict_setdefault_that_cannot_grow_fails_cleanly, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
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
