#include <stdio.h>
/* The runner's table entry: name, Check test, file, line, points,
 * visibility, description, hint, parent, timeout, tags. */
struct entry {
    const char *name;
    const void *check_test;
    const char *file;
    int line;
    double points;
    int visibility;
    const char *description, *hint, *parent;
    double timeout;
    const char *tags;
};
extern const struct entry __start_ml_tests[], __stop_ml_tests[];
static void print_table(void)
{
    for (const struct entry *e = __start_ml_tests; e < __stop_ml_tests; e++)
        printf("%s | %s | %s\n", e->name, e->description ? e->description : "",
               e->hint ? e->hint : "");
    fflush(stdout);
}
