/*
 * hidden/test_protocol.c -- the hidden tests of test_protocol.c's area (the public file
 * tests/generators/test_protocol.c); those that came from mutation testing are tagged
 * "mutation".
 */
#include "generators_hidden.h"

#include <stdlib.h>

/* ==================================================================== the end of iteration */
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

/* ==================================================================== close */
ML_TEST(an_ended_generator_rests_at_lasti_done, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "a generator ended by an uncaught throw, or closed, at a yield: gi_lasti "
                       "is GEN_LASTI_DONE, not the yield's line",
        .hint = "handout §1, Resumable functions", .parent = "close_returns_none_and_closes")
{
    ml_object *g = count_new(3);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(take_long(gen_next(g)), 0);
    ck_assert_int_gt(((ml_gen *)g)->gi_lasti, 0);
    ck_assert_ptr_null(gen_throw(g, gen_exc_class(ML_EXC_VALUE_ERROR), NULL, NULL));
    ASSERT_ERROR(ML_EXC_VALUE_ERROR, "");
    ck_assert_msg(((ml_gen *)g)->gi_lasti == GEN_LASTI_DONE,
                  "after an uncaught throw gi_lasti is %d, not GEN_LASTI_DONE",
                  (int)((ml_gen *)g)->gi_lasti);
    obj_decref(g);

    g = count_new(3);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(take_long(gen_next(g)), 0);
    ml_object *r = gen_close(g);
    ck_assert_ptr_eq(r, ML_NONE);
    obj_decref(r);
    ck_assert_msg(((ml_gen *)g)->gi_lasti == GEN_LASTI_DONE,
                  "after close gi_lasti is %d, not GEN_LASTI_DONE", (int)((ml_gen *)g)->gi_lasti);
    obj_decref(g);
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
static const gen_code raise_stop_code =
    GEN_CODE_NOREFS("raise_stop", raise_stop_body, nothing_locals);

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

/* ==================================================================== dealloc and finalization */
/* A watcher: when freed, notes the state of the generator it watches
 * (borrowed: the generator owns the watcher, in its frame). */
typedef struct watcher {
    ml_object ob_base;
    ml_object *gen;
} watcher;

static int state_seen_by_watcher = -1;
static int tracked_seen_by_watcher = -1;

static void watcher_dealloc(ml_object *op)
{
    state_seen_by_watcher = (int)gen_getstate(((watcher *)op)->gen);
    tracked_seen_by_watcher = gc_is_tracked(((watcher *)op)->gen);
    ML_TYPE(op)->tp_free(op);
}

static ml_type watcher_type = {
    .tp_name = "watcher",
    .tp_basicsize = sizeof(watcher),
    .tp_dealloc = watcher_dealloc,
    .tp_free = obj_free,
};

/* def stubborn_holder(w):  while True: try: yield 1  except GeneratorExit: pass */
typedef struct stubborn_holder_locals {
    ml_object *watcher;
} stubborn_holder_locals;
static const size_t stubborn_holder_refs[] = {GEN_REF(stubborn_holder_locals, watcher)};

static ml_object *stubborn_holder_body(ml_gen *gen)
{
    GEN_BEGIN(gen);
    for (;;) {
        GEN_YIELD_TRY(gen, int_from_long(1));
        if (GEN_RAISING(gen)) {
            if (!err_matches(ML_EXC_GENERATOR_EXIT))
                return NULL;
            err_clear();
        }
    }
    GEN_END(gen);
}
static const gen_code stubborn_holder_code =
    GEN_CODE("stubborn_holder", stubborn_holder_body, stubborn_holder_locals, stubborn_holder_refs);

ML_TEST(a_dropped_generator_that_ignored_close_is_closed_while_its_locals_are_freed,
        .tags = "mutation", .points = 1, .visibility = ML_HIDDEN,
        .description = "dropping a suspended generator that ignores GeneratorExit: code run by "
                       "the release of its locals sees it GEN_CLOSED",
        .hint = "handout §5, Dealloc and finalization",
        .parent = "unraisable_close_error_at_dealloc_is_reported")
{
    ml_object *g = gen_new(&stubborn_holder_code);
    ck_assert_ptr_nonnull(g);
    watcher *w = (watcher *)obj_new(&watcher_type);
    ck_assert_ptr_nonnull(w);
    w->gen = g;
    GEN_LOCALS(g, stubborn_holder_locals)->watcher = &w->ob_base; /* the frame's reference */
    ck_assert_int_eq(take_long(gen_next(g)), 1);
    ck_assert_int_eq(gen_getstate(g), GEN_SUSPENDED);
    size_t before = err_unraisable_count();
    state_seen_by_watcher = -1;
    obj_decref(g); /* close is ignored (reported), then the frame is cleared */
    ck_assert_uint_eq(err_unraisable_count(), before + 1);
    ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
    ck_assert_msg(state_seen_by_watcher == GEN_CLOSED,
                  "while its locals were released the generator was %s, not GEN_CLOSED",
                  state_seen_by_watcher < 0 ? "(not released)"
                                            : gen_state_name((gen_state)state_seen_by_watcher));
}

ML_TEST(a_dealloc_clears_the_frame_of_an_untracked_generator, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "dropping a suspended generator that ignores GeneratorExit: while its "
                       "locals are released the collector no longer tracks it",
        .hint = "handout §5, Dealloc and finalization",
        .parent = "unraisable_close_error_at_dealloc_is_reported")
{
    ml_object *g = gen_new(&stubborn_holder_code);
    ck_assert_ptr_nonnull(g);
    watcher *w = (watcher *)obj_new(&watcher_type);
    ck_assert_ptr_nonnull(w);
    w->gen = g;
    GEN_LOCALS(g, stubborn_holder_locals)->watcher = &w->ob_base;
    ck_assert_int_eq(take_long(gen_next(g)), 1);
    ck_assert_int_eq(gc_is_tracked(g), 1);
    size_t before = err_unraisable_count();
    tracked_seen_by_watcher = -1;
    obj_decref(g);
    ck_assert_uint_eq(err_unraisable_count(), before + 1);
    ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
    ck_assert_msg(tracked_seen_by_watcher == 0, "the frame was cleared while the generator was %s",
                  tracked_seen_by_watcher < 0 ? "(never: the locals were not released)"
                                              : "still tracked: untrack it before clearing");
}

/* def stubborn_delegator(items):
 *     while True:
 *         try:
 *             yield from items
 *         except GeneratorExit:
 *             pass */
typedef struct stubborn_delegator_locals {
    ml_object *items, *r;
} stubborn_delegator_locals;
static const size_t stubborn_delegator_refs[] = {GEN_REF(stubborn_delegator_locals, items),
                                                 GEN_REF(stubborn_delegator_locals, r)};

static ml_object *stubborn_delegator_body(ml_gen *gen)
{
    stubborn_delegator_locals *L = GEN_LOCALS(gen, stubborn_delegator_locals);
    GEN_BEGIN(gen);
    for (;;) {
        GEN_YIELD_FROM_TRY(gen, obj_newref(L->items), L->r);
        if (GEN_RAISING(gen)) {
            if (!err_matches(ML_EXC_GENERATOR_EXIT))
                return NULL;
            err_clear();
        }
        OBJ_CLEAR(L->r);
    }
    GEN_END(gen);
}
static const gen_code stubborn_delegator_code =
    GEN_CODE("stubborn_delegator", stubborn_delegator_body, stubborn_delegator_locals,
             stubborn_delegator_refs);

ML_TEST(a_dealloc_releases_the_sub_iterator_of_an_ignored_close, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "dropping a generator that answers close by entering a new `yield from "
                       "items`: the dealloc releases that sub-iterator too",
        .hint = "handout §5, Dealloc and finalization",
        .parent = "unraisable_close_error_at_dealloc_is_reported")
{
    ml_object *items = three_item_list();
    ml_object *g = gen_new(&stubborn_delegator_code);
    ck_assert_ptr_nonnull(g);
    GEN_LOCALS(g, stubborn_delegator_locals)->items = obj_newref(items);
    ck_assert_int_eq(take_long(gen_next(g)), 1);
    /* sys.getrefcount: ours, the frame's local, the list iterator's, the argument */
    ck_assert_int_eq(obj_getrefcount(items), 4);
    size_t before = err_unraisable_count();
    obj_decref(g); /* close: the delegation restarts, "generator ignored GeneratorExit" */
    ck_assert_uint_eq(err_unraisable_count(), before + 1);
    ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
    ck_assert_msg(obj_getrefcount(items) == 2,
                  "after the dealloc sys.getrefcount(list) is %ld, not 2: the list iterator "
                  "in gi_yieldfrom was not released",
                  (long)obj_getrefcount(items));
    obj_decref(items);
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

ML_TEST(finalize_keeps_the_exception_already_set, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "tp_finalize called while KeyError is set closes the generator and "
                       "leaves that KeyError set",
        .hint = "handout §5, Dealloc and finalization",
        .parent = "dealloc_keeps_the_exception_in_flight")
{
    ml_object *g = count_new(3);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(take_long(gen_next(g)), 0);
    err_set(ML_EXC_KEY_ERROR, "pending");
    ML_TYPE(g)->tp_finalize(g);
    ck_assert_int_eq(gen_getstate(g), GEN_CLOSED);
    ASSERT_ERROR(ML_EXC_KEY_ERROR, "pending");
    obj_decref(g);
}

/* ==================================================================== yield from */
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

ML_TEST(yield_from_sends_none_first_even_when_resumed_by_send, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
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

/* def failing(): raise ValueError('bad'); yield */
static ml_object *failing_body(ml_gen *gen)
{
    GEN_BEGIN(gen);
    err_set(ML_EXC_VALUE_ERROR, "bad");
    return NULL;
    GEN_END(gen);
}
static const gen_code failing_code = GEN_CODE_NOREFS("failing", failing_body, nothing_locals);

ML_TEST(an_error_of_the_sub_generator_is_raised_at_a_try_delegation, .tags = "mutation",
        .points = 1, .visibility = ML_HIDDEN,
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

ML_TEST(yield_from_a_plain_iterator_results_in_none, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN, .description = "r = yield from [1, 2]; yield r: 1, 2, then None",
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

ML_TEST(yield_from_enter_and_step_return_the_documented_codes, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
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
