#!/usr/bin/env bash
# tests/kit/pictures.sh -- the walkthroughs' pictures are up to date: `make
# pictures` into a scratch folder gives exactly docs/pictures/, every picture
# there is embedded by a walkthrough, and every embed names a picture there.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

if make -s BUILD="$BUILD" pictures PICTURES_DIR="$out/pictures" >"$out/log" 2>&1; then ok; else bad "make pictures: $(tail -3 "$out/log")"; fi
# Where an arena lands decides whether it loses a pool to alignment, so the
# pools pictures are only reproducible without address randomisation.
exclude=()
if ! setarch -R true 2>/dev/null; then
    echo "# setarch -R is not allowed here: the pools pictures are not compared"
    exclude=(-x pools)
fi
if diff -r "${exclude[@]}" docs/pictures "$out/pictures" >"$out/diff"; then
    ok
else
    bad "docs/pictures/ is not what make pictures draws now (run make pictures and commit): $(head -c 400 "$out/diff")"
fi
for f in docs/pictures/*/*.svg; do
    rel=${f#docs/}
    if grep -qF "($rel)" docs/walkthrough-*.md; then ok; else bad "$f is embedded by no walkthrough"; fi
done
for rel in $(grep -ho '(pictures/[^)]*)' docs/walkthrough-*.md | tr -d '()'); do
    if [ -s "docs/$rel" ]; then ok; else bad "a walkthrough embeds docs/$rel, which does not exist"; fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
