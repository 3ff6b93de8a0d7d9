/*
 * driver.c -- the pools lab's trace driver for performance work, built -O2
 * in one of two flavours:
 *
 *   -DREPLAY_POOLS   the allocator is a pools.c (pool_malloc & co.), linked
 *                    with stubs.c instead of the runtime; link with
 *                    -Wl,--wrap=mmap -Wl,--wrap=munmap so that the driver
 *                    counts the bytes the allocator maps.  perf-run also
 *                    renames the pools object's malloc/calloc/realloc/free
 *                    to perf_sys_* (objcopy --redefine-sym): what the
 *                    allocator takes from the C library then counts as
 *                    obtained from the system too, at its usable size
 *   (default)        the allocator is malloc/calloc/realloc/free of whatever
 *                    library is linked: glibc, -lmimalloc, -ljemalloc
 *
 * usage: replay check TRACE        checked replay (replay.h), without its
 *                                  overlap test (REPLAY_OVERLAP_OUTSIDE: perf-run
 *                                  checks overlap from the stream); prints one
 *                                  JSON object: name, ops, ok, utilization, error.
 *                                  The allocator is called through measured_*,
 *                                  what callgrind's --toggle-collect=measured_*
 *                                  counts.  Under Valgrind, the driver also
 *                                  streams every call and its result into
 *                                  Valgrind's log (VALGRIND_PRINTF, below):
 *                                  perf-run checks that stream itself, outside
 *                                  this process, and believes nothing this
 *                                  process prints or decides
 *        replay measure TRACE      one unchecked replay_fast (what callgrind
 *                                  measures with --toggle-collect=replay_fast)
 *        replay time TRACE [N]     N (default 3) unchecked replays; prints the
 *                                  fastest wall time in nanoseconds
 * Exit status: 0 ok, 1 the replay found an error, 2 usage or trace error.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "replay.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

/* The records below are client requests; the allocator itself is built
 * -DNVALGRIND (perf-run refuses an allocator object holding any). */
#undef NVALGRIND
#include <valgrind/valgrind.h>

#ifdef REPLAY_POOLS
#include "memlab/pools.h"

static size_t mapped_bytes;

void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __real_munmap(void *addr, size_t len);

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    void *p = __real_mmap(addr, len, prot, flags, fd, off);
    if (p != MAP_FAILED)
        mapped_bytes += len;
    return p;
}

int __wrap_munmap(void *addr, size_t len)
{
    int rc = __real_munmap(addr, len);
    if (rc == 0)
        mapped_bytes -= len;
    return rc;
}

/* The C library's blocks the allocator holds (large requests, its own
 * bookkeeping), at their usable size. */
static size_t libc_bytes;

void *perf_sys_malloc(size_t n)
{
    void *p = malloc(n);
    libc_bytes += malloc_usable_size(p);
    return p;
}

void *perf_sys_calloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    libc_bytes += malloc_usable_size(p);
    return p;
}

void *perf_sys_realloc(void *old, size_t n)
{
    size_t before = malloc_usable_size(old);
    void *p = realloc(old, n);
    if (p != NULL || n == 0)
        libc_bytes += malloc_usable_size(p) - before;
    return p;
}

void perf_sys_free(void *p)
{
    libc_bytes -= malloc_usable_size(p);
    free(p);
}

static size_t arena_bytes(void) { return mapped_bytes + libc_bytes; }

/* No is_own: every byte the allocator holds is in arena_bytes already. */
static const replay_allocator allocator = {pool_malloc,     pool_calloc, pool_realloc, pool_free,
                                           pool_check_heap, NULL,        arena_bytes};
static void finish(void) { pool_uninstall(); }

/* What the grader measures: `check` runs under callgrind with
 * --toggle-collect=measured_*, so the count is the allocator's own work in
 * the checked replay.  One run gives correctness, utilization and the
 * instruction count: the allocator cannot behave one way when checked and
 * another when measured.  The four never call one another, so a toggle is
 * never nested inside another. */
__attribute__((noinline)) static void *measured_malloc(size_t n) { return pool_malloc(n); }
__attribute__((noinline)) static void *measured_calloc(size_t n, size_t s)
{
    return pool_calloc(n, s);
}
__attribute__((noinline)) static void *measured_realloc(void *p, size_t n)
{
    return pool_realloc(p, n);
}
__attribute__((noinline)) static void measured_free(void *p) { pool_free(p); }

/* The stream perf-run checks (harness/perf/pools/perf-run, class Stream):
 * one line per allocator call, in call order, with the bytes held from the
 * system after it:
 *   perf m SIZE RET HELD | perf c N ELSIZE RET HELD | perf r OLD SIZE RET HELD
 *   perf f PTR HELD | perf end OK OPS
 * Valgrind writes them to its log, which the allocator cannot reach; they
 * are printed outside measured_*, so they cost nothing in the count. */
static void *streamed_malloc(size_t n)
{
    void *p = measured_malloc(n);
    VALGRIND_PRINTF("perf m %zu %p %zu\n", n, p, arena_bytes());
    return p;
}

static void *streamed_calloc(size_t n, size_t s)
{
    void *p = measured_calloc(n, s);
    VALGRIND_PRINTF("perf c %zu %zu %p %zu\n", n, s, p, arena_bytes());
    return p;
}

static void *streamed_realloc(void *old, size_t n)
{
    void *p = measured_realloc(old, n);
    VALGRIND_PRINTF("perf r %p %zu %p %zu\n", old, n, p, arena_bytes());
    return p;
}

static void streamed_free(void *p)
{
    measured_free(p);
    VALGRIND_PRINTF("perf f %p %zu\n", p, arena_bytes());
}

static const replay_allocator measured = {streamed_malloc, streamed_calloc, streamed_realloc,
                                          streamed_free,   pool_check_heap, NULL,
                                          arena_bytes};
#else
static void *sys_malloc(size_t n) { return malloc(n); }
static void *sys_calloc(size_t n, size_t s) { return calloc(n, s); }
static void *sys_realloc(void *p, size_t n) { return realloc(p, n); }
static void sys_free(void *p) { free(p); }
static const replay_allocator allocator = {sys_malloc, sys_calloc, sys_realloc, sys_free,
                                           NULL,       NULL,       NULL};
#define measured allocator
static void finish(void) {}
#endif

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(out, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(out, "\\u%04x", *s);
        else
            fputc(*s, out);
    }
    fputc('"', out);
}

static int check(const trace *t, FILE *out)
{
    replay_result r;
    int rc = replay_checked(t, &measured, 1000, REPLAY_OVERLAP_OUTSIDE, &r);
    fprintf(out, "{\"name\": ");
    json_string(out, t->name);
    fprintf(out,
            ", \"ops\": %zu, \"ok\": %s, \"utilization\": %.6f, \"peak_requested\": %zu, "
            "\"peak_system\": %zu, \"error\": ",
            r.ops, rc == 0 ? "true" : "false", r.utilization, r.peak_requested, r.peak_system);
    json_string(out, r.error);
    fprintf(out, "}\n");
    VALGRIND_PRINTF("perf end %d %zu\n", rc == 0, r.ops);
    return rc == 0 ? 0 : 1;
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s check TRACE | measure TRACE | time TRACE [N]\n", argv[0]);
        return 2;
    }
    trace t;
    char err[256];
    if (trace_load(argv[2], &t, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    int rc = 0;
    void **slots = calloc(t.nids + 1, sizeof *slots);
    if (strcmp(argv[1], "check") == 0) {
        rc = check(&t, stdout);
    } else if (strcmp(argv[1], "measure") == 0) {
        replay_fast(&t, &allocator, slots);
    } else if (strcmp(argv[1], "time") == 0) {
        int n = argc > 3 ? atoi(argv[3]) : 3;
        long long best = -1;
        for (int i = 0; i < (n > 0 ? n : 1); i++) {
            long long start = now_ns();
            replay_fast(&t, &allocator, slots);
            long long took = now_ns() - start;
            if (best < 0 || took < best)
                best = took;
        }
        printf("%lld\n", best);
    } else {
        fprintf(stderr, "unknown mode %s\n", argv[1]);
        rc = 2;
    }
    free(slots);
    trace_free(&t);
    finish();
    return rc;
}
