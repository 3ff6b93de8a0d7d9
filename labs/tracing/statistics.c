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

/* ==================================================================== statistics */

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
    /* TODO (§5): hash of a key's frames by content (filename text and lineno). */
    (void)frames;
    (void)n;
    return 0;
}

static bool frames_equal(const trace_traceback *key, const trace_frame *frames, size_t n)
{
    /* TODO (§5): does the key have exactly these frames (filenames compared by text)?. */
    (void)key;
    (void)frames;
    (void)n;
    return false;
}

/* The callbacks of the group index (memlab/internal/tracing.h). */
static bool group_matches(const void *g, uint32_t entry, const void *key)
{
    /* TODO (§5): has group `entry` the frames of `key` (a frames_key)? */
    (void)g;
    (void)entry;
    (void)key;
    return false;
}

static uint64_t group_hash(const void *g, uint32_t entry)
{
    /* TODO (§5): the hash of group `entry`'s key frames. */
    (void)g;
    (void)entry;
    return 0;
}

static uint32_t *group_slot(const grouping *g, const trace_frame *frames, size_t n)
{
    /* TODO (§5): the slot of this key in the group index (trace_index_slot), or the empty slot
     * where it would go. */
    (void)g;
    (void)frames;
    (void)n;
    return NULL;
}

/* Index of the group whose key is `frames`, or NO_INDEX. */
static uint32_t group_find(const grouping *g, const trace_frame *frames, size_t n)
{
    /* TODO (§5): index of the group with this key, or NO_INDEX. */
    (void)g;
    (void)frames;
    (void)n;
    return NO_INDEX;
}

static int groups_grow(grouping *g)
{
    /* TODO (§5): double the group index, re-inserting every group (trace_index_grow). */
    (void)g;
    return -1;
}

/* A key traceback owning copies of the frames and their filenames. */
static trace_traceback *make_key(const trace_frame *frames, size_t n)
{
    /* TODO (§5): one allocation holding a traceback with these frames and copies of their
     * filenames. */
    (void)frames;
    (void)n;
    return NULL;
}

/* The group of key `frames`, created (size 0, count 0) on first use;
 * NO_INDEX on out of memory. */
static uint32_t group_of(grouping *g, const trace_frame *frames, size_t n)
{
    /* TODO (§5): the group of this key, created with size 0 and count 0 on first use. */
    (void)g;
    (void)frames;
    (void)n;
    return NO_INDEX;
}

static void grouping_free(grouping *g)
{
    /* TODO (§5): release every key, the items and the index. */
    (void)g;
}

typedef enum key_kind { KEY_LINENO, KEY_FILENAME, KEY_TRACEBACK } key_kind;

static int parse_key(const char *key_type, int cumulative, key_kind *out)
{
    /* TODO (§5): "lineno", "filename" or "traceback"; CPython's messages for an unknown key type
     * and for cumulative tracebacks. */
    (void)key_type;
    (void)cumulative;
    (void)out;
    return -1;
}

/* The group of frame `f` alone (lineno), or of (filename, 0) (filename). */
static uint32_t frame_group(grouping *g, key_kind kind, const trace_frame *f)
{
    /* TODO (§5): the group of one frame: (filename, lineno) for lineno, (filename, 0) for filename.
     */
    (void)g;
    (void)kind;
    (void)f;
    return NO_INDEX;
}

/* Snapshot._group_by: work per traceback first (a snapshot has few), then
 * add each trace to its group(s) through a table indexed by traceback. */
static grouping *group_by(const trace_snapshot *snap, key_kind kind, int cumulative)
{
    /* TODO (§5): Snapshot._group_by: find the group(s) of each snapshot traceback once, then add
     * every trace's size and count to them. */
    (void)snap;
    (void)kind;
    (void)cumulative;
    return NULL;
}

static int compare_frame(const trace_frame *a, const trace_frame *b)
{
    /* TODO (§5): compare filenames (strcmp), then line numbers. */
    (void)a;
    (void)b;
    return 0;
}

/* Traceback.__lt__: tuples of frames compared from the OLDEST frame. */
static int compare_traceback(const trace_traceback *a, const trace_traceback *b)
{
    /* TODO (§5): compare tracebacks as Python compares tuples of frames, from the oldest frame. */
    (void)a;
    (void)b;
    return 0;
}

#define CMP(x, y) (((x) > (y)) - ((x) < (y)))

/* sort(reverse=True, key=(size, count, traceback)) */
static int statistic_order(const void *pa, const void *pb)
{
    /* TODO (§5): decreasing (size, count, traceback). */
    (void)pa;
    (void)pb;
    return 0;
}

static uint64_t magnitude(int64_t v) { return v < 0 ? -(uint64_t)v : (uint64_t)v; }

/* sort(reverse=True, key=(|size_diff|, size, |count_diff|, count, traceback)) */
static int diff_order(const void *pa, const void *pb)
{
    /* TODO (§5): decreasing (|size_diff|, size, |count_diff|, count, traceback). */
    (void)pa;
    (void)pb;
    return 0;
}

trace_stats *trace_snapshot_statistics(const trace_snapshot *snap, const char *key_type,
                                       int cumulative)
{
    /* TODO (§5): check the key type, group, sort; the list owns the grouping. */
    (void)snap;
    (void)key_type;
    (void)cumulative;
    return NULL;
}

void trace_stats_free(trace_stats *stats)
{
    /* TODO (§5): release the grouping and the list. */
    (void)stats;
}

/* What a diff list keeps alive: both groupings (the keys) and its items. */
typedef struct diff_keys {
    grouping *new_groups, *old_groups;
} diff_keys;

/* _compare_grouped_stats: every new group, then the old groups not seen. */
static trace_statistic_diff *diff_groups(const grouping *new_g, const grouping *old_g, size_t *len)
{
    /* TODO (§5): _compare_grouped_stats: one diff per new group, then one per old group not seen.
     */
    (void)new_g;
    (void)old_g;
    (void)len;
    return NULL;
}

trace_diffs *trace_snapshot_compare_to(const trace_snapshot *snap, const trace_snapshot *old,
                                       const char *key_type, int cumulative)
{
    /* TODO (§5): group both snapshots, diff them, sort. */
    (void)snap;
    (void)old;
    (void)key_type;
    (void)cumulative;
    return NULL;
}

void trace_diffs_free(trace_diffs *diffs)
{
    /* TODO (§5): release both groupings, the items and the list. */
    (void)diffs;
}

/* ==================================================================== text */

/* Text written like snprintf into buf[0..size), keeping the full length. */
/* _format_size: stay in bytes below 10 KiB; one decimal below 100 of a
 * unit; TiB is the last unit. */
static void emit_size(trace_text *t, double value, int sign)
{
    /* TODO (§7): _format_size: B below 10 KiB, one decimal below 100 of a unit, TiB is the last
     * unit. */
    (void)t;
    (void)value;
    (void)sign;
}

int trace_format_size(char *buf, size_t size, double value, int sign)
{
    /* TODO (§7): _format_size(value, sign). */
    (void)buf;
    (void)size;
    (void)value;
    (void)sign;
    return 0;
}

static void emit_frame(trace_text *t, const trace_frame *f)
{
    /* TODO (§7): "file:line". */
    (void)t;
    (void)f;
}

int trace_format_frame(char *buf, size_t size, const trace_frame *frame)
{
    /* TODO (§7): str(Frame). */
    (void)buf;
    (void)size;
    (void)frame;
    return 0;
}

/* str(Traceback) is its oldest frame: the last one stored. */
static void emit_traceback_str(trace_text *t, const trace_traceback *tb)
{
    /* TODO (§7): str(Traceback): the oldest frame. */
    (void)t;
    (void)tb;
}

int trace_format_traceback_str(char *buf, size_t size, const trace_traceback *tb)
{
    /* TODO (§7): str(Traceback). */
    (void)buf;
    (void)size;
    (void)tb;
    return 0;
}

int trace_format_traceback_repr(char *buf, size_t size, const trace_traceback *tb)
{
    /* TODO (§7): repr(Traceback), frames oldest first, then total_nframe. */
    (void)buf;
    (void)size;
    (void)tb;
    return 0;
}

int trace_format_traceback(char *buf, size_t size, const trace_traceback *tb, int32_t limit,
                           int most_recent_first)
{
    /* TODO (§7): Traceback.format(limit, most_recent_first), one line per frame. */
    (void)buf;
    (void)size;
    (void)tb;
    (void)limit;
    (void)most_recent_first;
    return 0;
}

int trace_format_trace(char *buf, size_t size, const trace_trace *trace)
{
    /* TODO (§7): str(Trace): traceback, then size. */
    (void)buf;
    (void)size;
    (void)trace;
    return 0;
}

static void emit_average(trace_text *t, size_t size, size_t count)
{
    /* TODO (§7): ", average=..." when count is not 0. */
    (void)t;
    (void)size;
    (void)count;
}

int trace_format_statistic(char *buf, size_t size, const trace_statistic *stat)
{
    /* TODO (§7): str(Statistic). */
    (void)buf;
    (void)size;
    (void)stat;
    return 0;
}

int trace_format_statistic_diff(char *buf, size_t size, const trace_statistic_diff *diff)
{
    /* TODO (§7): str(StatisticDiff). */
    (void)buf;
    (void)size;
    (void)diff;
    return 0;
}
