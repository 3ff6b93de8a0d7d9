/*
 * mutation_generators.c -- hidden tests that kill what the mutation run
 * (make mutation LAB=generators) found alive: the context pointer of the
 * lazy builtins' callbacks, empty ranges, and the state a generator shows
 * while its frame is cleared.
 */
#include "../gen_testutil.h"

static int above(ml_object *item, void *ctx) { return int_as_long(item) > *(long *)ctx; }

static ml_object *plus(ml_object *item, void *ctx)
{
    return int_from_long(int_as_long(item) + *(long *)ctx);
}

ML_TEST(filter_and_map_pass_their_context_to_the_callback, .points = 1,
        .visibility = ML_HIDDEN,
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

static void watcher_dealloc(ml_object *op)
{
    state_seen_by_watcher = (int)gen_getstate(((watcher *)op)->gen);
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
