/*
 * cycles_given.c -- the given part of the cycles lab: the collector's state,
 * the driver of one collection (collect_main, which calls the steps you
 * write in cycles.c in CPython's order), gc.garbage's list, the debug
 * output and the reset.  Declarations in memlab/internal/cycles.h.  The
 * grader builds this file from the kit, beside your cycles.c.
 */
#include "memlab/errors.h"
#include "memlab/internal/cycles.h"
#include "memlab/mem.h"
#include "memlab/runtime.h"

#include <stdio.h>
#include <time.h>

struct gc_collector_state gc_state;

void ensure_ready(void)
{
    if (gc_state.ready)
        return;
    gc_state.ready = 1;
    for (int i = 0; i < GC_NUM_GENERATIONS; i++)
        gclist_init(generation_head(i));
    gclist_init(&gc_state.permanent.head);
    gc_reset_state();
}

ml_ssize_t deduce_unreachable(gc_head *base, gc_head *unreachable)
{
    update_refs(base);
    subtract_refs(base);
    gclist_init(unreachable);
    return move_unreachable(base, unreachable);
}

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
    fprintf(out, "\ngc: objects in permanent generation: %zd\n",
            gclist_size(&gc_state.permanent.head));
}

/* CPython's gc_collect_main: collect generations 0..generation.  Sets *collected (m:
 * objects cleared or saved) and *uncollectable (n: legacy finalizers and
 * what they reach); returns n + m. */
static ml_ssize_t collect_main(int generation, ml_ssize_t *collected, ml_ssize_t *uncollectable)
{
    double t0 = 0;
    if (gc_state.debug & GC_DEBUG_STATS) {
        debug_generations(generation);
        t0 = now_seconds();
    }
    if (generation + 1 < GC_NUM_GENERATIONS)
        gc_state.generations[generation + 1].count += 1;
    for (int i = 0; i <= generation; i++)
        gc_state.generations[i].count = 0;
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
    if (gc_state.debug & GC_DEBUG_COLLECTABLE)
        for (gc_head *g = gc_next(&unreachable); g != &unreachable; g = gc_next(g))
            debug_object("collectable", GC_OBJECT(g));

    ml_ssize_t finalizers_called = finalize_garbage(&unreachable);
    handle_resurrected_objects(&unreachable, &final_unreachable, old, finalizers_called);

    ml_ssize_t m = gclist_size(&final_unreachable);
    delete_garbage(&final_unreachable, old);

    ml_ssize_t n = 0;
    for (gc_head *g = gc_next(&finalizers); g != &finalizers; g = gc_next(g)) {
        n++;
        if (gc_state.debug & GC_DEBUG_UNCOLLECTABLE)
            debug_object("uncollectable", GC_OBJECT(g));
    }
    if (gc_state.debug & GC_DEBUG_STATS)
        fprintf(ml_debug_stream(), "gc: done, %zd unreachable, %zd uncollectable, %.4fs elapsed\n",
                n + m, n, now_seconds() - t0);
    handle_legacy_finalizers(&finalizers, old);

    gc_generation_stats *stats = &gc_state.stats[generation];
    stats->collections++;
    stats->collected += m;
    stats->uncollectable += n;
    *collected = m;
    *uncollectable = n;
    return n + m;
}

ml_ssize_t collect_with_callbacks(int generation)
{
    ml_ssize_t collected = 0, uncollectable = 0;
    invoke_callbacks("start", generation, 0, 0);
    ml_ssize_t result = collect_main(generation, &collected, &uncollectable);
    invoke_callbacks("stop", generation, collected, uncollectable);
    return result;
}

/* gc.garbage is made on first use, outside every generation (untracked) so
 * that it never shows in the counts and sizes tests look at.  Its items
 * stay alive: an untracked list's references count as external. */
ml_object *garbage_list(void)
{
    if (gc_state.garbage != NULL)
        return gc_state.garbage;
    int count0 = gc_state.generations[0].count;
    int was_collecting = gc_state.collecting;
    gc_state.collecting = 1; /* its allocation must not start a collection */
    gc_state.garbage = list_new(0);
    gc_state.collecting = was_collecting;
    gc_state.generations[0].count = count0;
    if (gc_state.garbage != NULL)
        gc_untrack(gc_state.garbage);
    return gc_state.garbage;
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

void gc_reset_state(void)
{
    ensure_ready();
    static const int thresholds[GC_NUM_GENERATIONS] = {700, 10, 10};
    for (int i = 0; i < GC_NUM_GENERATIONS; i++) {
        gc_state.generations[i].threshold = thresholds[i];
        gc_state.generations[i].count = 0;
        gc_state.stats[i] = (gc_generation_stats){0, 0, 0};
    }
    gc_state.enabled = 1;
    gc_state.debug = 0;
    gc_state.collecting = 0;
    gc_state.long_lived_total = 0;
    gc_state.long_lived_pending = 0;
    mem_free(MEM_DOMAIN_RAW, gc_state.callbacks);
    gc_state.callbacks = NULL;
    gc_state.ncallbacks = gc_state.callbacks_capacity = 0;
    ml_object *garbage = gc_state.garbage;
    gc_state.garbage = NULL;
    if (garbage != NULL)
        obj_decref(garbage); /* releases everything it held */
    /* Those releases may have freed GC objects: the counts start from 0. */
    gc_state.generations[0].count = 0;
}
