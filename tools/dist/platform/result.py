#!/usr/bin/env python3
"""result.py -- memlab-grade's results.json in the format of PrairieLearn's
external grader or Autolab's autograder.

    result.py --format prairielearn|autolab [--log FILE] [--exit N] [RESULTS.json]

prairielearn  prints /grade/results/results.json's content:
                {"gradable", "score" (0..1), "message", "output",
                 "tests": [{"name", "description", "points", "max_points",
                            "message", "output"}]}
              Hidden and after-publication tests are named "hidden test N",
              with their points and nothing else: PrairieLearn shows every
              test it is given to the student.
autolab       prints the autoresult, which must be the last line of the
              autograder's output (what Autolab reads; the grader's log, printed
              before it, is the student's feedback):
                {"scores": {"<lab>": score}, "scoreboard": [score, passed, tests]}

When the grader could not grade (no results.json, or an exit status other
than 0), PrairieLearn gets "gradable": false (the student is not charged an
attempt) with the log's tail, Autolab a score of 0.
"""
import argparse
import json
import sys

LOG_TAIL = 3000


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError, TypeError):
        return None


def log_tail(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()[-LOG_TAIL:]
    except (OSError, TypeError):
        return ""


def shown(t):
    return t.get("visibility", "visible") == "visible"


def prairielearn(res, log, rc):
    if res is None or rc != 0:
        return {"gradable": False, "score": 0,
                "message": f"The autograder could not grade this submission (exit {rc}). "
                           "Please tell your instructor.",
                "output": log, "tests": []}
    tests, hidden = [], 0
    for t in res.get("tests", []):
        row = {"points": t.get("score", 0), "max_points": t.get("max_score", 0)}
        if shown(t):
            row.update(name=t.get("name", "?"), description=t.get("description", ""),
                       message=(t.get("output") or "").strip().split("\n")[0],
                       output=t.get("output") or "")
        else:
            hidden += 1
            row.update(name=f"hidden test {hidden}", description="", message="", output="")
        tests.append(row)
    total = sum(t["max_points"] for t in tests)
    score = res.get("score", 0)
    return {"gradable": True, "score": min(1.0, max(0.0, score / total)) if total else 0.0,
            "message": f"{score:g} / {total:g} points", "output": res.get("output") or "",
            "tests": tests}


def autolab(res, rc, lab):
    if res is None or rc != 0:
        return {"scores": {lab: 0}, "scoreboard": [0, 0, 0]}
    tests = res.get("tests", [])
    lab = (res.get("extra_data") or {}).get("lab") or lab
    passed = sum(1 for t in tests if t.get("score", 0) >= t.get("max_score", 0))
    score = res.get("score", 0)
    return {"scores": {lab: score}, "scoreboard": [score, passed, len(tests)]}


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--format", choices=("prairielearn", "autolab"), required=True)
    ap.add_argument("--lab", default="memlab", help="the score's key when there is no result")
    ap.add_argument("--log", help="the grader's log (shown when it could not grade)")
    ap.add_argument("--exit", type=int, default=0, help="the grader's exit status")
    ap.add_argument("results", nargs="?")
    a = ap.parse_args(argv[1:])
    res, log = load(a.results), log_tail(a.log)
    if a.format == "prairielearn":
        print(json.dumps(prairielearn(res, log, a.exit)))
    else:
        print(json.dumps(autolab(res, a.exit, a.lab)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
