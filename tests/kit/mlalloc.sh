#!/usr/bin/env bash
# tests/kit/mlalloc.sh -- the test kit's failing and counting allocator
# (harness/runner/mlalloc.h): the exact tests of mlalloc-test.c, natively and
# under memcheck (a shape that wrote past a block would show there).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
bin=$BUILD/kit/mlalloc-test
[ -x "$bin" ] || make -s BUILD="$BUILD" "$bin" >/dev/null
pass=0 fail=0
for how in native memcheck; do
    if [ $how = native ]; then
        out=$("$bin" 2>&1); rc=$?
    else
        out=$(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite "$bin" 2>&1); rc=$?
    fi
    grep '^FAIL\|^==' <<<"$out"
    line=$(tail -n 1 <<<"$out")
    p=$(awk '{print $1}' <<<"$line"); f=$(awk '{print $3}' <<<"$line")
    pass=$((pass + ${p:-0})); fail=$((fail + ${f:-1}))
    if [ $rc -ne 0 ]; then fail=$((fail + 1)); echo "FAIL: mlalloc-test ($how) exited $rc"; fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
