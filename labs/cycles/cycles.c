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
 *   the lists -> allocation and tracking -> gc_refs (update, subtract, move
 *   unreachable) -> untracking tuples and dicts -> legacy finalizers ->
 *   PEP 442 finalizers and resurrection -> deleting garbage -> one
 *   collection -> when collections run -> the gc module's API.
 *
 * Weak references do not exist in this runtime, so CPython's
 * handle_weakrefs() step has no counterpart here.
 */
#include "memlab/cycles.h"

#include "memlab/errors.h"
#include "memlab/mem.h"
#include "memlab/runtime.h"

/* The helpers your TODOs call are unused until you write them. */
#pragma GCC diagnostic ignored "-Wunused-function"

#include <time.h>

/* ================================================================ state */

typedef struct gc_generation {
    gc_head head;  /* sentinel of the circular list */
    int threshold; /* collect when count > threshold */
    int count;     /* gen 0: allocations; gen 1, 2: collections of the one below */
} gc_generation;

typedef struct gc_callback {
    gc_callback_fn fn;
    void *ctx;
} gc_callback;

static struct {
    int ready;
    gc_generation generations[GC_NUM_GENERATIONS];
    gc_generation permanent; /* gc.freeze(): never collected */
    gc_generation_stats stats[GC_NUM_GENERATIONS];
    int enabled;
    int debug;
    int collecting;         /* a collection is running: no other may start */
    ml_object *garbage;     /* gc.garbage, created on first use, untracked */
    gc_callback *callbacks; /* gc.callbacks, RAW memory */
    size_t ncallbacks, callbacks_capacity;
    ml_ssize_t long_lived_total;   /* survivors of the last full collection */
    ml_ssize_t long_lived_pending; /* promoted into gen 2 since then */
} gc;

/* ================================================================ the lists */

#define NEXT_MASK_UNREACHABLE ((uintptr_t)1)
#define PREV_MASK_FLAGS       (GC_PREV_MASK_FINALIZED | GC_PREV_MASK_COLLECTING)
#define PREV_MASK_POINTER     (~PREV_MASK_FLAGS)

static inline gc_head *gc_prev(const gc_head *g)
{
    return (gc_head *)(g->gc_prev & PREV_MASK_POINTER);
}
static inline gc_head *gc_next(const gc_head *g) { return (gc_head *)g->gc_next; }

/* Set the previous pointer, keeping the flag bits. */
static inline void gc_set_prev(gc_head *g, gc_head *prev)
{
    g->gc_prev = (g->gc_prev & PREV_MASK_FLAGS) | (uintptr_t)prev;
}

static inline void gc_set_next(gc_head *g, gc_head *next) { g->gc_next = (uintptr_t)next; }

static inline int is_gc(const ml_object *op)
{
    return (ML_TYPE(op)->tp_flags & ML_TPFLAGS_HAVE_GC) != 0;
}

static void gclist_init(gc_head *list)
{
    list->gc_prev = (uintptr_t)list;
    list->gc_next = (uintptr_t)list;
}

static int gclist_is_empty(const gc_head *list) { return gc_next(list) == list; }

/* Append `node` at the tail of `list` (the node is in no list). */
static void gclist_append(gc_head *node, gc_head *list)
{
    gc_head *last = gc_prev(list);
    gc_set_next(last, node);
    gc_set_prev(node, last);
    gc_set_next(node, list);
    list->gc_prev = (uintptr_t)node;
}

/* Unlink `node` from its list; its own pointers are left stale. */
static void gclist_unlink(gc_head *node)
{
    gc_head *prev = gc_prev(node);
    gc_head *next = gc_next(node);
    gc_set_next(prev, next);
    gc_set_prev(next, prev);
}

static void gclist_move(gc_head *node, gc_head *list)
{
    gclist_unlink(node);
    gclist_append(node, list);
}

/* Move every node of `from` to the tail of `to`, in order; `from` ends empty. */
static void gclist_merge(gc_head *from, gc_head *to)
{
    if (gclist_is_empty(from))
        return;
    gc_head *to_tail = gc_prev(to);
    gc_head *first = gc_next(from);
    gc_head *last = gc_prev(from);
    gc_set_next(to_tail, first);
    gc_set_prev(first, to_tail);
    gc_set_next(last, to);
    to->gc_prev = (uintptr_t)last;
    gclist_init(from);
}

static ml_ssize_t gclist_size(const gc_head *list)
{
    ml_ssize_t n = 0;
    for (const gc_head *g = gc_next(list); g != list; g = gc_next(g))
        n++;
    return n;
}

static gc_head *generation_head(int i) { return &gc.generations[i].head; }

/* There is no init call: any public function may be the first one a program
 * makes.  Each one that reads or changes the collector calls this first. */
static void ensure_ready(void)
{
    if (gc.ready)
        return;
    gc.ready = 1;
    for (int i = 0; i < GC_NUM_GENERATIONS; i++)
        gclist_init(generation_head(i));
    gclist_init(&gc.permanent.head);
    gc_reset_state();
}

/* ================================================================ allocation and tracking */

static void collect_generations(void);

void *gc_alloc(size_t basicsize)
{
    ensure_ready();
    /* TODO Step 1: allocate sizeof(gc_head) + basicsize bytes from MEM_DOMAIN_OBJ
     * (MemoryError and NULL on failure), zero both links, count one allocation
     * in generation 0 and return the address after the head.
     * Step 3: then, when count 0 passes threshold 0 (strictly), the collector
     * is enabled, the threshold is not 0, no collection runs and no exception
     * is set, mark `collecting` and run collect_generations(). */
    (void)basicsize;
    return NULL;
}

void gc_free(void *op)
{
    /* TODO Step 1: untrack, take one off count 0 if it is above 0, free the block
     * (it starts at the head, not at the object). */
    (void)op;
}

void gc_track(ml_object *op)
{
    ensure_ready();
    /* TODO Step 1: fatal "object already tracked by the garbage collector" if it is
     * tracked; else append its head to the tail of generation 0. */
    (void)op;
}

void gc_untrack(ml_object *op)
{
    /* TODO Step 1: leave an untracked object alone; else unlink it, set gc_next to
     * 0 and keep only the FINALIZED bit of gc_prev. */
    (void)op;
}

int gc_is_tracked(const ml_object *op)
{
    /* TODO Step 1: a GC object whose gc_next is not 0. */
    (void)op;
    return 0;
}

int gc_is_finalized(const ml_object *op)
{
    /* TODO Step 1: a GC object with the FINALIZED bit set. */
    (void)op;
    return 0;
}

/* A GC object may be part of a cycle unless it is a tuple the collector has
 * already untracked (an untracked dict may be tracked again by an insert, an
 * untracked tuple never changes). */
int gc_may_be_tracked(const ml_object *op)
{
    /* TODO Step 1: 0 for non-GC objects and for untracked tuples, else 1. */
    (void)op;
    return 0;
}

/* ================================================================ gc_refs */

/*
 * After update_refs and subtract_refs, the gc_refs of each object in the
 * collected list is its refcount minus the references it gets from objects
 * of that list: the references from *outside*.  An object with gc_refs > 0
 * is certainly reachable; one with gc_refs == 0 is unreachable unless a
 * reachable object reaches it, which move_unreachable sorts out.
 */

static inline ml_ssize_t gc_get_refs(const gc_head *g)
{
    return (ml_ssize_t)(g->gc_prev >> GC_PREV_SHIFT);
}

static inline void gc_set_refs(gc_head *g, ml_ssize_t refs)
{
    g->gc_prev = (g->gc_prev & PREV_MASK_FLAGS) | ((uintptr_t)refs << GC_PREV_SHIFT);
}

static inline int gc_is_collecting(const gc_head *g)
{
    return (g->gc_prev & GC_PREV_MASK_COLLECTING) != 0;
}

static inline void gc_clear_collecting(gc_head *g) { g->gc_prev &= ~GC_PREV_MASK_COLLECTING; }

/* gc_refs = refcount, COLLECTING set (FINALIZED kept).  The list becomes
 * singly linked: the prev pointers now hold the counts. */
static void update_refs(gc_head *containers)
{
    /* TODO Step 2: for each object, gc_refs = its refcount, COLLECTING set,
     * FINALIZED kept. */
    (void)containers;
}

/* One reference from inside the collected set: not an outside reference. */
static int visit_decref(ml_object *op, void *arg)
{
    /* TODO Step 2: if op is a GC object being collected, one less gc_ref. */
    (void)op;
    (void)arg;
    return 0;
}

static void subtract_refs(gc_head *containers)
{
    /* TODO Step 2: traverse each object with visit_decref. */
    (void)containers;
}

/* `op` is referenced by a reachable object of `young`: it is reachable. */
static int visit_reachable(ml_object *op, void *arg)
{
    /* TODO Step 2: see the handout's picture: ignore what is not GC or not
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
static ml_ssize_t move_unreachable(gc_head *young, gc_head *unreachable)
{
    /* TODO Step 2: scan young from its head (see the comment above). */
    (void)young;
    (void)unreachable;
    return 0;
}

/* Split `base` into what is reachable from outside it (stays in base) and
 * what is not (moved to `unreachable`, still COLLECTING and masked).
 * Returns the number of reachable objects. */
static ml_ssize_t deduce_unreachable(gc_head *base, gc_head *unreachable)
{
    update_refs(base);
    subtract_refs(base);
    gclist_init(unreachable);
    return move_unreachable(base, unreachable);
}

/* ================================================================ untracking tuples and dicts */

/*
 * A tuple never changes, so one that holds nothing that may be tracked can
 * never be part of a cycle: stop tracking it (CPython's
 * _PyTuple_MaybeUntrack, run on the survivors of every collection).  A
 * tuple that holds a tracked tuple waits for a later collection.
 */
static int tuple_maybe_untrack(ml_object *op)
{
    /* TODO Step 7: untrack the tuple (and return 1) unless an item is NULL or
     * may be tracked. */
    (void)op;
    return 0;
}

/* Returns the number of tuples untracked. */
static ml_ssize_t untrack_tuples(gc_head *head)
{
    /* TODO Step 7: tuple_maybe_untrack each tuple of the list; count them. */
    (void)head;
    return 0;
}

/* A dict whose keys and values may not be tracked cannot be in a cycle now;
 * an insert tracks it again (dict_setitem).  Only full collections do this,
 * so that building a big dict does not cost a scan per collection. */
static int dict_maybe_untrack(ml_object *op)
{
    /* TODO Step 7: untrack the dict (and return 1) unless a live entry's key or
     * value may be tracked. */
    (void)op;
    return 0;
}

/* Returns the number of dicts untracked. */
static ml_ssize_t untrack_dicts(gc_head *head)
{
    /* TODO Step 7: dict_maybe_untrack each dict of the list; count them. */
    (void)head;
    return 0;
}

/* ================================================================ legacy finalizers */

/*
 * An object whose type has tp_del (a legacy finalizer, the pre-PEP 442
 * __del__ of C types) cannot be collected safely: the collector does not
 * know in which order to run them.  It goes to gc.garbage, and so does
 * everything it reaches, all left alive.
 */
static int has_legacy_finalizer(const ml_object *op) { return ML_TYPE(op)->tp_del != NULL; }

/* Also clears NEXT_MASK_UNREACHABLE: `unreachable` is a normal list after. */
static void move_legacy_finalizers(gc_head *unreachable, gc_head *finalizers)
{
    /* Given: the clean-up step 2 needs -- every NEXT_MASK_UNREACHABLE goes. */
    for (gc_head *g = gc_next(unreachable); g != unreachable; g = gc_next(g))
        g->gc_next &= ~NEXT_MASK_UNREACHABLE;
    /* TODO Step 5: also move the objects with a legacy finalizer to
     * `finalizers`, COLLECTING cleared. */
    (void)finalizers;
}

static int visit_move(ml_object *op, void *arg)
{
    /* TODO Step 5: a GC object still COLLECTING moves to the list `arg`, COLLECTING
     * cleared. */
    (void)op;
    (void)arg;
    return 0;
}

/* The list grows while it is walked: whatever is appended is walked too. */
static void move_legacy_finalizer_reachable(gc_head *finalizers)
{
    /* TODO Step 5: traverse each object with visit_move. */
    (void)finalizers;
}

/* ================================================================ PEP 442 finalizers */

/* Call tp_finalize (if any) unless it ran before; the caller holds a
 * reference.  An exception it leaves is reported, not propagated. */
static void call_finalizer_once(ml_object *op)
{
    /* TODO Step 4: if the type has tp_finalize and the object is not
     * FINALIZED: set FINALIZED, call it, report an exception it left as
     * unraisable.  An exception already set when you are called is not the
     * finalizer's: set it aside around the call and put it back after. */
    (void)op;
}

/* Run every finalizer of the unreachable set; returns how many ran.  A
 * finalizer may free other members (they unlink themselves) or resurrect
 * them, so the walk takes the head each time and parks what it has seen. */
static ml_ssize_t finalize_garbage(gc_head *collectable)
{
    /* TODO Step 4: see the comment above; count the finalizers called. */
    (void)collectable;
    return 0;
}

/* After the finalizers, some of the set may be reachable again: run the
 * gc_refs analysis on the set alone.  What is still unreachable goes to
 * `still_unreachable`; the resurrected objects join the old generation.
 * When no finalizer ran, no code ran: the analysis would find the same set
 * in the same order, so it is skipped (CPython runs it anyway). */
static void handle_resurrected_objects(gc_head *unreachable, gc_head *still_unreachable,
                                       gc_head *old, ml_ssize_t finalizers_called)
{
    /* TODO Step 4: see the comment above.  Until then, everything stays
     * unreachable. */
    (void)old;
    (void)finalizers_called;
    gclist_init(still_unreachable);
    gclist_merge(unreachable, still_unreachable);
}

int gc_call_finalizer_from_dealloc(ml_object *op)
{
    /* TODO Step 4: fatal if the refcount is not 0; set it to 1, call
     * the finalizer (once per object for GC objects), take the 1
     * back; -1 if the refcount is still above 0. */
    (void)op;
    return 0;
}

/* ================================================================ deleting garbage */

static ml_object *garbage_list(void);

/* Break the cycles: tp_clear drops each object's references, and refcounting
 * frees what that orphans.  An object still at the head afterwards survived
 * (something else still holds it) and moves to the old generation. */
static void delete_garbage(gc_head *collectable, gc_head *old)
{
    /* TODO Step 2: until the list is empty: take its first object; under
     * DEBUG_SAVEALL append it to gc.garbage, else call tp_clear (if any)
     * holding a reference, reporting an exception as unraisable; if it is
     * still first afterwards, clear COLLECTING and move it to `old`.
     * Step 5 adds the DEBUG_SAVEALL case. */
    gclist_merge(collectable, old); /* keeps them all alive: replace this */
}

/* gc.garbage gets each object with a legacy finalizer (everything under
 * DEBUG_SAVEALL); the whole list stays alive in the old generation. */
static void handle_legacy_finalizers(gc_head *finalizers, gc_head *old)
{
    /* TODO Step 5: see the comment above. */
    gclist_merge(finalizers, old);
}

/* ================================================================ one collection */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void debug_object(const char *what, ml_object *op)
{
    fprintf(ml_debug_stream(), "gc: %s <%s %p>\n", what, ML_TYPE(op)->tp_name, (void *)op);
}

static void debug_generations(int generation)
{
    FILE *out = ml_debug_stream();
    fprintf(out, "gc: collecting generation %d...\n", generation);
    fprintf(out, "gc: objects in each generation:");
    for (int i = 0; i < GC_NUM_GENERATIONS; i++)
        fprintf(out, " %zd", gclist_size(generation_head(i)));
    fprintf(out, "\ngc: objects in permanent generation: %zd\n", gclist_size(&gc.permanent.head));
}

/* The old generation takes the `survivors` reachable objects of young.
 * Updates the long-lived bookkeeping (CPython's 25 % rule). */
static void promote_survivors(int generation, gc_head *young, gc_head *old, ml_ssize_t survivors)
{
    /* TODO Step 3: untrack tuples (step 7); merge young into old, adding the
     * survivors to long_lived_pending when generation 1 was collected; a
     * full collection instead untracks dicts (step 7) and resets
     * long_lived_pending to 0 and long_lived_total to the survivors. */
    (void)generation;
    (void)survivors;
    gclist_merge(young, old);
}

/* gc_collect_main: collect generations 0..generation.  Sets *collected (m:
 * objects cleared or saved) and *uncollectable (n: legacy finalizers and
 * what they reach); returns n + m. */
static ml_ssize_t collect_main(int generation, ml_ssize_t *collected, ml_ssize_t *uncollectable)
{
    double t0 = 0;
    if (gc.debug & GC_DEBUG_STATS) {
        debug_generations(generation);
        t0 = now_seconds();
    }
    if (generation + 1 < GC_NUM_GENERATIONS)
        gc.generations[generation + 1].count += 1;
    for (int i = 0; i <= generation; i++)
        gc.generations[i].count = 0;
    for (int i = 0; i < generation; i++)
        gclist_merge(generation_head(i), generation_head(generation));

    gc_head *young = generation_head(generation);
    gc_head *old = generation + 1 < GC_NUM_GENERATIONS ? generation_head(generation + 1) : young;

    gc_head unreachable, finalizers, final_unreachable;
    ml_ssize_t survivors = deduce_unreachable(young, &unreachable);
    promote_survivors(generation, young, old, survivors);

    gclist_init(&finalizers);
    move_legacy_finalizers(&unreachable, &finalizers);
    move_legacy_finalizer_reachable(&finalizers);
    if (gc.debug & GC_DEBUG_COLLECTABLE)
        for (gc_head *g = gc_next(&unreachable); g != &unreachable; g = gc_next(g))
            debug_object("collectable", GC_OBJECT(g));

    ml_ssize_t finalizers_called = finalize_garbage(&unreachable);
    handle_resurrected_objects(&unreachable, &final_unreachable, old, finalizers_called);

    ml_ssize_t m = gclist_size(&final_unreachable);
    delete_garbage(&final_unreachable, old);

    ml_ssize_t n = 0;
    for (gc_head *g = gc_next(&finalizers); g != &finalizers; g = gc_next(g)) {
        n++;
        if (gc.debug & GC_DEBUG_UNCOLLECTABLE)
            debug_object("uncollectable", GC_OBJECT(g));
    }
    if (gc.debug & GC_DEBUG_STATS)
        fprintf(ml_debug_stream(), "gc: done, %zd unreachable, %zd uncollectable, %.4fs elapsed\n",
                n + m, n, now_seconds() - t0);
    handle_legacy_finalizers(&finalizers, old);

    gc_generation_stats *stats = &gc.stats[generation];
    stats->collections++;
    stats->collected += m;
    stats->uncollectable += n;
    *collected = m;
    *uncollectable = n;
    return n + m;
}

static void invoke_callbacks(const char *phase, int generation, ml_ssize_t collected,
                             ml_ssize_t uncollectable)
{
    /* TODO Step 6: call every registered callback with (phase, info, ctx). */
    (void)phase;
    (void)generation;
    (void)collected;
    (void)uncollectable;
}

static ml_ssize_t collect_with_callbacks(int generation)
{
    ml_ssize_t collected = 0, uncollectable = 0;
    invoke_callbacks("start", generation, 0, 0);
    ml_ssize_t result = collect_main(generation, &collected, &uncollectable);
    invoke_callbacks("stop", generation, collected, uncollectable);
    return result;
}

/* ================================================================ when collections run */

/* The oldest generation whose count passed its threshold is collected (with
 * the younger ones), except that a full collection waits until enough
 * objects are pending (the 25 % rule); then generation 1 may go instead. */
static void collect_generations(void)
{
    /* TODO Step 3: from the oldest generation down, collect the first one
     * whose count passed its threshold -- except generation 2 while
     * long_lived_pending < long_lived_total / 4. */
}

/* ================================================================ the gc module */

ml_ssize_t gc_collect(int generation)
{
    ensure_ready();
    /* TODO Step 2: ValueError "invalid generation" (-1) outside 0..2; 0 while a
     * collection runs; else set `collecting` around collect_with_callbacks(). */
    (void)generation;
    return 0;
}

void gc_enable(void)
{
    ensure_ready();
    /* TODO Step 3. */
}

void gc_disable(void)
{
    ensure_ready();
    /* TODO Step 3. */
}

int gc_isenabled(void)
{
    ensure_ready();
    /* TODO Step 3. */
    return 0;
}

void gc_set_debug(int flags)
{
    ensure_ready();
    /* TODO Step 6. */
    (void)flags;
}

int gc_get_debug(void)
{
    ensure_ready();
    /* TODO Step 6. */
    return 0;
}

void gc_set_threshold(int threshold0, int threshold1, int threshold2)
{
    ensure_ready();
    /* TODO Step 3. */
    (void)threshold0;
    (void)threshold1;
    (void)threshold2;
}

void gc_get_threshold(int out[GC_NUM_GENERATIONS])
{
    ensure_ready();
    /* TODO Step 3. */
    for (int i = 0; i < GC_NUM_GENERATIONS; i++)
        out[i] = 0;
}

void gc_get_count(int out[GC_NUM_GENERATIONS])
{
    ensure_ready();
    /* TODO Step 3. */
    for (int i = 0; i < GC_NUM_GENERATIONS; i++)
        out[i] = 0;
}

void gc_get_stats(gc_generation_stats out[GC_NUM_GENERATIONS])
{
    ensure_ready();
    /* TODO Step 5. */
    for (int i = 0; i < GC_NUM_GENERATIONS; i++)
        out[i] = (gc_generation_stats){0, 0, 0};
}

/* gc.garbage is made on first use, outside every generation (untracked) so
 * that it never shows in the counts and sizes tests look at.  Its items
 * stay alive: an untracked list's references count as external. */
static ml_object *garbage_list(void)
{
    if (gc.garbage != NULL)
        return gc.garbage;
    int count0 = gc.generations[0].count;
    int was_collecting = gc.collecting;
    gc.collecting = 1; /* its allocation must not start a collection */
    gc.garbage = list_new(0);
    gc.collecting = was_collecting;
    gc.generations[0].count = count0;
    if (gc.garbage != NULL)
        gc_untrack(gc.garbage);
    return gc.garbage;
}

ml_object *gc_garbage(void)
{
    ensure_ready();
    /* TODO Step 5: the list garbage_list() makes. */
    return NULL;
}

int gc_callbacks_add(gc_callback_fn fn, void *ctx)
{
    ensure_ready();
    /* TODO Step 6: append (fn, ctx), growing a RAW array. */
    (void)fn;
    (void)ctx;
    return -1;
}

int gc_callbacks_remove(gc_callback_fn fn, void *ctx)
{
    ensure_ready();
    /* TODO Step 6: remove the first match; ValueError
     * "list.remove(x): x not in list" and -1 if there is none. */
    (void)fn;
    (void)ctx;
    return -1;
}

void gc_freeze(void)
{
    ensure_ready();
    /* TODO Step 6: every generation into the permanent one, counts 0. */
}

void gc_unfreeze(void)
{
    ensure_ready();
    /* TODO Step 6: the permanent generation into generation 2. */
}

ml_ssize_t gc_get_freeze_count(void)
{
    ensure_ready();
    /* TODO Step 6. */
    return 0;
}

/* ---------------------------------------------------------------- referrers and referents */

typedef struct referrer_search {
    ml_object *const *objs;
    size_t n;
} referrer_search;

static int visit_is_wanted(ml_object *op, void *arg)
{
    /* TODO Step 6: 1 (stop) if op is one of the searched objects. */
    (void)op;
    (void)arg;
    return 0;
}

ml_object *gc_get_referrers(ml_object *const *objs, size_t n)
{
    ensure_ready();
    /* TODO Step 6: a new list of the objects of generations 0..2 (not the result
     * itself) whose traverse visits one of objs. */
    (void)objs;
    (void)n;
    return NULL;
}

static int visit_append(ml_object *op, void *arg)
{
    /* TODO Step 6. */
    (void)op;
    (void)arg;
    return -1;
}

ml_object *gc_get_referents(ml_object *const *objs, size_t n)
{
    ensure_ready();
    /* TODO Step 6: a new list of what each GC object of objs visits. */
    (void)objs;
    (void)n;
    return NULL;
}

static int append_generation(ml_object *result, gc_head *head)
{
    /* TODO Step 6. */
    (void)result;
    (void)head;
    return -1;
}

ml_object *gc_get_objects(int generation)
{
    ensure_ready();
    /* TODO Step 6: the errors of the header, then a new list of generation
     * `generation` (all three for -1), without the result itself. */
    (void)generation;
    return NULL;
}

ml_ssize_t gc_generation_size(int generation)
{
    ensure_ready();
    if (generation < 0 || generation >= GC_NUM_GENERATIONS) {
        err_set(ML_EXC_VALUE_ERROR, "invalid generation");
        return -1;
    }
    return gclist_size(generation_head(generation));
}

/* ---------------------------------------------------------------- reset */

void gc_reset_state(void)
{
    ensure_ready();
    static const int thresholds[GC_NUM_GENERATIONS] = {700, 10, 10};
    for (int i = 0; i < GC_NUM_GENERATIONS; i++) {
        gc.generations[i].threshold = thresholds[i];
        gc.generations[i].count = 0;
        gc.stats[i] = (gc_generation_stats){0, 0, 0};
    }
    gc.enabled = 1;
    gc.debug = 0;
    gc.collecting = 0;
    gc.long_lived_total = 0;
    gc.long_lived_pending = 0;
    mem_free(MEM_DOMAIN_RAW, gc.callbacks);
    gc.callbacks = NULL;
    gc.ncallbacks = gc.callbacks_capacity = 0;
    ml_object *garbage = gc.garbage;
    gc.garbage = NULL;
    if (garbage != NULL)
        obj_decref(garbage); /* releases everything it held */
    /* Those releases may have freed GC objects: the counts start from 0. */
    gc.generations[0].count = 0;
}
