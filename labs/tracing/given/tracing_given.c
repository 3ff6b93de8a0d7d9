/*
 * tracing_given.c -- the given part of the tracing lab: the tracer's state,
 * the layer's own memory (from the allocator under MEM_DOMAIN_RAW, never
 * through a domain), the error message, the hashes and array growth that the
 * three files of the lab share.  Declarations in memlab/internal/tracing.h.
 * The grader builds this file from the kit, beside your tracer.c, snapshot.c
 * and statistics.c.
 */
#include "memlab/internal/tracing.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct trace_tracer_state trace_state = {.limit = 1};

/* Where all of this layer's memory comes from: the allocator under
 * MEM_DOMAIN_RAW.  While tracing that is the one start() found there, called
 * directly, so the tracer never traces itself (CPython's raw_malloc). */
static const mem_allocator *trace_layer_allocator(void)
{
    static mem_allocator current;
    if (trace_state.tracing)
        return &trace_state.under[MEM_DOMAIN_RAW];
    mem_get_allocator(MEM_DOMAIN_RAW, &current);
    return &current;
}

void *trace_sys_alloc(size_t size)
{
    const mem_allocator *a = trace_layer_allocator();
    return a->malloc(a->ctx, size);
}

void *trace_sys_zalloc(size_t nelem, size_t elsize)
{
    const mem_allocator *a = trace_layer_allocator();
    return a->calloc(a->ctx, nelem, elsize);
}

void *trace_sys_realloc(void *ptr, size_t size)
{
    const mem_allocator *a = trace_layer_allocator();
    return a->realloc(a->ctx, ptr, size);
}

void trace_sys_release(void *ptr)
{
    const mem_allocator *a = trace_layer_allocator();
    a->free(a->ctx, ptr);
}

static char error_text[512] = "";

const char *trace_error_message(void) { return error_text; }

void trace_set_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(error_text, sizeof error_text, fmt, ap);
    va_end(ap);
}

/* The tracer's own memory: counted, so get_tracemalloc_memory can report it. */
void *trace_own_alloc(size_t size)
{
    void *p = trace_sys_alloc(size);
    if (p)
        trace_state.own_bytes += size;
    return p;
}

void *trace_own_zalloc(size_t nelem, size_t elsize)
{
    void *p = trace_sys_zalloc(nelem, elsize);
    if (p)
        trace_state.own_bytes += nelem * elsize;
    return p;
}

void trace_own_free(void *ptr, size_t size)
{
    if (!ptr)
        return;
    trace_sys_release(ptr);
    trace_state.own_bytes -= size;
}

/* A 64-bit mixer (the finaliser of MurmurHash3): spreads every input bit
 * over the low bits that pick a slot. */
uint64_t trace_mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

size_t trace_traceback_bytes(size_t nframe)
{
    return sizeof(trace_traceback) + nframe * sizeof(trace_frame);
}

uint64_t trace_fnv1a(const unsigned char *data, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ data[i]) * 0x100000001b3ULL;
    return h;
}

uint64_t trace_string_hash(const char *s)
{
    return trace_fnv1a((const unsigned char *)s, strlen(s));
}

/* Grow `*array` (of `*cap` elements of `elsize`) to hold `need`. */
int trace_reserve(void *array, size_t *cap, size_t need, size_t elsize)
{
    if (need <= *cap)
        return 0;
    size_t cap2 = *cap ? *cap : 16;
    while (cap2 < need)
        cap2 *= 2;
    void *p = trace_sys_realloc(*(void **)array, cap2 * elsize);
    if (!p)
        return -1;
    *(void **)array = p;
    *cap = cap2;
    return 0;
}

/* ================================================================ dump and load: bytes */

void trace_put(trace_bytes *b, uint64_t value, size_t width)
{
    if (b->failed || trace_reserve(&b->data, &b->cap, b->len + width, 1) < 0) {
        b->failed = 1;
        return;
    }
    for (size_t i = 0; i < width; i++)
        b->data[b->len++] = (unsigned char)(value >> (8 * i));
}

uint64_t trace_get(trace_reader *r, size_t width)
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

int trace_read_file(const char *path, trace_bytes *b)
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

/* ================================================================ text */

void trace_emit(trace_text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = t->len < t->size ? t->size - t->len : 0;
    int n = vsnprintf(room ? t->buf + t->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len += (size_t)n;
}

int trace_text_len(const trace_text *t) { return (int)t->len; }

void trace_emit_py_repr(trace_text *t, const char *s)
{
    char quote = strchr(s, '\'') && !strchr(s, '"') ? '"' : '\'';
    trace_emit(t, "%c", quote);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\\' || *p == (unsigned char)quote)
            trace_emit(t, "\\%c", *p);
        else if (*p == '\n')
            trace_emit(t, "\\n");
        else if (*p == '\r')
            trace_emit(t, "\\r");
        else if (*p == '\t')
            trace_emit(t, "\\t");
        else if (*p < 0x20 || *p == 0x7f)
            trace_emit(t, "\\x%02x", *p);
        else
            trace_emit(t, "%c", *p);
    }
    trace_emit(t, "%c", quote);
}

/* ================================================================ open-addressing indexes */

uint32_t *trace_index_slot(uint32_t *slots, size_t cap, uint64_t hash, trace_index_match_fn match,
                           const void *table, const void *key)
{
    size_t mask = cap - 1;
    size_t i = trace_mix64(hash) & mask;
    while (slots[i] && !(match && match(table, slots[i] - 1, key)))
        i = (i + 1) & mask;
    return &slots[i];
}

int trace_index_grow(uint32_t **slots, size_t *cap, size_t len, trace_index_hash_fn hash,
                     const void *table)
{
    size_t cap2 = *cap ? *cap * 2 : 64;
    uint32_t *grown = trace_sys_zalloc(cap2, sizeof *grown);
    if (!grown)
        return -1;
    /* Entries are distinct: each goes to the first empty slot of its probe. */
    for (size_t i = 0; i < len; i++)
        *trace_index_slot(grown, cap2, hash(table, (uint32_t)i), NULL, table, NULL) =
            (uint32_t)(i + 1);
    trace_sys_release(*slots);
    *slots = grown;
    *cap = cap2;
    return 0;
}
