#!/usr/bin/env bash
# instructor-shards.sh -- memlab-grade-all --shard I/N and --merge, with a
# stand-in grader (a script that writes results.json in no time), so that
# only the batch grader's own logic is under test:
#   - the shards partition the class, each student in shard 1 + FNV-1a-32(name)
#     mod N (computed here independently), and a new student moves nobody;
#   - --merge before every shard ran exits 3 and names the missing jobs; after,
#     it writes the gradebook a whole-class run writes, byte for byte;
#   - a shard removes its own students' temporaries, not another shard's;
#   - a second copy of a shard, and a whole-class run beside a shard, are refused;
#   - --status counts; bad --shard values are refused.
set -uo pipefail
KIT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$KIT/$BUILD" ;; esac
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
no() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { if eval "$2"; then ok "$1"; else no "$1"; fi; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }

cd "$KIT" || exit 1
make -s BUILD="$BUILD" "$BUILD/bin/memlab-grade-all" >/dev/null || { no "the batch grader builds"; finish; }
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT

# The stand-in grader: the score is the number in the submission's file "points".
cat >"$T/grader" <<'SH'
#!/bin/sh
while [ $# -gt 0 ]; do
    case "$1" in --submission) sub=$2; shift ;; --report) rep=$2; shift ;; esac
    shift
done
p=$(cat "$sub/points")
printf '{"score": %s, "tests": [{"name": "t1", "score": %s, "max_score": 10}], "extra_data": {"max_score": 10, "outcome": "graded"}}\n' "$p" "$p" >"$rep/results.json"
SH
chmod +x "$T/grader"
S=$T/class
for s in ada bob cy dee eve fay gus hal ivy jo; do
    mkdir -p "$S/$s" && echo "${#s}" >"$S/$s/points"
done
ga() { "$BUILD/bin/memlab-grade-all" --submissions "$S" --lab refcount --kit "$KIT" \
    --build "$BUILD" --grader "$T/grader" --quiet "$@"; }

# ---------------------------------------------------------------- which shard
expected() { # N: "student shard" lines, by FNV-1a 32 of the name
    python3 - "$S" "$1" <<'PY'
import os, sys
def fnv(s):
    h = 2166136261
    for b in s.encode():
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h
for s in sorted(os.listdir(sys.argv[1])):
    print(s, 1 + fnv(s) % int(sys.argv[2]))
PY
}
# Two temporaries, as a killed run leaves them: one of jo's, one of a student
# ("other") in another shard than jo's.  Grading other's shard removes only its own.
jo_shard=$(expected 3 | awk '$1 == "jo" {print $2}')
read -r other other_shard <<<"$(expected 3 | awk -v j="$jo_shard" '$2 != j {print; exit}')"
stray="$T/shards/reports/jo/.refcount.tmp-4242"
mine_stray="$T/shards/reports/$other/.refcount.tmp-4243"
mkdir -p "$stray" "$mine_stray"
touch "$stray.log" "$mine_stray.log" # and their graders' logs
ga --out "$T/shards" --shard "$other_shard/3"
rc=$?
check "shard $other_shard/3 exits 0" '[ $rc = 0 ]'
check "it removed its own student's temporary and log ($other)" '[ ! -e "$mine_stray" ] && [ ! -e "$mine_stray.log" ]'
check "and left another shard's alone (jo, shard $jo_shard)" '[ -d "$stray" ] && [ -f "$stray.log" ]'
graded=$(cd "$T/shards/reports" && ls -d */refcount/.done 2>/dev/null | cut -d/ -f1 | xargs)
want=$(expected 3 | awk -v i="$other_shard" '$2 == i {print $1}' | xargs)
check "it graded exactly its students: $want" '[ "$graded" = "$want" ]'
check "a shard writes no gradebook" '[ ! -e "$T/shards/gradebook.csv" ]'
ga --out "$T/shards" --merge 2>"$T/merge1.log"
rc=$?
check "--merge with shards missing exits 3 ($(tail -1 "$T/merge1.log"))" \
    '[ $rc = 3 ] && grep -q "not graded yet: jo refcount" "$T/merge1.log"'
rm -rf "$stray" "$stray.log"
for i in 1 2 3; do [ $i = "$other_shard" ] || ga --out "$T/shards" --shard $i/3; done
check "every student graded across the shards" '[ "$(find "$T/shards/reports" -name .done | wc -l)" = 10 ]'
for i in 1 2 3; do
    want=$(expected 3 | awk -v i=$i '$2 == i {print $1}' | xargs)
    line=$(ga --out "$T/shards" --shard $i/3 --status)
    check "shard $i/3 holds $want ($line)" \
        "[[ \"\$line\" == \"shard $i/3: $(wc -w <<<"$want") students, $(wc -w <<<"$want") jobs: $(wc -w <<<"$want") graded, 0 failed, 0 being graded, 0 to do\" ]]"
done

# ---------------------------------------------------------------- the gradebook
ga --out "$T/whole" --jobs 2
ga --out "$T/shards" --merge
rc=$?
check "--merge exits 0 once every shard ran" '[ $rc = 0 ]'
check "its gradebook is byte for byte the whole-class run's" 'cmp -s "$T/whole/gradebook.csv" "$T/shards/gradebook.csv"'
check "with the stand-in's scores (eve 3, ada 3, jo 2)" \
    'grep -q "^eve,3," "$T/shards/gradebook.csv" && grep -q "^jo,2," "$T/shards/gradebook.csv"'

# ---------------------------------------------------------------- stable shards
before=$(expected 3)
mkdir -p "$S/late" && echo 4 >"$S/late/points"
late_shard=$(expected 3 | awk '$1 == "late" {print $2}')
moved=0
for i in 1 2 3; do
    n=$(ga --out "$T/shards" --shard $i/3 --status | awk '{print $3}')
    w=$(expected 3 | awk -v i=$i '$2 == i' | wc -l)
    [ "$n" = "$w" ] || moved=1
done
check "a late student (shard $late_shard) moves nobody else" \
    '[ "$(expected 3 | grep -v "^late ")" = "$before" ] && [ $moved = 0 ]'
check "--status of the class counts the late one as to do" \
    '[ "$(ga --out "$T/shards" --status)" = "class: 11 students, 11 jobs: 10 graded, 0 failed, 0 being graded, 1 to do" ]'

# ---------------------------------------------------------------- locks and options
exec 9>"$T/shards/.lock-shard-1-of-3"
flock -x 9
ga --out "$T/shards" --shard 1/3 2>"$T/lock.log"
rc=$?
check "a second copy of a shard is refused" '[ $rc = 2 ] && grep -q "shard 1/3 of .* is already being graded" "$T/lock.log"'
exec 9>&-
exec 9>"$T/shards/.lock"
flock -s 9
ga --out "$T/shards" 2>"$T/lock2.log"
rc=$?
check "a whole-class run beside a shard is refused" '[ $rc = 2 ] && grep -q "in use by another" "$T/lock2.log"'
exec 9>&-
for bad in 0/3 4/3 3 1/0 a/b; do
    ga --out "$T/shards" --shard $bad 2>/dev/null
    r=$?
    check "--shard $bad is refused" '[ $r = 2 ]'
done
ga --out "$T/shards" --shard 1/3 --merge 2>/dev/null
check "--shard with --merge is refused" '[ $? = 2 ]'
finish
