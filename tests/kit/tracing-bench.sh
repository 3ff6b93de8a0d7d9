#!/bin/sh
# tracing-bench.sh BINARY [C_STEPS] [PY_STEPS] -- the memlab tracer (BINARY,
# tests/kit/tracing-bench.c built -O2) and CPython's tracemalloc
# (tracing-bench.py) on the same shapes of workload, side by side, in one run,
# with the lab's goals:
#   slowdown with 1 frame <= 2x, with 25 frames <= 6x (tracing on / off)
#   snapshot + statistics over 1,000,000 live traces <= 1/10 of CPython's time
#   <= 32 bytes per trace in a snapshot
set -eu
bin=${1:?usage: tracing-bench.sh BINARY [C_STEPS] [PY_STEPS]}
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" "${2:-2000000}" > "$tmp/c"
if command -v python3 >/dev/null 2>&1; then
    python3 "$here/tracing-bench.py" "${3:-30000}" > "$tmp/py"
else
    : > "$tmp/py"
fi
python3 - "$tmp/c" "$tmp/py" <<'PY' || awk '{print "memlab", $0}' "$tmp/c"
import sys
c = dict(l.split() for l in open(sys.argv[1]))
py = dict(l.split() for l in open(sys.argv[2]))
rows = ["churn_ns_off", "churn_ns_1", "churn_ns_25", "slowdown_1", "slowdown_25", "traces",
        "snapshot_ms", "statistics_ms", "snapshot_bytes_per_trace", "tracer_bytes_per_trace"]
print("%-26s %12s %12s" % ("tracing bench", "memlab", "CPython"))
for r in rows:
    print("%-26s %12s %12s" % (r, c.get(r, "-"), py.get(r, "-")))
f = lambda d, k: float(d[k])
goals = [("slowdown with 1 frame <= 2x", f(c, "slowdown_1") <= 2),
         ("slowdown with 25 frames <= 6x", f(c, "slowdown_25") <= 6),
         ("bytes per trace in a snapshot <= 32", f(c, "snapshot_bytes_per_trace") <= 32)]
if py:
    mine = f(c, "snapshot_ms") + f(c, "statistics_ms")
    theirs = f(py, "snapshot_ms") + f(py, "statistics_ms")
    goals.append(("snapshot + statistics <= 1/10 of CPython (%.0f ms vs %.0f ms: 1/%.0f)"
                  % (mine, theirs, theirs / mine), mine * 10 <= theirs))
for name, ok in goals:
    print("goal %-70s %s" % (name, "met" if ok else "MISSED"))
PY
