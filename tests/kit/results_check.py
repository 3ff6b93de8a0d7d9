"""results_check.py -- assertions on a grader report folder, for the kit's tests.

    python3 results_check.py schema   REPORT
    python3 results_check.py solution REPORT MIN_LINE_COVERAGE   (HIDDEN_DECLARED=K: lab.json's count)
    python3 results_check.py skeleton REPORT EXPECTED_SCORE
    python3 results_check.py case     REPORT   (expectations from the environment, see below)

Prints one line per assertion, "ok - what" or "not ok - what: why", and
exits 1 if any failed.  The shell drivers (tests/kit/labs.sh,
tests/harness/run.sh) count those lines.

case: EXPECT_OUTCOME (graded | missing_file | static_check | compile_error),
EXPECT_TEST (a test name, or empty: any test), EXPECT_STATUS (PASS, LEAK,
FAIL, MEMORY, CRASH, TIMEOUT, ...), EXPECT_REASON (fragments separated by
'|', each must appear in that test's reason, or in the report's message
when the outcome is not graded), EXPECT_SCORE (optional).
"""
import json
import os
import sys
import xml.etree.ElementTree as ET

failures = 0


def check(ok, what, why=""):
    global failures
    if ok:
        print(f"ok - {what}")
    else:
        failures += 1
        print(f"not ok - {what}" + (f": {why}" if why else ""))
    return ok


def load(report):
    with open(os.path.join(report, "results.json")) as f:
        return json.load(f)


def reason_of(test):
    """The first line of a test's output is 'STATUS: reason'."""
    first = test["output"].split("\n", 1)[0]
    status, _, reason = first.partition(": ")
    return status, reason


def schema(report):
    try:
        r = load(report)
    except (OSError, ValueError) as e:
        check(False, "results.json parses", str(e))
        return None
    check(True, "results.json parses")
    check(isinstance(r.get("score"), (int, float)), "results.json holds a numeric score")
    tests = r.get("tests")
    check(isinstance(tests, list) and len(tests) > 0, "results.json holds a list of tests")
    keys = ("name", "score", "max_score", "output", "visibility")
    bad = [t.get("name", "?") for t in tests or [] if any(k not in t for k in keys)
           or t["visibility"] not in ("visible", "hidden", "after_published")
           or t.get("status") not in ("passed", "failed")]
    check(not bad, "every test has name, score, max_score, status, output, visibility",
          ", ".join(bad[:5]))
    total = sum(t["score"] for t in tests or [])
    check(abs(total - r.get("score", -1)) < 1e-6, "the score is the sum of the tests' scores",
          f"{r.get('score')} vs {total}")
    try:
        suite = ET.parse(os.path.join(report, "junit.xml")).getroot().find("testsuite")
        check(suite is not None and int(suite.get("tests")) == len(tests),
              "junit.xml parses and counts every test")
    except (OSError, ET.ParseError, TypeError, ValueError) as e:
        check(False, "junit.xml parses", str(e))
    for name in ("report.txt", "results.tap", "results.csv"):
        check(os.path.isfile(os.path.join(report, name)), f"{name} is written")
    return r


def solution(report, min_cov):
    r = schema(report)
    if r is None:
        return
    x = r.get("extra_data", {})
    max_score = sum(t["max_score"] for t in r["tests"])
    check(x.get("outcome") == "graded", "the solution is graded", x.get("message", ""))
    failed = [f"{t['name']} ({reason_of(t)[0]}: {reason_of(t)[1][:120]})"
              for t in r["tests"] if t["status"] != "passed"]
    check(not failed, f"every test passes on the solution ({len(r['tests'])} tests)",
          "; ".join(failed[:5]))
    check(abs(r["score"] - max_score) < 1e-6, "the solution scores full marks",
          f"{r['score']} of {max_score}")
    check(x.get("memcheck_errors") == 0, "zero memcheck errors", str(x.get("memcheck_errors")))
    check(x.get("leaks") == 0, "zero definite leaks", str(x.get("leaks")))
    perf = os.environ.get("PERF_ROW", "")
    if perf:  # the lab has a performance stage: its row is there, at full marks
        row = [t for t in r["tests"] if t["name"] == perf and "performance" in t.get("tags", [])]
        check(len(row) == 1 and row[0]["score"] == row[0]["max_score"] > 0,
              f"the performance stage ran and scores full marks ({perf})",
              f"rows: {[(t['score'], t['max_score']) for t in row]}")
    declared = os.environ.get("HIDDEN_DECLARED", "")
    if declared:
        hidden = sum(t["visibility"] != "visible" for t in r["tests"])
        check(int(declared) == hidden, "lab.json's hidden_tests counts the lab's hidden tests",
              f"lab.json says {declared}, the tests declare {hidden}: update tests/<lab>/lab.json")
    cov = x.get("line_percent", -1)
    check(cov >= min_cov, f"line coverage of the solution by the tests >= {min_cov}%",
          f"{cov}%")
    print(f"# coverage: lines {cov}%, branches {x.get('branch_percent', -1)}%")


def skeleton(report, expected):
    r = schema(report)
    if r is None:
        return
    x = r.get("extra_data", {})
    check(x.get("outcome") == "graded", "the skeleton is graded to the end (it compiles, links, "
          "passes the static checks)", x.get("message", ""))
    v = x.get("verdicts", {})
    check(v.get("ERROR", 0) == 0, "every test of the skeleton gets a verdict", str(v))
    check(v.get("CRASH", 0) == 0 and v.get("TIMEOUT", 0) == 0,
          "the skeleton fails cleanly: no crash, no timeout",
          "; ".join(f"{t['name']}: {reason_of(t)[0]} {reason_of(t)[1][:100]}"
                    for t in r["tests"] if reason_of(t)[0] in ("CRASH", "TIMEOUT"))[:600])
    check(abs(r["score"] - expected) < 1e-6, f"the skeleton scores {expected:g}",
          f"it scores {r['score']}: " + ", ".join(t["name"] for t in r["tests"]
                                                   if t["score"] > 0)[:400])
    silent = [t["name"] for t in r["tests"] if t["status"] != "passed" and not reason_of(t)[1]]
    check(not silent, "every failing test says why", ", ".join(silent[:5]))


def case(report):
    r = schema(report)
    if r is None:
        return
    x = r.get("extra_data", {})
    outcome = os.environ.get("EXPECT_OUTCOME", "graded")
    check(x.get("outcome") == outcome, f"outcome {outcome}",
          f"got {x.get('outcome')}: {x.get('message', '')[:300]}")
    fragments = [f for f in os.environ.get("EXPECT_REASON", "").split("|") if f]
    if "EXPECT_SCORE" in os.environ:
        want = float(os.environ["EXPECT_SCORE"])
        check(abs(r["score"] - want) < 1e-6, f"score {want:g}", f"got {r['score']}")
    if outcome != "graded":
        message = x.get("message", "")
        for f in fragments:
            check(f in message, f"the message says '{f}'", f"message: {message[:400]}")
        print(f"# got: {outcome}: {message.splitlines()[0] if message else ''}")
        return
    name, status = os.environ.get("EXPECT_TEST", ""), os.environ.get("EXPECT_STATUS", "")
    candidates = [t for t in r["tests"] if not name or t["name"] == name]
    check(bool(candidates), f"test {name or '(any)'} is in the report")
    hits = [t for t in candidates if reason_of(t)[0] == status]
    got = "; ".join(f"{t['name']}: {reason_of(t)[0]}: {reason_of(t)[1][:200]}"
                    for t in candidates[:3])
    if not check(bool(hits), f"verdict {status} for {name or 'some test'}", got):
        return
    best = max(hits, key=lambda t: sum(f in reason_of(t)[1] for f in fragments))
    for f in fragments:
        check(f in reason_of(best)[1], f"the reason says '{f}'", reason_of(best)[1][:400])
    print(f"# got: {best['name']}: {reason_of(best)[0]}: {reason_of(best)[1]}")


def main(argv):
    mode, report = argv[1], argv[2]
    if mode == "schema":
        schema(report)
    elif mode == "solution":
        solution(report, float(argv[3]))
    elif mode == "skeleton":
        skeleton(report, float(argv[3]))
    elif mode == "case":
        case(report)
    else:
        sys.exit(f"unknown mode {mode}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
