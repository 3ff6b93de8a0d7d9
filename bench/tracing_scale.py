#!/usr/bin/env python3
"""tracing_scale.py N -- CPython's tracemalloc on the workload of
bench/tracing_scale.c: N live bytes objects of 16..63 bytes from 100 lines,
tracemalloc.start(1), then take_snapshot() and statistics('lineno') timed in
CPU time.  Prints the same `key value` lines as the C driver.  The bytes a
snapshot holds are every object reachable from its traces, each counted once
(sys.getsizeof), the same count as tests/kit/tracing-bench.py."""
import sys
import time
import tracemalloc


def snapshot_bytes(snap):
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


def measure(n):
    tracemalloc.start(1)
    # spread the blocks over 100 source lines, as the C driver does: 100
    # one-line functions, each compiled under a file name of its own
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
    print("traces %d" % ntraces)
    print("groups %d" % len(stats))
    print("snapshot_ms %.3f\nstatistics_ms %.3f" % ((t1 - t0) * 1e3, (t2 - t1) * 1e3))
    print("total_ns_per_trace %.2f" % ((t2 - t0) * 1e9 / n))
    print("snapshot_bytes_per_trace %.1f" % (snapshot_bytes(snap) / ntraces))
    print("tracer_bytes_per_trace %.1f" % (tracer_bytes / ntraces))
    del blocks


if __name__ == "__main__":
    deep(28, measure, int(sys.argv[1]) if len(sys.argv) > 1 else 1000000)
