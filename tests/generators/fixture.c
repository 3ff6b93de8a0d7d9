/*
 * fixture.c -- every generators test runs on a fresh runtime, and leaves it
 * empty: the runtime is started before the test and stopped after it.
 */
#include "memlab/runtime.h"
#include "mltest.h"

void ml_lab_setup(void) { ml_runtime_init(); }

void ml_lab_teardown(void) { ml_runtime_fini(); }
