/*
 * fixture.c -- around every tracing test: no frame on the stack, the C
 * library under every domain; afterwards the tracer is stopped (releasing
 * its own memory), the pools layer gives its empty arenas back (tests that
 * stack the tracer on pools) and the allocators are put back.
 */
#include "memlab/mem.h"
#include "memlab/pools.h"
#include "memlab/tracing.h"
#include "mltest.h"

void ml_lab_setup(void)
{
    while (mem_frame_depth() > 0)
        mem_frame_pop();
    mem_reset_allocators();
}

void ml_lab_teardown(void)
{
    trace_stop();
    pool_uninstall();
    mem_reset_allocators();
}
