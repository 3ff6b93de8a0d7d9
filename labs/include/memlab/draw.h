/*
 * memlab/draw.h -- pictures of the heap, for demos, walkthroughs and failing
 * tests (given code, labs/runtime/draw.c).
 *
 * Graphs come out as Graphviz DOT text (render with `dot -Tsvg`); charts that
 * are not graphs (pools, allocation sites, plots) come out as SVG directly.
 * Every function returns a malloc'd NUL-terminated string that the caller
 * frees with free(), or NULL when memory ran out.
 *
 * Rules every drawing keeps:
 *   - it never changes what it draws: no incref/decref, no allocation from
 *     the runtime's domains (its own memory comes from the C library, so
 *     mem_current_bytes() and obj_total_refcount() are the same before and
 *     after), no collection triggered;
 *   - the same heap gives the same text: nodes are numbered in the order a
 *     breadth-first walk from the roots meets them, never by address;
 *   - it is bounded: at most max_nodes nodes and DRAW_MAX_SLOTS slots per
 *     container are drawn; what is left out is counted (up to
 *     DRAW_COUNT_LIMIT objects) and said in a note, so 10^5 objects give a
 *     small picture at once;
 *   - text from objects (str values, type names) is escaped and cut to
 *     DRAW_MAX_LABEL characters.
 */
#ifndef MEMLAB_DRAW_H
#define MEMLAB_DRAW_H

#include "memlab/pools.h"
#include "memlab/tracing.h"

#include <stddef.h>

/* The object types as memlab/object.h names them (the same typedefs, so
 * either header may come first), without the rest of object.h: a program
 * that draws only pools or traces keeps its own names free. */
typedef struct ml_object ml_object;
typedef ptrdiff_t ml_ssize_t;

#define DRAW_DEFAULT_MAX_NODES 60      /* nodes drawn when draw_opts.max_nodes is 0 */
#define DRAW_MAX_SLOTS         12      /* slots of one container drawn, the rest counted */
#define DRAW_MAX_LABEL         24      /* characters of a value shown */
#define DRAW_COUNT_LIMIT       1000000 /* objects counted past the cut, at most */

/* How an object is named in a picture: write a short name ("node 3") into
 * buf and return buf, or return NULL for the default (the type's name). */
typedef const char *(*draw_namer)(const ml_object *op, char *buf, size_t size);

typedef struct draw_opts {
    const char *title;             /* the graph's label, or NULL */
    size_t max_nodes;              /* 0: DRAW_DEFAULT_MAX_NODES */
    const char *const *root_names; /* names of the roots ("a", "b"), or NULL: "root 0".. */
    draw_namer namer;              /* NULL: type names */
    /* Expected refcounts (ob_refcnt as a C owner sees it) of some objects:
     * an object whose refcount differs is drawn red with both numbers. */
    ml_object *const *expect_objs;
    const ml_ssize_t *expect_refcnt;
    size_t nexpect;
} draw_opts; /* a NULL draw_opts * means all defaults */

/* ------------------------------------------------------------ refcount */

/* The objects reachable from roots[0..n-1]: each node shows its type, its
 * value (int, str, None, True, False), its refcount ("immortal" for immortal
 * objects, drawn grey and double-bordered) and, when fewer references are
 * drawn than it counts, how many are held from outside the picture.  Lists
 * and tuples show their slots as ports ([0], [1]...), dicts their entries
 * (key and value ports); other GC objects their tp_traverse references. */
char *draw_objects(ml_object *const *roots, size_t n, const draw_opts *opt);

/* Two pictures side by side in one DOT graph: on the left the graph with
 * the expected refcounts of opt->expect_* ("expected"), on the right as it
 * is ("yours"), every difference red. */
char *draw_objects_compare(ml_object *const *roots, size_t n, const draw_opts *opt);

/* For a failing test: NULL when every objs[i] has refcount want[i] (nothing
 * to show), else draw_objects_compare of the graph from root with those
 * expectations, titled `title`.  Reads only. */
char *draw_refcount_mismatch(ml_object *root, ml_object *const *objs, const ml_ssize_t *want,
                             size_t n, const char *title);

/* ------------------------------------------------------------ cycles */

/* The GC objects reachable from roots, as a collection of every generation
 * sees them after update_refs and subtract_refs: each tracked object with
 * its gc_refs (refcount minus the references from other drawn objects), the
 * tentatively unreachable set (nothing outside reaches it: orange), objects
 * with a finalizer (tp_finalize: "finalizer"; tp_del: "legacy finalizer",
 * uncollectable), untracked objects grey; the generations' counts and
 * thresholds in the title.  Computed from the public API only. */
char *draw_gc(ml_object *const *roots, size_t n, const draw_opts *opt);

/* A collection, before and after: *before as draw_gc, then
 * gc_collect(generation) runs, then *after shows the same objects: those
 * that were reachable, those found alive again (resurrected: reachable from
 * them, or in gc.garbage) and, dashed, those freed (drawn from what was
 * read before the collection; freed memory is never read).  The roots must
 * be objects the caller still owns.  Returns gc_collect's result; *before
 * and *after are malloc'd (NULL when memory ran out). */
ml_ssize_t draw_gc_collect(ml_object *const *roots, size_t n, int generation, const draw_opts *opt,
                           char **before, char **after);

/* ------------------------------------------------------------ pools */

/* SVG: the pools in use as rows, one per size class, each pool a box filled
 * in proportion to its used blocks (full pools solid; the class's other
 * pools share its remaining blocks, pools.h has no per-pool count), the
 * free pools, the arenas, and a histogram of bytes in use per size class. */
char *draw_pools_svg(const pool_stats *stats, const char *title);

/* SVG: small histograms of bytes per size class, one per frame of a
 * replayed trace, left to right, on one scale. */
char *draw_pools_frames_svg(const pool_stats *frames, const char *const *labels, size_t n);

/* ------------------------------------------------------------ generators */

/* DOT: the generator state machine (CREATED, RUNNING, SUSPENDED, CLOSED)
 * with the state of `gen` filled, beside its frame: name, resume point
 * (gi_lasti), sub-iterator, and the object references its locals own. */
char *draw_generator(ml_object *gen);

/* One line of a plot. */
typedef struct draw_series {
    const char *name;
    const double *x, *y;
    size_t len;
} draw_series;

/* SVG: a line plot of the series on shared axes, with a legend. */
char *draw_plot_svg(const char *title, const char *xlabel, const char *ylabel,
                    const draw_series *series, size_t n);

/* ------------------------------------------------------------ tracing */

/* SVG: the first `top` statistics as two bar charts, by size and by count,
 * each bar named by its most recent frame (file:line). */
char *draw_trace_top_svg(const trace_stats *stats, size_t top, const char *title);

/* SVG: the first `top` differences of compare_to as bars either side of
 * zero (growth right, red; shrinking left, green), with the new size. */
char *draw_trace_diff_svg(const trace_diffs *diffs, size_t top, const char *title);

/* ------------------------------------------------------------ saving */

/* Writes `text` to dir/name and frees it (NULL text: nothing written, -1).
 * dir NULL: the folder in $MEMLAB_PICTURES, and nothing at all (0) when it
 * is unset -- how the demos save their pictures only under `make demo`.
 * Returns 0, or -1 when the file could not be written. */
int draw_save(const char *dir, const char *name, char *text);

#endif /* MEMLAB_DRAW_H */
