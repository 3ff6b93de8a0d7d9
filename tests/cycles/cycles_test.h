/*
 * cycles_test.h -- the object types the cycles tests build graphs from, and
 * the fixture that runs around every test (fixture.c).
 *
 * A node is a GC container with NODE_SLOTS reference slots and an id.  Four
 * types share the layout and differ only in their finalizers:
 *
 *     node_type          traverse + clear, no finalizer        (a plain class)
 *     fin_node_type      + tp_finalize: PEP 442, like __del__  (may resurrect)
 *     del_node_type      + tp_del: a legacy finalizer          (uncollectable)
 *     noclear_node_type  traverse but no clear                 (cleared by others)
 *
 * Every finalizer call, clear and dealloc is logged by id, so a test can ask
 * "which nodes were freed" as a set and "how many times did X finalize".
 */
#ifndef CYCLES_TEST_H
#define CYCLES_TEST_H

#include "memlab/cycles.h"
#include "memlab/errors.h"
#include "memlab/mem.h"
#include "memlab/runtime.h"

#define NODE_SLOTS  4
#define NODE_MAX_ID 4096

/* Behaviour flags of one node. */
#define NODE_RESURRECT        1u /* its tp_finalize stores it in node_lazarus (once) */
#define NODE_FINALIZER_RAISES 2u /* its tp_finalize leaves a RuntimeError set */
#define NODE_CLEAR_RAISES     4u /* its tp_clear leaves a RuntimeError set */
#define NODE_FINALIZER_CUTS   8u /* its tp_finalize clears its own slot 0 */

typedef struct node {
    ml_object ob_base;
    int id;
    unsigned flags;
    ml_object *slot[NODE_SLOTS];
} node;

extern ml_type node_type, fin_node_type, del_node_type, noclear_node_type;

/* A new tracked node (new reference).  Fails the test on MemoryError. */
ml_object *node_new(ml_type *type, int id);
/* from.slot[i] = to: increfs `to` (may be NULL), releases the old value. */
void node_set(ml_object *from, int i, ml_object *to);
/* Shorthand: node_set(a, 0, b); node_set(b, 0, a): a 2-cycle. */
void node_pair(ml_object *a, ml_object *b);

/* What happened to nodes since the test started. */
typedef enum node_event { EV_FINALIZE, EV_DEL, EV_CLEAR, EV_DEALLOC, EV_KINDS } node_event;
int node_events(node_event kind, int id); /* times `kind` happened to node `id` */
int node_events_total(node_event kind);   /* over all ids */
int node_alive(void);                     /* nodes allocated and not yet freed */
/* Every event in order, as NODE_EVENT(kind, id). */
#define NODE_MAX_SEQUENCE    1024
#define NODE_EVENT(kind, id) ((int)(kind)*NODE_MAX_ID + (id))
int node_sequence_length(void);
int node_sequence(int i);

/* Where a NODE_RESURRECT finalizer puts its node (owned reference). */
extern ml_object *node_lazarus;

/* A new object from the object layer, or the test fails here (instead of
 * crashing later on a NULL). */
ml_object *must(ml_object *op, const char *what);

/* Reference counts as a C owner sees them (no +1 for an argument). */
#define REFS(op) (ML_REFCNT(op))

/* Break and release everything left in gc.garbage (tests that make
 * uncollectable garbage call it; the teardown does too). */
void node_release_garbage(void);

/* Make `domain` refuse its requests (mlalloc.h): MEM_DOMAIN_OBJ only those
 * of gc_alloc(1000)'s block, so that the exception objects that report the
 * failure can still be made; any other domain every request.
 * restore_allocations() gives it back the allocator it had. */
void refuse_allocations(mem_domain domain);
void restore_allocations(mem_domain domain);

#endif /* CYCLES_TEST_H */
