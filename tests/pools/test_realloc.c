/*
 * pool_realloc and pool_calloc (handout §6).
 */
#include "pools_test.h"

#include <string.h>

ML_TEST(realloc_within_the_class_and_above_three_quarters_stays_in_place, .points = 3,
        .description = "a 112-byte block: realloc to 85..112 bytes returns the same pointer",
        .hint = "handout §6, Realloc")
{
    char *p = pool_malloc(100);
    ck_assert_msg(p != NULL, "pool_malloc(100) returned NULL");
    memcpy(p, "pymalloc", 9);
    ck_assert_msg(pool_realloc(p, 112) == p, "growing within the 112-byte block stays in place");
    ck_assert_msg(pool_realloc(p, 85) == p,
                  "4*85 = 340 > 3*112 = 336: shrinking by less than 25%% stays");
    ck_assert_msg(strcmp(p, "pymalloc") == 0, "the contents survive");
    pool_free(p);
}

ML_TEST(
    realloc_shrinking_by_a_quarter_or_more_moves, .points = 2,
    .description = "a 112-byte block realloc'd to 84 bytes (4*84 = 3*112) moves to a 96-byte block",
    .hint = "handout §6, Realloc")
{
    char *p = pool_malloc(112);
    ck_assert_msg(p != NULL, "pool_malloc(112) returned NULL");
    memset(p, 'x', 84);
    char *q = pool_realloc(p, 84);
    ck_assert_msg(q != NULL && q != p, "shrinking to exactly 3/4 must move the block");
    ck_assert_msg(stats_now().blocks_in_use[5] == 1 && stats_now().blocks_in_use[6] == 0,
                  "the block moved from class 6 to class 5");
    for (int i = 0; i < 84; i++)
        ck_assert_msg(q[i] == 'x', "byte %d was not copied", i);
    pool_free(q);
}

ML_TEST(realloc_growing_past_the_block_moves_and_copies, .points = 2,
        .description = "realloc from 30 to 200 bytes moves to class 12 with the 30 bytes copied",
        .hint = "handout §6, Realloc")
{
    char *p = pool_malloc(30);
    ck_assert_msg(p != NULL, "pool_malloc(30) returned NULL");
    for (int i = 0; i < 30; i++)
        p[i] = (char)i;
    char *q = pool_realloc(p, 200);
    ck_assert_msg(q != NULL && q != p && pool_address_in_range(q), "a new pool block is expected");
    for (int i = 0; i < 30; i++)
        ck_assert_msg(q[i] == (char)i, "byte %d was not copied", i);
    void *again = pool_malloc(30);
    ck_assert_msg(again == p, "the old block was freed (and is reused first)");
    pool_free(again);
    pool_free(q);
}

ML_TEST(realloc_between_pools_and_the_system, .points = 2,
        .description =
            "small->large moves to malloc; a system block stays a system block even when shrunk",
        .hint = "handout §6, Realloc")
{
    char *p = pool_malloc(64);
    ck_assert_msg(p != NULL, "pool_malloc(64) returned NULL");
    memset(p, 'a', 64);
    char *big = pool_realloc(p, 4000);
    ck_assert_msg(big != NULL && !pool_address_in_range(big), "4000 bytes come from malloc");
    ck_assert_msg(big[63] == 'a', "the 64 bytes were copied");
    char *small = pool_realloc(big, 10);
    ck_assert_msg(small != NULL && !pool_address_in_range(small),
                  "realloc of a system block is the system's realloc, even to a small size");
    ck_assert_msg(stats_now().system_blocks == 1, "one system block is live");
    pool_free(small);
    ck_assert_msg(stats_now().system_blocks == 0 && sum_classes(stats_now().blocks_in_use) == 0,
                  "nothing is live at the end");
}

ML_TEST(realloc_of_null_and_to_zero, .points = 1,
        .description = "realloc(NULL, n) is malloc(n); realloc(p, 0) returns a non-NULL block",
        .hint = "handout §6, Realloc")
{
    void *p = pool_realloc(NULL, 40);
    ck_assert_msg(p != NULL && pool_address_in_range(p),
                  "realloc(NULL, 40) is a 48-byte pool block");
    void *q = pool_realloc(p, 0);
    ck_assert_msg(q != NULL, "realloc(p, 0) returns a block");
    ck_assert_msg(!pool_address_in_range(q), "a 0-byte request is the system's");
    pool_free(q);
    ck_assert_msg(sum_classes(stats_now().blocks_in_use) == 0, "the pool block was freed");
}

ML_TEST(calloc_returns_zeroed_memory_even_in_a_reused_block, .points = 2,
        .description = "calloc of a block just freed (reused LIFO) returns it zeroed",
        .hint = "handout §6, Calloc")
{
    unsigned char *p = pool_malloc(64);
    ck_assert_msg(p != NULL, "pool_malloc(64) returned NULL");
    memset(p, 0xff, 64);
    pool_free(p);
    unsigned char *q = pool_calloc(8, 8);
    ck_assert_msg(q == p, "calloc(8, 8) reuses the freed 64-byte block");
    for (int i = 0; i < 64; i++)
        ck_assert_msg(q[i] == 0, "byte %d is %d, not zero", i, q[i]);
    pool_free(q);
}

ML_TEST(calloc_rejects_an_overflowing_product, .points = 2,
        .description = "calloc(SIZE_MAX/2, 3) returns NULL and allocates nothing",
        .hint = "handout §6, Calloc")
{
    void *keep = pool_malloc(16);
    ck_assert_msg(keep != NULL, "pool_malloc(16) returned NULL");
    ck_assert_msg(pool_calloc(SIZE_MAX / 2, 3) == NULL, "nelem * elsize overflows: NULL");
    ck_assert_msg(pool_calloc(3, SIZE_MAX / 2) == NULL, "elsize * nelem overflows: NULL");
    ck_assert_msg(pool_calloc((size_t)1 << 33, (size_t)1 << 31) == NULL,
                  "2^64 wraps to 0: still an overflow");
    pool_stats s = stats_now();
    ck_assert_msg(s.system_blocks == 0 && s.blocks_in_use[0] == 1, "nothing was allocated");
    pool_free(keep);
}

ML_TEST(
    calloc_routes_by_total_size, .points = 1,
    .description = "calloc(2, 256) is a pool block, calloc(3, 200) and calloc(0, 5) system blocks",
    .hint = "handout §6, Calloc")
{
    void *a = pool_calloc(2, 256), *b = pool_calloc(3, 200), *c = pool_calloc(0, 5);
    ck_assert_msg(a && b && c, "pool_calloc returned NULL");
    ck_assert_msg(pool_address_in_range(a), "512 bytes in total: a pool block");
    ck_assert_msg(!pool_address_in_range(b), "600 bytes in total: a system block");
    ck_assert_msg(!pool_address_in_range(c), "0 bytes: a system block");
    ck_assert_msg(stats_now().system_blocks == 2, "two system blocks");
    pool_free(a);
    pool_free(b);
    pool_free(c);
}
