/*
 * hidden/test_tracer.c -- the hidden tests of test_tracer.c's area (the public file
 * tests/tracing/test_tracer.c); those that came from mutation testing are tagged
 * "mutation".
 */
#include "memlab/errors.h"
#include "memlab/object.h"
#include "tracing_hidden.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ==================================================================== starting and stopping */
ML_TEST(hidden_restart_begins_from_nothing, .points = 2, .visibility = ML_HIDDEN,
        .description = "stop then start(3): no old trace, new limit, memory and peak from 0",
        .hint = "handout 1, Starting and stopping")
{
    ck_assert_int_eq(trace_start(1), 0);
    void *p = alloc_at("a.py", 1, 500);
    trace_stop();
    ck_assert_int_eq(trace_start(3), 0);
    ck_assert_int_eq(trace_get_traceback_limit(), 3);
    ck_assert_ptr_null(trace_get_object_traceback(p));
    size_t current = 1, peak = 1;
    trace_get_traced_memory(&current, &peak);
    ck_assert_uint_eq(current + peak, 0);
    mem_free(MEM_DOMAIN_OBJ, p); /* traced before the restart: nothing to forget */
    void *q = alloc_at("b.py", 2, 5);
    trace_get_traced_memory(&current, &peak);
    ck_assert_uint_eq(current, 5);
    ck_assert_uint_eq(peak, 5);
    mem_free(MEM_DOMAIN_OBJ, q);
}

ML_TEST(hidden_stop_puts_back_three_allocators_and_writes_nothing_else, .tags = "mutation",
        .points = 1, .visibility = ML_HIDDEN,
        .description = "start and stop change the allocators of RAW, MEM and OBJ and no other "
                       "memory of the runtime (its built-in types stay whole)",
        .hint = "handout 1, Starting and stopping")
{
    /* mem.c's table of the three domains' allocators is followed in memory by
     * one of the runtime's static type objects: a fourth domain written by
     * stop would land in it */
    ml_type *const types[] = {&ml_exc_type, &ml_none_type, &ml_bool_type,  &ml_int_type,
                              &ml_str_type, &ml_list_type, &ml_tuple_type, &ml_dict_type};
    enum { NTYPES = sizeof types / sizeof types[0] };
    static ml_type before[NTYPES];
    for (size_t i = 0; i < NTYPES; i++)
        before[i] = *types[i];
    ck_assert_int_eq(trace_start(1), 0);
    void *p = alloc_at("stop.py", 1, 48);
    trace_stop();
    mem_free(MEM_DOMAIN_OBJ, p);
    for (size_t i = 0; i < NTYPES; i++)
        ck_assert_msg(memcmp(&before[i], types[i], sizeof before[i]) == 0,
                      "start/stop wrote into the type '%s'", before[i].tp_name);
}

ML_TEST(hidden_a_hook_kept_by_a_wrapper_still_allocates_after_stop, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "an allocator installed on top of the tracer keeps calling the tracer's "
                       "hook after stop: the hook still allocates, and traces nothing",
        .hint = "handout 1, Starting and stopping")
{
    ck_assert_uint_eq(trace_count(), 0);
    ck_assert_int_eq(trace_start(1), 0);
    mem_allocator hooked;
    mem_get_allocator(MEM_DOMAIN_MEM, &hooked); /* what a wrapper installed now would keep */
    trace_stop();
    ck_assert_uint_eq(trace_count(), 0);
    void *p = hooked.malloc(hooked.ctx, 10);
    void *q = hooked.calloc(hooked.ctx, 2, 4);
    ck_assert_msg(p && q, "the hook must still allocate after stop");
    p = hooked.realloc(hooked.ctx, p, 100);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(trace_count(), 0);
    ck_assert_ptr_null(trace_get_object_traceback(p));
    hooked.free(hooked.ctx, p);
    hooked.free(hooked.ctx, q);
}

/* ==================================================================== hooks */
/* The last call an allocator got, as text: "calloc(7, 12)". */
static const char *last_call(const ml_alloc *a)
{
    static char text[64];
    const struct ml_alloc_request *r = &a->last;
    if (r->kind == ML_ALLOC_CALLOC)
        snprintf(text, sizeof text, "calloc(%zu, %zu)", r->nelem, r->size);
    else
        snprintf(text, sizeof text, "%s(%zu)", r->kind == ML_ALLOC_MALLOC ? "malloc" : "realloc",
                 r->size);
    return text;
}

ML_TEST(hidden_calloc_reaches_the_calloc_underneath, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "calloc(7, 12) through a hook calls the allocator underneath's calloc with "
                       "7 and 12 (zeroed memory), and traces 84 bytes",
        .hint = "handout 2, Hooks")
{
    static ml_alloc spy = ML_ALLOC_COUNT;
    ml_alloc_install(&spy, MEM_DOMAIN_MEM);
    ck_assert_int_eq(trace_start(1), 0);
    void *p = mem_calloc(MEM_DOMAIN_MEM, 7, 12);
    ck_assert_str_eq(last_call(&spy), "calloc(7, 12)");
    size_t size = 0;
    ck_assert_ptr_nonnull(trace_get_traceback(0, (uintptr_t)p, &size));
    ck_assert_uint_eq(size, 84);
    void *q = mem_malloc(MEM_DOMAIN_MEM, 5);
    ck_assert_str_eq(last_call(&spy), "malloc(5)");
    mem_free(MEM_DOMAIN_MEM, p);
    mem_free(MEM_DOMAIN_MEM, q);
}

/* ==================================================================== failure */
ML_TEST(hidden_a_failed_allocation_inside_the_tracer_fails_the_block, .tags = "mutation",
        .points = 1, .visibility = ML_HIDDEN,
        .description = "when any one of the tracer's allocations fails, the block being traced "
                       "is refused and every other block keeps an exact trace",
        .hint = "handout 2, Failure")
{
    for (long k = 1; k <= 12; k++) {
        fail_call(k);
        int started = trace_start(1);
        if (started != 0) {
            ck_assert_int_eq(started, -1);
            ck_assert_str_eq(trace_error_message(), "out of memory");
            continue;
        }
        void *p[6];
        size_t want_count = 0, want_current = 0, current;
        for (unsigned i = 0; i < 6; i++) {
            p[i] = alloc_at("fail.py", i + 1, 10 + i);
            if (!p[i])
                continue;
            want_count++;
            want_current += 10 + i;
            size_t size = 0;
            ck_assert_msg(trace_get_traceback(0, (uintptr_t)p[i], &size) != NULL,
                          "call %ld failed: block %u was given without a trace", k, i);
            ck_assert_uint_eq(size, 10 + i);
        }
        ck_assert_uint_eq(trace_count(), want_count);
        trace_get_traced_memory(&current, NULL);
        ck_assert_uint_eq(current, want_current);
        trace_stop();
        mem_reset_allocators();
        for (unsigned i = 0; i < 6; i++)
            mem_free(MEM_DOMAIN_OBJ, p[i]);
    }
    ml_alloc_plan(&once, -1, 0);
}

ML_TEST(hidden_a_realloc_that_cannot_be_traced_keeps_the_block_untraced, .tags = "mutation",
        .points = 1, .visibility = ML_HIDDEN,
        .description = "out of memory while tracing a realloc: a block resized in place is kept, "
                       "without its old trace; realloc(NULL, n) returns NULL",
        .hint = "handout 2, Failure")
{
    /* under MEM: blocks of 64 bytes that a realloc up to 64 keeps in place */
    static ml_alloc roomy = {.pass = -1, .in_place = 64};
    ml_alloc_install(&gate, MEM_DOMAIN_RAW);
    ml_alloc_install(&roomy, MEM_DOMAIN_MEM);
    ck_assert_int_eq(trace_start(1), 0);
    mem_frame_push("grow.py", 1, "f");
    void *p = mem_malloc(MEM_DOMAIN_MEM, 16);
    ck_assert_ptr_nonnull(p);
    ML_LINE(2); /* a traceback not seen yet: interning it needs memory */
    shut_gate(1);
    void *q = mem_realloc(MEM_DOMAIN_MEM, p, 48);
    mem_allocator hooked;
    mem_get_allocator(MEM_DOMAIN_MEM, &hooked); /* as a wrapper over the tracer calls it */
    void *r = hooked.realloc(hooked.ctx, NULL, 8);
    shut_gate(0);
    mem_frame_pop();
    ck_assert_msg(q == p, "the block resized in place must be given back");
    ck_assert_msg(r == NULL, "realloc(NULL, n) whose trace cannot be recorded must fail");
    ck_assert_uint_eq(trace_count(), 0);
    size_t current;
    trace_get_traced_memory(&current, NULL);
    ck_assert_uint_eq(current, 0);
    mem_free(MEM_DOMAIN_MEM, q);
}

/* ==================================================================== traces */
ML_TEST(hidden_zero_byte_blocks_are_traced, .points = 1, .visibility = ML_HIDDEN,
        .description = "malloc(0) and calloc(0, n) are traces of 0 bytes",
        .hint = "handout 3, Traces")
{
    ck_assert_int_eq(trace_start(1), 0);
    void *p = alloc_at("z.py", 4, 0);
    mem_frame_push("z.py", 4, "f");
    void *q = mem_calloc(MEM_DOMAIN_MEM, 0, 8);
    mem_frame_pop();
    ck_assert_uint_eq(trace_count(), 2);
    trace_snapshot *s = trace_take_snapshot();
    ck_assert_ptr_nonnull(s);
    trace_stats *st = trace_snapshot_statistics(s, "filename", 0);
    ck_assert_ptr_nonnull(st);
    ck_assert_str_eq(stat_text(&st->items[0]), "z.py:0: size=0 B, count=2, average=0 B");
    trace_stats_free(st);
    trace_snapshot_free(s);
    mem_free(MEM_DOMAIN_OBJ, p);
    mem_free(MEM_DOMAIN_MEM, q);
}

ML_TEST(hidden_realloc_of_null_leaves_a_trace_at_address_zero_alone, .tags = "mutation",
        .points = 1, .visibility = ML_HIDDEN,
        .description = "realloc(NULL, n) through a hook is a malloc: it forgets no trace, not "
                       "even one tracked at address 0 in domain 0",
        .hint = "handout 3, Traces")
{
    ck_assert_int_eq(trace_start(1), 0);
    ck_assert_int_eq(trace_track(TRACE_DEFAULT_DOMAIN, 0, 10), 0);
    mem_allocator hooked;
    mem_get_allocator(MEM_DOMAIN_MEM, &hooked); /* as a wrapper over the tracer calls it */
    void *p = hooked.realloc(hooked.ctx, NULL, 20);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(trace_count(), 2);
    size_t size = 0;
    ck_assert_ptr_nonnull(trace_get_traceback(TRACE_DEFAULT_DOMAIN, 0, &size));
    ck_assert_uint_eq(size, 10);
    hooked.free(hooked.ctx, p);
    ck_assert_uint_eq(trace_count(), 1);
}

ML_TEST(
    hidden_random_churn_matches_the_model, .points = 3, .visibility = ML_HIDDEN,
    .description = "5000 random malloc/calloc/realloc/free: count, current, peak and lines exact",
    .hint = "handout 3, Traces", .timeout = 10)
{
    ck_assert_int_eq(trace_start(1), 0);
    churn_against_model(5000, 2000);
}

/* ==================================================================== tracebacks */
ML_TEST(hidden_deep_stack_keeps_limit_frames_and_counts_all, .points = 2, .visibility = ML_HIDDEN,
        .description = "1024 frames, limit 25: nframe 25, total_nframe 1024, marked in repr",
        .hint = "handout 3, Tracebacks")
{
    ck_assert_int_eq(trace_start(25), 0);
    for (unsigned i = 0; i < MEM_MAX_FRAMES; i++)
        ck_assert_int_eq(mem_frame_push("deep.py", i, "r"), 0);
    void *p = mem_malloc(MEM_DOMAIN_OBJ, 1);
    for (unsigned i = 0; i < MEM_MAX_FRAMES; i++)
        mem_frame_pop();
    const trace_traceback *tb = trace_get_object_traceback(p);
    ck_assert_ptr_nonnull(tb);
    ck_assert_uint_eq(tb->nframe, 25);
    ck_assert_uint_eq(tb->total_nframe, 1024);
    ck_assert_uint_eq(tb->frames[0].lineno, 1023);
    ck_assert_uint_eq(tb->frames[24].lineno, 999);
    char buf[4096] = "";
    trace_format_traceback_repr(buf, sizeof buf, tb);
    ck_assert_msg(strncmp(buf, "<Traceback (<Frame filename='deep.py' lineno=999>, ", 51) == 0,
                  "repr: %s", buf);
    ck_assert_str_eq(buf + strlen(buf) - 20, ") total_nframe=1024>");
    mem_free(MEM_DOMAIN_OBJ, p);
}

/* ==================================================================== interning */
ML_TEST(hidden_total_nframe_distinguishes_tracebacks_but_not_lines, .points = 2,
        .visibility = ML_HIDDEN,
        .description = "same frame at two depths: two interned tracebacks, one 'lineno' line",
        .hint = "handout 3, Interning")
{
    ck_assert_int_eq(trace_start(1), 0);
    mem_frame_push("a.py", 1, "f");
    void *p = mem_malloc(MEM_DOMAIN_OBJ, 10);
    mem_frame_push("a.py", 1, "f");
    void *q = mem_malloc(MEM_DOMAIN_OBJ, 30);
    mem_frame_pop();
    mem_frame_pop();
    ck_assert_ptr_ne(trace_get_object_traceback(p), trace_get_object_traceback(q));
    trace_snapshot *s = trace_take_snapshot();
    ck_assert_ptr_nonnull(s);
    trace_stats *st = trace_snapshot_statistics(s, "lineno", 0);
    ck_assert_ptr_nonnull(st);
    ck_assert_uint_eq(st->len, 1);
    ck_assert_str_eq(stat_text(&st->items[0]), "a.py:1: size=40 B, count=2, average=20 B");
    trace_stats_free(st);
    st = trace_snapshot_statistics(s, "traceback", 0);
    ck_assert_ptr_nonnull(st);
    ck_assert_uint_eq(st->len, 1);
    trace_stats_free(st);
    trace_snapshot_free(s);
    mem_free(MEM_DOMAIN_OBJ, p);
    mem_free(MEM_DOMAIN_OBJ, q);
}

/* Two tracebacks (coll.py:l1 <- coll.py:l0) whose hashes collide in the
 * reference's traceback hash, CPython's tuple hash with the filename's
 * address for hash(filename): the tracer must still tell them apart. */
static const char coll_file[] = "coll.py";

static void colliding_lines(unsigned *l0, unsigned *l0b, unsigned *l1, unsigned *l1b)
{
    const uint64_t addr = (uint64_t)(uintptr_t)coll_file >> 4, mult = 1000003;
    for (unsigned base = 2;; base += 2) {
        uint64_t x = ((0x345678 ^ (addr ^ base)) * mult);
        uint64_t xb = ((0x345678 ^ (addr ^ (base + 1))) * mult);
        if ((x ^ xb) >> 32 == 0 && (x ^ xb) != 0) {
            *l0 = base, *l0b = base + 1;
            *l1 = 7, *l1b = 7 ^ (unsigned)(x ^ xb);
            return;
        }
    }
}

static void *alloc_two_deep(unsigned outer, unsigned inner)
{
    mem_frame_push(coll_file, outer, "outer");
    mem_frame_push(coll_file, inner, "inner");
    void *p = mem_malloc(MEM_DOMAIN_OBJ, 24);
    mem_frame_pop();
    mem_frame_pop();
    return p;
}

ML_TEST(hidden_tracebacks_with_the_same_hash_stay_apart, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "two tracebacks of one file whose lines differ in every frame are two "
                       "interned tracebacks, even when their hashes are equal",
        .hint = "handout 3, Interning")
{
    unsigned l0, l0b, l1, l1b;
    colliding_lines(&l0, &l0b, &l1, &l1b);
    ck_assert_int_eq(trace_start(2), 0);
    void *p = alloc_two_deep(l1, l0);
    void *q = alloc_two_deep(l1b, l0b);
    const trace_traceback *tp = trace_get_object_traceback(p);
    const trace_traceback *tq = trace_get_object_traceback(q);
    ck_assert_ptr_nonnull(tp);
    ck_assert_ptr_nonnull(tq);
    ck_assert_msg(tp != tq, "different tracebacks must not share one interned copy");
    ck_assert_uint_eq(tq->frames[0].lineno, l0b);
    ck_assert_uint_eq(tq->frames[1].lineno, l1b);
    ck_assert_uint_eq(tp->frames[0].lineno, l0);
    ck_assert_uint_eq(tp->frames[1].lineno, l1);
    mem_free(MEM_DOMAIN_OBJ, p);
    mem_free(MEM_DOMAIN_OBJ, q);
}

ML_TEST(hidden_a_crowded_traceback_table_still_finds_each_traceback, .tags = "mutation",
        .points = 1, .visibility = ML_HIDDEN,
        .description = "600 distinct places allocated twice: each place's two blocks share one "
                       "interned traceback",
        .hint = "handout 3, Interning")
{
    enum { PLACES = 600 };
    static void *first[PLACES], *second[PLACES];
    ck_assert_int_eq(trace_start(1), 0);
    for (unsigned i = 0; i < PLACES; i++)
        first[i] = alloc_at("crowd.py", i + 1, 8);
    for (unsigned i = 0; i < PLACES; i++)
        second[i] = alloc_at("crowd.py", i + 1, 8);
    for (unsigned i = 0; i < PLACES; i++)
        ck_assert_msg(trace_get_object_traceback(first[i]) == trace_get_object_traceback(second[i]),
                      "line %u: the second block got a second copy of the traceback", i + 1);
    for (unsigned i = 0; i < PLACES; i++) {
        mem_free(MEM_DOMAIN_OBJ, first[i]);
        mem_free(MEM_DOMAIN_OBJ, second[i]);
    }
}

/* ==================================================================== the tracer's own memory */
ML_TEST(hidden_clear_traces_gives_back_every_interned_traceback, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "after each of 20 rounds of 40 new tracebacks, clear_traces brings the "
                       "tracer's memory back to what it was at start",
        .hint = "handout 3, The tracer's own memory")
{
    ck_assert_int_eq(trace_start(1), 0);
    size_t empty = trace_get_tracemalloc_memory();
    for (unsigned round = 0; round < 20; round++) {
        void *p[40];
        for (unsigned i = 0; i < 40; i++)
            p[i] = alloc_at("rounds.py", round * 100 + i, 8);
        for (unsigned i = 0; i < 40; i++)
            mem_free(MEM_DOMAIN_OBJ, p[i]);
        trace_clear_traces();
        ck_assert_msg(trace_get_tracemalloc_memory() == empty,
                      "round %u: %zu bytes after clear_traces, %zu at start", round,
                      trace_get_tracemalloc_memory(), empty);
    }
}

/* Under RAW: the allocations a scenario allows, then none (mlalloc.h). */
static ml_alloc dry = ML_ALLOC_COUNT;

static void expect_oom(const void *result)
{
    if (!result)
        ck_assert_str_eq(trace_error_message(), "out of memory");
}

/* The whole life of the tracer with `n` allocations allowed under RAW.
 * Returns 1 when nothing ran out. */
static int scenario(long n)
{
    static void *blocks[200];
    const char *path = "/tmp/memlab-tracing-hidden-oom.snap";
    ml_alloc_plan(&dry, n, -1);
    if (trace_start(2) < 0) {
        ck_assert_str_eq(trace_error_message(), "out of memory");
        return 0;
    }
    int failed = 0;
    mem_frame_push("oom.py", 1, "main");
    for (int i = 0; i < 200; i++) {
        mem_frame_push(i % 3 ? "a.py" : "b.py", (unsigned)(i % 40), "f");
        blocks[i] = mem_malloc(MEM_DOMAIN_OBJ, (size_t)i);
        failed |= blocks[i] == NULL;
        if (blocks[i] && i % 10 == 0) {
            void *q = mem_realloc(MEM_DOMAIN_OBJ, blocks[i], 5000);
            failed |= q == NULL;
            blocks[i] = q ? q : blocks[i];
        }
        mem_frame_pop();
    }
    mem_frame_pop();
    int track = trace_track(9, 0x40, 1);
    failed |= track != 0;
    trace_snapshot *s = trace_take_snapshot();
    expect_oom(s);
    failed |= s == NULL;
    if (s) {
        trace_stats *st = trace_snapshot_statistics(s, "lineno", 1);
        expect_oom(st);
        trace_diffs *d = trace_snapshot_compare_to(s, s, "traceback", 0);
        expect_oom(d);
        trace_filter f = {.inclusive = 0, .filename_pattern = "b.py"};
        trace_snapshot *fs = trace_snapshot_filter_traces(s, &f, 1);
        expect_oom(fs);
        int dumped = trace_snapshot_dump(s, path);
        trace_snapshot *back = dumped == 0 ? trace_snapshot_load(path) : NULL;
        if (dumped == 0 && !back)
            ck_assert_msg(strstr(trace_error_message(), "out of memory") ||
                              strstr(trace_error_message(), "cannot open or read"),
                          "load: %s", trace_error_message());
        failed |= !st || !d || !fs || dumped != 0 || !back;
        remove(path);
        trace_stats_free(st);
        trace_diffs_free(d);
        trace_snapshot_free(fs);
        trace_snapshot_free(back);
        trace_snapshot_free(s);
    }
    ml_alloc_plan(&dry, -1, 0);
    for (int i = 0; i < 200; i++)
        mem_free(MEM_DOMAIN_OBJ, blocks[i]);
    trace_stop();
    return !failed;
}

ML_TEST(hidden_running_out_of_memory_anywhere_fails_cleanly, .points = 3, .visibility = ML_HIDDEN,
        .description = "the allocator under RAW fails at allocation n, for every n: clean errors",
        .hint = "handout 3, The tracer's own memory", .timeout = 5)
{
    ml_alloc_install(&dry, MEM_DOMAIN_RAW);
    long n = 0;
    while (!scenario(n) && n < 2000)
        n++;
    ck_assert_msg(n > 5 && n < 2000, "the scenario completed after %ld allocations", n);
    ml_alloc_plan(&dry, -1, 0);
}

/* ==================================================================== domains */
ML_TEST(hidden_track_replaces_and_keeps_the_peak, .points = 2, .visibility = ML_HIDDEN,
        .description = "re-tracking a key replaces its size; peak follows the largest total",
        .hint = "handout 3, Domains")
{
    ck_assert_int_eq(trace_start(1), 0);
    ck_assert_int_eq(trace_track(389047, 0xabc0, 100), 0);
    ck_assert_int_eq(trace_track(389047, 0xabc0, 700), 0);
    ck_assert_int_eq(trace_track(389047, 0xabc0, 50), 0);
    size_t current, peak;
    trace_get_traced_memory(&current, &peak);
    ck_assert_uint_eq(current, 50);
    ck_assert_uint_eq(peak, 700);
    ck_assert_uint_eq(trace_count(), 1);
    ck_assert_int_eq(trace_untrack(389047, 0xabc1), 0); /* not traced: nothing happens */
    ck_assert_uint_eq(trace_count(), 1);
    for (uintptr_t a = 0; a < 5000; a++)
        ck_assert_int_eq(trace_track(5, a * 16, 1), 0);
    for (uintptr_t a = 0; a < 5000; a += 2)
        ck_assert_int_eq(trace_untrack(5, a * 16), 0);
    ck_assert_uint_eq(trace_count(), 2501);
    for (uintptr_t a = 1; a < 5000; a += 2)
        ck_assert_ptr_nonnull(trace_get_traceback(5, a * 16, NULL));
    trace_get_traced_memory(&current, &peak);
    ck_assert_uint_eq(current, 2550);
    ck_assert_uint_eq(peak, 5050);
}

ML_TEST(hidden_track_out_of_memory_fails_with_a_message, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "trace_track that cannot record its trace returns -1 and says "
                       "\"out of memory\", replacing an earlier message",
        .hint = "handout 3, Domains")
{
    ml_alloc_install(&gate, MEM_DOMAIN_RAW);
    ck_assert_int_eq(trace_start(1), 0);
    ck_assert_int_eq(trace_start(0), -1); /* leaves the range message behind */
    mem_frame_push("track.py", 3, "f");   /* a traceback not seen yet: needs memory */
    shut_gate(1);
    int tracked = trace_track(7, 0x1230, 5);
    shut_gate(0);
    mem_frame_pop();
    ck_assert_int_eq(tracked, -1);
    ck_assert_str_eq(trace_error_message(), "out of memory");
    ck_assert_uint_eq(trace_count(), 0);
}

/* ==================================================================== reentrancy */
/* Under OBJ: a malloc or calloc that first allocates through RAW (malloc
 * and calloc), as pymalloc asks RAW for arenas. */
static void *inner_blocks[8];
static int ninner;
static void ask_raw_for_an_arena(unsigned kind)
{
    if (kind == ML_ALLOC_REALLOC)
        return;
    inner_blocks[ninner++] = mem_malloc(MEM_DOMAIN_RAW, 256);
    inner_blocks[ninner++] = mem_calloc(MEM_DOMAIN_RAW, 4, 16);
}

ML_TEST(hidden_nested_allocations_succeed_untraced, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "the RAW blocks an allocator underneath asks for while a hook runs are "
                       "allocated (not refused) and carry no trace",
        .hint = "handout 2, Reentrancy")
{
    ninner = 0;
    static ml_alloc arena = {.pass = -1, .before = ask_raw_for_an_arena};
    ml_alloc_install(&arena, MEM_DOMAIN_OBJ);
    ck_assert_int_eq(trace_start(1), 0);
    void *p = mem_malloc(MEM_DOMAIN_OBJ, 24);
    ck_assert_int_eq(ninner, 2);
    ck_assert_msg(inner_blocks[0] && inner_blocks[1], "a nested malloc or calloc was refused");
    const unsigned char *zeroed = inner_blocks[1];
    for (int i = 0; i < 64; i++)
        ck_assert_msg(zeroed[i] == 0, "the nested calloc's block is not zeroed");
    ck_assert_ptr_null(trace_get_object_traceback(inner_blocks[0]));
    ck_assert_ptr_null(trace_get_object_traceback(inner_blocks[1]));
    ck_assert_uint_eq(trace_count(), 1);
    mem_free(MEM_DOMAIN_OBJ, p);
    mem_free(MEM_DOMAIN_RAW, inner_blocks[0]);
    mem_free(MEM_DOMAIN_RAW, inner_blocks[1]);
}

/* Under MEM: a realloc that first moves one of the allocator's own RAW
 * blocks. */
static void *traced_raw_block;
static void move_a_raw_block(unsigned kind)
{
    if (kind == ML_ALLOC_REALLOC)
        traced_raw_block = mem_realloc(MEM_DOMAIN_RAW, traced_raw_block, 100000);
}

ML_TEST(hidden_nested_realloc_only_forgets_the_old_trace, .points = 1, .visibility = ML_HIDDEN,
        .description = "a realloc made by the allocator underneath drops the block's old trace",
        .hint = "handout 2, Reentrancy")
{
    static ml_alloc nest = {.pass = -1, .before = move_a_raw_block};
    ml_alloc_install(&nest, MEM_DOMAIN_MEM);
    ck_assert_int_eq(trace_start(1), 0);
    traced_raw_block = mem_malloc(MEM_DOMAIN_RAW, 8);
    void *p = mem_malloc(MEM_DOMAIN_MEM, 16);
    ck_assert_uint_eq(trace_count(), 2);
    p = mem_realloc(MEM_DOMAIN_MEM, p, 32);
    size_t current;
    trace_get_traced_memory(&current, NULL);
    ck_assert_uint_eq(trace_count(), 1); /* the RAW block moved untraced */
    ck_assert_uint_eq(current, 32);
    mem_free(MEM_DOMAIN_MEM, p);
    mem_free(MEM_DOMAIN_RAW, traced_raw_block);
}

/* Under MEM: a realloc that first moves one of the allocator's own RAW
 * blocks (a nested realloc); RAW refuses reallocs to NESTED_REFUSED bytes. */
enum { NESTED_REFUSED = 123457 };
static void *own_raw_block;
static void move_own_raw_block(unsigned kind)
{
    if (kind != ML_ALLOC_REALLOC)
        return;
    void *moved = mem_realloc(MEM_DOMAIN_RAW, own_raw_block, NESTED_REFUSED);
    if (moved)
        own_raw_block = moved;
}

ML_TEST(hidden_a_failed_nested_realloc_keeps_the_old_trace, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "a nested realloc that fails leaves its block, and that block's trace, "
                       "where they were (CPython removes the old trace only on success)",
        .hint = "handout 2, Reentrancy")
{
    static ml_alloc picky = {
        .pass = 0, .refuse = -1, .kinds = ML_ALLOC_REALLOC, .size = NESTED_REFUSED};
    static ml_alloc moving = {.pass = -1, .before = move_own_raw_block};
    ml_alloc_install(&picky, MEM_DOMAIN_RAW);
    ml_alloc_install(&moving, MEM_DOMAIN_MEM);
    ck_assert_int_eq(trace_start(1), 0);
    own_raw_block = mem_malloc(MEM_DOMAIN_RAW, 8);
    void *p = mem_malloc(MEM_DOMAIN_MEM, 16);
    p = mem_realloc(MEM_DOMAIN_MEM, p, 32);
    ck_assert_ptr_nonnull(p);
    size_t size = 0, current;
    ck_assert_msg(trace_get_traceback(0, (uintptr_t)own_raw_block, &size) != NULL,
                  "the RAW block did not move: it must keep its trace");
    ck_assert_uint_eq(size, 8);
    ck_assert_uint_eq(trace_count(), 2);
    trace_get_traced_memory(&current, NULL);
    ck_assert_uint_eq(current, 40);
    mem_free(MEM_DOMAIN_MEM, p);
    mem_free(MEM_DOMAIN_RAW, own_raw_block);
}
