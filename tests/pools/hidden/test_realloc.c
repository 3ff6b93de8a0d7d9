/*
 * hidden/test_realloc.c -- the hidden tests of test_realloc.c's area (the public file
 * tests/pools/test_realloc.c): the in-place rule for every class, a realloc when mmap
 * fails.
 */
#include "pools_hidden.h"

#include <string.h>

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
