/*
 * pools_test.h -- helpers shared by the pools tests: the stats of the moment,
 * the pool a block lives in, a bag of live blocks that frees itself, and the
 * heap checker run with its output captured.
 */
#ifndef POOLS_TEST_H
#define POOLS_TEST_H

#include "memlab/pools.h"
#include "memlab/runtime.h"
#include "mltest.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static inline pool_stats stats_now(void)
{
    pool_stats s;
    pool_get_stats(&s);
    return s;
}

/* The 16 KiB pool that holds p (its header's address). */
static inline uintptr_t pool_of(const void *p)
{
    return (uintptr_t)p & ~(uintptr_t)(POOL_SIZE - 1);
}

/* Offset of p inside its pool. */
static inline size_t offset_in_pool(const void *p) { return (uintptr_t)p & (POOL_SIZE - 1); }

static inline size_t sum_classes(const size_t *v)
{
    size_t n = 0;
    for (int i = 0; i < POOL_NB_SMALL_SIZE_CLASSES; i++)
        n += v[i];
    return n;
}

/* A growable array of live blocks, kept in C-library memory. */
typedef struct bag {
    void **items;
    size_t n, cap;
} bag;

static inline void bag_put(bag *b, void *p)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 64;
        b->items = realloc(b->items, b->cap * sizeof *b->items);
        ck_assert_msg(b->items != NULL, "out of memory in the test itself");
    }
    b->items[b->n++] = p;
}

/* Free every block of the bag through pool_free, and the bag. */
static inline void bag_free_all(bag *b)
{
    for (size_t i = 0; i < b->n; i++)
        pool_free(b->items[i]);
    free(b->items);
    *b = (bag){0};
}

/* Allocate n blocks of `size` bytes into the bag; fails the test on NULL. */
static inline void bag_alloc(bag *b, size_t n, size_t size)
{
    for (size_t i = 0; i < n; i++) {
        void *p = pool_malloc(size);
        ck_assert_msg(p != NULL, "pool_malloc(%zu) returned NULL", size);
        bag_put(b, p);
    }
}

/* Pools in one arena: 63 or 64, read from the stats right after the first
 * pool of a fresh heap was taken (one pool in use, the rest free). */
static inline size_t pools_per_first_arena(void)
{
    pool_stats s = stats_now();
    return s.free_pools + sum_classes(s.pools_in_use);
}

/* Run the checker with its output captured; returns its result. */
static inline int check_captured(char **text)
{
    size_t len = 0;
    FILE *out = open_memstream(text, &len);
    ml_set_debug_stream(out);
    int rc = pool_check_heap();
    ml_set_debug_stream(NULL);
    fclose(out);
    return rc;
}

#endif /* POOLS_TEST_H */
