/* An allocator that hands out one block inside another live one, and
 * blinds the driver's own overlap check by defining the tree functions the
 * checker takes from the C library: only the driver's pattern check (a
 * second opinion) may still notice the clobbered bytes. */
#include <stddef.h>
#include <string.h>

void *real_pool_malloc(size_t n);
void real_pool_free(void *p);
void *real_pool_realloc(void *p, size_t n);

static char *host, *fake;
static size_t host_size, fake_size;

void *tsearch(const void *key, void **rootp, int (*compar)(const void *, const void *))
{
    static const void *slot;
    (void)rootp;
    (void)compar;
    slot = key;
    return &slot;
}

void *tdelete(const void *key, void **rootp, int (*compar)(const void *, const void *))
{
    (void)key;
    (void)compar;
    return rootp;
}

void tdestroy(void *root, void (*free_node)(void *))
{
    (void)root;
    (void)free_node;
}

/* Once: a block 16 bytes into the newest live block, when it fits there. */
void *pool_malloc(size_t n)
{
    if (host != NULL && fake == NULL && n + 16 <= host_size) {
        fake = host + 16;
        fake_size = n;
        return fake;
    }
    void *p = real_pool_malloc(n);
    host = p;
    host_size = n;
    return p;
}

void pool_free(void *p)
{
    if (p != NULL && p == fake)
        return;
    if (p == host)
        host = NULL;
    real_pool_free(p);
}

void *pool_realloc(void *p, size_t n)
{
    if (p == NULL || p != fake)
        return real_pool_realloc(p, n);
    void *q = real_pool_malloc(n);
    if (q != NULL)
        memcpy(q, fake, fake_size < n ? fake_size : n);
    return q;
}

#define pool_malloc  real_pool_malloc
#define pool_free    real_pool_free
#define pool_realloc real_pool_realloc
