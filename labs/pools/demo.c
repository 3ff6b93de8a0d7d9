/*
 * demo.c -- the notebook's "small objects come from memory pools" cell, in C:
 * put the pools under the runtime, make many small blocks of a few sizes,
 * print sys._debugmallocstats()'s report, free half, print it again.
 *
 *   make demo LAB=pools [WHO=student]
 */
#include "memlab/draw.h"
#include "memlab/mem.h"
#include "memlab/pools.h"

#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    enum { N = 20000 };
    void **objects = malloc(N * sizeof *objects);
    pool_install();
    for (int i = 0; i < N; i++) /* like ints, tuples and small dicts: 32, 64 and 232 bytes */
        objects[i] = mem_malloc(MEM_DOMAIN_OBJ, i % 3 == 0 ? 32 : i % 3 == 1 ? 64 : 232);
    pool_stats frames[3] = {{0}};
    printf(">>> sys._debugmallocstats()   # %d small objects alive\n", N);
    pool_debug_stats(stdout);
    pool_get_stats(&frames[0]);
    draw_save(NULL, "1-pools-all-alive.svg",
              draw_pools_svg(&frames[0], "20000 small objects alive"));
    for (int i = 0; i < N; i += 2)
        mem_free(MEM_DOMAIN_OBJ, objects[i]);
    printf("\n>>> sys._debugmallocstats()   # after freeing every other one\n");
    pool_debug_stats(stdout);
    pool_get_stats(&frames[1]);
    draw_save(NULL, "2-pools-half-freed.svg",
              draw_pools_svg(&frames[1], "after freeing every other one"));
    printf("\nheap checker: %s\n", pool_check_heap() == 0 ? "all invariants hold" : "BROKEN");
    for (int i = 1; i < N; i += 2)
        mem_free(MEM_DOMAIN_OBJ, objects[i]);
    pool_get_stats(&frames[2]);
    const char *when[] = {"all alive", "half freed", "all freed"};
    draw_save(NULL, "3-pools-over-time.svg", draw_pools_frames_svg(frames, when, 3));
    pool_uninstall();
    free(objects);
    return 0;
}
