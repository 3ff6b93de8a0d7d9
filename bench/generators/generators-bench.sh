#!/bin/sh
# generators-bench.sh BINARY [N] -- resuming a generator, the reference layer
# (BINARY, bench/generators/generators-bench.c, -O2) against python3 running the same
# generator functions, drained the same way (a C loop calling tp_iternext:
# collections.deque(g, maxlen=0)); and the bytes one suspended generator
# holds (CPython: tracemalloc over 100,000 of them).  Interleaved, five runs
# each; the table shows the medians.  With valgrind present, also the
# instructions per resumption (callgrind), which a busy machine cannot skew.  Goals: at most 1/10 of CPython's time
# per yield; at most 64 bytes plus the locals per generator.
set -eu
bin=${1:?usage: generators-bench.sh BINARY [N]}
n=${2:-10000000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/bench.py" <<'PY'
import collections, gc, sys, time, tracemalloc
n = int(sys.argv[1])
gc.disable()

def yield_none(n):
    i = 0
    while i < n:
        yield None
        i += 1

def yield_int(n):
    i = 0
    while i < n:
        yield i
        i += 1

def drain_ns(f):
    g = f(n)
    t0 = time.perf_counter_ns()
    collections.deque(g, maxlen=0)
    return (time.perf_counter_ns() - t0) / n

if len(sys.argv) > 2:                  # one drain only, for callgrind
    collections.deque({"none": yield_none, "int": yield_int}[sys.argv[2]](n), maxlen=0)
    sys.exit(0)
print("none %.2f" % drain_ns(yield_none))
print("int %.2f" % drain_ns(yield_int))
k = 100000
gens = [None] * k
tracemalloc.start()
before = tracemalloc.get_traced_memory()[0]
for i in range(k):
    g = yield_int(1000)
    next(g)
    gens[i] = g
del g
per = (tracemalloc.get_traced_memory()[0] - before) / k
tracemalloc.stop()
print("bytes %.1f" % per)
print("getsizeof %d" % sys.getsizeof(gens[0]))
PY
for i in 1 2 3 4 5; do
    "$bin" "$n" >> "$tmp/memlab"
    python3 "$tmp/bench.py" "$n" >> "$tmp/python"
done
# Instructions per resumption (callgrind: deterministic, unlike the clock on a
# busy machine): the difference between draining 2m and m items, per item.
if command -v valgrind >/dev/null 2>&1; then
    py=$(python3 -c 'import sys; print(sys.executable)')
    m=100000
    ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 |
           sed -n 's/.*Collected : //p'; }
    for w in none int; do
        a=$(ir "$bin" $m $w); b=$(ir "$bin" $((2 * m)) $w)
        echo "ir_$w $(( (b - a) / m ))" >> "$tmp/memlab"
        a=$(ir "$py" "$tmp/bench.py" $m $w); b=$(ir "$py" "$tmp/bench.py" $((2 * m)) $w)
        echo "ir_$w $(( (b - a) / m ))" >> "$tmp/python"
    done
fi

python3 - "$tmp/memlab" "$tmp/python" "$n" <<'PY'
import statistics, sys
def medians(path):
    vals = {}
    for line in open(path):
        k, v = line.split()
        vals.setdefault(k, []).append(float(v))
    return {k: statistics.median(v) for k, v in vals.items()}
m, p = medians(sys.argv[1]), medians(sys.argv[2])
print("generators bench: %s resumptions per run, median of 5 (python3 %s)" % (
    sys.argv[3], sys.version.split()[0]))
print("%-34s %12s %12s %8s" % ("", "memlabs", "CPython", "ratio"))
for key, label in (("none", "ns per resume, yield None"), ("int", "ns per resume, yield i")):
    print("%-34s %12.2f %12.2f %8.3f" % (label, m[key], p[key], m[key] / p[key]))
print("%-34s %12.1f %12.1f %8.3f" % ("bytes per suspended generator", m["bytes"], p["bytes"],
                                     m["bytes"] / p["bytes"]))
print("%-34s %12s %12d" % ("sys.getsizeof(gen)", "64 + 16", p["getsizeof"]))
for key, label in (("ir_none", "instructions per resume, None"), ("ir_int", "instructions per resume, i")):
    if key in m and key in p:
        print("%-34s %12d %12d %8.3f" % (label, m[key], p[key], m[key] / p[key]))
PY
