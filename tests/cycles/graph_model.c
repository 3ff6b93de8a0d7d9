/*
 * graph_model.c -- see graph_model.h.
 */
#include "graph_model.h"

#include "mltest.h"

#include <stdlib.h>
#include <string.h>

void graph_random(graph *g, uint64_t *rng, int n, int nedges, int nroots)
{
    g->n = n;
    g->nedges = nedges;
    g->src = malloc(sizeof(int) * (size_t)(nedges + 1));
    g->dst = malloc(sizeof(int) * (size_t)(nedges + 1));
    for (int e = 0; e < nedges; e++) {
        g->src[e] = (int)ml_rand_below(rng, (uint64_t)n);
        g->dst[e] = (int)ml_rand_below(rng, (uint64_t)n);
    }
    /* distinct roots: a partial Fisher-Yates shuffle of 0..n-1 */
    int *ids = malloc(sizeof(int) * (size_t)n);
    for (int i = 0; i < n; i++)
        ids[i] = i;
    for (int i = 0; i < nroots; i++) {
        int j = i + (int)ml_rand_below(rng, (uint64_t)(n - i));
        int t = ids[i];
        ids[i] = ids[j];
        ids[j] = t;
    }
    g->nroots = nroots;
    g->roots = malloc(sizeof(int) * (size_t)(nroots + 1));
    memcpy(g->roots, ids, sizeof(int) * (size_t)nroots);
    free(ids);
}

void graph_free(graph *g)
{
    free(g->src);
    free(g->dst);
    free(g->roots);
}

long graph_model_collect(const graph *g, unsigned char *collected)
{
    int n = g->n;
    /* adjacency in CSR form */
    int *start = calloc((size_t)n + 1, sizeof(int));
    int *adj = malloc(sizeof(int) * (size_t)(g->nedges + 1));
    for (int e = 0; e < g->nedges; e++)
        start[g->src[e] + 1]++;
    for (int i = 0; i < n; i++)
        start[i + 1] += start[i];
    int *fill = malloc(sizeof(int) * (size_t)(n + 1));
    memcpy(fill, start, sizeof(int) * (size_t)(n + 1));
    for (int e = 0; e < g->nedges; e++)
        adj[fill[g->src[e]]++] = g->dst[e];

    /* reachable from the roots */
    unsigned char *seen = calloc((size_t)n, 1);
    int *stack = malloc(sizeof(int) * (size_t)(n + 1));
    int top = 0;
    for (int r = 0; r < g->nroots; r++) {
        seen[g->roots[r]] = 1;
        stack[top++] = g->roots[r];
    }
    while (top > 0) {
        int v = stack[--top];
        for (int k = start[v]; k < start[v + 1]; k++)
            if (!seen[adj[k]]) {
                seen[adj[k]] = 1;
                stack[top++] = adj[k];
            }
    }
    /* refcounting: an unreachable node with no unreachable referrer dies,
     * and releases its references */
    int *rc = calloc((size_t)n, sizeof(int));
    for (int e = 0; e < g->nedges; e++)
        if (!seen[g->src[e]])
            rc[g->dst[e]]++;
    unsigned char *freed = calloc((size_t)n, 1);
    for (int v = 0; v < n; v++)
        if (!seen[v] && rc[v] == 0)
            stack[top++] = v;
    while (top > 0) {
        int v = stack[--top];
        freed[v] = 1;
        for (int k = start[v]; k < start[v + 1]; k++)
            if (!seen[adj[k]] && --rc[adj[k]] == 0)
                stack[top++] = adj[k];
    }
    long count = 0;
    for (int v = 0; v < n; v++) {
        int c = !seen[v] && !freed[v];
        count += c;
        if (collected)
            collected[v] = (unsigned char)c;
    }
    free(start);
    free(adj);
    free(fill);
    free(seen);
    free(stack);
    free(rc);
    free(freed);
    return count;
}
