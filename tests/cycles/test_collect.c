/*
 * Step 2 of the handout: the gc_refs algorithm on one generation.
 */
#include "cycles_test.h"
#include "memlab/draw.h"
#include "mltest.h"

#include <stdio.h>
#include <stdlib.h>

/* Nodes by id in the pictures a failing test attaches. */
static const char *node_name(const ml_object *op, char *buf, size_t size)
{
    snprintf(buf, size, "node %d", ((const node *)op)->id);
    return buf;
}

ML_TEST(collect_frees_a_self_loop, .points = 2,
        .description = "a node that references itself is found and freed: collect() returns 1",
        .hint = "handout §2, gc_refs", .parent = "track_then_untrack_changes_is_tracked")
{
    ml_object *a = node_new(&node_type, 1);
    node_set(a, 0, a);
    obj_decref(a);
    ck_assert_msg(node_alive() == 1, "refcounting alone cannot free a self loop");
    ck_assert_int_eq(gc_collect(2), 1);
    ck_assert_int_eq(node_alive(), 0);
    ck_assert_int_eq(node_events(EV_CLEAR, 1), 1);
}

ML_TEST(collect_frees_a_two_cycle, .points = 2,
        .description = "two nodes that reference each other are freed: collect() returns 2",
        .hint = "handout §2, gc_refs", .parent = "collect_frees_a_self_loop")
{
    ml_object *a = node_new(&node_type, 1);
    ml_object *b = node_new(&node_type, 2);
    node_pair(a, b);
    obj_decref(a);
    obj_decref(b);
    ck_assert_int_eq(gc_collect(2), 2);
    ck_assert_int_eq(node_events(EV_DEALLOC, 1), 1);
    ck_assert_int_eq(node_events(EV_DEALLOC, 2), 1);
    ck_assert_int_eq(gc_collect(2), 0);
}

ML_TEST(collect_keeps_a_cycle_referenced_from_outside, .points = 2,
        .description = "one outside reference to a 2-cycle keeps both nodes: collect() returns 0",
        .hint = "handout §2, gc_refs counts outside references",
        .parent = "collect_frees_a_two_cycle")
{
    ml_object *a = node_new(&node_type, 1);
    ml_object *b = node_new(&node_type, 2);
    node_pair(a, b);
    obj_decref(b); /* we keep a */
    ck_assert_int_eq(gc_collect(2), 0);
    ck_assert_int_eq(node_alive(), 2);
    ck_assert_msg(REFS(a) == 2 && REFS(b) == 1, "the collection must leave refcounts unchanged");
    node_set(a, 0, NULL);
    obj_decref(a);
    ck_assert_int_eq(node_alive(), 0);
}

ML_TEST(
    collect_keeps_what_a_reachable_object_reaches, .points = 2,
    .description = "root -> a -> b <-> c: the cycle b, c is reachable through a, nothing is freed",
    .hint = "handout §2, move_unreachable",
    .parent = "collect_keeps_a_cycle_referenced_from_outside")
{
    /* Allocated in reverse so that b and c are scanned before a reaches them. */
    ml_object *c = node_new(&node_type, 3);
    ml_object *b = node_new(&node_type, 2);
    ml_object *a = node_new(&node_type, 1);
    node_set(a, 0, b);
    node_pair(b, c);
    obj_decref(b);
    obj_decref(c);
    draw_opts opt = {.title = "expected: nothing is unreachable", .namer = node_name};
    char *expected = draw_gc(&a, 1, &opt);
    ml_ssize_t found = gc_collect(2);
    if (found != 0 || node_alive() != 3)
        ml_attach("expected.dot", expected);
    free(expected);
    ck_assert_int_eq(found, 0);
    ck_assert_int_eq(node_alive(), 3);
    node_set(a, 0, NULL);
    ck_assert_int_eq(gc_collect(2), 2);
    ck_assert_int_eq(node_alive(), 1);
    obj_decref(a);
}

ML_TEST(collect_counts_only_the_unreachable_part, .points = 2,
        .description = "a graph with a kept part and three dropped cycles (sizes 1, 2, 3): "
                       "collect() returns 6 and frees exactly those",
        .hint = "handout §2, gc_refs", .parent = "collect_frees_a_two_cycle")
{
    ml_object *n[10];
    for (int i = 0; i < 10; i++)
        n[i] = node_new(&node_type, i);
    node_set(n[0], 0, n[0]); /* dropped self loop: 0 */
    node_pair(n[1], n[2]);   /* dropped 2-cycle: 1 2 */
    node_set(n[3], 0, n[4]); /* dropped 3-cycle: 3 4 5 */
    node_set(n[4], 0, n[5]);
    node_set(n[5], 0, n[3]);
    node_set(n[6], 0, n[7]); /* kept: 6 -> 7 <-> 8, 9 -> 6 */
    node_pair(n[7], n[8]);
    node_set(n[9], 0, n[6]);
    node_set(n[9], 1, n[9]);
    for (int i = 0; i < 10; i++)
        if (i != 9)
            obj_decref(n[i]);
    draw_opts opt = {.title = "expected: collect() frees the orange nodes", .namer = node_name};
    char *expected = draw_gc(n, 10, &opt); /* drawn while all ten are alive */
    ml_ssize_t found = gc_collect(2);
    int wrong = found != 6;
    for (int i = 0; i < 10; i++)
        wrong |= node_events(EV_DEALLOC, i) != (i < 6);
    if (wrong)
        ml_attach("expected.dot", expected);
    free(expected);
    ck_assert_int_eq(found, 6);
    for (int i = 0; i < 6; i++)
        ck_assert_msg(node_events(EV_DEALLOC, i) == 1, "node %d must be freed", i);
    for (int i = 6; i < 10; i++)
        ck_assert_msg(node_events(EV_DEALLOC, i) == 0, "node %d must be kept", i);
    node_set(n[9], 1, NULL);
    node_set(n[8], 0, NULL);
    obj_decref(n[9]);
    ck_assert_int_eq(node_alive(), 0);
}

ML_TEST(collect_of_nothing_returns_zero, .points = 1,
        .description = "collect() with no garbage returns 0, also in generations 0 and 1",
        .hint = "handout §2", .parent = "track_then_untrack_changes_is_tracked")
{
    ml_object *a = node_new(&node_type, 1);
    ck_assert_int_eq(gc_collect(0), 0);
    ck_assert_int_eq(gc_collect(1), 0);
    ck_assert_int_eq(gc_collect(2), 0);
    ck_assert_msg(gc_is_tracked(a), "a survivor stays tracked");
    obj_decref(a);
}

ML_TEST(
    collect_rejects_an_invalid_generation, .points = 1,
    .description = "collect(3) and collect(-1) return -1 with ValueError \"invalid generation\"",
    .hint = "handout §6, gc.collect")
{
    ck_assert_int_eq(gc_collect(3), -1);
    ck_assert_int_eq(err_occurred(), ML_EXC_VALUE_ERROR);
    ck_assert_str_eq(err_message(), "invalid generation");
    err_clear();
    ck_assert_int_eq(gc_collect(-1), -1);
    ck_assert_int_eq(err_occurred(), ML_EXC_VALUE_ERROR);
    err_clear();
}

ML_TEST(clear_breaks_the_cycle_and_refcounting_frees_it, .points = 2,
        .description = "only the first node of a 3-cycle needs tp_clear: refcounting frees the "
                       "rest, and the node without tp_clear is freed too",
        .hint = "handout §5, delete_garbage", .parent = "collect_frees_a_two_cycle")
{
    ml_object *a = node_new(&node_type, 1);
    ml_object *b = node_new(&noclear_node_type, 2);
    ml_object *c = node_new(&node_type, 3);
    node_set(a, 0, b);
    node_set(b, 0, c);
    node_set(c, 0, a);
    obj_decref(a);
    obj_decref(b);
    obj_decref(c);
    ck_assert_int_eq(gc_collect(2), 3);
    ck_assert_int_eq(node_alive(), 0);
    ck_assert_msg(node_events(EV_CLEAR, 1) == 1, "the first node is cleared");
    ck_assert_msg(node_events_total(EV_CLEAR) == 1,
                  "the others were freed by refcounting before their turn");
}

ML_TEST(a_cleared_object_kept_alive_moves_to_the_old_generation, .points = 2,
        .description = "an unreachable node whose tp_clear does nothing survives and is promoted",
        .hint = "handout §5, delete_garbage",
        .parent = "clear_breaks_the_cycle_and_refcounting_frees_it")
{
    ml_object *a = node_new(&noclear_node_type, 1);
    node_set(a, 0, a);
    obj_decref(a);
    ck_assert_int_eq(gc_collect(0), 1);
    ck_assert_msg(node_alive() == 1, "nothing broke its self loop");
    ck_assert_int_eq(gc_generation_size(0), 0);
    ck_assert_int_eq(gc_generation_size(1), 1);
    ck_assert_msg(gc_is_tracked(a), "it stays tracked");
    node_set(a, 0, NULL); /* the test breaks it by hand */
}
