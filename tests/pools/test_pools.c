/*
 * Inside one pool: the free list (LIFO), lazy carving of virgin blocks, and the
 * used / full / empty states of a pool (handout §3 and §5).
 */
#include "memlab/draw.h"
#include "pools_test.h"

#include <string.h>

ML_TEST(freed_blocks_are_reused_last_in_first_out, .points = 2,
        .description = "after free(b), free(a), the next two allocations return a, then b",
        .hint = "handout §3, The free list")
{
    void *a = pool_malloc(40), *b = pool_malloc(40), *c = pool_malloc(40);
    ck_assert_msg(a && b && c, "pool_malloc(40) returned NULL");
    pool_free(b);
    pool_free(a);
    void *x = pool_malloc(33), *y = pool_malloc(48), *z = pool_malloc(40);
    ck_assert_msg(x == a, "first allocation after free(b), free(a) should reuse a (%p), got %p", a,
                  x);
    ck_assert_msg(y == b, "second allocation should reuse b (%p), got %p", b, y);
    ck_assert_msg(z == (char *)c + 48,
                  "third allocation should carve the block after c (%p), got %p",
                  (void *)((char *)c + 48), z);
    pool_free(x);
    pool_free(y);
    pool_free(z);
    pool_free(c);
}

ML_TEST(virgin_blocks_are_carved_in_address_order, .points = 2,
        .description =
            "a fresh pool hands out blocks at offsets 48, 48+s, 48+2s, ... as they are needed",
        .hint = "handout §3, Lazy carving")
{
    bag b = {0};
    bag_alloc(&b, 100, 64);
    for (size_t i = 0; i < b.n; i++)
        ck_assert_msg(offset_in_pool(b.items[i]) == POOL_OVERHEAD + i * 64 &&
                          pool_of(b.items[i]) == pool_of(b.items[0]),
                      "block %zu is at offset %zu, expected %zu", i, offset_in_pool(b.items[i]),
                      (size_t)(POOL_OVERHEAD + i * 64));
    pool_stats s = stats_now();
    ck_assert_msg(s.blocks_in_use[3] == 100, "class 3 has %zu blocks in use, expected 100",
                  s.blocks_in_use[3]);
    ck_assert_msg(s.blocks_available[3] == POOL_NUMBLOCKS(3) - 100,
                  "class 3 has %zu available blocks, expected %zu", s.blocks_available[3],
                  (size_t)(POOL_NUMBLOCKS(3) - 100));
    bag_free_all(&b);
}

ML_TEST(a_pool_holds_exactly_numblocks_blocks, .points = 2,
        .description = "31 blocks of 512 bytes fill a pool; the 32nd opens a second pool",
        .hint = "handout §3, Pools")
{
    bag b = {0};
    bag_alloc(&b, POOL_NUMBLOCKS(31), 512);
    pool_stats s = stats_now();
    if (s.pools_in_use[31] != 1 || s.full_pools[31] != 1) /* expected: one solid pool of 512 B */
        ml_attach_take("pools-after-31.svg", draw_pools_svg(&s, "yours, after 31 blocks of 512 B"));
    ck_assert_msg(s.pools_in_use[31] == 1 && s.full_pools[31] == 1,
                  "after 31 blocks of 512: %zu pools, %zu full; expected 1 pool, full",
                  s.pools_in_use[31], s.full_pools[31]);
    ck_assert_msg(s.blocks_available[31] == 0, "a full pool has no available block");
    bag_alloc(&b, 1, 512);
    s = stats_now();
    if (s.pools_in_use[31] != 2 || s.full_pools[31] != 1) /* expected: one solid, one 1/31 full */
        ml_attach_take("pools-after-32.svg", draw_pools_svg(&s, "yours, after 32 blocks of 512 B"));
    ck_assert_msg(s.pools_in_use[31] == 2 && s.full_pools[31] == 1,
                  "after 32 blocks: %zu pools, %zu full; expected 2 pools, 1 full",
                  s.pools_in_use[31], s.full_pools[31]);
    ck_assert_msg(pool_of(b.items[31]) != pool_of(b.items[0]),
                  "the 32nd block must be in a new pool");
    bag_free_all(&b);
}

ML_TEST(sixteen_byte_pool_holds_1021_blocks, .points = 1,
        .description = "(16384 - 48) / 16 = 1021 blocks of 16 bytes share one pool",
        .hint = "handout §3, Pools")
{
    bag b = {0};
    bag_alloc(&b, 1021, 16);
    ck_assert_msg(pool_of(b.items[1020]) == pool_of(b.items[0]),
                  "block 1021 is still in the first pool");
    ck_assert_msg(offset_in_pool(b.items[1020]) == POOL_SIZE - 16,
                  "the last block ends the pool exactly");
    ck_assert_msg(stats_now().full_pools[0] == 1, "the pool of class 0 is full");
    bag_free_all(&b);
}

ML_TEST(
    a_full_pool_gets_a_freed_block_back_first, .points = 2,
    .description =
        "freeing into a full pool puts it at the front of its class: the next block comes from it",
    .hint = "handout §5, Free")
{
    bag b = {0};
    bag_alloc(&b, POOL_NUMBLOCKS(31) + 1, 512); /* pool A full, pool B used */
    void *from_a = b.items[7];
    pool_free(from_a);
    b.items[7] = NULL;
    ck_assert_msg(stats_now().full_pools[31] == 0, "pool A is no longer full");
    void *p = pool_malloc(500);
    ck_assert_msg(p == from_a,
                  "the next 512-byte block should be the one freed in pool A (%p), got %p", from_a,
                  p);
    b.items[7] = p;
    bag_free_all(&b);
}

ML_TEST(
    a_used_pool_is_preferred_to_a_new_one, .points = 1,
    .description =
        "allocation takes blocks from the most recent used pool of the class before any new pool",
    .hint = "handout §3, Used pools")
{
    bag b = {0};
    bag_alloc(&b, POOL_NUMBLOCKS(31) + 3, 512);
    uintptr_t second = pool_of(b.items[POOL_NUMBLOCKS(31)]);
    pool_free(b.items[POOL_NUMBLOCKS(31) + 2]);
    b.n--;
    void *p = pool_malloc(512);
    ck_assert_msg(p != NULL && pool_of(p) == second,
                  "the block should come from the second (used) pool");
    ck_assert_msg(stats_now().pools_in_use[31] == 2, "no third pool should be opened");
    bag_put(&b, p);
    bag_free_all(&b);
}

ML_TEST(
    an_emptied_pool_is_reused_for_its_class_with_its_free_list, .points = 2,
    .description = "a pool emptied and taken again for the same class reuses its free list (LIFO)",
    .hint = "handout §5, Empty pools")
{
    void *a = pool_malloc(100), *b = pool_malloc(100);
    ck_assert_msg(a && b, "pool_malloc(100) returned NULL");
    pool_free(a);
    pool_free(b);
    pool_stats s = stats_now();
    ck_assert_msg(s.pools_in_use[6] == 0, "an empty pool is no longer in use");
    void *c = pool_malloc(112);
    ck_assert_msg(c == b, "the emptied pool's free list gives back b (%p) first, got %p", b, c);
    pool_free(c);
}

ML_TEST(an_emptied_pool_can_serve_another_class, .points = 2,
        .description =
            "an empty pool taken by another class is laid out afresh: first block at offset 48",
        .hint = "handout §5, Empty pools")
{
    void *a = pool_malloc(16), *b = pool_malloc(16);
    ck_assert_msg(a && b, "pool_malloc(16) returned NULL");
    uintptr_t pool = pool_of(a);
    pool_free(b);
    pool_free(a);
    char *c = pool_malloc(300), *d = pool_malloc(300);
    ck_assert_msg(c && d, "pool_malloc(300) returned NULL");
    ck_assert_msg(pool_of(c) == pool, "the most recently emptied pool is taken first");
    ck_assert_msg(offset_in_pool(c) == POOL_OVERHEAD && d - c == 304,
                  "the pool is re-carved for 304-byte blocks");
    pool_stats s = stats_now();
    ck_assert_msg(s.pools_in_use[0] == 0 && s.pools_in_use[18] == 1,
                  "the pool moved from class 0 to class 18");
    pool_free(c);
    pool_free(d);
}

ML_TEST(
    empty_pools_return_to_the_arena, .points = 2,
    .description = "when its last block is freed a pool counts again among the arena's free pools",
    .hint = "handout §5, Empty pools")
{
    void *p = pool_malloc(200);
    ck_assert_msg(p != NULL, "pool_malloc(200) returned NULL");
    size_t total = pools_per_first_arena();
    ck_assert_msg(total == 63 || total == 64, "an arena has 63 or 64 pools, got %zu", total);
    void *q = pool_malloc(20);
    ck_assert_msg(q != NULL, "pool_malloc(20) returned NULL");
    ck_assert_msg(stats_now().free_pools == total - 2, "two pools in use: %zu free, expected %zu",
                  stats_now().free_pools, total - 2);
    pool_free(p);
    ck_assert_msg(stats_now().free_pools == total - 1,
                  "one pool in use after the free: %zu free, expected %zu", stats_now().free_pools,
                  total - 1);
    pool_free(q);
    ck_assert_msg(stats_now().free_pools == total, "all pools free");
}

ML_TEST(blocks_keep_their_contents, .points = 2,
        .description = "data written into many live blocks of mixed sizes reads back intact",
        .hint = "handout §3, The free list")
{
    enum { N = 3000 };
    unsigned char **blocks = calloc(N, sizeof *blocks);
    uint64_t seed = ml_test_seed();
    for (size_t i = 0; i < N; i++) {
        size_t n = 1 + ml_rand_below(&seed, 512);
        blocks[i] = pool_malloc(n);
        ck_assert_msg(blocks[i] != NULL, "pool_malloc(%zu) returned NULL (seed %llu)", n,
                      (unsigned long long)ml_test_seed());
        memset(blocks[i], (int)(i & 0xff), 1);
        if (i % 3 == 0) {
            pool_free(blocks[i / 2]);
            blocks[i / 2] = NULL;
        }
    }
    for (size_t i = 0; i < N; i++)
        if (blocks[i] != NULL)
            ck_assert_msg(blocks[i][0] == (i & 0xff), "block %zu was overwritten", i);
    for (size_t i = 0; i < N; i++)
        pool_free(blocks[i]);
    free(blocks);
}
