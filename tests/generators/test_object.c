/*
 * test_object.c -- the generator object: its frame in the heap, its states,
 * its references, what the collector sees, and how it dies.
 */
#include "generators_test.h"
#include "oracle_port.h"

#include <stdio.h>
#include <stdlib.h>

ML_TEST(new_generator_is_created_tracked_and_runs_nothing, .points = 2,
        .description = "gen_new: refcount 1, CREATED, tracked by the collector, body not entered",
        .hint = "handout §2, The generator object")
{
    ml_object *g = count_new(3);
    ck_assert_msg(g != NULL, "gen_new returned NULL");
    ck_assert_msg(gen_check(g), "gen_check(gen_new(...)) should be 1");
    ck_assert_int_eq(obj_getrefcount(g), 2);
    ck_assert_msg(gen_getstate(g) == GEN_CREATED, "a new generator is GEN_CREATED");
    ck_assert_msg(gc_is_tracked(g), "a generator is tracked as soon as it is made");
    ck_assert_int_eq(((ml_gen *)g)->gi_lasti, 0);
    ck_assert_ptr_null(gen_yieldfrom(g));
    ck_assert_str_eq(gen_name(g), "count");
    obj_decref(g);
}

ML_TEST(locals_survive_between_resumptions, .points = 2,
        .description = "the frame keeps the locals and the resume point between two next()",
        .hint = "handout §1, Resumable functions",
        .parent = "new_generator_is_created_tracked_and_runs_nothing")
{
    ml_object *g = count_new(3);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(take_long(gen_next(g)), 0);
    int lasti = ((ml_gen *)g)->gi_lasti;
    ck_assert_msg(lasti > 0, "after a yield, gi_lasti is the resume point (> 0)");
    ck_assert_msg(gen_getstate(g) == GEN_SUSPENDED, "after a yield: GEN_SUSPENDED");
    ck_assert_int_eq(take_long(gen_next(g)), 1);
    ck_assert_int_eq(((ml_gen *)g)->gi_lasti, lasti);
    ck_assert_int_eq(GEN_LOCALS(g, count_locals)->i, 1);
    ck_assert_int_eq(take_long(gen_next(g)), 2);
    ck_assert_ptr_null(gen_next(g));
    ck_assert_msg(err_occurred() == ML_EXC_NONE, "a bare end of next() sets no exception");
    ck_assert_int_eq(((ml_gen *)g)->gi_lasti, GEN_LASTI_DONE);
    ck_assert_msg(gen_getstate(g) == GEN_CLOSED, "after the end: GEN_CLOSED");
    obj_decref(g);
}

ML_TEST(state_names_are_inspects, .points = 1,
        .description = "gen_state_name gives inspect.getgeneratorstate's strings",
        .hint = "handout §2, States")
{
    ck_assert_str_eq(gen_state_name(GEN_CREATED), "GEN_CREATED");
    ck_assert_str_eq(gen_state_name(GEN_RUNNING), "GEN_RUNNING");
    ck_assert_str_eq(gen_state_name(GEN_SUSPENDED), "GEN_SUSPENDED");
    ck_assert_str_eq(gen_state_name(GEN_CLOSED), "GEN_CLOSED");
}

ML_TEST(frame_owns_its_object_locals_until_closed, .points = 2,
        .description = "an object in the locals is owned by the frame and released when it ends",
        .hint = "handout §2, The generator object")
{
    ml_object *s = str_from_cstr("kept");
    ml_object *g = holder_new(s);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(obj_getrefcount(s), 3); /* s, the frame, the argument */
    ml_object *v = gen_next(g);
    ck_assert_ptr_eq(v, s);
    ck_assert_int_eq(obj_getrefcount(s), 4); /* + the yielded reference */
    obj_decref(v);
    ck_assert_ptr_null(gen_next(g));
    ck_assert_msg(err_occurred() == ML_EXC_STOP_ITERATION,
                  "a returned value travels in StopIteration");
    err_clear();
    ck_assert_int_eq(obj_getrefcount(s), 2); /* the frame was cleared at the end */
    obj_decref(g);
    obj_decref(s);
}

static int count_visit(ml_object *op, void *arg)
{
    (void)op;
    (*(int *)arg)++;
    return 0;
}

ML_TEST(traverse_visits_the_objects_the_frame_holds, .points = 2,
        .description = "tp_traverse visits the frame's object locals, and nothing once cleared",
        .hint = "handout §5, The collector")
{
    ml_object *s = str_from_cstr("x");
    ml_object *g = holder_new(s);
    ck_assert_ptr_nonnull(g);
    int visits = 0;
    ML_TYPE(g)->tp_traverse(g, count_visit, &visits);
    ck_assert_int_eq(visits, 1);
    ml_object *r = gen_close(g);
    ck_assert_ptr_eq(r, ML_NONE);
    obj_decref(r);
    visits = 0;
    ML_TYPE(g)->tp_traverse(g, count_visit, &visits);
    ck_assert_int_eq(visits, 0);
    obj_decref(g);
    obj_decref(s);
}

ML_TEST(traverse_visits_the_delegate, .points = 1,
        .description = "while in a yield from, tp_traverse visits the sub-iterator too",
        .hint = "handout §5, The collector")
{
    ml_object *g = oracle_outer();
    ck_assert_ptr_nonnull(g);
    free(oracle_take_events());
    ml_object *v = gen_next(g);
    ck_assert_ptr_nonnull(v);
    obj_decref(v);
    ml_object *sub = gen_yieldfrom(g);
    ck_assert_msg(sub != NULL && gen_check(sub), "gi_yieldfrom is the inner generator");
    ck_assert_int_eq(obj_getrefcount(sub), 2); /* only the delegator holds it */
    int visits = 0;
    ML_TYPE(g)->tp_traverse(g, count_visit, &visits);
    ck_assert_int_eq(visits, 1);
    obj_decref(g);
    free(oracle_take_events());
}

ML_TEST(sizeof_is_64_bytes_plus_locals, .points = 1,
        .description = "sys.getsizeof: GC head + object = 64 bytes, plus the locals struct",
        .hint = "handout §2, The generator object")
{
    ml_object *g = count_new(1);
    ck_assert_ptr_nonnull(g);
    ck_assert_uint_eq(gen_sizeof(g), 64 + sizeof(count_locals));
    obj_decref(g);
}

ML_TEST(repr_names_the_generator, .points = 1,
        .description = "repr: <generator object NAME at 0x...>",
        .hint = "handout §2, The generator object")
{
    ml_object *g = count_new(1);
    ck_assert_ptr_nonnull(g);
    char buf[128], want[128];
    obj_repr(g, buf, sizeof buf);
    snprintf(want, sizeof want, "<generator object count at %p>", (void *)g);
    ck_assert_str_eq(buf, want);
    obj_decref(g);
}

ML_TEST(dealloc_frees_every_byte, .points = 2,
        .description = "made, run halfway, dropped: live bytes and the total refcount come back",
        .hint = "handout §5, Dealloc and finalization")
{
    size_t before = mem_current_bytes();
    ml_ssize_t total = obj_total_refcount();
    ml_object *g = count_new(1000);
    ck_assert_ptr_nonnull(g);
    for (int i = 0; i < 500; i++)
        ck_assert_int_eq(take_long(gen_next(g)), i);
    obj_decref(g);
    ck_assert_uint_eq(mem_current_bytes(), before);
    ck_assert_int_eq(obj_total_refcount(), total);
}

ML_TEST(iter_of_a_generator_is_itself, .points = 1,
        .description = "iter(gen) is gen (new reference); next(gen) through obj_iternext works",
        .hint = "handout §2, The generator object")
{
    ml_object *g = count_new(2);
    ck_assert_ptr_nonnull(g);
    ml_object *it = obj_iter(g);
    ck_assert_ptr_eq(it, g);
    ck_assert_int_eq(obj_getrefcount(g), 3);
    obj_decref(it);
    ck_assert_int_eq(take_long(obj_iternext(g)), 0);
    ck_assert_int_eq(take_long(obj_iternext(g)), 1);
    ck_assert_ptr_null(obj_iternext(g));
    obj_decref(g);
}
