/*
 * fixture.c -- the cycles tests' object types and the per-test fixture (see
 * cycles_test.h).
 */
#include "cycles_test.h"
#include "mlalloc.h"
#include "mltest.h"

#include <stdlib.h>
#include <string.h>

ml_object *node_lazarus;

static int events[EV_KINDS][NODE_MAX_ID];
static int events_total[EV_KINDS];
static int alive;
static int sequence[NODE_MAX_SEQUENCE];
static int sequence_length;

static void log_event(node_event kind, int id)
{
    if (id >= 0 && id < NODE_MAX_ID)
        events[kind][id]++;
    events_total[kind]++;
    if (sequence_length < NODE_MAX_SEQUENCE)
        sequence[sequence_length++] = NODE_EVENT(kind, id);
}

int node_sequence_length(void) { return sequence_length; }

int node_sequence(int i) { return i >= 0 && i < sequence_length ? sequence[i] : -1; }

int node_events(node_event kind, int id)
{
    return id >= 0 && id < NODE_MAX_ID ? events[kind][id] : 0;
}

int node_events_total(node_event kind) { return events_total[kind]; }

int node_alive(void) { return alive; }

/* ------------------------------------------------------------ type slots */

static int node_traverse(ml_object *self, ml_visitproc visit, void *arg)
{
    node *n = (node *)self;
    for (int i = 0; i < NODE_SLOTS; i++) {
        if (n->slot[i] != NULL) {
            int r = visit(n->slot[i], arg);
            if (r != 0)
                return r;
        }
    }
    return 0;
}

static int node_clear(ml_object *self)
{
    node *n = (node *)self;
    log_event(EV_CLEAR, n->id);
    for (int i = 0; i < NODE_SLOTS; i++)
        OBJ_CLEAR(n->slot[i]);
    if (n->flags & NODE_CLEAR_RAISES)
        err_set(ML_EXC_RUNTIME_ERROR, "clear failed");
    return 0;
}

static void node_finalize(ml_object *self)
{
    node *n = (node *)self;
    log_event(EV_FINALIZE, n->id);
    if ((n->flags & NODE_RESURRECT) && node_lazarus == NULL)
        node_lazarus = obj_newref(self);
    if (n->flags & NODE_FINALIZER_CUTS)
        OBJ_CLEAR(n->slot[0]);
    if (n->flags & NODE_FINALIZER_RAISES)
        err_set(ML_EXC_RUNTIME_ERROR, "finalizer failed");
}

static void node_del(ml_object *self) { log_event(EV_DEL, ((node *)self)->id); }

/* Like subtype_dealloc: a finalizer runs first, with the object tracked,
 * and may resurrect it; then the references go and the memory is freed. */
static void node_dealloc(ml_object *self)
{
    node *n = (node *)self;
    gc_untrack(self);
    if (ML_TYPE(self)->tp_finalize != NULL) {
        gc_track(self);
        if (gc_call_finalizer_from_dealloc(self) < 0)
            return; /* resurrected */
        gc_untrack(self);
    }
    if (ML_TYPE(self)->tp_del != NULL)
        ML_TYPE(self)->tp_del(self);
    for (int i = 0; i < NODE_SLOTS; i++)
        OBJ_CLEAR(n->slot[i]);
    log_event(EV_DEALLOC, n->id);
    alive--;
    ML_TYPE(self)->tp_free(self);
}

ml_type node_type = {
    .tp_name = "node",
    .tp_basicsize = sizeof(node),
    .tp_flags = ML_TPFLAGS_HAVE_GC,
    .tp_dealloc = node_dealloc,
    .tp_traverse = node_traverse,
    .tp_clear = node_clear,
    .tp_free = gc_free,
};

ml_type fin_node_type = {
    .tp_name = "fin_node",
    .tp_basicsize = sizeof(node),
    .tp_flags = ML_TPFLAGS_HAVE_GC,
    .tp_dealloc = node_dealloc,
    .tp_traverse = node_traverse,
    .tp_clear = node_clear,
    .tp_finalize = node_finalize,
    .tp_free = gc_free,
};

ml_type del_node_type = {
    .tp_name = "del_node",
    .tp_basicsize = sizeof(node),
    .tp_flags = ML_TPFLAGS_HAVE_GC,
    .tp_dealloc = node_dealloc,
    .tp_traverse = node_traverse,
    .tp_clear = node_clear,
    .tp_del = node_del,
    .tp_free = gc_free,
};

ml_type noclear_node_type = {
    .tp_name = "noclear_node",
    .tp_basicsize = sizeof(node),
    .tp_flags = ML_TPFLAGS_HAVE_GC,
    .tp_dealloc = node_dealloc,
    .tp_traverse = node_traverse,
    .tp_free = gc_free,
};

/* ------------------------------------------------------------ building graphs */

ml_object *node_new(ml_type *type, int id)
{
    ml_object *op = obj_new(type);
    ck_assert_msg(op != NULL, "obj_new(%s) failed", type->tp_name);
    ((node *)op)->id = id;
    alive++;
    gc_track(op);
    return op;
}

ml_object *must(ml_object *op, const char *what)
{
    ck_assert_msg(op != NULL, "%s returned NULL", what);
    return op;
}

void node_set(ml_object *from, int i, ml_object *to)
{
    obj_xincref(to);
    OBJ_XSETREF(((node *)from)->slot[i], to);
}

void node_pair(ml_object *a, ml_object *b)
{
    node_set(a, 0, b);
    node_set(b, 0, a);
}

/* ------------------------------------------------------------ fixture */

/* Break the cycles of everything in gc.garbage with its type's tp_clear,
 * then let go of it (its slots become None). */
void node_release_garbage(void)
{
    ml_object *garbage = gc_garbage();
    if (garbage == NULL)
        return;
    ml_object *none = ML_NONE;
    ml_ssize_t n = list_size(garbage);
    for (ml_ssize_t i = 0; i < n; i++) {
        ml_object *op = list_getitem(garbage, i);
        if (ML_TYPE(op)->tp_clear != NULL)
            ML_TYPE(op)->tp_clear(op);
    }
    err_clear();
    for (ml_ssize_t i = 0; i < n; i++)
        list_setitem(garbage, i, none);
}

/* The collector is left as the process found it: each test runs in a process
 * of its own, so its first gc_* call is the first of the process, as in a
 * program that never asked for a reset (the teardown resets it). */
void ml_lab_setup(void)
{
    ml_runtime_init();
    memset(events, 0, sizeof events);
    memset(events_total, 0, sizeof events_total);
    alive = 0;
    sequence_length = 0;
    node_lazarus = NULL;
}

void ml_lab_teardown(void)
{
    err_clear();
    OBJ_CLEAR(node_lazarus);
    node_release_garbage();
    ml_runtime_fini();
}

/* ==================================================================== allocators that refuse */

static ml_alloc refusing;

void refuse_allocations(mem_domain domain)
{
    refusing = (ml_alloc)ML_ALLOC_REFUSE_ALL;
    if (domain == MEM_DOMAIN_OBJ)
        refusing.size = sizeof(gc_head) + 1000;
    ml_alloc_install(&refusing, domain);
}

void restore_allocations(mem_domain domain)
{
    (void)domain;
    ml_alloc_remove(&refusing);
}
