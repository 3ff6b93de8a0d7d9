/*
 * pools_given.c -- the given part of the pools lab: the allocator's state,
 * the report's number format, the address map's teardown, the allocator
 * hooks and the heap checker (handout §7, §8).  Declarations and the data
 * structures in memlab/internal/pools.h; your part is labs/pools/pools.c.
 *
 * The grader builds this file from the kit and links it beside your pools.c:
 * the checker that graded tests call is this one, whatever a submission
 * holds, and a function of this file defined again in pools.c is a link
 * error ("multiple definition").
 */
#include "memlab/internal/pools.h"
#include "memlab/runtime.h"

#include <stdarg.h>
#include <stdlib.h>

struct pools_heap pools_heap;

#ifndef NVALGRIND
pool_header *pools_open_headers[MAX_OPEN_HEADERS];
unsigned int pools_n_open_headers;
#endif

/* ------------------------------------------------------------ the report and the map */

void pools_print_one(FILE *out, const char *label, size_t value)
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

void pools_map_free_leaves(void)
{
    for (size_t i = 0; i < MAP_ROOT_LENGTH; i++) {
        free(pools_heap.map_root[i]);
        pools_heap.map_root[i] = NULL;
    }
    pools_heap.map_leaves = 0;
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
    for (unsigned int i = 0; i < pools_heap.maxarenas; i++) {
        const arena_object *ao = &pools_heap.arenas[i];
        if (ao->address != 0 && (const block *)p >= first_pool(ao) &&
            (const block *)p < ao->pool_address)
            return (long)i * POOL_MAX_POOLS_IN_ARENA +
                   ((const block *)p - first_pool(ao)) / POOL_SIZE;
    }
    return -1;
}

/* I1 */
static void check_arena_counters(void)
{
    size_t mapped = 0;
    for (unsigned int i = 0; i < pools_heap.maxarenas; i++) {
        uintptr_t base = pools_heap.arenas[i].address;
        if (base == 0)
            continue;
        mapped++;
        if (!pool_address_in_range((void *)base) ||
            !pool_address_in_range((void *)(base + POOL_ARENA_SIZE - 1)))
            HEAP_ERROR("arena %u at %p is not (wholly) marked in the address map", i, (void *)base);
    }
    if (mapped != pools_heap.narenas_currently_allocated)
        HEAP_ERROR("%zu arenas are mapped but the counter says %zu", mapped,
                   pools_heap.narenas_currently_allocated);
    if (pools_heap.narenas_highwater < mapped ||
        pools_heap.ntimes_arena_allocated < pools_heap.narenas_highwater)
        HEAP_ERROR("arena counters disagree: total %zu, highwater %zu, current %zu",
                   pools_heap.ntimes_arena_allocated, pools_heap.narenas_highwater, mapped);
}

/* I2 */
static void check_usable_arenas(void)
{
    arena_object *last_with[NFP2LASTA_SIZE] = {0};
    size_t on_list = 0, should_be = 0;
    arena_object *prev = NULL;
    for (arena_object *ao = pools_heap.usable_arenas; ao != NULL; prev = ao, ao = ao->nextarena) {
        if (ao < pools_heap.arenas || ao >= pools_heap.arenas + pools_heap.maxarenas ||
            on_list > pools_heap.maxarenas) {
            HEAP_ERROR("usable_arenas leads to %p, not an arena object (or loops)", (void *)ao);
            return;
        }
        on_list++;
        unsigned int i = (unsigned int)(ao - pools_heap.arenas);
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
                       i, ao->nfreepools, (unsigned int)(prev - pools_heap.arenas),
                       prev->nfreepools);
    }
    for (unsigned int i = 0; i < pools_heap.maxarenas; i++)
        should_be += pools_heap.arenas[i].address != 0 && pools_heap.arenas[i].nfreepools > 0;
    if (on_list != should_be)
        HEAP_ERROR("usable_arenas holds %zu arenas, but %zu mapped arenas have a free pool",
                   on_list, should_be);
    for (unsigned int n = 0; n < NFP2LASTA_SIZE; n++)
        if (pools_heap.nfp2lasta[n] != last_with[n])
            HEAP_ERROR("nfp2lasta[%u] is %p, but the last usable arena with %u free pools is %p", n,
                       (void *)pools_heap.nfp2lasta[n], n, (void *)last_with[n]);
}

/* I4: the free list and counts of one pool of class c. */
static void check_pool_blocks(pool_header *pool, unsigned int c)
{
    size_t size = POOL_CLASS_SIZE(c);
    if (pool->maxnextoffset != POOL_SIZE - size || pool->nextoffset < POOL_OVERHEAD + size ||
        pool->nextoffset > POOL_SIZE || (pool->nextoffset - POOL_OVERHEAD) % size != 0) {
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
        HEAP_ERROR("pool %p (class %u): %zu blocks in use + %zu free != %zu carved", (void *)pool,
                   c, (size_t)pool->count, length, carved);
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
    arena_object *ao = &pools_heap.arenas[i];
    block *first = first_pool(ao);
    unsigned int expected =
        ao->address == (uintptr_t)first ? POOL_MAX_POOLS_IN_ARENA : POOL_MAX_POOLS_IN_ARENA - 1;
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
        for (pool_header *p = pools_heap.usedpools[c]; p != NULL;) {
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
    size_t npools = (size_t)pools_heap.maxarenas * POOL_MAX_POOLS_IN_ARENA;
    unsigned char *where = calloc(npools ? npools : 1, 1);
    if (where == NULL) {
        HEAP_ERROR("out of memory for the checker's table");
        return -1;
    }
    if (check_used_lists(where) == 0) {
        for (unsigned int i = 0; i < pools_heap.maxarenas; i++)
            if (pools_heap.arenas[i].address != 0)
                check_arena(i, where);
    }
    free(where);
    return heap_errors ? -1 : 0;
}

/* ------------------------------------------------------------ the allocator hooks */

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

const mem_allocator pools_allocator = {NULL, hook_malloc, hook_calloc, hook_realloc, hook_free};

int pools_is_installed(void)
{
    mem_allocator current;
    mem_get_allocator(MEM_DOMAIN_MEM, &current);
    return current.malloc == hook_malloc;
}
