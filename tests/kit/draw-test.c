/*
 * draw-test.c -- exact tests of memlab/draw.h on the reference runtime.
 *
 *     draw-test OUTDIR
 *
 * Asserts the properties every picture must have (the exact text of a small
 * graph, the same heap giving the same text, nothing drawn changing a
 * refcount or a byte, a graph of 10^5 objects cut with a note, differences
 * marked) and writes each drawing of fixed inputs to OUTDIR/<name>, which
 * tests/kit/draw.sh compares with tests/kit/expected/draw/ byte for byte and
 * renders with dot.  Ends with "N passed, M failed".
 */
#include "memlab/cycles.h"
#include "memlab/draw.h"
#include "memlab/generators.h"
#include "memlab/mem.h"
#include "memlab/runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int passed, failed;
static const char *outdir;

static void check(int ok, const char *what)
{
    if (ok) {
        passed++;
        return;
    }
    failed++;
    printf("FAIL: %s\n", what);
}

/* Saves a drawing for the byte-for-byte comparison (keeps `text`). */
static void save(const char *name, const char *text)
{
    check(text != NULL, name);
    if (text) {
        char *copy = strdup(text);
        check(draw_save(outdir, name, copy) == 0, "draw_save writes the file");
    }
}

/* ------------------------------------------------------------ refcount */

static const char small_dot[] =
    "digraph memlab {\n"
    "  graph [rankdir=LR, fontname=\"Helvetica\"];\n"
    "  node [shape=plain, fontname=\"Helvetica\", fontsize=11];\n"
    "  edge [fontname=\"Helvetica\", fontsize=9];\n"
    "  nr0 [shape=plaintext, label=\"a\"];\n"
    "  nr0 -> n0;\n"
    "  n0 [label=<<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"0\" "
    "BGCOLOR=\"#ffffff\"><TR><TD COLSPAN=\"2\"><B>list</B></TD></TR><TR><TD "
    "COLSPAN=\"2\">refcnt 1</TD></TR><TR><TD COLSPAN=\"2\"><I>1 held "
    "outside</I></TD></TR><TR><TD PORT=\"p0\" COLSPAN=\"2\">[0]</TD></TR><TR><TD "
    "PORT=\"p1\" COLSPAN=\"2\">[1]</TD></TR></TABLE>>];\n"
    "  n1 [label=<<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"0\" "
    "BGCOLOR=\"#ffffff\"><TR><TD COLSPAN=\"2\"><B>str</B></TD></TR><TR><TD "
    "COLSPAN=\"2\">'&lt;b&gt;'</TD></TR><TR><TD COLSPAN=\"2\">refcnt 2</TD></TR><TR><TD "
    "COLSPAN=\"2\"><I>1 held outside</I></TD></TR></TABLE>>];\n"
    "  n2 [label=<<TABLE BORDER=\"3\" CELLBORDER=\"1\" CELLSPACING=\"0\" "
    "BGCOLOR=\"#e0e0e0\"><TR><TD COLSPAN=\"2\"><B>NoneType</B></TD></TR><TR><TD "
    "COLSPAN=\"2\">None</TD></TR><TR><TD COLSPAN=\"2\">immortal</TD></TR></TABLE>>];\n"
    "  n0:p0 -> n1;\n"
    "  n0:p1 -> n2;\n"
    "}\n";

static void test_small_graph(void)
{
    ml_object *a = list_new(0), *s = str_from_cstr("<b>");
    list_append(a, s);
    list_append(a, ML_NONE);
    const char *names[] = {"a"};
    draw_opts opt = {.root_names = names};
    ml_ssize_t total = obj_total_refcount(), ra = ML_REFCNT(a), rs = ML_REFCNT(s);
    size_t bytes = mem_current_bytes();
    char *one = draw_objects(&a, 1, &opt), *two = draw_objects(&a, 1, &opt);
    check(one && strcmp(one, small_dot) == 0, "a small graph gives exactly the expected DOT");
    if (one && strcmp(one, small_dot) != 0)
        printf("got:\n%s", one);
    check(one && two && strcmp(one, two) == 0, "the same graph gives the same text");
    check(obj_total_refcount() == total && ML_REFCNT(a) == ra && ML_REFCNT(s) == rs,
          "drawing changes no refcount and not the total");
    check(mem_current_bytes() == bytes, "drawing allocates nothing from the runtime");
    save("refcount-small.dot", one);
    free(one);
    free(two);
    obj_decref(s);
    obj_decref(a);
}

static void test_compare(void)
{
    ml_object *d = dict_new(), *k = str_from_cstr("key"), *v = int_from_long(1000);
    dict_setitem(d, k, v);
    ml_object *objs[] = {v};
    ml_ssize_t want[] = {1};
    draw_opts opt = {
        .title = "refcount of the value", .expect_objs = objs, .expect_refcnt = want, .nexpect = 1};
    char *dot = draw_objects_compare(&d, 1, &opt);
    check(dot && strstr(dot, "refcnt 2 (expected 1)") != NULL,
          "a wrong refcount is shown with the expected one");
    check(dot && strstr(dot, "cluster_expected") && strstr(dot, "cluster_yours"),
          "expected and yours side by side");
    check(dot && strstr(dot, "BGCOLOR=\"#ffb3b3\">refcnt 2") != NULL, "the difference is red");
    save("refcount-compare.dot", dot);
    free(dot);
    obj_decref(k);
    obj_decref(v);
    obj_decref(d);
}

static void test_huge_graph(void)
{
    enum { N = 100000 };
    ml_object *big = list_new(0);
    for (long i = 0; i < N && big; i++) {
        ml_object *item = list_new(0); /* not immortal, every one distinct */
        list_append(big, item);
        obj_decref(item);
    }
    ml_ssize_t total = obj_total_refcount();
    clock_t start = clock();
    char *dot = draw_objects(&big, 1, NULL);
    double seconds = (double)(clock() - start) / CLOCKS_PER_SEC;
    if (dot && getenv("DRAW_DEBUG"))
        fputs(dot, stdout);
    check(dot && strstr(dot, "cut: the first 13 objects are drawn;\\n99988 more reachable") != NULL,
          "10^5 objects are cut with a note saying how many are left out");
    check(dot && strstr(dot, "99988 more not drawn") != NULL, "a long list's slots are cut too");
    check(dot && strlen(dot) < 64 * 1024, "the cut picture is small");
    check(seconds < 5, "drawing 10^5 objects takes seconds at most");
    check(obj_total_refcount() == total, "drawing 10^5 objects changes no refcount");
    free(dot);
    obj_decref(big);
}

/* ------------------------------------------------------------ cycles */

static void test_gc(void)
{
    gc_disable();
    ml_object *a = list_new(0), *b = list_new(0), *keep = list_new(0);
    list_append(a, b);
    list_append(b, a);
    list_append(keep, a);
    ml_object *roots[] = {keep, a};
    const char *names[] = {"keep", "a"};
    draw_opts opt = {.title = "a 2-cycle held by keep", .root_names = names};
    char *dot = draw_gc(roots, 2, &opt);
    check(dot && strstr(dot, "gc_refs 1") && !strstr(dot, "#ffd27f"),
          "a cycle held from outside is reachable");
    save("cycles-held.dot", dot);
    free(dot);
    list_setitem(keep, 0, obj_newref(ML_NONE)); /* drop keep's reference */
    obj_decref(a);
    roots[1] = b;
    names[1] = "b (borrowed)";
    char *before, *after;
    ml_ssize_t found = draw_gc_collect(roots, 1, 2, &opt, &before, &after);
    check(found == 0, "collecting with only keep drawn");
    free(before);
    free(after);
    /* b held by us keeps a reachable too */
    ml_ssize_t total = obj_total_refcount();
    dot = draw_gc(&b, 1, &opt);
    check(dot && strstr(dot, "gc_refs 1") && strstr(dot, "gc_refs 0") && !strstr(dot, "#ffd27f"),
          "after subtract_refs, a has gc_refs 0 but is reachable from b");
    check(obj_total_refcount() == total, "draw_gc changes no refcount");
    free(dot);
    obj_decref(keep);
    obj_decref(b); /* the cycle is garbage; b stays a borrowed pointer until collected */
    dot = draw_gc(&b, 1, &opt);
    check(dot && strstr(dot, "gc_refs 1") == NULL && strstr(dot, "#ffd27f") != NULL,
          "an orphaned 2-cycle is unreachable after subtract_refs");
    free(dot);
    found = draw_gc_collect(&b, 1, 2, &opt, &before, &after);
    check(found == 2, "the orphaned cycle is collected");
    check(after && strstr(after, "n0 [shape=box, style=dashed") && strstr(after, "n1 [shape=box"),
          "after the collection both are drawn freed");
    save("cycles-before.dot", before);
    save("cycles-after.dot", after);
    free(before);
    free(after);
    gc_enable();
}

/* ------------------------------------------------------------ pools, plots, tracing */

static void test_pools(void)
{
    pool_stats s = {0};
    s.arenas_current = s.arenas_highwater = s.arenas_allocated = 1;
    s.usable_arenas = 1;
    s.free_pools = 3;
    s.pools_in_use[1] = 3;
    s.full_pools[1] = 2;
    s.blocks_in_use[1] = 2 * POOL_NUMBLOCKS(1) + POOL_NUMBLOCKS(1) / 2;
    s.pools_in_use[31] = 1;
    s.blocks_in_use[31] = 1;
    s.bytes_in_blocks = s.blocks_in_use[1] * 32 + 512;
    char *svg = draw_pools_svg(&s, NULL);
    check(svg && strstr(svg, "3 pools, 2 full") && strstr(svg, "1 pools, 0 full"),
          "pools: one row per class in use");
    check(svg && strstr(svg, "height=\"6.0\"") != NULL, "a half-full pool is filled halfway");
    save("pools.svg", svg);
    free(svg);
    pool_stats frames[2] = {s, s};
    frames[1].blocks_in_use[1] = 0;
    const char *labels[] = {"start", "end"};
    svg = draw_pools_frames_svg(frames, labels, 2);
    save("pools-frames.svg", svg);
    free(svg);
}

static void test_plot(void)
{
    double x[] = {0, 50, 100}, gen[] = {100, 100, 100}, list[] = {100, 2100, 4100};
    draw_series s[] = {{"generator", x, gen, 3}, {"list", x, list, 3}};
    char *svg = draw_plot_svg("live bytes", "items", "bytes", s, 2);
    /* y = 30 + 230 - 100 / 4100 * 230 */
    check(svg && strstr(svg, "points=\"70.0,254.4 305.0,254.4 540.0,254.4\"") != NULL,
          "a flat line at 100 on a plot scaled to 4100");
    check(svg && strstr(svg, "points=\"70.0,254.4 305.0,142.2 540.0,30.0\"") != NULL,
          "a rising line ends at the top corner");
    save("plot.svg", svg);
    free(svg);
}

static void test_trace(void)
{
    trace_snapshot *old = trace_snapshot_new(1), *now = trace_snapshot_new(1);
    trace_frame f1 = {"app.py", 10}, f2 = {"lib.py", 3};
    trace_snapshot_add(old, 0, 100, &f1, 1, 1);
    trace_snapshot_add(now, 0, 300, &f1, 1, 1);
    trace_snapshot_add(now, 0, 50, &f2, 1, 1);
    trace_snapshot_add(now, 0, 50, &f2, 1, 1);
    trace_stats *st = trace_snapshot_statistics(now, "lineno", 0);
    char *svg = draw_trace_top_svg(st, 10, NULL);
    check(svg && strstr(svg, "app.py:10") && strstr(svg, "2 blocks"), "top sites with counts");
    save("tracing-top.svg", svg);
    free(svg);
    trace_diffs *d = trace_snapshot_compare_to(now, old, "lineno", 0);
    svg = draw_trace_diff_svg(d, 10, NULL);
    check(svg && strstr(svg, "+200 B (now 300 B)"), "compare_to: growth and the new size");
    save("tracing-diff.svg", svg);
    free(svg);
    trace_diffs_free(d);
    trace_stats_free(st);
    trace_snapshot_free(old);
    trace_snapshot_free(now);
}

/* ------------------------------------------------------------ generators */

typedef struct {
    long i;
    ml_object *item;
} walk_locals;
static const size_t walk_refs[] = {GEN_REF(walk_locals, item)};

static ml_object *walk_body(ml_gen *gen)
{
    walk_locals *L = GEN_LOCALS(gen, walk_locals);
    GEN_BEGIN(gen);
    for (L->i = 0; L->i < 3; L->i++)
        GEN_YIELD(gen, int_from_long(L->i));
    GEN_END(gen);
}
static const gen_code walk_code = GEN_CODE("walk", walk_body, walk_locals, walk_refs);

static void test_generator(void)
{
    ml_object *g = gen_new(&walk_code);
    GEN_LOCALS(g, walk_locals)->item = str_from_cstr("held");
    char *dot = draw_generator(g);
    check(dot && strstr(dot, "s0 [shape=ellipse, label=\"GEN_CREATED\", style=filled"),
          "a new generator is CREATED");
    free(dot);
    obj_decref(gen_next(g));
    ml_ssize_t total = obj_total_refcount();
    dot = draw_generator(g);
    check(dot && strstr(dot, "label=\"GEN_SUSPENDED\", style=filled") && strstr(dot, "'held'") &&
              strstr(dot, "line "),
          "suspended at a line, with its locals");
    check(obj_total_refcount() == total, "drawing a generator changes no refcount");
    save("generator.dot", dot);
    free(dot);
    obj_decref(g);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: draw-test OUTDIR\n");
        return 2;
    }
    outdir = argv[1];
    ml_runtime_init();
    test_small_graph();
    test_compare();
    test_huge_graph();
    test_gc();
    test_pools();
    test_plot();
    test_trace();
    test_generator();
    ml_runtime_fini();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
