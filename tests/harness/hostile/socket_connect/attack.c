#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
static int connected(void)
{
    const char *const hosts[] = {"127.0.0.1", "1.1.1.1"};
    int ok = 0;
    for (int i = 0; i < 2; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) {
            printf("socket: %s\n", strerror(errno));
            continue;
        }
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(i ? 53 : 22)};
        inet_pton(AF_INET, hosts[i], &a.sin_addr);
        ok |= connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
        close(fd);
    }
    return ok;
}
