#include <stdio.h>
static void fill(void)
{
    static char block[1 << 20];
    FILE *f = fopen("big.bin", "w");
    for (int i = 0; f && i < 1024; i++)
        fwrite(block, 1, sizeof block, f);
}
