/*
 * demo.c -- the notebook's cells, replayed in C on the object layer
 * (`make demo LAB=refcount`, or WHO=student for your own refcount.c and
 * containers.c).
 *
 *     >>> import sys
 *     >>> a = []
 *     >>> sys.getrefcount(a)
 *     2
 *
 * Why 2 and not 1: `a` holds one reference, and the call holds a second
 * one for as long as it runs -- its argument.  Each cell below prints what
 * Python prints, then the C that produced it and who owns which reference.
 */
#include "memlab/cycles.h"
#include "memlab/draw.h"
#include "memlab/errors.h"
#include "memlab/object.h"
#include "memlab/runtime.h"

#include <stdio.h>
#include <stdlib.h>

static void cell(const char *python) { printf(">>> %s\n", python); }
static void why(const char *text) { printf("    # %s\n", text); }

static void print_refcount(ml_object *op) { printf("%td\n", obj_getrefcount(op)); }

/* A skeleton returns NULL: say so instead of crashing. */
static ml_object *need(ml_object *op, const char *what)
{
    if (op == NULL) {
        printf("!!! %s returned NULL: implement it first (see labs/refcount/README.md)\n", what);
        ml_runtime_fini();
        exit(1);
    }
    return op;
}

int main(void)
{
    ml_runtime_init();
    gc_disable();
    ml_ssize_t total0 = obj_total_refcount();

    cell("import sys");
    cell("a = []");
    ml_object *a = need(list_new(0), "list_new");
    why("list_new returns a NEW reference: `a` owns it, refcount 1");
    cell("sys.getrefcount(a)");
    print_refcount(a);
    why("ob_refcnt is 1; the call's own argument is one more reference: 1 + 1 = 2");

    cell("b = a");
    ml_object *b = obj_newref(a);
    cell("sys.getrefcount(a)");
    print_refcount(a);
    why("a second name is a second owner: obj_newref(a)");

    cell("l = [a]");
    ml_object *l = need(list_new(0), "list_new");
    list_append(l, a);
    cell("sys.getrefcount(a)");
    print_refcount(a);
    why("list_append does not steal: the list took a reference of its own");
    ml_object *names_ab_l[] = {a, b, l};
    const char *labels[] = {"a", "b", "l"};
    draw_opts opt = {.title = "a = []; b = a; l = [a]", .root_names = labels};
    draw_save(NULL, "1-l-holds-a.dot", draw_objects(names_ab_l, 3, &opt));

    cell("l[0] = None");
    list_setitem(l, 0, ML_NONE);
    cell("sys.getrefcount(a)");
    print_refcount(a);
    why("list_setitem steals the new item (None: immortal) and releases the old one, a");
    opt.title = "l[0] = None";
    draw_save(NULL, "2-setitem-none.dot", draw_objects(names_ab_l, 3, &opt));

    cell("del b, l");
    obj_decref(b);
    obj_decref(l);
    cell("sys.getrefcount(a)");
    print_refcount(a);

    cell("sys.getrefcount(None)   # Python 3.12");
    print_refcount(ML_NONE);
    why("immortal (PEP 683): pinned at 2**32 - 1, no incref or decref ever changes it");

    cell("x = int('1000')");
    ml_object *x = need(int_from_long(1000), "int_from_long (obj_new)");
    cell("sys.getrefcount(x), sys.getrefcount(256)");
    printf("(%td, %td)\n", obj_getrefcount(x), obj_getrefcount(int_from_long(256)));
    why("small ints -5..256 are immortal statics; 1000 is an ordinary object");
    obj_decref(x);

    cell("l = []");
    cell("for _ in range(10**6): l = [l]");
    ml_object *chain = need(list_new(0), "list_new");
    for (int i = 0; i < 1000000; i++) {
        ml_object *outer = need(list_new(1), "list_new");
        LIST_SET_ITEM(outer, 0, chain); /* steals: the new list owns the old one */
        chain = outer;
    }
    draw_opts cut = {.title = "l after 10**6 x l = [l]: cut, never drawn whole", .max_nodes = 8};
    draw_save(NULL, "3-nested-lists-cut.dot", draw_objects(&chain, 1, &cut));
    cell("del l");
    obj_trashcan_reset_max_depth();
    obj_decref(chain);
    printf("    # freed a million nested lists; deepest trashcan nesting: %d (limit %d)\n",
           obj_trashcan_max_depth(), ML_TRASHCAN_UNWIND_LEVEL);

    cell("del a");
    obj_decref(a);
    printf("    # total refcount change since the start: %td (0: nothing leaked)\n",
           obj_total_refcount() - total0);
    ml_runtime_fini();
    return 0;
}
