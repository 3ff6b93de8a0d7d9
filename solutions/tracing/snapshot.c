/*
 * snapshot.c -- snapshots of the traces, filters, dump and load: CPython 3.11's
 * Lib/tracemalloc.py Snapshot and Filter, in C.  Handout parts 4 and 6
 * (labs/tracing/README.md); contracts in memlab/tracing.h; the snapshot's
 * layout in memlab/internal/tracing.h.
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

/* ==================================================================== snapshots */

/* The callbacks of the name index (memlab/internal/tracing.h). */
static bool name_matches(const void *snap, uint32_t entry, const void *name)
{
    return strcmp(((const trace_snapshot *)snap)->names[entry], name) == 0;
}

static uint64_t name_hash(const void *snap, uint32_t entry)
{
    return trace_string_hash(((const trace_snapshot *)snap)->names[entry]);
}

static uint32_t *name_slot(const trace_snapshot *snap, const char *name)
{
    return trace_index_slot(snap->name_slots, snap->name_slots_cap, trace_string_hash(name),
                            name_matches, snap, name);
}

static int names_grow(trace_snapshot *snap)
{
    return trace_index_grow(&snap->name_slots, &snap->name_slots_cap, snap->nnames, name_hash,
                            snap);
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
    char *copy = trace_sys_alloc(len + 1);
    if (!copy ||
        trace_reserve(&snap->names, &snap->names_cap, snap->nnames + 1, sizeof(char *)) < 0) {
        trace_sys_release(copy);
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
    if (trace_reserve(&snap->tracebacks, &snap->tracebacks_cap, snap->ntracebacks + 1,
                      sizeof(trace_traceback *)) < 0)
        return NO_INDEX;
    trace_traceback *tb = trace_sys_alloc(trace_traceback_bytes(nframe));
    if (!tb)
        return NO_INDEX;
    tb->hash = 0;
    tb->nframe = (uint16_t)nframe;
    tb->total_nframe = (uint16_t)total_nframe;
    for (size_t i = 0; i < nframe; i++) {
        uint32_t name = intern_name(snap, frames[i].filename);
        if (name == NO_INDEX) {
            trace_sys_release(tb);
            return NO_INDEX;
        }
        tb->frames[i] = (trace_frame){snap->names[name], frames[i].lineno};
    }
    snap->tracebacks[snap->ntracebacks] = tb;
    return (uint32_t)snap->ntracebacks++;
}

static int snapshot_append(trace_snapshot *snap, unsigned int domain, size_t size, uint32_t tb)
{
    if (trace_reserve(&snap->traces, &snap->cap, snap->len + 1, sizeof(snap_trace)) < 0)
        return -1;
    snap->traces[snap->len++] = (snap_trace){size, domain, tb};
    return 0;
}

trace_snapshot *trace_snapshot_new(int traceback_limit)
{
    trace_snapshot *snap = trace_sys_zalloc(1, sizeof *snap);
    if (!snap) {
        trace_set_error("out of memory");
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
        trace_sys_release(snap->tracebacks[i]);
    for (size_t i = 0; i < snap->nnames; i++)
        trace_sys_release(snap->names[i]);
    trace_sys_release(snap->tracebacks);
    trace_sys_release(snap->names);
    trace_sys_release(snap->name_slots);
    trace_sys_release(snap->traces);
    trace_sys_release(snap);
}

int trace_snapshot_add(trace_snapshot *snap, unsigned int domain, size_t size,
                       const trace_frame *frames, size_t nframe, size_t total_nframe)
{
    if (nframe < 1 || nframe > TRACE_MAX_NFRAME || total_nframe < nframe ||
        total_nframe > TRACE_MAX_NFRAME) {
        trace_set_error("a trace needs 1 <= nframe <= total_nframe <= %d frames", TRACE_MAX_NFRAME);
        return -1;
    }
    uint32_t tb = snapshot_add_traceback(snap, frames, nframe, total_nframe);
    if (tb == NO_INDEX || snapshot_append(snap, domain, size, tb) < 0) {
        trace_set_error("out of memory");
        return -1;
    }
    return 0;
}

/* Position of a tracer traceback in the tracer's table: the slot that holds
 * that very pointer, found from its hash without comparing frames. */
static size_t traceback_slot_of(const trace_traceback *tb)
{
    size_t mask = trace_state.tracebacks_cap - 1;
    size_t i = trace_mix64(tb->hash) & mask;
    while (trace_state.tracebacks[i] != tb)
        i = (i + 1) & mask;
    return i;
}

trace_snapshot *trace_take_snapshot(void)
{
    if (!trace_state.tracing) {
        trace_set_error(
            "the tracemalloc module must be tracing memory allocations to take a snapshot");
        return NULL;
    }
    trace_snapshot *snap = trace_snapshot_new(trace_state.limit);
    /* copied[slot]: the snapshot's index of the tracer's traceback in that slot */
    uint32_t *copied = trace_sys_alloc((trace_state.tracebacks_cap + 1) * sizeof *copied);
    if (!snap || !copied ||
        trace_reserve(&snap->traces, &snap->cap, trace_state.traces_len, sizeof(snap_trace)) < 0)
        goto nomem;
    for (size_t i = 0; i < trace_state.tracebacks_cap; i++)
        copied[i] = NO_INDEX;
    for (size_t i = 0; i < trace_state.traces_cap; i++) {
        const trace_entry *e = &trace_state.traces[i];
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
    trace_sys_release(copied);
    return snap;
nomem:
    trace_sys_release(copied);
    trace_snapshot_free(snap);
    trace_set_error("out of memory");
    return NULL;
}

size_t trace_snapshot_len(const trace_snapshot *snap) { return snap->len; }

int trace_snapshot_traceback_limit(const trace_snapshot *snap) { return snap->traceback_limit; }

int trace_snapshot_get(const trace_snapshot *snap, size_t i, trace_trace *out)
{
    if (i >= snap->len) {
        trace_set_error("trace index %zu out of range (%zu traces)", i, snap->len);
        return -1;
    }
    const snap_trace *t = &snap->traces[i];
    *out = (trace_trace){t->domain, (size_t)t->size, snap->tracebacks[t->traceback]};
    return 0;
}

/* ------------------------------------------------------------ filters */

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
            trace_set_error("filter %zu has neither a filename pattern nor a domain", f);
            return NULL;
        }
    trace_snapshot *out = trace_snapshot_new(snap->traceback_limit);
    /* kept[t * nfilters + f]: does filter f keep traceback t (domain aside)? */
    bool *kept = trace_sys_alloc(snap->ntracebacks * nfilters * sizeof *kept + 1);
    uint32_t *copied = trace_sys_alloc(snap->ntracebacks * sizeof *copied + 1);
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
    trace_sys_release(kept);
    trace_sys_release(copied);
    return out;
nomem:
    trace_sys_release(kept);
    trace_sys_release(copied);
    trace_snapshot_free(out);
    trace_set_error("out of memory");
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
    for (const char *m = SNAPSHOT_MAGIC; *m; m++)
        trace_put(b, (unsigned char)*m, 1);
    trace_put(b, SNAPSHOT_VERSION, 4);
    trace_put(b, 0, 8); /* file_size, patched below */
    trace_put(b, (uint32_t)snap->traceback_limit, 4);
    trace_put(b, snap->nnames, 4);
    for (size_t i = 0; i < snap->nnames; i++) {
        size_t len = strlen(snap->names[i]);
        trace_put(b, len, 4);
        for (size_t k = 0; k < len; k++)
            trace_put(b, (unsigned char)snap->names[i][k], 1);
    }
    trace_put(b, snap->ntracebacks, 4);
    for (size_t t = 0; t < snap->ntracebacks; t++) {
        const trace_traceback *tb = snap->tracebacks[t];
        trace_put(b, tb->nframe, 2);
        trace_put(b, tb->total_nframe, 2);
        for (size_t i = 0; i < tb->nframe; i++) {
            trace_put(b, *name_slot(snap, tb->frames[i].filename) - 1, 4);
            trace_put(b, tb->frames[i].lineno, 4);
        }
    }
    trace_put(b, snap->len, 8);
    for (size_t i = 0; i < snap->len; i++) {
        trace_put(b, snap->traces[i].domain, 4);
        trace_put(b, snap->traces[i].traceback, 4);
        trace_put(b, snap->traces[i].size, 8);
    }
    if (b->failed)
        return;
    uint64_t total = b->len + 8;
    for (size_t i = 0; i < 8; i++)
        b->data[12 + i] = (unsigned char)(total >> (8 * i));
    trace_put(b, trace_fnv1a(b->data, b->len), 8);
}

int trace_snapshot_dump(const trace_snapshot *snap, const char *path)
{
    trace_bytes b = {0};
    encode_snapshot(snap, &b);
    if (b.failed) {
        trace_sys_release(b.data);
        trace_set_error("out of memory");
        return -1;
    }
    /* write beside the target, then rename: a crash never leaves half a file */
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
        trace_sys_release(b.data);
        trace_set_error("snapshot file '%.200s': path too long", path);
        return -1;
    }
    FILE *fp = fopen(tmp, "wb");
    int ok = fp && fwrite(b.data, 1, b.len, fp) == b.len && fflush(fp) == 0 && !ferror(fp);
    if (fp && fclose(fp) != 0)
        ok = 0;
    trace_sys_release(b.data);
    if (!ok || rename(tmp, path) != 0) {
        if (fp)
            remove(tmp);
        trace_set_error("snapshot file '%.200s': cannot write it", path);
        return -1;
    }
    return 0;
}

/* Parse the body (after the header checks): names, tracebacks, traces.
 * Returns NULL and sets *why on a structural error. */
static trace_snapshot *decode_body(trace_reader *r, const char **why)
{
    trace_snapshot *snap = trace_snapshot_new((int32_t)trace_get(r, 4));
    char *name = NULL;
    trace_frame *frames = NULL;
    if (!snap)
        goto fail;
    uint32_t nnames = (uint32_t)trace_get(r, 4);
    for (uint32_t i = 0; i < nnames && !r->bad; i++) {
        uint32_t len = (uint32_t)trace_get(r, 4);
        if (r->bad || r->len - r->pos < len) {
            r->bad = 1;
            break;
        }
        name = trace_sys_alloc((size_t)len + 1);
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
        trace_sys_release(name);
        name = NULL;
    }
    frames = trace_sys_alloc(TRACE_MAX_NFRAME * sizeof *frames);
    if (!frames)
        goto fail;
    uint32_t ntracebacks = (uint32_t)trace_get(r, 4);
    for (uint32_t t = 0; t < ntracebacks && !r->bad; t++) {
        uint16_t nframe = (uint16_t)trace_get(r, 2), total = (uint16_t)trace_get(r, 2);
        for (uint16_t i = 0; i < nframe && !r->bad; i++) {
            uint32_t index = (uint32_t)trace_get(r, 4);
            frames[i] = (trace_frame){index < nnames ? snap->names[index] : NULL,
                                      (unsigned int)trace_get(r, 4)};
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
    uint64_t ntraces = trace_get(r, 8);
    if (!r->bad && ntraces > (r->len - r->pos) / 16) {
        *why = "corrupt (trace count larger than the file)";
        goto fail;
    }
    if (!r->bad && trace_reserve(&snap->traces, &snap->cap, ntraces, sizeof(snap_trace)) < 0)
        goto fail;
    for (uint64_t i = 0; i < ntraces && !r->bad; i++) {
        uint32_t domain = (uint32_t)trace_get(r, 4), tb = (uint32_t)trace_get(r, 4);
        uint64_t size = trace_get(r, 8);
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
    trace_sys_release(frames);
    return snap;
fail:
    trace_sys_release(name);
    trace_sys_release(frames);
    trace_snapshot_free(snap);
    return NULL;
}

trace_snapshot *trace_snapshot_load(const char *path)
{
    trace_bytes b = {0};
    if (trace_read_file(path, &b) < 0) {
        trace_sys_release(b.data);
        trace_set_error("snapshot file '%.200s': cannot open or read it", path);
        return NULL;
    }
    trace_reader r = {b.data, b.len, 0, 0};
    const char *why = NULL;
    trace_snapshot *snap = NULL;
    char magic[9] = {0};
    for (size_t i = 0; i < 8; i++)
        magic[i] = (char)trace_get(&r, 1);
    uint32_t version = (uint32_t)trace_get(&r, 4);
    uint64_t declared = trace_get(&r, 8);
    if (r.bad || strcmp(magic, SNAPSHOT_MAGIC) != 0) {
        why = r.bad && memcmp(magic, SNAPSHOT_MAGIC, b.len < 8 ? b.len : 8) == 0
                  ? "truncated (no complete header)"
                  : "not a memlab snapshot (bad magic)";
    } else if (version != SNAPSHOT_VERSION) {
        trace_set_error("snapshot file '%.200s': unsupported format version %u (expected %d)", path,
                        version, SNAPSHOT_VERSION);
    } else if (b.len < declared) {
        trace_set_error("snapshot file '%.200s': truncated (%zu of %llu bytes)", path, b.len,
                        (unsigned long long)declared);
    } else if (b.len > declared || declared < SNAPSHOT_HEADER + 8) {
        why = "corrupt (bad file size)";
    } else {
        r.len = b.len - 8;
        trace_reader tail = {b.data, b.len, b.len - 8, 0};
        if (trace_get(&tail, 8) != trace_fnv1a(b.data, b.len - 8))
            why = "corrupt (checksum mismatch)";
        else if (!(snap = decode_body(&r, &why)) && !why)
            trace_set_error("out of memory");
        else if (snap && r.pos != r.len) {
            why = "corrupt (unexpected bytes after the traces)";
            trace_snapshot_free(snap);
            snap = NULL;
        }
    }
    if (why)
        trace_set_error("snapshot file '%.200s': %s", path, why);
    trace_sys_release(b.data);
    return snap;
}
