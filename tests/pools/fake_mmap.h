/*
 * fake_mmap.h -- the tests' own mmap/munmap (fake_mmap.c), which the
 * allocator under test calls instead of the C library's: they count the
 * arenas mapped, can place a mapping at a chosen alignment (so that a test
 * knows whether an arena has 63 or 64 pools), and can fail on demand.
 */
#ifndef POOLS_FAKE_MMAP_H
#define POOLS_FAKE_MMAP_H

#include <stddef.h>

typedef enum fake_placement {
    PLACE_ANYWHERE = 0,  /* the kernel's choice (the default) */
    PLACE_ARENA_ALIGNED, /* base is a multiple of 1 MiB: 64 pools */
    PLACE_POOL_ALIGNED,  /* base is a multiple of 16 KiB, not of 1 MiB: 64 pools */
    PLACE_PAGE_ALIGNED,  /* base is 4 KiB past a 16 KiB boundary: 63 pools */
} fake_placement;

void fake_mmap_place(fake_placement where);
void fake_mmap_fail_after(long n); /* the next n mmaps succeed, then they fail; -1: never fail */
size_t fake_mmap_live(void);       /* mappings alive now */
size_t fake_mmap_calls(void);      /* successful mmaps so far */

#endif /* POOLS_FAKE_MMAP_H */
