/*
 * hidden/test_corners.c -- the hidden tests of test_corners.c's area (the public file
 * tests/generators/test_corners.c); those that came from mutation testing are tagged
 * "mutation".
 */
#include "generators_hidden.h"
#include "memlab/runtime.h"

#include <stdio.h>
#include <stdlib.h>

/* ==================================================================== throw's arguments */
ML_TEST(throw_class_with_an_exception_of_another_class_wraps_it, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "throw(ValueError, KeyError('x')): a ValueError whose argument is that "
                       "KeyError, not the KeyError itself",
        .hint = "handout §4, throw", .parent = "throw_class_with_an_instance_or_a_non_string_value")
{
    ml_object *g = count_new(2);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(take_long(gen_next(g)), 0);
    ml_exc *key = exc_new(ML_EXC_KEY_ERROR, "'x'", NULL);
    ck_assert_ptr_nonnull(key);
    ck_assert_ptr_null(gen_throw(g, gen_exc_class(ML_EXC_VALUE_ERROR), &key->ob_base, NULL));
    ml_exc *got = err_fetch();
    ck_assert_ptr_nonnull(got);
    ck_assert_msg(got->kind == ML_EXC_VALUE_ERROR, "raised %s, not ValueError",
                  ml_exc_kind_name(got->kind));
    ck_assert_msg(got->value == &key->ob_base, "the ValueError's argument is not the KeyError");
    obj_decref(&got->ob_base);
    obj_decref(&key->ob_base);
    obj_decref(g);
}

ML_TEST(send_and_throw_reject_missing_arguments, .points = 1, .visibility = ML_HIDDEN,
        .description = "gen_send(g, NULL) and gen_throw(g, NULL, ...): SystemError, nothing runs",
        .hint = "handout §3")
{
    ml_object *g = count_new(2);
    ck_assert_ptr_nonnull(g);
    ck_assert_ptr_null(gen_send(g, NULL));
    ASSERT_ERROR(ML_EXC_SYSTEM_ERROR, "bad argument to internal function");
    ck_assert_ptr_null(gen_throw(g, NULL, NULL, NULL));
    ASSERT_ERROR(ML_EXC_SYSTEM_ERROR, "bad argument to internal function");
    ck_assert_msg(gen_getstate(g) == GEN_CREATED, "still CREATED");
    obj_decref(g);
}

/* ==================================================================== delegation to a list */
ML_TEST(a_throw_caught_by_the_delegator_ends_the_delegation, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "`yield from [1, 2]` in a try: throw(ValueError) is caught and 'caught' "
                       "yielded; gi_yieldfrom is None and the list iterator is released",
        .hint = "handout §6, yield from", .parent = "close_while_delegating_to_a_list_iterator")
{
    ml_object *items = one_two_list();
    ml_object *g = catching_delegator_new(items);
    ck_assert_int_eq(take_long(gen_next(g)), 1);
    /* sys.getrefcount: ours, the local, the iterator's, the argument */
    ck_assert_int_eq(obj_getrefcount(items), 4);
    ml_object *v = gen_throw(g, gen_exc_class(ML_EXC_VALUE_ERROR), NULL, NULL);
    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(str_as_cstr(v), "caught ");
    obj_decref(v);
    ck_assert_int_eq(gen_getstate(g), GEN_SUSPENDED);
    ck_assert_msg(gen_yieldfrom(g) == NULL, "gi_yieldfrom still holds the list iterator");
    ck_assert_int_eq(obj_getrefcount(items), 3);
    obj_decref(g);
    ck_assert_int_eq(obj_getrefcount(items), 2);
    obj_decref(items);
}

ML_TEST(send_of_a_value_into_a_list_delegation_is_an_error, .points = 1, .visibility = ML_HIDDEN,
        .description =
            "send(5) while delegating to a list iterator: no send method, raised in the body",
        .hint = "handout §6, yield from")
{
    free(oracle_take_events());
    ml_object *g = oracle_over_list();
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(take_long(gen_next(g)), 10);
    ml_object *five = int_from_long(5);
    ck_assert_ptr_null(gen_send(g, five));
    ASSERT_ERROR(ML_EXC_TYPE_ERROR, "'list_iterator' object has no attribute 'send'");
    ck_assert_msg(gen_getstate(g) == GEN_CLOSED, "the error ended the delegator");
    obj_decref(g);
    free(oracle_take_events());
}

/* ==================================================================== delegation to a generator */
/* def deleg(sub):
 *     try:
 *         r = yield from sub
 *         log("deleg got %r" % (r,))
 *         yield r
 *     finally:
 *         log("deleg finally")
 * (logging through a "stubborn"-style event: the oracle's ev lines) */
typedef struct deleg_locals {
    ml_object *sub, *r;
} deleg_locals;
static const size_t deleg_refs[] = {GEN_REF(deleg_locals, sub), GEN_REF(deleg_locals, r)};

static void log_event(const char *text, ml_object *v)
{
    char buf[128] = "";
    if (v != NULL)
        obj_repr(v, buf, sizeof buf);
    fprintf(ml_debug_stream(), "EV %s%s\n", text, buf);
}

static ml_object *deleg_body(ml_gen *gen)
{
    deleg_locals *L = GEN_LOCALS(gen, deleg_locals);
    GEN_BEGIN(gen);
    GEN_YIELD_FROM_TRY(gen, obj_newref(L->sub), L->r); /* `sub` stays a local, as in Python */
    if (L->r == NULL)
        goto finally;
    log_event("deleg got ", L->r);
    GEN_YIELD_TRY(gen, obj_newref(L->r));
    if (GEN_RAISING(gen))
        goto finally;
    log_event("deleg finally", NULL);
    GEN_END(gen);
finally : {
    ml_exc *saved = err_fetch();
    log_event("deleg finally", NULL);
    err_restore(saved);
    return NULL;
}
}
static const gen_code deleg_code = GEN_CODE("deleg", deleg_body, deleg_locals, deleg_refs);

/* deleg(sub), stealing sub. */
static ml_object *deleg_new(ml_object *sub)
{
    ml_object *g = gen_new(&deleg_code);
    if (g == NULL) {
        obj_xdecref(sub);
        return NULL;
    }
    GEN_LOCALS(g, deleg_locals)->sub = sub;
    return g;
}

/* def sub_ret():
 *     try: yield 1
 *     except ValueError: log("sub caught"); return "v" */
static ml_object *sub_ret_body(ml_gen *gen)
{
    GEN_BEGIN(gen);
    GEN_YIELD_TRY(gen, int_from_long(1));
    if (GEN_RAISING(gen)) {
        if (!err_matches(ML_EXC_VALUE_ERROR))
            return NULL;
        err_clear();
        log_event("sub caught", NULL);
        GEN_RETURN(gen, str_from_cstr("v"));
    }
    GEN_END(gen);
}
static const gen_code sub_ret_code = GEN_CODE_NOREFS("sub_ret", sub_ret_body, nothing_locals);

ML_TEST(
    close_when_the_sub_generator_ignores_it, .points = 2, .visibility = ML_HIDDEN,
    .description = "closing a delegator whose sub-generator yields on GeneratorExit: RuntimeError",
    .hint = "handout §6, yield from")
{
    free(oracle_take_events());
    ml_object *g = deleg_new(oracle_stubborn());
    ck_assert_ptr_nonnull(g);
    ml_object *v = gen_next(g);
    ck_assert_ptr_nonnull(v);
    obj_decref(v);
    size_t unraisable = err_unraisable_count();
    ck_assert_ptr_null(gen_close(g));
    ASSERT_ERROR(ML_EXC_RUNTIME_ERROR, "generator ignored GeneratorExit");
    ck_assert_msg(gen_getstate(g) == GEN_CLOSED, "the delegator let the error out: closed");
    /* The sub-generator, still suspended, dies with the delegator's frame (its
     * local `sub`) and is finalized: it ignores GeneratorExit once more,
     * reported as unraisable.  (CPython prints these two once the caller's
     * `except` block ends: the exception's traceback keeps the frame alive.) */
    expect_events(
        "    ev stubborn ignores GeneratorExit\n    ev deleg finally\n"
        "    ev stubborn ignores GeneratorExit\n"
        "    ev unraisable RuntimeError: generator ignored GeneratorExit (in generator)\n");
    ck_assert_uint_eq(err_unraisable_count(), unraisable + 1);
    obj_decref(g);
    free(oracle_take_events());
}

ML_TEST(throw_ending_the_sub_generator_sends_its_value_to_the_delegator, .points = 2,
        .visibility = ML_HIDDEN,
        .description =
            "throw caught by the sub-generator, which returns: that value resumes the delegator",
        .hint = "handout §6, yield from")
{
    free(oracle_take_events());
    ml_object *g = deleg_new(gen_new(&sub_ret_code));
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(take_long(gen_next(g)), 1);
    ml_object *e = str_from_cstr("e");
    ml_object *v = gen_throw(g, gen_exc_class(ML_EXC_VALUE_ERROR), e, NULL);
    obj_decref(e);
    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(str_as_cstr(v), "v");
    obj_decref(v);
    ck_assert_ptr_null(gen_yieldfrom(g));
    expect_events("    ev sub caught\n    ev deleg got 'v'\n");
    obj_decref(g);
    free(oracle_take_events());
}

ML_TEST(throw_generator_exit_closes_the_sub_generator_first, .points = 1, .visibility = ML_HIDDEN,
        .description =
            "throw(GeneratorExit) while delegating: the sub is closed, then it is raised here",
        .hint = "handout §6, yield from")
{
    free(oracle_take_events());
    ml_object *g = oracle_outer();
    ck_assert_ptr_nonnull(g);
    ml_object *v = gen_next(g);
    ck_assert_ptr_nonnull(v);
    obj_decref(v);
    ck_assert_ptr_null(gen_throw(g, gen_exc_class(ML_EXC_GENERATOR_EXIT), NULL, NULL));
    ASSERT_ERROR(ML_EXC_GENERATOR_EXIT, "");
    expect_events("    ev outer start\n    ev inner start\n    ev inner finally\n"
                  "    ev outer finally\n");
    ck_assert_msg(gen_getstate(g) == GEN_CLOSED, "closed");
    obj_decref(g);
    free(oracle_take_events());
}

/* def watched_inner():
 *     try: yield 1
 *     except BaseException: note(getgeneratorstate(outer)); raise */
static ml_object *watched_outer; /* borrowed: the delegator the inner watches */
static int outer_state_seen = -1;

static ml_object *watched_inner_body(ml_gen *gen)
{
    GEN_BEGIN(gen);
    GEN_YIELD_TRY(gen, int_from_long(1));
    if (GEN_RAISING(gen)) {
        outer_state_seen = (int)gen_getstate(watched_outer);
        return NULL;
    }
    GEN_END(gen);
}
static const gen_code watched_inner_code =
    GEN_CODE_NOREFS("watched_inner", watched_inner_body, nothing_locals);

/* def outer(): r = yield from watched_inner() */
typedef struct result_locals {
    ml_object *r;
} result_locals;
static const size_t result_refs[] = {GEN_REF(result_locals, r)};

static ml_object *watching_outer_body(ml_gen *gen)
{
    result_locals *L = GEN_LOCALS(gen, result_locals);
    GEN_BEGIN(gen);
    GEN_YIELD_FROM(gen, gen_new(&watched_inner_code), L->r);
    GEN_END(gen);
}
static const gen_code watching_outer_code =
    GEN_CODE("outer", watching_outer_body, result_locals, result_refs);

/* outer() started and resting in the yield from. */
static ml_object *started_watching_outer(void)
{
    ml_object *g = gen_new(&watching_outer_code);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(take_long(gen_next(g)), 1);
    watched_outer = g;
    outer_state_seen = -1;
    return g;
}

static void assert_outer_was_running(const char *how)
{
    ck_assert_msg(outer_state_seen == GEN_RUNNING,
                  "%s: while the sub-generator ran, the delegator was %s, not GEN_RUNNING", how,
                  outer_state_seen < 0 ? "(not seen)"
                                       : gen_state_name((gen_state)outer_state_seen));
}

ML_TEST(the_delegator_is_running_while_its_sub_generator_runs_for_a_throw_or_close,
        .tags = "mutation", .points = 1, .visibility = ML_HIDDEN,
        .description = "outer in `yield from inner()`: during outer.close(), "
                       "outer.throw(GeneratorExit) and outer.throw(ValueError), inner sees outer "
                       "GEN_RUNNING",
        .hint = "handout §6, yield from",
        .parent = "throw_generator_exit_closes_the_sub_generator_first")
{
    ml_object *g = started_watching_outer();
    ml_object *r = gen_close(g);
    ck_assert_ptr_eq(r, ML_NONE);
    obj_decref(r);
    assert_outer_was_running("close()");
    ck_assert_int_eq(gen_getstate(g), GEN_CLOSED);
    obj_decref(g);

    g = started_watching_outer();
    ck_assert_ptr_null(gen_throw(g, gen_exc_class(ML_EXC_GENERATOR_EXIT), NULL, NULL));
    ASSERT_ERROR(ML_EXC_GENERATOR_EXIT, "");
    assert_outer_was_running("throw(GeneratorExit)");
    ck_assert_int_eq(gen_getstate(g), GEN_CLOSED);
    obj_decref(g);

    g = started_watching_outer();
    ck_assert_ptr_null(gen_throw(g, gen_exc_class(ML_EXC_VALUE_ERROR), NULL, NULL));
    ASSERT_ERROR(ML_EXC_VALUE_ERROR, "");
    assert_outer_was_running("throw(ValueError)");
    ck_assert_int_eq(gen_getstate(g), GEN_CLOSED);
    obj_decref(g);
}

/* yield from a generator that ignores GeneratorExit, then throw(GeneratorExit) */
static ml_object *wraps_stubborn_body(ml_gen *gen)
{
    result_locals *L = GEN_LOCALS(gen, result_locals);
    GEN_BEGIN(gen);
    GEN_YIELD_FROM(gen, oracle_stubborn(), L->r);
    GEN_END(gen);
}
static const gen_code wraps_stubborn_code =
    GEN_CODE("wraps_stubborn", wraps_stubborn_body, result_locals, result_refs);

ML_TEST(throw_generator_exit_when_the_sub_generator_cannot_close, .points = 1,
        .visibility = ML_HIDDEN,
        .description =
            "throw(GeneratorExit) and the sub ignores it: its RuntimeError is raised instead",
        .hint = "handout §6, yield from")
{
    free(oracle_take_events());
    ml_object *g = gen_new(&wraps_stubborn_code);
    ck_assert_ptr_nonnull(g);
    ml_object *v = gen_next(g);
    ck_assert_ptr_nonnull(v);
    obj_decref(v);
    ck_assert_ptr_null(gen_throw(g, gen_exc_class(ML_EXC_GENERATOR_EXIT), NULL, NULL));
    ASSERT_ERROR(ML_EXC_RUNTIME_ERROR, "generator ignored GeneratorExit");
    ck_assert_msg(gen_getstate(g) == GEN_CLOSED, "the delegator ended with the error");
    obj_decref(g);
    free(oracle_take_events());
}

ML_TEST(yield_from_enter_consumes_a_failed_creation, .points = 1, .visibility = ML_HIDDEN,
        .description = "gen_yield_from_enter(gen, NULL) (creation failed): -1, its exception kept",
        .hint = "handout §6, yield from")
{
    ml_object *g = count_new(1);
    ck_assert_ptr_nonnull(g);
    err_set(ML_EXC_MEMORY_ERROR, "");
    ck_assert_int_eq(gen_yield_from_enter((ml_gen *)g, NULL), -1);
    ASSERT_ERROR(ML_EXC_MEMORY_ERROR, "");
    obj_decref(g);
}

/* ==================================================================== inputs of a pipeline */
static ml_object *identity(ml_object *item, void *ctx)
{
    (void)ctx;
    return obj_newref(item);
}

ML_TEST(
    a_returning_input_ends_a_stage_cleanly, .points = 1, .visibility = ML_HIDDEN,
    .description = "map over a generator that returns a value: its StopIteration is not an error",
    .hint = "handout §7, Lazy builtins")
{
    ml_object *s = str_from_cstr("x");
    ml_object *h = holder_new(s);
    ck_assert_ptr_nonnull(h);
    ml_object *m = gen_map(identity, NULL, h);
    ck_assert_ptr_nonnull(m);
    ml_object *v = gen_next(m);
    ck_assert_ptr_eq(v, s);
    obj_decref(v);
    ck_assert_ptr_null(gen_next(m));
    ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
    obj_decref(m);
    obj_decref(h);
    obj_decref(s);
}
