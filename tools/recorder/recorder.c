/*
 * recorder.c -- an LD_PRELOAD library that writes a trace of every
 * malloc/calloc/realloc/free (and the aligned variants) of a process.
 *
 *   gcc -O2 -shared -fPIC -o recorder.so recorder.c
 *   MEMLAB_TRACE=out.trace PYTHONMALLOC=malloc LD_PRELOAD=./recorder.so python3 prog.py
 *
 * With PYTHONMALLOC=malloc, CPython sends every allocation (objects too) to
 * malloc, so the trace is what pymalloc would have been asked for (plus the
 * C library's own small share).
 *
 * Trace, one operation a line (ids are numbers given to blocks in order of
 * birth, 0 stands for NULL):
 *   m id size          malloc(size) returned block id      (memalign & co. too)
 *   c id nelem elsize  calloc(nelem, elsize) returned block id
 *   r id newid size    realloc(block id, size) returned block newid (id 0: realloc(NULL))
 *   f id               free(block id)
 * Frees of blocks born before the recorder started are left out.
 *
 * Reentrancy: the hooks call glibc's own __libc_* entry points; a thread-local
 * flag lets allocations made while recording (none today) pass through
 * unrecorded; a spin lock orders the lines of different threads.  The
 * pointer -> id table lives in mmap'd memory, never in the traced heap.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

/* ------------------------------------------------------------ state */

static int trace_fd = -1; /* -1: not recording (yet, or no MEMLAB_TRACE) */
static int lock_word;
static __thread int in_hook;
static char out_buf[1 << 16];
static size_t out_len;
static uint64_t next_id = 1;

typedef struct slot {
    uintptr_t ptr; /* 0 empty, 1 deleted */
    uint64_t id;
} slot;
static slot *table;
static size_t table_cap, table_used;

static void lock(void)
{
    while (__atomic_exchange_n(&lock_word, 1, __ATOMIC_ACQUIRE))
        ;
}
static void unlock(void) { __atomic_store_n(&lock_word, 0, __ATOMIC_RELEASE); }

/* ------------------------------------------------------------ output */

static void flush_out(void)
{
    size_t done = 0;
    while (done < out_len) {
        ssize_t n = write(trace_fd, out_buf + done, out_len - done);
        if (n <= 0 && errno != EINTR)
            break;
        if (n > 0)
            done += (size_t)n;
    }
    out_len = 0;
}

static void put_u64(uint64_t v)
{
    char tmp[24];
    int n = 0;
    do
        tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (n > 0)
        out_buf[out_len++] = tmp[--n];
}

/* One line: kind, then up to three numbers. */
static void emit(char kind, int count, uint64_t a, uint64_t b, uint64_t c)
{
    if (out_len > sizeof out_buf - 96)
        flush_out();
    out_buf[out_len++] = kind;
    uint64_t v[3] = {a, b, c};
    for (int i = 0; i < count; i++) {
        out_buf[out_len++] = ' ';
        put_u64(v[i]);
    }
    out_buf[out_len++] = '\n';
}

/* ------------------------------------------------------------ pointer -> id */

static size_t hash_ptr(uintptr_t p, size_t cap)
{
    uint64_t h = (uint64_t)p * 0x9e3779b97f4a7c15ULL;
    return (size_t)(h >> 20) & (cap - 1);
}

static void table_put_raw(slot *t, size_t cap, uintptr_t p, uint64_t id)
{
    size_t i = hash_ptr(p, cap);
    while (t[i].ptr > 1)
        i = (i + 1) & (cap - 1);
    t[i].ptr = p;
    t[i].id = id;
}

static int table_grow(void)
{
    size_t cap = table_cap ? table_cap * 2 : (1 << 16);
    slot *t =
        mmap(NULL, cap * sizeof(slot), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (t == MAP_FAILED)
        return -1;
    size_t live = 0;
    for (size_t i = 0; i < table_cap; i++)
        if (table[i].ptr > 1) {
            table_put_raw(t, cap, table[i].ptr, table[i].id);
            live++;
        }
    if (table)
        munmap(table, table_cap * sizeof(slot));
    table = t;
    table_cap = cap;
    table_used = live;
    return 0;
}

static uint64_t born(void *p)
{
    if ((table_used + 1) * 2 > table_cap && table_grow() < 0)
        return 0;
    uint64_t id = next_id++;
    table_put_raw(table, table_cap, (uintptr_t)p, id);
    table_used++;
    return id;
}

/* Forget p; its id, or 0 if it was not born under the recorder. */
static uint64_t died(void *p)
{
    if (table_cap == 0)
        return 0;
    for (size_t i = hash_ptr((uintptr_t)p, table_cap);; i = (i + 1) & (table_cap - 1)) {
        if (table[i].ptr == 0)
            return 0;
        if (table[i].ptr == (uintptr_t)p) {
            table[i].ptr = 1;
            return table[i].id;
        }
    }
}

/* ------------------------------------------------------------ start and stop */

__attribute__((constructor)) static void recorder_start(void)
{
    const char *path = getenv("MEMLAB_TRACE");
    if (path == NULL || *path == '\0')
        return;
    in_hook = 1;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    in_hook = 0;
    trace_fd = fd;
}

__attribute__((destructor)) static void recorder_stop(void)
{
    if (trace_fd < 0)
        return;
    lock();
    flush_out();
    close(trace_fd);
    trace_fd = -1;
    unlock();
}

static int recording(void) { return trace_fd >= 0 && !in_hook; }

/* ------------------------------------------------------------ the hooks */

void *malloc(size_t size)
{
    void *p = __libc_malloc(size);
    if (p != NULL && recording()) {
        lock();
        emit('m', 2, born(p), size, 0);
        unlock();
    }
    return p;
}

void *calloc(size_t nelem, size_t elsize)
{
    void *p = __libc_calloc(nelem, elsize);
    if (p != NULL && recording()) {
        lock();
        emit('c', 3, born(p), nelem, elsize);
        unlock();
    }
    return p;
}

void *realloc(void *old, size_t size)
{
    void *p = __libc_realloc(old, size);
    if (!recording())
        return p;
    if (p == NULL && size != 0)
        return p; /* failed: the old block is untouched */
    lock();
    uint64_t old_id = old ? died(old) : 0;
    if (p == NULL) { /* realloc(old, 0) freed it */
        if (old_id)
            emit('f', 1, old_id, 0, 0);
    } else if (old != NULL && old_id == 0) { /* born before us: a malloc from here on */
        emit('m', 2, born(p), size, 0);
    } else {
        emit('r', 3, old_id, born(p), size);
    }
    unlock();
    return p;
}

void free(void *p)
{
    if (p != NULL && recording()) {
        lock();
        uint64_t id = died(p);
        if (id)
            emit('f', 1, id, 0, 0);
        unlock();
    }
    __libc_free(p);
}

static void *aligned(size_t alignment, size_t size)
{
    void *p = __libc_memalign(alignment, size);
    if (p != NULL && recording()) {
        lock();
        emit('m', 2, born(p), size, 0);
        unlock();
    }
    return p;
}

int posix_memalign(void **out, size_t alignment, size_t size)
{
    if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0)
        return EINVAL;
    void *p = aligned(alignment, size);
    if (p == NULL)
        return ENOMEM;
    *out = p;
    return 0;
}

void *memalign(size_t alignment, size_t size) { return aligned(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { return aligned(alignment, size); }
