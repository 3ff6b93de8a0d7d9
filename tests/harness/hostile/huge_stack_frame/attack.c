#include "memlab/object.h"

#include <string.h>
static ml_ssize_t big(ml_ssize_t n)
{
    volatile char frame[256 << 20];
    memset((char *)frame, 1, sizeof frame);
    return n + frame[12345];
}
