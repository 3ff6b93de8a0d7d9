/*
 * Size classes, alignment, and which requests the pools serve at all
 * (handout §2 and §6).
 */
#include "pools_test.h"

#include <string.h>

ML_TEST(every_small_size_gets_a_16_byte_aligned_block, .points = 2,
        .description = "pool_malloc(n) for n = 1..512 returns 16-byte aligned pool blocks",
        .hint = "handout §2, Size classes")
{
    bag b = {0};
    for (size_t n = 1; n <= POOL_SMALL_REQUEST_THRESHOLD; n++) {
        void *p = pool_malloc(n);
        ck_assert_msg(p != NULL, "pool_malloc(%zu) returned NULL", n);
        bag_put(&b, p);
        ck_assert_msg((uintptr_t)p % POOL_ALIGNMENT == 0,
                      "pool_malloc(%zu) = %p is not 16-byte aligned", n, p);
        ck_assert_msg(pool_address_in_range(p), "pool_malloc(%zu) = %p is not in an arena", n, p);
    }
    bag_free_all(&b);
}

ML_TEST(first_block_of_a_pool_follows_the_48_byte_header, .points = 1,
        .description = "the first block of a fresh pool is at offset 48 of the pool",
        .hint = "handout §3, Pools")
{
    void *p = pool_malloc(24);
    ck_assert_msg(p != NULL, "pool_malloc(24) returned NULL");
    ck_assert_msg(offset_in_pool(p) == POOL_OVERHEAD,
                  "first block at offset %zu of its pool, expected 48", offset_in_pool(p));
    pool_free(p);
}

ML_TEST(consecutive_blocks_are_one_class_size_apart, .points = 2,
        .description = "in a fresh pool, successive blocks of class c are (c+1)*16 bytes apart",
        .hint = "handout §2, Size classes")
{
    const size_t requests[] = {1, 16, 17, 33, 100, 256, 257, 500, 512};
    for (size_t i = 0; i < sizeof requests / sizeof *requests; i++) {
        size_t n = requests[i], size = (n + 15) / 16 * 16;
        char *a = pool_malloc(n), *b = pool_malloc(n), *c = pool_malloc(n);
        ck_assert_msg(a && b && c, "pool_malloc(%zu) returned NULL", n);
        ck_assert_msg(b - a == (long)size && c - b == (long)size,
                      "blocks for %zu bytes are %ld and %ld apart, expected %zu", n, (long)(b - a),
                      (long)(c - b), size);
        pool_free(c); /* in reverse, so that the next round gets a, b, c again */
        pool_free(b);
        pool_free(a);
    }
}

ML_TEST(each_class_gets_its_own_pool, .points = 2,
        .description = "16, 32 and 512-byte requests land in three different pools, one per class",
        .hint = "handout §3, Pools")
{
    void *a = pool_malloc(16), *b = pool_malloc(32), *c = pool_malloc(512), *d = pool_malloc(10);
    ck_assert_msg(a && b && c && d, "pool_malloc returned NULL");
    ck_assert_msg(pool_of(a) != pool_of(b) && pool_of(b) != pool_of(c) && pool_of(a) != pool_of(c),
                  "blocks of different classes share a pool");
    ck_assert_msg(pool_of(a) == pool_of(d), "16 and 10 bytes are both class 0 and share the pool");
    pool_stats s = stats_now();
    ck_assert_msg(s.pools_in_use[0] == 1 && s.pools_in_use[1] == 1 && s.pools_in_use[31] == 1,
                  "pools in use for classes 0/1/31: %zu/%zu/%zu, expected 1/1/1", s.pools_in_use[0],
                  s.pools_in_use[1], s.pools_in_use[31]);
    ck_assert_msg(s.blocks_in_use[0] == 2, "class 0 has %zu blocks in use, expected 2",
                  s.blocks_in_use[0]);
    ck_assert_msg(s.arenas_current == 1, "%zu arenas mapped, expected 1", s.arenas_current);
    pool_free(a);
    pool_free(b);
    pool_free(c);
    pool_free(d);
}

ML_TEST(zero_and_large_requests_go_to_the_system, .points = 2,
        .description = "pool_malloc(0) and pool_malloc(513) are system blocks, 512 is a pool block",
        .hint = "handout §6, Large requests")
{
    void *zero = pool_malloc(0), *large = pool_malloc(513), *edge = pool_malloc(512);
    ck_assert_msg(zero != NULL && large != NULL && edge != NULL, "pool_malloc returned NULL");
    ck_assert_msg(!pool_address_in_range(zero), "pool_malloc(0) must come from malloc, not a pool");
    ck_assert_msg(!pool_address_in_range(large), "pool_malloc(513) must come from malloc");
    ck_assert_msg(pool_address_in_range(edge), "pool_malloc(512) must be a pool block");
    pool_stats s = stats_now();
    ck_assert_msg(s.system_blocks == 2, "%zu live system blocks, expected 2", s.system_blocks);
    memset(large, 0x5a, 513);
    pool_free(zero);
    pool_free(large);
    pool_free(edge);
    s = stats_now();
    ck_assert_msg(s.system_blocks == 0, "%zu live system blocks after freeing, expected 0",
                  s.system_blocks);
}

ML_TEST(address_in_range_rejects_foreign_pointers, .points = 1,
        .description = "NULL, a stack address, a malloc block and a static are not in any arena",
        .hint = "handout §6, Is this address ours?")
{
    static int in_data;
    int on_stack;
    void *heap_block = malloc(64);
    void *p = pool_malloc(64);
    ck_assert_msg(p != NULL, "pool_malloc(64) returned NULL");
    ck_assert_msg(!pool_address_in_range(NULL), "NULL is not ours");
    ck_assert_msg(!pool_address_in_range(&on_stack), "a stack address is not ours");
    ck_assert_msg(!pool_address_in_range(&in_data), "a static is not ours");
    ck_assert_msg(!pool_address_in_range(heap_block), "a malloc block is not ours");
    ck_assert_msg(!pool_address_in_range((void *)UINTPTR_MAX), "the top address is not ours");
    free(heap_block);
    pool_free(p);
}

ML_TEST(
    address_in_range_covers_headers_and_every_block, .points = 1,
    .description = "the pool header and every byte of a block are in range while the arena lives",
    .hint = "handout §6, Is this address ours?")
{
    char *p = pool_malloc(512);
    ck_assert_msg(p != NULL, "pool_malloc(512) returned NULL");
    ck_assert_msg(pool_address_in_range((void *)pool_of(p)), "the pool header is in the arena");
    ck_assert_msg(pool_address_in_range(p + 511), "the last byte of the block is in the arena");
    ck_assert_msg(pool_address_in_range((void *)(pool_of(p) + POOL_SIZE - 1)),
                  "the pool's last byte is in the arena");
    pool_free(p);
}

ML_TEST(address_in_range_turns_false_when_the_arena_is_unmapped, .points = 1,
        .description =
            "after pool_uninstall returns an empty heap's arena, its addresses are no longer ours",
        .hint = "handout §6, Is this address ours?")
{
    void *p = pool_malloc(48);
    ck_assert_msg(p != NULL, "pool_malloc(48) returned NULL");
    pool_free(p);
    ck_assert_msg(pool_address_in_range(p),
                  "the empty arena is kept (bpo-37257), so p is still in range");
    pool_uninstall();
    ck_assert_msg(!pool_address_in_range(p), "after pool_uninstall the empty arena is unmapped");
    ck_assert_msg(stats_now().arenas_current == 0, "no arena is left after pool_uninstall");
}

ML_TEST(free_of_null_does_nothing, .points = 1,
        .description = "pool_free(NULL) is a no-op, like free(NULL)", .hint = "handout §5, Free")
{
    void *p = pool_malloc(8);
    ck_assert_msg(p != NULL, "pool_malloc(8) returned NULL");
    pool_free(NULL);
    pool_stats s = stats_now();
    ck_assert_msg(s.blocks_in_use[0] == 1 && s.system_blocks == 0,
                  "pool_free(NULL) changed the heap (class 0 blocks %zu, system blocks %zu)",
                  s.blocks_in_use[0], s.system_blocks);
    pool_free(p);
}
