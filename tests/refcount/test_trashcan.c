/*
 * test_trashcan.c -- part 5 of the lab (refcount.c): the trashcan, so that
 * freeing a long chain of nested containers uses bounded C stack.
 *
 * The million-deep test runs in a thread with a 256 KiB stack: freeing the
 * chain recursively would need hundreds of megabytes of stack and crash.
 * The 10,000-deep one runs on the test's own stack, so that a dealloc
 * without a trashcan fails it by its depth instead of crashing.
 */
#include "refcount_test.h"

#include <pthread.h>

/* [[[...[probe]...]]], `depth` lists deep; NULL if any allocation failed
 * (then everything made so far is released). */
static ml_object *nested_lists(long depth)
{
    ml_object *inner = probe_new(-1);
    if (inner == NULL)
        return NULL;
    for (long i = 0; i < depth; i++) {
        ml_object *outer = list_new(1);
        if (outer == NULL) {
            obj_decref(inner);
            return NULL;
        }
        LIST_SET_ITEM(outer, 0, inner);
        inner = outer;
    }
    return inner;
}

typedef struct chain_job {
    long depth;
    int built; /* the chain was made */
    int freed; /* the probe at the bottom was deallocated */
    int max_depth;
} chain_job;

static void *build_and_free(void *arg)
{
    chain_job *job = arg;
    ml_object *chain = nested_lists(job->depth);
    job->built = chain != NULL;
    if (chain != NULL) {
        obj_trashcan_reset_max_depth();
        obj_decref(chain);
        job->max_depth = obj_trashcan_max_depth();
    }
    job->freed = dealloc_count == 1;
    return NULL;
}

/* Runs the job on a thread with a small stack; assertions stay on the
 * test's own thread. */
static void run_on_small_stack(chain_job *job, size_t stack_bytes)
{
    pthread_attr_t attr;
    pthread_t thread;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, stack_bytes);
    ck_assert_int_eq(pthread_create(&thread, &attr, build_and_free, job), 0);
    pthread_join(thread, NULL);
    pthread_attr_destroy(&attr);
}

ML_TEST(trashcan_bounds_the_depth_of_10000_nested_lists, .points = 3,
        .description = "freeing 10,000 nested lists never nests more than 50 deallocs",
        .hint = "handout §7, The trashcan", .parent = "list_dealloc_chain_frees_nested_lists")
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    chain_job job = {.depth = 10000};
    build_and_free(&job); /* on the test's own stack: without a trashcan it still fits */
    ck_assert_msg(job.built, "could not build the chain (list_new returned NULL)");
    ck_assert_msg(job.freed, "the probe at the bottom of the chain was not freed");
    ck_assert_msg(job.max_depth >= 1, "list_dealloc must use the trashcan (depth 0 seen)");
    ck_assert_msg(job.max_depth <= ML_TRASHCAN_UNWIND_LEVEL,
                  "trashcan nesting reached %d, more than ML_TRASHCAN_UNWIND_LEVEL", job.max_depth);
    ASSERT_BALANCED(total0, blocks0);
}

ML_TEST(trashcan_frees_a_million_nested_lists_on_a_small_stack, .points = 3,
        .description = "l = []; for _ in range(10**6): l = [l]; del l -- on a 256 KiB stack",
        .hint = "handout §7, The trashcan",
        .parent = "trashcan_bounds_the_depth_of_10000_nested_lists", .timeout = 10,
        .tags = "stress")
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    chain_job job = {.depth = 1000000};
    run_on_small_stack(&job, 256 * 1024);
    ck_assert_msg(job.built, "could not build the chain (list_new returned NULL)");
    ck_assert_msg(job.freed, "the probe at the bottom of the chain was not freed");
    ck_assert_msg(job.max_depth >= 1 && job.max_depth <= ML_TRASHCAN_UNWIND_LEVEL,
                  "trashcan nesting reached %d", job.max_depth);
    ASSERT_BALANCED(total0, blocks0);
}

/* (((...{k: [probe]}...))) alternating tuple, dict and list levels. */
static ml_object *mixed_chain(long depth)
{
    ml_object *inner = probe_new(-1);
    for (long i = 0; i < depth && inner != NULL; i++) {
        ml_object *outer = NULL;
        switch (i % 3) {
        case 0: outer = tuple_pack(1, inner); break;
        case 1:
            outer = dict_new();
            if (outer != NULL && dict_setitem(outer, ML_NONE, inner) < 0)
                OBJ_CLEAR(outer);
            break;
        default:
            outer = list_new(0);
            if (outer != NULL && list_append(outer, inner) < 0)
                OBJ_CLEAR(outer);
        }
        obj_decref(inner);
        inner = outer;
    }
    return inner;
}

ML_TEST(
    trashcan_covers_tuples_and_dicts_too, .points = 2,
    .description = "a 30,000-deep chain of tuples, dicts and lists is freed 50 levels at a time",
    .hint = "handout §7, The trashcan", .parent = "trashcan_bounds_the_depth_of_10000_nested_lists")
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    ml_object *chain = mixed_chain(30000);
    ck_assert_ptr_nonnull(chain);
    obj_trashcan_reset_max_depth();
    obj_decref(chain);
    ck_assert_int_eq(dealloc_count, 1);
    ck_assert_int_ge(obj_trashcan_max_depth(), 1);
    ck_assert_int_le(obj_trashcan_max_depth(), ML_TRASHCAN_UNWIND_LEVEL);
    ASSERT_BALANCED(total0, blocks0);
}
