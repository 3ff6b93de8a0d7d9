/*
 * mutation_pools.c -- hidden tests that kill what the mutation run (make
 * mutation LAB=pools) found alive: the arena list and nfp2lasta under churn
 * over many arenas, with every placement of the arenas, checked by the heap
 * checker as it goes.
 */
#include "../fake_mmap.h"
#include "../pools_test.h"

#include <string.h>

/* Random malloc/free of `slots` blocks of up to 512 bytes (several arenas
 * of them), the heap checker and the stats' arena counts after every
 * `check_every` operations; then everything is freed in random order. */
static void churn(fake_placement where, size_t slots, int steps, int check_every)
{
    fake_mmap_place(where);
    void **live = calloc(slots, sizeof *live);
    ck_assert_ptr_nonnull(live);
    uint64_t seed = ml_test_seed() ^ (uint64_t)where;
    for (size_t k = 0; k < slots; k++) {
        live[k] = pool_malloc(257 + ml_rand_below(&seed, 256));
        ck_assert_msg(live[k] != NULL, "pool_malloc returned NULL");
    }
    for (int step = 0; step < steps; step++) {
        size_t k = ml_rand_below(&seed, slots);
        if (live[k]) {
            pool_free(live[k]);
            live[k] = NULL;
        } else {
            size_t n = 1 + ml_rand_below(&seed, 512);
            live[k] = pool_malloc(n);
            ck_assert_msg(live[k] != NULL, "pool_malloc(%zu) returned NULL", n);
            memset(live[k], 0x5a, n);
        }
        if (step % check_every == 0) {
            ck_assert_msg(pool_check_heap() == 0, "placement %d, step %d: the heap checker failed",
                          (int)where, step);
            pool_stats s = stats_now();
            ck_assert_msg(s.arenas_current == fake_mmap_live(),
                          "step %d: %zu arenas counted, %zu mapped", step, s.arenas_current,
                          fake_mmap_live());
            ck_assert_msg(s.arenas_highwater >= s.arenas_current, "highwater below current");
        }
    }
    for (size_t left = slots; left > 0; left--) {
        size_t k = ml_rand_below(&seed, left);
        pool_free(live[k]);
        live[k] = live[left - 1];
        if (left % 97 == 0)
            ck_assert_msg(pool_check_heap() == 0, "freeing, %zu left: the heap checker failed",
                          left);
    }
    free(live);
    ck_assert_int_eq(pool_check_heap(), 0);
    pool_stats s = stats_now();
    ck_assert_msg(s.arenas_current <= 1, "%zu arenas still mapped with nothing in them",
                  s.arenas_current);
    ck_assert_int_eq(sum_classes(s.blocks_in_use), 0);
}

ML_TEST(churn_over_many_arenas_keeps_the_arena_lists_right, .points = 1,
        .visibility = ML_HIDDEN, .timeout = 20, .tags = "stress",
        .description = "6000 blocks over about 6 arenas, random frees and mallocs, the heap "
                       "checker every 20 operations, arenas anywhere",
        .hint = "handout §8, The heap checker")
{
    churn(PLACE_ANYWHERE, 6000, 4000, 20);
}

ML_TEST(churn_with_every_arena_placement_keeps_the_arena_lists_right, .points = 1,
        .visibility = ML_HIDDEN, .timeout = 20, .tags = "stress",
        .description = "the same churn with arenas 1 MiB-aligned, pool-aligned and page-aligned",
        .hint = "handout §8, The heap checker")
{
    churn(PLACE_ARENA_ALIGNED, 3000, 2000, 10);
    churn(PLACE_POOL_ALIGNED, 3000, 2000, 10);
    churn(PLACE_PAGE_ALIGNED, 3000, 2000, 10);
}
