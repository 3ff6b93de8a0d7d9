#!/bin/sh
# cycles-bench.sh BINARY [N] -- one full collection of N (default 1,000,000)
# tracked lists, all reachable, then all in unreachable 2-cycles: ns per
# object for the reference layers (BINARY, tests/kit/cycles-bench.c) and for
# gc.collect() in python3 on the same graphs, side by side.  The two run
# interleaved, five times each; the table shows the medians.
set -eu
bin=${1:?usage: cycles-bench.sh BINARY [N]}
n=${2:-1000000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/bench.py" <<'PY'
import gc, sys, time
n = int(sys.argv[1])
gc.disable()
gc.collect()
root = []
for i in range(n):
    root.append([])
t0 = time.perf_counter_ns()
found = gc.collect()
t1 = time.perf_counter_ns()
assert found == 0, found
print("reachable %.2f" % ((t1 - t0) / n))
del root
gc.collect()
for i in range(n // 2):
    a = []
    b = [a]
    a.append(b)
del a, b
t0 = time.perf_counter_ns()
found = gc.collect()
t1 = time.perf_counter_ns()
assert found == n // 2 * 2, found
print("cycles %.2f" % ((t1 - t0) / n))
PY
for i in 1 2 3 4 5; do
    "$bin" "$n" >> "$tmp/memlab"
    python3 "$tmp/bench.py" "$n" >> "$tmp/python"
done
python3 - "$tmp/memlab" "$tmp/python" "$n" <<'PY'
import statistics, sys
def medians(path):
    runs = {}
    for line in open(path):
        key, value = line.split()
        runs.setdefault(key, []).append(float(value))
    return {k: statistics.median(v) for k, v in runs.items()}
ours, theirs, n = medians(sys.argv[1]), medians(sys.argv[2]), int(sys.argv[3])
print("full collection of %d tracked lists, ns per object (median of 5, interleaved)" % n)
print("%-34s %10s %10s %8s" % ("graph", "memlab", "python3", "ratio"))
for key, label in (("reachable", "all reachable (held by one list)"),
                   ("cycles", "all in unreachable 2-cycles")):
    print("%-34s %10.1f %10.1f %8.2f" % (label, ours[key], theirs[key], ours[key] / theirs[key]))
PY
