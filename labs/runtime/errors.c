/*
 * errors.c -- the runtime's current exception (given code).  Contracts in
 * memlab/errors.h.
 *
 * The runtime is single-threaded, so "the current exception" is one owned
 * pointer, `current`, NULL when no exception is set:
 *
 *     err_set(kind, msg) --> exc_new() --> current (owns one reference)
 *     err_fetch()        <-- current       (the reference moves to the caller)
 *     err_restore(exc)   --> current       (the caller's reference moves in)
 *
 * Setting an exception must work even when memory is short (MemoryError is
 * the exception of that case), so when exc_new cannot allocate, err_set
 * falls back to one static, immortal exception object whose kind and
 * message are overwritten in place.
 */
#include "memlab/errors.h"

#include "memlab/mem.h"
#include "memlab/runtime.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ==================================================================== names */

static const char *const kind_names[ML_EXC_KINDS] = {
    [ML_EXC_NONE] = "NoException",
    [ML_EXC_BASE_EXCEPTION] = "BaseException",
    [ML_EXC_EXCEPTION] = "Exception",
    [ML_EXC_TYPE_ERROR] = "TypeError",
    [ML_EXC_VALUE_ERROR] = "ValueError",
    [ML_EXC_INDEX_ERROR] = "IndexError",
    [ML_EXC_KEY_ERROR] = "KeyError",
    [ML_EXC_RUNTIME_ERROR] = "RuntimeError",
    [ML_EXC_SYSTEM_ERROR] = "SystemError",
    [ML_EXC_MEMORY_ERROR] = "MemoryError",
    [ML_EXC_STOP_ITERATION] = "StopIteration",
    [ML_EXC_GENERATOR_EXIT] = "GeneratorExit",
    [ML_EXC_ZERO_DIVISION_ERROR] = "ZeroDivisionError",
};

const char *ml_exc_kind_name(ml_exc_kind kind)
{
    if ((int)kind < 0 || kind >= ML_EXC_KINDS)
        return "UnknownException";
    return kind_names[kind];
}

/* ==================================================================== exception objects */

static char *copy_message(const char *message)
{
    size_t n = strlen(message ? message : "");
    char *copy = mem_malloc(MEM_DOMAIN_MEM, n + 1);
    if (copy != NULL)
        memcpy(copy, message ? message : "", n + 1);
    return copy;
}

static void exc_dealloc(ml_object *op)
{
    ml_exc *exc = (ml_exc *)op;
    mem_free(MEM_DOMAIN_MEM, exc->message);
    OBJ_CLEAR(exc->value);
    OBJ_CLEAR(exc->cause);
    ML_TYPE(op)->tp_free(op);
}

static int exc_repr(ml_object *op, char *buf, size_t size)
{
    ml_exc *exc = (ml_exc *)op;
    if (exc->message[0] == '\0')
        return snprintf(buf, size, "%s()", ml_exc_kind_name(exc->kind));
    /* Kind('message'), with the message shown as Python shows a str. */
    ml_object *text = str_from_cstr(exc->message);
    if (text == NULL) {
        err_clear();
        return snprintf(buf, size, "%s(...)", ml_exc_kind_name(exc->kind));
    }
    int head = snprintf(buf, size, "%s(", ml_exc_kind_name(exc->kind));
    size_t used = (size_t)head < size ? (size_t)head : size;
    int body = obj_repr(text, buf + used, size - used);
    used = (size_t)(head + body) < size ? (size_t)(head + body) : size;
    int tail = snprintf(buf + used, size - used, ")");
    obj_decref(text);
    return head + body + tail;
}

ml_type ml_exc_type = {
    .tp_name = "BaseException",
    .tp_basicsize = sizeof(ml_exc),
    .tp_dealloc = exc_dealloc,
    .tp_free = obj_free,
    .tp_repr = exc_repr,
};

ml_exc *exc_new(ml_exc_kind kind, const char *message, ml_object *value)
{
    char *copy = copy_message(message);
    if (copy == NULL)
        return NULL;
    ml_exc *exc = (ml_exc *)obj_new(&ml_exc_type);
    if (exc == NULL) {
        mem_free(MEM_DOMAIN_MEM, copy);
        return NULL;
    }
    exc->kind = kind;
    exc->message = copy;
    exc->value = value;
    obj_xincref(value);
    exc->cause = NULL;
    return exc;
}

int exc_check(const ml_object *op) { return op != NULL && ML_TYPE(op) == &ml_exc_type; }

void exc_format(const ml_exc *exc, char *buf, size_t size)
{
    if (exc->message[0] == '\0')
        snprintf(buf, size, "%s", ml_exc_kind_name(exc->kind));
    else
        snprintf(buf, size, "%s: %s", ml_exc_kind_name(exc->kind), exc->message);
}

/* ==================================================================== the current exception */

static ml_exc *current;

/* The exception used when there is no memory for a new one, as CPython
 * falls back on a preallocated MemoryError: immortal, so no decref frees it,
 * and never rewritten, so a copy saved by err_fetch keeps its meaning. */
static char no_memory_message[] = "";
static ml_exc no_memory_exc = {
    .ob_base = {ML_IMMORTAL_REFCNT, &ml_exc_type},
    .kind = ML_EXC_MEMORY_ERROR,
    .message = no_memory_message,
};

static ml_exc *or_no_memory(ml_exc *exc) { return exc != NULL ? exc : &no_memory_exc; }

void err_restore(ml_exc *exc)
{
    ml_exc *old = current;
    current = exc;
    if (old != NULL)
        obj_decref((ml_object *)old);
}

ml_exc *err_fetch(void)
{
    ml_exc *exc = current;
    current = NULL;
    return exc;
}

void err_clear(void) { err_restore(NULL); }

void err_set(ml_exc_kind kind, const char *message)
{
    ml_exc *exc = exc_new(kind, message, NULL);
    err_restore(or_no_memory(exc));
}

void err_set_fmt(ml_exc_kind kind, const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    err_set(kind, message);
}

/* KeyError(key) shows repr(key); StopIteration(value) and the others show
 * str(value), which for a str is its text. */
void err_set_value(ml_exc_kind kind, ml_object *value)
{
    char message[512] = "";
    if (value != NULL) {
        if (kind != ML_EXC_KEY_ERROR && str_check(value))
            snprintf(message, sizeof message, "%s", str_as_cstr(value));
        else
            obj_repr(value, message, sizeof message);
    }
    ml_exc *exc = exc_new(kind, message, value);
    err_restore(or_no_memory(exc));
}

/* No allocation here: the allocation that just failed may be the very one
 * a new exception object would need (the object domain refusing every
 * request would otherwise recurse through obj_new until the stack ends). */
ml_object *err_no_memory(void)
{
    err_restore(&no_memory_exc);
    return NULL;
}

ml_object *err_bad_internal_call(void)
{
    err_set(ML_EXC_SYSTEM_ERROR, "bad argument to internal function");
    return NULL;
}

ml_exc_kind err_occurred(void) { return current != NULL ? current->kind : ML_EXC_NONE; }

int err_matches(ml_exc_kind kind)
{
    if (current == NULL)
        return 0;
    switch (kind) {
    case ML_EXC_BASE_EXCEPTION: return 1;
    case ML_EXC_EXCEPTION:
        return current->kind != ML_EXC_BASE_EXCEPTION && current->kind != ML_EXC_GENERATOR_EXIT;
    default: return current->kind == kind;
    }
}

const char *err_message(void) { return current != NULL ? current->message : ""; }

/* ==================================================================== unraisable */

static size_t unraisable_count;

void err_write_unraisable(ml_object *obj)
{
    ml_exc *exc = err_fetch();
    FILE *out = ml_debug_stream();
    if (obj != NULL) {
        char where[256];
        obj_repr(obj, where, sizeof where);
        fprintf(out, "Exception ignored in: %s\n", where);
    }
    if (exc != NULL) {
        char what[600];
        exc_format(exc, what, sizeof what);
        fprintf(out, "%s\n", what);
        obj_decref((ml_object *)exc);
    }
    fflush(out);
    unraisable_count++;
}

size_t err_unraisable_count(void) { return unraisable_count; }
