/*
 * hidden/test_list.c -- the hidden tests of test_list.c's area (the public file
 * tests/refcount/test_list.c); those that came from mutation testing are tagged
 * "mutation".
 */
#include "../refcount_test.h"
#include "mlalloc.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ==================================================================== out of memory */

/* An allocator whose planned malloc fails, then passes every call through
 * (the MemoryError itself is an object: it must be allocatable); callocs
 * and reallocs always pass (mlalloc.h). */
static ml_alloc fail_once = {.kinds = ML_ALLOC_MALLOC};

/* ==================================================================== lists */
ML_TEST(an_empty_list_has_no_item_array, .tags = "mutation", .points = 1, .visibility = ML_HIDDEN,
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
    insert_at_zero_puts_the_item_first, .tags = "mutation", .points = 1, .visibility = ML_HIDDEN,
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

ML_TEST(insert_and_append_report_a_failed_resize, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
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

ML_TEST(list_growth_follows_cpython_overallocation, .points = 1, .visibility = ML_HIDDEN,
        .description = "appending 0..76 items allocates 4, 8, 16, 24, 32, 40, 52, 64, 76 slots",
        .hint = "handout §6.1, list (over-allocation)", .parent = "list_append_increfs_and_grows")
{
    static const ml_ssize_t expected[] = {4, 8, 16, 24, 32, 40, 52, 64, 76};
    ml_object *l = list_new(0);
    ck_assert_ptr_nonnull(l);
    ml_ssize_t seen = 0, last = ((ml_list *)l)->allocated;
    ck_assert_int_eq(last, 0);
    for (int i = 0; i < 76; i++) {
        ck_assert_int_eq(list_append(l, ML_NONE), 0);
        ml_ssize_t now = ((ml_list *)l)->allocated;
        if (now != last) {
            ck_assert_int_lt(seen, 9);
            ck_assert_msg(now == expected[seen], "after %d appends allocated is %td, expected %td",
                          i + 1, now, expected[seen]);
            seen++;
            last = now;
        }
    }
    ck_assert_int_eq(seen, 9);
    obj_decref(l);
}

ML_TEST(random_list_operations_agree_with_a_model, .points = 2, .visibility = ML_HIDDEN,
        .description = "seeded appends, inserts, setitems (some out of range) match a model",
        .hint = "handout §6.1, list", .parent = "list_insert_clamps_the_index_and_increfs")
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    uint64_t seed = ml_test_seed();
    int model[400], n = 0, next_id = 0;
    ml_object *l = list_new(0);
    ck_assert_ptr_nonnull(l);
    for (int step = 0; step < 300; step++) {
        ml_object *p = probe_new(next_id);
        ck_assert_ptr_nonnull(p);
        ml_ssize_t where = (ml_ssize_t)ml_rand_below(&seed, (uint64_t)n + 3) - 1;
        switch (ml_rand_below(&seed, 3)) {
        case 0:
            ck_assert_int_eq(list_append(l, p), 0);
            model[n++] = next_id;
            obj_decref(p);
            break;
        case 1: {
            ck_assert_int_eq(list_insert(l, where, p), 0);
            ml_ssize_t at = where < 0 ? (where + n < 0 ? 0 : where + n) : where > n ? n : where;
            memmove(&model[at + 1], &model[at], (size_t)(n - at) * sizeof *model);
            model[at] = next_id;
            n++;
            obj_decref(p);
            break;
        }
        default:
            if (where >= 0 && where < n) {
                ck_assert_int_eq(list_setitem(l, where, p), 0);
                model[where] = next_id;
            } else {
                ck_assert_int_eq(list_setitem(l, where, p), -1);
                err_clear();
            }
        }
        next_id++;
    }
    ck_assert_int_eq(list_size(l), n);
    for (int i = 0; i < n; i++) {
        ck_assert_int_eq(probe_id(LIST_GET_ITEM(l, i)), model[i]);
        ck_assert_int_eq(ML_REFCNT(LIST_GET_ITEM(l, i)), 1);
    }
    obj_decref(l);
    ck_assert_int_eq(dealloc_count, next_id);
    ASSERT_BALANCED(total0, blocks0);
}

ML_TEST(failed_calls_leave_the_total_unchanged, .points = 1, .visibility = ML_HIDDEN,
        .description = "every failing call releases exactly what it must, no more, no less",
        .hint = "handout §1, ownership table", .parent = "list_setitem_out_of_range_still_steals")
{
    ml_object *l = list_new(1), *t = tuple_new(1), *d = dict_new(), *bad = list_new(0);
    ck_assert_ptr_nonnull(l);
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(bad);
    ml_ssize_t total0 = obj_total_refcount();
    ck_assert_int_eq(list_setitem(l, 5, obj_newref(bad)), -1);
    ck_assert_int_eq(tuple_setitem(t, 5, obj_newref(bad)), -1);
    ck_assert_int_eq(dict_setitem(d, bad, bad), -1);
    ck_assert_ptr_null(dict_setdefault(d, bad, bad));
    ck_assert_int_eq(dict_delitem(d, bad), -1);
    ck_assert_ptr_null(list_getitem(l, 1));
    err_clear();
    ck_assert_int_eq(obj_total_refcount(), total0);
    ck_assert_int_eq(ML_REFCNT(bad), 1);
    obj_decref(l);
    obj_decref(t);
    obj_decref(d);
    obj_decref(bad);
}
