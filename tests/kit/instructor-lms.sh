#!/usr/bin/env bash
# instructor-lms.sh -- make grade-all FORMAT=canvas|moodle ROSTER=file.csv
# writes gradebooks that Canvas's and Moodle's importers take.
#
# Three submissions of one small lab (INSTRUCTOR_LAB, default refcount),
# folders named as GitHub Classroom names them: the reference, the
# skeleton, and one the roster does not name; the roster also has a
# student with no submission.  A few tests only (--only), no calibration.
# The imports are checked by a port of each importer's header rules
# (Canvas: Student and ID first, only its known identity columns, every
# other column an assignment of numbers, an optional Points Possible row;
# Moodle: a username or email column to map on, one row per identity,
# grades numeric), which is first shown to reject gradebook.csv (status
# and coverage columns are not grades).
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
S="$T/submissions"
mkdir -p "$S/alice-gh" "$S/bob-gh" "$S/stray-gh"
for f in $files; do
    cp "solutions/$LAB/$f" "$S/alice-gh/"
    cp "labs/$LAB/$f" "$S/bob-gh/"
    cp "labs/$LAB/$f" "$S/stray-gh/"
done
cat >"$T/roster.csv" <<'CSV'
folder,name,id,sis_user_id,sis_login_id,section,username,email
alice-gh,"Doe, Alice",1001,S1001,alice,Section 1,alice,alice@example.edu
bob-gh,Bob Roe,1002,S1002,bob,Section 1,bob,bob@example.edu
carol-gh,Carol Poe,1003,S1003,carol,Section 2,carol,carol@example.edu
CSV
make -s BUILD="$BUILD" "$BUILD/tests/$LAB/t_$LAB" >/dev/null 2>&1
only=$("$BUILD/tests/$LAB/t_$LAB" --list | python3 -c '
import json, sys
roots = [t["name"] for t in json.load(sys.stdin) if not t.get("parent") and t["visibility"] == "visible"]
print(",".join(roots[:2]))')
G="$T/grades"
make -s BUILD="$BUILD" grade-all SUBMISSIONS="$S" LAB="$LAB" GRADES="$G" JOBS=2 \
    FORMAT=canvas ROSTER="$T/roster.csv" \
    GRADE_ALL_FLAGS="--quiet --grader-arg=--no-calibrate --grader-arg=--only=$only" \
    >"$T/canvas.log" 2>&1
rc=$?
check "make grade-all FORMAT=canvas ROSTER=... (exit $rc)" '[ $rc = 0 ] && [ -s "$G/canvas.csv" ]'
check "the folder the roster does not name is listed" \
    'grep -q "stray-gh is not in the roster" "$T/canvas.log" && grep -q "stray-gh" "$G/lms-unmatched.txt"'
check "the roster entry without a submission is listed" 'grep -q "carol-gh" "$G/lms-unmatched.txt"'
"$BUILD/bin/memlab-grade-all" --submissions "$S" --lab "$LAB" --out "$G" --kit . --build "$BUILD" \
    --gradebook-only --quiet --format moodle --roster "$T/roster.csv" >"$T/moodle.log" 2>&1
rc=$?
check "--gradebook-only --format moodle (exit $rc)" '[ $rc = 0 ] && [ -s "$G/moodle.csv" ]'

cat >"$T/importers.py" <<'PY'
"""Ports of the header rules of Canvas's gradebook CSV import and Moodle's
"Import grades from CSV", as far as they decide whether a file imports and
whom each row belongs to."""
import csv, sys

CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Integration ID", "Section"]

def number_or_empty(v):
    if v.strip() in ("", "-"):
        return True
    try:
        float(v)
        return True
    except ValueError:
        return False

def canvas(rows):
    head = rows[0]
    if head[:2] != ["Student", "ID"]:
        return "Invalid header row: Student and ID must come first"
    k = 0
    while k < len(head) and head[k] in CANVAS_IDENTITY:
        k += 1
    if k == len(head):
        return "no assignment column"
    body = rows[1:]
    if body and "Points Possible" in body[0][0]:
        if not all(number_or_empty(v) for v in body[0][k:]):
            return "Points Possible not numeric"
        body = body[1:]
    for r in body:
        if len(r) != len(head) or not r[1].strip():
            return f"row without an ID: {r}"
        for name, v in zip(head[k:], r[k:]):
            if name in CANVAS_IDENTITY or not number_or_empty(v):
                return f"column {name!r} would become an assignment holding {v!r}"
    return None

def moodle(rows):
    head = [h.strip().lower() for h in rows[0]]
    keys = [i for i, h in enumerate(head) if h in ("username", "email", "useremail")]
    if not keys:
        return "no column to map on (username or email)"
    seen = set()
    for r in rows[1:]:
        ident = tuple(r[i] for i in keys)
        if not any(ident) or ident in seen:
            return f"row without a unique identity: {r}"
        seen.add(ident)
        for i, v in enumerate(r):
            if i not in keys and not number_or_empty(v):
                return f"grade {v!r} in column {rows[0][i]!r} is not a number"
    return None

kind, path = sys.argv[1], sys.argv[2]
rows = list(csv.reader(open(path, newline="", encoding="utf-8")))
err = (canvas if kind == "canvas" else moodle)(rows)
if err:
    print(err)
    sys.exit(1)
if len(sys.argv) > 3:  # expected: identity=score,...
    key = 1 if kind == "canvas" else 0
    got = {r[key]: r[-1] for r in rows[1:] if "Points Possible" not in r[0]}
    for pair in sys.argv[3].split(","):
        ident, score = pair.split("=")
        if got.get(ident) != score:
            print(f"{ident}: {got.get(ident)!r}, expected {score!r}")
            sys.exit(1)
print("imports")
PY
max=$(python3 -c 'import json,sys; print("%g" % json.load(open(sys.argv[1]))["score"])' \
    "$G/reports/alice-gh/$LAB/results.json" 2>/dev/null)
out=$(python3 "$T/importers.py" canvas "$G/canvas.csv" "1001=$max,1002=0,1003=" 2>&1)
check "canvas.csv passes Canvas's header rules, scores by ID ($out)" '[ "$out" = imports ] && [ -n "$max" ]'
out=$(python3 "$T/importers.py" moodle "$G/moodle.csv" "alice=$max,bob=0,carol=" 2>&1)
check "moodle.csv maps on username, scores right ($out)" '[ "$out" = imports ]'
check "no unmatched folder in either export" '! grep -q stray "$G/canvas.csv" "$G/moodle.csv"'
out=$(python3 "$T/importers.py" canvas "$G/gradebook.csv" 2>&1)
check "the ports reject the plain gradebook.csv (Canvas: $out)" '[ "$out" != imports ]'
"$BUILD/bin/memlab-grade-all" --submissions "$S" --lab "$LAB" --out "$G" --kit . --build "$BUILD" \
    --gradebook-only --quiet --format canvas >/dev/null 2>&1
check "--format without --roster is refused" '[ $? != 0 ]'
finish
