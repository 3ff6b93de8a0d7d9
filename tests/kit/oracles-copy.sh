#!/usr/bin/env bash
# tests/kit/oracles-copy.sh -- the kit's copy of the CPython oracle scripts
# (tests/oracles/) is the same as the project's shared oracles, when those are
# beside the checkout (SHARED_ORACLES, default ../shared/oracles).  On a
# machine without them (a CI clone) there is nothing to compare: 0 checks.
# Prints "ok - ..." / "not ok - ..." lines, then "N passed, M failed".
set -u
cd "$(dirname "$0")/../.."
shared=${SHARED_ORACLES:-../shared/oracles}
pass=0 fail=0
if [ -d "$shared" ]; then
    for f in "$shared"/*.py; do
        name=$(basename "$f")
        if cmp -s "$f" "tests/oracles/$name"; then
            echo "ok - tests/oracles/$name is the shared oracle's current version"; pass=$((pass + 1))
        else
            echo "not ok - tests/oracles/$name differs from $f: copy it again"; fail=$((fail + 1))
        fi
    done
else
    echo "# $shared is not here: nothing to compare"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
