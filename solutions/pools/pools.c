/*
 * pools.c -- a small-object allocator after CPython 3.11's pymalloc
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

/* ==================================================================== the address map */

/* The map entry of the ideal arena holding `address` (an arena's base, below
 * 2^48 as every user-space mapping is), its leaf made on first use; NULL when
 * the leaf cannot be allocated. */
static arena_coverage *map_entry(uintptr_t address)
{
    arena_coverage **leaf = &pools_heap.map_root[address >> (POOL_ARENA_BITS + MAP_LEAF_BITS)];
    if (*leaf == NULL) {
        *leaf = calloc(MAP_LEAF_LENGTH, sizeof(arena_coverage));
        pools_heap.map_leaves += *leaf != NULL;
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
    const arena_coverage *leaf = pools_heap.map_root[address >> (POOL_ARENA_BITS + MAP_LEAF_BITS)];
    if (leaf == NULL)
        return 0;
    const arena_coverage *c = &leaf[(address >> POOL_ARENA_BITS) & (MAP_LEAF_LENGTH - 1)];
    int32_t tail = (int32_t)(address & (POOL_ARENA_SIZE - 1));
    /* below the end of an arena that started in the ideal arena before, or at/after the start
     * of an arena that starts in this one */
    return tail < c->tail_lo || (tail >= c->tail_hi && c->tail_hi != 0);
}

/* ==================================================================== arenas */

/* Grow the vector of arena objects and thread the new ones onto the unused
 * list.  Only called when usable_arenas is empty, so no pointer into the old
 * vector survives the move (nfp2lasta is all NULL then too). */
static int grow_arena_objects(void)
{
    unsigned int count = pools_heap.maxarenas ? pools_heap.maxarenas * 2 : INITIAL_ARENA_OBJECTS;
    arena_object *vector = realloc(pools_heap.arenas, count * sizeof(arena_object));
    if (vector == NULL)
        return -1;
    pools_heap.arenas = vector;
    for (unsigned int i = pools_heap.maxarenas; i < count; i++) {
        vector[i].address = 0;
        vector[i].nextarena = i + 1 < count ? &vector[i + 1] : NULL;
    }
    pools_heap.unused_arena_objects = &vector[pools_heap.maxarenas];
    pools_heap.maxarenas = count;
    return 0;
}

/* Map a new arena and return its object, its pools all free; NULL on failure.
 * Out of line (noinline): it runs once per MiB, and inlined into its caller it
 * would make every new pool save and restore registers it never uses. */
static __attribute__((noinline)) arena_object *new_arena(void)
{
    if (pools_heap.unused_arena_objects == NULL && grow_arena_objects() < 0)
        return NULL;
    arena_object *ao = pools_heap.unused_arena_objects;
    void *base =
        mmap(NULL, POOL_ARENA_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return NULL;
    if (map_mark((uintptr_t)base, 1) < 0) {
        munmap(base, POOL_ARENA_SIZE);
        return NULL;
    }
    pools_heap.unused_arena_objects = ao->nextarena;
    if (!pools_heap.mempool_created) {
        VALGRIND_CREATE_MEMPOOL(&pools_heap, 0, 0);
        pools_heap.mempool_created = 1;
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

    pools_heap.narenas_currently_allocated++;
    pools_heap.ntimes_arena_allocated++;
    if (pools_heap.narenas_currently_allocated > pools_heap.narenas_highwater)
        pools_heap.narenas_highwater = pools_heap.narenas_currently_allocated;
    return ao;
}

/* Take ao off usable_arenas, keeping nfp2lasta right. */
static void usable_unlink(arena_object *ao)
{
    unsigned int nf = ao->nfreepools;
    if (pools_heap.nfp2lasta[nf] == ao) {
        arena_object *prev = ao->prevarena;
        pools_heap.nfp2lasta[nf] = (prev != NULL && prev->nfreepools == nf) ? prev : NULL;
    }
    if (ao->prevarena != NULL)
        ao->prevarena->nextarena = ao->nextarena;
    else
        pools_heap.usable_arenas = ao->nextarena;
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
    ao->nextarena = pools_heap.unused_arena_objects;
    pools_heap.unused_arena_objects = ao;
    pools_heap.narenas_currently_allocated--;
}

/* ==================================================================== allocation */

/* Link pool at the front of the used list of its class. */
static void usedpool_push(pool_header *pool)
{
    pool_header *head = pools_heap.usedpools[pool->szidx];
    pool->prevpool = NULL;
    pool->nextpool = head;
    if (head != NULL)
        header_open(head)->prevpool = pool;
    pools_heap.usedpools[pool->szidx] = pool;
}

static void usedpool_unlink(pool_header *pool)
{
    pool_header *next = pool->nextpool, *prev = pool->prevpool;
    if (prev != NULL)
        header_open(prev)->nextpool = next;
    else
        pools_heap.usedpools[pool->szidx] = next;
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
    if (pools_heap.usable_arenas == NULL) {
        pools_heap.usable_arenas = new_arena();
        if (pools_heap.usable_arenas == NULL)
            return NULL;
        pools_heap.nfp2lasta[pools_heap.usable_arenas->nfreepools] = pools_heap.usable_arenas;
    }
    arena_object *ao = pools_heap.usable_arenas;

    /* ao has the fewest free pools and is about to lose one: it stays first. */
    if (pools_heap.nfp2lasta[ao->nfreepools] == ao)
        pools_heap.nfp2lasta[ao->nfreepools] = NULL;
    if (ao->nfreepools > 1)
        pools_heap.nfp2lasta[ao->nfreepools - 1] = ao;

    pool_header *pool;
    if (ao->freepools != NULL) { /* an empty pool used before */
        pool = header_open(ao->freepools);
        ao->freepools = pool->nextpool;
    } else { /* carve a pool never used */
        pool = header_open((pool_header *)ao->pool_address);
        pool->arenaindex = (unsigned int)(ao - pools_heap.arenas);
        pool->szidx = DUMMY_SIZE_IDX;
        ao->pool_address += POOL_SIZE;
    }
    if (--ao->nfreepools == 0) { /* ao is full: it leaves the list */
        pools_heap.usable_arenas = ao->nextarena;
        if (pools_heap.usable_arenas != NULL)
            pools_heap.usable_arenas->prevarena = NULL;
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
    pool_header *pool = pools_heap.usedpools[idx];
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
            pools_heap.raw_allocated_blocks++;
        return p;
    }
    block *bp = small_alloc((unsigned int)POOL_SIZE_CLASS(nbytes));
    headers_close();
    if (bp != NULL)
        VALGRIND_MEMPOOL_ALLOC(&pools_heap, bp, nbytes);
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
            pools_heap.raw_allocated_blocks++;
        return p;
    }
    void *p = pool_malloc(nbytes);
    if (p != NULL)
        memset(p, 0, nbytes);
    return p;
}

/* ==================================================================== free */

/* An empty pool goes to its arena's free pools; then the arena moves right
 * in usable_arenas (it has one more free pool), or is unmapped when it is
 * wholly free and another arena follows it (the last one is kept). */
static void insert_to_freepool(pool_header *pool)
{
    usedpool_unlink(pool);
    arena_object *ao = &pools_heap.arenas[pool->arenaindex];
    pool->nextpool = ao->freepools;
    ao->freepools = pool;

    unsigned int nf = ao->nfreepools;
    arena_object *lastnf = pools_heap.nfp2lasta[nf]; /* last arena with the old count */
    if (lastnf == ao) {
        arena_object *prev = ao->prevarena;
        pools_heap.nfp2lasta[nf] = (prev != NULL && prev->nfreepools == nf) ? prev : NULL;
    }
    ao->nfreepools = ++nf;

    if (nf == ao->ntotalpools && ao->nextarena != NULL) {
        /* Wholly free and not the last: unmap it.  nfp2lasta no longer
         * names it (fixed above), so a plain unlink will do. */
        if (ao->prevarena != NULL)
            ao->prevarena->nextarena = ao->nextarena;
        else
            pools_heap.usable_arenas = ao->nextarena;
        ao->nextarena->prevarena = ao->prevarena;
        free_arena(ao);
        return;
    }
    if (nf == 1) { /* was full, so off the list: it is now the fullest usable arena */
        ao->nextarena = pools_heap.usable_arenas;
        ao->prevarena = NULL;
        if (pools_heap.usable_arenas != NULL)
            pools_heap.usable_arenas->prevarena = ao;
        pools_heap.usable_arenas = ao;
        if (pools_heap.nfp2lasta[1] == NULL)
            pools_heap.nfp2lasta[1] = ao;
        return;
    }
    if (pools_heap.nfp2lasta[nf] == NULL)
        pools_heap.nfp2lasta[nf] = ao;
    if (ao == lastnf) /* it was the last with nf-1, so it is still in order */
        return;
    /* Move ao right after lastnf: past every arena with nf-1 free pools. */
    if (ao->prevarena != NULL)
        ao->prevarena->nextarena = ao->nextarena;
    else
        pools_heap.usable_arenas = ao->nextarena;
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
        pools_heap.raw_allocated_blocks--;
        return;
    }
    VALGRIND_MEMPOOL_FREE(&pools_heap, p);
    small_free(header_open(POOL_ADDR(p)), p);
    headers_close();
}

/* ==================================================================== realloc */

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
        VALGRIND_MEMPOOL_CHANGE(&pools_heap, p, p, nbytes);
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
    VALGRIND_MEMPOOL_FREE(&pools_heap, p);
    small_free(header_open(POOL_ADDR(p)), p);
    headers_close();
    return q;
}

/* ==================================================================== statistics and the report */

void pool_get_stats(pool_stats *out)
{
    memset(out, 0, sizeof *out);
    out->arenas_allocated = pools_heap.ntimes_arena_allocated;
    out->arenas_reclaimed =
        pools_heap.ntimes_arena_allocated - pools_heap.narenas_currently_allocated;
    out->arenas_highwater = pools_heap.narenas_highwater;
    out->arenas_current = pools_heap.narenas_currently_allocated;
    out->system_blocks = pools_heap.raw_allocated_blocks;
    for (unsigned int i = 0; i < pools_heap.maxarenas; i++) {
        const arena_object *ao = &pools_heap.arenas[i];
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
    for (unsigned int i = 0; i < pools_heap.maxarenas; i++)
        if (pools_heap.arenas[i].address & (POOL_SIZE - 1))
            aligned_loss += POOL_SIZE;
    char label[64];
    fputc('\n', out);
    pools_print_one(out, "# arenas allocated total", st.arenas_allocated);
    pools_print_one(out, "# arenas reclaimed", st.arenas_reclaimed);
    pools_print_one(out, "# arenas highwater mark", st.arenas_highwater);
    pools_print_one(out, "# arenas allocated current", st.arenas_current);
    snprintf(label, sizeof label, "%zu arenas * %zu bytes/arena", st.arenas_current,
             POOL_ARENA_SIZE);
    pools_print_one(out, label, st.arenas_current * POOL_ARENA_SIZE);
    fputc('\n', out);
    pools_print_one(out, "# bytes in allocated blocks", allocated);
    pools_print_one(out, "# bytes in available blocks", available);
    snprintf(label, sizeof label, "%zu unused pools * %zu bytes", st.free_pools, POOL_SIZE);
    pools_print_one(out, label, st.free_pools * POOL_SIZE);
    pools_print_one(out, "# bytes lost to pool headers", pools * POOL_OVERHEAD);
    pools_print_one(out, "# bytes lost to quantization", quantization);
    pools_print_one(out, "# bytes lost to arena alignment", aligned_loss);
    pools_print_one(out, "Total",
                    allocated + available + st.free_pools * POOL_SIZE + pools * POOL_OVERHEAD +
                        quantization + aligned_loss);
    fputs("\narena map counts\n", out);
    pools_print_one(out, "# arena map bot nodes", pools_heap.map_leaves);
    fputc('\n', out);
    size_t root_bytes = sizeof pools_heap.map_root;
    size_t leaf_bytes = pools_heap.map_leaves * MAP_LEAF_LENGTH * sizeof(arena_coverage);
    pools_print_one(out, "# bytes lost to arena map root", root_bytes);
    pools_print_one(out, "# bytes lost to arena map bot", leaf_bytes);
    pools_print_one(out, "Total", root_bytes + leaf_bytes);
}

/* ==================================================================== installing the layer */

void pool_install(void)
{
    if (pools_is_installed())
        return;
    mem_get_allocator(MEM_DOMAIN_MEM, &pools_heap.saved[0]);
    mem_get_allocator(MEM_DOMAIN_OBJ, &pools_heap.saved[1]);
    mem_set_allocator(MEM_DOMAIN_MEM, &pools_allocator);
    mem_set_allocator(MEM_DOMAIN_OBJ, &pools_allocator);
}

void pool_uninstall(void)
{
    if (pools_is_installed()) {
        mem_set_allocator(MEM_DOMAIN_MEM, &pools_heap.saved[0]);
        mem_set_allocator(MEM_DOMAIN_OBJ, &pools_heap.saved[1]);
    }
    for (unsigned int i = 0; i < pools_heap.maxarenas; i++) {
        arena_object *ao = &pools_heap.arenas[i];
        if (ao->address != 0 && ao->nfreepools == ao->ntotalpools) {
            usable_unlink(ao);
            free_arena(ao);
        }
    }
    if (pools_heap.narenas_currently_allocated > 0)
        return; /* live blocks remain: keep their arenas and the bookkeeping */
    free(pools_heap.arenas);
    pools_map_free_leaves();
    if (pools_heap.mempool_created)
        VALGRIND_DESTROY_MEMPOOL(&pools_heap);
    size_t raw = pools_heap.raw_allocated_blocks;
    memset(&pools_heap, 0, sizeof pools_heap);
    pools_heap.raw_allocated_blocks = raw;
}
