/*
 * test_format.c -- the text, byte for byte as Lib/tracemalloc.py writes it
 * (handout section 7).
 */
#include "tracing_test.h"

ML_TEST(format_size_stays_in_bytes_below_10_kib, .points = 2,
        .description = "_format_size: whole bytes up to 10239, then KiB with one decimal",
        .hint = "handout 7, Sizes")
{
    ck_assert_str_eq(size_text(0, 0), "0 B");
    ck_assert_str_eq(size_text(1023, 0), "1023 B");
    ck_assert_str_eq(size_text(10239, 0), "10239 B");
    ck_assert_str_eq(size_text(10240, 0), "10.0 KiB");
    ck_assert_str_eq(size_text(67483, 0), "65.9 KiB");
}

ML_TEST(
    format_size_rounds_before_switching_units_as_cpython_does, .points = 2,
    .description = "102349 B is '100.0 KiB' (rounded after the < 100 test), 102400 B is '100 KiB'",
    .hint = "handout 7, Sizes")
{
    ck_assert_str_eq(size_text(102349, 0), "100.0 KiB");
    ck_assert_str_eq(size_text(102400, 0), "100 KiB");
    ck_assert_str_eq(size_text(10485759, 0), "10240 KiB");
    ck_assert_str_eq(size_text(10485760, 0), "10.0 MiB");
    ck_assert_str_eq(size_text(1073741823, 0), "1024 MiB");
    ck_assert_str_eq(size_text(112589990684262400.0, 0), "102400 TiB");
}

ML_TEST(format_size_with_sign_and_half_even_rounding, .points = 2,
        .description = "sign=True prints +/-, '%.0f' rounds half to even (2.5 B is 2 B)",
        .hint = "handout 7, Sizes")
{
    ck_assert_str_eq(size_text(0, 1), "+0 B");
    ck_assert_str_eq(size_text(-0.4, 1), "-0 B");
    ck_assert_str_eq(size_text(2.5, 0), "2 B");
    ck_assert_str_eq(size_text(1.5, 1), "+2 B");
    ck_assert_str_eq(size_text(-10240, 1), "-10.0 KiB");
    ck_assert_str_eq(size_text(-102400, 0), "-100 KiB");
}

ML_TEST(format_statistic_line, .points = 2,
        .description = "str(Statistic): 'file:line: size=..., count=..., average=...'",
        .hint = "handout 7, Statistics")
{
    trace_snapshot *s = trace_snapshot_new(1);
    add_trace_text(s, 0, 67483, "a.py:10");
    trace_stats *st = trace_snapshot_statistics(s, "lineno", 0);
    ck_assert_ptr_nonnull(st);
    st->items[0].count = 947;
    ck_assert_str_eq(stat_text(&st->items[0]), "a.py:10: size=65.9 KiB, count=947, average=71 B");
    st->items[0].size = st->items[0].count = 0;
    ck_assert_str_eq(stat_text(&st->items[0]), "a.py:10: size=0 B, count=0");
    trace_stats_free(st);
    trace_snapshot_free(s);
}

ML_TEST(format_statistic_diff_line, .points = 2,
        .description = "str(StatisticDiff): sizes and counts with their signed differences",
        .hint = "handout 7, Statistics")
{
    trace_frame f = {"a.py", 10};
    char tb_mem[sizeof(trace_traceback) + sizeof(trace_frame)];
    trace_traceback *tb = (trace_traceback *)tb_mem;
    tb->nframe = tb->total_nframe = 1;
    tb->frames[0] = f;
    trace_statistic_diff d = {tb, 1000, 1000, 4, 4};
    ck_assert_str_eq(diff_text(&d), "a.py:10: size=1000 B (+1000 B), count=4 (+4), average=250 B");
    d = (trace_statistic_diff){tb, 10240, -10, 7, -1};
    ck_assert_str_eq(diff_text(&d), "a.py:10: size=10.0 KiB (-10 B), count=7 (-1), average=1463 B");
    d = (trace_statistic_diff){tb, 0, -1000, 0, -4};
    ck_assert_str_eq(diff_text(&d), "a.py:10: size=0 B (-1000 B), count=0 (-4)");
}

static const trace_traceback *first_traceback(trace_snapshot *s)
{
    trace_trace t;
    ck_assert_int_eq(trace_snapshot_get(s, 0, &t), 0);
    return t.traceback;
}

ML_TEST(format_traceback_lines_oldest_first, .points = 2,
        .description = "Traceback.format(): one '  File \"f\", line n' per frame, oldest first",
        .hint = "handout 7, Tracebacks")
{
    trace_snapshot *s = trace_snapshot_new(3);
    add_trace_text(s, 0, 1, "b.py:5 a.py:2 main.py:9");
    const trace_traceback *tb = first_traceback(s);
    char buf[512] = "";
    trace_format_traceback(buf, sizeof buf, tb, TRACE_NO_LIMIT, 0);
    ck_assert_str_eq(buf, "  File \"main.py\", line 9\n  File \"a.py\", line 2\n"
                          "  File \"b.py\", line 5\n");
    trace_format_traceback(buf, sizeof buf, tb, TRACE_NO_LIMIT, 1);
    ck_assert_str_eq(buf, "  File \"b.py\", line 5\n  File \"a.py\", line 2\n"
                          "  File \"main.py\", line 9\n");
    trace_snapshot_free(s);
}

ML_TEST(format_traceback_limit_keeps_python_slicing, .points = 2,
        .description = "limit=1 keeps the most recent frame, limit=-1 drops it, limit=0 keeps none",
        .hint = "handout 7, Tracebacks")
{
    trace_snapshot *s = trace_snapshot_new(3);
    add_trace_text(s, 0, 1, "b.py:5 a.py:2 main.py:9");
    const trace_traceback *tb = first_traceback(s);
    char buf[512] = "";
    trace_format_traceback(buf, sizeof buf, tb, 1, 0);
    ck_assert_str_eq(buf, "  File \"b.py\", line 5\n");
    trace_format_traceback(buf, sizeof buf, tb, -1, 0);
    ck_assert_str_eq(buf, "  File \"main.py\", line 9\n  File \"a.py\", line 2\n");
    trace_format_traceback(buf, sizeof buf, tb, 2, 1);
    ck_assert_str_eq(buf, "  File \"b.py\", line 5\n  File \"a.py\", line 2\n");
    ck_assert_int_eq(trace_format_traceback(buf, sizeof buf, tb, 0, 0), 0);
    ck_assert_str_eq(buf, "");
    trace_snapshot_free(s);
}

ML_TEST(format_traceback_repr_marks_truncation, .points = 1,
        .description = "repr(Traceback) lists frames oldest first and ends with total_nframe",
        .hint = "handout 7, Tracebacks")
{
    trace_snapshot *s = trace_snapshot_new(2);
    trace_frame frames[] = {{"b.py", 5}, {"a.py", 2}};
    ck_assert_int_eq(trace_snapshot_add(s, 0, 1, frames, 2, 7), 0);
    ck_assert_int_eq(trace_snapshot_add(s, 0, 1, frames, 1, 1), 0);
    char buf[512] = "";
    trace_trace t;
    trace_snapshot_get(s, 0, &t);
    trace_format_traceback_repr(buf, sizeof buf, t.traceback);
    ck_assert_str_eq(buf, "<Traceback (<Frame filename='a.py' lineno=2>, <Frame filename='b.py' "
                          "lineno=5>) total_nframe=7>");
    trace_snapshot_get(s, 1, &t);
    trace_format_traceback_repr(buf, sizeof buf, t.traceback);
    ck_assert_str_eq(buf, "<Traceback (<Frame filename='b.py' lineno=5>,) total_nframe=1>");
    trace_format_trace(buf, sizeof buf, &t);
    ck_assert_str_eq(buf, "b.py:5: 1 B");
    trace_snapshot_free(s);
}

ML_TEST(format_functions_truncate_like_snprintf, .points = 1,
        .description = "a short buffer gets a NUL-terminated prefix; the full length is returned",
        .hint = "handout 7, Text")
{
    char buf[6] = "";
    ck_assert_int_eq(trace_format_size(buf, sizeof buf, 10240, 0), 8);
    ck_assert_str_eq(buf, "10.0 ");
    trace_frame f = {"main.py", 12};
    ck_assert_int_eq(trace_format_frame(NULL, 0, &f), 10);
    ck_assert_int_eq(trace_format_frame(buf, sizeof buf, &f), 10);
    ck_assert_str_eq(buf, "main.");
}
