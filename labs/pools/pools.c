/*
 * pools.c -- YOUR FILE.  A small-object allocator after CPython 3.11's pymalloc
 * (Objects/obmalloc.c).  Requests of 1..512 bytes are served from pools of
 * same-size blocks inside 1 MiB arenas mapped with mmap; everything else goes
 * to malloc.  Contracts in memlab/pools.h; the story in labs/pools/README.md.
 * Given, in the kit and not in this file: the data structures below, the
 * state (pools_heap) and the Valgrind helpers in memlab/internal/pools.h;
 * the report's number format, the hooks and the heap checker in
 * labs/pools/given/pools_given.c.
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
 * Invariants (pool_check_heap, given in labs/pools/given/pools_given.c, verifies
 * each, in this order):
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
 * `pools_heap`): MEMPOOL_ALLOC on allocation (the requested bytes become
 * addressable, undefined), MEMPOOL_FREE on free (NOACCESS).  Free blocks,
 * virgin blocks and pool headers stay NOACCESS; the allocator opens a header
 * while it works on it and closes every header it opened before it returns.
 * So memcheck reports a use-after-free, an overrun past the requested size or
 * into a free/virgin neighbour, and a lost block, as it would with malloc.
 */
#include "memlab/pools.h"

#include "memlab/internal/pools.h"
#include "memlab/mem.h"
#include "memlab/runtime.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <valgrind/memcheck.h>

/* The helpers below stay unused until you write the functions that call them;
 * delete this line when you are done. */
#pragma GCC diagnostic ignored "-Wunused-function"

/* ==================================================================== the address map */

/* The map entry of the ideal arena holding `address` (an arena's base, below
 * 2^48 as every user-space mapping is), its leaf made on first use; NULL when
 * the leaf cannot be allocated. */
static arena_coverage *map_entry(uintptr_t address)
{
    (void)address;
    /* TODO (§6): Return the coverage entry of the 1 MiB ideal arena that holds `address`:
     * the root is indexed by the bits above 34, the leaf by bits 20..33.  Allocate
     * the leaf with calloc on first use (count it in pools_heap.map_leaves).
     */
    return NULL;
}

/* Record (or forget) the arena at base.  Returns -1 if a leaf cannot be made. */
static int map_mark(uintptr_t base, int is_used)
{
    (void)base;
    (void)is_used;
    /* TODO (§6): Set (is_used) or clear the entries that describe the arena at `base`: the
     * ideal arena where it starts gets tail_hi (-1 if it starts exactly at a 1 MiB
     * boundary), the next one gets tail_lo when the arena spills into it.
     */
    return -1;
}

int pool_address_in_range(const void *p)
{
    (void)p;
    /* TODO (§6): Constant time, never reads *p: find p's entry and compare the offset of p
     * in its ideal arena with tail_lo and tail_hi (handout §6).
     */
    return 0;
}

/* ==================================================================== arenas */

/* Grow the vector of arena objects and thread the new ones onto the unused
 * list.  Only called when usable_arenas is empty, so no pointer into the old
 * vector survives the move (nfp2lasta is all NULL then too). */
static int grow_arena_objects(void)
{
    /* TODO (§4): Double the arenas vector (16 at first) with realloc and thread the new
     * objects onto unused_arena_objects.
     */
    return -1;
}

/* Map a new arena and return its object, its pools all free; NULL on failure.
 * Out of line (noinline): it runs once per MiB, and inlined into its caller it
 * would make every new pool save and restore registers it never uses. */
static __attribute__((noinline)) arena_object *new_arena(void)
{
    /* TODO (§4): Take an unused arena object (growing the vector if none), mmap 1 MiB, mark
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
    /* TODO (§4): Unlink ao from usable_arenas; if it was nfp2lasta[its count], the previous
     * arena takes its place when it has the same count, else NULL.
     */
}

/* Return an arena (already off usable_arenas) to the system. */
static void free_arena(arena_object *ao)
{
    (void)ao;
    /* TODO (§4): Unmark, munmap, put the object back on unused_arena_objects, update the
     * counters.
     */
}

/* ==================================================================== allocation */

/* Link pool at the front of the used list of its class. */
static void usedpool_push(pool_header *pool)
{
    (void)pool;
    /* TODO (§3): Link pool at the front of usedpools[pool->szidx] (open the old head's
     * header before you write to it).
     */
}

static void usedpool_unlink(pool_header *pool)
{
    (void)pool;
    /* TODO (§3): Unlink pool from the used list of its class (open the neighbours' headers).
     */
}

/* The pool's free list just ran dry: carve the next virgin block, or, when
 * there is none, the pool is full and leaves the used list. */
static void pool_extend(pool_header *pool, size_t size)
{
    (void)pool;
    (void)size;
    /* TODO (§3): Carve the next virgin block as the free list (its link is NULL), or, when
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
    /* TODO (§3): Handout §4: get the head of usable_arenas (map a new arena if there is
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
    /* TODO (§3): Pop the free list of the first used pool of class idx (then extend it if the
     * list ran dry), or get a block from a new pool.
     */
    return NULL;
}

static int is_small(size_t nbytes)
{
    (void)nbytes;
    /* TODO (§3): 1 for 1..512 bytes, 0 for 0 and above 512. */
    return 0;
}

void *pool_malloc(size_t nbytes)
{
    (void)nbytes;
    /* TODO (§3): Small requests: a pool block, announced to Valgrind with MEMPOOL_ALLOC of
     * nbytes after headers_close().  Others: malloc (count system blocks).
     */
    return NULL;
}

void *pool_calloc(size_t nelem, size_t elsize)
{
    (void)nelem;
    (void)elsize;
    /* TODO (§3): Check nelem * elsize for overflow; small totals: a zeroed pool block; others:
     * calloc (calloc(1, 1) for 0).
     */
    return NULL;
}

/* ==================================================================== free */

/* An empty pool goes to its arena's free pools; then the arena moves right
 * in usable_arenas (it has one more free pool), or is unmapped when it is
 * wholly free and another arena follows it (the last one is kept). */
static void insert_to_freepool(pool_header *pool)
{
    (void)pool;
    /* TODO (§5): Handout §5: unlink the empty pool, push it on its arena's freepools, then
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
    /* TODO (§5): Push bp on the pool's free list; a pool that was full goes back to the front
     * of its used list; a pool that became empty goes to insert_to_freepool.
     */
}

void pool_free(void *p)
{
    (void)p;
    /* TODO (§5): NULL: nothing.  Not ours: free.  Ours: MEMPOOL_FREE, then small_free on the
     * open header of its pool, then headers_close().
     */
}

/* ==================================================================== realloc */

void *pool_realloc(void *p, size_t nbytes)
{
    (void)p;
    (void)nbytes;
    /* TODO (§6): Handout §6: NULL -> malloc; not ours -> realloc; same pointer when nbytes <=
     * size and 4*nbytes > 3*size (tell Valgrind with MEMPOOL_CHANGE); else a new
     * block, copy min(nbytes, size) bytes, free the old one.
     */
    return NULL;
}

/* ==================================================================== statistics and the report */

void pool_get_stats(pool_stats *out)
{
    memset(out, 0, sizeof *out);
    /* TODO (§7): Counters from pools_heap; then walk every carved pool of every mapped arena
     * (open each header, close it after) for the per-class numbers.
     */
}

void pool_debug_stats(FILE *out)
{
    (void)out;
    /* TODO (§7): Print the report of memlab/pools.h, using pool_get_stats and pools_print_one.
     */
}

/* ==================================================================== installing the layer */

void pool_install(void)
{
    (void)pools_allocator;
    /* TODO (§1): Save the allocators of MEM and OBJ, install pools_allocator on both; do
     * nothing when already installed.
     */
}

void pool_uninstall(void)
{
    /* TODO (§1): Restore the saved allocators (if installed), free every wholly free arena,
     * and when no arena is left free the vector and the map, destroy the mempool
     * and reset pools_heap (all but raw_allocated_blocks).
     */
}
