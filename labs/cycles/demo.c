/*
 * demo.c -- the notebook's cells, replayed in C on the cycles layer
 * (`make demo LAB=cycles`, or WHO=student for your own cycles.c).
 *
 *     >>> import gc
 *     >>> class MyObject:
 *     ...     def __init__(self, name):
 *     ...         self.name = name
 *     ...         print(f"{name} created")
 *     ...     def __del__(self):
 *     ...         print(f"{self.name} destroyed")
 *     >>> a = MyObject("a"); b = MyObject("b")
 *     >>> a.other = b; b.other = a          # a cycle
 *     >>> del a, b                          # nothing is destroyed yet
 *     >>> gc.collect()                      # now both are
 *
 * MyObject is a C type here: `name` and `other` are its two slots, __del__
 * is its tp_finalize (PEP 442), and its dealloc does what CPython's
 * subtype_dealloc does for a class with __del__.
 */
#include "memlab/cycles.h"
#include "memlab/draw.h"
#include "memlab/errors.h"
#include "memlab/object.h"
#include "memlab/runtime.h"

#include <stdio.h>
#include <stdlib.h>

/* ------------------------------------------------------------ class MyObject */

typedef struct my_object {
    ml_object ob_base;
    ml_object *name;  /* str */
    ml_object *other; /* anything, or NULL */
} my_object;

static void my_finalize(ml_object *self) /* __del__ */
{
    printf("%s destroyed\n", str_as_cstr(((my_object *)self)->name));
}

static int my_traverse(ml_object *self, ml_visitproc visit, void *arg)
{
    my_object *o = (my_object *)self;
    if (o->name != NULL && visit(o->name, arg) != 0)
        return 1;
    return o->other != NULL ? visit(o->other, arg) : 0;
}

static int my_clear(ml_object *self)
{
    my_object *o = (my_object *)self;
    OBJ_CLEAR(o->other);
    OBJ_CLEAR(o->name);
    return 0;
}

static void my_dealloc(ml_object *self)
{
    gc_untrack(self);
    gc_track(self); /* a finalizer sees a tracked object, and may resurrect it */
    if (gc_call_finalizer_from_dealloc(self) < 0)
        return;
    gc_untrack(self);
    my_clear(self);
    gc_free(self);
}

static ml_type my_object_type = {
    .tp_name = "MyObject",
    .tp_basicsize = sizeof(my_object),
    .tp_flags = ML_TPFLAGS_HAVE_GC,
    .tp_dealloc = my_dealloc,
    .tp_traverse = my_traverse,
    .tp_clear = my_clear,
    .tp_finalize = my_finalize,
    .tp_free = gc_free,
};

/* A skeleton returns NULL: say so instead of crashing. */
static ml_object *need(ml_object *op, const char *what)
{
    if (op == NULL) {
        printf("!!! %s returned NULL: implement it first (see labs/cycles/README.md)\n", what);
        err_clear();
        ml_runtime_fini();
        exit(1);
    }
    return op;
}

static ml_object *my_object_new(const char *name) /* MyObject(name) */
{
    ml_object *self = need(obj_new(&my_object_type), "obj_new (gc_alloc)");
    ((my_object *)self)->name = need(str_from_cstr(name), "str_from_cstr");
    gc_track(self);
    printf("%s created\n", name);
    return self;
}

/* ------------------------------------------------------------ the cells */

/* Pictures name a MyObject by its name (draw.h). */
static const char *my_name(const ml_object *op, char *buf, size_t size)
{
    if (ML_TYPE(op) != &my_object_type)
        return NULL;
    snprintf(buf, size, "MyObject %s", str_as_cstr(((const my_object *)op)->name));
    return buf;
}

static void cell(const char *python) { printf(">>> %s\n", python); }
static void why(const char *text) { printf("    # %s\n", text); }

static void print_stats(void)
{
    gc_generation_stats st[GC_NUM_GENERATIONS];
    gc_get_stats(st);
    printf("[");
    for (int i = 0; i < GC_NUM_GENERATIONS; i++)
        printf("%s{'collections': %zd, 'collected': %zd, 'uncollectable': %zd}", i ? ", " : "",
               st[i].collections, st[i].collected, st[i].uncollectable);
    printf("]\n");
}

static void print_triple(void (*get)(int[GC_NUM_GENERATIONS]))
{
    int v[GC_NUM_GENERATIONS];
    get(v);
    printf("(%d, %d, %d)\n", v[0], v[1], v[2]);
}

int main(void)
{
    ml_runtime_init();

    cell("import gc");
    cell("gc.isenabled()");
    printf("%s\n", gc_isenabled() ? "True" : "False");
    cell("gc.get_threshold()");
    print_triple(gc_get_threshold);
    why("generation 0 is collected when its allocation count passes 700");
    cell("gc.disable()");
    gc_disable();
    why("no automatic collection from now on: only gc.collect()");

    cell("a = MyObject(\"a\"); b = MyObject(\"b\")");
    ml_object *a = my_object_new("a");
    ml_object *b = my_object_new("b");
    cell("a.other = b; b.other = a");
    ((my_object *)a)->other = obj_newref(b);
    ((my_object *)b)->other = obj_newref(a);
    cell("gc.get_count()");
    print_triple(gc_get_count);
    why("2 allocations through the collector: a and b (their names are str, not containers; "
        "CPython counts more: each instance also has a __dict__)");
    const char *labels[] = {"a", "b"};
    ml_object *both[] = {a, b};
    draw_opts opt = {.title = "a.other = b; b.other = a", .root_names = labels, .namer = my_name};
    draw_save(NULL, "1-cycle-held.dot", draw_objects(both, 2, &opt));
    cell("del a, b");
    obj_decref(a);
    obj_decref(b);
    why("each refcount drops from 2 to 1: the other object still holds it, nothing is destroyed");

    cell("gc.collect()");
    char *before, *after;
    opt.title = "gc.collect()";
    labels[0] = "(a, borrowed)";
    ml_ssize_t found = draw_gc_collect(&a, 1, 2, &opt, &before, &after); /* gc_collect(2) */
    draw_save(NULL, "2-collect-before.dot", before);
    draw_save(NULL, "3-collect-after.dot", after);
    printf("%zd\n", found);
    why("both were unreachable: their finalizers ran once each, then tp_clear broke the cycle "
        "and refcounting freed them");
    cell("gc.get_stats()");
    print_stats();
    cell("gc.garbage");
    ml_object *garbage = gc_garbage();
    printf("%s\n", garbage != NULL && list_size(garbage) == 0 ? "[]" : "[...]");
    why("__del__ is a PEP 442 finalizer: cycles with one are collected, not left in gc.garbage");
    cell("gc.enable()");
    gc_enable();

    ml_runtime_fini();
    return 0;
}
