/*
 * test_hidden.c -- the refcount lab's hidden tests: the same contracts as
 * the public ones, from angles the public tests do not show.
 */
#include "../probe.h"

#include <string.h>

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

static void base_dealloc(ml_object *op) { (void)op; }

ML_TEST(
    trashcan_defers_the_dealloc_past_the_unwind_level, .points = 2, .visibility = ML_HIDDEN,
    .description = "at nesting 50 begin deposits (returns 1); the outermost end runs the dealloc",
    .hint = "handout §7, The trashcan", .parent = "trashcan_bounds_the_depth_of_10000_nested_lists")
{
    ml_object *g = obj_new(&gc_probe_type);
    ck_assert_ptr_nonnull(g);
    ml_destructor own = ML_TYPE(g)->tp_dealloc;
    for (int i = 0; i < ML_TRASHCAN_UNWIND_LEVEL; i++)
        ck_assert_msg(obj_trashcan_begin(g, own) == 0, "level %d must run the body", i + 1);
    ck_assert_msg(obj_trashcan_begin(g, base_dealloc) == 0,
                  "a base dealloc (not the type's own) never deposits");
    obj_trashcan_end();
    ML_REFCNT(g) = 0; /* as a dealloc sees it */
    ck_assert_msg(obj_trashcan_begin(g, own) == 1, "at the unwind level, begin must deposit");
    ck_assert_int_eq(dealloc_count, 0);
    for (int i = ML_TRASHCAN_UNWIND_LEVEL; i > 1; i--)
        obj_trashcan_end();
    ck_assert_msg(dealloc_count == 0, "the deposited object waits for the outermost level");
    obj_trashcan_end();
    ck_assert_msg(dealloc_count == 1, "the outermost end runs the deposited object's dealloc");
}

/* A chain of `depth` 1-tuples around a probe, built with tuple_pack. */
static ml_object *nested_tuples(long depth)
{
    ml_object *inner = probe_new(-1);
    for (long i = 0; i < depth && inner != NULL; i++) {
        ml_object *outer = tuple_pack(1, inner);
        obj_decref(inner);
        inner = outer;
    }
    return inner;
}

ML_TEST(trashcan_frees_100000_nested_tuples, .points = 1, .visibility = ML_HIDDEN,
        .description = "a 100,000-deep tuple chain is freed with nesting <= 50",
        .hint = "handout §7, The trashcan", .parent = "trashcan_covers_tuples_and_dicts_too",
        .timeout = 5)
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    ml_object *chain = nested_tuples(100000);
    ck_assert_ptr_nonnull(chain);
    obj_trashcan_reset_max_depth();
    obj_decref(chain);
    ck_assert_int_eq(dealloc_count, 1);
    ck_assert_int_le(obj_trashcan_max_depth(), ML_TRASHCAN_UNWIND_LEVEL);
    ASSERT_BALANCED(total0, blocks0);
}

ML_TEST(trashcan_keeps_dealloc_order_within_each_container, .points = 1, .visibility = ML_HIDDEN,
        .description = "a deep chain whose bottom list holds 3 probes still frees them 2 1 0",
        .hint = "handout §7, The trashcan",
        .parent = "trashcan_bounds_the_depth_of_10000_nested_lists")
{
    ml_object *bottom = list_new(3);
    ck_assert_ptr_nonnull(bottom);
    for (int i = 0; i < 3; i++)
        LIST_SET_ITEM(bottom, i, probe_new(i));
    ml_object *chain = bottom;
    for (int i = 0; i < 500 && chain != NULL; i++) {
        ml_object *outer = list_new(1);
        ck_assert_ptr_nonnull(outer);
        LIST_SET_ITEM(outer, 0, chain);
        chain = outer;
    }
    obj_decref(chain);
    ck_assert_int_eq(dealloc_count, 3);
    ck_assert_int_eq(dealloc_log[0], 2);
    ck_assert_int_eq(dealloc_log[1], 1);
    ck_assert_int_eq(dealloc_log[2], 0);
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
