/*
 * mutation_generators.c -- hidden tests that kill what the mutation run
 * (make mutation LAB=generators) found alive: the context pointer of the
 * lazy builtins' callbacks, range, take and filter at their edges, and a
 * generator's lifetime: the state it shows while its frame is cleared, the
 * resume point it ends with, the finalizer and the exception in flight.
 */
#include "../generators_test.h"

static int above(ml_object *item, void *ctx) { return int_as_long(item) > *(long *)ctx; }

static ml_object *plus(ml_object *item, void *ctx)
{
    return int_from_long(int_as_long(item) + *(long *)ctx);
}

ML_TEST(filter_and_map_pass_their_context_to_the_callback, .points = 1, .visibility = ML_HIDDEN,
        .description = "map(x + k, filter(x > t, range(0, 10))) with k and t given as the ctx",
        .hint = "handout §7, Lazy builtins", .parent = "map_filter_take_pipeline")
{
    long threshold = 6, k = 100;
    ml_object *r = gen_range(0, 10, 1);
    ck_assert_ptr_nonnull(r);
    ml_object *f = gen_filter(above, &threshold, r);
    ck_assert_ptr_nonnull(f);
    ml_object *m = gen_map(plus, &k, f);
    ck_assert_ptr_nonnull(m);
    obj_decref(r);
    obj_decref(f);
    long expected[] = {107, 108, 109};
    int n = 0;
    ml_object *v;
    while ((v = obj_iternext(m)) != NULL) {
        ck_assert_msg(n < 3, "too many items");
        ck_assert_int_eq(int_as_long(v), expected[n]);
        obj_decref(v);
        n++;
    }
    ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
    ck_assert_int_eq(n, 3);
    obj_decref(m);
}

ML_TEST(empty_ranges_yield_nothing, .points = 1, .visibility = ML_HIDDEN,
        .description = "range(5, 5, s) for s = -2, -1, 1, 2, range(5, 6, -2) and range(6, 5, 2) "
                       "are empty",
        .hint = "handout §7, Lazy builtins", .parent = "map_filter_take_pipeline")
{
    const long cases[][3] = {{5, 5, -2}, {5, 5, -1}, {5, 5, 1}, {5, 5, 2}, {5, 6, -2}, {6, 5, 2}};
    for (int i = 0; i < 6; i++) {
        ml_object *r = gen_range(cases[i][0], cases[i][1], cases[i][2]);
        ck_assert_ptr_nonnull(r);
        ml_object *v = obj_iternext(r);
        ck_assert_msg(v == NULL, "range(%ld, %ld, %ld) yielded %ld", cases[i][0], cases[i][1],
                      cases[i][2], v ? int_as_long(v) : 0);
        ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
        obj_decref(r);
    }
}

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

ML_TEST(a_dropped_generator_that_ignored_close_is_closed_while_its_locals_are_freed, .points = 1,
        .visibility = ML_HIDDEN,
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

ML_TEST(a_dealloc_clears_the_frame_of_an_untracked_generator, .points = 1, .visibility = ML_HIDDEN,
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

static ml_object *three_item_list(void)
{
    ml_object *list = list_new(0);
    ck_assert_ptr_nonnull(list);
    for (long i = 1; i <= 3; i++) {
        ml_object *v = int_from_long(i);
        ck_assert_int_eq(list_append(list, v), 0);
        obj_decref(v);
    }
    return list;
}

ML_TEST(a_dealloc_releases_the_sub_iterator_of_an_ignored_close, .points = 1,
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

ML_TEST(finalize_keeps_the_exception_already_set, .points = 1, .visibility = ML_HIDDEN,
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

ML_TEST(an_ended_generator_rests_at_lasti_done, .points = 1, .visibility = ML_HIDDEN,
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

/* ---- the lazy builtins at their edges ---- */

ML_TEST(negative_ranges_whose_span_is_a_multiple_of_the_step, .points = 1, .visibility = ML_HIDDEN,
        .description = "range(10, 0, -5) is 10, 5; range(5, 3, -2) is 5; range(-1, -7, -3) is "
                       "-1, -4: the stop itself is never reached",
        .hint = "handout §7, Lazy builtins", .parent = "range_yields_lazily_forwards_and_backwards")
{
    const long cases[][3] = {{10, 0, -5}, {5, 3, -2}, {-1, -7, -3}};
    const long expected[][3] = {{10, 5}, {5}, {-1, -4}};
    const int lengths[] = {2, 1, 2};
    for (int c = 0; c < 3; c++) {
        ml_object *r = gen_range(cases[c][0], cases[c][1], cases[c][2]);
        ck_assert_ptr_nonnull(r);
        int n = 0;
        ml_object *v;
        while ((v = obj_iternext(r)) != NULL) {
            long x = int_as_long(v);
            obj_decref(v);
            ck_assert_msg(n < lengths[c], "range(%ld, %ld, %ld) yielded %ld after its %d values",
                          cases[c][0], cases[c][1], cases[c][2], x, lengths[c]);
            ck_assert_int_eq(x, expected[c][n]);
            n++;
        }
        ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
        ck_assert_int_eq(n, lengths[c]);
        obj_decref(r);
    }
}

ML_TEST(take_zero_is_empty_and_pulls_nothing, .points = 1, .visibility = ML_HIDDEN,
        .description = "islice(it, 0) is a valid, empty generator that never pulls from `it`",
        .hint = "handout §7, Lazy builtins", .parent = "take_negative_is_value_error")
{
    ml_object *items = three_item_list();
    ml_object *it = obj_iter(items);
    ck_assert_ptr_nonnull(it);
    ml_object *t = gen_take(it, 0);
    ck_assert_msg(t != NULL, "take(it, 0) failed: %s: %s", ml_exc_kind_name(err_occurred()),
                  err_message());
    ck_assert_ptr_null(gen_next(t));
    ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
    ck_assert_int_eq(take_long(obj_iternext(it)), 1); /* nothing was pulled */
    obj_decref(t);
    obj_decref(it);
    obj_decref(items);
}

static int fails_on_b(ml_object *item, void *ctx)
{
    (void)ctx;
    if (strcmp(str_as_cstr(item), "b") == 0) {
        err_set(ML_EXC_VALUE_ERROR, "no b");
        return -1;
    }
    return 1;
}

ML_TEST(filter_releases_the_item_its_predicate_failed_on, .points = 1, .visibility = ML_HIDDEN,
        .description = "filter(p, ['a', 'b', 'c']) where p('b') raises: 'a', then ValueError, and "
                       "'b' is held by the list alone",
        .hint = "handout §7, Lazy builtins",
        .parent = "callback_errors_propagate_and_close_the_stage")
{
    ml_object *items = list_new(0);
    ck_assert_ptr_nonnull(items);
    const char *texts[] = {"a", "b", "c"};
    for (int i = 0; i < 3; i++) {
        ml_object *s = str_from_cstr(texts[i]);
        ck_assert_int_eq(list_append(items, s), 0);
        obj_decref(s);
    }
    ml_object *b = list_getitem(items, 1);
    ck_assert_int_eq(obj_getrefcount(b), 2); /* sys.getrefcount: the list's, the argument */
    ml_object *f = gen_filter(fails_on_b, NULL, items);
    ck_assert_ptr_nonnull(f);
    ml_object *v = gen_next(f);
    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(str_as_cstr(v), "a");
    obj_decref(v);
    ck_assert_ptr_null(gen_next(f));
    ASSERT_ERROR(ML_EXC_VALUE_ERROR, "no b");
    ck_assert_msg(obj_getrefcount(b) == 2,
                  "sys.getrefcount('b') is %ld after the predicate failed on it, not 2",
                  (long)obj_getrefcount(b));
    obj_decref(f);
    obj_decref(items);
}
