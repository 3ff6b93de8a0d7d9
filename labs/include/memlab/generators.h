/*
 * memlab/generators.h -- the generators layer: resumable C functions whose
 * frame lives in a heap object, and the generator protocol of CPython 3.11
 * (Objects/genobject.c; PEPs 255, 342, 380, 479, 442).  Implemented by the
 * generators lab (labs/generators/generators.c).
 *
 * A Python generator keeps its locals and its resume point (f_lasti, the
 * offset of the instruction to run next) in a frame that outlives each call,
 * so the C stack is free between two next()s.  Here a generator function is
 * a C function (a "body") written with the GEN_* macros below; its locals
 * live in a struct stored inside the generator object, and the resume point
 * is an int that a switch jumps on when the body is called again:
 *
 *     typedef struct { long i, n; } count_locals;
 *
 *     static ml_object *count_body(ml_gen *gen)
 *     {
 *         count_locals *L = GEN_LOCALS(gen, count_locals);
 *         GEN_BEGIN(gen);
 *         for (L->i = 0; L->i < L->n; L->i++)
 *             GEN_YIELD(gen, int_from_long(L->i));
 *         GEN_END(gen);
 *     }
 *     static const gen_code count_code = GEN_CODE_NOREFS("count", count_body, count_locals);
 *
 * which the preprocessor turns into (GEN_YIELD at line 7):
 *
 *         switch (gen->gi_lasti) {
 *         case 0:                                    <- first next()
 *         for (L->i = 0; L->i < L->n; L->i++)
 *             do {
 *                 gen->gi_lasti = 7;                 <- remember where we are
 *                 return int_from_long(L->i);        <- and leave: the C stack is free
 *         case 7:                                    <- every later next() lands here
 *                 if (gen->gi_sent == NULL)          <- an exception was thrown in
 *                     return NULL;
 *             } while (0);
 *         }
 *         gen->gi_lasti = GEN_LASTI_DONE;            <- falling off the end: return None
 *         return obj_newref(ML_NONE);
 *
 * The rules of a body: every value that must survive a yield lives in the
 * locals struct (C automatic variables are gone after each return); at most
 * one GEN_* resume point per source line; object references the frame owns
 * are listed in the code's refs table, so that traverse and clear find them.
 *
 * One generator object (64 bytes, like CPython 3.11's 176 for `def g():
 * yield 1`, counted with the GC head), then the locals:
 *
 *     +---------+---------+--------+---------+---------+-------+-------+-----------+------+----
 *     | gc_next | gc_prev | refcnt | ob_type | gi_code | lasti | state | yieldfrom | sent | locals
 *     +---------+---------+--------+---------+---------+-------+-------+-----------+------+----
 *      \_ gc_head 16 B _/ \_ ml_object 16 _/     8        4       4         8         8
 *
 * Who implements what: everything declared here is the lab's, except the
 * macros (given: they are the contract between a body and the driver that
 * runs it) and the exception classes (given, in the file's first section).
 */
#ifndef MEMLAB_GENERATORS_H
#define MEMLAB_GENERATORS_H

#include "memlab/errors.h"
#include "memlab/object.h"

#include <stddef.h>
#include <stdint.h>

/* ====================================================================
 * States
 * ==================================================================== */

/* The frame's state, with CPython 3.11's values (gi_frame_state,
 * Include/internal/pycore_frame.h).  Ordered: a state >= COMPLETED means the
 * body will never run again. */
typedef enum gen_frame_state {
    GEN_FRAME_CREATED = -2,   /* made, body not entered yet */
    GEN_FRAME_SUSPENDED = -1, /* stopped at a yield (or a yield from) */
    GEN_FRAME_EXECUTING = 0,  /* its body (or a sub-generator's, during a throw) is running */
    GEN_FRAME_COMPLETED = 1,  /* returned or raised: about to be cleared */
    GEN_FRAME_CLEARED = 4,    /* locals released: the generator is closed */
} gen_frame_state;

/* inspect.getgeneratorstate(gen). */
typedef enum gen_state {
    GEN_CREATED,   /* frame CREATED */
    GEN_RUNNING,   /* frame EXECUTING */
    GEN_SUSPENDED, /* frame SUSPENDED */
    GEN_CLOSED,    /* frame COMPLETED or CLEARED (gi_frame is None) */
} gen_state;

/* ====================================================================
 * Generator functions and generator objects
 * ==================================================================== */

typedef struct ml_gen ml_gen;

/* A body: runs from gen->gi_lasti to the next yield or to the end.
 * Returns a new reference that it yields (gi_lasti > 0), or that it returns
 * (gi_lasti == GEN_LASTI_DONE), or NULL with the current exception set. */
typedef ml_object *(*gen_body)(ml_gen *gen);

/* A generator function (the C analogue of a code object): static, shared by
 * every generator made from it, never freed. */
typedef struct gen_code {
    const char *co_name;   /* __name__, as repr and gi_yieldfrom show it */
    gen_body co_body;      /* the resumable function */
    size_t co_localsize;   /* bytes of its locals struct */
    const size_t *co_refs; /* offsets of the ml_object * locals the frame owns */
    size_t co_nrefs;       /* how many */
} gen_code;

/* GEN_CODE(name, body, locals_type, refs): a gen_code initializer; `refs` is
 * a static const size_t array of GEN_REF(locals_type, field).  A body whose
 * locals own no object uses GEN_CODE_NOREFS(name, body, locals_type). */
#define GEN_REF(type, field) offsetof(type, field)
#define GEN_CODE(name, body, type, refs)                                                           \
    {                                                                                              \
        (name), (body), sizeof(type), (refs), sizeof(refs) / sizeof((refs)[0])                     \
    }
#define GEN_CODE_NOREFS(name, body, type)                                                          \
    {                                                                                              \
        (name), (body), sizeof(type), NULL, 0                                                      \
    }

#define GEN_LASTI_DONE (-1) /* gi_lasti once the body has returned */

/* The generator object (PyGenObject + its embedded frame).
 * Invariants:
 *   - gi_lasti is 0 until the body is first entered, the __LINE__ of the
 *     resume point the body left from while suspended, GEN_LASTI_DONE after.
 *   - gi_yieldfrom is non-NULL only while suspended (or running) inside a
 *     GEN_YIELD_FROM: an owned reference to the sub-iterator.
 *   - every ref listed by gi_code->co_refs in gi_locals is NULL or owned,
 *     until the frame is CLEARED, after which all are NULL.
 *   - gi_sent is meaningful only while the body runs: the value sent in
 *     (borrowed from the caller of send), or NULL when an exception is being
 *     raised at the resume point (the current exception). */
struct ml_gen {
    ml_object ob_base;
    const gen_code *gi_code;
    int32_t gi_lasti;
    int32_t gi_frame_state; /* a gen_frame_state */
    ml_object *gi_yieldfrom;
    ml_object *gi_sent;
    _Alignas(max_align_t) unsigned char gi_locals[]; /* gi_code->co_localsize bytes */
};

extern ml_type ml_gen_type; /* "generator": GC, traverse, finalize, iter, iternext */

/* Calling a generator function: a new generator (new reference) in state
 * CREATED, with zeroed locals, tracked by the collector; NULL with
 * MemoryError.  The caller then stores the arguments into the locals
 * (GEN_LOCALS), giving the frame a new reference for each object argument
 * listed in co_refs.  No body code runs before the first next(). */
ml_object *gen_new(const gen_code *code);

/* The locals struct of a generator (any ml_object * known to be one). */
#define GEN_LOCALS(gen, type) ((type *)(void *)((ml_gen *)(gen))->gi_locals)

/* 1 if op is a generator. */
int gen_check(const ml_object *op);

/* ====================================================================
 * The protocol (next, send, throw, close), CPython 3.11's rules.
 * All take a generator (borrowed); a non-generator is SystemError (bad
 * internal call).  Check order of every resumption (gen_send_ex2):
 *   1. CREATED and a non-None value sent: TypeError "can't send non-None
 *      value to a just-started generator"; the state does not change.
 *   2. EXECUTING: ValueError "generator already executing".
 *   3. closed: next -> the end, no value; send -> StopIteration (None);
 *      throw -> the thrown exception; close -> None.
 *   4. run the body: a yield leaves it SUSPENDED; a return or an exception
 *      clears the frame (CLEARED).  A StopIteration escaping the body becomes
 *      RuntimeError "generator raised StopIteration" whose cause is the
 *      StopIteration (PEP 479).  An exception thrown into a CREATED
 *      generator runs no body code: it comes straight back out.
 * ==================================================================== */

/* tp_iternext, next(gen): a new reference to the next yielded value.  At the
 * end, NULL, with StopIteration(value) set if the body returned a value other
 * than None, and with no exception set otherwise (also when already closed).
 * NULL with another exception set when the body raised. */
ml_object *gen_next(ml_object *gen);

/* gen.send(value): `value` borrowed (never NULL; ML_NONE is next()).  At the
 * end, NULL with StopIteration set, always: its value is the body's return
 * value (None when it returned nothing or was already closed). */
ml_object *gen_send(ml_object *gen, ml_object *value);

/* gen.throw(typ, val, tb): raise an exception at the resume point and run
 * the body on (it may catch it and yield: the yielded value is returned).
 * typ: an exception instance (ml_exc), or an exception class
 * (gen_exc_class), instantiated with val as its argument (None or NULL: no
 * argument; a str: the message; else its repr).  val and tb may be NULL.
 * Checked when the exception is raised here (after forwarding, see
 * GEN_YIELD_FROM), in this order:
 *   tb neither NULL nor None: TypeError "throw() third argument must be a
 *     traceback object" (this runtime has no tracebacks);
 *   an instance with a val other than NULL/None: TypeError "instance
 *     exception may not have a separate value";
 *   neither: TypeError "exceptions must be classes or instances deriving
 *     from BaseException, not <tp_name>".
 * Results as gen_send; the thrown exception comes back when uncaught. */
ml_object *gen_throw(ml_object *gen, ml_object *typ, ml_object *val, ml_object *tb);

/* gen.close(): when delegating, close the sub-iterator first; then raise
 * GeneratorExit at the resume point.  Returns a new reference to None when
 * the body lets GeneratorExit (or StopIteration) out or returns (CPython
 * 3.11 discards the return value); NULL with RuntimeError "generator ignored
 * GeneratorExit" if the body yields instead (it stays SUSPENDED); NULL with
 * any other exception the body raised.  A CREATED or closed generator runs
 * no body code and ends (or stays) CLOSED. */
ml_object *gen_close(ml_object *gen);

/* inspect.getgeneratorstate(gen) and its name ("GEN_CREATED", ...). */
gen_state gen_getstate(ml_object *gen);
const char *gen_state_name(gen_state state);

/* gen.gi_yieldfrom: borrowed sub-iterator while delegating, else NULL. */
ml_object *gen_yieldfrom(ml_object *gen);

/* gen.__name__ (the code's co_name). */
const char *gen_name(ml_object *gen);

/* sys.getsizeof(gen): GC head + the object + its locals, in bytes. */
size_t gen_sizeof(ml_object *gen);

/* Lifetime (ml_gen_type's slots, described here for the handout):
 *   dealloc   a generator that is not closed is closed first, through
 *             gc_call_finalizer_from_dealloc (so its cleanup code runs; it
 *             may resurrect the generator); then the frame is cleared and
 *             the memory freed.
 *   finalize  (tp_finalize, PEP 442) closes a generator that is not closed;
 *             an exception from close is reported with
 *             err_write_unraisable(gen); the current exception is preserved.
 *             The collector calls it for generators caught in cycles.
 *   traverse  visits gi_yieldfrom and every non-NULL ref of the locals.
 *   clear     none (like CPython: finalizing a generator clears its frame).
 *   repr      "<generator object NAME at 0x...>". */

/* A jump target reached by falling through as well (-Wimplicit-fallthrough). */
#if defined(__GNUC__)
#define GEN_FALLTHROUGH_ __attribute__((fallthrough))
#else
#define GEN_FALLTHROUGH_ ((void)0)
#endif

/* ====================================================================
 * The resumable-function macros (given).  `gen` is the body's ml_gen *.
 * A body starts with GEN_BEGIN and ends with GEN_END; between them:
 * ==================================================================== */

#define GEN_BEGIN(gen)                                                                             \
    switch ((gen)->gi_lasti) {                                                                     \
    case 0:

/* Yield `value` (a new reference, e.g. int_from_long(i)).  Resumed by next or
 * send, execution goes on after the macro and GEN_SENT(gen) is the value
 * sent.  Resumed by throw or close, the exception propagates out of the body
 * (return NULL): the C form of a yield outside any try. */
#define GEN_YIELD(gen, value)                                                                      \
    do {                                                                                           \
        (gen)->gi_lasti = __LINE__;                                                                \
        return (value);                                                                            \
    case __LINE__:                                                                                 \
        if ((gen)->gi_sent == NULL)                                                                \
            return NULL;                                                                           \
    } while (0)

/* The same yield inside a try: execution always goes on after the macro;
 * GEN_RAISING(gen) tells whether an exception (the current one) is being
 * raised here.  The body handles it (err_matches, err_clear), or runs its
 * cleanup and returns NULL to let it propagate. */
#define GEN_YIELD_TRY(gen, value)                                                                  \
    do {                                                                                           \
        (gen)->gi_lasti = __LINE__;                                                                \
        return (value);                                                                            \
    case __LINE__:;                                                                                \
    } while (0)

/* `result = yield from iterable` (PEP 380): next/send/throw/close go to the
 * sub-iterator until it ends; its return value (a new reference, None for a
 * plain iterator) is stored in `result`, an ml_object * lvalue in the
 * locals.  `iterable` is a new reference that the macro consumes, as
 * `yield from f()` consumes f's result (pass obj_newref(x) to delegate to an
 * object you keep; NULL means its creation failed: the exception is raised).  An exception from the
 * sub-iterator, or thrown in and not taken by it, propagates out of the body. */
#define GEN_YIELD_FROM(gen, iterable, result)                                                      \
    do {                                                                                           \
        if (gen_yield_from_enter((gen), (iterable)) < 0)                                           \
            return NULL;                                                                           \
        (gen)->gi_lasti = __LINE__;                                                                \
        GEN_FALLTHROUGH_;                                                                          \
    case __LINE__:;                                                                                \
        ml_object *gen_yf_out_;                                                                    \
        int gen_yf_rc_ = gen_yield_from_step((gen), &gen_yf_out_);                                 \
        if (gen_yf_rc_ > 0)                                                                        \
            return gen_yf_out_;                                                                    \
        if (gen_yf_rc_ < 0)                                                                        \
            return NULL;                                                                           \
        (result) = gen_yf_out_;                                                                    \
    } while (0)

/* The same inside a try: on an exception `result` is set to NULL,
 * GEN_RAISING(gen) is true, and execution goes on after the macro. */
#define GEN_YIELD_FROM_TRY(gen, iterable, result)                                                  \
    do {                                                                                           \
        (result) = NULL;                                                                           \
        if (gen_yield_from_enter((gen), (iterable)) < 0) {                                         \
            (gen)->gi_sent = NULL;                                                                 \
            break;                                                                                 \
        }                                                                                          \
        (gen)->gi_lasti = __LINE__;                                                                \
        GEN_FALLTHROUGH_;                                                                          \
    case __LINE__:;                                                                                \
        ml_object *gen_yf_out_;                                                                    \
        int gen_yf_rc_ = gen_yield_from_step((gen), &gen_yf_out_);                                 \
        if (gen_yf_rc_ > 0)                                                                        \
            return gen_yf_out_;                                                                    \
        (result) = gen_yf_rc_ == 0 ? gen_yf_out_ : NULL;                                           \
    } while (0)

/* Return `value` (a new reference): the generator ends, and the value
 * travels in StopIteration. */
#define GEN_RETURN(gen, value)                                                                     \
    do {                                                                                           \
        (gen)->gi_lasti = GEN_LASTI_DONE;                                                          \
        return (value);                                                                            \
    } while (0)

/* Falling off the end of the body returns None. */
#define GEN_END(gen)                                                                               \
    }                                                                                              \
    (gen)->gi_lasti = GEN_LASTI_DONE;                                                              \
    return obj_newref(ML_NONE)

/* After a resume point: the value sent in (borrowed, valid until the body
 * next yields or returns; store it with an incref), and whether an exception
 * is being raised here instead (then GEN_SENT is NULL). */
#define GEN_SENT(gen)    ((gen)->gi_sent)
#define GEN_RAISING(gen) ((gen)->gi_sent == NULL)

/* What GEN_YIELD_FROM expands to (the lab implements them):
 *
 * gen_yield_from_enter: gi_yieldfrom = iter(iterable) (new reference) and
 * the first value to send is None; the reference to `iterable` is consumed
 * (released), whatever happens.  0, or -1 with the exception set: NULL
 * iterable (exception already set), or e.g. TypeError "'int' object is not
 * iterable".
 *
 * gen_yield_from_step: one step of the delegation, at the resume point.
 * If an exception is being raised there (GEN_RAISING), drop the
 * sub-iterator and return -1.  Otherwise send GEN_SENT into the sub-iterator
 * (a generator: gen_send; another iterator: next, and a value other than
 * None is TypeError "'<tp_name>' object has no attribute 'send'" -- CPython
 * raises AttributeError, which this runtime does not have).  It yielded:
 * *out = the value, return 1 (the delegator yields it, staying at the same
 * resume point).  It ended: drop it, *out = its return value (new
 * reference; None if none), return 0.  It raised: drop it, return -1 with
 * its exception set.  Whenever it returns -1, GEN_RAISING(gen) is true. */
int gen_yield_from_enter(ml_gen *gen, ml_object *iterable);
int gen_yield_from_step(ml_gen *gen, ml_object **out);

/* ====================================================================
 * Exception classes (given): objects standing for ValueError, KeyError,
 * ... as throw's first argument (`gen.throw(ValueError)`).  Static and
 * immortal; repr is the class name.
 * ==================================================================== */
typedef struct gen_exc_class_object {
    ml_object ob_base;
    ml_exc_kind kind;
} gen_exc_class_object;

extern ml_type gen_exc_class_type;

/* The class object of `kind` (borrowed, immortal); NULL for ML_EXC_NONE or
 * an out-of-range kind. */
ml_object *gen_exc_class(ml_exc_kind kind);
int gen_exc_class_check(const ml_object *op);

/* ====================================================================
 * Lazy builtins, written as generators (the lab writes their bodies with
 * the macros above).  Each takes its iterables borrowed and calls iter() on
 * them at once, as Python's map/filter/zip/enumerate/islice do (an
 * uniterable argument fails at the call: NULL and TypeError); each returns
 * a new generator, or NULL with the exception set.  Errors raised by an
 * input iterator or a callback propagate out of next().
 * ==================================================================== */

/* A callback: a new reference, or NULL with the exception set. */
typedef ml_object *(*gen_mapfunc)(ml_object *item, void *ctx);
/* A predicate: 1 keep, 0 drop, -1 error (exception set). */
typedef int (*gen_predicate)(ml_object *item, void *ctx);

/* range(start, stop, step) as ints, lazily: step 0 is ValueError
 * "range() arg 3 must not be zero". */
ml_object *gen_range(long start, long stop, long step);
/* map(fn, iterable): fn(item, ctx) for each item. */
ml_object *gen_map(gen_mapfunc fn, void *ctx, ml_object *iterable);
/* filter(pred, iterable): the items for which pred(item, ctx) is 1. */
ml_object *gen_filter(gen_predicate pred, void *ctx, ml_object *iterable);
/* itertools.islice(iterable, n): the first n items; it stops pulling from
 * the input after the n-th.  n < 0 is ValueError "Stop argument for
 * islice() must be None or an integer: 0 <= x <= sys.maxsize.". */
ml_object *gen_take(ml_object *iterable, ml_ssize_t n);
/* zip(a, b): (x, y) tuples until the shorter input ends. */
ml_object *gen_zip(ml_object *a, ml_object *b);
/* enumerate(iterable, start): (start + i, item) tuples. */
ml_object *gen_enumerate(ml_object *iterable, long start);

#endif /* MEMLAB_GENERATORS_H */
