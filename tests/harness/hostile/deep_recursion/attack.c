#include "memlab/object.h"
static ml_ssize_t down(volatile ml_ssize_t n)
{
    volatile char pad[256];
    pad[0] = (char)n;
    return down(n + pad[0]) + 1;
}
