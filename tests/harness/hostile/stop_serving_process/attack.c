#include <signal.h>
#include <unistd.h>
static void stop_parent(void) { kill(getppid(), SIGSTOP); }
