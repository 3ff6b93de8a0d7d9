#include <stdlib.h>
/* The attack's success is the test's pass: a wrong count unless the shell
 * could read the kit. */
static int shell_worked(void)
{
    int rc = system(
        "id; ls / @KIT@; cat @KIT@/solutions/refcount/refcount.c @KIT@/tests/refcount/hidden/*.c");
    return rc == 0;
}
