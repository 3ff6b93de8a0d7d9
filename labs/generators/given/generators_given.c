/*
 * generators_given.c -- the given part of the generators lab: the exception
 * classes (objects a throw() may name), the generator type (its repr and
 * iter slots; the others are yours), gen_check, gen_name and gen_next, the StopIteration helpers
 * and what the lazy builtins share.  Declarations in memlab/generators.h and
 * memlab/internal/generators.h.  The grader builds this file from the kit,
 * beside your generators.c.
 */
#include "memlab/cycles.h"
#include "memlab/internal/generators.h"
#include "memlab/object.h"

#include <stdio.h>

/* ---------------------------------------------------------------- exception classes */

static void exc_class_dealloc(ml_object *op)
{
    (void)op;
    ml_fatal("an exception class is immortal and cannot be deallocated");
}

static int exc_class_repr(ml_object *op, char *buf, size_t size)
{
    return snprintf(buf, size, "%s", ml_exc_kind_name(((gen_exc_class_object *)op)->kind));
}

ml_type gen_exc_class_type = {
    .tp_name = "type",
    .tp_basicsize = sizeof(gen_exc_class_object),
    .tp_dealloc = exc_class_dealloc,
    .tp_repr = exc_class_repr,
};

#define EXC_CLASS(k) [k] = {{ML_IMMORTAL_REFCNT, &gen_exc_class_type}, (k)}
static gen_exc_class_object exc_classes[ML_EXC_KINDS] = {
    EXC_CLASS(ML_EXC_BASE_EXCEPTION), EXC_CLASS(ML_EXC_EXCEPTION),
    EXC_CLASS(ML_EXC_TYPE_ERROR),     EXC_CLASS(ML_EXC_VALUE_ERROR),
    EXC_CLASS(ML_EXC_INDEX_ERROR),    EXC_CLASS(ML_EXC_KEY_ERROR),
    EXC_CLASS(ML_EXC_RUNTIME_ERROR),  EXC_CLASS(ML_EXC_SYSTEM_ERROR),
    EXC_CLASS(ML_EXC_MEMORY_ERROR),   EXC_CLASS(ML_EXC_STOP_ITERATION),
    EXC_CLASS(ML_EXC_GENERATOR_EXIT), EXC_CLASS(ML_EXC_ZERO_DIVISION_ERROR),
};

ml_object *gen_exc_class(ml_exc_kind kind)
{
    if (kind <= ML_EXC_NONE || kind >= ML_EXC_KINDS)
        return NULL;
    return &exc_classes[kind].ob_base;
}

int gen_exc_class_check(const ml_object *op) { return ML_TYPE(op) == &gen_exc_class_type; }

/* ---------------------------------------------------------------- the generator object */

ml_type ml_gen_type = {
    .tp_name = "generator",
    .tp_basicsize = sizeof(ml_gen),
    .tp_flags = ML_TPFLAGS_HAVE_GC,
    .tp_dealloc = gen_dealloc,
    .tp_traverse = gen_traverse,
    .tp_finalize = gen_finalize,
    .tp_free = gc_free,
    .tp_repr = gen_repr,
    .tp_iter = gen_iter,
    .tp_iternext = gen_iternext,
};

int gen_check(const ml_object *op) { return op != NULL && ML_TYPE(op) == &ml_gen_type; }

int gen_repr(ml_object *self, char *buf, size_t size)
{
    return snprintf(buf, size, "<generator object %s at %p>", gen_name(self), (void *)self);
}

ml_object *gen_iter(ml_object *self) { return obj_newref(self); }

const char *gen_name(ml_object *op) { return ((ml_gen *)op)->gi_code->co_name; }

void set_stop_iteration(ml_object *value)
{
    if (value == ML_NONE)
        err_set(ML_EXC_STOP_ITERATION, "");
    else
        err_set_value(ML_EXC_STOP_ITERATION, value);
}

ml_object *take_stop_iteration_value(void)
{
    ml_exc *stop = err_fetch();
    ml_object *value = obj_newref(stop->value != NULL ? stop->value : ML_NONE);
    obj_decref(&stop->ob_base);
    return value;
}

ml_object *gen_next(ml_object *op)
{
    if (as_gen(op) == NULL)
        return NULL;
    return gen_iternext(op);
}

int is_generator_exit(ml_object *typ)
{
    if (gen_exc_class_check(typ))
        return ((gen_exc_class_object *)typ)->kind == ML_EXC_GENERATOR_EXIT;
    return exc_check(typ) && ((ml_exc *)typ)->kind == ML_EXC_GENERATOR_EXIT;
}

ml_object *next_item(ml_object *it)
{
    ml_object *item = obj_iternext(it);
    if (item == NULL && err_matches(ML_EXC_STOP_ITERATION))
        err_clear();
    return item;
}

ml_object *gen_over(const gen_code *code, ml_object *iterable)
{
    ml_object *it = obj_iter(iterable);
    if (it == NULL)
        return NULL;
    ml_object *gen = gen_new(code);
    if (gen == NULL) {
        obj_decref(it);
        return NULL;
    }
    *GEN_LOCALS(gen, ml_object *) = it; /* the frame owns it */
    return gen;
}

ml_object *pair(ml_object *a, ml_object *b)
{
    ml_object *t = tuple_new(2);
    if (t == NULL) {
        obj_decref(a);
        obj_decref(b);
        return NULL;
    }
    TUPLE_SET_ITEM(t, 0, a);
    TUPLE_SET_ITEM(t, 1, b);
    return t;
}
