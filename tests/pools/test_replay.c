/*
 * Replays of the first operations of each recorded trace (real python3
 * programs), with Malloc Lab's checks: contents, alignment, no overlap, the
 * heap checker every 100 operations (handout §9).
 */
#include "pools_test.h"
#include "replay.h"

#include <string.h>

static size_t arena_bytes(void) { return stats_now().arenas_current * POOL_ARENA_SIZE; }

static const replay_allocator pools_allocator = {
    pool_malloc,     pool_calloc,           pool_realloc, pool_free,
    pool_check_heap, pool_address_in_range, arena_bytes};

static void replay_short(const char *name)
{
    const trace_text *tt = replay_short_traces;
    while (tt->name != NULL && strcmp(tt->name, name) != 0)
        tt++;
    ck_assert_msg(tt->name != NULL, "no short trace named %s in trace_data.c", name);
    trace t;
    char err[256];
    ck_assert_msg(trace_parse(tt->text, &t, err, sizeof err) == 0, "trace %s: %s", name, err);
    replay_result r;
    int rc = replay_checked(&t, &pools_allocator, 100, 0, &r);
    trace_free(&t);
    ck_assert_msg(rc == 0, "%s", r.error);
    pool_stats s = stats_now();
    ck_assert_msg(
        sum_classes(s.blocks_in_use) == 0 && s.system_blocks == 0,
        "every block of the trace was freed, but %zu pool blocks and %zu system blocks are live",
        sum_classes(s.blocks_in_use), s.system_blocks);
    ck_assert_msg(r.utilization > 0.0 && r.utilization <= 1.0, "utilization %.3f out of range",
                  r.utilization);
}

#define REPLAY_TEST(trace_name, what)                                                              \
    ML_TEST(replay_of_##trace_name##_trace_is_correct, .points = 2,                                \
            .description = "the first 1500 operations of the " what " trace replay with no error", \
            .hint = "handout §9, Real workloads", .timeout = 10)                                   \
    {                                                                                              \
        replay_short(#trace_name);                                                                 \
    }

REPLAY_TEST(notebook, "seed notebook")
REPLAY_TEST(json_roundtrip, "JSON round trip")
REPLAY_TEST(regex_text, "regular-expression text processing")
REPLAY_TEST(small_objects, "many small class instances")
REPLAY_TEST(dict_heavy, "dict-heavy")
REPLAY_TEST(sort_strings, "string sorting")
