/*
 * replay.h -- replay an allocation trace against an allocator, in the style of
 * CMU's Malloc Lab driver.  Used by the trace tests (test_replay.c), by the
 * performance tool (perf/) and by `make bench-pools`.
 *
 * Trace text (tools/recorder/recorder.c writes it, traces/trim.py cuts it):
 *   # memlabs-trace NAME ops=N ids=M      header
 *   m id size | c id nelem elsize | r id newid size | f id
 * ids run from 1 to M; id 0 in `r` is realloc(NULL, size).
 */
#ifndef POOLS_REPLAY_H
#define POOLS_REPLAY_H

#include <stddef.h>
#include <stdint.h>

typedef struct trace_op {
    char kind;      /* 'm', 'c', 'r', 'f' */
    uint32_t id;    /* the block (for r: the old one, 0 = NULL) */
    uint32_t newid; /* r: the new block */
    size_t size;    /* m, r: bytes; c: nelem */
    size_t elsize;  /* c: bytes per element */
} trace_op;

typedef struct trace {
    char name[64];
    trace_op *ops;
    size_t nops;
    size_t nids; /* largest id */
} trace;

/* A trace compiled into the binary (trace_data.c). */
typedef struct trace_text {
    const char *name;
    const char *text;
} trace_text;
extern const trace_text replay_short_traces[]; /* ends with {NULL, NULL} */

/* Parse trace text; 0, or -1 with a message in err (size errlen). */
int trace_parse(const char *text, trace *out, char *err, size_t errlen);
/* Read and parse a file. */
int trace_load(const char *path, trace *out, char *err, size_t errlen);
void trace_free(trace *t);

typedef struct replay_allocator {
    void *(*malloc)(size_t);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    void (*free)(void *);
    /* optional: the heap checker (0 = consistent), and whether a block came
     * from the allocator's own arenas (else it went to the system) */
    int (*check)(void);
    int (*is_own)(const void *);
    /* optional: bytes of arenas currently mapped, for utilization */
    size_t (*arena_bytes)(void);
} replay_allocator;

typedef struct replay_result {
    size_t ops;            /* operations replayed */
    size_t peak_requested; /* most live bytes requested at once */
    size_t peak_system;    /* most bytes held from the system at once: arenas + system blocks */
    double utilization;    /* peak_requested / peak_system (1 when nothing was held) */
    char error[512];       /* empty when the replay was correct */
} replay_result;

/* Replay with every check: each block is filled with a pattern of its id and
 * verified before free and after realloc; 16-byte alignment; no two live
 * blocks overlap (unless flags has REPLAY_OVERLAP_OUTSIDE); the heap checker
 * every check_every operations (0: never) and at the end.  Stops at the first
 * error (result->error).  Returns 0 if correct, -1 if not.  Frees every block
 * it allocated, even on error. */
int replay_checked(const trace *t, const replay_allocator *a, size_t check_every, unsigned flags,
                   replay_result *result);
/* The caller checks that no two live blocks overlap, from what the allocator
 * returned (perf-run, from the driver's stream, outside the allocator's
 * process): the checker keeps no ordered tree, about half of its instructions. */
#define REPLAY_OVERLAP_OUTSIDE 1u

/* Replay as fast as possible, no checks, `slots` holding nids+1 pointers.
 * This is the function callgrind measures (--toggle-collect=replay_fast). */
void replay_fast(const trace *t, const replay_allocator *a, void **slots);

#endif /* POOLS_REPLAY_H */
