/*
 * Random graphs of lists: collect() must return what a plain model of
 * reachability and refcounting predicts (the same model the CPython oracle
 * checks in tests/kit/cycles-oracle.sh).
 */
#include "cycles_test.h"
#include "graph_model.h"
#include "mltest.h"

#include <stdlib.h>

/* Build n lists with `edges` appends, keep `roots`, drop the rest; return
 * collect(); *expected gets the model's answer. */
static ml_ssize_t run_graph(const graph *g, ml_ssize_t *expected)
{
    ml_object **lists = malloc((size_t)g->n * sizeof *lists);
    for (int i = 0; i < g->n; i++)
        lists[i] = must(list_new(0), "list_new");
    for (int e = 0; e < g->nedges; e++)
        list_append(lists[g->src[e]], lists[g->dst[e]]);
    ml_object *held = must(list_new(0), "list_new");
    for (int r = 0; r < g->nroots; r++)
        list_append(held, lists[g->roots[r]]);
    for (int i = g->n; --i >= 0;) /* like `del nodes`: last first */
        obj_decref(lists[i]);
    free(lists);
    *expected = graph_model_collect(g, NULL);
    ml_ssize_t got = gc_collect(2);
    obj_decref(held);
    gc_collect(2);
    return got;
}

ML_TEST(random_list_graphs_collect_what_the_model_predicts, .points = 3,
        .description = "60 seeded random graphs of lists (self loops, duplicates, roots): "
                       "collect() returns the number of unreachable lists refcounting left",
        .hint = "handout §2", .parent = "collect_counts_only_the_unreachable_part", .timeout = 10,
        .tags = "stress")
{
    uint64_t rng = ml_test_seed();
    gc_disable();
    for (int round = 0; round < 60; round++) {
        int n = 1 + (int)ml_rand_below(&rng, 120);
        graph g;
        graph_random(&g, &rng, n, (int)ml_rand_below(&rng, 3 * (uint64_t)n + 1),
                     (int)ml_rand_below(&rng, (uint64_t)(n < 4 ? n : 4) + 1));
        ml_ssize_t expected;
        ml_ssize_t got = run_graph(&g, &expected);
        graph_free(&g);
        ck_assert_msg(got == expected, "round %d (n=%d): collect() %zd, model %zd", round, n, got,
                      expected);
    }
    gc_generation_stats st[3];
    gc_get_stats(st);
    ck_assert_int_eq(st[2].uncollectable, 0);
}
