/*
 * test_tracer.c -- the tracer itself: start/stop, the hooks on the three
 * domains, traces and their tracebacks, traced memory and peak (handout
 * sections 1-3).
 */
#include "mlalloc.h"
#include "tracing_test.h"

ML_TEST(start_rejects_zero_frames_with_cpython_message, .points = 1,
        .description = "start(0) fails with CPython's ValueError text and does not trace",
        .hint = "handout 1, Starting and stopping")
{
    ck_assert_int_eq(trace_start(0), -1);
    ck_assert_str_eq(trace_error_message(), "the number of frames must be in range [1; 65535]");
    ck_assert_msg(!trace_is_tracing(), "a failed start must not trace");
}

ML_TEST(start_accepts_65535_frames_but_not_65536, .points = 1,
        .description = "the traceback limit is 1..65535 (uint16_t)",
        .hint = "handout 1, Starting and stopping")
{
    ck_assert_int_eq(trace_start(65536), -1);
    ck_assert_str_eq(trace_error_message(), "the number of frames must be in range [1; 65535]");
    ck_assert_int_eq(trace_start(65535), 0);
    ck_assert_int_eq(trace_get_traceback_limit(), 65535);
    ck_assert_int_eq(trace_is_tracing(), 1);
}

ML_TEST(is_tracing_follows_start_and_stop, .points = 1,
        .description = "is_tracing is 0, then 1 after start, then 0 after stop",
        .hint = "handout 1, Starting and stopping")
{
    ck_assert_int_eq(trace_is_tracing(), 0);
    ck_assert_int_eq(trace_start(1), 0);
    ck_assert_int_eq(trace_is_tracing(), 1);
    trace_stop();
    ck_assert_int_eq(trace_is_tracing(), 0);
    trace_stop(); /* a second stop does nothing */
    ck_assert_int_eq(trace_is_tracing(), 0);
}

ML_TEST(start_while_tracing_ignores_the_new_limit, .points = 1,
        .description = "a second start(n) changes nothing (CPython 3.11 behaviour)",
        .hint = "handout 1, Starting and stopping")
{
    ck_assert_int_eq(trace_get_traceback_limit(), 1);
    ck_assert_int_eq(trace_start(5), 0);
    ck_assert_int_eq(trace_start(9), 0);
    ck_assert_int_eq(trace_get_traceback_limit(), 5);
    trace_stop();
    ck_assert_msg(trace_get_traceback_limit() == 5, "the limit stays after stop");
}

/* Every call an allocator saw: its requests and its frees (mlalloc.h). */
static long calls_of(const ml_alloc *a) { return ml_alloc_requests(a) + a->frees; }

ML_TEST(start_hooks_every_domain_and_stop_restores_them, .points = 2,
        .description = "start installs a hook on RAW, MEM and OBJ; stop puts back what was there",
        .hint = "handout 2, Hooks")
{
    ml_alloc counting = ML_ALLOC_COUNT;
    ml_alloc_install(&counting, MEM_DOMAIN_OBJ);
    mem_allocator before[MEM_NDOMAINS], during, after;
    for (int d = 0; d < MEM_NDOMAINS; d++)
        mem_get_allocator((mem_domain)d, &before[d]);
    ck_assert_int_eq(trace_start(1), 0);
    for (int d = 0; d < MEM_NDOMAINS; d++) {
        mem_get_allocator((mem_domain)d, &during);
        ck_assert_msg(during.malloc != before[d].malloc, "domain %d is not hooked", d);
    }
    trace_stop();
    for (int d = 0; d < MEM_NDOMAINS; d++) {
        mem_get_allocator((mem_domain)d, &after);
        ck_assert_msg(after.malloc == before[d].malloc && after.ctx == before[d].ctx &&
                          after.free == before[d].free && after.realloc == before[d].realloc &&
                          after.calloc == before[d].calloc,
                      "domain %d: stop must restore the allocator start found", d);
    }
}

ML_TEST(hooks_pass_every_call_to_the_allocator_underneath, .points = 2,
        .description = "malloc, calloc, realloc and free reach the allocator that was installed",
        .hint = "handout 2, Hooks")
{
    ml_alloc counting = ML_ALLOC_COUNT;
    ml_alloc_install(&counting, MEM_DOMAIN_MEM);
    ck_assert_int_eq(trace_start(1), 0);
    char *p = mem_malloc(MEM_DOMAIN_MEM, 10);
    ck_assert_int_eq(calls_of(&counting), 1);
    char *q = mem_calloc(MEM_DOMAIN_MEM, 2, 8);
    ck_assert_int_eq(calls_of(&counting), 2);
    p = mem_realloc(MEM_DOMAIN_MEM, p, 4000);
    ck_assert_int_eq(calls_of(&counting), 3);
    mem_free(MEM_DOMAIN_MEM, p);
    mem_free(MEM_DOMAIN_MEM, q);
    ck_assert_int_eq(calls_of(&counting), 5);
    ck_assert_int_eq(trace_count(), 0);
}

ML_TEST(malloc_is_traced_with_its_size, .points = 2,
        .description = "a block allocated while tracing has a trace with its size",
        .hint = "handout 3, Traces")
{
    ck_assert_int_eq(trace_start(1), 0);
    void *p = mem_malloc(MEM_DOMAIN_OBJ, 100);
    size_t size = 0, current, peak;
    ck_assert_ptr_nonnull(trace_get_traceback(TRACE_DEFAULT_DOMAIN, (uintptr_t)p, &size));
    ck_assert_uint_eq(size, 100);
    ck_assert_uint_eq(trace_count(), 1);
    trace_get_traced_memory(&current, &peak);
    ck_assert_uint_eq(current, 100);
    ck_assert_uint_eq(peak, 100);
    mem_free(MEM_DOMAIN_OBJ, p);
}

ML_TEST(free_removes_the_trace, .points = 2,
        .description = "freeing a traced block forgets its trace and its bytes",
        .hint = "handout 3, Traces")
{
    ck_assert_int_eq(trace_start(1), 0);
    void *p = mem_malloc(MEM_DOMAIN_OBJ, 100);
    void *q = mem_malloc(MEM_DOMAIN_OBJ, 30);
    mem_free(MEM_DOMAIN_OBJ, p);
    size_t current, peak;
    trace_get_traced_memory(&current, &peak);
    ck_assert_uint_eq(current, 30);
    ck_assert_uint_eq(peak, 130);
    ck_assert_uint_eq(trace_count(), 1);
    ck_assert_ptr_null(trace_get_object_traceback(p));
    ck_assert_ptr_nonnull(trace_get_object_traceback(q));
    mem_free(MEM_DOMAIN_OBJ, q);
    ck_assert_uint_eq(trace_count(), 0);
}

ML_TEST(calloc_is_traced_with_nelem_times_elsize, .points = 1,
        .description = "calloc(7, 12) is one trace of 84 bytes", .hint = "handout 3, Traces")
{
    ck_assert_int_eq(trace_start(1), 0);
    void *p = mem_calloc(MEM_DOMAIN_MEM, 7, 12);
    size_t size = 0;
    ck_assert_ptr_nonnull(trace_get_traceback(0, (uintptr_t)p, &size));
    ck_assert_uint_eq(size, 84);
    mem_free(MEM_DOMAIN_MEM, p);
}

ML_TEST(realloc_moves_the_trace_to_the_new_block, .points = 2,
        .description = "after realloc there is one trace, at the new address, with the new size",
        .hint = "handout 3, Traces")
{
    ck_assert_int_eq(trace_start(1), 0);
    char *keep = mem_malloc(MEM_DOMAIN_MEM, 16); /* makes an in-place grow unlikely */
    char *p = mem_malloc(MEM_DOMAIN_MEM, 16);
    char *q = mem_realloc(MEM_DOMAIN_MEM, p, 100000);
    size_t size = 0, current;
    ck_assert_ptr_nonnull(trace_get_traceback(0, (uintptr_t)q, &size));
    ck_assert_uint_eq(size, 100000);
    if (q != p)
        ck_assert_msg(trace_get_traceback(0, (uintptr_t)p, NULL) == NULL,
                      "the old address must lose its trace");
    ck_assert_uint_eq(trace_count(), 2);
    trace_get_traced_memory(&current, NULL);
    ck_assert_uint_eq(current, 100016);
    mem_free(MEM_DOMAIN_MEM, q);
    mem_free(MEM_DOMAIN_MEM, keep);
}

ML_TEST(realloc_records_the_traceback_of_the_realloc_call, .points = 1,
        .description = "the moved trace gets the traceback of the line that called realloc",
        .hint = "handout 3, Traces")
{
    ck_assert_int_eq(trace_start(1), 0);
    mem_frame_push("a.py", 1, "f");
    char *p = mem_malloc(MEM_DOMAIN_MEM, 8);
    ML_LINE(2);
    p = mem_realloc(MEM_DOMAIN_MEM, p, 5000);
    mem_frame_pop();
    const trace_traceback *tb = trace_get_object_traceback(p);
    ck_assert_ptr_nonnull(tb);
    ck_assert_str_eq(tb_str(tb), "a.py:2");
    mem_free(MEM_DOMAIN_MEM, p);
}

ML_TEST(all_three_domains_are_traced_in_domain_zero, .points = 1,
        .description = "RAW, MEM and OBJ blocks are all traced, in trace domain 0",
        .hint = "handout 2, Hooks")
{
    ck_assert_int_eq(trace_start(1), 0);
    void *a = mem_malloc(MEM_DOMAIN_RAW, 1);
    void *b = mem_malloc(MEM_DOMAIN_MEM, 2);
    void *c = mem_malloc(MEM_DOMAIN_OBJ, 4);
    size_t current;
    trace_get_traced_memory(&current, NULL);
    ck_assert_uint_eq(current, 7);
    trace_snapshot *s = trace_take_snapshot();
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(trace_snapshot_len(s), 3);
    for (size_t i = 0; i < 3; i++) {
        trace_trace t;
        ck_assert_int_eq(trace_snapshot_get(s, i, &t), 0);
        ck_assert_uint_eq(t.domain, 0);
    }
    trace_snapshot_free(s);
    mem_free(MEM_DOMAIN_RAW, a);
    mem_free(MEM_DOMAIN_MEM, b);
    mem_free(MEM_DOMAIN_OBJ, c);
}

ML_TEST(blocks_from_before_start_are_not_traced, .points = 1,
        .description = "a block allocated before start has no trace, and freeing it is harmless",
        .hint = "handout 2, Hooks")
{
    void *old = mem_malloc(MEM_DOMAIN_OBJ, 64);
    int started = trace_start(1);
    if (started != 0)
        mem_free(MEM_DOMAIN_OBJ, old); /* fail without a leak */
    ck_assert_int_eq(started, 0);
    ck_assert_ptr_null(trace_get_object_traceback(old));
    mem_free(MEM_DOMAIN_OBJ, old);
    size_t current;
    trace_get_traced_memory(&current, NULL);
    ck_assert_uint_eq(current, 0);
}

ML_TEST(blocks_traced_stay_valid_after_stop, .points = 1,
        .description = "blocks allocated while tracing are freed normally after stop",
        .hint = "handout 1, Starting and stopping")
{
    ck_assert_int_eq(trace_start(1), 0);
    char *p = mem_malloc(MEM_DOMAIN_OBJ, 32);
    memset(p, 1, 32);
    trace_stop();
    ck_assert_ptr_null(trace_get_object_traceback(p));
    mem_free(MEM_DOMAIN_OBJ, p);
}

ML_TEST(peak_is_the_high_water_mark, .points = 2,
        .description = "peak keeps the largest traced total; reset_peak brings it down to current",
        .hint = "handout 3, Traced memory")
{
    ck_assert_int_eq(trace_start(1), 0);
    void *a = mem_malloc(MEM_DOMAIN_OBJ, 1000);
    void *b = mem_malloc(MEM_DOMAIN_OBJ, 500);
    mem_free(MEM_DOMAIN_OBJ, a);
    size_t current, peak;
    trace_get_traced_memory(&current, &peak);
    ck_assert_uint_eq(current, 500);
    ck_assert_uint_eq(peak, 1500);
    trace_reset_peak();
    trace_get_traced_memory(&current, &peak);
    ck_assert_uint_eq(peak, 500);
    void *c = mem_malloc(MEM_DOMAIN_OBJ, 20);
    trace_get_traced_memory(&current, &peak);
    ck_assert_uint_eq(peak, 520);
    mem_free(MEM_DOMAIN_OBJ, b);
    mem_free(MEM_DOMAIN_OBJ, c);
}

ML_TEST(traced_memory_is_zero_when_not_tracing, .points = 1,
        .description = "get_traced_memory is (0, 0) before start and after stop",
        .hint = "handout 3, Traced memory")
{
    size_t current = 7, peak = 7;
    trace_get_traced_memory(&current, &peak);
    ck_assert_uint_eq(current, 0);
    ck_assert_uint_eq(peak, 0);
    ck_assert_int_eq(trace_start(1), 0);
    void *p = mem_malloc(MEM_DOMAIN_OBJ, 10);
    trace_stop();
    trace_reset_peak(); /* no-op */
    trace_get_traced_memory(&current, &peak);
    ck_assert_uint_eq(current + peak, 0);
    mem_free(MEM_DOMAIN_OBJ, p);
}

ML_TEST(clear_traces_forgets_everything_and_keeps_tracing, .points = 2,
        .description = "clear_traces: no traces, current = peak = 0, later blocks traced again",
        .hint = "handout 3, Traced memory")
{
    ck_assert_int_eq(trace_start(1), 0);
    void *p = mem_malloc(MEM_DOMAIN_OBJ, 10);
    trace_clear_traces();
    size_t current, peak;
    trace_get_traced_memory(&current, &peak);
    ck_assert_uint_eq(current, 0);
    ck_assert_uint_eq(peak, 0);
    ck_assert_uint_eq(trace_count(), 0);
    ck_assert_int_eq(trace_is_tracing(), 1);
    mem_free(MEM_DOMAIN_OBJ, p); /* untraced now: harmless */
    void *q = mem_malloc(MEM_DOMAIN_OBJ, 3);
    trace_get_traced_memory(&current, &peak);
    ck_assert_uint_eq(current, 3);
    mem_free(MEM_DOMAIN_OBJ, q);
}

ML_TEST(traceback_holds_the_most_recent_frames_first, .points = 2,
        .description = "with limit 3 and 4 frames: frames[0] is the innermost call, total_nframe 4",
        .hint = "handout 3, Tracebacks")
{
    ck_assert_int_eq(trace_start(3), 0);
    mem_frame_push("main.py", 1, "<module>");
    mem_frame_push("a.py", 10, "f");
    mem_frame_push("b.py", 20, "g");
    mem_frame_push("c.py", 30, "h");
    void *p = mem_malloc(MEM_DOMAIN_OBJ, 8);
    for (int i = 0; i < 4; i++)
        mem_frame_pop();
    const trace_traceback *tb = trace_get_object_traceback(p);
    ck_assert_ptr_nonnull(tb);
    ck_assert_uint_eq(tb->nframe, 3);
    ck_assert_uint_eq(tb->total_nframe, 4);
    ck_assert_str_eq(tb->frames[0].filename, "c.py");
    ck_assert_uint_eq(tb->frames[0].lineno, 30);
    ck_assert_str_eq(tb->frames[2].filename, "a.py");
    ck_assert_str_eq(tb_str(tb), "a.py:10"); /* str() is the oldest kept frame */
    mem_free(MEM_DOMAIN_OBJ, p);
}

ML_TEST(empty_frame_stack_gives_unknown_line_zero, .points = 1,
        .description = "with no frame on the stack the traceback is (\"<unknown>\", 0)",
        .hint = "handout 3, Tracebacks")
{
    ck_assert_int_eq(trace_start(5), 0);
    void *p = mem_malloc(MEM_DOMAIN_OBJ, 8);
    const trace_traceback *tb = trace_get_object_traceback(p);
    ck_assert_ptr_nonnull(tb);
    ck_assert_uint_eq(tb->nframe, 1);
    ck_assert_uint_eq(tb->total_nframe, 1);
    ck_assert_str_eq(tb->frames[0].filename, "<unknown>");
    ck_assert_uint_eq(tb->frames[0].lineno, 0);
    mem_free(MEM_DOMAIN_OBJ, p);
}

ML_TEST(equal_tracebacks_are_stored_once, .points = 2,
        .description = "two blocks allocated at the same place share one interned traceback",
        .hint = "handout 3, Interning")
{
    ck_assert_int_eq(trace_start(2), 0);
    void *p[3];
    mem_frame_push("a.py", 1, "f");
    for (int i = 0; i < 2; i++)
        p[i] = mem_malloc(MEM_DOMAIN_OBJ, 8);
    ML_LINE(2);
    p[2] = mem_malloc(MEM_DOMAIN_OBJ, 8);
    mem_frame_pop();
    ck_assert_ptr_eq(trace_get_object_traceback(p[0]), trace_get_object_traceback(p[1]));
    ck_assert_ptr_ne(trace_get_object_traceback(p[0]), trace_get_object_traceback(p[2]));
    for (int i = 0; i < 3; i++)
        mem_free(MEM_DOMAIN_OBJ, p[i]);
}

ML_TEST(tracer_memory_is_reported_and_released, .points = 2,
        .description = "get_tracemalloc_memory: 0 before start, grows with traces, 0 after stop",
        .hint = "handout 3, The tracer's own memory")
{
    ck_assert_uint_eq(trace_get_tracemalloc_memory(), 0);
    ck_assert_int_eq(trace_start(1), 0);
    size_t empty = trace_get_tracemalloc_memory();
    ck_assert_uint_gt(empty, 0);
    void *p[1000];
    for (int i = 0; i < 1000; i++)
        p[i] = alloc_at("a.py", (unsigned)i, 8);
    ck_assert_uint_gt(trace_get_tracemalloc_memory(), empty + 1000 * 16);
    mem_stats st;
    mem_get_stats(&st);
    ck_assert_msg(st.blocks == 1000, "the tracer's memory must not come from a mem domain");
    for (int i = 0; i < 1000; i++)
        mem_free(MEM_DOMAIN_OBJ, p[i]);
    trace_clear_traces();
    ck_assert_uint_eq(trace_get_tracemalloc_memory(), empty);
    trace_stop();
    ck_assert_uint_eq(trace_get_tracemalloc_memory(), 0);
}

ML_TEST(track_and_untrack_use_their_own_domain, .points = 2,
        .description = "trace_track adds a trace in any domain; -2 when not tracing",
        .hint = "handout 3, Domains")
{
    ck_assert_int_eq(trace_track(7, 0x1000, 10), -2);
    ck_assert_int_eq(trace_untrack(7, 0x1000), -2);
    ck_assert_int_eq(trace_start(1), 0);
    ck_assert_int_eq(trace_track(7, 0x1000, 10), 0);
    ck_assert_int_eq(trace_track(8, 0x1000, 20), 0);
    ck_assert_int_eq(trace_track(7, 0x1000, 15), 0); /* replaces */
    size_t size = 0, current;
    ck_assert_ptr_nonnull(trace_get_traceback(7, 0x1000, &size));
    ck_assert_uint_eq(size, 15);
    ck_assert_ptr_null(trace_get_traceback(0, 0x1000, NULL));
    trace_get_traced_memory(&current, NULL);
    ck_assert_uint_eq(current, 35);
    ck_assert_int_eq(trace_untrack(7, 0x1000), 0);
    ck_assert_uint_eq(trace_count(), 1);
    trace_get_traced_memory(&current, NULL);
    ck_assert_uint_eq(current, 20);
}

/* Under OBJ: an allocator that itself allocates a header through RAW, as
 * pools asks RAW for arenas (mlalloc.h's `before`): the tracer must trace
 * the outer block only. */
static void *nested_blocks[16];
static int nested_count;
static void allocate_a_header(unsigned kind)
{
    if (kind != ML_ALLOC_REALLOC)
        nested_blocks[nested_count++] = mem_malloc(MEM_DOMAIN_RAW, 4096);
}

ML_TEST(
    a_nested_allocation_is_not_traced_twice, .points = 2,
    .description = "an allocator that allocates through another domain is traced once (reentrancy)",
    .hint = "handout 2, Reentrancy")
{
    static ml_alloc nested = {.pass = -1, .before = allocate_a_header};
    ml_alloc_install(&nested, MEM_DOMAIN_OBJ);
    ck_assert_int_eq(trace_start(1), 0);
    void *p = mem_malloc(MEM_DOMAIN_OBJ, 24);
    size_t current;
    trace_get_traced_memory(&current, NULL);
    ck_assert_uint_eq(trace_count(), 1);
    ck_assert_uint_eq(current, 24);
    void *q = mem_malloc(MEM_DOMAIN_RAW, 5); /* a plain RAW call is traced again */
    ck_assert_uint_eq(trace_count(), 2);
    mem_free(MEM_DOMAIN_RAW, q);
    mem_free(MEM_DOMAIN_OBJ, p);
    for (int i = 0; i < nested_count; i++)
        mem_free(MEM_DOMAIN_RAW, nested_blocks[i]);
}
