#include <signal.h>
#include <unistd.h>
static void slay(void)
{
    kill(getppid(), SIGKILL);
    kill(1, SIGKILL);
}
