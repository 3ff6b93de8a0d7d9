#!/usr/bin/env bash
# tests/kit/quality-oracles.sh -- every lab's CPython oracle agrees: runs the
# lab's `make test-<lab>-oracle` target (mk/<lab>.mk) when it has one, the
# cycles oracle on ORACLE_COUNT (300) graphs.  An oracle script that reports
# python3 or the oracle missing (exit 77) counts as skipped, not failed.
# LABS="a b" limits the labs.  Prints "ok - ..." / "not ok - ...", then
# "N passed, M failed".
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
pass=0 fail=0
labs=${LABS:-$(for f in tests/*/lab.json; do basename "$(dirname "$f")"; done)}
for lab in $labs; do
    target="test-$lab-oracle"
    if ! grep -q "^$target:" "mk/$lab.mk" 2>/dev/null; then
        echo "# $lab: no oracle target"
        continue
    fi
    out=$(make -s --no-print-directory BUILD="$BUILD" ORACLE_COUNT="${ORACLE_COUNT:-2000}" "$target" 2>&1)
    rc=$?
    echo "$out" | tail -n 3 | sed 's/^/# /'
    last=$(grep -E '[0-9]+ passed, [0-9]+ failed|[0-9]+ lines, [0-9]+ case files differ' <<<"$out" | tail -n 1)
    if [ $rc -eq 0 ]; then
        echo "ok - $lab: the CPython oracle agrees (${last:-exit 0})"; pass=$((pass + 1))
    elif grep -q "skipped" <<<"$out"; then
        echo "ok - $lab: the CPython oracle is missing here: skipped"; pass=$((pass + 1))
    else
        echo "not ok - $lab: the CPython oracle agrees (exit $rc: ${last:-$(tail -n 1 <<<"$out")})"
        fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
