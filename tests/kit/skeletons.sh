#!/usr/bin/env bash
# skeletons.sh -- each skeleton is its solution with the bodies taken out
# (STYLE.md): for every file of every lab (tests/<lab>/lab.json "files"),
# every function labs/<lab>/<file> declares or defines is in
# solutions/<lab>/<file> with the same prototype (storage class, return and
# parameter types, parameter names), in the same order; the solution may add
# static helpers between them (a student writes their own), but every
# function it exports, the skeleton defines.
#
# The prototypes are gcc's own (-aux-info, which lists every function a
# translation unit declares or defines, with the file and line it comes
# from), so no C is parsed here.  One line per file; for a file that
# differs, the first place where the two lists part.  A kit without
# solutions/ (the student tarball) has nothing to compare: every file is
# then reported as skipped and counted as passed.
set -uo pipefail
KIT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$KIT"
BUILD=${BUILD:-build}
OUT="$BUILD/kit-tests/skeletons"
mkdir -p "$OUT"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
no() { fail=$((fail + 1)); echo "FAIL $1"; }

# $(prototypes FILE): the functions FILE itself declares (C) or defines (F),
# one "kind prototype" line each, in the order of the file.
prototypes() {
    local aux="$OUT/$(echo "$1" | tr / _).aux"
    gcc -std=c11 -D_GNU_SOURCE -Ilabs/include -Iharness/runner -c -o /dev/null -aux-info "$aux" "$1" ||
        return 1
    # "/* FILE:LINE:NF */ extern int f (int a); /* (a) int a; */"
    awk -v file="$1" '
        { split($2, at, ":") }
        at[1] == file { kind = substr(at[3], 2, 1); line = $0
                        sub(/^\/\* [^ ]* \*\/ /, "", line); sub(/; \/\*.*$/, ";", line)
                        print kind " " line }' "$aux"
}

# The skeleton's functions are an ordered subsequence of the solution's, and
# the solution exports nothing the skeleton does not define.
CHECK='
import sys
skeleton, solution = (s.splitlines() for s in sys.argv[1:3])
at = 0
for line in skeleton:
    if line not in solution[at:]:
        where = "out of order in" if line in solution else "missing from"
        sys.exit(f"  {line}\n  is {where} the solution")
    at = solution.index(line, at) + 1
for line in solution:
    if line.startswith("F extern") and line not in skeleton:
        sys.exit(f"  {line}\n  is exported by the solution but not defined in the skeleton")
'

for lab_json in tests/*/lab.json; do
    lab=$(basename "$(dirname "$lab_json")")
    for f in $(python3 -c 'import json, sys; print(" ".join(json.load(open(sys.argv[1]))["files"]))' "$lab_json"); do
        skeleton="labs/$lab/$f" solution="solutions/$lab/$f"
        if [ ! -f "$solution" ]; then
            ok "$lab/$f: skipped (no solutions/ in this kit)"
            continue
        fi
        if ! a=$(prototypes "$skeleton") || ! b=$(prototypes "$solution"); then
            no "$lab/$f: gcc could not compile both files"
            continue
        fi
        if [ -z "$a" ]; then
            no "$lab/$f: no function found in the skeleton"
        elif why=$(python3 -c "$CHECK" "$a" "$b" 2>&1); then
            ok "$lab/$f: the skeleton's $(wc -l <<<"$a") functions, in the solution's order"
        else
            no "$lab/$f:"
            echo "$why"
        fi
    done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
