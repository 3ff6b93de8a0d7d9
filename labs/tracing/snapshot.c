/*
 * snapshot.c -- YOUR FILE (with tracer.c and statistics.c). snapshots of the traces, filters, dump
 * and load: CPython 3.11's Lib/tracemalloc.py Snapshot and Filter, in C.  Handout parts 4 and 6
 * (labs/tracing/README.md); contracts in memlab/tracing.h; the snapshot's
 * layout in memlab/internal/tracing.h.
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

/* ================================================================ snapshots */

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
    if (b->failed || trace_reserve(&b->data, &b->cap, b->len + width, 1) < 0) {
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
        if (trace_reserve(&b->data, &b->cap, b->len + 65536, 1) < 0) {
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
