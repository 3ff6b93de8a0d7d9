#!/usr/bin/env bash
# tests/kit/draw.sh -- the drawings of memlab/draw.h: the exact tests in
# draw-test.c, then every drawing of its fixed inputs byte for byte against
# tests/kit/expected/draw/ (UPDATE=1 rewrites those after a deliberate
# change), then each DOT rendered by Graphviz into a non-empty SVG.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
bin=$BUILD/kit/draw-test
expected=tests/kit/expected/draw
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

[ -x "$bin" ] || make -s BUILD="$BUILD" "$bin" >/dev/null
line=$("$bin" "$out" | tee "$out/log" | tail -n 1)
grep '^FAIL' "$out/log"
p=$(awk '{print $1}' <<<"$line"); f=$(awk '{print $3}' <<<"$line")
pass=$((pass + ${p:-0})); fail=$((fail + ${f:-1}))

if [ "${UPDATE:-}" = 1 ]; then
    rm -rf "$expected" && mkdir -p "$expected" && cp "$out"/*.dot "$out"/*.svg "$expected"/
fi
for e in "$expected"/*; do
    name=$(basename "$e")
    if cmp -s "$e" "$out/$name"; then ok; else bad "$name differs from $e"; diff "$e" "$out/$name" | head -5; fi
done
for d in "$out"/*.dot; do
    if timeout 20 dot -Tsvg "$d" -o "${d%.dot}.rendered.svg" 2>"$out/dot.err" && [ -s "${d%.dot}.rendered.svg" ]; then
        ok
    else
        bad "dot cannot render $(basename "$d"): $(head -c 300 "$out/dot.err")"
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
