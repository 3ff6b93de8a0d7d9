/* Hidden: a finalizer called while an exception is on its way up. */
#include "../cycles_test.h"
#include "mltest.h"

ML_TEST(finalizer_from_dealloc_keeps_the_exception_in_flight, .points = 2, .visibility = ML_HIDDEN,
        .description = "a dealloc's finalizer runs with the pending exception set aside, and it "
                       "comes back unchanged",
        .hint = "handout: PEP 442 finalizers", .parent = "finalizer_from_dealloc_runs_once")
{
    ml_object *a = node_new(&fin_node_type, 1);
    size_t unraisable_before = err_unraisable_count();
    err_set(ML_EXC_VALUE_ERROR, "in flight");
    obj_decref(a); /* dealloc: the finalizer runs, then the node is freed */
    ck_assert_msg(node_events(EV_FINALIZE, 1) == 1, "the finalizer ran once");
    ck_assert_msg(err_occurred() == ML_EXC_VALUE_ERROR, "the pending ValueError is still set");
    ck_assert_str_eq(err_message(), "in flight");
    ck_assert_msg(err_unraisable_count() == unraisable_before,
                  "the pending exception was not reported as the finalizer's");
    err_clear();
}
