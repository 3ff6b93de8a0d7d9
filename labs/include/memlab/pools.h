/*
 * memlab/pools.h -- the pools layer: a small-object allocator that mirrors
 * CPython 3.11's pymalloc (Objects/obmalloc.c), for requests of 1..512 bytes.
 * Student file: labs/pools/pools.c.  Handout: labs/pools/README.md.
 *
 * Picture (64-bit, the constants below):
 *
 *   arena: 1 MiB from mmap, cut into 16 KiB pools (64 if the mapping happens
 *          to be 16 KiB-aligned, else 63: the partial pools at both ends are
 *          lost to alignment)
 *
 *     +--------+--------+--------+-- ... --+--------+
 *     | pool 0 | pool 1 | pool 2 |         | pool n |
 *     +--------+--------+--------+-- ... --+--------+
 *
 *   pool:  a 48-byte header, then blocks of ONE size class
 *
 *     +--------+-------+-------+-------+-------+------------+-------+
 *     | header | block | block | block | block |  (virgin)  | waste |
 *     +--------+-------+-------+-------+-------+------------+-------+
 *
 *   size class i holds blocks of (i + 1) * 16 bytes: 16, 32, ..., 512.
 *
 * Every block is 16-byte aligned.  Requests of 0 bytes or more than 512 bytes
 * go to the system allocator (malloc), as CPython sends them to
 * PyMem_RawMalloc; pool_free and pool_realloc tell the two kinds apart with
 * pool_address_in_range(), in constant time.
 *
 * Ownership: a block returned by pool_malloc/pool_calloc/pool_realloc belongs
 * to the caller until it passes it to pool_free or pool_realloc.  The layer is
 * single-threaded, like the rest of the runtime.
 */
#ifndef MEMLAB_POOLS_H
#define MEMLAB_POOLS_H

#include <stddef.h>
#include <stdio.h>

/* ------------------------------------------------------------ constants (CPython 3.11, 64-bit) */

#define POOL_ALIGNMENT               16 /* every block address is a multiple of this */
#define POOL_ALIGNMENT_SHIFT         4
#define POOL_SMALL_REQUEST_THRESHOLD 512 /* larger requests go to malloc */
#define POOL_NB_SMALL_SIZE_CLASSES   (POOL_SMALL_REQUEST_THRESHOLD / POOL_ALIGNMENT) /* 32 */
#define POOL_ARENA_BITS              20
#define POOL_ARENA_SIZE              ((size_t)1 << POOL_ARENA_BITS) /* 1 MiB */
#define POOL_BITS                    14
#define POOL_SIZE                    ((size_t)1 << POOL_BITS)      /* 16 KiB */
#define POOL_MAX_POOLS_IN_ARENA      (POOL_ARENA_SIZE / POOL_SIZE) /* 64 */
#define POOL_OVERHEAD                48 /* sizeof(pool header) rounded up to 16 */

/* Size class of a small request (1..512) and block size of a class. */
#define POOL_SIZE_CLASS(nbytes) (((nbytes)-1) >> POOL_ALIGNMENT_SHIFT)
#define POOL_CLASS_SIZE(idx)    (((size_t)(idx) + 1) << POOL_ALIGNMENT_SHIFT)
/* Blocks in one pool of class idx: (16384 - 48) / size (1021 for 16 B, 31 for 512 B). */
#define POOL_NUMBLOCKS(idx) ((POOL_SIZE - POOL_OVERHEAD) / POOL_CLASS_SIZE(idx))

/* ------------------------------------------------------------ installing the layer */

/* Put the pools allocator on MEM_DOMAIN_MEM and MEM_DOMAIN_OBJ (through
 * mem_set_allocator), remembering what was there.  ml_runtime_init() calls it
 * when MEMLAB_MALLOC=pymalloc.  Calling it twice does nothing more. */
void pool_install(void);

/* Undo pool_install (restore the remembered allocators; nothing if not
 * installed), then return to the system every arena in which no block is in
 * use, and the layer's own bookkeeping when no arena is left.  Arenas that
 * still hold live blocks stay mapped: those blocks stay valid, and a block the
 * program lost is still reported by Valgrind as a leak.  After it, with no
 * live block, the layer is as at program start (counters included). */
void pool_uninstall(void);

/* ------------------------------------------------------------ allocation */

/* A block of at least nbytes bytes, 16-byte aligned, contents undefined.
 * 1..512 bytes: a pool block of class (nbytes-1)/16, taken from the most
 * recently used pool of that class that has room (a freed block is reused
 * first, last freed first out; else the next never-used block is carved).
 * A new pool is taken from the usable arena with the fewest free pools; a
 * new arena is mapped only when no arena has a free pool.
 * 0 or > 512 bytes: malloc(nbytes ? nbytes : 1).
 * Returns NULL when memory is exhausted. */
void *pool_malloc(size_t nbytes);

/* nelem * elsize zeroed bytes, as pool_malloc.  NULL (and nothing allocated)
 * when nelem * elsize overflows size_t.  calloc(0, x) gives a unique
 * system block, like pool_malloc(0). */
void *pool_calloc(size_t nelem, size_t elsize);

/* Resize the block at p (from this layer) to nbytes.
 *   p == NULL                      -> pool_malloc(nbytes)
 *   p is not a pool block          -> realloc(p, nbytes ? nbytes : 1)
 *   p in a pool of block size s:
 *     nbytes <= s and 4*nbytes > 3*s -> p itself (no copy: growing within the
 *                                       block or shrinking by less than 25%)
 *     otherwise                      -> a new block from pool_malloc(nbytes),
 *                                       min(nbytes, s) bytes copied, p freed
 * pool_realloc(p, 0) returns a non-NULL block.  On failure returns NULL and p
 * is still valid. */
void *pool_realloc(void *p, size_t nbytes);

/* Release a block.  NULL: nothing.  A pool block goes to the front of its
 * pool's free list; a pool that was full goes back to the front of its class's
 * used list; a pool that becomes empty goes to its arena's free pools; an
 * arena whose pools are all free is unmapped unless it is the last usable
 * arena (one empty arena is kept, bpo-37257).  Any other pointer: free(p). */
void pool_free(void *p);

/* 1 if p points into an arena this layer currently has mapped (any byte of
 * it, header or block), else 0.  Constant time; never reads memory at p, so
 * it is safe on any pointer, including system blocks and NULL. */
int pool_address_in_range(const void *p);

/* ------------------------------------------------------------ inspection */

typedef struct pool_stats {
    size_t arenas_allocated; /* arenas mapped since start           (# arenas allocated total) */
    size_t arenas_reclaimed; /* arenas unmapped since start         (# arenas reclaimed) */
    size_t arenas_highwater; /* most arenas mapped at once          (# arenas highwater mark) */
    size_t arenas_current;   /* arenas mapped now                   (# arenas allocated current) */
    size_t usable_arenas;    /* mapped arenas with at least one free pool */
    size_t free_pools;       /* empty pools (cached or never carved) in mapped arenas */
    size_t pools_in_use[POOL_NB_SMALL_SIZE_CLASSES];  /* pools with >= 1 block in use, per class */
    size_t full_pools[POOL_NB_SMALL_SIZE_CLASSES];    /* of those, pools with no block left */
    size_t blocks_in_use[POOL_NB_SMALL_SIZE_CLASSES]; /* live blocks per class */
    size_t blocks_available[POOL_NB_SMALL_SIZE_CLASSES]; /* free + virgin blocks in used pools */
    size_t bytes_in_blocks; /* sum over classes of blocks_in_use * block size */
    size_t system_blocks;   /* live blocks this layer passed to malloc (0 or > 512 bytes) */
} pool_stats;

/* Fill *out from the current state (walks every arena: O(arenas * 64)). */
void pool_get_stats(pool_stats *out);

/* The sys._debugmallocstats() report, CPython 3.11's exact layout:
 *
 *   Small block threshold = 512, in 32 size classes.
 *   <blank>
 *   class   size   num pools   blocks in use  avail blocks
 *   -----   ----   ---------   -------------  ------------
 *   one row "%5u %6u %11zu %15zu %13zu" per class that has pools in use
 *   <blank>
 *   then "label = value" lines: label left-justified in 35 columns, '=',
 *   value with thousands commas right-justified in 21 columns:
 *     # arenas allocated total / # arenas reclaimed / # arenas highwater mark /
 *     # arenas allocated current / "N arenas * 1048576 bytes/arena"
 *     <blank>
 *     # bytes in allocated blocks / # bytes in available blocks /
 *     "N unused pools * 16384 bytes" / # bytes lost to pool headers /
 *     # bytes lost to quantization / # bytes lost to arena alignment / Total
 *     <blank>
 *     arena map counts
 *     # arena map bot nodes
 *     <blank>
 *     # bytes lost to arena map root / # bytes lost to arena map bot / Total
 *
 * (the address map has a root and leaves, not CPython's three levels, so the
 * "mid" lines are absent; there are no object free lists in this layer). */
void pool_debug_stats(FILE *out);

/* Walk every arena, pool and block list and verify every invariant of the
 * data structure (listed in the handout, section "Invariants", and in the
 * header comment of pools.c).  Returns 0 when all hold.  Otherwise prints one
 * line per broken invariant on ml_debug_stream(), each naming the source line
 * of the check and the faulty thing, e.g.
 *   labs/pools/pools.c:412: pool_check_heap: pool 0x7f..4000 (class 3) is on
 *   the used list but has no free block
 * and returns -1.  Reads only memory this layer owns (never user data). */
int pool_check_heap(void);

#endif /* MEMLAB_POOLS_H */
