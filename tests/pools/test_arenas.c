/*
 * Arenas: when one is mapped, which one a new pool comes from, and when one is
 * returned to the system (handout §4).  The counts are those CPython 3.11
 * would show in sys._debugmallocstats() after the same sequence.
 */
#include "pools_test.h"

#define PER_POOL POOL_NUMBLOCKS(31) /* 31 blocks of 512 bytes fill a pool */

ML_TEST(an_arena_has_63_or_64_pools, .points = 2,
        .description =
            "a 1 MiB arena gives 64 pools if mmap returned a 16 KiB-aligned address, else 63",
        .hint = "handout §4, Arenas")
{
    void *p = pool_malloc(1);
    ck_assert_msg(p != NULL, "pool_malloc(1) returned NULL");
    pool_stats s = stats_now();
    size_t total = s.free_pools + 1;
    ck_assert_msg(total == 63 || total == 64, "the arena has %zu pools", total);
    ck_assert_msg(
        s.arenas_allocated == 1 && s.arenas_current == 1 && s.arenas_highwater == 1 &&
            s.arenas_reclaimed == 0 && s.usable_arenas == 1,
        "after one allocation: 1 arena allocated, current, highwater; 0 reclaimed; 1 usable");
    pool_free(p);
}

ML_TEST(a_second_arena_is_mapped_only_when_every_pool_is_taken, .points = 3,
        .description =
            "the second arena comes with the first block that finds no free pool in the first",
        .hint = "handout §4, Arenas")
{
    bag b = {0};
    bag_alloc(&b, 1, 512);
    size_t total = pools_per_first_arena();
    bag_alloc(&b, total * PER_POOL - 1, 512);
    pool_stats s = stats_now();
    ck_assert_msg(s.arenas_current == 1 && s.free_pools == 0 && s.usable_arenas == 0,
                  "with %zu full pools: %zu arenas, %zu free pools, %zu usable; expected 1, 0, 0",
                  total, s.arenas_current, s.free_pools, s.usable_arenas);
    ck_assert_msg(s.full_pools[31] == total, "%zu full pools, expected %zu", s.full_pools[31],
                  total);
    bag_alloc(&b, 1, 512);
    s = stats_now();
    ck_assert_msg(s.arenas_current == 2 && s.arenas_allocated == 2 && s.arenas_highwater == 2,
                  "one more block maps a second arena (%zu current)", s.arenas_current);
    bag_free_all(&b);
}

ML_TEST(
    the_last_empty_arena_is_kept, .points = 2,
    .description = "freeing every block of the only arena keeps it mapped for reuse (bpo-37257)",
    .hint = "handout §4, Returning arenas")
{
    void *p = pool_malloc(64);
    ck_assert_msg(p != NULL, "pool_malloc(64) returned NULL");
    pool_free(p);
    pool_stats s = stats_now();
    ck_assert_msg(s.arenas_current == 1 && s.arenas_reclaimed == 0,
                  "the only arena stays: %zu current, %zu reclaimed", s.arenas_current,
                  s.arenas_reclaimed);
    void *q = pool_malloc(64);
    ck_assert_msg(q != NULL, "pool_malloc(64) returned NULL");
    s = stats_now();
    ck_assert_msg(s.arenas_allocated == 1, "the kept arena is reused, no new mmap (%zu allocated)",
                  s.arenas_allocated);
    pool_free(q);
}

/* Arena A1 full, arena A2 with three pools in use (classes 29, 30, 31). */
static size_t two_arenas(bag *a1, bag *a2)
{
    bag_alloc(a1, 1, 512);
    size_t total = pools_per_first_arena();
    bag_alloc(a1, total * PER_POOL - 1, 512);
    bag_alloc(a2, 1, 512);
    bag_alloc(a2, 1, 496);
    bag_alloc(a2, 1, 480);
    ck_assert_msg(stats_now().arenas_current == 2, "two arenas expected");
    return total;
}

ML_TEST(
    a_wholly_free_arena_that_is_the_emptiest_is_kept, .points = 3,
    .description = "freeing all of a full arena while another arena has 3 pools in use keeps both",
    .hint = "handout §4, Returning arenas")
{
    bag a1 = {0}, a2 = {0};
    two_arenas(&a1, &a2);
    bag_free_all(&a1);
    pool_stats s = stats_now();
    ck_assert_msg(
        s.arenas_current == 2 && s.arenas_reclaimed == 0,
        "the freed arena has the most free pools, so it is last in usable_arenas and kept "
        "(%zu current, %zu reclaimed)",
        s.arenas_current, s.arenas_reclaimed);
    pool_uninstall();
    s = stats_now();
    ck_assert_msg(
        s.arenas_current == 1 && s.arenas_reclaimed == 1,
        "pool_uninstall unmaps the empty arena and keeps the one with live blocks (%zu current)",
        s.arenas_current);
    bag_free_all(&a2);
    s = stats_now();
    ck_assert_msg(s.arenas_current == 1 && s.arenas_reclaimed == 1 && s.arenas_highwater == 2,
                  "the last arena is kept when it empties (%zu current, %zu reclaimed)",
                  s.arenas_current, s.arenas_reclaimed);
}

ML_TEST(a_wholly_free_arena_followed_by_another_is_returned, .points = 3,
        .description = "with a second arena emptied first, emptying the first one unmaps it",
        .hint = "handout §4, Returning arenas")
{
    bag a1 = {0}, a2 = {0};
    two_arenas(&a1, &a2);
    void *witness = a1.items[0];
    bag_free_all(&a2);
    pool_stats s = stats_now();
    ck_assert_msg(s.arenas_current == 2 && s.arenas_reclaimed == 0,
                  "the only usable arena is kept even when empty");
    bag_free_all(&a1);
    s = stats_now();
    ck_assert_msg(s.arenas_current == 1 && s.arenas_reclaimed == 1 && s.arenas_allocated == 2,
                  "the first arena is unmapped (%zu current, %zu reclaimed)", s.arenas_current,
                  s.arenas_reclaimed);
    ck_assert_msg(!pool_address_in_range(witness), "an unmapped arena is no longer in range");
}

ML_TEST(new_pools_come_from_the_arena_with_fewest_free_pools, .points = 3,
        .description =
            "usable_arenas is sorted by free pools: the nearly full arena serves new pools first",
        .hint = "handout §4, Which arena")
{
    bag a1 = {0}, a2 = {0};
    size_t total = two_arenas(&a1, &a2);
    /* Free pool 5 of A1 entirely: A1 has 1 free pool, A2 has total2 - 3. */
    uintptr_t freed_pool = pool_of(a1.items[5 * PER_POOL]);
    for (size_t i = 5 * PER_POOL; i < 6 * PER_POOL; i++) {
        pool_free(a1.items[i]);
        a1.items[i] = NULL;
    }
    ck_assert_msg(stats_now().usable_arenas == 2, "both arenas are usable");
    void *p = pool_malloc(16); /* class 0 has no used pool: a new pool is needed */
    ck_assert_msg(p != NULL, "pool_malloc(16) returned NULL");
    ck_assert_msg(pool_of(p) == freed_pool,
                  "the new pool should be A1's free pool, the fullest arena");
    ck_assert_msg(stats_now().usable_arenas == 1, "A1 is full again and leaves usable_arenas");
    bag_put(&a1, p);
    (void)total;
    bag_free_all(&a1);
    bag_free_all(&a2);
}

ML_TEST(free_pools_of_an_arena_are_reused_last_emptied_first, .points = 2,
        .description =
            "an arena's empty pools are taken back last emptied first, before another arena's",
        .hint = "handout §4, Which arena")
{
    bag a1 = {0}, a2 = {0};
    two_arenas(&a1, &a2);
    /* A1: free pools 2 and 9 (2 free).  A2 keeps total2 - 3 free. */
    uintptr_t pool2 = pool_of(a1.items[2 * PER_POOL]), pool9 = pool_of(a1.items[9 * PER_POOL]);
    for (size_t i = 0; i < a1.n; i++)
        if (pool_of(a1.items[i]) == pool2 || pool_of(a1.items[i]) == pool9) {
            pool_free(a1.items[i]);
            a1.items[i] = NULL;
        }
    void *x = pool_malloc(16), *y = pool_malloc(32), *z = pool_malloc(48);
    ck_assert_msg(x && y && z, "pool_malloc returned NULL");
    ck_assert_msg(pool_of(x) == pool9,
                  "the first new pool is the last one emptied in A1 (LIFO freepools)");
    ck_assert_msg(pool_of(y) == pool2, "the second new pool is A1's other free pool");
    ck_assert_msg(pool_of(z) != pool2 && pool_of(z) != pool9 &&
                      pool_of(z) == pool_of(a2.items[2]) + POOL_SIZE,
                  "with A1 full again, the third pool is carved in A2 right after its three pools");
    bag_put(&a2, x);
    bag_put(&a2, y);
    bag_put(&a2, z);
    bag_free_all(&a1);
    bag_free_all(&a2);
}

ML_TEST(
    an_arena_that_gains_free_pools_moves_behind_fuller_ones, .points = 3,
    .description = "when A1 has more free pools than A2, new pools come from A2 (list kept sorted)",
    .hint = "handout §4, Which arena")
{
    bag a1 = {0}, a2 = {0};
    two_arenas(&a1, &a2);
    uintptr_t kept = pool_of(a1.items[0]);
    for (size_t i = 0; i < a1.n; i++)
        if (pool_of(a1.items[i]) != kept) {
            pool_free(a1.items[i]);
            a1.items[i] = NULL;
        }
    pool_stats s = stats_now();
    ck_assert_msg(s.arenas_current == 2 && s.usable_arenas == 2, "both arenas mapped and usable");
    void *p = pool_malloc(16);
    ck_assert_msg(p != NULL, "pool_malloc(16) returned NULL");
    ck_assert_msg(
        pool_of(p) == pool_of(a2.items[2]) + POOL_SIZE,
        "A2 (3 pools used) is fuller than A1 (1 pool used): the new pool is carved in A2");
    bag_put(&a2, p);
    bag_free_all(&a1);
    bag_free_all(&a2);
}
