#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* The strings are kept reversed, so that the search does not find this
 * file's own copy of them. */
static void search_binary(void)
{
    static const char *const reversed[] = {"eerht_si_tsil_a_yb_dleh_tcejbo_na_fo_tnuocfertteg",
                                           "]a[ = l ;)(tcejbo = a"};
    static char data[64 << 20];
    FILE *f = fopen("/proc/self/exe", "rb");
    size_t n = f ? fread(data, 1, sizeof data, f) : 0;
    if (f)
        fclose(f);
    for (size_t w = 0; w < 2; w++) {
        char wanted[64];
        size_t len = strlen(reversed[w]);
        for (size_t k = 0; k < len; k++)
            wanted[k] = reversed[w][len - 1 - k];
        wanted[len] = '\0';
        for (size_t i = 0; i + len <= n; i++)
            if (memcmp(data + i, wanted, len) == 0) {
                printf("found: %s\n", data + i);
                break;
            }
    }
    fflush(stdout);
}
