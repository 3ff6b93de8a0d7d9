/*
 * hidden/test_arenas.c -- the hidden tests of test_arenas.c's area (the public file
 * tests/pools/test_arenas.c): arenas placed at a chosen alignment by fake_mmap.c, mmap
 * failing; those that came from mutation testing are tagged "mutation".
 */
#include "pools_hidden.h"

/* ==================================================================== arenas */
ML_TEST(arena_at_a_1_mib_boundary_has_64_pools, .points = 2, .visibility = ML_HIDDEN,
        .description =
            "an arena mapped at a 1 MiB boundary has 64 pools and loses nothing to alignment",
        .hint = "handout §4, Arenas")
{
    fake_mmap_place(PLACE_ARENA_ALIGNED);
    char *p = pool_malloc(1);
    ck_assert_msg(p != NULL, "pool_malloc(1) returned NULL");
    ck_assert_msg(((uintptr_t)p & (POOL_ARENA_SIZE - 1)) == POOL_OVERHEAD,
                  "the first pool starts the arena");
    ck_assert_msg(stats_now().free_pools == 63, "64 pools, one in use: %zu free",
                  stats_now().free_pools);
    ck_assert_msg(pool_address_in_range(p + POOL_ARENA_SIZE - POOL_OVERHEAD - 1),
                  "the arena's last byte is ours");
    ck_assert_msg(!pool_address_in_range(p + POOL_ARENA_SIZE - POOL_OVERHEAD),
                  "the byte after the arena is not");
    ck_assert_msg(!pool_address_in_range(p - POOL_OVERHEAD - 1),
                  "the byte before the arena is not");
    pool_free(p);
}

ML_TEST(
    arena_off_a_pool_boundary_has_63_pools, .points = 2, .visibility = ML_HIDDEN,
    .description =
        "an arena whose base is not 16 KiB-aligned has 63 pools, the first at the next boundary",
    .hint = "handout §4, Arenas")
{
    fake_mmap_place(PLACE_PAGE_ALIGNED);
    char *p = pool_malloc(1);
    ck_assert_msg(p != NULL, "pool_malloc(1) returned NULL");
    ck_assert_msg(stats_now().free_pools == 62, "63 pools, one in use: %zu free",
                  stats_now().free_pools);
    uintptr_t base = pool_of(p) - POOL_SIZE + 4096; /* 3 pools + 4 KiB past a 1 MiB boundary */
    ck_assert_msg(pool_address_in_range((void *)base),
                  "the arena's first (lost) bytes are in range");
    ck_assert_msg(!pool_address_in_range((void *)(base - 1)), "the byte before the arena is not");
    ck_assert_msg(pool_address_in_range((void *)(base + POOL_ARENA_SIZE - 1)),
                  "the arena's last byte is in range");
    ck_assert_msg(!pool_address_in_range((void *)(base + POOL_ARENA_SIZE)),
                  "the byte after the arena is not");
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    pool_debug_stats(out);
    fclose(out);
    ck_assert_msg(strstr(text, "\n# bytes lost to arena alignment    =               16,384\n") !=
                      NULL,
                  "the report counts one pool lost to alignment:\n%s", text);
    free(text);
    pool_free(p);
}

ML_TEST(one_mmap_per_arena_and_one_munmap_per_reclaimed_arena, .points = 2, .visibility = ML_HIDDEN,
        .description =
            "the allocator maps exactly one region per arena and unmaps each reclaimed arena",
        .hint = "handout §4, Arenas")
{
    bag b = {0};
    fill_arenas(&b, 2);
    bag_alloc(&b, 1, 512);
    ck_assert_msg(fake_mmap_calls() == 3 && fake_mmap_live() == 3, "3 arenas: %zu mmaps, %zu live",
                  fake_mmap_calls(), fake_mmap_live());
    bag_free_all(&b);
    pool_stats s = stats_now();
    ck_assert_msg(fake_mmap_live() == 1 && s.arenas_current == 1 && s.arenas_reclaimed == 2,
                  "after freeing all: %zu mappings live, %zu arenas current, %zu reclaimed",
                  fake_mmap_live(), s.arenas_current, s.arenas_reclaimed);
    pool_uninstall();
    ck_assert_msg(fake_mmap_live() == 0, "pool_uninstall unmaps the kept arena");
}

ML_TEST(
    arena_objects_grow_past_sixteen, .points = 2, .visibility = ML_HIDDEN, .timeout = 20,
    .description = "17 arenas at once (the arena vector doubles), then all but one are reclaimed",
    .hint = "handout §4, Arenas")
{
    bag b = {0};
    fake_mmap_place(PLACE_ARENA_ALIGNED);
    fill_arenas(&b, 16);
    bag_alloc(&b, 1, 512);
    pool_stats s = stats_now();
    ck_assert_msg(s.arenas_current == 17 && s.arenas_highwater == 17, "17 arenas expected, got %zu",
                  s.arenas_current);
    ck_assert_msg(pool_check_heap() == 0, "the heap is consistent with 17 arenas");
    bag_free_all(&b);
    s = stats_now();
    ck_assert_msg(s.arenas_current == 1 && s.arenas_reclaimed == 16 && s.arenas_allocated == 17,
                  "after freeing: %zu current, %zu reclaimed", s.arenas_current,
                  s.arenas_reclaimed);
}

ML_TEST(
    no_arena_means_null_but_large_requests_still_work, .points = 2, .visibility = ML_HIDDEN,
    .description =
        "when mmap fails pool_malloc/calloc of small sizes return NULL; large ones still succeed",
    .hint = "handout §4, Arenas")
{
    fake_mmap_fail_after(0);
    ck_assert_msg(pool_malloc(10) == NULL, "no arena can be mapped: NULL");
    ck_assert_msg(pool_calloc(2, 10) == NULL, "no arena can be mapped: NULL");
    ck_assert_msg(pool_realloc(NULL, 10) == NULL, "no arena can be mapped: NULL");
    void *big = pool_malloc(1000);
    ck_assert_msg(big != NULL, "large requests do not need an arena");
    pool_free(big);
    fake_mmap_fail_after(-1);
    void *p = pool_malloc(10);
    ck_assert_msg(p != NULL && stats_now().arenas_current == 1,
                  "once mmap works again, so does pool_malloc");
    pool_free(p);
}

/* ==================================================================== returning arenas */
/* Free every block of the bag that lies in the pool at `pool`. */
static void free_pool(bag *b, uintptr_t pool)
{
    for (size_t i = 0; i < b->n; i++)
        if (b->items[i] != NULL && pool_of(b->items[i]) == pool) {
            pool_free(b->items[i]);
            b->items[i] = NULL;
        }
}

ML_TEST(
    a_wholly_free_arena_between_others_is_returned, .points = 2, .visibility = ML_HIDDEN,
    .timeout = 20,
    .description =
        "an arena that becomes wholly free with arenas on both sides in usable_arenas is unmapped",
    .hint = "handout §4, Returning arenas")
{
    bag b = {0};
    fake_mmap_place(PLACE_ARENA_ALIGNED);
    fill_arenas(&b, 2);
    bag_alloc(&b, 1, 512); /* A3: one pool in use */
    bag_alloc(&b, 1, 16);  /* A3: two pools in use */
    uintptr_t a1 = pool_of(b.items[0]), a2 = pool_of(b.items[64 * PER_POOL]);
    for (int k = 0; k < 64; k++) /* A1 wholly free: it ends last, kept */
        free_pool(&b, a1 + (uintptr_t)k * POOL_SIZE);
    ck_assert_msg(stats_now().arenas_current == 3, "A1 is kept while it is last");
    for (int k = 0; k < 64; k++) /* A2 wholly free, between A3 and A1: returned */
        free_pool(&b, a2 + (uintptr_t)k * POOL_SIZE);
    pool_stats s = stats_now();
    ck_assert_msg(s.arenas_current == 2 && s.arenas_reclaimed == 1, "A2 is unmapped (%zu current)",
                  s.arenas_current);
    ck_assert_msg(!pool_address_in_range((void *)a2) && pool_address_in_range((void *)a1),
                  "A2 gone, A1 kept");
    ck_assert_msg(pool_check_heap() == 0, "the heap is consistent");
    bag_free_all(&b);
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

ML_TEST(uninstall_leaves_a_heap_the_checker_accepts, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
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

ML_TEST(uninstall_unmaps_a_kept_arena_at_the_head_of_usable_arenas, .tags = "mutation", .points = 1,
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

/* ==================================================================== which arena */
ML_TEST(usable_arenas_order_follows_free_pool_counts, .points = 3, .visibility = ML_HIDDEN,
        .timeout = 20,
        .description =
            "with arenas at 1,1,2 free pools, new pools come from them in list order (nfp2lasta)",
        .hint = "handout §4, Which arena")
{
    bag b = {0};
    fake_mmap_place(PLACE_ARENA_ALIGNED);
    fill_arenas(&b, 3);
    bag_alloc(&b, 1, 512); /* A4 */
    uintptr_t a1 = pool_of(b.items[0]), a2 = pool_of(b.items[64 * PER_POOL]),
              a3 = pool_of(b.items[128 * PER_POOL]);
    /* A1 frees pool 3, A2 pool 4, A3 pool 5: list A3(1), A2(1), A1(1), A4. */
    free_pool(&b, a1 + 3 * POOL_SIZE);
    free_pool(&b, a2 + 4 * POOL_SIZE);
    free_pool(&b, a3 + 5 * POOL_SIZE);
    /* A2 frees pool 6: it moves after A1, the last arena with 1 free pool. */
    free_pool(&b, a2 + 6 * POOL_SIZE);
    ck_assert_msg(pool_check_heap() == 0, "the heap is consistent after the moves");
    const size_t sizes[] = {16, 32, 48, 64, 80};
    const uintptr_t expected[] = {a3 + 5 * POOL_SIZE, a1 + 3 * POOL_SIZE, a2 + 6 * POOL_SIZE,
                                  a2 + 4 * POOL_SIZE, 0};
    for (int i = 0; i < 5; i++) {
        void *p = pool_malloc(sizes[i]);
        ck_assert_msg(p != NULL, "pool_malloc returned NULL");
        bag_put(&b, p);
        if (expected[i])
            ck_assert_msg(pool_of(p) == expected[i], "new pool %d came from the wrong place",
                          i + 1);
        else
            ck_assert_msg(pool_of(p) == pool_of(b.items[192 * PER_POOL]) + POOL_SIZE,
                          "with A1-A3 full, the fifth pool is carved in A4");
    }
    bag_free_all(&b);
}
