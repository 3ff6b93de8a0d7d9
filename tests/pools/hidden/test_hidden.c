/*
 * Hidden tests of the pools lab: exact arena geometry (arenas placed at a
 * chosen alignment by fake_mmap.c), out-of-memory behaviour, the order of
 * usable_arenas through nfp2lasta, the heap checker on corrupted headers,
 * and stress.
 */
#include "../fake_mmap.h"
#include "../pools_test.h"
#include "memlab/mem.h"
#include "memlab/runtime.h"

#include <string.h>
#include <valgrind/memcheck.h>

#define PER_POOL POOL_NUMBLOCKS(31)

/* Blocks of 512 bytes until every pool of every mapped arena is full.
 * Each round asks for exactly the blocks the mapped arenas still hold (the
 * 512-byte pools' free blocks and the free pools' worth), else for one,
 * which must map the next arena: a walk of the heap per arena, not per
 * block (under memcheck, one per block took most of a grade). */
static void fill_arenas(bag *b, size_t arenas)
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

/* Free every block of the bag that lies in the pool at `pool`. */
static void free_pool(bag *b, uintptr_t pool)
{
    for (size_t i = 0; i < b->n; i++)
        if (b->items[i] != NULL && pool_of(b->items[i]) == pool) {
            pool_free(b->items[i]);
            b->items[i] = NULL;
        }
}

/* ------------------------------------------------------------ geometry */

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

/* ------------------------------------------------------------ out of memory */

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

ML_TEST(
    failed_realloc_keeps_the_old_block, .points = 2, .visibility = ML_HIDDEN,
    .description =
        "a realloc that needs a new pool when mmap fails returns NULL and the old block is intact",
    .hint = "handout §6, Realloc")
{
    bag b = {0};
    char *p = pool_malloc(16);
    ck_assert_msg(p != NULL, "pool_malloc(16) returned NULL");
    strcpy(p, "intact");
    fill_arenas(&b, 1);
    fake_mmap_fail_after(0);
    ck_assert_msg(pool_realloc(p, 300) == NULL, "no pool for class 18: NULL");
    ck_assert_msg(strcmp(p, "intact") == 0, "the old block is untouched");
    fake_mmap_fail_after(-1);
    pool_free(p);
    bag_free_all(&b);
}

/* ------------------------------------------------------------ usable_arenas order */

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

/* ------------------------------------------------------------ the heap checker on corrupted
 * headers */

/* The pool header's layout (handout §3): what a stray write would hit. */
struct header_view {
    size_t count;
    void *freeblock;
    void *nextpool, *prevpool;
    unsigned int arenaindex, szidx, nextoffset, maxnextoffset;
};

static int check_quietly(char **text)
{
    size_t len = 0;
    FILE *out = open_memstream(text, &len);
    ml_set_debug_stream(out);
    int rc = pool_check_heap();
    ml_set_debug_stream(NULL);
    fclose(out);
    return rc;
}

ML_TEST(
    heap_checker_reports_each_corrupted_header_field, .points = 4, .visibility = ML_HIDDEN,
    .description = "a wrong count, class, offset, arena index, link or list state is each reported",
    .hint = "handout §8, The heap checker")
{
    void *a = pool_malloc(80), *b = pool_malloc(80), *c = pool_malloc(80);
    void *other = pool_malloc(80 * 2);
    ck_assert_msg(a && b && c && other, "pool_malloc returned NULL");
    pool_free(b);
    struct header_view *h = (struct header_view *)pool_of(a);
    const char *expected[] = {"carved",
                              "no size class",
                              "nextoffset",
                              "says it is in arena",
                              "prevpool",
                              "still on a list",
                              "not on its arena's free pools",
                              "leads to",
                              "leads to"};
    for (int k = 0; k < 9; k++) {
        VALGRIND_MAKE_MEM_DEFINED(h, sizeof *h);
        struct header_view saved = *h;
        switch (k) {
        case 0: h->count += 5; break;
        case 1: h->szidx = 77; break;
        case 2: h->nextoffset = 50; break;
        case 3: h->arenaindex += 3; break;
        case 4: h->prevpool = h; break;
        case 5: h->freeblock = NULL; break;
        case 6: h->count = 0; break;
        case 7: h->nextpool = (void *)0x1000; break;
        case 8: h->nextpool = (char *)h + 40 * POOL_SIZE; break; /* a pool not carved yet */
        }
        VALGRIND_MAKE_MEM_NOACCESS(h, sizeof *h);
        char *text = NULL;
        int rc = check_quietly(&text);
        VALGRIND_MAKE_MEM_DEFINED(h, sizeof *h);
        *h = saved;
        VALGRIND_MAKE_MEM_NOACCESS(h, sizeof *h);
        ck_assert_msg(rc == -1 && strstr(text, expected[k]) != NULL,
                      "corruption %d: the checker should say \"%s\", it said: %s", k, expected[k],
                      text);
        free(text);
        text = NULL;
        ck_assert_msg(check_quietly(&text) == 0, "after repair the heap is consistent again: %s",
                      text);
        free(text);
    }
    pool_free(a);
    pool_free(c);
    pool_free(other);
}

/* ------------------------------------------------------------ installing, realloc, stress */

ML_TEST(uninstall_keeps_arenas_with_live_blocks, .points = 2, .visibility = ML_HIDDEN,
        .description =
            "pool_install twice is harmless; pool_uninstall keeps an arena whose blocks are live",
        .hint = "handout §1, Where the layer sits")
{
    pool_install();
    pool_install();
    void *o = mem_calloc(MEM_DOMAIN_OBJ, 3, 8);
    ck_assert_msg(o != NULL && pool_address_in_range(o), "calloc through OBJ is a pool block");
    ck_assert_msg(((char *)o)[23] == 0, "zeroed");
    void *m = mem_realloc(MEM_DOMAIN_OBJ, o, 30);
    ck_assert_msg(m == o, "24 -> 30 bytes stays in its 32-byte block (4*30 > 3*32)");
    pool_uninstall();
    ck_assert_msg(stats_now().arenas_current == 1 && pool_address_in_range(m),
                  "the live block's arena stays");
    pool_install(); /* a block must be freed by the allocator that made it */
    mem_free(MEM_DOMAIN_OBJ, m);
    pool_uninstall();
    ck_assert_msg(stats_now().arenas_current == 0 && fake_mmap_live() == 0,
                  "now the arena is unmapped");
}

ML_TEST(realloc_stays_in_place_exactly_when_the_rule_says, .points = 3, .visibility = ML_HIDDEN,
        .timeout = 20,
        .description = "for every class and size n: same pointer iff n <= size and 4n > 3*size",
        .hint = "handout §6, Realloc")
{
    for (unsigned c = 0; c < POOL_NB_SMALL_SIZE_CLASSES; c++) {
        size_t size = POOL_CLASS_SIZE(c);
        for (size_t n = 1; n <= size + 16 && n <= 512; n += (c < 4 ? 1 : 5)) {
            void *p = pool_malloc(size);
            ck_assert_msg(p != NULL, "pool_malloc returned NULL");
            void *q = pool_realloc(p, n);
            ck_assert_msg(q != NULL, "pool_realloc returned NULL");
            int in_place = n <= size && 4 * n > 3 * size;
            ck_assert_msg((q == p) == in_place, "class %u (size %zu) realloc to %zu: %s expected",
                          c, size, n, in_place ? "same pointer" : "a move");
            pool_free(q);
        }
    }
}

ML_TEST(
    random_operations_keep_every_invariant, .points = 3, .visibility = ML_HIDDEN, .timeout = 30,
    .tags = "stress",
    .description = "3000 random malloc/calloc/realloc/free with the heap checker after every 10th",
    .hint = "handout §8, The heap checker")
{
    enum { SLOTS = 400 };
    void **live = calloc(SLOTS, sizeof *live);
    size_t *sizes = calloc(SLOTS, sizeof *sizes);
    uint64_t seed = ml_test_seed();
    for (int step = 0; step < 3000; step++) {
        size_t k = ml_rand_below(&seed, SLOTS),
               n = 1 + ml_rand_below(&seed, step % 11 ? 512 : 1500);
        unsigned op = (unsigned)ml_rand_below(&seed, 4);
        if (live[k] && op == 0) {
            void *q = pool_realloc(live[k], n);
            ck_assert_msg(q != NULL, "realloc returned NULL");
            for (size_t i = 0; i < (n < sizes[k] ? n : sizes[k]); i++)
                ck_assert_msg(((unsigned char *)q)[i] == (unsigned char)k,
                              "realloc lost byte %zu (seed %llu)", i,
                              (unsigned long long)ml_test_seed());
            memset(q, (int)k, n);
            live[k] = q;
            sizes[k] = n;
        } else if (live[k]) {
            pool_free(live[k]);
            live[k] = NULL;
        } else {
            live[k] = op == 1 ? pool_calloc(n, 1) : pool_malloc(n);
            ck_assert_msg(live[k] != NULL, "allocation returned NULL");
            memset(live[k], (int)k, n);
            sizes[k] = n;
        }
        if (step % 10 == 0)
            ck_assert_msg(pool_check_heap() == 0, "step %d (seed %llu): the heap checker failed",
                          step, (unsigned long long)ml_test_seed());
    }
    for (int k = 0; k < SLOTS; k++)
        pool_free(live[k]);
    free(live);
    free(sizes);
}

ML_TEST(debug_stats_map_section_is_exact, .points = 1, .visibility = ML_HIDDEN,
        .description = "with 1 MiB-aligned arenas the report ends with one leaf of the address map",
        .hint = "handout §7, The report")
{
    fake_mmap_place(PLACE_ARENA_ALIGNED);
    void *p = pool_malloc(8);
    ck_assert_msg(p != NULL, "pool_malloc(8) returned NULL");
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    pool_debug_stats(out);
    fclose(out);
    const char *tail = "# bytes lost to arena alignment    =                    0\n"
                       "Total                              =            1,048,576\n"
                       "\n"
                       "arena map counts\n"
                       "# arena map bot nodes              =                    1\n"
                       "\n"
                       "# bytes lost to arena map root     =              131,072\n"
                       "# bytes lost to arena map bot      =              131,072\n"
                       "Total                              =              262,144\n";
    ck_assert_msg(len >= strlen(tail) && strcmp(text + len - strlen(tail), tail) == 0,
                  "the report should end with\n%s\nit is:\n%s", tail, text);
    free(text);
    pool_free(p);
}

ML_TEST(heap_checker_reports_a_pool_missing_from_its_used_list, .points = 2,
        .visibility = ML_HIDDEN,
        .description = "a used pool cut off its class's list (a broken nextpool link) is reported",
        .hint = "handout §8, The heap checker")
{
    bag b = {0};
    bag_alloc(&b, POOL_NUMBLOCKS(4) + 2, 80); /* pool A full, pool B used */
    pool_free(b.items[0]);                    /* A used again, in front of B */
    b.items[0] = NULL;
    struct header_view *a = (struct header_view *)pool_of(b.items[1]);
    VALGRIND_MAKE_MEM_DEFINED(a, sizeof *a);
    void *saved = a->nextpool;
    a->nextpool = NULL;
    VALGRIND_MAKE_MEM_NOACCESS(a, sizeof *a);
    char *text = NULL;
    int rc = check_quietly(&text);
    VALGRIND_MAKE_MEM_DEFINED(a, sizeof *a);
    a->nextpool = saved;
    VALGRIND_MAKE_MEM_NOACCESS(a, sizeof *a);
    ck_assert_msg(rc == -1 && strstr(text, "is not on the used list of its class") != NULL,
                  "the checker should find pool B off the list: %s", text);
    free(text);
    bag_free_all(&b);
}
