#!/usr/bin/env python3
"""classroom-result.py -- the grader's results.json turned into GitHub
Classroom's runner result, the format its grading reporter reads.

    tools/dist/classroom-result.py [--runner NAME] REPORT/results.json ...

Prints `result=<base64 JSON>` (append it to $GITHUB_OUTPUT), where the JSON is

    {"version": 1, "status": "pass" | "fail" | "error", "max_score": M,
     "tests": [{"name", "status", "score", "message", "line_no",
                "execution_time", "filename", "test_code"}, ...]}

The reporter (classroom-resources/autograding-grading-reporter) adds up the
tests' "score" against "max_score" and shows "Points X/Y" on the run.  Several
results.json (one per lab) make one runner; each test is named "<lab>: <test>".
A results.json that is missing or unreadable (the grader could not run)
counts as an error worth nothing, so the run is red rather than silently green.
"""
import base64
import json
import os
import sys


def lab_of(path):
    return os.path.basename(os.path.dirname(os.path.abspath(path)))


def convert(paths):
    tests, max_score, status = [], 0.0, "pass"
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                res = json.load(f)
        except (OSError, ValueError) as e:
            status = "error"
            tests.append({"name": f"{lab_of(path)}: grading", "status": "error", "score": 0,
                          "message": f"no results ({e}); see the job's log",
                          "line_no": 0, "execution_time": "0s", "filename": "", "test_code": ""})
            continue
        lab = res.get("lab") or lab_of(path)
        for t in res.get("tests", []):
            if t.get("visibility", "visible") not in ("visible", None):
                continue  # hidden tests are never shown in a student's repository
            m, s = float(t.get("max_score", 0) or 0), float(t.get("score", 0) or 0)
            max_score += m
            ok = s >= m
            if not ok and status == "pass":
                status = "fail"
            tests.append({"name": f"{lab}: {t.get('name', '?')}",
                          "status": "pass" if ok else "fail", "score": s,
                          "message": (t.get("output") or "")[:4000], "line_no": 0,
                          "execution_time": "0s", "filename": "", "test_code": ""})
        if not res.get("tests"):
            status = "error" if status != "fail" else status
            tests.append({"name": f"{lab}: build", "status": "error", "score": 0,
                          "message": (res.get("output") or "no test ran")[:4000],
                          "line_no": 0, "execution_time": "0s", "filename": "", "test_code": ""})
    return {"version": 1, "status": status, "max_score": max_score, "tests": tests}


def main(argv):
    args = argv[1:]
    if args[:1] == ["--runner"]:
        args = args[2:]  # the runner's name lives in the workflow; accepted for symmetry
    if not args:
        print(__doc__.strip().splitlines()[3].strip(), file=sys.stderr)
        return 2
    result = convert(args)
    encoded = base64.b64encode(json.dumps(result).encode()).decode()
    print(f"result={encoded}")
    total = sum(t["score"] for t in result["tests"])
    print(f"classroom: Points {total:g}/{result['max_score']:g} ({result['status']})",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
