/*
 * test_nomemory.c -- each allocation of a pipeline fails in turn (only that
 * one): the failure must come out as MemoryError (never a crash), and
 * everything made before it must be released.
 */
#include "../generators_test.h"
#include "../oracle_port.h"

#include <stdlib.h>

static ml_object *square(ml_object *item, void *ctx)
{
    (void)ctx;
    long x = int_as_long(item);
    return int_from_long(x * x);
}

static int keep_all(ml_object *item, void *ctx)
{
    (void)item;
    (void)ctx;
    return 1;
}

/* enumerate(zip(take(map(square, filter(keep, range(300))), 280), range(300))),
 * drained; 0 if it ran to the end, -1 if it stopped with an exception. */
static int run_pipeline(void)
{
    ml_object *stages[7] = {NULL};
    int rc = -1;
    if ((stages[0] = gen_range(300, 600, 1)) == NULL ||
        (stages[1] = gen_filter(keep_all, NULL, stages[0])) == NULL ||
        (stages[2] = gen_map(square, NULL, stages[1])) == NULL ||
        (stages[3] = gen_take(stages[2], 280)) == NULL ||
        (stages[4] = gen_range(300, 600, 1)) == NULL ||
        (stages[5] = gen_zip(stages[3], stages[4])) == NULL ||
        (stages[6] = gen_enumerate(stages[5], 0)) == NULL)
        goto done;
    ml_object *v;
    long n = 0;
    while ((v = gen_next(stages[6])) != NULL) {
        obj_decref(v);
        n++;
    }
    if (err_occurred() == ML_EXC_NONE) {
        ck_assert_int_eq(n, 280);
        rc = 0;
    }
done:
    for (int i = 6; i >= 0; i--)
        obj_xdecref(stages[i]);
    return rc;
}

/* counter, outer (yield from), and the PEP 479 generator, under pressure. */
static void run_protocol(void)
{
    ml_object *gens[3] = {oracle_leaks_stopiteration(), oracle_outer(), oracle_counter(3)};
    for (int i = 0; i < 3; i++) {
        for (int step = 0; gens[i] != NULL && step < 4; step++) {
            ml_object *v = gen_next(gens[i]);
            obj_xdecref(v);
            err_clear();
        }
        obj_xdecref(gens[i]);
    }
    err_clear();
}

ML_TEST(
    each_allocation_failure_is_a_clean_memory_error, .points = 3, .visibility = ML_HIDDEN,
    .description = "the n-th allocation fails, for every n: MemoryError, no crash, nothing leaked",
    .hint = "handout §2, The generator object", .timeout = 10)
{
    free(oracle_take_events());
    size_t bytes = mem_current_bytes();
    ml_ssize_t total = obj_total_refcount();
    int completed = 0;
    for (long n = 0; n < 2000 && !completed; n += (n < 60 ? 1 : 37)) {
        fail_allocation(n);
        int rc = run_pipeline();
        if (rc < 0)
            ck_assert_msg(err_occurred() == ML_EXC_MEMORY_ERROR,
                          "allocation %ld failed: expected MemoryError, got %s (%s)", n,
                          ml_exc_kind_name(err_occurred()), err_message());
        err_clear();
        run_protocol();
        stop_failing();
        completed = rc == 0;
        ck_assert_msg(mem_current_bytes() == bytes, "allocation %ld failed: %zu bytes leaked", n,
                      mem_current_bytes() - bytes);
        ck_assert_int_eq(obj_total_refcount(), total);
    }
    ck_assert_msg(completed, "the pipeline never ran to its end");
    free(oracle_take_events());
}
