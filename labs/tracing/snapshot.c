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

/* ==================================================================== snapshots */

/* The callbacks of the name index (memlab/internal/tracing.h). */
static bool name_matches(const void *snap, uint32_t entry, const void *name)
{
    /* TODO (§4): is names[entry] the text `name`? */
    (void)snap;
    (void)entry;
    (void)name;
    return false;
}

static uint64_t name_hash(const void *snap, uint32_t entry)
{
    /* TODO (§4): the hash of names[entry]'s text (trace_string_hash). */
    (void)snap;
    (void)entry;
    return 0;
}

static uint32_t *name_slot(const trace_snapshot *snap, const char *name)
{
    /* TODO (§4): the slot of `name` in the snapshot's name index (trace_index_slot), or the empty
     * slot where it would go. */
    (void)snap;
    (void)name;
    return NULL;
}

static int names_grow(trace_snapshot *snap)
{
    /* TODO (§4): double the name index, re-inserting every name (trace_index_grow). */
    (void)snap;
    return -1;
}

/* Index of the snapshot's copy of `name`, made on first use; NO_INDEX on
 * out of memory. */
static uint32_t intern_name(trace_snapshot *snap, const char *name)
{
    /* TODO (§4): index of the snapshot's own copy of `name`, copying it on first use. */
    (void)snap;
    (void)name;
    return NO_INDEX;
}

/* Append a copy of `frames` as a snapshot traceback; its index, or NO_INDEX
 * on out of memory. */
static uint32_t snapshot_add_traceback(trace_snapshot *snap, const trace_frame *frames,
                                       size_t nframe, size_t total_nframe)
{
    /* TODO (§4): append a copy of the frames whose filenames point at the snapshot's interned
     * names; return its index. */
    (void)snap;
    (void)frames;
    (void)nframe;
    (void)total_nframe;
    return NO_INDEX;
}

static int snapshot_append(trace_snapshot *snap, unsigned int domain, size_t size, uint32_t tb)
{
    /* TODO (§4): append one 16-byte trace record. */
    (void)snap;
    (void)domain;
    (void)size;
    (void)tb;
    return -1;
}

trace_snapshot *trace_snapshot_new(int traceback_limit)
{
    /* TODO (§4): an empty snapshot (zeroed) with this traceback limit. */
    (void)traceback_limit;
    return NULL;
}

void trace_snapshot_free(trace_snapshot *snap)
{
    /* TODO (§4): release every traceback, name, index and the traces. */
    (void)snap;
}

int trace_snapshot_add(trace_snapshot *snap, unsigned int domain, size_t size,
                       const trace_frame *frames, size_t nframe, size_t total_nframe)
{
    /* TODO (§4): check the frame counts, then add a traceback copy and a trace record. */
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
    /* TODO (§4): the slot of the tracer's traceback table that holds this very pointer. */
    (void)tb;
    return 0;
}

trace_snapshot *trace_take_snapshot(void)
{
    /* TODO (§4): fail with CPython's message when not tracing; else copy every trace, copying each
     * tracer traceback once (remember which slots were copied). */
    return NULL;
}

size_t trace_snapshot_len(const trace_snapshot *snap)
{
    /* TODO (§4): number of traces. */
    (void)snap;
    return 0;
}

int trace_snapshot_traceback_limit(const trace_snapshot *snap)
{
    /* TODO (§4): the snapshot's traceback limit. */
    (void)snap;
    return 0;
}

int trace_snapshot_get(const trace_snapshot *snap, size_t i, trace_trace *out)
{
    /* TODO (§4): fill *out with trace i (-1 when out of range). */
    (void)snap;
    (void)i;
    (void)out;
    return -1;
}

/* ------------------------------------------------------------ filters */

/* _normalize_filename: "x.pyc" is matched as "x.py". */
static const char *normalize_filename(const char *name, char *buf, size_t size)
{
    /* TODO (§4): "x.pyc" becomes "x.py" (written into buf); other names are returned as they are.
     */
    (void)name;
    (void)buf;
    (void)size;
    return NULL;
}

static bool frame_matches(const trace_filter *f, const trace_frame *frame)
{
    /* TODO (§4): fnmatch of the normalized pattern on the normalized filename, and the line number
     * when the filter has one. */
    (void)f;
    (void)frame;
    return false;
}

/* Filter._match_traceback: does the filter keep this traceback (before the
 * domain is looked at)? */
static bool traceback_kept(const trace_filter *f, const trace_traceback *tb)
{
    /* TODO (§4): Filter._match_traceback: the most recent frame only, or any frame with all_frames.
     */
    (void)f;
    (void)tb;
    return false;
}

/* Filter._match / DomainFilter._match: true when the filter keeps the trace. */
static bool filter_keeps(const trace_filter *f, bool tb_kept, unsigned int domain)
{
    /* TODO (§4): Filter._match / DomainFilter._match: combine the traceback result with the domain.
     */
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
    /* TODO (§4): Snapshot._filter_trace: any inclusive filter keeps it (if there is one) and every
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
    /* TODO (§4): a new snapshot with the traces that pass the filters (a DomainFilter needs a
     * domain). */
    (void)snap;
    (void)filters;
    (void)nfilters;
    return NULL;
}

/* ------------------------------------------------------------ dump and load */

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

static void encode_snapshot(const trace_snapshot *snap, trace_bytes *b)
{
    /* TODO (§4): write the file layout described above into b, patch file_size, append the
     * checksum. */
    (void)snap;
    (void)b;
}

int trace_snapshot_dump(const trace_snapshot *snap, const char *path)
{
    /* TODO (§4): encode, write to path.tmp, then rename over path; a clear error on failure. */
    (void)snap;
    (void)path;
    return -1;
}

/* Parse the body (after the header checks): names, tracebacks, traces.
 * Returns NULL and sets *why on a structural error. */
static trace_snapshot *decode_body(trace_reader *r, const char **why)
{
    /* TODO (§4): read names, tracebacks and traces, checking every count and index against the
     * file. */
    (void)r;
    (void)why;
    return NULL;
}

trace_snapshot *trace_snapshot_load(const char *path)
{
    /* TODO (§4): read the file; reject bad magic, another version, a truncated or corrupt file with
     * a message naming the file; then decode. */
    (void)path;
    return NULL;
}
