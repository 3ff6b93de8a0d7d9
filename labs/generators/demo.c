/*
 * demo.c -- the notebook's cells, replayed in C on the generators layer.
 *
 *     def generate_numbers(n):
 *         for i in range(n):
 *             yield i
 *
 *     for number in generate_numbers(5):
 *         print(number)
 *
 * then the same loop with an early break, and the notebook's point measured:
 * "generators produce one item at a time, so unnecessary memory is not held".
 *
 *     make demo LAB=generators [WHO=student]
 */
#include "memlab/draw.h"
#include "memlab/errors.h"
#include "memlab/generators.h"
#include "memlab/mem.h"
#include "memlab/runtime.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

/* def generate_numbers(n):
 *     try:
 *         for i in range(n):
 *             yield i
 *     finally:
 *         print("  (generate_numbers finished)") */
typedef struct numbers_locals {
    long i, n;
} numbers_locals;

static ml_object *generate_numbers_body(ml_gen *gen)
{
    numbers_locals *L = GEN_LOCALS(gen, numbers_locals);
    GEN_BEGIN(gen);
    for (L->i = 0; L->i < L->n; L->i++) {
        GEN_YIELD_TRY(gen, int_from_long(L->i));
        if (GEN_RAISING(gen)) { /* close(): the finally runs, GeneratorExit goes on */
            printf("  (generate_numbers finished)\n");
            return NULL;
        }
    }
    printf("  (generate_numbers finished)\n");
    GEN_END(gen);
}
static const gen_code generate_numbers_code =
    GEN_CODE_NOREFS("generate_numbers", generate_numbers_body, numbers_locals);

static ml_object *generate_numbers(long n)
{
    ml_object *g = gen_new(&generate_numbers_code);
    if (g != NULL)
        GEN_LOCALS(g, numbers_locals)->n = n;
    return g;
}

static void print_state(ml_object *g)
{
    printf("  inspect.getgeneratorstate(gen) -> %s\n", gen_state_name(gen_getstate(g)));
}

static int cell_loop(void)
{
    printf(">>> for number in generate_numbers(5):\n...     print(number)\n");
    ml_object *g = generate_numbers(5);
    if (g == NULL)
        return -1;
    draw_save(NULL, "1-created.dot", draw_generator(g));
    ml_object *v;
    while ((v = gen_next(g)) != NULL) {
        printf("%ld\n", int_as_long(v));
        obj_decref(v);
    }
    print_state(g);
    draw_save(NULL, "3-closed.dot", draw_generator(g));
    obj_decref(g);
    return err_occurred() ? -1 : 0;
}

static int cell_early_break(void)
{
    printf("\n>>> gen = generate_numbers(5)\n>>> for number in gen:\n"
           "...     print(number)\n...     if number == 2: break\n");
    ml_object *g = generate_numbers(5);
    if (g == NULL)
        return -1;
    ml_object *v;
    while ((v = gen_next(g)) != NULL) {
        long x = int_as_long(v);
        obj_decref(v);
        printf("%ld\n", x);
        if (x == 2)
            break;
    }
    print_state(g);
    draw_save(NULL, "2-suspended-at-yield.dot", draw_generator(g));
    printf("  sys.getsizeof(gen) -> %zu bytes, whatever n is\n", gen_sizeof(g));
    printf(">>> del gen            # the last reference: closed, its finally runs\n");
    obj_decref(g);
    return 0;
}

/* ---------------------------------------------------------------- memory */

static ml_object *square(ml_object *item, void *ctx)
{
    (void)ctx;
    long x = int_as_long(item);
    return int_from_long(x * x);
}

static int is_even(ml_object *item, void *ctx)
{
    (void)ctx;
    return int_as_long(item) % 2 == 0;
}

/* sum(x*x for x in range(...) if x % 2 == 0), n terms, lazily: peak bytes. */
static size_t pipeline_peak(long n, long *sum)
{
    size_t base = mem_current_bytes();
    mem_reset_peak();
    ml_object *r = gen_range(0, LONG_MAX, 1);
    ml_object *f = r ? gen_filter(is_even, NULL, r) : NULL;
    ml_object *m = f ? gen_map(square, NULL, f) : NULL;
    ml_object *t = m ? gen_take(m, n) : NULL;
    obj_xdecref(r);
    obj_xdecref(f);
    obj_xdecref(m);
    *sum = 0;
    ml_object *v;
    while (t != NULL && (v = gen_next(t)) != NULL) {
        *sum += int_as_long(v);
        obj_decref(v);
    }
    obj_xdecref(t);
    return mem_peak_bytes() - base;
}

/* The same terms in a list first, as [x*x for ...] holds them. */
static size_t list_peak(long n, long *sum)
{
    size_t base = mem_current_bytes();
    mem_reset_peak();
    ml_object *list = list_new(0);
    for (long i = 0; list != NULL && i < n; i++) {
        ml_object *v = int_from_long(4 * i * i);
        list_append(list, v);
        obj_decref(v);
    }
    *sum = 0;
    for (ml_ssize_t i = 0; list != NULL && i < list_size(list); i++)
        *sum += int_as_long(list_getitem(list, i));
    obj_xdecref(list);
    return mem_peak_bytes() - base;
}

/* The same two peaks at n = 0, 1000, ..., 10000, as a picture. */
static void plot_memory(void)
{
    enum { POINTS = 11 };
    double n[POINTS], pipeline[POINTS], list[POINTS];
    for (int i = 0; i < POINTS; i++) {
        long s1, s2;
        n[i] = 1000.0 * i;
        pipeline[i] = (double)pipeline_peak(1000L * i, &s1);
        list[i] = (double)list_peak(1000L * i, &s2);
    }
    draw_series s[] = {{"generator pipeline", n, pipeline, POINTS},
                       {"list first", n, list, POINTS}};
    draw_save(NULL, "4-pipeline-memory.svg",
              draw_plot_svg("peak live bytes of sum(x * x ...)", "items processed (n)",
                            "peak bytes", s, 2));
}

static void cell_memory(void)
{
    printf("\n>>> sum(x * x for x in range(2 * n) if x %% 2 == 0)     # the generator pipeline\n"
           ">>> sum([x * x for x in range(2 * n) if x %% 2 == 0])   # the list first\n\n");
    printf("%12s  %16s  %16s\n", "n", "pipeline peak", "list peak");
    printf("%12s  %16s  %16s\n", "------------", "----------------", "----------------");
    static const long sizes[] = {10, 1000, 1000000};
    for (int i = 0; i < 3; i++) {
        long s1, s2;
        size_t p = pipeline_peak(sizes[i], &s1);
        size_t l = list_peak(sizes[i], &s2);
        printf("%12ld  %14zu B  %14zu B%s\n", sizes[i], p, l, s1 == s2 ? "" : "  (sums differ!)");
    }
    printf("\nThe pipeline holds one item per stage, whatever n is; the list holds all n.\n");
    if (getenv("MEMLAB_PICTURES"))
        plot_memory();
}

int main(void)
{
    ml_runtime_init();
    int rc = cell_loop();
    if (rc == 0)
        rc = cell_early_break();
    if (rc == 0)
        cell_memory();
    else
        printf("the generators layer is not working yet (%s: %s)\n",
               ml_exc_kind_name(err_occurred()), err_message());
    ml_runtime_fini();
    return rc == 0 ? 0 : 1;
}
