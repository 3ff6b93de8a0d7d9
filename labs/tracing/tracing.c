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

/* Delete these two lines once your functions use the helpers below. */
#pragma GCC diagnostic ignored "-Wunused-function"

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
    /* TODO: combine the frames (filename address, lineno) and total_nframe into one hash, as
     * CPython's tuple hash does. */
    (void)tb;
    return 0;
}

static bool same_traceback(const trace_traceback *a, const trace_traceback *b)
{
    /* TODO: true when both tracebacks have the same hash, nframe, total_nframe and frames
     * (filenames compared by address). */
    (void)a;
    (void)b;
    return false;
}

/* Read the frame stack into the scratch traceback: the most recent frame
 * first, at most `limit` frames; ("<unknown>", 0) when the stack is empty. */
static trace_traceback *capture_traceback(void)
{
    /* TODO: fill tracer.scratch from the frame stack: frames[0] = mem_frame_at(0), at most
     * tracer.limit frames; total_nframe = depth (saturating); an empty stack is ("<unknown>",
     * 0); set the hash. */
    return NULL;
}

static void tracebacks_insert_slot(trace_traceback **slots, size_t cap, trace_traceback *tb)
{
    /* TODO: put tb in the first empty slot from its home slot (linear probing). */
    (void)slots;
    (void)cap;
    (void)tb;
}

static int tracebacks_grow(void)
{
    /* TODO: double the interned-traceback table (own memory) and re-insert every traceback. */
    return -1;
}

/* The interned copy of `tb` (made on first sight), or NULL on out of memory. */
static trace_traceback *intern_traceback(const trace_traceback *tb)
{
    /* TODO: return the interned traceback equal to tb; if there is none, grow the table when
     * it would pass 3/4 full, store a copy (own memory) and return it. */
    (void)tb;
    return NULL;
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
    /* TODO: home slot of (domain, ptr) in a table of cap slots (cap is a power of two). */
    (void)domain;
    (void)ptr;
    (void)cap;
    return 0;
}

/* Slot of (domain, ptr), or the empty slot where it would go. */
static trace_entry *traces_slot(trace_entry *slots, size_t cap, unsigned int domain, uintptr_t ptr)
{
    /* TODO: probe from the home slot to the entry with this key, or to the empty slot where it
     * would go. */
    (void)slots;
    (void)cap;
    (void)domain;
    (void)ptr;
    return NULL;
}

static trace_entry *traces_find(unsigned int domain, uintptr_t ptr)
{
    /* TODO: the live entry of (domain, ptr), or NULL. */
    (void)domain;
    (void)ptr;
    return NULL;
}

static int traces_grow(void)
{
    /* TODO: double the traces table (own memory) and re-insert every live entry. */
    return -1;
}

/* Empty slot `i`, then pull back every entry after it that could no longer
 * be reached from its home slot (backward-shift deletion).  The entry at j
 * moves into the hole at i when i lies on its probe path, that is when its
 * home is at least as far behind j as i is (distances counted forward, with
 * wrap-around). */
static void traces_delete_at(size_t i)
{
    /* TODO: empty slot i and move back later entries of the probe run so that every entry
     * stays reachable from its home slot (no tombstones); one trace fewer. */
    (void)i;
}

/* Record (domain, ptr) with the current traceback; an existing trace for the
 * same key is replaced.  Returns 0, or -1 on out of memory. */
static int add_trace(unsigned int domain, uintptr_t ptr, size_t size)
{
    /* TODO: when tracing: intern the current traceback, grow the table if needed, then insert
     * or replace the trace of (domain, ptr) and update traced and peak; -1 on out of memory. */
    (void)domain;
    (void)ptr;
    (void)size;
    return -1;
}

static void remove_trace(unsigned int domain, uintptr_t ptr)
{
    /* TODO: forget the trace of (domain, ptr) if there is one, and its bytes. */
    (void)domain;
    (void)ptr;
}

static void free_tables(void)
{
    /* TODO: release every interned traceback and both tables; traced = peak = 0. */
}

/* ================================================================ the hooks */

/* A nested call (the allocator underneath allocating through a domain)
 * passes straight through: the outer call traces the block it returns. */
static void *hook_alloc(mem_allocator *under, int zeroed, size_t nelem, size_t elsize)
{
    /* TODO: a nested call (tracer.reentrant) just calls the allocator underneath; otherwise
     * call it with reentrant set, and trace the new block (freeing it and returning NULL if
     * the trace cannot be added). */
    (void)under;
    (void)zeroed;
    (void)nelem;
    (void)elsize;
    return NULL;
}

static void *hook_malloc(void *ctx, size_t size)
{
    /* TODO: trace a malloc (see hook_alloc). */
    (void)ctx;
    (void)size;
    return NULL;
}

static void *hook_calloc(void *ctx, size_t nelem, size_t elsize)
{
    /* TODO: trace a calloc (see hook_alloc). */
    (void)ctx;
    (void)nelem;
    (void)elsize;
    return NULL;
}

/* The block moves: its trace goes with it, with the traceback of the
 * realloc call.  A nested realloc only forgets the old trace. */
static void *hook_realloc(void *ctx, void *ptr, size_t new_size)
{
    /* TODO: call realloc underneath; when the block moved forget the old trace; trace the new
     * block with the current traceback (a nested call only forgets the old trace). */
    (void)ctx;
    (void)ptr;
    (void)new_size;
    return NULL;
}

static void hook_free(void *ctx, void *ptr)
{
    /* TODO: free underneath, then forget the trace. */
    (void)ctx;
    (void)ptr;
}

/* ================================================================ start, stop, queries */

int trace_start(int nframe)
{
    /* TODO: check nframe (CPython's message), do nothing if already tracing, allocate the
     * scratch traceback, save each domain's allocator and install the hooks (ctx = the saved
     * allocator). */
    (void)nframe;
    return -1;
}

void trace_stop(void)
{
    /* TODO: restore the saved allocators, forget everything, release the tracer's own memory. */
}

int trace_is_tracing(void)
{
    /* TODO: 1 while tracing. */
    return 0;
}

int trace_get_traceback_limit(void)
{
    /* TODO: the limit of the last successful start (1 before any). */
    return 0;
}

void trace_get_traced_memory(size_t *current, size_t *peak)
{
    /* TODO: current and peak traced bytes, (0, 0) when not tracing. */
    (void)current;
    (void)peak;
}

void trace_reset_peak(void) { /* TODO: peak = current while tracing. */ }

void trace_clear_traces(void) { /* TODO: forget every trace and traceback while tracing. */ }

size_t trace_get_tracemalloc_memory(void)
{
    /* TODO: the tracer's own bytes (tracer.own_bytes). */
    return 0;
}

const trace_traceback *trace_get_traceback(unsigned int domain, uintptr_t ptr, size_t *size)
{
    /* TODO: the traceback (and size) of the trace of (domain, ptr). */
    (void)domain;
    (void)ptr;
    (void)size;
    return NULL;
}

const trace_traceback *trace_get_object_traceback(const void *ptr)
{
    /* TODO: the traceback of ptr in the default domain. */
    (void)ptr;
    return NULL;
}

int trace_track(unsigned int domain, uintptr_t ptr, size_t size)
{
    /* TODO: add a trace (-2 when not tracing, -1 on out of memory). */
    (void)domain;
    (void)ptr;
    (void)size;
    return -1;
}

int trace_untrack(unsigned int domain, uintptr_t ptr)
{
    /* TODO: remove a trace (-2 when not tracing). */
    (void)domain;
    (void)ptr;
    return -1;
}

size_t trace_count(void)
{
    /* TODO: number of live traces. */
    return 0;
}

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
    /* TODO: probe the snapshot's name index to the slot of `name` (by text) or the empty slot
     * where it would go. */
    (void)snap;
    (void)name;
    return NULL;
}

static int names_grow(trace_snapshot *snap)
{
    /* TODO: double the name index and re-insert every name. */
    (void)snap;
    return -1;
}

/* Index of the snapshot's copy of `name`, made on first use; NO_INDEX on
 * out of memory. */
static uint32_t intern_name(trace_snapshot *snap, const char *name)
{
    /* TODO: index of the snapshot's own copy of `name`, copying it on first use. */
    (void)snap;
    (void)name;
    return NO_INDEX;
}

/* Append a copy of `frames` as a snapshot traceback; its index, or NO_INDEX
 * on out of memory. */
static uint32_t snapshot_add_traceback(trace_snapshot *snap, const trace_frame *frames,
                                       size_t nframe, size_t total_nframe)
{
    /* TODO: append a copy of the frames whose filenames point at the snapshot's interned
     * names; return its index. */
    (void)snap;
    (void)frames;
    (void)nframe;
    (void)total_nframe;
    return NO_INDEX;
}

static int snapshot_append(trace_snapshot *snap, unsigned int domain, size_t size, uint32_t tb)
{
    /* TODO: append one 16-byte trace record. */
    (void)snap;
    (void)domain;
    (void)size;
    (void)tb;
    return -1;
}

trace_snapshot *trace_snapshot_new(int traceback_limit)
{
    /* TODO: an empty snapshot (zeroed) with this traceback limit. */
    (void)traceback_limit;
    return NULL;
}

void trace_snapshot_free(trace_snapshot *snap)
{
    /* TODO: release every traceback, name, index and the traces. */
    (void)snap;
}

int trace_snapshot_add(trace_snapshot *snap, unsigned int domain, size_t size,
                       const trace_frame *frames, size_t nframe, size_t total_nframe)
{
    /* TODO: check the frame counts, then add a traceback copy and a trace record. */
    (void)snap;
    (void)domain;
    (void)size;
    (void)frames;
    (void)nframe;
    (void)total_nframe;
    return -1;
}

/* Position of a tracer traceback in the tracer's table: the slot that holds
 * that very pointer, found from its hash without comparing frames. */
static size_t traceback_slot_of(const trace_traceback *tb)
{
    /* TODO: the slot of the tracer's traceback table that holds this very pointer. */
    (void)tb;
    return 0;
}

trace_snapshot *trace_take_snapshot(void)
{
    /* TODO: fail with CPython's message when not tracing; else copy every trace, copying each
     * tracer traceback once (remember which slots were copied). */
    return NULL;
}

size_t trace_snapshot_len(const trace_snapshot *snap)
{
    /* TODO: number of traces. */
    (void)snap;
    return 0;
}

int trace_snapshot_traceback_limit(const trace_snapshot *snap)
{
    /* TODO: the snapshot's traceback limit. */
    (void)snap;
    return 0;
}

int trace_snapshot_get(const trace_snapshot *snap, size_t i, trace_trace *out)
{
    /* TODO: fill *out with trace i (-1 when out of range). */
    (void)snap;
    (void)i;
    (void)out;
    return -1;
}

/* ---------------------------------------------------------------- filters */

/* _normalize_filename: "x.pyc" is matched as "x.py". */
static const char *normalize_filename(const char *name, char *buf, size_t size)
{
    /* TODO: "x.pyc" becomes "x.py" (written into buf); other names are returned as they are. */
    (void)name;
    (void)buf;
    (void)size;
    return NULL;
}

static bool frame_matches(const trace_filter *f, const trace_frame *frame)
{
    /* TODO: fnmatch of the normalized pattern on the normalized filename, and the line number
     * when the filter has one. */
    (void)f;
    (void)frame;
    return false;
}

/* Filter._match_traceback: does the filter keep this traceback (before the
 * domain is looked at)? */
static bool traceback_kept(const trace_filter *f, const trace_traceback *tb)
{
    /* TODO: Filter._match_traceback: the most recent frame only, or any frame with all_frames. */
    (void)f;
    (void)tb;
    return false;
}

/* Filter._match / DomainFilter._match: true when the filter keeps the trace. */
static bool filter_keeps(const trace_filter *f, bool tb_kept, unsigned int domain)
{
    /* TODO: Filter._match / DomainFilter._match: combine the traceback result with the domain. */
    (void)f;
    (void)tb_kept;
    (void)domain;
    return false;
}

/* Snapshot._filter_trace: any inclusive filter keeps it (when there is one),
 * and every exclusive filter keeps it. */
static bool trace_passes(const trace_filter *filters, size_t n, const bool *kept,
                         unsigned int domain)
{
    /* TODO: Snapshot._filter_trace: any inclusive filter keeps it (if there is one) and every
     * exclusive filter keeps it. */
    (void)filters;
    (void)n;
    (void)kept;
    (void)domain;
    return false;
}

trace_snapshot *trace_snapshot_filter_traces(const trace_snapshot *snap,
                                             const trace_filter *filters, size_t nfilters)
{
    /* TODO: a new snapshot with the traces that pass the filters (a DomainFilter needs a
     * domain). */
    (void)snap;
    (void)filters;
    (void)nfilters;
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
    /* TODO: write the file layout described above into b, patch file_size, append the
     * checksum. */
    (void)snap;
    (void)b;
}

int trace_snapshot_dump(const trace_snapshot *snap, const char *path)
{
    /* TODO: encode, write to path.tmp, then rename over path; a clear error on failure. */
    (void)snap;
    (void)path;
    return -1;
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
    /* TODO: read names, tracebacks and traces, checking every count and index against the
     * file. */
    (void)r;
    (void)why;
    return NULL;
}

trace_snapshot *trace_snapshot_load(const char *path)
{
    /* TODO: read the file; reject bad magic, another version, a truncated or corrupt file with
     * a message naming the file; then decode. */
    (void)path;
    return NULL;
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
