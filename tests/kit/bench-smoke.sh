#!/usr/bin/env bash
# tests/kit/bench-smoke.sh -- `make bench`'s parts work, in a few seconds:
# the refcount bench runs at 10^4 (both allocators) and prints a number; the
# cycles and tracing benches (what `make bench-cycles` / `bench-tracing` and
# `make bench` run) measure both sides at 10^4 and write the JSON that
# bench/report.py reads; the pools trace generator writes a balanced trace,
# which the pools bench replays with a recorded one (--traces) and splits a
# recorded trace's instructions by part (--breakdown); the aggregator writes
# its report (and a plot when gnuplot is there).  Apart from the breakdown's
# sum, the numbers are not checked, only that they are there.  The C programs
# are the very ones `make bench` runs, built by their make rules on the
# Makefile's -O2 stack (in BUILD), without a warning.
#
# Environment: BUILD (default build).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
export PYTHONDONTWRITEBYTECODE=1   # import bench/report.py without leaving a cache

# built: make's rule for $BUILD/bench/NAME, without a compiler warning in the bench
built() {
    make --no-print-directory BUILD="$BUILD" "$BUILD/bench/$1" > "$tmp/cc.log" 2>&1 &&
        ! grep -q '^bench/.*warning:' "$tmp/cc.log"
}

# ---------------------------------------------------------------- refcount bench
mkdir -p "$tmp/build/bench"
if built refcount-bench && cp "$BUILD/bench/refcount-bench" "$tmp/build/bench/"; then
    ok "bench/refcount/refcount_bench.c builds on the -O2 stack"
else
    bad "bench/refcount/refcount_bench.c builds: $(grep -m3 'warning\|error' "$tmp/cc.log")"
fi
for alloc in malloc pymalloc; do
    out=$(MEMLAB_MALLOC=$alloc "$tmp/build/bench/refcount-bench" 10000 2>&1)
    if grep -Eq '^ns_per_object [0-9]+\.[0-9]+$' <<<"$out" && grep -q '^max_depth 50$' <<<"$out"; then
        ok "refcount bench at 10^4 with MEMLAB_MALLOC=$alloc prints ns/object, trashcan depth 50"
    else
        bad "refcount bench at 10^4 with MEMLAB_MALLOC=$alloc: $out"
    fi
done

# ---------------------------------------------------------------- cycles (make bench-cycles)
if built cycles-bench; then
    if python3 bench/cycles/cycles-bench.py "$BUILD/bench/cycles-bench" --sizes 10000 --reps 1 \
        --json "$tmp/cycles.json" > "$tmp/cycles.log" 2>&1 &&
        python3 - "$tmp/cycles.json" <<'PY'; then
import json, sys
m = json.load(open(sys.argv[1]))["sizes"]["10000"]["median"]
assert all(len(m[g]) == 2 and min(m[g]) > 0 for g in ("reachable", "cycles")), m
PY
        ok "cycles bench at 10^4: both graphs collected as expected, memlab and python3 ns/object"
    else
        bad "cycles bench at 10^4: $(tail -3 "$tmp/cycles.log")"
    fi
else
    bad "bench/cycles/cycles-bench.c builds: $(grep -m3 'warning\|error' "$tmp/cc.log")"
fi

# ---------------------------------------------------------------- tracing (make bench-tracing)
if built tracing-bench; then
    if python3 bench/tracing/tracing-bench.py "$BUILD/bench/tracing-bench" --sizes 10000 --steps 10000 \
        --py-steps 500 --reps 1 --json "$tmp/tracing.json" > "$tmp/tracing.log" 2>&1 &&
        python3 - "$tmp/tracing.json" <<'PY'; then
import json, sys
d = json.load(open(sys.argv[1]))
c, py = d["sizes"]["10000"]["median"]["memlab"], d["sizes"]["10000"]["median"]["python3"]
assert c["traces"] == 10000 and c["groups"] == 100 and c["total_ns_per_trace"] > 0, c
assert py["traces"] >= 10000 and py["groups"] >= 100, py
assert d["churn"]["median"]["memlab"]["slowdown_25"] > 0, d["churn"]
PY
        ok "tracing bench: 10^4 traces in 100 groups on both sides, churn slowdowns"
    else
        bad "tracing bench at 10^4: $(tail -3 "$tmp/tracing.log")"
    fi
elif [ ! -d solutions/tracing ]; then
    ok "tracing bench: no solutions/ in a student kit (skipped)"
else
    bad "bench/tracing/tracing-bench.c builds: $(grep -m3 'warning\|error' "$tmp/cc.log")"
fi

# ---------------------------------------------------------------- pools traces
python3 bench/pools/pools_trace.py 10000 "$tmp/churn.trace"
if python3 - "$tmp/churn.trace" <<'PY'; then
import sys
lines = open(sys.argv[1]).read().splitlines()
head = lines[0].split()
assert head[:2] == ["#", "memlabs-trace"] and head[3] == "ops=10000", head
live = set()
for l in lines[1:]:
    p = l.split()
    if p[0] == "m":
        assert p[1] not in live and 16 <= int(p[2]) <= 512, l
        live.add(p[1])
    else:
        live.remove(p[1])
assert len(lines) == 10001 and not live
PY
    ok "pools_trace.py writes 10^4 operations, every block freed once"
else
    bad "pools_trace.py: the trace is not balanced"
fi

# ---------------------------------------------------------------- pools (make bench-pools)
if [ -f solutions/pools/pools.c ] && [ -s "$tmp/churn.trace" ]; then
    if python3 bench/pools/bench.py --build "$tmp/pools" --traces "$tmp/churn.trace,notebook" \
        --rounds 1 --replays 1 --no-callgrind --json "$tmp/pools.json" > "$tmp/pools.log" 2>&1 &&
        python3 - "$tmp/pools.json" <<'PY'; then
import json, sys
d = json.load(open(sys.argv[1]))
assert [t["name"] for t in d["traces"]] == ["churn", "notebook"], d["traces"]
assert all(t["median_ns"][a] > 0 for t in d["traces"] for a in d["allocators"]), d["traces"]
assert len(d["allocators"]) == 4 and d["allocators"][0].startswith("pymalloc"), d["allocators"]
PY
        ok "pools bench.py --traces runs a path and a recorded trace on the four allocators"
    else
        bad "pools bench.py --traces: $(tail -3 "$tmp/pools.log")"
    fi
    # --breakdown: the parts add up to the reference's count (the dynamic
    # loader's few hundred instructions aside); notebook asks for nothing
    # over 512 bytes, so the C library's column is empty
    if python3 bench/pools/bench.py --build "$tmp/pools" --traces notebook --breakdown \
        --rounds 1 --replays 1 > "$tmp/breakdown.log" 2>&1 &&
        python3 - "$tmp/breakdown.log" <<'PY'; then
import sys
rows = [l.split("|")[1:-1] for l in open(sys.argv[1]) if l.startswith("| notebook ")]
assert len(rows) == 1, rows
cells = [c.strip() for c in rows[0]]
parts, total, mi = [float(c) for c in cells[2:7]], float(cells[7]), float(cells[8])
assert abs(sum(parts) - total) < 0.2, (parts, total)
assert parts[3] == 0.0 and parts[2] > 0 and parts[0] > 0 and mi > 0, cells
PY
        ok "pools bench.py --breakdown: the parts add up to the reference's instructions"
    else
        bad "pools bench.py --breakdown: $(tail -3 "$tmp/breakdown.log")"
    fi
else
    ok "pools bench: no solutions/ in a student kit (skipped)"
fi

# ---------------------------------------------------------------- the aggregator
if python3 - <<'PY'; then
import sys
sys.path.insert(0, "bench")
import report
assert report.md_table(["a", "b"], [[1, 2]]) == "| a | b |\n|---|---|\n| 1 | 2 |"
assert report.medians([{"a": 1.0}, {"a": 3.0}, {"a": 2.0}]) == {"a": 2.0}
assert report.keyvals("traces 10\nsome words here\nms 1.5\n") == {"traces": 10.0, "ms": 1.5}
assert report.size_label(10000) == "10^4" and report.size_label(1500) == "1500"
PY
    ok "report.py's helpers: Markdown tables, key/value lines, medians, size labels"
else
    bad "report.py's parsers"
fi
if python3 bench/report.py --build "$tmp/build" --only refcount --reps 1 --refcount-n 10000 \
    > "$tmp/report.log" 2>&1 &&
    grep -q '^| refcount | `del l` of 10^4 nested lists, ns/object | [0-9.]* | python3 |' \
        "$tmp/build/bench/results.md"; then
    ok "report.py --only refcount writes results.md with the refcount row"
else
    bad "report.py --only refcount: $(tail -5 "$tmp/report.log")"
fi
if command -v gnuplot >/dev/null 2>&1; then
    if [ -s "$tmp/build/bench/ratios.png" ]; then
        ok "report.py draws ratios.png with gnuplot"
    else
        bad "report.py drew no ratios.png: $(grep -i gnuplot "$tmp/build/bench/results.md")"
    fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
