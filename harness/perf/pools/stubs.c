/*
 * stubs.c -- what a pools.c may call from the runtime, for the standalone
 * performance driver: the allocator hooks (pool_install is never called
 * here) and the debug stream.  The test binaries use the real runtime.
 */
#include "memlab/mem.h"
#include "memlab/runtime.h"

#include <stdio.h>

static mem_allocator domains[MEM_NDOMAINS];

void mem_get_allocator(mem_domain domain, mem_allocator *out) { *out = domains[domain]; }
void mem_set_allocator(mem_domain domain, const mem_allocator *alloc) { domains[domain] = *alloc; }
FILE *ml_debug_stream(void) { return stderr; }
