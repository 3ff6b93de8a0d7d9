#!/usr/bin/env bash
# tests/kit/run-all.sh -- the kit's own test suite (what `make test` runs).
#
# Runs every executable tests/kit/*.sh (the generic lab checks, labs.sh, and
# whatever a lab adds, e.g. an oracle check), the grader's own tests (every
# executable tests/harness/*.sh and *.py: its cases, the serving protocol,
# the reports, graders side by side) and the hostile submissions,
# tests/harness/hostile/hostile.sh.
# Each script prints "N passed, M failed" as its last
# such line and exits non-zero on failure; this one adds them up and ends
# with one line: "TOTAL: N passed, M failed".  Exit status 0 only if every
# script passed.
#
# Environment: BUILD (the build folder, default build), KIT_TESTS (a space-
# separated subset of script names to run, default all).
set -u
cd "$(dirname "$0")/../.."
export BUILD=${BUILD:-build}

scripts=()
for s in tests/kit/*.sh tests/harness/*.sh tests/harness/*.py tests/harness/hostile/hostile.sh; do
    [ "$s" = tests/kit/run-all.sh ] && continue
    [ -x "$s" ] || continue
    if [ -n "${KIT_TESTS:-}" ] && ! grep -qw "$(basename "$s" .sh)" <<<"$KIT_TESTS"; then continue; fi
    scripts+=("$s")
done

total_pass=0 total_fail=0 broken=0
log_dir="$BUILD/kit-tests"
mkdir -p "$log_dir"
for s in "${scripts[@]}"; do
    name=$(echo "$s" | tr / _)
    log="$log_dir/$name.log"
    echo "=== $s"
    start=$(date +%s)
    "$s" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        echo "--- $s printed no 'N passed, M failed' line (exit $rc): counted as 1 failure"
        total_fail=$((total_fail + 1)); broken=1; continue
    fi
    p=$(awk '{print $1}' <<<"$line"); f=$(awk '{print $3}' <<<"$line")
    total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "--- $s exited $rc with no failure counted: counted as 1 failure"
        total_fail=$((total_fail + 1)); broken=1
    fi
    echo "--- $s: $line ($(( $(date +%s) - start )) s)"
done
echo "TOTAL: $total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ] && [ "$broken" -eq 0 ]
