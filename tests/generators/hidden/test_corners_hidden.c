/*
 * test_corners_hidden.c -- more of the less travelled paths: a body that
 * forgets its exception, missing arguments, a sub-generator that cannot be
 * closed, a failed yield-from creation, traverse stopping early.
 */
#include "../generators_test.h"
#include "../oracle_port.h"

#include <stdlib.h>

typedef struct nothing_locals {
    char unused;
} nothing_locals;

static ml_object *identity(ml_object *item, void *ctx)
{
    (void)ctx;
    return obj_newref(item);
}

/* A buggy body: returns NULL without setting an exception. */
static ml_object *forgetful_body(ml_gen *gen)
{
    GEN_BEGIN(gen);
    return NULL;
    GEN_END(gen);
}
static const gen_code forgetful_code = GEN_CODE_NOREFS("forgetful", forgetful_body, nothing_locals);

ML_TEST(error_return_without_exception_is_system_error, .points = 1, .visibility = ML_HIDDEN,
        .description = "a body returning NULL with no exception set: SystemError, generator closed",
        .hint = "handout §3, next and the end of iteration")
{
    ml_object *g = gen_new(&forgetful_code);
    ck_assert_ptr_nonnull(g);
    ck_assert_ptr_null(gen_next(g));
    ASSERT_ERROR(ML_EXC_SYSTEM_ERROR, "error return without exception set");
    ck_assert_msg(gen_getstate(g) == GEN_CLOSED, "closed after the error");
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

/* yield from a generator that ignores GeneratorExit, then throw(GeneratorExit) */
typedef struct one_ref {
    ml_object *r;
} one_ref;
static const size_t one_ref_refs[] = {GEN_REF(one_ref, r)};

static ml_object *wraps_stubborn_body(ml_gen *gen)
{
    one_ref *L = GEN_LOCALS(gen, one_ref);
    GEN_BEGIN(gen);
    GEN_YIELD_FROM(gen, oracle_stubborn(), L->r);
    GEN_END(gen);
}
static const gen_code wraps_stubborn_code =
    GEN_CODE("wraps_stubborn", wraps_stubborn_body, one_ref, one_ref_refs);

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

static int stop_visit(ml_object *op, void *arg)
{
    (void)op;
    (void)arg;
    return 7;
}

ML_TEST(traverse_stops_at_the_first_nonzero_visit, .points = 1, .visibility = ML_HIDDEN,
        .description = "tp_traverse returns a visit's non-zero result at once",
        .hint = "handout §5, The collector")
{
    ml_object *s = str_from_cstr("x");
    ml_object *g = holder_new(s);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(ML_TYPE(g)->tp_traverse(g, stop_visit, NULL), 7);
    obj_decref(g);
    g = oracle_outer();
    ck_assert_ptr_nonnull(g);
    free(oracle_take_events());
    ml_object *v = gen_next(g);
    ck_assert_ptr_nonnull(v);
    obj_decref(v);
    ck_assert_int_eq(ML_TYPE(g)->tp_traverse(g, stop_visit, NULL), 7);
    obj_decref(g);
    obj_decref(s);
    free(oracle_take_events());
}
