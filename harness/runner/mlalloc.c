/*
 * mlalloc.c -- the failing and counting test allocator of mlalloc.h.
 */
#include "mlalloc.h"

/* Whether this request must fail: a request of a planned kind and size
 * spends the plan's passes first, then its refusals. */
static int refuses(ml_alloc *a, unsigned kind, size_t bytes)
{
    if ((a->kinds != 0 && !(a->kinds & kind)) || (a->size != 0 && bytes != a->size))
        return 0;
    if (a->pass != 0) {
        if (a->pass > 0)
            a->pass--;
        return 0;
    }
    if (a->refuse == 0)
        return 0;
    if (a->refuse > 0)
        a->refuse--;
    a->refused++;
    return 1;
}

/* What every request does first: remember it, run `before` (not from
 * inside itself), then ask the plan whether it fails. */
static int admit(ml_alloc *a, unsigned kind, size_t nelem, size_t size)
{
    a->last = (struct ml_alloc_request){kind, nelem, size};
    if (a->before && !a->in_before) {
        a->in_before = 1;
        a->before(kind);
        a->in_before = 0;
    }
    return !refuses(a, kind, kind == ML_ALLOC_CALLOC ? nelem * size : size);
}

/* The size the allocator underneath is asked for: at least in_place. */
static size_t block_size(const ml_alloc *a, size_t size)
{
    return size < a->in_place ? a->in_place : size;
}

static void *hook_malloc(void *ctx, size_t size)
{
    struct ml_alloc_hook *h = ctx;
    h->owner->mallocs++;
    if (!admit(h->owner, ML_ALLOC_MALLOC, 0, size))
        return NULL;
    return h->under.malloc(h->under.ctx, block_size(h->owner, size));
}

static void *hook_calloc(void *ctx, size_t nelem, size_t elsize)
{
    struct ml_alloc_hook *h = ctx;
    h->owner->callocs++;
    if (!admit(h->owner, ML_ALLOC_CALLOC, nelem, elsize))
        return NULL;
    if (nelem * elsize < h->owner->in_place)
        return h->under.calloc(h->under.ctx, 1, h->owner->in_place);
    return h->under.calloc(h->under.ctx, nelem, elsize);
}

static void *hook_realloc(void *ctx, void *ptr, size_t size)
{
    struct ml_alloc_hook *h = ctx;
    h->owner->reallocs++;
    if (!admit(h->owner, ML_ALLOC_REALLOC, 0, size))
        return NULL;
    if (ptr && size <= h->owner->in_place)
        return ptr; /* its block was made in_place bytes big */
    return h->under.realloc(h->under.ctx, ptr, block_size(h->owner, size));
}

static void hook_free(void *ctx, void *ptr)
{
    struct ml_alloc_hook *h = ctx;
    h->owner->frees++;
    h->under.free(h->under.ctx, ptr);
}

static int installed_anywhere(const ml_alloc *a)
{
    for (int d = 0; d < MEM_NDOMAINS; d++)
        if (a->hooks[d].installed)
            return 1;
    return 0;
}

void ml_alloc_zero(ml_alloc *a)
{
    a->mallocs = a->callocs = a->reallocs = a->frees = a->refused = 0;
    a->last = (struct ml_alloc_request){0, 0, 0};
}

void ml_alloc_install(ml_alloc *a, mem_domain domain)
{
    struct ml_alloc_hook *h = &a->hooks[domain];
    if (h->installed)
        return;
    if (!installed_anywhere(a))
        ml_alloc_zero(a);
    h->owner = a;
    mem_get_allocator(domain, &h->under);
    h->installed = 1;
    mem_allocator hook = {h, hook_malloc, hook_calloc, hook_realloc, hook_free};
    mem_set_allocator(domain, &hook);
}

void ml_alloc_remove(ml_alloc *a)
{
    for (int d = 0; d < MEM_NDOMAINS; d++) {
        if (!a->hooks[d].installed)
            continue;
        mem_set_allocator((mem_domain)d, &a->hooks[d].under);
        a->hooks[d].installed = 0;
    }
}

void ml_alloc_plan(ml_alloc *a, long pass, long refuse)
{
    a->pass = pass;
    a->refuse = refuse;
}

long ml_alloc_requests(const ml_alloc *a) { return a->mallocs + a->callocs + a->reallocs; }
