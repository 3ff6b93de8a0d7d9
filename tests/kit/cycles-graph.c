/*
 * cycles-graph.c -- the C side of the cycle collector's differential test.
 *
 *     cycles-graph GRAPHFILE
 *
 * Reads a graph in gc_oracle.py's file format (memlabs-gcgraph 1), does what
 * `gc_oracle.py run` does in CPython -- build N lists, append the edges, keep
 * the roots, drop the rest, collect once; then again under DEBUG_SAVEALL to
 * learn which lists were collected -- on the reference runtime, and prints
 * the same `key value` lines (all but the interpreter version and the
 * oracle's own model).  tests/kit/cycles-oracle.sh diffs the two.
 */
#include "memlab/cycles.h"
#include "memlab/errors.h"
#include "memlab/runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct graph {
    long n, nedges, nroots;
    long *src, *dst, *roots;
} graph;

/* ------------------------------------------------------------ reading the file */

static void fail(const char *what)
{
    fprintf(stderr, "cycles-graph: %s\n", what);
    exit(2);
}

/* Next number after an optional keyword, skipping '#' comments. */
static long next_number(FILE *f, const char *keyword)
{
    char word[64];
    for (;;) {
        if (fscanf(f, "%63s", word) != 1)
            fail("unexpected end of file");
        if (word[0] == '#') {
            int c;
            while ((c = fgetc(f)) != EOF && c != '\n')
                ;
            continue;
        }
        if (keyword != NULL) {
            if (strcmp(word, keyword) != 0)
                fail("unexpected keyword");
            keyword = NULL;
            continue;
        }
        char *end;
        long v = strtol(word, &end, 10);
        if (*end != '\0')
            fail("not a number");
        return v;
    }
}

static void read_graph(const char *path, graph *g)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        fail("cannot open the graph file");
    char magic[64], version[16];
    if (fscanf(f, "%63s %15s", magic, version) != 2 || strcmp(magic, "memlabs-gcgraph") != 0 ||
        strcmp(version, "1") != 0)
        fail("first line must be 'memlabs-gcgraph 1'");
    g->n = next_number(f, "nodes");
    g->nedges = next_number(f, "edges");
    g->src = malloc(sizeof(long) * (size_t)(g->nedges + 1));
    g->dst = malloc(sizeof(long) * (size_t)(g->nedges + 1));
    for (long e = 0; e < g->nedges; e++) {
        g->src[e] = next_number(f, NULL);
        g->dst[e] = next_number(f, NULL);
        if (g->src[e] < 0 || g->src[e] >= g->n || g->dst[e] < 0 || g->dst[e] >= g->n)
            fail("edge out of range");
    }
    g->nroots = next_number(f, "roots");
    g->roots = malloc(sizeof(long) * (size_t)(g->nroots + 1));
    for (long r = 0; r < g->nroots; r++)
        g->roots[r] = next_number(f, NULL);
    fclose(f);
}

/* ------------------------------------------------------------ the model's first half */

/* Nodes not reachable from a root (the oracle prints this one from its model). */
static long count_unreachable(const graph *g)
{
    long *start = calloc((size_t)g->n + 2, sizeof(long)); /* out-edges, CSR form */
    long *adj = malloc(sizeof(long) * (size_t)(g->nedges + 1));
    for (long e = 0; e < g->nedges; e++)
        start[g->src[e] + 2]++;
    for (long i = 0; i < g->n; i++)
        start[i + 2] += start[i + 1];
    for (long e = 0; e < g->nedges; e++)
        adj[start[g->src[e] + 1]++] = g->dst[e];
    char *seen = calloc((size_t)g->n + 1, 1);
    long *stack = malloc(sizeof(long) * (size_t)(g->n + 1));
    long top = 0, reached = 0;
    for (long r = 0; r < g->nroots; r++) {
        seen[g->roots[r]] = 1;
        stack[top++] = g->roots[r];
    }
    while (top > 0) {
        long v = stack[--top];
        reached++;
        for (long k = start[v]; k < start[v + 1]; k++)
            if (!seen[adj[k]]) {
                seen[adj[k]] = 1;
                stack[top++] = adj[k];
            }
    }
    free(start);
    free(adj);
    free(seen);
    free(stack);
    return g->n - reached;
}

/* ------------------------------------------------------------ one run */

typedef struct run_result {
    ml_ssize_t collect, again;
    long freed_by_refcount;
    gc_callback_info start, stop;
    int calls;
    long *garbage_ids; /* under SAVEALL: ids in gc.garbage order */
    long ngarbage, foreign;
} run_result;

static void record(const char *phase, const gc_callback_info *info, void *ctx)
{
    run_result *r = ctx;
    if (strcmp(phase, "start") == 0)
        r->start = *info;
    else
        r->stop = *info;
    r->calls++;
}

static ml_ssize_t tracked_now(void)
{
    return gc_generation_size(0) + gc_generation_size(1) + gc_generation_size(2);
}

typedef struct id_of {
    ml_object *op;
    long id;
} id_of;

static int by_address(const void *a, const void *b)
{
    const id_of *x = a, *y = b;
    return x->op < y->op ? -1 : x->op > y->op;
}

static void run(const graph *g, int saveall, run_result *r)
{
    memset(r, 0, sizeof *r);
    gc_disable();
    gc_collect(2);
    ml_ssize_t base = tracked_now();
    ml_object **nodes = malloc(sizeof(ml_object *) * (size_t)(g->n + 1));
    for (long i = 0; i < g->n; i++)
        nodes[i] = list_new(0);
    for (long e = 0; e < g->nedges; e++)
        list_append(nodes[g->src[e]], nodes[g->dst[e]]);
    ml_object *held = list_new(0);
    for (long k = 0; k < g->nroots; k++)
        list_append(held, nodes[g->roots[k]]);

    /* Remember who is who before letting go (only read under SAVEALL). */
    id_of *ids = malloc(sizeof(id_of) * (size_t)(g->n + 1));
    for (long i = 0; i < g->n; i++)
        ids[i] = (id_of){nodes[i], i};
    qsort(ids, (size_t)g->n, sizeof *ids, by_address);

    for (long i = g->n; --i >= 0;) /* `del nodes`: a list releases its items last first */
        obj_decref(nodes[i]);
    free(nodes);
    r->freed_by_refcount = g->n - (long)(tracked_now() - base - 1);

    gc_callbacks_add(record, r);
    if (saveall)
        gc_set_debug(GC_DEBUG_SAVEALL);
    r->collect = gc_collect(2);
    gc_set_debug(0);
    gc_callbacks_remove(record, r);

    if (saveall) {
        ml_object *garbage = gc_garbage();
        ml_ssize_t n = list_size(garbage);
        r->garbage_ids = malloc(sizeof(long) * (size_t)(n + 1));
        for (ml_ssize_t i = 0; i < n; i++) {
            id_of key = {list_getitem(garbage, i), 0};
            id_of *hit = bsearch(&key, ids, (size_t)g->n, sizeof *ids, by_address);
            if (hit == NULL || !list_check(key.op))
                r->foreign++;
            else
                r->garbage_ids[r->ngarbage++] = hit->id;
        }
        /* `del gc.garbage[:]`: clear the saved cycles and let them go */
        for (ml_ssize_t i = 0; i < n; i++) {
            ml_object *op = list_getitem(garbage, i);
            obj_incref(op);
            ML_TYPE(op)->tp_clear(op);
            obj_decref(op);
        }
        for (ml_ssize_t i = 0; i < n; i++)
            list_setitem(garbage, i, ML_NONE);
        gc_reset_state(); /* empties gc.garbage; the disable below restores the rest */
        gc_disable();
    }
    free(ids);
    r->again = gc_collect(2);
    obj_decref(held);
    gc_collect(2);
}

static int by_value(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return x < y ? -1 : x > y;
}

static void print_info(const char *phase, const gc_callback_info *info)
{
    printf("callback %s collected=%zd generation=%d uncollectable=%zd\n", phase, info->collected,
           info->generation, info->uncollectable);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: cycles-graph GRAPHFILE\n");
        return 2;
    }
    graph g;
    read_graph(argv[1], &g);
    ml_runtime_init();

    run_result plain, saved;
    run(&g, 0, &plain);
    run(&g, 1, &saved);

    printf("nodes %ld\nedges %ld\nroots %ld\n", g.n, g.nedges, g.nroots);
    printf("unreachable %ld\n", count_unreachable(&g));
    printf("freed_by_refcount %ld\n", plain.freed_by_refcount);
    printf("collect %zd\n", plain.collect);
    printf("collect_again %zd\n", plain.again);
    if (plain.calls == 2) {
        print_info("start", &plain.start);
        print_info("stop", &plain.stop);
    }
    printf("collect_saveall %zd\n", saved.collect);
    long *sorted = malloc(sizeof(long) * (size_t)(saved.ngarbage + 1));
    memcpy(sorted, saved.garbage_ids, sizeof(long) * (size_t)saved.ngarbage);
    qsort(sorted, (size_t)saved.ngarbage, sizeof(long), by_value);
    printf("collected_ids");
    for (long i = 0; i < saved.ngarbage; i++)
        printf(" %ld", sorted[i]);
    printf("\ngarbage_order");
    for (long i = 0; i < saved.ngarbage; i++)
        printf(" %ld", saved.garbage_ids[i]);
    printf("\nforeign_garbage %ld\n", saved.foreign);

    free(sorted);
    free(saved.garbage_ids);
    free(g.src);
    free(g.dst);
    free(g.roots);
    ml_runtime_fini();
    return 0;
}
