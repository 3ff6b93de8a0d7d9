/*
 * memlab/runtime.h -- start and stop the runtime; where its debug output goes.
 * Given code (labs/runtime/runtime.c).
 */
#ifndef MEMLAB_RUNTIME_H
#define MEMLAB_RUNTIME_H

#include <stdio.h>

/* Start the runtime: allocators (MEMLAB_MALLOC=malloc, the default, or
 * MEMLAB_MALLOC=pymalloc to put the pools layer on MEM and OBJ), the
 * collector's state, the exception state.  Idempotent. */
void ml_runtime_init(void);

/* Stop it: clear the current exception and gc.garbage, reset the collector
 * and the allocators.  Objects still alive stay alive (and are leaks). */
void ml_runtime_fini(void);

/* Where debug output goes (gc DEBUG_* flags, unraisable exceptions, pools
 * statistics): stderr unless set.  Tests point it at a memstream to assert
 * the exact text. */
FILE *ml_debug_stream(void);
void ml_set_debug_stream(FILE *stream); /* NULL: back to stderr */

#endif /* MEMLAB_RUNTIME_H */
