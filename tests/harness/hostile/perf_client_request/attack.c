/* A slow allocator (6 of 20 points honestly) that asks Valgrind itself to
 * print a forged count (the line is prefixed "**pid**", the newline starts
 * a "==pid==" one) and to zero callgrind's counters. */
#undef NVALGRIND
#include <unistd.h>
#include <valgrind/callgrind.h>
#include <valgrind/valgrind.h>

static void hostile_forge(void)
{
    VALGRIND_PRINTF("\n==%d== Collected : 1\n", (int)getpid());
    CALLGRIND_ZERO_STATS;
}
