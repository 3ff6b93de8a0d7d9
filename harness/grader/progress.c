/*
 * progress.c -- the progress line (progress.h).
 *
 * The estimate of what is left is the mean time of the tests done so far
 * times the tests still to run: tests of a lab cost about the same, and a
 * student reads "~9 s left" as a rough figure anyway.
 */
#include "progress.h"

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Plain lines: at most every PLAIN_SECONDS, or when a tenth more is done. */
#define PLAIN_SECONDS 15.0
/* The terminal's line is redrawn at most this often (seconds). */
#define REDRAW_SECONDS 0.2

static struct {
    int active, terminal, bold;
    char what[64];
    size_t total, done;
    double start, last_print;
    size_t last_tenth;
} p;

void progress_begin(const struct grade *g, const char *what, size_t total)
{
    memset(&p, 0, sizeof p);
    if (g->quiet || total == 0)
        return;
    const char *no_color = getenv("NO_COLOR");
    p.active = 1;
    p.terminal = isatty(STDERR_FILENO);
    p.bold = p.terminal && !(no_color && *no_color);
    snprintf(p.what, sizeof p.what, "%s", what);
    p.total = total;
    p.start = p.last_print = now_seconds();
    if (!p.terminal)
        fprintf(stderr, "%s: %zu tests\n", p.what, total);
    else
        progress_step(g, 0);
}

/* "refcount  57/138  12 s  ~9 s left" (no estimate before the first test ends). */
static void print_line(double now, int final)
{
    double elapsed = now - p.start;
    fprintf(stderr, "%s%s%s%s  %zu/%zu  %.0f s", p.terminal ? "\r" : "", p.bold ? "\033[1m" : "",
            p.what, p.bold ? "\033[0m" : "", p.done, p.total, elapsed);
    if (!final && p.done > 0 && p.done < p.total)
        fprintf(stderr, "  ~%.0f s left", elapsed / (double)p.done * (double)(p.total - p.done));
    fputs(p.terminal ? (final ? "\033[K\n" : "\033[K") : "\n", stderr);
    fflush(stderr);
    p.last_print = now;
}

void progress_step(const struct grade *g, size_t done)
{
    (void)g;
    if (!p.active)
        return;
    p.done = done > p.total ? p.total : done;
    double now = now_seconds();
    size_t tenth = p.done * 10 / p.total;
    if (p.terminal) {
        if (now - p.last_print >= REDRAW_SECONDS || p.done == 0)
            print_line(now, 0);
        return;
    }
    if (p.done < p.total && (tenth > p.last_tenth || now - p.last_print >= PLAIN_SECONDS)) {
        p.last_tenth = tenth;
        print_line(now, 0);
    }
}

void progress_end(const struct grade *g)
{
    (void)g;
    if (!p.active)
        return;
    print_line(now_seconds(), 1);
    p.active = 0;
}
