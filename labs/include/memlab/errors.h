/*
 * memlab/errors.h -- the runtime's current exception, as CPython's
 * PyErr_* functions keep it.  Given code (labs/runtime/errors.c).
 *
 * A function that fails sets the current exception and returns NULL or -1.
 * The exception is an object (type ml_exc_type) with a kind, a message, an
 * optional value (StopIteration's .value) and an optional cause (PEP 479's
 * __cause__).  There is one current exception for the whole runtime (the
 * runtime is single-threaded).
 */
#ifndef MEMLAB_ERRORS_H
#define MEMLAB_ERRORS_H

#include "memlab/object.h"

typedef enum ml_exc_kind {
    ML_EXC_NONE = 0,
    ML_EXC_BASE_EXCEPTION, /* BaseException: for tests throwing a plain one */
    ML_EXC_EXCEPTION,      /* Exception */
    ML_EXC_TYPE_ERROR,
    ML_EXC_VALUE_ERROR,
    ML_EXC_INDEX_ERROR,
    ML_EXC_KEY_ERROR,
    ML_EXC_RUNTIME_ERROR,
    ML_EXC_SYSTEM_ERROR, /* PyErr_BadInternalCall: "bad argument to internal function" */
    ML_EXC_MEMORY_ERROR,
    ML_EXC_STOP_ITERATION,
    ML_EXC_GENERATOR_EXIT,
    ML_EXC_ZERO_DIVISION_ERROR,
    ML_EXC_KINDS
} ml_exc_kind;

/* An exception instance.  Not GC-tracked: a cause chain cannot form a cycle
 * in this runtime. */
typedef struct ml_exc {
    ml_object ob_base;
    ml_exc_kind kind;
    char *message;        /* owned, never NULL ("" when none) */
    ml_object *value;     /* owned or NULL: StopIteration.value */
    struct ml_exc *cause; /* owned or NULL: __cause__ */
} ml_exc;

extern ml_type ml_exc_type;

/* "TypeError", "StopIteration", ... as Python names the class. */
const char *ml_exc_kind_name(ml_exc_kind kind);

/* New exception object (new reference); `value` is borrowed (INCREF'd). */
ml_exc *exc_new(ml_exc_kind kind, const char *message, ml_object *value);
/* Is `op` an exception object? */
int exc_check(const ml_object *op);
/* "TypeError: message" (or "TypeError" with an empty message) into buf. */
void exc_format(const ml_exc *exc, char *buf, size_t size);

/* Set the current exception (replacing any).  err_set_fmt takes printf. */
void err_set(ml_exc_kind kind, const char *message);
void err_set_fmt(ml_exc_kind kind, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* StopIteration(value) / KeyError(key): `value` borrowed. */
void err_set_value(ml_exc_kind kind, ml_object *value);
/* PyErr_NoMemory / PyErr_BadInternalCall. Both return NULL for `return err_...;`. */
ml_object *err_no_memory(void);
ml_object *err_bad_internal_call(void);

/* Kind of the current exception, ML_EXC_NONE when there is none. */
ml_exc_kind err_occurred(void);
/* Does the current exception match `kind`?  (Exception matches every kind but
 * BaseException, GeneratorExit; BaseException matches all.) */
int err_matches(ml_exc_kind kind);
/* Message of the current exception (borrowed; "" when none). */
const char *err_message(void);
void err_clear(void);

/* Take the current exception out (new reference, NULL when none) / put one
 * back (steals `exc`, which may be NULL to clear). */
ml_exc *err_fetch(void);
void err_restore(ml_exc *exc);

/* PyErr_WriteUnraisable: report the current exception on the runtime's debug
 * stream as "Exception ignored in: <obj>" then "Kind: message", and clear it.
 * Tests can count these with err_unraisable_count(). */
void err_write_unraisable(ml_object *obj);
size_t err_unraisable_count(void);

#endif /* MEMLAB_ERRORS_H */
