#include "memlab/mem.h"
/* 64 MiB blocks, every page touched so that they are really resident,
 * never freed, no NULL check: it ends when the address-space limit makes
 * mem_malloc fail. */
static void bomb(void)
{
    for (;;) {
        volatile char *p = mem_malloc(MEM_DOMAIN_MEM, 64 << 20);
        for (long i = 0; i < (64 << 20); i += 4096)
            p[i] = 1;
    }
}
