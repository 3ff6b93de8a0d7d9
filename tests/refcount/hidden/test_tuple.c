/*
 * hidden/test_tuple.c -- the hidden tests of test_tuple.c's area (the public file
 * tests/refcount/test_tuple.c); those that came from mutation testing are tagged
 * "mutation".
 */
#include "../refcount_test.h"
#include "mlalloc.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

ML_TEST(freed_containers_leave_the_collector_clean, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
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

ML_TEST(tuple_traverse_skips_null_slots, .tags = "mutation", .points = 1, .visibility = ML_HIDDEN,
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

ML_TEST(a_collection_during_a_containers_dealloc_does_not_see_it, .tags = "mutation", .points = 1,
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

ML_TEST(empty_tuple_survives_any_number_of_owners, .points = 1, .visibility = ML_HIDDEN,
        .description = "a list of 1000 empty tuples leaves the singleton's refcount pinned",
        .hint = "handout §4, Immortal objects", .parent = "empty_tuple_is_an_immortal_singleton")
{
    ml_ssize_t total0 = obj_total_refcount();
    ml_object *l = list_new(1000);
    ck_assert_ptr_nonnull(l);
    for (int i = 0; i < 1000; i++)
        LIST_SET_ITEM(l, i, tuple_new(0));
    obj_decref(l);
    ml_object *e = tuple_new(0);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(ML_REFCNT(e), ML_IMMORTAL_REFCNT);
    ck_assert_int_eq(obj_total_refcount(), total0);
}

static void dealloc_directly(void *arg) { obj_dealloc(arg); }

ML_TEST(deallocating_the_empty_tuple_is_fatal, .points = 1, .visibility = ML_HIDDEN,
        .description = "tuple_dealloc of the immortal empty tuple is a fatal error",
        .hint = "handout §4, Immortal objects", .parent = "empty_tuple_is_an_immortal_singleton")
{
    char text[512];
    ml_object *e = tuple_new(0);
    ck_assert_ptr_nonnull(e);
    ck_assert_msg(ml_runs_into_abort(dealloc_directly, e, text, sizeof text),
                  "deallocating () must abort: an immortal object is never freed");
    ck_assert_msg(strstr(text, "empty tuple") != NULL, "the message names it: %s", text);
}
