/*
 * refcount.c -- reference counting, the object header's life cycle and the
 * trashcan (reference solution).  Contracts in memlab/object.h.
 *
 * Every object starts with the same 16-byte header:
 *
 *     +-----------+-----------+---------------------
 *     | ob_refcnt | ob_type   | the type's own fields ...
 *     +-----------+-----------+---------------------
 *
 * Invariant: ob_refcnt is the number of owners (variables, containers,
 * the runtime) that hold a reference.  When the last owner lets go the
 * count reaches 0 and the type's tp_dealloc releases what the object owns,
 * then its memory.
 *
 * Immortal objects (PEP 683): None, True, False, the small ints and the
 * empty tuple are never freed, so their counts are pinned at
 * ML_IMMORTAL_REFCNT (2^32 - 1).  The test "low 32 bits negative as int32"
 * is the one CPython 3.12 uses on 64-bit builds: it keeps working even if
 * a stray incref pushed the count a little above the pinned value.
 *
 * Debug counters: `total_refcount` is CPython's _Py_RefTotal, the sum of
 * every counted change.  A test that releases all it made finds it back
 * where it started; a leaked reference shows as a difference.
 *
 * The trashcan:
 *
 *     nesting       number of trashcan-protected deallocs now on the C stack
 *     delete_later  objects whose dealloc was postponed, a stack threaded
 *                   through the gc_prev word of their gc_head
 *
 *     dealloc(L1) -> dealloc(L2) -> ... -> dealloc(L50)    nesting = 50
 *         dealloc(L51): nesting is at the limit: push L51 on delete_later
 *                       and return at once; the stack unwinds
 *     ... back at nesting 0: pop L51 and run its dealloc, which goes 50
 *     deep again, and so on: a chain of a million containers is freed 50
 *     frames at a time.
 */
#include "memlab/cycles.h"
#include "memlab/errors.h"
#include "memlab/mem.h"
#include "memlab/object.h"

#include <stdint.h>
#include <string.h>

/* ==================================================================== counting */

static ml_ssize_t total_refcount;

int obj_is_immortal(const ml_object *op) { return (int32_t)(uint32_t)op->ob_refcnt < 0; }

void obj_incref(ml_object *op)
{
    if (obj_is_immortal(op))
        return;
    op->ob_refcnt++;
    total_refcount++;
}

void obj_decref(ml_object *op)
{
    if (obj_is_immortal(op))
        return;
    if (op->ob_refcnt <= 0)
        ml_fatal_negative_refcount(op); /* a decref with no reference left to drop */
    total_refcount--;
    if (--op->ob_refcnt == 0)
        obj_dealloc(op);
}

void obj_xincref(ml_object *op)
{
    if (op != NULL)
        obj_incref(op);
}

void obj_xdecref(ml_object *op)
{
    if (op != NULL)
        obj_decref(op);
}

ml_object *obj_newref(ml_object *op)
{
    obj_incref(op);
    return op;
}

void obj_dealloc(ml_object *op) { ML_TYPE(op)->tp_dealloc(op); }

/* The caller of sys.getrefcount(x) holds one reference; the call's own
 * argument is one more, which is why Python prints 2 for a fresh object. */
ml_ssize_t obj_getrefcount(ml_object *op)
{
    if (obj_is_immortal(op))
        return ML_IMMORTAL_REFCNT;
    return op->ob_refcnt + 1;
}

ml_ssize_t obj_total_refcount(void) { return total_refcount; }

/* ==================================================================== allocation */

/* tp_basicsize + nitems * tp_itemsize, rounded up to a pointer's size as
 * CPython's _PyObject_VAR_SIZE does; 0 when it would overflow. */
static size_t object_size(const ml_type *type, ml_ssize_t nitems)
{
    size_t items = (size_t)nitems;
    if (type->tp_itemsize != 0 && items > (SIZE_MAX / 2 - type->tp_basicsize) / type->tp_itemsize)
        return 0;
    size_t size = type->tp_basicsize + items * type->tp_itemsize;
    return (size + sizeof(void *) - 1) & ~(sizeof(void *) - 1);
}

static ml_object *allocate(ml_type *type, ml_ssize_t nitems)
{
    size_t size = object_size(type, nitems);
    if (size == 0)
        return err_no_memory();
    void *mem;
    if (type->tp_flags & ML_TPFLAGS_HAVE_GC)
        mem = gc_alloc(size); /* sets MemoryError itself */
    else if ((mem = mem_malloc(MEM_DOMAIN_OBJ, size)) == NULL)
        err_no_memory();
    if (mem == NULL)
        return NULL;
    memset(mem, 0, size);
    ml_object *op = mem;
    op->ob_refcnt = 1;
    op->ob_type = type;
    total_refcount++; /* the caller's new reference */
    return op;
}

ml_object *obj_new(ml_type *type) { return allocate(type, 0); }

ml_object *obj_new_var(ml_type *type, ml_ssize_t nitems)
{
    if (nitems < 0)
        return err_bad_internal_call();
    ml_object *op = allocate(type, nitems);
    if (op != NULL)
        ML_SIZE(op) = nitems;
    return op;
}

void obj_free(void *op) { mem_free(MEM_DOMAIN_OBJ, op); }

/* ==================================================================== the trashcan */

static struct {
    int nesting;
    ml_object *delete_later;
    int max_depth;
} trash;

#define GC_PREV_FLAGS (GC_PREV_MASK_FINALIZED | GC_PREV_MASK_COLLECTING)

/* Push `op` (refcount 0, untracked) on delete_later, linked through gc_prev;
 * the flag bits of gc_prev are kept. */
static void deposit(ml_object *op)
{
    gc_head *g = GC_HEAD(op);
    g->gc_prev = (g->gc_prev & GC_PREV_FLAGS) | (uintptr_t)trash.delete_later;
    trash.delete_later = op;
}

static ml_object *pop_deposited(void)
{
    ml_object *op = trash.delete_later;
    trash.delete_later = (ml_object *)(GC_HEAD(op)->gc_prev & ~GC_PREV_FLAGS);
    return op;
}

/* Run the postponed deallocs.  Nesting is raised by one while they run, so
 * that their own trashcan_end calls never start a second, nested chain. */
static void destroy_chain(void)
{
    trash.nesting++;
    while (trash.delete_later != NULL) {
        ml_object *op = pop_deposited();
        ML_TYPE(op)->tp_dealloc(op); /* refcount is already 0: no decref */
    }
    trash.nesting--;
}

/* Every call that returns 0 is paired with one obj_trashcan_end (the
 * macros guarantee it), so nesting counts the bodies now running.  A base
 * dealloc called from a subtype's counts too, but never deposits. */
int obj_trashcan_begin(ml_object *op, ml_destructor dealloc)
{
    if (trash.nesting >= ML_TRASHCAN_UNWIND_LEVEL && ML_TYPE(op)->tp_dealloc == dealloc) {
        deposit(op);
        return 1;
    }
    trash.nesting++;
    if (trash.nesting > trash.max_depth)
        trash.max_depth = trash.nesting;
    return 0;
}

void obj_trashcan_end(void)
{
    trash.nesting--;
    if (trash.delete_later != NULL && trash.nesting <= 0)
        destroy_chain();
}

int obj_trashcan_max_depth(void) { return trash.max_depth; }

void obj_trashcan_reset_max_depth(void) { trash.max_depth = trash.nesting; }
