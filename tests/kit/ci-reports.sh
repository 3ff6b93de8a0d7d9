#!/usr/bin/env bash
# ci-reports.sh -- the reports CI tools read, checked by those tools, on
# three graded submissions of one lab (INSTRUCTOR_LAB, default refcount):
# full marks (the reference), partial (the reference with one line of
# dict insertion removed) and broken (a compile error).
#
#   junit.xml    xmllint --schema against both JUnit schemas kept in
#                tools/dist/schemas/ (Jenkins' lenient one and Ant's strict
#                one); each schema also rejects a file it must reject
#   results.tap  prove (Perl's TAP::Harness) and TAP::Parser's counts: the
#                skipped tests are skips, not failures; no parse error
#   Classroom    tools/dist/classroom-result.py's runners through
#                tests/kit/classroom-reporter.js (a re-implementation of the
#                grading reporter's arithmetic, under node): the points its
#                log shows and the grade it records both equal make grade's
#                total; a test worth part of its points logs and records the
#                same; one runner for every test would not (the control)
#
# The public tests only are graded (--only, as T= does: a student's
# repository has no hidden tests), with the calibration cached in
# BUILD/calibration/.
set -uo pipefail
KIT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$KIT/$BUILD" ;; esac
LAB=${INSTRUCTOR_LAB:-refcount}
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
no() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { if eval "$2"; then ok "$1"; else no "$1"; fi; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }

cd "$KIT"
make -s BUILD="$BUILD" all >/dev/null 2>&1 || { no "the kit builds"; finish; }
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
files=$(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["files"]))' \
    "tests/$LAB/lab.json")
first=${files%% *}
visible=$("$BUILD/tests/$LAB/t_$LAB" --list | python3 -c '
import json, sys
print(",".join(t["name"] for t in json.load(sys.stdin) if t["visibility"] == "visible"))')

for kind in full partial broken; do
    mkdir -p "$T/$kind"
    for f in $files; do cp "solutions/$LAB/$f" "$T/$kind/"; done
done
printf '\nint broken(void) { return }\n' >>"$T/broken/$first"
python3 - "$T/partial" <<'PY'
import glob, sys
for path in glob.glob(sys.argv[1] + "/*.c"):
    text = open(path).read()
    old = "    obj_incref(key);\n    obj_incref(value);\n    if (insert_new"
    if old in text:
        open(path, "w").write(text.replace(old, "    obj_incref(key);\n    if (insert_new", 1))
PY
[ "$LAB" != refcount ] || grep -q 'obj_incref(key);$' "$T/partial/containers.c" ||
    no "the partial submission's patch applies"

# make grade's command (mk/grader.mk), without its rebuild of the kit: built above.
for kind in full partial broken; do
    "$BUILD/bin/memlab-grade" --lab "$LAB" --kit . --build "$BUILD" --submission "$T/$kind" \
        --report "$T/report-$kind" --only "$visible" --jobs 2 --quiet >"$T/$kind.grade" 2>&1
    rc=$?
    check "$kind: graded (exit $rc)" \
        '[ $rc = 0 ] && [ -s "$T/report-$kind/junit.xml" ] && [ -s "$T/report-$kind/results.tap" ]'
done
total() { # results.json: "score/max"
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("%g/%g" % (r["score"], sum(t["max_score"] for t in r["tests"])))' "$1"
}
full_total=$(total "$T/report-full/results.json") partial_total=$(total "$T/report-partial/results.json")
broken_total=$(total "$T/report-broken/results.json")
check "the three grades differ: $full_total, $partial_total, $broken_total" \
    '[ "${full_total%/*}" = "${full_total#*/}" ] && [ "${broken_total%/*}" = 0 ] &&
     [ "${partial_total%/*}" != 0 ] && [ "$partial_total" != "$full_total" ]'

# ---------------------------------------------------------------- JUnit
for kind in full partial broken; do
    for schema in jenkins ant; do
        xmllint --noout --schema "tools/dist/schemas/junit-$schema.xsd" "$T/report-$kind/junit.xml" \
            >"$T/$kind.$schema.xsd" 2>&1
        rc=$?
        check "$kind: junit.xml valid for the $schema schema $(grep -v validates "$T/$kind.$schema.xsd" | head -1 | cut -c1-120)" \
            '[ $rc = 0 ]'
    done
done
# The schemas can fail: Ant's refuses a type on <skipped> and a suite
# without hostname; Jenkins' a test case without a name.
sed -e '0,/<testcase /s//<testcase type="x" /' -e 's/ hostname="[^"]*"//' \
    "$T/report-partial/junit.xml" >"$T/bad-ant.xml"
xmllint --noout --schema tools/dist/schemas/junit-ant.xsd "$T/bad-ant.xml" >/dev/null 2>&1
check "the Ant schema rejects what Ant's format does not allow" '[ $? != 0 ]'
sed 's/<testcase name="[^"]*"/<testcase/' "$T/report-partial/junit.xml" >"$T/bad-jenkins.xml"
xmllint --noout --schema tools/dist/schemas/junit-jenkins.xsd "$T/bad-jenkins.xml" >/dev/null 2>&1
check "the Jenkins schema rejects a test case without a name" '[ $? != 0 ]'

# ---------------------------------------------------------------- TAP
tap_counts() { # report: "planned passed failed skipped parse_errors" from TAP::Parser
    perl -MTAP::Parser -e '
        my $p = TAP::Parser->new({source => $ARGV[0]});
        while (defined(my $r = $p->next)) {}
        my @e = $p->parse_errors;
        printf "%d %d %d %d %d\n", $p->tests_planned, scalar($p->passed) - scalar($p->skipped),
            scalar($p->failed), scalar($p->skipped), scalar(@e);' "$T/report-$1/results.tap"
}
json_counts() { # report: its number of tests, from results.json
    python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["tests"]))' "$T/report-$1/results.json"
}
for kind in full partial broken; do
    read -r planned passed failed skipped errors <<<"$(tap_counts "$kind")"
    n=$(json_counts "$kind")
    nok=$(grep -c '^not ok ' "$T/report-$kind/results.tap")
    nskip=$(grep -c '^ok .* # SKIP ' "$T/report-$kind/results.tap")
    check "$kind: TAP::Parser reads $planned tests ($passed passed, $failed failed, $skipped skipped), no parse error" \
        '[ "$errors" = 0 ] && [ "$planned" = "$n" ] && [ "$failed" = "$nok" ] && [ "$skipped" = "$nskip" ] &&
         [ $((passed + failed + skipped)) = "$planned" ]'
    prove -e cat "$T/report-$kind/results.tap" >"$T/$kind.prove" 2>&1
    rc=$?
    if [ "$kind" = full ]; then
        check "full: prove passes it" '[ $rc = 0 ] && grep -q "^Result: PASS" "$T/$kind.prove"'
    else
        check "$kind: prove fails it on the failed tests only ($nok)" \
            '[ $rc != 0 ] && grep -q "^Result: FAIL" "$T/$kind.prove" && grep -q "Failed $nok/$planned subtests" "$T/$kind.prove"'
    fi
done
read -r _ _ _ skipped _ <<<"$(tap_counts partial)"
check "partial: its skipped tests (children of a failed test) are TAP skips ($skipped)" '[ "$skipped" -gt 0 ]'

# ---------------------------------------------------------------- Classroom
reporter() { # results.json...: runs the reporter on classroom-result.py's runners; "log record"
    rm -f "$T/env" "$T/out"
    python3 tools/dist/classroom-result.py --env "$T/env" --output "$T/out" "$@" >"$T/annotations" 2>/dev/null
    (
        set -a
        # shellcheck disable=SC1091
        . "$T/env"
        INPUT_RUNNERS=$(sed -n 's/^runners=//p' "$T/out")
        node tests/kit/classroom-reporter.js
    ) >"$T/reporter.log" 2>&1
    python3 - "$T/reporter.log" <<'PY'
import re, sys
log = open(sys.argv[1]).read()
logged = [(float(s), float(m)) for s, m in re.findall(r"^Total points for \S+: ([0-9.]+)/([0-9.]+)$", log, re.M)]
rec = re.search(r"^::notice title=Autograding complete::Points ([0-9.]+)/([0-9.]+)$", log, re.M)
print("%g/%g %s" % (round(sum(s for s, _ in logged), 2), sum(m for _, m in logged),
                    "%g/%g" % (float(rec.group(1)), float(rec.group(2))) if rec else "none"))
PY
}
for kind in full partial broken; do
    want=$(total "$T/report-$kind/results.json")
    read -r logged recorded <<<"$(reporter "$T/report-$kind/results.json")"
    check "$kind: the reporter logs $logged and records $recorded, make grade's $want" \
        '[ "$logged" = "$want" ] && [ "$recorded" = "$want" ]'
done
reporter "$T/report-partial/results.json" >/dev/null
nfail=$(grep -c '^::error title=' "$T/annotations")
nshown=$(python3 -c 'import json,sys; print(sum(1 for t in json.load(open(sys.argv[1]))["tests"] if t["score"] < t["max_score"]))' \
    "$T/report-partial/results.json")
check "partial: every lost test's reason is in the log ($nfail annotations, $nshown tests)" \
    '[ "$nfail" = "$nshown" ] && grep -q "^FAIL $LAB: .* (.\+)$" "$T/reporter.log"'
check "a failed run fails the reporter's step" 'grep -q "^::error::Some tests failed." "$T/reporter.log"'
env_bytes=$(wc -c <"$T/env") runners=$(grep -c _RESULTS= "$T/env")
check "the runners' environment stays small ($env_bytes bytes for $runners runners; ARG_MAX is 2 MiB)" \
    '[ "$env_bytes" -lt $((runners * 1024)) ]'
reporter "$T/report-full/results.json" "$T/report-partial/results.json" >"$T/two"
read -r logged recorded <"$T/two"
check "two labs' reports: one log and one record ($logged, $recorded)" '[ "$logged" = "$recorded" ]'
reporter "$T/missing/results.json" >"$T/none"
check "no results.json: an error the reporter prints, the step fails" \
    'grep -q "^Error: no results" "$T/reporter.log" && grep -q "^::error::Some tests errored." "$T/reporter.log"'

# A test worth part of its points (a performance stage), and the control:
# every test in one runner, which the reporter weighs equally.
python3 - "$T/perf.json" "$T/report-partial/results.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[2]))
r["tests"].append({"name": "performance", "score": 7.5, "max_score": 20, "visibility": "visible",
                   "status": "failed", "output": "utilization 61% (the reference: 74%)"})
r["score"] = sum(t["score"] for t in r["tests"])
json.dump(r, open(sys.argv[1], "w"))
PY
want=$(total "$T/perf.json")
read -r logged recorded <<<"$(reporter "$T/perf.json")"
check "a test with part of its points: logged $logged, recorded $recorded, graded $want" \
    '[ "$logged" = "$want" ] && [ "$recorded" = "$want" ]'
python3 - "$T/perf.json" "$T/env" "$T/out" <<'PY'
import base64, json, sys
r = json.load(open(sys.argv[1]))
tests = [{"name": t["name"], "status": "pass" if t["score"] >= t["max_score"] else "fail",
          "score": t["score"], "message": "", "line_no": 0} for t in r["tests"]]
one = {"version": 1, "status": "fail", "max_score": sum(t["max_score"] for t in r["tests"]), "tests": tests}
open(sys.argv[2], "w").write("MEMLAB_RESULTS=%s\n" % base64.b64encode(json.dumps(one).encode()).decode())
open(sys.argv[3], "w").write("runners=memlab\n")
PY
read -r logged recorded <<<"$( (set -a; . "$T/env"; INPUT_RUNNERS=memlab node tests/kit/classroom-reporter.js) >"$T/reporter.log" 2>&1
    python3 -c '
import re, sys
log = open(sys.argv[1]).read()
s, m = re.search(r"^Total points for memlab: ([0-9.]+)/([0-9.]+)$", log, re.M).groups()
p = re.search(r"Points ([0-9.]+)/([0-9.]+)$", log, re.M).groups()
print("%g/%g %g/%g" % (float(s), float(m), float(p[0]), float(p[1])))' "$T/reporter.log")"
check "the control: one runner for all tests logs $logged but records $recorded" '[ "$logged" != "$recorded" ]'
finish
