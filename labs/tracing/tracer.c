/*
 * tracer.c -- the allocation tracer (CPython 3.11's tracemalloc) for the
 * memlab runtime.  Contracts in memlab/tracing.h; the handout is
 * labs/tracing/README.md.
 *
 * While tracing, every domain's allocator is wrapped by a hook:
 *
 *     mem_malloc(OBJ, n) --> hook_malloc(ctx = &tracer.under[OBJ], n)
 *                              |  1. under->malloc(n)      (pools or the system)
 *                              |  2. capture the traceback from the frame stack
 *                              |  3. intern it, record (domain 0, ptr) -> {n, tb}
 *
 * The tracer's state, and the invariants it keeps:
 *
 *   traces   open addressing, linear probing, key (domain, ptr)
 *            +-------+-------+-------+-------+-------+
 *            | ptr   | ptr   | empty | ptr   | empty |   slot = {ptr, size, tb, domain}
 *            | size  | size  |       | size  |       |   empty: tb == NULL
 *            | tb ---+-------+---+   | tb    |       |
 *            +-------+-------+---|---+-------+-------+
 *            invariant: a live entry is reached by probing from its home slot
 *            without meeting an empty slot (deletion shifts entries back to
 *            keep it; there are no tombstones); len <= 3/4 of the slots.
 *            invariant: traced = the sum of the entries' sizes; peak >= traced.
 *
 *   tracebacks  open addressing of pointers to interned tracebacks; two
 *            traces with equal tracebacks share one copy.  Filenames are the
 *            frame stack's static strings and are compared by address (they
 *            play the part of CPython's interned str).  Tracebacks are only
 *            added; clear_traces and stop drop them all.
 *
 *   reentrant  set while a hook runs the allocator underneath, so that an
 *            allocator which itself allocates through a domain (pools asking
 *            RAW for an arena) is not traced twice.
 *
 * The layer's memory comes from the allocator under MEM_DOMAIN_RAW, called
 * directly, never through a domain (the tracer would trace itself); the
 * tracer's own part of it is counted in own_bytes.
 *
 * Snapshots copy the traces into a flat array of 16-byte records that index
 * the snapshot's own tracebacks, whose filenames are copied and interned by
 * content.  Statistics group by content (strcmp), so two filename strings
 * with the same text are one file.
 *
 *   constant            value   why
 *   TRACES_MIN_SLOTS    64      first table size; doubles when 3/4 full
 *   TRACEBACKS_MIN      64      same for interned tracebacks
 *   SNAPSHOT_VERSION    1       bumped on any change of the file layout
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

/* ==================================================================== tracebacks */

/* CPython's traceback hash (a tuple hash over the frames), with the
 * filename's address standing for hash(filename). */
static uint64_t traceback_hash(const trace_traceback *tb)
{
    /* TODO (§3): combine the frames (filename address, lineno) and total_nframe into one hash, as
     * CPython's tuple hash does. */
    (void)tb;
    return 0;
}

static bool same_traceback(const trace_traceback *a, const trace_traceback *b)
{
    /* TODO (§3): true when both tracebacks have the same hash, nframe, total_nframe and frames
     * (filenames compared by address). */
    (void)a;
    (void)b;
    return false;
}

/* Read the frame stack into the scratch traceback: the most recent frame
 * first, at most `limit` frames; ("<unknown>", 0) when the stack is empty. */
static trace_traceback *capture_traceback(void)
{
    /* TODO (§3): fill trace_state.scratch from the frame stack: frames[0] = mem_frame_at(0), at
     * most trace_state.limit frames; total_nframe = depth (saturating); an empty stack is
     * ("<unknown>", 0); set the hash. */
    return NULL;
}

static void tracebacks_insert_slot(trace_traceback **slots, size_t cap, trace_traceback *tb)
{
    /* TODO (§3): put tb in the first empty slot from its home slot (linear probing). */
    (void)slots;
    (void)cap;
    (void)tb;
}

static int tracebacks_grow(void)
{
    /* TODO (§3): double the interned-traceback table (own memory) and re-insert every traceback. */
    return -1;
}

/* The interned copy of `tb` (made on first sight), or NULL on out of memory. */
static trace_traceback *intern_traceback(const trace_traceback *tb)
{
    /* TODO (§3): return the interned traceback equal to tb; if there is none, grow the table when
     * it would pass 3/4 full, store a copy (own memory) and return it. */
    (void)tb;
    return NULL;
}

/* ==================================================================== traces */

/* An order-keeping hash, as the mem layer's registry uses: blocks allocated
 * one after another sit at nearby addresses, so their traces land in
 * neighbouring slots, one cache line often serving several lookups, and
 * distinct homes make probe runs short.  >> 4 drops the bits that 16-byte
 * alignment fixes; the >> 24 term spreads blocks with large alignments; other
 * domains (trace_track) are scattered by a multiplicative constant. */
static size_t trace_home(unsigned int domain, uintptr_t ptr, size_t cap)
{
    /* TODO (§3): home slot of (domain, ptr) in a table of cap slots (cap is a power of two). */
    (void)domain;
    (void)ptr;
    (void)cap;
    return 0;
}

/* Slot of (domain, ptr), or the empty slot where it would go. */
static trace_entry *traces_slot(trace_entry *slots, size_t cap, unsigned int domain, uintptr_t ptr)
{
    /* TODO (§3): probe from the home slot to the entry with this key, or to the empty slot where it
     * would go. */
    (void)slots;
    (void)cap;
    (void)domain;
    (void)ptr;
    return NULL;
}

static trace_entry *traces_find(unsigned int domain, uintptr_t ptr)
{
    /* TODO (§3): the live entry of (domain, ptr), or NULL. */
    (void)domain;
    (void)ptr;
    return NULL;
}

static int traces_grow(void)
{
    /* TODO (§3): double the traces table (own memory) and re-insert every live entry. */
    return -1;
}

/* Empty slot `i`, then pull back every entry after it that could no longer
 * be reached from its home slot (backward-shift deletion).  The entry at j
 * moves into the hole at i when i lies on its probe path, that is when its
 * home is at least as far behind j as i is (distances counted forward, with
 * wrap-around). */
static void traces_delete_at(size_t i)
{
    /* TODO (§3): empty slot i and move back later entries of the probe run so that every entry
     * stays reachable from its home slot (no tombstones); one trace fewer. */
    (void)i;
}

/* Record (domain, ptr) with the current traceback; an existing trace for the
 * same key is replaced.  Returns 0, or -1 on out of memory. */
static int add_trace(unsigned int domain, uintptr_t ptr, size_t size)
{
    /* TODO (§3): when tracing: intern the current traceback, grow the table if needed, then insert
     * or replace the trace of (domain, ptr) and update traced and peak; -1 on out of memory. */
    (void)domain;
    (void)ptr;
    (void)size;
    return -1;
}

static void remove_trace(unsigned int domain, uintptr_t ptr)
{
    /* TODO (§3): forget the trace of (domain, ptr) if there is one, and its bytes. */
    (void)domain;
    (void)ptr;
}

static void free_tables(void)
{
    /* TODO (§3): release every interned traceback and both tables; traced = peak = 0. */
}

/* ==================================================================== the hooks */

/* A nested call (the allocator underneath allocating through a domain)
 * passes straight through: the outer call traces the block it returns. */
static void *hook_alloc(mem_allocator *under, int zeroed, size_t nelem, size_t elsize)
{
    /* TODO (§2): a nested call (trace_state.reentrant) just calls the allocator underneath;
     * otherwise call it with reentrant set, and trace the new block (freeing it and returning NULL
     * if the trace cannot be added). */
    (void)under;
    (void)zeroed;
    (void)nelem;
    (void)elsize;
    return NULL;
}

static void *hook_malloc(void *ctx, size_t size)
{
    /* TODO (§2): trace a malloc (see hook_alloc). */
    (void)ctx;
    (void)size;
    return NULL;
}

static void *hook_calloc(void *ctx, size_t nelem, size_t elsize)
{
    /* TODO (§2): trace a calloc (see hook_alloc). */
    (void)ctx;
    (void)nelem;
    (void)elsize;
    return NULL;
}

/* The block moves: its trace goes with it, with the traceback of the
 * realloc call.  A nested realloc only forgets the old trace. */
static void *hook_realloc(void *ctx, void *ptr, size_t new_size)
{
    /* TODO (§2): call realloc underneath; when the block moved forget the old trace; trace the new
     * block with the current traceback (a nested call only forgets the old trace). */
    (void)ctx;
    (void)ptr;
    (void)new_size;
    return NULL;
}

static void hook_free(void *ctx, void *ptr)
{
    /* TODO (§2): free underneath, then forget the trace. */
    (void)ctx;
    (void)ptr;
}

/* ==================================================================== start, stop, queries */

int trace_start(int nframe)
{
    /* TODO (§1): check nframe (CPython's message), do nothing if already tracing, allocate the
     * scratch traceback, save each domain's allocator and install the hooks (ctx = the saved
     * allocator). */
    (void)nframe;
    return -1;
}

void trace_stop(void)
{
    /* TODO (§1): restore the saved allocators, forget everything, release the tracer's own memory.
     */
}

int trace_is_tracing(void)
{
    /* TODO (§1): 1 while tracing. */
    return 0;
}

int trace_get_traceback_limit(void)
{
    /* TODO (§1): the limit of the last successful start (1 before any). */
    return 0;
}

void trace_get_traced_memory(size_t *current, size_t *peak)
{
    /* TODO (§3): current and peak traced bytes, (0, 0) when not tracing. */
    (void)current;
    (void)peak;
}

void trace_reset_peak(void)
{ /* TODO (§3): peak = current while tracing. */
}

void trace_clear_traces(void)
{ /* TODO (§3): forget every trace and traceback while tracing. */
}

size_t trace_get_tracemalloc_memory(void)
{
    /* TODO (§3): the tracer's own bytes (trace_state.own_bytes). */
    return 0;
}

const trace_traceback *trace_get_traceback(unsigned int domain, uintptr_t ptr, size_t *size)
{
    /* TODO (§1): the traceback (and size) of the trace of (domain, ptr). */
    (void)domain;
    (void)ptr;
    (void)size;
    return NULL;
}

const trace_traceback *trace_get_object_traceback(const void *ptr)
{
    /* TODO (§3): the traceback of ptr in the default domain. */
    (void)ptr;
    return NULL;
}

int trace_track(unsigned int domain, uintptr_t ptr, size_t size)
{
    /* TODO (§3): add a trace (-2 when not tracing, -1 on out of memory). */
    (void)domain;
    (void)ptr;
    (void)size;
    return -1;
}

int trace_untrack(unsigned int domain, uintptr_t ptr)
{
    /* TODO (§3): remove a trace (-2 when not tracing). */
    (void)domain;
    (void)ptr;
    return -1;
}

size_t trace_count(void)
{
    /* TODO (§1): number of live traces. */
    return 0;
}
