/*
 * refcount_test.h -- what the refcount tests share: probe objects that record
 * their own deallocation, a traverse recorder, and a way to catch a fatal
 * error (abort) without losing the test process.
 *
 * A probe is a plain (non-GC) object with an id.  Its dealloc appends the
 * id to dealloc_log[] and frees the object, so a test can assert both how
 * many objects died and in which order:
 *
 *     ml_object *a = probe_new(1), *b = probe_new(2);
 *     ...
 *     ck_assert_int_eq(dealloc_count, 2);
 *     ck_assert_int_eq(dealloc_log[0], 2);   // b died first
 *
 * probe_new returns NULL when obj_new does (a skeleton): every test checks
 * it with ck_assert_ptr_nonnull before using the object.
 */
#ifndef REFCOUNT_TEST_H
#define REFCOUNT_TEST_H

#include "memlab/cycles.h"
#include "memlab/errors.h"
#include "memlab/mem.h"
#include "memlab/object.h"
#include "memlab/runtime.h"
#include "mltest.h"

#include <stddef.h>

typedef struct probe {
    ml_object ob_base;
    int id;
} probe;

extern ml_type probe_type;    /* non-GC, hashable by id, equal by id */
extern ml_type gc_probe_type; /* a GC object with no references, for allocation tests */

#define DEALLOC_LOG_MAX 4096
extern int dealloc_log[DEALLOC_LOG_MAX];
extern int dealloc_count;

/* New probe (refcount 1) or NULL. */
ml_object *probe_new(int id);
/* Id of a probe, -1 for anything else (or NULL). */
int probe_id(const ml_object *op);

/* tp_traverse recorder: visit_log[] gets the probe id (or -1) of each
 * object visited, in order. */
extern int visit_log[64];
extern int visit_count;
int record_visit(ml_object *op, void *arg);

/* Net number of live mem blocks, for "everything was freed" checks. */
size_t live_blocks(void);

/* Assert that the refcount total and the live blocks are back to where a
 * scenario started (after clearing any exception it left). */
#define ASSERT_BALANCED(total0, blocks0)                                                           \
    do {                                                                                           \
        err_clear();                                                                               \
        ck_assert_msg(obj_total_refcount() == (total0),                                            \
                      "total refcount should be back to %td, it is %td (a leaked or extra "        \
                      "reference)",                                                                \
                      (ml_ssize_t)(total0), obj_total_refcount());                                 \
        ck_assert_msg(live_blocks() == (blocks0),                                                  \
                      "live memory blocks should be back to %zu, there are %zu (a leak)",          \
                      (size_t)(blocks0), live_blocks());                                           \
    } while (0)

#endif /* REFCOUNT_TEST_H */
