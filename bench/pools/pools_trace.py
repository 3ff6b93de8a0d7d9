#!/usr/bin/env python3
"""pools_trace.py N OUT -- write a synthetic allocation trace of N operations
in the format of tests/pools/replay.h, for the pools scaling runs.

The workload is small-object churn of the kind CPython makes: request sizes
of 16..512 bytes (7 in 10 up to 64, 1 in 4 up to 256, the rest up to 512),
allocations and frees mixed 6 to 4 so that the live set grows to about a
fifth of the allocations, each free taking a random live block, and every
block freed by the end (N/2 mallocs, N/2 frees).  Seeded: the same N gives
the same trace."""
import random
import sys


def size(rng):
    r = rng.random()
    if r < 0.70:
        return rng.randint(16, 64)
    if r < 0.95:
        return rng.randint(65, 256)
    return rng.randint(257, 512)


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(n)
    allocs = n // 2
    live, made, lines = [], 0, []
    while made < allocs or live:
        if made < allocs and (not live or rng.random() < 0.6):
            made += 1
            live.append(made)
            lines.append("m %d %d" % (made, size(rng)))
        else:
            i = rng.randrange(len(live))
            live[i], live[-1] = live[-1], live[i]
            lines.append("f %d" % live.pop())
    with open(out, "w") as fh:
        fh.write("# memlabs-trace churn%d ops=%d ids=%d\n" % (n, len(lines), allocs))
        fh.write("\n".join(lines))
        fh.write("\n")


if __name__ == "__main__":
    main()
