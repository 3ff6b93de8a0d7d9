/*
 * mlalloc-test.c -- exact tests of the test kit's own allocator
 * (harness/runner/mlalloc.h): the labs' out-of-memory and reentrancy tests
 * are only as good as the plans, counters and shapes it promises.
 *
 *     mlalloc-test
 *
 * Ends with "N passed, M failed" (tests/kit/mlalloc.sh).
 */
#include "memlab/mem.h"
#include "mlalloc.h"

#include <stdio.h>
#include <string.h>

static int passed, failed;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (cond) {                                                                                \
            passed++;                                                                              \
        } else {                                                                                   \
            failed++;                                                                              \
            printf("FAIL: %s:%d: %s\n", __FILE__, __LINE__, #cond);                                \
        }                                                                                          \
    } while (0)

static void refuse_all_fails_every_kind_and_counts_it(void)
{
    static ml_alloc a = ML_ALLOC_REFUSE_ALL;
    void *old = mem_malloc(MEM_DOMAIN_MEM, 8);
    ml_alloc_install(&a, MEM_DOMAIN_MEM);
    CHECK(mem_malloc(MEM_DOMAIN_MEM, 8) == NULL);
    CHECK(mem_calloc(MEM_DOMAIN_MEM, 2, 8) == NULL);
    CHECK(mem_realloc(MEM_DOMAIN_MEM, old, 100) == NULL);
    CHECK(a.mallocs == 1 && a.callocs == 1 && a.reallocs == 1);
    CHECK(a.refused == 3 && ml_alloc_requests(&a) == 3);
    mem_free(MEM_DOMAIN_MEM, old); /* a free always passes */
    CHECK(a.frees == 1);
    ml_alloc_remove(&a);
    void *p = mem_malloc(MEM_DOMAIN_MEM, 8);
    CHECK(p != NULL);
    CHECK(a.mallocs == 1); /* removed: no longer sees requests */
    mem_free(MEM_DOMAIN_MEM, p);
}

static void a_plan_fails_exactly_the_planned_requests(void)
{
    static ml_alloc a = {.pass = 3, .refuse = 1};
    ml_alloc_install(&a, MEM_DOMAIN_RAW);
    void *p[6];
    for (int i = 0; i < 6; i++)
        p[i] = mem_malloc(MEM_DOMAIN_RAW, 16);
    CHECK(p[0] && p[1] && p[2] && !p[3] && p[4] && p[5]);
    CHECK(a.refused == 1 && a.mallocs == 6);
    for (int i = 0; i < 6; i++)
        mem_free(MEM_DOMAIN_RAW, p[i]);
    CHECK(a.frees == 5); /* mem_free(NULL) never reaches an allocator */
    ml_alloc_plan(&a, 1, -1);
    void *q = mem_malloc(MEM_DOMAIN_RAW, 1);
    CHECK(q != NULL);
    CHECK(mem_malloc(MEM_DOMAIN_RAW, 1) == NULL && mem_malloc(MEM_DOMAIN_RAW, 1) == NULL);
    ml_alloc_zero(&a);
    CHECK(a.mallocs == 0 && a.refused == 0 && a.last.kind == 0);
    ml_alloc_remove(&a);
    mem_free(MEM_DOMAIN_RAW, q);
}

static void kinds_and_size_limit_the_plan(void)
{
    static ml_alloc a = {.pass = 0, .refuse = -1, .kinds = ML_ALLOC_REALLOC, .size = 100};
    ml_alloc_install(&a, MEM_DOMAIN_RAW);
    void *p = mem_malloc(MEM_DOMAIN_RAW, 100); /* a malloc: not planned */
    CHECK(p != NULL);
    CHECK(mem_realloc(MEM_DOMAIN_RAW, p, 100) == NULL); /* planned kind and size */
    void *q = mem_realloc(MEM_DOMAIN_RAW, p, 101);      /* another size */
    CHECK(q != NULL);
    void *r = mem_calloc(MEM_DOMAIN_RAW, 10, 10); /* 100 bytes, but a calloc */
    CHECK(r != NULL);
    CHECK(a.refused == 1 && ml_alloc_requests(&a) == 4);
    ml_alloc_remove(&a);
    mem_free(MEM_DOMAIN_RAW, q);
    mem_free(MEM_DOMAIN_RAW, r);
}

static void in_place_keeps_small_reallocs_where_they_are(void)
{
    static ml_alloc under = ML_ALLOC_COUNT; /* what reaches the allocator underneath */
    static ml_alloc a = {.pass = -1, .in_place = 64};
    ml_alloc_install(&under, MEM_DOMAIN_MEM);
    ml_alloc_install(&a, MEM_DOMAIN_MEM);
    char *p = mem_malloc(MEM_DOMAIN_MEM, 16);
    CHECK(p != NULL && under.last.size == 64);
    memset(p, 'x', 64); /* the block is 64 bytes: memcheck would see a write past it */
    CHECK(mem_realloc(MEM_DOMAIN_MEM, p, 48) == p);
    CHECK(mem_realloc(MEM_DOMAIN_MEM, p, 64) == p);
    CHECK(under.reallocs == 0);
    char *q = mem_realloc(MEM_DOMAIN_MEM, p, 4096);
    CHECK(q != NULL && q[0] == 'x' && q[63] == 'x');
    CHECK(under.reallocs == 1 && under.last.size == 4096);
    unsigned char *z = mem_calloc(MEM_DOMAIN_MEM, 1, 1);
    CHECK(under.last.kind == ML_ALLOC_CALLOC && under.last.nelem * under.last.size == 64);
    int zeroed = z != NULL;
    for (int i = 0; zeroed && i < 64; i++)
        zeroed = z[i] == 0;
    CHECK(zeroed);
    CHECK(a.reallocs == 3);
    ml_alloc_remove(&a);
    ml_alloc_remove(&under);
    mem_free(MEM_DOMAIN_MEM, q);
    mem_free(MEM_DOMAIN_MEM, z);
}

/* `before` of the test below: a RAW malloc of its own on each malloc. */
static ml_alloc nesting;
static unsigned kinds_seen;
static void *inner[4];
static int ninner;
static void allocate_inside(unsigned kind)
{
    kinds_seen |= kind;
    if (kind == ML_ALLOC_MALLOC && ninner < 4)
        inner[ninner++] = mem_malloc(MEM_DOMAIN_RAW, 32);
}

static void before_runs_first_and_not_inside_itself(void)
{
    nesting = (ml_alloc){.pass = -1, .before = allocate_inside};
    ml_alloc_install(&nesting, MEM_DOMAIN_OBJ);
    ml_alloc_install(&nesting, MEM_DOMAIN_RAW);
    void *p = mem_malloc(MEM_DOMAIN_OBJ, 8);
    CHECK(p != NULL && ninner == 1 && inner[0] != NULL); /* not again for the inner malloc */
    CHECK(nesting.mallocs == 2);                         /* both counted */
    p = mem_realloc(MEM_DOMAIN_OBJ, p, 80);
    CHECK(kinds_seen == (ML_ALLOC_MALLOC | ML_ALLOC_REALLOC) && ninner == 1);
    ml_alloc_remove(&nesting);
    mem_free(MEM_DOMAIN_OBJ, p);
    mem_free(MEM_DOMAIN_RAW, inner[0]);
}

static void last_keeps_the_last_request(void)
{
    static ml_alloc a = ML_ALLOC_COUNT;
    ml_alloc_install(&a, MEM_DOMAIN_MEM);
    void *p = mem_calloc(MEM_DOMAIN_MEM, 7, 12);
    CHECK(a.last.kind == ML_ALLOC_CALLOC && a.last.nelem == 7 && a.last.size == 12);
    p = mem_realloc(MEM_DOMAIN_MEM, p, 200);
    CHECK(a.last.kind == ML_ALLOC_REALLOC && a.last.nelem == 0 && a.last.size == 200);
    void *q = mem_malloc(MEM_DOMAIN_MEM, 5);
    CHECK(a.last.kind == ML_ALLOC_MALLOC && a.last.size == 5);
    ml_alloc_remove(&a);
    mem_free(MEM_DOMAIN_MEM, p);
    mem_free(MEM_DOMAIN_MEM, q);
}

static void remove_gives_back_each_domains_allocator(void)
{
    mem_allocator raw_before, obj_before, now;
    mem_get_allocator(MEM_DOMAIN_RAW, &raw_before);
    mem_get_allocator(MEM_DOMAIN_OBJ, &obj_before);
    static ml_alloc a = {.pass = 1, .refuse = -1};
    ml_alloc_install(&a, MEM_DOMAIN_RAW);
    ml_alloc_install(&a, MEM_DOMAIN_OBJ);
    ml_alloc_install(&a, MEM_DOMAIN_OBJ); /* already on: left alone */
    void *p = mem_malloc(MEM_DOMAIN_RAW, 4);
    CHECK(p != NULL);
    CHECK(mem_malloc(MEM_DOMAIN_OBJ, 4) == NULL); /* one budget across both domains */
    ml_alloc_remove(&a);
    mem_get_allocator(MEM_DOMAIN_RAW, &now);
    CHECK(memcmp(&now, &raw_before, sizeof now) == 0);
    mem_get_allocator(MEM_DOMAIN_OBJ, &now);
    CHECK(memcmp(&now, &obj_before, sizeof now) == 0);
    mem_free(MEM_DOMAIN_RAW, p);
}

int main(void)
{
    refuse_all_fails_every_kind_and_counts_it();
    a_plan_fails_exactly_the_planned_requests();
    kinds_and_size_limit_the_plan();
    in_place_keeps_small_reallocs_where_they_are();
    before_runs_first_and_not_inside_itself();
    last_keeps_the_last_request();
    remove_gives_back_each_domains_allocator();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
