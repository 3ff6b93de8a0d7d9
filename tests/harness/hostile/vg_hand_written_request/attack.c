#include <valgrind/valgrind.h>
static void raw_request(void)
{
    volatile unsigned long int args[6] = {0x1202, 0, 0, 0, 0, 0}, result;
    __asm__ volatile(__SPECIAL_INSTRUCTION_PREAMBLE "xchgq %%rbx,%%rbx"
                     : "=d"(result)
                     : "a"(&args[0]), "0"(0)
                     : "cc", "memory");
}
