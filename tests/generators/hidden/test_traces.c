/*
 * hidden/test_traces.c -- the hidden tests of test_traces.c's area (the public file
 * tests/generators/test_traces.c): the rest of the oracle's scenarios, exact traces, and
 * every scenario's balance; those that came from mutation testing are tagged "mutation".
 */
#include "../generators_test.h"
#include "../oracle_port.h"

#include <stdlib.h>
#include <string.h>

/* ==================================================================== next and send */
ML_TEST(traces_reentrant_match_cpython, .points = 1, .visibility = ML_HIDDEN,
        .description = "CPython's traces: next() of a running generator",
        .hint = "handout §3, the order of checks")
{
    expect_trace("reentrant", "scenario reentrant: next() on a running generator: ValueError, "
                              "generator already executing\n"
                              "  op next\n"
                              "    ev reentrant state inside: GEN_RUNNING\n"
                              "    ev reentrant caught ValueError 'generator already executing'\n"
                              "    -> yield 'after'\n"
                              "    state GEN_SUSPENDED yf=-\n"
                              "  op next\n"
                              "    -> stop None\n"
                              "    state GEN_CLOSED yf=-\n");
}

/* ==================================================================== throw and close */
ML_TEST(traces_closed_generators_match_cpython, .points = 3, .visibility = ML_HIDDEN,
        .description =
            "CPython's traces: throw into and close of a closed generator; a tuple return value",
        .hint = "handout §4, throw")
{
    expect_trace(
        "throw_closed",
        "scenario throw_closed: throw() into a closed generator re-raises the thrown exception\n"
        "  op close\n"
        "    -> return None\n"
        "    state GEN_CLOSED yf=-\n"
        "  op throw ValueError('late')\n"
        "    -> raise ValueError: late\n"
        "    state GEN_CLOSED yf=-\n");
    expect_trace("close_exhausted",
                 "scenario close_exhausted: close() on an exhausted generator is a no-op\n"
                 "  op next\n"
                 "    ev counter start n=1\n"
                 "    -> yield 0\n"
                 "    state GEN_SUSPENDED yf=-\n"
                 "  op next\n"
                 "    ev counter got None\n"
                 "    ev counter exhausted\n"
                 "    ev counter finally\n"
                 "    -> stop 'done'\n"
                 "    state GEN_CLOSED yf=-\n"
                 "  op close\n"
                 "    -> return None\n"
                 "    state GEN_CLOSED yf=-\n");
    expect_trace("tuple_result",
                 "scenario tuple_result: a tuple return value is StopIteration.value itself\n"
                 "  op next\n"
                 "    -> yield 1\n"
                 "    state GEN_SUSPENDED yf=-\n"
                 "  op next\n"
                 "    -> stop (1, 2)\n"
                 "    state GEN_CLOSED yf=-\n");
}

/* ==================================================================== PEP 479 */
/* def stop_then_no_memory(value): raise StopIteration(value); yield
 * -- and the allocation number `n` after the raise fails. */
typedef struct stop_locals {
    ml_object *value;
    long n;
} stop_locals;
static const size_t stop_refs[] = {GEN_REF(stop_locals, value)};

static ml_object *stop_then_no_memory_body(ml_gen *gen)
{
    stop_locals *L = GEN_LOCALS(gen, stop_locals);
    GEN_BEGIN(gen);
    err_set_value(ML_EXC_STOP_ITERATION, L->value);
    fail_allocation(L->n);
    return NULL;
    GEN_END(gen);
}
static const gen_code stop_then_no_memory_code =
    GEN_CODE("stop_then_no_memory", stop_then_no_memory_body, stop_locals, stop_refs);

ML_TEST(pep479_without_memory_for_the_runtime_error_is_memory_error, .tags = "mutation",
        .points = 1, .visibility = ML_HIDDEN,
        .description = "a body raises StopIteration(v) and the RuntimeError cannot be made: "
                       "next() is MemoryError (never a silent end), v is released",
        .hint = "handout §3, PEP 479", .parent = "traces_next_and_send_match_cpython")
{
    for (long n = 0; n < 2; n++) { /* its message, then its object */
        ml_object *value = list_new(0);
        ck_assert_ptr_nonnull(value);
        ml_object *g = gen_new(&stop_then_no_memory_code);
        ck_assert_ptr_nonnull(g);
        GEN_LOCALS(g, stop_locals)->value = obj_newref(value);
        GEN_LOCALS(g, stop_locals)->n = n;
        ml_object *v = gen_next(g);
        stop_failing();
        ck_assert_ptr_null(v);
        ck_assert_msg(err_occurred() == ML_EXC_MEMORY_ERROR,
                      "allocation %ld failing: next() ended with %s, not MemoryError", n,
                      ml_exc_kind_name(err_occurred()));
        err_clear();
        ck_assert_int_eq(gen_getstate(g), GEN_CLOSED);
        ck_assert_msg(obj_getrefcount(value) == 2,
                      "allocation %ld failing: sys.getrefcount of the StopIteration's value is "
                      "%ld, not 2: the StopIteration was not released",
                      n, (long)obj_getrefcount(value));
        obj_decref(g);
        obj_decref(value);
    }
}

/* ==================================================================== yield from */
ML_TEST(traces_yield_from_throw_close_match_cpython, .points = 3, .visibility = ML_HIDDEN,
        .description =
            "CPython's traces: throw and close while delegating, to a generator and to a list",
        .hint = "handout §6, yield from")
{
    expect_trace("yield_from_throw",
                 "scenario yield_from_throw: throw() is forwarded to the sub-generator first\n"
                 "  op next\n"
                 "    ev outer start\n"
                 "    ev inner start\n"
                 "    -> yield 'i1'\n"
                 "    state GEN_SUSPENDED yf=inner\n"
                 "  op throw KeyError('k')\n"
                 "    ev inner caught KeyError\n"
                 "    -> yield 'i-recovered'\n"
                 "    state GEN_SUSPENDED yf=inner\n"
                 "  op next\n"
                 "    ev inner finally\n"
                 "    ev outer got result 'inner-result'\n"
                 "    -> yield 'o1'\n"
                 "    state GEN_SUSPENDED yf=-\n"
                 "  op next\n"
                 "    ev outer finally\n"
                 "    -> stop 'outer-result'\n"
                 "    state GEN_CLOSED yf=-\n");
    expect_trace(
        "yield_from_close",
        "scenario yield_from_close: close() closes the sub-generator first, then the delegator\n"
        "  op next\n"
        "    ev outer start\n"
        "    ev inner start\n"
        "    -> yield 'i1'\n"
        "    state GEN_SUSPENDED yf=inner\n"
        "  op close\n"
        "    ev inner finally\n"
        "    ev outer finally\n"
        "    -> return None\n"
        "    state GEN_CLOSED yf=-\n");
    expect_trace(
        "yield_from_list_throw",
        "scenario yield_from_list_throw: throw() while delegating to an iterator without throw()\n"
        "  op next\n"
        "    ev over_list start\n"
        "    -> yield 10\n"
        "    state GEN_SUSPENDED yf=list_iterator\n"
        "  op throw ValueError('v')\n"
        "    -> raise ValueError: v\n"
        "    state GEN_CLOSED yf=-\n");
}

ML_TEST(traces_pep479_delegated_match_cpython, .points = 1, .visibility = ML_HIDDEN,
        .description = "CPython's traces: PEP 479 in a sub-generator",
        .hint = "handout §6, yield from")
{
    expect_trace(
        "pep479_delegated",
        "scenario pep479_delegated: StopIteration escaping a sub-generator is RuntimeError there\n"
        "  op next\n"
        "    -> yield 'p1'\n"
        "    state GEN_SUSPENDED yf=inner_pep479\n"
        "  op next\n"
        "    ev outer_pep479 finally\n"
        "    -> raise RuntimeError: generator raised StopIteration [cause=StopIteration: from "
        "inner]\n"
        "    state GEN_CLOSED yf=-\n");
}

/* ==================================================================== finalization */
ML_TEST(traces_finalize_cycle_and_ignored_match_cpython, .points = 2, .visibility = ML_HIDDEN,
        .description =
            "CPython's traces: a generator in a cycle, and one ignoring GeneratorExit at dealloc",
        .hint = "handout §5, Dealloc and finalization")
{
    expect_trace("finalize_cycle", "scenario finalize_cycle: a generator in a reference cycle is "
                                   "closed by gc.collect() (PEP 442)\n"
                                   "  op next\n"
                                   "    -> yield 1\n"
                                   "    state GEN_SUSPENDED yf=-\n"
                                   "  op del\n"
                                   "    -> done\n"
                                   "  op collect\n"
                                   "    ev selfref finally (box len 1)\n"
                                   "    -> done\n");
    expect_trace(
        "finalize_ignored",
        "scenario finalize_ignored: GeneratorExit ignored at dealloc is reported as unraisable\n"
        "  op next\n"
        "    -> yield 'x'\n"
        "    state GEN_SUSPENDED yf=-\n"
        "  op del\n"
        "    ev stubborn ignores GeneratorExit\n"
        "    ev unraisable RuntimeError: generator ignored GeneratorExit (in generator)\n"
        "    -> done\n");
}

ML_TEST(every_scenario_balances_refcounts_and_bytes, .points = 3, .visibility = ML_HIDDEN,
        .description = "after each oracle scenario the total refcount and live bytes are back",
        .hint = "handout §5, Dealloc and finalization")
{
    for (int i = 0; i < oracle_nscenarios; i++) {
        ml_ssize_t total = obj_total_refcount();
        size_t bytes = mem_current_bytes();
        char *trace = oracle_trace(oracle_scenario_name(i));
        ck_assert_ptr_nonnull(trace);
        ck_assert_msg(strstr(trace, "creation failed") == NULL, "scenario %s: %s",
                      oracle_scenario_name(i), trace);
        free(trace);
        ck_assert_msg(obj_total_refcount() == total, "scenario %s: total refcount %ld -> %ld",
                      oracle_scenario_name(i), (long)total, (long)obj_total_refcount());
        ck_assert_msg(mem_current_bytes() == bytes, "scenario %s: live bytes %zu -> %zu",
                      oracle_scenario_name(i), bytes, mem_current_bytes());
        ck_assert_int_eq(err_occurred(), ML_EXC_NONE);
    }
}
