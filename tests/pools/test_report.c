/*
 * The _debugmallocstats report, the heap checker, and installing the layer
 * under the runtime's domains (handout §7, §8, §1).
 */
#include "memlab/mem.h"
#include "memlab/runtime.h"
#include "pools_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/memcheck.h>

/* ------------------------------------------------------------ the report */

static void expect_line(char **cursor, const char *expected)
{
    size_t n = strlen(expected);
    ck_assert_msg(strncmp(*cursor, expected, n) == 0,
                  "expected the line\n[%s]\nbut the report has\n[%.*s]", expected,
                  (int)(strcspn(*cursor, "\n")), *cursor);
    *cursor += n;
}

static void expect_value(char **cursor, const char *label, size_t value)
{
    char digits[32], grouped[48], line[128];
    int n = snprintf(digits, sizeof digits, "%zu", value), k = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            grouped[k++] = ',';
        grouped[k++] = digits[i];
    }
    grouped[k] = '\0';
    snprintf(line, sizeof line, "%-35s=%21s\n", label, grouped);
    expect_line(cursor, line);
}

ML_TEST(
    debug_stats_report_matches_cpython_layout, .points = 4,
    .description = "pool_debug_stats prints sys._debugmallocstats()'s table and totals, exactly",
    .hint = "handout §7, The report")
{
    void *blocks[6] = {pool_malloc(16),  pool_malloc(10),  pool_malloc(1),
                       pool_malloc(512), pool_malloc(500), pool_malloc(100)};
    for (int i = 0; i < 6; i++)
        ck_assert_msg(blocks[i] != NULL, "pool_malloc returned NULL");
    size_t total = pools_per_first_arena(), unused = total - 3;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    pool_debug_stats(out);
    fclose(out);
    char *c = text;
    expect_line(&c, "Small block threshold = 512, in 32 size classes.\n\n");
    expect_line(&c, "class   size   num pools   blocks in use  avail blocks\n");
    expect_line(&c, "-----   ----   ---------   -------------  ------------\n");
    expect_line(&c, "    0     16           1               3          1018\n");
    expect_line(&c, "    6    112           1               1           144\n");
    expect_line(&c, "   31    512           1               2            29\n");
    expect_line(&c, "\n");
    expect_value(&c, "# arenas allocated total", 1);
    expect_value(&c, "# arenas reclaimed", 0);
    expect_value(&c, "# arenas highwater mark", 1);
    expect_value(&c, "# arenas allocated current", 1);
    expect_value(&c, "1 arenas * 1048576 bytes/arena", 1048576);
    expect_line(&c, "\n");
    expect_value(&c, "# bytes in allocated blocks", 3 * 16 + 112 + 2 * 512);
    expect_value(&c, "# bytes in available blocks", 1018 * 16 + 144 * 112 + 29 * 512);
    char label[64];
    snprintf(label, sizeof label, "%zu unused pools * 16384 bytes", unused);
    expect_value(&c, label, unused * 16384);
    expect_value(&c, "# bytes lost to pool headers", 3 * 48);
    expect_value(&c, "# bytes lost to quantization", 0 + 96 + 464);
    expect_value(&c, "# bytes lost to arena alignment", total == 63 ? 16384 : 0);
    expect_value(&c, "Total", 1048576);
    expect_line(&c, "\narena map counts\n# arena map bot nodes              =");
    free(text);
    for (int i = 0; i < 6; i++)
        pool_free(blocks[i]);
}

ML_TEST(debug_stats_counts_reclaimed_arenas_and_available_blocks, .points = 2,
        .description =
            "after frees the report shows avail blocks and the arena counters of the history",
        .hint = "handout §7, The report")
{
    bag b = {0};
    bag_alloc(&b, 40, 256);
    for (size_t i = 0; i < 40; i += 2) {
        pool_free(b.items[i]);
        b.items[i] = NULL;
    }
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    pool_debug_stats(out);
    fclose(out);
    /* 256-byte pools hold 63 blocks: 40 allocated in one pool, 20 freed. */
    ck_assert_msg(strstr(text, "\n   15    256           1              20            43\n") !=
                      NULL,
                  "class 15 row should read 1 pool, 20 in use, 43 available:\n%s", text);
    ck_assert_msg(strstr(text, "# bytes in allocated blocks        =                5,120\n") !=
                      NULL,
                  "20 blocks of 256 bytes are allocated:\n%s", text);
    free(text);
    bag_free_all(&b);
}

/* ------------------------------------------------------------ the heap checker */

/* Each message starts "<file>pools_given.c:<line>: pool_check_heap: " (the given checker's line).
 */
static void expect_located_message(const char *text)
{
    const char *mark = strstr(text, "pools_given.c:");
    ck_assert_msg(mark != NULL, "the checker's message names no pools_given.c line: [%s]", text);
    const char *p = mark + strlen("pools_given.c:");
    ck_assert_msg(*p >= '1' && *p <= '9', "a line number follows pools_given.c: [%s]", text);
    while (*p >= '0' && *p <= '9')
        p++;
    ck_assert_msg(strncmp(p, ": pool_check_heap: ", 19) == 0,
                  "format file:line: pool_check_heap: ... [%s]", text);
}

ML_TEST(
    heap_checker_accepts_a_busy_heap, .points = 3,
    .description = "pool_check_heap returns 0 and prints nothing throughout 4000 random operations",
    .hint = "handout §8, The heap checker")
{
    enum { SLOTS = 500 };
    void **live = calloc(SLOTS, sizeof *live);
    uint64_t seed = ml_test_seed();
    for (int step = 0; step < 4000; step++) {
        size_t k = ml_rand_below(&seed, SLOTS);
        if (live[k] != NULL) {
            pool_free(live[k]);
            live[k] = NULL;
        } else {
            size_t n = 1 + ml_rand_below(&seed, step % 7 == 0 ? 2000 : 512);
            live[k] = step % 5 == 0 ? pool_calloc(1, n) : pool_malloc(n);
            ck_assert_msg(live[k] != NULL, "allocation of %zu bytes returned NULL", n);
        }
        if (step % 250 == 0) {
            char *text = NULL;
            int rc = check_captured(&text);
            ck_assert_msg(rc == 0 && text[0] == '\0', "step %d (seed %llu): checker says %d: %s",
                          step, (unsigned long long)ml_test_seed(), rc, text);
            free(text);
        }
    }
    for (int k = 0; k < SLOTS; k++)
        pool_free(live[k]);
    free(live);
    char *text = NULL;
    ck_assert_msg(check_captured(&text) == 0, "checker fails on the emptied heap: %s", text);
    free(text);
}

ML_TEST(
    heap_checker_reports_a_write_into_a_freed_block, .points = 3,
    .description =
        "a stray pointer written over a freed block's link is reported with file:line and the pool",
    .hint = "handout §8, The heap checker")
{
    char *a = pool_malloc(32), *b = pool_malloc(32), *c = pool_malloc(32);
    ck_assert_msg(a && b && c, "pool_malloc(32) returned NULL");
    pool_free(b);
    /* The bug under study: a use-after-free overwrites b's first word. */
    void *saved;
    VALGRIND_MAKE_MEM_DEFINED(b, sizeof saved);
    memcpy(&saved, b, sizeof saved);
    memcpy(b, &(void *){(void *)0x1230}, sizeof saved);
    char *text = NULL;
    int rc = check_captured(&text);
    VALGRIND_MAKE_MEM_UNDEFINED(b, sizeof saved); /* the checker closed the word again */
    memcpy(b, &saved, sizeof saved);
    VALGRIND_MAKE_MEM_NOACCESS(b, sizeof saved);
    ck_assert_msg(rc == -1, "the checker must fail on a corrupted free list");
    expect_located_message(text);
    char pool[32];
    snprintf(pool, sizeof pool, "%p", (void *)pool_of(a));
    ck_assert_msg(strstr(text, pool) != NULL, "the message names the pool %s: [%s]", pool, text);
    free(text);
    pool_free(a);
    pool_free(c);
}

ML_TEST(
    heap_checker_reports_a_double_free, .points = 3,
    .description = "a block freed twice makes a cycle in the free list, which the checker reports",
    .hint = "handout §8, The heap checker")
{
    char *a = pool_malloc(80), *b = pool_malloc(80), *c = pool_malloc(80);
    ck_assert_msg(a && b && c, "pool_malloc(80) returned NULL");
    pool_free(b);
    VALGRIND_DISABLE_ERROR_REPORTING; /* the second free is the bug under study */
    pool_free(b);
    VALGRIND_ENABLE_ERROR_REPORTING;
    char *text = NULL;
    ck_assert_msg(check_captured(&text) == -1, "the checker must fail after a double free");
    expect_located_message(text);
    free(text);
    VALGRIND_DISABLE_ERROR_REPORTING;
    pool_free(a);
    pool_free(c);
    VALGRIND_ENABLE_ERROR_REPORTING;
}

/* ------------------------------------------------------------ installing the layer */

ML_TEST(
    install_puts_pools_under_mem_and_obj_only, .points = 2,
    .description = "after pool_install MEM and OBJ blocks come from arenas, RAW ones from malloc",
    .hint = "handout §1, Where the layer sits")
{
    pool_install();
    void *o = mem_malloc(MEM_DOMAIN_OBJ, 24), *m = mem_malloc(MEM_DOMAIN_MEM, 100),
         *r = mem_malloc(MEM_DOMAIN_RAW, 24), *big = mem_malloc(MEM_DOMAIN_OBJ, 1000);
    ck_assert_msg(o && m && r && big, "mem_malloc returned NULL");
    ck_assert_msg(pool_address_in_range(o), "an OBJ block of 24 bytes is a pool block");
    ck_assert_msg(pool_address_in_range(m), "a MEM block of 100 bytes is a pool block");
    ck_assert_msg(!pool_address_in_range(r), "RAW always uses the system allocator");
    ck_assert_msg(!pool_address_in_range(big), "1000 bytes go to the system even through OBJ");
    mem_free(MEM_DOMAIN_OBJ, o);
    mem_free(MEM_DOMAIN_MEM, m);
    mem_free(MEM_DOMAIN_RAW, r);
    mem_free(MEM_DOMAIN_OBJ, big);
    pool_uninstall();
    void *after = mem_malloc(MEM_DOMAIN_OBJ, 24);
    ck_assert_msg(after != NULL && !pool_address_in_range(after),
                  "pool_uninstall restores the previous allocator");
    mem_free(MEM_DOMAIN_OBJ, after);
}

ML_TEST(runtime_installs_pools_when_memlab_malloc_is_pymalloc, .points = 1,
        .description = "MEMLAB_MALLOC=pymalloc makes ml_runtime_init put the pools under OBJ",
        .hint = "handout §1, Where the layer sits")
{
    setenv("MEMLAB_MALLOC", "pymalloc", 1);
    ml_runtime_init();
    void *o = mem_malloc(MEM_DOMAIN_OBJ, 56);
    int ours = o != NULL && pool_address_in_range(o);
    mem_free(MEM_DOMAIN_OBJ, o);
    ml_runtime_fini();
    unsetenv("MEMLAB_MALLOC");
    ck_assert_msg(ours,
                  "an OBJ block of 56 bytes should be a pool block under MEMLAB_MALLOC=pymalloc");
}
