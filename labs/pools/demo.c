/*
 * demo.c -- the notebook's "small objects come from memory pools" cell, in C:
 * put the pools under the runtime, make many small blocks of a few sizes,
 * print sys._debugmallocstats()'s report, free half, print it again.
 *
 *   make demo LAB=pools [WHO=student]
 */
#include <stdio.h>
#include <stdlib.h>

#include "memlab/mem.h"
#include "memlab/pools.h"

int main(void)
{
    enum { N = 20000 };
    void **objects = malloc(N * sizeof *objects);
    pool_install();
    for (int i = 0; i < N; i++) /* like ints, tuples and small dicts: 32, 64 and 232 bytes */
        objects[i] = mem_malloc(MEM_DOMAIN_OBJ, i % 3 == 0 ? 32 : i % 3 == 1 ? 64 : 232);
    printf(">>> sys._debugmallocstats()   # %d small objects alive\n", N);
    pool_debug_stats(stdout);
    for (int i = 0; i < N; i += 2)
        mem_free(MEM_DOMAIN_OBJ, objects[i]);
    printf("\n>>> sys._debugmallocstats()   # after freeing every other one\n");
    pool_debug_stats(stdout);
    printf("\nheap checker: %s\n", pool_check_heap() == 0 ? "all invariants hold" : "BROKEN");
    for (int i = 1; i < N; i += 2)
        mem_free(MEM_DOMAIN_OBJ, objects[i]);
    pool_uninstall();
    free(objects);
    return 0;
}
