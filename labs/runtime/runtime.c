/*
 * runtime.c -- start and stop the runtime, its debug stream, fatal errors
 * (given code).  Contracts in memlab/runtime.h and memlab/object.h.
 *
 * Starting the runtime chooses the allocator under the MEM and OBJ domains
 * (MEMLAB_MALLOC=malloc, the default, or MEMLAB_MALLOC=pymalloc for the pools
 * lab); stopping it forgets every piece of state a test could have changed,
 * so that the next test starts from the same place.
 */
#include "memlab/runtime.h"

#include "memlab/cycles.h"
#include "memlab/errors.h"
#include "memlab/mem.h"
#include "memlab/object.h"

#include <stdlib.h>
#include <string.h>

/* Defined by the pools lab when it is linked in: installs pymalloc on the
 * MEM and OBJ domains. */
extern void pool_install(void) __attribute__((weak));

/* ==================================================================== debug stream */

static FILE *debug_stream;

FILE *ml_debug_stream(void) { return debug_stream != NULL ? debug_stream : stderr; }

void ml_set_debug_stream(FILE *stream) { debug_stream = stream; }

/* ==================================================================== start and stop */

static int running;

static int wants_pymalloc(void)
{
    const char *choice = getenv("MEMLAB_MALLOC");
    return choice != NULL && strcmp(choice, "pymalloc") == 0;
}

void ml_runtime_init(void)
{
    if (running)
        return;
    running = 1;
    if (wants_pymalloc()) {
        if (pool_install == NULL)
            ml_fatal("MEMLAB_MALLOC=pymalloc but the pools layer is not linked in");
        pool_install();
    }
    err_clear();
}

void ml_runtime_fini(void)
{
    err_clear();
    gc_reset_state();
    mem_reset_allocators();
    debug_stream = NULL;
    running = 0;
}

/* ==================================================================== fatal errors */

void ml_fatal(const char *what)
{
    fflush(stdout);
    fprintf(stderr, "memlab fatal error: %s\n", what);
    fflush(stderr);
    abort();
}

/* The object may be a freed one: print only what the header holds. */
void ml_fatal_negative_refcount(ml_object *op)
{
    fflush(stdout);
    fprintf(stderr,
            "memlab fatal error: object has negative ref count\n"
            "object address  : %p\n"
            "object refcount : %td\n"
            "object type name: %s\n",
            (void *)op, ML_REFCNT(op), ML_TYPE(op) != NULL ? ML_TYPE(op)->tp_name : "NULL");
    fflush(stderr);
    abort();
}
