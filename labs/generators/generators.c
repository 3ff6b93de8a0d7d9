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
 *
 * Your file.  Every function marked TODO is yours; the rest is given.  The
 * handout (labs/generators/README.md) walks through them in this order.
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
    /* TODO (§2): allocate sizeof(ml_gen) + code->co_localsize bytes with gc_alloc
     * (NULL: return NULL, MemoryError is set), zero them, set the type, take
     * the first reference with obj_incref (refcount 0 -> 1), fill gi_code,
     * gi_lasti 0 and the CREATED state, then gc_track it. */
    (void)code;
    return NULL;
}

/* Release everything the frame owns; the generator is closed for good.  The
 * state changes first, so code run by a decref here sees it closed. */
static void frame_clear(ml_gen *gen)
{
    /* TODO (§2): mark the frame CLEARED (and gi_lasti done) first, then release
     * gi_yieldfrom and every owned local (frame_ref) with OBJ_CLEAR. */
    (void)gen;
    (void)frame_ref;
}

int gen_traverse(ml_object *self, ml_visitproc visit, void *arg)
{
    /* TODO (§5): visit gi_yieldfrom and each non-NULL owned local; stop at the
     * first non-zero result of visit and return it. */
    (void)self;
    (void)visit;
    (void)arg;
    return 0;
}

/* tp_finalize (PEP 442): close a generator that may still run code, so its
 * finally blocks run; errors cannot propagate from here, so they are reported. */
void gen_finalize(ml_object *self)
{
    /* TODO (§5): nothing to do once COMPLETED/CLEARED.  Otherwise keep the current
     * exception aside (err_fetch), gen_close, report an error with
     * err_write_unraisable(self), and put the saved exception back. */
    (void)self;
}

void gen_dealloc(ml_object *self)
{
    /* TODO (§5): run the finalizer through gc_call_finalizer_from_dealloc (with any
     * propagating exception kept aside); stop if it resurrected the
     * generator.  Then untrack, clear the frame if not CLEARED, and free with
     * the type's tp_free. */
    (void)self;
}

gen_state gen_getstate(ml_object *op)
{
    /* TODO (§2): map gi_frame_state to inspect's four states. */
    (void)op;
    return GEN_CLOSED;
}

const char *gen_state_name(gen_state state)
{
    /* TODO (§2): "GEN_CREATED", "GEN_RUNNING", "GEN_SUSPENDED", "GEN_CLOSED". */
    (void)state;
    return "?";
}

/* gi_yieldfrom is visible only while the generator rests inside a yield from. */
ml_object *gen_yieldfrom(ml_object *op)
{
    /* TODO (§2): gi_yieldfrom, but only while SUSPENDED. */
    (void)op;
    return NULL;
}

size_t gen_sizeof(ml_object *op)
{
    /* TODO (§8): GC head + the object + its locals. */
    (void)op;
    return 0;
}

/* ==================================================================== next and send */

typedef enum send_result { SEND_YIELDED, SEND_RETURNED, SEND_ERROR } send_result;

/* PEP 479: a StopIteration escaping a body would end the caller's loop in
 * silence; it becomes RuntimeError, with the StopIteration as its cause. */
static void stop_iteration_to_runtime_error(void)
{
    /* TODO (§3): if the current exception is StopIteration, replace it with a new
     * RuntimeError "generator raised StopIteration" whose cause is it (no
     * memory for it: release the StopIteration, set MemoryError). */
}

/* Enter the body at gi_lasti.  `exc`: raise the current exception there
 * instead of sending a value.  A frame not started yet has no handler, so an
 * exception thrown into it comes straight back out. */
static ml_object *run_frame(ml_gen *gen, ml_object *arg, int exc)
{
    /* TODO (§3): a CREATED frame thrown into runs nothing (return NULL).  Else set
     * gi_sent (NULL when raising, the value or None when sending), mark it
     * EXECUTING, call the body, reset gi_sent; a NULL result with no
     * exception set becomes SystemError "error return without exception set". */
    (void)gen;
    (void)arg;
    (void)exc;
    return NULL;
}

/* One resumption, CPython's gen_send_ex2.  arg: the value sent (NULL for
 * next).  *presult gets the yielded or returned value (new reference), NULL
 * on error (exception set, except for next on a closed generator). */
static send_result gen_send_ex2(ml_gen *gen, ml_object *arg, int exc, ml_object **presult)
{
    /* TODO (§3): the checks in the handout's order (TypeError, ValueError, closed),
     * then run_frame: a yield leaves it SUSPENDED; a return or an error
     * (after stop_iteration_to_runtime_error) clears the frame. */
    (void)gen;
    (void)arg;
    (void)exc;
    (void)run_frame;
    (void)stop_iteration_to_runtime_error;
    (void)frame_clear;
    *presult = NULL;
    return SEND_ERROR;
}

/* gen_send_ex2 for send, throw and close: a return becomes StopIteration. */
static ml_object *gen_send_ex(ml_gen *gen, ml_object *arg, int exc)
{
    /* TODO (§3): gen_send_ex2; a return becomes StopIteration(value). */
    (void)gen;
    (void)arg;
    (void)exc;
    (void)gen_send_ex2;
    (void)set_stop_iteration;
    return NULL;
}

/* tp_iternext: the type is known, so no check (the hot path of every loop). */
ml_object *gen_iternext(ml_object *self)
{
    /* TODO (§3): like gen_send_ex for next (no value sent), but a None return
     * sets no exception. */
    (void)self;
    (void)as_gen;
    return NULL;
}

ml_object *gen_send(ml_object *op, ml_object *value)
{
    /* TODO (§3): check the arguments, then gen_send_ex. */
    (void)op;
    (void)value;
    (void)gen_send_ex;
    return NULL;
}

/* ==================================================================== throw and close */

/* The sub-iterator to forward to: only while resting in a yield from. */
static ml_object *delegate_of(ml_gen *gen)
{
    /* TODO (§4): gi_yieldfrom while SUSPENDED, else NULL. */
    (void)gen;
    return NULL;
}

/* Close a sub-iterator: a generator is closed; other iterators of this
 * runtime have no close method.  0, or -1 with its exception set. */
static int close_subiterator(ml_object *yf)
{
    /* TODO (§4): gen_close a generator; anything else: nothing to do. */
    (void)yf;
    return -1;
}

/* An exception class called with `val` as its argument. */
static ml_exc *instantiate(ml_exc_kind kind, ml_object *val)
{
    /* TODO (§4): no argument (NULL/None), an instance of the class already, a str
     * message, or the repr of the value. */
    (void)kind;
    (void)val;
    return NULL;
}

/* The exception throw() raises, or NULL with TypeError when typ is neither
 * an exception class nor an instance (or an instance comes with a value). */
static ml_exc *exception_to_throw(ml_object *typ, ml_object *val)
{
    /* TODO (§4): a class (instantiate), an instance (no separate value allowed),
     * or TypeError. */
    (void)typ;
    (void)val;
    (void)instantiate;
    return NULL;
}

/* Raise the exception at this generator's own resume point. */
static ml_object *throw_here(ml_gen *gen, ml_object *typ, ml_object *val, ml_object *tb)
{
    /* TODO (§4): check tb, make the exception, set it, resume with exc = 1. */
    (void)gen;
    (void)typ;
    (void)val;
    (void)tb;
    (void)exception_to_throw;
    return NULL;
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
    /* TODO (§4): GeneratorExit closes yf and is raised here (or yf's close error
     * is); a generator yf gets the throw (this generator EXECUTING meanwhile);
     * when that ends it, drop gi_yieldfrom and resume with its return value
     * sent, or with its exception. */
    (void)gen;
    (void)yf;
    (void)typ;
    (void)val;
    (void)tb;
    (void)is_generator_exit;
    (void)close_subiterator;
    (void)take_stop_iteration_value;
    return NULL;
}

static ml_object *throw_ex(ml_gen *gen, ml_object *typ, ml_object *val, ml_object *tb)
{
    /* TODO (§4): forward while delegating, else raise here. */
    (void)gen;
    (void)typ;
    (void)val;
    (void)tb;
    (void)delegate_of;
    (void)throw_delegated;
    (void)throw_here;
    return NULL;
}

ml_object *gen_throw(ml_object *op, ml_object *typ, ml_object *val, ml_object *tb)
{
    /* TODO (§4): check the arguments, then throw_ex. */
    (void)op;
    (void)typ;
    (void)val;
    (void)tb;
    (void)throw_ex;
    return NULL;
}

ml_object *gen_close(ml_object *op)
{
    /* TODO (§4): close the delegate first (EXECUTING meanwhile); raise
     * GeneratorExit unless that failed; resume with exc = 1; a yield is
     * RuntimeError "generator ignored GeneratorExit"; StopIteration or
     * GeneratorExit mean success: clear, return None. */
    (void)op;
    return NULL;
}

/* ==================================================================== yield from */

int gen_yield_from_enter(ml_gen *gen, ml_object *iterable)
{
    /* TODO (§6): see generators.h: iter(iterable) into gi_yieldfrom, consume the
     * reference to iterable, first value to send is None. */
    (void)gen;
    (void)iterable;
    return -1;
}

/* Send `value` into a sub-iterator: a new reference it yielded, or NULL at
 * its end (StopIteration set or not) or on error. */
static ml_object *send_to_subiterator(ml_object *yf, ml_object *value)
{
    /* TODO (§6): gen_send for a generator; obj_iternext for another iterator when
     * the value is None, else TypeError "'<type>' object has no attribute 'send'". */
    (void)yf;
    (void)value;
    return NULL;
}

int gen_yield_from_step(ml_gen *gen, ml_object **out)
{
    /* TODO (§6): see generators.h (returns 1, 0 or -1). */
    (void)gen;
    (void)send_to_subiterator;
    *out = NULL;
    return -1;
}

/* ==================================================================== lazy builtins */

/* ---- range ---- */
static ml_object *range_body(ml_gen *gen)
{
    /* TODO (§7): yield start + i * step for i in 0 .. len-1 (GEN_BEGIN, GEN_YIELD,
     * GEN_END). */
    (void)gen;
    return NULL;
}

static const gen_code range_code = GEN_CODE_NOREFS("range", range_body, range_locals);

ml_object *gen_range(long start, long stop, long step)
{
    /* TODO (§7): ValueError for step 0; a generator of range_code with its locals
     * set; len counted without overflow (unsigned arithmetic). */
    (void)start;
    (void)stop;
    (void)step;
    (void)range_code;
    return NULL;
}

/* ---- map and filter ---- */
static const size_t map_refs[] = {GEN_REF(map_locals, it)};

static ml_object *map_body(ml_gen *gen)
{
    /* TODO (§7): for each item of L->it, yield fn(item, ctx); errors propagate. */
    (void)gen;
    (void)next_item;
    return NULL;
}

static ml_object *filter_body(ml_gen *gen)
{
    /* TODO (§7): yield the items for which pred(item, ctx) is 1. */
    (void)gen;
    return NULL;
}

static const gen_code map_code = GEN_CODE("map", map_body, map_locals, map_refs);
static const gen_code filter_code = GEN_CODE("filter", filter_body, map_locals, map_refs);

ml_object *gen_map(gen_mapfunc fn, void *ctx, ml_object *iterable)
{
    /* TODO (§7): gen_over(&map_code, iterable), then store fn and ctx. */
    (void)fn;
    (void)ctx;
    (void)iterable;
    (void)gen_over;
    (void)map_code;
    return NULL;
}

ml_object *gen_filter(gen_predicate pred, void *ctx, ml_object *iterable)
{
    /* TODO (§7): gen_over(&filter_code, iterable), then store pred and ctx. */
    (void)pred;
    (void)ctx;
    (void)iterable;
    (void)filter_code;
    return NULL;
}

/* ---- take (islice) ---- */
static const size_t take_refs[] = {GEN_REF(take_locals, it)};

static ml_object *take_body(ml_gen *gen)
{
    /* TODO (§7): yield at most `remaining` items; never pull past the last one. */
    (void)gen;
    return NULL;
}

static const gen_code take_code = GEN_CODE("islice", take_body, take_locals, take_refs);

ml_object *gen_take(ml_object *iterable, ml_ssize_t n)
{
    /* TODO (§7): islice's ValueError for n < 0, else a take generator. */
    (void)iterable;
    (void)n;
    (void)take_code;
    return NULL;
}

/* ---- zip and enumerate ---- */
static const size_t zip_refs[] = {GEN_REF(zip_locals, a), GEN_REF(zip_locals, b)};

static ml_object *zip_body(ml_gen *gen)
{
    /* TODO (§7): yield (x, y) pairs until one input ends (a pulls first). */
    (void)gen;
    (void)pair;
    return NULL;
}

static const gen_code zip_code = GEN_CODE("zip", zip_body, zip_locals, zip_refs);

ml_object *gen_zip(ml_object *a, ml_object *b)
{
    /* TODO (§7): iter() both inputs (releasing the first if the second fails),
     * then a zip generator owning both. */
    (void)a;
    (void)b;
    (void)zip_code;
    return NULL;
}

static const size_t enumerate_refs[] = {GEN_REF(enumerate_locals, it)};

static ml_object *enumerate_body(ml_gen *gen)
{
    /* TODO (§7): yield (start + i, item) pairs. */
    (void)gen;
    return NULL;
}

static const gen_code enumerate_code =
    GEN_CODE("enumerate", enumerate_body, enumerate_locals, enumerate_refs);

ml_object *gen_enumerate(ml_object *iterable, long start)
{
    /* TODO (§7): gen_over(&enumerate_code, iterable), then the start index. */
    (void)iterable;
    (void)start;
    (void)enumerate_code;
    return NULL;
}
