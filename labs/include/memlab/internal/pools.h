/*
 * memlab/internal/pools.h -- what the pools lab gives: the allocator's data
 * structures and state, the Valgrind helpers of its hot paths, and the
 * declarations of labs/pools/given/pools_given.c (the report's number
 * format, the address map's teardown, the allocator hooks and the heap
 * checker).  Included by labs/pools/pools.c and by the given file; the
 * picture and the invariants are in labs/pools/pools.c's header comment, the
 * handout is labs/pools/README.md.
 *
 * Given code lives here and in labs/pools/given/, once: the grader compiles
 * and links the kit's copy, never a submission's, so the heap checker that
 * graded tests trust is not the student's to edit.
 */
#ifndef MEMLAB_INTERNAL_POOLS_H
#define MEMLAB_INTERNAL_POOLS_H

#include "memlab/mem.h"
#include "memlab/pools.h"

#include <stdint.h>
#include <stdio.h>
#include <valgrind/memcheck.h>

typedef uint8_t block;

/* ------------------------------------------------------------ data structures */

#define DUMMY_SIZE_IDX        0xffff /* szidx of a pool never used for any class */
#define NFP2LASTA_SIZE        (POOL_MAX_POOLS_IN_ARENA + 1)
#define INITIAL_ARENA_OBJECTS 16

typedef struct pool_header {
    size_t count;     /* blocks in use */
    block *freeblock; /* head of the free list, NULL when full */
    struct pool_header *nextpool;
    struct pool_header *prevpool;
    unsigned int arenaindex;    /* index of the arena in arenas[] */
    unsigned int szidx;         /* size class, DUMMY_SIZE_IDX before first use */
    unsigned int nextoffset;    /* offset of the next virgin block */
    unsigned int maxnextoffset; /* largest valid nextoffset */
} pool_header;

_Static_assert(sizeof(pool_header) == POOL_OVERHEAD, "the pool header is 48 bytes");

typedef struct arena_object {
    uintptr_t address;   /* base of the mapping, 0 = no arena */
    block *pool_address; /* next pool to carve */
    unsigned int nfreepools;
    unsigned int ntotalpools;
    pool_header *freepools; /* empty carved pools, linked by nextpool */
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
#define MAP_LEAF_BITS    14
#define MAP_ROOT_BITS    (MAP_ADDRESS_BITS - POOL_ARENA_BITS - MAP_LEAF_BITS)
#define MAP_LEAF_LENGTH  ((size_t)1 << MAP_LEAF_BITS)
#define MAP_ROOT_LENGTH  ((size_t)1 << MAP_ROOT_BITS)

typedef struct arena_coverage {
    int32_t tail_hi; /* an arena starts at this offset of the ideal arena (-1: at 0) */
    int32_t tail_lo; /* an arena ends at this offset of the ideal arena */
} arena_coverage;

struct pools_heap {
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
};

/* The allocator's whole state (defined in labs/pools/given/pools_given.c). */
extern struct pools_heap pools_heap;

#define POOL_ADDR(p) ((pool_header *)((uintptr_t)(p) & ~(uintptr_t)(POOL_SIZE - 1)))

/* ------------------------------------------------------------ Valgrind annotations */

/* Headers opened during the current call; closed (NOACCESS) before returning. */
#define MAX_OPEN_HEADERS 16
#ifndef NVALGRIND
extern pool_header *pools_open_headers[MAX_OPEN_HEADERS];
extern unsigned int pools_n_open_headers;
#endif

/* Make a pool header readable for the allocator until headers_close(). */
static inline pool_header *header_open(pool_header *pool)
{
#ifndef NVALGRIND
    VALGRIND_MAKE_MEM_DEFINED(pool, sizeof *pool);
    if (pools_n_open_headers < MAX_OPEN_HEADERS) /* never more than 4 are open at once */
        pools_open_headers[pools_n_open_headers++] = pool;
#endif
    return pool;
}

static inline void headers_close(void)
{
#ifndef NVALGRIND
    for (unsigned int i = 0; i < pools_n_open_headers; i++)
        VALGRIND_MAKE_MEM_NOACCESS(pools_open_headers[i], sizeof(pool_header));
    pools_n_open_headers = 0;
#endif
}

/* The free-list link lives in the first word of a free block, NOACCESS to
 * the program; the allocator opens it for the one read or write. */
static inline block *next_free(block *bp)
{
    VALGRIND_MAKE_MEM_DEFINED(bp, sizeof(block *));
    block *next = *(block **)bp;
    VALGRIND_MAKE_MEM_NOACCESS(bp, sizeof(block *));
    return next;
}

static inline void set_next_free(block *bp, block *next)
{
    VALGRIND_MAKE_MEM_UNDEFINED(bp, sizeof(block *));
    *(block **)bp = next;
    VALGRIND_MAKE_MEM_NOACCESS(bp, sizeof(block *));
}

/* ------------------------------------------------------------ statistics and the report */

/* The first whole pool of an arena: its base rounded up to a pool boundary. */
static inline block *first_pool(const arena_object *ao)
{
    return (block *)((ao->address + POOL_SIZE - 1) & ~(uintptr_t)(POOL_SIZE - 1));
}

/* "label = value": label in 35 columns, value with thousands commas in 21. */
void pools_print_one(FILE *out, const char *label, size_t value);

/* Free every leaf of the address map (pool_uninstall, once no arena is left). */
void pools_map_free_leaves(void);

/* ------------------------------------------------------------ installing the layer */

/* The MEM/OBJ allocator whose hooks call pool_malloc, pool_calloc, pool_realloc
 * and pool_free (what pool_install puts on both domains). */
extern const mem_allocator pools_allocator;

/* 1 when pools_allocator's hooks are on the MEM domain now (the runtime may
 * have reset the allocators behind our back). */
int pools_is_installed(void);

#endif
