/*
 * test_hidden_robust.c -- instructor-only tests of failure paths: running
 * out of memory at every allocation the layer makes, files with a valid
 * checksum but a broken structure, nested reallocs, bad arguments.
 */
#include "../tracing_test.h"
#include "mlalloc.h"

/* ------------------------------------------------ an allocator that runs dry */

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

/* ------------------------------------------------ hand-made files */

typedef struct file_image {
    unsigned char b[512];
    size_t len;
} file_image;

static void w(file_image *f, uint64_t v, int width)
{
    for (int i = 0; i < width; i++)
        f->b[f->len++] = (unsigned char)(v >> (8 * i));
}

static void header(file_image *f)
{
    f->len = 0;
    memcpy(f->b, "MLTRACE\n", 8);
    f->len = 8;
    w(f, 1, 4); /* version */
    w(f, 0, 8); /* file size, set by finish */
    w(f, 1, 4); /* traceback limit */
}

/* Set the size field, append the checksum, write the file, load it: the
 * message must contain `why`. */
static void finish_and_expect(file_image *f, const char *why, long size_delta)
{
    uint64_t total = f->len + 8 + (uint64_t)size_delta;
    for (int i = 0; i < 8; i++)
        f->b[12 + i] = (unsigned char)(total >> (8 * i));
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < f->len; i++)
        h = (h ^ f->b[i]) * 0x100000001b3ULL;
    w(f, h, 8);
    const char *path = "/tmp/memlab-tracing-hidden-made.snap";
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    fwrite(f->b, 1, f->len, fp);
    fclose(fp);
    trace_snapshot *s = trace_snapshot_load(path);
    remove(path);
    ck_assert_msg(s == NULL, "a file that should be refused (%s) loaded", why);
    ck_assert_msg(strstr(trace_error_message(), why) != NULL, "want '%s', got: %s", why,
                  trace_error_message());
}

static void name(file_image *f, const char *s)
{
    w(f, strlen(s), 4);
    memcpy(f->b + f->len, s, strlen(s));
    f->len += strlen(s);
}

ML_TEST(hidden_load_checks_structure_behind_a_valid_checksum, .points = 2, .visibility = ML_HIDDEN,
        .description = "checksummed files with bad counts or indexes are refused as corrupt",
        .hint = "handout 6, Dump and load")
{
    file_image f;
    header(&f); /* a filename repeated */
    w(&f, 2, 4), name(&f, "a.py"), name(&f, "a.py");
    finish_and_expect(&f, "corrupt (bad or repeated filename)", 0);
    header(&f); /* a frame naming filename 5 of 1 */
    w(&f, 1, 4), name(&f, "a.py"), w(&f, 1, 4), w(&f, 1, 2), w(&f, 1, 2), w(&f, 5, 4), w(&f, 3, 4);
    finish_and_expect(&f, "corrupt (filename index out of range)", 0);
    header(&f); /* a traceback without frames */
    w(&f, 0, 4), w(&f, 1, 4), w(&f, 0, 2), w(&f, 0, 2);
    finish_and_expect(&f, "corrupt (bad frame count)", 0);
    header(&f); /* more traces than bytes */
    w(&f, 0, 4), w(&f, 0, 4), w(&f, 1000, 8);
    finish_and_expect(&f, "corrupt (trace count larger than the file)", 0);
    header(&f); /* a trace naming traceback 3 of 0 */
    w(&f, 0, 4), w(&f, 0, 4), w(&f, 1, 8), w(&f, 0, 4), w(&f, 3, 4), w(&f, 10, 8);
    finish_and_expect(&f, "corrupt (traceback index out of range)", 0);
    header(&f); /* a filename longer than the file */
    w(&f, 1, 4), w(&f, 400, 4);
    finish_and_expect(&f, "corrupt (a record runs past the end)", 0);
    header(&f); /* bytes after the traces */
    w(&f, 0, 4), w(&f, 0, 4), w(&f, 0, 8), w(&f, 7, 4);
    finish_and_expect(&f, "corrupt (unexpected bytes after the traces)", 0);
    header(&f); /* the size field says less than the file holds */
    w(&f, 0, 4), w(&f, 0, 4), w(&f, 0, 8);
    finish_and_expect(&f, "corrupt (bad file size)", -4);
    header(&f); /* a NUL inside a filename */
    w(&f, 1, 4), w(&f, 3, 4), w(&f, 'a', 1), w(&f, 0, 1), w(&f, 'b', 1);
    finish_and_expect(&f, "corrupt (bad or repeated filename)", 0);
}

/* ------------------------------------------------ nested realloc, arguments */

static void *traced_raw_block;
static void *nest_malloc(void *ctx, size_t n)
{
    (void)ctx;
    return malloc(n ? n : 1);
}
static void *nest_calloc(void *ctx, size_t a, size_t b)
{
    (void)ctx;
    return calloc(a ? a : 1, b ? b : 1);
}
static void *nest_realloc(void *ctx, void *p, size_t n)
{
    (void)ctx;
    /* the allocator underneath moves one of its own RAW blocks meanwhile */
    traced_raw_block = mem_realloc(MEM_DOMAIN_RAW, traced_raw_block, 100000);
    return realloc(p, n ? n : 1);
}
static void nest_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

ML_TEST(hidden_nested_realloc_only_forgets_the_old_trace, .points = 1, .visibility = ML_HIDDEN,
        .description = "a realloc made by the allocator underneath drops the block's old trace",
        .hint = "handout 2, Reentrancy")
{
    mem_allocator nest = {NULL, nest_malloc, nest_calloc, nest_realloc, nest_free};
    mem_set_allocator(MEM_DOMAIN_MEM, &nest);
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

ML_TEST(hidden_bad_arguments_are_refused_with_messages, .points = 1, .visibility = ML_HIDDEN,
        .description = "bad frame counts, a NULL key type, NULL frees, a short repr buffer",
        .hint = "handout 4, Snapshots")
{
    trace_snapshot *s = trace_snapshot_new(1);
    ck_assert_ptr_nonnull(s);
    trace_frame fr[2] = {{"a\\b.py", 1}, {"a\\b.py", 1}};
    ck_assert_int_eq(trace_snapshot_add(s, 0, 1, fr, 0, 0), -1);
    ck_assert_str_eq(trace_error_message(),
                     "a trace needs 1 <= nframe <= total_nframe <= 65535 frames");
    ck_assert_int_eq(trace_snapshot_add(s, 0, 1, fr, 2, 1), -1);
    ck_assert_int_eq(trace_snapshot_add(s, 0, 1, fr, 2, 2), 0);
    ck_assert_int_eq(trace_snapshot_add(s, 0, 1, fr, 1, 1), 0);
    ck_assert_ptr_null(trace_snapshot_statistics(s, NULL, 0));
    ck_assert_str_eq(trace_error_message(), "unknown key_type: None");
    trace_stats *st = trace_snapshot_statistics(s, "traceback", 0);
    ck_assert_ptr_nonnull(st);
    ck_assert_uint_eq(st->len, 2); /* ((a,1),(a,1)) > ((a,1),) */
    ck_assert_uint_eq(st->items[0].traceback->nframe, 2);
    trace_stats_free(st);
    trace_trace t;
    trace_snapshot_get(s, 1, &t);
    char buf[128] = "";
    trace_format_traceback_repr(buf, sizeof buf, t.traceback);
    ck_assert_str_eq(buf, "<Traceback (<Frame filename='a\\\\b.py' lineno=1>,) total_nframe=1>");
    trace_snapshot_free(s);
    trace_snapshot_free(NULL);
    trace_stats_free(NULL);
    trace_diffs_free(NULL);
}
