/*
 * demo.c -- the notebook's tracemalloc cells, replayed in C on the memlab
 * runtime (make demo LAB=tracing [WHO=student]):
 *
 *     import tracemalloc
 *     tracemalloc.start()
 *
 *     def build():                                      # notebook.py:3
 *         return [str(i) * 3 for i in range(100_000)]   # notebook.py:4
 *
 *     data = build()                                    # notebook.py:6
 *     snapshot = tracemalloc.take_snapshot()
 *     top_stats = snapshot.statistics('lineno')
 *     print("[ Top 10 ]")
 *     for stat in top_stats[:10]:
 *         print(stat)
 *
 * The allocations are the ones CPython makes for that line: one str object
 * per item (49 bytes of header + the text), a temporary int per step, and the
 * list's item array grown by realloc with CPython's over-allocation.
 */
#include "memlab/draw.h"
#include "memlab/mem.h"
#include "memlab/tracing.h"

#include <stdio.h>
#include <stdlib.h>

#define N 100000

static void **items;
static size_t nitems, allocated;

/* list.append: grow the item array as list_resize does (n + n/8 + 6, rounded
 * down to a multiple of 4). */
static void list_append(void *item)
{
    if (nitems == allocated) {
        allocated = (nitems + 1 + ((nitems + 1) >> 3) + 6) & ~(size_t)3;
        items = mem_realloc(MEM_DOMAIN_MEM, items, allocated * sizeof *items);
    }
    items[nitems++] = item;
}

static void build(void)
{
    ML_FRAME_ENTER("notebook.py", 4, "build");
    void *list = mem_malloc(MEM_DOMAIN_OBJ, 56); /* the list object */
    for (int i = 0; i < N; i++) {
        void *tmp = mem_malloc(MEM_DOMAIN_OBJ, 28); /* str(i), then * 3 */
        int digits = snprintf(NULL, 0, "%d", i);
        list_append(mem_malloc(MEM_DOMAIN_OBJ, 49 + 3 * (size_t)digits));
        mem_free(MEM_DOMAIN_OBJ, tmp);
    }
    ML_FRAME_EXIT();
    mem_free(MEM_DOMAIN_OBJ, list); /* `data` is dropped here; its items stay in `items` */
}

int main(void)
{
    ML_FRAME_ENTER("notebook.py", 1, "<module>");
    if (trace_start(1) < 0) {
        printf("tracemalloc.start() failed: %s\n", trace_error_message());
        return 1;
    }
    /* def build(): the function object, 552 bytes in 2 blocks on CPython 3.11 */
    ML_LINE(3);
    void *function[2] = {mem_malloc(MEM_DOMAIN_OBJ, 152), mem_malloc(MEM_DOMAIN_OBJ, 400)};
    ML_LINE(6);
    build();
    trace_snapshot *snapshot = trace_take_snapshot();
    trace_stats *top = snapshot ? trace_snapshot_statistics(snapshot, "lineno", 0) : NULL;
    if (!top) {
        printf("take_snapshot/statistics failed: %s\n", trace_error_message());
        return 1;
    }
    char line[512];
    printf("[ Top 10 ]\n");
    for (size_t i = 0; i < top->len && i < 10; i++) {
        trace_format_statistic(line, sizeof line, &top->items[i]);
        printf("%s\n", line);
    }
    draw_save(NULL, "1-top-sites.svg",
              draw_trace_top_svg(top, 10, "snapshot.statistics('lineno')"));
    size_t current, peak;
    trace_get_traced_memory(&current, &peak);
    char a[32], b[32];
    trace_format_size(a, sizeof a, (double)current, 0);
    trace_format_size(b, sizeof b, (double)peak, 0);
    printf("\ntraced memory: current %s, peak %s; tracer's own memory: %zu bytes\n", a, b,
           trace_get_tracemalloc_memory());

    trace_stats_free(top);
    for (size_t i = 0; i < nitems; i++)
        mem_free(MEM_DOMAIN_OBJ, items[i]);
    mem_free(MEM_DOMAIN_MEM, items);
    mem_free(MEM_DOMAIN_OBJ, function[0]);
    mem_free(MEM_DOMAIN_OBJ, function[1]);
    if (getenv("MEMLAB_PICTURES")) { /* everything freed: what compare_to says */
        trace_snapshot *later = trace_take_snapshot();
        trace_diffs *d = later ? trace_snapshot_compare_to(later, snapshot, "lineno", 0) : NULL;
        draw_save(NULL, "2-compare-to.svg",
                  draw_trace_diff_svg(d, 10, "after freeing: compare_to"));
        trace_diffs_free(d);
        trace_snapshot_free(later);
    }
    trace_snapshot_free(snapshot);
    trace_stop();
    ML_FRAME_EXIT();
    return 0;
}
