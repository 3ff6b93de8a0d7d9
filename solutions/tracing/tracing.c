/*
 * tracing.c -- an allocation tracer (CPython 3.11's tracemalloc) for the
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
#include "memlab/tracing.h"

#include "memlab/mem.h"

#include <fnmatch.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static struct {
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
} tracer = {.limit = 1};

/* ================================================================ memory and errors */

/* Where all of this layer's memory comes from: the allocator under
 * MEM_DOMAIN_RAW.  While tracing that is the one start() found there, called
 * directly, so the tracer never traces itself (CPython's raw_malloc). */
static const mem_allocator *layer_allocator(void)
{
    static mem_allocator current;
    if (tracer.tracing)
        return &tracer.under[MEM_DOMAIN_RAW];
    mem_get_allocator(MEM_DOMAIN_RAW, &current);
    return &current;
}

static void *sys_alloc(size_t size)
{
    const mem_allocator *a = layer_allocator();
    return a->malloc(a->ctx, size);
}

static void *sys_zalloc(size_t nelem, size_t elsize)
{
    const mem_allocator *a = layer_allocator();
    return a->calloc(a->ctx, nelem, elsize);
}

static void *sys_realloc(void *ptr, size_t size)
{
    const mem_allocator *a = layer_allocator();
    return a->realloc(a->ctx, ptr, size);
}

static void sys_release(void *ptr)
{
    const mem_allocator *a = layer_allocator();
    a->free(a->ctx, ptr);
}

static char error_text[512] = "";

const char *trace_error_message(void) { return error_text; }

__attribute__((format(printf, 1, 2))) static void set_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(error_text, sizeof error_text, fmt, ap);
    va_end(ap);
}

/* The tracer's own memory: counted, so get_tracemalloc_memory can report it. */
static void *own_alloc(size_t size)
{
    void *p = sys_alloc(size);
    if (p)
        tracer.own_bytes += size;
    return p;
}

static void *own_zalloc(size_t nelem, size_t elsize)
{
    void *p = sys_zalloc(nelem, elsize);
    if (p)
        tracer.own_bytes += nelem * elsize;
    return p;
}

static void own_free(void *ptr, size_t size)
{
    if (!ptr)
        return;
    sys_release(ptr);
    tracer.own_bytes -= size;
}

/* A 64-bit mixer (the finaliser of MurmurHash3): spreads every input bit
 * over the low bits that pick a slot. */
static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static size_t traceback_bytes(size_t nframe)
{
    return sizeof(trace_traceback) + nframe * sizeof(trace_frame);
}

/* ================================================================ tracebacks */

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
    trace_traceback *tb = tracer.scratch;
    size_t depth = mem_frame_depth();
    size_t n = depth < (size_t)tracer.limit ? depth : (size_t)tracer.limit;
    for (size_t i = 0; i < n; i++) {
        const mem_frame *f = mem_frame_at(i);
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
    size_t i = mix64(tb->hash) & (cap - 1);
    while (slots[i])
        i = (i + 1) & (cap - 1);
    slots[i] = tb;
}

static int tracebacks_grow(void)
{
    size_t cap = tracer.tracebacks_cap ? tracer.tracebacks_cap * 2 : TRACEBACKS_MIN;
    trace_traceback **slots = own_zalloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < tracer.tracebacks_cap; i++)
        if (tracer.tracebacks[i])
            tracebacks_insert_slot(slots, cap, tracer.tracebacks[i]);
    own_free(tracer.tracebacks, tracer.tracebacks_cap * sizeof *slots);
    tracer.tracebacks = slots;
    tracer.tracebacks_cap = cap;
    return 0;
}

/* The interned copy of `tb` (made on first sight), or NULL on out of memory. */
static trace_traceback *intern_traceback(const trace_traceback *tb)
{
    if (tracer.tracebacks_cap) {
        size_t mask = tracer.tracebacks_cap - 1;
        for (size_t i = mix64(tb->hash) & mask; tracer.tracebacks[i]; i = (i + 1) & mask)
            if (same_traceback(tracer.tracebacks[i], tb))
                return tracer.tracebacks[i];
    }
    if ((tracer.tracebacks_len + 1) * 4 > tracer.tracebacks_cap * 3 && tracebacks_grow() < 0)
        return NULL;
    trace_traceback *copy = own_alloc(traceback_bytes(tb->nframe));
    if (!copy)
        return NULL;
    memcpy(copy, tb, traceback_bytes(tb->nframe));
    tracebacks_insert_slot(tracer.tracebacks, tracer.tracebacks_cap, copy);
    tracer.tracebacks_len++;
    return copy;
}

/* ================================================================ traces */

/* An order-keeping hash, as the mem layer's registry uses: blocks allocated
 * one after another sit at nearby addresses, so their traces land in
 * neighbouring slots, one cache line often serving several lookups, and
 * distinct homes make probe runs short.  >> 4 drops the bits that 16-byte
 * alignment fixes; the >> 24 term spreads blocks with large alignments; other
 * domains (trace_track) are scattered by a multiplicative constant. */
static size_t trace_home(unsigned int domain, uintptr_t ptr, size_t cap)
{
    uint64_t key = ((uint64_t)ptr >> 4) ^ ((uint64_t)ptr >> 24) ^
                   ((uint64_t)domain * 0x9E3779B97F4A7C15ULL);
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
    if (tracer.traces_cap == 0)
        return NULL;
    trace_entry *e = traces_slot(tracer.traces, tracer.traces_cap, domain, ptr);
    return e->traceback ? e : NULL;
}

static int traces_grow(void)
{
    size_t cap = tracer.traces_cap ? tracer.traces_cap * 2 : TRACES_MIN_SLOTS;
    trace_entry *slots = own_zalloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < tracer.traces_cap; i++) {
        const trace_entry *e = &tracer.traces[i];
        if (e->traceback)
            *traces_slot(slots, cap, e->domain, e->ptr) = *e;
    }
    own_free(tracer.traces, tracer.traces_cap * sizeof *slots);
    tracer.traces = slots;
    tracer.traces_cap = cap;
    return 0;
}

/* Empty slot `i`, then pull back every entry after it that could no longer
 * be reached from its home slot (backward-shift deletion).  The entry at j
 * moves into the hole at i when i lies on its probe path, that is when its
 * home is at least as far behind j as i is (distances counted forward, with
 * wrap-around). */
static void traces_delete_at(size_t i)
{
    size_t mask = tracer.traces_cap - 1;
    for (size_t j = (i + 1) & mask; tracer.traces[j].traceback; j = (j + 1) & mask) {
        size_t home = trace_home(tracer.traces[j].domain, tracer.traces[j].ptr, tracer.traces_cap);
        if (((j - home) & mask) >= ((j - i) & mask)) {
            tracer.traces[i] = tracer.traces[j];
            i = j;
        }
    }
    tracer.traces[i].traceback = NULL;
    tracer.traces_len--;
}

/* Record (domain, ptr) with the current traceback; an existing trace for the
 * same key is replaced.  Returns 0, or -1 on out of memory. */
static int add_trace(unsigned int domain, uintptr_t ptr, size_t size)
{
    if (!tracer.tracing)
        return 0;
    trace_traceback *tb = intern_traceback(capture_traceback());
    if (!tb)
        return -1;
    if ((tracer.traces_len + 1) * 4 > tracer.traces_cap * 3 && traces_grow() < 0)
        return -1;
    trace_entry *e = traces_slot(tracer.traces, tracer.traces_cap, domain, ptr);
    if (e->traceback) {
        tracer.traced -= e->size;
    } else {
        tracer.traces_len++;
    }
    *e = (trace_entry){ptr, size, tb, domain};
    tracer.traced += size;
    if (tracer.traced > tracer.peak)
        tracer.peak = tracer.traced;
    return 0;
}

static void remove_trace(unsigned int domain, uintptr_t ptr)
{
    trace_entry *e = traces_find(domain, ptr);
    if (!e)
        return;
    tracer.traced -= e->size;
    traces_delete_at((size_t)(e - tracer.traces));
}

static void free_tables(void)
{
    for (size_t i = 0; i < tracer.tracebacks_cap; i++)
        if (tracer.tracebacks[i])
            own_free(tracer.tracebacks[i], traceback_bytes(tracer.tracebacks[i]->nframe));
    own_free(tracer.tracebacks, tracer.tracebacks_cap * sizeof *tracer.tracebacks);
    own_free(tracer.traces, tracer.traces_cap * sizeof *tracer.traces);
    tracer.tracebacks = NULL;
    tracer.traces = NULL;
    tracer.tracebacks_cap = tracer.tracebacks_len = 0;
    tracer.traces_cap = tracer.traces_len = 0;
    tracer.traced = tracer.peak = 0;
}

/* ================================================================ the hooks */

/* A nested call (the allocator underneath allocating through a domain)
 * passes straight through: the outer call traces the block it returns. */
static void *hook_alloc(mem_allocator *under, int zeroed, size_t nelem, size_t elsize)
{
    if (tracer.reentrant)
        return zeroed ? under->calloc(under->ctx, nelem, elsize)
                      : under->malloc(under->ctx, elsize);
    tracer.reentrant = 1;
    void *p = zeroed ? under->calloc(under->ctx, nelem, elsize) : under->malloc(under->ctx, elsize);
    if (p && add_trace(TRACE_DEFAULT_DOMAIN, (uintptr_t)p, nelem * elsize) < 0) {
        under->free(under->ctx, p); /* cannot trace it: fail the allocation */
        p = NULL;
    }
    tracer.reentrant = 0;
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
    if (tracer.reentrant) {
        void *p = under->realloc(under->ctx, ptr, new_size);
        if (p && ptr)
            remove_trace(TRACE_DEFAULT_DOMAIN, (uintptr_t)ptr);
        return p;
    }
    tracer.reentrant = 1;
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
    tracer.reentrant = 0;
    return p;
}

static void hook_free(void *ctx, void *ptr)
{
    mem_allocator *under = ctx;
    under->free(under->ctx, ptr);
    remove_trace(TRACE_DEFAULT_DOMAIN, (uintptr_t)ptr);
}

/* ================================================================ start, stop, queries */

int trace_start(int nframe)
{
    if (nframe < 1 || nframe > TRACE_MAX_NFRAME) {
        set_error("the number of frames must be in range [1; %d]", TRACE_MAX_NFRAME);
        return -1;
    }
    if (tracer.tracing)
        return 0;
    tracer.scratch = own_alloc(traceback_bytes((size_t)nframe));
    if (!tracer.scratch) {
        set_error("out of memory");
        return -1;
    }
    tracer.limit = nframe;
    for (int d = 0; d < MEM_NDOMAINS; d++) {
        mem_get_allocator((mem_domain)d, &tracer.under[d]);
        mem_allocator hook = {&tracer.under[d], hook_malloc, hook_calloc, hook_realloc, hook_free};
        mem_set_allocator((mem_domain)d, &hook);
    }
    tracer.tracing = 1;
    return 0;
}

void trace_stop(void)
{
    if (!tracer.tracing)
        return;
    for (int d = 0; d < MEM_NDOMAINS; d++)
        mem_set_allocator((mem_domain)d, &tracer.under[d]);
    tracer.tracing = 0;
    free_tables();
    own_free(tracer.scratch, traceback_bytes((size_t)tracer.limit));
    tracer.scratch = NULL;
}

int trace_is_tracing(void) { return tracer.tracing; }

int trace_get_traceback_limit(void) { return tracer.limit; }

void trace_get_traced_memory(size_t *current, size_t *peak)
{
    if (current)
        *current = tracer.tracing ? tracer.traced : 0;
    if (peak)
        *peak = tracer.tracing ? tracer.peak : 0;
}

void trace_reset_peak(void)
{
    if (tracer.tracing)
        tracer.peak = tracer.traced;
}

void trace_clear_traces(void)
{
    if (tracer.tracing)
        free_tables();
}

size_t trace_get_tracemalloc_memory(void) { return tracer.own_bytes; }

const trace_traceback *trace_get_traceback(unsigned int domain, uintptr_t ptr, size_t *size)
{
    if (!tracer.tracing)
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
    if (!tracer.tracing)
        return -2;
    if (add_trace(domain, ptr, size) < 0) {
        set_error("out of memory");
        return -1;
    }
    return 0;
}

int trace_untrack(unsigned int domain, uintptr_t ptr)
{
    if (!tracer.tracing)
        return -2;
    remove_trace(domain, ptr);
    return 0;
}

size_t trace_count(void) { return tracer.tracing ? tracer.traces_len : 0; }

/* ================================================================ snapshots */

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

/* FNV-1a: the hash of a filename's text. */
static uint64_t string_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

/* Grow `*array` (of `*cap` elements of `elsize`) to hold `need`. */
static int reserve(void *array, size_t *cap, size_t need, size_t elsize)
{
    if (need <= *cap)
        return 0;
    size_t cap2 = *cap ? *cap : 16;
    while (cap2 < need)
        cap2 *= 2;
    void *p = sys_realloc(*(void **)array, cap2 * elsize);
    if (!p)
        return -1;
    *(void **)array = p;
    *cap = cap2;
    return 0;
}

static uint32_t *name_slot(const trace_snapshot *snap, const char *name)
{
    size_t mask = snap->name_slots_cap - 1;
    size_t i = mix64(string_hash(name)) & mask;
    while (snap->name_slots[i] && strcmp(snap->names[snap->name_slots[i] - 1], name) != 0)
        i = (i + 1) & mask;
    return &snap->name_slots[i];
}

static int names_grow(trace_snapshot *snap)
{
    size_t cap = snap->name_slots_cap ? snap->name_slots_cap * 2 : 64;
    uint32_t *old = snap->name_slots;
    snap->name_slots = sys_zalloc(cap, sizeof *old);
    if (!snap->name_slots) {
        snap->name_slots = old;
        return -1;
    }
    snap->name_slots_cap = cap;
    for (size_t i = 0; i < snap->nnames; i++)
        *name_slot(snap, snap->names[i]) = (uint32_t)(i + 1);
    sys_release(old);
    return 0;
}

/* Index of the snapshot's copy of `name`, made on first use; NO_INDEX on
 * out of memory. */
static uint32_t intern_name(trace_snapshot *snap, const char *name)
{
    if ((snap->nnames + 1) * 2 > snap->name_slots_cap && names_grow(snap) < 0)
        return NO_INDEX;
    uint32_t *slot = name_slot(snap, name);
    if (*slot)
        return *slot - 1;
    size_t len = strlen(name);
    char *copy = sys_alloc(len + 1);
    if (!copy || reserve(&snap->names, &snap->names_cap, snap->nnames + 1, sizeof(char *)) < 0) {
        sys_release(copy);
        return NO_INDEX;
    }
    memcpy(copy, name, len + 1);
    snap->names[snap->nnames++] = copy;
    *slot = (uint32_t)snap->nnames;
    return *slot - 1;
}

/* Append a copy of `frames` as a snapshot traceback; its index, or NO_INDEX
 * on out of memory. */
static uint32_t snapshot_add_traceback(trace_snapshot *snap, const trace_frame *frames,
                                       size_t nframe, size_t total_nframe)
{
    if (reserve(&snap->tracebacks, &snap->tracebacks_cap, snap->ntracebacks + 1,
                sizeof(trace_traceback *)) < 0)
        return NO_INDEX;
    trace_traceback *tb = sys_alloc(traceback_bytes(nframe));
    if (!tb)
        return NO_INDEX;
    tb->hash = 0;
    tb->nframe = (uint16_t)nframe;
    tb->total_nframe = (uint16_t)total_nframe;
    for (size_t i = 0; i < nframe; i++) {
        uint32_t name = intern_name(snap, frames[i].filename);
        if (name == NO_INDEX) {
            sys_release(tb);
            return NO_INDEX;
        }
        tb->frames[i] = (trace_frame){snap->names[name], frames[i].lineno};
    }
    snap->tracebacks[snap->ntracebacks] = tb;
    return (uint32_t)snap->ntracebacks++;
}

static int snapshot_append(trace_snapshot *snap, unsigned int domain, size_t size, uint32_t tb)
{
    if (reserve(&snap->traces, &snap->cap, snap->len + 1, sizeof(snap_trace)) < 0)
        return -1;
    snap->traces[snap->len++] = (snap_trace){size, domain, tb};
    return 0;
}

trace_snapshot *trace_snapshot_new(int traceback_limit)
{
    trace_snapshot *snap = sys_zalloc(1, sizeof *snap);
    if (!snap) {
        set_error("out of memory");
        return NULL;
    }
    snap->traceback_limit = traceback_limit;
    return snap;
}

void trace_snapshot_free(trace_snapshot *snap)
{
    if (!snap)
        return;
    for (size_t i = 0; i < snap->ntracebacks; i++)
        sys_release(snap->tracebacks[i]);
    for (size_t i = 0; i < snap->nnames; i++)
        sys_release(snap->names[i]);
    sys_release(snap->tracebacks);
    sys_release(snap->names);
    sys_release(snap->name_slots);
    sys_release(snap->traces);
    sys_release(snap);
}

int trace_snapshot_add(trace_snapshot *snap, unsigned int domain, size_t size,
                       const trace_frame *frames, size_t nframe, size_t total_nframe)
{
    if (nframe < 1 || nframe > TRACE_MAX_NFRAME || total_nframe < nframe ||
        total_nframe > TRACE_MAX_NFRAME) {
        set_error("a trace needs 1 <= nframe <= total_nframe <= %d frames", TRACE_MAX_NFRAME);
        return -1;
    }
    uint32_t tb = snapshot_add_traceback(snap, frames, nframe, total_nframe);
    if (tb == NO_INDEX || snapshot_append(snap, domain, size, tb) < 0) {
        set_error("out of memory");
        return -1;
    }
    return 0;
}

/* Position of a tracer traceback in the tracer's table: the slot that holds
 * that very pointer, found from its hash without comparing frames. */
static size_t traceback_slot_of(const trace_traceback *tb)
{
    size_t mask = tracer.tracebacks_cap - 1;
    size_t i = mix64(tb->hash) & mask;
    while (tracer.tracebacks[i] != tb)
        i = (i + 1) & mask;
    return i;
}

trace_snapshot *trace_take_snapshot(void)
{
    if (!tracer.tracing) {
        set_error("the tracemalloc module must be tracing memory allocations to take a snapshot");
        return NULL;
    }
    trace_snapshot *snap = trace_snapshot_new(tracer.limit);
    /* copied[slot]: the snapshot's index of the tracer's traceback in that slot */
    uint32_t *copied = sys_alloc((tracer.tracebacks_cap + 1) * sizeof *copied);
    if (!snap || !copied ||
        reserve(&snap->traces, &snap->cap, tracer.traces_len, sizeof(snap_trace)) < 0)
        goto nomem;
    for (size_t i = 0; i < tracer.tracebacks_cap; i++)
        copied[i] = NO_INDEX;
    for (size_t i = 0; i < tracer.traces_cap; i++) {
        const trace_entry *e = &tracer.traces[i];
        if (!e->traceback)
            continue;
        size_t slot = traceback_slot_of(e->traceback);
        if (copied[slot] == NO_INDEX) {
            copied[slot] = snapshot_add_traceback(snap, e->traceback->frames, e->traceback->nframe,
                                                  e->traceback->total_nframe);
            if (copied[slot] == NO_INDEX)
                goto nomem;
        }
        snap->traces[snap->len++] = (snap_trace){e->size, e->domain, copied[slot]};
    }
    sys_release(copied);
    return snap;
nomem:
    sys_release(copied);
    trace_snapshot_free(snap);
    set_error("out of memory");
    return NULL;
}

size_t trace_snapshot_len(const trace_snapshot *snap) { return snap->len; }

int trace_snapshot_traceback_limit(const trace_snapshot *snap) { return snap->traceback_limit; }

int trace_snapshot_get(const trace_snapshot *snap, size_t i, trace_trace *out)
{
    if (i >= snap->len) {
        set_error("trace index %zu out of range (%zu traces)", i, snap->len);
        return -1;
    }
    const snap_trace *t = &snap->traces[i];
    *out = (trace_trace){t->domain, (size_t)t->size, snap->tracebacks[t->traceback]};
    return 0;
}

/* ---------------------------------------------------------------- filters */

/* _normalize_filename: "x.pyc" is matched as "x.py". */
static const char *normalize_filename(const char *name, char *buf, size_t size)
{
    size_t len = strlen(name);
    if (len < 4 || strcmp(name + len - 4, ".pyc") != 0 || len >= size)
        return name;
    memcpy(buf, name, len - 1);
    buf[len - 1] = '\0';
    return buf;
}

static bool frame_matches(const trace_filter *f, const trace_frame *frame)
{
    char pattern_buf[4096], name_buf[4096];
    const char *pattern = normalize_filename(f->filename_pattern, pattern_buf, sizeof pattern_buf);
    const char *name = normalize_filename(frame->filename, name_buf, sizeof name_buf);
    if (fnmatch(pattern, name, FNM_NOESCAPE) != 0)
        return false;
    return !f->has_lineno || frame->lineno == f->lineno;
}

/* Filter._match_traceback: does the filter keep this traceback (before the
 * domain is looked at)? */
static bool traceback_kept(const trace_filter *f, const trace_traceback *tb)
{
    if (!f->all_frames)
        return frame_matches(f, &tb->frames[0]) == (f->inclusive != 0);
    for (size_t i = 0; i < tb->nframe; i++)
        if (frame_matches(f, &tb->frames[i]))
            return f->inclusive;
    return !f->inclusive;
}

/* Filter._match / DomainFilter._match: true when the filter keeps the trace. */
static bool filter_keeps(const trace_filter *f, bool tb_kept, unsigned int domain)
{
    if (!f->filename_pattern)
        return (domain == f->domain) == (f->inclusive != 0);
    if (!f->has_domain)
        return tb_kept;
    return f->inclusive ? tb_kept && domain == f->domain : tb_kept || domain != f->domain;
}

/* Snapshot._filter_trace: any inclusive filter keeps it (when there is one),
 * and every exclusive filter keeps it. */
static bool trace_passes(const trace_filter *filters, size_t n, const bool *kept,
                         unsigned int domain)
{
    bool any_inclusive = false, included = false;
    for (size_t f = 0; f < n; f++) {
        bool keeps = filter_keeps(&filters[f], kept[f], domain);
        if (filters[f].inclusive) {
            any_inclusive = true;
            included = included || keeps;
        } else if (!keeps) {
            return false;
        }
    }
    return !any_inclusive || included;
}

trace_snapshot *trace_snapshot_filter_traces(const trace_snapshot *snap,
                                             const trace_filter *filters, size_t nfilters)
{
    for (size_t f = 0; f < nfilters; f++)
        if (!filters[f].filename_pattern && !filters[f].has_domain) {
            set_error("filter %zu has neither a filename pattern nor a domain", f);
            return NULL;
        }
    trace_snapshot *out = trace_snapshot_new(snap->traceback_limit);
    /* kept[t * nfilters + f]: does filter f keep traceback t (domain aside)? */
    bool *kept = sys_alloc(snap->ntracebacks * nfilters * sizeof *kept + 1);
    uint32_t *copied = sys_alloc(snap->ntracebacks * sizeof *copied + 1);
    if (!out || !kept || !copied)
        goto nomem;
    for (size_t t = 0; t < snap->ntracebacks; t++) {
        copied[t] = NO_INDEX;
        for (size_t f = 0; f < nfilters; f++)
            kept[t * nfilters + f] =
                filters[f].filename_pattern && traceback_kept(&filters[f], snap->tracebacks[t]);
    }
    for (size_t i = 0; i < snap->len; i++) {
        const snap_trace *t = &snap->traces[i];
        if (!trace_passes(filters, nfilters, &kept[t->traceback * nfilters], t->domain))
            continue;
        if (copied[t->traceback] == NO_INDEX) {
            const trace_traceback *tb = snap->tracebacks[t->traceback];
            copied[t->traceback] =
                snapshot_add_traceback(out, tb->frames, tb->nframe, tb->total_nframe);
            if (copied[t->traceback] == NO_INDEX)
                goto nomem;
        }
        if (snapshot_append(out, t->domain, (size_t)t->size, copied[t->traceback]) < 0)
            goto nomem;
    }
    sys_release(kept);
    sys_release(copied);
    return out;
nomem:
    sys_release(kept);
    sys_release(copied);
    trace_snapshot_free(out);
    set_error("out of memory");
    return NULL;
}

/* ---------------------------------------------------------------- dump and load */

/*
 * The file, every integer little-endian:
 *
 *   "MLTRACE\n"         8 bytes of magic
 *   u32 version         SNAPSHOT_VERSION
 *   u64 file_size       the whole file, checksum included
 *   i32 traceback_limit
 *   u32 nnames          then per name: u32 length, the bytes (no NUL)
 *   u32 ntracebacks     then per traceback: u16 nframe, u16 total_nframe,
 *                       nframe x (u32 name index, u32 lineno), most recent first
 *   u64 ntraces         then per trace: u32 domain, u32 traceback index, u64 size
 *   u64 checksum        FNV-1a of every byte before it
 */
#define SNAPSHOT_MAGIC   "MLTRACE\n"
#define SNAPSHOT_VERSION 1
#define SNAPSHOT_HEADER  20 /* magic, version, file_size */

typedef struct bytes {
    unsigned char *data;
    size_t len, cap;
    int failed;
} bytes;

static void put(bytes *b, uint64_t value, size_t width)
{
    if (b->failed || reserve(&b->data, &b->cap, b->len + width, 1) < 0) {
        b->failed = 1;
        return;
    }
    for (size_t i = 0; i < width; i++)
        b->data[b->len++] = (unsigned char)(value >> (8 * i));
}

static uint64_t fnv1a(const unsigned char *data, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ data[i]) * 0x100000001b3ULL;
    return h;
}

static void encode_snapshot(const trace_snapshot *snap, bytes *b)
{
    for (const char *m = SNAPSHOT_MAGIC; *m; m++)
        put(b, (unsigned char)*m, 1);
    put(b, SNAPSHOT_VERSION, 4);
    put(b, 0, 8); /* file_size, patched below */
    put(b, (uint32_t)snap->traceback_limit, 4);
    put(b, snap->nnames, 4);
    for (size_t i = 0; i < snap->nnames; i++) {
        size_t len = strlen(snap->names[i]);
        put(b, len, 4);
        for (size_t k = 0; k < len; k++)
            put(b, (unsigned char)snap->names[i][k], 1);
    }
    put(b, snap->ntracebacks, 4);
    for (size_t t = 0; t < snap->ntracebacks; t++) {
        const trace_traceback *tb = snap->tracebacks[t];
        put(b, tb->nframe, 2);
        put(b, tb->total_nframe, 2);
        for (size_t i = 0; i < tb->nframe; i++) {
            put(b, *name_slot(snap, tb->frames[i].filename) - 1, 4);
            put(b, tb->frames[i].lineno, 4);
        }
    }
    put(b, snap->len, 8);
    for (size_t i = 0; i < snap->len; i++) {
        put(b, snap->traces[i].domain, 4);
        put(b, snap->traces[i].traceback, 4);
        put(b, snap->traces[i].size, 8);
    }
    if (b->failed)
        return;
    uint64_t total = b->len + 8;
    for (size_t i = 0; i < 8; i++)
        b->data[12 + i] = (unsigned char)(total >> (8 * i));
    put(b, fnv1a(b->data, b->len), 8);
}

int trace_snapshot_dump(const trace_snapshot *snap, const char *path)
{
    bytes b = {0};
    encode_snapshot(snap, &b);
    if (b.failed) {
        sys_release(b.data);
        set_error("out of memory");
        return -1;
    }
    /* write beside the target, then rename: a crash never leaves half a file */
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
        sys_release(b.data);
        set_error("snapshot file '%.200s': path too long", path);
        return -1;
    }
    FILE *fp = fopen(tmp, "wb");
    int ok = fp && fwrite(b.data, 1, b.len, fp) == b.len && fflush(fp) == 0 && !ferror(fp);
    if (fp && fclose(fp) != 0)
        ok = 0;
    sys_release(b.data);
    if (!ok || rename(tmp, path) != 0) {
        if (fp)
            remove(tmp);
        set_error("snapshot file '%.200s': cannot write it", path);
        return -1;
    }
    return 0;
}

typedef struct reader {
    const unsigned char *data;
    size_t len, pos;
    int bad; /* read past the end */
} reader;

static uint64_t get(reader *r, size_t width)
{
    if (r->bad || r->len - r->pos < width) {
        r->bad = 1;
        return 0;
    }
    uint64_t value = 0;
    for (size_t i = 0; i < width; i++)
        value |= (uint64_t)r->data[r->pos++] << (8 * i);
    return value;
}

static int read_file(const char *path, bytes *b)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    size_t got;
    do {
        if (reserve(&b->data, &b->cap, b->len + 65536, 1) < 0) {
            b->failed = 1;
            break;
        }
        got = fread(b->data + b->len, 1, 65536, fp);
        b->len += got;
    } while (got == 65536);
    int err = ferror(fp);
    fclose(fp);
    return err || b->failed ? -1 : 0;
}

/* Parse the body (after the header checks): names, tracebacks, traces.
 * Returns NULL and sets *why on a structural error. */
static trace_snapshot *decode_body(reader *r, const char **why)
{
    trace_snapshot *snap = trace_snapshot_new((int32_t)get(r, 4));
    char *name = NULL;
    trace_frame *frames = NULL;
    if (!snap)
        goto fail;
    uint32_t nnames = (uint32_t)get(r, 4);
    for (uint32_t i = 0; i < nnames && !r->bad; i++) {
        uint32_t len = (uint32_t)get(r, 4);
        if (r->bad || r->len - r->pos < len) {
            r->bad = 1;
            break;
        }
        name = sys_alloc((size_t)len + 1);
        if (!name)
            goto fail;
        memcpy(name, r->data + r->pos, len);
        name[len] = '\0';
        r->pos += len;
        uint32_t index = memchr(name, '\0', len) ? NO_INDEX - 1 : intern_name(snap, name);
        if (index == NO_INDEX)
            goto fail; /* out of memory */
        if (index != i) {
            *why = "corrupt (bad or repeated filename)";
            goto fail;
        }
        sys_release(name);
        name = NULL;
    }
    frames = sys_alloc(TRACE_MAX_NFRAME * sizeof *frames);
    if (!frames)
        goto fail;
    uint32_t ntracebacks = (uint32_t)get(r, 4);
    for (uint32_t t = 0; t < ntracebacks && !r->bad; t++) {
        uint16_t nframe = (uint16_t)get(r, 2), total = (uint16_t)get(r, 2);
        for (uint16_t i = 0; i < nframe && !r->bad; i++) {
            uint32_t index = (uint32_t)get(r, 4);
            frames[i] =
                (trace_frame){index < nnames ? snap->names[index] : NULL, (unsigned int)get(r, 4)};
            if (index >= nnames && !r->bad) {
                *why = "corrupt (filename index out of range)";
                goto fail;
            }
        }
        if (r->bad)
            break;
        if (nframe == 0 || total < nframe) {
            *why = "corrupt (bad frame count)";
            goto fail;
        }
        if (snapshot_add_traceback(snap, frames, nframe, total) == NO_INDEX)
            goto fail;
    }
    uint64_t ntraces = get(r, 8);
    if (!r->bad && ntraces > (r->len - r->pos) / 16) {
        *why = "corrupt (trace count larger than the file)";
        goto fail;
    }
    if (!r->bad && reserve(&snap->traces, &snap->cap, ntraces, sizeof(snap_trace)) < 0)
        goto fail;
    for (uint64_t i = 0; i < ntraces && !r->bad; i++) {
        uint32_t domain = (uint32_t)get(r, 4), tb = (uint32_t)get(r, 4);
        uint64_t size = get(r, 8);
        if (tb >= ntracebacks && !r->bad) {
            *why = "corrupt (traceback index out of range)";
            goto fail;
        }
        snap->traces[snap->len++] = (snap_trace){size, domain, tb};
    }
    if (r->bad) {
        *why = "corrupt (a record runs past the end)";
        goto fail;
    }
    sys_release(frames);
    return snap;
fail:
    sys_release(name);
    sys_release(frames);
    trace_snapshot_free(snap);
    return NULL;
}

trace_snapshot *trace_snapshot_load(const char *path)
{
    bytes b = {0};
    if (read_file(path, &b) < 0) {
        sys_release(b.data);
        set_error("snapshot file '%.200s': cannot open or read it", path);
        return NULL;
    }
    reader r = {b.data, b.len, 0, 0};
    const char *why = NULL;
    trace_snapshot *snap = NULL;
    char magic[9] = {0};
    for (size_t i = 0; i < 8; i++)
        magic[i] = (char)get(&r, 1);
    uint32_t version = (uint32_t)get(&r, 4);
    uint64_t declared = get(&r, 8);
    if (r.bad || strcmp(magic, SNAPSHOT_MAGIC) != 0) {
        why = r.bad && memcmp(magic, SNAPSHOT_MAGIC, b.len < 8 ? b.len : 8) == 0
                  ? "truncated (no complete header)"
                  : "not a memlab snapshot (bad magic)";
    } else if (version != SNAPSHOT_VERSION) {
        set_error("snapshot file '%.200s': unsupported format version %u (expected %d)", path,
                  version, SNAPSHOT_VERSION);
    } else if (b.len < declared) {
        set_error("snapshot file '%.200s': truncated (%zu of %llu bytes)", path, b.len,
                  (unsigned long long)declared);
    } else if (b.len > declared || declared < SNAPSHOT_HEADER + 8) {
        why = "corrupt (bad file size)";
    } else {
        r.len = b.len - 8;
        reader tail = {b.data, b.len, b.len - 8, 0};
        if (get(&tail, 8) != fnv1a(b.data, b.len - 8))
            why = "corrupt (checksum mismatch)";
        else if (!(snap = decode_body(&r, &why)) && !why)
            set_error("out of memory");
        else if (snap && r.pos != r.len) {
            why = "corrupt (unexpected bytes after the traces)";
            trace_snapshot_free(snap);
            snap = NULL;
        }
    }
    if (why)
        set_error("snapshot file '%.200s': %s", path, why);
    sys_release(b.data);
    return snap;
}

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
    uint64_t h = n;
    for (size_t i = 0; i < n; i++)
        h = mix64(h ^ string_hash(frames[i].filename)) + frames[i].lineno;
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

static uint32_t *group_slot(const grouping *g, const trace_frame *frames, size_t n)
{
    size_t mask = g->slots_cap - 1;
    size_t i = mix64(frames_hash(frames, n)) & mask;
    while (g->slots[i] && !frames_equal(g->items[g->slots[i] - 1].traceback, frames, n))
        i = (i + 1) & mask;
    return &g->slots[i];
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
    size_t cap = g->slots_cap ? g->slots_cap * 2 : 64;
    uint32_t *old = g->slots;
    g->slots = sys_zalloc(cap, sizeof *old);
    if (!g->slots) {
        g->slots = old;
        return -1;
    }
    g->slots_cap = cap;
    for (size_t i = 0; i < g->len; i++)
        *group_slot(g, g->items[i].traceback->frames, g->items[i].traceback->nframe) =
            (uint32_t)(i + 1);
    sys_release(old);
    return 0;
}

/* A key traceback owning copies of the frames and their filenames. */
static trace_traceback *make_key(const trace_frame *frames, size_t n)
{
    size_t text = 0;
    for (size_t i = 0; i < n; i++)
        text += strlen(frames[i].filename) + 1;
    trace_traceback *key = sys_alloc(traceback_bytes(n) + text);
    if (!key)
        return NULL;
    char *names = (char *)key + traceback_bytes(n);
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
    if (!key || reserve(&g->items, &g->cap, g->len + 1, sizeof(trace_statistic)) < 0) {
        sys_release(key);
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
        sys_release((void *)g->items[i].traceback);
    sys_release(g->items);
    sys_release(g->slots);
    sys_release(g);
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
            set_error("unknown key_type: '%s'", key_type);
        else
            set_error("unknown key_type: None");
        return -1;
    }
    if (cumulative && *out == KEY_TRACEBACK) {
        set_error("cumulative mode cannot by used with key type '%s'", key_type);
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
    grouping *g = sys_zalloc(1, sizeof *g);
    size_t nrefs = 0;
    for (size_t t = 0; t < snap->ntracebacks; t++)
        nrefs += cumulative ? snap->tracebacks[t]->nframe : 1;
    /* groups[first[t] .. first[t + 1]): the groups a trace with traceback t counts in */
    size_t *first = sys_alloc((snap->ntracebacks + 1) * sizeof *first);
    uint32_t *groups = sys_alloc(nrefs * sizeof *groups + 1);
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
    sys_release(first);
    sys_release(groups);
    return g;
nomem:
    sys_release(first);
    sys_release(groups);
    grouping_free(g);
    set_error("out of memory");
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
    trace_stats *stats = g ? sys_alloc(sizeof *stats) : NULL;
    if (!stats) {
        grouping_free(g);
        set_error("out of memory");
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
    sys_release(stats);
}

/* What a diff list keeps alive: both groupings (the keys) and its items. */
typedef struct diff_keys {
    grouping *new_groups, *old_groups;
} diff_keys;

/* _compare_grouped_stats: every new group, then the old groups not seen. */
static trace_statistic_diff *diff_groups(const grouping *new_g, const grouping *old_g, size_t *len)
{
    trace_statistic_diff *items = sys_alloc((new_g->len + old_g->len) * sizeof *items + 1);
    bool *seen = sys_zalloc(old_g->len + 1, sizeof *seen);
    if (!items || !seen) {
        sys_release(items);
        sys_release(seen);
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
    sys_release(seen);
    *len = n;
    return items;
}

trace_diffs *trace_snapshot_compare_to(const trace_snapshot *snap, const trace_snapshot *old,
                                       const char *key_type, int cumulative)
{
    key_kind kind;
    if (parse_key(key_type, cumulative, &kind) < 0)
        return NULL;
    diff_keys *keys = sys_zalloc(1, sizeof *keys);
    trace_diffs *diffs = sys_zalloc(1, sizeof *diffs);
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
        sys_release(keys);
    set_error("out of memory");
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
        sys_release(keys);
    }
    sys_release(diffs->items);
    sys_release(diffs);
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
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    for (int u = 0;; u++) {
        double mag = value < 0 ? -value : value;
        if (mag < 100 && u != 0) {
            emit(t, sign ? "%+.1f %s" : "%.1f %s", value, units[u]);
            return;
        }
        if (mag < 10 * 1024 || u == 4) {
            emit(t, sign ? "%+.0f %s" : "%.0f %s", value, units[u]);
            return;
        }
        value /= 1024;
    }
}

int trace_format_size(char *buf, size_t size, double value, int sign)
{
    text t = {buf, size, 0};
    if (size)
        buf[0] = '\0';
    emit_size(&t, value, sign);
    return done(&t);
}

static void emit_frame(text *t, const trace_frame *f) { emit(t, "%s:%u", f->filename, f->lineno); }

int trace_format_frame(char *buf, size_t size, const trace_frame *frame)
{
    text t = {buf, size, 0};
    if (size)
        buf[0] = '\0';
    emit_frame(&t, frame);
    return done(&t);
}

/* str(Traceback) is its oldest frame: the last one stored. */
static void emit_traceback_str(text *t, const trace_traceback *tb)
{
    emit_frame(t, &tb->frames[tb->nframe - 1]);
}

int trace_format_traceback_str(char *buf, size_t size, const trace_traceback *tb)
{
    text t = {buf, size, 0};
    if (size)
        buf[0] = '\0';
    emit_traceback_str(&t, tb);
    return done(&t);
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
    text t = {buf, size, 0};
    if (size)
        buf[0] = '\0';
    emit(&t, "<Traceback (");
    for (size_t i = tb->nframe; i-- > 0;) {
        emit(&t, "<Frame filename=");
        emit_py_repr(&t, tb->frames[i].filename);
        emit(&t, " lineno=%u>", tb->frames[i].lineno);
        if (i > 0 || tb->nframe == 1)
            emit(&t, i > 0 ? ", " : ",");
    }
    emit(&t, ") total_nframe=%u>", tb->total_nframe);
    return done(&t);
}

int trace_format_traceback(char *buf, size_t size, const trace_traceback *tb, int32_t limit,
                           int most_recent_first)
{
    text t = {buf, size, 0};
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
        emit(&t, "  File \"%s\", line %u\n", f->filename, f->lineno);
    }
    return done(&t);
}

int trace_format_trace(char *buf, size_t size, const trace_trace *trace)
{
    text t = {buf, size, 0};
    if (size)
        buf[0] = '\0';
    emit_traceback_str(&t, trace->traceback);
    emit(&t, ": ");
    emit_size(&t, (double)trace->size, 0);
    return done(&t);
}

static void emit_average(text *t, size_t size, size_t count)
{
    if (count == 0)
        return;
    emit(t, ", average=");
    emit_size(t, (double)size / (double)count, 0);
}

int trace_format_statistic(char *buf, size_t size, const trace_statistic *stat)
{
    text t = {buf, size, 0};
    if (size)
        buf[0] = '\0';
    emit_traceback_str(&t, stat->traceback);
    emit(&t, ": size=");
    emit_size(&t, (double)stat->size, 0);
    emit(&t, ", count=%zu", stat->count);
    emit_average(&t, stat->size, stat->count);
    return done(&t);
}

int trace_format_statistic_diff(char *buf, size_t size, const trace_statistic_diff *diff)
{
    text t = {buf, size, 0};
    if (size)
        buf[0] = '\0';
    emit_traceback_str(&t, diff->traceback);
    emit(&t, ": size=");
    emit_size(&t, (double)diff->size, 0);
    emit(&t, " (");
    emit_size(&t, (double)diff->size_diff, 1);
    emit(&t, "), count=%zu (%+lld)", diff->count, (long long)diff->count_diff);
    emit_average(&t, diff->size, diff->count);
    return done(&t);
}
