#include <unistd.h>
static void bomb(void)
{
    for (;;)
        (void)fork();
}
