#!/usr/bin/env python3
"""tests/harness/reports.py -- every report of a real grade is valid for its
consumer and names no hidden test.

Grades a copy of the refcount solution, changed so that a hidden test fails
(list_new(0) allocates an item array) and a public one fails
while printing bytes that no report may pass on as they are (U+FFFE, U+FFFF,
U+FDD0, U+1FFFF, a C1 CSI, C0 controls, ESC) together with a hidden test's
name and description.  Then checks results.json, junit.xml (well-formed, and
the rules of Ant's JUnit schema), results.tap (perl's TAP::Parser, as
`prove` reads it), report.txt, table.txt, results.csv, the terminal and the
GitHub Classroom result; the handout's order; the partial-grade marks;
--reuse.  Prints ok / not ok lines, then "N passed, M failed".
"""
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

KIT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.join(KIT, os.environ.get("BUILD", "build"))
GRADER = os.path.join(BUILD, "bin", "memlab-grade")
OUT = os.path.join(BUILD, "kit-tests", "reports")
ONLY = "getrefcount_*,list_new_has*,list_append_increfs*,list_insert*,an_empty_list*"
HOSTILE = ("\\xef\\xbf\\xbe\\xef\\xbf\\xbf|\\xef\\xb7\\x90|\\xf0\\x9f\\xbf\\xbf|\\xc2\\x9b\" \"31m|"
           "\\x01\\x02\\x0b\\x1b[2J\\r")
passed = failed = 0


def check(ok, what, why=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok - {what}")
    else:
        failed += 1
        print(f"not ok - {what}" + (f": {why}" if why else ""))
    return ok


def patch(path, old, new):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if not check(old in text, f"the patch of {os.path.basename(path)} applies", old):
        return
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace(old, new, 1))


def submission():
    sub = os.path.join(OUT, "sub")
    shutil.rmtree(sub, ignore_errors=True)
    os.makedirs(sub)
    for name in ("refcount.c", "containers.c"):
        shutil.copy(os.path.join(KIT, "solutions", "refcount", name), sub)
    patch(os.path.join(sub, "containers.c"), "    if (size > 0) {\n        op->ob_item = mem_calloc",
          "    if (size >= 0) {\n        op->ob_item = mem_calloc")
    secret = hidden_tests()[0]
    shout = ('fprintf(stderr, "%s %s %s\\n"); printf("%s\\n"); fflush(stdout); '
             % (HOSTILE, secret["name"], secret["description"].replace('"', ""), HOSTILE))
    patch(os.path.join(sub, "refcount.c"), "    return op->ob_refcnt + 1;",
          "    " + shout + "return op->ob_refcnt + 7;")
    patch(os.path.join(sub, "refcount.c"), "#include", "#include <stdio.h>\n#include")
    return sub


def hidden_tests():
    listing = subprocess.run([os.path.join(BUILD, "tests", "refcount", "t_refcount"), "--list"],
                             capture_output=True, text=True, check=True).stdout
    return [t for t in json.loads(listing) if t.get("visibility", "visible") != "visible"]


def grade(sub, report, *flags, columns="60"):
    env = dict(os.environ, COLUMNS=columns)
    argv = [GRADER, "--lab", "refcount", "--kit", KIT, "--build", BUILD, "--submission", sub,
            "--report", report, *flags]
    return subprocess.run(argv, capture_output=True, env=env)


# ---------------------------------------------------------------- checks

XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ud800-\udfff]")


def xml_invalid(text):
    return XML_INVALID.search(text) or any((ord(c) & 0xFFFE) == 0xFFFE for c in text)


def no_secrets(texts, secrets):
    for name, text in texts.items():
        check(not xml_invalid(text), f"{name}: no control, C1 or noncharacter code point",
              repr(xml_invalid(text)))
        leaked = [s for s in secrets if s in text]
        check(not leaked, f"{name}: names no hidden test", ", ".join(leaked[:3]))


def junit_ant_rules(path, results):
    root = ET.parse(path).getroot()
    check(root.tag == "testsuites", "junit.xml: <testsuites> at the root")
    suite = root.find("testsuite")
    need = ("name", "tests", "failures", "errors", "skipped", "time", "timestamp", "hostname",
            "id", "package")
    missing = [a for a in need if a not in suite.attrib]
    check(not missing, "junit.xml: the suite has every attribute Ant's schema requires", missing)
    check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", suite.get("timestamp", "")) is not None,
          "junit.xml: the timestamp is ISO 8601 without a zone", suite.get("timestamp"))
    order = [c.tag for c in suite]
    check(order[0] == "properties" and order[-2:] == ["system-out", "system-err"] and
          set(order[1:-2]) <= {"testcase"}, "junit.xml: properties, testcases, system-out/err")
    cases = suite.findall("testcase")
    check(len(cases) == int(suite.get("tests")) == len(results["tests"]),
          "junit.xml: tests= counts every testcase")
    for kind in ("failure", "error", "skipped"):
        n = sum(1 for c in cases if c.find(kind) is not None)
        attr = "failures" if kind == "failure" else "errors" if kind == "error" else "skipped"
        check(n == int(suite.get(attr)), f"junit.xml: {attr}= counts the <{kind}> elements")
    bad = [c.get("name") for c in cases if any(a not in c.attrib for a in
                                                ("name", "classname", "time"))]
    check(not bad, "junit.xml: every testcase has name, classname and time", bad)
    typed = [c.get("name") for c in cases for e in c if e.tag in ("failure", "error")
             and "type" not in e.attrib]
    check(not typed, "junit.xml: every failure and error has a type", typed)
    skipped_typed = [c.get("name") for c in cases for e in c if e.tag == "skipped" and
                     set(e.attrib) - {"message"}]
    check(not skipped_typed, "junit.xml: <skipped> carries a message only", skipped_typed)
    hidden = [c for c in cases if c.get("name", "").startswith("hidden test ")]
    check(hidden and all(len(e) == 0 and (e.text or "") == "" and e.get("message") in
                         (None, "FAIL", "PASS", "LEAK", "MEMORY", "CRASH", "TIMEOUT", "SKIPPED",
                          "ERROR") for c in hidden for e in c),
          "junit.xml: a hidden testcase says its status word only")


TAP_COUNT = r"""
use TAP::Parser;
my $p = TAP::Parser->new({source => $ARGV[0]});
while (my $r = $p->next) {}
printf "%d %d %d %d %s\n", scalar($p->passed), scalar($p->failed), scalar($p->skipped),
    scalar($p->parse_errors), join("|", $p->parse_errors);
"""


def tap_rules(path, results):
    out = subprocess.run(["perl", "-e", TAP_COUNT, path], capture_output=True, text=True)
    fields = out.stdout.split(" ", 4)
    if not check(out.returncode == 0 and len(fields) == 5, "results.tap: TAP::Parser reads it",
                 out.stderr):
        return
    ok, not_ok, skipped, errors = (int(f) for f in fields[:4])
    statuses = [t["tags"][0] for t in results["tests"]]
    check(errors == 0, "results.tap: no parse error", fields[4])
    check(not_ok == sum(s not in ("PASS", "SKIPPED") for s in statuses),
          "results.tap: only failures are not ok (a skipped test is not)", out.stdout)
    check(skipped == statuses.count("SKIPPED") and ok == statuses.count("PASS") + skipped,
          "results.tap: skipped tests are ok # SKIP", out.stdout)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    check(re.search(r"^not ok \d+ - .*\n  ---\n  message: \".*\"\n  severity: fail\n  \.\.\.$",
                    text, re.M) is not None, "results.tap: a failure has its YAML block")
    check("# partial grade: " in text, "results.tap: says it is a partial grade")


def order_rules(results, report_txt):
    with open(os.path.join(KIT, "tests", "refcount", "lab.json"), encoding="utf-8") as f:
        sections = json.load(f)["sections"]
    heads = [int(m) for m in re.findall(r"^(\d+)\. .*: \d+ of \d+ passed, ", report_txt, re.M)]
    check(len(heads) >= 2 and heads == sorted(heads) and
          set(heads) <= {s["number"] for s in sections},
          "report.txt: the handout's sections, in its order, with subtotals", heads)
    names = [t["name"] for t in results["tests"]]
    shown = [n for n in names if not n.startswith("hidden test ")]
    rows = [n for n in re.findall(r"^[A-Z]+ +\S+ +(\S+)", report_txt, re.M) if n in shown]
    check(rows == shown, "results.json: the tests in the table's order")
    check(names[len(shown):] == [n for n in names if n.startswith("hidden test ")],
          "results.json: hidden tests after the shown ones")


def main():
    os.makedirs(OUT, exist_ok=True)
    sub = submission()
    report = os.path.join(OUT, "partial")
    shutil.rmtree(report, ignore_errors=True)
    run = grade(sub, report, "--only", ONLY, "--reuse")
    check(run.returncode == 0, "the grader grades the submission", run.stderr[-2000:])
    stdout, stderr = run.stdout.decode("utf-8", "replace"), run.stderr.decode("utf-8", "replace")
    texts = {"terminal": stdout, "stderr": stderr}
    for name in ("results.json", "junit.xml", "results.tap", "report.txt", "table.txt",
                 "results.csv"):
        try:
            with open(os.path.join(report, name), "rb") as f:
                texts[name] = f.read().decode("utf-8")
            check(True, f"{name} is UTF-8")
        except (OSError, UnicodeDecodeError) as e:
            check(False, f"{name} is UTF-8", str(e))
            texts[name] = ""
    results = json.loads(texts["results.json"] or "{}")
    classroom = subprocess.run([sys.executable, os.path.join(KIT, "tools", "dist",
                                                             "classroom-result.py"),
                                os.path.join(report, "results.json")], capture_output=True,
                               text=True)
    texts["classroom"] = base64.b64decode(classroom.stdout.strip().partition("=")[2]).decode()
    secrets = set()
    for t in hidden_tests():
        secrets |= {t["name"], t["description"], t["file"]}  # tests/refcount/hidden/...
    no_secrets(texts, secrets)
    check("\x1b" not in stdout and "\x1b" not in texts["report.txt"],
          "no escape sequence reaches the terminal or report.txt")
    check("\\xef\\xbf\\xbe" in texts["report.txt"], "report.txt shows U+FFFE escaped")
    hidden = [t for t in results.get("tests", []) if t["visibility"] != "visible"]
    check(hidden and all(re.fullmatch(r"hidden test \d+", t["name"]) and
                         t["output"] == t["tags"][0] + "\n" and len(t["tags"]) == 1
                         for t in hidden), "results.json: a hidden test is its label, status, points")
    check(any(t["tags"][0] == "FAIL" for t in hidden), "the hidden test that should fail fails")
    check(any(t["name"] == "getrefcount_counts_its_own_argument" and t["tags"][0] == "FAIL"
              for t in results.get("tests", [])), "the public test that should fail fails")
    junit_ant_rules(os.path.join(report, "junit.xml"), results)
    tap_rules(os.path.join(report, "results.tap"), results)
    order_rules(results, texts["report.txt"])
    extra = results.get("extra_data", {})
    check(extra.get("partial") is True and extra.get("tests_graded", 0) < extra.get("lab_tests", 0),
          "results.json: marked partial, with the counts")
    check(re.search(r"^partial grade: \d+ of \d+ tests", stdout, re.M) is not None and
          "partial grade: " in texts["report.txt"] and "partial grade: " in texts["junit.xml"],
          "the terminal, report.txt and junit.xml say it is partial")
    csv = texts["results.csv"].splitlines()
    row = dict(zip(csv[0].split(","), csv[1].split(","))) if len(csv) == 2 else {}
    check(row and int(row["tests_graded"]) < int(row["lab_tests"]), "results.csv: the counts")
    check(re.search(r"^next: make test-one LAB=refcount T=getrefcount_counts_its_own_argument ",
                    stdout, re.M) is not None, "the first failure's repro comes again at the end")
    wide = grade(sub, os.path.join(OUT, "wide"), "--only", ONLY, columns="250")
    narrow_rows = len(stdout.splitlines())
    check(len(wide.stdout.decode().splitlines()) < narrow_rows,
          "reasons are wrapped to the terminal's width")
    again = grade(sub, report, "--only", ONLY, "--reuse")
    check(b"unchanged since the last grade" not in again.stdout and
          not os.path.exists(os.path.join(report, "grade.key")), "a partial grade is never reused")
    reuse_rules(sub)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def reuse_rules(sub):
    report = os.path.join(OUT, "full")
    shutil.rmtree(report, ignore_errors=True)
    flags = ("--no-valgrind", "--no-calibrate", "--no-perf", "--reuse")
    first = grade(sub, report, *flags)
    second = grade(sub, report, *flags)
    out = second.stdout.decode("utf-8", "replace")
    check(first.returncode == 0 and out.startswith("unchanged since the last grade (") and
          "Score: " in out, "--reuse: nothing changed, the last report at once")
    with open(os.path.join(sub, "containers.c"), "a", encoding="utf-8") as f:
        f.write("\n/* changed */\n")
    third = grade(sub, report, *flags)
    check(b"unchanged since" not in third.stdout and b"Score: " in third.stdout,
          "--reuse: a changed file is graded again")


if __name__ == "__main__":
    sys.exit(main())
