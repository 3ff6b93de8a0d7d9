#!/usr/bin/env python3
"""bench.py -- the reference pools allocator against glibc malloc, mimalloc
and jemalloc on allocation traces, side by side (make bench-pools).

    bench.py --build DIR [--kit ROOT] [--traces NAME|PATH,...] [--rounds 5]
             [--replays 3] [--callgrind-max-ops 1100000] [--no-callgrind] [--json FILE]
    bench.py --build DIR --breakdown [--traces ...] [--rounds 5]

Builds the grader's trace driver (harness/perf/pools/driver.c) four times
with the kit's -O2 flags (the Makefile's O2_CFLAGS, as perf-run reads them;
pools: the reference pools.c; glibc; -lmimalloc; -ljemalloc), then per trace:
instructions per operation from callgrind (--toggle-collect=replay_fast, so
only the replay loop and the allocator count; skipped for traces of more than
--callgrind-max-ops operations, where it would take minutes; the default
takes in the large recorded traces, a little over 10^6 operations), and wall time
per trace, the median of ROUNDS rounds in which the four allocators run
interleaved (each run reports its fastest of REPLAYS replays).

--traces: the recorded traces to run, by name (tests/pools/traces/NAME.trace,
or tests/pools/traces/large/NAME.trace: the 10^6-operation ones) or as paths to trace files (bench/report.py's synthetic ones); default every
recorded trace.  Prints a Markdown table; --json FILE also writes every
number (bench/report.py reads it).

--breakdown: where the reference's instructions go, per trace, against
mimalloc's total: the driver loop, the pools fast paths, the cycle of a pool
that empties and is taken back (insert_to_freepool, allocate_from_new_pool
and the arena functions they call), the C library's malloc for the requests
pymalloc does not serve (over 512 bytes, as CPython sends them to
PyMem_RawMalloc), and memset/memcpy (calloc, realloc); then wall time cold (a
fresh process, one replay) and warm (the fastest of REPLAYS replays in one
process, the main table's figure), median of ROUNDS interleaved runs each.
Warm favours an allocator that keeps memory mapped across replays: the
reference returns a wholly free arena to the system, as CPython 3.11 does,
and faults its pages in again at the next replay.
"""
import argparse
import glob
import json
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ALLOCATORS = [("pymalloc (ref)", ["-DREPLAY_POOLS"], True, []),
              ("glibc", [], False, []),
              ("mimalloc", [], False, ["-lmimalloc"]),
              ("jemalloc", [], False, ["-ljemalloc"])]


def o2_cflags(kit):
    """The Makefile's O2_CFLAGS: the kit's one set of -O2 flags."""
    with open(os.path.join(kit, "Makefile")) as fh:
        for line in fh:
            if line.startswith("O2_CFLAGS :="):
                return line.split(":=", 1)[1].split()
    sys.exit("bench.py: no O2_CFLAGS line in %s/Makefile" % kit)


def build(kit, out, flags, pools, libs):
    perf = os.path.join(kit, "harness/perf/pools")
    src = [os.path.join(perf, "driver.c"), os.path.join(kit, "tests/pools/replay.c")]
    if pools:
        src += [os.path.join(perf, "stubs.c"), os.path.join(kit, "solutions/pools/pools.c"),
                os.path.join(kit, "labs/pools/given/pools_given.c")]
        libs = libs + ["-Wl,--wrap=mmap", "-Wl,--wrap=munmap"]
    cmd = ["cc", *o2_cflags(kit), "-I" + os.path.join(kit, "labs/include"),
           "-I" + os.path.join(kit, "tests/pools"), *flags, "-o", out, *src, *libs]
    subprocess.run(cmd, check=True)


def ir(binary, trace):
    p = subprocess.run(["valgrind", "--tool=callgrind", "--toggle-collect=replay_fast",
                        "--callgrind-out-file=/dev/null", binary, "measure", trace],
                       capture_output=True, text=True, env={"PATH": os.environ.get("PATH", "")})
    m = re.search(r"Collected\s*:\s*(\d+)", p.stderr)
    return int(m.group(1)) if m else None


# --breakdown: callgrind's functions by the part of the work they do.
ARENA_CYCLE = {"insert_to_freepool", "allocate_from_new_pool", "new_arena", "free_arena",
               "grow_arena_objects", "usable_unlink", "map_entry", "map_mark", "__wrap_mmap",
               "__wrap_munmap", "mmap", "munmap", "mmap64"}
PARTS = ["driver", "pools fast paths", "empty pool cycle", "C library malloc", "memset/memcpy"]
BREAKDOWN_ALLOCATORS = ("pymalloc (ref)", "mimalloc")  # the two it builds: split, and compared with


def part_of(location):
    """'file:function [object]' of callgrind_annotate -> one of PARTS (or None)."""
    m = re.match(r"(.*):(\S+)", location)
    if not m:
        return None
    path, function = m.groups()
    if path.endswith("replay.c"):
        return "driver"
    if function in ARENA_CYCLE:
        return "empty pool cycle"
    if "/malloc/" in path:
        return "C library malloc"
    if re.search(r"mem(set|cpy|move)", function):
        return "memset/memcpy"
    if "pools" in path:
        return "pools fast paths"
    return None                         # the dynamic loader's first calls: a few hundred


def ir_parts(binary, trace, out):
    """Instructions of replay_fast by PARTS, and in all."""
    subprocess.run(["valgrind", "--tool=callgrind", "--toggle-collect=replay_fast",
                    "--callgrind-out-file=" + out, binary, "measure", trace],
                   capture_output=True, check=True, env={"PATH": os.environ.get("PATH", "")})
    p = subprocess.run(["callgrind_annotate", "--inclusive=no", "--auto=no", "--threshold=100",
                        out], capture_output=True, text=True, check=True)
    parts, total = dict.fromkeys(PARTS, 0), 0
    for line in p.stdout.splitlines():
        m = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)", line)
        if not m:
            continue
        count = int(m.group(1).replace(",", ""))
        if "PROGRAM TOTALS" in m.group(2):
            total = count
            continue
        part = part_of(m.group(2))
        if part:
            parts[part] += count
    os.unlink(out)
    return parts, total


def breakdown(a, bins, traces):
    """--breakdown: the reference's instructions by part and mimalloc's in
    all, per trace (callgrind), then wall time cold and warm (interleaved)."""
    ref, mi = (dict(bins)[name] for name in BREAKDOWN_ALLOCATORS)
    ops = {t: ops_of(path) for t, path in traces}
    cold, warm = {}, {}
    for _ in range(a.rounds):
        for t, path in traces:
            for b in (ref, mi):
                cold.setdefault((t, b), []).append(wall_ns(b, path, 1))
                warm.setdefault((t, b), []).append(wall_ns(b, path, a.replays))
    print("| trace | ops | " + " | ".join(PARTS) + " | reference Ir/op | mimalloc Ir/op | "
          "cold µs ref / mimalloc | warm µs ref / mimalloc |")
    print("|" + "---|" * (6 + len(PARTS)))
    for t, path in traces:
        parts, total = ir_parts(ref, path, os.path.join(a.build, "breakdown.ref.out"))
        mi_total = ir(mi, path)
        n = ops[t]
        cells = ["%.1f" % (parts[p] / n) for p in PARTS]
        times = ["%.0f / %.0f" % (statistics.median(d[t, ref]) / 1000,
                                  statistics.median(d[t, mi]) / 1000) for d in (cold, warm)]
        print("| %s | %d | %s | %.1f | %.1f | %s |" % (t, n, " | ".join(cells), total / n,
                                                       mi_total / n, " | ".join(times)))
    print("\nIr/op: callgrind instructions of replay_fast per trace operation, the reference "
          "split by part (a few hundred instructions of the dynamic loader in no column); "
          "cold: a fresh process, one replay; warm: the fastest of %d replays in one process; "
          "median of %d interleaved runs each." % (a.replays, a.rounds))
    return 0


def wall_ns(binary, trace, replays):
    p = subprocess.run([binary, "time", trace, str(replays)], capture_output=True, text=True,
                       check=True)
    return int(p.stdout.strip())


def ops_of(trace):
    with open(trace) as fh:
        m = re.search(r"ops=(\d+)", fh.readline())
    return int(m.group(1))


def find_traces(kit, spec):
    """--traces -> [(name, path)]: names of recorded traces, or paths.  The
    recorded ones are tests/pools/traces/*.trace (the six the grader's
    performance stage replays) and tests/pools/traces/large/*.trace (10^6
    operations each, from programs of other kinds)."""
    folders = [os.path.join(kit, "tests/pools/traces"), os.path.join(kit, "tests/pools/traces/large")]
    if not spec:
        return [(os.path.basename(p)[:-len(".trace")], p)
                for folder in folders for p in sorted(glob.glob(os.path.join(folder, "*.trace")))]
    out = []
    for item in filter(None, spec.split(",")):
        if os.sep in item or item.endswith(".trace"):
            path = item
        else:
            path = next((p for p in (os.path.join(f, item + ".trace") for f in folders)
                         if os.path.exists(p)), os.path.join(folders[0], item + ".trace"))
        if not os.path.exists(path):
            sys.exit("bench.py: no trace %s (%s)" % (item, path))
        name = os.path.basename(path)
        out.append((name[:-len(".trace")] if name.endswith(".trace") else name,
                    os.path.abspath(path)))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--kit", default=os.path.abspath(os.path.join(HERE, "..", "..")))
    ap.add_argument("--traces", default="", help="comma-separated trace names or paths")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--replays", type=int, default=3, help="replays per timed run (fastest)")
    ap.add_argument("--callgrind-max-ops", type=int, default=1100000)
    ap.add_argument("--no-callgrind", action="store_true")
    ap.add_argument("--json", help="write every number here")
    ap.add_argument("--breakdown", action="store_true",
                    help="the reference's instructions by part, and wall time cold and warm")
    a = ap.parse_args()
    os.makedirs(a.build, exist_ok=True)
    bins = []
    for name, flags, pools, libs in ALLOCATORS:
        if a.breakdown and name not in BREAKDOWN_ALLOCATORS:
            continue
        out = os.path.join(a.build, "bench-" + name.split()[0])
        build(a.kit, out, flags, pools, libs)
        bins.append((name, out))
    traces = find_traces(a.kit, a.traces)
    if a.breakdown:
        return breakdown(a, bins, traces)
    ops = {t: ops_of(path) for t, path in traces}
    irs, times = {}, {}
    for t, path in traces:
        for name, b in bins:
            skip = a.no_callgrind or ops[t] > a.callgrind_max_ops
            irs[t, name] = None if skip else ir(b, path)
            times[t, name] = []
    for _ in range(a.rounds):          # interleaved: every allocator once per trace per round
        for t, path in traces:
            for name, b in bins:
                times[t, name].append(wall_ns(b, path, a.replays))
    names = [n for n, _ in bins]
    head = "| trace | ops | " + " | ".join("%s Ir/op" % n for n in names) + " | " + \
           " | ".join("%s µs" % n for n in names) + " |"
    print(head)
    print("|" + "---|" * (2 + 2 * len(names)))
    for t, _ in traces:
        cells = []
        for n in names:
            v = irs[t, n]
            cells.append("%.1f" % (v / ops[t]) if v else "n/a")
        for n in names:
            cells.append("%.0f" % (statistics.median(times[t, n]) / 1000))
        print("| %s | %d | %s |" % (t, ops[t], " | ".join(cells)))
    print("\nIr/op: callgrind instructions of replay_fast (driver loop + allocator) per trace "
          "operation; µs: median of %d interleaved rounds, each the fastest of %d replay%s."
          % (a.rounds, a.replays, "s" if a.replays > 1 else ""))
    if a.json:
        with open(a.json, "w") as fh:
            json.dump({"rounds": a.rounds, "replays": a.replays, "allocators": names,
                       "traces": [{"name": t, "path": path, "ops": ops[t],
                                   "ir": {n: irs[t, n] for n in names},
                                   "ns": {n: times[t, n] for n in names},
                                   "median_ns": {n: statistics.median(times[t, n])
                                                 for n in names}}
                                  for t, path in traces]}, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
