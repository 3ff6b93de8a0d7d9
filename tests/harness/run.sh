#!/usr/bin/env bash
# tests/harness/run.sh -- the grader's own tests: broken and hostile copies
# of the refcount solution, each graded by the real grader.
#
# Each case is a folder tests/harness/cases/<case>/ with a case.conf:
#   lab=refcount            the lab (default refcount)
#   file=refcount.c         the file the sed script patches
#   sed='...'               a sed script applied to a fresh copy of
#                           solutions/<lab>/<file> (must change it: a case
#                           whose patch no longer applies fails, so cases
#                           stay in step with the solution)
#   remove=containers.c     a file left out of the submission
#   symlink='containers.c /etc/passwd'   a file replaced by a symbolic link
#   only=t1,t2              the tests to grade (default: all)
#   expect_outcome=graded | missing_file | static_check | compile_error
#   expect_test, expect_status   the verdict of that test
#   expect_reason='a|b'     fragments the reason (or the message) must hold;
#                           @LINE@ is replaced by the line number of the first
#                           line of line_file holding line_of, in the patched copy
#   expect_violation='...'  a fragment of a static check's message
#   expect_score=0
# The grader must exit 0 on every case.  Prints ok / not ok lines, then
# "N passed, M failed".  CASES="a b" runs only those cases.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
GRADER="$BUILD/bin/memlab-grade"
OUT="$BUILD/kit-tests/harness"
pass=0 fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
not_ok() { echo "not ok - $1"; fail=$((fail + 1)); }

run_case() {
    local dir=$1 name
    name=$(basename "$dir")
    local lab=refcount file="" sed="" remove="" symlink="" only="" expect_outcome=graded expect_test=""
    local expect_status="" expect_reason="" expect_violation="" expect_score="" line_file="" line_of=""
    # shellcheck disable=SC1091
    . "$dir/case.conf"
    [ -d "solutions/$lab" ] || { echo "# $name: no solutions/$lab, skipped"; return; }
    local sub="$OUT/$name/submission" report="$OUT/$name/report"
    rm -rf "$OUT/$name"
    mkdir -p "$sub"
    cp "solutions/$lab"/*.c "$sub/"
    if [ -n "$file" ]; then
        sed -e "$sed" "solutions/$lab/$file" > "$sub/$file"
        if cmp -s "solutions/$lab/$file" "$sub/$file"; then
            not_ok "$name: the patch applies to solutions/$lab/$file (the solution changed: update the case)"
            return
        fi
    fi
    [ -n "$remove" ] && rm -f "$sub/$remove"
    if [ -n "$symlink" ]; then
        set -- $symlink
        rm -f "$sub/$1" && ln -s "$2" "$sub/$1"
    fi
    local line=""
    if [ -n "$line_of" ]; then
        line=$(grep -nF -- "$line_of" "$sub/$line_file" | head -n 1 | cut -d: -f1)
        [ -n "$line" ] || { not_ok "$name: '$line_of' is in the patched $line_file"; return; }
    fi
    local start=$SECONDS
    "$GRADER" --lab "$lab" --kit . --build "$BUILD" --submission "$sub" --report "$report" \
        --quiet --reveal-hidden ${only:+--only "$only"} > "$OUT/$name/grader.out" 2>&1
    local rc=$?
    [ $rc -eq 0 ] && ok "$name: the grader exits 0 ($((SECONDS - start)) s)" \
        || { not_ok "$name: the grader exits 0 (got $rc): $(tail -n 3 "$OUT/$name/grader.out")"; return; }
    local out
    local env=(EXPECT_OUTCOME="$expect_outcome" EXPECT_TEST="$expect_test"
               EXPECT_STATUS="$expect_status" EXPECT_REASON="${expect_reason//@LINE@/$line}")
    [ -n "$expect_score" ] && env+=(EXPECT_SCORE="$expect_score")
    out=$(env "${env[@]}" python3 tests/kit/results_check.py case "$report" |
          sed "s/^\(\(not \)\?ok - \)/\1$name: /")
    echo "$out"
    pass=$((pass + $(grep -c '^ok - ' <<<"$out")))
    fail=$((fail + $(grep -c '^not ok - ' <<<"$out")))
    if [ -n "$expect_violation" ]; then
        grep -qF -- "$expect_violation" "$report/report.txt" \
            && ok "$name: the static check names the culprit ('$expect_violation')" \
            || not_ok "$name: the static check names the culprit ('$expect_violation'): $(grep -m3 '^  - ' "$report/report.txt")"
    fi
}

for dir in tests/harness/cases/*/; do
    dir=${dir%/}
    if [ -n "${CASES:-}" ] && ! grep -qw "$(basename "$dir")" <<<"$CASES"; then continue; fi
    echo "# case $(basename "$dir"): $(sed -n '1s/^# //p' "$dir/case.conf")"
    run_case "$dir"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
