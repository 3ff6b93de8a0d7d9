/*
 * hidden/test_on_pools.c -- the hidden tests of test_on_pools.c's area (the public file
 * tests/tracing/test_on_pools.c): the tracer's random churn with the pools layer
 * underneath.
 */
#include "memlab/pools.h"
#include "tracing_hidden.h"

ML_TEST(hidden_random_churn_on_pools_matches_the_model, .points = 3, .visibility = ML_HIDDEN,
        .description = "the same churn with the pools allocator underneath",
        .hint = "handout 2, What is underneath", .timeout = 10)
{
    pool_install();
    ck_assert_int_eq(trace_start(1), 0);
    churn_against_model(5000, 700);
    trace_stop();
    pool_uninstall();
}
