/*
 * mutation_api.c -- hidden tests that kill what the mutation run (make
 * mutation LAB=cycles) found alive in the allocation and tracking
 * functions and the gc module's API: failures of the allocators under
 * gc_alloc, gc.callbacks and the list builders, fatal errors, exact return
 * values, and arrays written or read one slot too far.
 */
#include "../cycles_test.h"
#include "memlab/mem.h"
#include "mlalloc.h"
#include "mltest.h"

#include <stdlib.h>
#include <string.h>

/* ==================================================================== allocators that refuse */

/* MEM_DOMAIN_OBJ refuses only requests of one size (the exception objects
 * that report the failure come from the same domain and must still be
 * made); the other domains refuse everything. */
#define REFUSED_SIZE (sizeof(gc_head) + 1000)

static ml_alloc refusing;

static void refuse(mem_domain domain)
{
    refusing = (ml_alloc)ML_ALLOC_REFUSE_ALL;
    if (domain == MEM_DOMAIN_OBJ)
        refusing.size = REFUSED_SIZE;
    ml_alloc_install(&refusing, domain);
}

static void restore(mem_domain domain)
{
    (void)domain;
    ml_alloc_remove(&refusing);
}

static ml_ssize_t objects_tracked(void)
{
    ml_ssize_t n = 0;
    for (int i = 0; i < GC_NUM_GENERATIONS; i++)
        n += gc_generation_size(i);
    return n;
}

/* ==================================================================== allocation and tracking */

ML_TEST(gc_alloc_that_fails_sets_memory_error_and_counts_nothing, .points = 1,
        .visibility = ML_HIDDEN,
        .description = "when MEM_DOMAIN_OBJ refuses its block, gc_alloc returns NULL with "
                       "MemoryError set and generation 0's count does not move",
        .hint = "handout §1, The GC header and tracking")
{
    int before[GC_NUM_GENERATIONS], after[GC_NUM_GENERATIONS];
    gc_get_count(before);
    refuse(MEM_DOMAIN_OBJ);
    void *op = gc_alloc(1000);
    restore(MEM_DOMAIN_OBJ);
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

ML_TEST(gc_free_untracks_a_tracked_object, .points = 1, .visibility = ML_HIDDEN,
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

ML_TEST(tracking_a_tracked_object_is_fatal, .points = 1, .visibility = ML_HIDDEN,
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

ML_TEST(gc_may_be_tracked_returns_exactly_1_or_0, .points = 1, .visibility = ML_HIDDEN,
        .description = "gc_may_be_tracked is 1 for a list, a dict and a tracked tuple, 0 for an "
                       "int and an untracked tuple",
        .hint = "handout §7, Untracking tuples and dicts")
{
    ml_object *l = must(list_new(0), "list_new");
    ml_object *d = must(dict_new(), "dict_new");
    ml_object *i = must(int_from_long(7), "int_from_long");
    ml_object *t = must(tuple_pack(1, l), "tuple_pack");
    ml_object *u = must(tuple_pack(1, i), "tuple_pack");
    gc_collect(0); /* untracks u */
    ck_assert_int_eq(gc_may_be_tracked(l), 1);
    ck_assert_int_eq(gc_may_be_tracked(d), 1);
    ck_assert_int_eq(gc_may_be_tracked(t), 1);
    ck_assert_int_eq(gc_may_be_tracked(i), 0);
    ck_assert_int_eq(gc_may_be_tracked(u), 0);
    obj_decref(u);
    obj_decref(t);
    obj_decref(i);
    obj_decref(d);
    obj_decref(l);
}

/* ==================================================================== finalizers from dealloc */

ML_TEST(call_finalizer_from_dealloc_returns_0_or_minus_1, .points = 1, .visibility = ML_HIDDEN,
        .description = "gc_call_finalizer_from_dealloc returns exactly 0 when the finalizer "
                       "leaves the object dead and exactly -1 when it resurrects it",
        .hint = "handout §4, Finalizers (cycles.h, gc_call_finalizer_from_dealloc)")
{
    ml_object *a = node_new(&fin_node_type, 1);
    ML_REFCNT(a) = 0; /* as a dealloc sees it */
    int r = gc_call_finalizer_from_dealloc(a);
    ML_REFCNT(a) = 1;
    ck_assert_msg(r == 0, "a finalizer that does not resurrect: 0, got %d", r);
    ck_assert_int_eq(node_events(EV_FINALIZE, 1), 1);

    ml_object *b = node_new(&fin_node_type, 2);
    ((node *)b)->flags |= NODE_RESURRECT;
    ML_REFCNT(b) = 0;
    r = gc_call_finalizer_from_dealloc(b);
    ck_assert_msg(r == -1, "a finalizer that resurrects: -1, got %d", r);
    ck_assert_msg(REFS(b) == 1 && node_lazarus == b, "node_lazarus holds the only reference");
    ML_REFCNT(b) += 1; /* the test's own reference, taken back */
    OBJ_CLEAR(node_lazarus);
    obj_decref(b);
    obj_decref(a);
    ck_assert_int_eq(node_alive(), 0);
    ck_assert_int_eq(node_events_total(EV_FINALIZE), 2);
}

static void finalize_live(void *op) { gc_call_finalizer_from_dealloc(op); }

ML_TEST(call_finalizer_from_dealloc_on_a_live_object_is_fatal, .points = 1, .visibility = ML_HIDDEN,
        .description = "gc_call_finalizer_from_dealloc on an object whose refcount is not 0 "
                       "aborts, and its finalizer does not run",
        .hint = "handout §4, Finalizers (cycles.h, gc_call_finalizer_from_dealloc)")
{
    ml_object *a = node_new(&fin_node_type, 1);
    char text[512];
    int aborted = ml_runs_into_abort(finalize_live, a, text, sizeof text);
    ck_assert_msg(aborted, "a live object must not be finalized from a dealloc");
    ck_assert_msg(strstr(text, "non-zero refcount") != NULL,
                  "the fatal error names the problem; stderr was: %s", text);
    ck_assert_int_eq(node_events(EV_FINALIZE, 1), 0);
    ck_assert_int_eq(REFS(a), 1);
    obj_decref(a);
}

/* ==================================================================== thresholds */

ML_TEST(get_threshold_writes_three_ints, .points = 1, .visibility = ML_HIDDEN,
        .description = "gc_get_threshold writes out[0..2] and nothing after them",
        .hint = "handout §3, Generations")
{
    struct {
        int out[GC_NUM_GENERATIONS];
        int guard;
    } s = {{0, 0, 0}, -7};
    gc_get_threshold(s.out);
    ck_assert_msg(s.out[0] == 700 && s.out[1] == 10 && s.out[2] == 10, "(%d, %d, %d)", s.out[0],
                  s.out[1], s.out[2]);
    ck_assert_msg(s.guard == -7, "gc_get_threshold wrote past out[2]");
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

ML_TEST(nine_callbacks_are_all_called_in_order, .points = 1, .visibility = ML_HIDDEN,
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

ML_TEST(removing_from_a_full_callback_array_shifts_the_rest, .points = 1, .visibility = ML_HIDDEN,
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

ML_TEST(a_callback_that_cannot_be_stored_is_a_memory_error, .points = 1, .visibility = ML_HIDDEN,
        .description = "when MEM_DOMAIN_RAW refuses, gc_callbacks_add returns -1 with MemoryError "
                       "and no callback is added",
        .hint = "handout §6, gc.callbacks (cycles.h, gc_callbacks_add)")
{
    int id = 0;
    refuse(MEM_DOMAIN_RAW);
    int r = gc_callbacks_add(log_call, &id);
    restore(MEM_DOMAIN_RAW);
    ml_exc_kind pending = err_occurred();
    err_clear();
    ck_assert_msg(r == -1, "gc_callbacks_add returned %d, expected -1", r);
    ck_assert_msg(pending == ML_EXC_MEMORY_ERROR, "MemoryError expected, kind %d set",
                  (int)pending);
    gc_collect(0);
    ck_assert_int_eq(callback_log.n, 0);
}

/* ==================================================================== lists of objects */

ML_TEST(get_objects_leaves_out_the_permanent_generation, .points = 1, .visibility = ML_HIDDEN,
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

ML_TEST(get_objects_that_cannot_grow_its_list_frees_it, .points = 1, .visibility = ML_HIDDEN,
        .description = "gc_get_objects(-1) returns NULL with MemoryError when its list cannot "
                       "grow, and leaves no list behind",
        .hint = "handout §6, The rest of the gc module")
{
    ml_object *a = node_new(&node_type, 1);
    ml_ssize_t tracked = objects_tracked();
    refuse(MEM_DOMAIN_MEM);
    ml_object *all = gc_get_objects(-1);
    restore(MEM_DOMAIN_MEM);
    ml_exc_kind pending = err_occurred();
    err_clear();
    ck_assert_msg(all == NULL, "gc_get_objects returned a list it could not fill");
    ck_assert_msg(pending == ML_EXC_MEMORY_ERROR, "MemoryError expected, kind %d set",
                  (int)pending);
    ck_assert_msg(objects_tracked() == tracked, "%zd objects tracked, %zd before",
                  objects_tracked(), tracked);
    obj_decref(a);
}

ML_TEST(get_referents_that_cannot_grow_its_list_frees_it, .points = 1, .visibility = ML_HIDDEN,
        .description = "gc_get_referents returns NULL with MemoryError when its list cannot "
                       "grow, and leaves no list behind",
        .hint = "handout §6, gc.get_referents")
{
    ml_object *a = node_new(&node_type, 1);
    ml_object *b = node_new(&node_type, 2);
    node_set(a, 0, b);
    ml_ssize_t tracked = objects_tracked();
    refuse(MEM_DOMAIN_MEM);
    ml_object *refs = gc_get_referents(&a, 1);
    restore(MEM_DOMAIN_MEM);
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

ML_TEST(get_referents_skips_objects_that_are_not_gc, .points = 1, .visibility = ML_HIDDEN,
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
