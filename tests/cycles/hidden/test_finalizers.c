/*
 * hidden/test_finalizers.c -- the hidden tests of test_finalizers.c's area (the public file
 * tests/cycles/test_finalizers.c); those that came from mutation testing are tagged
 * "mutation".
 */
#include "../cycles_test.h"
#include "memlab/mem.h"
#include "mltest.h"

#include <stdlib.h>
#include <string.h>

/* ==================================================================== finalizers from dealloc */
ML_TEST(call_finalizer_from_dealloc_returns_0_or_minus_1, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
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

ML_TEST(call_finalizer_from_dealloc_on_a_live_object_is_fatal, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
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

ML_TEST(every_finalizer_runs_before_any_clear, .points = 2, .visibility = ML_HIDDEN,
        .description = "in a 4-cycle of finalizable nodes, the 4 finalizer calls all come before "
                       "the first tp_clear",
        .hint = "handout §4, finalize_garbage",
        .parent = "finalizers_of_a_cycle_run_once_then_it_is_freed")
{
    ml_object *n[4];
    for (int i = 0; i < 4; i++)
        n[i] = node_new(&fin_node_type, i);
    for (int i = 0; i < 4; i++)
        node_set(n[i], 0, n[(i + 1) % 4]);
    for (int i = 0; i < 4; i++)
        obj_decref(n[i]);
    ck_assert_int_eq(gc_collect(2), 4);
    for (int i = 0; i < 4; i++)
        ck_assert_msg(node_sequence(i) == NODE_EVENT(EV_FINALIZE, i),
                      "event %d must be node %d's finalizer", i, i);
    ck_assert_int_eq(node_sequence(4), NODE_EVENT(EV_CLEAR, 0));
    ck_assert_int_eq(node_events_total(EV_FINALIZE), 4);
}

ML_TEST(a_finalized_object_is_not_finalized_by_its_dealloc, .points = 1, .visibility = ML_HIDDEN,
        .description = "after the collector ran its finalizer (and it resurrected), dropping the "
                       "last reference frees the node without a second finalizer call",
        .hint = "handout §4, gc_call_finalizer_from_dealloc",
        .parent = "a_resurrected_object_is_not_freed_nor_finalized_again")
{
    ml_object *a = node_new(&fin_node_type, 1);
    ((node *)a)->flags = NODE_RESURRECT;
    node_set(a, 0, a);
    obj_decref(a);
    ck_assert_int_eq(gc_collect(2), 0);
    node_set(a, 0, NULL); /* only node_lazarus holds it now */
    OBJ_CLEAR(node_lazarus);
    ck_assert_int_eq(node_events(EV_FINALIZE, 1), 1);
    ck_assert_int_eq(node_alive(), 0);
}

/* A non-GC type with a finalizer: there is no FINALIZED bit to remember the
 * call, so each dealloc runs the finalizer again (CPython does the same). */
typedef struct atom {
    ml_object ob_base;
    int resurrect;
} atom;

static int atom_finalized;

static ml_object *atom_saved;

static void atom_finalize(ml_object *self)
{
    atom_finalized++;
    if (((atom *)self)->resurrect-- > 0)
        atom_saved = obj_newref(self);
}

static void atom_dealloc(ml_object *self)
{
    if (gc_call_finalizer_from_dealloc(self) < 0)
        return;
    obj_free(self);
}

static ml_type atom_type = {
    .tp_name = "atom",
    .tp_basicsize = sizeof(atom),
    .tp_dealloc = atom_dealloc,
    .tp_finalize = atom_finalize,
    .tp_free = obj_free,
};

ML_TEST(a_non_gc_finalizer_runs_at_each_dealloc, .points = 1, .visibility = ML_HIDDEN,
        .description = "a non-GC object resurrected by its finalizer runs the finalizer again at "
                       "its next dealloc: only GC objects have a FINALIZED bit",
        .hint = "handout §4, gc_call_finalizer_from_dealloc",
        .parent = "finalizer_from_dealloc_can_resurrect")
{
    atom_finalized = 0;
    atom_saved = NULL;
    ml_object *a = must(obj_new(&atom_type), "obj_new");
    ((atom *)a)->resurrect = 1;
    obj_decref(a);
    ck_assert_msg(atom_saved == a && atom_finalized == 1,
                  "resurrected by its first finalizer call");
    ck_assert_int_eq(REFS(a), 1);
    ck_assert_msg(!gc_is_finalized(a), "no GC header, no FINALIZED bit");
    OBJ_CLEAR(atom_saved);
    ck_assert_int_eq(atom_finalized, 2);
}

ML_TEST(finalizer_from_dealloc_keeps_the_exception_in_flight, .points = 2, .visibility = ML_HIDDEN,
        .description = "a dealloc's finalizer runs with the pending exception set aside, and it "
                       "comes back unchanged",
        .hint = "handout: PEP 442 finalizers", .parent = "finalizer_from_dealloc_runs_once")
{
    ml_object *a = node_new(&fin_node_type, 1);
    size_t unraisable_before = err_unraisable_count();
    err_set(ML_EXC_VALUE_ERROR, "in flight");
    obj_decref(a); /* dealloc: the finalizer runs, then the node is freed */
    ck_assert_msg(node_events(EV_FINALIZE, 1) == 1, "the finalizer ran once");
    ck_assert_msg(err_occurred() == ML_EXC_VALUE_ERROR, "the pending ValueError is still set");
    ck_assert_str_eq(err_message(), "in flight");
    ck_assert_msg(err_unraisable_count() == unraisable_before,
                  "the pending exception was not reported as the finalizer's");
    err_clear();
}
