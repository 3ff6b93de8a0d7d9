/*
 * generators_test.h -- small generator functions and checks shared by the
 * generators tests (each test file includes it once).
 */
#ifndef GENERATORS_TEST_H
#define GENERATORS_TEST_H

#include "memlab/cycles.h"
#include "memlab/errors.h"
#include "memlab/generators.h"
#include "memlab/mem.h"
#include "mltest.h"
#include "oracle_port.h"

#include <stdlib.h>
#include <string.h>

/* fixture.c: allocation number n from now (0: the next one) in the object
 * and buffer domains fails, only that one; stop_failing() puts the two
 * allocators back. */
void fail_allocation(long n);
void stop_failing(void);

/* count(n): yields 0 .. n-1 -- the smallest generator function. */
typedef struct count_locals {
    long i, n;
} count_locals;

static ml_object *count_body(ml_gen *gen)
{
    count_locals *L = GEN_LOCALS(gen, count_locals);
    GEN_BEGIN(gen);
    for (L->i = 0; L->i < L->n; L->i++)
        GEN_YIELD(gen, int_from_long(L->i));
    GEN_END(gen);
}
__attribute__((unused)) static const gen_code count_code =
    GEN_CODE_NOREFS("count", count_body, count_locals);

static inline ml_object *count_new(long n)
{
    ml_object *g = gen_new(&count_code);
    if (g != NULL)
        GEN_LOCALS(g, count_locals)->n = n;
    return g;
}

/* holder(obj): keeps obj in its frame, yields it once, then returns it. */
typedef struct holder_locals {
    ml_object *obj;
} holder_locals;
__attribute__((unused)) static const size_t holder_refs[] = {GEN_REF(holder_locals, obj)};

static ml_object *holder_body(ml_gen *gen)
{
    holder_locals *L = GEN_LOCALS(gen, holder_locals);
    GEN_BEGIN(gen);
    GEN_YIELD(gen, obj_newref(L->obj));
    GEN_RETURN(gen, obj_newref(L->obj));
    GEN_END(gen);
}
__attribute__((unused)) static const gen_code holder_code =
    GEN_CODE("holder", holder_body, holder_locals, holder_refs);

static inline ml_object *holder_new(ml_object *obj)
{
    ml_object *g = gen_new(&holder_code);
    if (g != NULL)
        GEN_LOCALS(g, holder_locals)->obj = obj_newref(obj);
    return g;
}

/* The long value of a new reference, released. */
static inline long take_long(ml_object *v)
{
    ck_assert_msg(v != NULL, "expected a value, got NULL (%s: %s)",
                  ml_exc_kind_name(err_occurred()), err_message());
    long x = int_as_long(v);
    obj_decref(v);
    return x;
}

/* The current exception is `kind` with `message`; cleared. */
#define ASSERT_ERROR(kind, message)                                                                \
    do {                                                                                           \
        ck_assert_msg(err_occurred() == (kind), "expected %s, got %s (%s)",                        \
                      ml_exc_kind_name(kind), ml_exc_kind_name(err_occurred()), err_message());    \
        ck_assert_str_eq(err_message(), (message));                                                \
        err_clear();                                                                               \
    } while (0)

/* Scenario `name` of the oracle (oracle_port.c) traces exactly `expected`. */
static inline void expect_trace(const char *name, const char *expected)
{
    char *trace = oracle_trace(name);
    ck_assert_msg(trace != NULL, "no scenario named %s", name);
    ck_assert_msg(strcmp(trace, expected) == 0, "scenario %s: expected\n%s\ngot\n%s", name,
                  expected, trace);
    free(trace);
}

#endif /* GENERATORS_TEST_H */
