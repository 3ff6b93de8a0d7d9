/*
 * test_traces.c -- the protocol, scenario by scenario, against CPython's own
 * event traces (shared/oracles/gen_oracle.py on CPython 3.11).  The
 * generator functions are the oracle's, ported in oracle_port.c; each test
 * replays the scenarios of one handout section and compares each whole
 * trace: what the body logged, what each operation returned or raised, and
 * the state afterwards.
 */
#include "generators_test.h"

ML_TEST(traces_next_and_send_match_cpython, .points = 3,
        .description = "CPython's traces: next, send and the end of iteration",
        .hint = "handout §3, next and send")
{
    expect_trace("basic",
                 "scenario basic: next until exhaustion; return value travels in StopIteration\n"
                 "  op next\n"
                 "    ev counter start n=2\n"
                 "    -> yield 0\n"
                 "    state GEN_SUSPENDED yf=-\n"
                 "  op next\n"
                 "    ev counter got None\n"
                 "    -> yield 1\n"
                 "    state GEN_SUSPENDED yf=-\n"
                 "  op next\n"
                 "    ev counter got None\n"
                 "    ev counter exhausted\n"
                 "    ev counter finally\n"
                 "    -> stop 'done'\n"
                 "    state GEN_CLOSED yf=-\n"
                 "  op next\n"
                 "    -> stop None\n"
                 "    state GEN_CLOSED yf=-\n");
    expect_trace("send", "scenario send: send() resumes with a value; send(None) is next()\n"
                         "  op next\n"
                         "    ev counter start n=5\n"
                         "    -> yield 0\n"
                         "    state GEN_SUSPENDED yf=-\n"
                         "  op send 3\n"
                         "    ev counter got 3\n"
                         "    -> yield 3\n"
                         "    state GEN_SUSPENDED yf=-\n"
                         "  op send None\n"
                         "    ev counter got None\n"
                         "    -> yield 4\n"
                         "    state GEN_SUSPENDED yf=-\n"
                         "  op send 9\n"
                         "    ev counter got 9\n"
                         "    ev counter exhausted\n"
                         "    ev counter finally\n"
                         "    -> stop 'done'\n"
                         "    state GEN_CLOSED yf=-\n");
    expect_trace(
        "send_nonnone_first",
        "scenario send_nonnone_first: send(non-None) to a just-started generator is a TypeError\n"
        "  op send 1\n"
        "    -> raise TypeError: can't send non-None value to a just-started generator\n"
        "    state GEN_CREATED yf=-\n"
        "  op send None\n"
        "    ev counter start n=2\n"
        "    -> yield 0\n"
        "    state GEN_SUSPENDED yf=-\n"
        "  op next\n"
        "    ev counter got None\n"
        "    -> yield 1\n"
        "    state GEN_SUSPENDED yf=-\n");
}

ML_TEST(traces_throw_match_cpython, .points = 4,
        .description = "CPython's traces: throw: caught, a class, uncaught, into a new generator",
        .hint = "handout §4, throw")
{
    expect_trace("throw_caught",
                 "scenario throw_caught: throw() an instance the body catches; body yields again\n"
                 "  op next\n"
                 "    ev catcher start\n"
                 "    -> yield 'ready'\n"
                 "    state GEN_SUSPENDED yf=-\n"
                 "  op throw ValueError('boom')\n"
                 "    ev catcher caught ValueError 'boom'\n"
                 "    -> yield 'recovered'\n"
                 "    state GEN_SUSPENDED yf=-\n"
                 "  op send 'a'\n"
                 "    -> yield 'ready'\n"
                 "    state GEN_SUSPENDED yf=-\n"
                 "  op close\n"
                 "    ev catcher GeneratorExit\n"
                 "    -> return None\n"
                 "    state GEN_CLOSED yf=-\n");
    expect_trace(
        "throw_class",
        "scenario throw_class: throw() an exception class: it is instantiated with no arguments\n"
        "  op next\n"
        "    ev catcher start\n"
        "    -> yield 'ready'\n"
        "    state GEN_SUSPENDED yf=-\n"
        "  op throw ValueError\n"
        "    ev catcher caught ValueError ''\n"
        "    -> yield 'recovered'\n"
        "    state GEN_SUSPENDED yf=-\n"
        "  op close\n"
        "    -> return None\n"
        "    state GEN_CLOSED yf=-\n");
    expect_trace("throw_uncaught", "scenario throw_uncaught: an uncaught thrown exception "
                                   "propagates and closes the generator\n"
                                   "  op next\n"
                                   "    ev counter start n=3\n"
                                   "    -> yield 0\n"
                                   "    state GEN_SUSPENDED yf=-\n"
                                   "  op throw KeyError('k')\n"
                                   "    ev counter finally\n"
                                   "    -> raise KeyError: 'k'\n"
                                   "    state GEN_CLOSED yf=-\n"
                                   "  op next\n"
                                   "    -> stop None\n"
                                   "    state GEN_CLOSED yf=-\n");
    expect_trace(
        "throw_unstarted",
        "scenario throw_unstarted: throw() into a just-created generator: no body code runs\n"
        "  op throw ValueError('early')\n"
        "    -> raise ValueError: early\n"
        "    state GEN_CLOSED yf=-\n"
        "  op next\n"
        "    -> stop None\n"
        "    state GEN_CLOSED yf=-\n");
}

ML_TEST(traces_close_match_cpython, .points = 4,
        .description =
            "CPython's traces: close: new, suspended, ignoring GeneratorExit, returning a value",
        .hint = "handout §4, close")
{
    expect_trace("close_unstarted",
                 "scenario close_unstarted: close() on a just-created generator runs nothing\n"
                 "  op close\n"
                 "    -> return None\n"
                 "    state GEN_CLOSED yf=-\n"
                 "  op next\n"
                 "    -> stop None\n"
                 "    state GEN_CLOSED yf=-\n");
    expect_trace(
        "close_suspended",
        "scenario close_suspended: close() raises GeneratorExit at the yield; finally runs\n"
        "  op next\n"
        "    ev catcher start\n"
        "    -> yield 'ready'\n"
        "    state GEN_SUSPENDED yf=-\n"
        "  op close\n"
        "    ev catcher GeneratorExit\n"
        "    -> return None\n"
        "    state GEN_CLOSED yf=-\n"
        "  op close\n"
        "    -> return None\n"
        "    state GEN_CLOSED yf=-\n"
        "  op send None\n"
        "    -> stop None\n"
        "    state GEN_CLOSED yf=-\n");
    expect_trace(
        "close_ignored",
        "scenario close_ignored: a generator that yields after GeneratorExit -> RuntimeError\n"
        "  op next\n"
        "    -> yield 'x'\n"
        "    state GEN_SUSPENDED yf=-\n"
        "  op close\n"
        "    ev stubborn ignores GeneratorExit\n"
        "    -> raise RuntimeError: generator ignored GeneratorExit\n"
        "    state GEN_SUSPENDED yf=-\n"
        "  op next\n"
        "    -> yield 'x'\n"
        "    state GEN_SUSPENDED yf=-\n");
    expect_trace(
        "close_returns",
        "scenario close_returns: GeneratorExit caught and a value returned (3.11 close() -> None)\n"
        "  op next\n"
        "    -> yield 1\n"
        "    state GEN_SUSPENDED yf=-\n"
        "  op close\n"
        "    ev returns_on_close returning 'bye'\n"
        "    -> return None\n"
        "    state GEN_CLOSED yf=-\n");
}

ML_TEST(
    traces_pep479_match_cpython, .points = 1,
    .description = "CPython's traces: PEP 479: StopIteration raised in a body becomes RuntimeError",
    .hint = "handout §3, PEP 479")
{
    expect_trace(
        "pep479",
        "scenario pep479: StopIteration raised inside a generator becomes RuntimeError\n"
        "  op next\n"
        "    -> yield 1\n"
        "    state GEN_SUSPENDED yf=-\n"
        "  op next\n"
        "    ev leaks_stopiteration raising StopIteration\n"
        "    -> raise RuntimeError: generator raised StopIteration [cause=StopIteration: oops]\n"
        "    state GEN_CLOSED yf=-\n"
        "  op next\n"
        "    -> stop None\n"
        "    state GEN_CLOSED yf=-\n");
}

ML_TEST(traces_yield_from_match_cpython, .points = 2,
        .description = "CPython's traces: yield from a generator and from a list",
        .hint = "handout §6, yield from")
{
    expect_trace("yield_from", "scenario yield_from: yield from delegates next/send; the "
                               "sub-generator's return is the value\n"
                               "  op next\n"
                               "    ev outer start\n"
                               "    ev inner start\n"
                               "    -> yield 'i1'\n"
                               "    state GEN_SUSPENDED yf=inner\n"
                               "  op send 's1'\n"
                               "    ev inner got 's1'\n"
                               "    -> yield 'i2'\n"
                               "    state GEN_SUSPENDED yf=inner\n"
                               "  op send 's2'\n"
                               "    ev inner got 's2'\n"
                               "    ev inner finally\n"
                               "    ev outer got result 'inner-result'\n"
                               "    -> yield 'o1'\n"
                               "    state GEN_SUSPENDED yf=-\n"
                               "  op next\n"
                               "    ev outer finally\n"
                               "    -> stop 'outer-result'\n"
                               "    state GEN_CLOSED yf=-\n"
                               "  op next\n"
                               "    -> stop None\n"
                               "    state GEN_CLOSED yf=-\n");
    expect_trace(
        "yield_from_list",
        "scenario yield_from_list: yield from a list iterator (no send/throw/close methods)\n"
        "  op next\n"
        "    ev over_list start\n"
        "    -> yield 10\n"
        "    state GEN_SUSPENDED yf=list_iterator\n"
        "  op next\n"
        "    -> yield 20\n"
        "    state GEN_SUSPENDED yf=list_iterator\n"
        "  op next\n"
        "    ev over_list result None\n"
        "    -> stop 'listed'\n"
        "    state GEN_CLOSED yf=-\n");
}

ML_TEST(traces_finalize_match_cpython, .points = 2,
        .description = "CPython's traces: dropping the last reference: a started generator is "
                       "closed, a new one is not",
        .hint = "handout §5, Dealloc and finalization")
{
    expect_trace(
        "finalize_on_del",
        "scenario finalize_on_del: dropping the last reference closes the generator (tp_finalize)\n"
        "  op next\n"
        "    ev counter start n=3\n"
        "    -> yield 0\n"
        "    state GEN_SUSPENDED yf=-\n"
        "  op del\n"
        "    ev counter finally\n"
        "    -> done\n");
    expect_trace("finalize_unstarted", "scenario finalize_unstarted: an unstarted generator is not "
                                       "closed at dealloc: no body code\n"
                                       "  op del\n"
                                       "    -> done\n");
}
