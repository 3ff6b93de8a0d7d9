/*
 * refcount.c -- reference counting, the object header's life cycle and the
 * trashcan.  Contracts in memlab/object.h; the handout (README.md next to
 * this file) explains each part.  Replace every TODO.
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

/* TODO (§5): a static counter for obj_total_refcount. */

int obj_is_immortal(const ml_object *op)
{
    /* TODO (§4): 1 when the low 32 bits of the refcount, read as int32_t,
     * are negative. */
    (void)op;
    return 0;
}

void obj_incref(ml_object *op)
{
    /* TODO (§2.1, §4, §5): one more reference, unless op is immortal; count
     * the change in the total. */
    (void)op;
}

void obj_decref(ml_object *op)
{
    /* TODO (§2.1, §2.2, §4, §5): leave immortal objects alone; a refcount
     * that is already 0 (or less) is ml_fatal_negative_refcount(op);
     * otherwise one reference less (and in the total), and obj_dealloc at 0. */
    (void)op;
}

void obj_xincref(ml_object *op)
{
    /* TODO (§2.1): obj_incref, but do nothing for NULL. */
    (void)op;
}

void obj_xdecref(ml_object *op)
{
    /* TODO (§2.1): obj_decref, but do nothing for NULL. */
    (void)op;
}

ml_object *obj_newref(ml_object *op)
{
    /* TODO (§2.1): incref op and return it. */
    (void)op;
    return NULL;
}

void obj_dealloc(ml_object *op)
{
    /* TODO (§2.2): dispatch to the type's tp_dealloc. */
    (void)op;
}

/* The caller of sys.getrefcount(x) holds one reference; the call's own
 * argument is one more, which is why Python prints 2 for a fresh object. */
ml_ssize_t obj_getrefcount(ml_object *op)
{
    /* TODO (§3, §4): the refcount + 1; an immortal object's count as is. */
    (void)op;
    return 0;
}

ml_ssize_t obj_total_refcount(void)
{
    /* TODO (§5): the counter. */
    return 0;
}

/* ==================================================================== allocation */

ml_object *obj_new(ml_type *type)
{
    /* TODO (§2): tp_basicsize bytes from gc_alloc (types with
     * ML_TPFLAGS_HAVE_GC) or from MEM_DOMAIN_OBJ; zeroed; refcount 1 and the
     * type set; the new reference counted in the total.  NULL with
     * MemoryError when there is no memory.  Tip: write one static helper
     * shared with obj_new_var. */
    (void)type;
    return NULL;
}

ml_object *obj_new_var(ml_type *type, ml_ssize_t nitems)
{
    /* TODO (§2): as obj_new, for tp_basicsize + nitems * tp_itemsize bytes
     * (rounded up to a multiple of sizeof(void *)), with ob_size = nitems.
     * A negative nitems is a bad internal call; a size that overflows is a
     * MemoryError. */
    (void)type;
    (void)nitems;
    return NULL;
}

void obj_free(void *op)
{
    /* TODO (§2): give the memory back to MEM_DOMAIN_OBJ. */
    (void)op;
}

/* ==================================================================== the trashcan */

/* TODO (§7): the trashcan's state: the nesting level, the delete-later
 * list, the deepest nesting seen. */

int obj_trashcan_begin(ml_object *op, ml_destructor dealloc)
{
    /* TODO (§7): at nesting ML_TRASHCAN_UNWIND_LEVEL, and only when
     * ML_TYPE(op)->tp_dealloc == dealloc, push op on the delete-later list
     * (linked through GC_HEAD(op)->gc_prev, keeping its two flag bits) and
     * return 1.  Otherwise enter one more level (remember the deepest) and
     * return 0.  Returning 0 without doing anything is a correct dealloc,
     * just not a stack-safe one. */
    (void)op;
    (void)dealloc;
    return 0;
}

void obj_trashcan_end(void)
{
    /* TODO (§7): leave the level; back at the outermost level, run the
     * tp_dealloc of every object on the delete-later list (their refcount
     * is already 0), one level up so that they do not start a nested
     * chain of their own. */
}

int obj_trashcan_max_depth(void)
{
    /* TODO (§7): the deepest nesting seen since the last reset. */
    return 0;
}

void obj_trashcan_reset_max_depth(void)
{
    /* TODO (§7): forget the deepest nesting seen (start again from now). */
}
