/*
 * test_snapshot.c -- snapshots, statistics, compare_to, filters, dump and
 * load (handout sections 4-6).
 */
#include "memlab/draw.h"
#include "tracing_test.h"

#include <string.h>
#include <unistd.h>

ML_TEST(take_snapshot_needs_tracing, .points = 1,
        .description = "take_snapshot fails with CPython's RuntimeError text when not tracing",
        .hint = "handout 4, Snapshots")
{
    ck_assert_ptr_null(trace_take_snapshot());
    ck_assert_str_eq(trace_error_message(), "the tracemalloc module must be tracing memory "
                                            "allocations to take a snapshot");
}

ML_TEST(snapshot_is_a_consistent_copy, .points = 3,
        .description = "a snapshot keeps its traces after the blocks are freed and tracing stops",
        .hint = "handout 4, Snapshots")
{
    ck_assert_int_eq(trace_start(4), 0);
    void *a = alloc_at("a.py", 1, 100);
    void *b = alloc_at("b.py", 2, 50);
    trace_snapshot *s = trace_take_snapshot();
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(trace_snapshot_traceback_limit(s), 4);
    mem_free(MEM_DOMAIN_OBJ, a);
    void *c = alloc_at("c.py", 3, 7);
    trace_stop();
    ck_assert_uint_eq(trace_snapshot_len(s), 2);
    size_t total = 0;
    for (size_t i = 0; i < 2; i++) {
        trace_trace t;
        ck_assert_int_eq(trace_snapshot_get(s, i, &t), 0);
        total += t.size;
        ck_assert_msg(t.traceback->frames[0].filename[0] != 'c', "c.py came after the snapshot");
    }
    ck_assert_uint_eq(total, 150);
    trace_trace t;
    ck_assert_int_eq(trace_snapshot_get(s, 2, &t), -1);
    trace_snapshot_free(s);
    mem_free(MEM_DOMAIN_OBJ, b);
    mem_free(MEM_DOMAIN_OBJ, c);
}

static trace_snapshot *sample(void)
{
    /* the format oracle's built-in "new" snapshot */
    trace_snapshot *s = trace_snapshot_new(3);
    add_trace_text(s, 0, 100, "a.py:1 main.py:9");
    add_trace_text(s, 0, 100, "a.py:1 main.py:9");
    add_trace_text(s, 0, 300, "b.py:5 a.py:2 main.py:9");
    add_trace_text(s, 0, 50, "a.py:3 main.py:10");
    add_trace_text(s, 1, 200, "c.py:4");
    add_trace_text(s, 0, 100, "b.py:5 a.py:2 main.py:9");
    return s;
}

static trace_snapshot *sample_old(void)
{
    trace_snapshot *s = trace_snapshot_new(3);
    add_trace_text(s, 0, 100, "a.py:1 main.py:9");
    add_trace_text(s, 0, 500, "d.py:8");
    add_trace_text(s, 0, 50, "a.py:3 main.py:10");
    return s;
}

static void expect_stats(trace_stats *st, const char *const *lines, size_t n)
{
    ck_assert_ptr_nonnull(st);
    int wrong = st->len != n;
    for (size_t i = 0; !wrong && i < n; i++)
        wrong = strcmp(stat_text(&st->items[i]), lines[i]) != 0;
    if (wrong) /* the expected lines are in the failure message */
        ml_attach_take("statistics.svg", draw_trace_top_svg(st, 10, "your statistics"));
    ck_assert_uint_eq(st->len, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_str_eq(stat_text(&st->items[i]), lines[i]);
    trace_stats_free(st);
}

ML_TEST(statistics_by_lineno_group_on_the_most_recent_frame, .points = 3,
        .description = "statistics('lineno'): one line per most recent frame, biggest first",
        .hint = "handout 5, Statistics")
{
    trace_snapshot *s = sample();
    const char *want[] = {
        "b.py:5: size=400 B, count=2, average=200 B",
        "a.py:1: size=200 B, count=2, average=100 B",
        "c.py:4: size=200 B, count=1, average=200 B",
        "a.py:3: size=50 B, count=1, average=50 B",
    };
    expect_stats(trace_snapshot_statistics(s, "lineno", 0), want, 4);
    trace_snapshot_free(s);
}

ML_TEST(statistics_by_filename_use_line_zero, .points = 2,
        .description = "statistics('filename') groups on the file of the most recent frame, line 0",
        .hint = "handout 5, Statistics")
{
    trace_snapshot *s = sample();
    const char *want[] = {
        "b.py:0: size=400 B, count=2, average=200 B",
        "a.py:0: size=250 B, count=3, average=83 B",
        "c.py:0: size=200 B, count=1, average=200 B",
    };
    expect_stats(trace_snapshot_statistics(s, "filename", 0), want, 3);
    trace_snapshot_free(s);
}

ML_TEST(
    statistics_by_traceback_are_labelled_by_the_oldest_frame, .points = 2,
    .description = "statistics('traceback') groups whole tracebacks; str() shows the oldest frame",
    .hint = "handout 5, Statistics")
{
    trace_snapshot *s = sample();
    trace_stats *st = trace_snapshot_statistics(s, "traceback", 0);
    ck_assert_ptr_nonnull(st);
    const char *want[] = {
        "main.py:9: size=400 B, count=2, average=200 B",
        "main.py:9: size=200 B, count=2, average=100 B",
        "c.py:4: size=200 B, count=1, average=200 B",
        "main.py:10: size=50 B, count=1, average=50 B",
    };
    ck_assert_uint_eq(st->items[0].traceback->nframe, 3);
    ck_assert_str_eq(st->items[0].traceback->frames[0].filename, "b.py");
    expect_stats(st, want, 4);
    trace_snapshot_free(s);
}

ML_TEST(
    cumulative_statistics_count_every_frame, .points = 3,
    .description = "cumulative=True adds each trace to the group of every frame of its traceback",
    .hint = "handout 5, Cumulative statistics")
{
    trace_snapshot *s = sample();
    const char *want[] = {
        "main.py:9: size=600 B, count=4, average=150 B",
        "b.py:5: size=400 B, count=2, average=200 B",
        "a.py:2: size=400 B, count=2, average=200 B",
        "a.py:1: size=200 B, count=2, average=100 B",
        "c.py:4: size=200 B, count=1, average=200 B",
        "main.py:10: size=50 B, count=1, average=50 B",
        "a.py:3: size=50 B, count=1, average=50 B",
    };
    expect_stats(trace_snapshot_statistics(s, "lineno", 1), want, 7);
    const char *files[] = {
        "main.py:0: size=650 B, count=5, average=130 B",
        "a.py:0: size=650 B, count=5, average=130 B",
        "b.py:0: size=400 B, count=2, average=200 B",
        "c.py:0: size=200 B, count=1, average=200 B",
    };
    expect_stats(trace_snapshot_statistics(s, "filename", 1), files, 4);
    trace_snapshot_free(s);
}

ML_TEST(statistics_reject_bad_key_types_with_cpython_messages, .points = 2,
        .description =
            "unknown key types and cumulative tracebacks fail with CPython's ValueError text",
        .hint = "handout 5, Statistics")
{
    trace_snapshot *s = sample();
    ck_assert_ptr_null(trace_snapshot_statistics(s, "x", 0));
    ck_assert_str_eq(trace_error_message(), "unknown key_type: 'x'");
    ck_assert_ptr_null(trace_snapshot_statistics(s, "traceback", 1));
    ck_assert_str_eq(trace_error_message(),
                     "cumulative mode cannot by used with key type 'traceback'");
    ck_assert_ptr_null(trace_snapshot_compare_to(s, s, "line", 0));
    ck_assert_str_eq(trace_error_message(), "unknown key_type: 'line'");
    trace_snapshot_free(s);
}

ML_TEST(statistics_break_ties_by_count_then_traceback, .points = 2,
        .description = "equal sizes: more blocks first; then the greater traceback first",
        .hint = "handout 5, Sort order")
{
    trace_snapshot *s = trace_snapshot_new(1);
    add_trace_text(s, 0, 60, "a.py:1");
    add_trace_text(s, 0, 30, "b.py:1");
    add_trace_text(s, 0, 30, "b.py:1");
    add_trace_text(s, 0, 60, "a.py:2");
    add_trace_text(s, 0, 60, "a.py:10");
    add_trace_text(s, 0, 60, "A.py:99");
    const char *want[] = {
        "b.py:1: size=60 B, count=2, average=30 B",  "a.py:10: size=60 B, count=1, average=60 B",
        "a.py:2: size=60 B, count=1, average=60 B",  "a.py:1: size=60 B, count=1, average=60 B",
        "A.py:99: size=60 B, count=1, average=60 B",
    };
    expect_stats(trace_snapshot_statistics(s, "lineno", 0), want, 5);
    trace_snapshot_free(s);
}

ML_TEST(compare_to_reports_new_changed_and_vanished_groups, .points = 3,
        .description = "compare_to: size and count differences, old-only groups at size 0",
        .hint = "handout 5, compare_to")
{
    trace_snapshot *s = sample(), *old = sample_old();
    trace_diffs *d = trace_snapshot_compare_to(s, old, "lineno", 0);
    ck_assert_ptr_nonnull(d);
    const char *want[] = {
        "d.py:8: size=0 B (-500 B), count=0 (-1)",
        "b.py:5: size=400 B (+400 B), count=2 (+2), average=200 B",
        "c.py:4: size=200 B (+200 B), count=1 (+1), average=200 B",
        "a.py:1: size=200 B (+100 B), count=2 (+1), average=100 B",
        "a.py:3: size=50 B (+0 B), count=1 (+0), average=50 B",
    };
    ck_assert_uint_eq(d->len, 5);
    for (size_t i = 0; i < 5; i++)
        ck_assert_str_eq(diff_text(&d->items[i]), want[i]);
    ck_assert_int_eq(d->items[0].size_diff, -500);
    ck_assert_int_eq(d->items[0].count_diff, -1);
    trace_diffs_free(d);
    trace_snapshot_free(s);
    trace_snapshot_free(old);
}

ML_TEST(compare_to_matches_filenames_by_text, .points = 1,
        .description = "groups of two snapshots match by file name text, not by string address",
        .hint = "handout 5, compare_to")
{
    char name1[] = "x.py", name2[] = "x.py";
    trace_snapshot *a = trace_snapshot_new(1), *b = trace_snapshot_new(1);
    trace_frame f1 = {name1, 3}, f2 = {name2, 3};
    ck_assert_int_eq(trace_snapshot_add(a, 0, 10, &f1, 1, 1), 0);
    ck_assert_int_eq(trace_snapshot_add(b, 0, 4, &f2, 1, 1), 0);
    trace_diffs *d = trace_snapshot_compare_to(a, b, "lineno", 0);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->len, 1);
    ck_assert_str_eq(diff_text(&d->items[0]),
                     "x.py:3: size=10 B (+6 B), count=1 (+0), average=10 B");
    trace_diffs_free(d);
    trace_snapshot_free(a);
    trace_snapshot_free(b);
}

static size_t filtered_len(const trace_snapshot *s, const trace_filter *f, size_t n)
{
    trace_snapshot *out = trace_snapshot_filter_traces(s, f, n);
    ck_assert_ptr_nonnull(out);
    size_t len = trace_snapshot_len(out);
    trace_snapshot_free(out);
    return len;
}

ML_TEST(filters_include_and_exclude_by_filename_pattern, .points = 3,
        .description = "inclusive filters keep any match, exclusive ones drop every match",
        .hint = "handout 6, Filters")
{
    trace_snapshot *s = sample();
    trace_filter inc_a = {.inclusive = 1, .filename_pattern = "a.py"};
    trace_filter inc_b = {.inclusive = 1, .filename_pattern = "b*"};
    trace_filter exc_a = {.inclusive = 0, .filename_pattern = "a.py"};
    ck_assert_uint_eq(filtered_len(s, NULL, 0), 6);
    ck_assert_uint_eq(filtered_len(s, &inc_a, 1), 3);
    trace_filter both[] = {inc_a, inc_b};
    ck_assert_uint_eq(filtered_len(s, both, 2), 5);
    ck_assert_uint_eq(filtered_len(s, &exc_a, 1), 3);
    trace_filter inc_exc[] = {inc_b, exc_a};
    ck_assert_uint_eq(filtered_len(s, inc_exc, 2), 2);
    trace_snapshot_free(s);
}

ML_TEST(filters_by_line_number_and_all_frames, .points = 2,
        .description = "lineno restricts a filter to one line; all_frames looks at every frame",
        .hint = "handout 6, Filters")
{
    trace_snapshot *s = sample();
    trace_filter line1 = {.inclusive = 1, .filename_pattern = "a.py", .has_lineno = 1, .lineno = 1};
    ck_assert_uint_eq(filtered_len(s, &line1, 1), 2);
    trace_filter any_main = {.inclusive = 1, .filename_pattern = "main.py", .all_frames = 1};
    ck_assert_uint_eq(filtered_len(s, &any_main, 1), 5);
    trace_filter top_main = {.inclusive = 1, .filename_pattern = "main.py"};
    ck_assert_uint_eq(filtered_len(s, &top_main, 1), 0);
    trace_filter no_a_anywhere = {.inclusive = 0, .filename_pattern = "a.py", .all_frames = 1};
    ck_assert_uint_eq(filtered_len(s, &no_a_anywhere, 1), 1);
    trace_snapshot_free(s);
}

ML_TEST(filters_by_domain, .points = 2,
        .description = "DomainFilter and Filter(domain=) keep or drop one domain's traces",
        .hint = "handout 6, Filters")
{
    trace_snapshot *s = sample();
    trace_filter only1 = {.inclusive = 1, .has_domain = 1, .domain = 1};
    trace_filter not1 = {.inclusive = 0, .has_domain = 1, .domain = 1};
    ck_assert_uint_eq(filtered_len(s, &only1, 1), 1);
    ck_assert_uint_eq(filtered_len(s, &not1, 1), 5);
    /* exclusive Filter with a domain spares the other domains */
    trace_filter no_c_in_0 = {.inclusive = 0, .filename_pattern = "c.py", .has_domain = 1};
    ck_assert_uint_eq(filtered_len(s, &no_c_in_0, 1), 6);
    trace_filter only_c_in_1 = {
        .inclusive = 1, .filename_pattern = "c.py", .has_domain = 1, .domain = 1};
    ck_assert_uint_eq(filtered_len(s, &only_c_in_1, 1), 1);
    trace_snapshot_free(s);
}

ML_TEST(dump_then_load_gives_the_same_statistics, .points = 3,
        .description = "a dumped snapshot loads back with the same traces and statistics",
        .hint = "handout 6, Dump and load")
{
    char path[] = "/tmp/memlab-tracing-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    trace_snapshot *s = sample();
    ck_assert_int_eq(trace_snapshot_dump(s, path), 0);
    trace_snapshot *back = trace_snapshot_load(path);
    remove(path);
    ck_assert_msg(back != NULL, "load failed: %s", trace_error_message());
    ck_assert_uint_eq(trace_snapshot_len(back), 6);
    ck_assert_int_eq(trace_snapshot_traceback_limit(back), 3);
    trace_stats *a = trace_snapshot_statistics(s, "traceback", 0);
    ck_assert_ptr_nonnull(a);
    trace_stats *b = trace_snapshot_statistics(back, "traceback", 0);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(a->len, b->len);
    for (size_t i = 0; i < a->len; i++) {
        char x[256];
        snprintf(x, sizeof x, "%s", stat_text(&a->items[i]));
        ck_assert_str_eq(stat_text(&b->items[i]), x);
    }
    trace_trace t;
    trace_snapshot_get(back, 4, &t);
    ck_assert_uint_eq(t.domain, 1);
    trace_stats_free(a);
    trace_stats_free(b);
    trace_snapshot_free(s);
    trace_snapshot_free(back);
}

static void write_bytes(const char *path, const unsigned char *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    fwrite(data, 1, len, fp);
    fclose(fp);
}

static unsigned char *read_bytes(const char *path, size_t *len)
{
    static unsigned char data[65536];
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    *len = fread(data, 1, sizeof data, fp);
    fclose(fp);
    return data;
}

ML_TEST(load_rejects_a_truncated_file, .points = 2,
        .description = "loading a file cut short fails with a message saying it is truncated",
        .hint = "handout 6, Dump and load")
{
    const char *path = "/tmp/memlab-tracing-trunc.snap";
    trace_snapshot *s = sample();
    ck_assert_int_eq(trace_snapshot_dump(s, path), 0);
    trace_snapshot_free(s);
    size_t len;
    unsigned char *data = read_bytes(path, &len);
    write_bytes(path, data, len - 10);
    ck_assert_ptr_null(trace_snapshot_load(path));
    remove(path);
    ck_assert_msg(strstr(trace_error_message(), "truncated") != NULL, "message: %s",
                  trace_error_message());
    ck_assert_msg(strstr(trace_error_message(), path) != NULL, "the message names the file");
}

ML_TEST(load_rejects_a_corrupt_or_foreign_file, .points = 2,
        .description = "a flipped byte is 'corrupt', another format is 'not a memlab snapshot'",
        .hint = "handout 6, Dump and load")
{
    const char *path = "/tmp/memlab-tracing-corrupt.snap";
    trace_snapshot *s = sample();
    ck_assert_int_eq(trace_snapshot_dump(s, path), 0);
    trace_snapshot_free(s);
    size_t len;
    unsigned char *data = read_bytes(path, &len);
    data[len / 2] ^= 0x40;
    write_bytes(path, data, len);
    ck_assert_ptr_null(trace_snapshot_load(path));
    ck_assert_msg(strstr(trace_error_message(), "corrupt") != NULL, "message: %s",
                  trace_error_message());
    write_bytes(path, (const unsigned char *)"\x80\x05\x95pickle data here......", 26);
    ck_assert_ptr_null(trace_snapshot_load(path));
    ck_assert_msg(strstr(trace_error_message(), "not a memlab snapshot") != NULL, "message: %s",
                  trace_error_message());
    remove(path);
    ck_assert_ptr_null(trace_snapshot_load(path));
    ck_assert_msg(strstr(trace_error_message(), "cannot open") != NULL, "message: %s",
                  trace_error_message());
}

ML_TEST(notebook_top_lines_from_real_allocations, .points = 3,
        .description = "tracing real allocations gives the notebook's lineno listing",
        .hint = "handout 5, Statistics")
{
    ck_assert_int_eq(trace_start(1), 0);
    void *items[947];
    mem_frame_push("notebook.py", 3, "build");
    for (int i = 0; i < 947; i++) {
        ML_LINE(4);
        items[i] = mem_malloc(MEM_DOMAIN_OBJ, i < 946 ? 71 : 317); /* 67483 bytes */
    }
    ML_LINE(5);
    void *table = mem_malloc(MEM_DOMAIN_MEM, 8 * 947);
    mem_frame_pop();
    trace_snapshot *s = trace_take_snapshot();
    ck_assert_ptr_nonnull(s);
    trace_stats *st = trace_snapshot_statistics(s, "lineno", 0);
    ck_assert_ptr_nonnull(st);
    ck_assert_uint_eq(st->len, 2);
    ck_assert_str_eq(stat_text(&st->items[0]),
                     "notebook.py:4: size=65.9 KiB, count=947, average=71 B");
    ck_assert_str_eq(stat_text(&st->items[1]),
                     "notebook.py:5: size=7576 B, count=1, average=7576 B");
    trace_stats_free(st);
    trace_snapshot_free(s);
    for (int i = 0; i < 947; i++)
        mem_free(MEM_DOMAIN_OBJ, items[i]);
    mem_free(MEM_DOMAIN_MEM, table);
}
