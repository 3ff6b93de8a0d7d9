/*
 * cycles.c -- the cycle collector (reference).  Contracts in memlab/cycles.h.
 *
 * Every GC object has a gc_head in front of it and, while tracked, sits in
 * exactly one of four circular doubly linked lists with a sentinel head:
 * generations 0, 1, 2 and the permanent generation (gc.freeze).
 */
#include "memlab/cycles.h"

#include "memlab/errors.h"
#include "memlab/mem.h"
#include "memlab/runtime.h"

/* ==================================================================== the lists */

typedef struct gc_generation {
    gc_head head; /* sentinel of a circular list */
    int threshold;
    int count;
} gc_generation;

static struct {
    gc_generation generations[GC_NUM_GENERATIONS];
    gc_generation permanent;
    int enabled;
    int collecting;
} gc;

#define GC_PREV_POINTER_MASK (~(GC_PREV_MASK_FINALIZED | GC_PREV_MASK_COLLECTING))

static gc_head *head_prev(const gc_head *g) { return (gc_head *)(g->gc_prev & GC_PREV_POINTER_MASK); }
static gc_head *head_next(const gc_head *g) { return (gc_head *)g->gc_next; }
static void head_set_prev(gc_head *g, gc_head *prev)
{
    g->gc_prev = (g->gc_prev & ~GC_PREV_POINTER_MASK) | (uintptr_t)prev;
}
static void head_set_next(gc_head *g, gc_head *next) { g->gc_next = (uintptr_t)next; }

static void gclist_init(gc_head *list)
{
    list->gc_prev = (uintptr_t)list;
    list->gc_next = (uintptr_t)list;
}

static void gclist_append(gc_head *node, gc_head *list)
{
    gc_head *last = head_prev(list);
    head_set_next(last, node);
    head_set_prev(node, last);
    head_set_next(node, list);
    list->gc_prev = (uintptr_t)node;
}

static void gclist_remove(gc_head *node)
{
    gc_head *prev = head_prev(node);
    gc_head *next = head_next(node);
    head_set_next(prev, next);
    head_set_prev(next, prev);
    node->gc_next = 0;
}

static int state_ready;

static void ensure_state(void)
{
    if (state_ready)
        return;
    state_ready = 1;
    for (int i = 0; i < GC_NUM_GENERATIONS; i++)
        gclist_init(&gc.generations[i].head);
    gclist_init(&gc.permanent.head);
    gc_reset_state();
}

void gc_reset_state(void)
{
    ensure_state();
    gc.generations[0].threshold = 700;
    gc.generations[1].threshold = 10;
    gc.generations[2].threshold = 10;
    for (int i = 0; i < GC_NUM_GENERATIONS; i++)
        gc.generations[i].count = 0;
    gc.enabled = 1;
    gc.collecting = 0;
}

/* ==================================================================== allocation */

void *gc_alloc(size_t basicsize)
{
    ensure_state();
    gc_head *g = mem_malloc(MEM_DOMAIN_OBJ, sizeof(gc_head) + basicsize);
    if (g == NULL)
        return err_no_memory();
    g->gc_next = 0;
    g->gc_prev = 0;
    gc.generations[0].count++;
    return GC_OBJECT(g);
}

void gc_free(void *op)
{
    gc_head *g = GC_HEAD(op);
    if (g->gc_next != 0)
        gc_untrack(op);
    if (gc.generations[0].count > 0)
        gc.generations[0].count--;
    mem_free(MEM_DOMAIN_OBJ, g);
}

void gc_track(ml_object *op)
{
    ensure_state();
    gc_head *g = GC_HEAD(op);
    if (g->gc_next != 0)
        ml_fatal("object already tracked by the garbage collector");
    gclist_append(g, &gc.generations[0].head);
}

void gc_untrack(ml_object *op)
{
    gc_head *g = GC_HEAD(op);
    if (g->gc_next == 0)
        return;
    gclist_remove(g);
    g->gc_prev &= GC_PREV_MASK_FINALIZED;
}

int gc_is_tracked(const ml_object *op)
{
    if (!(ML_TYPE(op)->tp_flags & ML_TPFLAGS_HAVE_GC))
        return 0;
    return GC_HEAD(op)->gc_next != 0;
}

int gc_is_finalized(const ml_object *op)
{
    if (!(ML_TYPE(op)->tp_flags & ML_TPFLAGS_HAVE_GC))
        return 0;
    return (GC_HEAD(op)->gc_prev & GC_PREV_MASK_FINALIZED) != 0;
}

int gc_may_be_tracked(const ml_object *op)
{
    if (!(ML_TYPE(op)->tp_flags & ML_TPFLAGS_HAVE_GC))
        return 0;
    if (ML_TYPE(op) == &ml_tuple_type)
        return gc_is_tracked(op);
    return 1;
}

ml_ssize_t gc_collect(int generation)
{
    (void)generation;
    return 0;
}

void gc_enable(void) { gc.enabled = 1; }
void gc_disable(void) { gc.enabled = 0; }
int gc_isenabled(void) { return gc.enabled; }
