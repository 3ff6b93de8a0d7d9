#!/usr/bin/env bash
# instructor-dist.sh -- make dist-student gives students what they need and
# nothing of the instructor's.
#
# Checks: the tarball has no solutions/, no hidden test, and no line of any
# reference solution or hidden test in any text file (leakcheck.py, which is
# first shown to catch a planted solution file); its prebuilt reference
# libraries carry no debug information; a LABS= subset ships only those
# labs' skeletons; and unpacked on its own, with its own build folder, the
# tarball's `make grade` grades the skeleton of a small lab
# (INSTRUCTOR_LAB, default refcount) with the public tests only; the Classroom
# converter turns that report into the reporter's format.
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
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT

# ---------------------------------------------------------------- the whole kit
make -s BUILD="$BUILD" DIST="$T" dist-student >"$T/dist.log" 2>&1
rc=$?
check "make dist-student succeeds" '[ $rc = 0 ] && [ -f "$T/memlabs-student.tar.gz" ]'
mkdir -p "$T/u"
tar -C "$T/u" -xzf "$T/memlabs-student.tar.gz"
K="$T/u/memlabs-student"
check "no solutions/ folder" '[ ! -e "$K/solutions" ]'
check "no hidden test folder" '[ -z "$(find "$K" -path "*/hidden*")" ]'
check "no instructor tools (batch grader, guide, kit self-tests)" \
    '[ ! -e "$K/harness/batch" ] && [ ! -e "$K/docs/instructor-guide.md" ] && [ ! -e "$K/tests/kit" ]'
check "skeleton, public tests and handout of $LAB are in" \
    '[ -f "$K/labs/$LAB/$(python3 -c "import json;print(json.load(open(\"tests/$LAB/lab.json\"))[\"files\"][0])")" ] && [ -f "$K/tests/$LAB/lab.json" ] && ls "$K"/tests/$LAB/*.c >/dev/null'
check "the Classroom workflow is in" '[ -f "$K/.github/workflows/classroom.yml" ]'
python3 tools/dist/leakcheck.py "$KIT" "$K" >"$T/leaks" 2>"$T/leaks.err"
rc=$?
check "no line of a reference solution or hidden test in any text file ($(tail -1 "$T/leaks.err"))" '[ $rc = 0 ]'
# The check is not vacuous: a solution file planted under another name is found.
mkdir -p "$T/planted" && cp -r "$K/labs" "$T/planted/"
cp "$(ls solutions/$LAB/*.c | head -1)" "$T/planted/labs/$LAB/notes.txt"
python3 tools/dist/leakcheck.py "$KIT" "$T/planted" >"$T/planted.out" 2>/dev/null
rc=$?
check "leakcheck catches a planted solution ($(wc -l <"$T/planted.out") lines)" \
    '[ $rc = 1 ] && [ "$(wc -l <"$T/planted.out")" -gt 10 ]'
libs=$(ls "$K"/prebuilt/lib/libref_*.a 2>/dev/null | wc -l)
check "prebuilt reference of every layer ($libs libraries)" \
    '[ "$libs" = "$(ls solutions | wc -l)" ]'
debug=$(for a in "$K"/prebuilt/lib/*.a; do objdump -h "$a"; done | grep -c '\.debug_')
check "prebuilt libraries carry no debug information (no source lines)" '[ "$debug" = 0 ]'
src_names=$(for a in "$K"/prebuilt/lib/*.a; do strings -a "$a"; done | grep -c 'solutions/')
check "prebuilt libraries do not name solution files" '[ "$src_names" = 0 ]'
# The pools lab's performance stage measures against the shipped object code.
check "the pools reference for the performance stage is object code without debug information" \
    '[ -f "$K/prebuilt/perf/pools.o" ] && ! objdump -h "$K/prebuilt/perf/pools.o" | grep -q "\.debug_"'
rc=0
( cd "$K" && harness/perf/pools/perf-run --student "$KIT/solutions/pools/pools.c" --out "$T/perf.json" \
    --work "$T/perf" ) >"$T/perf.log" 2>&1 || rc=$?
perf=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["score"])' "$T/perf.json" 2>/dev/null)
check "the tarball's perf-run scores the reference 20/20 against prebuilt/perf/pools.o (exit $rc, score $perf)" \
    '[ $rc = 0 ] && [ "$perf" = 20.0 ]'

# ---------------------------------------------------------------- a subset
make -s BUILD="$BUILD" DIST="$T/sub" LABS="$LAB" dist-student >/dev/null 2>&1
mkdir -p "$T/s" && tar -C "$T/s" -xzf "$T/sub/memlabs-student.tar.gz"
others=$(ls "$T/s/memlabs-student/labs" | grep -v -e include -e runtime -e "^$LAB\$" | wc -l)
check "LABS=$LAB ships that lab's skeleton only" '[ "$others" = 0 ] && [ -d "$T/s/memlabs-student/labs/$LAB" ]'
check "LABS=$LAB still ships every layer's prebuilt reference" \
    '[ "$(ls "$T/s/memlabs-student/prebuilt/lib" | wc -l)" = "$libs" ]'
check "the Classroom workflow grades $LAB" \
    "grep -q 'MEMLAB_LABS: \"$LAB\"' '$T/s/memlabs-student/.github/workflows/classroom.yml'"

# ---------------------------------------------------------------- the student's make grade
# In the unpacked kit, with its own build folder: what a student does.
# (Nothing of the instructor's make may leak in: no BUILD, no MAKEFLAGS.)
# --no-calibrate: the skeleton's tests fail fast, the reference's timing is not needed.
(cd "$K" && env -u BUILD -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    make -s grade LAB="$LAB" REPORT="$T/report" GRADE_FLAGS="--jobs=2 --no-calibrate" \
    >"$T/grade.log" 2>&1)
rc=$?
check "the tarball's make grade runs on the skeleton (exit $rc)" '[ $rc = 0 ] && [ -f "$T/report/results.json" ]'
python3 - "$T/report/results.json" >"$T/res.log" 2>&1 <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["score"] == 0, f"skeleton scored {r['score']}"
assert r["tests"], "no tests"
vis = {t.get("visibility", "visible") for t in r["tests"]}
assert vis == {"visible"}, f"visibilities {vis}: a hidden test was graded"
print(len(r["tests"]), "public tests, score 0")
PY
rc=$?
check "it grades the student's files with the public tests only ($(tail -1 "$T/res.log"))" '[ $rc = 0 ]'
check "it used the prebuilt reference" '[ -f "$K/build/lib/libref_$LAB.a" ]'
python3 "$K/tools/dist/classroom-result.py" "$T/report/results.json" >"$T/classroom.out" 2>/dev/null
python3 - "$T/classroom.out" >"$T/cls.log" 2>&1 <<'PY'
import base64, json, sys
lines = open(sys.argv[1]).read().split()
names = lines[-1][len("runners="):].split(",")
assert lines[-1].startswith("runners=") and len(names) == len(lines) - 1, lines[-1][:60]
rs = [json.loads(base64.b64decode(l.split("=", 1)[1])) for l in lines[:-1]]
assert [l.split("=")[0] for l in lines[:-1]] == [n.upper() + "_RESULTS" for n in names]
assert all(r["version"] == 1 and len(r["tests"]) == 1 for r in rs), "one test per runner"
assert all(r["status"] == "fail" for r in rs) and sum(r["max_score"] for r in rs) > 0
print("Points", sum(r["tests"][0]["score"] for r in rs), "/", sum(r["max_score"] for r in rs),
      "in", len(rs), "runners")
PY
rc=$?
check "Classroom runner result from the report ($(tail -1 "$T/cls.log"))" '[ $rc = 0 ]'
finish
