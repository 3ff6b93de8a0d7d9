/*
 * fixture.c -- around every pools test: start from an empty heap and return
 * every arena to the system afterwards, so that a test that freed all its
 * blocks leaves nothing behind for memcheck.
 */
#include "fake_mmap.h"
#include "memlab/pools.h"
#include "memlab/runtime.h"
#include "mltest.h"

void ml_lab_setup(void)
{
    fake_mmap_place(PLACE_ANYWHERE);
    fake_mmap_fail_after(-1);
}

void ml_lab_teardown(void)
{
    pool_uninstall();
    ml_set_debug_stream(NULL);
}
