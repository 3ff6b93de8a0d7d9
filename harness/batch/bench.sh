#!/usr/bin/env bash
# bench.sh -- how long does grading a class take?  (make grade-all-bench)
#
#   harness/batch/bench.sh [--lab refcount] [--count 50] [--jobs "1 2"]
#                          [--build build] [--out DIR] [--hang FUNCTION] [--tests N]
#                          [--generate-only]
#
# Generates COUNT submissions of one lab from the reference solution, a mix
# that looks like a real class:
#   5 in 10  full marks   the reference files as they are
#   2 in 10  partial      the first file from the reference, the rest from the skeleton
#   2 in 10  broken       the reference with a compile error appended
#   1 in 10  hanging      the reference with an endless loop in FUNCTION (default:
#                         dict_resize when it exists, else the first function):
#                         the tests that reach it time out
# then times memlab-grade-all on them with each job count in --jobs (from an
# empty output folder each time), and prints the wall times, the speed-up
# and the gradebook's status counts.  --tests N grades only N of the lab's
# tests (spread over the lab, with the tests they depend on) in every submission: the
# same pipeline at a fraction of the cost, for a quick measurement.
# --generate-only: write the class to OUT/submissions (and, with --tests, the
# comma list of tests to OUT/only.txt) and stop there, for a test to grade it.
set -euo pipefail
KIT=$(cd "$(dirname "$0")/../.." && pwd)
lab=refcount count=50 jobs_list="1 2" build="$KIT/build" out="" hang="" ntests=0 generate_only=0
while [ $# -gt 0 ]; do
    case "$1" in
    --lab) lab=$2; shift ;;
    --count) count=$2; shift ;;
    --jobs) jobs_list=$2; shift ;;
    --build) build=$2; shift ;;
    --out) out=$2; shift ;;
    --hang) hang=$2; shift ;;
    --tests) ntests=$2; shift ;;
    --generate-only) generate_only=1 ;;
    -h | --help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
case "$build" in /*) ;; *) build="$KIT/$build" ;; esac
out=${out:-$build/grade-all-bench}
files=$(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["files"]))' \
    "$KIT/tests/$lab/lab.json")
first=${files%% *}

# ---------------------------------------------------------------- submissions
make_hanging() { # dir function: an endless loop at the top of function's body
    python3 - "$1" "$2" $files <<'PY'
import re, sys
folder, fn, names = sys.argv[1], sys.argv[2], sys.argv[3:]
spin = "    { volatile int spin = 1; while (spin) { } }"
for name in names:
    path = f"{folder}/{name}"
    lines = open(path).read().split("\n")
    for i, line in enumerate(lines):
        if line == "{" and i > 0 and (not fn or re.search(r"\b%s\s*\(" % re.escape(fn), lines[i - 1])):
            lines.insert(i + 1, spin)
            open(path, "w").write("\n".join(lines))
            sys.exit(0)
sys.exit("no function %s" % fn)
PY
}

subs="$out/submissions"
rm -rf "$out"
mkdir -p "$subs"
if [ -z "$hang" ] && grep -q "^dict_resize(\|[ *]dict_resize(" "$KIT/solutions/$lab/"* 2>/dev/null; then
    hang=dict_resize
fi
for i in $(seq 1 "$count"); do
    d="$subs/$(printf 'student%03d' "$i")"
    mkdir -p "$d"
    kind=$((i % 10))
    for f in $files; do cp "$KIT/solutions/$lab/$f" "$d/$f"; done
    case $kind in
    5 | 6) for f in $files; do [ "$f" = "$first" ] || cp "$KIT/labs/$lab/$f" "$d/$f"; done
        [ "$files" = "$first" ] && cp "$KIT/labs/$lab/$first" "$d/$first" ;;
    7 | 8) printf '\nint broken_submission(void) { return }\n' >>"$d/$first" ;;
    9) make_hanging "$d" "$hang" ;;
    esac
done
echo "bench: $count submissions of $lab in $subs (5/10 full, 2/10 partial, 2/10 broken, 1/10 hanging in ${hang:-the first function})"

# ---------------------------------------------------------------- timing
extra=() only=""
if [ "$ntests" -gt 0 ]; then
    only=$("$build/tests/$lab/t_$lab" --list | python3 -c '
import json, sys
tests, n = json.load(sys.stdin), int(sys.argv[1])
parent = {t["name"]: t.get("parent") for t in tests}
pick = []
for t in tests[:: max(1, len(tests) // n)][:n]:  # spread over the lab, then the ancestors
    chain, name = [], t["name"]
    while name and name not in pick and name not in chain:
        chain.append(name)
        name = parent.get(name)
    pick += reversed(chain)
print(",".join(pick))' "$ntests")
    extra=(--grader-arg="--only=$only")
    echo "bench: grading $ntests tests of $lab in each submission"
fi
if [ "$generate_only" = 1 ]; then
    echo "$only" >"$out/only.txt"
    exit 0
fi
# The grader times the reference once per lab and caches it: do that first,
# untimed, so that every run below starts from the same state.
"$build/bin/memlab-grade" --lab "$lab" --submission "$subs/student001" --report "$out/warm-up" \
    --kit "$KIT" --build "$build" --quiet ${only:+--only=$only} >/dev/null 2>&1 || true
declare -A wall
for j in $jobs_list; do
    g="$out/grades-j$j"
    t0=$(date +%s.%N)
    "$build/bin/memlab-grade-all" --submissions "$subs" --lab "$lab" --out "$g" --jobs "$j" \
        --kit "$KIT" --build "$build" --grader "$build/bin/memlab-grade" "${extra[@]}" 2>"$out/progress-j$j.log"
    t1=$(date +%s.%N)
    wall[$j]=$(python3 -c "print(round($t1 - $t0, 1))")
    echo "bench: --jobs $j: ${wall[$j]} s wall for $count submissions" \
        "($(python3 -c "print(round(${wall[$j]} / $count, 2))") s each)"
    python3 - "$g/gradebook.csv" "$lab" <<'PY'
import csv, collections, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
lab = sys.argv[2]
st = collections.Counter(r[f"{lab} status"] for r in rows)
scores = collections.Counter(r[f"{lab} score"] for r in rows)
print("       statuses:", dict(st), " scores:", dict(sorted(scores.items())))
PY
done
set -- $(printf '%s\n' $jobs_list | sort -n)
if [ $# -ge 2 ]; then
    python3 -c "print('bench: speed-up from --jobs $1 to --jobs $2: x%.2f' % (${wall[$1]} / ${wall[$2]}))"
fi
