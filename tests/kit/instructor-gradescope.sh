#!/usr/bin/env bash
# instructor-gradescope.sh -- the Gradescope autograder zip, run for real in
# a fake root laid out as Gradescope lays it out:
#
#   $ROOT/source/           the zip, unpacked; setup.sh is run there
#   $ROOT/run_autograder    copied from the zip's root
#   $ROOT/submission/       the student's upload
#   $ROOT/results/          where results.json must appear
#
# (MEMLAB_AUTOGRADER_ROOT points the scripts at $ROOT instead of /autograder;
# MEMLAB_SKIP_APT=1 skips the package install, the machine has them.)
# Submissions of one small lab (INSTRUCTOR_LAB, default refcount): the
# reference (full marks, hidden tests included and marked as Gradescope
# expects), the skeleton (zero), a file that does not compile (zero, with
# the compiler's message), and the reference zipped as a folder (nested
# two deep, with a __MACOSX copy of the skeleton beside it: full marks).
# Every results.json is validated against the schema transcribed from
# Gradescope's specification (tools/dist/schemas/); the graded runs must
# have every sandbox layer in force: the per-test uid reaches the report
# folder (run_autograder's mktemp folder is 0700), so no note says the
# tests ran as root or could reach their evidence.
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
files=$(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["files"]))' \
    "tests/$LAB/lab.json")
first=${files%% *}

make -s BUILD="$BUILD" DIST="$T" gradescope LAB="$LAB" >"$T/zip.log" 2>&1
rc=$?
Z="$T/gradescope-$LAB.zip"
check "make gradescope LAB=$LAB writes the zip" '[ $rc = 0 ] && [ -f "$Z" ]'
unzip -Z1 "$Z" >"$T/zip.list" 2>/dev/null
check "setup.sh, run_autograder and the Dockerfile at the zip's root" \
    'grep -qx setup.sh "$T/zip.list" && grep -qx run_autograder "$T/zip.list" && grep -qx Dockerfile "$T/zip.list"'
check "the zip has the hidden tests and no solutions/" \
    'grep -q "^tests/$LAB/hidden/" "$T/zip.list" && ! grep -q "^solutions/" "$T/zip.list"'

# ---------------------------------------------------------------- the image
R="$T/autograder"
mkdir -p "$R/source" "$R/results" "$R/submission"
unzip -q "$Z" -d "$R/source"
cp "$R/source/run_autograder" "$R/run_autograder"
# A few tests, hidden ones among them, without calibration: the pipeline is
# the real one, the test stays quick.
make -s BUILD="$BUILD" "$BUILD/tests/$LAB/t_$LAB" >/dev/null 2>&1
only=$("$BUILD/tests/$LAB/t_$LAB" --list | python3 -c '
import json, sys
tests = json.load(sys.stdin)
pick, want = [], {"visible": 2, "hidden": 2, "after_published": 1}
for _ in range(3):  # a test is picked once its parent is (else it would be skipped)
    for t in tests:
        if t["name"] not in pick and want.get(t["visibility"], 0) > 0 and \
                (not t.get("parent") or t["parent"] in pick):
            pick.append(t["name"])
            want[t["visibility"]] -= 1
print(",".join(pick))')
export MEMLAB_GRADE_FLAGS="--no-calibrate --only=$only"
export MEMLAB_AUTOGRADER_ROOT="$R" MEMLAB_SKIP_APT=1
unset BUILD MAKEFLAGS MFLAGS MAKELEVEL # Gradescope's machine has none of the instructor's make
(cd "$R/source" && bash ./setup.sh) >"$T/setup.log" 2>&1
rc=$?
check "setup.sh builds the kit (exit $rc)" '[ $rc = 0 ] && [ -x "$R/source/build/bin/memlab-grade" ]'

# ---------------------------------------------------------------- three submissions
grade() { # kind: fills submission/, runs run_autograder, keeps results.json
    rm -rf "$R/submission" "$R/results"
    mkdir -p "$R/submission" "$R/results"
    case $1 in
    full) for f in $files; do cp "solutions/$LAB/$f" "$R/submission/"; done ;;
    zero) for f in $files; do cp "labs/$LAB/$f" "$R/submission/"; done ;;
    broken) for f in $files; do cp "solutions/$LAB/$f" "$R/submission/"; done
        printf '\nstatic int broken(void) { return }\n' >>"$R/submission/$first" ;;
    folder) mkdir -p "$R/submission/my work/$LAB" "$R/submission/__MACOSX/my work/$LAB"
        for f in $files; do
            cp "solutions/$LAB/$f" "$R/submission/my work/$LAB/"
            cp "labs/$LAB/$f" "$R/submission/__MACOSX/my work/$LAB/"
        done ;;
    esac
    "$R/run_autograder" >"$T/$1.log" 2>&1
    local rc=$?
    cp "$R/results/results.json" "$T/$1.json" 2>/dev/null
    return $rc
}
verify() { # kind python-assertions
    python3 - "$T/$1.json" >"$T/$1.check" 2>&1 <<PY
import json, sys
r = json.load(open(sys.argv[1]))
score = r["score"]
tests = r["tests"]
total = sum(t["max_score"] for t in tests)
vis = {t["visibility"] for t in tests}
$2
PY
}
schema=tools/dist/schemas/gradescope-results.schema.json
for kind in full zero broken folder; do
    grade "$kind"
    rc=$?
    check "$kind: run_autograder exits 0 and writes results.json" '[ $rc = 0 ] && [ -s "$T/$kind.json" ]'
    python3 - "$schema" "$T/$kind.json" >"$T/$kind.schema" 2>&1 <<'PY'
import json, sys
import jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))
PY
    rc=$?
    check "$kind: results.json valid for Gradescope's schema $(tail -1 "$T/$kind.schema" | cut -c1-100)" '[ $rc = 0 ]'
done
# The schema rejects what Gradescope would (it can fail).
echo '{"score": 1, "tests": [{"name": "t", "status": "PASS"}]}' >"$T/bad.json"
python3 -c 'import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))' \
    "$schema" "$T/bad.json" >/dev/null 2>&1
check "the schema rejects a test status Gradescope does not know" '[ $? != 0 ]'
verify full '
assert tests and score == total, f"score {score} of {total}"
assert vis & {"hidden", "after_published"}, f"no hidden test graded: {vis}"
assert vis <= {"visible", "hidden", "after_published", "after_due_date"}, vis
assert all(t["status"] == "passed" for t in tests), [t["name"] for t in tests if t["status"] != "passed"]
print(f"{score:g}/{total:g}, visibilities {sorted(vis)}")'
rc=$?
check "full marks: $(tail -1 "$T/full.check")" '[ $rc = 0 ]'
verify full '
notes = r["extra_data"]["notes"]
bad = [n for n in notes if "as root" in n or "out of their reach" in n or "uid" in n]
assert not bad, bad
print("every sandbox layer in force (no note of a lost layer)")'
rc=$?
check "full: $(tail -1 "$T/full.check")" '[ $rc = 0 ]'
verify folder '
assert tests and score == total, f"score {score} of {total}"
print(f"a zipped folder: {score:g}/{total:g}")'
rc=$?
check "folder: $(tail -1 "$T/folder.check")" '[ $rc = 0 ]'
verify zero '
assert tests and score == 0 and total > 0, f"score {score} of {total}"
print(f"{score:g}/{total:g}")'
rc=$?
check "zero: $(tail -1 "$T/zero.check")" '[ $rc = 0 ]'
verify broken '
assert score == 0, score
text = r.get("output", "") + " ".join(t.get("output", "") for t in tests)
assert "compile" in text, "no compiler message"
print(f"{score:g}/{total:g}, the compiler message is shown")'
rc=$?
check "broken: $(tail -1 "$T/broken.check")" '[ $rc = 0 ]'

# A grader that cannot run at all still leaves a results.json (score 0, why).
mv "$R/source/build/bin/memlab-grade" "$R/source/build/bin/memlab-grade.off"
echo 'int main(void) { return 3; }' >"$T/bad.c" && cc -o "$R/source/build/bin/memlab-grade" "$T/bad.c"
touch -d '+1 hour' "$R/source/build/bin/memlab-grade"
grade zero
rc=$?
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["score"]==0 and "could not grade" in r["output"]' \
    "$T/zero.json" 2>/dev/null
rc2=$?
check "a grader failure still writes a results.json with the reason" '[ $rc = 0 ] && [ $rc2 = 0 ]'
finish
