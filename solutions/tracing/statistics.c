/*
 * statistics.c -- statistics, compare_to and the text of tracebacks and
 * statistics: CPython 3.11's Lib/tracemalloc.py Statistic, StatisticDiff and
 * the format functions, in C.  Handout parts 5 and 7 (labs/tracing/README.md);
 * contracts in memlab/tracing.h.
 */
#include "memlab/internal/tracing.h"
#include "memlab/mem.h"
#include "memlab/tracing.h"

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
    uint64_t h = n;
    for (size_t i = 0; i < n; i++)
        h = trace_mix64(h ^ trace_string_hash(frames[i].filename)) + frames[i].lineno;
    return h;
}

static bool frames_equal(const trace_traceback *key, const trace_frame *frames, size_t n)
{
    if (key->nframe != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (key->frames[i].lineno != frames[i].lineno ||
            strcmp(key->frames[i].filename, frames[i].filename) != 0)
            return false;
    return true;
}

/* The callbacks of the group index (memlab/internal/tracing.h). */
static bool group_matches(const void *g, uint32_t entry, const void *key)
{
    const frames_key *k = key;
    return frames_equal(((const grouping *)g)->items[entry].traceback, k->frames, k->n);
}

static uint64_t group_hash(const void *g, uint32_t entry)
{
    const trace_traceback *key = ((const grouping *)g)->items[entry].traceback;
    return frames_hash(key->frames, key->nframe);
}

static uint32_t *group_slot(const grouping *g, const trace_frame *frames, size_t n)
{
    frames_key key = {frames, n};
    return trace_index_slot(g->slots, g->slots_cap, frames_hash(frames, n), group_matches, g, &key);
}

/* Index of the group whose key is `frames`, or NO_INDEX. */
static uint32_t group_find(const grouping *g, const trace_frame *frames, size_t n)
{
    if (!g->slots_cap)
        return NO_INDEX;
    uint32_t slot = *group_slot(g, frames, n);
    return slot ? slot - 1 : NO_INDEX;
}

static int groups_grow(grouping *g)
{
    return trace_index_grow(&g->slots, &g->slots_cap, g->len, group_hash, g);
}

/* A key traceback owning copies of the frames and their filenames. */
static trace_traceback *make_key(const trace_frame *frames, size_t n)
{
    size_t text = 0;
    for (size_t i = 0; i < n; i++)
        text += strlen(frames[i].filename) + 1;
    trace_traceback *key = trace_sys_alloc(trace_traceback_bytes(n) + text);
    if (!key)
        return NULL;
    char *names = (char *)key + trace_traceback_bytes(n);
    key->hash = 0;
    key->nframe = key->total_nframe = (uint16_t)n;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(frames[i].filename) + 1;
        memcpy(names, frames[i].filename, len);
        key->frames[i] = (trace_frame){names, frames[i].lineno};
        names += len;
    }
    return key;
}

/* The group of key `frames`, created (size 0, count 0) on first use;
 * NO_INDEX on out of memory. */
static uint32_t group_of(grouping *g, const trace_frame *frames, size_t n)
{
    uint32_t found = group_find(g, frames, n);
    if (found != NO_INDEX)
        return found;
    if ((g->len + 1) * 2 > g->slots_cap && groups_grow(g) < 0)
        return NO_INDEX;
    trace_traceback *key = make_key(frames, n);
    if (!key || trace_reserve(&g->items, &g->cap, g->len + 1, sizeof(trace_statistic)) < 0) {
        trace_sys_release(key);
        return NO_INDEX;
    }
    g->items[g->len] = (trace_statistic){key, 0, 0};
    *group_slot(g, frames, n) = (uint32_t)(g->len + 1);
    return (uint32_t)g->len++;
}

static void grouping_free(grouping *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->len; i++)
        trace_sys_release((void *)g->items[i].traceback);
    trace_sys_release(g->items);
    trace_sys_release(g->slots);
    trace_sys_release(g);
}

typedef enum key_kind { KEY_LINENO, KEY_FILENAME, KEY_TRACEBACK } key_kind;

static int parse_key(const char *key_type, int cumulative, key_kind *out)
{
    if (key_type && strcmp(key_type, "lineno") == 0)
        *out = KEY_LINENO;
    else if (key_type && strcmp(key_type, "filename") == 0)
        *out = KEY_FILENAME;
    else if (key_type && strcmp(key_type, "traceback") == 0)
        *out = KEY_TRACEBACK;
    else {
        if (key_type)
            trace_set_error("unknown key_type: '%s'", key_type);
        else
            trace_set_error("unknown key_type: None");
        return -1;
    }
    if (cumulative && *out == KEY_TRACEBACK) {
        trace_set_error("cumulative mode cannot by used with key type '%s'", key_type);
        return -1;
    }
    return 0;
}

/* The group of frame `f` alone (lineno), or of (filename, 0) (filename). */
static uint32_t frame_group(grouping *g, key_kind kind, const trace_frame *f)
{
    trace_frame key = {f->filename, kind == KEY_FILENAME ? 0 : f->lineno};
    return group_of(g, &key, 1);
}

/* Snapshot._group_by: work per traceback first (a snapshot has few), then
 * add each trace to its group(s) through a table indexed by traceback. */
static grouping *group_by(const trace_snapshot *snap, key_kind kind, int cumulative)
{
    grouping *g = trace_sys_zalloc(1, sizeof *g);
    size_t nrefs = 0;
    for (size_t t = 0; t < snap->ntracebacks; t++)
        nrefs += cumulative ? snap->tracebacks[t]->nframe : 1;
    /* groups[first[t] .. first[t + 1]): the groups a trace with traceback t counts in */
    size_t *first = trace_sys_alloc((snap->ntracebacks + 1) * sizeof *first);
    uint32_t *groups = trace_sys_alloc(nrefs * sizeof *groups + 1);
    if (!g || !first || !groups)
        goto nomem;
    size_t k = 0;
    for (size_t t = 0; t < snap->ntracebacks; t++) {
        const trace_traceback *tb = snap->tracebacks[t];
        size_t nkeys = kind != KEY_TRACEBACK && cumulative ? tb->nframe : 1;
        first[t] = k;
        for (size_t i = 0; i < nkeys; i++) {
            groups[k] = kind == KEY_TRACEBACK ? group_of(g, tb->frames, tb->nframe)
                                              : frame_group(g, kind, &tb->frames[i]);
            if (groups[k++] == NO_INDEX)
                goto nomem;
        }
    }
    first[snap->ntracebacks] = k;
    for (size_t i = 0; i < snap->len; i++) {
        const snap_trace *t = &snap->traces[i];
        for (size_t j = first[t->traceback]; j < first[t->traceback + 1]; j++) {
            g->items[groups[j]].size += (size_t)t->size;
            g->items[groups[j]].count++;
        }
    }
    trace_sys_release(first);
    trace_sys_release(groups);
    return g;
nomem:
    trace_sys_release(first);
    trace_sys_release(groups);
    grouping_free(g);
    trace_set_error("out of memory");
    return NULL;
}

static int compare_frame(const trace_frame *a, const trace_frame *b)
{
    int c = strcmp(a->filename, b->filename);
    if (c)
        return c;
    return (a->lineno > b->lineno) - (a->lineno < b->lineno);
}

/* Traceback.__lt__: tuples of frames compared from the OLDEST frame. */
static int compare_traceback(const trace_traceback *a, const trace_traceback *b)
{
    size_t n = a->nframe < b->nframe ? a->nframe : b->nframe;
    for (size_t i = 1; i <= n; i++) {
        int c = compare_frame(&a->frames[a->nframe - i], &b->frames[b->nframe - i]);
        if (c)
            return c;
    }
    return (a->nframe > b->nframe) - (a->nframe < b->nframe);
}

#define CMP(x, y) (((x) > (y)) - ((x) < (y)))

/* sort(reverse=True, key=(size, count, traceback)) */
static int statistic_order(const void *pa, const void *pb)
{
    const trace_statistic *a = pa, *b = pb;
    int c = CMP(b->size, a->size);
    if (!c)
        c = CMP(b->count, a->count);
    return c ? c : compare_traceback(b->traceback, a->traceback);
}

static uint64_t magnitude(int64_t v) { return v < 0 ? -(uint64_t)v : (uint64_t)v; }

/* sort(reverse=True, key=(|size_diff|, size, |count_diff|, count, traceback)) */
static int diff_order(const void *pa, const void *pb)
{
    const trace_statistic_diff *a = pa, *b = pb;
    int c = CMP(magnitude(b->size_diff), magnitude(a->size_diff));
    if (!c)
        c = CMP(b->size, a->size);
    if (!c)
        c = CMP(magnitude(b->count_diff), magnitude(a->count_diff));
    if (!c)
        c = CMP(b->count, a->count);
    return c ? c : compare_traceback(b->traceback, a->traceback);
}

trace_stats *trace_snapshot_statistics(const trace_snapshot *snap, const char *key_type,
                                       int cumulative)
{
    key_kind kind;
    if (parse_key(key_type, cumulative, &kind) < 0)
        return NULL;
    grouping *g = group_by(snap, kind, cumulative);
    trace_stats *stats = g ? trace_sys_alloc(sizeof *stats) : NULL;
    if (!stats) {
        grouping_free(g);
        trace_set_error("out of memory");
        return NULL;
    }
    qsort(g->items, g->len, sizeof *g->items, statistic_order);
    *stats = (trace_stats){g->len, g->items, g};
    return stats;
}

void trace_stats_free(trace_stats *stats)
{
    if (!stats)
        return;
    grouping_free(stats->keys);
    trace_sys_release(stats);
}

/* What a diff list keeps alive: both groupings (the keys) and its items. */
typedef struct diff_keys {
    grouping *new_groups, *old_groups;
} diff_keys;

/* _compare_grouped_stats: every new group, then the old groups not seen. */
static trace_statistic_diff *diff_groups(const grouping *new_g, const grouping *old_g, size_t *len)
{
    trace_statistic_diff *items = trace_sys_alloc((new_g->len + old_g->len) * sizeof *items + 1);
    bool *seen = trace_sys_zalloc(old_g->len + 1, sizeof *seen);
    if (!items || !seen) {
        trace_sys_release(items);
        trace_sys_release(seen);
        return NULL;
    }
    size_t n = 0;
    for (size_t i = 0; i < new_g->len; i++) {
        const trace_statistic *st = &new_g->items[i];
        uint32_t j = group_find(old_g, st->traceback->frames, st->traceback->nframe);
        size_t old_size = j == NO_INDEX ? 0 : old_g->items[j].size;
        size_t old_count = j == NO_INDEX ? 0 : old_g->items[j].count;
        if (j != NO_INDEX)
            seen[j] = true;
        items[n++] =
            (trace_statistic_diff){st->traceback, st->size, (int64_t)st->size - (int64_t)old_size,
                                   st->count, (int64_t)st->count - (int64_t)old_count};
    }
    for (size_t j = 0; j < old_g->len; j++)
        if (!seen[j])
            items[n++] =
                (trace_statistic_diff){old_g->items[j].traceback, 0, -(int64_t)old_g->items[j].size,
                                       0, -(int64_t)old_g->items[j].count};
    trace_sys_release(seen);
    *len = n;
    return items;
}

trace_diffs *trace_snapshot_compare_to(const trace_snapshot *snap, const trace_snapshot *old,
                                       const char *key_type, int cumulative)
{
    key_kind kind;
    if (parse_key(key_type, cumulative, &kind) < 0)
        return NULL;
    diff_keys *keys = trace_sys_zalloc(1, sizeof *keys);
    trace_diffs *diffs = trace_sys_zalloc(1, sizeof *diffs);
    if (!keys || !diffs)
        goto nomem;
    diffs->keys = keys;
    keys->new_groups = group_by(snap, kind, cumulative);
    keys->old_groups = keys->new_groups ? group_by(old, kind, cumulative) : NULL;
    if (!keys->old_groups)
        goto nomem;
    diffs->items = diff_groups(keys->new_groups, keys->old_groups, &diffs->len);
    if (!diffs->items)
        goto nomem;
    qsort(diffs->items, diffs->len, sizeof *diffs->items, diff_order);
    return diffs;
nomem:
    if (diffs)
        trace_diffs_free(diffs);
    else
        trace_sys_release(keys);
    trace_set_error("out of memory");
    return NULL;
}

void trace_diffs_free(trace_diffs *diffs)
{
    if (!diffs)
        return;
    diff_keys *keys = diffs->keys;
    if (keys) {
        grouping_free(keys->new_groups);
        grouping_free(keys->old_groups);
        trace_sys_release(keys);
    }
    trace_sys_release(diffs->items);
    trace_sys_release(diffs);
}

/* ==================================================================== text */

/* Text written like snprintf into buf[0..size), keeping the full length. */
/* _format_size: stay in bytes below 10 KiB; one decimal below 100 of a
 * unit; TiB is the last unit. */
static void emit_size(trace_text *t, double value, int sign)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    for (int u = 0;; u++) {
        double mag = value < 0 ? -value : value;
        if (mag < 100 && u != 0) {
            trace_emit(t, sign ? "%+.1f %s" : "%.1f %s", value, units[u]);
            return;
        }
        if (mag < 10 * 1024 || u == 4) {
            trace_emit(t, sign ? "%+.0f %s" : "%.0f %s", value, units[u]);
            return;
        }
        value /= 1024;
    }
}

int trace_format_size(char *buf, size_t size, double value, int sign)
{
    trace_text t = {buf, size, 0};
    if (size)
        buf[0] = '\0';
    emit_size(&t, value, sign);
    return trace_text_len(&t);
}

static void emit_frame(trace_text *t, const trace_frame *f)
{
    trace_emit(t, "%s:%u", f->filename, f->lineno);
}

int trace_format_frame(char *buf, size_t size, const trace_frame *frame)
{
    trace_text t = {buf, size, 0};
    if (size)
        buf[0] = '\0';
    emit_frame(&t, frame);
    return trace_text_len(&t);
}

/* str(Traceback) is its oldest frame: the last one stored. */
static void emit_traceback_str(trace_text *t, const trace_traceback *tb)
{
    emit_frame(t, &tb->frames[tb->nframe - 1]);
}

int trace_format_traceback_str(char *buf, size_t size, const trace_traceback *tb)
{
    trace_text t = {buf, size, 0};
    if (size)
        buf[0] = '\0';
    emit_traceback_str(&t, tb);
    return trace_text_len(&t);
}

int trace_format_traceback_repr(char *buf, size_t size, const trace_traceback *tb)
{
    trace_text t = {buf, size, 0};
    if (size)
        buf[0] = '\0';
    trace_emit(&t, "<Traceback (");
    for (size_t i = tb->nframe; i-- > 0;) {
        trace_emit(&t, "<Frame filename=");
        trace_emit_py_repr(&t, tb->frames[i].filename);
        trace_emit(&t, " lineno=%u>", tb->frames[i].lineno);
        if (i > 0 || tb->nframe == 1)
            trace_emit(&t, i > 0 ? ", " : ",");
    }
    trace_emit(&t, ") total_nframe=%u>", tb->total_nframe);
    return trace_text_len(&t);
}

int trace_format_traceback(char *buf, size_t size, const trace_traceback *tb, int32_t limit,
                           int most_recent_first)
{
    trace_text t = {buf, size, 0};
    if (size)
        buf[0] = '\0';
    /* positions in Python's order (0 = oldest = frames[nframe - 1]) */
    int64_t n = tb->nframe, from = 0, to = n;
    if (limit != TRACE_NO_LIMIT && limit > 0)
        from = n > limit ? n - limit : 0; /* self[-limit:] */
    else if (limit != TRACE_NO_LIMIT)
        to = limit < 0 && n + limit > 0 ? n + limit : 0; /* self[:limit] */
    for (int64_t k = 0; k < to - from; k++) {
        int64_t pos = most_recent_first ? to - 1 - k : from + k;
        const trace_frame *f = &tb->frames[n - 1 - pos];
        trace_emit(&t, "  File \"%s\", line %u\n", f->filename, f->lineno);
    }
    return trace_text_len(&t);
}

int trace_format_trace(char *buf, size_t size, const trace_trace *trace)
{
    trace_text t = {buf, size, 0};
    if (size)
        buf[0] = '\0';
    emit_traceback_str(&t, trace->traceback);
    trace_emit(&t, ": ");
    emit_size(&t, (double)trace->size, 0);
    return trace_text_len(&t);
}

static void emit_average(trace_text *t, size_t size, size_t count)
{
    if (count == 0)
        return;
    trace_emit(t, ", average=");
    emit_size(t, (double)size / (double)count, 0);
}

int trace_format_statistic(char *buf, size_t size, const trace_statistic *stat)
{
    trace_text t = {buf, size, 0};
    if (size)
        buf[0] = '\0';
    emit_traceback_str(&t, stat->traceback);
    trace_emit(&t, ": size=");
    emit_size(&t, (double)stat->size, 0);
    trace_emit(&t, ", count=%zu", stat->count);
    emit_average(&t, stat->size, stat->count);
    return trace_text_len(&t);
}

int trace_format_statistic_diff(char *buf, size_t size, const trace_statistic_diff *diff)
{
    trace_text t = {buf, size, 0};
    if (size)
        buf[0] = '\0';
    emit_traceback_str(&t, diff->traceback);
    trace_emit(&t, ": size=");
    emit_size(&t, (double)diff->size, 0);
    trace_emit(&t, " (");
    emit_size(&t, (double)diff->size_diff, 1);
    trace_emit(&t, "), count=%zu (%+lld)", diff->count, (long long)diff->count_diff);
    emit_average(&t, diff->size, diff->count);
    return trace_text_len(&t);
}
