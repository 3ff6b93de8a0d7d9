/*
 * graph_model.h -- random graphs of lists and what a collection of them
 * must return, computed without any collector: nodes unreachable from the
 * roots, minus those refcounting frees when the graph is dropped.  (The same
 * model as shared/oracles/gc_oracle.py, which checks it against CPython.)
 */
#ifndef CYCLES_TEST_GRAPH_MODEL_H
#define CYCLES_TEST_GRAPH_MODEL_H

#include <stdint.h>

typedef struct graph {
    int n;      /* nodes 0..n-1 */
    int nedges; /* edge e: node src[e]'s list appends node dst[e] */
    int *src, *dst;
    int nroots; /* distinct node ids kept from outside */
    int *roots;
} graph;

/* Uniform random edges (self loops and duplicates allowed), distinct roots. */
void graph_random(graph *g, uint64_t *rng, int n, int nedges, int nroots);
void graph_free(graph *g);

/* Number of nodes a collection must free; if `collected` is not NULL,
 * collected[i] is set to 1 for those nodes, 0 for the others. */
long graph_model_collect(const graph *g, unsigned char *collected);

#endif
