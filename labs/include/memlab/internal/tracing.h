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

#include <stdbool.h>
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

/* FNV-1a of `len` bytes (a dump's checksum), and of a filename's text. */
uint64_t trace_fnv1a(const unsigned char *data, size_t len);
uint64_t trace_string_hash(const char *s);

/* Grow `*array` (of `*cap` elements of `elsize`) to hold `need`. */
int trace_reserve(void *array, size_t *cap, size_t need, size_t elsize);

/* ================================================================ dump and load (snapshot.c) */

/* A growing byte buffer; `failed` once a write ran out of memory (later
 * writes are dropped, so an encoder checks once at the end). */
typedef struct trace_bytes {
    unsigned char *data;
    size_t len, cap;
    int failed;
} trace_bytes;

/* A cursor over bytes read back; `bad` once a read went past the end
 * (later reads give 0, so a decoder checks once at the end). */
typedef struct trace_reader {
    const unsigned char *data;
    size_t len, pos;
    int bad;
} trace_reader;

/* Append `value`'s low `width` bytes, little-endian. */
void trace_put(trace_bytes *b, uint64_t value, size_t width);

/* The next `width` bytes as a little-endian number (0 past the end). */
uint64_t trace_get(trace_reader *r, size_t width);

/* The whole file at `path` appended to `b`: 0, or -1 (it cannot be read,
 * or out of memory: then b->failed). */
int trace_read_file(const char *path, trace_bytes *b);

/* ================================================================ text (statistics.c) */

/* snprintf's contract over several calls: what does not fit is cut, and
 * the length counts what the whole text needs. */
typedef struct trace_text {
    char *buf;
    size_t size;
    size_t len;
} trace_text;

__attribute__((format(printf, 2, 3))) void trace_emit(trace_text *t, const char *fmt, ...);

/* The length the whole text needs (the formatting functions' return). */
int trace_text_len(const trace_text *t);

/* repr(str): single quotes unless the text has ' and no ". */
void trace_emit_py_repr(trace_text *t, const char *s);

/* ================================================================ open-addressing indexes */

/*
 * The lookup tables of the snapshot's names and of a grouping's keys: an
 * index of `cap` slots (a power of two) beside an array the caller keeps;
 * a slot holds 0 (empty) or an entry number + 1 into that array, and a key
 * is found by linear probing from the slot its hash picks (through
 * trace_mix64).  The caller keeps the index at most half full, so that a
 * probe always meets an empty slot.
 */

/* A key made of a traceback's frames (statistics.c's group index). */
typedef struct frames_key {
    const trace_frame *frames;
    size_t n;
} frames_key;

/* Whether entry number `entry` of `table` has the key `key`. */
typedef bool (*trace_index_match_fn)(const void *table, uint32_t entry, const void *key);

/* The hash of entry number `entry`'s key (the one a lookup of it uses). */
typedef uint64_t (*trace_index_hash_fn)(const void *table, uint32_t entry);

/* The slot of the entry of key `key` (whose hash is `hash`), or the empty
 * slot where it would go.  `cap` > 0.  With match NULL: the first empty
 * slot of the probe. */
uint32_t *trace_index_slot(uint32_t *slots, size_t cap, uint64_t hash, trace_index_match_fn match,
                           const void *table, const void *key);

/* Double the index (64 slots for the first) and re-insert entries 0 ..
 * len - 1 in that order.  0, or -1 out of memory (the index unchanged). */
int trace_index_grow(uint32_t **slots, size_t *cap, size_t len, trace_index_hash_fn hash,
                     const void *table);

#endif
