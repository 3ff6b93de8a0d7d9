/*
 * pools.c -- a small-object allocator after CPython 3.11's pymalloc
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
    arena_coverage **leaf = &heap.map_root[address >> (POOL_ARENA_BITS + MAP_LEAF_BITS)];
    if (*leaf == NULL) {
        *leaf = calloc(MAP_LEAF_LENGTH, sizeof(arena_coverage));
        heap.map_leaves += *leaf != NULL;
    }
    return *leaf ? &(*leaf)[(address >> POOL_ARENA_BITS) & (MAP_LEAF_LENGTH - 1)] : NULL;
}

/* Record (or forget) the arena at base.  Returns -1 if a leaf cannot be made. */
static int map_mark(uintptr_t base, int is_used)
{
    int32_t tail = (int32_t)(base & (POOL_ARENA_SIZE - 1));
    arena_coverage *low = map_entry(base), *high = map_entry(base + POOL_ARENA_SIZE);
    if (low == NULL || high == NULL)
        return -1;
    /* -1: the arena fills its ideal arena exactly, so nothing spills into the next */
    low->tail_hi = is_used ? (tail == 0 ? -1 : tail) : 0;
    if (tail != 0)
        high->tail_lo = is_used ? tail : 0;
    return 0;
}

int pool_address_in_range(const void *p)
{
    uintptr_t address = (uintptr_t)p;
    if (address >> MAP_ADDRESS_BITS)
        return 0;
    const arena_coverage *leaf = heap.map_root[address >> (POOL_ARENA_BITS + MAP_LEAF_BITS)];
    if (leaf == NULL)
        return 0;
    const arena_coverage *c = &leaf[(address >> POOL_ARENA_BITS) & (MAP_LEAF_LENGTH - 1)];
    int32_t tail = (int32_t)(address & (POOL_ARENA_SIZE - 1));
    /* below the end of an arena that started in the ideal arena before, or at/after the start
     * of an arena that starts in this one */
    return tail < c->tail_lo || (tail >= c->tail_hi && c->tail_hi != 0);
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
    unsigned int count = heap.maxarenas ? heap.maxarenas * 2 : INITIAL_ARENA_OBJECTS;
    arena_object *vector = realloc(heap.arenas, count * sizeof(arena_object));
    if (vector == NULL)
        return -1;
    heap.arenas = vector;
    for (unsigned int i = heap.maxarenas; i < count; i++) {
        vector[i].address = 0;
        vector[i].nextarena = i + 1 < count ? &vector[i + 1] : NULL;
    }
    heap.unused_arena_objects = &vector[heap.maxarenas];
    heap.maxarenas = count;
    return 0;
}

/* Map a new arena and return its object, its pools all free; NULL on failure.
 * Out of line (noinline): it runs once per MiB, and inlined into its caller it
 * would make every new pool save and restore registers it never uses. */
static __attribute__((noinline)) arena_object *new_arena(void)
{
    if (heap.unused_arena_objects == NULL && grow_arena_objects() < 0)
        return NULL;
    arena_object *ao = heap.unused_arena_objects;
    void *base = mmap(NULL, POOL_ARENA_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                      -1, 0);
    if (base == MAP_FAILED)
        return NULL;
    if (map_mark((uintptr_t)base, 1) < 0) {
        munmap(base, POOL_ARENA_SIZE);
        return NULL;
    }
    heap.unused_arena_objects = ao->nextarena;
    if (!heap.mempool_created) {
        VALGRIND_CREATE_MEMPOOL(&heap, 0, 0);
        heap.mempool_created = 1;
    }
    VALGRIND_MAKE_MEM_NOACCESS(base, POOL_ARENA_SIZE);

    ao->address = (uintptr_t)base;
    ao->freepools = NULL;
    ao->nextarena = ao->prevarena = NULL;
    ao->nfreepools = POOL_MAX_POOLS_IN_ARENA;
    ao->pool_address = (block *)base;
    uintptr_t excess = ao->address & (POOL_SIZE - 1);
    if (excess != 0) { /* the partial pools at both ends are lost */
        ao->nfreepools--;
        ao->pool_address += POOL_SIZE - excess;
    }
    ao->ntotalpools = ao->nfreepools;

    heap.narenas_currently_allocated++;
    heap.ntimes_arena_allocated++;
    if (heap.narenas_currently_allocated > heap.narenas_highwater)
        heap.narenas_highwater = heap.narenas_currently_allocated;
    return ao;
}

/* Take ao off usable_arenas, keeping nfp2lasta right. */
static void usable_unlink(arena_object *ao)
{
    unsigned int nf = ao->nfreepools;
    if (heap.nfp2lasta[nf] == ao) {
        arena_object *prev = ao->prevarena;
        heap.nfp2lasta[nf] = (prev != NULL && prev->nfreepools == nf) ? prev : NULL;
    }
    if (ao->prevarena != NULL)
        ao->prevarena->nextarena = ao->nextarena;
    else
        heap.usable_arenas = ao->nextarena;
    if (ao->nextarena != NULL)
        ao->nextarena->prevarena = ao->prevarena;
    ao->nextarena = ao->prevarena = NULL;
}

/* Return an arena (already off usable_arenas) to the system. */
static void free_arena(arena_object *ao)
{
    map_mark(ao->address, 0);
    munmap((void *)ao->address, POOL_ARENA_SIZE);
    ao->address = 0;
    ao->nextarena = heap.unused_arena_objects;
    heap.unused_arena_objects = ao;
    heap.narenas_currently_allocated--;
}

/* ------------------------------------------------------------ allocation */

/* Link pool at the front of the used list of its class. */
static void usedpool_push(pool_header *pool)
{
    pool_header *head = heap.usedpools[pool->szidx];
    pool->prevpool = NULL;
    pool->nextpool = head;
    if (head != NULL)
        header_open(head)->prevpool = pool;
    heap.usedpools[pool->szidx] = pool;
}

static void usedpool_unlink(pool_header *pool)
{
    pool_header *next = pool->nextpool, *prev = pool->prevpool;
    if (prev != NULL)
        header_open(prev)->nextpool = next;
    else
        heap.usedpools[pool->szidx] = next;
    if (next != NULL)
        header_open(next)->prevpool = prev;
}

/* The pool's free list just ran dry: carve the next virgin block, or, when
 * there is none, the pool is full and leaves the used list. */
static void pool_extend(pool_header *pool, size_t size)
{
    if (pool->nextoffset <= pool->maxnextoffset) {
        pool->freeblock = (block *)pool + pool->nextoffset;
        pool->nextoffset += (unsigned int)size;
        set_next_free(pool->freeblock, NULL);
        return;
    }
    usedpool_unlink(pool);
}

/* Take an empty pool from the fullest usable arena (mapping one if there is
 * none), put it on the used list of class idx, and return its first block.
 * Out of line (noinline): inlined into pool_malloc, it would make every call,
 * even the many that never get here, save and restore six registers. */
static __attribute__((noinline)) block *allocate_from_new_pool(unsigned int idx)
{
    if (heap.usable_arenas == NULL) {
        heap.usable_arenas = new_arena();
        if (heap.usable_arenas == NULL)
            return NULL;
        heap.nfp2lasta[heap.usable_arenas->nfreepools] = heap.usable_arenas;
    }
    arena_object *ao = heap.usable_arenas;

    /* ao has the fewest free pools and is about to lose one: it stays first. */
    if (heap.nfp2lasta[ao->nfreepools] == ao)
        heap.nfp2lasta[ao->nfreepools] = NULL;
    if (ao->nfreepools > 1)
        heap.nfp2lasta[ao->nfreepools - 1] = ao;

    pool_header *pool;
    if (ao->freepools != NULL) { /* an empty pool used before */
        pool = header_open(ao->freepools);
        ao->freepools = pool->nextpool;
    } else { /* carve a pool never used */
        pool = header_open((pool_header *)ao->pool_address);
        pool->arenaindex = (unsigned int)(ao - heap.arenas);
        pool->szidx = DUMMY_SIZE_IDX;
        ao->pool_address += POOL_SIZE;
    }
    if (--ao->nfreepools == 0) { /* ao is full: it leaves the list */
        heap.usable_arenas = ao->nextarena;
        if (heap.usable_arenas != NULL)
            heap.usable_arenas->prevarena = NULL;
        ao->nextarena = ao->prevarena = NULL;
    }

    pool->count = 1;
    if (pool->szidx == idx) { /* same class as last time: its free list is intact */
        usedpool_push(pool);
        block *bp = pool->freeblock; /* all its >= 31 blocks are free: one stays after this */
        pool->freeblock = next_free(bp);
        return bp;
    }
    /* Fresh layout: hand out block 0, block 1 becomes the free list, the rest
     * stays virgin (touch memory only when needed). */
    size_t size = POOL_CLASS_SIZE(idx);
    pool->szidx = idx;
    usedpool_push(pool);
    block *bp = (block *)pool + POOL_OVERHEAD;
    pool->nextoffset = (unsigned int)(POOL_OVERHEAD + 2 * size);
    pool->maxnextoffset = (unsigned int)(POOL_SIZE - size);
    pool->freeblock = bp + size;
    set_next_free(pool->freeblock, NULL);
    return bp;
}

/* A block of class idx, or NULL when no arena can be mapped. */
static block *small_alloc(unsigned int idx)
{
    pool_header *pool = heap.usedpools[idx];
    if (pool == NULL)
        return allocate_from_new_pool(idx);
    header_open(pool);
    pool->count++;
    block *bp = pool->freeblock;
    pool->freeblock = next_free(bp);
    if (pool->freeblock == NULL)
        pool_extend(pool, POOL_CLASS_SIZE(idx));
    return bp;
}

static int is_small(size_t nbytes) { return nbytes - 1 < POOL_SMALL_REQUEST_THRESHOLD; }

void *pool_malloc(size_t nbytes)
{
    if (!is_small(nbytes)) { /* 0 or > 512: the system's */
        void *p = malloc(nbytes ? nbytes : 1);
        if (p != NULL)
            heap.raw_allocated_blocks++;
        return p;
    }
    block *bp = small_alloc((unsigned int)POOL_SIZE_CLASS(nbytes));
    headers_close();
    if (bp != NULL)
        VALGRIND_MEMPOOL_ALLOC(&heap, bp, nbytes);
    return bp;
}

void *pool_calloc(size_t nelem, size_t elsize)
{
    if (elsize != 0 && nelem > SIZE_MAX / elsize)
        return NULL;
    size_t nbytes = nelem * elsize;
    if (!is_small(nbytes)) {
        void *p = nbytes ? calloc(nelem, elsize) : calloc(1, 1);
        if (p != NULL)
            heap.raw_allocated_blocks++;
        return p;
    }
    void *p = pool_malloc(nbytes);
    if (p != NULL)
        memset(p, 0, nbytes);
    return p;
}

/* ------------------------------------------------------------ free */

/* An empty pool goes to its arena's free pools; then the arena moves right
 * in usable_arenas (it has one more free pool), or is unmapped when it is
 * wholly free and another arena follows it (the last one is kept). */
static void insert_to_freepool(pool_header *pool)
{
    usedpool_unlink(pool);
    arena_object *ao = &heap.arenas[pool->arenaindex];
    pool->nextpool = ao->freepools;
    ao->freepools = pool;

    unsigned int nf = ao->nfreepools;
    arena_object *lastnf = heap.nfp2lasta[nf]; /* last arena with the old count */
    if (lastnf == ao) {
        arena_object *prev = ao->prevarena;
        heap.nfp2lasta[nf] = (prev != NULL && prev->nfreepools == nf) ? prev : NULL;
    }
    ao->nfreepools = ++nf;

    if (nf == ao->ntotalpools && ao->nextarena != NULL) {
        /* Wholly free and not the last: unmap it.  nfp2lasta no longer
         * names it (fixed above), so a plain unlink will do. */
        if (ao->prevarena != NULL)
            ao->prevarena->nextarena = ao->nextarena;
        else
            heap.usable_arenas = ao->nextarena;
        ao->nextarena->prevarena = ao->prevarena;
        free_arena(ao);
        return;
    }
    if (nf == 1) { /* was full, so off the list: it is now the fullest usable arena */
        ao->nextarena = heap.usable_arenas;
        ao->prevarena = NULL;
        if (heap.usable_arenas != NULL)
            heap.usable_arenas->prevarena = ao;
        heap.usable_arenas = ao;
        if (heap.nfp2lasta[1] == NULL)
            heap.nfp2lasta[1] = ao;
        return;
    }
    if (heap.nfp2lasta[nf] == NULL)
        heap.nfp2lasta[nf] = ao;
    if (ao == lastnf) /* it was the last with nf-1, so it is still in order */
        return;
    /* Move ao right after lastnf: past every arena with nf-1 free pools. */
    if (ao->prevarena != NULL)
        ao->prevarena->nextarena = ao->nextarena;
    else
        heap.usable_arenas = ao->nextarena;
    ao->nextarena->prevarena = ao->prevarena;
    ao->prevarena = lastnf;
    ao->nextarena = lastnf->nextarena;
    if (ao->nextarena != NULL)
        ao->nextarena->prevarena = ao;
    lastnf->nextarena = ao;
}

/* Free a block of a pool (the pool's header is open). */
static void small_free(pool_header *pool, block *bp)
{
    block *lastfree = pool->freeblock;
    set_next_free(bp, lastfree);
    pool->freeblock = bp;
    pool->count--;
    if (lastfree == NULL) { /* it was full: back on the used list, in front */
        usedpool_push(pool);
        return;
    }
    if (pool->count == 0)
        insert_to_freepool(pool);
}

void pool_free(void *p)
{
    if (p == NULL)
        return;
    if (!pool_address_in_range(p)) {
        free(p);
        heap.raw_allocated_blocks--;
        return;
    }
    VALGRIND_MEMPOOL_FREE(&heap, p);
    small_free(header_open(POOL_ADDR(p)), p);
    headers_close();
}

/* ------------------------------------------------------------ realloc */

/* How many bytes of the block p (of class size `size`) may be read: under
 * memcheck only the ones its caller asked for (the rest of the class is
 * NOACCESS, see pool_malloc); natively, all of them.  memcheck answers
 * VALGRIND_GET_VBITS with 3 for a byte it does not let the program touch,
 * without reporting an error; without Valgrind the request returns 0. */
static size_t readable_bytes(const void *p, size_t size)
{
    const unsigned char *at = p;
    unsigned char vbits;
    size_t n = 0;
    for (; n < size; at++) {
        int rc = VALGRIND_GET_VBITS(at, &vbits, 1);
        if (rc == 0)
            return size;
        if (rc != 1)
            break;
        n++;
    }
    return n;
}

void *pool_realloc(void *p, size_t nbytes)
{
    if (p == NULL)
        return pool_malloc(nbytes);
    if (!pool_address_in_range(p))
        return realloc(p, nbytes ? nbytes : 1);

    size_t size = POOL_CLASS_SIZE(header_open(POOL_ADDR(p))->szidx);
    headers_close();
    if (nbytes <= size && 4 * nbytes > 3 * size) {
        /* In place.  memcheck cannot tell which bytes were written before, so
         * the whole new extent counts as initialised. */
        VALGRIND_MEMPOOL_CHANGE(&heap, p, p, nbytes);
        VALGRIND_MAKE_MEM_DEFINED(p, nbytes);
        VALGRIND_MAKE_MEM_NOACCESS((block *)p + nbytes, size - nbytes);
        return p;
    }
    void *q = pool_malloc(nbytes);
    if (q == NULL)
        return NULL;
    size_t old = readable_bytes(p, size);
    memcpy(q, p, nbytes < old ? nbytes : old);
    /* pool_free(p) without its range test: p is known to be ours */
    VALGRIND_MEMPOOL_FREE(&heap, p);
    small_free(header_open(POOL_ADDR(p)), p);
    headers_close();
    return q;
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
    out->arenas_allocated = heap.ntimes_arena_allocated;
    out->arenas_reclaimed = heap.ntimes_arena_allocated - heap.narenas_currently_allocated;
    out->arenas_highwater = heap.narenas_highwater;
    out->arenas_current = heap.narenas_currently_allocated;
    out->system_blocks = heap.raw_allocated_blocks;
    for (unsigned int i = 0; i < heap.maxarenas; i++) {
        const arena_object *ao = &heap.arenas[i];
        if (ao->address == 0)
            continue;
        out->free_pools += ao->nfreepools;
        out->usable_arenas += ao->nfreepools > 0;
        for (block *p = first_pool(ao); p < ao->pool_address; p += POOL_SIZE) {
            const pool_header *pool = header_open((pool_header *)p);
            if (pool->count > 0) {
                unsigned int c = pool->szidx;
                out->pools_in_use[c]++;
                out->full_pools[c] += pool->freeblock == NULL;
                out->blocks_in_use[c] += pool->count;
                out->blocks_available[c] += POOL_NUMBLOCKS(c) - pool->count;
                out->bytes_in_blocks += pool->count * POOL_CLASS_SIZE(c);
            }
            headers_close();
        }
    }
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
    pool_stats st;
    pool_get_stats(&st);
    fprintf(out, "Small block threshold = %d, in %d size classes.\n\n",
            POOL_SMALL_REQUEST_THRESHOLD, POOL_NB_SMALL_SIZE_CLASSES);
    fputs("class   size   num pools   blocks in use  avail blocks\n"
          "-----   ----   ---------   -------------  ------------\n",
          out);
    size_t allocated = 0, available = 0, pools = 0, quantization = 0, aligned_loss = 0;
    for (unsigned int c = 0; c < POOL_NB_SMALL_SIZE_CLASSES; c++) {
        if (st.pools_in_use[c] == 0)
            continue;
        size_t size = POOL_CLASS_SIZE(c);
        fprintf(out, "%5u %6u %11zu %15zu %13zu\n", c, (unsigned int)size, st.pools_in_use[c],
                st.blocks_in_use[c], st.blocks_available[c]);
        allocated += st.blocks_in_use[c] * size;
        available += st.blocks_available[c] * size;
        pools += st.pools_in_use[c];
        quantization += st.pools_in_use[c] * ((POOL_SIZE - POOL_OVERHEAD) % size);
    }
    for (unsigned int i = 0; i < heap.maxarenas; i++)
        if (heap.arenas[i].address & (POOL_SIZE - 1))
            aligned_loss += POOL_SIZE;
    char label[64];
    fputc('\n', out);
    print_one(out, "# arenas allocated total", st.arenas_allocated);
    print_one(out, "# arenas reclaimed", st.arenas_reclaimed);
    print_one(out, "# arenas highwater mark", st.arenas_highwater);
    print_one(out, "# arenas allocated current", st.arenas_current);
    snprintf(label, sizeof label, "%zu arenas * %zu bytes/arena", st.arenas_current,
             POOL_ARENA_SIZE);
    print_one(out, label, st.arenas_current * POOL_ARENA_SIZE);
    fputc('\n', out);
    print_one(out, "# bytes in allocated blocks", allocated);
    print_one(out, "# bytes in available blocks", available);
    snprintf(label, sizeof label, "%zu unused pools * %zu bytes", st.free_pools, POOL_SIZE);
    print_one(out, label, st.free_pools * POOL_SIZE);
    print_one(out, "# bytes lost to pool headers", pools * POOL_OVERHEAD);
    print_one(out, "# bytes lost to quantization", quantization);
    print_one(out, "# bytes lost to arena alignment", aligned_loss);
    print_one(out, "Total", allocated + available + st.free_pools * POOL_SIZE +
                                pools * POOL_OVERHEAD + quantization + aligned_loss);
    fputs("\narena map counts\n", out);
    print_one(out, "# arena map bot nodes", heap.map_leaves);
    fputc('\n', out);
    size_t root_bytes = sizeof heap.map_root;
    size_t leaf_bytes = heap.map_leaves * MAP_LEAF_LENGTH * sizeof(arena_coverage);
    print_one(out, "# bytes lost to arena map root", root_bytes);
    print_one(out, "# bytes lost to arena map bot", leaf_bytes);
    print_one(out, "Total", root_bytes + leaf_bytes);
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
    if (is_installed())
        return;
    mem_get_allocator(MEM_DOMAIN_MEM, &heap.saved[0]);
    mem_get_allocator(MEM_DOMAIN_OBJ, &heap.saved[1]);
    mem_set_allocator(MEM_DOMAIN_MEM, &pools_allocator);
    mem_set_allocator(MEM_DOMAIN_OBJ, &pools_allocator);
}

void pool_uninstall(void)
{
    if (is_installed()) {
        mem_set_allocator(MEM_DOMAIN_MEM, &heap.saved[0]);
        mem_set_allocator(MEM_DOMAIN_OBJ, &heap.saved[1]);
    }
    for (unsigned int i = 0; i < heap.maxarenas; i++) {
        arena_object *ao = &heap.arenas[i];
        if (ao->address != 0 && ao->nfreepools == ao->ntotalpools) {
            usable_unlink(ao);
            free_arena(ao);
        }
    }
    if (heap.narenas_currently_allocated > 0)
        return; /* live blocks remain: keep their arenas and the bookkeeping */
    free(heap.arenas);
    map_free_leaves();
    if (heap.mempool_created)
        VALGRIND_DESTROY_MEMPOOL(&heap);
    size_t raw = heap.raw_allocated_blocks;
    memset(&heap, 0, sizeof heap);
    heap.raw_allocated_blocks = raw;
}
