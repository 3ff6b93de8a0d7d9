#include <signal.h>
#include <unistd.h>
