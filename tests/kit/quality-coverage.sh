#!/usr/bin/env bash
# tests/kit/quality-coverage.sh -- the tests cover each reference solution:
# line coverage >= lab.json "min_line_coverage" (95 %) and branch coverage
# >= lab.json "min_branch_coverage" (85 %), as the grader measures them
# (gcovr over the solution's files, every test, public and hidden).
#
# Reuses the solution report tests/kit/labs.sh wrote in this build when it is
# newer than the lab's tests and solution, else grades the solution itself.
# LABS="a b" limits the labs.  Prints "ok - ..." / "not ok - ...", then
# "N passed, M failed".
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
GRADER="$BUILD/bin/memlab-grade"
pass=0 fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
not_ok() { echo "not ok - $1"; fail=$((fail + 1)); }
lab_key() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1])).get(sys.argv[2]); print(v if v is not None else sys.argv[3])' "tests/$1/lab.json" "$2" "$3"; }

labs=${LABS:-$(for f in tests/*/lab.json; do basename "$(dirname "$f")"; done)}
for lab in $labs; do
    report="$BUILD/kit-tests/labs/$lab/solution"
    fresh=1
    [ -f "$report/results.json" ] || fresh=0
    if [ $fresh -eq 1 ]; then
        for f in "$BUILD/tests/$lab/t_$lab" solutions/"$lab"/*.c; do
            [ "$f" -nt "$report/results.json" ] && fresh=0
        done
    fi
    if [ $fresh -eq 0 ]; then
        report="$BUILD/kit-tests/quality-coverage/$lab"
        "$GRADER" --lab "$lab" --kit . --build "$BUILD" --submission "solutions/$lab" \
            --report "$report" --quiet --reveal-hidden >/dev/null 2>&1
    fi
    read -r line branch < <(python3 -c '
import json, sys
try:
    e = json.load(open(sys.argv[1]))["extra_data"]
    print(e.get("line_percent", -1), e.get("branch_percent", -1))
except (OSError, ValueError, KeyError):
    print(-1, -1)' "$report/results.json")
    min_line=$(lab_key "$lab" min_line_coverage 95)
    min_branch=$(lab_key "$lab" min_branch_coverage 85)
    if python3 -c "import sys; sys.exit(0 if float('$line') >= float('$min_line') else 1)"; then
        ok "$lab: the tests cover $line % of the solution's lines (>= $min_line %)"
    else
        not_ok "$lab: the tests cover $line % of the solution's lines (>= $min_line % wanted)"
    fi
    if python3 -c "import sys; sys.exit(0 if float('$branch') >= float('$min_branch') else 1)"; then
        ok "$lab: the tests cover $branch % of the solution's branches (>= $min_branch %)"
    else
        not_ok "$lab: the tests cover $branch % of the solution's branches (>= $min_branch % wanted)"
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
