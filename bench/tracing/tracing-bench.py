#!/usr/bin/env python3
"""tracing-bench.py -- `make bench-tracing`: the reference tracer against
CPython's tracemalloc on the same workloads, with the lab's goals.

    tracing-bench.py BINARY [--sizes 1000000,...] [--steps 2000000] [--py-steps 30000]
                            [--reps 5] [--json FILE]
    tracing-bench.py --peer churn STEPS | --peer traces N

BINARY is bench/tracing/tracing-bench.c built -O2 (mk/tracing.mk).  In each
repetition: `BINARY churn STEPS`, then `tracing-bench.py --peer churn PY_STEPS`
(tracemalloc off, start(1), start(25)); then for each size N,
`BINARY traces N` and `--peer traces N` (N live objects from 100 source lines,
take_snapshot() and statistics('lineno')).  Each side is a fresh process and
counts CPU time; the two alternate, so a change of load weighs on both alike.
Sizes of 10^7 and more run in the first repetition only (CPython's
statistics() alone takes about a minute there).  Prints the medians and the
goals; --json FILE also writes every repetition (bench/report.py reads it).

Goals: slowdown with 1 frame <= 2x, with 25 frames <= 6x; snapshot +
statistics <= 1/10 of CPython's time; <= 32 bytes per trace in a snapshot.
"""
import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc

CHURN_KEYS = ["churn_ns_off", "churn_ns_1", "churn_ns_25", "slowdown_1", "slowdown_25"]
TRACES_KEYS = ["traces", "groups", "snapshot_ms", "statistics_ms", "total_ns_per_trace",
               "snapshot_bytes_per_trace", "tracer_bytes_per_trace"]
ONE_RUN_FROM = 10 ** 7


# ==================================================================== the CPython side

def deep(depth, fn, *args):
    """fn(*args) under `depth` more frames (the C side runs under 30)."""
    return fn(*args) if depth == 0 else deep(depth - 1, fn, *args)


def churn_once(steps):
    """ns per replacement of one of 1000 live bytes objects of 16..271 bytes; best of 3."""
    best = 1e30
    for _ in range(3):
        ring = [bytes(16 + i % 256) for i in range(1000)]
        x = 12345
        t0 = time.process_time()
        for s in range(steps):
            x = (x * 1103515245 + 12345) & 0xFFFFFFFF
            ring[s % 1000] = bytes(16 + ((x >> 16) & 255))
        best = min(best, (time.process_time() - t0) / steps * 1e9)
    return best


def peer_churn(steps):
    off = deep(28, churn_once, steps)
    tracemalloc.start(1)
    one = deep(28, churn_once, steps)
    tracemalloc.stop()
    tracemalloc.start(25)
    many = deep(28, churn_once, steps)
    tracemalloc.stop()
    print("churn_ns_off %.1f\nchurn_ns_1 %.1f\nchurn_ns_25 %.1f" % (off, one, many))
    print("slowdown_1 %.2f\nslowdown_25 %.2f" % (one / off, many / off))


def snapshot_bytes(snap):
    """Every object the snapshot holds, each counted once (sys.getsizeof)."""
    seen, total = set(), 0
    stack = [snap.traces._traces]
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        if isinstance(obj, (list, tuple)):
            stack.extend(obj)
    return total


def traces_once(n):
    tracemalloc.start(1)
    # 100 one-line functions, each compiled under a file name of its own: the
    # blocks come from 100 source lines, as in the C driver
    makers = [eval(compile("lambda k: bytes(k)", "line%d.py" % i, "eval"), {})
              for i in range(100)]
    blocks = [makers[i % 100](16 + i % 48) for i in range(n)]
    tracer_bytes = tracemalloc.get_tracemalloc_memory()
    t0 = time.process_time()
    snap = tracemalloc.take_snapshot()
    t1 = time.process_time()
    stats = snap.statistics("lineno")
    t2 = time.process_time()
    tracemalloc.stop()
    ntraces = len(snap.traces)
    print("traces %d\ngroups %d" % (ntraces, len(stats)))
    print("snapshot_ms %.3f\nstatistics_ms %.3f" % ((t1 - t0) * 1e3, (t2 - t1) * 1e3))
    print("total_ns_per_trace %.2f" % ((t2 - t0) * 1e9 / n))
    print("snapshot_bytes_per_trace %.1f" % (snapshot_bytes(snap) / ntraces))
    print("tracer_bytes_per_trace %.1f" % (tracer_bytes / ntraces))
    del blocks


def peer(mode, n):
    if mode == "churn":
        peer_churn(n)
    else:
        deep(28, traces_once, n)


# ==================================================================== the runner

def keyvals(text):
    """`key value` lines -> {key: float}."""
    return {k: float(v) for k, v in (line.split() for line in text.splitlines() if line.strip())}


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0 or p.stderr.strip():
        sys.exit("tracing-bench: %s: exit %d: %s" % (" ".join(cmd), p.returncode, p.stderr.strip()))
    return keyvals(p.stdout)


def medians(runs):
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def size_label(n):
    e = len(str(n)) - 1
    return "10^%d" % e if n == 10 ** e else str(n)


def num(v):
    return "%d" % v if v == int(v) and abs(v) >= 100 else "%.0f" % v if abs(v) >= 1000 else "%.1f" % v if abs(v) >= 10 else "%.2f" % v


def table(title, keys, c, py):
    print("%-26s %12s %12s" % (title, "memlab", "CPython"))
    for k in keys:
        print("%-26s %12s %12s" % (k, num(c[k]), num(py[k])))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("binary", nargs="?")
    ap.add_argument("--sizes", default="1000000", help="comma-separated numbers of live traces")
    ap.add_argument("--steps", type=int, default=2000000, help="churn steps of the C side")
    ap.add_argument("--py-steps", type=int, default=30000, help="churn steps of CPython's side")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--json", help="write every repetition and the medians here")
    ap.add_argument("--peer", nargs=2, metavar=("MODE", "N"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.peer:
        peer(a.peer[0], int(a.peer[1]))
        return 0
    if not a.binary:
        ap.error("BINARY is required")
    sizes = [int(float(s)) for s in a.sizes.split(",") if s]
    me = [sys.executable, __file__, "--peer"]
    churn = {"memlab": [], "python3": []}
    live = {n: {"memlab": [], "python3": []} for n in sizes}
    for rep in range(a.reps):        # interleaved: the C side, then CPython's, each measure
        churn["memlab"].append(run([a.binary, "churn", str(a.steps)]))
        churn["python3"].append(run(me + ["churn", str(a.py_steps)]))
        for n in sizes:
            if n >= ONE_RUN_FROM and rep > 0:
                continue
            live[n]["memlab"].append(run([a.binary, "traces", str(n)]))
            live[n]["python3"].append(run(me + ["traces", str(n)]))
    med_churn = {side: medians(r) for side, r in churn.items()}
    med_live = {n: {side: medians(r) for side, r in live[n].items()} for n in sizes}

    print("tracing bench: the reference tracer and CPython's tracemalloc (python3 %s), CPU "
          "time, median of %d interleaved runs" % (platform.python_version(), a.reps))
    c, py = med_churn["memlab"], med_churn["python3"]
    table("churn", CHURN_KEYS, c, py)
    goals = [("slowdown with 1 frame <= 2x", c["slowdown_1"] <= 2),
             ("slowdown with 25 frames <= 6x", c["slowdown_25"] <= 6)]
    for n in sizes:
        c, py = med_live[n]["memlab"], med_live[n]["python3"]
        runs = len(live[n]["memlab"])
        print()
        table("%s live traces%s" % (size_label(n), "" if runs == a.reps else " (%d run)" % runs),
              TRACES_KEYS, c, py)
        mine = c["snapshot_ms"] + c["statistics_ms"]
        theirs = py["snapshot_ms"] + py["statistics_ms"]
        goals.append(("snapshot + statistics of %s traces <= 1/10 of CPython (%.1f ms vs "
                      "%.0f ms: 1/%.0f)" % (size_label(n), mine, theirs, theirs / mine),
                      mine * 10 <= theirs))
        goals.append(("bytes per trace in a snapshot of %s traces <= 32 (%.1f)" % (
            size_label(n), c["snapshot_bytes_per_trace"]), c["snapshot_bytes_per_trace"] <= 32))
    print()
    for name, ok in goals:
        print("goal %-84s %s" % (name, "met" if ok else "MISSED"))
    if a.json:
        with open(a.json, "w") as fh:
            json.dump({"reps": a.reps, "steps": a.steps, "py_steps": a.py_steps,
                       "churn": {"runs": churn, "median": med_churn},
                       "sizes": {str(n): {"runs": live[n], "median": med_live[n]}
                                 for n in sizes}}, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
