/*
 * buggy.c -- deliberate memory bugs inside pool blocks, for
 * tests/kit/pools-memcheck.sh: it proves that memcheck still sees them
 * through the pools allocator's mempool annotations.
 *
 *   buggy uaf-write | uaf-read | overrun | overrun-next | leak | clean
 *
 * Built with the reference pools.c and perf/stubs.c, -O0 -g.
 */
#include "memlab/pools.h"

#include <stdio.h>
#include <string.h>

static volatile char sink;

/* Allocate and lose a block; not inlined, so no copy of the pointer stays in main's frame. */
__attribute__((noinline)) static void lose_a_block(void)
{
    char *p = pool_malloc(24);
    memset(p, 1, 24);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "clean";
    char *keep = pool_malloc(24); /* a neighbour, so that the pool stays in use */
    char *p = pool_malloc(24);
    memset(p, 'x', 24);
    if (strcmp(mode, "uaf-write") == 0) {
        pool_free(p);
        p[5] = 'y'; /* BUG: write after free */
    } else if (strcmp(mode, "uaf-read") == 0) {
        pool_free(p);
        sink = p[5]; /* BUG: read after free */
    } else if (strcmp(mode, "overrun") == 0) {
        char *q = pool_malloc(20);
        memset(q, 0, 21); /* BUG: one byte past the 20 requested */
        pool_free(q);
        pool_free(p);
    } else if (strcmp(mode, "overrun-next") == 0) {
        char *q = pool_malloc(32), *r = pool_malloc(32);
        pool_free(r);
        memset(q, 0, 33); /* BUG: into the next (free) block */
        pool_free(q);
        pool_free(p);
    } else if (strcmp(mode, "leak") == 0) {
        lose_a_block(); /* BUG: never freed */
        printf("a block was lost\n");
        pool_free(p);
    } else {
        pool_free(p);
    }
    pool_free(keep);
    if (strcmp(mode, "leak") != 0)
        pool_uninstall(); /* the leak must be seen while its arena is alive */
    return 0;
}
