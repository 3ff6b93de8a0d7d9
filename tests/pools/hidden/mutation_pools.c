/*
 * mutation_pools.c -- hidden tests that kill what the mutation run (make
 * mutation LAB=pools) found alive: the arena list and nfp2lasta under churn
 * over many arenas, with every placement of the arenas, checked by the heap
 * checker as it goes.
 */
#include "../fake_mmap.h"
#include "../pools_test.h"
#include "memlab/mem.h"
#include "mlalloc.h"

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

ML_TEST(churn_over_many_arenas_keeps_the_arena_lists_right, .points = 1, .visibility = ML_HIDDEN,
        .timeout = 20, .tags = "stress",
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

/* Arena A1 full of 512-byte blocks, A2 with three pools in use; A1 then
 * emptied, so that it is kept at the end of usable_arenas. */
static void full_then_kept(bag *a1, bag *a2)
{
    bag_alloc(a1, 1, 512);
    bag_alloc(a1, pools_per_first_arena() * POOL_NUMBLOCKS(31) - 1, 512);
    bag_alloc(a2, 1, 512);
    bag_alloc(a2, 1, 496);
    bag_alloc(a2, 1, 480);
    ck_assert_msg(stats_now().arenas_current == 2, "two arenas expected");
    bag_free_all(a1);
    ck_assert_msg(stats_now().arenas_current == 2, "the emptied arena is kept");
    ck_assert_int_eq(pool_check_heap(), 0);
}

ML_TEST(uninstall_leaves_a_heap_the_checker_accepts, .points = 1, .visibility = ML_HIDDEN,
        .description = "pool_uninstall unmaps the kept empty arena and leaves usable_arenas, "
                       "nfp2lasta and the unused arena objects right for the next allocations",
        .hint = "handout §4, Returning arenas")
{
    bag a1 = {0}, a2 = {0}, a3 = {0};
    full_then_kept(&a1, &a2);
    pool_uninstall();
    ck_assert_int_eq(stats_now().arenas_current, 1);
    ck_assert_msg(pool_check_heap() == 0, "pool_uninstall left a heap the checker rejects");
    pool_install();
    /* a new arena must come from the arena object just given back */
    bag_alloc(&a3, 64 * POOL_NUMBLOCKS(31), 512);
    ck_assert_int_eq(pool_check_heap(), 0);
    pool_stats s = stats_now();
    ck_assert_msg(s.arenas_current == fake_mmap_live(), "%zu arenas counted, %zu mapped",
                  s.arenas_current, fake_mmap_live());
    bag_free_all(&a3);
    bag_free_all(&a2);
    ck_assert_int_eq(pool_check_heap(), 0);
}

ML_TEST(uninstall_unmaps_a_kept_arena_at_the_head_of_usable_arenas, .points = 1,
        .visibility = ML_HIDDEN,
        .description = "one full arena and one emptied one (the only usable arena): "
                       "pool_uninstall unmaps the empty one, usable_arenas is left empty",
        .hint = "handout §4, Returning arenas")
{
    bag full = {0}, one = {0};
    bag_alloc(&full, 1, 512); /* the arena exists: its pools can be counted */
    bag_alloc(&full, pools_per_first_arena() * POOL_NUMBLOCKS(31) - 1, 512);
    bag_alloc(&one, 1, 512);
    ck_assert_msg(stats_now().arenas_current == 2, "two arenas expected");
    bag_free_all(&one);
    ck_assert_msg(stats_now().arenas_current == 2, "the emptied arena is kept");
    pool_uninstall();
    pool_stats s = stats_now();
    ck_assert_int_eq(s.arenas_current, 1);
    ck_assert_int_eq(s.usable_arenas, 0);
    ck_assert_msg(pool_check_heap() == 0, "pool_uninstall left a heap the checker rejects");
    pool_install();
    bag_free_all(&full);
    ck_assert_int_eq(pool_check_heap(), 0);
}

/* ==================================================================== install, stats */

ML_TEST(uninstall_gives_each_domain_its_own_allocator_back, .points = 1, .visibility = ML_HIDDEN,
        .description = "with different allocators on MEM and OBJ, pool_install then "
                       "pool_uninstall puts back each domain's own",
        .hint = "handout §1, Where the layer sits")
{
    /* A counting allocator on each domain (mlalloc.h). */
    static ml_alloc on_mem = ML_ALLOC_COUNT, on_obj = ML_ALLOC_COUNT;
    ml_alloc_install(&on_mem, MEM_DOMAIN_MEM);
    ml_alloc_install(&on_obj, MEM_DOMAIN_OBJ);
    pool_install();
    ml_alloc_zero(&on_mem);
    ml_alloc_zero(&on_obj);
    void *small = mem_malloc(MEM_DOMAIN_OBJ, 24);
    ck_assert_ptr_nonnull(small);
    ck_assert_msg(ml_alloc_requests(&on_obj) == 0,
                  "after pool_install a 24-byte OBJ request should come from a pool, not from "
                  "the allocator that was there before");
    mem_free(MEM_DOMAIN_OBJ, small);
    pool_uninstall();
    ml_alloc_zero(&on_mem);
    ml_alloc_zero(&on_obj);
    void *m = mem_malloc(MEM_DOMAIN_MEM, 24), *o = mem_malloc(MEM_DOMAIN_OBJ, 24);
    ck_assert_ptr_nonnull(m);
    ck_assert_ptr_nonnull(o);
    ck_assert_msg(ml_alloc_requests(&on_mem) == 1 && ml_alloc_requests(&on_obj) == 1,
                  "MEM's allocator served %ld calls, OBJ's %ld: each should have served its own",
                  ml_alloc_requests(&on_mem), ml_alloc_requests(&on_obj));
    mem_free(MEM_DOMAIN_MEM, m);
    mem_free(MEM_DOMAIN_OBJ, o);
    mem_reset_allocators();
}

ML_TEST(stats_count_the_bytes_in_blocks, .points = 1, .visibility = ML_HIDDEN,
        .description = "bytes_in_blocks is the sum of the live blocks' class sizes",
        .hint = "handout §7, The report")
{
    void *a = pool_malloc(1), *b = pool_malloc(100), *c = pool_malloc(512);
    ck_assert_msg(a && b && c, "pool_malloc returned NULL");
    pool_stats s = stats_now();
    ck_assert_msg(s.bytes_in_blocks == 16 + 112 + 512, "bytes_in_blocks is %zu, expected %d",
                  s.bytes_in_blocks, 16 + 112 + 512);
    pool_free(b);
    ck_assert_int_eq(stats_now().bytes_in_blocks, 16 + 512);
    pool_free(a);
    pool_free(c);
    ck_assert_int_eq(stats_now().bytes_in_blocks, 0);
}
