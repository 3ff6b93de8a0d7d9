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

/* The helpers your TODOs call are unused until you write them. */
#pragma GCC diagnostic ignored "-Wunused-function"

/* The collector's state (gc_state), the list primitives and the driver of
 * one collection (collect_main) are given: memlab/internal/cycles.h and
 * labs/cycles/given/cycles_given.c. */

/* ==================================================================== allocation and tracking */

static void collect_generations(void);

void *gc_alloc(size_t basicsize)
{
    ensure_ready();
    /* TODO (§1): allocate sizeof(gc_head) + basicsize bytes from MEM_DOMAIN_OBJ
     * (MemoryError and NULL on failure), zero both links, count one allocation
     * in generation 0 and return the address after the head.
     * §3: then, when count 0 passes threshold 0 (strictly), the collector
     * is enabled, the threshold is not 0, no collection runs and no exception
     * is set, mark `collecting` and run collect_generations(). */
    (void)basicsize;
    return NULL;
}

void gc_free(void *op)
{
    /* TODO (§1): untrack, take one off count 0 if it is above 0, free the block
     * (it starts at the head, not at the object). */
    (void)op;
}

void gc_track(ml_object *op)
{
    ensure_ready();
    /* TODO (§1): fatal "object already tracked by the garbage collector" if it is
     * tracked; else append its head to the tail of generation 0. */
    (void)op;
}

void gc_untrack(ml_object *op)
{
    /* TODO (§1): leave an untracked object alone; else unlink it, set gc_next to
     * 0 and keep only the FINALIZED bit of gc_prev. */
    (void)op;
}

int gc_is_tracked(const ml_object *op)
{
    /* TODO (§1): a GC object whose gc_next is not 0. */
    (void)op;
    return 0;
}

int gc_is_finalized(const ml_object *op)
{
    /* TODO (§1): a GC object with the FINALIZED bit set. */
    (void)op;
    return 0;
}

/* A GC object may be part of a cycle unless it is a tuple the collector has
 * already untracked (an untracked dict may be tracked again by an insert, an
 * untracked tuple never changes). */
int gc_may_be_tracked(const ml_object *op)
{
    /* TODO (§1): 0 for non-GC objects and for untracked tuples, else 1. */
    (void)op;
    return 0;
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
    /* TODO (§2): for each object, gc_refs = its refcount, COLLECTING set,
     * FINALIZED kept. */
    (void)containers;
}

/* One reference from inside the collected set: not an outside reference. */
static int visit_decref(ml_object *op, void *arg)
{
    /* TODO (§2): if op is a GC object being collected, one less gc_ref. */
    (void)op;
    (void)arg;
    return 0;
}

void subtract_refs(gc_head *containers)
{
    /* TODO (§2): traverse each object with visit_decref. */
    (void)containers;
}

/* `op` is referenced by a reachable object of `young`: it is reachable. */
static int visit_reachable(ml_object *op, void *arg)
{
    /* TODO (§2): see the handout's picture: ignore what is not GC or not
     * COLLECTING; bring an object back from the unreachable list to the tail
     * of young with gc_refs 1; give gc_refs 1 to one not scanned yet. */
    (void)op;
    (void)arg;
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
    /* TODO (§2): scan young from its head (see the comment above). */
    (void)young;
    (void)unreachable;
    return 0;
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
    /* TODO (§7): untrack the tuple (and return 1) unless an item is NULL or
     * may be tracked. */
    (void)op;
    return 0;
}

/* Returns the number of tuples untracked. */
static ml_ssize_t untrack_tuples(gc_head *head)
{
    /* TODO (§7): tuple_maybe_untrack each tuple of the list; count them. */
    (void)head;
    return 0;
}

/* A dict whose keys and values may not be tracked cannot be in a cycle now;
 * an insert tracks it again (dict_setitem).  Only full collections do this,
 * so that building a big dict does not cost a scan per collection. */
static int dict_maybe_untrack(ml_object *op)
{
    /* TODO (§7): untrack the dict (and return 1) unless a live entry's key or
     * value may be tracked. */
    (void)op;
    return 0;
}

/* Returns the number of dicts untracked. */
static ml_ssize_t untrack_dicts(gc_head *head)
{
    /* TODO (§7): dict_maybe_untrack each dict of the list; count them. */
    (void)head;
    return 0;
}

/* ==================================================================== legacy finalizers */

/* Also clears NEXT_MASK_UNREACHABLE: `unreachable` is a normal list after. */
void move_legacy_finalizers(gc_head *unreachable, gc_head *finalizers)
{
    /* Given: the clean-up step 2 needs -- every NEXT_MASK_UNREACHABLE goes. */
    for (gc_head *g = gc_next(unreachable); g != unreachable; g = gc_next(g))
        g->gc_next &= ~NEXT_MASK_UNREACHABLE;
    /* TODO (§5): also move the objects with a legacy finalizer to
     * `finalizers`, COLLECTING cleared. */
    (void)finalizers;
}

static int visit_move(ml_object *op, void *arg)
{
    /* TODO (§5): a GC object still COLLECTING moves to the list `arg`, COLLECTING
     * cleared. */
    (void)op;
    (void)arg;
    return 0;
}

/* The list grows while it is walked: whatever is appended is walked too. */
void move_legacy_finalizer_reachable(gc_head *finalizers)
{
    /* TODO (§5): traverse each object with visit_move. */
    (void)finalizers;
}

/* ==================================================================== PEP 442 finalizers */

/* Call tp_finalize (if any) unless it ran before; the caller holds a
 * reference.  An exception it leaves is reported, not propagated. */
static void call_finalizer_once(ml_object *op)
{
    /* TODO (§4): if the type has tp_finalize and the object is not
     * FINALIZED: set FINALIZED, call it, report an exception it left as
     * unraisable.  An exception already set when you are called is not the
     * finalizer's: set it aside around the call and put it back after. */
    (void)op;
}

/* Run every finalizer of the unreachable set; returns how many ran.  A
 * finalizer may free other members (they unlink themselves) or resurrect
 * them, so the walk takes the head each time and parks what it has seen. */
ml_ssize_t finalize_garbage(gc_head *collectable)
{
    /* TODO (§4): see the comment above; count the finalizers called. */
    (void)collectable;
    return 0;
}

/* After the finalizers, some of the set may be reachable again: run the
 * gc_refs analysis on the set alone.  What is still unreachable goes to
 * `still_unreachable`; the resurrected objects join the old generation.
 * When no finalizer ran, no code ran: the analysis would find the same set
 * in the same order, so it is skipped (CPython runs it anyway). */
void handle_resurrected_objects(gc_head *unreachable, gc_head *still_unreachable, gc_head *old,
                                ml_ssize_t finalizers_called)
{
    /* TODO (§4): see the comment above.  Until then, everything stays
     * unreachable. */
    (void)old;
    (void)finalizers_called;
    gclist_init(still_unreachable);
    gclist_merge(unreachable, still_unreachable);
}

int gc_call_finalizer_from_dealloc(ml_object *op)
{
    /* TODO (§4): fatal if the refcount is not 0; set it to 1, call
     * the finalizer (once per object for GC objects), take the 1
     * back; -1 if the refcount is still above 0. */
    (void)op;
    return 0;
}

/* ==================================================================== deleting garbage */

/* Break the cycles: tp_clear drops each object's references, and refcounting
 * frees what that orphans.  An object still at the head afterwards survived
 * (something else still holds it) and moves to the old generation. */
void delete_garbage(gc_head *collectable, gc_head *old)
{
    /* TODO (§2): until the list is empty: take its first object; under
     * DEBUG_SAVEALL append it to gc.garbage, else call tp_clear (if any)
     * holding a reference, reporting an exception as unraisable; if it is
     * still first afterwards, clear COLLECTING and move it to `old`.
     * Step 5 adds the DEBUG_SAVEALL case. */
    gclist_merge(collectable, old); /* keeps them all alive: replace this */
}

/* gc.garbage gets each object with a legacy finalizer (everything under
 * DEBUG_SAVEALL); the whole list stays alive in the old generation. */
void handle_legacy_finalizers(gc_head *finalizers, gc_head *old)
{
    /* TODO (§5): see the comment above. */
    gclist_merge(finalizers, old);
}

/* ==================================================================== one collection */

/* The old generation takes the `survivors` reachable objects of young.
 * Updates the long-lived bookkeeping (CPython's 25 % rule). */
void promote_survivors(int generation, gc_head *young, gc_head *old, ml_ssize_t survivors)
{
    /* TODO (§3): untrack tuples (step 7); merge young into old, adding the
     * survivors to long_lived_pending when generation 1 was collected; a
     * full collection instead untracks dicts (step 7) and resets
     * long_lived_pending to 0 and long_lived_total to the survivors. */
    (void)generation;
    (void)survivors;
    gclist_merge(young, old);
}

void invoke_callbacks(const char *phase, int generation, ml_ssize_t collected,
                      ml_ssize_t uncollectable)
{
    /* TODO (§6): call every registered callback with (phase, info, ctx). */
    (void)phase;
    (void)generation;
    (void)collected;
    (void)uncollectable;
}

/* ==================================================================== when collections run */

/* The oldest generation whose count passed its threshold is collected (with
 * the younger ones), except that a full collection waits until enough
 * objects are pending (the 25 % rule); then generation 1 may go instead. */
static void collect_generations(void)
{
    /* TODO (§3): from the oldest generation down, collect the first one
     * whose count passed its threshold -- except generation 2 while
     * long_lived_pending < long_lived_total / 4. */
}

/* ==================================================================== the gc module */

ml_ssize_t gc_collect(int generation)
{
    ensure_ready();
    /* TODO (§2): ValueError "invalid generation" (-1) outside 0..2; 0 while a
     * collection runs; else set `collecting` around collect_with_callbacks(). */
    (void)generation;
    return 0;
}

void gc_enable(void)
{
    ensure_ready();
    /* TODO (§3). */
}

void gc_disable(void)
{
    ensure_ready();
    /* TODO (§3). */
}

int gc_isenabled(void)
{
    ensure_ready();
    /* TODO (§3). */
    return 0;
}

void gc_set_debug(int flags)
{
    ensure_ready();
    /* TODO (§6). */
    (void)flags;
}

int gc_get_debug(void)
{
    ensure_ready();
    /* TODO (§6). */
    return 0;
}

void gc_set_threshold(int threshold0, int threshold1, int threshold2)
{
    ensure_ready();
    /* TODO (§3). */
    (void)threshold0;
    (void)threshold1;
    (void)threshold2;
}

void gc_get_threshold(int out[GC_NUM_GENERATIONS])
{
    ensure_ready();
    /* TODO (§3). */
    for (int i = 0; i < GC_NUM_GENERATIONS; i++)
        out[i] = 0;
}

void gc_get_count(int out[GC_NUM_GENERATIONS])
{
    ensure_ready();
    /* TODO (§3). */
    for (int i = 0; i < GC_NUM_GENERATIONS; i++)
        out[i] = 0;
}

void gc_get_stats(gc_generation_stats out[GC_NUM_GENERATIONS])
{
    ensure_ready();
    /* TODO (§5). */
    for (int i = 0; i < GC_NUM_GENERATIONS; i++)
        out[i] = (gc_generation_stats){0, 0, 0};
}

ml_object *gc_garbage(void)
{
    ensure_ready();
    /* TODO (§5): the list garbage_list() makes. */
    return NULL;
}

int gc_callbacks_add(gc_callback_fn fn, void *ctx)
{
    ensure_ready();
    /* TODO (§6): append (fn, ctx), growing a RAW array. */
    (void)fn;
    (void)ctx;
    return -1;
}

int gc_callbacks_remove(gc_callback_fn fn, void *ctx)
{
    ensure_ready();
    /* TODO (§6): remove the first match; ValueError
     * "list.remove(x): x not in list" and -1 if there is none. */
    (void)fn;
    (void)ctx;
    return -1;
}

void gc_freeze(void)
{
    ensure_ready();
    /* TODO (§6): every generation into the permanent one, counts 0. */
}

void gc_unfreeze(void)
{
    ensure_ready();
    /* TODO (§6): the permanent generation into generation 2. */
}

ml_ssize_t gc_get_freeze_count(void)
{
    ensure_ready();
    /* TODO (§6). */
    return 0;
}

/* ------------------------------------------------------------ referrers and referents */

typedef struct referrer_search {
    ml_object *const *objs;
    size_t n;
} referrer_search;

static int visit_is_wanted(ml_object *op, void *arg)
{
    /* TODO (§6): 1 (stop) if op is one of the searched objects. */
    (void)op;
    (void)arg;
    return 0;
}

ml_object *gc_get_referrers(ml_object *const *objs, size_t n)
{
    ensure_ready();
    /* TODO (§6): a new list of the objects of generations 0..2 (not the result
     * itself) whose traverse visits one of objs. */
    (void)objs;
    (void)n;
    return NULL;
}

static int visit_append(ml_object *op, void *arg)
{
    /* TODO (§6). */
    (void)op;
    (void)arg;
    return -1;
}

ml_object *gc_get_referents(ml_object *const *objs, size_t n)
{
    ensure_ready();
    /* TODO (§6): a new list of what each GC object of objs visits. */
    (void)objs;
    (void)n;
    return NULL;
}

static int append_generation(ml_object *result, gc_head *head)
{
    /* TODO (§6). */
    (void)result;
    (void)head;
    return -1;
}

ml_object *gc_get_objects(int generation)
{
    ensure_ready();
    /* TODO (§6): the errors of the header, then a new list of generation
     * `generation` (all three for -1), without the result itself. */
    (void)generation;
    return NULL;
}
