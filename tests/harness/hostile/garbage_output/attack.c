#include <stdio.h>
static void garbage(void)
{
    static const char junk[] =
        "\x1b[2J\x1b]0;pwned\x07\xff\xfe\x80\xc3\x28\x01\x02\r\x7f\xf0\x9f\x92";
    for (int i = 0; i < 200; i++) {
        fwrite(junk, 1, sizeof junk, stdout);
        fwrite(junk, 1, sizeof junk, stderr);
    }
    fprintf(stderr, "\nmemlab fatal error: %s\n", junk);
    fflush(NULL);
    *(volatile int *)0 = 1;
}
