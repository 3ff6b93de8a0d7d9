#!/usr/bin/env bash
# tests/kit/labs.sh -- the generic checks of every lab present (a lab is
# present when tests/<lab>/lab.json exists; new labs join without change).
#
# For each lab:
#   - each skeleton file compiles without a warning (-Wall -Wextra -Werror);
#   - the reference solution, graded by the real grader under Valgrind,
#     scores full marks, every test passing, with zero memcheck errors and
#     zero leaks, and the tests cover >= 95 % of its lines (lab.json
#     "min_line_coverage" may say otherwise);
#   - the skeleton is graded to the end, every test gets a verdict, none
#     crashes or hangs, each failing test says why, and it scores 0 (lab.json
#     "skeleton_score" when some points test given code);
#   - lab.json's "hidden_tests" (what a student's copy says about the hidden
#     tests it lacks), when present, counts the lab's hidden tests;
#   - both reports are complete: results.json in Gradescope's schema,
#     junit.xml, report.txt, results.tap, results.csv.
# Prints one "ok - ..." / "not ok - ..." line per assertion, then
# "N passed, M failed".  LABS="refcount cycles" limits the labs checked.
#
# Both are graded with --no-calibrate (budgets from the declared timeouts x the
# Valgrind factor; the reference's traces are taken anyway, once per build,
# and cached) and with --reveal-hidden, so that every failing test's reason
# is checked (what a student sees of hidden tests is tests/harness/reports.py's
# subject).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
GRADER="$BUILD/bin/memlab-grade"
OUT="$BUILD/kit-tests/labs"
CHECK="python3 tests/kit/results_check.py"
pass=0 fail=0

count() { # count the ok / not ok lines of a checker's output
    local out=$1
    echo "$out"
    pass=$((pass + $(grep -c '^ok - ' <<<"$out")))
    fail=$((fail + $(grep -c '^not ok - ' <<<"$out")))
}
ok() { echo "ok - $1"; pass=$((pass + 1)); }
not_ok() { echo "not ok - $1"; fail=$((fail + 1)); }
lab_key() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1])).get(sys.argv[2]); print(v if v is not None else sys.argv[3])' "tests/$1/lab.json" "$2" "$3"; }

labs=${LABS:-$(for f in tests/*/lab.json; do basename "$(dirname "$f")"; done)}
[ -x "$GRADER" ] || { not_ok "the grader is built ($GRADER)"; echo "$pass passed, $fail failed"; exit 1; }

for lab in $labs; do
    echo "# lab $lab"
    files=$(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["files"]))' "tests/$lab/lab.json")
    mkdir -p "$OUT/$lab"

    for f in $files; do
        if msg=$(cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O0 -Ilabs/include -Iharness/runner \
                 -c "labs/$lab/$f" -o "$OUT/$lab/skeleton-$f.o" 2>&1); then
            ok "$lab: the skeleton's $f compiles without warnings"
        else
            not_ok "$lab: the skeleton's $f compiles without warnings: $(head -c 600 <<<"$msg")"
        fi
    done

    start=$(date +%s)
    "$GRADER" --lab "$lab" --kit . --build "$BUILD" --submission "solutions/$lab" \
        --report "$OUT/$lab/solution" --quiet --reveal-hidden --no-calibrate
    rc=$?
    [ $rc -eq 0 ] && ok "$lab: the grader grades the solution (exit 0)" || not_ok "$lab: the grader grades the solution (exit $rc)"
    echo "# $lab solution graded in $(( $(date +%s) - start )) s"
    perf_row=$(python3 -c 'import json,sys; p = json.load(open(sys.argv[1])).get("perf"); print(p.get("name", "performance") if p else "")' "tests/$lab/lab.json")
    count "$(PERF_ROW=$perf_row HIDDEN_DECLARED=$(lab_key "$lab" hidden_tests "") $CHECK solution "$OUT/$lab/solution" "$(lab_key "$lab" min_line_coverage 95)" | sed "s/^\(\(not \)\?ok - \)/\1$lab solution: /")"

    start=$(date +%s)
    "$GRADER" --lab "$lab" --kit . --build "$BUILD" --submission "labs/$lab" \
        --report "$OUT/$lab/skeleton" --quiet --reveal-hidden --no-calibrate
    rc=$?
    [ $rc -eq 0 ] && ok "$lab: the grader grades the skeleton (exit 0)" || not_ok "$lab: the grader grades the skeleton (exit $rc)"
    echo "# $lab skeleton graded in $(( $(date +%s) - start )) s"
    count "$($CHECK skeleton "$OUT/$lab/skeleton" "$(lab_key "$lab" skeleton_score 0)" | sed "s/^\(\(not \)\?ok - \)/\1$lab skeleton: /")"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
