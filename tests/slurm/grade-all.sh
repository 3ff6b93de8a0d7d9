#!/usr/bin/env bash
# tests/slurm/grade-all.sh -- make grade-all ENGINE=slurm, for real, on a
# one-node Slurm cluster started on this machine (tests/slurm/cluster.sh),
# against plain make grade-all on the same class.  `make test-slurm` runs it;
# root, slurm-wlm and munge (make deps) needed; a few minutes on 2 cores.
#
# The class (harness/batch/bench.sh --generate-only, plus two): 12 submissions
# of refcount, full marks, partial, not compiling, hanging in list_setitem,
# a hostile one (calls system(): refused by the static check), one that
# segfaults, one packed as a .tar.gz; a few of the lab's tests each.
# Checks: the array has SHARDS (3) tasks and a dependent gradebook job; one
# task's batch grader is killed (SIGKILL) after its first finished report,
# and the task requeues itself (scontrol requeue); it
# resumes without grading again what it finished (same .done inodes and
# times); every task ends, the gradebook job writes a gradebook.csv byte for
# byte the one plain make grade-all writes; make grade-all-status shows every
# shard graded.
set -uo pipefail
KIT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$KIT/$BUILD" ;; esac
LAB=refcount SHARDS=3
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
no() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { if eval "$2"; then ok "$1"; else no "$1"; fi; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }

cd "$KIT" || exit 1
[ "$(id -u)" = 0 ] || { no "run as root (the Slurm daemons)"; finish; }
command -v slurmctld >/dev/null && command -v munged >/dev/null ||
    { no "slurm-wlm and munge are installed (make deps)"; finish; }
make -s BUILD="$BUILD" "$BUILD/bin/memlab-grade-all" "$BUILD/bin/memlab-grade" \
    "$BUILD/grader/$LAB.link" libs >/dev/null || { no "the kit builds"; finish; }
T=$(mktemp -d)
cleanup() {
    tests/slurm/cluster.sh stop "$T/cluster" 2>/dev/null
    [ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

# ---------------------------------------------------------------- the class
harness/batch/bench.sh --lab $LAB --count 9 --tests 3 --hang list_setitem --build "$BUILD" \
    --out "$T/class" --generate-only >/dev/null || { no "bench.sh generates a class"; finish; }
S=$T/class/submissions only=$(cat "$T/class/only.txt")
hook() { # folder function code: code at the top of function's body in the reference
    mkdir -p "$1" && cp solutions/$LAB/*.c "$1/"
    python3 - "$1/refcount.c" "$2" "$3" <<'PY'
import sys
path, fn, code = sys.argv[1:]
lines = open(path).read().split("\n")
at = next(i for i, l in enumerate(lines) if fn + "(" in l and lines[i + 1] == "{")
lines.insert(at + 2, "    " + code)
open(path, "w").write("\n".join(lines))
PY
}
hook "$S/hostile" obj_new_var 'system("kill -9 -1");'
hook "$S/segfault" obj_new_var '*(volatile int *)0 = 1;'
mkdir -p "$T/p/work" && cp solutions/$LAB/*.c "$T/p/work/" && tar -C "$T/p" -czf "$S/packed.tar.gz" work
check "a class of 12 ($(ls "$S" | wc -l) submissions, tests $only)" '[ "$(ls "$S" | wc -l)" = 12 ]'
flags="--grader-arg=--only=$only"

# ---------------------------------------------------------------- one machine
t0=$(date +%s)
make -s BUILD="$BUILD" grade-all SUBMISSIONS="$S" LAB=$LAB GRADES="$T/local" JOBS=2 \
    GRADE_ALL_FLAGS="$flags" >"$T/local.log" 2>&1
rc=$?
check "plain make grade-all exits 0 ($(($(date +%s) - t0)) s)" '[ $rc = 0 ]'
python3 - "$T/local/gradebook.csv" $LAB >"$T/csv.log" 2>&1 <<'PY'
import csv, sys
rows = {r["student"]: r for r in csv.DictReader(open(sys.argv[1], newline=""))}
lab = sys.argv[2]
st = lambda s: rows[s][f"{lab} status"]
sc = lambda s: float(rows[s][f"{lab} score"])
assert len(rows) == 12, sorted(rows)
assert sc("student001") > 0 and sc("packed") == sc("student001"), "full marks"
assert sc("student005") < sc("student001"), "partial"
assert st("student007") == "graded: compile_error", st("student007")
assert sc("student009") < sc("student001"), "hanging"
assert st("hostile") == "graded: static_check", st("hostile")
assert sc("segfault") < sc("student001"), "segfault"
print("ok")
PY
check "the local gradebook has the class's verdicts ($(tail -1 "$T/csv.log"))" '[ "$(tail -1 "$T/csv.log")" = ok ]'

# ---------------------------------------------------------------- the cluster
eval "$(tests/slurm/cluster.sh start "$T/cluster")" || { no "a one-node cluster starts"; finish; }
ok "a one-node Slurm cluster runs ($(sinfo -h -o '%n %c CPUs %m MB %T'))"
G=$T/slurm
t0=$(date +%s)
make -s BUILD="$BUILD" grade-all ENGINE=slurm SHARDS=$SHARDS PARTITION=memlabs SUBMISSIONS="$S" \
    LAB=$LAB GRADES="$G" GRADE_ALL_FLAGS="$flags" >"$T/submit.log" 2>&1
rc=$?
check "make grade-all ENGINE=slurm submits ($(tail -2 "$T/submit.log" | head -1))" '[ $rc = 0 ] && [ -f "$G/slurm/jobs" ]'
. "$G/slurm/jobs"
check "one array of $SHARDS tasks" '[ "$(squeue -h -r -j "$array" -t all | wc -l)" = $SHARDS ]'
check "the gradebook job waits for the array (afterany)" \
    "scontrol show job $merge | grep -q 'Dependency=afterany:${array}'"

# Kill the task of the biggest shard once it has finished one report.
big=1 most=0
for i in $(seq 1 $SHARDS); do
    n=$("$BUILD/bin/memlab-grade-all" --submissions "$S" --lab $LAB --out "$G" --shard $i/$SHARDS --status | awk '{print $3}')
    [ "$n" -gt "$most" ] && big=$i most=$n
done
status_of() { "$BUILD/bin/memlab-grade-all" --submissions "$S" --lab $LAB --out "$G" --shard $big/$SHARDS --status; }
for _ in $(seq 1 600); do
    s=$(status_of)
    graded=$(awk '{print $7 + $9}' <<<"$s")
    [ "$graded" -ge 1 ] && break
    sleep 0.5
done
task=${array}_$big
check "task $task is running mid-shard ($s)" \
    '[ "$graded" -ge 1 ] && [ "$graded" -lt "$most" ] && squeue -h -j "$task" -o %T | grep -q RUNNING'
# SIGKILL to the task's batch grader, as a crash or the OOM killer would: no
# chance to clean up.  The task's script sees it fail and requeues the task.
pid=$(pgrep -f "memlab-grade-all .*--out $G --shard $big/$SHARDS")
kill -KILL $pid
for _ in $(seq 1 60); do kill -0 $pid 2>/dev/null || break; sleep 0.5; done
check "its batch grader is killed mid-shard (SIGKILL, pid $pid)" '! kill -0 $pid 2>/dev/null'
s=$(status_of)
graded=$(awk '{print $7 + $9}' <<<"$s")
done_before=$(find "$G/reports" -name .done | sort)
stamps() { for f in $done_before; do stat -c '%n %i %Y' "$f"; done; }
stamps_before=$(stamps)
for _ in $(seq 1 60); do squeue -h -j "$task" -o %T | grep -q PENDING && break; sleep 0.5; done
check "the task requeued itself (scontrol requeue: $(squeue -h -j "$task" -o '%T %r'))" \
    "squeue -h -j '$task' -o %T | grep -q PENDING && grep -q 'exited 137: requeued' '$G/slurm/shard-$big.log'"
scontrol update JobId="$task" StartTime=now # Slurm holds a requeued job back 2 minutes
for _ in $(seq 1 1200); do # up to 10 minutes for the array and the gradebook job
    [ -z "$(squeue -h -j "$array,$merge" -t pending,running,configuring,completing,requeued)" ] && break
    sleep 0.5
done
check "every task ends COMPLETED ($(($(date +%s) - t0)) s from submission to gradebook)" \
    '[ "$(squeue -h -r -j "$array" -t all -o %T | sort -u)" = COMPLETED ]'
check "the killed task ran again and skipped what it had finished" \
    "grep -q 'attempt 2' '$G/slurm/shard-$big.log' && grep -q 'shard $big/$SHARDS: $most students x 1 labs = $most jobs, $graded already graded' '$G/slurm/shard-$big.log'"
check "finished reports were not graded again" '[ "$stamps_before" = "$(stamps)" ]'
check "the gradebook job ends COMPLETED" '[ "$(squeue -h -j "$merge" -t all -o %T)" = COMPLETED ]'
check "no temporary is left" '[ -z "$(find "$G" -name "*.tmp-*")" ]'
check "gradebook.csv is byte for byte the one-machine gradebook" \
    'cmp "$T/local/gradebook.csv" "$G/gradebook.csv"'
make -s BUILD="$BUILD" grade-all-status GRADES="$G" >"$T/status.log" 2>&1
rc=$?
check "make grade-all-status: every shard graded, none failed, exit 0" \
    '[ $rc = 0 ] && [ "$(grep -c " 0 failed, 0 being graded, 0 to do$" "$T/status.log")" = $SHARDS ]'
grep -E "^shard|gradebook:" "$T/status.log" | sed 's/^/     /'
finish
