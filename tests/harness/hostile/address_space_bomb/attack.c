#include "memlab/mem.h"
/* 1 GiB blocks, never freed, no NULL check: the address-space limit
 * makes mem_malloc return NULL after a few, and the write through it
 * crashes. */
static void bomb(void)
{
    for (;;) {
        volatile char *p = mem_malloc(MEM_DOMAIN_MEM, (size_t)1 << 30);
        p[0] = 1;
    }
}
