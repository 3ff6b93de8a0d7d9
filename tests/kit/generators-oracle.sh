#!/bin/sh
# generators-oracle.sh BINARY -- the generators layer against CPython, scenario
# by scenario: BINARY (tests/kit/generators-oracle.c) prints the event traces
# of gen_oracle.py's 26 scenarios; they must equal CPython's own.
#
# CPython's answer comes from python3 ${ORACLES:-tests/oracles}/gen_oracle.py
# when that script is there, else from the golden copy committed in
# tests/kit/expected/generators-oracle.txt (made by that script on CPython 3.11).
# Prints one line per mismatching scenario, then "N passed, M failed"; exits 1
# on any mismatch.
set -eu
bin=${1:?usage: generators-oracle.sh BINARY}
here=$(dirname "$0")
oracle=${ORACLES:-tests/oracles}/gen_oracle.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -f "$oracle" ] && command -v python3 >/dev/null 2>&1; then
    python3 "$oracle" > "$tmp/expected"
    source="$oracle"
else
    cp "$here/expected/generators-oracle.txt" "$tmp/expected"
    source="$here/expected/generators-oracle.txt (golden copy)"
fi
"$bin" > "$tmp/actual"

python3 - "$tmp/expected" "$tmp/actual" "$source" <<'PY'
import sys

def scenarios(path):
    blocks, name = {}, None
    order = []
    for line in open(path):
        if line.startswith("python "):
            continue
        if line.startswith("scenario "):
            name = line.split()[1].rstrip(":")
            order.append(name)
            blocks[name] = []
        if name is not None:
            blocks[name].append(line)
    return order, blocks

order, want = scenarios(sys.argv[1])
_, got = scenarios(sys.argv[2])
failed = 0
for name in order:
    if want[name] != got.get(name):
        failed += 1
        print("MISMATCH %s" % name)
        for w, g in zip(want[name], got.get(name, []) + [""] * len(want[name])):
            if w != g:
                print("  expected: %s" % w.rstrip("\n"))
                print("  got:      %s" % g.rstrip("\n"))
                break
print("generators oracle (%s): %d passed, %d failed" % (sys.argv[3], len(order) - failed, failed))
sys.exit(1 if failed else 0)
PY
