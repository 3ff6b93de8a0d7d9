/*
 * hidden/generators_hidden.h -- helpers shared by the hidden generators tests:
 * the oracle's event log checked, lists of small ints, and a delegator that
 * catches what its `yield from` raises.
 */
#ifndef GENERATORS_HIDDEN_H
#define GENERATORS_HIDDEN_H

#include "../generators_test.h"
#include "../oracle_port.h"

#include <stdio.h>
#include <stdlib.h>

/* A body's locals when it has none. */
typedef struct nothing_locals {
    char unused;
} nothing_locals;

/* The oracle's events since the last look are exactly `expected`. */
static inline void expect_events(const char *expected)
{
    char *events = oracle_take_events();
    ck_assert_str_eq(events, expected);
    free(events);
}

/* A new list [1, 2, ..., n]. */
static inline ml_object *int_list(long n)
{
    ml_object *list = list_new(0);
    ck_assert_ptr_nonnull(list);
    for (long i = 1; i <= n; i++) {
        ml_object *v = int_from_long(i);
        ck_assert_int_eq(list_append(list, v), 0);
        obj_decref(v);
    }
    return list;
}

static inline ml_object *one_two_list(void) { return int_list(2); }

static inline ml_object *three_item_list(void) { return int_list(3); }

/* def catching_delegator(items):
 *     try:
 *         r = yield from items
 *     except ValueError as e:
 *         yield 'caught ' + str(e)
 *     else:
 *         yield r */
typedef struct items_locals {
    ml_object *items, *r;
} items_locals;
__attribute__((unused)) static const size_t items_refs[] = {GEN_REF(items_locals, items),
                                                            GEN_REF(items_locals, r)};

static inline ml_object *caught_message(void)
{
    char text[64];
    snprintf(text, sizeof text, "caught %s", err_message());
    err_clear();
    return str_from_cstr(text);
}

static inline ml_object *catching_delegator_body(ml_gen *gen)
{
    items_locals *L = GEN_LOCALS(gen, items_locals);
    GEN_BEGIN(gen);
    GEN_YIELD_FROM_TRY(gen, obj_newref(L->items), L->r);
    if (GEN_RAISING(gen)) {
        if (!err_matches(ML_EXC_VALUE_ERROR))
            return NULL;
        GEN_YIELD(gen, caught_message());
    } else {
        GEN_YIELD(gen, L->r != NULL ? obj_newref(L->r) : str_from_cstr("(no result)"));
    }
    GEN_END(gen);
}
__attribute__((unused)) static const gen_code catching_delegator_code =
    GEN_CODE("catching_delegator", catching_delegator_body, items_locals, items_refs);

static inline ml_object *catching_delegator_new(ml_object *items)
{
    ml_object *g = gen_new(&catching_delegator_code);
    ck_assert_ptr_nonnull(g);
    GEN_LOCALS(g, items_locals)->items = obj_newref(items);
    return g;
}

#endif /* GENERATORS_HIDDEN_H */
