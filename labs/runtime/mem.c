/*
 * mem.c -- the mem layer (given code): allocator domains and their hooks,
 * the live-byte counters, and the frame stack.  Contracts in memlab/mem.h.
 *
 * Block registry.  To count live bytes whatever allocator sits under a
 * domain (the system, the pools lab, the tracer wrapping either), the mem
 * layer remembers every live block it handed out in a hash table of its own,
 * kept in C-library memory so that it never shows up in any domain:
 *
 *     slots[]: open addressing, linear probing, size a power of two
 *     slot    = { key, size, domain }    key EMPTY (0), TOMBSTONE (1), or the
 *               block's address XOR KEY_MASK
 *
 *     The address is stored masked so that the registry does not count as a
 *     reference to the block: Valgrind still reports a block the program lost
 *     as "definitely lost".
 *     invariant: live + tombstones <= 3/4 of the slots; a live block is
 *                found by probing from hash(ptr) before the first empty slot
 */
#include "memlab/mem.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ the system allocator */

static void *sys_malloc(void *ctx, size_t size)
{
    (void)ctx;
    return malloc(size ? size : 1);
}

static void *sys_calloc(void *ctx, size_t nelem, size_t elsize)
{
    (void)ctx;
    if (nelem == 0 || elsize == 0)
        nelem = elsize = 1;
    return calloc(nelem, elsize);
}

static void *sys_realloc(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    return realloc(ptr, size ? size : 1);
}

static void sys_free(void *ctx, void *ptr)
{
    (void)ctx;
    free(ptr);
}

static const mem_allocator system_allocator = {NULL, sys_malloc, sys_calloc, sys_realloc,
                                               sys_free};

static mem_allocator domains[MEM_NDOMAINS] = {
    {NULL, sys_malloc, sys_calloc, sys_realloc, sys_free},
    {NULL, sys_malloc, sys_calloc, sys_realloc, sys_free},
    {NULL, sys_malloc, sys_calloc, sys_realloc, sys_free},
};

static const char *const domain_names[MEM_NDOMAINS] = {"RAW", "MEM", "OBJ"};

const mem_allocator *mem_system_allocator(void) { return &system_allocator; }

void mem_get_allocator(mem_domain domain, mem_allocator *out) { *out = domains[domain]; }

void mem_set_allocator(mem_domain domain, const mem_allocator *alloc) { domains[domain] = *alloc; }

void mem_reset_allocators(void)
{
    for (int d = 0; d < MEM_NDOMAINS; d++)
        domains[d] = system_allocator;
}

/* ------------------------------------------------------------ the block registry */

/* 16 bytes a slot, so that four share a cache line. */
typedef struct block_slot {
    uintptr_t key;
    size_t size_domain; /* size << 2 | domain */
} block_slot;

static size_t slot_size(const block_slot *s) { return s->size_domain >> 2; }
static int slot_domain(const block_slot *s) { return (int)(s->size_domain & 3); }

#define EMPTY ((uintptr_t)0)
#define TOMBSTONE ((uintptr_t)1)
/* User-space addresses are below 2^47, so a masked key is never EMPTY or TOMBSTONE. */
#define KEY_MASK ((uintptr_t)0xA5A5000000000000ULL)

static uintptr_t key_of(const void *ptr) { return (uintptr_t)ptr ^ KEY_MASK; }

static struct {
    block_slot *slots;
    size_t capacity; /* a power of two, or 0 before the first block */
    size_t used;     /* live + tombstones */
} registry;

static mem_stats stats;

__attribute__((noreturn, format(printf, 1, 2))) static void mem_fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "memlab fatal error: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

/* Blocks handed out one after another usually sit at nearby addresses: a
 * hash that keeps their order puts their slots side by side (few cache
 * misses), and the shifted high bits spread blocks with large alignments. */
static size_t slot_of(uintptr_t key, size_t capacity)
{
    uintptr_t address = key ^ KEY_MASK;
    return (size_t)((address >> 4) ^ (address >> 24)) & (capacity - 1);
}

static block_slot *registry_find(const void *ptr)
{
    if (registry.capacity == 0)
        return NULL;
    uintptr_t key = key_of(ptr);
    for (size_t i = slot_of(key, registry.capacity);; i = (i + 1) & (registry.capacity - 1)) {
        block_slot *s = &registry.slots[i];
        if (s->key == key)
            return s;
        if (s->key == EMPTY)
            return NULL;
    }
}

/* Put `entry` in the first empty or deleted slot of its probe sequence;
 * returns 1 if that slot was empty (one more slot in use), 0 if reused. */
static int registry_insert_slot(block_slot *slots, size_t capacity, block_slot entry)
{
    size_t i = slot_of(entry.key, capacity);
    while (slots[i].key != EMPTY && slots[i].key != TOMBSTONE)
        i = (i + 1) & (capacity - 1);
    int was_empty = slots[i].key == EMPTY;
    slots[i] = entry;
    return was_empty;
}

/* Rebuild into a table that keeps the load under 3/4; drops tombstones. */
static void registry_grow(void)
{
    size_t live = stats.blocks;
    size_t capacity = registry.capacity ? registry.capacity : 1024;
    while ((live + 1) * 2 > capacity)
        capacity *= 2;
    block_slot *slots = calloc(capacity, sizeof *slots);
    if (!slots)
        mem_fatal("out of memory for the block registry");
    for (size_t i = 0; i < registry.capacity; i++) {
        const block_slot *s = &registry.slots[i];
        if (s->key != EMPTY && s->key != TOMBSTONE)
            registry_insert_slot(slots, capacity, *s);
    }
    free(registry.slots);
    registry.slots = slots;
    registry.capacity = capacity;
    registry.used = live;
}

static void registry_add(const void *ptr, size_t size, mem_domain domain)
{
    if ((registry.used + 1) * 4 > registry.capacity * 3)
        registry_grow();
    registry.used += registry_insert_slot(registry.slots, registry.capacity,
                                          (block_slot){key_of(ptr), size << 2 | (size_t)domain});
    stats.blocks++;
    stats.current += size;
    if (stats.current > stats.peak)
        stats.peak = stats.current;
}

/* Forget `ptr`, checking it was allocated through `domain`; returns its size. */
static size_t registry_remove(const void *ptr, mem_domain domain, const char *who)
{
    block_slot *s = registry_find(ptr);
    if (!s)
        mem_fatal("%p passed to %s was not allocated by the memlab allocator (or was already "
                  "freed)",
                  ptr, who);
    if (slot_domain(s) != (int)domain)
        mem_fatal("%p was allocated through domain %s but released through domain %s", ptr,
                  domain_names[slot_domain(s)], domain_names[domain]);
    size_t size = slot_size(s);
    s->key = TOMBSTONE;
    stats.blocks--;
    stats.current -= size;
    return size;
}

/* ------------------------------------------------------------ the domain API */

void *mem_malloc(mem_domain domain, size_t size)
{
    void *p = domains[domain].malloc(domains[domain].ctx, size);
    if (p) {
        registry_add(p, size, domain);
        stats.allocs++;
    }
    return p;
}

void *mem_calloc(mem_domain domain, size_t nelem, size_t elsize)
{
    if (elsize != 0 && nelem > SIZE_MAX / elsize)
        return NULL;
    void *p = domains[domain].calloc(domains[domain].ctx, nelem, elsize);
    if (p) {
        registry_add(p, nelem * elsize, domain);
        stats.allocs++;
    }
    return p;
}

void *mem_realloc(mem_domain domain, void *ptr, size_t new_size)
{
    if (ptr == NULL)
        return mem_malloc(domain, new_size);
    block_slot *s = registry_find(ptr);
    if (!s)
        mem_fatal("%p passed to mem_realloc was not allocated by the memlab allocator (or was "
                  "already freed)",
                  ptr);
    if (slot_domain(s) != (int)domain)
        mem_fatal("%p was allocated through domain %s but reallocated through domain %s", ptr,
                  domain_names[slot_domain(s)], domain_names[domain]);
    void *p = domains[domain].realloc(domains[domain].ctx, ptr, new_size);
    if (!p)
        return NULL; /* the old block is still valid and still registered */
    registry_remove(ptr, domain, "mem_realloc");
    registry_add(p, new_size, domain);
    return p;
}

void mem_free(mem_domain domain, void *ptr)
{
    if (ptr == NULL)
        return;
    registry_remove(ptr, domain, "mem_free");
    stats.frees++;
    domains[domain].free(domains[domain].ctx, ptr);
}

void mem_get_stats(mem_stats *out) { *out = stats; }
size_t mem_current_bytes(void) { return stats.current; }
size_t mem_peak_bytes(void) { return stats.peak; }
void mem_reset_peak(void) { stats.peak = stats.current; }

size_t mem_block_size(const void *ptr)
{
    const block_slot *s = ptr ? registry_find(ptr) : NULL;
    return s ? slot_size(s) : 0;
}

/* ------------------------------------------------------------ the frame stack */

static struct {
    mem_frame frames[MEM_MAX_FRAMES]; /* frames[depth - 1] is the most recent */
    size_t depth;
} frame_stack;

int mem_frame_push(const char *filename, unsigned int lineno, const char *function)
{
    if (frame_stack.depth == MEM_MAX_FRAMES)
        return -1;
    frame_stack.frames[frame_stack.depth++] = (mem_frame){filename, lineno, function};
    return 0;
}

void mem_frame_pop(void)
{
    if (frame_stack.depth > 0)
        frame_stack.depth--;
}

void mem_frame_set_line(unsigned int lineno)
{
    if (frame_stack.depth > 0)
        frame_stack.frames[frame_stack.depth - 1].lineno = lineno;
}

size_t mem_frame_depth(void) { return frame_stack.depth; }

const mem_frame *mem_frame_at(size_t i)
{
    if (i >= frame_stack.depth)
        return NULL;
    return &frame_stack.frames[frame_stack.depth - 1 - i];
}
