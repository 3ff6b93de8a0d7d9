/*
 * tracing_test.h -- helpers shared by the tracing tests: a frame stack
 * scenario in one line, the text of a statistic as a string, a snapshot
 * built from a compact description.
 */
#ifndef TRACING_TEST_H
#define TRACING_TEST_H

#include "memlab/mem.h"
#include "memlab/tracing.h"
#include "mltest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline const char *size_text(double v, int sign)
{
    static char buf[64];
    trace_format_size(buf, sizeof buf, v, sign);
    return buf;
}

static inline const char *stat_text(const trace_statistic *st)
{
    static char buf[512];
    trace_format_statistic(buf, sizeof buf, st);
    return buf;
}

static inline const char *diff_text(const trace_statistic_diff *d)
{
    static char buf[512];
    trace_format_statistic_diff(buf, sizeof buf, d);
    return buf;
}

static inline const char *tb_str(const trace_traceback *tb)
{
    static char buf[512];
    trace_format_traceback_str(buf, sizeof buf, tb);
    return buf;
}

/* Add a trace to `snap` from "f.py:1 g.py:2 ..." (most recent first). */
static inline void add_trace_text(trace_snapshot *snap, unsigned domain, size_t size,
                                  const char *frames_text)
{
    static char names[64][64];
    trace_frame frames[64];
    size_t n = 0;
    char copy[1024];
    snprintf(copy, sizeof copy, "%s", frames_text);
    for (char *tok = strtok(copy, " "); tok && n < 64; tok = strtok(NULL, " ")) {
        char *colon = strrchr(tok, ':');
        *colon = '\0';
        snprintf(names[n], sizeof names[n], "%s", tok);
        frames[n] = (trace_frame){names[n], (unsigned)atoi(colon + 1)};
        n++;
    }
    ck_assert_int_eq(trace_snapshot_add(snap, domain, size, frames, n, n), 0);
}

/* Allocate `size` bytes from OBJ at file:line in function f (one frame). */
static inline void *alloc_at(const char *file, unsigned line, size_t size)
{
    mem_frame_push(file, line, "f");
    void *p = mem_malloc(MEM_DOMAIN_OBJ, size);
    mem_frame_pop();
    return p;
}

#endif /* TRACING_TEST_H */
