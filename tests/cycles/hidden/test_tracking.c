/*
 * hidden/test_tracking.c -- the hidden tests of test_tracking.c's area (the public file
 * tests/cycles/test_tracking.c); those that came from mutation testing are tagged
 * "mutation".
 */
#include "../cycles_test.h"
#include "memlab/mem.h"
#include "mltest.h"

#include <stdlib.h>
#include <string.h>

/* ==================================================================== allocation and tracking */
ML_TEST(gc_alloc_that_fails_sets_memory_error_and_counts_nothing, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "when MEM_DOMAIN_OBJ refuses its block, gc_alloc returns NULL with "
                       "MemoryError set and generation 0's count does not move",
        .hint = "handout §1, The GC header and tracking")
{
    int before[GC_NUM_GENERATIONS], after[GC_NUM_GENERATIONS];
    gc_get_count(before);
    refuse_allocations(MEM_DOMAIN_OBJ);
    void *op = gc_alloc(1000);
    restore_allocations(MEM_DOMAIN_OBJ);
    ml_exc_kind pending = err_occurred();
    err_clear();
    ck_assert_msg(op == NULL, "gc_alloc returned memory the allocator refused");
    ck_assert_msg(pending == ML_EXC_MEMORY_ERROR, "MemoryError expected, kind %d set",
                  (int)pending);
    gc_get_count(after);
    ck_assert_msg(after[0] == before[0], "count 0 went from %d to %d", before[0], after[0]);
}

/* A GC type with nothing inside, freed with gc_free directly. */
static ml_type bare_type = {
    .tp_name = "bare",
    .tp_basicsize = sizeof(ml_object),
    .tp_flags = ML_TPFLAGS_HAVE_GC,
    .tp_free = gc_free,
};

ML_TEST(gc_free_untracks_a_tracked_object, .tags = "mutation", .points = 1, .visibility = ML_HIDDEN,
        .description = "gc_free on a tracked object takes it out of its generation before the "
                       "memory goes: generation 0 is one shorter and still walkable",
        .hint = "handout §1, The GC header and tracking (cycles.h, gc_free)")
{
    ml_object *keep = node_new(&node_type, 1);
    ml_object *op = obj_new(&bare_type);
    ck_assert_msg(op != NULL, "obj_new(bare) failed");
    gc_track(op);
    ml_object *after = node_new(&node_type, 2);
    ml_ssize_t before = gc_generation_size(0);
    gc_free(op);
    ck_assert_msg(gc_generation_size(0) == before - 1,
                  "generation 0 holds %zd objects after gc_free, expected %zd",
                  gc_generation_size(0), before - 1);
    ck_assert_int_eq(gc_collect(0), 0);
    ck_assert_int_eq(gc_generation_size(1), before - 1);
    obj_decref(after);
    obj_decref(keep);
}

static void track_again(void *op) { gc_track(op); }

ML_TEST(tracking_a_tracked_object_is_fatal, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "gc_track on an object already tracked aborts with \"object already "
                       "tracked by the garbage collector\"",
        .hint = "handout §1, The GC header and tracking")
{
    ml_object *n = node_new(&node_type, 1);
    char text[512];
    int aborted = ml_runs_into_abort(track_again, n, text, sizeof text);
    ck_assert_msg(aborted, "tracking twice must abort");
    ck_assert_msg(strstr(text, "object already tracked by the garbage collector") != NULL,
                  "the fatal error names the problem; stderr was: %s", text);
    ck_assert_int_eq(gc_generation_size(0), 1);
    obj_decref(n);
}

ML_TEST(first_call_gc_alloc_counts_in_generation_0, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
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
