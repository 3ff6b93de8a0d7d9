#include <stdlib.h>
#include <string.h>
/* Attaches pictures as a test would (the runner's ml_attach), but made to
 * reach outside: a DOT node whose image is a host file, an href, a name
 * with a path, and a picture far over the size limit; then fails. */
int ml_attach(const char *name, const char *text);
static void attach_hostile(void)
{
    ml_attach("pass.dot", "digraph { a [image=\"/etc/passwd\", label=\"\"] }");
    ml_attach("link.dot",
              "digraph { a [href=\"file:///etc/passwd\", URL=\"javascript:alert(1)\"] }");
    ml_attach("../../../../tmp/evil.dot", "digraph { a }");
    size_t n = 4u << 20;
    char *huge = malloc(n + 32);
    if (huge) {
        strcpy(huge, "digraph { a [label=\"");
        memset(huge + 20, 'x', n);
        strcpy(huge + 20 + n, "\"] }");
        ml_attach("huge.dot", huge);
        free(huge);
    }
}
