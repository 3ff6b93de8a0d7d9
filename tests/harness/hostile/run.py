"""run.py -- grade every hostile or broken submission of tests/harness/hostile/
and compare the grader's verdict with the one the case expects.

Each case is a folder <case>/ with expected.json and, usually, attack.c:

  {
    "about":   "one line: what the submission does",
    "base":    "solution" | "skeleton"     the lab files it starts from (solution)
    "file":    "refcount.c"                the file the attack goes into
    "attack":  "attack.c"                  C code put at the top of that file;
                                           @KIT@ becomes the kit's absolute path;
                                           a list of files: put in that order
    "hook":    {"function": "obj_getrefcount", "code": "hostile_attack();"}
                                           code put first in that function's body
    "replace": {"refcount.c": "bad.c"}     whole files from the case folder
    "empty":   ["containers.c"],  "remove": ["containers.c"]
    "raw":     {"refcount.c": "2f2a ff fe ..."}   bytes (hex) appended to a file
    "only":    "test,test"                 the tests graded (--only)
    "flags":   ["--no-static-check"]       extra grader flags (test-only flags)
    "expect":  {"outcome": "graded", "test": NAME, "status": "FAIL",   (outcome: "a|b" = either)
                "message": "fragment|fragment", "score": 0}
    "also":    [{"test": NAME, "status": ..., "message": ...}]
                            more tests of the same run and what each must get
    "absent":  ["text"]     must appear in no file of the report folder (e.g. a
                            line of the reference solution)
    "max_file_kib": 16384   no file the test left may be larger
  }

For every case the grader must exit 0 within "grader_timeout" seconds
(default 120); its results.json must be JSON, junit.xml XML, and no output
may hold a control character or invalid UTF-8; no process of the case may
be left running.  Prints one line per case and "N passed, M failed".
Environment: BUILD (default build), CASES="a b" (a subset), JOBS (cases
graded at a time, default 2), TABLE=path (a Markdown table of case,
expected, got).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
import xml.etree.ElementTree as ET

KIT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.abspath(os.path.join(KIT, os.environ.get("BUILD", "build")))
GRADER = os.path.join(BUILD, "bin", "memlab-grade")
OUT = os.path.join(BUILD, "kit-tests", "hostile")
BAD_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def insert_hook(text, function, code):
    """Put `code` first in the body of `function` (a definition at column 0)."""
    lines = text.split("\n")
    pattern = re.compile(r"^\S.*\b" + re.escape(function) + r"\(")
    for i, line in enumerate(lines):
        if pattern.match(line) and not line.rstrip().endswith(";"):
            for j in range(i, min(i + 5, len(lines))):
                k = lines[j].find("{")
                if k >= 0:
                    lines[j] = lines[j][: k + 1] + " " + code + " " + lines[j][k + 1 :]
                    return "\n".join(lines)
    raise ValueError(f"no definition of {function}")


def make_submission(case_dir, spec, sub):
    lab = spec.get("lab", "refcount")
    base = os.path.join(KIT, "labs" if spec.get("base") == "skeleton" else "solutions", lab)
    os.makedirs(sub)
    for name in os.listdir(base):
        if name.endswith(".c") and name != "demo.c":
            shutil.copy(os.path.join(base, name), sub)
    target = os.path.join(sub, spec.get("file", "refcount.c"))
    attack = spec.get("attack") or ("attack.c" if os.path.exists(os.path.join(case_dir, "attack.c")) else None)
    if attack or spec.get("hook"):
        with open(target) as f:
            text = f.read()
        if spec.get("hook"):
            text = insert_hook(text, spec["hook"]["function"], spec["hook"]["code"])
        for part in reversed([attack] if isinstance(attack, str) else attack or []):
            with open(os.path.join(case_dir, part)) as f:
                text = f.read().replace("@KIT@", KIT) + "\n" + text
        with open(target, "w") as f:
            f.write(text)
    for name, src in spec.get("replace", {}).items():
        shutil.copy(os.path.join(case_dir, src), os.path.join(sub, name))
    for name, hexbytes in spec.get("raw", {}).items():
        with open(os.path.join(sub, name), "ab") as f:
            f.write(bytes.fromhex(hexbytes.replace(" ", "")))
    for name in spec.get("empty", []):
        open(os.path.join(sub, name), "w").close()
    for name in spec.get("remove", []):
        os.remove(os.path.join(sub, name))


def running_in(path):
    """Processes whose command line names `path` (the case's own binary)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if path.encode() in f.read():
                    found.append(pid)
        except OSError:
            pass
    return found


def outputs_clean(report):
    """Why the report's outputs are unreadable, or None."""
    for name in ("results.json", "report.txt", "junit.xml", "results.tap", "results.csv"):
        path = os.path.join(report, name)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            return f"{name} is missing"
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            return f"{name} is not UTF-8 ({e})"
        if BAD_CHARS.search(text):
            return f"{name} holds a control character {BAD_CHARS.search(text).group()!r}"
    try:
        ET.parse(os.path.join(report, "junit.xml"))
    except ET.ParseError as e:
        return f"junit.xml is not XML ({e})"
    return None


def got_of(results, expect):
    extra = results.get("extra_data", {})
    outcome = extra.get("outcome")
    if outcome != "graded":
        text = (extra.get("message") or "") + "\n" + "\n".join(extra.get("violations") or [])
        return outcome, outcome, text
    name = expect.get("test")
    tests = [t for t in results["tests"] if name is None or t["name"] == name]
    if not tests:
        return outcome, "no such test", ""
    t = tests[0]
    return outcome, t["tags"][0], t["output"]


def run_case(name):
    case_dir = os.path.join(HERE, name)
    with open(os.path.join(case_dir, "expected.json")) as f:
        spec = json.load(f)
    expect = spec["expect"]
    work = os.path.join(OUT, name)
    shutil.rmtree(work, ignore_errors=True)
    sub, report = os.path.join(work, "submission"), os.path.join(work, "report")
    make_submission(case_dir, spec, sub)
    argv = [GRADER, "--lab", spec.get("lab", "refcount"), "--kit", KIT, "--build", BUILD,
            "--submission", sub, "--report", report, "--quiet", "--reveal-hidden"]
    if spec.get("only"):
        argv += ["--only", spec["only"]]
    argv += spec.get("flags", [])
    start = time.time()
    problems = []
    try:
        with open(os.path.join(work, "grader.out"), "wb") as log:
            rc = subprocess.run(argv, stdout=log, stderr=subprocess.STDOUT,
                                timeout=spec.get("grader_timeout", 120)).returncode
    except subprocess.TimeoutExpired:
        rc = "hung"
    seconds = time.time() - start
    want = expect.get("status") or expect["outcome"]
    got = "?"
    if rc != 0:
        problems.append(f"the grader exited {rc}")
    else:
        try:
            with open(os.path.join(report, "results.json")) as f:
                results = json.load(f)
        except (OSError, ValueError) as e:
            results = None
            problems.append(f"results.json unreadable: {e}")
        if results:
            outcome, got, text = got_of(results, expect)
            if outcome not in expect.get("outcome", "graded").split("|"):  # "static_check|compile_error"
                problems.append(f"outcome {outcome}, expected {expect.get('outcome', 'graded')}")
            for exp in [expect] + spec.get("also", []):
                _, got_one, text = got_of(results, exp)
                if got_one not in (exp.get("status") or want).split("|"):  # "TIMEOUT|CRASH": either
                    problems.append(f"{exp.get('test')}: got {got_one}")
                for frag in filter(None, exp.get("message", "").split("|")):
                    if frag not in text:
                        problems.append(f"'{frag}' not in: {text.strip()[:300]!r}")
            if "score" in expect and abs(results["score"] - expect["score"]) > 1e-9:
                problems.append(f"score {results['score']}, expected {expect['score']}")
        why = outputs_clean(report)
        if why:
            problems.append(why)
    for text in spec.get("absent", []):
        for root, dirs, files in os.walk(report):
            if os.path.abspath(root) == report:
                dirs[:] = ["work"]  # coverage/ shows the submission itself
            if os.path.abspath(root) == os.path.join(report, "work"):
                dirs[:] = ["tests"]  # so do src/, obj/, check/
            for fn in files:
                with open(os.path.join(root, fn), "rb") as f:
                    if text.encode() in f.read():
                        problems.append(f"'{text}' leaked into {os.path.relpath(os.path.join(root, fn), report)}")
    if "max_file_kib" in spec:
        for root, _, files in os.walk(os.path.join(report, "work", "tests")):
            for fn in files:
                size = os.path.getsize(os.path.join(root, fn))
                if size > spec["max_file_kib"] << 10:
                    problems.append(f"{fn} is {size >> 10} KiB")
    left = running_in(os.path.join(report, "work"))
    if left:
        problems.append(f"processes left running: {' '.join(left)}")
        for pid in left:
            try:
                os.kill(int(pid), 9)
            except OSError:
                pass
    status = "ok" if not problems else "not ok"
    print(f"{status} - {name}: expected {want}, got {got} ({seconds:.1f} s)"
          + ("" if not problems else ": " + "; ".join(problems)), flush=True)
    return not problems, (name, spec.get("about", ""), want, got, seconds)


def main():
    if not os.access(GRADER, os.X_OK):
        print(f"not ok - the grader is built ({GRADER})\n0 passed, 1 failed")
        return 1
    wanted = os.environ.get("CASES", "").split()
    names = sorted(d for d in os.listdir(HERE) if os.path.isfile(os.path.join(HERE, d, "expected.json")))
    names = [n for n in names if not wanted or n in wanted]
    with ThreadPoolExecutor(max_workers=int(os.environ.get("JOBS", "2"))) as pool:
        done = list(pool.map(run_case, names))
    passed = sum(ok for ok, _ in done)
    failed = len(done) - passed
    rows = [row for _, row in done]
    if os.environ.get("TABLE"):
        with open(os.environ["TABLE"], "w") as f:
            f.write("| case | what it does | expected | got | s |\n|---|---|---|---|---|\n")
            for r in rows:
                f.write(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]:.1f} |\n")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
