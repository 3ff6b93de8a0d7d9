/*
 * pools.c -- YOUR FILE.  A small-object allocator after CPython 3.11's pymalloc
 * (Objects/obmalloc.c).  Requests of 1..512 bytes are served from pools of
 * same-size blocks inside 1 MiB arenas mapped with mmap; everything else goes
 * to malloc.  Contracts in memlab/pools.h; the story in labs/pools/README.md.
 *
 *   arenas[] (malloc'd vector of arena_object, doubles when exhausted)
 *     .address       base of the 1 MiB mapping, 0 if the object is unused
 *     .pool_address  next never-used pool (pools are carved lazily, in order)
 *     .freepools     empty pools already carved, singly linked by nextpool
 *     .nfreepools    freepools + never-carved pools
 *
 *   usable_arenas: doubly linked list of the arenas that have a free pool,
 *   sorted by nfreepools ASCENDING, so new pools come from the fullest arena
 *   and nearly empty arenas get the chance to drain and be unmapped.
 *   nfp2lasta[n] = last arena of that list with n free pools (NULL if none):
 *   moving an arena after a free is then O(1), not a walk of the list.
 *
 *   usedpools[c]: doubly linked list (NULL-terminated) of the pools of class
 *   c that have at least one block in use AND at least one available block.
 *   (CPython overlays fake headers on a static array to save a branch; a
 *   plain list head per class is clearer and costs one test.)
 *
 *   pool (16 KiB, 16 KiB-aligned):
 *     [ header 48 B | block 0 | block 1 | ... | block k | virgin ... | waste ]
 *       freeblock -> a free block -> a free block -> ... -> NULL  (LIFO)
 *       nextoffset: offset of the first never-used (virgin) block;
 *       maxnextoffset: offset of the last block that fits.
 *
 *   A pool is in exactly one of three states:
 *     used   count > 0, freeblock != NULL   on usedpools[szidx]
 *     full   count > 0, freeblock == NULL   on no list
 *     empty  count == 0                     on its arena's freepools
 *
 * Invariants (pool_check_heap verifies each, in this order):
 *   I1 every mapped arena is marked in the address map, unmapped ones not;
 *      the counters agree with the arenas vector.
 *   I2 usable_arenas is well linked, sorted by nfreepools ascending, holds
 *      exactly the mapped arenas with nfreepools > 0; nfp2lasta[n] is the
 *      last of them with n free pools.
 *   I3 per arena: nfreepools = |freepools| + never-carved pools <= ntotalpools,
 *      ntotalpools is 64 when the base is 16 KiB-aligned, else 63; each carved
 *      pool names its arena.
 *   I4 per pool: the free list stays inside the pool on block boundaries
 *      below nextoffset, has no cycle, and count + |free list| = blocks carved.
 *   I5 used pools are on the list of their class, full and empty ones are not;
 *      empty pools are on their arena's freepools.
 *
 * Valgrind (memcheck): each block is a chunk of one mempool (anchored at
 * `heap`): MEMPOOL_ALLOC on allocation (the requested bytes become
 * addressable, undefined), MEMPOOL_FREE on free (NOACCESS).  Free blocks,
 * virgin blocks and pool headers stay NOACCESS; the allocator opens a header
 * while it works on it and closes every header it opened before it returns.
 * So memcheck reports a use-after-free, an overrun past the requested size or
 * into a free/virgin neighbour, and a lost block, as it would with malloc.
 */
#include "memlab/pools.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <valgrind/memcheck.h>

#include "memlab/mem.h"
#include "memlab/runtime.h"

/* The helpers below stay unused until you write the functions that call them;
 * delete this line when you are done. */
#pragma GCC diagnostic ignored "-Wunused-function"

typedef uint8_t block;

/* ------------------------------------------------------------ data structures */

#define DUMMY_SIZE_IDX 0xffff /* szidx of a pool never used for any class */
#define NFP2LASTA_SIZE (POOL_MAX_POOLS_IN_ARENA + 1)
#define INITIAL_ARENA_OBJECTS 16

typedef struct pool_header {
    size_t count;                /* blocks in use */
    block *freeblock;            /* head of the free list, NULL when full */
    struct pool_header *nextpool;
    struct pool_header *prevpool;
    unsigned int arenaindex;     /* index of the arena in arenas[] */
    unsigned int szidx;          /* size class, DUMMY_SIZE_IDX before first use */
    unsigned int nextoffset;     /* offset of the next virgin block */
    unsigned int maxnextoffset;  /* largest valid nextoffset */
} pool_header;

_Static_assert(sizeof(pool_header) == POOL_OVERHEAD, "the pool header is 48 bytes");

typedef struct arena_object {
    uintptr_t address;           /* base of the mapping, 0 = no arena */
    block *pool_address;         /* next pool to carve */
    unsigned int nfreepools;
    unsigned int ntotalpools;
    pool_header *freepools;      /* empty carved pools, linked by nextpool */
    struct arena_object *nextarena;
    struct arena_object *prevarena;
} arena_object;

/* The address map: 1 bit of knowledge per 1 MiB "ideal arena" (an aligned
 * 1 MiB range of the address space).  A real arena overlaps at most two ideal
 * arenas; each keeps the offset where the real arena ends (lo, in the upper
 * one) or starts (hi, in the lower one; -1 when it starts exactly there).
 * Keys are the 28 bits 20..47 of a 48-bit user address: 14 bits pick a leaf in
 * the root, 14 bits an entry in the leaf. */
#define MAP_ADDRESS_BITS 48
#define MAP_LEAF_BITS 14
#define MAP_ROOT_BITS (MAP_ADDRESS_BITS - POOL_ARENA_BITS - MAP_LEAF_BITS)
#define MAP_LEAF_LENGTH ((size_t)1 << MAP_LEAF_BITS)
#define MAP_ROOT_LENGTH ((size_t)1 << MAP_ROOT_BITS)

typedef struct arena_coverage {
    int32_t tail_hi; /* an arena starts at this offset of the ideal arena (-1: at 0) */
    int32_t tail_lo; /* an arena ends at this offset of the ideal arena */
} arena_coverage;

static struct heap {
    pool_header *usedpools[POOL_NB_SMALL_SIZE_CLASSES];
    arena_object *arenas;
    unsigned int maxarenas;
    arena_object *unused_arena_objects; /* singly linked by nextarena */
    arena_object *usable_arenas;
    arena_object *nfp2lasta[NFP2LASTA_SIZE];
    size_t narenas_currently_allocated;
    size_t ntimes_arena_allocated;
    size_t narenas_highwater;
    size_t raw_allocated_blocks;
    arena_coverage *map_root[MAP_ROOT_LENGTH];
    size_t map_leaves;
    int mempool_created;
    mem_allocator saved[2]; /* MEM and OBJ before pool_install */
} heap;

#define POOL_ADDR(p) ((pool_header *)((uintptr_t)(p) & ~(uintptr_t)(POOL_SIZE - 1)))

/* ------------------------------------------------------------ Valgrind annotations */

/* Headers opened during the current call; closed (NOACCESS) before returning. */
#define MAX_OPEN_HEADERS 16
#ifndef NVALGRIND
static pool_header *open_headers[MAX_OPEN_HEADERS];
static unsigned int n_open_headers;
#endif

/* Make a pool header readable for the allocator until headers_close(). */
static pool_header *header_open(pool_header *pool)
{
#ifndef NVALGRIND
    VALGRIND_MAKE_MEM_DEFINED(pool, sizeof *pool);
    if (n_open_headers < MAX_OPEN_HEADERS) /* never more than 4 are open at once */
        open_headers[n_open_headers++] = pool;
#endif
    return pool;
}

static void headers_close(void)
{
#ifndef NVALGRIND
    for (unsigned int i = 0; i < n_open_headers; i++)
        VALGRIND_MAKE_MEM_NOACCESS(open_headers[i], sizeof(pool_header));
    n_open_headers = 0;
#endif
}

/* The free-list link lives in the first word of a free block, NOACCESS to
 * the program; the allocator opens it for the one read or write. */
static block *next_free(block *bp)
{
    VALGRIND_MAKE_MEM_DEFINED(bp, sizeof(block *));
    block *next = *(block **)bp;
    VALGRIND_MAKE_MEM_NOACCESS(bp, sizeof(block *));
    return next;
}

static void set_next_free(block *bp, block *next)
{
    VALGRIND_MAKE_MEM_UNDEFINED(bp, sizeof(block *));
    *(block **)bp = next;
    VALGRIND_MAKE_MEM_NOACCESS(bp, sizeof(block *));
}

/* ------------------------------------------------------------ the address map */

/* The map entry of the ideal arena holding `address` (an arena's base, below
 * 2^48 as every user-space mapping is), its leaf made on first use; NULL when
 * the leaf cannot be allocated. */
static arena_coverage *map_entry(uintptr_t address)
{
    (void)address;
    /* TODO: Return the coverage entry of the 1 MiB ideal arena that holds `address`:
     * the root is indexed by the bits above 34, the leaf by bits 20..33.  Allocate
     * the leaf with calloc on first use (count it in heap.map_leaves).
     */
    return NULL;
}

/* Record (or forget) the arena at base.  Returns -1 if a leaf cannot be made. */
static int map_mark(uintptr_t base, int is_used)
{
    (void)base;
    (void)is_used;
    /* TODO: Set (is_used) or clear the entries that describe the arena at `base`: the
     * ideal arena where it starts gets tail_hi (-1 if it starts exactly at a 1 MiB
     * boundary), the next one gets tail_lo when the arena spills into it.
     */
    return -1;
}

int pool_address_in_range(const void *p)
{
    (void)p;
    /* TODO: Constant time, never reads *p: find p's entry and compare the offset of p
     * in its ideal arena with tail_lo and tail_hi (handout §6).
     */
    return 0;
}

static void map_free_leaves(void)
{
    for (size_t i = 0; i < MAP_ROOT_LENGTH; i++) {
        free(heap.map_root[i]);
        heap.map_root[i] = NULL;
    }
    heap.map_leaves = 0;
}

/* ------------------------------------------------------------ arenas */

/* Grow the vector of arena objects and thread the new ones onto the unused
 * list.  Only called when usable_arenas is empty, so no pointer into the old
 * vector survives the move (nfp2lasta is all NULL then too). */
static int grow_arena_objects(void)
{
    /* TODO: Double the arenas vector (16 at first) with realloc and thread the new
     * objects onto unused_arena_objects.
     */
    return -1;
}

/* Map a new arena and return its object, its pools all free; NULL on failure.
 * Out of line (noinline): it runs once per MiB, and inlined into its caller it
 * would make every new pool save and restore registers it never uses. */
static __attribute__((noinline)) arena_object *new_arena(void)
{
    /* TODO: Take an unused arena object (growing the vector if none), mmap 1 MiB, mark
     * it in the address map, make it NOACCESS for Valgrind (create the mempool on
     * first use), set its fields (63 pools when the base is not pool-aligned) and
     * the counters.
     */
    return NULL;
}

/* Take ao off usable_arenas, keeping nfp2lasta right. */
static void usable_unlink(arena_object *ao)
{
    (void)ao;
    /* TODO: Unlink ao from usable_arenas; if it was nfp2lasta[its count], the previous
     * arena takes its place when it has the same count, else NULL.
     */
}

/* Return an arena (already off usable_arenas) to the system. */
static void free_arena(arena_object *ao)
{
    (void)ao;
    /* TODO: Unmark, munmap, put the object back on unused_arena_objects, update the
     * counters.
     */
}

/* ------------------------------------------------------------ allocation */

/* Link pool at the front of the used list of its class. */
static void usedpool_push(pool_header *pool)
{
    (void)pool;
    /* TODO: Link pool at the front of usedpools[pool->szidx] (open the old head's
     * header before you write to it).
     */
}

static void usedpool_unlink(pool_header *pool)
{
    (void)pool;
    /* TODO: Unlink pool from the used list of its class (open the neighbours' headers).
     */
}

/* The pool's free list just ran dry: carve the next virgin block, or, when
 * there is none, the pool is full and leaves the used list. */
static void pool_extend(pool_header *pool, size_t size)
{
    (void)pool;
    (void)size;
    /* TODO: Carve the next virgin block as the free list (its link is NULL), or, when
     * none is left, the pool is full: unlink it from its used list.
     */
}

/* Take an empty pool from the fullest usable arena (mapping one if there is
 * none), put it on the used list of class idx, and return its first block.
 * Out of line (noinline): inlined into pool_malloc, it would make every call,
 * even the many that never get here, save and restore six registers. */
static __attribute__((noinline)) block *allocate_from_new_pool(unsigned int idx)
{
    (void)idx;
    /* TODO: Handout §4: get the head of usable_arenas (map a new arena if there is
     * none), keep nfp2lasta right, take a cached empty pool or carve a new one,
     * drop a full arena from the list, link the pool in front of its class, and
     * return its first block (reusing its free list when it last served this class).
     */
    return NULL;
}

/* A block of class idx, or NULL when no arena can be mapped. */
static block *small_alloc(unsigned int idx)
{
    (void)idx;
    /* TODO: Pop the free list of the first used pool of class idx (then extend it if the
     * list ran dry), or get a block from a new pool.
     */
    return NULL;
}

static int is_small(size_t nbytes)
{
    (void)nbytes;
    /* TODO: 1 for 1..512 bytes, 0 for 0 and above 512. */
    return 0;
}

void *pool_malloc(size_t nbytes)
{
    (void)nbytes;
    /* TODO: Small requests: a pool block, announced to Valgrind with MEMPOOL_ALLOC of
     * nbytes after headers_close().  Others: malloc (count system blocks).
     */
    return NULL;
}

void *pool_calloc(size_t nelem, size_t elsize)
{
    (void)nelem;
    (void)elsize;
    /* TODO: Check nelem * elsize for overflow; small totals: a zeroed pool block; others:
     * calloc (calloc(1, 1) for 0).
     */
    return NULL;
}

/* ------------------------------------------------------------ free */

/* An empty pool goes to its arena's free pools; then the arena moves right
 * in usable_arenas (it has one more free pool), or is unmapped when it is
 * wholly free and another arena follows it (the last one is kept). */
static void insert_to_freepool(pool_header *pool)
{
    (void)pool;
    /* TODO: Handout §5: unlink the empty pool, push it on its arena's freepools, then
     * fix nfp2lasta and usable_arenas: free the arena (all pools free and another
     * arena follows), or push it at the head (it was full), or move it after the
     * last arena with the old count.
     */
}

/* Free a block of a pool (the pool's header is open). */
static void small_free(pool_header *pool, block *bp)
{
    (void)pool;
    (void)bp;
    /* TODO: Push bp on the pool's free list; a pool that was full goes back to the front
     * of its used list; a pool that became empty goes to insert_to_freepool.
     */
}

void pool_free(void *p)
{
    (void)p;
    /* TODO: NULL: nothing.  Not ours: free.  Ours: MEMPOOL_FREE, then small_free on the
     * open header of its pool, then headers_close().
     */
}

/* ------------------------------------------------------------ realloc */

void *pool_realloc(void *p, size_t nbytes)
{
    (void)p;
    (void)nbytes;
    /* TODO: Handout §6: NULL -> malloc; not ours -> realloc; same pointer when nbytes <=
     * size and 4*nbytes > 3*size (tell Valgrind with MEMPOOL_CHANGE); else a new
     * block, copy min(nbytes, size) bytes, free the old one.
     */
    return NULL;
}

/* ------------------------------------------------------------ statistics and the report */

/* The first whole pool of an arena: its base rounded up to a pool boundary. */
static block *first_pool(const arena_object *ao)
{
    return (block *)((ao->address + POOL_SIZE - 1) & ~(uintptr_t)(POOL_SIZE - 1));
}

void pool_get_stats(pool_stats *out)
{
    memset(out, 0, sizeof *out);
    /* TODO: Counters from heap; then walk every carved pool of every mapped arena
     * (open each header, close it after) for the per-class numbers.
     */
}

/* "label = value": label in 35 columns, value with thousands commas in 21. */
static void print_one(FILE *out, const char *label, size_t value)
{
    char digits[32], text[48];
    int n = snprintf(digits, sizeof digits, "%zu", value), k = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            text[k++] = ',';
        text[k++] = digits[i];
    }
    text[k] = '\0';
    fprintf(out, "%-35s=%21s\n", label, text);
}

void pool_debug_stats(FILE *out)
{
    (void)out;
    /* TODO: Print the report of memlab/pools.h, using pool_get_stats and print_one.
     */
}

/* ------------------------------------------------------------ the heap checker */

static int heap_errors;

#define HEAP_ERROR(...) heap_error(__LINE__, __VA_ARGS__)

__attribute__((format(printf, 2, 3))) static void heap_error(int line, const char *fmt, ...)
{
    FILE *out = ml_debug_stream();
    va_list ap;
    va_start(ap, fmt);
    fprintf(out, "%s:%d: pool_check_heap: ", __FILE__, line);
    vfprintf(out, fmt, ap);
    fputc('\n', out);
    va_end(ap);
    heap_errors++;
}

/* Where the checker found each pool: on no list, a used list, or freepools. */
enum { ON_NO_LIST = 0, ON_USED_LIST = 1, ON_FREEPOOLS = 2 };

/* Index of a pool in the checker's table, or -1 if p is not a carved pool. */
static long pool_slot(const void *p)
{
    if (p == NULL || !pool_address_in_range(p) || ((uintptr_t)p & (POOL_SIZE - 1)) != 0)
        return -1;
    for (unsigned int i = 0; i < heap.maxarenas; i++) {
        const arena_object *ao = &heap.arenas[i];
        if (ao->address != 0 && (const block *)p >= first_pool(ao) &&
            (const block *)p < ao->pool_address)
            return (long)i * POOL_MAX_POOLS_IN_ARENA + ((const block *)p - first_pool(ao)) / POOL_SIZE;
    }
    return -1;
}

/* I1 */
static void check_arena_counters(void)
{
    size_t mapped = 0;
    for (unsigned int i = 0; i < heap.maxarenas; i++) {
        uintptr_t base = heap.arenas[i].address;
        if (base == 0)
            continue;
        mapped++;
        if (!pool_address_in_range((void *)base) ||
            !pool_address_in_range((void *)(base + POOL_ARENA_SIZE - 1)))
            HEAP_ERROR("arena %u at %p is not (wholly) marked in the address map", i,
                       (void *)base);
    }
    if (mapped != heap.narenas_currently_allocated)
        HEAP_ERROR("%zu arenas are mapped but the counter says %zu", mapped,
                   heap.narenas_currently_allocated);
    if (heap.narenas_highwater < mapped || heap.ntimes_arena_allocated < heap.narenas_highwater)
        HEAP_ERROR("arena counters disagree: total %zu, highwater %zu, current %zu",
                   heap.ntimes_arena_allocated, heap.narenas_highwater, mapped);
}

/* I2 */
static void check_usable_arenas(void)
{
    arena_object *last_with[NFP2LASTA_SIZE] = {0};
    size_t on_list = 0, should_be = 0;
    arena_object *prev = NULL;
    for (arena_object *ao = heap.usable_arenas; ao != NULL; prev = ao, ao = ao->nextarena) {
        if (ao < heap.arenas || ao >= heap.arenas + heap.maxarenas || on_list > heap.maxarenas) {
            HEAP_ERROR("usable_arenas leads to %p, not an arena object (or loops)", (void *)ao);
            return;
        }
        on_list++;
        unsigned int i = (unsigned int)(ao - heap.arenas);
        if (ao->address == 0 || ao->nfreepools == 0 || ao->nfreepools > POOL_MAX_POOLS_IN_ARENA)
            HEAP_ERROR("arena %u is on usable_arenas with %u free pools (address %p)", i,
                       ao->nfreepools, (void *)ao->address);
        else
            last_with[ao->nfreepools] = ao;
        if (ao->prevarena != prev)
            HEAP_ERROR("arena %u: prevarena is %p, expected %p", i, (void *)ao->prevarena,
                       (void *)prev);
        if (prev != NULL && prev->nfreepools > ao->nfreepools)
            HEAP_ERROR("usable_arenas out of order: arena %u (%u free pools) after arena %u "
                       "(%u free pools)",
                       i, ao->nfreepools, (unsigned int)(prev - heap.arenas), prev->nfreepools);
    }
    for (unsigned int i = 0; i < heap.maxarenas; i++)
        should_be += heap.arenas[i].address != 0 && heap.arenas[i].nfreepools > 0;
    if (on_list != should_be)
        HEAP_ERROR("usable_arenas holds %zu arenas, but %zu mapped arenas have a free pool",
                   on_list, should_be);
    for (unsigned int n = 0; n < NFP2LASTA_SIZE; n++)
        if (heap.nfp2lasta[n] != last_with[n])
            HEAP_ERROR("nfp2lasta[%u] is %p, but the last usable arena with %u free pools is %p",
                       n, (void *)heap.nfp2lasta[n], n, (void *)last_with[n]);
}

/* I4: the free list and counts of one pool of class c. */
static void check_pool_blocks(pool_header *pool, unsigned int c)
{
    size_t size = POOL_CLASS_SIZE(c);
    if (pool->maxnextoffset != POOL_SIZE - size ||
        pool->nextoffset < POOL_OVERHEAD + size || pool->nextoffset > POOL_SIZE ||
        (pool->nextoffset - POOL_OVERHEAD) % size != 0) {
        HEAP_ERROR("pool %p (class %u): nextoffset %u / maxnextoffset %u are not block "
                   "boundaries of the pool",
                   (void *)pool, c, pool->nextoffset, pool->maxnextoffset);
        return;
    }
    size_t carved = (pool->nextoffset - POOL_OVERHEAD) / size, length = 0;
    for (block *bp = pool->freeblock; bp != NULL; bp = next_free(bp)) {
        uintptr_t offset = (uintptr_t)(bp - (block *)pool);
        if (bp < (block *)pool || offset < POOL_OVERHEAD || offset >= pool->nextoffset ||
            (offset - POOL_OVERHEAD) % size != 0) {
            HEAP_ERROR("pool %p (class %u): free list entry %p is not a carved block of the "
                       "pool (a write to a freed block?)",
                       (void *)pool, c, (void *)bp);
            return;
        }
        if (++length > carved) {
            HEAP_ERROR("pool %p (class %u): free list has a cycle (a block freed twice?)",
                       (void *)pool, c);
            return;
        }
    }
    if (pool->count + length != carved)
        HEAP_ERROR("pool %p (class %u): %zu blocks in use + %zu free != %zu carved",
                   (void *)pool, c, (size_t)pool->count, length, carved);
}

/* I5 (with the table of where each pool was found) and I4 per pool. */
static void check_pool(pool_header *pool, unsigned int arena, unsigned char where)
{
    if (pool->arenaindex != arena)
        HEAP_ERROR("pool %p says it is in arena %u, but it is in arena %u", (void *)pool,
                   pool->arenaindex, arena);
    if (pool->count == 0) {
        if (where != ON_FREEPOOLS)
            HEAP_ERROR("empty pool %p is not on its arena's free pools", (void *)pool);
        if (pool->szidx != DUMMY_SIZE_IDX && pool->szidx < POOL_NB_SMALL_SIZE_CLASSES)
            check_pool_blocks(pool, pool->szidx);
        return;
    }
    if (pool->szidx >= POOL_NB_SMALL_SIZE_CLASSES) {
        HEAP_ERROR("pool %p has %zu blocks in use but no size class (%u)", (void *)pool,
                   (size_t)pool->count, pool->szidx);
        return;
    }
    if (pool->freeblock != NULL && where != ON_USED_LIST)
        HEAP_ERROR("pool %p (class %u) has free blocks but is not on the used list of its class",
                   (void *)pool, pool->szidx);
    if (pool->freeblock == NULL && where != ON_NO_LIST)
        HEAP_ERROR("full pool %p (class %u) is still on a list", (void *)pool, pool->szidx);
    check_pool_blocks(pool, pool->szidx);
}

/* I3 and the pools of one arena. */
static void check_arena(unsigned int i, unsigned char *where)
{
    arena_object *ao = &heap.arenas[i];
    block *first = first_pool(ao);
    unsigned int expected = ao->address == (uintptr_t)first ? POOL_MAX_POOLS_IN_ARENA
                                                              : POOL_MAX_POOLS_IN_ARENA - 1;
    block *end = first + (size_t)expected * POOL_SIZE;
    if (ao->ntotalpools != expected || ao->nfreepools > expected) {
        HEAP_ERROR("arena %u at %p: %u pools in all, %u free; expected %u in all", i,
                   (void *)ao->address, ao->ntotalpools, ao->nfreepools, expected);
        return;
    }
    if (ao->pool_address < first || ao->pool_address > end ||
        (ao->pool_address - first) % POOL_SIZE != 0) {
        HEAP_ERROR("arena %u: pool_address %p is not a pool boundary of the arena", i,
                   (void *)ao->pool_address);
        return;
    }
    unsigned int cached = 0;
    for (pool_header *p = ao->freepools; p != NULL; cached++) {
        long slot = pool_slot(p);
        if (slot < 0 || slot / POOL_MAX_POOLS_IN_ARENA != i || cached > expected) {
            HEAP_ERROR("arena %u: free pool list leads to %p, not a carved pool of the arena", i,
                       (void *)p);
            return;
        }
        where[slot] = ON_FREEPOOLS;
        p = header_open(p)->nextpool;
        headers_close();
    }
    unsigned int virgin = (unsigned int)((end - ao->pool_address) / POOL_SIZE);
    if (cached + virgin != ao->nfreepools)
        HEAP_ERROR("arena %u: nfreepools is %u but %u pools are cached and %u never used", i,
                   ao->nfreepools, cached, virgin);
    for (block *p = first; p < ao->pool_address; p += POOL_SIZE) {
        long slot = (long)i * POOL_MAX_POOLS_IN_ARENA + (p - first) / POOL_SIZE;
        check_pool(header_open((pool_header *)p), i, where[slot]);
        headers_close();
    }
}

/* Walk the used list of each class, recording where each pool is; I5 there. */
static int check_used_lists(unsigned char *where)
{
    for (unsigned int c = 0; c < POOL_NB_SMALL_SIZE_CLASSES; c++) {
        pool_header *prev = NULL;
        for (pool_header *p = heap.usedpools[c]; p != NULL;) {
            long slot = pool_slot(p);
            if (slot < 0 || where[slot] != ON_NO_LIST) {
                HEAP_ERROR("used list of class %u leads to %p, not a carved pool (or loops)", c,
                           (void *)p);
                return -1;
            }
            where[slot] = ON_USED_LIST;
            header_open(p);
            if (p->szidx != c)
                HEAP_ERROR("pool %p of class %u is on the used list of class %u", (void *)p,
                           p->szidx, c);
            if (p->prevpool != prev)
                HEAP_ERROR("pool %p (class %u): prevpool is %p, expected %p", (void *)p, c,
                           (void *)p->prevpool, (void *)prev);
            prev = p;
            p = p->nextpool;
            headers_close();
        }
    }
    return 0;
}

int pool_check_heap(void)
{
    heap_errors = 0;
    check_arena_counters();
    check_usable_arenas();
    size_t npools = (size_t)heap.maxarenas * POOL_MAX_POOLS_IN_ARENA;
    unsigned char *where = calloc(npools ? npools : 1, 1);
    if (where == NULL) {
        HEAP_ERROR("out of memory for the checker's table");
        return -1;
    }
    if (check_used_lists(where) == 0) {
        for (unsigned int i = 0; i < heap.maxarenas; i++)
            if (heap.arenas[i].address != 0)
                check_arena(i, where);
    }
    free(where);
    return heap_errors ? -1 : 0;
}

/* ------------------------------------------------------------ installing the layer */

static void *hook_malloc(void *ctx, size_t size)
{
    (void)ctx;
    return pool_malloc(size);
}

static void *hook_calloc(void *ctx, size_t nelem, size_t elsize)
{
    (void)ctx;
    return pool_calloc(nelem, elsize);
}

static void *hook_realloc(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    return pool_realloc(ptr, size);
}

static void hook_free(void *ctx, void *ptr)
{
    (void)ctx;
    pool_free(ptr);
}

static const mem_allocator pools_allocator = {NULL, hook_malloc, hook_calloc, hook_realloc,
                                               hook_free};

/* Installed means: our hooks are on the MEM domain now (the runtime may have
 * reset the allocators behind our back). */
static int is_installed(void)
{
    mem_allocator current;
    mem_get_allocator(MEM_DOMAIN_MEM, &current);
    return current.malloc == hook_malloc;
}

void pool_install(void)
{
    (void)pools_allocator;
    /* TODO: Save the allocators of MEM and OBJ, install pools_allocator on both; do
     * nothing when already installed.
     */
}

void pool_uninstall(void)
{
    /* TODO: Restore the saved allocators (if installed), free every wholly free arena,
     * and when no arena is left free the vector and the map, destroy the mempool
     * and reset heap (all but raw_allocated_blocks).
     */
}
