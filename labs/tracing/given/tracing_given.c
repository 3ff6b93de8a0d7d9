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

/* FNV-1a: the hash of a filename's text. */
uint64_t trace_string_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
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
