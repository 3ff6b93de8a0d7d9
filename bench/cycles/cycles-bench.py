#!/usr/bin/env python3
"""cycles-bench.py -- `make bench-cycles`: one full collection over N tracked
lists, the reference layers against python3's gc.collect() on the same graphs.

    cycles-bench.py BINARY [--sizes 1000000,...] [--reps 5] [--json FILE]
    cycles-bench.py --peer N

BINARY is bench/cycles/cycles-bench.c built -O2 (mk/cycles.mk).  For each
repetition and each size, BINARY N runs, then `cycles-bench.py --peer N` (the
same two graphs in a fresh python3, gc.disable() while they are built), so a
change of load on the machine weighs on both sides alike.  Both count CPU
time.  Prints the median of the repetitions per size and graph, in ns per
object; --json FILE also writes every repetition (bench/report.py reads it).
"""
import argparse
import gc
import json
import platform
import statistics
import subprocess
import sys
import time

GRAPHS = [("reachable", "all reachable (held by one list)"),
          ("cycles", "all in unreachable 2-cycles")]


def peer(n):
    """The python3 side: the graphs of cycles-bench.c, one gc.collect() each."""
    gc.disable()
    gc.collect()
    root = []
    for _ in range(n):
        root.append([])
    t0 = time.process_time_ns()
    found = gc.collect()
    t1 = time.process_time_ns()
    assert found == 0, found
    print("reachable %.2f" % ((t1 - t0) / n))
    del root
    gc.collect()
    for _ in range(n // 2):
        a = []
        b = [a]
        a.append(b)
    del a, b
    t0 = time.process_time_ns()
    found = gc.collect()
    t1 = time.process_time_ns()
    assert found == n // 2 * 2, found
    print("cycles %.2f" % ((t1 - t0) / (n // 2 * 2)))


def keyvals(text):
    """`key value` lines -> {key: float}."""
    return {k: float(v) for k, v in (line.split() for line in text.splitlines() if line.strip())}


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0 or p.stderr.strip():
        sys.exit("cycles-bench: %s: exit %d: %s" % (" ".join(cmd), p.returncode, p.stderr.strip()))
    return keyvals(p.stdout)


def size_label(n):
    e = len(str(n)) - 1
    return "10^%d" % e if n == 10 ** e else str(n)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("binary", nargs="?")
    ap.add_argument("--sizes", default="1000000", help="comma-separated numbers of lists")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--json", help="write every repetition and the medians here")
    ap.add_argument("--peer", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.peer is not None:
        peer(a.peer)
        return 0
    if not a.binary:
        ap.error("BINARY is required")
    sizes = [int(float(s)) for s in a.sizes.split(",") if s]
    runs = {n: {"memlab": [], "python3": []} for n in sizes}
    for _ in range(a.reps):          # interleaved: each size, C then python3, per repetition
        for n in sizes:
            runs[n]["memlab"].append(run([a.binary, str(n)]))
            runs[n]["python3"].append(run([sys.executable, __file__, "--peer", str(n)]))
    median = {n: {g: [statistics.median(r[g] for r in runs[n][side])
                      for side in ("memlab", "python3")] for g, _ in GRAPHS} for n in sizes}
    print("cycles bench: one full collection, CPU ns per object, median of %d interleaved "
          "runs (python3 %s)" % (a.reps, platform.python_version()))
    print("%-8s %-34s %10s %10s %8s" % ("lists", "graph", "memlab", "python3", "ratio"))
    for n in sizes:
        for g, label in GRAPHS:
            ours, theirs = median[n][g]
            print("%-8s %-34s %10.1f %10.1f %8.2f" % (size_label(n), label, ours, theirs,
                                                    ours / theirs))
    if a.json:
        with open(a.json, "w") as fh:
            json.dump({"reps": a.reps, "sizes": {str(n): {"runs": runs[n], "median": median[n]}
                                                 for n in sizes}}, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
