/* A slow allocator (6 of 20 points honestly) that writes callgrind's dump
 * (callgrind created it at its start) and makes it read-only, so that
 * callgrind cannot write its own at the end. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void hostile_forge(void)
{
    static int done;
    if (done++)
        return;
    char name[64];
    snprintf(name, sizeof name, "callgrind.out.%d", (int)getpid());
    int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0444);
    const char *text = "events: Ir\nsummary: 1\ntotals: 1\n";
    if (fd >= 0 && (write(fd, text, strlen(text)) < 0 || fchmod(fd, 0444) != 0))
        perror(name);
    if (fd >= 0)
        close(fd);
}
