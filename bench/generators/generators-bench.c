/*
 * generators-bench.c -- the reference generators layer, timed: nanoseconds
 * per resumption (next() of a suspended generator), and bytes per suspended
 * generator.  bench/generators/generators-bench.sh runs it beside python3 running
 * the same generator functions.
 *
 *     generators-bench [N [none|int|bytes]]    prints "none NS", "int NS", "bytes B"
 *
 * none: while i < n: yield None; i += 1      (the resume itself)
 * int:  while i < n: yield i; i += 1         (plus making an int per item)
 */
#include "memlab/generators.h"
#include "memlab/mem.h"
#include "memlab/runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct loop_locals {
    long i, n;
} loop_locals;

static ml_object *yield_none_body(ml_gen *gen)
{
    loop_locals *L = GEN_LOCALS(gen, loop_locals);
    GEN_BEGIN(gen);
    for (L->i = 0; L->i < L->n; L->i++)
        GEN_YIELD(gen, obj_newref(ML_NONE));
    GEN_END(gen);
}
static const gen_code yield_none_code = GEN_CODE_NOREFS("yield_none", yield_none_body, loop_locals);

static ml_object *yield_int_body(ml_gen *gen)
{
    loop_locals *L = GEN_LOCALS(gen, loop_locals);
    GEN_BEGIN(gen);
    for (L->i = 0; L->i < L->n; L->i++)
        GEN_YIELD(gen, int_from_long(L->i));
    GEN_END(gen);
}
static const gen_code yield_int_code = GEN_CODE_NOREFS("yield_int", yield_int_body, loop_locals);

static ml_object *make(const gen_code *code, long n)
{
    ml_object *g = gen_new(code);
    if (g == NULL) {
        fprintf(stderr, "gen_new failed\n");
        exit(1);
    }
    GEN_LOCALS(g, loop_locals)->n = n;
    return g;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* deque(g, maxlen=0): drain through tp_iternext; ns per item. */
static double drain_ns(const gen_code *code, long n)
{
    ml_object *g = make(code, n);
    double t0 = now_ns();
    ml_object *v;
    while ((v = ML_TYPE(g)->tp_iternext(g)) != NULL)
        obj_decref(v);
    double t1 = now_ns();
    obj_decref(g);
    return (t1 - t0) / (double)n;
}

/* Bytes of live memory per generator suspended at its first yield. */
static double bytes_per_generator(long k)
{
    ml_object **gens = malloc((size_t)k * sizeof *gens);
    size_t before = mem_current_bytes();
    for (long i = 0; i < k; i++) {
        gens[i] = make(&yield_int_code, 1000);
        obj_decref(ML_TYPE(gens[i])->tp_iternext(gens[i]));
    }
    double per = (double)(mem_current_bytes() - before) / (double)k;
    for (long i = 0; i < k; i++)
        obj_decref(gens[i]);
    free(gens);
    return per;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 10000000;
    const char *only = argc > 2 ? argv[2] : ""; /* none | int | bytes: one measure */
    ml_runtime_init();
    if (!*only || !strcmp(only, "none"))
        printf("none %.2f\n", drain_ns(&yield_none_code, n));
    if (!*only || !strcmp(only, "int"))
        printf("int %.2f\n", drain_ns(&yield_int_code, n));
    if (!*only || !strcmp(only, "bytes"))
        printf("bytes %.1f\n", bytes_per_generator(100000));
    ml_runtime_fini();
    return 0;
}
