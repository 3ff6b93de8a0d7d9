/*
 * mlalloc.h -- the test kit's failing and counting allocators, beside
 * mltest.h's ml_runs_into_abort: one allocator a test puts in front of the
 * allocator a domain has, to make requests fail on a plan and to count what
 * the code under test asks for.
 *
 *     static ml_alloc a = ML_ALLOC_REFUSE_ALL;     every request fails
 *     ml_alloc_install(&a, MEM_DOMAIN_MEM);
 *     ... the code under test ...
 *     ml_alloc_remove(&a);                         the domains as they were
 *
 * A plan lets `pass` requests through, refuses the `refuse` that follow,
 * then lets every later one through: {.pass = 3, .refuse = 1} fails the
 * fourth request only; -1 in `pass` never refuses (a counting allocator),
 * -1 in `refuse` refuses every request after the first `pass`.  A request is
 * a malloc, a calloc or a realloc; `kinds` (0: all three) limits the plan to
 * some of them, and `size` > 0 to requests of exactly that many bytes
 * (calloc: nelem * elsize): the others pass and are not counted against
 * it.  A free always reaches the allocator underneath, which made the block.
 *
 * Two fields give the allocator a shape other tests need.  `in_place` > 0
 * makes every block at least that many bytes and a realloc to at most that
 * many return the block where it is, as an allocator with size classes does.
 * `before`, when set, runs first on every request (with its kind, before
 * the plan is asked): an allocator that allocates through another domain
 * meanwhile, as the pools lab asks RAW for its arenas.  Requests `before`
 * makes through a domain this ml_alloc is on are counted and planned, but
 * do not run `before` again.  `last` keeps the last request it saw.
 *
 * One ml_alloc may be installed on several domains: they share its plan and
 * its counters (one budget of requests across MEM and OBJ, say), and each
 * domain's requests go, when they pass, to the allocator that domain had.
 * An ml_alloc must outlive its installation (a static, or the test's own
 * frame until ml_alloc_remove).  Not for threads: one test runs at a time.
 */
#ifndef MLALLOC_H
#define MLALLOC_H

#include "memlab/mem.h"

typedef struct ml_alloc {
    /* The plan (see above); may be changed while installed. */
    long pass;
    long refuse;
    unsigned kinds; /* ML_ALLOC_MALLOC | ML_ALLOC_CALLOC | ML_ALLOC_REALLOC; 0: all */
    size_t size;
    /* Its shape (see above); may be changed while installed. */
    size_t in_place;
    void (*before)(unsigned kind);
    /* What it saw since ml_alloc_install (every request, planned or not). */
    long mallocs, callocs, reallocs, frees;
    long refused; /* requests it made fail */
    struct ml_alloc_request {
        unsigned kind; /* ML_ALLOC_MALLOC, _CALLOC or _REALLOC; 0: none yet */
        size_t nelem;  /* calloc's first argument; 0 for the others */
        size_t size;   /* malloc's and realloc's size, calloc's elsize */
    } last;
    /* Internal: whether `before` is running; the allocator each domain had,
     * for the domains it is on. */
    int in_before;
    struct ml_alloc_hook {
        struct ml_alloc *owner;
        mem_allocator under;
        int installed;
    } hooks[MEM_NDOMAINS];
} ml_alloc;

#define ML_ALLOC_MALLOC  1u
#define ML_ALLOC_CALLOC  2u
#define ML_ALLOC_REALLOC 4u

/* Plans: every request fails; the first fails, the rest pass; none fails. */
#define ML_ALLOC_REFUSE_ALL                                                                        \
    {                                                                                              \
        .pass = 0, .refuse = -1                                                                    \
    }
#define ML_ALLOC_REFUSE_ONCE                                                                       \
    {                                                                                              \
        .pass = 0, .refuse = 1                                                                     \
    }
#define ML_ALLOC_COUNT                                                                             \
    {                                                                                              \
        .pass = -1                                                                                 \
    }

/* Puts `a` in front of the allocator `domain` has now.  The first domain it
 * goes on zeroes the counters; a domain it is on already is left alone. */
void ml_alloc_install(ml_alloc *a, mem_domain domain);

/* Gives every domain `a` is on back the allocator it had. */
void ml_alloc_remove(ml_alloc *a);

/* A new plan for an installed allocator: `pass` more requests pass, then
 * `refuse` fail (the counters are kept). */
void ml_alloc_plan(ml_alloc *a, long pass, long refuse);

/* Its counters back to 0 (the plan is kept). */
void ml_alloc_zero(ml_alloc *a);

/* Requests of every kind since install (or ml_alloc_zero): mallocs +
 * callocs + reallocs. */
long ml_alloc_requests(const ml_alloc *a);

#endif /* MLALLOC_H */
