/*
 * cycles.c -- the cycle collector: CPython 3.11's generational collector
 * (Modules/gcmodule.c) for the memlab runtime.  Contracts in memlab/cycles.h;
 * the handout (labs/cycles/README.md) draws every step.
 *
 * Reference counting frees an object when its last reference goes away.  A
 * cycle (a list that contains itself, two objects that point at each other)
 * never gets there: every member keeps the next one alive.  This file finds
 * such groups among the *containers* (objects whose type has
 * ML_TPFLAGS_HAVE_GC) and breaks them.
 *
 * The data structure.  Every GC object has a gc_head in front of it.  A
 * tracked object sits in exactly one of four circular, doubly linked lists
 * with a sentinel head: generation 0, 1, 2, or the permanent generation.
 *
 *     generation 0 head                               (tail: newest object)
 *     +---------+     +---------+     +---------+
 *     | next  --+---->| next  --+---->| next  --+---> back to the head
 *  <--+-- prev  |<----+-- prev  |<----+-- prev  |
 *     +---------+     +---------+     +---------+
 *                     | object  |     | object  |
 *
 *     gc_next    pointer to the next head; 0 <=> untracked.  Bit 0 is
 *                NEXT_MASK_UNREACHABLE while the object waits in the
 *                tentatively unreachable list of move_unreachable().
 *     gc_prev    pointer to the previous head | FINALIZED | COLLECTING.
 *                While a collection runs update_refs() .. move_unreachable(),
 *                the pointer bits of the objects being collected hold
 *                gc_refs instead (gc_prev >> 2), and the list is singly
 *                linked through gc_next.
 *
 * Invariants, outside a collection:
 *   - gc_next == 0 exactly for untracked objects; a tracked object's list
 *     is consistent in both directions;
 *   - COLLECTING is clear on every tracked object; FINALIZED, once set, is
 *     never cleared (tp_finalize runs at most once per object, PEP 442).
 *
 * Constants (CPython 3.11):
 *   thresholds         700, 10, 10   gen 0 counts allocations, gen 1 and 2
 *                                    count collections of the one below
 *   long-lived rule    a full collection runs only when the objects promoted
 *                      into gen 2 since the last full one (long_lived_pending)
 *                      exceed 25 % of those that survived it (long_lived_total)
 *
 * Sections, in the order a collection runs:
 *   allocation and tracking -> gc_refs (update, subtract, move
 *   unreachable) -> untracking tuples and dicts -> legacy finalizers ->
 *   PEP 442 finalizers and resurrection -> deleting garbage -> one
 *   collection -> when collections run -> the gc module's API.
 *
 * Weak references do not exist in this runtime, so CPython's
 * handle_weakrefs() step has no counterpart here.
 */
#include "memlab/cycles.h"

#include "memlab/errors.h"
#include "memlab/internal/cycles.h"
#include "memlab/mem.h"
#include "memlab/runtime.h"

/* The collector's state (gc_state), the list primitives and the driver of
 * one collection (collect_main) are given: memlab/internal/cycles.h and
 * labs/cycles/given/cycles_given.c. */

/* ==================================================================== allocation and tracking */

static void collect_generations(void);

void *gc_alloc(size_t basicsize)
{
    ensure_ready();
    gc_head *g = mem_malloc(MEM_DOMAIN_OBJ, sizeof(gc_head) + basicsize);
    if (g == NULL)
        return err_no_memory();
    g->gc_next = 0;
    g->gc_prev = 0;
    gc_generation *young = &gc_state.generations[0];
    young->count++;
    /* Strictly greater; never inside a collection or with an exception set. */
    if (young->count > young->threshold && gc_state.enabled && young->threshold != 0 &&
        !gc_state.collecting && !err_occurred()) {
        gc_state.collecting = 1;
        collect_generations();
        gc_state.collecting = 0;
    }
    return GC_OBJECT(g);
}

void gc_free(void *op)
{
    gc_untrack(op);
    if (gc_state.generations[0].count > 0)
        gc_state.generations[0].count--;
    mem_free(MEM_DOMAIN_OBJ, GC_HEAD(op));
}

void gc_track(ml_object *op)
{
    ensure_ready();
    gc_head *g = GC_HEAD(op);
    if (g->gc_next != 0)
        ml_fatal("object already tracked by the garbage collector");
    gclist_append(g, generation_head(0));
}

void gc_untrack(ml_object *op)
{
    gc_head *g = GC_HEAD(op);
    if (g->gc_next == 0)
        return;
    gclist_unlink(g);
    g->gc_next = 0;
    g->gc_prev &= GC_PREV_MASK_FINALIZED;
}

int gc_is_tracked(const ml_object *op) { return is_gc(op) && GC_HEAD(op)->gc_next != 0; }

int gc_is_finalized(const ml_object *op)
{
    return is_gc(op) && (GC_HEAD(op)->gc_prev & GC_PREV_MASK_FINALIZED) != 0;
}

/* A GC object may be part of a cycle unless it is a tuple the collector has
 * already untracked (an untracked dict may be tracked again by an insert, an
 * untracked tuple never changes). */
int gc_may_be_tracked(const ml_object *op)
{
    if (!is_gc(op))
        return 0;
    if (ML_TYPE(op) == &ml_tuple_type)
        return gc_is_tracked(op);
    return 1;
}

/* ==================================================================== gc_refs */

/*
 * After update_refs and subtract_refs, the gc_refs of each object in the
 * collected list is its refcount minus the references it gets from objects
 * of that list: the references from *outside*.  An object with gc_refs > 0
 * is certainly reachable; one with gc_refs == 0 is unreachable unless a
 * reachable object reaches it, which move_unreachable sorts out.
 */

/* gc_refs = refcount, COLLECTING set (FINALIZED kept).  The list becomes
 * singly linked: the prev pointers now hold the counts. */
void update_refs(gc_head *containers)
{
    for (gc_head *g = gc_next(containers); g != containers; g = gc_next(g)) {
        ml_ssize_t refcnt = ML_REFCNT(GC_OBJECT(g));
        g->gc_prev = (g->gc_prev & GC_PREV_MASK_FINALIZED) | GC_PREV_MASK_COLLECTING |
                     ((uintptr_t)refcnt << GC_PREV_SHIFT);
    }
}

/* One reference from inside the collected set: not an outside reference. */
static int visit_decref(ml_object *op, void *arg)
{
    (void)arg;
    if (is_gc(op)) {
        gc_head *g = GC_HEAD(op);
        if (gc_is_collecting(g)) /* objects of other generations are outside */
            gc_set_refs(g, gc_get_refs(g) - 1);
    }
    return 0;
}

void subtract_refs(gc_head *containers)
{
    for (gc_head *g = gc_next(containers); g != containers; g = gc_next(g)) {
        ml_object *op = GC_OBJECT(g);
        ML_TYPE(op)->tp_traverse(op, visit_decref, NULL);
    }
}

/* `op` is referenced by a reachable object of `young`: it is reachable. */
static int visit_reachable(ml_object *op, void *arg)
{
    gc_head *young = arg;
    if (!is_gc(op))
        return 0;
    gc_head *g = GC_HEAD(op);
    if (!gc_is_collecting(g)) /* another generation, or already scanned */
        return 0;
    if (g->gc_next & NEXT_MASK_UNREACHABLE) {
        /* Scanned earlier with gc_refs 0 and set aside: bring it back to the
         * tail of young, where the scan will reach it again. */
        gc_head *prev = gc_prev(g);
        gc_head *next = (gc_head *)(g->gc_next & ~NEXT_MASK_UNREACHABLE);
        prev->gc_next = g->gc_next; /* keeps the mask: prev is in the unreachable list */
        gc_set_prev(next, prev);
        gclist_append(g, young);
        gc_set_refs(g, 1);
    } else if (gc_get_refs(g) == 0) {
        gc_set_refs(g, 1); /* not scanned yet: the scan will keep it */
    }
    return 0;
}

/*
 * Scan young from its head.  An object with gc_refs > 0 is reachable: it
 * marks what it references reachable, loses COLLECTING and gets its prev
 * pointer back.  An object with gc_refs == 0 moves to the tail of
 * `unreachable`, flagged NEXT_MASK_UNREACHABLE; if a reachable object later
 * references it, visit_reachable re-appends it to young.  At the end young
 * is a proper doubly linked list of the reachable objects, and
 * `unreachable` holds the rest in their original order.  Returns the number
 * of reachable objects (it saves a walk to count them later).
 */
ml_ssize_t move_unreachable(gc_head *young, gc_head *unreachable)
{
    ml_ssize_t reachable = 0;
    gc_head *prev = young;
    gc_head *g = gc_next(young);
    while (g != young) {
        if (gc_get_refs(g) > 0) {
            ml_object *op = GC_OBJECT(g);
            ML_TYPE(op)->tp_traverse(op, visit_reachable, young);
            gc_set_prev(g, prev);
            gc_clear_collecting(g);
            prev = g;
            reachable++;
        } else {
            prev->gc_next = g->gc_next; /* young is singly linked for now */
            gc_head *last = gc_prev(unreachable);
            last->gc_next = NEXT_MASK_UNREACHABLE | (uintptr_t)g;
            gc_set_prev(g, last);
            g->gc_next = NEXT_MASK_UNREACHABLE | (uintptr_t)unreachable;
            unreachable->gc_prev = (uintptr_t)g;
        }
        g = gc_next(prev);
    }
    young->gc_prev = (uintptr_t)prev;
    unreachable->gc_next &= ~NEXT_MASK_UNREACHABLE;
    return reachable;
}

/* ==================================================================== tuples and dicts */

/*
 * A tuple never changes, so one that holds nothing that may be tracked can
 * never be part of a cycle: stop tracking it (CPython's
 * _PyTuple_MaybeUntrack, run on the survivors of every collection).  A
 * tuple that holds a tracked tuple waits for a later collection.
 */
static int tuple_maybe_untrack(ml_object *op)
{
    ml_ssize_t n = ML_SIZE(op);
    for (ml_ssize_t i = 0; i < n; i++) {
        ml_object *item = TUPLE_GET_ITEM(op, i);
        if (item == NULL || gc_may_be_tracked(item))
            return 0;
    }
    gc_untrack(op);
    return 1;
}

/* Returns the number of tuples untracked. */
static ml_ssize_t untrack_tuples(gc_head *head)
{
    ml_ssize_t untracked = 0;
    gc_head *next;
    for (gc_head *g = gc_next(head); g != head; g = next) {
        next = gc_next(g);
        if (ML_TYPE(GC_OBJECT(g)) == &ml_tuple_type)
            untracked += tuple_maybe_untrack(GC_OBJECT(g));
    }
    return untracked;
}

/* A dict whose keys and values may not be tracked cannot be in a cycle now;
 * an insert tracks it again (dict_setitem).  Only full collections do this,
 * so that building a big dict does not cost a scan per collection. */
static int dict_maybe_untrack(ml_object *op)
{
    ml_dict *d = (ml_dict *)op;
    for (ml_ssize_t i = 0; i < d->nentries; i++) {
        ml_dict_entry *e = &d->entries[i];
        if (e->key == NULL || e->value == NULL)
            continue;
        if (gc_may_be_tracked(e->key) || gc_may_be_tracked(e->value))
            return 0;
    }
    gc_untrack(op);
    return 1;
}

/* Returns the number of dicts untracked. */
static ml_ssize_t untrack_dicts(gc_head *head)
{
    ml_ssize_t untracked = 0;
    gc_head *next;
    for (gc_head *g = gc_next(head); g != head; g = next) {
        next = gc_next(g);
        if (ML_TYPE(GC_OBJECT(g)) == &ml_dict_type)
            untracked += dict_maybe_untrack(GC_OBJECT(g));
    }
    return untracked;
}

/* ==================================================================== legacy finalizers */

/* Also clears NEXT_MASK_UNREACHABLE: `unreachable` is a normal list after. */
void move_legacy_finalizers(gc_head *unreachable, gc_head *finalizers)
{
    gc_head *next;
    for (gc_head *g = gc_next(unreachable); g != unreachable; g = next) {
        g->gc_next &= ~NEXT_MASK_UNREACHABLE;
        next = gc_next(g);
        if (has_legacy_finalizer(GC_OBJECT(g))) {
            gc_clear_collecting(g);
            gclist_move(g, finalizers);
        }
    }
}

static int visit_move(ml_object *op, void *arg)
{
    gc_head *to = arg;
    if (is_gc(op)) {
        gc_head *g = GC_HEAD(op);
        if (gc_is_collecting(g)) {
            gclist_move(g, to);
            gc_clear_collecting(g);
        }
    }
    return 0;
}

/* The list grows while it is walked: whatever is appended is walked too. */
void move_legacy_finalizer_reachable(gc_head *finalizers)
{
    for (gc_head *g = gc_next(finalizers); g != finalizers; g = gc_next(g)) {
        ml_object *op = GC_OBJECT(g);
        ML_TYPE(op)->tp_traverse(op, visit_move, finalizers);
    }
}

/* ==================================================================== PEP 442 finalizers */

/* Call a finalizer; an exception it raises is reported, not propagated.  A
 * dealloc may run while another exception is on its way up: that one is set
 * aside for the call and comes back unchanged. */
static void run_finalizer(ml_object *op, ml_destructor finalize)
{
    ml_exc *in_flight = err_fetch();
    finalize(op);
    if (err_occurred())
        err_write_unraisable(op);
    err_restore(in_flight);
}

/* Call tp_finalize (if any) unless it ran before; the caller holds a
 * reference.  An exception it leaves is reported, not propagated. */
static void call_finalizer_once(ml_object *op)
{
    ml_destructor finalize = ML_TYPE(op)->tp_finalize;
    if (finalize == NULL || gc_is_finalized(op))
        return;
    GC_HEAD(op)->gc_prev |= GC_PREV_MASK_FINALIZED;
    run_finalizer(op, finalize);
}

/* Run every finalizer of the unreachable set; returns how many ran.  A
 * finalizer may free other members (they unlink themselves) or resurrect
 * them, so the walk takes the head each time and parks what it has seen. */
ml_ssize_t finalize_garbage(gc_head *collectable)
{
    ml_ssize_t called = 0;
    gc_head seen;
    gclist_init(&seen);
    while (!gclist_is_empty(collectable)) {
        gc_head *g = gc_next(collectable);
        ml_object *op = GC_OBJECT(g);
        gclist_move(g, &seen);
        if (ML_TYPE(op)->tp_finalize != NULL && !gc_is_finalized(op)) {
            obj_incref(op);
            call_finalizer_once(op);
            obj_decref(op);
            called++;
        }
    }
    gclist_merge(&seen, collectable);
    return called;
}

/* After the finalizers, some of the set may be reachable again: run the
 * gc_refs analysis on the set alone.  What is still unreachable goes to
 * `still_unreachable`; the resurrected objects join the old generation.
 * When no finalizer ran, no code ran: the analysis would find the same set
 * in the same order, so it is skipped (CPython runs it anyway). */
void handle_resurrected_objects(gc_head *unreachable, gc_head *still_unreachable, gc_head *old,
                                ml_ssize_t finalizers_called)
{
    if (finalizers_called == 0) {
        gclist_init(still_unreachable);
        gclist_merge(unreachable, still_unreachable);
        return;
    }
    deduce_unreachable(unreachable, still_unreachable);
    for (gc_head *g = gc_next(still_unreachable); g != still_unreachable; g = gc_next(g))
        g->gc_next &= ~NEXT_MASK_UNREACHABLE;
    gclist_merge(unreachable, old);
}

int gc_call_finalizer_from_dealloc(ml_object *op)
{
    if (ML_REFCNT(op) != 0)
        ml_fatal("gc_call_finalizer_from_dealloc called on object with a non-zero refcount");
    ML_REFCNT(op) = 1; /* resurrect for the call, without counting a reference */
    ml_destructor finalize = ML_TYPE(op)->tp_finalize;
    if (!is_gc(op))
        run_finalizer(op, finalize);
    else
        call_finalizer_once(op);
    ML_REFCNT(op) -= 1;
    return ML_REFCNT(op) == 0 ? 0 : -1; /* > 0: the finalizer resurrected it */
}

/* ==================================================================== deleting garbage */

/* Break the cycles: tp_clear drops each object's references, and refcounting
 * frees what that orphans.  An object still at the head afterwards survived
 * (something else still holds it) and moves to the old generation. */
void delete_garbage(gc_head *collectable, gc_head *old)
{
    while (!gclist_is_empty(collectable)) {
        gc_head *g = gc_next(collectable);
        ml_object *op = GC_OBJECT(g);
        if (gc_state.debug & GC_DEBUG_SAVEALL) {
            if (list_append(garbage_list(), op) < 0)
                err_clear();
        } else if (ML_TYPE(op)->tp_clear != NULL) {
            obj_incref(op);
            ML_TYPE(op)->tp_clear(op);
            if (err_occurred())
                err_write_unraisable(op);
            obj_decref(op);
        }
        if (gc_next(collectable) == g) {
            gc_clear_collecting(g);
            gclist_move(g, old);
        }
    }
}

/* gc.garbage gets each object with a legacy finalizer (everything under
 * DEBUG_SAVEALL); the whole list stays alive in the old generation. */
void handle_legacy_finalizers(gc_head *finalizers, gc_head *old)
{
    for (gc_head *g = gc_next(finalizers); g != finalizers; g = gc_next(g)) {
        ml_object *op = GC_OBJECT(g);
        if ((gc_state.debug & GC_DEBUG_SAVEALL) || has_legacy_finalizer(op)) {
            if (list_append(garbage_list(), op) < 0) {
                err_clear();
                break;
            }
        }
    }
    gclist_merge(finalizers, old);
}

/* ==================================================================== one collection */

/* The old generation takes the `survivors` reachable objects of young.
 * Updates the long-lived bookkeeping (CPython's 25 % rule). */
void promote_survivors(int generation, gc_head *young, gc_head *old, ml_ssize_t survivors)
{
    survivors -= untrack_tuples(young);
    if (young != old) {
        if (generation == GC_NUM_GENERATIONS - 2)
            gc_state.long_lived_pending += survivors;
        gclist_merge(young, old);
    } else {
        survivors -= untrack_dicts(young);
        gc_state.long_lived_pending = 0;
        gc_state.long_lived_total = survivors;
    }
}

void invoke_callbacks(const char *phase, int generation, ml_ssize_t collected,
                      ml_ssize_t uncollectable)
{
    gc_callback_info info = {generation, collected, uncollectable};
    /* Index loop: a callback may add or remove callbacks. */
    for (size_t i = 0; i < gc_state.ncallbacks; i++)
        gc_state.callbacks[i].fn(phase, &info, gc_state.callbacks[i].ctx);
}

/* ==================================================================== when collections run */

/* The oldest generation whose count passed its threshold is collected (with
 * the younger ones), except that a full collection waits until enough
 * objects are pending (the 25 % rule); then generation 1 may go instead. */
static void collect_generations(void)
{
    for (int i = GC_NUM_GENERATIONS - 1; i >= 0; i--) {
        if (gc_state.generations[i].count <= gc_state.generations[i].threshold)
            continue;
        if (i == GC_NUM_GENERATIONS - 1 &&
            gc_state.long_lived_pending < gc_state.long_lived_total / 4)
            continue;
        collect_with_callbacks(i);
        return;
    }
}

/* ==================================================================== the gc module */

ml_ssize_t gc_collect(int generation)
{
    ensure_ready();
    if (generation < 0 || generation >= GC_NUM_GENERATIONS) {
        err_set(ML_EXC_VALUE_ERROR, "invalid generation");
        return -1;
    }
    if (gc_state.collecting)
        return 0;
    gc_state.collecting = 1;
    ml_ssize_t n = collect_with_callbacks(generation);
    gc_state.collecting = 0;
    return n;
}

void gc_enable(void)
{
    ensure_ready();
    gc_state.enabled = 1;
}

void gc_disable(void)
{
    ensure_ready();
    gc_state.enabled = 0;
}

int gc_isenabled(void)
{
    ensure_ready();
    return gc_state.enabled;
}

void gc_set_debug(int flags)
{
    ensure_ready();
    gc_state.debug = flags;
}

int gc_get_debug(void)
{
    ensure_ready();
    return gc_state.debug;
}

void gc_set_threshold(int threshold0, int threshold1, int threshold2)
{
    ensure_ready();
    gc_state.generations[0].threshold = threshold0;
    gc_state.generations[1].threshold = threshold1;
    gc_state.generations[2].threshold = threshold2;
}

void gc_get_threshold(int out[GC_NUM_GENERATIONS])
{
    ensure_ready();
    for (int i = 0; i < GC_NUM_GENERATIONS; i++)
        out[i] = gc_state.generations[i].threshold;
}

void gc_get_count(int out[GC_NUM_GENERATIONS])
{
    ensure_ready();
    for (int i = 0; i < GC_NUM_GENERATIONS; i++)
        out[i] = gc_state.generations[i].count;
}

void gc_get_stats(gc_generation_stats out[GC_NUM_GENERATIONS])
{
    ensure_ready();
    for (int i = 0; i < GC_NUM_GENERATIONS; i++)
        out[i] = gc_state.stats[i];
}

ml_object *gc_garbage(void)
{
    ensure_ready();
    return garbage_list();
}

int gc_callbacks_add(gc_callback_fn fn, void *ctx)
{
    ensure_ready();
    if (gc_state.ncallbacks == gc_state.callbacks_capacity) {
        size_t capacity = gc_state.callbacks_capacity ? 2 * gc_state.callbacks_capacity : 4;
        gc_callback *grown =
            mem_realloc(MEM_DOMAIN_RAW, gc_state.callbacks, capacity * sizeof *grown);
        if (grown == NULL) {
            err_no_memory();
            return -1;
        }
        gc_state.callbacks = grown;
        gc_state.callbacks_capacity = capacity;
    }
    gc_state.callbacks[gc_state.ncallbacks++] = (gc_callback){fn, ctx};
    return 0;
}

int gc_callbacks_remove(gc_callback_fn fn, void *ctx)
{
    ensure_ready();
    for (size_t i = 0; i < gc_state.ncallbacks; i++) {
        if (gc_state.callbacks[i].fn == fn && gc_state.callbacks[i].ctx == ctx) {
            for (size_t j = i + 1; j < gc_state.ncallbacks; j++)
                gc_state.callbacks[j - 1] = gc_state.callbacks[j];
            gc_state.ncallbacks--;
            return 0;
        }
    }
    err_set(ML_EXC_VALUE_ERROR, "list.remove(x): x not in list");
    return -1;
}

void gc_freeze(void)
{
    ensure_ready();
    for (int i = 0; i < GC_NUM_GENERATIONS; i++) {
        gclist_merge(generation_head(i), &gc_state.permanent.head);
        gc_state.generations[i].count = 0;
    }
}

void gc_unfreeze(void)
{
    ensure_ready();
    gclist_merge(&gc_state.permanent.head, generation_head(GC_NUM_GENERATIONS - 1));
}

ml_ssize_t gc_get_freeze_count(void)
{
    ensure_ready();
    return gclist_size(&gc_state.permanent.head);
}

/* ------------------------------------------------------------ referrers and referents */

typedef struct referrer_search {
    ml_object *const *objs;
    size_t n;
} referrer_search;

static int visit_is_wanted(ml_object *op, void *arg)
{
    const referrer_search *search = arg;
    for (size_t i = 0; i < search->n; i++)
        if (search->objs[i] == op)
            return 1; /* a non-zero return stops the traversal */
    return 0;
}

ml_object *gc_get_referrers(ml_object *const *objs, size_t n)
{
    ensure_ready();
    ml_object *result = list_new(0);
    if (result == NULL)
        return NULL;
    referrer_search search = {objs, n};
    for (int i = 0; i < GC_NUM_GENERATIONS; i++) {
        gc_head *head = generation_head(i);
        for (gc_head *g = gc_next(head); g != head; g = gc_next(g)) {
            ml_object *op = GC_OBJECT(g);
            if (op == result || !ML_TYPE(op)->tp_traverse(op, visit_is_wanted, &search))
                continue;
            if (list_append(result, op) < 0) {
                obj_decref(result);
                return NULL;
            }
        }
    }
    return result;
}

static int visit_append(ml_object *op, void *arg) { return list_append(arg, op) < 0 ? -1 : 0; }

ml_object *gc_get_referents(ml_object *const *objs, size_t n)
{
    ensure_ready();
    ml_object *result = list_new(0);
    if (result == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (!is_gc(objs[i]) || ML_TYPE(objs[i])->tp_traverse == NULL)
            continue;
        if (ML_TYPE(objs[i])->tp_traverse(objs[i], visit_append, result) != 0) {
            obj_decref(result);
            return NULL;
        }
    }
    return result;
}

static int append_generation(ml_object *result, gc_head *head)
{
    for (gc_head *g = gc_next(head); g != head; g = gc_next(g)) {
        ml_object *op = GC_OBJECT(g);
        if (op != result && list_append(result, op) < 0)
            return -1;
    }
    return 0;
}

ml_object *gc_get_objects(int generation)
{
    ensure_ready();
    if (generation >= GC_NUM_GENERATIONS) {
        err_set_fmt(ML_EXC_VALUE_ERROR,
                    "generation parameter must be less than the number of available "
                    "generations (%i)",
                    GC_NUM_GENERATIONS);
        return NULL;
    }
    if (generation < -1) {
        err_set(ML_EXC_VALUE_ERROR, "generation parameter cannot be negative");
        return NULL;
    }
    ml_object *result = list_new(0);
    if (result == NULL)
        return NULL;
    int first = generation == -1 ? 0 : generation;
    int last = generation == -1 ? GC_NUM_GENERATIONS - 1 : generation;
    for (int i = first; i <= last; i++) {
        if (append_generation(result, generation_head(i)) < 0) {
            obj_decref(result);
            return NULL;
        }
    }
    return result;
}
