/*
 * oracle_port.c -- gen_oracle.py's generator functions as resumable C
 * functions, and its scenario driver.  Each body below sits beside the Python
 * it ports; try/except/finally become GEN_YIELD_TRY + GEN_RAISING + a goto to
 * the cleanup, as C code does.
 */
#include "oracle_port.h"

#include "memlab/cycles.h"
#include "memlab/errors.h"
#include "memlab/generators.h"
#include "memlab/runtime.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ==================================================================== events */

static FILE *capture;     /* memstream that receives events and unraisable reports */
static char *capture_buf; /* its buffer */
static size_t capture_len;

/* log(text): one event, in the order the bodies run. */
static void ev(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void ev(const char *fmt, ...)
{
    FILE *out = ml_debug_stream();
    va_list ap;
    va_start(ap, fmt);
    fputs("EV ", out);
    vfprintf(out, fmt, ap);
    fputc('\n', out);
    va_end(ap);
}

/* Python's repr of an object / of a C string, in a static buffer each. */
static const char *rep(ml_object *v)
{
    static char buf[4][256];
    static int n;
    char *b = buf[n++ % 4];
    if (v == NULL)
        snprintf(b, 256, "None");
    else
        obj_repr(v, b, 256);
    return b;
}

static const char *rep_cstr(const char *s)
{
    ml_object *str = str_from_cstr(s);
    const char *r = rep(str);
    obj_xdecref(str);
    return r;
}

static void start_capture(void)
{
    capture = open_memstream(&capture_buf, &capture_len);
    ml_set_debug_stream(capture);
}

/* Turn the captured text into "ev" lines: "EV x" -> "    ev x"; an unraisable
 * report (two lines) -> "ev unraisable Kind: msg (in generator)". */
static char *parse_capture(const char *text)
{
    size_t cap = strlen(text) + 64, len = 0;
    char *out = malloc(cap);
    out[0] = '\0';
    const char *where = NULL;
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        char piece[700];
        piece[0] = '\0';
        if (n >= 3 && strncmp(line, "EV ", 3) == 0)
            snprintf(piece, sizeof piece, "    ev %.*s\n", (int)(n - 3), line + 3);
        else if (strncmp(line, "Exception ignored in: ", 22) == 0)
            where = line + 22;
        else if (where != NULL) {
            const char *who = strncmp(where, "<generator object", 17) == 0 ? "generator" : "object";
            snprintf(piece, sizeof piece, "    ev unraisable %.*s (in %s)\n", (int)n, line, who);
            where = NULL;
        }
        size_t pl = strlen(piece);
        if (len + pl + 1 > cap) {
            cap = 2 * (len + pl + 1);
            out = realloc(out, cap);
        }
        memcpy(out + len, piece, pl + 1);
        len += pl;
        line = end ? end + 1 : line + n;
    }
    return out;
}

static char *end_capture(void)
{
    if (capture == NULL)
        return strdup("");
    ml_set_debug_stream(NULL);
    fclose(capture);
    capture = NULL;
    char *events = parse_capture(capture_buf);
    free(capture_buf);
    capture_buf = NULL;
    return events;
}

char *oracle_take_events(void)
{
    char *events = end_capture();
    start_capture();
    return events;
}

/* ==================================================================== helpers */

static ml_object *str(const char *s) { return str_from_cstr(s); }

/* A `finally:` on the exception path: run `cleanup` with the exception kept
 * aside, then let it propagate. */
#define FINALLY_RERAISE(cleanup)                                                                   \
    do {                                                                                           \
        ml_exc *saved_ = err_fetch();                                                              \
        cleanup;                                                                                   \
        err_restore(saved_);                                                                       \
        return NULL;                                                                               \
    } while (0)

/* raise StopIteration(text) */
static ml_object *raise_stop_iteration(const char *text)
{
    ml_object *s = str(text);
    err_set_value(ML_EXC_STOP_ITERATION, s);
    obj_decref(s);
    return NULL;
}

/* ==================================================================== the functions */

/* def counter(n):
 *     log("counter start n=%r" % (n,))
 *     try:
 *         i = 0
 *         while i < n:
 *             got = yield i
 *             log("counter got %r" % (got,))
 *             i = got if got is not None else i + 1
 *         log("counter exhausted")
 *         return "done"
 *     finally:
 *         log("counter finally") */
typedef struct counter_locals {
    long n, i;
} counter_locals;

static ml_object *counter_body(ml_gen *gen)
{
    counter_locals *L = GEN_LOCALS(gen, counter_locals);
    GEN_BEGIN(gen);
    ev("counter start n=%ld", L->n);
    L->i = 0;
    while (L->i < L->n) {
        GEN_YIELD_TRY(gen, int_from_long(L->i));
        if (GEN_RAISING(gen))
            goto finally;
        ev("counter got %s", rep(GEN_SENT(gen)));
        L->i = GEN_SENT(gen) != ML_NONE ? int_as_long(GEN_SENT(gen)) : L->i + 1;
    }
    ev("counter exhausted");
    ev("counter finally");
    GEN_RETURN(gen, str("done"));
finally:
    FINALLY_RERAISE(ev("counter finally"));
    GEN_END(gen);
}
static const gen_code counter_code = GEN_CODE_NOREFS("counter", counter_body, counter_locals);

ml_object *oracle_counter(long n)
{
    ml_object *g = gen_new(&counter_code);
    if (g != NULL)
        GEN_LOCALS(g, counter_locals)->n = n;
    return g;
}

/* def catcher():
 *     log("catcher start")
 *     while True:
 *         try:
 *             x = yield "ready"
 *             log("catcher got %r" % (x,))
 *         except ValueError as e:
 *             log("catcher caught ValueError %r" % (str(e),))
 *             yield "recovered"
 *         except GeneratorExit:
 *             log("catcher GeneratorExit")
 *             raise */
typedef struct empty_locals {
    char unused;
} empty_locals;

static ml_object *catcher_body(ml_gen *gen)
{
    GEN_BEGIN(gen);
    ev("catcher start");
    for (;;) {
        GEN_YIELD_TRY(gen, str("ready"));
        if (!GEN_RAISING(gen)) {
            ev("catcher got %s", rep(GEN_SENT(gen)));
        } else if (err_matches(ML_EXC_VALUE_ERROR)) {
            ev("catcher caught ValueError %s", rep_cstr(err_message()));
            err_clear();
            GEN_YIELD(gen, str("recovered"));
        } else if (err_matches(ML_EXC_GENERATOR_EXIT)) {
            ev("catcher GeneratorExit");
            return NULL;
        } else {
            return NULL;
        }
    }
    GEN_END(gen);
}
static const gen_code catcher_code = GEN_CODE_NOREFS("catcher", catcher_body, empty_locals);
ml_object *oracle_catcher(void) { return gen_new(&catcher_code); }

/* def stubborn():
 *     while True:
 *         try:
 *             yield "x"
 *         except GeneratorExit:
 *             log("stubborn ignores GeneratorExit") */
static ml_object *stubborn_body(ml_gen *gen)
{
    GEN_BEGIN(gen);
    for (;;) {
        GEN_YIELD_TRY(gen, str("x"));
        if (GEN_RAISING(gen)) {
            if (!err_matches(ML_EXC_GENERATOR_EXIT))
                return NULL;
            ev("stubborn ignores GeneratorExit");
            err_clear();
        }
    }
    GEN_END(gen);
}
static const gen_code stubborn_code = GEN_CODE_NOREFS("stubborn", stubborn_body, empty_locals);
ml_object *oracle_stubborn(void) { return gen_new(&stubborn_code); }

/* def returns_on_close():
 *     try:
 *         yield 1
 *     except GeneratorExit:
 *         log("returns_on_close returning 'bye'")
 *         return "bye" */
static ml_object *returns_on_close_body(ml_gen *gen)
{
    GEN_BEGIN(gen);
    GEN_YIELD_TRY(gen, int_from_long(1));
    if (GEN_RAISING(gen)) {
        if (!err_matches(ML_EXC_GENERATOR_EXIT))
            return NULL;
        err_clear();
        ev("returns_on_close returning 'bye'");
        GEN_RETURN(gen, str("bye"));
    }
    GEN_END(gen);
}
static const gen_code returns_on_close_code =
    GEN_CODE_NOREFS("returns_on_close", returns_on_close_body, empty_locals);
ml_object *oracle_returns_on_close(void) { return gen_new(&returns_on_close_code); }

/* def leaks_stopiteration():
 *     yield 1
 *     log("leaks_stopiteration raising StopIteration")
 *     raise StopIteration("oops") */
static ml_object *leaks_stopiteration_body(ml_gen *gen)
{
    GEN_BEGIN(gen);
    GEN_YIELD(gen, int_from_long(1));
    ev("leaks_stopiteration raising StopIteration");
    return raise_stop_iteration("oops");
    GEN_END(gen);
}
static const gen_code leaks_stopiteration_code =
    GEN_CODE_NOREFS("leaks_stopiteration", leaks_stopiteration_body, empty_locals);
ml_object *oracle_leaks_stopiteration(void) { return gen_new(&leaks_stopiteration_code); }

/* def tuple_result():
 *     yield 1
 *     return (1, 2) */
static ml_object *tuple_result_body(ml_gen *gen)
{
    GEN_BEGIN(gen);
    GEN_YIELD(gen, int_from_long(1));
    GEN_RETURN(gen, tuple_pack(2, int_from_long(1), int_from_long(2))); /* small ints: immortal */
    GEN_END(gen);
}
static const gen_code tuple_result_code =
    GEN_CODE_NOREFS("tuple_result", tuple_result_body, empty_locals);
ml_object *oracle_tuple_result(void) { return gen_new(&tuple_result_code); }

/* def reentrant():
 *     log("reentrant state inside: %s" % inspect.getgeneratorstate(REENTRANT[0]))
 *     try:
 *         next(REENTRANT[0])
 *     except ValueError as e:
 *         log("reentrant caught ValueError %r" % (str(e),))
 *     yield "after" */
static ml_object *reentrant_self; /* borrowed: REENTRANT[0] */

static ml_object *reentrant_body(ml_gen *gen)
{
    ml_object *r;
    GEN_BEGIN(gen);
    ev("reentrant state inside: %s", gen_state_name(gen_getstate(reentrant_self)));
    r = gen_next(reentrant_self);
    if (r != NULL)
        obj_decref(r);
    else if (err_matches(ML_EXC_VALUE_ERROR)) {
        ev("reentrant caught ValueError %s", rep_cstr(err_message()));
        err_clear();
    } else
        return NULL;
    GEN_YIELD(gen, str("after"));
    GEN_END(gen);
}
static const gen_code reentrant_code = GEN_CODE_NOREFS("reentrant", reentrant_body, empty_locals);

static ml_object *make_reentrant(void)
{
    reentrant_self = gen_new(&reentrant_code);
    return reentrant_self;
}

/* def inner():
 *     log("inner start")
 *     try:
 *         x = yield "i1"
 *         log("inner got %r" % (x,))
 *         y = yield "i2"
 *         log("inner got %r" % (y,))
 *     except KeyError:
 *         log("inner caught KeyError")
 *         yield "i-recovered"
 *     finally:
 *         log("inner finally")
 *     return "inner-result" */
static ml_object *inner_body(ml_gen *gen)
{
    GEN_BEGIN(gen);
    ev("inner start");
    GEN_YIELD_TRY(gen, str("i1"));
    if (GEN_RAISING(gen))
        goto except;
    ev("inner got %s", rep(GEN_SENT(gen)));
    GEN_YIELD_TRY(gen, str("i2"));
    if (GEN_RAISING(gen))
        goto except;
    ev("inner got %s", rep(GEN_SENT(gen)));
    goto done;
except:
    if (!err_matches(ML_EXC_KEY_ERROR))
        goto finally;
    err_clear();
    ev("inner caught KeyError");
    GEN_YIELD_TRY(gen, str("i-recovered"));
    if (GEN_RAISING(gen))
        goto finally;
done:
    ev("inner finally");
    GEN_RETURN(gen, str("inner-result"));
finally:
    FINALLY_RERAISE(ev("inner finally"));
    GEN_END(gen);
}
static const gen_code inner_code = GEN_CODE_NOREFS("inner", inner_body, empty_locals);
ml_object *oracle_inner(void) { return gen_new(&inner_code); }

/* def outer():
 *     log("outer start")
 *     try:
 *         r = yield from inner()
 *         log("outer got result %r" % (r,))
 *         yield "o1"
 *     finally:
 *         log("outer finally")
 *     return "outer-result" */
typedef struct result_locals {
    ml_object *r;
} result_locals;
static const size_t result_refs[] = {GEN_REF(result_locals, r)};

static ml_object *outer_body(ml_gen *gen)
{
    result_locals *L = GEN_LOCALS(gen, result_locals);
    GEN_BEGIN(gen);
    ev("outer start");
    GEN_YIELD_FROM_TRY(gen, oracle_inner(), L->r);
    if (L->r == NULL)
        goto finally;
    ev("outer got result %s", rep(L->r));
    OBJ_CLEAR(L->r);
    GEN_YIELD_TRY(gen, str("o1"));
    if (GEN_RAISING(gen))
        goto finally;
    ev("outer finally");
    GEN_RETURN(gen, str("outer-result"));
finally:
    FINALLY_RERAISE(ev("outer finally"));
    GEN_END(gen);
}
static const gen_code outer_code = GEN_CODE("outer", outer_body, result_locals, result_refs);
ml_object *oracle_outer(void) { return gen_new(&outer_code); }

/* def over_list():
 *     log("over_list start")
 *     r = yield from [10, 20]
 *     log("over_list result %r" % (r,))
 *     return "listed" */
static ml_object *over_list_body(ml_gen *gen)
{
    result_locals *L = GEN_LOCALS(gen, result_locals);
    ml_object *list;
    GEN_BEGIN(gen);
    ev("over_list start");
    if ((list = list_new(2)) == NULL)
        return NULL;
    LIST_SET_ITEM(list, 0, int_from_long(10));
    LIST_SET_ITEM(list, 1, int_from_long(20));
    GEN_YIELD_FROM(gen, list, L->r);
    ev("over_list result %s", rep(L->r));
    OBJ_CLEAR(L->r);
    GEN_RETURN(gen, str("listed"));
    GEN_END(gen);
}
static const gen_code over_list_code =
    GEN_CODE("over_list", over_list_body, result_locals, result_refs);
ml_object *oracle_over_list(void) { return gen_new(&over_list_code); }

/* def inner_pep479():
 *     yield "p1"
 *     raise StopIteration("from inner")
 *
 * def outer_pep479():
 *     try:
 *         yield from inner_pep479()
 *     finally:
 *         log("outer_pep479 finally") */
static ml_object *inner_pep479_body(ml_gen *gen)
{
    GEN_BEGIN(gen);
    GEN_YIELD(gen, str("p1"));
    return raise_stop_iteration("from inner");
    GEN_END(gen);
}
static const gen_code inner_pep479_code =
    GEN_CODE_NOREFS("inner_pep479", inner_pep479_body, empty_locals);

static ml_object *outer_pep479_body(ml_gen *gen)
{
    result_locals *L = GEN_LOCALS(gen, result_locals);
    GEN_BEGIN(gen);
    GEN_YIELD_FROM_TRY(gen, gen_new(&inner_pep479_code), L->r);
    if (L->r == NULL)
        FINALLY_RERAISE(ev("outer_pep479 finally"));
    OBJ_CLEAR(L->r);
    ev("outer_pep479 finally");
    GEN_END(gen);
}
static const gen_code outer_pep479_code =
    GEN_CODE("outer_pep479", outer_pep479_body, result_locals, result_refs);
ml_object *oracle_outer_pep479(void) { return gen_new(&outer_pep479_code); }

/* def selfref(box):
 *     try:
 *         yield 1
 *         yield 2
 *     finally:
 *         log("selfref finally (box len %d)" % len(box)) */
typedef struct selfref_locals {
    ml_object *box;
} selfref_locals;
static const size_t selfref_refs[] = {GEN_REF(selfref_locals, box)};

static ml_object *selfref_body(ml_gen *gen)
{
    selfref_locals *L = GEN_LOCALS(gen, selfref_locals);
    GEN_BEGIN(gen);
    GEN_YIELD_TRY(gen, int_from_long(1));
    if (GEN_RAISING(gen))
        goto finally;
    GEN_YIELD_TRY(gen, int_from_long(2));
    if (GEN_RAISING(gen))
        goto finally;
    ev("selfref finally (box len %ld)", (long)list_size(L->box));
    GEN_RETURN(gen, obj_newref(ML_NONE));
finally:
    FINALLY_RERAISE(ev("selfref finally (box len %ld)", (long)list_size(L->box)));
    GEN_END(gen);
}
static const gen_code selfref_code =
    GEN_CODE("selfref", selfref_body, selfref_locals, selfref_refs);

ml_object *oracle_selfref(ml_object *box)
{
    ml_object *g = gen_new(&selfref_code);
    if (g != NULL)
        GEN_LOCALS(g, selfref_locals)->box = obj_newref(box);
    return g;
}

/* box = []; g = selfref(box); box.append(g)   -- box -> g -> frame -> box */
static ml_object *make_selfref(void)
{
    ml_object *box = list_new(0);
    if (box == NULL)
        return NULL;
    ml_object *g = oracle_selfref(box);
    if (g != NULL && list_append(box, g) < 0)
        err_clear();
    obj_decref(box);
    return g;
}

static ml_object *counter1(void) { return oracle_counter(1); }
static ml_object *counter2(void) { return oracle_counter(2); }
static ml_object *counter3(void) { return oracle_counter(3); }
static ml_object *counter5(void) { return oracle_counter(5); }

/* ==================================================================== scenarios */

typedef struct scenario {
    const char *name, *desc;
    ml_object *(*make)(void);
    const char *ops[6]; /* each as printed after "op " */
} scenario;

static const scenario scenarios[] = {
    {"basic",
     "next until exhaustion; return value travels in StopIteration",
     counter2,
     {"next", "next", "next", "next"}},
    {"send",
     "send() resumes with a value; send(None) is next()",
     counter5,
     {"next", "send 3", "send None", "send 9"}},
    {"send_nonnone_first",
     "send(non-None) to a just-started generator is a TypeError",
     counter2,
     {"send 1", "send None", "next"}},
    {"throw_caught",
     "throw() an instance the body catches; body yields again",
     oracle_catcher,
     {"next", "throw ValueError('boom')", "send 'a'", "close"}},
    {"throw_class",
     "throw() an exception class: it is instantiated with no arguments",
     oracle_catcher,
     {"next", "throw ValueError", "close"}},
    {"throw_uncaught",
     "an uncaught thrown exception propagates and closes the generator",
     counter3,
     {"next", "throw KeyError('k')", "next"}},
    {"throw_unstarted",
     "throw() into a just-created generator: no body code runs",
     counter3,
     {"throw ValueError('early')", "next"}},
    {"throw_closed",
     "throw() into a closed generator re-raises the thrown exception",
     counter1,
     {"close", "throw ValueError('late')"}},
    {"close_unstarted",
     "close() on a just-created generator runs nothing",
     counter3,
     {"close", "next"}},
    {"close_suspended",
     "close() raises GeneratorExit at the yield; finally runs",
     oracle_catcher,
     {"next", "close", "close", "send None"}},
    {"close_exhausted",
     "close() on an exhausted generator is a no-op",
     counter1,
     {"next", "next", "close"}},
    {"close_ignored",
     "a generator that yields after GeneratorExit -> RuntimeError",
     oracle_stubborn,
     {"next", "close", "next"}},
    {"close_returns",
     "GeneratorExit caught and a value returned (3.11 close() -> None)",
     oracle_returns_on_close,
     {"next", "close"}},
    {"pep479",
     "StopIteration raised inside a generator becomes RuntimeError",
     oracle_leaks_stopiteration,
     {"next", "next", "next"}},
    {"tuple_result",
     "a tuple return value is StopIteration.value itself",
     oracle_tuple_result,
     {"next", "next"}},
    {"reentrant",
     "next() on a running generator: ValueError, generator already executing",
     make_reentrant,
     {"next", "next"}},
    {"yield_from",
     "yield from delegates next/send; the sub-generator's return is the value",
     oracle_outer,
     {"next", "send 's1'", "send 's2'", "next", "next"}},
    {"yield_from_throw",
     "throw() is forwarded to the sub-generator first",
     oracle_outer,
     {"next", "throw KeyError('k')", "next", "next"}},
    {"yield_from_close",
     "close() closes the sub-generator first, then the delegator",
     oracle_outer,
     {"next", "close"}},
    {"yield_from_list",
     "yield from a list iterator (no send/throw/close methods)",
     oracle_over_list,
     {"next", "next", "next"}},
    {"yield_from_list_throw",
     "throw() while delegating to an iterator without throw()",
     oracle_over_list,
     {"next", "throw ValueError('v')"}},
    {"pep479_delegated",
     "StopIteration escaping a sub-generator is RuntimeError there",
     oracle_outer_pep479,
     {"next", "next"}},
    {"finalize_on_del",
     "dropping the last reference closes the generator (tp_finalize)",
     counter3,
     {"next", "del"}},
    {"finalize_unstarted",
     "an unstarted generator is not closed at dealloc: no body code",
     counter3,
     {"del"}},
    {"finalize_cycle",
     "a generator in a reference cycle is closed by gc.collect() (PEP 442)",
     make_selfref,
     {"next", "del", "collect"}},
    {"finalize_ignored",
     "GeneratorExit ignored at dealloc is reported as unraisable",
     oracle_stubborn,
     {"next", "del"}},
};

const int oracle_nscenarios = (int)(sizeof scenarios / sizeof scenarios[0]);

const char *oracle_scenario_name(int i)
{
    return i >= 0 && i < oracle_nscenarios ? scenarios[i].name : NULL;
}

static ml_exc_kind kind_named(const char *name, size_t len)
{
    for (int k = ML_EXC_NONE + 1; k < ML_EXC_KINDS; k++) {
        const char *kn = ml_exc_kind_name((ml_exc_kind)k);
        if (strlen(kn) == len && strncmp(kn, name, len) == 0)
            return (ml_exc_kind)k;
    }
    return ML_EXC_NONE;
}

/* An operand as the oracle writes it: None, 3, 's', Kind, Kind('m').  A new
 * reference (or a borrowed immortal class object, increfed all the same). */
static ml_object *operand(const char *text)
{
    if (strcmp(text, "None") == 0)
        return obj_newref(ML_NONE);
    if (text[0] == '\'') {
        char buf[128];
        snprintf(buf, sizeof buf, "%.*s", (int)strlen(text) - 2, text + 1);
        return str(buf);
    }
    if ((text[0] >= '0' && text[0] <= '9') || text[0] == '-')
        return int_from_long(strtol(text, NULL, 10));
    const char *paren = strchr(text, '(');
    if (paren == NULL)
        return obj_newref(gen_exc_class(kind_named(text, strlen(text))));
    ml_exc_kind kind = kind_named(text, (size_t)(paren - text));
    char arg[128];
    snprintf(arg, sizeof arg, "%.*s", (int)strlen(paren) - 4, paren + 2); /* ('m') -> m */
    ml_object *value = str(arg);
    ml_exc *exc;
    if (kind == ML_EXC_KEY_ERROR) { /* str(KeyError('k')) is "'k'" */
        exc = exc_new(kind, rep(value), value);
    } else {
        exc = exc_new(kind, arg, NULL);
    }
    obj_decref(value);
    return &exc->ob_base;
}

/* "Kind: message [cause=Kind: message]", as exc_text() prints it. */
static void print_exception(FILE *out)
{
    ml_exc *exc = err_fetch();
    fprintf(out, "    -> raise %s: %s", ml_exc_kind_name(exc->kind), exc->message);
    if (exc->cause != NULL)
        fprintf(out, " [cause=%s: %s]", ml_exc_kind_name(exc->cause->kind), exc->cause->message);
    fputc('\n', out);
    obj_decref(&exc->ob_base);
}

static void print_stop(FILE *out)
{
    ml_object *value = ML_NONE;
    ml_exc *exc = err_fetch();
    if (exc != NULL && exc->value != NULL)
        value = exc->value;
    fprintf(out, "    -> stop %s\n", rep(value));
    obj_xdecref(&exc->ob_base);
}

/* Run one operation; print its events, its outcome. */
static void run_op(ml_object **gen, const char *op, FILE *out)
{
    fprintf(out, "  op %s\n", op);
    ml_object *res = NULL;
    const char *verb = "yield";
    int done = 0;
    char *events = oracle_take_events();
    free(events); /* nothing runs between operations */
    if (strcmp(op, "next") == 0) {
        res = gen_next(*gen);
    } else if (strncmp(op, "send ", 5) == 0) {
        ml_object *v = operand(op + 5);
        res = gen_send(*gen, v);
        obj_decref(v);
    } else if (strncmp(op, "throw ", 6) == 0) {
        ml_object *v = operand(op + 6);
        res = gen_throw(*gen, v, NULL, NULL);
        obj_decref(v);
    } else if (strcmp(op, "close") == 0) {
        res = gen_close(*gen);
        verb = "return";
    } else if (strcmp(op, "del") == 0) {
        OBJ_CLEAR(*gen);
        done = 1;
    } else if (strcmp(op, "collect") == 0) {
        gc_collect(2);
        done = 1;
    }
    events = oracle_take_events();
    fputs(events, out);
    free(events);
    if (done)
        fprintf(out, "    -> done\n");
    else if (res != NULL) {
        fprintf(out, "    -> %s %s\n", verb, rep(res));
        obj_decref(res);
    } else if (err_occurred() == ML_EXC_NONE || err_matches(ML_EXC_STOP_ITERATION))
        print_stop(out);
    else
        print_exception(out);
    if (*gen != NULL) {
        ml_object *yf = gen_yieldfrom(*gen);
        const char *yfname = yf == NULL ? "-" : gen_check(yf) ? gen_name(yf) : ML_TYPE(yf)->tp_name;
        fprintf(out, "    state %s yf=%s\n", gen_state_name(gen_getstate(*gen)), yfname);
    }
}

int oracle_run(const char *name, FILE *out)
{
    const scenario *s = NULL;
    for (int i = 0; i < oracle_nscenarios; i++)
        if (strcmp(scenarios[i].name, name) == 0)
            s = &scenarios[i];
    if (s == NULL)
        return -1;
    int was_enabled = gc_isenabled();
    gc_disable(); /* collections happen only where a scenario says "collect" */
    fprintf(out, "scenario %s: %s\n", s->name, s->desc);
    char *events = oracle_take_events();
    free(events);
    ml_object *gen = s->make();
    if (gen == NULL) { /* the oracle never prints this: the trace differs */
        fprintf(out, "  (creation failed: %s: %s)\n", ml_exc_kind_name(err_occurred()),
                err_message());
        err_clear();
    }
    events = oracle_take_events();
    fputs(events, out); /* (nothing runs at creation) */
    free(events);
    for (int i = 0; i < 6 && s->ops[i] != NULL; i++)
        run_op(&gen, s->ops[i], out);
    obj_xdecref(gen); /* the scenario ends: its generator goes (events not printed) */
    gc_collect(2);
    reentrant_self = NULL;
    free(end_capture());
    if (was_enabled)
        gc_enable();
    return 0;
}

char *oracle_trace(const char *name)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    int rc = oracle_run(name, out);
    fclose(out);
    if (rc < 0) {
        free(buf);
        return NULL;
    }
    return buf;
}
