/*
 * mem.c -- the mem layer (given code): allocator domains and their hooks,
 * the live-byte counters, and the frame stack.  Contracts in memlab/mem.h.
 *
 * Counting live bytes.  The counters are kept above the hooks, whatever
 * allocator sits under a domain (the system, the pools lab, the tracer
 * wrapping either), so the mem layer must know the size and domain of every
 * live block when it is freed.  It keeps them in a block map of its own: a
 * radix tree keyed by the block's address, as jemalloc's rtree and
 * mimalloc's segment map find a block's metadata.  Finding an entry is three
 * dependent loads and no hashing; blocks allocated one after another have
 * entries side by side (16 to a cache line).
 *
 * Why not a header in front of each block: the hooks would see it.  The
 * tracer would trace 16 bytes more than was asked for, the pools lab would
 * serve every request from the next size class (and its pool and arena
 * counts would no longer be CPython's), and under Valgrind the program
 * would hold only an interior pointer, so a lost block would be "possibly
 * lost" instead of "definitely lost".  The map stores sizes, never
 * addresses: it is no reference to any block.
 *
 * A block the map cannot hold (an address not 16-byte aligned, a size of
 * 512 MiB or more) goes to a small hash table instead, the overflow:
 *
 *     slots[]: open addressing, linear probing, size a power of two
 *     slot    = { key, size, domain }    key EMPTY (0), TOMBSTONE (1), or the
 *               block's address XOR KEY_MASK (masked, again not a reference)
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

static const mem_allocator system_allocator = {NULL, sys_malloc, sys_calloc, sys_realloc, sys_free};

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

/* ------------------------------------------------------------ fatal errors */

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

/* ------------------------------------------------------------ the block map */

/* The map's shape, from a block's address (user space is below 2^48):
 *
 *     47        34 33        20 19            4 3    0
 *     [ top: 14  ][ mid: 14   ][ leaf: 16      ][ 0  ]   16-byte granule
 *
 * An entry is a uint32_t: 0 when no live block starts in that granule, else
 * size << 3 | domain << 1 | 1.  A leaf (256 KiB) covers 1 MiB of addresses. */
#define GRANULE_SHIFT 4
#define LEAF_BITS     16
#define MID_BITS      14
#define TOP_BITS      14
#define ADDRESS_BITS  (GRANULE_SHIFT + LEAF_BITS + MID_BITS + TOP_BITS)
#define MAP_MAX_SIZE  (((size_t)1 << 29) - 1)

typedef uint32_t map_entry;
typedef struct map_leaf {
    map_entry entries[1 << LEAF_BITS];
} map_leaf;
typedef struct map_mid {
    map_leaf *leaves[1 << MID_BITS];
} map_mid;

static map_mid *map_top[1 << TOP_BITS];

static size_t entry_size(map_entry e) { return (size_t)(e >> 3); }
static int entry_domain(map_entry e) { return (int)((e >> 1) & 3); }

/* Zeroed memory for a node of the map.  From the C library, which takes
 * blocks this large from the kernel with mmap of its own: pages of a leaf
 * nobody touches cost nothing, and the pools tests' fake mmap (which counts
 * the lab's mappings) never sees them. */
static void *map_node(size_t size)
{
    void *p = calloc(1, size);
    if (!p)
        mem_fatal("out of memory for the block map (%zu bytes)", size);
    return p;
}

/* Can the map hold a block at `ptr`?  (Else it goes to the overflow table.) */
static int map_holds(const void *ptr)
{
    uintptr_t a = (uintptr_t)ptr;
    return (a & ((1u << GRANULE_SHIFT) - 1)) == 0 && (a >> ADDRESS_BITS) == 0;
}

/* The leaf used last, and the number of the 1 MiB of addresses it covers:
 * blocks handed out one after another mostly share a leaf, and then finding
 * an entry is one compare and one load. */
static struct {
    uintptr_t number; /* address >> (GRANULE_SHIFT + LEAF_BITS); UINTPTR_MAX: none */
    map_leaf *leaf;
} last_leaf = {UINTPTR_MAX, NULL};

/* The leaf covering granule `g`; NULL when it was never made and `create`
 * is 0. */
static __attribute__((noinline)) map_leaf *map_leaf_of(uintptr_t g, int create)
{
    size_t mid_i = (g >> LEAF_BITS) & ((1u << MID_BITS) - 1);
    size_t top_i = g >> (LEAF_BITS + MID_BITS);
    map_mid *mid = map_top[top_i];
    if (!mid) {
        if (!create)
            return NULL;
        mid = map_top[top_i] = map_node(sizeof *mid);
    }
    map_leaf *leaf = mid->leaves[mid_i];
    if (!leaf) {
        if (!create)
            return NULL;
        leaf = mid->leaves[mid_i] = map_node(sizeof *leaf);
    }
    last_leaf.number = g >> LEAF_BITS;
    last_leaf.leaf = leaf;
    return leaf;
}

/* The entry of `ptr`'s granule when it lies in the leaf used last (and the
 * map can hold it), else NULL: the fast paths' whole lookup.  One compare
 * stands for map_holds' test of the high bits: the cached number came from
 * an address the map holds, so an address with the same number is one too;
 * only the alignment is left to test. */
static map_entry *map_slot_cached(const void *ptr)
{
    uintptr_t a = (uintptr_t)ptr;
    if (a >> (GRANULE_SHIFT + LEAF_BITS) != last_leaf.number ||
        (a & ((1u << GRANULE_SHIFT) - 1)) != 0)
        return NULL;
    return &last_leaf.leaf->entries[(a >> GRANULE_SHIFT) & ((1u << LEAF_BITS) - 1)];
}

/* The entry of `ptr`'s granule; NULL when its leaf was never made and
 * `create` is 0.  `ptr` must satisfy map_holds(). */
static map_entry *map_slot(const void *ptr, int create)
{
    uintptr_t g = (uintptr_t)ptr >> GRANULE_SHIFT;
    map_leaf *leaf = g >> LEAF_BITS == last_leaf.number ? last_leaf.leaf : map_leaf_of(g, create);
    return leaf ? &leaf->entries[g & ((1u << LEAF_BITS) - 1)] : NULL;
}

/* ------------------------------------------------------------ the overflow table */

/* 16 bytes a slot, so that four share a cache line. */
typedef struct block_slot {
    uintptr_t key;
    size_t size_domain; /* size << 2 | domain */
} block_slot;

#define EMPTY     ((uintptr_t)0)
#define TOMBSTONE ((uintptr_t)1)
/* User-space addresses are below 2^47, so a masked key is never EMPTY or TOMBSTONE. */
#define KEY_MASK ((uintptr_t)0xA5A5000000000000ULL)

static uintptr_t key_of(const void *ptr) { return (uintptr_t)ptr ^ KEY_MASK; }

static struct {
    block_slot *slots;
    size_t capacity; /* a power of two, or 0 before the first block */
    size_t used;     /* live + tombstones */
    size_t live;
} overflow;

static size_t slot_of(uintptr_t key, size_t capacity)
{
    uintptr_t address = key ^ KEY_MASK;
    return (size_t)((address >> 4) ^ (address >> 24)) & (capacity - 1);
}

/* Out of line (noinline), as overflow_add: the rare path would otherwise
 * make every call of the common one save and restore six registers. */
static __attribute__((noinline)) block_slot *overflow_find(const void *ptr)
{
    if (overflow.live == 0)
        return NULL;
    uintptr_t key = key_of(ptr);
    for (size_t i = slot_of(key, overflow.capacity);; i = (i + 1) & (overflow.capacity - 1)) {
        block_slot *s = &overflow.slots[i];
        if (s->key == key)
            return s;
        if (s->key == EMPTY)
            return NULL;
    }
}

/* Put `entry` in the first empty or deleted slot of its probe sequence;
 * returns 1 if that slot was empty (one more slot in use), 0 if reused. */
static int overflow_insert_slot(block_slot *slots, size_t capacity, block_slot entry)
{
    size_t i = slot_of(entry.key, capacity);
    while (slots[i].key != EMPTY && slots[i].key != TOMBSTONE)
        i = (i + 1) & (capacity - 1);
    int was_empty = slots[i].key == EMPTY;
    slots[i] = entry;
    return was_empty;
}

/* Rebuild into a table that keeps the load under 3/4; drops tombstones. */
static void overflow_grow(void)
{
    size_t capacity = overflow.capacity ? overflow.capacity : 64;
    while ((overflow.live + 1) * 2 > capacity)
        capacity *= 2;
    block_slot *slots = calloc(capacity, sizeof *slots);
    if (!slots)
        mem_fatal("out of memory for the block map's overflow table");
    for (size_t i = 0; i < overflow.capacity; i++) {
        const block_slot *s = &overflow.slots[i];
        if (s->key != EMPTY && s->key != TOMBSTONE)
            overflow_insert_slot(slots, capacity, *s);
    }
    free(overflow.slots);
    overflow.slots = slots;
    overflow.capacity = capacity;
    overflow.used = overflow.live;
}

static __attribute__((noinline)) void overflow_add(const void *ptr, size_t size, mem_domain domain)
{
    if ((overflow.used + 1) * 4 > overflow.capacity * 3)
        overflow_grow();
    overflow.used += overflow_insert_slot(overflow.slots, overflow.capacity,
                                          (block_slot){key_of(ptr), size << 2 | (size_t)domain});
    overflow.live++;
}

/* ------------------------------------------------------------ live blocks */

/* What the mem layer knows of a live block, and where it keeps it (its map
 * entry, or its overflow slot). */
typedef struct block_ref {
    size_t size;
    int domain;
    map_entry *entry;
    block_slot *slot;
} block_ref;

/* Is `ptr` a live block?  If so, fill *out. */
static int block_find(const void *ptr, block_ref *out)
{
    map_entry *e = map_holds(ptr) ? map_slot(ptr, 0) : NULL;
    if (e && *e) {
        *out = (block_ref){entry_size(*e), entry_domain(*e), e, NULL};
        return 1;
    }
    block_slot *s = overflow_find(ptr);
    if (!s)
        return 0;
    *out = (block_ref){s->size_domain >> 2, (int)(s->size_domain & 3), NULL, s};
    return 1;
}

/* Record a block the map's cached leaf does not cover (out of line: see
 * block_take). */
static __attribute__((noinline)) void block_add_slow(const void *ptr, size_t size,
                                                     mem_domain domain)
{
    if (map_holds(ptr) && size <= MAP_MAX_SIZE)
        *map_slot(ptr, 1) = (map_entry)(size << 3 | (size_t)domain << 1 | 1);
    else
        overflow_add(ptr, size, domain);
}

/* Inline in each caller (always_inline: gcc would keep one copy for the
 * three callers, and a call costs as much as the work). */
static inline __attribute__((always_inline)) void block_add(const void *ptr, size_t size,
                                                            mem_domain domain)
{
    map_entry *e = size <= MAP_MAX_SIZE ? map_slot_cached(ptr) : NULL;
    if (e)
        *e = (map_entry)(size << 3 | (size_t)domain << 1 | 1);
    else
        block_add_slow(ptr, size, domain);
    stats.current += size;
    if (stats.current > stats.peak)
        stats.peak = stats.current;
}

/* Forget the live block `b` (found by block_find). */
static void block_forget(const block_ref *b)
{
    if (b->entry) {
        *b->entry = 0;
    } else {
        b->slot->key = TOMBSTONE;
        overflow.live--;
    }
    stats.current -= b->size;
}

/* The fatal error for `ptr`, released by `who` through `domain`: it is not
 * a live block, or belongs to another domain. */
__attribute__((noreturn, noinline)) static void bad_release(const void *ptr, mem_domain domain,
                                                            const char *who, const char *verb)
{
    block_ref b;
    if (!block_find(ptr, &b))
        mem_fatal("%p passed to %s was not allocated by the memlab allocator (or was already "
                  "freed)",
                  ptr, who);
    mem_fatal("%p was allocated through domain %s but %s through domain %s", ptr,
              domain_names[b.domain], verb, domain_names[domain]);
}

/* The live block `ptr`, which `who` releases through `domain` (else a fatal
 * error). */
static block_ref block_checked(const void *ptr, mem_domain domain, const char *who,
                               const char *verb)
{
    block_ref b;
    if (!block_find(ptr, &b) || b.domain != (int)domain)
        bad_release(ptr, domain, who, verb);
    return b;
}

/* Forget the live block `ptr`, which `who` releases through `domain`, and
 * return its size; a fatal error when it is not one, or belongs to another
 * domain.  The common case (an entry of the right domain in the cached leaf)
 * is a handful of instructions inline and saves no register; the rest
 * (another leaf, the overflow, the errors) is out of line. */
static __attribute__((noinline)) size_t block_take_slow(const void *ptr, mem_domain domain,
                                                        const char *who, const char *verb)
{
    block_ref b = block_checked(ptr, domain, who, verb);
    block_forget(&b);
    return b.size;
}

/* The entry of the live block `ptr` of `domain` when the cached leaf holds
 * it, else NULL (another leaf, the overflow, or no such block): the test
 * every release's fast path makes. */
static map_entry *live_entry_cached(const void *ptr, mem_domain domain)
{
    map_entry *e = map_slot_cached(ptr);
    return e && *e && entry_domain(*e) == (int)domain ? e : NULL;
}

static inline __attribute__((always_inline)) size_t block_take(const void *ptr, mem_domain domain,
                                                               const char *who, const char *verb)
{
    map_entry *e = live_entry_cached(ptr, domain);
    if (!e)
        return block_take_slow(ptr, domain, who, verb);
    size_t size = entry_size(*e);
    *e = 0;
    stats.current -= size;
    return size;
}

/* ------------------------------------------------------------ the domain API */

void *mem_malloc(mem_domain domain, size_t size)
{
    void *p = domains[domain].malloc(domains[domain].ctx, size);
    if (p) {
        block_add(p, size, domain);
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
        block_add(p, nelem * elsize, domain);
        stats.allocs++;
    }
    return p;
}

void *mem_realloc(mem_domain domain, void *ptr, size_t new_size)
{
    if (ptr == NULL)
        return mem_malloc(domain, new_size);
    block_checked(ptr, domain, "mem_realloc", "reallocated");
    void *p = domains[domain].realloc(domains[domain].ctx, ptr, new_size);
    if (!p)
        return NULL; /* the old block is still valid and still counted */
    block_take(ptr, domain, "mem_realloc", "reallocated");
    block_add(p, new_size, domain);
    return p;
}

/* mem_free of a block the cached leaf does not cover, or of no live block
 * of `domain` (a fatal error). */
static __attribute__((noinline)) void mem_free_slow(mem_domain domain, void *ptr)
{
    block_take_slow(ptr, domain, "mem_free", "released");
    stats.frees++;
    domains[domain].free(domains[domain].ctx, ptr);
}

/* The common case inline and without a call of its own (the allocator's
 * free is a tail call), so it saves no register: the cached leaf holds a
 * live block of this domain at ptr. */
void mem_free(mem_domain domain, void *ptr)
{
    if (ptr == NULL)
        return;
    map_entry *e = live_entry_cached(ptr, domain);
    if (!e) {
        mem_free_slow(domain, ptr);
        return;
    }
    stats.current -= entry_size(*e);
    *e = 0;
    stats.frees++;
    domains[domain].free(domains[domain].ctx, ptr);
}

/* A live block is one allocation not yet freed: no counter of its own. */
void mem_get_stats(mem_stats *out)
{
    *out = stats;
    out->blocks = stats.allocs - stats.frees;
}
size_t mem_current_bytes(void) { return stats.current; }
size_t mem_peak_bytes(void) { return stats.peak; }
void mem_reset_peak(void) { stats.peak = stats.current; }

size_t mem_block_size(const void *ptr)
{
    block_ref b;
    return ptr && block_find(ptr, &b) ? b.size : 0;
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

const mem_frame *mem_frame_array(size_t *depth)
{
    *depth = frame_stack.depth;
    return frame_stack.frames;
}
