/*
 * memlab/tracing.h -- the tracing layer: an allocation tracer as CPython 3.11
 * has it (Modules/_tracemalloc.c for the tracer, Lib/tracemalloc.py for
 * snapshots, statistics and their text).  Implemented by the tracing lab
 * (labs/tracing/tracer.c, snapshot.c, statistics.c).  It stands on the mem layer alone.
 *
 *   tracemalloc (Python)                  here
 *   ------------------------------------  -------------------------------------
 *   start(n) / stop() / is_tracing()      trace_start / trace_stop / trace_is_tracing
 *   get_traced_memory(), reset_peak()     trace_get_traced_memory, trace_reset_peak
 *   clear_traces(), get_traceback_limit() trace_clear_traces, trace_get_traceback_limit
 *   get_object_traceback(obj)             trace_get_object_traceback(ptr)
 *   get_tracemalloc_memory()              trace_get_tracemalloc_memory
 *   PyTraceMalloc_Track / _Untrack        trace_track / trace_untrack
 *   take_snapshot()                       trace_take_snapshot
 *   Snapshot.statistics / compare_to      trace_snapshot_statistics / _compare_to
 *   Snapshot.filter_traces(filters)       trace_snapshot_filter_traces
 *   Snapshot.dump / Snapshot.load         trace_snapshot_dump / trace_snapshot_load
 *   str(stat), str(diff), _format_size    trace_format_statistic / _diff / _size
 *
 * How it hooks in: trace_start() saves the allocator installed on each of the
 * three domains (RAW, MEM, OBJ) and installs a hook that calls the saved one
 * and then records or forgets a trace; trace_stop() puts the saved
 * allocators back.  Whatever is underneath (the system, or the pools layer)
 * keeps doing the allocating.  Allocations made through the hooked domains
 * are traced in domain TRACE_DEFAULT_DOMAIN (0), as in CPython; other domains
 * exist only through trace_track().
 *
 * Frames: a traceback is read from the mem layer's frame stack
 * (mem_frame_at), most recent frame first: frames[0] is the most recent
 * call.  With no frame on the stack the traceback is ("<unknown>", 0).
 *
 * Memory: all of this layer's memory comes from the allocator under
 * MEM_DOMAIN_RAW (the system allocator, unless a test installs another), called
 * directly and never through a domain.  While tracing that is the allocator
 * start() found on RAW, so the tracer's own memory (its tables, its interned
 * tracebacks) is never traced, never counted by mem_get_stats(), and
 * trace_get_tracemalloc_memory() reports it (CPython's raw_malloc).
 * Snapshots and statistics lists are allocated the same way and belong to the
 * caller, who frees them with the matching _free function.  Do not change
 * RAW's allocator while the layer holds memory made by the previous one.
 *
 * Errors: a function that fails returns -1 or NULL and sets a message that
 * trace_error_message() returns, with CPython's text where CPython has one
 * ("the number of frames must be in range [1; 65535]", ...).
 *
 * Text: every trace_format_* function writes like snprintf: at most `size`
 * bytes including the NUL, and returns the length the full text needs.
 */
#ifndef MEMLAB_TRACING_H
#define MEMLAB_TRACING_H

#include <stddef.h>
#include <stdint.h>

#define TRACE_MAX_NFRAME     65535     /* largest traceback limit (uint16_t) */
#define TRACE_DEFAULT_DOMAIN 0u        /* domain of every hooked allocation */
#define TRACE_NO_LIMIT       INT32_MIN /* trace_format_traceback: limit=None */
#define TRACE_UNKNOWN_FILE   "<unknown>"

/* ------------------------------------------------------------------ tracebacks */

/* One frame: (filename, lineno).  `filename` is the frame stack's string (in
 * the tracer) or a string owned by the snapshot (in a snapshot). */
typedef struct trace_frame {
    const char *filename;
    unsigned int lineno;
} trace_frame;

/* A traceback as the tracer stores it: frames[0] is the MOST RECENT frame.
 * `nframe` frames are kept (at most the traceback limit); `total_nframe` is
 * how deep the stack really was (saturating at 65535), so nframe <
 * total_nframe marks a truncated traceback.  `hash` is the tracer's.
 * Python's Traceback object shows the same frames in the other order (oldest
 * first): str() names the oldest frame. */
typedef struct trace_traceback {
    uint64_t hash;
    uint16_t nframe;
    uint16_t total_nframe;
    trace_frame frames[];
} trace_traceback;

/* ------------------------------------------------------------------ the tracer */

/* tracemalloc.start(nframe): hook the three domains and trace every block
 * allocated from now on, each with a traceback of at most `nframe` frames.
 * Returns 0; -1 with "the number of frames must be in range [1; 65535]" when
 * nframe is out of range (checked first), or "out of memory".  Already
 * tracing: does nothing and returns 0 (the new nframe is ignored). */
int trace_start(int nframe);

/* tracemalloc.stop(): put back the allocators start() found and forget every
 * trace and traceback (traced memory and peak become 0, the tracer's own
 * memory is released).  Blocks traced so far stay valid.  No-op when not
 * tracing. */
void trace_stop(void);

/* 1 while tracing, else 0. */
int trace_is_tracing(void);

/* The nframe given to the last successful start (1 before any start). */
int trace_get_traceback_limit(void);

/* (current, peak) in bytes of the traced blocks; (0, 0) when not tracing.
 * Either pointer may be NULL. */
void trace_get_traced_memory(size_t *current, size_t *peak);

/* peak = current.  No-op when not tracing. */
void trace_reset_peak(void);

/* Forget every trace and interned traceback; current = peak = 0.  Tracing
 * goes on.  Tracebacks returned earlier become invalid. */
void trace_clear_traces(void);

/* Bytes the tracer holds for its own bookkeeping (tables, interned
 * tracebacks, its scratch traceback); 0 when not tracing. */
size_t trace_get_tracemalloc_memory(void);

/* Traceback of the traced block at `ptr` in the default domain, or NULL when
 * not tracing or the block is not traced.  Borrowed: valid until the block is
 * freed, or clear_traces / stop. */
const trace_traceback *trace_get_object_traceback(const void *ptr);

/* The same for any domain; when `size` is not NULL, the trace's size goes
 * there (left alone when there is no trace). */
const trace_traceback *trace_get_traceback(unsigned int domain, uintptr_t ptr, size_t *size);

/* PyTraceMalloc_Track: trace a block of `size` bytes at `ptr` in `domain`
 * with the current traceback (replacing a trace already there).  Returns 0,
 * -2 when not tracing, -1 on out of memory. */
int trace_track(unsigned int domain, uintptr_t ptr, size_t size);

/* PyTraceMalloc_Untrack: forget the trace at (domain, ptr), if any.
 * Returns 0, -2 when not tracing. */
int trace_untrack(unsigned int domain, uintptr_t ptr);

/* Number of live traces (len(_get_traces())); 0 when not tracing. */
size_t trace_count(void);

/* Message of the last failure of a trace_* function. */
const char *trace_error_message(void);

/* ------------------------------------------------------------------ snapshots */

/* A snapshot: a consistent copy of every trace at one moment, with its own
 * copies of the tracebacks and filenames, so it does not change when memory
 * is allocated or freed afterwards, nor when tracing stops.  The order of
 * its traces is unspecified for taken snapshots, the order of addition for
 * built ones. */
typedef struct trace_snapshot trace_snapshot;

/* One trace of a snapshot (a Trace in Python); the traceback is borrowed
 * from the snapshot. */
typedef struct trace_trace {
    unsigned int domain;
    size_t size;
    const trace_traceback *traceback;
} trace_trace;

/* tracemalloc.take_snapshot().  NULL with "the tracemalloc module must be
 * tracing memory allocations to take a snapshot" when not tracing, or "out
 * of memory".  Its traceback_limit is the tracer's. */
trace_snapshot *trace_take_snapshot(void);

/* An empty snapshot with that traceback limit (Snapshot([], limit)), for
 * building one by hand with trace_snapshot_add; NULL on out of memory. */
trace_snapshot *trace_snapshot_new(int traceback_limit);

/* Append a trace: `frames` MOST RECENT FIRST (as the tracer stores them),
 * 1 <= nframe <= 65535, nframe <= total_nframe <= 65535; filenames are
 * copied.  Returns 0, -1 with a message on bad arguments or out of memory. */
int trace_snapshot_add(trace_snapshot *snap, unsigned int domain, size_t size,
                       const trace_frame *frames, size_t nframe, size_t total_nframe);

void trace_snapshot_free(trace_snapshot *snap); /* NULL is fine */

size_t trace_snapshot_len(const trace_snapshot *snap);
int trace_snapshot_traceback_limit(const trace_snapshot *snap);
/* Trace `i` (< len) into *out; returns 0, -1 when i is out of range. */
int trace_snapshot_get(const trace_snapshot *snap, size_t i, trace_trace *out);

/* A Filter (filename_pattern != NULL) or a DomainFilter (filename_pattern ==
 * NULL, has_domain set).  Zero-initialise and set what you need:
 *   inclusive         1: keep matching traces; 0: drop them
 *   filename_pattern  fnmatch pattern; a ".pyc" suffix counts as ".py"
 *                     (on the pattern and on the filenames)
 *   has_lineno/lineno match only this line number (Filter(lineno=...))
 *   all_frames        match any frame of the traceback, not only the most
 *                     recent one
 *   has_domain/domain restrict the filter to a domain: an inclusive filter
 *                     then also needs the domain, an exclusive one spares
 *                     traces of other domains */
typedef struct trace_filter {
    int inclusive;
    const char *filename_pattern;
    int has_lineno;
    unsigned int lineno;
    int all_frames;
    int has_domain;
    unsigned int domain;
} trace_filter;

/* Snapshot.filter_traces(filters): a new snapshot with the traces that match
 * (none or any of the inclusive filters) and (none of the exclusive ones);
 * with nfilters == 0, a copy.  NULL with a message on a DomainFilter without
 * a domain, or out of memory. */
trace_snapshot *trace_snapshot_filter_traces(const trace_snapshot *snap,
                                             const trace_filter *filters, size_t nfilters);

/* Snapshot.dump(path): write the snapshot in the memlab snapshot format
 * (versioned, checksummed; the file is written whole or not at all).
 * Returns 0, -1 with a message naming the file on an I/O error. */
int trace_snapshot_dump(const trace_snapshot *snap, const char *path);

/* Snapshot.load(path): read a file written by trace_snapshot_dump.  NULL with
 * a message naming the file and the problem when it cannot be opened, is not
 * a snapshot, has another version, is truncated or corrupt. */
trace_snapshot *trace_snapshot_load(const char *path);

/* ------------------------------------------------------------------ statistics */

/* A Statistic: `traceback` is the group's key (one frame for 'lineno', the
 * frame (filename, 0) for 'filename', the whole traceback for 'traceback';
 * total_nframe = nframe), owned by the list. */
typedef struct trace_statistic {
    const trace_traceback *traceback;
    size_t size;
    size_t count;
} trace_statistic;

typedef struct trace_statistic_diff {
    const trace_traceback *traceback;
    size_t size;
    int64_t size_diff;
    size_t count;
    int64_t count_diff;
} trace_statistic_diff;

/* A list of statistics, sorted as CPython sorts them. */
typedef struct trace_stats {
    size_t len;
    trace_statistic *items;
    void *keys; /* the key tracebacks (private) */
} trace_stats;

typedef struct trace_diffs {
    size_t len;
    trace_statistic_diff *items;
    void *keys; /* private */
} trace_diffs;

/* Snapshot.statistics(key_type, cumulative): key_type is "lineno",
 * "filename" or "traceback"; cumulative counts a trace once per frame of its
 * traceback (lineno and filename only).  Sorted by (size, count, traceback)
 * in decreasing order, tracebacks compared oldest frame first.  NULL with
 * "unknown key_type: 'x'", "cumulative mode cannot by used with key type
 * 'traceback'" or "out of memory". */
trace_stats *trace_snapshot_statistics(const trace_snapshot *snap, const char *key_type,
                                       int cumulative);
void trace_stats_free(trace_stats *stats); /* NULL is fine */

/* Snapshot.compare_to(old, key_type, cumulative): one diff per group of the
 * new snapshot (size_diff = new - old, or the size when the group is new),
 * then one (size 0, -old size, count 0, -old count) per group found only in
 * the old one; sorted by (|size_diff|, size, |count_diff|, count, traceback)
 * decreasing.  Errors as trace_snapshot_statistics. */
trace_diffs *trace_snapshot_compare_to(const trace_snapshot *snap, const trace_snapshot *old,
                                       const char *key_type, int cumulative);
void trace_diffs_free(trace_diffs *diffs); /* NULL is fine */

/* ------------------------------------------------------------------ text, as CPython writes it */

/* _format_size(size, sign): "10239 B", "10.0 KiB", "+1000 B", "-0 B". */
int trace_format_size(char *buf, size_t size, double value, int sign);

/* str(Frame): "a.py:10". */
int trace_format_frame(char *buf, size_t size, const trace_frame *frame);

/* str(Traceback): the OLDEST frame, "main.py:9". */
int trace_format_traceback_str(char *buf, size_t size, const trace_traceback *tb);

/* repr(Traceback): "<Traceback (<Frame filename='a.py' lineno=1>,) total_nframe=3>";
 * the total_nframe part tells a truncated traceback. */
int trace_format_traceback_repr(char *buf, size_t size, const trace_traceback *tb);

/* Traceback.format(limit, most_recent_first): one line '  File "a.py", line 1'
 * per frame, each ending with '\n', oldest first unless most_recent_first.
 * limit > 0 keeps the `limit` most recent frames, limit <= 0 keeps
 * self[:limit] (all but the -limit most recent), TRACE_NO_LIMIT keeps all.
 * Source lines are not shown (C frames have no source text). */
int trace_format_traceback(char *buf, size_t size, const trace_traceback *tb, int32_t limit,
                           int most_recent_first);

/* str(Trace): "a.py:1: 100 B" (the traceback's str, then the size). */
int trace_format_trace(char *buf, size_t size, const trace_trace *trace);

/* str(Statistic): "a.py:10: size=65.9 KiB, count=947, average=71 B". */
int trace_format_statistic(char *buf, size_t size, const trace_statistic *stat);

/* str(StatisticDiff): "a.py:10: size=1000 B (+1000 B), count=4 (+4), average=250 B". */
int trace_format_statistic_diff(char *buf, size_t size, const trace_statistic_diff *diff);

#endif /* MEMLAB_TRACING_H */
