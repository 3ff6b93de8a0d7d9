/*
 * test_hidden.c -- the protocol's corners: delegation under throw and close,
 * finalization with an exception in flight, PEP 479 in close, pipelines
 * closing their inputs, and reference balance over every oracle scenario.
 */
#include "../generators_test.h"
#include "../oracle_port.h"
#include "memlab/runtime.h"

#include <stdlib.h>
#include <string.h>

static void expect_events(const char *expected)
{
    char *events = oracle_take_events();
    ck_assert_str_eq(events, expected);
    free(events);
}

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
typedef struct no_locals {
    char unused;
} no_locals;

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
static const gen_code sub_ret_code = GEN_CODE_NOREFS("sub_ret", sub_ret_body, no_locals);

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

ML_TEST(dealloc_keeps_the_exception_in_flight, .points = 2, .visibility = ML_HIDDEN,
        .description =
            "a suspended generator dropped while an exception is set: cleanup runs, exception kept",
        .hint = "handout §5, Dealloc and finalization")
{
    free(oracle_take_events());
    ml_object *g = oracle_counter(3);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(take_long(gen_next(g)), 0);
    err_set(ML_EXC_KEY_ERROR, "in flight");
    size_t unraisable = err_unraisable_count();
    obj_decref(g);
    ASSERT_ERROR(ML_EXC_KEY_ERROR, "in flight");
    ck_assert_uint_eq(err_unraisable_count(), unraisable);
    expect_events("    ev counter start n=3\n    ev counter finally\n");
    free(oracle_take_events());
}

/* def raise_stop():
 *     try: yield 1
 *     except GeneratorExit: raise StopIteration("s") */
static ml_object *raise_stop_body(ml_gen *gen)
{
    GEN_BEGIN(gen);
    GEN_YIELD_TRY(gen, int_from_long(1));
    if (GEN_RAISING(gen)) {
        err_set(ML_EXC_STOP_ITERATION, "s");
        return NULL;
    }
    GEN_END(gen);
}
static const gen_code raise_stop_code = GEN_CODE_NOREFS("raise_stop", raise_stop_body, no_locals);

ML_TEST(
    stop_iteration_escaping_close_is_runtime_error, .points = 1, .visibility = ML_HIDDEN,
    .description = "PEP 479 applies inside close too: RuntimeError with the StopIteration as cause",
    .hint = "handout §3, PEP 479")
{
    ml_object *g = gen_new(&raise_stop_code);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(take_long(gen_next(g)), 1);
    ck_assert_ptr_null(gen_close(g));
    ml_exc *e = err_fetch();
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->kind, ML_EXC_RUNTIME_ERROR);
    ck_assert_str_eq(e->message, "generator raised StopIteration");
    ck_assert_msg(e->cause != NULL && e->cause->kind == ML_EXC_STOP_ITERATION,
                  "the cause is the StopIteration");
    ck_assert_str_eq(e->cause->message, "s");
    obj_decref(&e->ob_base);
    obj_decref(g);
}

ML_TEST(
    an_ended_pipeline_stage_closes_its_input, .points = 2, .visibility = ML_HIDDEN,
    .description = "take(counter(5), 2) ends: its frame releases the counter, whose finally runs",
    .hint = "handout §7, Pipelines")
{
    free(oracle_take_events());
    ml_object *c = oracle_counter(5);
    ck_assert_ptr_nonnull(c);
    ml_object *t = gen_take(c, 2);
    ck_assert_ptr_nonnull(t);
    obj_decref(c);
    ck_assert_int_eq(take_long(gen_next(t)), 0);
    ck_assert_int_eq(take_long(gen_next(t)), 1);
    ck_assert_ptr_null(gen_next(t));
    ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
    /* take's frame is cleared as it ends, and its input with it */
    expect_events("    ev counter start n=5\n    ev counter got None\n    ev counter finally\n");
    obj_decref(t);
    expect_events("");
    free(oracle_take_events());
}

ML_TEST(every_scenario_balances_refcounts_and_bytes, .points = 3, .visibility = ML_HIDDEN,
        .description = "after each oracle scenario the total refcount and live bytes are back",
        .hint = "handout §5, Dealloc and finalization")
{
    for (int i = 0; i < oracle_nscenarios; i++) {
        ml_ssize_t total = obj_total_refcount();
        size_t bytes = mem_current_bytes();
        char *trace = oracle_trace(oracle_scenario_name(i));
        ck_assert_ptr_nonnull(trace);
        ck_assert_msg(strstr(trace, "creation failed") == NULL, "scenario %s: %s",
                      oracle_scenario_name(i), trace);
        free(trace);
        ck_assert_msg(obj_total_refcount() == total, "scenario %s: total refcount %ld -> %ld",
                      oracle_scenario_name(i), (long)total, (long)obj_total_refcount());
        ck_assert_msg(mem_current_bytes() == bytes, "scenario %s: live bytes %zu -> %zu",
                      oracle_scenario_name(i), bytes, mem_current_bytes());
        ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
    }
}

ML_TEST(
    generator_cycle_is_collected_after_its_finalizer, .points = 2, .visibility = ML_HIDDEN,
    .description = "box -> gen -> frame -> box: collect() finalizes the generator once, frees both",
    .hint = "handout §5, The collector")
{
    free(oracle_take_events());
    gc_disable();
    size_t bytes = mem_current_bytes();
    ml_object *box = list_new(0);
    ck_assert_ptr_nonnull(box);
    ml_object *g = oracle_selfref(box);
    ck_assert_ptr_nonnull(g);
    list_append(box, g);
    obj_decref(box);
    ck_assert_int_eq(take_long(gen_next(g)), 1);
    obj_decref(g);
    ck_assert_msg(mem_current_bytes() > bytes, "the cycle is still alive before collect");
    /* Closing the generator clears its frame, which frees the box, which
     * frees the generator: nothing is left for tp_clear, and CPython 3.11's
     * gc.collect() returns 0 here too. */
    ck_assert_int_eq(gc_collect(2), 0);
    expect_events("    ev selfref finally (box len 1)\n");
    ck_assert_uint_eq(mem_current_bytes(), bytes);
    free(oracle_take_events());
}
