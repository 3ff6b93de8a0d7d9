/*
 * statistics.c -- YOUR FILE (with tracer.c and snapshot.c). statistics, compare_to and the text of
 * tracebacks and statistics: CPython 3.11's Lib/tracemalloc.py Statistic, StatisticDiff and the
 * format functions, in C.  Handout parts 5 and 7 (labs/tracing/README.md); contracts in
 * memlab/tracing.h.
 */
#include "memlab/internal/tracing.h"
#include "memlab/mem.h"
#include "memlab/tracing.h"

/* Delete this line once your functions use the helpers below. */
#pragma GCC diagnostic ignored "-Wunused-function"

#include <fnmatch.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ================================================================ statistics */

/* Grouping: each group's key is a traceback that owns its frames and
 * filename text, found by content through an open-addressing index. */
typedef struct grouping {
    trace_statistic *items; /* key, size, count per group */
    size_t len, cap;
    uint32_t *slots; /* index + 1 into items, 0 = empty */
    size_t slots_cap;
} grouping;

static uint64_t frames_hash(const trace_frame *frames, size_t n)
{
    /* TODO: hash of a key's frames by content (filename text and lineno). */
    (void)frames;
    (void)n;
    return 0;
}

static bool frames_equal(const trace_traceback *key, const trace_frame *frames, size_t n)
{
    /* TODO: does the key have exactly these frames (filenames compared by text)?. */
    (void)key;
    (void)frames;
    (void)n;
    return false;
}

static uint32_t *group_slot(const grouping *g, const trace_frame *frames, size_t n)
{
    /* TODO: probe the group index to the slot of this key or the empty slot where it would go. */
    (void)g;
    (void)frames;
    (void)n;
    return NULL;
}

/* Index of the group whose key is `frames`, or NO_INDEX. */
static uint32_t group_find(const grouping *g, const trace_frame *frames, size_t n)
{
    /* TODO: index of the group with this key, or NO_INDEX. */
    (void)g;
    (void)frames;
    (void)n;
    return NO_INDEX;
}

static int groups_grow(grouping *g)
{
    /* TODO: double the group index and re-insert every group. */
    (void)g;
    return -1;
}

/* A key traceback owning copies of the frames and their filenames. */
static trace_traceback *make_key(const trace_frame *frames, size_t n)
{
    /* TODO: one allocation holding a traceback with these frames and copies of their
     * filenames. */
    (void)frames;
    (void)n;
    return NULL;
}

/* The group of key `frames`, created (size 0, count 0) on first use;
 * NO_INDEX on out of memory. */
static uint32_t group_of(grouping *g, const trace_frame *frames, size_t n)
{
    /* TODO: the group of this key, created with size 0 and count 0 on first use. */
    (void)g;
    (void)frames;
    (void)n;
    return NO_INDEX;
}

static void grouping_free(grouping *g)
{
    /* TODO: release every key, the items and the index. */
    (void)g;
}

typedef enum key_kind { KEY_LINENO, KEY_FILENAME, KEY_TRACEBACK } key_kind;

static int parse_key(const char *key_type, int cumulative, key_kind *out)
{
    /* TODO: "lineno", "filename" or "traceback"; CPython's messages for an unknown key type
     * and for cumulative tracebacks. */
    (void)key_type;
    (void)cumulative;
    (void)out;
    return -1;
}

/* The group of frame `f` alone (lineno), or of (filename, 0) (filename). */
static uint32_t frame_group(grouping *g, key_kind kind, const trace_frame *f)
{
    /* TODO: the group of one frame: (filename, lineno) for lineno, (filename, 0) for filename. */
    (void)g;
    (void)kind;
    (void)f;
    return NO_INDEX;
}

/* Snapshot._group_by: work per traceback first (a snapshot has few), then
 * add each trace to its group(s) through a table indexed by traceback. */
static grouping *group_by(const trace_snapshot *snap, key_kind kind, int cumulative)
{
    /* TODO: Snapshot._group_by: find the group(s) of each snapshot traceback once, then add
     * every trace's size and count to them. */
    (void)snap;
    (void)kind;
    (void)cumulative;
    return NULL;
}

static int compare_frame(const trace_frame *a, const trace_frame *b)
{
    /* TODO: compare filenames (strcmp), then line numbers. */
    (void)a;
    (void)b;
    return 0;
}

/* Traceback.__lt__: tuples of frames compared from the OLDEST frame. */
static int compare_traceback(const trace_traceback *a, const trace_traceback *b)
{
    /* TODO: compare tracebacks as Python compares tuples of frames, from the oldest frame. */
    (void)a;
    (void)b;
    return 0;
}

#define CMP(x, y) (((x) > (y)) - ((x) < (y)))

/* sort(reverse=True, key=(size, count, traceback)) */
static int statistic_order(const void *pa, const void *pb)
{
    /* TODO: decreasing (size, count, traceback). */
    (void)pa;
    (void)pb;
    return 0;
}

static uint64_t magnitude(int64_t v) { return v < 0 ? -(uint64_t)v : (uint64_t)v; }

/* sort(reverse=True, key=(|size_diff|, size, |count_diff|, count, traceback)) */
static int diff_order(const void *pa, const void *pb)
{
    /* TODO: decreasing (|size_diff|, size, |count_diff|, count, traceback). */
    (void)pa;
    (void)pb;
    return 0;
}

trace_stats *trace_snapshot_statistics(const trace_snapshot *snap, const char *key_type,
                                       int cumulative)
{
    /* TODO: check the key type, group, sort; the list owns the grouping. */
    (void)snap;
    (void)key_type;
    (void)cumulative;
    return NULL;
}

void trace_stats_free(trace_stats *stats)
{
    /* TODO: release the grouping and the list. */
    (void)stats;
}

/* What a diff list keeps alive: both groupings (the keys) and its items. */
typedef struct diff_keys {
    grouping *new_groups, *old_groups;
} diff_keys;

/* _compare_grouped_stats: every new group, then the old groups not seen. */
static trace_statistic_diff *diff_groups(const grouping *new_g, const grouping *old_g, size_t *len)
{
    /* TODO: _compare_grouped_stats: one diff per new group, then one per old group not seen. */
    (void)new_g;
    (void)old_g;
    (void)len;
    return NULL;
}

trace_diffs *trace_snapshot_compare_to(const trace_snapshot *snap, const trace_snapshot *old,
                                       const char *key_type, int cumulative)
{
    /* TODO: group both snapshots, diff them, sort. */
    (void)snap;
    (void)old;
    (void)key_type;
    (void)cumulative;
    return NULL;
}

void trace_diffs_free(trace_diffs *diffs)
{
    /* TODO: release both groupings, the items and the list. */
    (void)diffs;
}

/* ================================================================ text */

/* Text written like snprintf into buf[0..size), keeping the full length. */
typedef struct text {
    char *buf;
    size_t size;
    size_t len;
} text;

__attribute__((format(printf, 2, 3))) static void emit(text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = t->len < t->size ? t->size - t->len : 0;
    int n = vsnprintf(room ? t->buf + t->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len += (size_t)n;
}

static int done(const text *t) { return (int)t->len; }

/* _format_size: stay in bytes below 10 KiB; one decimal below 100 of a
 * unit; TiB is the last unit. */
static void emit_size(text *t, double value, int sign)
{
    /* TODO: _format_size: B below 10 KiB, one decimal below 100 of a unit, TiB is the last
     * unit. */
    (void)t;
    (void)value;
    (void)sign;
}

int trace_format_size(char *buf, size_t size, double value, int sign)
{
    /* TODO: _format_size(value, sign). */
    (void)buf;
    (void)size;
    (void)value;
    (void)sign;
    return 0;
}

static void emit_frame(text *t, const trace_frame *f)
{
    /* TODO: "file:line". */
    (void)t;
    (void)f;
}

int trace_format_frame(char *buf, size_t size, const trace_frame *frame)
{
    /* TODO: str(Frame). */
    (void)buf;
    (void)size;
    (void)frame;
    return 0;
}

/* str(Traceback) is its oldest frame: the last one stored. */
static void emit_traceback_str(text *t, const trace_traceback *tb)
{
    /* TODO: str(Traceback): the oldest frame. */
    (void)t;
    (void)tb;
}

int trace_format_traceback_str(char *buf, size_t size, const trace_traceback *tb)
{
    /* TODO: str(Traceback). */
    (void)buf;
    (void)size;
    (void)tb;
    return 0;
}

/* repr(str): single quotes unless the text has ' and no ". */
static void emit_py_repr(text *t, const char *s)
{
    char quote = strchr(s, '\'') && !strchr(s, '"') ? '"' : '\'';
    emit(t, "%c", quote);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\\' || *p == (unsigned char)quote)
            emit(t, "\\%c", *p);
        else if (*p == '\n')
            emit(t, "\\n");
        else if (*p == '\r')
            emit(t, "\\r");
        else if (*p == '\t')
            emit(t, "\\t");
        else if (*p < 0x20 || *p == 0x7f)
            emit(t, "\\x%02x", *p);
        else
            emit(t, "%c", *p);
    }
    emit(t, "%c", quote);
}

int trace_format_traceback_repr(char *buf, size_t size, const trace_traceback *tb)
{
    /* TODO: repr(Traceback), frames oldest first, then total_nframe. */
    (void)buf;
    (void)size;
    (void)tb;
    return 0;
}

int trace_format_traceback(char *buf, size_t size, const trace_traceback *tb, int32_t limit,
                           int most_recent_first)
{
    /* TODO: Traceback.format(limit, most_recent_first), one line per frame. */
    (void)buf;
    (void)size;
    (void)tb;
    (void)limit;
    (void)most_recent_first;
    return 0;
}

int trace_format_trace(char *buf, size_t size, const trace_trace *trace)
{
    /* TODO: str(Trace): traceback, then size. */
    (void)buf;
    (void)size;
    (void)trace;
    return 0;
}

static void emit_average(text *t, size_t size, size_t count)
{
    /* TODO: ", average=..." when count is not 0. */
    (void)t;
    (void)size;
    (void)count;
}

int trace_format_statistic(char *buf, size_t size, const trace_statistic *stat)
{
    /* TODO: str(Statistic). */
    (void)buf;
    (void)size;
    (void)stat;
    return 0;
}

int trace_format_statistic_diff(char *buf, size_t size, const trace_statistic_diff *diff)
{
    /* TODO: str(StatisticDiff). */
    (void)buf;
    (void)size;
    (void)diff;
    return 0;
}
