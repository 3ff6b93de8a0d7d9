/*
 * hidden/pools_hidden.h -- helpers shared by the hidden pools tests: every
 * mapped arena filled with 512-byte blocks.
 */
#ifndef POOLS_HIDDEN_H
#define POOLS_HIDDEN_H

#include "../fake_mmap.h"
#include "../pools_test.h"

#define PER_POOL POOL_NUMBLOCKS(31) /* 31 blocks of 512 bytes fill a pool */

/* Blocks of 512 bytes until every pool of every mapped arena is full.
 * Each round asks for exactly the blocks the mapped arenas still hold (the
 * 512-byte pools' free blocks and the free pools' worth), else for one,
 * which must map the next arena: a walk of the heap per arena, not per
 * block (under memcheck, one per block took most of a grade). */
static inline void fill_arenas(bag *b, size_t arenas)
{
    for (;;) {
        pool_stats s = stats_now();
        ck_assert_msg(s.arenas_current <= arenas, "more arenas than needed were mapped");
        if (s.arenas_current == arenas && s.free_pools == 0 &&
            s.full_pools[31] == s.pools_in_use[31])
            return;
        size_t room = s.blocks_available[31] + s.free_pools * PER_POOL;
        bag_alloc(b, room > 0 ? room : 1, 512);
    }
}

#endif /* POOLS_HIDDEN_H */
