/*
 * test_traces_hidden.c -- the rest of the oracle's scenarios, exact traces.
 */
#include "../oracle_port.h"
#include "mltest.h"

#include <stdlib.h>
#include <string.h>

static void expect_trace(const char *name, const char *expected)
{
    char *trace = oracle_trace(name);
    ck_assert_msg(trace != NULL, "no scenario named %s", name);
    ck_assert_msg(strcmp(trace, expected) == 0, "scenario %s: expected\n%s\ngot\n%s", name,
                  expected, trace);
    free(trace);
}

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
