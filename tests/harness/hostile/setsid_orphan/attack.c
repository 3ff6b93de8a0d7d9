#include <unistd.h>
static void orphan(void)
{
    static int done;
    if (done++)
        return;
    if (fork() == 0) {
        setsid();
        if (fork() == 0)
            for (;;)
                sleep(1000);
        _exit(0);
    }
}
