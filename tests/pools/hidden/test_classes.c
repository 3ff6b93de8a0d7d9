/*
 * hidden/test_classes.c -- the hidden tests of test_classes.c's area (the public file
 * tests/pools/test_classes.c): "is this address ours?" for an arena placed by
 * fake_mmap.c.
 */
#include "../fake_mmap.h"
#include "../pools_test.h"

ML_TEST(arena_across_two_ideal_arenas_is_wholly_in_range, .points = 1, .visibility = ML_HIDDEN,
        .description =
            "a 16 KiB-aligned arena spanning two 1 MiB ranges is in range exactly over its bytes",
        .hint = "handout §6, Is this address ours?")
{
    fake_mmap_place(PLACE_POOL_ALIGNED);
    char *p = pool_malloc(100);
    ck_assert_msg(p != NULL, "pool_malloc(100) returned NULL");
    uintptr_t base = pool_of(p);
    ck_assert_msg(stats_now().free_pools == 63, "a pool-aligned arena has 64 pools");
    ck_assert_msg(pool_address_in_range((void *)(base + POOL_ARENA_SIZE - 1)),
                  "last byte (next 1 MiB range) in range");
    ck_assert_msg(!pool_address_in_range((void *)(base + POOL_ARENA_SIZE)),
                  "the byte after is not");
    ck_assert_msg(!pool_address_in_range((void *)(base - 1)), "the byte before is not");
    pool_free(p);
}
