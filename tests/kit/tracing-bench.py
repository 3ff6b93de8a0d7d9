#!/usr/bin/env python3
"""tracing-bench.py -- CPython's tracemalloc on the shapes of workload that
tracing-bench.c runs on the memlab tracer; prints the same keys.

  churn: 1000 live bytes objects of 16..271 bytes, one replaced per step,
         under a 30-frame stack; tracemalloc off, start(1), start(25)
  1,000,000 live traces: take_snapshot() and statistics('lineno'); the
         snapshot's own memory per trace (every object it holds, once)
Times are CPU time of the process (time.process_time), as in the C bench.
"""
import sys
import time
import tracemalloc


def churn(steps):
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


def deep(n, fn, *args):
    return fn(*args) if n == 0 else deep(n - 1, fn, *args)


def main():
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    off = deep(28, churn, steps)
    tracemalloc.start(1)
    one = deep(28, churn, steps)
    tracemalloc.stop()
    tracemalloc.start(25)
    many = deep(28, churn, steps)
    tracemalloc.stop()
    print("churn_ns_off %.1f\nchurn_ns_1 %.1f\nchurn_ns_25 %.1f" % (off, one, many))
    print("slowdown_1 %.2f\nslowdown_25 %.2f" % (one / off, many / off))

    tracemalloc.start(1)
    blocks = [bytes(16 + i % 48) for i in range(1000000)]
    t0 = time.process_time()
    snap = tracemalloc.take_snapshot()
    t1 = time.process_time()
    stats = snap.statistics("lineno")
    t2 = time.process_time()
    ntraces = len(snap.traces)
    print("traces %d" % ntraces)
    print("groups %d" % len(stats))
    print("snapshot_ms %.1f\nstatistics_ms %.1f" % ((t1 - t0) * 1e3, (t2 - t1) * 1e3))
    tracer_bytes = tracemalloc.get_tracemalloc_memory()
    tracemalloc.stop()
    print("snapshot_bytes_per_trace %.1f" % (snapshot_bytes(snap) / ntraces))
    print("tracer_bytes_per_trace %.1f" % (tracer_bytes / ntraces))
    del blocks


if __name__ == "__main__":
    main()
