/*
 * hidden/test_report.c -- the hidden tests of test_report.c's area (the public file
 * tests/pools/test_report.c); those that came from mutation testing are tagged
 * "mutation".
 */
#include "../fake_mmap.h"
#include "../pools_test.h"
#include "memlab/mem.h"
#include "memlab/runtime.h"
#include "mlalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/memcheck.h>

/* ==================================================================== the report */
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

ML_TEST(stats_count_the_bytes_in_blocks, .tags = "mutation", .points = 1, .visibility = ML_HIDDEN,
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

/* ==================================================================== the heap checker */
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
        .timeout = 20, .tags = "stress mutation",
        .description = "6000 blocks over about 6 arenas, random frees and mallocs, the heap "
                       "checker every 20 operations, arenas anywhere",
        .hint = "handout §8, The heap checker")
{
    churn(PLACE_ANYWHERE, 6000, 4000, 20);
}

ML_TEST(churn_with_every_arena_placement_keeps_the_arena_lists_right, .points = 1,
        .visibility = ML_HIDDEN, .timeout = 20, .tags = "stress mutation",
        .description = "the same churn with arenas 1 MiB-aligned, pool-aligned and page-aligned",
        .hint = "handout §8, The heap checker")
{
    churn(PLACE_ARENA_ALIGNED, 3000, 2000, 10);
    churn(PLACE_POOL_ALIGNED, 3000, 2000, 10);
    churn(PLACE_PAGE_ALIGNED, 3000, 2000, 10);
}

/* The pool header's layout (handout §3): what a stray write would hit. */
struct header_view {
    size_t count;
    void *freeblock;
    void *nextpool, *prevpool;
    unsigned int arenaindex, szidx, nextoffset, maxnextoffset;
};

/* The checker run with its output captured (pools_test.h). */
static int check_quietly(char **text) { return check_captured(text); }

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

/* ==================================================================== where the layer sits */
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

ML_TEST(uninstall_gives_each_domain_its_own_allocator_back, .tags = "mutation", .points = 1,
        .visibility = ML_HIDDEN,
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
