/*
 * fixture.c -- around every pools test: start from an empty heap and return
 * every arena to the system afterwards, so that a test that freed all its
 * blocks leaves nothing behind for memcheck.
 */
#include "memlab/pools.h"
#include "memlab/runtime.h"
#include "mltest.h"

void ml_lab_setup(void) {}

void ml_lab_teardown(void)
{
    pool_uninstall();
    ml_set_debug_stream(NULL);
}
