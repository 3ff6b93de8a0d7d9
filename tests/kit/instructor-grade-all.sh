#!/usr/bin/env bash
# instructor-grade-all.sh -- make grade-all on a handful of generated
# submissions, killed mid-way and restarted.
#
# Submissions of one small lab (INSTRUCTOR_LAB, default refcount):
#   full      the reference files in a folder
#   skeleton  the skeleton in a folder: 0 points
#   packed    the skeleton in a .tar.gz, inside a top folder (as students zip)
#   zipped    a compile error in a .zip, laid out as labs/<lab>/<file>
#   garbage   an archive that is not one: status bad-archive
# Checks: the run is killed (SIGKILL) after its first finished report; the
# restart regrades nothing that finished (same .done files, same inodes),
# leaves no temporary behind, and the gradebook CSV has one correct row per
# student; a third run grades nothing.
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
make -s BUILD="$BUILD" "$BUILD/bin/memlab-grade-all" "$BUILD/bin/memlab-grade" \
    "$BUILD/grader/$LAB.link" libs >/dev/null || { no "the kit builds"; finish; }
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
files=$(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["files"]))' \
    "tests/$LAB/lab.json")
first=${files%% *}

# ---------------------------------------------------------------- submissions
# One full grading is enough to check the arithmetic; the other layouts are
# recognised when the grader finds the files (status "graded", or a compile
# error, rather than a missing file).  To stay quick, every run grades a few
# of the lab's tests (--only, passed through --grader-arg), a hidden one among them.
S="$T/submissions"
mkdir -p "$S/full" "$S/skeleton" "$T/p/work" "$T/z/labs/$LAB"
for f in $files; do
    cp "solutions/$LAB/$f" "$S/full/"
    cp "labs/$LAB/$f" "$S/skeleton/"
    cp "labs/$LAB/$f" "$T/p/work/"
    cp "solutions/$LAB/$f" "$T/z/labs/$LAB/"
done
printf '\nint this_does_not_compile(void) { return }\n' >>"$T/z/labs/$LAB/$first"
tar -C "$T/p" -czf "$S/packed.tar.gz" work
(cd "$T/z" && zip -qr "$S/zipped.zip" labs)
echo "not an archive" >"$S/garbage.tar.gz"
only=$("$BUILD/tests/$LAB/t_$LAB" --list | python3 -c '
import json, sys
tests = json.load(sys.stdin)
pick, want = [], {"visible": 4, "hidden": 1, "after_published": 1}
for _ in range(3):  # a test is picked once its parent is (else it would be skipped)
    for t in tests:
        if t["name"] not in pick and want.get(t["visibility"], 0) > 0 and \
                (not t.get("parent") or t["parent"] in pick):
            pick.append(t["name"])
            want[t["visibility"]] -= 1
print(",".join(pick))')
check "a few tests to grade ($only)" '[ -n "$only" ]'

# ---------------------------------------------------------------- interrupted run
OUT="$T/grades"
run() { # exec: when run in the background, $! is memlab-grade-all itself
    exec "$BUILD/bin/memlab-grade-all" --submissions "$S" --lab "$LAB" --out "$OUT" --kit "$KIT" \
        --build "$BUILD" --jobs "${1:-2}" --grader-arg="--only=$only" --grader-arg=--no-calibrate "${@:2}"
}
(run 1 >"$T/run1.log" 2>&1) &
pid=$!
for _ in $(seq 1 600); do # up to 5 minutes for the first report
    [ -n "$(find "$OUT/reports" -name .done 2>/dev/null)" ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.5
done
kill -KILL $pid 2>/dev/null
wait $pid 2>/dev/null
done_before=$(find "$OUT/reports" -name .done 2>/dev/null | sort)
n_before=$(echo "$done_before" | grep -c .done)
check "killed mid-way with $n_before of 5 finished" '[ "$n_before" -ge 1 ] && [ "$n_before" -lt 5 ]'
stamps_before=$(for f in $done_before; do stat -c '%n %i %Y' "$f" "$(dirname "$f")/results.json" 2>/dev/null; done)

# ---------------------------------------------------------------- resumed run
(run 2 >"$T/run2.log" 2>&1)
rc=$?
check "the restart exits 0" '[ $rc = 0 ]'
check "the restart says what it skips" "grep -q '$n_before already graded' '$T/run2.log'"
stamps_after=$(for f in $done_before; do stat -c '%n %i %Y' "$f" "$(dirname "$f")/results.json" 2>/dev/null; done)
check "finished reports were not graded again" '[ "$stamps_before" = "$stamps_after" ]'
check "every job is finished" '[ "$(find "$OUT/reports" -name .done | wc -l)" = 5 ]'
check "no temporary is left" '[ -z "$(find "$OUT" -name "*.tmp-*")" ]'
check "a progress line with done/total and time left" "grep -Eq '^\[ ?[0-9]+/[0-9]+\] .* elapsed, ~[0-9:]+ left' '$T/run2.log'"

# ---------------------------------------------------------------- the gradebook
python3 - "$OUT/gradebook.csv" "$LAB" >"$T/csv.log" 2>&1 <<'PY'
import csv, sys
path, lab = sys.argv[1], sys.argv[2]
rows = {r["student"]: r for r in csv.DictReader(open(path, newline=""))}
col = lambda s, c: rows[s][f"{lab} {c}"]
assert set(rows) == {"full", "garbage", "packed", "skeleton", "zipped"}, f"students {sorted(rows)}"
full = rows["full"]
per_test = [c for c in full if c.startswith(f"{lab}: ")]
assert len(per_test) >= 2, f"per-test columns {per_test}"
assert float(col("full", "score")) > 0, "the reference scored 0"
assert abs(sum(float(full[c] or 0) for c in per_test) - float(col("full", "score"))) < 1e-6
assert float(full["total"]) == float(col("full", "score"))
for s in ("skeleton", "packed"):
    assert float(col(s, "score")) == 0, f"{s} scored {col(s, 'score')}"
    assert col(s, "status") == "graded", f"{s}: {col(s, 'status')}"
assert col("zipped", "status") == "graded: compile_error", col("zipped", "status")
assert float(col("zipped", "score")) == 0
assert col("garbage", "status").startswith("bad-archive"), col("garbage", "status")
assert col("garbage", "score") == ""
for c in ("max", "memory errors", "leaks", "line coverage %"):
    assert col("full", c) != "", c
print("gradebook ok:", len(rows), "students,", len(per_test), "test columns")
PY
rc=$?
check "gradebook.csv: one correct row per student ($(tail -1 "$T/csv.log"))" '[ $rc = 0 ]'
check "each student has a report folder" \
    '[ -f "$OUT/reports/full/$LAB/results.json" ] && [ -f "$OUT/reports/packed/$LAB/junit.xml" ]'

# ---------------------------------------------------------------- nothing left to do
(run 2 >"$T/run3.log" 2>&1)
check "a third run grades nothing" "grep -q '5 already graded' '$T/run3.log' && ! grep -q '^\[' '$T/run3.log'"
finish
