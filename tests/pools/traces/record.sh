#!/bin/sh
# record.sh -- re-record the allocation traces of the pools lab from python3.
#
#   tests/pools/traces/record.sh [OPS]        (from the repository root)
#
# Builds tools/recorder/recorder.c as an LD_PRELOAD library, runs each script
# of tests/pools/traces/workloads/ under python3 with PYTHONMALLOC=malloc (so
# every allocation reaches malloc), skips the interpreter's start-up (the
# operations of `python3 -c pass`), keeps OPS operations (default 40000) from
# the middle of the rest with trim.py, and regenerates tests/pools/trace_data.c (short excerpts compiled
# into the test binary).  Traces depend on the python3 build: commit them.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
ops=${1:-40000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cc -std=c11 -O2 -shared -fPIC -o "$tmp/recorder.so" "$root/tools/recorder/recorder.c"

MEMLAB_TRACE="$tmp/base.raw" PYTHONMALLOC=malloc PYTHONHASHSEED=0 LD_PRELOAD="$tmp/recorder.so" \
    python3 -c pass
skip=$(wc -l < "$tmp/base.raw")
for script in "$here"/workloads/*.py; do
    name=$(basename "$script" .py)
    MEMLAB_TRACE="$tmp/$name.raw" PYTHONMALLOC=malloc PYTHONHASHSEED=0 LD_PRELOAD="$tmp/recorder.so" \
        python3 "$script" > /dev/null
    python3 "$here/trim.py" "$tmp/$name.raw" "$here/$name.trace" --name "$name" --skip "$skip" --ops "$ops" --center
    echo "$name: $(wc -l < "$tmp/$name.raw") operations recorded, $(head -1 "$here/$name.trace")"
done
python3 "$here/mkshort.py" "$root/tests/pools/trace_data.c" "$here"/*.trace
