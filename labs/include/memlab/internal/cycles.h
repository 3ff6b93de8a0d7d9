/*
 * memlab/internal/cycles.h -- what the cycles lab gives: the collector's
 * state (gc_state), the list and gc_refs primitives on a gc_head, and the
 * declarations that join labs/cycles/cycles.c (the steps you write) to
 * labs/cycles/given/cycles_given.c (the driver of one collection,
 * collect_main, gc.garbage's list, the reset).  The picture of the lists
 * and their invariants are in labs/cycles/cycles.c's header comment; the
 * handout is labs/cycles/README.md.
 *
 * Given code lives here and in labs/cycles/given/, once: the grader
 * compiles and links the kit's copy, never a submission's.
 */
#ifndef MEMLAB_INTERNAL_CYCLES_H
#define MEMLAB_INTERNAL_CYCLES_H

#include "memlab/cycles.h"
#include "memlab/object.h"

#include <stdint.h>

/* ------------------------------------------------------------ state */

typedef struct gc_generation {
    gc_head head;  /* sentinel of the circular list */
    int threshold; /* collect when count > threshold */
    int count;     /* gen 0: allocations; gen 1, 2: collections of the one below */
} gc_generation;

typedef struct gc_callback {
    gc_callback_fn fn;
    void *ctx;
} gc_callback;

struct gc_collector_state {
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
};

extern struct gc_collector_state gc_state;

/* ------------------------------------------------------------ the lists */

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

static inline void gclist_init(gc_head *list)
{
    list->gc_prev = (uintptr_t)list;
    list->gc_next = (uintptr_t)list;
}

static inline int gclist_is_empty(const gc_head *list) { return gc_next(list) == list; }

/* Append `node` at the tail of `list` (the node is in no list). */
static inline void gclist_append(gc_head *node, gc_head *list)
{
    gc_head *last = gc_prev(list);
    gc_set_next(last, node);
    gc_set_prev(node, last);
    gc_set_next(node, list);
    list->gc_prev = (uintptr_t)node;
}

/* Unlink `node` from its list; its own pointers are left stale. */
static inline void gclist_unlink(gc_head *node)
{
    gc_head *prev = gc_prev(node);
    gc_head *next = gc_next(node);
    gc_set_next(prev, next);
    gc_set_prev(next, prev);
}

static inline void gclist_move(gc_head *node, gc_head *list)
{
    gclist_unlink(node);
    gclist_append(node, list);
}

/* Move every node of `from` to the tail of `to`, in order; `from` ends empty. */
static inline void gclist_merge(gc_head *from, gc_head *to)
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

static inline ml_ssize_t gclist_size(const gc_head *list)
{
    ml_ssize_t n = 0;
    for (const gc_head *g = gc_next(list); g != list; g = gc_next(g))
        n++;
    return n;
}

static inline gc_head *generation_head(int i) { return &gc_state.generations[i].head; }

/* gc_refs lives in the pointer bits of gc_prev while a collection runs. */
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

/*
 * An object whose type has tp_del (a legacy finalizer, the pre-PEP 442
 * __del__ of C types) cannot be collected safely: the collector does not
 * know in which order to run them.  It goes to gc.garbage, and so does
 * everything it reaches, all left alive.
 */
static inline int has_legacy_finalizer(const ml_object *op) { return ML_TYPE(op)->tp_del != NULL; }

/* ------------------------------------------------------------ given (cycles_given.c) */

/* There is no init call: any public function may be the first one a program
 * makes.  Each one that reads or changes the collector calls this first. */
void ensure_ready(void);

/* Split `base` into what is reachable from outside it (stays in base) and
 * what is not (moved to `unreachable`, still COLLECTING and masked):
 * update_refs, subtract_refs, move_unreachable.  Returns the number of
 * reachable objects. */
ml_ssize_t deduce_unreachable(gc_head *base, gc_head *unreachable);

/* One collection of generations 0..generation between the "start" and
 * "stop" callbacks; returns the objects found unreachable (collected and
 * uncollectable). */
ml_ssize_t collect_with_callbacks(int generation);

/* gc.garbage, made on first use, untracked; NULL (MemoryError) if it
 * cannot be made. */
ml_object *garbage_list(void);

/* ------------------------------------------------------------ yours (cycles.c) */

/* The steps of one collection, in the order collect_main calls them; the
 * contract of each is above its definition in cycles.c. */
void update_refs(gc_head *containers);
void subtract_refs(gc_head *containers);
ml_ssize_t move_unreachable(gc_head *young, gc_head *unreachable);
void promote_survivors(int generation, gc_head *young, gc_head *old, ml_ssize_t survivors);
void move_legacy_finalizers(gc_head *unreachable, gc_head *finalizers);
void move_legacy_finalizer_reachable(gc_head *finalizers);
ml_ssize_t finalize_garbage(gc_head *collectable);
void handle_resurrected_objects(gc_head *unreachable, gc_head *still_unreachable, gc_head *old,
                                ml_ssize_t finalizers_called);
void delete_garbage(gc_head *collectable, gc_head *old);
void handle_legacy_finalizers(gc_head *finalizers, gc_head *old);
void invoke_callbacks(const char *phase, int generation, ml_ssize_t collected,
                      ml_ssize_t uncollectable);

#endif
