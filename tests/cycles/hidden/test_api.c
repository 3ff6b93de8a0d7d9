/*
 * hidden/test_api.c -- the hidden tests of test_api.c's area (the public file
 * tests/cycles/test_api.c); those that came from mutation testing are tagged
 * "mutation".
 */
#include "../cycles_test.h"
#include "memlab/mem.h"
#include "mlalloc.h"
#include "mltest.h"

#include <stdlib.h>
#include <string.h>

static ml_ssize_t objects_tracked(void)
{
    ml_ssize_t n = 0;
    for (int i = 0; i < GC_NUM_GENERATIONS; i++)
        n += gc_generation_size(i);
    return n;
}

/* ==================================================================== gc.callbacks */
typedef struct call_log {
    int order[64];
    int n;
} call_log;

static call_log callback_log;

static int callback_ids[16];

static void log_call(const char *phase, const gc_callback_info *info, void *ctx)
{
    (void)phase;
    (void)info;
    if (callback_log.n < 64)
        callback_log.order[callback_log.n++] = *(int *)ctx;
}

ML_TEST(nine_callbacks_are_all_called_in_order, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "nine callbacks added one by one are each called, in the order added, at "
                       "start and at stop",
        .hint = "handout §6, gc.callbacks")
{
    for (int i = 0; i < 9; i++) {
        callback_ids[i] = i;
        ck_assert_int_eq(gc_callbacks_add(log_call, &callback_ids[i]), 0);
    }
    gc_collect(0);
    ck_assert_int_eq(callback_log.n, 18);
    for (int i = 0; i < 18; i++)
        ck_assert_msg(callback_log.order[i] == i % 9, "call %d went to callback %d, expected %d", i,
                      callback_log.order[i], i % 9);
    for (int i = 0; i < 9; i++)
        ck_assert_int_eq(gc_callbacks_remove(log_call, &callback_ids[i]), 0);
}

ML_TEST(removing_from_a_full_callback_array_shifts_the_rest, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "with four callbacks, removing the first leaves the other three, in order, "
                       "and reads nothing past the fourth",
        .hint = "handout §6, gc.callbacks")
{
    for (int i = 0; i < 4; i++) {
        callback_ids[i] = i;
        ck_assert_int_eq(gc_callbacks_add(log_call, &callback_ids[i]), 0);
    }
    ck_assert_int_eq(gc_callbacks_remove(log_call, &callback_ids[0]), 0);
    gc_collect(0);
    ck_assert_int_eq(callback_log.n, 6);
    for (int i = 0; i < 6; i++)
        ck_assert_msg(callback_log.order[i] == 1 + i % 3, "call %d went to callback %d", i,
                      callback_log.order[i]);
}

ML_TEST(a_callback_that_cannot_be_stored_is_a_memory_error, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "when MEM_DOMAIN_RAW refuses, gc_callbacks_add returns -1 with MemoryError "
                       "and no callback is added",
        .hint = "handout §6, gc.callbacks (cycles.h, gc_callbacks_add)")
{
    int id = 0;
    refuse_allocations(MEM_DOMAIN_RAW);
    int r = gc_callbacks_add(log_call, &id);
    restore_allocations(MEM_DOMAIN_RAW);
    ml_exc_kind pending = err_occurred();
    err_clear();
    ck_assert_msg(r == -1, "gc_callbacks_add returned %d, expected -1", r);
    ck_assert_msg(pending == ML_EXC_MEMORY_ERROR, "MemoryError expected, kind %d set",
                  (int)pending);
    gc_collect(0);
    ck_assert_int_eq(callback_log.n, 0);
}

/* ==================================================================== lists of objects */
ML_TEST(get_objects_leaves_out_the_permanent_generation, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "after gc_freeze, gc_get_objects(-1) lists none of the frozen objects",
        .hint = "handout §6, The rest of the gc module")
{
    ml_object *a = node_new(&node_type, 1);
    ml_object *b = node_new(&node_type, 2);
    gc_freeze();
    ml_object *all = must(gc_get_objects(-1), "gc_get_objects");
    ck_assert_msg(list_size(all) == 0, "%zd frozen objects listed", list_size(all));
    obj_decref(all);
    gc_unfreeze();
    all = must(gc_get_objects(-1), "gc_get_objects");
    ck_assert_int_eq(list_size(all), 2);
    obj_decref(all);
    obj_decref(a);
    obj_decref(b);
}

ML_TEST(get_objects_that_cannot_grow_its_list_frees_it, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "gc_get_objects(-1) returns NULL with MemoryError when its list cannot "
                       "grow, and leaves no list behind",
        .hint = "handout §6, The rest of the gc module")
{
    ml_object *a = node_new(&node_type, 1);
    ml_ssize_t tracked = objects_tracked();
    refuse_allocations(MEM_DOMAIN_MEM);
    ml_object *all = gc_get_objects(-1);
    restore_allocations(MEM_DOMAIN_MEM);
    ml_exc_kind pending = err_occurred();
    err_clear();
    ck_assert_msg(all == NULL, "gc_get_objects returned a list it could not fill");
    ck_assert_msg(pending == ML_EXC_MEMORY_ERROR, "MemoryError expected, kind %d set",
                  (int)pending);
    ck_assert_msg(objects_tracked() == tracked, "%zd objects tracked, %zd before",
                  objects_tracked(), tracked);
    obj_decref(a);
}

ML_TEST(get_referents_that_cannot_grow_its_list_frees_it, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "gc_get_referents returns NULL with MemoryError when its list cannot "
                       "grow, and leaves no list behind",
        .hint = "handout §6, gc.get_referents")
{
    ml_object *a = node_new(&node_type, 1);
    ml_object *b = node_new(&node_type, 2);
    node_set(a, 0, b);
    ml_ssize_t tracked = objects_tracked();
    refuse_allocations(MEM_DOMAIN_MEM);
    ml_object *refs = gc_get_referents(&a, 1);
    restore_allocations(MEM_DOMAIN_MEM);
    ml_exc_kind pending = err_occurred();
    err_clear();
    ck_assert_msg(refs == NULL, "gc_get_referents returned a list it could not fill");
    ck_assert_msg(pending == ML_EXC_MEMORY_ERROR, "MemoryError expected, kind %d set",
                  (int)pending);
    ck_assert_msg(objects_tracked() == tracked, "%zd objects tracked, %zd before",
                  objects_tracked(), tracked);
    obj_decref(a);
    obj_decref(b);
}

/* A non-GC type that still has a tp_traverse: CPython's get_referents
 * looks only at GC objects. */
typedef struct holder {
    ml_object ob_base;
    ml_object *item;
} holder;

static int holder_traverse(ml_object *self, ml_visitproc visit, void *arg)
{
    holder *h = (holder *)self;
    return h->item != NULL ? visit(h->item, arg) : 0;
}

static void holder_dealloc(ml_object *self)
{
    OBJ_CLEAR(((holder *)self)->item);
    obj_free(self);
}

static ml_type holder_type = {
    .tp_name = "holder",
    .tp_basicsize = sizeof(holder),
    .tp_dealloc = holder_dealloc,
    .tp_traverse = holder_traverse,
    .tp_free = obj_free,
};

ML_TEST(get_referents_skips_objects_that_are_not_gc, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "gc_get_referents of an object whose type is not GC lists nothing, even "
                       "when the type has a tp_traverse",
        .hint = "handout §6, gc.get_referents")
{
    ml_object *h = obj_new(&holder_type);
    ck_assert_msg(h != NULL, "obj_new(holder) failed");
    ml_object *n = node_new(&node_type, 1);
    ((holder *)h)->item = n;
    ml_object *refs = must(gc_get_referents(&h, 1), "gc_get_referents");
    ck_assert_msg(list_size(refs) == 0, "%zd referents listed", list_size(refs));
    obj_decref(refs);
    obj_decref(h);
}

ML_TEST(get_referrers_that_cannot_grow_its_list_frees_it, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "gc_get_referrers returns NULL with MemoryError when its list cannot "
                       "grow, and leaves no list behind in the generations",
        .hint = "handout §6, gc.get_referrers",
        .parent = "get_referrers_finds_the_containers_that_reference_an_object")
{
    ml_object *a = node_new(&node_type, 1);
    ml_object *b = node_new(&node_type, 2);
    node_set(b, 0, a);
    ml_object *refs = gc_get_referrers(&a, 1);
    ck_assert_msg(refs != NULL, "gc_get_referrers failed with every allocator working");
    ck_assert_int_eq(list_size(refs), 1);
    obj_decref(refs);
    ml_ssize_t tracked = objects_tracked();
    ml_alloc refuse_all = ML_ALLOC_REFUSE_ALL;
    ml_alloc_install(&refuse_all, MEM_DOMAIN_MEM);
    refs = gc_get_referrers(&a, 1);
    ml_alloc_remove(&refuse_all);
    ml_exc_kind pending = err_occurred();
    err_clear();
    ck_assert_msg(refs == NULL, "gc_get_referrers returned a list it could not fill");
    ck_assert_msg(pending == ML_EXC_MEMORY_ERROR, "MemoryError expected, kind %d set",
                  (int)pending);
    ck_assert_msg(objects_tracked() == tracked,
                  "%zd objects tracked after the failed call, %zd before: the list was not freed",
                  objects_tracked(), tracked);
    obj_decref(a);
    obj_decref(b);
}

ML_TEST(first_call_gc_collect_finds_nothing, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
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
    first_call_gc_disable_sticks, .tags = "mutation", .points = 1, .visibility = ML_HIDDEN,
    .description =
        "gc_disable() as the first call: gc_isenabled() then returns 0, and 1 after gc_enable()",
    .hint = "handout §6, The rest of the gc module (cycles.c, ensure_ready)")
{
    gc_disable();
    ck_assert_msg(gc_isenabled() == 0, "the collector is still disabled");
    gc_enable();
    ck_assert_msg(gc_isenabled() == 1, "gc_enable enables it again");
}

ML_TEST(first_call_gc_isenabled_is_1, .tags = "mutation", .points = 1, .visibility = ML_HIDDEN,
        .description = "gc_isenabled() as the first call returns 1: the collector starts enabled",
        .hint = "handout §6, The rest of the gc module (cycles.c, ensure_ready)")
{
    ck_assert_int_eq(gc_isenabled(), 1);
}

ML_TEST(first_call_gc_set_debug_sticks, .tags = "mutation", .points = 1, .visibility = ML_HIDDEN,
        .description = "gc_set_debug(DEBUG_SAVEALL) as the first call: gc_get_debug() then "
                       "returns DEBUG_SAVEALL",
        .hint = "handout §6, The rest of the gc module (cycles.c, ensure_ready)")
{
    gc_set_debug(GC_DEBUG_SAVEALL);
    ck_assert_int_eq(gc_get_debug(), GC_DEBUG_SAVEALL);
}

static void count_calls(const char *phase, const gc_callback_info *info, void *ctx)
{
    (void)phase;
    (void)info;
    (*(int *)ctx)++;
}

ML_TEST(first_call_gc_callbacks_add_is_kept, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
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

ML_TEST(
    first_call_gc_freeze_freezes_nothing, .tags = "mutation", .points = 1, .visibility = ML_HIDDEN,
    .description = "gc_freeze() as the first call works on empty generations (freeze count 0); a "
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

ML_TEST(first_call_gc_unfreeze_moves_nothing, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
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

ML_TEST(first_call_gc_get_freeze_count_is_0, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
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

static void allocate_three(const char *phase, const gc_callback_info *info, void *ctx)
{
    (void)info;
    ml_object **made = ctx;
    if (strcmp(phase, "start") == 0)
        for (int i = 0; i < 3; i++)
            made[i] = node_new(&node_type, 100 + i);
}

ML_TEST(allocating_during_a_collection_does_not_start_another, .points = 1, .visibility = ML_HIDDEN,
        .description = "with threshold 1, three allocations made while a collection runs (from its "
                       "start callback) do not trigger a nested collection",
        .hint = "handout §3, Automatic collection",
        .parent = "collect_during_a_collection_returns_zero")
{
    ml_object *made[3] = {NULL, NULL, NULL};
    gc_set_threshold(1, 10, 10);
    gc_callbacks_add(allocate_three, made);
    ml_object *a = node_new(&node_type, 1);
    node_set(a, 0, a);
    obj_decref(a);
    ck_assert_int_eq(gc_collect(2), 1);
    gc_callbacks_remove(allocate_three, made);
    gc_generation_stats st[3];
    gc_get_stats(st);
    ck_assert_msg(st[0].collections + st[1].collections + st[2].collections == 1,
                  "exactly one collection ran");
    for (int i = 0; i < 3; i++)
        obj_decref(made[i]);
}

ML_TEST(get_referrers_ignores_the_permanent_generation, .points = 1, .visibility = ML_HIDDEN,
        .description = "a frozen referrer is not found by get_referrers; unfrozen it is",
        .hint = "handout §6, gc.get_referrers",
        .parent = "get_referrers_finds_the_containers_that_reference_an_object")
{
    ml_object *x = node_new(&node_type, 1);
    ml_object *p = node_new(&node_type, 2);
    node_set(p, 0, x);
    gc_freeze();
    ml_object *objs[] = {x};
    ml_object *refs = must(gc_get_referrers(objs, 1), "gc_get_referrers");
    ck_assert_int_eq(list_size(refs), 0);
    obj_decref(refs);
    gc_unfreeze();
    refs = must(gc_get_referrers(objs, 1), "gc_get_referrers");
    ck_assert_int_eq(list_size(refs), 1);
    obj_decref(refs);
    obj_decref(x);
    obj_decref(p);
}

ML_TEST(debug_stats_for_a_young_collection, .points = 1, .visibility = ML_HIDDEN,
        .description = "DEBUG_STATS text for collect(0) with an uncollectable self loop",
        .hint = "handout §6, Debug flags",
        .parent = "debug_stats_prints_the_generations_and_the_result")
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ml_set_debug_stream(f);
    ml_object *d = node_new(&del_node_type, 1);
    node_set(d, 0, d);
    obj_decref(d);
    gc_set_debug(GC_DEBUG_STATS);
    ck_assert_int_eq(gc_collect(0), 1);
    fflush(f);
    const char *head = "gc: collecting generation 0...\n"
                       "gc: objects in each generation: 1 0 0\n"
                       "gc: objects in permanent generation: 0\n"
                       "gc: done, 1 unreachable, 1 uncollectable, ";
    ck_assert_msg(strncmp(buf, head, strlen(head)) == 0, "got:\n%s", buf);
    ml_set_debug_stream(NULL);
    fclose(f);
    free(buf);
    node_release_garbage();
}
