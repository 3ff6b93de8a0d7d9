/*
 * memlab/cycles.h -- the cycles layer: a generational cycle collector as
 * CPython 3.11 has it (Modules/gcmodule.c).  Implemented by the cycles lab
 * (labs/cycles/cycles.c).
 *
 * Memory layout of a GC object (a type with ML_TPFLAGS_HAVE_GC):
 *
 *     gc_alloc() returns here --+
 *                               v
 *     +-----------+-----------+-----------+------------------+
 *     | gc_next   | gc_prev   | ob_refcnt | ob_type | fields |
 *     +-----------+-----------+-----------+------------------+
 *     \__ gc_head (16 B) ____/ \__ ml_object ______________/
 *
 * gc_next == 0 means "not tracked".  The low two bits of gc_prev are flags
 * (FINALIZED, COLLECTING); during a collection gc_prev >> 2 holds gc_refs.
 * The trashcan (object.h) threads its delete-later list through gc_prev of
 * objects whose refcount is already 0, which is why only GC objects use it.
 */
#ifndef MEMLAB_CYCLES_H
#define MEMLAB_CYCLES_H

#include "memlab/object.h"

#include <stdint.h>
#include <stdio.h>

typedef struct gc_head {
    uintptr_t gc_next; /* next in the generation list; 0 when untracked */
    uintptr_t gc_prev; /* prev in the list | flags (low 2 bits) */
} gc_head;

#define GC_HEAD(op)             (((gc_head *)(op)) - 1)
#define GC_OBJECT(g)            ((ml_object *)(((gc_head *)(g)) + 1))
#define GC_PREV_MASK_FINALIZED  ((uintptr_t)1)
#define GC_PREV_MASK_COLLECTING ((uintptr_t)2)
#define GC_PREV_SHIFT           2

#define GC_NUM_GENERATIONS 3

/* Debug flags (gc.set_debug). Output goes to ml_debug_stream() (runtime.h). */
#define GC_DEBUG_STATS         1
#define GC_DEBUG_COLLECTABLE   2
#define GC_DEBUG_UNCOLLECTABLE 4
#define GC_DEBUG_SAVEALL       32
#define GC_DEBUG_LEAK          (GC_DEBUG_COLLECTABLE | GC_DEBUG_UNCOLLECTABLE | GC_DEBUG_SAVEALL)

/* ---- allocation and tracking (PyObject_GC_New, PyObject_GC_Del, ...) ---- */

/* Memory for a GC object of `basicsize` bytes with a gc_head in front;
 * returns the object's address (after the head), untracked, not zeroed, or
 * NULL with MemoryError.  Counts one allocation in generation 0 and, when
 * that count passes threshold 0 (and the collector is enabled and idle, and
 * no exception is set), runs the automatic collection first. */
void *gc_alloc(size_t basicsize);
/* PyObject_GC_Del: frees a GC object's memory (untracking it if needed);
 * generation 0's count goes down by one if it is above zero. */
void gc_free(void *op);

/* _PyObject_GC_TRACK: add to the tail of generation 0.  Fatal if already
 * tracked ("object already tracked by the garbage collector"). */
void gc_track(ml_object *op);
/* PyObject_GC_UnTrack: remove from its generation; an untracked object is
 * left alone.  Keeps only the FINALIZED flag. */
void gc_untrack(ml_object *op);
int gc_is_tracked(const ml_object *op);
/* 1 once the object's tp_finalize has been called by the collector or by
 * gc_call_finalizer_from_dealloc. */
int gc_is_finalized(const ml_object *op);

/* PyObject_CallFinalizerFromDealloc, for a dealloc of a type with
 * tp_finalize: temporarily resurrects op (refcount 0 -> 1), calls the
 * finalizer once per object ever, and returns -1 if the object was
 * resurrected (the dealloc must stop), 0 if it may go on. */
int gc_call_finalizer_from_dealloc(ml_object *op);

/* ---- collection ---- */

/* gc.collect(generation): collect generations 0..generation and return the
 * number of unreachable objects found, as CPython counts it (cleared or
 * saved objects + legacy-finalizer objects).  Invalid generation: -1 and
 * ValueError "invalid generation".  0 if a collection is already running.
 * Works while the collector is disabled. */
ml_ssize_t gc_collect(int generation);

void gc_enable(void);
void gc_disable(void);
int gc_isenabled(void);
void gc_set_debug(int flags);
int gc_get_debug(void);

/* Thresholds (700, 10, 10) and counts, per generation. */
void gc_set_threshold(int threshold0, int threshold1, int threshold2);
void gc_get_threshold(int out[GC_NUM_GENERATIONS]);
void gc_get_count(int out[GC_NUM_GENERATIONS]);

typedef struct gc_generation_stats {
    ml_ssize_t collections;
    ml_ssize_t collected;
    ml_ssize_t uncollectable;
} gc_generation_stats;
void gc_get_stats(gc_generation_stats out[GC_NUM_GENERATIONS]);

/* gc.garbage: the list (borrowed) of uncollectable objects, or of everything
 * found unreachable under GC_DEBUG_SAVEALL. */
ml_object *gc_garbage(void);

/* gc.callbacks: called as fn(phase, info, ctx) with phase "start" then
 * "stop" around every collection, automatic ones included. */
typedef struct gc_callback_info {
    int generation;
    ml_ssize_t collected;
    ml_ssize_t uncollectable;
} gc_callback_info;
typedef void (*gc_callback_fn)(const char *phase, const gc_callback_info *info, void *ctx);
/* 0, or -1 with MemoryError; the same (fn, ctx) may be added twice. */
int gc_callbacks_add(gc_callback_fn fn, void *ctx);
/* Removes the first matching entry; 0, or -1 with ValueError if absent. */
int gc_callbacks_remove(gc_callback_fn fn, void *ctx);

/* freeze / unfreeze / get_freeze_count: the permanent generation. */
void gc_freeze(void);
void gc_unfreeze(void);
ml_ssize_t gc_get_freeze_count(void);

/* New lists: the tracked objects (generations 0..2) whose traverse visits
 * any of objs[0..n-1]; the objects each GC one among objs visits. */
ml_object *gc_get_referrers(ml_object *const *objs, size_t n);
ml_object *gc_get_referents(ml_object *const *objs, size_t n);
/* New list of the tracked objects in `generation`, or in all three when
 * generation is -1.  ValueError outside -1..2. */
ml_object *gc_get_objects(int generation);

/* Number of objects tracked in one generation (tests and demos). */
ml_ssize_t gc_generation_size(int generation);

/* Untracking (CPython's MAINTAIN_TRACKING / _PyTuple_MaybeUntrack): 1 if the
 * object may be part of a cycle (a tracked GC object), else 0.  Containers
 * use it to decide whether to stay tracked; see the handout. */
int gc_may_be_tracked(const ml_object *op);

/* Reset the collector to its initial state (thresholds, counts, stats,
 * debug, enabled, callbacks, garbage emptied).  Tracked objects stay in
 * their generations.  For test fixtures. */
void gc_reset_state(void);

#endif /* MEMLAB_CYCLES_H */
