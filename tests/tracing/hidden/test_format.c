/*
 * hidden/test_format.c -- the hidden tests of test_format.c's area (the public file
 * tests/tracing/test_format.c); those that came from mutation testing are tagged
 * "mutation".
 */
#include "tracing_hidden.h"

#include <string.h>

/* ==================================================================== tracebacks */
ML_TEST(hidden_format_with_a_negative_limit_keeps_the_oldest_frame, .tags = "mutation", .points = 1,
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

/* ==================================================================== text */
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

ML_TEST(hidden_every_format_function_measures_without_a_buffer_and_writes_only_size_bytes,
        .tags = "mutation", .points = 1, .visibility = ML_HIDDEN,
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
