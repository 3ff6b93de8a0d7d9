/*
 * generators.c -- generator objects: a frame that outlives each call, and the
 * next / send / throw / close protocol of CPython 3.11 (Objects/genobject.c).
 *
 * A generator is one heap block: the object, then its frame's locals.  The
 * body (a C function written with the GEN_* macros of generators.h) is called
 * once per resumption; it jumps to gi_lasti, runs to the next yield, stores
 * where it stopped, and returns.  Between two calls the C stack holds nothing
 * of it: everything lives here.
 *
 *     gen_new --> CREATED --next/send(None)--> EXECUTING --yield--> SUSPENDED
 *                    |                          |     ^                  |
 *                    | throw/close:             |     +--next/send/throw-+
 *                    | no body code runs        | return, raise,
 *                    v                          v StopIteration (PEP 479)
 *                 CLEARED  <----------------- COMPLETED (frame cleared at once)
 *
 * The order of every resumption (gen_send_ex2) is CPython's: a non-None value
 * sent to a CREATED generator, then re-entry while EXECUTING, then a closed
 * generator, then the body.  Delegation (yield from) keeps the sub-iterator
 * in gi_yieldfrom; throw and close reach it before the delegator.
 *
 * Sections, in the order a generator lives: the object, running the frame,
 * throw and close, yield from, lazy builtins.  The exception classes, the
 * small helpers and the type's repr and iter slots are given:
 * memlab/internal/generators.h and labs/generators/given/generators_given.c.
 */
#include "memlab/generators.h"

#include "memlab/cycles.h"
#include "memlab/errors.h"
#include "memlab/internal/generators.h"
#include "memlab/object.h"

#include <stdio.h>
#include <string.h>

/* ==================================================================== the generator object */

ml_object *gen_new(const gen_code *code)
{
    /* obj_new knows fixed and per-item sizes; a frame's size comes from its
     * code, so the block is made here the way obj_new makes a GC object. */
    size_t size = sizeof(ml_gen) + code->co_localsize;
    ml_gen *gen = gc_alloc(size);
    if (gen == NULL)
        return NULL;
    memset(gen, 0, size);
    ML_TYPE(gen) = &ml_gen_type;
    obj_incref(&gen->ob_base); /* 0 -> 1: the new reference, counted in the total */
    gen->gi_code = code;
    gen->gi_lasti = 0;
    gen->gi_frame_state = GEN_FRAME_CREATED;
    gc_track(&gen->ob_base);
    return &gen->ob_base;
}

/* Release everything the frame owns; the generator is closed for good.  The
 * state changes first, so code run by a decref here sees it closed. */
static void frame_clear(ml_gen *gen)
{
    gen->gi_frame_state = GEN_FRAME_CLEARED;
    gen->gi_lasti = GEN_LASTI_DONE;
    OBJ_CLEAR(gen->gi_yieldfrom);
    for (size_t i = 0; i < gen->gi_code->co_nrefs; i++)
        OBJ_CLEAR(*frame_ref(gen, i));
}

int gen_traverse(ml_object *self, ml_visitproc visit, void *arg)
{
    ml_gen *gen = (ml_gen *)self;
    int rc;
    if (gen->gi_yieldfrom != NULL && (rc = visit(gen->gi_yieldfrom, arg)) != 0)
        return rc;
    for (size_t i = 0; i < gen->gi_code->co_nrefs; i++) {
        ml_object *ref = *frame_ref(gen, i);
        if (ref != NULL && (rc = visit(ref, arg)) != 0)
            return rc;
    }
    return 0;
}

/* tp_finalize (PEP 442): close a generator that may still run code, so its
 * finally blocks run; errors cannot propagate from here, so they are reported. */
void gen_finalize(ml_object *self)
{
    ml_gen *gen = (ml_gen *)self;
    if (gen->gi_frame_state >= GEN_FRAME_COMPLETED)
        return;
    ml_exc *saved = err_fetch();
    ml_object *res = gen_close(self);
    if (res != NULL)
        obj_decref(res);
    else if (err_occurred())
        err_write_unraisable(self);
    err_restore(saved);
}

void gen_dealloc(ml_object *self)
{
    ml_gen *gen = (ml_gen *)self;
    /* A dealloc may run while an exception propagates (a frame cleared on
     * the way out): keep it aside while the finalizer runs.  Still tracked
     * here: a finalizer that resurrects us leaves us tracked. */
    ml_exc *propagating = err_fetch();
    int resurrected = gc_call_finalizer_from_dealloc(self) < 0;
    err_restore(propagating);
    if (resurrected)
        return;
    gc_untrack(self);
    if (gen->gi_frame_state < GEN_FRAME_CLEARED)
        frame_clear(gen); /* closed already, or a close that was ignored */
    ML_TYPE(self)->tp_free(self);
}

gen_state gen_getstate(ml_object *op)
{
    switch (((ml_gen *)op)->gi_frame_state) {
    case GEN_FRAME_CREATED: return GEN_CREATED;
    case GEN_FRAME_EXECUTING: return GEN_RUNNING;
    case GEN_FRAME_SUSPENDED: return GEN_SUSPENDED;
    default: return GEN_CLOSED;
    }
}

const char *gen_state_name(gen_state state)
{
    static const char *const names[] = {"GEN_CREATED", "GEN_RUNNING", "GEN_SUSPENDED",
                                        "GEN_CLOSED"};
    return (unsigned)state < 4 ? names[state] : "?";
}

/* gi_yieldfrom is visible only while the generator rests inside a yield from. */
ml_object *gen_yieldfrom(ml_object *op)
{
    ml_gen *gen = (ml_gen *)op;
    return gen->gi_frame_state == GEN_FRAME_SUSPENDED ? gen->gi_yieldfrom : NULL;
}

size_t gen_sizeof(ml_object *op)
{
    return sizeof(gc_head) + sizeof(ml_gen) + ((ml_gen *)op)->gi_code->co_localsize;
}

/* ==================================================================== next and send */

typedef enum send_result { SEND_YIELDED, SEND_RETURNED, SEND_ERROR } send_result;

/* PEP 479: a StopIteration escaping a body would end the caller's loop in
 * silence; it becomes RuntimeError, with the StopIteration as its cause. */
static void stop_iteration_to_runtime_error(void)
{
    if (!err_matches(ML_EXC_STOP_ITERATION))
        return;
    ml_exc *cause = err_fetch();
    ml_exc *error = exc_new(ML_EXC_RUNTIME_ERROR, "generator raised StopIteration", NULL);
    if (error == NULL) { /* no memory: MemoryError instead (exc_new may set none) */
        obj_decref(&cause->ob_base);
        err_no_memory();
        return;
    }
    error->cause = cause;
    err_restore(error);
}

/* Enter the body at gi_lasti.  `exc`: raise the current exception there
 * instead of sending a value.  A frame not started yet has no handler, so an
 * exception thrown into it comes straight back out. */
static ml_object *run_frame(ml_gen *gen, ml_object *arg, int exc)
{
    if (exc && gen->gi_frame_state == GEN_FRAME_CREATED)
        return NULL;
    gen->gi_sent = exc ? NULL : (arg != NULL ? arg : ML_NONE);
    gen->gi_frame_state = GEN_FRAME_EXECUTING;
    ml_object *result = gen->gi_code->co_body(gen);
    gen->gi_sent = NULL;
    if (result == NULL && !err_occurred())
        err_set(ML_EXC_SYSTEM_ERROR, "error return without exception set");
    return result;
}

/* One resumption, CPython's gen_send_ex2.  arg: the value sent (NULL for
 * next).  *presult gets the yielded or returned value (new reference), NULL
 * on error (exception set, except for next on a closed generator). */
static send_result gen_send_ex2(ml_gen *gen, ml_object *arg, int exc, ml_object **presult)
{
    *presult = NULL;
    if (gen->gi_frame_state == GEN_FRAME_CREATED && arg != NULL && arg != ML_NONE) {
        err_set(ML_EXC_TYPE_ERROR, "can't send non-None value to a just-started generator");
        return SEND_ERROR;
    }
    if (gen->gi_frame_state == GEN_FRAME_EXECUTING) {
        err_set(ML_EXC_VALUE_ERROR, "generator already executing");
        return SEND_ERROR;
    }
    if (gen->gi_frame_state >= GEN_FRAME_COMPLETED) {
        /* only send() of an exhausted generator returns (None) */
        if (arg != NULL && !exc) {
            *presult = obj_newref(ML_NONE);
            return SEND_RETURNED;
        }
        return SEND_ERROR; /* next: no exception; throw/close: theirs */
    }

    ml_object *result = run_frame(gen, arg, exc);
    if (result != NULL && gen->gi_lasti != GEN_LASTI_DONE) {
        gen->gi_frame_state = GEN_FRAME_SUSPENDED;
        *presult = result;
        return SEND_YIELDED;
    }
    /* returned or raised: the frame is done */
    if (result == NULL)
        stop_iteration_to_runtime_error();
    gen->gi_frame_state = GEN_FRAME_COMPLETED;
    frame_clear(gen);
    *presult = result;
    return result != NULL ? SEND_RETURNED : SEND_ERROR;
}

/* gen_send_ex2 for send, throw and close: a return becomes StopIteration. */
static ml_object *gen_send_ex(ml_gen *gen, ml_object *arg, int exc)
{
    ml_object *result;
    if (gen_send_ex2(gen, arg, exc, &result) == SEND_RETURNED) {
        set_stop_iteration(result);
        obj_decref(result);
        return NULL;
    }
    return result;
}

/* tp_iternext: the type is known, so no check (the hot path of every loop). */
ml_object *gen_iternext(ml_object *self)
{
    ml_gen *gen = (ml_gen *)self;
    ml_object *result;
    if (gen_send_ex2(gen, NULL, 0, &result) == SEND_RETURNED) {
        if (result != ML_NONE) /* a bare end needs no exception (tp_iternext) */
            set_stop_iteration(result);
        obj_decref(result);
        return NULL;
    }
    return result;
}

ml_object *gen_send(ml_object *op, ml_object *value)
{
    ml_gen *gen = as_gen(op);
    if (gen == NULL)
        return NULL;
    if (value == NULL)
        return err_bad_internal_call();
    return gen_send_ex(gen, value, 0);
}

/* ==================================================================== throw and close */

/* The sub-iterator to forward to: only while resting in a yield from. */
static ml_object *delegate_of(ml_gen *gen)
{
    return gen->gi_frame_state == GEN_FRAME_SUSPENDED ? gen->gi_yieldfrom : NULL;
}

/* Close a sub-iterator: a generator is closed; other iterators of this
 * runtime have no close method.  0, or -1 with its exception set. */
static int close_subiterator(ml_object *yf)
{
    if (!gen_check(yf))
        return 0;
    ml_object *res = gen_close(yf);
    if (res == NULL)
        return -1;
    obj_decref(res);
    return 0;
}

/* An exception class called with `val` as its argument. */
static ml_exc *instantiate(ml_exc_kind kind, ml_object *val)
{
    if (val == NULL || val == ML_NONE)
        return exc_new(kind, "", NULL);
    if (exc_check(val) && ((ml_exc *)val)->kind == kind)
        return (ml_exc *)obj_newref(val); /* already an instance of it */
    char message[512];
    if (str_check(val))
        snprintf(message, sizeof message, "%s", str_as_cstr(val));
    else
        obj_repr(val, message, sizeof message);
    return exc_new(kind, message, val);
}

/* The exception throw() raises, or NULL with TypeError when typ is neither
 * an exception class nor an instance (or an instance comes with a value). */
static ml_exc *exception_to_throw(ml_object *typ, ml_object *val)
{
    if (gen_exc_class_check(typ))
        return instantiate(((gen_exc_class_object *)typ)->kind, val);
    if (exc_check(typ)) {
        if (val != NULL && val != ML_NONE) {
            err_set(ML_EXC_TYPE_ERROR, "instance exception may not have a separate value");
            return NULL;
        }
        return (ml_exc *)obj_newref(typ);
    }
    err_set_fmt(ML_EXC_TYPE_ERROR,
                "exceptions must be classes or instances deriving from BaseException, not %s",
                ML_TYPE(typ)->tp_name);
    return NULL;
}

/* Raise the exception at this generator's own resume point. */
static ml_object *throw_here(ml_gen *gen, ml_object *typ, ml_object *val, ml_object *tb)
{
    if (tb != NULL && tb != ML_NONE) {
        err_set(ML_EXC_TYPE_ERROR, "throw() third argument must be a traceback object");
        return NULL;
    }
    ml_exc *exc = exception_to_throw(typ, val);
    if (exc == NULL)
        return NULL;
    err_restore(exc);
    return gen_send_ex(gen, ML_NONE, 1);
}

static ml_object *throw_ex(ml_gen *gen, ml_object *typ, ml_object *val, ml_object *tb);

/* throw() while delegating: GeneratorExit closes the sub-iterator and is
 * raised here; anything else goes to the sub-generator's throw.  If that
 * ends the sub-generator, we resume: with its return value as the value of
 * the yield from, or with its exception.  The delegator is EXECUTING while
 * the sub-iterator runs. */
static ml_object *throw_delegated(ml_gen *gen, ml_object *yf, ml_object *typ, ml_object *val,
                                  ml_object *tb)
{
    if (is_generator_exit(typ)) {
        gen->gi_frame_state = GEN_FRAME_EXECUTING;
        int err = close_subiterator(yf);
        gen->gi_frame_state = GEN_FRAME_SUSPENDED;
        if (err < 0)
            return gen_send_ex(gen, ML_NONE, 1); /* its error, raised here */
        return throw_here(gen, typ, val, tb);
    }
    if (!gen_check(yf)) /* no throw method: raise it in the delegator */
        return throw_here(gen, typ, val, tb);

    obj_incref(yf);
    gen->gi_frame_state = GEN_FRAME_EXECUTING;
    ml_object *ret = throw_ex((ml_gen *)yf, typ, val, tb);
    gen->gi_frame_state = GEN_FRAME_SUSPENDED;
    obj_decref(yf);
    if (ret != NULL)
        return ret; /* the sub-generator yielded: so do we */

    /* The sub-generator is finished: the delegation ends. */
    OBJ_CLEAR(gen->gi_yieldfrom);
    if (err_matches(ML_EXC_STOP_ITERATION)) {
        ml_object *value = take_stop_iteration_value();
        ret = gen_send_ex(gen, value, 0);
        obj_decref(value);
        return ret;
    }
    return gen_send_ex(gen, ML_NONE, 1);
}

static ml_object *throw_ex(ml_gen *gen, ml_object *typ, ml_object *val, ml_object *tb)
{
    ml_object *yf = delegate_of(gen);
    if (yf != NULL)
        return throw_delegated(gen, yf, typ, val, tb);
    return throw_here(gen, typ, val, tb);
}

ml_object *gen_throw(ml_object *op, ml_object *typ, ml_object *val, ml_object *tb)
{
    ml_gen *gen = as_gen(op);
    if (gen == NULL)
        return NULL;
    if (typ == NULL)
        return err_bad_internal_call();
    return throw_ex(gen, typ, val, tb);
}

ml_object *gen_close(ml_object *op)
{
    ml_gen *gen = as_gen(op);
    if (gen == NULL)
        return NULL;
    int err = 0;
    ml_object *yf = delegate_of(gen);
    if (yf != NULL) {
        obj_incref(yf);
        gen->gi_frame_state = GEN_FRAME_EXECUTING;
        err = close_subiterator(yf);
        gen->gi_frame_state = GEN_FRAME_SUSPENDED;
        obj_decref(yf);
    }
    if (err == 0)
        err_set(ML_EXC_GENERATOR_EXIT, "");
    ml_object *result = gen_send_ex(gen, ML_NONE, 1);
    if (result != NULL) {
        obj_decref(result);
        err_set(ML_EXC_RUNTIME_ERROR, "generator ignored GeneratorExit");
        return NULL;
    }
    if (err_matches(ML_EXC_STOP_ITERATION) || err_matches(ML_EXC_GENERATOR_EXIT)) {
        err_clear(); /* the generator ended as asked (3.11: the value is dropped) */
        return obj_newref(ML_NONE);
    }
    return NULL;
}

/* ==================================================================== yield from */

int gen_yield_from_enter(ml_gen *gen, ml_object *iterable)
{
    if (iterable == NULL)
        return -1;
    ml_object *it = obj_iter(iterable);
    obj_decref(iterable); /* consumed, as the interpreter pops it */
    if (it == NULL)
        return -1;
    OBJ_XSETREF(gen->gi_yieldfrom, it);
    gen->gi_sent = ML_NONE; /* the first step sends None */
    return 0;
}

/* Send `value` into a sub-iterator: a new reference it yielded, or NULL at
 * its end (StopIteration set or not) or on error. */
static ml_object *send_to_subiterator(ml_object *yf, ml_object *value)
{
    if (gen_check(yf))
        return gen_send(yf, value);
    if (value != ML_NONE) {
        err_set_fmt(ML_EXC_TYPE_ERROR, "'%s' object has no attribute 'send'", ML_TYPE(yf)->tp_name);
        return NULL;
    }
    return obj_iternext(yf);
}

int gen_yield_from_step(ml_gen *gen, ml_object **out)
{
    *out = NULL;
    if (GEN_RAISING(gen)) { /* thrown in, and not taken by the sub-iterator */
        OBJ_CLEAR(gen->gi_yieldfrom);
        return -1;
    }
    if (gen->gi_yieldfrom == NULL) { /* it ended inside a throw; its value was sent */
        *out = obj_newref(GEN_SENT(gen));
        return 0;
    }
    ml_object *value = send_to_subiterator(gen->gi_yieldfrom, GEN_SENT(gen));
    if (value != NULL) {
        *out = value;
        return 1;
    }
    OBJ_CLEAR(gen->gi_yieldfrom);
    if (err_matches(ML_EXC_STOP_ITERATION)) {
        *out = take_stop_iteration_value();
        return 0;
    }
    if (err_occurred()) {
        gen->gi_sent = NULL; /* GEN_RAISING from here on */
        return -1;
    }
    *out = obj_newref(ML_NONE);
    return 0;
}

/* ==================================================================== lazy builtins */

/* ---- range ---- */
static ml_object *range_body(ml_gen *gen)
{
    range_locals *L = GEN_LOCALS(gen, range_locals);
    GEN_BEGIN(gen);
    for (L->i = 0; L->i < L->len; L->i++) /* unsigned: no overflow at the ends */
        GEN_YIELD(gen,
                  int_from_long((long)((unsigned long)L->start + L->i * (unsigned long)L->step)));
    GEN_END(gen);
}

static const gen_code range_code = GEN_CODE_NOREFS("range", range_body, range_locals);

ml_object *gen_range(long start, long stop, long step)
{
    if (step == 0) {
        err_set(ML_EXC_VALUE_ERROR, "range() arg 3 must not be zero");
        return NULL;
    }
    ml_object *gen = gen_new(&range_code);
    if (gen == NULL)
        return NULL;
    range_locals *L = GEN_LOCALS(gen, range_locals);
    L->start = start;
    L->step = step;
    if (step > 0 && start < stop)
        L->len = ((unsigned long)stop - (unsigned long)start - 1) / (unsigned long)step + 1;
    else if (step < 0 && start > stop)
        L->len = ((unsigned long)start - (unsigned long)stop - 1) / (0UL - (unsigned long)step) + 1;
    return gen;
}

/* ---- map and filter ---- */
static const size_t map_refs[] = {GEN_REF(map_locals, it)};

static ml_object *map_body(ml_gen *gen)
{
    map_locals *L = GEN_LOCALS(gen, map_locals);
    ml_object *item, *out;
    GEN_BEGIN(gen);
    while ((item = next_item(L->it)) != NULL) {
        out = L->f.fn(item, L->ctx);
        obj_decref(item);
        if (out == NULL)
            return NULL;
        GEN_YIELD(gen, out);
    }
    if (err_occurred())
        return NULL;
    GEN_END(gen);
}

static ml_object *filter_body(ml_gen *gen)
{
    map_locals *L = GEN_LOCALS(gen, map_locals);
    ml_object *item;
    GEN_BEGIN(gen);
    while ((item = next_item(L->it)) != NULL) {
        int keep = L->f.pred(item, L->ctx);
        if (keep < 0) {
            obj_decref(item);
            return NULL;
        }
        if (keep)
            GEN_YIELD(gen, item);
        else
            obj_decref(item);
    }
    if (err_occurred())
        return NULL;
    GEN_END(gen);
}

static const gen_code map_code = GEN_CODE("map", map_body, map_locals, map_refs);
static const gen_code filter_code = GEN_CODE("filter", filter_body, map_locals, map_refs);

ml_object *gen_map(gen_mapfunc fn, void *ctx, ml_object *iterable)
{
    ml_object *gen = gen_over(&map_code, iterable);
    if (gen != NULL) {
        GEN_LOCALS(gen, map_locals)->f.fn = fn;
        GEN_LOCALS(gen, map_locals)->ctx = ctx;
    }
    return gen;
}

ml_object *gen_filter(gen_predicate pred, void *ctx, ml_object *iterable)
{
    ml_object *gen = gen_over(&filter_code, iterable);
    if (gen != NULL) {
        GEN_LOCALS(gen, map_locals)->f.pred = pred;
        GEN_LOCALS(gen, map_locals)->ctx = ctx;
    }
    return gen;
}

/* ---- take (islice) ---- */
static const size_t take_refs[] = {GEN_REF(take_locals, it)};

static ml_object *take_body(ml_gen *gen)
{
    take_locals *L = GEN_LOCALS(gen, take_locals);
    ml_object *item;
    GEN_BEGIN(gen);
    while (L->remaining > 0) { /* never pull past the n-th item */
        if ((item = next_item(L->it)) == NULL)
            break;
        L->remaining--;
        GEN_YIELD(gen, item);
    }
    if (err_occurred())
        return NULL;
    GEN_END(gen);
}

static const gen_code take_code = GEN_CODE("islice", take_body, take_locals, take_refs);

ml_object *gen_take(ml_object *iterable, ml_ssize_t n)
{
    if (n < 0) {
        err_set(ML_EXC_VALUE_ERROR, "Stop argument for islice() must be None or an integer: "
                                    "0 <= x <= sys.maxsize.");
        return NULL;
    }
    ml_object *gen = gen_over(&take_code, iterable);
    if (gen != NULL)
        GEN_LOCALS(gen, take_locals)->remaining = n;
    return gen;
}

/* ---- zip and enumerate ---- */
static const size_t zip_refs[] = {GEN_REF(zip_locals, a), GEN_REF(zip_locals, b)};

static ml_object *zip_body(ml_gen *gen)
{
    zip_locals *L = GEN_LOCALS(gen, zip_locals);
    ml_object *x, *y, *t;
    GEN_BEGIN(gen);
    for (;;) {
        if ((x = next_item(L->a)) == NULL)
            break;
        if ((y = next_item(L->b)) == NULL) { /* the first input's item is dropped */
            obj_decref(x);
            break;
        }
        if ((t = pair(x, y)) == NULL)
            return NULL;
        GEN_YIELD(gen, t);
    }
    if (err_occurred())
        return NULL;
    GEN_END(gen);
}

static const gen_code zip_code = GEN_CODE("zip", zip_body, zip_locals, zip_refs);

ml_object *gen_zip(ml_object *a, ml_object *b)
{
    ml_object *ia = obj_iter(a);
    if (ia == NULL)
        return NULL;
    ml_object *ib = obj_iter(b);
    if (ib == NULL) {
        obj_decref(ia);
        return NULL;
    }
    ml_object *gen = gen_new(&zip_code);
    if (gen == NULL) {
        obj_decref(ia);
        obj_decref(ib);
        return NULL;
    }
    GEN_LOCALS(gen, zip_locals)->a = ia;
    GEN_LOCALS(gen, zip_locals)->b = ib;
    return gen;
}

static const size_t enumerate_refs[] = {GEN_REF(enumerate_locals, it)};

static ml_object *enumerate_body(ml_gen *gen)
{
    enumerate_locals *L = GEN_LOCALS(gen, enumerate_locals);
    ml_object *item, *index, *t;
    GEN_BEGIN(gen);
    while ((item = next_item(L->it)) != NULL) {
        if ((index = int_from_long(L->i++)) == NULL) {
            obj_decref(item);
            return NULL;
        }
        if ((t = pair(index, item)) == NULL)
            return NULL;
        GEN_YIELD(gen, t);
    }
    if (err_occurred())
        return NULL;
    GEN_END(gen);
}

static const gen_code enumerate_code =
    GEN_CODE("enumerate", enumerate_body, enumerate_locals, enumerate_refs);

ml_object *gen_enumerate(ml_object *iterable, long start)
{
    ml_object *gen = gen_over(&enumerate_code, iterable);
    if (gen != NULL)
        GEN_LOCALS(gen, enumerate_locals)->i = start;
    return gen;
}
