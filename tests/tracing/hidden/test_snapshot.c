/*
 * hidden/test_snapshot.c -- the hidden tests of test_snapshot.c's area (the public file
 * tests/tracing/test_snapshot.c); those that came from mutation testing are tagged
 * "mutation".
 */
#include "tracing_hidden.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ==================================================================== snapshots */
ML_TEST(hidden_snapshot_survives_clear_traces, .points = 1, .visibility = ML_HIDDEN,
        .description = "clear_traces after a snapshot leaves the snapshot whole",
        .hint = "handout 4, Snapshots")
{
    ck_assert_int_eq(trace_start(2), 0);
    void *p = alloc_at("keep.py", 9, 77);
    trace_snapshot *s = trace_take_snapshot();
    ck_assert_ptr_nonnull(s);
    trace_clear_traces();
    trace_snapshot *empty = trace_take_snapshot();
    ck_assert_ptr_nonnull(empty);
    ck_assert_uint_eq(trace_snapshot_len(empty), 0);
    trace_stats *st = trace_snapshot_statistics(s, "traceback", 0);
    ck_assert_ptr_nonnull(st);
    ck_assert_str_eq(stat_text(&st->items[0]), "keep.py:9: size=77 B, count=1, average=77 B");
    trace_stats_free(st);
    st = trace_snapshot_statistics(empty, "lineno", 1);
    ck_assert_ptr_nonnull(st);
    ck_assert_uint_eq(st->len, 0);
    trace_stats_free(st);
    trace_diffs *d = trace_snapshot_compare_to(empty, s, "lineno", 0);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->len, 1);
    ck_assert_str_eq(diff_text(&d->items[0]), "keep.py:9: size=0 B (-77 B), count=0 (-1)");
    trace_diffs_free(d);
    trace_snapshot_free(s);
    trace_snapshot_free(empty);
    mem_free(MEM_DOMAIN_OBJ, p);
}

ML_TEST(hidden_snapshot_new_out_of_memory_says_so, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
        .description = "trace_snapshot_new without memory returns NULL and says \"out of memory\", "
                       "replacing an earlier message",
        .hint = "handout 4, Snapshots")
{
    ml_alloc_install(&gate, MEM_DOMAIN_RAW);
    ck_assert_int_eq(trace_start(0), -1); /* leaves the range message behind */
    shut_gate(1);
    trace_snapshot *s = trace_snapshot_new(1);
    shut_gate(0);
    ck_assert_ptr_null(s);
    ck_assert_str_eq(trace_error_message(), "out of memory");
}

ML_TEST(hidden_take_snapshot_fails_cleanly_at_any_one_allocation, .tags = "mutation", .points = 1,
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

ML_TEST(hidden_snapshot_add_accepts_65535_frames, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
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

ML_TEST(hidden_snapshot_get_out_of_range_says_which_index, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
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

ML_TEST(hidden_a_snapshot_with_300_filenames_keeps_each_apart, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
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

ML_TEST(hidden_a_snapshot_stays_whole_when_adding_a_filename_runs_out_of_memory, .tags = "mutation",
        .points = 1, .visibility = ML_HIDDEN,
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

ML_TEST(hidden_a_snapshot_stays_whole_when_adding_a_trace_runs_out_of_memory, .tags = "mutation",
        .points = 1, .visibility = ML_HIDDEN,
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

/* ==================================================================== statistics */
ML_TEST(hidden_statistics_find_33_groups_that_crowd_half_the_index, .tags = "mutation", .points = 1,
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

ML_TEST(hidden_filter_statistics_and_compare_fail_cleanly_at_any_one_allocation, .tags = "mutation",
        .points = 1, .visibility = ML_HIDDEN,
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

/* ==================================================================== sort order */
ML_TEST(hidden_tracebacks_with_the_same_oldest_frame_sort_by_the_next, .tags = "mutation",
        .points = 1, .visibility = ML_HIDDEN,
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

/* ==================================================================== compare_to */
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

ML_TEST(hidden_compare_to_breaks_ties_by_size_then_count_change_then_count, .tags = "mutation",
        .points = 1, .visibility = ML_HIDDEN,
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

ML_TEST(hidden_compare_to_out_of_memory_replaces_an_earlier_message, .tags = "mutation",
        .points = 1, .visibility = ML_HIDDEN,
        .description = "compare_to that runs out of memory says \"out of memory\", not the "
                       "message of the previous failure",
        .hint = "handout 5, compare_to")
{
    ml_alloc_install(&gate, MEM_DOMAIN_RAW);
    trace_snapshot *now = trace_snapshot_new(1);
    trace_snapshot *before = trace_snapshot_new(1);
    ck_assert_msg(now && before, "trace_snapshot_new(1) must give a snapshot");
    add_trace_text(now, 0, 64, "a.py:1");
    add_trace_text(before, 0, 32, "a.py:1");

    ck_assert_msg(trace_snapshot_compare_to(now, before, "bogus", 0) == NULL,
                  "an unknown key_type must fail");
    ck_assert_str_eq(trace_error_message(), "unknown key_type: 'bogus'");

    shut_gate(1);
    trace_diffs *diffs = trace_snapshot_compare_to(now, before, "lineno", 0);
    shut_gate(0);
    ck_assert_msg(diffs == NULL, "compare_to must fail when no memory can be had");
    ck_assert_str_eq(trace_error_message(), "out of memory");

    trace_snapshot_free(now);
    trace_snapshot_free(before);
}

/* ==================================================================== filters */
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

ML_TEST(hidden_filters_normalize_only_a_real_pyc_suffix, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
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

ML_TEST(hidden_an_inclusive_filter_with_a_domain_needs_both, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
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

ML_TEST(hidden_a_filter_without_pattern_or_domain_is_named_in_the_message, .tags = "mutation",
        .points = 1, .visibility = ML_HIDDEN,
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

/* ==================================================================== dump and load */
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

ML_TEST(hidden_dump_refuses_a_path_too_long_for_its_temporary_file, .tags = "mutation", .points = 1,
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

ML_TEST(hidden_a_failed_rename_leaves_no_temporary_file, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
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

ML_TEST(hidden_dump_and_load_fail_cleanly_at_any_one_allocation, .tags = "mutation", .points = 1,
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

/* A hand-made snapshot file: header, body, then the size and checksum. */
typedef struct file_image {
    unsigned char b[512];
    size_t len;
} file_image, image;

static void w(file_image *f, uint64_t v, int width)
{
    for (int i = 0; i < width; i++)
        f->b[f->len++] = (unsigned char)(v >> (8 * i));
}

static void put_le(image *f, uint64_t v, int width) { w(f, v, width); }

static void header(file_image *f)
{
    f->len = 0;
    memcpy(f->b, "MLTRACE\n", 8);
    f->len = 8;
    w(f, 1, 4); /* version */
    w(f, 0, 8); /* file size, set when the file is loaded */
    w(f, 1, 4); /* traceback limit */
}

static void image_header(image *f) { header(f); }

/* Set the size field (off by `size_delta`), append the checksum, write the
 * file at `path` and load it. */
static trace_snapshot *load_image_at(file_image *f, const char *path, long size_delta)
{
    uint64_t total = f->len + 8 + (uint64_t)size_delta, h = 0xcbf29ce484222325ULL;
    for (int i = 0; i < 8; i++)
        f->b[12 + i] = (unsigned char)(total >> (8 * i));
    for (size_t i = 0; i < f->len; i++)
        h = (h ^ f->b[i]) * 0x100000001b3ULL;
    w(f, h, 8);
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(f->b, 1, f->len, fp), f->len);
    fclose(fp);
    trace_snapshot *s = trace_snapshot_load(path);
    remove(path);
    return s;
}

static trace_snapshot *load_image(image *f)
{
    return load_image_at(f, "/tmp/memlab-tracing-mutation-made.snap", 0);
}

/* Load the file (its size field off by `size_delta`): it must be refused,
 * with a message that contains `why`. */
static void finish_and_expect(file_image *f, const char *why, long size_delta)
{
    trace_snapshot *s = load_image_at(f, "/tmp/memlab-tracing-hidden-made.snap", size_delta);
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

ML_TEST(hidden_load_tells_a_short_foreign_file_from_a_cut_snapshot, .tags = "mutation", .points = 1,
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

ML_TEST(hidden_load_refuses_a_filename_longer_than_the_rest_of_the_file, .tags = "mutation",
        .points = 1, .visibility = ML_HIDDEN,
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

ML_TEST(hidden_load_refuses_frames_without_filenames_and_cut_tracebacks, .tags = "mutation",
        .points = 1, .visibility = ML_HIDDEN,
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

ML_TEST(hidden_load_checks_trace_counts_and_indexes_at_their_bounds, .tags = "mutation",
        .points = 1, .visibility = ML_HIDDEN,
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
