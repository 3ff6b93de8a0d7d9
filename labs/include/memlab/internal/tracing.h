/*
 * memlab/internal/tracing.h -- what the tracing lab's three files share, given:
 * the tracer's state (trace_state), a snapshot's layout, and the helpers of
 * labs/tracing/given/tracing_given.c (the layer's own memory, the error
 * message, the hashes, growing an array).  The state's picture and its
 * invariants are in labs/tracing/tracer.c's header comment.
 *
 *   tracer.c       the tracer: hooks, traces, tracebacks, counters
 *                  (CPython's Modules/_tracemalloc.c), handout parts 1-3
 *   snapshot.c     snapshots, filters, dump and load
 *                  (Lib/tracemalloc.py's Snapshot and Filter), parts 4 and 6
 *   statistics.c   statistics, compare_to and the text
 *                  (Statistic, StatisticDiff, Traceback.format), parts 5 and 7
 */
#ifndef MEMLAB_INTERNAL_TRACING_H
#define MEMLAB_INTERNAL_TRACING_H

#include "memlab/mem.h"
#include "memlab/tracing.h"

#include <stddef.h>
#include <stdint.h>

#define TRACES_MIN_SLOTS 64
#define TRACEBACKS_MIN   64
#define NO_INDEX         UINT32_MAX

/* ================================================================ the tracer's state */

typedef struct trace_entry {
    uintptr_t ptr;
    size_t size;
    trace_traceback *traceback; /* NULL: empty slot */
    unsigned int domain;
} trace_entry;

struct trace_tracer_state {
    int tracing;
    int limit;                         /* max frames per traceback */
    int reentrant;                     /* inside a hook's call underneath */
    mem_allocator under[MEM_NDOMAINS]; /* what start() found on each domain */
    size_t traced, peak;
    size_t own_bytes;         /* the tracer's own memory */
    trace_traceback *scratch; /* room for `limit` frames */
    trace_entry *traces;
    size_t traces_cap, traces_len;
    trace_traceback **tracebacks;
    size_t tracebacks_cap, tracebacks_len;
};

/* The one tracer (defined in tracing_given.c; not tracing, limit 1). */
extern struct trace_tracer_state trace_state;

/* ================================================================ a snapshot */

/* A snapshot's trace: 16 bytes, the traceback by index. */
typedef struct snap_trace {
    uint64_t size;
    uint32_t domain;
    uint32_t traceback;
} snap_trace;

struct trace_snapshot {
    int traceback_limit;
    snap_trace *traces;
    size_t len, cap;
    trace_traceback **tracebacks; /* owned; filenames point into names */
    size_t ntracebacks, tracebacks_cap;
    char **names; /* owned filename copies, in order of first use */
    size_t nnames, names_cap;
    uint32_t *name_slots; /* open addressing: index + 1 into names, 0 = empty */
    size_t name_slots_cap;
};

/* ================================================================ given helpers */

void *trace_sys_alloc(size_t size);

void *trace_sys_zalloc(size_t nelem, size_t elsize);

void *trace_sys_realloc(void *ptr, size_t size);

void trace_sys_release(void *ptr);

__attribute__((format(printf, 1, 2))) void trace_set_error(const char *fmt, ...);

/* The tracer's own memory: counted, so get_tracemalloc_memory can report it. */
void *trace_own_alloc(size_t size);

void *trace_own_zalloc(size_t nelem, size_t elsize);

void trace_own_free(void *ptr, size_t size);

/* A 64-bit mixer (the finaliser of MurmurHash3): spreads every input bit
 * over the low bits that pick a slot. */
uint64_t trace_mix64(uint64_t h);

size_t trace_traceback_bytes(size_t nframe);

/* FNV-1a: the hash of a filename's text. */
uint64_t trace_string_hash(const char *s);

/* Grow `*array` (of `*cap` elements of `elsize`) to hold `need`. */
int trace_reserve(void *array, size_t *cap, size_t need, size_t elsize);

#endif
