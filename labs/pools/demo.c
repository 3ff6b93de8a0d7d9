/*
 * demo.c -- the notebook's "small objects come from memory pools" cell, in C:
 * put the pools under the runtime, make many small blocks of a few sizes,
 * print sys._debugmallocstats()'s report, free half, print it again.
 * Given a recorded trace, it replays it instead and draws the heap at a few
 * points of the replay (frames), then the bytes per size class over time.
 *
 *   make demo LAB=pools [WHO=student]
 *   make demo LAB=pools TRACE=tests/pools/traces/notebook.trace [FRAMES=4]
 */
#include "../../tests/pools/replay.h" /* the tests' trace reader */
#include "memlab/draw.h"
#include "memlab/mem.h"
#include "memlab/pools.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_FRAMES = 12 };

/* One operation of the trace on the pools; 0, or -1 when the allocator
 * returned NULL. */
static int replay_op(const trace_op *op, void **slots)
{
    switch (op->kind) {
    case 'm': slots[op->id] = pool_malloc(op->size); return slots[op->id] ? 0 : -1;
    case 'c': slots[op->id] = pool_calloc(op->size, op->elsize); return slots[op->id] ? 0 : -1;
    case 'r': {
        void *q = pool_realloc(op->id ? slots[op->id] : NULL, op->size);
        if (q == NULL)
            return -1;
        if (op->id)
            slots[op->id] = NULL;
        slots[op->newid] = q;
        return 0;
    }
    default:
        pool_free(slots[op->id]);
        slots[op->id] = NULL;
        return 0;
    }
}

/* Replays the trace at `path` on the pools and draws `nframes` frames at
 * evenly spaced points inside it (a recorded trace frees everything by its
 * end, so its last operation would show an empty heap):
 * trace-<name>-<k>.svg and trace-<name>-over-time.svg. */
static int replay_frames(const char *path, int nframes)
{
    trace t;
    char err[256];
    if (trace_load(path, &t, err, sizeof err) != 0) {
        fprintf(stderr, "demo: %s: %s\n", path, err);
        return 1;
    }
    if (nframes < 1 || nframes > MAX_FRAMES)
        nframes = 4;
    void **slots = calloc(t.nids + 1, sizeof *slots);
    pool_stats frames[MAX_FRAMES] = {{0}};
    char labels[MAX_FRAMES][32];
    const char *label_of[MAX_FRAMES];
    pool_install();
    int k = 0, failed = 0;
    for (size_t i = 0; i < t.nops && !failed; i++) {
        failed = replay_op(&t.ops[i], slots) != 0;
        if (k < nframes && i + 1 == t.nops * (size_t)(k + 1) / (size_t)(nframes + 1)) {
            pool_get_stats(&frames[k]);
            snprintf(labels[k], sizeof labels[k], "after %zu ops", i + 1);
            label_of[k] = labels[k];
            char title[160], name[160];
            snprintf(title, sizeof title, "%s after %zu of %zu operations", t.name, i + 1, t.nops);
            snprintf(name, sizeof name, "trace-%s-%d.svg", t.name, k + 1);
            draw_save(NULL, name, draw_pools_svg(&frames[k], title));
            printf("%-40s %zu arenas, %zu free pools, %zu bytes in blocks\n", title,
                   frames[k].arenas_current, frames[k].free_pools, frames[k].bytes_in_blocks);
            k++;
        }
    }
    if (failed)
        fprintf(stderr, "demo: %s: the allocator returned NULL\n", t.name);
    char name[160];
    snprintf(name, sizeof name, "trace-%s-over-time.svg", t.name);
    draw_save(NULL, name, draw_pools_frames_svg(frames, label_of, (size_t)k));
    for (size_t id = 0; id <= t.nids; id++)
        pool_free(slots[id]);
    printf("heap checker: %s\n", pool_check_heap() == 0 ? "all invariants hold" : "BROKEN");
    pool_uninstall();
    free(slots);
    trace_free(&t);
    return failed;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return replay_frames(argv[1], argc > 2 ? atoi(argv[2]) : 4);
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
