#!/bin/sh
# pools-memcheck.sh -- proves that memcheck sees memory bugs inside pool
# blocks of the reference allocator (Valgrind mempool annotations): a write
# and a read after free, an overrun past the requested size and one into
# the next block, and a block
# leaked inside a pool; and that a clean run has no error at all.
#
#   tests/kit/pools-memcheck.sh [BUILD_DIR]      (from the repository root)
#
# Prints one line per case and "N passed, M failed"; exits 1 if any failed.
set -u
build=${1:-build}/kit/pools-memcheck
mkdir -p "$build"
bin="$build/buggy"
cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -g -O0 -Ilabs/include -o "$bin" \
    tests/pools/memcheck/buggy.c solutions/pools/pools.c labs/pools/given/pools_given.c \
    harness/perf/pools/stubs.c || exit 2

passed=0
failed=0
# case MODE EXPECTED... : every EXPECTED text must appear in memcheck's report
case_() {
    mode=$1
    shift
    log="$build/$mode.log"
    valgrind --leak-check=full "$bin" "$mode" > /dev/null 2> "$log"
    ok=1
    for want in "$@"; do
        grep -q -- "$want" "$log" || { ok=0; echo "  missing: $want"; }
    done
    if [ $ok = 1 ]; then
        passed=$((passed + 1)); echo "ok   $mode"
    else
        failed=$((failed + 1)); echo "FAIL $mode (see $log)"
    fi
}

case_ uaf-write "Invalid write of size 1" "is 5 bytes inside a block of size 24 free'd" "at 0x.*: pool_free (pools.c:"
case_ uaf-read "Invalid read of size 1" "is 5 bytes inside a block of size 24 free'd"
case_ overrun "Invalid write of size 1" "by 0x.*: main (buggy.c:"
case_ overrun-next "Invalid write of size 1" "by 0x.*: main (buggy.c:"
case_ leak "24 bytes in 1 blocks are definitely lost" "by 0x.*: lose_a_block (buggy.c:"
case_ clean "ERROR SUMMARY: 0 errors from 0 contexts" "All heap blocks were freed"

echo "$passed passed, $failed failed"
[ $failed = 0 ]
