#!/bin/sh
# record.sh -- re-record the allocation traces of the pools lab from python3.
#
#   tests/pools/traces/record.sh [OPS [LARGE_OPS]]   (from the repository root)
#
# Builds tools/recorder/recorder.c as an LD_PRELOAD library, runs each script
# of tests/pools/traces/workloads/ under python3 with PYTHONMALLOC=malloc (so
# every allocation reaches malloc), skips the interpreter's start-up (the
# operations of `python3 -c pass`), keeps OPS operations (default 40000) from
# the middle of the rest with trim.py, and regenerates tests/pools/trace_data.c
# (short excerpts compiled into the test binary) from those traces.  The
# scripts of workloads/large/ (programs of other kinds than the six the
# handout's numbers come from) keep LARGE_OPS operations (default 1000000),
# into large/NAME.trace: make bench replays them, the grader's performance
# stage (which reads *.trace of this folder) and trace_data.c do not.  Traces depend on the
# python3 build: commit them.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
ops=${1:-40000}
large_ops=${2:-1000000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cc -std=c11 -O2 -shared -fPIC -o "$tmp/recorder.so" "$root/tools/recorder/recorder.c"

MEMLAB_TRACE="$tmp/base.raw" PYTHONMALLOC=malloc PYTHONHASHSEED=0 LD_PRELOAD="$tmp/recorder.so" \
    python3 -c pass
skip=$(wc -l < "$tmp/base.raw")
# record SCRIPT OPS OUT: one workload into the trace file OUT
record() {
    name=$(basename "$1" .py)
    MEMLAB_TRACE="$tmp/$name.raw" PYTHONMALLOC=malloc PYTHONHASHSEED=0 LD_PRELOAD="$tmp/recorder.so" \
        python3 "$1" > /dev/null
    python3 "$here/trim.py" "$tmp/$name.raw" "$3" --name "$name" --skip "$skip" --ops "$2" --center
    echo "$name: $(wc -l < "$tmp/$name.raw") operations recorded, $(head -1 "$3")"
}
short=""
for script in "$here"/workloads/*.py; do
    out="$here/$(basename "$script" .py).trace"
    record "$script" "$ops" "$out"
    short="$short $out"
done
for script in "$here"/workloads/large/*.py; do
    record "$script" "$large_ops" "$here/large/$(basename "$script" .py).trace"
done
python3 "$here/mkshort.py" "$root/tests/pools/trace_data.c" $short
