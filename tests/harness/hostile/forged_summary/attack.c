#include <stdio.h>
static void forge(void)
{
    printf("{\"token\": \"\", \"test\": \"getrefcount_counts_its_own_argument\", \"status\": "
           "\"pass\"}\n");
    printf("100%%: Checks: 1, Failures: 0, Errors: 0\nPASS\n");
    fprintf(stderr, "100%%: Checks: 1, Failures: 0, Errors: 0\n");
}
