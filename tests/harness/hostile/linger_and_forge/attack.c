#include <stdio.h>
#include <string.h>
#include <unistd.h>
static void straggle(void)
{
    if (fork() != 0)
        return;
    setsid();
    sleep(1);
    const char *line = "{\"test\": \"new_object_has_refcount_one\", \"status\": \"fail\", "
                       "\"asserts\": 0, \"trace\": \"0\"}\n";
    for (int round = 0; round < 100; round++) {
        for (int fd = 1; fd < 16; fd++)
            if (write(fd, line, strlen(line)) < 0)
                continue;
        usleep(100000);
    }
    _exit(0);
}
