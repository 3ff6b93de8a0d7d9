/*
 * memlab/mem.h -- the mem layer: allocator domains, allocator hooks, live-byte
 * counters and the runtime's frame stack.  Given code (labs/runtime/mem.c),
 * not a lab.
 *
 * Every byte the runtime uses comes from one of three domains, as in CPython:
 *
 *   MEM_DOMAIN_RAW  like PyMem_RawMalloc   the system allocator, always
 *   MEM_DOMAIN_MEM  like PyMem_Malloc      buffers (list item arrays, dict tables)
 *   MEM_DOMAIN_OBJ  like PyObject_Malloc   objects
 *
 * Each domain calls through a replaceable `mem_allocator` (PyMem_SetAllocator).
 * The pools lab installs itself on MEM and OBJ; the tracing lab wraps whatever
 * is installed and passes every call through.  By default every domain uses the
 * C library (like PYTHONMALLOC=malloc), which is what Valgrind sees best;
 * ml_runtime_init() installs pools when MEMLAB_MALLOC=pymalloc.
 *
 * The counters below are kept by mem_malloc & co. *outside* the hooks, so they
 * count the bytes the runtime asked for, whatever allocator is underneath.
 */
#ifndef MEMLAB_MEM_H
#define MEMLAB_MEM_H

#include <stddef.h>

typedef enum mem_domain {
    MEM_DOMAIN_RAW = 0,
    MEM_DOMAIN_MEM = 1,
    MEM_DOMAIN_OBJ = 2,
    MEM_NDOMAINS = 3
} mem_domain;

/* An allocator: four functions and the context they are called with.
 * Contract (the same as C's): malloc(0) and calloc(0, _) return a unique
 * non-NULL pointer or NULL on failure; realloc(NULL, n) is malloc(n);
 * free(NULL) does nothing; calloc checks nelem * elsize for overflow. */
typedef struct mem_allocator {
    void *ctx;
    void *(*malloc)(void *ctx, size_t size);
    void *(*calloc)(void *ctx, size_t nelem, size_t elsize);
    void *(*realloc)(void *ctx, void *ptr, size_t new_size);
    void (*free)(void *ctx, void *ptr);
} mem_allocator;

/* Copy the allocator currently installed on `domain` into *out. */
void mem_get_allocator(mem_domain domain, mem_allocator *out);

/* Install `alloc` on `domain` (copied).  Blocks allocated before the change
 * must still be freed by the allocator that made them: a hook that wraps
 * another (the tracer) keeps the old one and calls it. */
void mem_set_allocator(mem_domain domain, const mem_allocator *alloc);

/* Restore the C library allocator on every domain. */
void mem_reset_allocators(void);

/* The system allocator as a mem_allocator (what RAW always uses). */
const mem_allocator *mem_system_allocator(void);

/* Allocate / free through a domain.  A block must be freed or reallocated
 * through the domain that allocated it; mem_free of a pointer the mem layer
 * does not know, or through the wrong domain, is a fatal error that names
 * both domains (like CPython's debug hooks: "bad ID"). */
void *mem_malloc(mem_domain domain, size_t size);
void *mem_calloc(mem_domain domain, size_t nelem, size_t elsize);
void *mem_realloc(mem_domain domain, void *ptr, size_t new_size);
void mem_free(mem_domain domain, void *ptr);

/* Live-byte counters over all domains, in bytes requested (not rounded).
 * `peak` is the highest `current` since start or the last mem_reset_peak(). */
typedef struct mem_stats {
    size_t current; /* bytes in live blocks */
    size_t peak;    /* high-water mark of `current` */
    size_t blocks;  /* live blocks */
    size_t allocs;  /* successful malloc/calloc/realloc(NULL) calls */
    size_t frees;   /* frees of non-NULL pointers */
} mem_stats;

void mem_get_stats(mem_stats *out);
size_t mem_current_bytes(void);
size_t mem_peak_bytes(void);
void mem_reset_peak(void); /* peak = current */

/* Size of a live block as requested, or 0 if `ptr` is not a live block. */
size_t mem_block_size(const void *ptr);

/* ------------------------------------------------------------------
 * The frame stack: the C stand-in for Python's frames.  Code that wants to
 * appear in a traceback (the tracer records it) pushes a frame on entry and
 * pops it on exit; ML_LINE() updates the current line.  frames[0] is the
 * most recent call, as in tracemalloc.
 */
typedef struct mem_frame {
    const char *filename; /* static string, e.g. "demo.py" */
    unsigned int lineno;
    const char *function;
} mem_frame;

#define MEM_MAX_FRAMES 1024

/* Push a frame; returns 0, or -1 when MEM_MAX_FRAMES are already pushed. */
int mem_frame_push(const char *filename, unsigned int lineno, const char *function);
void mem_frame_pop(void);
void mem_frame_set_line(unsigned int lineno);
/* Number of frames on the stack. */
size_t mem_frame_depth(void);
/* Frame `i`, counting from the most recent (0); NULL when i >= depth. */
const mem_frame *mem_frame_at(size_t i);
/* The whole stack as one array, the oldest frame first: frames[depth - 1] is
 * the most recent (mem_frame_at(0)); *depth gets the number of frames.  For
 * a reader that walks every frame at each call (the tracer); valid until the
 * next push or pop. */
const mem_frame *mem_frame_array(size_t *depth);

/* Demo helpers: a "Python" function body in C.
 *   ML_FRAME_ENTER("demo.py", 3, "make_list");  ...  ML_LINE(5); ...  ML_FRAME_EXIT();
 */
#define ML_FRAME_ENTER(file, line, func) mem_frame_push((file), (line), (func))
#define ML_LINE(line)                    mem_frame_set_line(line)
#define ML_FRAME_EXIT()                  mem_frame_pop()

#endif /* MEMLAB_MEM_H */
