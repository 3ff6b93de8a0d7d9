/* shared/valgrind_report.c -- for the cases that attack a test's own
 * Valgrind report: every name the report could have (the report's folder
 * as the grader lays it out, and the names of the older layout), and a read
 * of freed memory that the report must show. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void each_report(void (*what)(const char *))
{
    char path[512];
    const char *const shapes[] = {"vg.%d.xml",
                                  "../vg.%d.xml",
                                  "../../slot0.vg/vg.%d.xml",
                                  "../../slot1.vg/vg.%d.xml",
                                  "../../slot0.vg/vg.xml",
                                  "vg.xml"};
    for (unsigned i = 0; i < sizeof shapes / sizeof *shapes; i++) {
        snprintf(path, sizeof path, shapes[i], (int)getpid());
        what(path);
    }
}
static int bad_read(void)
{
    int *p = malloc(sizeof *p);
    free(p);
    return *(volatile int *)p;
}
