/*
 * refcount_given.c -- the given part of the refcount lab: the list, tuple
 * and dict type objects (the tables obj_dealloc and the collector dispatch
 * through; their slots are yours, in containers.c) and the empty tuple's
 * storage.  Declarations in memlab/object.h and memlab/internal/refcount.h.
 * The grader builds this file from the kit, beside your refcount.c and
 * containers.c.
 */
#include "memlab/internal/refcount.h"

#include <stddef.h>

ml_type ml_list_type = {
    .tp_name = "list",
    .tp_basicsize = sizeof(ml_list),
    .tp_flags = ML_TPFLAGS_HAVE_GC,
    .tp_dealloc = list_dealloc,
    .tp_traverse = list_traverse,
    .tp_clear = list_clear,
    .tp_free = gc_free,
};

/* Tuples have no tp_clear, as in CPython: they are immutable, and a cycle
 * through a tuple always runs through a mutable container that has one. */
ml_type ml_tuple_type = {
    .tp_name = "tuple",
    .tp_basicsize = offsetof(ml_tuple, ob_item),
    .tp_itemsize = sizeof(ml_object *),
    .tp_flags = ML_TPFLAGS_HAVE_GC,
    .tp_dealloc = tuple_dealloc,
    .tp_traverse = tuple_traverse,
    .tp_free = gc_free,
};

ml_type ml_dict_type = {
    .tp_name = "dict",
    .tp_basicsize = sizeof(ml_dict),
    .tp_flags = ML_TPFLAGS_HAVE_GC,
    .tp_dealloc = dict_dealloc,
    .tp_traverse = dict_traverse,
    .tp_clear = dict_clear,
    .tp_free = gc_free,
};

struct empty_tuple_storage empty_tuple = {
    .head = {0, 0},
    .tuple = {.ob_base = {{ML_IMMORTAL_REFCNT, &ml_tuple_type}, 0}},
};
_Static_assert(offsetof(struct empty_tuple_storage, tuple) == sizeof(gc_head),
               "the empty tuple's gc_head must sit right before it");
