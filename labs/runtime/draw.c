/*
 * draw.c -- pictures of the heap (given code).  Contracts in memlab/draw.h.
 *
 * Every picture is built in two steps: a walk that reads the heap (never
 * writing to it) into a small private model -- `struct graph`, objects in
 * breadth-first order with their outgoing references -- and a writer that
 * turns the model into text.  Memory for both comes from the C library, not
 * from the runtime's domains, so drawing is invisible to the memory
 * statistics, to the tracer and to the collector's allocation count.
 */
#include "memlab/draw.h"

#include "memlab/cycles.h"
#include "memlab/generators.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ==================================================================== text */

struct text {
    char *s;
    size_t len, cap;
    int failed; /* an allocation failed: the result is NULL */
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct text *t, const char *fmt, ...)
{
    for (int tries = 0; tries < 2 && !t->failed; tries++) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = t->cap - t->len;
        int n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? room : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = 1;
        } else if ((size_t)n < room) {
            t->len += (size_t)n;
            return;
        } else {
            size_t cap = (t->cap + (size_t)n + 1) * 2;
            char *s = realloc(t->s, cap);
            if (s == NULL)
                t->failed = 1;
            t->s = s ? s : t->s;
            t->cap = s ? cap : t->cap;
        }
    }
}

/* The finished string, or NULL (and nothing kept) after a failure. */
static char *take(struct text *t)
{
    if (t->failed || t->s == NULL) {
        free(t->s);
        return NULL;
    }
    return t->s;
}

/* `s` escaped for an HTML-like DOT label or for SVG text (both XML), cut to
 * DRAW_MAX_LABEL characters; bytes outside printable ASCII become '?'. */
static void put_escaped_max(struct text *t, const char *s, size_t max)
{
    size_t n = 0;
    for (; s && *s && n < max; s++, n++) {
        unsigned char c = (unsigned char)*s;
        if (c == '&')
            put(t, "&amp;");
        else if (c == '<')
            put(t, "&lt;");
        else if (c == '>')
            put(t, "&gt;");
        else if (c == '"')
            put(t, "&quot;");
        else
            put(t, "%c", c >= 32 && c < 127 ? c : '?');
    }
    if (s && *s)
        put(t, "...");
}

static void put_escaped(struct text *t, const char *s) { put_escaped_max(t, s, DRAW_MAX_LABEL); }

/* Titles and headings are the caller's own text: longer. */
#define DRAW_MAX_TITLE 100
static void put_title(struct text *t, const char *s) { put_escaped_max(t, s, DRAW_MAX_TITLE); }

/* ==================================================================== the model */

/* One reference out of a node: its slot's name and the node it points to
 * (-1: NULL, or an object past the cut). */
struct edge {
    char slot[32];
    long to;
};

struct node {
    const ml_object *op;
    ml_ssize_t refcnt; /* read during the walk */
    char name[48];     /* the namer's or the type's */
    char value[DRAW_MAX_LABEL + 8];
    int has_value;
    struct edge *edges;
    size_t nedges;
    size_t hidden_slots; /* slots past DRAW_MAX_SLOTS */
    long indegree;       /* edges drawn into it */
    /* cycles */
    int tracked, finalizer, legacy;
    int immortal;
    long gc_refs;
    int reachable; /* from outside the drawn set (gc_refs > 0 or from such a node) */
};

struct graph {
    struct node *nodes;
    size_t len, cap, max;
    size_t left_out;           /* objects reachable past the cut (counted up to DRAW_COUNT_LIMIT) */
    int counted_all;           /* left_out is exact */
    const ml_object **pending; /* counted objects, in the order met, to expand */
    /* open-addressing set: address -> node index + 1 (0 empty) or a counted mark */
    const ml_object **keys;
    long *vals;
    size_t slots;
    int failed;
};

static size_t hash_ptr(const void *p, size_t slots)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)(x & (slots - 1));
}

/* The set's slot for p (its own, or the empty one where it would go). */
static size_t set_find(const struct graph *g, const ml_object *p)
{
    size_t i = hash_ptr(p, g->slots);
    while (g->keys[i] != NULL && g->keys[i] != p)
        i = (i + 1) & (g->slots - 1);
    return i;
}

static int set_grow(struct graph *g)
{
    size_t slots = g->slots ? g->slots * 2 : 256;
    const ml_object **keys = calloc(slots, sizeof *keys);
    long *vals = calloc(slots, sizeof *vals);
    if (keys == NULL || vals == NULL) {
        free(keys);
        free(vals);
        g->failed = 1;
        return -1;
    }
    struct graph old = *g;
    g->keys = keys;
    g->vals = vals;
    g->slots = slots;
    for (size_t i = 0; i < old.slots; i++)
        if (old.keys[i]) {
            size_t j = set_find(g, old.keys[i]);
            g->keys[j] = old.keys[i];
            g->vals[j] = old.vals[i];
        }
    free(old.keys);
    free(old.vals);
    return 0;
}

/* The value stored for p, or 0 when p was never seen. */
static long set_get(const struct graph *g, const ml_object *p)
{
    return g->slots ? g->vals[set_find(g, p)] : 0;
}

static int set_put(struct graph *g, const ml_object *p, long v)
{
    size_t used = g->len + g->left_out + 1;
    if ((used * 2 >= g->slots) && set_grow(g) != 0)
        return -1;
    size_t i = set_find(g, p);
    g->keys[i] = p;
    g->vals[i] = v;
    return 0;
}

static void graph_free(struct graph *g)
{
    for (size_t i = 0; i < g->len; i++)
        free(g->nodes[i].edges);
    free(g->nodes);
    free(g->keys);
    free(g->vals);
    free(g->pending);
}

static int is_type(const ml_object *op, const ml_type *type) { return ML_TYPE(op) == type; }

/* The value shown inside a node: only the given scalar types, read
 * directly (no repr call that could allocate). */
static void node_value(struct node *n, const ml_object *op)
{
    n->has_value = 1;
    if (is_type(op, &ml_int_type))
        snprintf(n->value, sizeof n->value, "%ld", ((const ml_int *)op)->value);
    else if (is_type(op, &ml_str_type))
        snprintf(n->value, sizeof n->value, "'%.*s'", DRAW_MAX_LABEL, ((const ml_str *)op)->data);
    else if (op == ML_NONE)
        snprintf(n->value, sizeof n->value, "None");
    else if (op == ML_TRUE || op == ML_FALSE)
        snprintf(n->value, sizeof n->value, "%s", op == ML_TRUE ? "True" : "False");
    else
        n->has_value = 0;
}

/* A node for op, appended in walk order; its index, or -1. */
static long node_add(struct graph *g, const ml_object *op, const draw_opts *opt)
{
    if (g->len == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 16;
        struct node *nodes = realloc(g->nodes, cap * sizeof *nodes);
        if (nodes == NULL) {
            g->failed = 1;
            return -1;
        }
        g->nodes = nodes;
        g->cap = cap;
    }
    struct node *n = &g->nodes[g->len];
    memset(n, 0, sizeof *n);
    n->op = op;
    n->refcnt = ML_REFCNT(op);
    n->immortal = obj_is_immortal(op);
    const char *name = opt && opt->namer ? opt->namer(op, n->name, sizeof n->name) : NULL;
    if (name != n->name)
        snprintf(n->name, sizeof n->name, "%s", name ? name : ML_TYPE(op)->tp_name);
    node_value(n, op);
    if (ML_TYPE(op)->tp_flags & ML_TPFLAGS_HAVE_GC) {
        n->tracked = gc_is_tracked(op);
        n->finalizer = ML_TYPE(op)->tp_finalize != NULL;
        n->legacy = ML_TYPE(op)->tp_del != NULL;
    }
    if (set_put(g, op, (long)g->len + 1) != 0)
        return -1;
    return (long)g->len++;
}

static int edge_add(struct graph *g, struct node *n, const char *slot, long to)
{
    if ((n->nedges & (n->nedges + 1)) == 0 || n->nedges == 0) {
        struct edge *e = realloc(n->edges, (n->nedges * 2 + 2) * sizeof *e);
        if (e == NULL) {
            g->failed = 1;
            return -1;
        }
        n->edges = e;
    }
    snprintf(n->edges[n->nedges].slot, sizeof n->edges[n->nedges].slot, "%s", slot);
    n->edges[n->nedges++].to = to;
    return 0;
}

/* ------------------------------------------------------------ the walk */

/* What the walk does with each reference of the object being expanded. */
struct visit {
    struct graph *g;
    const draw_opts *opt;
    long from;   /* node being expanded, -1 while only counting */
    size_t seen; /* references of it met so far */
};

/* A child met: its node index (added when new and room is left), or -1
 * when past the cut (then counted once). */
static long reach(struct visit *v, const ml_object *child)
{
    struct graph *g = v->g;
    long known = set_get(g, child);
    if (known > 0)
        return known - 1;
    if (known < 0)
        return -1;
    if (g->len < g->max)
        return node_add(g, child, v->opt);
    if (g->left_out < DRAW_COUNT_LIMIT) {
        if ((g->left_out & (g->left_out - 1)) == 0) {
            const ml_object **p = realloc(g->pending, (g->left_out * 2 + 1) * sizeof *p);
            if (p == NULL) {
                g->failed = 1;
                return -1;
            }
            g->pending = p;
        }
        g->pending[g->left_out++] = child;
        set_put(g, child, -1);
    } else {
        g->counted_all = 0;
    }
    return -1;
}

static void meet(struct visit *v, const char *slot, const ml_object *child)
{
    if (child == NULL)
        return;
    v->seen++;
    struct graph *g = v->g;
    if (v->from < 0) {
        reach(v, child);
        return;
    }
    if (g->nodes[v->from].nedges >= DRAW_MAX_SLOTS) {
        /* a slot not drawn: its object is not drawn either (no dangling node) */
        size_t max = g->max;
        g->max = 0;
        reach(v, child);
        g->max = max;
        g->nodes[v->from].hidden_slots++;
        return;
    }
    long to = reach(v, child);
    edge_add(g, &g->nodes[v->from], slot, to);
}

static int visit_traverse(ml_object *child, void *arg)
{
    struct visit *v = arg;
    char slot[32];
    snprintf(slot, sizeof slot, "ref %zu", v->seen);
    meet(v, slot, child);
    return 0;
}

/* Every reference op owns, in a fixed order: containers by slot, other GC
 * objects through tp_traverse (which only reads). */
static void expand(struct visit *v, const ml_object *op)
{
    char slot[32];
    if (is_type(op, &ml_list_type) || is_type(op, &ml_tuple_type)) {
        int list = is_type(op, &ml_list_type);
        ml_object *const *items =
            list ? ((const ml_list *)op)->ob_item : ((const ml_tuple *)op)->ob_item;
        for (ml_ssize_t i = 0; items && i < ML_SIZE(op); i++) {
            snprintf(slot, sizeof slot, list ? "[%td]" : "(%td)", i);
            meet(v, slot, items[i]);
        }
    } else if (is_type(op, &ml_dict_type)) {
        const ml_dict *d = (const ml_dict *)op;
        for (ml_ssize_t i = 0; d->entries && i < d->nentries; i++) {
            if (d->entries[i].key == NULL)
                continue;
            snprintf(slot, sizeof slot, "key %td", i);
            meet(v, slot, d->entries[i].key);
            snprintf(slot, sizeof slot, "value %td", i);
            meet(v, slot, d->entries[i].value);
        }
    } else if (ML_TYPE(op)->tp_traverse != NULL) {
        ML_TYPE(op)->tp_traverse((ml_object *)op, visit_traverse, v);
    }
}

/* The walk: roots first, then breadth-first; nodes past the cut are still
 * expanded (edges not kept) to count what is left out. */
static int walk(struct graph *g, ml_object *const *roots, size_t n, const draw_opts *opt)
{
    memset(g, 0, sizeof *g);
    g->max = opt && opt->max_nodes ? opt->max_nodes : DRAW_DEFAULT_MAX_NODES;
    g->counted_all = 1;
    struct visit v = {g, opt, -1, 0};
    for (size_t i = 0; i < n; i++)
        if (roots[i])
            reach(&v, roots[i]);
    for (size_t i = 0; i < g->len && !g->failed; i++) {
        v.from = (long)i;
        v.seen = 0;
        expand(&v, g->nodes[i].op);
    }
    /* what lies past the cut: expanded too, without edges, to count it
     * (the list grows while it is walked, up to DRAW_COUNT_LIMIT) */
    v.from = -1;
    for (size_t i = 0; i < g->left_out && !g->failed; i++)
        expand(&v, g->pending[i]);
    for (size_t i = 0; i < g->len; i++)
        for (size_t e = 0; e < g->nodes[i].nedges; e++)
            if (g->nodes[i].edges[e].to >= 0)
                g->nodes[g->nodes[i].edges[e].to].indegree++;
    return g->failed ? -1 : 0;
}

/* ==================================================================== DOT */

static const char *root_name(const draw_opts *opt, size_t i, char *buf, size_t size)
{
    if (opt && opt->root_names && opt->root_names[i])
        return opt->root_names[i];
    snprintf(buf, size, "root %zu", i);
    return buf;
}

/* The expected refcount of op, or -1 when none is given. */
static ml_ssize_t expected_of(const draw_opts *opt, const ml_object *op)
{
    for (size_t i = 0; opt && i < opt->nexpect; i++)
        if (opt->expect_objs[i] == op)
            return opt->expect_refcnt[i];
    return -1;
}

/* How a node is drawn: which refcount it shows and in what colour. */
enum view { VIEW_PLAIN, VIEW_EXPECTED, VIEW_ACTUAL, VIEW_GC, VIEW_AFTER };

static void put_refcnt_row(struct text *t, const struct node *n, const draw_opts *opt,
                           enum view view)
{
    ml_ssize_t want = expected_of(opt, n->op);
    if (n->immortal) {
        put(t, "<TR><TD COLSPAN=\"2\">immortal</TD></TR>");
        return;
    }
    ml_ssize_t shown = view == VIEW_EXPECTED && want >= 0 ? want : n->refcnt;
    int wrong = view == VIEW_ACTUAL && want >= 0 && want != n->refcnt;
    put(t, "<TR><TD COLSPAN=\"2\"%s>refcnt %td", wrong ? " BGCOLOR=\"#ffb3b3\"" : "", shown);
    if (wrong)
        put(t, " (expected %td)", want);
    put(t, "</TD></TR>");
    if (shown > n->indegree && view != VIEW_GC)
        put(t, "<TR><TD COLSPAN=\"2\"><I>%td held outside</I></TD></TR>", shown - n->indegree);
}

static void put_gc_rows(struct text *t, const struct node *n, enum view view)
{
    if (!n->tracked) {
        put(t, "<TR><TD COLSPAN=\"2\">untracked</TD></TR>");
        return;
    }
    if (view == VIEW_GC)
        put(t, "<TR><TD COLSPAN=\"2\">gc_refs %ld</TD></TR>", n->gc_refs);
    if (n->legacy)
        put(t, "<TR><TD COLSPAN=\"2\">legacy finalizer</TD></TR>");
    else if (n->finalizer)
        put(t, "<TR><TD COLSPAN=\"2\">finalizer</TD></TR>");
}

static const char *node_fill(const struct node *n, const draw_opts *opt, enum view view)
{
    if (n->immortal)
        return "#e0e0e0";
    if (view == VIEW_ACTUAL && expected_of(opt, n->op) >= 0 && expected_of(opt, n->op) != n->refcnt)
        return "#ffe0e0";
    if (view == VIEW_GC && n->tracked && !n->reachable)
        return n->legacy ? "#ff9f9f" : "#ffd27f";
    if (view == VIEW_GC && !n->tracked)
        return "#eeeeee";
    return "#ffffff";
}

static void put_node(struct text *t, const char *prefix, size_t i, const struct node *n,
                     const draw_opts *opt, enum view view)
{
    put(t,
        "  %s%zu [label=<<TABLE BORDER=\"%d\" CELLBORDER=\"1\" CELLSPACING=\"0\" BGCOLOR=\"%s\">",
        prefix, i, n->immortal ? 3 : 0, node_fill(n, opt, view));
    put(t, "<TR><TD COLSPAN=\"2\"><B>");
    put_escaped(t, n->name);
    put(t, "</B></TD></TR>");
    if (n->has_value) {
        put(t, "<TR><TD COLSPAN=\"2\">");
        put_escaped(t, n->value);
        put(t, "</TD></TR>");
    }
    if (view == VIEW_GC || view == VIEW_AFTER)
        put_gc_rows(t, n, view);
    if (view != VIEW_AFTER)
        put_refcnt_row(t, n, opt, view);
    for (size_t e = 0; e < n->nedges; e++) {
        put(t, "<TR><TD PORT=\"p%zu\" COLSPAN=\"2\">", e);
        put_escaped(t, n->edges[e].slot);
        put(t, "</TD></TR>");
    }
    if (n->hidden_slots)
        put(t, "<TR><TD COLSPAN=\"2\"><I>%zu more not drawn</I></TD></TR>", n->hidden_slots);
    put(t, "</TABLE>>];\n");
}

static void put_edges(struct text *t, const char *prefix, size_t i, const struct node *n)
{
    for (size_t e = 0; e < n->nedges; e++) {
        if (n->edges[e].to >= 0)
            put(t, "  %s%zu:p%zu -> %s%ld;\n", prefix, i, e, prefix, n->edges[e].to);
        else
            put(t, "  %s%zu:p%zu -> %scut [style=dotted];\n", prefix, i, e, prefix);
    }
}

static void put_cut_note(struct text *t, const char *prefix, const struct graph *g)
{
    if (g->left_out == 0)
        return;
    put(t,
        "  %scut [shape=note, style=filled, fillcolor=\"#fff6c0\", label=\"cut: the first %zu "
        "objects are drawn;\\n%s%zu more reachable not drawn\"];\n",
        prefix, g->len, g->counted_all ? "" : "at least ", g->left_out);
}

static void put_roots(struct text *t, const char *prefix, const struct graph *g,
                      ml_object *const *roots, size_t n, const draw_opts *opt)
{
    char buf[32];
    for (size_t i = 0; i < n; i++) {
        if (roots[i] == NULL)
            continue;
        put(t, "  %sr%zu [shape=plaintext, label=\"", prefix, i);
        put_escaped(t, root_name(opt, i, buf, sizeof buf));
        put(t, "\"];\n  %sr%zu -> %s%ld;\n", prefix, i, prefix, set_get(g, roots[i]) - 1);
    }
}

static void put_body(struct text *t, const char *prefix, const struct graph *g,
                     ml_object *const *roots, size_t n, const draw_opts *opt, enum view view)
{
    put_roots(t, prefix, g, roots, n, opt);
    for (size_t i = 0; i < g->len; i++)
        put_node(t, prefix, i, &g->nodes[i], opt, view);
    for (size_t i = 0; i < g->len; i++)
        put_edges(t, prefix, i, &g->nodes[i]);
    put_cut_note(t, prefix, g);
}

static void put_header(struct text *t, const draw_opts *opt)
{
    put(t, "digraph memlab {\n  graph [rankdir=LR, fontname=\"Helvetica\"");
    if (opt && opt->title) {
        put(t, ", labelloc=t, label=<");
        put_title(t, opt->title);
        put(t, ">");
    }
    put(t, "];\n  node [shape=plain, fontname=\"Helvetica\", fontsize=11];\n"
           "  edge [fontname=\"Helvetica\", fontsize=9];\n");
}

/* The walk, then one picture (compare 0) or the expected and yours side by
 * side (compare 1). */
static char *objects_picture(ml_object *const *roots, size_t n, const draw_opts *opt, int compare)
{
    struct graph g;
    struct text t = {0};
    if (walk(&g, roots, n, opt) != 0)
        t.failed = 1;
    put_header(&t, opt);
    if (compare) {
        put(&t, "  subgraph cluster_expected {\n  label=\"expected\";\n");
        put_body(&t, "e", &g, roots, n, opt, VIEW_EXPECTED);
        put(&t, "  }\n  subgraph cluster_yours {\n  label=\"yours\";\n");
        put_body(&t, "a", &g, roots, n, opt, VIEW_ACTUAL);
        put(&t, "  }\n");
    } else {
        put_body(&t, "n", &g, roots, n, opt, VIEW_PLAIN);
    }
    put(&t, "}\n");
    graph_free(&g);
    return take(&t);
}

char *draw_objects(ml_object *const *roots, size_t n, const draw_opts *opt)
{
    return objects_picture(roots, n, opt, 0);
}

char *draw_objects_compare(ml_object *const *roots, size_t n, const draw_opts *opt)
{
    return objects_picture(roots, n, opt, 1);
}

char *draw_refcount_mismatch(ml_object *root, ml_object *const *objs, const ml_ssize_t *want,
                             size_t n, const char *title)
{
    size_t wrong = 0;
    for (size_t i = 0; i < n; i++)
        wrong += objs[i] && ML_REFCNT(objs[i]) != want[i];
    if (wrong == 0)
        return NULL;
    draw_opts opt = {.title = title, .expect_objs = objs, .expect_refcnt = want, .nexpect = n};
    return draw_objects_compare(&root, 1, &opt);
}

/* ==================================================================== cycles */

/* update_refs + subtract_refs + move_unreachable over the drawn tracked
 * objects: gc_refs from the refcounts read during the walk, minus the drawn
 * edges between tracked nodes; then reachability from gc_refs > 0. */
static void gc_analyse(struct graph *g)
{
    for (size_t i = 0; i < g->len; i++)
        g->nodes[i].gc_refs = (long)g->nodes[i].refcnt;
    for (size_t i = 0; i < g->len; i++)
        for (size_t e = 0; e < g->nodes[i].nedges; e++) {
            long to = g->nodes[i].edges[e].to;
            if (to >= 0 && g->nodes[i].tracked && g->nodes[to].tracked)
                g->nodes[to].gc_refs--;
        }
    /* an untracked object is held from outside when its refcount is more
     * than the drawn references to it (it stays alive whatever is freed) */
    long *held = calloc(g->len + 1, sizeof *held);
    for (size_t i = 0; held && i < g->len; i++)
        held[i] = (long)g->nodes[i].refcnt;
    for (size_t i = 0; held && i < g->len; i++)
        for (size_t e = 0; e < g->nodes[i].nedges; e++)
            if (g->nodes[i].edges[e].to >= 0)
                held[g->nodes[i].edges[e].to]--;
    for (size_t i = 0; i < g->len; i++)
        g->nodes[i].reachable = g->nodes[i].tracked ? g->nodes[i].gc_refs > 0
                                                    : g->nodes[i].immortal || !held || held[i] > 0;
    free(held);
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t i = 0; i < g->len; i++)
            for (size_t e = 0; g->nodes[i].reachable && e < g->nodes[i].nedges; e++) {
                long to = g->nodes[i].edges[e].to;
                if (to >= 0 && !g->nodes[to].reachable)
                    g->nodes[to].reachable = changed = 1;
            }
    }
}

static void put_gc_title(struct text *t, const draw_opts *opt, const char *when)
{
    int count[GC_NUM_GENERATIONS], threshold[GC_NUM_GENERATIONS];
    gc_get_count(count);
    gc_get_threshold(threshold);
    put(t, "digraph memlab {\n  graph [rankdir=LR, fontname=\"Helvetica\", labelloc=t, label=<");
    if (opt && opt->title) {
        put_title(t, opt->title);
        put(t, ": ");
    }
    put(t, "%s<BR/>", when);
    for (int k = 0; k < GC_NUM_GENERATIONS; k++)
        put(t, "%sgeneration %d: %td tracked, count %d of %d", k ? "; " : "", k,
            gc_generation_size(k), count[k], threshold[k]);
    put(t, ">];\n  node [shape=plain, fontname=\"Helvetica\", fontsize=11];\n");
}

char *draw_gc(ml_object *const *roots, size_t n, const draw_opts *opt)
{
    struct graph g;
    struct text t = {0};
    if (walk(&g, roots, n, opt) != 0)
        t.failed = 1;
    gc_analyse(&g);
    put_gc_title(&t, opt, "orange: unreachable after subtract_refs");
    put_body(&t, "n", &g, roots, n, opt, VIEW_GC);
    put(&t, "}\n");
    graph_free(&g);
    return take(&t);
}

/* After a collection: mark alive every node reachable from the nodes that
 * were reachable before, and every node in gc.garbage; read only those. */
static void gc_survivors(struct graph *g, int *alive)
{
    for (size_t i = 0; i < g->len; i++)
        alive[i] = g->nodes[i].reachable;
    ml_object *garbage = gc_garbage();
    for (ml_ssize_t k = 0; garbage && k < ML_SIZE(garbage); k++) {
        long at = set_get(g, LIST_GET_ITEM(garbage, k));
        if (at > 0)
            alive[at - 1] = 1;
    }
    g->max = g->len; /* no new node: alive[] has one entry per node drawn before */
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t i = 0; i < g->len; i++) {
            if (!alive[i] || g->nodes[i].reachable)
                continue; /* reachable ones keep their old edges: they were not cleared */
            struct visit v = {g, NULL, -1, 0};
            free(g->nodes[i].edges);
            g->nodes[i].edges = NULL;
            g->nodes[i].nedges = 0;
            v.from = (long)i;
            expand(&v, g->nodes[i].op);
            for (size_t e = 0; e < g->nodes[i].nedges; e++)
                if (g->nodes[i].edges[e].to >= 0 && !alive[g->nodes[i].edges[e].to])
                    alive[g->nodes[i].edges[e].to] = changed = 1;
        }
        for (size_t i = 0; i < g->len; i++)
            for (size_t e = 0; alive[i] && g->nodes[i].reachable && e < g->nodes[i].nedges; e++)
                if (g->nodes[i].edges[e].to >= 0 && !alive[g->nodes[i].edges[e].to])
                    alive[g->nodes[i].edges[e].to] = changed = 1;
    }
}

/* `trust`: the collector reported at least as many objects as were found
 * unreachable, so those not seen alive are drawn freed; else they are only
 * said to have been unreachable (freed memory is never read to find out). */
static void put_after(struct text *t, const struct graph *g, const int *alive, int trust)
{
    for (size_t i = 0; i < g->len; i++) {
        const struct node *n = &g->nodes[i];
        if (alive[i]) {
            put_node(t, "n", i, n, NULL, VIEW_AFTER);
            continue;
        }
        put(t, "  n%zu [shape=box, style=dashed, fontcolor=\"#888888\", label=\"", i);
        put_escaped(t, n->name);
        put(t, trust ? "\\nfreed\"];\n" : "\\nunreachable before; not read after\"];\n");
    }
    for (size_t i = 0; i < g->len; i++)
        for (size_t e = 0; alive[i] && e < g->nodes[i].nedges; e++) {
            long to = g->nodes[i].edges[e].to;
            if (to >= 0 && alive[to])
                put(t, "  n%zu:p%zu -> n%ld;\n", i, e, to);
        }
    for (size_t i = 0; i < g->len; i++)
        if (alive[i] && !g->nodes[i].reachable)
            put(t, "  n%zu [color=\"#c00000\", xlabel=\"alive again\"];\n", i);
}

ml_ssize_t draw_gc_collect(ml_object *const *roots, size_t n, int generation, const draw_opts *opt,
                           char **before, char **after)
{
    struct graph g;
    int failed = walk(&g, roots, n, opt) != 0;
    gc_analyse(&g);
    *before = failed ? NULL : draw_gc(roots, n, opt);
    ml_ssize_t collected = gc_collect(generation);
    struct text t = {0};
    int *alive = calloc(g.len + 1, sizeof *alive);
    t.failed = failed || alive == NULL;
    if (alive)
        gc_survivors(&g, alive);
    char when[64];
    snprintf(when, sizeof when, "after gc_collect(%d): %td unreachable found", generation,
             collected);
    put_gc_title(&t, opt, when);
    ml_ssize_t unreachable = 0;
    for (size_t i = 0; i < g.len; i++)
        unreachable += g.nodes[i].tracked && !g.nodes[i].reachable;
    if (alive)
        put_after(&t, &g, alive, collected >= unreachable);
    put(&t, "}\n");
    free(alive);
    graph_free(&g);
    *after = take(&t);
    return collected;
}

/* ==================================================================== SVG */

static void svg_open(struct text *t, int width, int height, const char *title)
{
    put(t,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d "
        "%d\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">\n",
        width, height, width, height);
    put(t, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", width, height);
    if (title) {
        put(t, "<text x=\"8\" y=\"16\" font-size=\"13\" font-weight=\"bold\">");
        put_title(t, title);
        put(t, "</text>\n");
    }
}

static void svg_text(struct text *t, double x, double y, const char *anchor, const char *s)
{
    put(t, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">", x, y, anchor);
    put_escaped(t, s);
    put(t, "</text>\n");
}

/* The colour of size class k: 32 hues around the wheel. */
static void class_colour(char *buf, size_t size, size_t k)
{
    snprintf(buf, size, "hsl(%zu, 65%%, 55%%)", (k * 360 / POOL_NB_SMALL_SIZE_CLASSES + 200) % 360);
}

/* One horizontal bar chart at (x, y): a row per value, scaled to the
 * largest magnitude; negative values extend left of the axis.  Returns the
 * height used. */
struct bars {
    const char *heading;
    const char *const *labels;
    const double *values;
    const char *const *notes; /* text at the bar's end, or NULL */
    size_t n;
    const char *pos_colour, *neg_colour;
};

static int svg_bars(struct text *t, int x, int y, int width, const struct bars *b)
{
    const int row = 16, label_w = 170, note_w = 90;
    double top = 0;
    int has_neg = 0;
    for (size_t i = 0; i < b->n; i++) {
        double m = b->values[i] < 0 ? -b->values[i] : b->values[i];
        top = m > top ? m : top;
        has_neg |= b->values[i] < 0;
    }
    put(t, "<text x=\"%d\" y=\"%d\">", x, y + 12);
    put_title(t, b->heading);
    put(t, "</text>\n");
    int span = width - label_w - note_w;
    double axis = x + label_w + (has_neg ? span / 2.0 : 0);
    double scale = top > 0 ? (has_neg ? span / 2.0 : span) / top : 0;
    for (size_t i = 0; i < b->n; i++) {
        double v = b->values[i], w = (v < 0 ? -v : v) * scale;
        double by = y + 18 + (double)i * row;
        svg_text(t, x + label_w - 4, by + 11, "end", b->labels[i]);
        put(t, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n",
            v < 0 ? axis - w : axis, by + 1, w < 1 && v != 0 ? 1 : w, row - 3,
            v < 0 ? b->neg_colour : b->pos_colour);
        if (b->notes)
            svg_text(t, (v < 0 ? axis : axis + w) + 4, by + 11, "start", b->notes[i]);
    }
    put(t, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%zu\" stroke=\"#444444\"/>\n", axis,
        y + 16, axis, y + 18 + b->n * row);
    return 22 + (int)b->n * row;
}

/* ------------------------------------------------------------ pools */

/* Boxes of one size class: full pools solid, the others filled to the
 * class's average fill of its non-full pools; at most 40 boxes drawn. */
static void svg_pool_row(struct text *t, int y, const pool_stats *s, size_t k)
{
    char colour[48], label[32];
    class_colour(colour, sizeof colour, k);
    snprintf(label, sizeof label, "%zu B", POOL_CLASS_SIZE(k));
    svg_text(t, 52, y + 10, "end", label);
    size_t pools = s->pools_in_use[k], full = s->full_pools[k];
    size_t in_partial = s->blocks_in_use[k] - full * POOL_NUMBLOCKS(k);
    double fill =
        pools > full ? (double)in_partial / ((double)(pools - full) * POOL_NUMBLOCKS(k)) : 1;
    for (size_t p = 0; p < pools && p < 40; p++) {
        double f = p < full ? 1.0 : fill;
        int bx = 58 + (int)p * 14;
        put(t,
            "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"none\" "
            "stroke=\"#666666\"/>\n",
            bx, y);
        put(t, "<rect x=\"%d\" y=\"%.1f\" width=\"12\" height=\"%.1f\" fill=\"%s\"/>\n", bx,
            y + 12 * (1 - f), 12 * f, colour);
    }
    snprintf(label, sizeof label, "%zu pools, %zu full", pools, full);
    svg_text(t, 58 + (pools < 40 ? (int)pools : 40) * 14 + 6, y + 10, "start", label);
}

char *draw_pools_svg(const pool_stats *s, const char *title)
{
    struct text t = {0};
    size_t rows = 0;
    for (size_t k = 0; k < POOL_NB_SMALL_SIZE_CLASSES; k++)
        rows += s->pools_in_use[k] > 0;
    int height = 60 + (int)rows * 16 + 40 + 22 + (int)rows * 16 + 20;
    svg_open(&t, 760, height, title ? title : "pools by size class");
    char line[160];
    snprintf(line, sizeof line,
             "%zu arenas mapped (highwater %zu), %zu with a free pool; %zu free pools; "
             "%zu bytes in blocks",
             s->arenas_current, s->arenas_highwater, s->usable_arenas, s->free_pools,
             s->bytes_in_blocks);
    put(&t, "<text x=\"8\" y=\"34\">%s</text>\n", line);
    int y = 46;
    const char *labels[POOL_NB_SMALL_SIZE_CLASSES];
    char names[POOL_NB_SMALL_SIZE_CLASSES][16];
    double values[POOL_NB_SMALL_SIZE_CLASSES];
    size_t used = 0;
    for (size_t k = 0; k < POOL_NB_SMALL_SIZE_CLASSES; k++) {
        if (s->pools_in_use[k] == 0)
            continue;
        svg_pool_row(&t, y, s, k);
        y += 16;
        snprintf(names[used], sizeof names[used], "%zu B", POOL_CLASS_SIZE(k));
        labels[used] = names[used];
        values[used++] = (double)(s->blocks_in_use[k] * POOL_CLASS_SIZE(k));
    }
    svg_text(&t, 52, y + 10, "end", "free");
    for (size_t p = 0; p < s->free_pools && p < 40; p++)
        put(&t,
            "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"#f4f4f4\" "
            "stroke=\"#aaaaaa\"/>\n",
            58 + (int)p * 14, y);
    y += 34;
    struct bars b = {
        "bytes in use per size class", labels, values, NULL, used, "#4a7ab8", "#4a7ab8"};
    svg_bars(&t, 8, y, 740, &b);
    put(&t, "</svg>\n");
    return take(&t);
}

char *draw_pools_frames_svg(const pool_stats *frames, const char *const *labels, size_t n)
{
    struct text t = {0};
    const int w = 180, h = 120;
    double top = 1;
    for (size_t f = 0; f < n; f++)
        for (size_t k = 0; k < POOL_NB_SMALL_SIZE_CLASSES; k++) {
            double v = (double)(frames[f].blocks_in_use[k] * POOL_CLASS_SIZE(k));
            top = v > top ? v : top;
        }
    svg_open(&t, (int)n * (w + 10) + 10, h + 50, "bytes per size class over time");
    for (size_t f = 0; f < n; f++) {
        int x0 = 10 + (int)f * (w + 10), base = 30 + h;
        put(&t,
            "<rect x=\"%d\" y=\"30\" width=\"%d\" height=\"%d\" fill=\"none\" "
            "stroke=\"#cccccc\"/>\n",
            x0, w, h);
        for (size_t k = 0; k < POOL_NB_SMALL_SIZE_CLASSES; k++) {
            char colour[48];
            class_colour(colour, sizeof colour, k);
            double v = (double)(frames[f].blocks_in_use[k] * POOL_CLASS_SIZE(k)) / top * (h - 4);
            put(&t, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n",
                x0 + 2 + (double)k * (w - 4) / POOL_NB_SMALL_SIZE_CLASSES, base - v,
                (double)(w - 4) / POOL_NB_SMALL_SIZE_CLASSES - 1, v, colour);
        }
        svg_text(&t, x0 + w / 2.0, base + 14, "middle", labels ? labels[f] : "");
    }
    put(&t, "</svg>\n");
    return take(&t);
}

/* ==================================================================== generators */

char *draw_generator(ml_object *gen)
{
    static const char *const states[] = {"GEN_CREATED", "GEN_RUNNING", "GEN_SUSPENDED",
                                         "GEN_CLOSED"};
    const ml_gen *g = (const ml_gen *)gen;
    struct text t = {0};
    gen_state now = gen_getstate(gen);
    put(&t, "digraph memlab {\n  graph [rankdir=LR, fontname=\"Helvetica\"];\n"
            "  node [fontname=\"Helvetica\", fontsize=11];\n"
            "  edge [fontname=\"Helvetica\", fontsize=9];\n");
    for (int k = 0; k < 4; k++)
        put(&t, "  s%d [shape=ellipse, label=\"%s\"%s];\n", k, states[k],
            (int)now == k ? ", style=filled, fillcolor=\"#ffd27f\", penwidth=2" : "");
    put(&t, "  s0 -> s1 [label=\"next() / send(None)\"];\n  s1 -> s2 [label=\"yield\"];\n"
            "  s2 -> s1 [label=\"next() / send() / throw()\"];\n"
            "  s1 -> s3 [label=\"return / raise\"];\n  s0 -> s3 [label=\"close() / throw()\"];\n"
            "  s2 -> s3 [label=\"close()\"];\n");
    put(&t, "  frame [shape=plain, label=<<TABLE BORDER=\"0\" CELLBORDER=\"1\" "
            "CELLSPACING=\"0\"><TR><TD COLSPAN=\"2\"><B>frame of ");
    put_escaped(&t, g->gi_code ? g->gi_code->co_name : "?");
    put(&t, "</B></TD></TR><TR><TD>gi_lasti</TD><TD>");
    if (g->gi_lasti == 0)
        put(&t, "0 (not started)");
    else if (g->gi_lasti == GEN_LASTI_DONE)
        put(&t, "-1 (done)");
    else
        put(&t, "line %d", (int)g->gi_lasti);
    put(&t, "</TD></TR><TR><TD>gi_yieldfrom</TD><TD>");
    put_escaped(&t, g->gi_yieldfrom ? ML_TYPE(g->gi_yieldfrom)->tp_name : "None");
    put(&t, "</TD></TR>");
    for (size_t r = 0; g->gi_code && r < g->gi_code->co_nrefs && r < DRAW_MAX_SLOTS; r++) {
        ml_object *v;
        memcpy(&v, g->gi_locals + g->gi_code->co_refs[r], sizeof v);
        struct node n = {0};
        if (v)
            node_value(&n, v);
        put(&t, "<TR><TD>local +%zu</TD><TD>", g->gi_code->co_refs[r]);
        put_escaped(&t, v == NULL ? "NULL" : n.has_value ? n.value : ML_TYPE(v)->tp_name);
        put(&t, "</TD></TR>");
    }
    put(&t, "</TABLE>>];\n  s%d -> frame [style=dashed, arrowhead=none];\n}\n", (int)now);
    return take(&t);
}

/* ------------------------------------------------------------ a line plot */

static void plot_range(const draw_series *s, size_t n, double *xmax, double *ymax)
{
    *xmax = *ymax = 1;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < s[i].len; k++) {
            *xmax = s[i].x[k] > *xmax ? s[i].x[k] : *xmax;
            *ymax = s[i].y[k] > *ymax ? s[i].y[k] : *ymax;
        }
}

char *draw_plot_svg(const char *title, const char *xlabel, const char *ylabel,
                    const draw_series *series, size_t n)
{
    static const char *const colours[] = {"#c0392b", "#2c7bb6", "#27ae60", "#8e44ad"};
    const int w = 560, h = 300, left = 70, bottom = 40, top = 30;
    struct text t = {0};
    double xmax, ymax;
    plot_range(series, n, &xmax, &ymax);
    svg_open(&t, w, h, title);
    int px = w - left - 20, py = h - top - bottom;
    put(&t,
        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444444\"/>\n",
        left, top, px, py);
    char buf[48];
    snprintf(buf, sizeof buf, "%.0f", ymax);
    svg_text(&t, left - 4, top + 10, "end", buf);
    svg_text(&t, left - 4, top + py, "end", "0");
    snprintf(buf, sizeof buf, "%.0f", xmax);
    svg_text(&t, left + px, top + py + 14, "end", buf);
    svg_text(&t, left + px / 2.0, h - 8, "middle", xlabel);
    put(&t, "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">",
        top + py / 2, top + py / 2);
    put_escaped(&t, ylabel);
    put(&t, "</text>\n");
    for (size_t i = 0; i < n; i++) {
        const char *c = colours[i % 4];
        put(&t, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", c);
        for (size_t k = 0; k < series[i].len; k++)
            put(&t, "%s%.1f,%.1f", k ? " " : "", left + series[i].x[k] / xmax * px,
                top + py - series[i].y[k] / ymax * py);
        put(&t, "\"/>\n<rect x=\"%d\" y=\"%zu\" width=\"10\" height=\"10\" fill=\"%s\"/>\n",
            left + 10, top + 8 + i * 16, c);
        svg_text(&t, left + 24, top + 17 + (double)i * 16, "start", series[i].name);
    }
    put(&t, "</svg>\n");
    return take(&t);
}

/* ==================================================================== tracing */

/* "file:line" of a traceback's most recent frame. */
static void site_name(char *buf, size_t size, const trace_traceback *tb)
{
    if (tb == NULL || tb->nframe == 0)
        snprintf(buf, size, "?");
    else
        snprintf(buf, size, "%s:%u", tb->frames[0].filename ? tb->frames[0].filename : "?",
                 tb->frames[0].lineno);
}

#define DRAW_MAX_BARS 20

char *draw_trace_top_svg(const trace_stats *stats, size_t top, const char *title)
{
    size_t n = stats ? (stats->len < top ? stats->len : top) : 0;
    n = n < DRAW_MAX_BARS ? n : DRAW_MAX_BARS;
    char names[DRAW_MAX_BARS][64], notes[2][DRAW_MAX_BARS][32];
    const char *labels[DRAW_MAX_BARS], *size_notes[DRAW_MAX_BARS], *count_notes[DRAW_MAX_BARS];
    double sizes[DRAW_MAX_BARS], counts[DRAW_MAX_BARS];
    for (size_t i = 0; i < n; i++) {
        site_name(names[i], sizeof names[i], stats->items[i].traceback);
        labels[i] = names[i];
        sizes[i] = (double)stats->items[i].size;
        counts[i] = (double)stats->items[i].count;
        snprintf(notes[0][i], sizeof notes[0][i], "%zu B", stats->items[i].size);
        snprintf(notes[1][i], sizeof notes[1][i], "%zu blocks", stats->items[i].count);
        size_notes[i] = notes[0][i];
        count_notes[i] = notes[1][i];
    }
    struct text t = {0};
    int h = 30 + 2 * (22 + (int)n * 16) + 10;
    svg_open(&t, 640, h, title ? title : "top allocation sites");
    struct bars by_size = {"by size", labels, sizes, size_notes, n, "#4a7ab8", "#4a7ab8"};
    struct bars by_count = {"by count", labels, counts, count_notes, n, "#7a4ab8", "#7a4ab8"};
    int y = 26 + svg_bars(&t, 8, 26, 624, &by_size);
    svg_bars(&t, 8, y, 624, &by_count);
    put(&t, "</svg>\n");
    return take(&t);
}

char *draw_trace_diff_svg(const trace_diffs *diffs, size_t top, const char *title)
{
    size_t n = diffs ? (diffs->len < top ? diffs->len : top) : 0;
    n = n < DRAW_MAX_BARS ? n : DRAW_MAX_BARS;
    char names[DRAW_MAX_BARS][64], notes[DRAW_MAX_BARS][48];
    const char *labels[DRAW_MAX_BARS], *note_ptrs[DRAW_MAX_BARS];
    double values[DRAW_MAX_BARS];
    for (size_t i = 0; i < n; i++) {
        const trace_statistic_diff *d = &diffs->items[i];
        site_name(names[i], sizeof names[i], d->traceback);
        labels[i] = names[i];
        values[i] = (double)d->size_diff;
        snprintf(notes[i], sizeof notes[i], "%+lld B (now %zu B)", (long long)d->size_diff,
                 d->size);
        note_ptrs[i] = notes[i];
    }
    struct text t = {0};
    svg_open(&t, 720, 30 + 22 + (int)n * 16 + 10, title ? title : "compare_to: size differences");
    struct bars b = {"size_diff per site", labels, values, note_ptrs, n, "#c0392b", "#27ae60"};
    svg_bars(&t, 8, 26, 704, &b);
    put(&t, "</svg>\n");
    return take(&t);
}

/* ==================================================================== saving */

int draw_save(const char *dir, const char *name, char *text)
{
    const char *folder = dir ? dir : getenv("MEMLAB_PICTURES");
    if (folder == NULL || *folder == '\0') {
        free(text);
        return text ? 0 : -1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", folder, name);
    FILE *out = text ? fopen(path, "w") : NULL;
    int rc = out && fputs(text, out) != EOF ? 0 : -1;
    if (out && fclose(out) != 0)
        rc = -1;
    free(text);
    return rc;
}
