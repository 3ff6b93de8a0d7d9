#!/usr/bin/env bash
# slurm.sh -- grade-all on a Slurm cluster: one job array, one task per shard.
#
#   harness/batch/slurm.sh submit --out DIR --shards N [--partition P]
#                          [--sbatch-flags "..."] [--max-requeue K] -- COMMAND...
#   harness/batch/slurm.sh status --out DIR
#
# COMMAND is memlab-grade-all with its options, without --out, --shard and
# --jobs (this script adds them).  `submit` sends three jobs, each running
# COMMAND from the kit's folder, which must be on a file system every node
# sees at the same path (as must --submissions and --out):
#
#   1. warm-up     COMMAND --warm-up: the grader's calibration, once, into BUILD
#   2. the array   --array=1-N, after 1: task I runs COMMAND --shard I/N into DIR,
#                  with --jobs = the CPUs Slurm gave it.  --requeue: a preempted
#                  task goes back to the queue; a task that fails (any exit but 0
#                  and 130, the exit of a signalled run) requeues itself, at most
#                  K times (default 3).  A requeued task skips what finished: the
#                  .done markers of the report folders.
#   3. gradebook   COMMAND --merge, after every task of 2 (afterany): DIR/gradebook.csv
#
# Job ids and COMMAND are kept in DIR/slurm/, each job's log in DIR/slurm/*.log;
# `status` reads them and shows the jobs (sacct, else squeue) and each shard's
# progress from its done markers (COMMAND --status).
#
# (internal) slurm.sh task N -- COMMAND..., slurm.sh warm-up|merge -- COMMAND...:
# what the jobs run.
set -euo pipefail

die() { echo "slurm.sh: $*" >&2; exit 2; }

# ---------------------------------------------------------------- in the jobs
run_task() { # N -- COMMAND...
    local n=$1 rc=0
    shift 2
    local me="${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}" tries=${SLURM_RESTART_COUNT:-0}
    echo "slurm.sh: task $me (shard $SLURM_ARRAY_TASK_ID/$n) on $(hostname), attempt $((tries + 1)), $(date -u +%FT%TZ)"
    "$@" --shard "$SLURM_ARRAY_TASK_ID/$n" --jobs "${SLURM_CPUS_PER_TASK:-1}" || rc=$?
    if [ "$rc" != 0 ] && [ "$rc" != 130 ] && [ "$tries" -lt "${MEMLAB_MAX_REQUEUE:-3}" ]; then
        echo "slurm.sh: shard $SLURM_ARRAY_TASK_ID/$n exited $rc: requeued (attempt $((tries + 2)) goes on where this one stopped)"
        scontrol requeue "$me" && sleep 60 # Slurm stops this job now and queues it again
    fi
    exit "$rc"
}

# ---------------------------------------------------------------- submit
abs() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }

submit() {
    local out="" shards="" partition="" flags="" requeues=3
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        case "$1" in
        --out) out=$2; shift ;;
        --shards) shards=$2; shift ;;
        --partition) partition=$2; shift ;;
        --sbatch-flags) flags=$2; shift ;;
        --max-requeue) requeues=$2; shift ;;
        *) die "submit: unknown option $1" ;;
        esac
        shift
    done
    [ $# -ge 2 ] || die "submit: no COMMAND after --"
    shift
    [ -n "$out" ] || die "submit: --out DIR is required"
    [[ "$shards" =~ ^[1-9][0-9]*$ ]] || die "submit: --shards wants a positive number, not '$shards'"
    for a in "$@"; do
        case "$a" in
        --force) die "--force would regrade a requeued task's finished work again; grade into a new GRADES folder (or remove GRADES/reports) instead" ;;
        --out | --out=* | --shard | --shard=* | --jobs | --jobs=*) die "submit: COMMAND must not set $a (slurm.sh sets it)" ;;
        esac
    done
    command -v sbatch >/dev/null || die "no sbatch here: submit from a host of the Slurm cluster"
    out=$(abs "$out")
    mkdir -p "$out/slurm"
    local cmd=("$@")
    "${cmd[@]}" --out "$out" --status >/dev/null || [ $? = 1 ] ||
        die "COMMAND does not run here: ${cmd[*]} --out $out --status"
    printf '%s\0' "${cmd[@]}" >"$out/slurm/command"
    # shellcheck disable=SC2206 # the flags are words, as on sbatch's command line
    local common=(--parsable --chdir "$PWD" ${partition:+--partition "$partition"} $flags)
    local self
    self=$(abs "$0")
    local warm array merge
    warm=$(sbatch "${common[@]}" --job-name memlabs-warm-up --output "$out/slurm/warm-up.log" \
        "$self" warm-up -- "${cmd[@]}" --out "$out")
    array=$(sbatch "${common[@]}" --job-name memlabs-grade --array "1-$shards" --requeue \
        --open-mode append --output "$out/slurm/shard-%a.log" --dependency "afterany:${warm%%;*}" \
        --export "ALL,MEMLAB_MAX_REQUEUE=$requeues" \
        "$self" task "$shards" -- "${cmd[@]}" --out "$out")
    merge=$(sbatch "${common[@]}" --job-name memlabs-gradebook --output "$out/slurm/gradebook.log" \
        --dependency "afterany:${array%%;*}" "$self" merge -- "${cmd[@]}" --out "$out")
    printf 'warm_up=%s\narray=%s\nmerge=%s\nshards=%s\n' "${warm%%;*}" "${array%%;*}" \
        "${merge%%;*}" "$shards" >"$out/slurm/jobs"
    echo "slurm.sh: submitted warm-up job ${warm%%;*}, array ${array%%;*} ($shards shards), gradebook job ${merge%%;*}"
    echo "slurm.sh: progress: make grade-all-status GRADES=$out; logs in $out/slurm/"
}

# ---------------------------------------------------------------- status
jobs_table() { # ids...: one line per job or array task, from sacct if it works
    if sacct -n -X -P -j "$(IFS=,; echo "$*")" -o JobID,JobName,State,ExitCode,Restarts 2>/dev/null |
        awk -F'|' 'NF { printf "  %-12s %-18s %-12s exit %-5s restarts %s\n", $1, $2, $3, $4, $5; n++ } END { exit n == 0 }'; then
        return
    fi
    squeue -h -r -t all -j "$(IFS=,; echo "$*")" -o "  %-12i %-18j %-12T %r" 2>/dev/null ||
        echo "  (neither sacct nor squeue knows these jobs any more)"
}

status() {
    [ "${1:-}" = --out ] && [ -n "${2:-}" ] || die "usage: slurm.sh status --out DIR"
    local out
    out=$(abs "$2")
    [ -f "$out/slurm/jobs" ] || die "$out was not graded through Slurm (no $out/slurm/jobs)"
    local warm_up array merge shards cmd
    # shellcheck disable=SC1091
    . "$out/slurm/jobs"
    mapfile -d '' cmd <"$out/slurm/command"
    echo "Slurm jobs (warm-up $warm_up, array $array, gradebook $merge):"
    jobs_table "$warm_up" "$array" "$merge"
    local done_all=0
    for i in $(seq 1 "$shards"); do
        "${cmd[@]}" --out "$out" --shard "$i/$shards" --status || done_all=1
    done
    if [ -f "$out/gradebook.csv" ]; then
        echo "gradebook: $out/gradebook.csv ($(date -r "$out/gradebook.csv" '+%F %T'))"
    else
        echo "gradebook: not written yet (job $merge)"
    fi
    return "$done_all"
}

case "${1:-}" in
submit) shift; submit "$@" ;;
status) shift; status "$@" ;;
task) shift; run_task "$@" ;;
warm-up) shift 2; exec "$@" --warm-up ;;
merge) shift 2; exec "$@" --merge ;;
*) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
