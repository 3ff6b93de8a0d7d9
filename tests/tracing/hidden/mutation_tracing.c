/*
 * mutation_tracing.c -- instructor-only tests written against mutants of the
 * reference that the other tests let through: one allocation failing at any
 * point of the tracer and of each snapshot operation, hash collisions and
 * crowded tables, hooks called after stop or from the allocator underneath,
 * the bounds of every count and index a snapshot file holds, sort ties, and
 * the text functions measuring without a buffer.
 */
#include "../tracing_test.h"
#include "memlab/errors.h"
#include "memlab/object.h"
#include "mlalloc.h"

#include <stdlib.h>
#include <unistd.h>

/* ------------------------------------------- an allocator that can refuse */

static int refuse; /* 1: every allocation fails */

static void *gate_malloc(void *ctx, size_t n)
{
    (void)ctx;
    return refuse ? NULL : malloc(n ? n : 1);
}
static void *gate_calloc(void *ctx, size_t a, size_t b)
{
    (void)ctx;
    return refuse ? NULL : calloc(a ? a : 1, b ? b : 1);
}
static void *gate_realloc(void *ctx, void *p, size_t n)
{
    (void)ctx;
    return refuse ? NULL : realloc(p, n ? n : 1);
}
static void gate_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

/* ------------------------------------------------------------ compare_to */

ML_TEST(hidden_compare_to_out_of_memory_replaces_an_earlier_message, .points = 1,
        .visibility = ML_HIDDEN,
        .description = "compare_to that runs out of memory says \"out of memory\", not the "
                       "message of the previous failure",
        .hint = "handout 5, compare_to")
{
    refuse = 0;
    mem_allocator gate = {NULL, gate_malloc, gate_calloc, gate_realloc, gate_free};
    mem_set_allocator(MEM_DOMAIN_RAW, &gate);
    trace_snapshot *now = trace_snapshot_new(1);
    trace_snapshot *before = trace_snapshot_new(1);
    ck_assert_msg(now && before, "trace_snapshot_new(1) must give a snapshot");
    add_trace_text(now, 0, 64, "a.py:1");
    add_trace_text(before, 0, 32, "a.py:1");

    ck_assert_msg(trace_snapshot_compare_to(now, before, "bogus", 0) == NULL,
                  "an unknown key_type must fail");
    ck_assert_str_eq(trace_error_message(), "unknown key_type: 'bogus'");

    refuse = 1;
    trace_diffs *diffs = trace_snapshot_compare_to(now, before, "lineno", 0);
    refuse = 0;
    ck_assert_msg(diffs == NULL, "compare_to must fail when no memory can be had");
    ck_assert_str_eq(trace_error_message(), "out of memory");

    trace_snapshot_free(now);
    trace_snapshot_free(before);
}

/* ------------------------------------------------ one allocation that fails */

/* Under RAW: call number `k` (counted from 1) fails, the others pass;
 * -1: none fails.  ml_alloc_plan(&once, k - 1, 1) plans it again while
 * installed (mlalloc.h). */
static ml_alloc once;

static void fail_call(long k)
{
    ml_alloc_remove(&once);
    once = (ml_alloc){.pass = k - 1, .refuse = k > 0 ? 1 : 0};
    ml_alloc_install(&once, MEM_DOMAIN_RAW);
}

/* ------------------------------------------------------------ failure */

ML_TEST(hidden_a_failed_allocation_inside_the_tracer_fails_the_block, .points = 1,
        .visibility = ML_HIDDEN,
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

/* ------------------------------------------------------------ interning */

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

ML_TEST(hidden_tracebacks_with_the_same_hash_stay_apart, .points = 1, .visibility = ML_HIDDEN,
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

ML_TEST(hidden_a_crowded_traceback_table_still_finds_each_traceback, .points = 1,
        .visibility = ML_HIDDEN,
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

/* ------------------------------------------------------------ after stop */

ML_TEST(hidden_a_hook_kept_by_a_wrapper_still_allocates_after_stop, .points = 1,
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

/* ------------------------------------------------------------ the tracer's own memory */

ML_TEST(hidden_clear_traces_gives_back_every_interned_traceback, .points = 1,
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

/* ------------------------------------------------------------ hooks */

/* An allocator for OBJ that allocates through RAW (malloc and calloc) on
 * every call, as pymalloc asks RAW for arenas. */
static void *inner_blocks[8];
static int ninner;
static void *arena_malloc(void *ctx, size_t n)
{
    (void)ctx;
    inner_blocks[ninner++] = mem_malloc(MEM_DOMAIN_RAW, 256);
    inner_blocks[ninner++] = mem_calloc(MEM_DOMAIN_RAW, 4, 16);
    return malloc(n ? n : 1);
}
static void *arena_calloc(void *ctx, size_t a, size_t b) { return arena_malloc(ctx, a * b); }

ML_TEST(hidden_nested_allocations_succeed_untraced, .points = 1, .visibility = ML_HIDDEN,
        .description = "the RAW blocks an allocator underneath asks for while a hook runs are "
                       "allocated (not refused) and carry no trace",
        .hint = "handout 2, Reentrancy")
{
    ninner = 0;
    mem_allocator arena = {NULL, arena_malloc, arena_calloc, gate_realloc, gate_free};
    refuse = 0;
    mem_set_allocator(MEM_DOMAIN_OBJ, &arena);
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

/* An allocator that records the last call it got. */
static char last_call[64];
static void *rec_malloc(void *ctx, size_t n)
{
    (void)ctx;
    snprintf(last_call, sizeof last_call, "malloc(%zu)", n);
    return malloc(n ? n : 1);
}
static void *rec_calloc(void *ctx, size_t a, size_t b)
{
    (void)ctx;
    snprintf(last_call, sizeof last_call, "calloc(%zu, %zu)", a, b);
    return calloc(a ? a : 1, b ? b : 1);
}
static void *rec_realloc(void *ctx, void *p, size_t n)
{
    (void)ctx;
    snprintf(last_call, sizeof last_call, "realloc(%zu)", n);
    return realloc(p, n ? n : 1);
}

ML_TEST(hidden_calloc_reaches_the_calloc_underneath, .points = 1, .visibility = ML_HIDDEN,
        .description = "calloc(7, 12) through a hook calls the allocator underneath's calloc with "
                       "7 and 12 (zeroed memory), and traces 84 bytes",
        .hint = "handout 2, Hooks")
{
    mem_allocator rec = {NULL, rec_malloc, rec_calloc, rec_realloc, gate_free};
    mem_set_allocator(MEM_DOMAIN_MEM, &rec);
    ck_assert_int_eq(trace_start(1), 0);
    void *p = mem_calloc(MEM_DOMAIN_MEM, 7, 12);
    ck_assert_str_eq(last_call, "calloc(7, 12)");
    size_t size = 0;
    ck_assert_ptr_nonnull(trace_get_traceback(0, (uintptr_t)p, &size));
    ck_assert_uint_eq(size, 84);
    void *q = mem_malloc(MEM_DOMAIN_MEM, 5);
    ck_assert_str_eq(last_call, "malloc(5)");
    mem_free(MEM_DOMAIN_MEM, p);
    mem_free(MEM_DOMAIN_MEM, q);
}

/* Under MEM: a realloc that first moves one of the allocator's own RAW
 * blocks (a nested realloc); RAW refuses reallocs to NESTED_REFUSED bytes. */
enum { NESTED_REFUSED = 123457 };
static void *own_raw_block;
static void *picky_realloc(void *ctx, void *p, size_t n)
{
    (void)ctx;
    return n == NESTED_REFUSED ? NULL : realloc(p, n ? n : 1);
}
static void *moving_realloc(void *ctx, void *p, size_t n)
{
    (void)ctx;
    void *moved = mem_realloc(MEM_DOMAIN_RAW, own_raw_block, NESTED_REFUSED);
    if (moved)
        own_raw_block = moved;
    return realloc(p, n ? n : 1);
}

ML_TEST(hidden_a_failed_nested_realloc_keeps_the_old_trace, .points = 1, .visibility = ML_HIDDEN,
        .description = "a nested realloc that fails leaves its block, and that block's trace, "
                       "where they were (CPython removes the old trace only on success)",
        .hint = "handout 2, Reentrancy")
{
    mem_allocator picky = {NULL, gate_malloc, gate_calloc, picky_realloc, gate_free};
    mem_allocator moving = {NULL, gate_malloc, gate_calloc, moving_realloc, gate_free};
    refuse = 0;
    mem_set_allocator(MEM_DOMAIN_RAW, &picky);
    mem_set_allocator(MEM_DOMAIN_MEM, &moving);
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

ML_TEST(hidden_realloc_of_null_leaves_a_trace_at_address_zero_alone, .points = 1,
        .visibility = ML_HIDDEN,
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

/* Under MEM: blocks of 64 bytes that a realloc up to 64 keeps in place. */
static void *roomy_malloc(void *ctx, size_t n)
{
    (void)ctx;
    return malloc(n > 64 ? n : 64);
}
static void *roomy_calloc(void *ctx, size_t a, size_t b)
{
    (void)ctx;
    return a * b > 64 ? calloc(a, b) : calloc(1, 64);
}
static void *roomy_realloc(void *ctx, void *p, size_t n)
{
    (void)ctx;
    return p && n <= 64 ? p : realloc(p, n > 64 ? n : 64);
}

ML_TEST(hidden_a_realloc_that_cannot_be_traced_keeps_the_block_untraced, .points = 1,
        .visibility = ML_HIDDEN,
        .description = "out of memory while tracing a realloc: a block resized in place is kept, "
                       "without its old trace; realloc(NULL, n) returns NULL",
        .hint = "handout 2, Failure")
{
    mem_allocator gate = {NULL, gate_malloc, gate_calloc, gate_realloc, gate_free};
    mem_allocator roomy = {NULL, roomy_malloc, roomy_calloc, roomy_realloc, gate_free};
    refuse = 0;
    mem_set_allocator(MEM_DOMAIN_RAW, &gate);
    mem_set_allocator(MEM_DOMAIN_MEM, &roomy);
    ck_assert_int_eq(trace_start(1), 0);
    mem_frame_push("grow.py", 1, "f");
    void *p = mem_malloc(MEM_DOMAIN_MEM, 16);
    ck_assert_ptr_nonnull(p);
    ML_LINE(2); /* a traceback not seen yet: interning it needs memory */
    refuse = 1;
    void *q = mem_realloc(MEM_DOMAIN_MEM, p, 48);
    mem_allocator hooked;
    mem_get_allocator(MEM_DOMAIN_MEM, &hooked); /* as a wrapper over the tracer calls it */
    void *r = hooked.realloc(hooked.ctx, NULL, 8);
    refuse = 0;
    mem_frame_pop();
    ck_assert_msg(q == p, "the block resized in place must be given back");
    ck_assert_msg(r == NULL, "realloc(NULL, n) whose trace cannot be recorded must fail");
    ck_assert_uint_eq(trace_count(), 0);
    size_t current;
    trace_get_traced_memory(&current, NULL);
    ck_assert_uint_eq(current, 0);
    mem_free(MEM_DOMAIN_MEM, q);
}

ML_TEST(hidden_stop_puts_back_three_allocators_and_writes_nothing_else, .points = 1,
        .visibility = ML_HIDDEN,
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

ML_TEST(hidden_track_out_of_memory_fails_with_a_message, .points = 1, .visibility = ML_HIDDEN,
        .description = "trace_track that cannot record its trace returns -1 and says "
                       "\"out of memory\", replacing an earlier message",
        .hint = "handout 3, Domains")
{
    mem_allocator gate = {NULL, gate_malloc, gate_calloc, gate_realloc, gate_free};
    refuse = 0;
    mem_set_allocator(MEM_DOMAIN_RAW, &gate);
    ck_assert_int_eq(trace_start(1), 0);
    ck_assert_int_eq(trace_start(0), -1); /* leaves the range message behind */
    mem_frame_push("track.py", 3, "f");   /* a traceback not seen yet: needs memory */
    refuse = 1;
    int tracked = trace_track(7, 0x1230, 5);
    refuse = 0;
    mem_frame_pop();
    ck_assert_int_eq(tracked, -1);
    ck_assert_str_eq(trace_error_message(), "out of memory");
    ck_assert_uint_eq(trace_count(), 0);
}

/* ------------------------------------------------------------ snapshots */

ML_TEST(hidden_a_snapshot_with_300_filenames_keeps_each_apart, .points = 1, .visibility = ML_HIDDEN,
        .description = "300 traces in 300 files: 300 'filename' statistics, biggest first, and "
                       "the same after dump and load",
        .hint = "handout 4, Snapshots")
{
    enum { FILES = 300 };
    static char names[FILES][16];
    trace_snapshot *s = trace_snapshot_new(1);
    ck_assert_ptr_nonnull(s);
    for (unsigned i = 0; i < FILES; i++) {
        snprintf(names[i], sizeof names[i], "f%u.py", i);
        trace_frame f = {names[i], i};
        ck_assert_int_eq(trace_snapshot_add(s, 0, i + 1, &f, 1, 1), 0);
    }
    const char *path = "/tmp/memlab-tracing-mutation-names.snap";
    ck_assert_int_eq(trace_snapshot_dump(s, path), 0);
    trace_snapshot *back = trace_snapshot_load(path);
    remove(path);
    ck_assert_msg(back != NULL, "load: %s", trace_error_message());
    trace_snapshot *both[] = {s, back};
    for (int k = 0; k < 2; k++) {
        trace_stats *st = trace_snapshot_statistics(both[k], "filename", 0);
        ck_assert_ptr_nonnull(st);
        ck_assert_uint_eq(st->len, FILES);
        ck_assert_str_eq(stat_text(&st->items[0]), "f299.py:0: size=300 B, count=1, average=300 B");
        ck_assert_str_eq(stat_text(&st->items[FILES - 1]),
                         "f0.py:0: size=1 B, count=1, average=1 B");
        for (size_t i = 0; i < FILES; i++)
            ck_assert_uint_eq(st->items[i].size, FILES - i);
        trace_stats_free(st);
    }
    trace_snapshot_free(s);
    trace_snapshot_free(back);
}

ML_TEST(hidden_a_snapshot_stays_whole_when_adding_a_filename_runs_out_of_memory, .points = 1,
        .visibility = ML_HIDDEN,
        .description = "a 33rd filename added while one allocation fails: the add fails with "
                       "\"out of memory\" or succeeds, and the snapshot stays usable and leak-free",
        .hint = "handout 4, Snapshots")
{
    static char names[33][16];
    trace_frame frames[32];
    for (unsigned i = 0; i < 33; i++)
        snprintf(names[i], sizeof names[i], "n%u.py", i);
    for (unsigned i = 0; i < 32; i++)
        frames[i] = (trace_frame){names[i], i};
    for (long k = 1; k <= 6; k++) {
        fail_call(-1);
        trace_snapshot *s = trace_snapshot_new(32);
        ck_assert_ptr_nonnull(s);
        ck_assert_int_eq(trace_snapshot_add(s, 0, 10, frames, 32, 32), 0);
        trace_frame last = {names[32], 32};
        fail_call(k);
        int added = trace_snapshot_add(s, 0, 5, &last, 1, 1);
        fail_call(-1);
        if (added != 0) {
            ck_assert_int_eq(added, -1);
            ck_assert_str_eq(trace_error_message(), "out of memory");
            ck_assert_uint_eq(trace_snapshot_len(s), 1);
            ck_assert_int_eq(trace_snapshot_add(s, 0, 5, &last, 1, 1), 0);
        }
        ck_assert_uint_eq(trace_snapshot_len(s), 2);
        trace_stats *st = trace_snapshot_statistics(s, "filename", 1);
        ck_assert_ptr_nonnull(st);
        ck_assert_uint_eq(st->len, 33);
        ck_assert_str_eq(stat_text(&st->items[0]), "n9.py:0: size=10 B, count=1, average=10 B");
        ck_assert_str_eq(stat_text(&st->items[32]), "n32.py:0: size=5 B, count=1, average=5 B");
        trace_stats_free(st);
        trace_snapshot_free(s);
    }
    mem_reset_allocators();
}

ML_TEST(hidden_a_snapshot_stays_whole_when_adding_a_trace_runs_out_of_memory, .points = 1,
        .visibility = ML_HIDDEN,
        .description = "a 17th trace added while one allocation fails: the add fails with \"out of "
                       "memory\" and adds nothing, or succeeds; the statistics stay exact",
        .hint = "handout 4, Snapshots")
{
    static char names[17][16];
    for (unsigned i = 0; i < 17; i++)
        snprintf(names[i], sizeof names[i], "t%02u.py", i);
    for (long k = 1; k <= 8; k++) {
        fail_call(-1);
        trace_snapshot *s = trace_snapshot_new(1);
        ck_assert_ptr_nonnull(s);
        for (unsigned i = 0; i < 16; i++) {
            trace_frame f = {names[i], i + 1};
            ck_assert_int_eq(trace_snapshot_add(s, 0, 100 + i, &f, 1, 1), 0);
        }
        trace_frame last = {names[16], 17};
        fail_call(k);
        int added = trace_snapshot_add(s, 4, 7, &last, 1, 1);
        fail_call(-1);
        if (added != 0) {
            ck_assert_int_eq(added, -1);
            ck_assert_str_eq(trace_error_message(), "out of memory");
            ck_assert_uint_eq(trace_snapshot_len(s), 16);
            ck_assert_int_eq(trace_snapshot_add(s, 4, 7, &last, 1, 1), 0);
        }
        ck_assert_uint_eq(trace_snapshot_len(s), 17);
        trace_trace t;
        ck_assert_int_eq(trace_snapshot_get(s, 16, &t), 0);
        ck_assert_uint_eq(t.domain, 4);
        ck_assert_uint_eq(t.size, 7);
        ck_assert_str_eq(tb_str(t.traceback), "t16.py:17");
        trace_stats *st = trace_snapshot_statistics(s, "lineno", 0);
        ck_assert_ptr_nonnull(st);
        ck_assert_uint_eq(st->len, 17);
        ck_assert_str_eq(stat_text(&st->items[0]), "t15.py:16: size=115 B, count=1, average=115 B");
        ck_assert_str_eq(stat_text(&st->items[16]), "t16.py:17: size=7 B, count=1, average=7 B");
        trace_stats_free(st);
        trace_snapshot_free(s);
    }
    mem_reset_allocators();
}

ML_TEST(hidden_snapshot_new_out_of_memory_says_so, .points = 1, .visibility = ML_HIDDEN,
        .description = "trace_snapshot_new without memory returns NULL and says \"out of memory\", "
                       "replacing an earlier message",
        .hint = "handout 4, Snapshots")
{
    mem_allocator gate = {NULL, gate_malloc, gate_calloc, gate_realloc, gate_free};
    mem_set_allocator(MEM_DOMAIN_RAW, &gate);
    ck_assert_int_eq(trace_start(0), -1); /* leaves the range message behind */
    refuse = 1;
    trace_snapshot *s = trace_snapshot_new(1);
    refuse = 0;
    ck_assert_ptr_null(s);
    ck_assert_str_eq(trace_error_message(), "out of memory");
}

ML_TEST(hidden_snapshot_add_accepts_65535_frames, .points = 1, .visibility = ML_HIDDEN,
        .description = "a hand-made trace may have 65535 frames, or 1 frame of a 65535-deep stack "
                       "(the limits are inclusive)",
        .hint = "handout 4, Snapshots")
{
    static trace_frame frames[TRACE_MAX_NFRAME];
    for (size_t i = 0; i < TRACE_MAX_NFRAME; i++)
        frames[i] = (trace_frame){"deep.py", (unsigned)i};
    trace_snapshot *s = trace_snapshot_new(TRACE_MAX_NFRAME);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(trace_snapshot_add(s, 0, 8, frames, TRACE_MAX_NFRAME, TRACE_MAX_NFRAME), 0);
    ck_assert_int_eq(trace_snapshot_add(s, 0, 8, frames, 1, TRACE_MAX_NFRAME), 0);
    ck_assert_int_eq(trace_snapshot_add(s, 0, 8, frames, 1, TRACE_MAX_NFRAME + 1), -1);
    trace_trace t;
    ck_assert_int_eq(trace_snapshot_get(s, 0, &t), 0);
    ck_assert_uint_eq(t.traceback->nframe, TRACE_MAX_NFRAME);
    ck_assert_str_eq(tb_str(t.traceback), "deep.py:65534");
    ck_assert_int_eq(trace_snapshot_get(s, 1, &t), 0);
    ck_assert_uint_eq(t.traceback->total_nframe, TRACE_MAX_NFRAME);
    trace_snapshot_free(s);
}

ML_TEST(hidden_take_snapshot_fails_cleanly_at_any_one_allocation, .points = 1,
        .visibility = ML_HIDDEN,
        .description = "take_snapshot while one of its allocations fails: NULL with \"out of "
                       "memory\", or a complete snapshot; tracing goes on unharmed",
        .hint = "handout 4, Snapshots")
{
    fail_call(-1); /* the tracer's memory comes from here: counted, never failing yet */
    ck_assert_int_eq(trace_start(2), 0);
    void *p[5];
    for (unsigned i = 0; i < 5; i++)
        p[i] = alloc_at(i % 2 ? "odd.py" : "even.py", i + 1, 10 * (i + 1));
    for (long k = 1; k <= 12; k++) {
        ck_assert_int_eq(trace_start(0), -1); /* leaves the range message behind */
        ml_alloc_plan(&once, k - 1, 1);
        trace_snapshot *s = trace_take_snapshot();
        ml_alloc_plan(&once, -1, 0);
        if (!s) {
            ck_assert_str_eq(trace_error_message(), "out of memory");
            continue;
        }
        ck_assert_uint_eq(trace_snapshot_len(s), 5);
        trace_stats *st = trace_snapshot_statistics(s, "filename", 0);
        ck_assert_ptr_nonnull(st);
        ck_assert_uint_eq(st->len, 2);
        ck_assert_str_eq(stat_text(&st->items[0]), "even.py:0: size=90 B, count=3, average=30 B");
        ck_assert_str_eq(stat_text(&st->items[1]), "odd.py:0: size=60 B, count=2, average=30 B");
        trace_stats_free(st);
        trace_snapshot_free(s);
    }
    ck_assert_uint_eq(trace_count(), 5);
    for (unsigned i = 0; i < 5; i++)
        mem_free(MEM_DOMAIN_OBJ, p[i]);
}

ML_TEST(hidden_snapshot_get_out_of_range_says_which_index, .points = 1, .visibility = ML_HIDDEN,
        .description = "trace_snapshot_get past the end returns -1 with a message naming the "
                       "index and the number of traces",
        .hint = "handout 4, Snapshots")
{
    trace_snapshot *s = trace_snapshot_new(1);
    ck_assert_ptr_nonnull(s);
    add_trace_text(s, 0, 10, "a.py:1");
    add_trace_text(s, 0, 20, "b.py:2");
    trace_trace t;
    ck_assert_int_eq(trace_snapshot_get(s, 2, &t), -1);
    ck_assert_str_eq(trace_error_message(), "trace index 2 out of range (2 traces)");
    ck_assert_int_eq(trace_snapshot_get(s, 1, &t), 0);
    ck_assert_uint_eq(t.size, 20);
    trace_snapshot_free(s);
}

/* ------------------------------------------------------------ filters */

ML_TEST(hidden_filters_normalize_only_a_real_pyc_suffix, .points = 1, .visibility = ML_HIDDEN,
        .description = "'.pyc' alone is '.py' on both sides; a pattern 'pyc' (no dot) is left "
                       "as it is, even when the text before it in memory is a dot",
        .hint = "handout 6, Filters")
{
    trace_snapshot *s = trace_snapshot_new(1);
    ck_assert_ptr_nonnull(s);
    add_trace_text(s, 0, 10, ".pyc:1");
    add_trace_text(s, 0, 20, "py:2");
    add_trace_text(s, 0, 40, ".py:3");
    static const char text[] = "x.pyc";
    const char *const patterns[] = {".py", ".pyc", text + 2, "py"};
    const size_t want[] = {2, 2, 0, 1};
    for (int i = 0; i < 4; i++) {
        trace_filter f = {.inclusive = 1, .filename_pattern = patterns[i]};
        trace_snapshot *out = trace_snapshot_filter_traces(s, &f, 1);
        ck_assert_ptr_nonnull(out);
        ck_assert_msg(trace_snapshot_len(out) == want[i], "pattern '%s' kept %zu traces, not %zu",
                      patterns[i], trace_snapshot_len(out), want[i]);
        trace_snapshot_free(out);
    }
    trace_snapshot_free(s);
}

ML_TEST(hidden_an_inclusive_filter_with_a_domain_needs_both, .points = 1, .visibility = ML_HIDDEN,
        .description = "Filter(True, 'a.py', domain=0) keeps the traces of a.py in domain 0 only: "
                       "the pattern and the domain must both match",
        .hint = "handout 6, Filters")
{
    trace_snapshot *s = trace_snapshot_new(1);
    ck_assert_ptr_nonnull(s);
    add_trace_text(s, 0, 1, "a.py:1");
    add_trace_text(s, 0, 2, "b.py:1");
    add_trace_text(s, 1, 4, "a.py:1");
    add_trace_text(s, 1, 8, "b.py:1");
    trace_filter f = {.inclusive = 1, .filename_pattern = "a.py", .has_domain = 1, .domain = 0};
    trace_snapshot *out = trace_snapshot_filter_traces(s, &f, 1);
    ck_assert_ptr_nonnull(out);
    ck_assert_uint_eq(trace_snapshot_len(out), 1);
    trace_trace t;
    ck_assert_int_eq(trace_snapshot_get(out, 0, &t), 0);
    ck_assert_uint_eq(t.size, 1);
    trace_snapshot_free(out);
    trace_snapshot_free(s);
}

ML_TEST(hidden_a_filter_without_pattern_or_domain_is_named_in_the_message, .points = 1,
        .visibility = ML_HIDDEN,
        .description = "filter_traces refuses a filter with neither a pattern nor a domain, and "
                       "the message gives its index",
        .hint = "handout 6, Filters")
{
    trace_snapshot *s = trace_snapshot_new(1);
    ck_assert_ptr_nonnull(s);
    add_trace_text(s, 0, 1, "a.py:1");
    trace_filter f[2] = {{.inclusive = 1, .filename_pattern = "a.py"}, {.inclusive = 0}};
    ck_assert_int_eq(trace_start(0), -1); /* leaves the range message behind */
    ck_assert_ptr_null(trace_snapshot_filter_traces(s, f, 2));
    ck_assert_str_eq(trace_error_message(), "filter 1 has neither a filename pattern nor a domain");
    trace_snapshot_free(s);
}

/* ------------------------------------------------ one failing allocation in each operation */

static trace_snapshot *three_file_snapshot(void)
{
    trace_snapshot *s = trace_snapshot_new(3);
    ck_assert_ptr_nonnull(s);
    add_trace_text(s, 0, 100, "a.py:1 main.py:9");
    add_trace_text(s, 0, 300, "b.py:5 a.py:2 main.py:9");
    add_trace_text(s, 1, 200, "c.py:4");
    add_trace_text(s, 0, 100, "a.py:1 main.py:9");
    return s;
}

ML_TEST(hidden_filter_statistics_and_compare_fail_cleanly_at_any_one_allocation, .points = 1,
        .visibility = ML_HIDDEN,
        .description = "filter_traces, statistics and compare_to while one of their allocations "
                       "fails: NULL with \"out of memory\", or the exact result",
        .hint = "handout 5, Statistics")
{
    fail_call(-1);
    trace_snapshot *s = three_file_snapshot();
    trace_snapshot *old = trace_snapshot_new(3);
    ck_assert_ptr_nonnull(old);
    add_trace_text(old, 0, 50, "a.py:1 main.py:9");
    add_trace_text(old, 0, 70, "d.py:8");
    trace_filter f[2] = {{.inclusive = 0, .filename_pattern = "b.py"},
                         {.inclusive = 1, .has_domain = 1, .domain = 0}};
    for (long k = 1; k <= 24; k++) {
        ck_assert_int_eq(trace_start(0), -1); /* leaves the range message behind */
        ml_alloc_plan(&once, k - 1, 1);
        trace_snapshot *out = trace_snapshot_filter_traces(s, f, 2);
        ml_alloc_plan(&once, -1, 0);
        if (!out) {
            ck_assert_str_eq(trace_error_message(), "out of memory");
        } else {
            ck_assert_uint_eq(trace_snapshot_len(out), 2);
            trace_trace t;
            ck_assert_int_eq(trace_snapshot_get(out, 1, &t), 0);
            ck_assert_str_eq(tb_str(t.traceback), "main.py:9");
            trace_snapshot_free(out);
        }

        ck_assert_int_eq(trace_start(0), -1);
        ml_alloc_plan(&once, k - 1, 1);
        trace_stats *st = trace_snapshot_statistics(s, "lineno", 1);
        ml_alloc_plan(&once, -1, 0);
        if (!st) {
            ck_assert_str_eq(trace_error_message(), "out of memory");
        } else {
            ck_assert_uint_eq(st->len, 5);
            ck_assert_str_eq(stat_text(&st->items[0]),
                             "main.py:9: size=500 B, count=3, average=167 B");
            ck_assert_str_eq(stat_text(&st->items[2]),
                             "a.py:2: size=300 B, count=1, average=300 B");
            ck_assert_str_eq(stat_text(&st->items[4]),
                             "c.py:4: size=200 B, count=1, average=200 B");
            trace_stats_free(st);
        }

        ck_assert_int_eq(trace_start(0), -1);
        ml_alloc_plan(&once, k - 1, 1);
        trace_diffs *d = trace_snapshot_compare_to(s, old, "filename", 0);
        ml_alloc_plan(&once, -1, 0);
        if (!d) {
            ck_assert_str_eq(trace_error_message(), "out of memory");
        } else {
            ck_assert_uint_eq(d->len, 4);
            ck_assert_str_eq(diff_text(&d->items[0]),
                             "b.py:0: size=300 B (+300 B), count=1 (+1), average=300 B");
            ck_assert_str_eq(diff_text(&d->items[3]), "d.py:0: size=0 B (-70 B), count=0 (-1)");
            trace_diffs_free(d);
        }
    }
    trace_snapshot_free(s);
    trace_snapshot_free(old);
    mem_reset_allocators();
}

/* ------------------------------------------------------------ dump and load */

ML_TEST(hidden_dump_and_load_fail_cleanly_at_any_one_allocation, .points = 1,
        .visibility = ML_HIDDEN,
        .description = "dump and load while one of their allocations fails: -1 / NULL with a "
                       "message, or a file that loads back whole",
        .hint = "handout 6, Dump and load")
{
    const char *path = "/tmp/memlab-tracing-mutation-oom.snap";
    fail_call(-1);
    trace_snapshot *s = three_file_snapshot();
    for (long k = 1; k <= 16; k++) {
        ck_assert_int_eq(trace_start(0), -1); /* leaves the range message behind */
        ml_alloc_plan(&once, k - 1, 1);
        int dumped = trace_snapshot_dump(s, path);
        ml_alloc_plan(&once, -1, 0);
        if (dumped != 0) {
            ck_assert_int_eq(dumped, -1);
            ck_assert_str_eq(trace_error_message(), "out of memory");
            ck_assert_int_eq(trace_snapshot_dump(s, path), 0);
        }
        ck_assert_int_eq(trace_start(0), -1);
        ml_alloc_plan(&once, k - 1, 1);
        trace_snapshot *back = trace_snapshot_load(path);
        ml_alloc_plan(&once, -1, 0);
        if (!back) {
            ck_assert_msg(strcmp(trace_error_message(), "out of memory") == 0 ||
                              strcmp(trace_error_message(),
                                     "snapshot file '/tmp/memlab-tracing-mutation-oom.snap': "
                                     "cannot open or read it") == 0,
                          "load without memory: %s", trace_error_message());
            back = trace_snapshot_load(path);
        }
        remove(path);
        ck_assert_msg(back != NULL, "%s", trace_error_message());
        ck_assert_uint_eq(trace_snapshot_len(back), 4);
        trace_stats *st = trace_snapshot_statistics(back, "traceback", 0);
        ck_assert_ptr_nonnull(st);
        ck_assert_uint_eq(st->len, 3);
        ck_assert_str_eq(stat_text(&st->items[0]), "main.py:9: size=300 B, count=1, average=300 B");
        ck_assert_str_eq(stat_text(&st->items[1]), "main.py:9: size=200 B, count=2, average=100 B");
        ck_assert_str_eq(stat_text(&st->items[2]), "c.py:4: size=200 B, count=1, average=200 B");
        trace_stats_free(st);
        trace_snapshot_free(back);
    }
    trace_snapshot_free(s);
    mem_reset_allocators();
}

ML_TEST(hidden_dump_refuses_a_path_too_long_for_its_temporary_file, .points = 1,
        .visibility = ML_HIDDEN,
        .description = "dump to a 5000-character path fails with a message that shows the first "
                       "200 characters and says 'path too long'",
        .hint = "handout 6, Dump and load")
{
    static char path[5001];
    memset(path, 'p', 5000);
    path[0] = '/';
    trace_snapshot *s = three_file_snapshot();
    ck_assert_int_eq(trace_snapshot_dump(s, path), -1);
    char want[300];
    snprintf(want, sizeof want, "snapshot file '%.200s': path too long", path);
    ck_assert_str_eq(trace_error_message(), want);
    trace_snapshot_free(s);
}

ML_TEST(hidden_a_failed_rename_leaves_no_temporary_file, .points = 1, .visibility = ML_HIDDEN,
        .description = "dump onto a path that is a directory fails with 'cannot write it' and "
                       "removes the path.tmp file it wrote",
        .hint = "handout 6, Dump and load")
{
    char dir[] = "/tmp/memlab-tracing-mutation-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char tmp[64], want[128];
    snprintf(tmp, sizeof tmp, "%s.tmp", dir);
    snprintf(want, sizeof want, "snapshot file '%s': cannot write it", dir);
    trace_snapshot *s = three_file_snapshot();
    int dumped = trace_snapshot_dump(s, dir);
    FILE *left = fopen(tmp, "rb");
    if (left) {
        fclose(left);
        remove(tmp);
    }
    rmdir(dir);
    trace_snapshot_free(s);
    ck_assert_int_eq(dumped, -1);
    ck_assert_str_eq(trace_error_message(), want);
    ck_assert_msg(left == NULL, "dump left %s behind", tmp);
}

/* A hand-made snapshot file: header, body, then the size and checksum. */
typedef struct image {
    unsigned char b[256];
    size_t len;
} image;

static void put_le(image *f, uint64_t v, int width)
{
    for (int i = 0; i < width; i++)
        f->b[f->len++] = (unsigned char)(v >> (8 * i));
}

static trace_snapshot *load_image(image *f)
{
    uint64_t total = f->len + 8, h = 0xcbf29ce484222325ULL;
    for (int i = 0; i < 8; i++)
        f->b[12 + i] = (unsigned char)(total >> (8 * i));
    for (size_t i = 0; i < f->len; i++)
        h = (h ^ f->b[i]) * 0x100000001b3ULL;
    put_le(f, h, 8);
    const char *path = "/tmp/memlab-tracing-mutation-made.snap";
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(f->b, 1, f->len, fp), f->len);
    fclose(fp);
    trace_snapshot *s = trace_snapshot_load(path);
    remove(path);
    return s;
}

ML_TEST(hidden_load_refuses_a_filename_longer_than_the_rest_of_the_file, .points = 1,
        .visibility = ML_HIDDEN,
        .description = "a filename whose length runs past the end is corrupt, even when the bytes "
                       "after its length would read as an empty snapshot",
        .hint = "handout 6, Dump and load")
{
    image f = {.len = 0};
    memcpy(f.b, "MLTRACE\n", 8);
    f.len = 8;
    put_le(&f, 1, 4);    /* version */
    put_le(&f, 0, 8);    /* file size, set by load_image */
    put_le(&f, 1, 4);    /* traceback limit */
    put_le(&f, 1, 4);    /* one filename ... */
    put_le(&f, 1000, 4); /* ... of 1000 bytes: more than the file has */
    put_le(&f, 0, 4);    /* what would be: no traceback */
    put_le(&f, 0, 8);    /* and no trace */
    ck_assert_ptr_null(load_image(&f));
    ck_assert_str_eq(trace_error_message(),
                     "snapshot file '/tmp/memlab-tracing-mutation-made.snap': corrupt (a record "
                     "runs past the end)");
}

static void image_header(image *f)
{
    memcpy(f->b, "MLTRACE\n", 8);
    f->len = 8;
    put_le(f, 1, 4); /* version */
    put_le(f, 0, 8); /* file size, set by load_image */
    put_le(f, 1, 4); /* traceback limit */
}

ML_TEST(hidden_load_refuses_frames_without_filenames_and_cut_tracebacks, .points = 1,
        .visibility = ML_HIDDEN,
        .description = "a frame naming filename 0 of none is corrupt; a file that ends where a "
                       "traceback's frame count should be runs past the end",
        .hint = "handout 6, Dump and load")
{
    image f;
    image_header(&f);
    put_le(&f, 0, 4);                                                       /* no filename */
    put_le(&f, 1, 4);                                                       /* one traceback */
    put_le(&f, 1, 2), put_le(&f, 1, 2), put_le(&f, 0, 4), put_le(&f, 3, 4); /* frame: name 0 */
    put_le(&f, 0, 8);                                                       /* no trace */
    ck_assert_ptr_null(load_image(&f));
    ck_assert_str_eq(trace_error_message(),
                     "snapshot file '/tmp/memlab-tracing-mutation-made.snap': corrupt (filename "
                     "index out of range)");
    image_header(&f);
    put_le(&f, 0, 4); /* no filename */
    put_le(&f, 1, 4); /* one traceback, and nothing after it */
    ck_assert_ptr_null(load_image(&f));
    ck_assert_str_eq(trace_error_message(),
                     "snapshot file '/tmp/memlab-tracing-mutation-made.snap': corrupt (a record "
                     "runs past the end)");
}

ML_TEST(hidden_load_checks_trace_counts_and_indexes_at_their_bounds, .points = 1,
        .visibility = ML_HIDDEN,
        .description = "2 traces in 30 bytes are more than the file holds; a trace naming "
                       "traceback 0 of none is corrupt",
        .hint = "handout 6, Dump and load")
{
    image f;
    image_header(&f);
    put_le(&f, 0, 4), put_le(&f, 0, 4); /* no filename, no traceback */
    put_le(&f, 2, 8);                   /* two traces ... */
    for (int i = 0; i < 30; i++)        /* ... in 30 bytes */
        put_le(&f, 0, 1);
    ck_assert_ptr_null(load_image(&f));
    ck_assert_str_eq(trace_error_message(),
                     "snapshot file '/tmp/memlab-tracing-mutation-made.snap': corrupt (trace count "
                     "larger than the file)");
    image_header(&f);
    put_le(&f, 0, 4), put_le(&f, 0, 4);                   /* no filename, no traceback */
    put_le(&f, 1, 8);                                     /* one trace */
    put_le(&f, 0, 4), put_le(&f, 0, 4), put_le(&f, 9, 8); /* in traceback 0 */
    ck_assert_ptr_null(load_image(&f));
    ck_assert_str_eq(trace_error_message(),
                     "snapshot file '/tmp/memlab-tracing-mutation-made.snap': corrupt (traceback "
                     "index out of range)");
}

ML_TEST(hidden_load_tells_a_short_foreign_file_from_a_cut_snapshot, .points = 1,
        .visibility = ML_HIDDEN,
        .description = "a 12-byte file whose eighth byte is not the magic's is 'bad magic', not "
                       "'truncated'; a 27-byte file is too short for a header and a checksum; a "
                       "whole 28-byte file with no body is corrupt, not a bad size",
        .hint = "handout 6, Dump and load")
{
    const char *path = "/tmp/memlab-tracing-mutation-short.snap";
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    fwrite("MLTRACEX\1\0\0\0", 1, 12, fp);
    fclose(fp);
    ck_assert_ptr_null(trace_snapshot_load(path));
    remove(path);
    ck_assert_str_eq(trace_error_message(),
                     "snapshot file '/tmp/memlab-tracing-mutation-short.snap'"
                     ": not a memlab snapshot (bad magic)");
    image f;
    image_header(&f);
    put_le(&f, 0, 7);
    for (int i = 0; i < 8; i++) /* 27 bytes, and it says so: too short for header + checksum */
        f.b[12 + i] = (unsigned char)((uint64_t)27 >> (8 * i));
    fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    fwrite(f.b, 1, 27, fp);
    fclose(fp);
    ck_assert_ptr_null(trace_snapshot_load(path));
    remove(path);
    ck_assert_str_eq(trace_error_message(),
                     "snapshot file '/tmp/memlab-tracing-mutation-short.snap'"
                     ": corrupt (bad file size)");
    image_header(&f);
    f.len -= 4; /* no traceback limit: the header alone */
    ck_assert_ptr_null(load_image(&f));
    ck_assert_str_eq(trace_error_message(),
                     "snapshot file '/tmp/memlab-tracing-mutation-made.snap': corrupt (a record "
                     "runs past the end)");
}

/* ------------------------------------------------------------ statistics */

ML_TEST(hidden_statistics_find_33_groups_that_crowd_half_the_index, .points = 1,
        .visibility = ML_HIDDEN, .timeout = 3,
        .description = "33 lines of one file, each its own 'lineno' group: 33 statistics, biggest "
                       "first",
        .hint = "handout 5, Statistics")
{
    /* lines whose groups all start probing at an even slot of the reference's
     * 64-slot group index (its frames hash is FNV-1a of the text, mixed) */
    static const unsigned lines[33] = {2,  5,  9,  10, 12, 16, 18, 19, 20, 22, 23,
                                       27, 30, 33, 35, 36, 37, 39, 40, 41, 43, 44,
                                       45, 47, 48, 50, 51, 59, 61, 64, 65, 67, 69};
    trace_snapshot *s = trace_snapshot_new(1);
    ck_assert_ptr_nonnull(s);
    for (int i = 0; i < 33; i++) {
        trace_frame f = {"g.py", lines[i]};
        ck_assert_int_eq(trace_snapshot_add(s, 0, lines[i], &f, 1, 1), 0);
    }
    trace_stats *st = trace_snapshot_statistics(s, "lineno", 0);
    ck_assert_ptr_nonnull(st);
    ck_assert_uint_eq(st->len, 33);
    ck_assert_str_eq(stat_text(&st->items[0]), "g.py:69: size=69 B, count=1, average=69 B");
    ck_assert_str_eq(stat_text(&st->items[32]), "g.py:2: size=2 B, count=1, average=2 B");
    trace_stats_free(st);
    trace_snapshot_free(s);
}

ML_TEST(hidden_tracebacks_with_the_same_oldest_frame_sort_by_the_next, .points = 1,
        .visibility = ML_HIDDEN,
        .description = "statistics('traceback') of equal size and count: (main.py:9, b.py:1), "
                       "then (main.py:9, a.py:1), then its prefix (main.py:9,), in any order of "
                       "the traces",
        .hint = "handout 5, Sort order")
{
    for (int order = 0; order < 2; order++) {
        trace_snapshot *s = trace_snapshot_new(2);
        ck_assert_ptr_nonnull(s);
        const char *const first[] = {"a.py:1 main.py:9", "main.py:9"};
        const char *const last[] = {"main.py:9", "a.py:1 main.py:9"};
        add_trace_text(s, 0, 10, first[order]);
        add_trace_text(s, 0, 10, "b.py:1 main.py:9");
        add_trace_text(s, 0, 10, last[order]);
        trace_stats *st = trace_snapshot_statistics(s, "traceback", 0);
        ck_assert_ptr_nonnull(st);
        ck_assert_uint_eq(st->len, 3);
        ck_assert_str_eq(st->items[0].traceback->frames[0].filename, "b.py");
        ck_assert_str_eq(st->items[1].traceback->frames[0].filename, "a.py");
        ck_assert_uint_eq(st->items[2].traceback->nframe, 1);
        trace_stats_free(st);
        trace_snapshot_free(s);
    }
}

ML_TEST(hidden_compare_to_breaks_ties_by_size_then_count_change_then_count, .points = 1,
        .visibility = ML_HIDDEN,
        .description = "compare_to: equal |size_diff| sorts by size, then |count_diff|, then "
                       "count: CPython's 6 lines, in its order",
        .hint = "handout 5, compare_to")
{
    trace_snapshot *s = trace_snapshot_new(3), *old = trace_snapshot_new(3);
    ck_assert_msg(s && old, "trace_snapshot_new(3) must give snapshots");
    add_trace_text(s, 0, 300, "a.py:1");
    add_trace_text(s, 0, 100, "b.py:1");
    for (int i = 0; i < 3; i++)
        add_trace_text(s, 0, 50, "c.py:1");
    for (int i = 0; i < 2; i++)
        add_trace_text(s, 0, 75, "d.py:1");
    add_trace_text(s, 0, 0, "e.py:1");
    for (int i = 0; i < 2; i++)
        add_trace_text(s, 0, 40, "e.py:1");
    add_trace_text(s, 0, 80, "f.py:1");
    add_trace_text(s, 0, 0, "f.py:1");
    add_trace_text(old, 0, 200, "a.py:1");
    for (int i = 0; i < 2; i++)
        add_trace_text(old, 0, 0, "c.py:1");
    for (int i = 0; i < 2; i++)
        add_trace_text(old, 0, 0, "e.py:1");
    add_trace_text(old, 0, 0, "f.py:1");
    trace_diffs *d = trace_snapshot_compare_to(s, old, "lineno", 0);
    ck_assert_ptr_nonnull(d);
    const char *want[] = {
        "d.py:1: size=150 B (+150 B), count=2 (+2), average=75 B",
        "c.py:1: size=150 B (+150 B), count=3 (+1), average=50 B",
        "a.py:1: size=300 B (+100 B), count=1 (+0), average=300 B",
        "b.py:1: size=100 B (+100 B), count=1 (+1), average=100 B",
        "e.py:1: size=80 B (+80 B), count=3 (+1), average=27 B",
        "f.py:1: size=80 B (+80 B), count=2 (+1), average=40 B",
    };
    ck_assert_uint_eq(d->len, 6);
    for (size_t i = 0; i < 6; i++)
        ck_assert_str_eq(diff_text(&d->items[i]), want[i]);
    trace_diffs_free(d);
    trace_snapshot_free(s);
    trace_snapshot_free(old);
}

/* ------------------------------------------------------------ text */

ML_TEST(hidden_every_format_function_measures_without_a_buffer_and_writes_only_size_bytes,
        .points = 1, .visibility = ML_HIDDEN,
        .description = "each trace_format_* with (NULL, 0) returns the full length and touches "
                       "nothing; with size 1 it writes the NUL alone",
        .hint = "handout 7, Text")
{
    trace_snapshot *s = trace_snapshot_new(3);
    ck_assert_ptr_nonnull(s);
    add_trace_text(s, 0, 300, "b.py:5 a.py:2 main.py:9");
    trace_trace t;
    ck_assert_int_eq(trace_snapshot_get(s, 0, &t), 0);
    trace_statistic st = {t.traceback, 10240, 3};
    trace_statistic_diff d = {t.traceback, 1000, -24, 4, -1};
    trace_frame f = {"main.py", 12};
    const char *want[8] = {
        "10.0 KiB",
        "main.py:12",
        "main.py:9",
        "<Traceback (<Frame filename='main.py' lineno=9>, <Frame filename='a.py' lineno=2>, "
        "<Frame filename='b.py' lineno=5>) total_nframe=3>",
        "  File \"main.py\", line 9\n  File \"a.py\", line 2\n  File \"b.py\", line 5\n",
        "main.py:9: 300 B",
        "main.py:9: size=10.0 KiB, count=3, average=3413 B",
        "main.py:9: size=1000 B (-24 B), count=4 (-1), average=250 B",
    };
    for (int k = 0; k < 8; k++) {
        char buf[512];
        for (int pass = 0; pass < 3; pass++) {
            /* pass 0: no buffer; pass 1: one byte, then a canary; pass 2: room for all */
            char *out = pass == 0 ? NULL : buf;
            size_t size = pass == 0 ? 0 : pass == 1 ? 1 : sizeof buf;
            memset(buf, '#', sizeof buf);
            int n = k == 0   ? trace_format_size(out, size, 10240, 0)
                    : k == 1 ? trace_format_frame(out, size, &f)
                    : k == 2 ? trace_format_traceback_str(out, size, t.traceback)
                    : k == 3 ? trace_format_traceback_repr(out, size, t.traceback)
                    : k == 4 ? trace_format_traceback(out, size, t.traceback, TRACE_NO_LIMIT, 0)
                    : k == 5 ? trace_format_trace(out, size, &t)
                    : k == 6 ? trace_format_statistic(out, size, &st)
                             : trace_format_statistic_diff(out, size, &d);
            ck_assert_msg(n == (int)strlen(want[k]), "function %d, pass %d: returned %d, not %zu",
                          k, pass, n, strlen(want[k]));
            if (pass == 1)
                ck_assert_msg(buf[0] == '\0' && buf[1] == '#',
                              "function %d with size 1 must write the NUL and nothing more", k);
            if (pass == 2)
                ck_assert_str_eq(buf, want[k]);
        }
    }
    trace_snapshot_free(s);
}

ML_TEST(hidden_format_with_a_negative_limit_keeps_the_oldest_frame, .points = 1,
        .visibility = ML_HIDDEN,
        .description = "Traceback.format(limit=-2) of 3 frames is self[:-2]: the oldest frame "
                       "alone",
        .hint = "handout 7, Tracebacks")
{
    trace_snapshot *s = trace_snapshot_new(3);
    ck_assert_ptr_nonnull(s);
    add_trace_text(s, 0, 1, "b.py:5 a.py:2 main.py:9");
    trace_trace t;
    ck_assert_int_eq(trace_snapshot_get(s, 0, &t), 0);
    char buf[256] = "";
    ck_assert_int_eq(trace_format_traceback(buf, sizeof buf, t.traceback, -2, 1), 25);
    ck_assert_str_eq(buf, "  File \"main.py\", line 9\n");
    ck_assert_int_eq(trace_format_traceback(buf, sizeof buf, t.traceback, -3, 0), 0);
    ck_assert_str_eq(buf, "");
    trace_snapshot_free(s);
}
