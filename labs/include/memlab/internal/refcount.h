/*
 * memlab/internal/refcount.h -- what the refcount lab gives: the slots of
 * the three container types (you write them in labs/refcount/containers.c;
 * the type objects that name them are given in
 * labs/refcount/given/refcount_given.c), the empty tuple's storage and the
 * compact dict's constants.  The handout is labs/refcount/README.md.
 *
 * Given code lives here and in labs/refcount/given/, once: the grader
 * compiles and links the kit's copy, never a submission's.
 */
#ifndef MEMLAB_INTERNAL_REFCOUNT_H
#define MEMLAB_INTERNAL_REFCOUNT_H

#include "memlab/cycles.h"
#include "memlab/object.h"

/* ------------------------------------------------------------ the slots (containers.c) */

void list_dealloc(ml_object *op);
int list_traverse(ml_object *op, ml_visitproc visit, void *arg);
int list_clear(ml_object *op);
void tuple_dealloc(ml_object *op);
int tuple_traverse(ml_object *op, ml_visitproc visit, void *arg);
void dict_dealloc(ml_object *op);
int dict_traverse(ml_object *op, ml_visitproc visit, void *arg);
int dict_clear(ml_object *op);

/* ------------------------------------------------------------ the empty tuple */

/* A static, immortal, never-tracked singleton.  It has a gc_head in front
 * like every GC object, so GC_HEAD() works on it: use &empty_tuple.tuple. */
struct empty_tuple_storage {
    gc_head head;
    ml_tuple tuple;
};
extern struct empty_tuple_storage empty_tuple;

/* ------------------------------------------------------------ the compact dict */

#define DICT_MINSIZE       8
#define IX_EMPTY           (-1)
#define IX_DUMMY           (-2)
#define USABLE_FRACTION(n) (((n) << 1) / 3)
#define PERTURB_SHIFT      5

#endif
