/*
 * Step 1 of the handout: the GC header, allocation counts, track/untrack.
 */
#include "cycles_test.h"
#include "mltest.h"

ML_TEST(alloc_puts_an_untracked_head_before_the_object, .points = 1,
        .description = "gc_alloc returns the address just after a zeroed-link gc_head; the object "
                       "starts untracked",
        .hint = "handout §1, The GC header")
{
    ml_object *op = gc_alloc(sizeof(node));
    ck_assert_msg(op != NULL, "gc_alloc returned NULL");
    ck_assert_msg((char *)op - (char *)GC_HEAD(op) == 16, "the head must be 16 bytes before");
    ck_assert_msg(GC_HEAD(op)->gc_next == 0, "a new object must be untracked (gc_next == 0)");
    ck_assert_msg(GC_HEAD(op)->gc_prev == 0, "a new object has no flags");
    gc_free(op);
}

ML_TEST(track_then_untrack_changes_is_tracked, .points = 1,
        .description = "gc_track makes gc_is_tracked true, gc_untrack false again; untracking "
                       "twice is harmless",
        .hint = "handout §1, Tracking", .parent = "alloc_puts_an_untracked_head_before_the_object")
{
    ml_object *a = node_new(&node_type, 1);
    ck_assert_msg(gc_is_tracked(a), "node_new tracks the node");
    gc_untrack(a);
    ck_assert_msg(!gc_is_tracked(a), "untracked after gc_untrack");
    gc_untrack(a);
    ck_assert_msg(!gc_is_tracked(a), "a second gc_untrack leaves it untracked");
    gc_track(a);
    ck_assert_msg(gc_is_tracked(a), "tracked again");
    obj_decref(a);
    ck_assert_int_eq(node_alive(), 0);
}

ML_TEST(track_appends_at_the_tail_of_generation_0, .points = 1,
        .description = "tracked objects sit in generation 0 in the order they were tracked",
        .hint = "handout §1, Tracking", .parent = "track_then_untrack_changes_is_tracked")
{
    ml_object *a = node_new(&node_type, 1);
    ml_object *b = node_new(&node_type, 2);
    ml_object *c = node_new(&node_type, 3);
    ck_assert_int_eq(gc_generation_size(0), 3);
    ck_assert_int_eq(gc_generation_size(1), 0);
    ml_object *objs = gc_get_objects(0);
    ck_assert_msg(objs != NULL, "gc_get_objects(0) failed");
    ck_assert_int_eq(list_size(objs), 3);
    ck_assert_msg(list_getitem(objs, 0) == a && list_getitem(objs, 1) == b &&
                      list_getitem(objs, 2) == c,
                  "generation 0 must list a, b, c in tracking order");
    obj_decref(objs);
    gc_untrack(b);
    ck_assert_int_eq(gc_generation_size(0), 2);
    obj_decref(a);
    obj_decref(b);
    obj_decref(c);
    ck_assert_int_eq(gc_generation_size(0), 0);
}

ML_TEST(allocations_count_in_generation_0_and_frees_uncount, .points = 1,
        .description = "each gc_alloc adds 1 to get_count()[0], each gc_free takes 1 off while "
                       "above 0",
        .hint = "handout §3, Counting allocations",
        .parent = "alloc_puts_an_untracked_head_before_the_object")
{
    int count[3];
    ml_object *n[5];
    for (int i = 0; i < 5; i++)
        n[i] = node_new(&node_type, i);
    gc_get_count(count);
    ck_assert_int_eq(count[0], 5);
    ck_assert_int_eq(count[1], 0);
    ck_assert_int_eq(count[2], 0);
    for (int i = 0; i < 5; i++)
        obj_decref(n[i]);
    gc_get_count(count);
    ck_assert_int_eq(count[0], 0);
    ml_object *op = gc_alloc(32);
    gc_free(op);
    op = gc_alloc(32);
    ck_assert_msg(gc_collect(0) == 0, "nothing to collect");
    gc_free(op);
    gc_get_count(count);
    ck_assert_msg(count[0] == 0, "a free never makes the count negative");
}

ML_TEST(untrack_keeps_only_the_finalized_flag, .points = 1,
        .description = "untracking clears the links and every flag but FINALIZED",
        .hint = "handout §1, The GC header", .parent = "track_then_untrack_changes_is_tracked")
{
    ml_object *a = node_new(&node_type, 1);
    GC_HEAD(a)->gc_prev |= GC_PREV_MASK_FINALIZED;
    gc_untrack(a);
    ck_assert_msg(GC_HEAD(a)->gc_next == 0, "gc_next is 0 once untracked");
    ck_assert_msg(GC_HEAD(a)->gc_prev == GC_PREV_MASK_FINALIZED, "only FINALIZED is left");
    ck_assert_msg(gc_is_finalized(a), "gc_is_finalized reads the flag");
    gc_track(a);
    ck_assert_msg(gc_is_finalized(a), "tracking again keeps the flag");
    obj_decref(a);
}

ML_TEST(non_gc_objects_are_never_tracked, .points = 1,
        .description = "gc_is_tracked, gc_is_finalized and gc_may_be_tracked are 0 for an int",
        .hint = "handout §1, Which objects are tracked",
        .parent = "track_then_untrack_changes_is_tracked")
{
    ml_object *i = int_from_long(100000);
    ck_assert_msg(!gc_is_tracked(i), "an int has no GC header");
    ck_assert_msg(!gc_is_finalized(i), "an int has no GC header");
    ck_assert_msg(!gc_may_be_tracked(i), "an int can never be in a cycle");
    obj_decref(i);
    ml_object *a = node_new(&node_type, 1);
    ck_assert_msg(gc_may_be_tracked(a), "a tracked container may be in a cycle");
    obj_decref(a);
}
