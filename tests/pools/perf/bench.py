#!/usr/bin/env python3
"""bench.py -- the reference pools allocator against glibc malloc, mimalloc
and jemalloc on the recorded traces, side by side (make bench-pools).

    bench.py --build DIR [--kit ROOT] [--rounds 5] [--no-callgrind]

Builds tests/pools/perf/driver.c four times at -O2 (pools: the reference
pools.c with -DNVALGRIND; glibc; -lmimalloc; -ljemalloc), then per trace:
instructions per operation from callgrind (--toggle-collect=replay_fast, so
only the replay loop and the allocator count), and wall time per trace, the
median of ROUNDS rounds in which the four allocators run interleaved (each
run reports its fastest of 3 replays).  Prints a Markdown table.
"""
import argparse
import glob
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ALLOCATORS = [("pymalloc (ref)", ["-DREPLAY_POOLS", "-DNVALGRIND"], True, []),
              ("glibc", [], False, []),
              ("mimalloc", [], False, ["-lmimalloc"]),
              ("jemalloc", [], False, ["-ljemalloc"])]


def build(kit, out, flags, pools, libs):
    src = [os.path.join(HERE, "driver.c"), os.path.join(kit, "tests/pools/replay.c")]
    if pools:
        src += [os.path.join(HERE, "stubs.c"), os.path.join(kit, "solutions/pools/pools.c")]
        libs = libs + ["-Wl,--wrap=mmap", "-Wl,--wrap=munmap"]
    cmd = ["cc", "-std=c11", "-D_GNU_SOURCE", "-O2", "-g", "-I" + os.path.join(kit, "labs/include"),
           "-I" + os.path.join(kit, "tests/pools"), *flags, "-o", out, *src, *libs]
    subprocess.run(cmd, check=True)


def ir(binary, trace):
    p = subprocess.run(["valgrind", "--tool=callgrind", "--toggle-collect=replay_fast",
                        "--callgrind-out-file=/dev/null", binary, "measure", trace],
                       capture_output=True, text=True, env={"PATH": os.environ.get("PATH", "")})
    m = re.search(r"Collected\s*:\s*(\d+)", p.stderr)
    return int(m.group(1)) if m else None


def wall_ns(binary, trace):
    p = subprocess.run([binary, "time", trace, "3"], capture_output=True, text=True, check=True)
    return int(p.stdout.strip())


def ops_of(trace):
    with open(trace) as fh:
        m = re.search(r"ops=(\d+)", fh.readline())
    return int(m.group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--kit", default=os.path.abspath(os.path.join(HERE, "..", "..", "..")))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--no-callgrind", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.build, exist_ok=True)
    bins = []
    for name, flags, pools, libs in ALLOCATORS:
        out = os.path.join(a.build, "bench-" + name.split()[0])
        build(a.kit, out, flags, pools, libs)
        bins.append((name, out))
    traces = sorted(glob.glob(os.path.join(a.kit, "tests/pools/traces/*.trace")))
    irs, times = {}, {}
    for t in traces:
        for name, b in bins:
            irs[t, name] = None if a.no_callgrind else ir(b, t)
            times[t, name] = []
    for _ in range(a.rounds):          # interleaved: every allocator once per trace per round
        for t in traces:
            for name, b in bins:
                times[t, name].append(wall_ns(b, t))
    names = [n for n, _ in bins]
    head = "| trace | ops | " + " | ".join("%s Ir/op" % n for n in names) + " | " + \
           " | ".join("%s µs" % n for n in names) + " |"
    print(head)
    print("|" + "---|" * (2 + 2 * len(names)))
    for t in traces:
        ops = ops_of(t)
        cells = []
        for n in names:
            v = irs[t, n]
            cells.append("%.1f" % (v / ops) if v else "n/a")
        for n in names:
            cells.append("%.0f" % (statistics.median(times[t, n]) / 1000))
        print("| %s | %d | %s |" % (os.path.basename(t)[:-6], ops, " | ".join(cells)))
    print("\nIr/op: callgrind instructions of replay_fast (driver loop + allocator) per trace operation; "
          "µs: median of %d interleaved rounds, each the fastest of 3 replays." % a.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
