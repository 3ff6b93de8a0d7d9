/*
 * containers.c -- list, tuple and dict with CPython's ownership rules
 * (reference solution).  Contracts in memlab/object.h.
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
    if (size < 0)
        return err_bad_internal_call();
    if ((size_t)size > SIZE_MAX / sizeof(ml_object *))
        return err_no_memory();
    ml_list *op = (ml_list *)obj_new(&ml_list_type);
    if (op == NULL)
        return NULL;
    if (size > 0) {
        op->ob_item = mem_calloc(MEM_DOMAIN_MEM, (size_t)size, sizeof(ml_object *));
        if (op->ob_item == NULL) {
            obj_decref((ml_object *)op);
            return err_no_memory();
        }
    }
    ML_SIZE(op) = size;
    op->allocated = size;
    gc_track((ml_object *)op);
    return (ml_object *)op;
}

int list_check(const ml_object *op) { return op != NULL && ML_TYPE(op) == &ml_list_type; }

ml_ssize_t list_size(ml_object *op)
{
    if (!list_check(op)) {
        err_bad_internal_call();
        return -1;
    }
    return ML_SIZE(op);
}

/* 0 <= i < size, in one unsigned comparison. */
static int valid_index(ml_ssize_t i, ml_ssize_t size) { return (size_t)i < (size_t)size; }

ml_object *list_getitem(ml_object *op, ml_ssize_t i)
{
    if (!list_check(op))
        return err_bad_internal_call();
    if (!valid_index(i, ML_SIZE(op))) {
        err_set(ML_EXC_INDEX_ERROR, "list index out of range");
        return NULL;
    }
    return LIST_GET_ITEM(op, i);
}

/* The item is ours from the first line on: every exit releases or stores it. */
int list_setitem(ml_object *op, ml_ssize_t i, ml_object *item)
{
    if (!list_check(op)) {
        obj_xdecref(item);
        err_bad_internal_call();
        return -1;
    }
    if (!valid_index(i, ML_SIZE(op))) {
        obj_xdecref(item);
        err_set(ML_EXC_INDEX_ERROR, "list assignment index out of range");
        return -1;
    }
    OBJ_XSETREF(LIST_GET_ITEM(op, i), item);
    return 0;
}

/* Make room for one more item (CPython's list_resize, for the growth by one
 * that insert and append ask for): over-allocate by about 1/8, so that n
 * appends cost O(n) in all -- 0, 4, 8, 16, 24, 32, 40, 52, 64, 76, ... */
static int list_resize(ml_list *self, ml_ssize_t newsize)
{
    if (self->allocated >= newsize) {
        ML_SIZE(self) = newsize;
        return 0;
    }
    size_t new_allocated = ((size_t)newsize + ((size_t)newsize >> 3) + 6) & ~(size_t)3;
    ml_object **items =
        mem_realloc(MEM_DOMAIN_MEM, self->ob_item, new_allocated * sizeof(ml_object *));
    if (items == NULL) {
        err_no_memory();
        return -1;
    }
    self->ob_item = items;
    ML_SIZE(self) = newsize;
    self->allocated = (ml_ssize_t)new_allocated;
    return 0;
}

int list_insert(ml_object *op, ml_ssize_t where, ml_object *item)
{
    if (!list_check(op) || item == NULL) {
        err_bad_internal_call();
        return -1;
    }
    ml_list *self = (ml_list *)op;
    ml_ssize_t n = ML_SIZE(self);
    if (where < 0) {
        where += n;
        if (where < 0)
            where = 0;
    }
    if (where > n)
        where = n;
    if (list_resize(self, n + 1) < 0)
        return -1;
    memmove(&self->ob_item[where + 1], &self->ob_item[where],
            (size_t)(n - where) * sizeof(ml_object *));
    self->ob_item[where] = obj_newref(item);
    return 0;
}

int list_append(ml_object *op, ml_object *item)
{
    if (!list_check(op) || item == NULL) {
        err_bad_internal_call();
        return -1;
    }
    ml_ssize_t n = ML_SIZE(op);
    if (list_resize((ml_list *)op, n + 1) < 0)
        return -1;
    LIST_SET_ITEM(op, n, obj_newref(item));
    return 0;
}

ml_object *list_getslice(ml_object *op, ml_ssize_t lo, ml_ssize_t hi)
{
    if (!list_check(op))
        return err_bad_internal_call();
    ml_ssize_t size = ML_SIZE(op);
    lo = lo < 0 ? 0 : lo > size ? size : lo;
    hi = hi < lo ? lo : hi > size ? size : hi;
    ml_object *slice = list_new(hi - lo);
    if (slice == NULL)
        return NULL;
    for (ml_ssize_t i = lo; i < hi; i++)
        LIST_SET_ITEM(slice, i - lo, obj_newref(LIST_GET_ITEM(op, i)));
    return slice;
}

void list_dealloc(ml_object *op)
{
    ml_list *self = (ml_list *)op;
    gc_untrack(op);
    OBJ_TRASHCAN_BEGIN(op, list_dealloc)
    if (self->ob_item != NULL) {
        ml_ssize_t i = ML_SIZE(self);
        while (--i >= 0)
            obj_xdecref(self->ob_item[i]);
        mem_free(MEM_DOMAIN_MEM, self->ob_item);
    }
    ML_TYPE(op)->tp_free(op);
    OBJ_TRASHCAN_END;
}

int list_traverse(ml_object *op, ml_visitproc visit, void *arg)
{
    for (ml_ssize_t i = ML_SIZE(op); --i >= 0;) {
        ml_object *item = LIST_GET_ITEM(op, i);
        int r = item != NULL ? visit(item, arg) : 0;
        if (r != 0)
            return r;
    }
    return 0;
}

/* tp_clear: empty the list first, release the items after, so that a
 * dealloc they trigger finds a consistent (empty) list. */
int list_clear(ml_object *op)
{
    ml_list *self = (ml_list *)op;
    ml_object **items = self->ob_item;
    ml_ssize_t i = ML_SIZE(self);
    if (items == NULL)
        return 0;
    self->ob_item = NULL;
    ML_SIZE(self) = 0;
    self->allocated = 0;
    while (--i >= 0)
        obj_xdecref(items[i]);
    mem_free(MEM_DOMAIN_MEM, items);
    return 0;
}

/* ==================================================================== tuple */

ml_object *tuple_new(ml_ssize_t size)
{
    if (size < 0)
        return err_bad_internal_call();
    if (size == 0)
        return obj_newref((ml_object *)&empty_tuple.tuple);
    ml_object *op = obj_new_var(&ml_tuple_type, size); /* slots zeroed: all NULL */
    if (op == NULL)
        return NULL;
    gc_track(op);
    return op;
}

int tuple_check(const ml_object *op) { return op != NULL && ML_TYPE(op) == &ml_tuple_type; }

ml_ssize_t tuple_size(ml_object *op)
{
    if (!tuple_check(op)) {
        err_bad_internal_call();
        return -1;
    }
    return ML_SIZE(op);
}

ml_object *tuple_getitem(ml_object *op, ml_ssize_t i)
{
    if (!tuple_check(op))
        return err_bad_internal_call();
    if (!valid_index(i, ML_SIZE(op))) {
        err_set(ML_EXC_INDEX_ERROR, "tuple index out of range");
        return NULL;
    }
    return TUPLE_GET_ITEM(op, i);
}

/* Only a tuple nobody else can see yet (refcount 1) may be filled in: a
 * tuple somebody shares is immutable.  Steals `item` on every path. */
int tuple_setitem(ml_object *op, ml_ssize_t i, ml_object *item)
{
    if (!tuple_check(op) || ML_REFCNT(op) != 1) {
        obj_xdecref(item);
        err_bad_internal_call();
        return -1;
    }
    if (!valid_index(i, ML_SIZE(op))) {
        obj_xdecref(item);
        err_set(ML_EXC_INDEX_ERROR, "tuple assignment index out of range");
        return -1;
    }
    OBJ_XSETREF(TUPLE_GET_ITEM(op, i), item);
    return 0;
}

ml_object *tuple_pack(ml_ssize_t n, ...)
{
    ml_object *result = tuple_new(n);
    if (result == NULL)
        return NULL;
    va_list ap;
    va_start(ap, n);
    for (ml_ssize_t i = 0; i < n; i++)
        TUPLE_SET_ITEM(result, i, obj_newref(va_arg(ap, ml_object *)));
    va_end(ap);
    return result;
}

void tuple_dealloc(ml_object *op)
{
    if (ML_SIZE(op) == 0)
        ml_fatal("deallocating the empty tuple singleton"); /* it is immortal */
    gc_untrack(op);
    OBJ_TRASHCAN_BEGIN(op, tuple_dealloc)
    ml_ssize_t i = ML_SIZE(op);
    while (--i >= 0)
        obj_xdecref(TUPLE_GET_ITEM(op, i));
    ML_TYPE(op)->tp_free(op);
    OBJ_TRASHCAN_END;
}

int tuple_traverse(ml_object *op, ml_visitproc visit, void *arg)
{
    for (ml_ssize_t i = ML_SIZE(op); --i >= 0;) {
        ml_object *item = TUPLE_GET_ITEM(op, i);
        int r = item != NULL ? visit(item, arg) : 0;
        if (r != 0)
            return r;
    }
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
ml_object *dict_new(void) { return obj_new(&ml_dict_type); }

int dict_check(const ml_object *op) { return op != NULL && ML_TYPE(op) == &ml_dict_type; }

ml_ssize_t dict_size(ml_object *op)
{
    if (!dict_check(op)) {
        err_bad_internal_call();
        return -1;
    }
    return ((ml_dict *)op)->used;
}

/* ---- hashing and probing ---- */

/* hash(key), or -1 with the exception set (obj_hash's 0 + error). */
static int hash_of(ml_object *key, uint64_t *hash)
{
    *hash = obj_hash(key);
    return *hash == 0 && err_occurred() ? -1 : 0;
}

/* Visits the probe sequence of `hash`: i = hash, then i*5 + perturb + 1. */
typedef struct probe {
    size_t i, mask;
    uint64_t perturb;
} probe;

static probe probe_start(const ml_dict *d, uint64_t hash)
{
    return (probe){(size_t)hash & (size_t)(d->nindices - 1), (size_t)(d->nindices - 1), hash};
}

static void probe_next(probe *p)
{
    p->perturb >>= PERTURB_SHIFT;
    p->i = (p->i * 5 + p->perturb + 1) & p->mask;
}

/* Entry number of `key`, IX_EMPTY when absent, IX_DUMMY (as an error code)
 * when a comparison failed; *slot receives its index slot. */
static ml_ssize_t lookup(ml_dict *d, ml_object *key, uint64_t hash, size_t *slot)
{
    if (d->nindices == 0)
        return IX_EMPTY;
    for (probe p = probe_start(d, hash);; probe_next(&p)) {
        ml_ssize_t ix = d->indices[p.i];
        if (ix == IX_EMPTY)
            return IX_EMPTY;
        if (ix >= 0) {
            ml_dict_entry *e = &d->entries[ix];
            int eq = e->key == key ? 1 : e->hash == hash ? obj_equal(e->key, key) : 0;
            if (eq < 0)
                return IX_DUMMY;
            if (eq > 0) {
                *slot = p.i;
                return ix;
            }
        }
    }
}

/* The first EMPTY or DUMMY slot on the probe sequence of `hash`. */
static size_t free_slot(const ml_dict *d, uint64_t hash)
{
    probe p = probe_start(d, hash);
    while (d->indices[p.i] >= 0)
        probe_next(&p);
    return p.i;
}

/* New tables with room for `minused` entries and then some (GROWTH_RATE is
 * used*3); live entries move over in order, deleted ones are dropped. */
static int dict_resize(ml_dict *d, ml_ssize_t minused)
{
    ml_ssize_t nindices = DICT_MINSIZE;
    while (nindices < minused)
        nindices <<= 1;
    ml_ssize_t capacity = USABLE_FRACTION(nindices);
    ml_ssize_t *indices = mem_malloc(MEM_DOMAIN_MEM, (size_t)nindices * sizeof *indices);
    ml_dict_entry *entries = mem_malloc(MEM_DOMAIN_MEM, (size_t)capacity * sizeof *entries);
    if (indices == NULL || entries == NULL) {
        mem_free(MEM_DOMAIN_MEM, indices);
        mem_free(MEM_DOMAIN_MEM, entries);
        err_no_memory();
        return -1;
    }
    ml_ssize_t n = 0;
    for (ml_ssize_t i = 0; i < d->nentries; i++)
        if (d->entries[i].key != NULL)
            entries[n++] = d->entries[i];
    mem_free(MEM_DOMAIN_MEM, d->indices);
    mem_free(MEM_DOMAIN_MEM, d->entries);
    d->indices = indices;
    d->entries = entries;
    d->nindices = nindices;
    d->capacity = capacity;
    d->nentries = n;
    for (ml_ssize_t i = 0; i < nindices; i++)
        indices[i] = IX_EMPTY;
    for (ml_ssize_t i = 0; i < n; i++)
        indices[free_slot(d, entries[i].hash)] = i;
    return 0;
}

/* MAINTAIN_TRACKING: an untracked dict starts being tracked as soon as it
 * holds something that may be part of a cycle. */
static void maintain_tracking(ml_dict *d, ml_object *key, ml_object *value)
{
    if (!gc_is_tracked((ml_object *)d) && (gc_may_be_tracked(key) || gc_may_be_tracked(value)))
        gc_track((ml_object *)d);
}

/* Appends a new entry; takes the caller's references to key and value. */
static int insert_new(ml_dict *d, ml_object *key, uint64_t hash, ml_object *value)
{
    if (d->nentries == d->capacity && dict_resize(d, d->used * 3) < 0)
        return -1;
    d->indices[free_slot(d, hash)] = d->nentries;
    d->entries[d->nentries++] = (ml_dict_entry){hash, key, value};
    d->used++;
    return 0;
}

/* ---- the API ---- */

ml_object *dict_getitem_witherror(ml_object *op, ml_object *key)
{
    uint64_t hash;
    size_t slot;
    if (!dict_check(op) || key == NULL)
        return err_bad_internal_call();
    if (hash_of(key, &hash) < 0)
        return NULL;
    ml_ssize_t ix = lookup((ml_dict *)op, key, hash, &slot);
    return ix >= 0 ? ((ml_dict *)op)->entries[ix].value : NULL;
}

/* PyDict_GetItem: an exception set before the call survives it; one raised
 * by hashing or comparing is thrown away. */
ml_object *dict_getitem(ml_object *op, ml_object *key)
{
    if (!dict_check(op) || key == NULL)
        return NULL;
    ml_exc *saved = err_fetch();
    ml_object *value = dict_getitem_witherror(op, key);
    err_restore(saved);
    return value;
}

int dict_setitem(ml_object *op, ml_object *key, ml_object *value)
{
    uint64_t hash;
    size_t slot;
    if (!dict_check(op) || key == NULL || value == NULL) {
        err_bad_internal_call();
        return -1;
    }
    if (hash_of(key, &hash) < 0)
        return -1;
    ml_dict *d = (ml_dict *)op;
    maintain_tracking(d, key, value);
    ml_ssize_t ix = lookup(d, key, hash, &slot);
    if (ix == IX_DUMMY)
        return -1;
    if (ix >= 0) { /* replace: the dict keeps its original key object */
        OBJ_SETREF(d->entries[ix].value, obj_newref(value));
        return 0;
    }
    obj_incref(key);
    obj_incref(value);
    if (insert_new(d, key, hash, value) < 0) {
        obj_decref(key);
        obj_decref(value);
        return -1;
    }
    return 0;
}

int dict_delitem(ml_object *op, ml_object *key)
{
    uint64_t hash;
    size_t slot;
    if (!dict_check(op) || key == NULL) {
        err_bad_internal_call();
        return -1;
    }
    if (hash_of(key, &hash) < 0)
        return -1;
    ml_dict *d = (ml_dict *)op;
    ml_ssize_t ix = lookup(d, key, hash, &slot);
    if (ix == IX_DUMMY)
        return -1;
    if (ix == IX_EMPTY) {
        err_set_value(ML_EXC_KEY_ERROR, key);
        return -1;
    }
    ml_object *old_key = d->entries[ix].key;
    ml_object *old_value = d->entries[ix].value;
    d->indices[slot] = IX_DUMMY;
    d->entries[ix].key = NULL;
    d->entries[ix].value = NULL;
    d->used--;
    obj_decref(old_key); /* after the dict is consistent: these may run code */
    obj_decref(old_value);
    return 0;
}

int dict_next(ml_object *op, ml_ssize_t *pos, ml_object **key, ml_object **value)
{
    if (!dict_check(op))
        return 0;
    ml_dict *d = (ml_dict *)op;
    ml_ssize_t i = *pos < 0 ? 0 : *pos;
    while (i < d->nentries && d->entries[i].key == NULL)
        i++;
    if (i >= d->nentries)
        return 0;
    *pos = i + 1;
    if (key != NULL)
        *key = d->entries[i].key;
    if (value != NULL)
        *value = d->entries[i].value;
    return 1;
}

ml_object *dict_setdefault(ml_object *op, ml_object *key, ml_object *deflt)
{
    uint64_t hash;
    size_t slot;
    if (!dict_check(op) || key == NULL || deflt == NULL)
        return err_bad_internal_call();
    if (hash_of(key, &hash) < 0)
        return NULL;
    ml_dict *d = (ml_dict *)op;
    ml_ssize_t ix = lookup(d, key, hash, &slot);
    if (ix == IX_DUMMY)
        return NULL;
    if (ix >= 0)
        return d->entries[ix].value;
    maintain_tracking(d, key, deflt);
    obj_incref(key);
    obj_incref(deflt);
    if (insert_new(d, key, hash, deflt) < 0) {
        obj_decref(key);
        obj_decref(deflt);
        return NULL;
    }
    return deflt;
}

/* ---- views as lists ---- */

enum dict_view { VIEW_KEYS, VIEW_VALUES, VIEW_ITEMS };

static ml_object *view_item(const ml_dict_entry *e, enum dict_view view)
{
    switch (view) {
    case VIEW_KEYS: return obj_newref(e->key);
    case VIEW_VALUES: return obj_newref(e->value);
    default: return tuple_pack(2, e->key, e->value);
    }
}

static ml_object *dict_view_list(ml_object *op, enum dict_view view)
{
    if (!dict_check(op))
        return err_bad_internal_call();
    ml_dict *d = (ml_dict *)op;
    ml_object *list = list_new(d->used);
    if (list == NULL)
        return NULL;
    ml_ssize_t n = 0;
    for (ml_ssize_t i = 0; i < d->nentries; i++) {
        if (d->entries[i].key == NULL)
            continue;
        ml_object *item = view_item(&d->entries[i], view);
        if (item == NULL) {
            obj_decref(list); /* the slots not yet filled are NULL: xdecref skips them */
            return NULL;
        }
        LIST_SET_ITEM(list, n++, item);
    }
    return list;
}

ml_object *dict_keys(ml_object *op) { return dict_view_list(op, VIEW_KEYS); }
ml_object *dict_values(ml_object *op) { return dict_view_list(op, VIEW_VALUES); }
ml_object *dict_items(ml_object *op) { return dict_view_list(op, VIEW_ITEMS); }

/* ---- the slots ---- */

/* Releases the entries of a table the dict no longer points to. */
static void free_entries(ml_ssize_t *indices, ml_dict_entry *entries, ml_ssize_t nentries)
{
    for (ml_ssize_t i = 0; i < nentries; i++) {
        obj_xdecref(entries[i].key);
        obj_xdecref(entries[i].value);
    }
    mem_free(MEM_DOMAIN_MEM, indices);
    mem_free(MEM_DOMAIN_MEM, entries);
}

void dict_dealloc(ml_object *op)
{
    ml_dict *d = (ml_dict *)op;
    gc_untrack(op);
    OBJ_TRASHCAN_BEGIN(op, dict_dealloc)
    free_entries(d->indices, d->entries, d->nentries);
    ML_TYPE(op)->tp_free(op);
    OBJ_TRASHCAN_END;
}

/* CPython visits each live entry's value, then its key. */
int dict_traverse(ml_object *op, ml_visitproc visit, void *arg)
{
    ml_dict *d = (ml_dict *)op;
    for (ml_ssize_t i = 0; i < d->nentries; i++) {
        ml_dict_entry *e = &d->entries[i];
        if (e->key == NULL)
            continue;
        int r = visit(e->value, arg);
        if (r == 0)
            r = visit(e->key, arg);
        if (r != 0)
            return r;
    }
    return 0;
}

/* tp_clear (PyDict_Clear): detach the tables, then release their entries. */
int dict_clear(ml_object *op)
{
    ml_dict *d = (ml_dict *)op;
    ml_ssize_t *indices = d->indices;
    ml_dict_entry *entries = d->entries;
    ml_ssize_t nentries = d->nentries;
    d->indices = NULL;
    d->entries = NULL;
    d->used = d->nentries = d->capacity = d->nindices = 0;
    free_entries(indices, entries, nentries);
    return 0;
}
