#!/usr/bin/env bash
# make-twice.sh -- `make` run twice does nothing the second time, and still
# rebuilds what a changed source reaches.
#
# The Makefile reads the libraries' rules before mk/*.mk, so that a tool of
# a lab (an oracle, a bench, the drawing tests) depends on the library files
# themselves rather than on a phony `libs`, which would relink it on every
# run.  Checked here: after one build, `make -q` (exit 0: nothing to do) of
# `all` and of every program the mk files build; and with a source marked
# new (make -W, which touches nothing), the programs that link it are out of
# date and a program that does not link it is not.
set -uo pipefail
KIT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
no() { fail=$((fail + 1)); echo "FAIL $1"; }
cd "$KIT"
m() { make --no-print-directory BUILD="$BUILD" "$@"; }

# The mk files' programs: every $(BUILD)/kit/ and $(BUILD)/bench/ binary
# they name (the benches link the -O2 stack).
tools="$BUILD/kit/cycles-graph $BUILD/kit/generators-oracle $BUILD/kit/tracing-oracle
  $BUILD/kit/draw-test $BUILD/bench/refcount-bench $BUILD/bench/cycles-bench
  $BUILD/bench/generators-bench $BUILD/bench/tracing-bench"
if m -j2 all $tools >"$BUILD/make-twice.log" 2>&1; then
    ok "make all and the mk files' programs build"
else
    no "make all and the mk files' programs build (see $BUILD/make-twice.log)"
fi

if m -q all; then ok "make all a second time: nothing to do"; else
    no "make all a second time has work: $(m -n all | head -n 3 | cut -c1-120)"
fi
for t in $tools; do
    if m -q "$t"; then ok "$(basename "$t") a second time: nothing to do"; else
        no "$(basename "$t") is rebuilt with nothing changed: $(m -n "$t" | head -n 2 | cut -c1-120)"
    fi
done
# under make test this is a sub-make, which says "make[1]: ..."
if m all 2>&1 | grep -qxE "make(\[[0-9]+\])?: Nothing to be done for 'all'\."  &&
    [ "$(m all 2>&1 | wc -l)" -eq 1 ]; then
    ok "make all prints only 'Nothing to be done'"
else
    no "make all printed more than 'Nothing to be done'"
fi

# A changed reference file reaches the test binaries, the grader's link
# manifest and the tools that link the layers; not a tool built without it.
new=solutions/refcount/refcount.c
for t in "$BUILD/tests/refcount/t_refcount" "$BUILD/tests/cycles/t_cycles" \
    "$BUILD/grader/refcount.link" "$BUILD/kit/cycles-graph" "$BUILD/kit/draw-test" \
    "$BUILD/bench/refcount-bench" "$BUILD/bench/cycles-bench"; do
    if m -q -W "$new" "$t"; then no "$(basename "$t") is not rebuilt when $new changes"; else
        ok "$(basename "$t") is rebuilt when $new changes"
    fi
done
if m -q -W "$new" "$BUILD/kit/tracing-oracle"; then
    ok "tracing-oracle (mem layer only) is not rebuilt when $new changes"
else
    no "tracing-oracle is rebuilt when $new changes"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
