/*
 * fixture.c -- every generators test runs on a fresh runtime, and leaves it
 * empty: the runtime is started before the test and stopped after it.
 */
#include "memlab/mem.h"
#include "memlab/runtime.h"
#include "mlalloc.h"
#include "mltest.h"

void ml_lab_setup(void) { ml_runtime_init(); }

void ml_lab_teardown(void) { ml_runtime_fini(); }

/* ==================================================================== one allocation fails */

/* One plan across the object and buffer domains (mlalloc.h). */
static ml_alloc failing;

void fail_allocation(long n)
{
    failing = (ml_alloc){.pass = n, .refuse = 1};
    ml_alloc_install(&failing, MEM_DOMAIN_OBJ);
    ml_alloc_install(&failing, MEM_DOMAIN_MEM);
}

void stop_failing(void) { ml_alloc_remove(&failing); }
