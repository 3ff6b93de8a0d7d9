/*
 * memlab/internal/generators.h -- what the generators lab gives: the two
 * accessors of a generator's parts, the generator type's slots, and the
 * declarations of labs/generators/given/generators_given.c (the exception
 * classes, the generator type object, gen_next, the StopIteration helpers and the
 * builtins' shared pieces).  Included by labs/generators/generators.c and by
 * the given file; the state machine is drawn in generators.c's header
 * comment, the handout is labs/generators/README.md.
 *
 * Given code lives here and in labs/generators/given/, once: the grader
 * compiles and links the kit's copy, never a submission's.
 */
#ifndef MEMLAB_INTERNAL_GENERATORS_H
#define MEMLAB_INTERNAL_GENERATORS_H

#include "memlab/errors.h"
#include "memlab/generators.h"

#include <stddef.h>

/* The generator behind a public argument, or NULL with SystemError. */
static inline ml_gen *as_gen(ml_object *op)
{
    if (!gen_check(op)) {
        err_bad_internal_call();
        return NULL;
    }
    return (ml_gen *)op;
}

/* The owned object slot number i of the frame's locals. */
static inline ml_object **frame_ref(ml_gen *gen, size_t i)
{
    return (ml_object **)((char *)gen->gi_locals + gen->gi_code->co_refs[i]);
}

/* The generator type's slots: tp_repr and tp_iter are given, the others
 * are yours (generators.c). */
int gen_repr(ml_object *self, char *buf, size_t size);
ml_object *gen_iter(ml_object *self);
void gen_dealloc(ml_object *self);
int gen_traverse(ml_object *self, ml_visitproc visit, void *arg);
void gen_finalize(ml_object *self);
ml_object *gen_iternext(ml_object *self);

/* StopIteration(value), as the end of iteration carries a return value. */
void set_stop_iteration(ml_object *value);

/* The current StopIteration's value (new reference; None when it has none);
 * the exception is cleared. */
ml_object *take_stop_iteration_value(void);

/* Whether `typ`, a class or an instance, is GeneratorExit. */
int is_generator_exit(ml_object *typ);

/* next(it) for a body: an item, or NULL at the end (no exception left set)
 * or on error (exception set). */
ml_object *next_item(ml_object *it);

/* A generator over iter(iterable) made from `code`, whose locals start with
 * the iterator (map, filter, take, enumerate). */
ml_object *gen_over(const gen_code *code, ml_object *iterable);

/* A new pair (a, b), stealing both; NULL (both released) on error. */
ml_object *pair(ml_object *a, ml_object *b);

/* The lazy builtins' frames: the locals of range, map and filter, take
 * (islice), zip and enumerate (GEN_LOCALS; those holding objects list them
 * with GEN_REF in generators.c).  map and filter share one layout, and every
 * layout that holds an iterator holds it first (gen_over stores it there). */
typedef struct range_locals {
    long start, step;
    unsigned long i, len; /* i-th of len values: start + i * step */
} range_locals;

typedef struct map_locals {
    ml_object *it;
    union {
        gen_mapfunc fn;
        gen_predicate pred;
    } f;
    void *ctx;
} map_locals;

typedef struct take_locals {
    ml_object *it;
    ml_ssize_t remaining;
} take_locals;

typedef struct zip_locals {
    ml_object *a, *b;
} zip_locals;

typedef struct enumerate_locals {
    ml_object *it;
    long i;
} enumerate_locals;

#endif
