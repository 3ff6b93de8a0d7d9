/*
 * memlab/object.h -- the object layer: object header, types, reference
 * counting and the core containers (list, tuple, dict).
 *
 * Who implements what:
 *   [refcount.c]    the refcount lab, part 1: incref/decref, dealloc dispatch,
 *                   getrefcount, immortal objects, the total-refcount counter,
 *                   negative-refcount detection, object allocation, trashcan.
 *   [containers.c]  the refcount lab, part 2: list, tuple and dict with
 *                   CPython's new / borrowed / stolen reference rules.
 *   [runtime]       given code (labs/runtime/objects.c): None, True, False,
 *                   int, str, hashing, equality, repr, iteration.
 *
 * Mirrors CPython 3.11 (Include/object.h, Objects/listobject.c, tupleobject.c,
 * dictobject.c), except immortality, which is 3.12's (PEP 683).
 *
 * Reference vocabulary used in every contract below:
 *   new reference       the caller owns it and must obj_decref it.
 *   borrowed reference  valid while its owner keeps it; do not decref.
 *   steals              the callee takes the caller's reference, even when
 *                       it fails (CPython's rule for SetItem).
 */
#ifndef MEMLAB_OBJECT_H
#define MEMLAB_OBJECT_H

#include <stddef.h>
#include <stdint.h>

typedef ptrdiff_t ml_ssize_t; /* Py_ssize_t */

typedef struct ml_type ml_type;

/* The object header (PyObject): 16 bytes on 64-bit. */
typedef struct ml_object {
    ml_ssize_t ob_refcnt;
    ml_type *ob_type;
} ml_object;

/* Header of variable-size objects (PyVarObject). */
typedef struct ml_varobject {
    ml_object ob_base;
    ml_ssize_t ob_size;
} ml_varobject;

#define ML_REFCNT(op) (((ml_object *)(op))->ob_refcnt)
#define ML_TYPE(op)   (((ml_object *)(op))->ob_type)
#define ML_SIZE(op)   (((ml_varobject *)(op))->ob_size)

typedef void (*ml_destructor)(ml_object *op);
typedef int (*ml_visitproc)(ml_object *op, void *arg);
typedef int (*ml_traverseproc)(ml_object *self, ml_visitproc visit, void *arg);
typedef int (*ml_inquiry)(ml_object *self);
typedef void (*ml_freefunc)(void *mem);
typedef ml_object *(*ml_unaryfunc)(ml_object *self);
typedef uint64_t (*ml_hashfunc)(ml_object *self);
typedef int (*ml_equalfunc)(ml_object *a, ml_object *b); /* 1, 0, or -1 on error */
typedef int (*ml_reprfunc)(ml_object *self, char *buf, size_t size);

/* Type flags. */
#define ML_TPFLAGS_HAVE_GC  (1UL << 0) /* has a gc_head before the object (cycles.h) */
#define ML_TPFLAGS_HEAPTYPE (1UL << 1) /* unused by the kit's own types */

/* A type (PyTypeObject, the slots this runtime uses).  Types are static. */
struct ml_type {
    const char *tp_name;
    size_t tp_basicsize; /* bytes of a fixed-size instance */
    size_t tp_itemsize;  /* bytes per item of a variable-size one, else 0 */
    unsigned long tp_flags;
    ml_destructor tp_dealloc;    /* called when the refcount reaches 0 */
    ml_traverseproc tp_traverse; /* GC: visit every owned reference */
    ml_inquiry tp_clear;         /* GC: drop owned references to break cycles */
    ml_destructor tp_finalize;   /* PEP 442 finalizer (__del__), may resurrect */
    ml_destructor tp_del;        /* legacy finalizer: makes cycles uncollectable */
    ml_freefunc tp_free;         /* frees the memory: obj_free or gc_free */
    ml_hashfunc tp_hash;         /* NULL: unhashable */
    ml_equalfunc tp_equal;       /* NULL: identity */
    ml_reprfunc tp_repr;         /* NULL: "<tp_name object at 0x...>" */
    ml_unaryfunc tp_iter;        /* iter(): new reference */
    ml_unaryfunc tp_iternext;    /* next(): new reference, or NULL (see obj_iternext) */
};

/* ====================================================================
 * Reference counting                                      [refcount.c]
 * ==================================================================== */

/* Immortal objects (PEP 683, CPython 3.12, 64-bit): the refcount of an
 * immortal object is ML_IMMORTAL_REFCNT and never changes; incref and decref
 * leave it alone; obj_getrefcount returns it as is.  An object is immortal
 * when the low 32 bits of its refcount, read as int32_t, are negative. */
#define ML_IMMORTAL_REFCNT ((ml_ssize_t)UINT32_MAX)

/* 1 if `op` is immortal. */
int obj_is_immortal(const ml_object *op);

/* Py_INCREF: one more reference.  Immortal objects are unchanged.  Every
 * counted change also moves the total (obj_total_refcount). */
void obj_incref(ml_object *op);

/* Py_DECREF: one reference less; at zero, obj_dealloc(op).  A refcount that
 * would go below zero is a fatal error: ml_fatal_negative_refcount(op). */
void obj_decref(ml_object *op);

/* NULL-tolerant variants. */
void obj_xincref(ml_object *op);
void obj_xdecref(ml_object *op);

/* Py_NewRef / Py_XNewRef: incref and return the argument. */
ml_object *obj_newref(ml_object *op);

/* _Py_Dealloc: call ML_TYPE(op)->tp_dealloc(op). */
void obj_dealloc(ml_object *op);

/* sys.getrefcount(op): the refcount as Python would report it, which counts
 * the argument's own temporary reference (so one more than the owners a
 * C caller holds).  Immortal objects report ML_IMMORTAL_REFCNT. */
ml_ssize_t obj_getrefcount(ml_object *op);

/* _Py_RefTotal (debug builds): the sum of all counted refcount changes since
 * the runtime started: +1 per incref and per new object, -1 per decref.
 * Immortal objects are not counted.  A test that frees all it made sees the
 * total come back to where it started. */
ml_ssize_t obj_total_refcount(void);

/* Py_CLEAR / Py_SETREF / Py_XSETREF, with CPython's ordering: the field is
 * updated *before* the old value is released, so a re-entrant dealloc never
 * sees a dangling pointer. */
#define OBJ_CLEAR(field)                                                                           \
    do {                                                                                           \
        ml_object *obj_clear_tmp_ = (ml_object *)(field);                                          \
        if (obj_clear_tmp_ != NULL) {                                                              \
            (field) = NULL;                                                                        \
            obj_decref(obj_clear_tmp_);                                                            \
        }                                                                                          \
    } while (0)
#define OBJ_SETREF(field, value)                                                                   \
    do {                                                                                           \
        ml_object *obj_setref_tmp_ = (ml_object *)(field);                                         \
        (field) = (value);                                                                         \
        obj_decref(obj_setref_tmp_);                                                               \
    } while (0)
#define OBJ_XSETREF(field, value)                                                                  \
    do {                                                                                           \
        ml_object *obj_setref_tmp_ = (ml_object *)(field);                                         \
        (field) = (value);                                                                         \
        obj_xdecref(obj_setref_tmp_);                                                              \
    } while (0)

/* Object allocation (PyObject_New / PyObject_GC_New / _NewVar): memory for
 * tp_basicsize + nitems * tp_itemsize bytes, from gc_alloc (cycles.h) when
 * the type has ML_TPFLAGS_HAVE_GC, else from MEM_DOMAIN_OBJ.  The header is
 * set (refcount 1, type; ob_size = nitems for var objects), the rest zeroed,
 * and the total refcount counts the new reference.  A GC object is returned
 * *untracked*: the type's constructor calls gc_track once its fields are
 * valid.  Returns a new reference, or NULL with MemoryError set. */
ml_object *obj_new(ml_type *type);
ml_object *obj_new_var(ml_type *type, ml_ssize_t nitems);

/* tp_free for non-GC objects (PyObject_Free). */
void obj_free(void *op);

/* The trashcan (Py_TRASHCAN_BEGIN/END): a dealloc of a GC container wraps
 * its body in these so that a chain of a million nested containers is freed
 * with bounded C stack.  While fewer than ML_TRASHCAN_UNWIND_LEVEL deallocs
 * are nested, obj_trashcan_begin returns 0 and the body runs; at that depth
 * it returns 1 instead, after putting `op` on a delete-later list threaded
 * through its gc_head; the body is then skipped.  obj_trashcan_end, at the
 * outermost level, deallocates everything on the list.  The condition applies
 * only when ML_TYPE(op)->tp_dealloc == dealloc (a base dealloc called from a
 * subtype's does not deposit). */
#define ML_TRASHCAN_UNWIND_LEVEL 50
int obj_trashcan_begin(ml_object *op, ml_destructor dealloc);
void obj_trashcan_end(void);

#define OBJ_TRASHCAN_BEGIN(op, dealloc)                                                            \
    do {                                                                                           \
        int obj_trash_deposited_ = obj_trashcan_begin((ml_object *)(op), (dealloc));               \
        if (!obj_trash_deposited_) {
#define OBJ_TRASHCAN_END                                                                           \
    obj_trashcan_end();                                                                            \
    }                                                                                              \
    }                                                                                              \
    while (0)

/* Deepest nesting of trashcan-protected deallocs seen since the last reset:
 * tests use it to prove the C stack stays bounded. */
int obj_trashcan_max_depth(void);
void obj_trashcan_reset_max_depth(void);

/* ====================================================================
 * list                                                   [containers.c]
 * Invariant: ob_item holds ob_size slots in use out of `allocated`; every
 * non-NULL slot owns one reference.
 * ==================================================================== */
typedef struct ml_list {
    ml_varobject ob_base;
    ml_object **ob_item;
    ml_ssize_t allocated;
} ml_list;

extern ml_type ml_list_type;

/* New list of `size` NULL slots (fill them with LIST_SET_ITEM); new reference.
 * size < 0: SystemError (bad internal call), NULL. */
ml_object *list_new(ml_ssize_t size);
/* 1 if op is a list. */
int list_check(const ml_object *op);
/* Number of items; -1 and SystemError if not a list. */
ml_ssize_t list_size(ml_object *op);
/* Borrowed item; out of range: NULL and IndexError "list index out of range". */
ml_object *list_getitem(ml_object *op, ml_ssize_t i);
/* Steals `item` (even on failure) and releases the old item.  Out of range:
 * IndexError "list assignment index out of range", -1; not a list: -1,
 * SystemError. */
int list_setitem(ml_object *op, ml_ssize_t i, ml_object *item);
/* Inserts before index i (clamped to [0, size], negatives count from the
 * end); does not steal (increfs).  0 or -1. */
int list_insert(ml_object *op, ml_ssize_t i, ml_object *item);
/* Appends; does not steal (increfs).  0 or -1. */
int list_append(ml_object *op, ml_object *item);
/* New list of items lo..hi-1 (clamped). */
ml_object *list_getslice(ml_object *op, ml_ssize_t lo, ml_ssize_t hi);
/* Unchecked macros: no type or bounds check; SET_ITEM does not release the
 * old item (it is meant to fill a fresh list). */
#define LIST_GET_ITEM(op, i)    (((ml_list *)(op))->ob_item[i])
#define LIST_SET_ITEM(op, i, v) ((void)(((ml_list *)(op))->ob_item[i] = (v)))

/* ====================================================================
 * tuple                                                  [containers.c]
 * Invariant: ob_size slots inline after the header, each non-NULL slot owns
 * one reference.  The empty tuple is an immortal singleton.
 * ==================================================================== */
typedef struct ml_tuple {
    ml_varobject ob_base;
    ml_object *ob_item[1];
} ml_tuple;

extern ml_type ml_tuple_type;

/* New tuple of `size` NULL slots; tuple_new(0) is the empty singleton. */
ml_object *tuple_new(ml_ssize_t size);
int tuple_check(const ml_object *op);
ml_ssize_t tuple_size(ml_object *op);
/* Borrowed; out of range: NULL, IndexError "tuple index out of range". */
ml_object *tuple_getitem(ml_object *op, ml_ssize_t i);
/* Steals `item` even on failure.  Fails with SystemError (bad internal
 * call) if op is not a tuple or its refcount is not 1, with IndexError
 * "tuple assignment index out of range" if i is out of range. */
int tuple_setitem(ml_object *op, ml_ssize_t i, ml_object *item);
/* New tuple of the n arguments (each increfed). */
ml_object *tuple_pack(ml_ssize_t n, ...);
#define TUPLE_GET_ITEM(op, i)    (((ml_tuple *)(op))->ob_item[i])
#define TUPLE_SET_ITEM(op, i, v) ((void)(((ml_tuple *)(op))->ob_item[i] = (v)))

/* ====================================================================
 * dict                                                   [containers.c]
 * An insertion-ordered hash table (CPython 3.6+ compact dict): `entries`
 * holds items in insertion order (deleted ones have key NULL); `indices`
 * maps hash slots to entry numbers.  Each live entry owns one reference to
 * its key and one to its value.
 * ==================================================================== */
typedef struct ml_dict_entry {
    uint64_t hash;
    ml_object *key;
    ml_object *value;
} ml_dict_entry;

typedef struct ml_dict {
    ml_object ob_base;
    ml_ssize_t used;     /* live entries */
    ml_ssize_t nentries; /* entries[] slots used, live or deleted */
    ml_ssize_t capacity; /* entries[] slots allocated */
    ml_ssize_t nindices; /* power of two */
    ml_ssize_t *indices; /* -1 empty, -2 dummy, else entry number */
    ml_dict_entry *entries;
} ml_dict;

extern ml_type ml_dict_type;

/* New empty dict; new reference. */
ml_object *dict_new(void);
int dict_check(const ml_object *op);
ml_ssize_t dict_size(ml_object *op);
/* Borrowed value or NULL when missing.  Like PyDict_GetItem it never leaves
 * an exception set: errors from hashing or comparing are swallowed. */
ml_object *dict_getitem(ml_object *op, ml_object *key);
/* Borrowed value; NULL with no exception when missing, NULL with the
 * exception set on error (an unhashable key: TypeError "unhashable type:
 * 'list'"). */
ml_object *dict_getitem_witherror(ml_object *op, ml_object *key);
/* Inserts or replaces; increfs key and value (does not steal).  Replacing
 * keeps the original key object and releases the old value.  0 or -1. */
int dict_setitem(ml_object *op, ml_object *key, ml_object *value);
/* Removes; KeyError(key) and -1 when missing. */
int dict_delitem(ml_object *op, ml_object *key);
/* Iterates in insertion order: *pos starts at 0; returns 1 with borrowed
 * *key and *value (either may be NULL to skip), 0 at the end. */
int dict_next(ml_object *op, ml_ssize_t *pos, ml_object **key, ml_object **value);
/* PyDict_SetDefault: borrowed value; inserts (with increfs) only if absent. */
ml_object *dict_setdefault(ml_object *op, ml_object *key, ml_object *deflt);
/* New lists of keys / values / (key, value) tuples, in insertion order. */
ml_object *dict_keys(ml_object *op);
ml_object *dict_values(ml_object *op);
ml_object *dict_items(ml_object *op);

/* ====================================================================
 * Given objects                                             [runtime]
 * ==================================================================== */

/* None, True, False: immortal static singletons. */
extern ml_object ml_none_struct, ml_true_struct, ml_false_struct;
#define ML_NONE  (&ml_none_struct)
#define ML_TRUE  (&ml_true_struct)
#define ML_FALSE (&ml_false_struct)
extern ml_type ml_none_type, ml_bool_type;

/* int: small ints -5..256 are immortal statics, as in CPython 3.12. */
#define ML_SMALL_INT_MIN (-5)
#define ML_SMALL_INT_MAX 256
typedef struct ml_int {
    ml_object ob_base;
    long value;
} ml_int;
extern ml_type ml_int_type;
ml_object *int_from_long(long v); /* new reference (NULL + MemoryError) */
long int_as_long(ml_object *op);  /* -1 and TypeError if not an int */
int int_check(const ml_object *op);

/* str: immutable NUL-terminated bytes (no unicode). */
typedef struct ml_str {
    ml_varobject ob_base; /* ob_size = length */
    uint64_t hash;
    char data[1];
} ml_str;
extern ml_type ml_str_type;
ml_object *str_from_cstr(const char *s); /* new reference */
const char *str_as_cstr(ml_object *op);  /* borrowed; NULL + TypeError if not a str */
int str_check(const ml_object *op);

/* Generic operations (given). */
/* hash(op): 0 and TypeError "unhashable type: 'list'" when unhashable; check
 * err_occurred().  Equality: 1, 0, -1 on error; identity is always equal. */
uint64_t obj_hash(ml_object *op);
int obj_equal(ml_object *a, ml_object *b);
/* repr(op) into buf as Python prints it: None, True, 42, 'text', [1, 2],
 * (1,), {'a': 1}, <list object at 0x...>.  Returns the length it needed. */
int obj_repr(ml_object *op, char *buf, size_t size);
/* iter(op) (new reference, TypeError "'int' object is not iterable") and
 * next(it): a new reference, or NULL at the end (with no exception, or
 * with StopIteration set, which the caller clears) or on error. */
ml_object *obj_iter(ml_object *op);
ml_object *obj_iternext(ml_object *it);

/* Fatal errors (given): print "memlab fatal error: <what>" with the object's
 * type and address on stderr, then abort(). */
void ml_fatal(const char *what) __attribute__((noreturn));
void ml_fatal_negative_refcount(ml_object *op) __attribute__((noreturn));

#endif /* MEMLAB_OBJECT_H */
