/*
 * mutation_first_call.c -- hidden tests that any public function of the
 * collector may be the first one a program calls: it readies the
 * collector (ensure_ready) before it reads or changes its state.  The
 * fixture does not reset the collector, so each test's first gc_* call is
 * the first of its process.
 */
#include "../cycles_test.h"
#include "mltest.h"

ML_TEST(first_call_gc_alloc_counts_in_generation_0, .points = 1, .visibility = ML_HIDDEN,
        .description = "a list made before any other gc_* call counts one allocation in "
                       "generation 0: gc_get_count gives (1, 0, 0)",
        .hint = "handout §1, The GC header and tracking (cycles.c, ensure_ready)")
{
    ml_object *l = list_new(0);
    ck_assert_msg(l != NULL, "list_new failed");
    int count[GC_NUM_GENERATIONS];
    gc_get_count(count);
    ck_assert_msg(count[0] == 1 && count[1] == 0 && count[2] == 0,
                  "counts after one allocation: (%d, %d, %d), expected (1, 0, 0)", count[0],
                  count[1], count[2]);
    ck_assert_msg(gc_is_tracked(l), "the list is tracked");
    obj_decref(l);
}

ML_TEST(first_call_gc_collect_finds_nothing, .points = 1, .visibility = ML_HIDDEN,
        .description = "gc_collect(2) as the first call returns 0 and counts one full collection",
        .hint = "handout §6, The rest of the gc module (cycles.c, ensure_ready)")
{
    ck_assert_int_eq(gc_collect(2), 0);
    gc_generation_stats st[GC_NUM_GENERATIONS];
    gc_get_stats(st);
    ck_assert_msg(st[2].collections == 1, "one full collection counted, got %zd",
                  st[2].collections);
}

ML_TEST(
    first_call_gc_disable_sticks, .points = 1, .visibility = ML_HIDDEN,
    .description =
        "gc_disable() as the first call: gc_isenabled() then returns 0, and 1 after gc_enable()",
    .hint = "handout §6, The rest of the gc module (cycles.c, ensure_ready)")
{
    gc_disable();
    ck_assert_msg(gc_isenabled() == 0, "the collector is still disabled");
    gc_enable();
    ck_assert_msg(gc_isenabled() == 1, "gc_enable enables it again");
}

ML_TEST(first_call_gc_isenabled_is_1, .points = 1, .visibility = ML_HIDDEN,
        .description = "gc_isenabled() as the first call returns 1: the collector starts enabled",
        .hint = "handout §6, The rest of the gc module (cycles.c, ensure_ready)")
{
    ck_assert_int_eq(gc_isenabled(), 1);
}

ML_TEST(first_call_gc_set_debug_sticks, .points = 1, .visibility = ML_HIDDEN,
        .description = "gc_set_debug(DEBUG_SAVEALL) as the first call: gc_get_debug() then "
                       "returns DEBUG_SAVEALL",
        .hint = "handout §6, The rest of the gc module (cycles.c, ensure_ready)")
{
    gc_set_debug(GC_DEBUG_SAVEALL);
    ck_assert_int_eq(gc_get_debug(), GC_DEBUG_SAVEALL);
}

ML_TEST(first_call_gc_set_threshold_sticks, .points = 1, .visibility = ML_HIDDEN,
        .description = "gc_set_threshold(5, 6, 7) as the first call: gc_get_threshold() then "
                       "gives (5, 6, 7)",
        .hint = "handout §3, Generations (cycles.c, ensure_ready)")
{
    gc_set_threshold(5, 6, 7);
    int t[GC_NUM_GENERATIONS];
    gc_get_threshold(t);
    ck_assert_msg(t[0] == 5 && t[1] == 6 && t[2] == 7,
                  "thresholds (%d, %d, %d), expected (5, 6, 7)", t[0], t[1], t[2]);
}

ML_TEST(first_call_gc_get_threshold_gives_700_10_10, .points = 1, .visibility = ML_HIDDEN,
        .description = "gc_get_threshold() as the first call gives CPython's (700, 10, 10)",
        .hint = "handout §3, Generations (cycles.c, ensure_ready)")
{
    int t[GC_NUM_GENERATIONS];
    gc_get_threshold(t);
    ck_assert_msg(t[0] == 700 && t[1] == 10 && t[2] == 10,
                  "thresholds (%d, %d, %d), expected (700, 10, 10)", t[0], t[1], t[2]);
}

static void count_calls(const char *phase, const gc_callback_info *info, void *ctx)
{
    (void)phase;
    (void)info;
    (*(int *)ctx)++;
}

ML_TEST(first_call_gc_callbacks_add_is_kept, .points = 1, .visibility = ML_HIDDEN,
        .description = "a callback added by the first call is called twice (start, stop) by "
                       "the next gc_collect(0)",
        .hint = "handout §6, The rest of the gc module (cycles.c, ensure_ready)")
{
    int calls = 0;
    ck_assert_int_eq(gc_callbacks_add(count_calls, &calls), 0);
    gc_collect(0);
    ck_assert_msg(calls == 2, "the callback ran %d times, expected 2", calls);
    ck_assert_int_eq(gc_callbacks_remove(count_calls, &calls), 0);
}

ML_TEST(first_call_gc_freeze_freezes_nothing, .points = 1, .visibility = ML_HIDDEN,
        .description =
            "gc_freeze() as the first call works on empty generations (freeze count 0); a "
            "node made next is frozen by the next gc_freeze()",
        .hint = "handout §6, The rest of the gc module (cycles.c, ensure_ready)")
{
    gc_freeze();
    ck_assert_int_eq(gc_get_freeze_count(), 0);
    ck_assert_int_eq(gc_generation_size(2), 0);
    ml_object *n = node_new(&node_type, 1);
    gc_freeze();
    ck_assert_msg(gc_get_freeze_count() == 1, "a second gc_freeze() freezes the new node");
    gc_unfreeze();
    obj_decref(n);
}

ML_TEST(first_call_gc_unfreeze_moves_nothing, .points = 1, .visibility = ML_HIDDEN,
        .description = "gc_unfreeze() as the first call works on an empty permanent generation; a "
                       "node frozen next comes back to generation 2",
        .hint = "handout §6, The rest of the gc module (cycles.c, ensure_ready)")
{
    gc_unfreeze();
    ck_assert_int_eq(gc_generation_size(2), 0);
    ck_assert_int_eq(gc_get_freeze_count(), 0);
    ml_object *n = node_new(&node_type, 1);
    gc_freeze();
    gc_unfreeze();
    ck_assert_msg(gc_generation_size(2) == 1 && gc_get_freeze_count() == 0,
                  "freeze then unfreeze puts the new node in generation 2");
    obj_decref(n);
}

ML_TEST(first_call_gc_get_freeze_count_is_0, .points = 1, .visibility = ML_HIDDEN,
        .description =
            "gc_get_freeze_count() as the first call returns 0, and 1 once a new node is frozen",
        .hint = "handout §6, The rest of the gc module (cycles.c, ensure_ready)")
{
    ck_assert_int_eq(gc_get_freeze_count(), 0);
    ml_object *n = node_new(&node_type, 1);
    gc_freeze();
    ck_assert_msg(gc_get_freeze_count() == 1, "gc_freeze() then freezes the new node");
    gc_unfreeze();
    obj_decref(n);
}
