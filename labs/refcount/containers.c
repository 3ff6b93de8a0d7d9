/*
 * containers.c -- list, tuple and dict with CPython's ownership rules.
 * Contracts in memlab/object.h; the handout (README.md next to this file)
 * explains each part.  Replace every TODO.
 *
 * Who owns what, at a glance (the handout's table, section 1):
 *
 *     returns a NEW reference       list_new, list_getslice, tuple_new, tuple_pack,
 *                                   dict_new, dict_keys, dict_values, dict_items
 *     returns a BORROWED reference  list_getitem, tuple_getitem, dict_getitem,
 *                                   dict_getitem_witherror, dict_next, dict_setdefault
 *     STEALS its item argument      list_setitem, tuple_setitem (even when they fail)
 *     INCREFs its arguments         list_append, list_insert, dict_setitem, dict_setdefault
 *
 * All three are GC containers (ML_TPFLAGS_HAVE_GC): their memory comes from
 * gc_alloc through obj_new, and each dealloc runs in the same order:
 *
 *     gc_untrack(self)                  the collector must not see a dying object
 *     OBJ_TRASHCAN_BEGIN(self, dealloc) bound the C stack on long chains
 *       release the owned references    list, tuple: last to first;
 *                                       dict: key then value, insertion order
 *       free the buffers, tp_free(self)
 *     OBJ_TRASHCAN_END
 */
#include "memlab/cycles.h"
#include "memlab/errors.h"
#include "memlab/internal/refcount.h"
#include "memlab/mem.h"
#include "memlab/object.h"

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

/* ==================================================================== list */

ml_object *list_new(ml_ssize_t size)
{
    /* TODO (§6.1): a bad internal call for size < 0; obj_new the list, give
     * it `size` NULL slots (MEM_DOMAIN_MEM; none for size 0), set ob_size
     * and allocated, then gc_track it. */
    (void)size;
    return NULL;
}

int list_check(const ml_object *op)
{
    /* TODO (§6.1): is op a list? (NULL is not) */
    (void)op;
    return 0;
}

ml_ssize_t list_size(ml_object *op)
{
    /* TODO (§6.1): the size; -1 and a bad internal call for a non-list. */
    (void)op;
    return -1;
}

ml_object *list_getitem(ml_object *op, ml_ssize_t i)
{
    /* TODO (§6.1): the borrowed item; IndexError "list index out of range"
     * when i is not in [0, size); a bad internal call for a non-list. */
    (void)op;
    (void)i;
    return NULL;
}

/* The item is ours from the first line on: every exit releases or stores it. */
int list_setitem(ml_object *op, ml_ssize_t i, ml_object *item)
{
    /* TODO (§6.1): store item in slot i and release the old one (in the
     * order OBJ_XSETREF uses).  Non-list: bad internal call; bad index:
     * IndexError "list assignment index out of range"; both return -1 and
     * still release item. */
    (void)op;
    (void)i;
    (void)item;
    return -1;
}

int list_insert(ml_object *op, ml_ssize_t where, ml_object *item)
{
    /* TODO (§6.1): a bad internal call for a non-list or a NULL item;
     * negative `where` counts from the end, then clamp to [0, size]; grow
     * by one (CPython's over-allocation: see the handout), shift, store a
     * new reference to item. */
    (void)op;
    (void)where;
    (void)item;
    return -1;
}

int list_append(ml_object *op, ml_object *item)
{
    /* TODO (§6.1): as list_insert at the end. */
    (void)op;
    (void)item;
    return -1;
}

ml_object *list_getslice(ml_object *op, ml_ssize_t lo, ml_ssize_t hi)
{
    /* TODO (§6.1): clamp lo to [0, size] and hi to [lo, size]; a new list
     * holding new references to items lo..hi-1. */
    (void)op;
    (void)lo;
    (void)hi;
    return NULL;
}

void list_dealloc(ml_object *op)
{
    /* TODO (§2.2, §6.1, §7): untrack; inside the trashcan, release the
     * items last to first, free the item array, then tp_free. */
    (void)op;
}

int list_traverse(ml_object *op, ml_visitproc visit, void *arg)
{
    /* TODO (§6.1): visit each non-NULL item, last to first; stop and
     * return the first non-zero result of visit. */
    (void)op;
    (void)visit;
    (void)arg;
    return 0;
}

/* tp_clear: empty the list first, release the items after, so that a
 * dealloc they trigger finds a consistent (empty) list. */
int list_clear(ml_object *op)
{
    /* TODO (§6.1): detach the item array (size 0, no array), then release
     * the items last to first and free the array. */
    (void)op;
    return -1;
}

/* ==================================================================== tuple */

ml_object *tuple_new(ml_ssize_t size)
{
    /* TODO (§6.2): a bad internal call for size < 0; the empty tuple for 0;
     * else obj_new_var (slots start NULL) and gc_track. */
    (void)size;
    return NULL;
}

int tuple_check(const ml_object *op)
{
    /* TODO (§6.2): is op a tuple? (NULL is not) */
    (void)op;
    return 0;
}

ml_ssize_t tuple_size(ml_object *op)
{
    /* TODO (§6.2): the size; -1 and a bad internal call for a non-tuple. */
    (void)op;
    return -1;
}

ml_object *tuple_getitem(ml_object *op, ml_ssize_t i)
{
    /* TODO (§6.2): the borrowed item; IndexError "tuple index out of range";
     * a bad internal call for a non-tuple. */
    (void)op;
    (void)i;
    return NULL;
}

/* Only a tuple nobody else can see yet (refcount 1) may be filled in: a
 * tuple somebody shares is immutable.  Steals `item` on every path. */
int tuple_setitem(ml_object *op, ml_ssize_t i, ml_object *item)
{
    /* TODO (§6.2): a bad internal call for a non-tuple or a refcount other
     * than 1; IndexError "tuple assignment index out of range"; else store
     * item and release the old one.  Every path takes item. */
    (void)op;
    (void)i;
    (void)item;
    return -1;
}

ml_object *tuple_pack(ml_ssize_t n, ...)
{
    /* TODO (§6.2): a new tuple of the n arguments, each incref'd (va_arg). */
    (void)n;
    return NULL;
}

void tuple_dealloc(ml_object *op)
{
    /* TODO (§2.2, §6.2, §7): as list_dealloc, with the items inline (no
     * array to free).  Deallocating the empty tuple is a fatal error. */
    (void)op;
}

int tuple_traverse(ml_object *op, ml_visitproc visit, void *arg)
{
    /* TODO (§6.2): as list_traverse. */
    (void)op;
    (void)visit;
    (void)arg;
    return 0;
}

/* ==================================================================== dict */

/*
 * The compact dict (CPython 3.6+), for {'a': 1, 'b': 2} after del d['a']:
 *
 *     indices  [-1][ 1][-1][-2][-1][-1][-1][-1]   nindices = 8 (a power of two)
 *                    |         `-- DUMMY: a deleted key's slot, probing goes on
 *                    v
 *     entries  [ NULL, NULL ][ h('b'), 'b', 2 ][ ...free... ]
 *               entry 0 (deleted)  entry 1      nentries = 2, capacity = 5
 *
 * Invariants: used <= nentries <= capacity = USABLE_FRACTION(nindices);
 * a key is found by probing from its hash before the first EMPTY slot;
 * entries keep insertion order, which is the iteration and dealloc order.
 * The constants (DICT_MINSIZE, IX_EMPTY, ...) are in memlab/internal/refcount.h.
 */

/* A new dict has no tables at all (CPython shares one empty keys object);
 * it is not tracked: it cannot be part of a cycle until it holds something
 * that can. */
ml_object *dict_new(void)
{
    /* TODO (§6.3): obj_new, and nothing else. */
    return NULL;
}

int dict_check(const ml_object *op)
{
    /* TODO (§6.3): is op a dict? (NULL is not) */
    (void)op;
    return 0;
}

ml_ssize_t dict_size(ml_object *op)
{
    /* TODO (§6.3): the number of live entries; -1 and a bad internal call
     * for a non-dict. */
    (void)op;
    return -1;
}

/* TODO (§6.3): the machinery, as static helpers: the hash of a key (obj_hash
 * returns 0 with an exception set on error), the probe sequence (i = hash &
 * mask, then i = i*5 + perturb + 1 with perturb >>= 5 first), a lookup
 * that returns an entry number or "absent" or "error", the first free
 * (EMPTY or DUMMY) slot, a resize to the smallest power of two >= used*3
 * (at least 8) that drops deleted entries, and MAINTAIN_TRACKING. */

ml_object *dict_getitem_witherror(ml_object *op, ml_object *key)
{
    /* TODO (§6.3): the borrowed value; NULL without an exception when the
     * key is missing, NULL with the exception when hashing or comparing
     * failed; a bad internal call for a non-dict. */
    (void)op;
    (void)key;
    return NULL;
}

/* PyDict_GetItem: an exception set before the call survives it; one raised
 * by hashing or comparing is thrown away. */
ml_object *dict_getitem(ml_object *op, ml_object *key)
{
    /* TODO (§6.3): dict_getitem_witherror between err_fetch and err_restore;
     * NULL for a non-dict, with no exception. */
    (void)op;
    (void)key;
    return NULL;
}

int dict_setitem(ml_object *op, ml_object *key, ml_object *value)
{
    /* TODO (§6.3): hash the key (fail before taking any reference); track
     * the dict if key or value may be tracked; replace the value of an
     * existing entry (keep its key) or append a new entry with new
     * references to key and value, resizing when the entries are full. */
    (void)op;
    (void)key;
    (void)value;
    return -1;
}

int dict_delitem(ml_object *op, ml_object *key)
{
    /* TODO (§6.3): KeyError(key) (err_set_value) when missing; else mark
     * the index slot DUMMY, empty the entry, and only then release the
     * key, then the value. */
    (void)op;
    (void)key;
    return -1;
}

int dict_next(ml_object *op, ml_ssize_t *pos, ml_object **key, ml_object **value)
{
    /* TODO (§6.3): from entry *pos on, skip deleted entries; at the end
     * return 0; else store the borrowed key and value (each pointer may be
     * NULL), advance *pos past the entry, return 1.  0 for a non-dict. */
    (void)op;
    (void)pos;
    (void)key;
    (void)value;
    return 0;
}

ml_object *dict_setdefault(ml_object *op, ml_object *key, ml_object *deflt)
{
    /* TODO (§6.3): the existing value (borrowed), or insert deflt as
     * dict_setitem would and return it (borrowed). */
    (void)op;
    (void)key;
    (void)deflt;
    return NULL;
}

/* ---- views as lists ---- */

ml_object *dict_keys(ml_object *op)
{
    /* TODO (§6.3): a new list of the keys in insertion order (new
     * references); a bad internal call for a non-dict. */
    (void)op;
    return NULL;
}

ml_object *dict_values(ml_object *op)
{
    /* TODO (§6.3): the same with the values. */
    (void)op;
    return NULL;
}

ml_object *dict_items(ml_object *op)
{
    /* TODO (§6.3): the same with new (key, value) tuples. */
    (void)op;
    return NULL;
}

/* ---- the slots ---- */

void dict_dealloc(ml_object *op)
{
    /* TODO (§2.2, §6.3, §7): untrack; inside the trashcan, release each
     * entry's key then value in insertion order, free both tables, then
     * tp_free. */
    (void)op;
}

/* CPython visits each live entry's value, then its key. */
int dict_traverse(ml_object *op, ml_visitproc visit, void *arg)
{
    /* TODO (§6.3): in insertion order, visit the value then the key of each
     * live entry; stop at the first non-zero result. */
    (void)op;
    (void)visit;
    (void)arg;
    return 0;
}

/* tp_clear (PyDict_Clear): detach the tables, then release their entries. */
int dict_clear(ml_object *op)
{
    /* TODO (§6.3): leave the dict empty with no tables, then release the
     * old entries (key then value, in order) and free the old tables. */
    (void)op;
    return -1;
}
