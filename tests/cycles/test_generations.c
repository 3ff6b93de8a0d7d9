/*
 * Step 3 of the handout: generations, thresholds, automatic collection.
 */
#include "cycles_test.h"
#include "mltest.h"

/* Records the generation of every "start" callback. */
typedef struct starts {
    int n;
    int generation[64];
} starts;

static void record_start(const char *phase, const gc_callback_info *info, void *ctx)
{
    starts *s = ctx;
    if (phase[0] == 's' && phase[1] == 't' && phase[2] == 'a' && s->n < 64)
        s->generation[s->n++] = info->generation;
}

ML_TEST(thresholds_start_at_700_10_10, .points = 1,
        .description = "get_threshold() is (700, 10, 10); set_threshold changes all three",
        .hint = "handout §3, Generations")
{
    int t[3];
    gc_get_threshold(t);
    ck_assert_int_eq(t[0], 700);
    ck_assert_int_eq(t[1], 10);
    ck_assert_int_eq(t[2], 10);
    gc_set_threshold(5, 3, 2);
    gc_get_threshold(t);
    ck_assert_msg(t[0] == 5 && t[1] == 3 && t[2] == 2, "set_threshold(5, 3, 2) must stick");
}

ML_TEST(enable_disable_and_isenabled, .points = 1,
        .description = "the collector starts enabled; disable() and enable() switch isenabled()",
        .hint = "handout §3")
{
    ck_assert_int_eq(gc_isenabled(), 1);
    gc_disable();
    ck_assert_int_eq(gc_isenabled(), 0);
    gc_enable();
    ck_assert_int_eq(gc_isenabled(), 1);
}

ML_TEST(collecting_a_generation_updates_the_counts, .points = 1,
        .description = "collect(g) zeroes counts 0..g and adds 1 to count g+1",
        .hint = "handout §3, Counting",
        .parent = "allocations_count_in_generation_0_and_frees_uncount")
{
    int c[3];
    ml_object *a = node_new(&node_type, 1);
    gc_collect(0);
    gc_get_count(c);
    ck_assert_msg(c[0] == 0 && c[1] == 1 && c[2] == 0,
                  "after collect(0): (0, 1, 0), got (%d, %d, %d)", c[0], c[1], c[2]);
    gc_collect(0);
    gc_collect(1);
    gc_get_count(c);
    ck_assert_msg(c[0] == 0 && c[1] == 0 && c[2] == 1,
                  "after collect(1): (0, 0, 1), got (%d, %d, %d)", c[0], c[1], c[2]);
    gc_collect(2);
    gc_get_count(c);
    ck_assert_msg(c[0] == 0 && c[1] == 0 && c[2] == 0, "after collect(2): (0, 0, 0)");
    obj_decref(a);
}

ML_TEST(survivors_move_to_the_next_generation, .points = 2,
        .description = "collect(0) moves survivors to generation 1, collect(1) to 2, and a full "
                       "collection keeps them in 2",
        .hint = "handout §3, Promotion", .parent = "collect_of_nothing_returns_zero")
{
    ml_object *a = node_new(&node_type, 1);
    ml_object *b = node_new(&node_type, 2);
    gc_collect(0);
    ck_assert_int_eq(gc_generation_size(0), 0);
    ck_assert_int_eq(gc_generation_size(1), 2);
    ml_object *c = node_new(&node_type, 3);
    gc_collect(1);
    ck_assert_int_eq(gc_generation_size(1), 0);
    ck_assert_int_eq(gc_generation_size(2), 3);
    gc_collect(2);
    ck_assert_int_eq(gc_generation_size(2), 3);
    obj_decref(a);
    obj_decref(b);
    obj_decref(c);
}

ML_TEST(a_young_collection_ignores_older_cycles, .points = 2,
        .description = "a cycle promoted to generation 1 is not found by collect(0), only by "
                       "collect(1)",
        .hint = "handout §3, Generations", .parent = "survivors_move_to_the_next_generation")
{
    ml_object *a = node_new(&node_type, 1);
    ml_object *b = node_new(&node_type, 2);
    node_pair(a, b);
    obj_decref(b);
    gc_collect(0); /* a is still ours: both promoted */
    obj_decref(a);
    ck_assert_int_eq(gc_collect(0), 0);
    ck_assert_int_eq(node_alive(), 2);
    ck_assert_int_eq(gc_collect(1), 2);
    ck_assert_int_eq(node_alive(), 0);
}

ML_TEST(references_from_older_generations_keep_young_objects, .points = 2,
        .description = "a young node referenced only from an old one survives collect(0)",
        .hint = "handout §3, Why older references count as outside ones",
        .parent = "survivors_move_to_the_next_generation")
{
    ml_object *old = node_new(&node_type, 1);
    gc_collect(1); /* old is in generation 2 now */
    ml_object *young = node_new(&node_type, 2);
    node_set(young, 0, young);
    node_set(old, 0, young);
    obj_decref(young);
    ck_assert_int_eq(gc_collect(0), 0);
    ck_assert_int_eq(node_alive(), 2);
    node_set(old, 0, NULL);
    ck_assert_int_eq(gc_collect(1), 1);
    obj_decref(old);
}

ML_TEST(allocation_past_threshold_0_collects_generation_0, .points = 2,
        .description = "with threshold 5 the 6th allocation runs a collection of generation 0 "
                       "that frees pending cycles",
        .hint = "handout §3, Automatic collection", .parent = "collect_frees_a_two_cycle")
{
    starts s = {0};
    gc_set_threshold(5, 10, 10);
    ck_assert_int_eq(gc_callbacks_add(record_start, &s), 0);
    ml_object *a = node_new(&node_type, 1);
    ml_object *b = node_new(&node_type, 2);
    node_pair(a, b);
    obj_decref(a);
    obj_decref(b);
    ml_object *n[4];
    for (int i = 0; i < 3; i++)
        n[i] = node_new(&node_type, 10 + i);
    ck_assert_msg(s.n == 0, "5 allocations: count 5 is not > 5, no collection yet");
    n[3] = node_new(&node_type, 13);
    ck_assert_msg(s.n == 1, "the 6th allocation must collect once (got %d)", s.n);
    ck_assert_int_eq(s.generation[0], 0);
    ck_assert_msg(node_alive() == 4, "the 2-cycle was freed by the automatic collection");
    int c[3];
    gc_get_count(c);
    ck_assert_msg(c[0] == 0 && c[1] == 1, "count (0, 1, 0) after it, got (%d, %d, %d)", c[0], c[1],
                  c[2]);
    ck_assert_msg(gc_generation_size(1) == 3 && gc_generation_size(0) == 1,
                  "the 3 survivors were promoted; the object being allocated was not yet tracked");
    for (int i = 0; i < 4; i++)
        obj_decref(n[i]);
}

ML_TEST(no_automatic_collection_when_disabled_or_threshold_0, .points = 1,
        .description = "disable() or a threshold 0 stops automatic collection; collect() still "
                       "works while disabled",
        .hint = "handout §3, Automatic collection",
        .parent = "allocation_past_threshold_0_collects_generation_0")
{
    starts s = {0};
    ml_object *n[12];
    gc_callbacks_add(record_start, &s);
    gc_set_threshold(2, 10, 10);
    gc_disable();
    for (int i = 0; i < 6; i++)
        n[i] = node_new(&node_type, i);
    ck_assert_msg(s.n == 0, "disabled: no automatic collection");
    gc_enable();
    gc_set_threshold(0, 10, 10);
    for (int i = 6; i < 12; i++)
        n[i] = node_new(&node_type, i);
    ck_assert_msg(s.n == 0, "threshold 0: no automatic collection");
    gc_disable();
    node_set(n[0], 0, n[0]);
    obj_decref(n[0]);
    ck_assert_msg(gc_collect(2) == 1, "collect() works while disabled");
    ck_assert_int_eq(s.n, 1);
    for (int i = 1; i < 12; i++)
        obj_decref(n[i]);
}

ML_TEST(generation_1_is_collected_once_its_count_passes_threshold_1, .points = 2,
        .description = "with thresholds (1, 2, 100): allocations trigger collections of "
                       "generations 0, 0, 0, 1, 0, 0, 0, 1",
        .hint = "handout §3, Which generation",
        .parent = "allocation_past_threshold_0_collects_generation_0")
{
    starts s = {0};
    gc_set_threshold(1, 2, 100);
    gc_callbacks_add(record_start, &s);
    ml_object *n[16];
    for (int i = 0; i < 16; i++)
        n[i] = node_new(&node_type, i);
    /* every 2nd allocation passes threshold 0; count1 passes 2 at the 4th collection */
    static const int expected[] = {0, 0, 0, 1, 0, 0, 0, 1};
    ck_assert_int_eq(s.n, 8);
    for (int i = 0; i < 8; i++)
        ck_assert_msg(s.generation[i] == expected[i], "collection %d: generation %d, expected %d",
                      i, s.generation[i], expected[i]);
    for (int i = 0; i < 16; i++)
        obj_decref(n[i]);
}

ML_TEST(a_full_collection_waits_for_a_quarter_of_long_lived_objects, .points = 2,
        .description = "with 100 long-lived objects and thresholds (1, 1, 1), generation 2 is "
                       "collected only once 25 objects are pending: at the 32nd allocation, not "
                       "the 14th",
        .hint = "handout §3, The long-lived heuristic",
        .parent = "generation_1_is_collected_once_its_count_passes_threshold_1")
{
    ml_object *keep[100];
    for (int i = 0; i < 100; i++)
        keep[i] = node_new(&node_type, 100 + i);
    gc_collect(2); /* long_lived_total = 100, long_lived_pending = 0 */
    starts s = {0};
    gc_callbacks_add(record_start, &s);
    gc_set_threshold(1, 1, 1);
    ml_object *n[32];
    for (int i = 0; i < 31; i++)
        n[i] = node_new(&node_type, i);
    /* Every 3rd collection is of generation 1 and promotes 6 objects. */
    static const int expected[] = {0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 2};
    ck_assert_msg(s.n == 15, "31 allocations: 15 collections, got %d", s.n);
    n[31] = node_new(&node_type, 31);
    ck_assert_msg(s.n == 16, "the 32nd allocation collects again");
    for (int i = 0; i < 16; i++)
        ck_assert_msg(s.generation[i] == expected[i], "collection %d: generation %d, expected %d",
                      i, s.generation[i], expected[i]);
    for (int i = 0; i < 32; i++)
        obj_decref(n[i]);
    for (int i = 0; i < 100; i++)
        obj_decref(keep[i]);
}
