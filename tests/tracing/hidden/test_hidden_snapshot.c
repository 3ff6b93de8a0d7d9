/*
 * test_hidden_snapshot.c -- instructor-only tests of snapshots: files cut at
 * every length and corrupted at every byte, filters' corners, cumulative
 * comparisons and exact text against CPython's.
 */
#include "../tracing_test.h"

static trace_snapshot *small_snapshot(void)
{
    trace_snapshot *s = trace_snapshot_new(2);
    add_trace_text(s, 0, 100, "a.py:1 main.py:9");
    add_trace_text(s, 3, 300, "lib/y.py:5 a.py:2");
    add_trace_text(s, 0, 12, "it's.py:3");
    return s;
}

static size_t file_bytes(const char *path, unsigned char *data, size_t cap)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    size_t len = fread(data, 1, cap, fp);
    fclose(fp);
    return len;
}

static void put_bytes(const char *path, const unsigned char *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
    fclose(fp);
}

ML_TEST(hidden_load_rejects_every_truncation, .points = 2, .visibility = ML_HIDDEN,
        .description = "a dump cut at any length loads as an error that says 'truncated'",
        .hint = "handout 6, Dump and load", .timeout = 10)
{
    const char *path = "/tmp/memlab-tracing-hidden-trunc.snap";
    trace_snapshot *s = small_snapshot();
    ck_assert_int_eq(trace_snapshot_dump(s, path), 0);
    trace_snapshot_free(s);
    static unsigned char data[4096];
    size_t len = file_bytes(path, data, sizeof data);
    for (size_t cut = 0; cut < len; cut++) {
        put_bytes(path, data, cut);
        trace_snapshot *back = trace_snapshot_load(path);
        ck_assert_msg(back == NULL, "a file cut at %zu of %zu bytes loaded", cut, len);
        ck_assert_msg(strstr(trace_error_message(), "truncated") != NULL, "cut at %zu: %s", cut,
                      trace_error_message());
    }
    remove(path);
}

ML_TEST(hidden_load_rejects_every_single_byte_corruption, .points = 2, .visibility = ML_HIDDEN,
        .description = "flipping any one byte of a dump makes load fail cleanly, never crash",
        .hint = "handout 6, Dump and load", .timeout = 10)
{
    const char *path = "/tmp/memlab-tracing-hidden-flip.snap";
    trace_snapshot *s = small_snapshot();
    ck_assert_int_eq(trace_snapshot_dump(s, path), 0);
    trace_snapshot_free(s);
    static unsigned char data[4096];
    size_t len = file_bytes(path, data, sizeof data);
    for (size_t i = 0; i < len; i++) {
        data[i] ^= 0x5a;
        put_bytes(path, data, len);
        trace_snapshot *back = trace_snapshot_load(path);
        ck_assert_msg(back == NULL, "byte %zu flipped: the file still loaded", i);
        ck_assert_msg(strstr(trace_error_message(), path) != NULL, "byte %zu: %s", i,
                      trace_error_message());
        data[i] ^= 0x5a;
    }
    remove(path);
}

ML_TEST(hidden_load_names_another_version_exactly, .points = 1, .visibility = ML_HIDDEN,
        .description = "a file of format version 2 is refused with the exact message",
        .hint = "handout 6, Dump and load")
{
    const char *path = "/tmp/memlab-tracing-hidden-v2.snap";
    trace_snapshot *s = small_snapshot();
    ck_assert_int_eq(trace_snapshot_dump(s, path), 0);
    trace_snapshot_free(s);
    static unsigned char data[4096];
    size_t len = file_bytes(path, data, sizeof data);
    data[8] = 2; /* the version follows the 8-byte magic */
    put_bytes(path, data, len);
    ck_assert_ptr_null(trace_snapshot_load(path));
    ck_assert_str_eq(trace_error_message(), "snapshot file '/tmp/memlab-tracing-hidden-v2.snap': "
                                            "unsupported format version 2 (expected 1)");
    remove(path);
}

ML_TEST(hidden_dump_of_a_large_taken_snapshot_round_trips, .points = 2, .visibility = ML_HIDDEN,
        .description = "10,000 traced blocks: dump, load, identical statistics; bad path fails",
        .hint = "handout 6, Dump and load", .timeout = 10)
{
    ck_assert_int_eq(trace_start(3), 0);
    static void *p[10000];
    mem_frame_push("big.py", 1, "main");
    for (int i = 0; i < 10000; i++) {
        mem_frame_push(i % 2 ? "odd.py" : "even.py", (unsigned)(i % 37), "f");
        p[i] = mem_malloc(MEM_DOMAIN_OBJ, (size_t)(i % 300));
        mem_frame_pop();
    }
    mem_frame_pop();
    trace_snapshot *s = trace_take_snapshot();
    ck_assert_ptr_nonnull(s);
    const char *path = "/tmp/memlab-tracing-hidden-big.snap";
    ck_assert_int_eq(trace_snapshot_dump(s, path), 0);
    trace_snapshot *back = trace_snapshot_load(path);
    remove(path);
    ck_assert_msg(back != NULL, "%s", trace_error_message());
    ck_assert_uint_eq(trace_snapshot_len(back), 10000);
    ck_assert_int_eq(trace_snapshot_traceback_limit(back), 3);
    trace_diffs *d = trace_snapshot_compare_to(back, s, "traceback", 0);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->len, 74);
    for (size_t i = 0; i < d->len; i++)
        ck_assert_msg(d->items[i].size_diff == 0 && d->items[i].count_diff == 0,
                      "group %zu differs after load", i);
    trace_diffs_free(d);
    ck_assert_int_eq(trace_snapshot_dump(s, "/nonexistent-dir/x.snap"), -1);
    ck_assert_str_eq(trace_error_message(), "snapshot file '/nonexistent-dir/x.snap': cannot "
                                            "write it");
    trace_snapshot_free(s);
    trace_snapshot_free(back);
    for (int i = 0; i < 10000; i++)
        mem_free(MEM_DOMAIN_OBJ, p[i]);
}

static size_t kept(const trace_snapshot *s, trace_filter f)
{
    trace_snapshot *out = trace_snapshot_filter_traces(s, &f, 1);
    ck_assert_ptr_nonnull(out);
    size_t n = trace_snapshot_len(out);
    trace_snapshot_free(out);
    return n;
}

ML_TEST(hidden_filters_normalize_pyc_and_combine_line_and_all_frames, .points = 2,
        .visibility = ML_HIDDEN,
        .description = "'.pyc' patterns match '.py' names; lineno with all_frames; bad filters",
        .hint = "handout 6, Filters")
{
    trace_snapshot *s = small_snapshot();
    ck_assert_uint_eq(kept(s, (trace_filter){.inclusive = 1, .filename_pattern = "lib/y.pyc"}), 1);
    ck_assert_uint_eq(kept(s, (trace_filter){.inclusive = 1, .filename_pattern = "*/*.py"}), 1);
    ck_assert_uint_eq(kept(s, (trace_filter){.inclusive = 1,
                                             .filename_pattern = "a.py",
                                             .has_lineno = 1,
                                             .lineno = 2,
                                             .all_frames = 1}),
                      1);
    ck_assert_uint_eq(kept(s, (trace_filter){.inclusive = 0,
                                             .filename_pattern = "a.py",
                                             .has_lineno = 1,
                                             .lineno = 2,
                                             .all_frames = 1}),
                      2);
    ck_assert_uint_eq(kept(s, (trace_filter){.inclusive = 1, .filename_pattern = "it?s.py"}), 1);
    ck_assert_uint_eq(kept(s, (trace_filter){.inclusive = 1, .filename_pattern = "[!a]*"}), 2);
    ck_assert_uint_eq(kept(s, (trace_filter){.inclusive = 0, .has_domain = 1, .domain = 3}), 2);
    trace_filter bad = {.inclusive = 1};
    ck_assert_ptr_null(trace_snapshot_filter_traces(s, &bad, 1));
    trace_snapshot_free(s);
}

ML_TEST(hidden_cumulative_compare_matches_cpython, .points = 2, .visibility = ML_HIDDEN,
        .description = "compare_to(old, 'lineno', cumulative=True): CPython's 8 lines, in order",
        .hint = "handout 5, compare_to")
{
    trace_snapshot *s = trace_snapshot_new(3), *old = trace_snapshot_new(3);
    add_trace_text(s, 0, 100, "a.py:1 main.py:9");
    add_trace_text(s, 0, 100, "a.py:1 main.py:9");
    add_trace_text(s, 0, 300, "b.py:5 a.py:2 main.py:9");
    add_trace_text(s, 0, 50, "a.py:3 main.py:10");
    add_trace_text(s, 1, 200, "c.py:4");
    add_trace_text(s, 0, 100, "b.py:5 a.py:2 main.py:9");
    add_trace_text(old, 0, 100, "a.py:1 main.py:9");
    add_trace_text(old, 0, 500, "d.py:8");
    add_trace_text(old, 0, 50, "a.py:3 main.py:10");
    trace_diffs *d = trace_snapshot_compare_to(s, old, "lineno", 1);
    ck_assert_ptr_nonnull(d);
    const char *want[] = {
        "main.py:9: size=600 B (+500 B), count=4 (+3), average=150 B",
        "d.py:8: size=0 B (-500 B), count=0 (-1)",
        "b.py:5: size=400 B (+400 B), count=2 (+2), average=200 B",
        "a.py:2: size=400 B (+400 B), count=2 (+2), average=200 B",
        "c.py:4: size=200 B (+200 B), count=1 (+1), average=200 B",
        "a.py:1: size=200 B (+100 B), count=2 (+1), average=100 B",
        "main.py:10: size=50 B (+0 B), count=1 (+0), average=50 B",
        "a.py:3: size=50 B (+0 B), count=1 (+0), average=50 B",
    };
    ck_assert_uint_eq(d->len, 8);
    for (size_t i = 0; i < 8; i++)
        ck_assert_str_eq(diff_text(&d->items[i]), want[i]);
    trace_diffs_free(d);
    ck_assert_ptr_null(trace_snapshot_compare_to(s, old, "traceback", 1));
    ck_assert_str_eq(trace_error_message(),
                     "cumulative mode cannot by used with key type 'traceback'");
    trace_snapshot_free(s);
    trace_snapshot_free(old);
}

ML_TEST(hidden_text_of_quotes_large_sizes_and_long_tracebacks, .points = 2, .visibility = ML_HIDDEN,
        .description = "repr quoting as Python's, GiB/TiB sizes, averages, a 3-frame format",
        .hint = "handout 7, Text")
{
    trace_snapshot *s = small_snapshot();
    trace_trace t;
    ck_assert_int_eq(trace_snapshot_get(s, 2, &t), 0);
    char buf[512] = "";
    trace_format_traceback_repr(buf, sizeof buf, t.traceback);
    ck_assert_str_eq(buf, "<Traceback (<Frame filename=\"it's.py\" lineno=3>,) total_nframe=1>");
    ck_assert_str_eq(size_text(5368709120.0, 0), "5120 MiB");
    ck_assert_str_eq(size_text(-1099511627776.0 * 150, 1), "-150 TiB");
    ck_assert_str_eq(size_text(1023.5, 0), "1024 B");
    ck_assert_str_eq(size_text(104857599, 1), "+100.0 MiB");
    trace_statistic st = {t.traceback, 3000000000u, 7};
    ck_assert_str_eq(stat_text(&st), "it's.py:3: size=2861 MiB, count=7, average=409 MiB");
    trace_snapshot_get(s, 1, &t);
    trace_format_trace(buf, sizeof buf, &t);
    ck_assert_str_eq(buf, "a.py:2: 300 B");
    trace_format_traceback(buf, sizeof buf, t.traceback, -5, 0);
    ck_assert_str_eq(buf, "");
    trace_format_traceback(buf, sizeof buf, t.traceback, 5, 1);
    ck_assert_str_eq(buf, "  File \"lib/y.py\", line 5\n  File \"a.py\", line 2\n");
    trace_snapshot_free(s);
}
