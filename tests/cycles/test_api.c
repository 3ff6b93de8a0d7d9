/*
 * Step 6 of the handout: the rest of the gc module -- callbacks, debug
 * output, freeze, referrers and referents, get_objects.
 */
#include "cycles_test.h"
#include "mltest.h"

#include <stdlib.h>
#include <string.h>

typedef struct call_log {
    int n;
    char phase[8][8];
    gc_callback_info info[8];
} call_log;

static void log_call(const char *phase, const gc_callback_info *info, void *ctx)
{
    call_log *log = ctx;
    if (log->n < 8) {
        strncpy(log->phase[log->n], phase, 7);
        log->info[log->n] = *info;
        log->n++;
    }
}

ML_TEST(callbacks_see_start_then_stop_with_the_counts, .points = 2,
        .description = "a callback is called with \"start\" (0, 0) then \"stop\" with the "
                       "generation, collected and uncollectable counts",
        .hint = "handout §6, gc.callbacks", .parent = "legacy_finalizer_cycle_goes_to_garbage")
{
    call_log log = {0};
    ck_assert_int_eq(gc_callbacks_add(log_call, &log), 0);
    ml_object *a = node_new(&node_type, 1);
    ml_object *b = node_new(&node_type, 2);
    ml_object *d = node_new(&del_node_type, 3);
    node_pair(a, b);
    node_set(d, 0, d);
    obj_decref(a);
    obj_decref(b);
    obj_decref(d);
    ck_assert_int_eq(gc_collect(1), 3);
    ck_assert_int_eq(log.n, 2);
    ck_assert_str_eq(log.phase[0], "start");
    ck_assert_msg(log.info[0].generation == 1 && log.info[0].collected == 0 &&
                      log.info[0].uncollectable == 0,
                  "start: generation 1, collected 0, uncollectable 0");
    ck_assert_str_eq(log.phase[1], "stop");
    ck_assert_msg(log.info[1].generation == 1 && log.info[1].collected == 2 &&
                      log.info[1].uncollectable == 1,
                  "stop: generation 1, collected 2, uncollectable 1, got %d/%zd/%zd",
                  log.info[1].generation, log.info[1].collected, log.info[1].uncollectable);
}

ML_TEST(callbacks_can_be_removed, .points = 1,
        .description = "a removed callback is not called; removing an absent one is ValueError",
        .hint = "handout §6, gc.callbacks",
        .parent = "callbacks_see_start_then_stop_with_the_counts")
{
    call_log one = {0}, two = {0};
    gc_callbacks_add(log_call, &one);
    gc_callbacks_add(log_call, &two);
    gc_callbacks_add(log_call, &one);
    ck_assert_int_eq(gc_callbacks_remove(log_call, &one), 0);
    gc_collect(2);
    ck_assert_msg(two.n == 2 && one.n == 2,
                  "only the second entry for `one` is left: 2 calls each");
    ck_assert_int_eq(gc_callbacks_remove(log_call, &one), 0);
    ck_assert_int_eq(gc_callbacks_remove(log_call, &one), -1);
    ck_assert_int_eq(err_occurred(), ML_EXC_VALUE_ERROR);
    err_clear();
    gc_collect(2);
    ck_assert_int_eq(one.n, 2);
    ck_assert_int_eq(two.n, 4);
}

static void collect_again(const char *phase, const gc_callback_info *info, void *ctx)
{
    (void)phase;
    (void)info;
    ml_ssize_t *results = ctx;
    results[results[0]++ + 1] = gc_collect(2);
}

ML_TEST(collect_during_a_collection_returns_zero, .points = 1,
        .description = "gc_collect called while a collection runs (here from a callback) returns 0 "
                       "and collects nothing",
        .hint = "handout §6, gc.collect", .parent = "callbacks_see_start_then_stop_with_the_counts")
{
    ml_ssize_t results[3] = {0, -1, -1};
    gc_callbacks_add(collect_again, results);
    ml_object *a = node_new(&node_type, 1);
    node_set(a, 0, a);
    obj_decref(a);
    ck_assert_int_eq(gc_collect(2), 1);
    ck_assert_int_eq(results[0], 2);
    ck_assert_msg(results[1] == 0 && results[2] == 0, "both nested calls return 0");
    ck_assert_int_eq(node_alive(), 0);
}

ML_TEST(debug_stats_prints_the_generations_and_the_result, .points = 2,
        .description = "DEBUG_STATS prints \"gc: collecting generation 2...\", the generation "
                       "sizes, and \"gc: done, 2 unreachable, 0 uncollectable, ...s elapsed\"",
        .hint = "handout §6, Debug flags", .parent = "collect_frees_a_two_cycle")
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ml_set_debug_stream(f);
    ml_object *k = node_new(&node_type, 9);
    gc_collect(0); /* k in generation 1 */
    ml_object *a = node_new(&node_type, 1);
    ml_object *b = node_new(&node_type, 2);
    node_pair(a, b);
    obj_decref(a);
    obj_decref(b);
    gc_set_debug(GC_DEBUG_STATS);
    ck_assert_int_eq(gc_get_debug(), GC_DEBUG_STATS);
    ck_assert_int_eq(gc_collect(2), 2);
    fflush(f);
    const char *text = buf;
    const char *head = "gc: collecting generation 2...\n"
                       "gc: objects in each generation: 2 1 0\n"
                       "gc: objects in permanent generation: 0\n"
                       "gc: done, 2 unreachable, 0 uncollectable, ";
    ck_assert_msg(strncmp(text, head, strlen(head)) == 0, "the DEBUG_STATS text, got:\n%s", text);
    const char *rest = text + strlen(head);
    char *end;
    strtod(rest, &end);
    ck_assert_msg(end != rest && strcmp(end, "s elapsed\n") == 0, "ends with the time: %s", rest);
    ml_set_debug_stream(NULL);
    fclose(f);
    free(buf);
    obj_decref(k);
}

ML_TEST(debug_collectable_and_uncollectable_name_each_object, .points = 2,
        .description = "DEBUG_COLLECTABLE prints \"gc: collectable <node 0x...>\" per object, "
                       "DEBUG_UNCOLLECTABLE \"gc: uncollectable <del_node 0x...>\"",
        .hint = "handout §6, Debug flags", .parent = "legacy_finalizer_cycle_goes_to_garbage")
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ml_set_debug_stream(f);
    ml_object *a = node_new(&node_type, 1);
    ml_object *d = node_new(&del_node_type, 2);
    node_set(a, 0, a);
    node_set(d, 0, d);
    char expected[200];
    snprintf(expected, sizeof expected,
             "gc: collectable <node %p>\ngc: uncollectable <del_node %p>\n", (void *)a, (void *)d);
    obj_decref(a);
    obj_decref(d);
    gc_set_debug(GC_DEBUG_COLLECTABLE | GC_DEBUG_UNCOLLECTABLE);
    ck_assert_int_eq(gc_collect(2), 2);
    fflush(f);
    ck_assert_str_eq(buf, expected);
    ml_set_debug_stream(NULL);
    fclose(f);
    free(buf);
}

ML_TEST(freeze_moves_everything_to_the_permanent_generation, .points = 2,
        .description = "freeze() empties the generations and zeroes the counts; frozen cycles are "
                       "never collected; unfreeze() puts them in generation 2",
        .hint = "handout §6, gc.freeze", .parent = "collect_frees_a_two_cycle")
{
    ml_object *a = node_new(&node_type, 1);
    ml_object *b = node_new(&node_type, 2);
    node_pair(a, b);
    obj_decref(a);
    obj_decref(b);
    ml_object *c = node_new(&node_type, 3);
    gc_freeze();
    ck_assert_int_eq(gc_get_freeze_count(), 3);
    int count[3];
    gc_get_count(count);
    ck_assert_msg(count[0] == 0 && count[1] == 0 && count[2] == 0, "counts are zero");
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(gc_generation_size(i), 0);
    ck_assert_int_eq(gc_collect(2), 0);
    ck_assert_int_eq(node_alive(), 3);
    gc_unfreeze();
    ck_assert_int_eq(gc_get_freeze_count(), 0);
    ck_assert_int_eq(gc_generation_size(2), 3);
    ck_assert_int_eq(gc_collect(2), 2);
    obj_decref(c);
}

ML_TEST(get_referrers_finds_the_containers_that_reference_an_object, .points = 2,
        .description = "get_referrers(x) lists the tracked objects whose traverse visits x",
        .hint = "handout §6, gc.get_referrers", .parent = "track_then_untrack_changes_is_tracked")
{
    ml_object *x = node_new(&node_type, 1);
    ml_object *p = node_new(&node_type, 2);
    ml_object *q = node_new(&node_type, 3);
    ml_object *r = node_new(&node_type, 4);
    node_set(p, 0, x);
    node_set(r, 2, x);
    node_set(q, 0, p);
    ml_object *objs[] = {x};
    ml_object *refs = gc_get_referrers(objs, 1);
    ck_assert_msg(refs != NULL, "get_referrers failed");
    ck_assert_int_eq(list_size(refs), 2);
    ck_assert_msg(list_getitem(refs, 0) == p && list_getitem(refs, 1) == r, "p and r, in order");
    obj_decref(refs);
    gc_untrack(r);
    refs = gc_get_referrers(objs, 1);
    ck_assert_msg(list_size(refs) == 1, "an untracked referrer is not found");
    obj_decref(refs);
    gc_track(r);
    obj_decref(x);
    obj_decref(p);
    obj_decref(q);
    obj_decref(r);
}

ML_TEST(get_referents_lists_what_traverse_visits, .points = 1,
        .description = "get_referents(a, b) lists each GC argument's references; non-GC "
                       "arguments add nothing",
        .hint = "handout §6, gc.get_referents", .parent = "track_then_untrack_changes_is_tracked")
{
    ml_object *a = node_new(&node_type, 1);
    ml_object *b = node_new(&node_type, 2);
    ml_object *i = int_from_long(12345);
    node_set(a, 0, b);
    node_set(a, 2, i);
    node_set(b, 1, a);
    ml_object *objs[] = {a, i, b};
    ml_object *refs = gc_get_referents(objs, 3);
    ck_assert_msg(refs != NULL, "get_referents failed");
    ck_assert_int_eq(list_size(refs), 3);
    ck_assert_msg(list_getitem(refs, 0) == b && list_getitem(refs, 1) == i &&
                      list_getitem(refs, 2) == a,
                  "a's slots in traverse order, then b's");
    obj_decref(refs);
    node_set(a, 0, NULL);
    node_set(a, 2, NULL);
    obj_decref(i);
    obj_decref(a);
    obj_decref(b);
}

ML_TEST(get_objects_lists_one_or_all_generations, .points = 1,
        .description = "get_objects(g) lists generation g, get_objects(-1) all three; a bad "
                       "generation is ValueError",
        .hint = "handout §6, gc.get_objects", .parent = "survivors_move_to_the_next_generation")
{
    ml_object *a = node_new(&node_type, 1);
    gc_collect(1);
    ml_object *b = node_new(&node_type, 2);
    ml_object *all = gc_get_objects(-1);
    ck_assert_int_eq(list_size(all), 2);
    ck_assert_msg(list_getitem(all, 0) == b && list_getitem(all, 1) == a,
                  "generation 0 first, then 1, then 2");
    obj_decref(all);
    ml_object *g2 = gc_get_objects(2);
    ck_assert_int_eq(list_size(g2), 1);
    obj_decref(g2);
    ck_assert_msg(gc_get_objects(3) == NULL, "generation 3 does not exist");
    ck_assert_str_eq(
        err_message(),
        "generation parameter must be less than the number of available generations (3)");
    err_clear();
    ck_assert_msg(gc_get_objects(-2) == NULL, "negative generation");
    ck_assert_str_eq(err_message(), "generation parameter cannot be negative");
    err_clear();
    obj_decref(a);
    obj_decref(b);
}
