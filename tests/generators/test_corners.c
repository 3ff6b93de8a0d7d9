/*
 * test_corners.c -- the less travelled paths: throw's arguments, resurrection
 * by a finalizer, delegation that fails, inputs that fail inside a pipeline.
 */
#include "generators_test.h"
#include "oracle_port.h"

#include <stdlib.h>

typedef struct nothing_locals {
    char unused;
} nothing_locals;

ML_TEST(throw_class_with_an_instance_or_a_non_string_value, .points = 1,
        .description =
            "throw(ValueError, ValueError('x')) raises that instance; throw(KeyError, 5): '5'",
        .hint = "handout §4, throw")
{
    char buf[32];
    obj_repr(gen_exc_class(ML_EXC_VALUE_ERROR), buf, sizeof buf);
    ck_assert_str_eq(buf, "ValueError");
    ck_assert_ptr_null(gen_exc_class(ML_EXC_NONE));

    ml_object *g = count_new(2);
    ck_assert_ptr_nonnull(g);
    ml_exc *e = exc_new(ML_EXC_VALUE_ERROR, "x", NULL);
    ck_assert_ptr_null(gen_throw(g, gen_exc_class(ML_EXC_VALUE_ERROR), &e->ob_base, NULL));
    ml_exc *got = err_fetch();
    ck_assert_ptr_eq(got, e);
    obj_decref(&got->ob_base);
    obj_decref(&e->ob_base);
    obj_decref(g);

    g = count_new(2);
    ck_assert_ptr_nonnull(g);
    ml_object *five = int_from_long(5);
    ck_assert_ptr_null(gen_throw(g, gen_exc_class(ML_EXC_KEY_ERROR), five, NULL));
    ASSERT_ERROR(ML_EXC_KEY_ERROR, "5");
    obj_decref(g);
}

/* A finalizer that resurrects: the cleanup stores the generator in a list. */
static ml_object *keeper;

static ml_object *resurrecting_body(ml_gen *gen)
{
    GEN_BEGIN(gen);
    GEN_YIELD_TRY(gen, int_from_long(1));
    if (GEN_RAISING(gen)) {
        ml_exc *saved = err_fetch();
        list_append(keeper, &gen->ob_base); /* "self.saved = self" in a finally */
        err_restore(saved);
        return NULL;
    }
    GEN_END(gen);
}
static const gen_code resurrecting_code =
    GEN_CODE_NOREFS("resurrecting", resurrecting_body, nothing_locals);

ML_TEST(
    a_finalizer_may_resurrect_the_generator, .points = 2,
    .description = "cleanup that stores the generator keeps it alive; it is finalized only once",
    .hint = "handout §5, Dealloc and finalization")
{
    size_t bytes = mem_current_bytes();
    keeper = list_new(0);
    ck_assert_ptr_nonnull(keeper);
    ml_object *g = gen_new(&resurrecting_code);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(take_long(gen_next(g)), 1);
    obj_decref(g); /* finalizer: close -> the body appends itself to keeper */
    ck_assert_int_eq(list_size(keeper), 1);
    g = list_getitem(keeper, 0);
    ck_assert_int_eq(obj_getrefcount(g), 2);
    ck_assert_msg(gen_getstate(g) == GEN_CLOSED, "the close ran to the end");
    ck_assert_msg(gc_is_finalized(g), "marked finalized");
    obj_decref(keeper); /* the second death: no finalizer, just freed */
    ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
    ck_assert_uint_eq(mem_current_bytes(), bytes);
}

ML_TEST(close_while_delegating_to_a_list_iterator, .points = 1,
        .description = "close() of a generator in `yield from [..]`: the iterator needs no close",
        .hint = "handout §6, yield from")
{
    free(oracle_take_events());
    ml_object *g = oracle_over_list();
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(take_long(gen_next(g)), 10);
    ml_object *r = gen_close(g);
    ck_assert_ptr_eq(r, ML_NONE);
    obj_decref(r);
    ck_assert_msg(gen_getstate(g) == GEN_CLOSED, "closed");
    ck_assert_ptr_null(gen_yieldfrom(g));
    obj_decref(g);
    free(oracle_take_events());
}

ML_TEST(
    throw_not_caught_by_the_sub_generator_reaches_the_delegator, .points = 1,
    .description = "throw(ValueError) into outer->inner: inner's finally, outer's finally, raised",
    .hint = "handout §6, yield from")
{
    free(oracle_take_events());
    ml_object *g = oracle_outer();
    ck_assert_ptr_nonnull(g);
    ml_object *v = gen_next(g);
    ck_assert_ptr_nonnull(v);
    obj_decref(v);
    ml_exc *e = exc_new(ML_EXC_VALUE_ERROR, "deep", NULL);
    ck_assert_ptr_null(gen_throw(g, &e->ob_base, NULL, NULL));
    ASSERT_ERROR(ML_EXC_VALUE_ERROR, "deep");
    char *events = oracle_take_events();
    ck_assert_str_eq(events, "    ev outer start\n    ev inner start\n    ev inner finally\n"
                             "    ev outer finally\n");
    free(events);
    obj_decref(&e->ob_base);
    obj_decref(g);
    free(oracle_take_events());
}

/* fails_after(k): yields 0 .. k-1, then raises ValueError("input failed") */
static ml_object *fails_after_body(ml_gen *gen)
{
    count_locals *L = GEN_LOCALS(gen, count_locals);
    GEN_BEGIN(gen);
    for (L->i = 0; L->i < L->n; L->i++)
        GEN_YIELD(gen, int_from_long(L->i));
    err_set(ML_EXC_VALUE_ERROR, "input failed");
    return NULL;
    GEN_END(gen);
}
static const gen_code fails_after_code =
    GEN_CODE_NOREFS("fails_after", fails_after_body, count_locals);

static ml_object *fails_after(long k)
{
    ml_object *g = gen_new(&fails_after_code);
    if (g != NULL)
        GEN_LOCALS(g, count_locals)->n = k;
    return g;
}

static ml_object *identity(ml_object *item, void *ctx)
{
    (void)ctx;
    return obj_newref(item);
}

static int keep_all(ml_object *item, void *ctx)
{
    (void)item;
    (void)ctx;
    return 1;
}

/* Drain `stage` (stolen): `expect` items, then the input's ValueError. */
static void expect_input_error(ml_object *stage, int expect)
{
    ck_assert_ptr_nonnull(stage);
    for (int i = 0; i < expect; i++) {
        ml_object *v = gen_next(stage);
        ck_assert_msg(v != NULL, "item %d missing (%s)", i, err_message());
        obj_decref(v);
    }
    ck_assert_ptr_null(gen_next(stage));
    ASSERT_ERROR(ML_EXC_VALUE_ERROR, "input failed");
    obj_decref(stage);
}

ML_TEST(input_errors_propagate_through_every_builtin, .points = 2,
        .description = "an input that raises: map, filter, take, zip, enumerate all let it out",
        .hint = "handout §7, Pipelines")
{
    ml_object *in = fails_after(2);
    ck_assert_ptr_nonnull(in);
    expect_input_error(gen_map(identity, NULL, in), 2);
    obj_decref(in);
    in = fails_after(2);
    expect_input_error(gen_filter(keep_all, NULL, in), 2);
    obj_decref(in);
    in = fails_after(2);
    expect_input_error(gen_take(in, 5), 2);
    obj_decref(in);
    in = fails_after(2);
    ml_object *other = count_new(10);
    expect_input_error(gen_zip(in, other), 2);
    obj_decref(in);
    obj_decref(other);
    in = fails_after(2);
    expect_input_error(gen_enumerate(in, 0), 2);
    obj_decref(in);
}

static int fails_on_one(ml_object *item, void *ctx)
{
    (void)ctx;
    if (int_as_long(item) == 1) {
        err_set(ML_EXC_VALUE_ERROR, "input failed");
        return -1;
    }
    return 1;
}

ML_TEST(
    ends_of_inputs_in_the_builtins, .points = 1,
    .description = "filter's predicate fails; take of a short input; zip's second input shorter",
    .hint = "handout §7, Lazy builtins")
{
    ml_object *in = count_new(5);
    ck_assert_ptr_nonnull(in);
    expect_input_error(gen_filter(fails_on_one, NULL, in), 1);
    obj_decref(in);

    in = count_new(2);
    ml_object *t = gen_take(in, 5);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(take_long(gen_next(t)), 0);
    ck_assert_int_eq(take_long(gen_next(t)), 1);
    ck_assert_ptr_null(gen_next(t));
    ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
    obj_decref(t);
    obj_decref(in);

    ml_object *a = count_new(5), *b = count_new(1);
    ml_object *z = gen_zip(a, b);
    ck_assert_ptr_nonnull(z);
    ml_object *p = gen_next(z);
    ck_assert_ptr_nonnull(p);
    obj_decref(p);
    ck_assert_ptr_null(gen_next(z));
    ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
    ck_assert_int_eq(take_long(gen_next(a)), 2); /* zip pulled 0, 1 from a */
    obj_decref(z);
    obj_decref(a);
    obj_decref(b);

    ml_object *n = int_from_long(1);
    ck_assert_ptr_null(gen_zip(n, a));
    ASSERT_ERROR(ML_EXC_TYPE_ERROR, "'int' object is not iterable");
}
