#!/usr/bin/env python3
"""tracing-gen-cases.py -- write the tracing lab's extra oracle case files.

    python3 tests/kit/tracing-gen-cases.py tests/kit

writes tracing-cases-sizes.txt (size, stat and diff lines over a wide range of
values and signs) and tracing-cases-random.txt (random synthetic snapshots,
their statistics, comparisons and traceback formats), in the case-file syntax
of format_oracle.py.  Seeded: the files are the same on every run.
"""
import random
import sys


def sizes(rng):
    out = ["# _format_size over a wide range: unit boundaries, rounding, signs"]
    values = set()
    for unit in range(5):
        base = 1024 ** unit
        for m in (1, 9.99, 10, 99.94, 99.95, 99.96, 100, 1023.5, 1024, 10239, 10240):
            for delta in (-1, 0, 1):
                values.add(int(m * base) + delta)
    for k in range(0, 53):
        values.update({2 ** k - 1, 2 ** k, 2 ** k + 1})
    for _ in range(150):
        values.add(rng.randrange(0, 2 ** rng.randrange(1, 53)))
    ints = sorted(v for v in values if v >= 0)
    for v in ints:
        out.append("size %d" % v)
        if v:
            out.append("size %d" % -v)
    for _ in range(60):
        v = rng.randrange(0, 200000) + rng.choice((0.5, 0.25, 0.75, 0.125))
        out.append("size %r" % v)
        out.append("size %r" % -v)
    out.append("# Statistic lines: averages with every rounding")
    for _ in range(150):
        count = rng.choice((0, 1, 2, 3, 7, 947, rng.randrange(1, 10 ** 6)))
        size = rng.randrange(0, 2 ** rng.randrange(1, 40))
        if count == 0:
            size = 0
        out.append("stat f%d.py %d %d %d" % (rng.randrange(5), rng.randrange(1, 5000), size, count))
    out.append("# StatisticDiff lines: positive, negative and zero differences")
    for _ in range(150):
        count = rng.choice((0, 1, 3, rng.randrange(1, 10 ** 5)))
        size = 0 if count == 0 else rng.randrange(0, 2 ** rng.randrange(1, 36))
        size_diff = rng.randrange(-2 ** 36, 2 ** 36) // rng.choice((1, 1000, 10 ** 6))
        count_diff = rng.randrange(-count - 50, count + 50)
        out.append("diff g.py %d %d %d %d %d"
                   % (rng.randrange(0, 100), size, size_diff, count, count_diff))
    return out


FILES = ["main.py", "a.py", "b.py", "B.py", "lib/x.py", "lib/y.pyc", "<frozen>",
         "_a.py", "z9.py", "caf\u00e9.py"]


def snapshot(rng, name, ntraces):
    out = []
    stacks = []
    for _ in range(rng.randrange(3, 12)):
        depth = rng.randrange(1, 6)
        stacks.append(["%s:%d" % (rng.choice(FILES), rng.randrange(0, 40)) for _ in range(depth)])
    for _ in range(ntraces):
        frames = rng.choice(stacks)
        size = rng.choice((rng.randrange(0, 100), rng.randrange(0, 20000), 16, 32, 64))
        out.append("trace %s %d %d %s" % (name, rng.choice((0, 0, 0, 1, 389047)), size,
                                          " ".join(frames)))
    return out


def random_cases(rng):
    out = ["# random synthetic snapshots: grouping and sort order"]
    for case in range(8):
        new, old = "n%d" % case, "o%d" % case
        ntraces = rng.randrange(1, 60)
        out += snapshot(rng, new, ntraces)
        out += snapshot(rng, old, rng.randrange(0, 40))
        out.append("limit %s 5" % new)
        for key, cum in (("lineno", 0), ("filename", 0), ("traceback", 0), ("lineno", 1),
                         ("filename", 1)):
            out.append("stats %s %s %d" % (new, key, cum))
            out.append("compare %s %s %s %d" % (new, old, key, cum))
        for index in range(min(3, ntraces)):
            for limit in ("None", "1", "2", "0", "-1", "-3", "10"):
                out.append("tb %s %d %s %d" % (new, index, limit, rng.randrange(2)))
    return out


def main(argv):
    where = argv[1] if len(argv) > 1 else "."
    rng = random.Random(20251125)
    with open(where + "/tracing-cases-sizes.txt", "w") as f:
        f.write("\n".join(sizes(rng)) + "\n")
    with open(where + "/tracing-cases-random.txt", "w") as f:
        f.write("\n".join(random_cases(rng)) + "\n")


if __name__ == "__main__":
    main(sys.argv)
