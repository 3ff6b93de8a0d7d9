/*
 * mutation_yield_from.c -- hidden tests that kill what the mutation run
 * (make mutation LAB=generators) found alive around delegation and the
 * protocol: the delegator's state while its sub-generator runs, the first
 * value a yield from sends, the end of a delegation by a throw or an error,
 * the codes of gen_yield_from_enter/step, traverse's result, throw's class
 * called with another exception, and PEP 479 without memory.
 */
#include "../generators_test.h"

#include <stdio.h>

/* ---- the delegator runs while its sub-generator is closed or thrown into ---- */

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
typedef struct nothing_locals {
    char unused;
} nothing_locals;
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

ML_TEST(the_delegator_is_running_while_its_sub_generator_runs_for_a_throw_or_close, .points = 1,
        .visibility = ML_HIDDEN,
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

/* ---- the first value a yield from sends is None ---- */

/* def letter(): yield 'a'; return 'r' */
static ml_object *letter_body(ml_gen *gen)
{
    GEN_BEGIN(gen);
    GEN_YIELD(gen, str_from_cstr("a"));
    GEN_RETURN(gen, str_from_cstr("r"));
    GEN_END(gen);
}
static const gen_code letter_code = GEN_CODE_NOREFS("letter", letter_body, nothing_locals);

/* def sent_then_delegating():
 *     x = yield 1
 *     r = yield from letter()
 *     yield (x, r) */
typedef struct sent_locals {
    ml_object *x, *r;
} sent_locals;
static const size_t sent_refs[] = {GEN_REF(sent_locals, x), GEN_REF(sent_locals, r)};

static ml_object *sent_then_delegating_body(ml_gen *gen)
{
    sent_locals *L = GEN_LOCALS(gen, sent_locals);
    GEN_BEGIN(gen);
    GEN_YIELD(gen, int_from_long(1));
    L->x = obj_newref(GEN_SENT(gen));
    GEN_YIELD_FROM(gen, gen_new(&letter_code), L->r);
    GEN_YIELD(gen, tuple_pack(2, L->x, L->r));
    GEN_END(gen);
}
static const gen_code sent_then_delegating_code =
    GEN_CODE("sent_then_delegating", sent_then_delegating_body, sent_locals, sent_refs);

ML_TEST(yield_from_sends_none_first_even_when_resumed_by_send, .points = 1, .visibility = ML_HIDDEN,
        .description = "x = yield 1; r = yield from letter(): send(42) starts letter with None "
                       "and returns 'a'; then (42, 'r')",
        .hint = "handout §6, yield from", .parent = "yield_from_returns_the_sub_generators_value")
{
    ml_object *g = gen_new(&sent_then_delegating_code);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(take_long(gen_next(g)), 1);
    ml_object *x = int_from_long(42);
    ml_object *v = gen_send(g, x);
    obj_decref(x);
    ck_assert_msg(v != NULL, "send(42) failed: %s: %s", ml_exc_kind_name(err_occurred()),
                  err_message());
    ck_assert_str_eq(str_as_cstr(v), "a");
    obj_decref(v);
    v = gen_next(g);
    ck_assert_ptr_nonnull(v);
    ck_assert(tuple_check(v));
    ck_assert_int_eq(int_as_long(tuple_getitem(v, 0)), 42);
    ck_assert_str_eq(str_as_cstr(tuple_getitem(v, 1)), "r");
    obj_decref(v);
    obj_decref(g);
}

/* ---- how a delegation ends ---- */

/* def catching_delegator(items):
 *     try:
 *         r = yield from items
 *     except ValueError as e:
 *         yield 'caught ' + str(e)
 *     else:
 *         yield r */
typedef struct items_locals {
    ml_object *items, *r;
} items_locals;
static const size_t items_refs[] = {GEN_REF(items_locals, items), GEN_REF(items_locals, r)};

static ml_object *caught_message(void)
{
    char text[64];
    snprintf(text, sizeof text, "caught %s", err_message());
    err_clear();
    return str_from_cstr(text);
}

static ml_object *catching_delegator_body(ml_gen *gen)
{
    items_locals *L = GEN_LOCALS(gen, items_locals);
    GEN_BEGIN(gen);
    GEN_YIELD_FROM_TRY(gen, obj_newref(L->items), L->r);
    if (GEN_RAISING(gen)) {
        if (!err_matches(ML_EXC_VALUE_ERROR))
            return NULL;
        GEN_YIELD(gen, caught_message());
    } else {
        GEN_YIELD(gen, L->r != NULL ? obj_newref(L->r) : str_from_cstr("(no result)"));
    }
    GEN_END(gen);
}
static const gen_code catching_delegator_code =
    GEN_CODE("catching_delegator", catching_delegator_body, items_locals, items_refs);

static ml_object *catching_delegator_new(ml_object *items)
{
    ml_object *g = gen_new(&catching_delegator_code);
    ck_assert_ptr_nonnull(g);
    GEN_LOCALS(g, items_locals)->items = obj_newref(items);
    return g;
}

static ml_object *one_two_list(void)
{
    ml_object *items = list_new(0);
    ck_assert_ptr_nonnull(items);
    for (long i = 1; i <= 2; i++) {
        ml_object *v = int_from_long(i);
        ck_assert_int_eq(list_append(items, v), 0);
        obj_decref(v);
    }
    return items;
}

ML_TEST(a_throw_caught_by_the_delegator_ends_the_delegation, .points = 1, .visibility = ML_HIDDEN,
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

/* def failing(): raise ValueError('bad'); yield */
static ml_object *failing_body(ml_gen *gen)
{
    GEN_BEGIN(gen);
    err_set(ML_EXC_VALUE_ERROR, "bad");
    return NULL;
    GEN_END(gen);
}
static const gen_code failing_code = GEN_CODE_NOREFS("failing", failing_body, nothing_locals);

ML_TEST(an_error_of_the_sub_generator_is_raised_at_a_try_delegation, .points = 1,
        .visibility = ML_HIDDEN,
        .description = "try: r = yield from failing() except ValueError as e: yield 'caught ' + "
                       "str(e): next() gives 'caught bad'",
        .hint = "handout §6, yield from", .parent = "yield_from_returns_the_sub_generators_value")
{
    ml_object *sub = gen_new(&failing_code);
    ck_assert_ptr_nonnull(sub);
    ml_object *g = catching_delegator_new(sub);
    ml_object *v = gen_next(g);
    ck_assert_msg(v != NULL, "the delegator did not catch it: %s: %s",
                  ml_exc_kind_name(err_occurred()), err_message());
    ck_assert_str_eq(str_as_cstr(v), "caught bad");
    obj_decref(v);
    ck_assert_ptr_null(gen_yieldfrom(g));
    obj_decref(g);
    ck_assert_int_eq(gen_getstate(sub), GEN_CLOSED);
    obj_decref(sub);
}

ML_TEST(yield_from_a_plain_iterator_results_in_none, .points = 1, .visibility = ML_HIDDEN,
        .description = "r = yield from [1, 2]; yield r: 1, 2, then None",
        .hint = "handout §6, yield from", .parent = "yield_from_returns_the_sub_generators_value")
{
    ml_object *items = one_two_list();
    ml_object *g = catching_delegator_new(items);
    ck_assert_int_eq(take_long(gen_next(g)), 1);
    ck_assert_int_eq(take_long(gen_next(g)), 2);
    ml_object *v = gen_next(g);
    ck_assert_msg(v != NULL, "no result: %s: %s", ml_exc_kind_name(err_occurred()), err_message());
    ck_assert_msg(v == ML_NONE, "the result of the yield from is not None");
    obj_decref(v);
    ck_assert_ptr_null(gen_next(g));
    ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
    obj_decref(g);
    obj_decref(items);
}

/* ---- gen_yield_from_enter / gen_yield_from_step return their documented codes ---- */

/* GEN_YIELD_FROM written out, each code noted. */
static int codes[8];
static int ncodes;

static void note(int code)
{
    if (ncodes < 8)
        codes[ncodes] = code;
    ncodes++;
}

static ml_object *noting_delegator_body(ml_gen *gen)
{
    items_locals *L = GEN_LOCALS(gen, items_locals);
    ml_object *out = NULL;
    int rc;
    GEN_BEGIN(gen);
    rc = gen_yield_from_enter(gen, obj_newref(L->items));
    note(rc);
    if (rc != 0)
        return NULL;
    gen->gi_lasti = 1;
    GEN_FALLTHROUGH_;
case 1:
    rc = gen_yield_from_step(gen, &out);
    note(rc);
    if (rc == 1)
        return out;
    if (rc != 0)
        return NULL;
    GEN_RETURN(gen, out);
    GEN_END(gen);
}
static const gen_code noting_delegator_code =
    GEN_CODE("noting_delegator", noting_delegator_body, items_locals, items_refs);

static ml_object *noting_delegator_new(ml_object *items)
{
    ml_object *g = gen_new(&noting_delegator_code);
    ck_assert_ptr_nonnull(g);
    GEN_LOCALS(g, items_locals)->items = obj_newref(items);
    ncodes = 0;
    return g;
}

static void assert_codes(const char *what, int n, const int *expected)
{
    ck_assert_msg(ncodes == n, "%s: %d calls, not %d", what, ncodes, n);
    for (int i = 0; i < n; i++)
        ck_assert_msg(codes[i] == expected[i], "%s: call %d returned %d, not %d", what, i + 1,
                      codes[i], expected[i]);
}

static ml_object *fail_always(ml_object *item, void *ctx)
{
    (void)item;
    (void)ctx;
    err_set(ML_EXC_VALUE_ERROR, "map failed");
    return NULL;
}

ML_TEST(yield_from_enter_and_step_return_the_documented_codes, .points = 1, .visibility = ML_HIDDEN,
        .description = "enter: 0 / -1; step: 1 when the sub-iterator yields, 0 when it ends, -1 "
                       "when it raises or an exception is thrown in",
        .hint = "handout §6, yield from", .parent = "yield_from_returns_the_sub_generators_value")
{
    ml_object *items = one_two_list();
    ml_object *g = noting_delegator_new(items); /* yields 1, 2, then ends */
    ck_assert_int_eq(take_long(gen_next(g)), 1);
    ck_assert_int_eq(take_long(gen_next(g)), 2);
    ck_assert_ptr_null(gen_next(g));
    ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
    assert_codes("yield from [1, 2] to its end", 4, (const int[]){0, 1, 1, 0});
    obj_decref(g);

    g = noting_delegator_new(items); /* an exception thrown in */
    ck_assert_int_eq(take_long(gen_next(g)), 1);
    ck_assert_ptr_null(gen_throw(g, gen_exc_class(ML_EXC_KEY_ERROR), NULL, NULL));
    ASSERT_ERROR(ML_EXC_KEY_ERROR, "");
    assert_codes("a KeyError thrown in", 3, (const int[]){0, 1, -1});
    obj_decref(g);

    ml_object *m = gen_map(fail_always, NULL, items); /* the sub-generator raises */
    ck_assert_ptr_nonnull(m);
    g = noting_delegator_new(m);
    ck_assert_ptr_null(gen_next(g));
    ASSERT_ERROR(ML_EXC_VALUE_ERROR, "map failed");
    assert_codes("a sub-generator that raises", 2, (const int[]){0, -1});
    obj_decref(g);
    obj_decref(m);

    ml_object *five = int_from_long(5); /* not iterable */
    g = noting_delegator_new(five);
    ck_assert_ptr_null(gen_next(g));
    ASSERT_ERROR(ML_EXC_TYPE_ERROR, "'int' object is not iterable");
    assert_codes("yield from 5", 1, (const int[]){-1});
    obj_decref(g);
    obj_decref(five);
    obj_decref(items);
}

/* ---- traverse ---- */

static int count_visit(ml_object *op, void *arg)
{
    (void)op;
    (*(int *)arg)++;
    return 0;
}

ML_TEST(traverse_visits_everything_and_returns_zero, .points = 1, .visibility = ML_HIDDEN,
        .description = "tp_traverse of a delegator (sub-iterator + a local) and of zip (two "
                       "iterators) visits each and returns 0",
        .hint = "handout §5, The collector", .parent = "traverse_visits_the_delegate")
{
    ml_object *items = one_two_list();
    ml_object *g = catching_delegator_new(items);
    ck_assert_int_eq(take_long(gen_next(g)), 1);
    int visits = 0;
    int rc = ML_TYPE(g)->tp_traverse(g, count_visit, &visits);
    ck_assert_msg(visits == 2, "%d visits, not 2 (the list iterator, the list)", visits);
    ck_assert_int_eq(rc, 0);
    obj_decref(g);

    ml_object *z = gen_zip(items, items);
    ck_assert_ptr_nonnull(z);
    visits = 0;
    rc = ML_TYPE(z)->tp_traverse(z, count_visit, &visits);
    ck_assert_msg(visits == 2, "%d visits, not 2 (zip's two iterators)", visits);
    ck_assert_int_eq(rc, 0);
    obj_decref(z);
    obj_decref(items);
}

/* ---- throw(SomeClass, an exception of another class) ---- */

ML_TEST(throw_class_with_an_exception_of_another_class_wraps_it, .points = 1,
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

/* ---- PEP 479 when there is no memory for the RuntimeError ---- */

/* def stop_then_no_memory(value): raise StopIteration(value); yield
 * -- and the allocation number `n` after the raise fails. */
typedef struct stop_locals {
    ml_object *value;
    long n;
} stop_locals;
static const size_t stop_refs[] = {GEN_REF(stop_locals, value)};

static ml_object *stop_then_no_memory_body(ml_gen *gen)
{
    stop_locals *L = GEN_LOCALS(gen, stop_locals);
    GEN_BEGIN(gen);
    err_set_value(ML_EXC_STOP_ITERATION, L->value);
    fail_allocation(L->n);
    return NULL;
    GEN_END(gen);
}
static const gen_code stop_then_no_memory_code =
    GEN_CODE("stop_then_no_memory", stop_then_no_memory_body, stop_locals, stop_refs);

ML_TEST(pep479_without_memory_for_the_runtime_error_is_memory_error, .points = 1,
        .visibility = ML_HIDDEN,
        .description = "a body raises StopIteration(v) and the RuntimeError cannot be made: "
                       "next() is MemoryError (never a silent end), v is released",
        .hint = "handout §3, PEP 479", .parent = "traces_next_and_send_match_cpython")
{
    for (long n = 0; n < 2; n++) { /* its message, then its object */
        ml_object *value = list_new(0);
        ck_assert_ptr_nonnull(value);
        ml_object *g = gen_new(&stop_then_no_memory_code);
        ck_assert_ptr_nonnull(g);
        GEN_LOCALS(g, stop_locals)->value = obj_newref(value);
        GEN_LOCALS(g, stop_locals)->n = n;
        ml_object *v = gen_next(g);
        stop_failing();
        ck_assert_ptr_null(v);
        ck_assert_msg(err_occurred() == ML_EXC_MEMORY_ERROR,
                      "allocation %ld failing: next() ended with %s, not MemoryError", n,
                      ml_exc_kind_name(err_occurred()));
        err_clear();
        ck_assert_int_eq(gen_getstate(g), GEN_CLOSED);
        ck_assert_msg(obj_getrefcount(value) == 2,
                      "allocation %ld failing: sys.getrefcount of the StopIteration's value is "
                      "%ld, not 2: the StopIteration was not released",
                      n, (long)obj_getrefcount(value));
        obj_decref(g);
        obj_decref(value);
    }
}
