/*
 * fixture.c -- the refcount lab's per-test fixture and the probe objects
 * (see refcount_test.h).
 *
 * Each test starts a fresh runtime with the collector disabled, so that no
 * automatic collection runs inside an allocation and every refcount the
 * test asserts is exactly the one the object layer produced.
 */
#include "refcount_test.h"

#include <stdio.h>
#include <string.h>

int dealloc_log[DEALLOC_LOG_MAX];
int dealloc_count;
int visit_log[64];
int visit_count;

void ml_lab_setup(void)
{
    ml_runtime_init();
    gc_disable();
    dealloc_count = 0;
    visit_count = 0;
    obj_trashcan_reset_max_depth();
}

void ml_lab_teardown(void) { ml_runtime_fini(); }

/* ==================================================================== probes */

static void probe_dealloc(ml_object *op)
{
    if (dealloc_count < DEALLOC_LOG_MAX)
        dealloc_log[dealloc_count] = ((probe *)op)->id;
    dealloc_count++;
    ML_TYPE(op)->tp_free(op);
}

static uint64_t probe_hash(ml_object *op) { return (uint64_t)((probe *)op)->id; }

static int probe_equal(ml_object *a, ml_object *b) { return ((probe *)a)->id == ((probe *)b)->id; }

ml_type probe_type = {
    .tp_name = "probe",
    .tp_basicsize = sizeof(probe),
    .tp_dealloc = probe_dealloc,
    .tp_free = obj_free,
    .tp_hash = probe_hash,
    .tp_equal = probe_equal,
};

static void gc_probe_dealloc(ml_object *op)
{
    gc_untrack(op);
    probe_dealloc(op);
}

ml_type gc_probe_type = {
    .tp_name = "gc_probe",
    .tp_basicsize = sizeof(probe),
    .tp_flags = ML_TPFLAGS_HAVE_GC,
    .tp_dealloc = gc_probe_dealloc,
    .tp_free = gc_free,
};

ml_object *probe_new(int id)
{
    probe *op = (probe *)obj_new(&probe_type);
    if (op != NULL)
        op->id = id;
    return (ml_object *)op;
}

int probe_id(const ml_object *op)
{
    if (op == NULL || (ML_TYPE(op) != &probe_type && ML_TYPE(op) != &gc_probe_type))
        return -1;
    return ((const probe *)op)->id;
}

int record_visit(ml_object *op, void *arg)
{
    (void)arg;
    if (visit_count < 64)
        visit_log[visit_count] = probe_id(op);
    visit_count++;
    return 0;
}

size_t live_blocks(void)
{
    mem_stats stats;
    mem_get_stats(&stats);
    return stats.blocks;
}
