#!/usr/bin/env python3
"""classroom-result.py -- the grader's results.json turned into GitHub
Classroom's runner results, one runner per test, so that the grading
reporter's log and the grade Classroom records are both the grader's.

    tools/dist/classroom-result.py [--env FILE] [--output FILE] REPORT/results.json ...

--env FILE (the workflow passes $GITHUB_ENV) gets one line per runner,
`<RUNNER>_RESULTS=<base64 JSON>`, the variable the reporter reads for it;
--output FILE ($GITHUB_OUTPUT) gets `runners=<name>,<name>,...`, the
reporter's `runners` input.  Each runner's JSON is the reporter's format:

    {"version": 1, "status": "pass" | "fail" | "error", "max_score": M,
     "tests": [{"name", "status", "score", "message", "line_no",
                "execution_time", "filename", "test_code"}]}

Why one runner per test: the reporter (classroom-resources/
autograding-grading-reporter) logs a runner's points as passed tests /
tests x max_score (every test of a runner weighs the same), while the grade
it sends Classroom adds up the tests' "score".  memlabs' tests are worth
1-4 points, so one runner for all of them logged one total and recorded
another.  A runner of one test, worth that test's points, logs and records
the same number.  A test with a part of its points (a performance stage)
becomes two runners, the earned part passed and the rest failed, for the
same reason.

A failed test's reason is in its name (the reporter prints names only, and
a message only for an error) and in a `::error` annotation on stdout, with
a line per test, so the job's log says why.  A results.json that is missing
or unreadable (the grader could not run) is an error runner worth nothing,
so the run is red rather than silently green.  Hidden tests are never
shown in a student's repository (the template has none).
"""
import argparse
import base64
import json
import os
import re
import sys

REASON_IN_NAME = 160  # characters of the reason shown beside the test's name
# Each runner is an environment variable of the reporter's step: a few
# hundred of them must stay far below the kernel's limit on the environment
# (ARG_MAX, 2 MiB with the arguments), so a message is kept short; the whole
# reason is in the report artifact.
MESSAGE_LIMIT = 600


def lab_of(path):
    return os.path.basename(os.path.dirname(os.path.abspath(path)))


def runner_result(status, max_score, name, score, message=""):
    """One runner of one test, in the reporter's format."""
    test = {"name": name, "status": status, "score": score, "message": message[:MESSAGE_LIMIT],
            "line_no": 0, "execution_time": "0s", "filename": "", "test_code": ""}
    return {"version": 1, "status": status, "max_score": max_score, "tests": [test]}


def first_line(text, limit):
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= limit else line[:limit - 3] + "..."


def test_runners(lab, t):
    """The runners of one graded test: one, or two when it earned a part."""
    name = f"{lab}: {t.get('name', '?')}"
    m, s = float(t.get("max_score", 0) or 0), float(t.get("score", 0) or 0)
    reason = t.get("output") or ""
    if s >= m:
        return [runner_result("pass", m, name, m)]
    why = first_line(reason, REASON_IN_NAME) or "failed"
    failed = runner_result("fail", m - s, f"{name} ({why})", 0, reason)
    if s <= 0:
        return [failed]
    return [runner_result("pass", s, f"{name} (points earned)", s), failed]


def lab_runners(path):
    """Every runner of one lab's results.json."""
    try:
        with open(path, encoding="utf-8") as f:
            res = json.load(f)
    except (OSError, ValueError) as e:
        return [runner_result("error", 0, f"{lab_of(path)}: grading", 0,
                              f"no results ({e}); see the job's log")]
    lab = (res.get("extra_data") or {}).get("lab") or lab_of(path)
    runners = []
    for t in res.get("tests", []):
        if t.get("visibility", "visible") in ("visible", None):
            runners += test_runners(lab, t)
    if not runners:
        runners.append(runner_result("error", 0, f"{lab}: build", 0,
                                     (res.get("output") or "no test ran")))
    return runners


def runner_names(results):
    """Names the reporter accepts (letters and digits: it upper-cases them
    into environment variables), one per runner, in order."""
    names = []
    for i, r in enumerate(results):
        lab = re.sub(r"[^a-z0-9]", "", r["tests"][0]["name"].split(":")[0].lower()) or "memlab"
        names.append(f"{lab}{i + 1:03d}")
    return names


def annotate(results):
    """The job's log: each failed test and why (GitHub shows ::error lines
    as annotations on the run)."""
    for r in results:
        t = r["tests"][0]
        if t["status"] != "pass":
            why = first_line(t["message"], 500) or t["status"]
            print(f"::error title={t['name'].split(' (')[0]}::{why}")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--env", help="where <RUNNER>_RESULTS lines go ($GITHUB_ENV)")
    ap.add_argument("--output", help="where runners=... goes ($GITHUB_OUTPUT)")
    ap.add_argument("results", nargs="+", help="REPORT/results.json, one per lab")
    args = ap.parse_args(argv[1:])
    results = [r for path in args.results for r in lab_runners(path)]
    names = runner_names(results)
    env_lines = "".join(
        f"{n.upper()}_RESULTS={base64.b64encode(json.dumps(r).encode()).decode()}\n"
        for n, r in zip(names, results))
    out_line = f"runners={','.join(names)}\n"
    if args.env:
        with open(args.env, "a", encoding="utf-8") as f:
            f.write(env_lines)
    if args.output:
        with open(args.output, "a", encoding="utf-8") as f:
            f.write(out_line)
    if not args.env and not args.output:
        sys.stdout.write(env_lines + out_line)
    else:
        annotate(results)
    total = sum(t["score"] for r in results for t in r["tests"])
    print(f"classroom: Points {total:g}/{sum(r['max_score'] for r in results):g} "
          f"in {len(results)} runners", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
