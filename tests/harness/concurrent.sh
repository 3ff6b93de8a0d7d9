#!/usr/bin/env bash
# tests/harness/concurrent.sh -- graders side by side never disturb each
# other: the same submission graded GRADERS times at once (default 4, each
# with 2 job slots, so 8 serving processes under 4 uid leases) must get one
# score, with no test "not graded", no process of a lease uid left, and no
# scratch folder left owned by a lease uid.
#
# The submission is the refcount solution with one test broken on purpose
# (so the score is not simply full marks), graded on a subset of tests.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
GRADER="$BUILD/bin/memlab-grade"
N=${GRADERS:-4}
ONLY=${ONLY:-'*refcount*,list_*'}
out="$BUILD/kit-tests/concurrent"
rm -rf "$out"
mkdir -p "$out/sub"
cp solutions/refcount/refcount.c solutions/refcount/containers.c "$out/sub/"
# getrefcount answers one too many: its test fails, the rest pass
python3 - "$out/sub/refcount.c" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
s, n = re.subn(r"(ml_ssize_t obj_getrefcount\(ml_object \*op\)\s*\{)", r"\1 if (op) return 0;", s, count=1)
assert n == 1, "no obj_getrefcount definition"
open(p, "w").write(s)
PY

pass=0 fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
not_ok() { echo "not ok - $1"; fail=$((fail + 1)); }

# the reference's answers first, once: the graders then only grade
"$GRADER" --lab refcount --kit . --build "$BUILD" --submission "$out/sub" --report "$out/warm" \
    --only "$ONLY" --quiet >/dev/null 2>&1

start=$(date +%s)
pids=()
for i in $(seq 1 "$N"); do
    "$GRADER" --lab refcount --kit . --build "$BUILD" --submission "$out/sub" \
        --report "$out/r$i" --only "$ONLY" --quiet >"$out/grader$i.log" 2>&1 &
    pids+=($!)
done
codes=0
for p in "${pids[@]}"; do wait "$p" || codes=$((codes + 1)); done
echo "# $N graders at once: $(( $(date +%s) - start )) s"
[ "$codes" -eq 0 ] && ok "every grader exited 0" || not_ok "$codes graders exited non-zero"

scores=$(for i in $(seq 1 "$N"); do
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["score"])' "$out/r$i/results.json" 2>/dev/null || echo missing
done | sort -u)
warm=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["score"])' "$out/warm/results.json" 2>/dev/null)
if [ "$(echo "$scores" | wc -l)" -eq 1 ] && [ "$scores" = "$warm" ]; then
    ok "one score for all $N graders and the lone one: $scores"
else
    not_ok "scores differ: lone $warm, together: $(echo $scores)"
fi

verdicts=$(for i in $(seq 1 "$N"); do
    python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))
print(" ".join(t["name"] + "=" + t["tags"][0] for t in r["tests"]))' "$out/r$i/results.json" 2>/dev/null | md5sum
done | sort -u | wc -l)
[ "$verdicts" -eq 1 ] && ok "the same verdict for every test in every report" \
    || not_ok "the reports' verdicts differ ($verdicts versions)"

if grep -l "not graded\|ERROR" "$out"/r*/report.txt >/dev/null 2>&1; then
    not_ok "a report says not graded: $(grep -l 'not graded' "$out"/r*/report.txt | head -3)"
else
    ok "no test 'not graded'"
fi

base=$(python3 -c 'import json; print(json.load(open("harness/policy.json"))["limits"]["sandbox_uid_base"])')
left=$(python3 - "$(realpath "$out")" <<'PY'
import os, sys
n = 0
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            n += int(pid) != os.getpid() and sys.argv[1].encode() in f.read()
    except OSError:
        pass
print(n)
PY
)
[ "$left" -eq 0 ] && ok "no process of these graders is left" || not_ok "$left processes of these graders left"

owned=$(find "$out" -uid +"$((base - 1))" 2>/dev/null | head -5)
[ -z "$owned" ] && ok "no file left owned by a lease uid" || not_ok "left owned by a lease uid: $owned"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
