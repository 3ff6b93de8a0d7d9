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
    uint64_t x = 0x345678, mult = 1000003;
    for (size_t i = 0; i < tb->nframe; i++) {
        size_t left = tb->nframe - 1 - i;
        uint64_t y = ((uintptr_t)tb->frames[i].filename >> 4) ^ tb->frames[i].lineno;
        x = (x ^ y) * mult;
        mult += 82520 + left + left;
    }
    x ^= tb->total_nframe;
    return x + 97531;
}

static bool same_traceback(const trace_traceback *a, const trace_traceback *b)
{
    if (a->hash != b->hash || a->nframe != b->nframe || a->total_nframe != b->total_nframe)
        return false;
    for (size_t i = 0; i < a->nframe; i++)
        if (a->frames[i].filename != b->frames[i].filename ||
            a->frames[i].lineno != b->frames[i].lineno)
            return false;
    return true;
}

/* Read the frame stack into the scratch traceback: the most recent frame
 * first, at most `limit` frames; ("<unknown>", 0) when the stack is empty. */
static trace_traceback *capture_traceback(void)
{
    trace_traceback *tb = trace_state.scratch;
    size_t depth;
    const mem_frame *stack = mem_frame_array(&depth); /* one call, not one per frame */
    size_t n = depth < (size_t)trace_state.limit ? depth : (size_t)trace_state.limit;
    for (size_t i = 0; i < n; i++) {
        const mem_frame *f = &stack[depth - 1 - i];
        tb->frames[i].filename = f->filename ? f->filename : TRACE_UNKNOWN_FILE;
        tb->frames[i].lineno = f->lineno;
    }
    tb->nframe = (uint16_t)n;
    tb->total_nframe = (uint16_t)(depth < TRACE_MAX_NFRAME ? depth : TRACE_MAX_NFRAME);
    if (depth == 0) {
        tb->frames[0] = (trace_frame){TRACE_UNKNOWN_FILE, 0};
        tb->nframe = tb->total_nframe = 1;
    }
    tb->hash = traceback_hash(tb);
    return tb;
}

static void tracebacks_insert_slot(trace_traceback **slots, size_t cap, trace_traceback *tb)
{
    size_t i = trace_mix64(tb->hash) & (cap - 1);
    while (slots[i])
        i = (i + 1) & (cap - 1);
    slots[i] = tb;
}

static int tracebacks_grow(void)
{
    size_t cap = trace_state.tracebacks_cap ? trace_state.tracebacks_cap * 2 : TRACEBACKS_MIN;
    trace_traceback **slots = trace_own_zalloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < trace_state.tracebacks_cap; i++)
        if (trace_state.tracebacks[i])
            tracebacks_insert_slot(slots, cap, trace_state.tracebacks[i]);
    trace_own_free(trace_state.tracebacks, trace_state.tracebacks_cap * sizeof *slots);
    trace_state.tracebacks = slots;
    trace_state.tracebacks_cap = cap;
    return 0;
}

/* The interned copy of `tb` (made on first sight), or NULL on out of memory. */
static trace_traceback *intern_traceback(const trace_traceback *tb)
{
    if (trace_state.tracebacks_cap) {
        size_t mask = trace_state.tracebacks_cap - 1;
        for (size_t i = trace_mix64(tb->hash) & mask; trace_state.tracebacks[i]; i = (i + 1) & mask)
            if (same_traceback(trace_state.tracebacks[i], tb))
                return trace_state.tracebacks[i];
    }
    if ((trace_state.tracebacks_len + 1) * 4 > trace_state.tracebacks_cap * 3 &&
        tracebacks_grow() < 0)
        return NULL;
    trace_traceback *copy = trace_own_alloc(trace_traceback_bytes(tb->nframe));
    if (!copy)
        return NULL;
    memcpy(copy, tb, trace_traceback_bytes(tb->nframe));
    tracebacks_insert_slot(trace_state.tracebacks, trace_state.tracebacks_cap, copy);
    trace_state.tracebacks_len++;
    return copy;
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
    uint64_t key =
        ((uint64_t)ptr >> 4) ^ ((uint64_t)ptr >> 24) ^ ((uint64_t)domain * 0x9E3779B97F4A7C15ULL);
    return (size_t)key & (cap - 1);
}

/* Slot of (domain, ptr), or the empty slot where it would go. */
static trace_entry *traces_slot(trace_entry *slots, size_t cap, unsigned int domain, uintptr_t ptr)
{
    size_t i = trace_home(domain, ptr, cap);
    while (slots[i].traceback && (slots[i].ptr != ptr || slots[i].domain != domain))
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static trace_entry *traces_find(unsigned int domain, uintptr_t ptr)
{
    if (trace_state.traces_cap == 0)
        return NULL;
    trace_entry *e = traces_slot(trace_state.traces, trace_state.traces_cap, domain, ptr);
    return e->traceback ? e : NULL;
}

static int traces_grow(void)
{
    size_t cap = trace_state.traces_cap ? trace_state.traces_cap * 2 : TRACES_MIN_SLOTS;
    trace_entry *slots = trace_own_zalloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < trace_state.traces_cap; i++) {
        const trace_entry *e = &trace_state.traces[i];
        if (e->traceback)
            *traces_slot(slots, cap, e->domain, e->ptr) = *e;
    }
    trace_own_free(trace_state.traces, trace_state.traces_cap * sizeof *slots);
    trace_state.traces = slots;
    trace_state.traces_cap = cap;
    return 0;
}

/* Empty slot `i`, then pull back every entry after it that could no longer
 * be reached from its home slot (backward-shift deletion).  The entry at j
 * moves into the hole at i when i lies on its probe path, that is when its
 * home is at least as far behind j as i is (distances counted forward, with
 * wrap-around). */
static void traces_delete_at(size_t i)
{
    size_t mask = trace_state.traces_cap - 1;
    for (size_t j = (i + 1) & mask; trace_state.traces[j].traceback; j = (j + 1) & mask) {
        size_t home = trace_home(trace_state.traces[j].domain, trace_state.traces[j].ptr,
                                 trace_state.traces_cap);
        if (((j - home) & mask) >= ((j - i) & mask)) {
            trace_state.traces[i] = trace_state.traces[j];
            i = j;
        }
    }
    trace_state.traces[i].traceback = NULL;
    trace_state.traces_len--;
}

/* Record (domain, ptr) with the current traceback; an existing trace for the
 * same key is replaced.  Returns 0, or -1 on out of memory. */
static int add_trace(unsigned int domain, uintptr_t ptr, size_t size)
{
    if (!trace_state.tracing)
        return 0;
    trace_traceback *tb = intern_traceback(capture_traceback());
    if (!tb)
        return -1;
    if ((trace_state.traces_len + 1) * 4 > trace_state.traces_cap * 3 && traces_grow() < 0)
        return -1;
    trace_entry *e = traces_slot(trace_state.traces, trace_state.traces_cap, domain, ptr);
    if (e->traceback) {
        trace_state.traced -= e->size;
    } else {
        trace_state.traces_len++;
    }
    *e = (trace_entry){ptr, size, tb, domain};
    trace_state.traced += size;
    if (trace_state.traced > trace_state.peak)
        trace_state.peak = trace_state.traced;
    return 0;
}

static void remove_trace(unsigned int domain, uintptr_t ptr)
{
    trace_entry *e = traces_find(domain, ptr);
    if (!e)
        return;
    trace_state.traced -= e->size;
    traces_delete_at((size_t)(e - trace_state.traces));
}

static void free_tables(void)
{
    for (size_t i = 0; i < trace_state.tracebacks_cap; i++)
        if (trace_state.tracebacks[i])
            trace_own_free(trace_state.tracebacks[i],
                           trace_traceback_bytes(trace_state.tracebacks[i]->nframe));
    trace_own_free(trace_state.tracebacks,
                   trace_state.tracebacks_cap * sizeof *trace_state.tracebacks);
    trace_own_free(trace_state.traces, trace_state.traces_cap * sizeof *trace_state.traces);
    trace_state.tracebacks = NULL;
    trace_state.traces = NULL;
    trace_state.tracebacks_cap = trace_state.tracebacks_len = 0;
    trace_state.traces_cap = trace_state.traces_len = 0;
    trace_state.traced = trace_state.peak = 0;
}

/* ==================================================================== the hooks */

/* A nested call (the allocator underneath allocating through a domain)
 * passes straight through: the outer call traces the block it returns. */
static void *hook_alloc(mem_allocator *under, int zeroed, size_t nelem, size_t elsize)
{
    if (trace_state.reentrant)
        return zeroed ? under->calloc(under->ctx, nelem, elsize)
                      : under->malloc(under->ctx, elsize);
    trace_state.reentrant = 1;
    void *p = zeroed ? under->calloc(under->ctx, nelem, elsize) : under->malloc(under->ctx, elsize);
    if (p && add_trace(TRACE_DEFAULT_DOMAIN, (uintptr_t)p, nelem * elsize) < 0) {
        under->free(under->ctx, p); /* cannot trace it: fail the allocation */
        p = NULL;
    }
    trace_state.reentrant = 0;
    return p;
}

static void *hook_malloc(void *ctx, size_t size) { return hook_alloc(ctx, 0, 1, size); }

static void *hook_calloc(void *ctx, size_t nelem, size_t elsize)
{
    return hook_alloc(ctx, 1, nelem, elsize);
}

/* The block moves: its trace goes with it, with the traceback of the
 * realloc call.  A nested realloc only forgets the old trace. */
static void *hook_realloc(void *ctx, void *ptr, size_t new_size)
{
    mem_allocator *under = ctx;
    if (trace_state.reentrant) {
        void *p = under->realloc(under->ctx, ptr, new_size);
        if (p && ptr)
            remove_trace(TRACE_DEFAULT_DOMAIN, (uintptr_t)ptr);
        return p;
    }
    trace_state.reentrant = 1;
    void *p = under->realloc(under->ctx, ptr, new_size);
    if (p) {
        if (ptr && p != ptr)
            remove_trace(TRACE_DEFAULT_DOMAIN, (uintptr_t)ptr);
        if (add_trace(TRACE_DEFAULT_DOMAIN, (uintptr_t)p, new_size) < 0) {
            /* the old contents are gone: we cannot give the block back */
            remove_trace(TRACE_DEFAULT_DOMAIN, (uintptr_t)p);
            if (!ptr) {
                under->free(under->ctx, p);
                p = NULL;
            }
        }
    }
    trace_state.reentrant = 0;
    return p;
}

static void hook_free(void *ctx, void *ptr)
{
    mem_allocator *under = ctx;
    under->free(under->ctx, ptr);
    remove_trace(TRACE_DEFAULT_DOMAIN, (uintptr_t)ptr);
}

/* ==================================================================== start, stop, queries */

int trace_start(int nframe)
{
    if (nframe < 1 || nframe > TRACE_MAX_NFRAME) {
        trace_set_error("the number of frames must be in range [1; %d]", TRACE_MAX_NFRAME);
        return -1;
    }
    if (trace_state.tracing)
        return 0;
    trace_state.scratch = trace_own_alloc(trace_traceback_bytes((size_t)nframe));
    if (!trace_state.scratch) {
        trace_set_error("out of memory");
        return -1;
    }
    trace_state.limit = nframe;
    for (int d = 0; d < MEM_NDOMAINS; d++) {
        mem_get_allocator((mem_domain)d, &trace_state.under[d]);
        mem_allocator hook = {&trace_state.under[d], hook_malloc, hook_calloc, hook_realloc,
                              hook_free};
        mem_set_allocator((mem_domain)d, &hook);
    }
    trace_state.tracing = 1;
    return 0;
}

void trace_stop(void)
{
    if (!trace_state.tracing)
        return;
    for (int d = 0; d < MEM_NDOMAINS; d++)
        mem_set_allocator((mem_domain)d, &trace_state.under[d]);
    trace_state.tracing = 0;
    free_tables();
    trace_own_free(trace_state.scratch, trace_traceback_bytes((size_t)trace_state.limit));
    trace_state.scratch = NULL;
}

int trace_is_tracing(void) { return trace_state.tracing; }

int trace_get_traceback_limit(void) { return trace_state.limit; }

void trace_get_traced_memory(size_t *current, size_t *peak)
{
    if (current)
        *current = trace_state.tracing ? trace_state.traced : 0;
    if (peak)
        *peak = trace_state.tracing ? trace_state.peak : 0;
}

void trace_reset_peak(void)
{
    if (trace_state.tracing)
        trace_state.peak = trace_state.traced;
}

void trace_clear_traces(void)
{
    if (trace_state.tracing)
        free_tables();
}

size_t trace_get_tracemalloc_memory(void) { return trace_state.own_bytes; }

const trace_traceback *trace_get_traceback(unsigned int domain, uintptr_t ptr, size_t *size)
{
    if (!trace_state.tracing)
        return NULL;
    const trace_entry *e = traces_find(domain, ptr);
    if (!e)
        return NULL;
    if (size)
        *size = e->size;
    return e->traceback;
}

const trace_traceback *trace_get_object_traceback(const void *ptr)
{
    return trace_get_traceback(TRACE_DEFAULT_DOMAIN, (uintptr_t)ptr, NULL);
}

int trace_track(unsigned int domain, uintptr_t ptr, size_t size)
{
    if (!trace_state.tracing)
        return -2;
    if (add_trace(domain, ptr, size) < 0) {
        trace_set_error("out of memory");
        return -1;
    }
    return 0;
}

int trace_untrack(unsigned int domain, uintptr_t ptr)
{
    if (!trace_state.tracing)
        return -2;
    remove_trace(domain, ptr);
    return 0;
}

size_t trace_count(void) { return trace_state.tracing ? trace_state.traces_len : 0; }
