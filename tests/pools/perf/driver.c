/*
 * driver.c -- the pools lab's trace driver for performance work, built -O2
 * in one of two flavours:
 *
 *   -DREPLAY_POOLS   the allocator is a pools.c (pool_malloc & co.), linked
 *                    with stubs.c instead of the runtime; link with
 *                    -Wl,--wrap=mmap -Wl,--wrap=munmap so that the driver
 *                    counts the bytes the allocator maps
 *   (default)        the allocator is malloc/calloc/realloc/free of whatever
 *                    library is linked: glibc, -lmimalloc, -ljemalloc
 *
 * usage: replay check TRACE        checked replay (replay.h); prints one JSON
 *                                  object: name, ops, ok, utilization, error
 *        replay measure TRACE      one unchecked replay_fast (what callgrind
 *                                  measures with --toggle-collect=replay_fast)
 *        replay time TRACE [N]     N (default 3) unchecked replays; prints the
 *                                  fastest wall time in nanoseconds
 * Exit status: 0 ok, 1 the replay found an error, 2 usage or trace error.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "replay.h"

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

static size_t arena_bytes(void) { return mapped_bytes; }

static const replay_allocator allocator = {pool_malloc,     pool_calloc,           pool_realloc, pool_free,
                                           pool_check_heap, pool_address_in_range, arena_bytes};
static void finish(void) { pool_uninstall(); }
#else
static void *sys_malloc(size_t n) { return malloc(n); }
static void *sys_calloc(size_t n, size_t s) { return calloc(n, s); }
static void *sys_realloc(void *p, size_t n) { return realloc(p, n); }
static void sys_free(void *p) { free(p); }
static const replay_allocator allocator = {sys_malloc, sys_calloc, sys_realloc, sys_free, NULL, NULL, NULL};
static void finish(void) {}
#endif

static void json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            printf("\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            printf("\\u%04x", *s);
        else
            putchar(*s);
    }
    putchar('"');
}

static int check(const trace *t)
{
    replay_result r;
    int rc = replay_checked(t, &allocator, 1000, &r);
    printf("{\"name\": ");
    json_string(t->name);
    printf(", \"ops\": %zu, \"ok\": %s, \"utilization\": %.6f, \"peak_requested\": %zu, "
           "\"peak_system\": %zu, \"error\": ",
           r.ops, rc == 0 ? "true" : "false", r.utilization, r.peak_requested, r.peak_system);
    json_string(r.error);
    printf("}\n");
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
        fprintf(stderr, "usage: %s check|measure|time TRACE [N]\n", argv[0]);
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
        rc = check(&t);
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
