#!/usr/bin/env bash
# cluster.sh -- a one-node Slurm cluster on this machine, for the kit's tests.
#
#   tests/slurm/cluster.sh start STATE   start munged, slurmctld and slurmd with all
#                                        their state (keys, sockets, spool, logs) in
#                                        the folder STATE; prints the line to eval:
#                                        export SLURM_CONF=STATE/slurm.conf
#   tests/slurm/cluster.sh stop STATE    stop the three daemons started there
#
# The node is "localhost" with this machine's CPUs and memory, in one partition
# "memlabs".  No cgroups (ProctrackType=proctrack/linuxproc, TaskPlugin=
# task/none), no accounting database, no system file touched: munge gets its
# own key and socket, Slurm its own ports (free ones, found at start), so it
# runs beside a real Slurm or munge.  Run as root (slurmd starts jobs as their
# submitter).  Needs the Debian packages slurm-wlm and munge (make deps).
set -euo pipefail

die() { echo "cluster.sh: $*" >&2; exit 1; }

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

write_conf() { # STATE
    local st=$1 cpus mem
    cpus=$(nproc)
    mem=$(awk '/^MemTotal:/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)
    cat >"$st/slurm.conf" <<CONF
ClusterName=memlabs
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$st/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$st/ctld
SlurmdSpoolDir=$st/spool
SlurmctldPidFile=$st/slurmctld.pid
SlurmdPidFile=$st/slurmd.pid
SlurmctldLogFile=$st/slurmctld.log
SlurmdLogFile=$st/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
ReturnToService=2
JobRequeue=1
MinJobAge=3600
SlurmctldTimeout=30
SlurmdTimeout=30
KillWait=5
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=memlabs Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
}

start_munge() { # STATE
    local m=$1/munge
    mkdir -p "$m"
    chmod 700 "$m"
    dd if=/dev/urandom of="$m/munge.key" bs=1024 count=1 status=none
    chmod 400 "$m/munge.key"
    munged --force --key-file="$m/munge.key" --socket="$m/munge.socket" \
        --pid-file="$m/munged.pid" --log-file="$m/munged.log" --seed-file="$m/munged.seed" ||
        die "munged would not start: $(tail -3 "$m/munged.log" 2>/dev/null)"
}

wait_for_node() { # seconds
    for _ in $(seq 1 "$(($1 * 2))"); do
        state=$(sinfo -h -n localhost -o %T 2>/dev/null || true)
        case "$state" in idle* | mixed* | allocated*) return 0 ;; esac
        sleep 0.5
    done
    return 1
}

start() {
    local st=$1
    [ "$(id -u)" = 0 ] || die "run as root (slurmd runs each job as its submitter)"
    command -v slurmctld >/dev/null && command -v munged >/dev/null ||
        die "slurm-wlm and munge are not installed (make deps)"
    mkdir -p "$st/ctld" "$st/spool"
    st=$(cd "$st" && pwd)
    write_conf "$st"
    start_munge "$st"
    export SLURM_CONF=$st/slurm.conf
    slurmctld -i || die "slurmctld would not start: $(tail -5 "$st/slurmctld.log")"
    slurmd -N localhost || die "slurmd would not start: $(tail -5 "$st/slurmd.log")"
    wait_for_node 60 || die "node localhost never came up: $(tail -5 "$st/slurmd.log")"
    echo "export SLURM_CONF=$st/slurm.conf"
}

stop_pid() { # pidfile
    [ -f "$1" ] || return 0
    local pid
    pid=$(cat "$1")
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 40); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.25
    done
    kill -KILL "$pid" 2>/dev/null || true
}

stop() {
    local st=$1
    stop_pid "$st/slurmd.pid"
    stop_pid "$st/slurmctld.pid"
    stop_pid "$st/munge/munged.pid"
}

[ $# = 2 ] || die "usage: cluster.sh start|stop STATE"
case "$1" in
start) start "$2" ;;
stop) stop "$2" ;;
*) die "usage: cluster.sh start|stop STATE" ;;
esac
