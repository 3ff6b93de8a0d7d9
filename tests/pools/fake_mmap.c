/*
 * fake_mmap.c -- mmap and munmap for the pools test binary (contract in
 * fake_mmap.h).  Defined here, they take the place of the C library's for
 * the allocator under test; the C library's own mappings (malloc's) do not go
 * through them.  Each forwards to the system call.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "fake_mmap.h"

#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static fake_placement placement;
static long successes_left = -1;
static size_t live, calls;

void fake_mmap_place(fake_placement where) { placement = where; }
void fake_mmap_fail_after(long n) { successes_left = n; }
size_t fake_mmap_live(void) { return live; }
size_t fake_mmap_calls(void) { return calls; }

static void *sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

static int sys_munmap(void *addr, size_t len) { return (int)syscall(SYS_munmap, addr, len); }

/* Map len bytes at an address congruent to `offset` modulo 1 MiB. */
static void *placed(size_t len, int prot, int flags, size_t offset)
{
    const uintptr_t mib = (uintptr_t)1 << 20;
    size_t span = len + 2 * mib;
    uint8_t *raw = sys_mmap(NULL, span, prot, flags, -1, 0);
    if (raw == MAP_FAILED)
        return MAP_FAILED;
    uintptr_t base = (((uintptr_t)raw + mib - 1) & ~(mib - 1)) + offset;
    if (base > (uintptr_t)raw)
        sys_munmap(raw, base - (uintptr_t)raw);
    uintptr_t end = (uintptr_t)raw + span;
    if (end > base + len)
        sys_munmap((void *)(base + len), end - (base + len));
    return (void *)base;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    if (successes_left == 0)
        return MAP_FAILED;
    void *p;
    if (placement == PLACE_ANYWHERE || addr != NULL || fd != -1)
        p = sys_mmap(addr, len, prot, flags, fd, off);
    else
        p = placed(len, prot, flags,
                   placement == PLACE_ARENA_ALIGNED  ? 0
                   : placement == PLACE_POOL_ALIGNED ? 5 * 16384
                                                     : 3 * 16384 + 4096);
    if (p != MAP_FAILED) {
        live++;
        calls++;
        if (successes_left > 0)
            successes_left--;
    }
    return p;
}

int munmap(void *addr, size_t len)
{
    int rc = sys_munmap(addr, len);
    if (rc == 0)
        live--;
    return rc;
}
