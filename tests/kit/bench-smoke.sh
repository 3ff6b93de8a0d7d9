#!/usr/bin/env bash
# tests/kit/bench-smoke.sh -- `make bench`'s parts work, in a few seconds:
# the refcount bench runs at 10^4 (both allocators) and prints a number, the
# tracing scaling driver counts its traces, the pools trace generator writes
# a balanced trace, the aggregator reads what the labs' benches print and
# writes its report (and a plot when gnuplot is there).  Measures nothing.
#
# Environment: BUILD (default build; its lib/ must be built: `make`).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
CC=${CC:-cc}
export PYTHONDONTWRITEBYTECODE=1   # import bench/report.py without leaving a cache
FLAGS="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O1 -Ilabs/include"

# ---------------------------------------------------------------- refcount bench
mkdir -p "$tmp/build/bench"
libs=$(for l in refcount cycles pools generators tracing; do
    [ -f "$BUILD/lib/libref_$l.a" ] && echo "$BUILD/lib/libref_$l.a"; done)
if $CC $FLAGS -o "$tmp/build/bench/refcount-bench" bench/refcount_bench.c \
    -Wl,--undefined=pool_install -Wl,--start-group $libs "$BUILD/lib/libruntime.a" \
    -Wl,--end-group -lm 2> "$tmp/cc.log"; then
    ok "bench/refcount_bench.c builds against the reference libraries"
else
    bad "bench/refcount_bench.c builds: $(head -3 "$tmp/cc.log")"
fi
for alloc in malloc pymalloc; do
    out=$(MEMLAB_MALLOC=$alloc "$tmp/build/bench/refcount-bench" 10000 2>&1)
    if grep -Eq '^ns_per_object [0-9]+\.[0-9]+$' <<<"$out" && grep -q '^max_depth 50$' <<<"$out"; then
        ok "refcount bench at 10^4 with MEMLAB_MALLOC=$alloc prints ns/object, trashcan depth 50"
    else
        bad "refcount bench at 10^4 with MEMLAB_MALLOC=$alloc: $out"
    fi
done

# ---------------------------------------------------------------- cycles scaling
if $CC $FLAGS -o "$tmp/cycles-scale" bench/cycles_scale.c -Wl,--start-group $libs \
    "$BUILD/lib/libruntime.a" -Wl,--end-group -lm 2> "$tmp/cc.log"; then
    out=$("$tmp/cycles-scale" 10000 2>&1)
    if grep -Eq '^reachable [0-9.]+$' <<<"$out" && grep -Eq '^cycles [0-9.]+$' <<<"$out" &&
        ! grep -q 'expected' <<<"$out"; then
        ok "cycles scaling driver at 10^4: both graphs collected as expected, ns per object"
    else
        bad "cycles scaling driver at 10^4: $out"
    fi
else
    bad "bench/cycles_scale.c builds: $(head -3 "$tmp/cc.log")"
fi

# ---------------------------------------------------------------- tracing scaling
if $CC $FLAGS -o "$tmp/tracing-scale" bench/tracing_scale.c solutions/tracing/tracing.c \
    labs/runtime/mem.c 2> "$tmp/cc.log"; then
    out=$("$tmp/tracing-scale" 10000 2>&1)
    if grep -q '^traces 10000$' <<<"$out" && grep -q '^groups 100$' <<<"$out" &&
        grep -Eq '^total_ns_per_trace [0-9.]+$' <<<"$out"; then
        ok "tracing scaling driver: 10^4 traces in 100 groups, ns per trace"
    else
        bad "tracing scaling driver at 10^4: $out"
    fi
elif [ ! -d solutions/tracing ]; then
    ok "tracing scaling driver: no solutions/ in a student kit (skipped)"
else
    bad "bench/tracing_scale.c builds: $(head -3 "$tmp/cc.log")"
fi

# ---------------------------------------------------------------- pools traces
python3 bench/pools_trace.py 10000 "$tmp/churn.trace"
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

# ---------------------------------------------------------------- the aggregator
if python3 - <<'PY'; then
import sys
sys.path.insert(0, "bench")
import report
cyc = report.parse_cycles("""full collection of 1000 tracked lists, ns per object
graph                                  memlab    python3    ratio
all reachable (held by one list)         20.5       40.0     0.51
all in unreachable 2-cycles              60.0       90.0     0.67
""")
assert cyc == {"reachable": (20.5, 40.0), "cycles": (60.0, 90.0)}, cyc
head, rows = report.parse_md_table("x\n| trace | ops | a Ir/op |\n|---|---|---|\n| t | 5 | 1.5 |\n")
assert head == ["trace", "ops", "a Ir/op"] and rows == [["t", "5", "1.5"]], (head, rows)
assert report.medians([{"a": 1.0}, {"a": 3.0}, {"a": 2.0}]) == {"a": 2.0}
assert report.keyvals("traces 10\nsome words here\nms 1.5\n") == {"traces": 10.0, "ms": 1.5}
assert report.size_label(10000) == "10^4" and report.size_label(1500) == "1500"
PY
    ok "report.py reads the cycles table, Markdown tables and key/value lines"
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
