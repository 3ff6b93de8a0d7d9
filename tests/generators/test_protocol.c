/*
 * test_protocol.c -- next, send, throw and close: values, states, and
 * CPython's exact errors, one rule per test.
 */
#include "generators_test.h"
#include "memlab/draw.h"
#include "oracle_port.h"

#include <stdlib.h>

ML_TEST(send_returns_the_yielded_value, .points = 1,
        .description = "send(None) on a new generator runs it to its first yield",
        .hint = "handout §3, send")
{
    ml_object *g = count_new(2);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(take_long(gen_send(g, ML_NONE)), 0);
    ck_assert_int_eq(take_long(gen_send(g, ML_NONE)), 1);
    obj_decref(g);
}

ML_TEST(
    send_at_the_end_raises_stop_iteration_with_the_value, .points = 2,
    .description = "send: the return value is StopIteration.value; afterwards StopIteration(None)",
    .hint = "handout §3, next and the end of iteration")
{
    ml_object *s = str_from_cstr("result");
    ml_object *g = holder_new(s);
    ck_assert_ptr_nonnull(g);
    obj_decref(gen_send(g, ML_NONE));
    ck_assert_ptr_null(gen_send(g, ML_NONE));
    ck_assert_msg(err_occurred() == ML_EXC_STOP_ITERATION, "the end of send() is StopIteration");
    ml_exc *stop = err_fetch();
    ck_assert_ptr_eq(stop->value, s);
    obj_decref(&stop->ob_base);
    ck_assert_ptr_null(gen_send(g, ML_NONE));
    ck_assert_msg(err_occurred() == ML_EXC_STOP_ITERATION, "send() to a closed generator");
    stop = err_fetch();
    ck_assert_msg(stop->value == NULL || stop->value == ML_NONE, "...carries no value");
    obj_decref(&stop->ob_base);
    obj_decref(g);
    obj_decref(s);
}

ML_TEST(next_at_a_none_end_sets_no_exception, .points = 1,
        .description = "next (tp_iternext) ending with None returns NULL with no exception",
        .hint = "handout §3, next and the end of iteration")
{
    ml_object *g = count_new(0);
    ck_assert_ptr_nonnull(g);
    ck_assert_ptr_null(gen_next(g));
    ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
    ck_assert_ptr_null(gen_next(g));
    ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
    obj_decref(g);
}

ML_TEST(send_non_none_to_created_is_type_error, .points = 2,
        .description = "send(1) before the first next: TypeError, and the generator stays CREATED",
        .hint = "handout §3, the order of checks")
{
    ml_object *g = count_new(2);
    ck_assert_ptr_nonnull(g);
    ml_object *one = int_from_long(1);
    ck_assert_ptr_null(gen_send(g, one));
    ASSERT_ERROR(ML_EXC_TYPE_ERROR, "can't send non-None value to a just-started generator");
    ck_assert_msg(gen_getstate(g) == GEN_CREATED, "the failed send leaves it CREATED");
    ck_assert_int_eq(take_long(gen_next(g)), 0);
    obj_decref(g);
}

ML_TEST(throw_rejects_a_traceback_that_is_not_one, .points = 1,
        .description = "throw(e, None, 5): TypeError about the third argument; nothing runs",
        .hint = "handout §4, throw")
{
    ml_object *g = count_new(2);
    ck_assert_ptr_nonnull(g);
    ml_object *five = int_from_long(5);
    ck_assert_ptr_null(gen_throw(g, gen_exc_class(ML_EXC_VALUE_ERROR), ML_NONE, five));
    ASSERT_ERROR(ML_EXC_TYPE_ERROR, "throw() third argument must be a traceback object");
    ck_assert_msg(gen_getstate(g) == GEN_CREATED, "a rejected throw changes nothing");
    obj_decref(g);
}

ML_TEST(
    throw_instance_with_a_value_is_type_error, .points = 1,
    .description = "throw(ValueError('x'), 'y'): instance exception may not have a separate value",
    .hint = "handout §4, throw")
{
    ml_object *g = count_new(2);
    ck_assert_ptr_nonnull(g);
    ml_exc *e = exc_new(ML_EXC_VALUE_ERROR, "x", NULL);
    ml_object *y = str_from_cstr("y");
    ck_assert_ptr_null(gen_throw(g, &e->ob_base, y, NULL));
    ASSERT_ERROR(ML_EXC_TYPE_ERROR, "instance exception may not have a separate value");
    ck_assert_int_eq(obj_getrefcount(&e->ob_base), 2);
    obj_decref(y);
    obj_decref(&e->ob_base);
    obj_decref(g);
}

ML_TEST(
    throw_of_a_non_exception_is_type_error, .points = 1,
    .description = "throw(42): exceptions must be classes or instances deriving from BaseException",
    .hint = "handout §4, throw")
{
    ml_object *g = count_new(2);
    ck_assert_ptr_nonnull(g);
    ml_object *n = int_from_long(42);
    ck_assert_ptr_null(gen_throw(g, n, NULL, NULL));
    ASSERT_ERROR(ML_EXC_TYPE_ERROR,
                 "exceptions must be classes or instances deriving from BaseException, not int");
    obj_decref(g);
}

ML_TEST(throw_class_with_a_value_uses_it_as_the_message, .points = 1,
        .description = "throw(KeyError... ValueError, 'bad'): the class is called with the value",
        .hint = "handout §4, throw")
{
    ml_object *g = count_new(2);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(take_long(gen_next(g)), 0);
    ml_object *bad = str_from_cstr("bad");
    ck_assert_ptr_null(gen_throw(g, gen_exc_class(ML_EXC_VALUE_ERROR), bad, NULL));
    ASSERT_ERROR(ML_EXC_VALUE_ERROR, "bad");
    ck_assert_msg(gen_getstate(g) == GEN_CLOSED, "an uncaught throw closes it");
    obj_decref(bad);
    obj_decref(g);
}

ML_TEST(thrown_instance_is_the_one_raised, .points = 1,
        .description = "an uncaught thrown instance comes back out as the same object",
        .hint = "handout §4, throw")
{
    ml_object *g = count_new(2);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(take_long(gen_next(g)), 0);
    ml_exc *e = exc_new(ML_EXC_KEY_ERROR, "k", NULL);
    ck_assert_ptr_null(gen_throw(g, &e->ob_base, NULL, NULL));
    ml_exc *got = err_fetch();
    ck_assert_ptr_eq(got, e);
    obj_decref(&got->ob_base);
    obj_decref(&e->ob_base);
    obj_decref(g);
}

ML_TEST(close_returns_none_and_closes, .points = 1,
        .description = "close() of a suspended generator: new reference to None, GEN_CLOSED",
        .hint = "handout §4, close")
{
    ml_object *g = count_new(5);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(take_long(gen_next(g)), 0);
    ml_object *r = gen_close(g);
    ck_assert_ptr_eq(r, ML_NONE);
    obj_decref(r);
    ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
    if (gen_getstate(g) != GEN_CLOSED) /* expected: GEN_CLOSED filled */
        ml_attach_take("state.dot", draw_generator(g));
    ck_assert_msg(gen_getstate(g) == GEN_CLOSED, "closed");
    ck_assert_ptr_null(gen_next(g));
    ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
    obj_decref(g);
}

/* def raises_on_close():
 *     try: yield 1
 *     except GeneratorExit: raise ValueError("cleanup failed") */
typedef struct nothing {
    char unused;
} nothing;

static ml_object *raises_on_close_body(ml_gen *gen)
{
    GEN_BEGIN(gen);
    GEN_YIELD_TRY(gen, int_from_long(1));
    if (GEN_RAISING(gen)) {
        err_set(ML_EXC_VALUE_ERROR, "cleanup failed");
        return NULL;
    }
    GEN_END(gen);
}
static const gen_code raises_on_close_code =
    GEN_CODE_NOREFS("raises_on_close", raises_on_close_body, nothing);

ML_TEST(close_lets_other_exceptions_out, .points = 1,
        .description = "a body raising something else during close: close returns NULL with it",
        .hint = "handout §4, close")
{
    ml_object *g = gen_new(&raises_on_close_code);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(take_long(gen_next(g)), 1);
    ck_assert_ptr_null(gen_close(g));
    ASSERT_ERROR(ML_EXC_VALUE_ERROR, "cleanup failed");
    if (gen_getstate(g) != GEN_CLOSED) /* expected: GEN_CLOSED filled */
        ml_attach_take("state.dot", draw_generator(g));
    ck_assert_msg(gen_getstate(g) == GEN_CLOSED, "the frame ended: GEN_CLOSED");
    obj_decref(g);
}

ML_TEST(protocol_rejects_non_generators, .points = 1,
        .description = "next/send/throw/close on a non-generator: SystemError, NULL",
        .hint = "handout §3")
{
    ml_object *n = int_from_long(7);
    ck_assert_ptr_null(gen_next(n));
    ASSERT_ERROR(ML_EXC_SYSTEM_ERROR, "bad argument to internal function");
    ck_assert_ptr_null(gen_send(n, ML_NONE));
    ASSERT_ERROR(ML_EXC_SYSTEM_ERROR, "bad argument to internal function");
    ck_assert_ptr_null(gen_close(n));
    ASSERT_ERROR(ML_EXC_SYSTEM_ERROR, "bad argument to internal function");
    ck_assert_ptr_null(gen_throw(n, gen_exc_class(ML_EXC_VALUE_ERROR), NULL, NULL));
    ASSERT_ERROR(ML_EXC_SYSTEM_ERROR, "bad argument to internal function");
}

ML_TEST(unraisable_close_error_at_dealloc_is_reported, .points = 1,
        .description = "dropping a generator that ignores GeneratorExit reports one unraisable",
        .hint = "handout §5, Dealloc and finalization")
{
    ml_object *g = oracle_stubborn();
    ck_assert_ptr_nonnull(g);
    free(oracle_take_events());
    ml_object *v = gen_next(g);
    ck_assert_ptr_nonnull(v);
    obj_decref(v);
    size_t before = err_unraisable_count();
    obj_decref(g);
    ck_assert_uint_eq(err_unraisable_count(), before + 1);
    ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
    char *events = oracle_take_events();
    ck_assert_str_eq(events, "    ev stubborn ignores GeneratorExit\n"
                             "    ev unraisable RuntimeError: generator ignored GeneratorExit (in "
                             "generator)\n");
    free(events);
    free(oracle_take_events());
}

ML_TEST(yield_from_returns_the_sub_generators_value, .points = 2,
        .description = "yield from: values pass through; the sub-generator's return is the result",
        .hint = "handout §6, yield from")
{
    ml_object *g = oracle_outer();
    ck_assert_ptr_nonnull(g);
    free(oracle_take_events());
    ml_object *v = gen_next(g);
    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(str_as_cstr(v), "i1");
    obj_decref(v);
    ck_assert_str_eq(gen_name(gen_yieldfrom(g)), "inner");
    ml_object *s = str_from_cstr("s");
    v = gen_send(g, s);
    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(str_as_cstr(v), "i2");
    obj_decref(v);
    v = gen_send(g, s);
    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(str_as_cstr(v), "o1");
    obj_decref(v);
    ck_assert_ptr_null(gen_yieldfrom(g));
    char *events = oracle_take_events();
    ck_assert_str_eq(events, "    ev outer start\n    ev inner start\n    ev inner got 's'\n"
                             "    ev inner got 's'\n    ev inner finally\n"
                             "    ev outer got result 'inner-result'\n");
    free(events);
    obj_decref(s);
    obj_decref(g);
    free(oracle_take_events());
}

ML_TEST(yield_from_a_non_iterable_raises_in_the_body, .points = 1,
        .description = "yield from 5: TypeError \"'int' object is not iterable\" from the body",
        .hint = "handout §6, yield from")
{
    ml_object *g = holder_new(ML_NONE); /* any generator to host the call */
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(gen_yield_from_enter((ml_gen *)g, int_from_long(5)), -1);
    ASSERT_ERROR(ML_EXC_TYPE_ERROR, "'int' object is not iterable");
    ck_assert_ptr_null(((ml_gen *)g)->gi_yieldfrom);
    obj_decref(g);
}
