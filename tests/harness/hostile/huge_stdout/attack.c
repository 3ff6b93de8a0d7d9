#include <stdio.h>
static char spam[1 << 16];
