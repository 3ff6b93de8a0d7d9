/*
 * fixture.c -- every generators test runs on a fresh runtime, and leaves it
 * empty: the runtime is started before the test and stopped after it.
 */
#include "memlab/mem.h"
#include "memlab/runtime.h"
#include "mltest.h"

void ml_lab_setup(void) { ml_runtime_init(); }

void ml_lab_teardown(void) { ml_runtime_fini(); }

/* ==================================================================== one allocation fails */

static mem_allocator real_obj, real_mem;
static long budget; /* allocations left before the one that fails */

static void *failing_malloc(void *ctx, size_t size)
{
    if (budget-- == 0)
        return NULL;
    mem_allocator *real = ctx;
    return real->malloc(real->ctx, size);
}

static void *failing_calloc(void *ctx, size_t nelem, size_t elsize)
{
    if (budget-- == 0)
        return NULL;
    mem_allocator *real = ctx;
    return real->calloc(real->ctx, nelem, elsize);
}

static void *failing_realloc(void *ctx, void *ptr, size_t size)
{
    if (budget-- == 0)
        return NULL;
    mem_allocator *real = ctx;
    return real->realloc(real->ctx, ptr, size);
}

static void passing_free(void *ctx, void *ptr)
{
    mem_allocator *real = ctx;
    real->free(real->ctx, ptr);
}

void fail_allocation(long n)
{
    budget = n;
    mem_get_allocator(MEM_DOMAIN_OBJ, &real_obj);
    mem_get_allocator(MEM_DOMAIN_MEM, &real_mem);
    mem_allocator obj = {&real_obj, failing_malloc, failing_calloc, failing_realloc, passing_free};
    mem_allocator mem = {&real_mem, failing_malloc, failing_calloc, failing_realloc, passing_free};
    mem_set_allocator(MEM_DOMAIN_OBJ, &obj);
    mem_set_allocator(MEM_DOMAIN_MEM, &mem);
}

void stop_failing(void)
{
    mem_set_allocator(MEM_DOMAIN_OBJ, &real_obj);
    mem_set_allocator(MEM_DOMAIN_MEM, &real_mem);
}
