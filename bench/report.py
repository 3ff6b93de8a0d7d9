#!/usr/bin/env python3
"""report.py -- `make bench`: every layer of memlabs against what a user
would compare it with, in one run on this machine, as one Markdown table
and gnuplot PNG plots.

    python3 bench/report.py --build BUILD [--kit ROOT] [--reps 5]
                            [--sizes 10000,100000,1000000,10000000]
                            [--skip grading,pools,...] [--only cycles,...] [--keep]
                            [--traces notebook,...] [--refcount-n N] [--make make]
                            [--grading-reps 3] [--gradescope refcount,...]

Sections (each may be skipped; a failing one is reported, not fatal):
  refcount    bench/refcount/refcount_bench.c against python3: `del l` of N nested lists
  cycles      `make bench-cycles` (bench/cycles/cycles-bench.c and .py) at each
              size and at 10^6: a full collection against python3's gc.collect()
  pools       `make bench-pools` (bench/pools/bench.py) on the recorded
              traces (--traces: a subset), then on synthetic churn traces of
              each size (bench/pools/pools_trace.py)
  generators  `make bench-generators`
  tracing     `make bench-tracing` (bench/tracing/tracing-bench.c and .py): the
              churn slowdown, and snapshot + statistics at each size and at 10^6
  grading     issue 16's targets: per lab, `make grade LAB=x SUBMISSION=solutions/x`
              against the floor (every test in one memcheck process, the test
              binary's fork mode), calibration cached (--grading-reps runs,
              interleaved) and not (once); each skeleton; the whole kit's
              `make grade`; Gradescope's run_autograder (--gradescope labs);
              harness/batch/bench.sh's class against the figure before

A lab's section runs the lab's own bench target, the very program a student or
an instructor runs alone, with BENCH_SIZES, BENCH_REPS and BENCH_JSON on its
command line, and reads the JSON it writes.  Every comparison is measured side
by side: in each repetition the memlab side and its peer run one after the
other, and the table shows the median of the repetitions.  Writes BUILD/bench/results.md, results.json and *.png, and
prints the table.  Standard library only; plots need gnuplot.
"""
import argparse
import datetime
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SECTIONS = ["refcount", "cycles", "pools", "generators", "tracing", "grading"]


# ==================================================================== helpers

def kit_labs(kit):
    """The kit's labs (tests/<lab>/lab.json), in the order of their "number"."""
    found = []
    for name in sorted(os.listdir(os.path.join(kit, "tests"))):
        path = os.path.join(kit, "tests", name, "lab.json")
        if os.path.isfile(path):
            with open(path) as f:
                found.append((json.load(f).get("number", 1 << 30), name))
    return [name for _, name in sorted(found)]


class Bench:
    """The run's settings and everything measured so far."""

    def __init__(self, args):
        self.kit = os.path.abspath(args.kit)
        self.build = os.path.abspath(os.path.join(self.kit, args.build))
        self.out = os.path.join(self.build, "bench")
        self.reps = args.reps
        self.sizes = [int(float(s)) for s in args.sizes.split(",") if s]
        self.make = args.make.split()
        self.refcount_n = args.refcount_n
        self.traces = args.traces
        self.grading_reps = args.grading_reps
        self.gradescope = [l for l in args.gradescope.split(",") if l]
        self.claims = []        # the summary table: one dict per comparison
        self.details = []       # (title, markdown) per section
        self.plots = []         # (file, caption)
        self.notes = []         # sections that could not be measured, and why
        self.raw = {}           # everything, for results.json
        self.kept = []          # sections reported from an earlier run
        os.makedirs(self.out, exist_ok=True)

    def run(self, cmd, env=None, timeout=3600):
        """Run cmd in the kit; its stdout, or an exception with its stderr."""
        full_env = dict(os.environ, **(env or {}))
        p = subprocess.run(cmd, cwd=self.kit, capture_output=True, text=True, env=full_env,
                           timeout=timeout)
        if p.returncode != 0:
            tail = (p.stderr or p.stdout).strip().splitlines()[-5:]
            raise RuntimeError("%s exited %d: %s" % (" ".join(cmd), p.returncode, " | ".join(tail)))
        return p.stdout

    def make_target(self, target, timeout=3600, **variables):
        """`make target VAR=value...` in the kit; its stdout."""
        return self.run(self.make + ["-s", "--no-print-directory", "BUILD=" + self.build, target] +
                        ["%s=%s" % kv for kv in sorted(variables.items())], timeout=timeout)

    def lab_bench(self, target, name, timeout=7200, **variables):
        """Run a lab's bench target with BENCH_JSON=<out>/<name>.json and the
        given variables (BENCH_REPS is this run's --reps unless given); its
        printed text and the JSON it wrote."""
        out = os.path.join(self.out, name + ".json")
        if os.path.exists(out):
            os.remove(out)
        variables.setdefault("BENCH_REPS", self.reps)
        text = self.make_target(target, timeout=timeout, BENCH_JSON=out, **variables)
        with open(out) as fh:
            return text, json.load(fh)

    def claim(self, layer, measure, ours, peer, theirs, goal=None, met=None, unit="", short=None):
        ratio = ours / theirs if ours is not None and theirs else None
        self.claims.append(dict(layer=layer, measure=measure, memlab=ours, peer=peer,
                                theirs=theirs, ratio=ratio, goal=goal, met=met, unit=unit,
                                short=short or measure.split(",")[0][:40]))


def keyvals(text):
    """`key value` lines -> {key: float} (other lines ignored)."""
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2:
            try:
                out[parts[0]] = float(parts[1])
            except ValueError:
                pass
    return out


def medians(runs):
    """[{key: v}, ...] -> {key: median over the runs that have it}."""
    keys = {k for r in runs for k in r}
    return {k: statistics.median([r[k] for r in runs if k in r]) for k in keys}


def fmt(v, digits=None):
    if v is None:
        return "n/a"
    if isinstance(v, str):
        return v
    if digits is None:
        digits = 0 if abs(v) >= 1000 else 1 if abs(v) >= 10 else 2 if abs(v) >= 0.1 else 3
    return "%.*f" % (digits, v)


def md_table(head, rows):
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def size_label(n):
    e = len(str(n)) - 1
    return "10^%d" % e if n == 10 ** e else str(n)


# ==================================================================== the machine

def machine():
    def first(cmd):
        try:
            out = subprocess.run(cmd, capture_output=True, text=True).stdout
            return out.strip().splitlines()[0] if out.strip() else "?"
        except OSError:
            return "?"
    cpu = {}
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            k, _, v = line.partition(":")
            cpu[k.strip()] = v.strip()
    except OSError:
        pass
    mem = "?"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", open("/proc/meminfo").read()).group(1))
        mem = "%.1f GiB" % (kb / 2 ** 20)
    except (OSError, AttributeError):
        pass
    libs = []
    for pkg in ("libmimalloc-dev", "libjemalloc-dev", "valgrind"):
        v = first(["dpkg-query", "-W", "-f=${Version}", pkg])
        libs.append("%s %s" % (pkg.replace("-dev", "").replace("lib", "", 1)
                               if pkg != "valgrind" else pkg, v))
    return {
        "cpu": cpu.get("Model name", platform.processor() or "?"),
        "cores": "%s CPU(s), %s thread(s) per core" % (cpu.get("CPU(s)", os.cpu_count()),
                                                       cpu.get("Thread(s) per core", "?")),
        "memory": mem,
        "kernel": "%s %s" % (platform.system(), platform.release()),
        "gcc": first(["gcc", "--version"]),
        "python3": first(["python3", "--version"]),
        "glibc": first(["ldd", "--version"]),
        "allocators": ", ".join(libs),
        "load": " ".join("%.2f" % x for x in os.getloadavg()),
        "kit": first(["git", "-C", HERE, "log", "-1", "--format=%h %cd", "--date=iso"]),
    }


# ==================================================================== refcount

REFCOUNT_PY = r"""
import gc, sys, time
n = int(sys.argv[1])
gc.disable()
l = []
for _ in range(n):
    l = [l]
c0 = time.process_time_ns(); w0 = time.perf_counter_ns()
del l
w1 = time.perf_counter_ns(); c1 = time.process_time_ns()
print("ns_per_object %.2f" % ((c1 - c0) / (n + 1)))
print("wall_ns_per_object %.2f" % ((w1 - w0) / (n + 1)))
"""


def refcount(b):
    n = b.refcount_n
    binary = os.path.join(b.out, "refcount-bench")
    sides = {"memlab": [], "memlab-pymalloc": [], "python3": []}
    for _ in range(b.reps):          # interleaved: one of each per repetition
        sides["memlab"].append(keyvals(b.run([binary, str(n)], env={"MEMLAB_MALLOC": "malloc"})))
        sides["memlab-pymalloc"].append(
            keyvals(b.run([binary, str(n)], env={"MEMLAB_MALLOC": "pymalloc"})))
        sides["python3"].append(keyvals(b.run(["python3", "-c", REFCOUNT_PY, str(n)])))
    m = {k: medians(v) for k, v in sides.items()}
    b.raw["refcount"] = {"n": n, "runs": sides, "medians": m}
    py = m["python3"]["ns_per_object"]
    # Issue 19's goal: at most half of CPython's time, with either allocator.
    for side, measure, short in (
            ("memlab", "`del l` of %s nested lists, ns/object" % size_label(n),
             "dealloc, C library malloc"),
            ("memlab-pymalloc", "the same, objects from the pools layer (MEMLAB_MALLOC=pymalloc)",
             "dealloc, pools layer")):
        ours = m[side]["ns_per_object"]
        b.claim("refcount", measure, ours, "python3", py, "<= 0.5", ours <= 0.5 * py, unit="ns",
                short=short)
    rows = [[name, fmt(m[name]["ns_per_object"]), fmt(m[name]["wall_ns_per_object"])]
            for name in sides]
    b.details.append(("refcount: dealloc of %s nested lists" % size_label(n),
                      md_table(["side", "CPU ns/object", "wall ns/object"], rows) +
                      "\n\nMedian of %d interleaved repetitions; the trashcan's deepest nesting "
                      "was %d." % (b.reps, m["memlab"].get("max_depth", 0))))


# ==================================================================== cycles

CLAIM_N = 1000000      # the size of the labs' claims (cycles' lists, tracing's traces)


def sizes_arg(sizes):
    return ",".join(str(n) for n in sorted(sizes))


def cycles(b):
    """`make bench-cycles` (bench/cycles/cycles-bench.c and .py, CPU time) at each
    size and at 10^6, the claim's size."""
    sizes = set(b.sizes) | {CLAIM_N}
    text, res = b.lab_bench("bench-cycles", "cycles", BENCH_SIZES=sizes_arg(sizes))
    scale = {n: {g: tuple(res["sizes"][str(n)]["median"][g]) for g in ("reachable", "cycles")}
             for n in sizes}
    main = scale[CLAIM_N]
    for key, label in (("reachable", "full collection, 10^6 reachable lists, ns/object"),
                       ("cycles", "full collection, 10^6 lists in unreachable 2-cycles, "
                                  "ns/object")):
        ours, theirs = main[key]
        b.claim("cycles", label, ours, "python3 gc.collect()", theirs, goal="<= 1/3",
                met=ours * 3 <= theirs, unit="ns", short="collect, " + key)
    b.raw["cycles"] = res
    rows = [[size_label(n)] + [fmt(scale[n][k][i]) for k in ("reachable", "cycles")
                               for i in (0, 1)] +
            ["%.2f" % (scale[n][k][0] / scale[n][k][1]) for k in ("reachable", "cycles")]
            for n in b.sizes]
    text = md_table(["lists", "reachable memlab", "reachable python3", "2-cycles memlab",
                     "2-cycles python3", "reachable ratio", "2-cycles ratio"], rows)
    text += ("\n\nCPU ns per object: `make bench-cycles` (bench/cycles/cycles-bench.c, and the same "
             "graphs in python3 by bench/cycles/cycles-bench.py), median of %d interleaved runs.  "
             "python3's gc.collect() also walks the interpreter's own tracked objects (modules, "
             "functions, dicts), which weigh on its cost per object at 10^4 and fade from 10^6 "
             "on." % b.reps)
    b.details.append(("cycles: full collection, ns per object, by size", text))
    dat = os.path.join(b.out, "cycles-scale.dat")
    with open(dat, "w") as fh:
        for n in b.sizes:
            fh.write("%d %s\n" % (n, " ".join("%g" % scale[n][k][i] for k in
                                                ("reachable", "cycles") for i in (0, 1))))
    plot(b, "cycles-scale", "cycles: one full collection, CPU ns per object",
         "objects (lists)", "ns per object (CPU)", dat,
         [(2, "memlab, reachable"), (3, "python3, reachable"), (4, "memlab, 2-cycles"),
          (5, "python3, 2-cycles")], logy=True)


# ==================================================================== pools

POOL_ALLOCATORS = ["pymalloc", "glibc", "mimalloc", "jemalloc"]


def small_share(trace):
    """Fraction of a trace's requests (m, c, r) of at most 512 bytes."""
    small = total = 0
    with open(trace) as fh:
        next(fh)
        for line in fh:
            p = line.split()
            if p[0] == "m" or p[0] == "r":
                size = int(p[-1])
            elif p[0] == "c":
                size = int(p[2]) * int(p[3])
            else:
                continue
            total += 1
            small += size <= 512
    return small / total if total else 0


def pools(b):
    """`make bench-pools` on the recorded traces (--traces: a subset), then on
    synthetic churn of each size."""
    text, res = b.lab_bench("bench-pools", "pools", BENCH_TRACES=b.traces, BENCH_REPLAYS="")
    names = res["allocators"]
    ref = next(n for n in names if n.startswith("pymalloc"))
    table = []
    for t in res["traces"]:
        trace = t["name"]
        share = small_share(t["path"])
        vals = {}
        for n in names:
            vals[n, "ir"] = t["ir"][n] / t["ops"] if t["ir"][n] else None
            vals[n, "us"] = t["median_ns"][n] / 1000
        table.append((trace, t["ops"], share, vals))
        for kind, what in (("ir", "instructions/op (callgrind)"), ("us", "wall µs per replay")):
            ours = vals[ref, kind]
            for peer in ("glibc", "mimalloc", "jemalloc"):
                theirs = vals.get((peer, kind))
                if ours is None or theirs is None:
                    continue
                # Issue 19: ahead of glibc, and no dearer than mimalloc on
                # every trace, recorded for the handout or not, in both units.
                if peer == "glibc":
                    goal, met = "< 1 (ahead)", ours < theirs
                elif peer == "mimalloc":
                    goal, met = "<= 1.00", ours <= theirs
                else:
                    goal, met = None, None
                b.claim("pools", "trace %s, %s" % (trace, what), ours, peer, theirs, goal, met,
                        unit="Ir" if kind == "ir" else "µs")
    b.raw["pools"] = res
    b.details.append(("pools: recorded traces (make bench-pools)", text.strip() +
                      "\n\nSmall-object traces (at least 95% of requests <= 512 bytes): " +
                      (", ".join("%s (%.0f%%)" % (t, 100 * s) for t, _, s, _ in table
                                 if s >= 0.95) or "none") + "."))
    pools_plot_traces(b, table, names)
    pools_scale(b)


def pools_plot_traces(b, table, names):
    dat = os.path.join(b.out, "pools-traces.dat")
    with open(dat, "w") as fh:
        fh.write("trace " + " ".join('"%s"' % n for n in names) + "\n")
        for trace, _, _, vals in table:
            fh.write("%s %s\n" % (trace.replace("_", "\\\\_"),
                                  " ".join("%g" % (vals[n, "ir"] or 0) for n in names)))
    script = """
set terminal pngcairo size 900,480 font ",10"
set output '%s'
set title 'pools: instructions per operation on the recorded traces (callgrind, lower is better)'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel 'instructions per operation'
set key top left
set yrange [0:*]
set xtics rotate by -20
plot for [i=2:%d] '%s' using i:xtic(1) title columnheader(i)
""" % (os.path.join(b.out, "pools-traces.png"), len(names) + 1, dat)
    gnuplot(b, script, "pools-traces.png",
            "pools: instructions per operation on every recorded trace, the reference "
            "pymalloc against glibc, mimalloc and jemalloc")


def pools_scale(b):
    """The same drivers (`make bench-pools`, one replay per timed run) on
    bench/pools/pools_trace.py's churn of each size."""
    scale_dir = os.path.join(b.out, "scale")
    os.makedirs(scale_dir, exist_ok=True)
    paths = {}
    for n in b.sizes:
        trace = os.path.join(scale_dir, "churn-%d.trace" % n)
        if not os.path.exists(trace):
            b.run(["python3", os.path.join(HERE, "pools", "pools_trace.py"), str(n), trace + ".tmp"])
            os.replace(trace + ".tmp", trace)
        paths[n] = trace
    _, out = b.lab_bench("bench-pools", "pools-scale", BENCH_REPLAYS=1,
                         BENCH_TRACES=",".join(paths[n] for n in b.sizes))
    by_path = {t["path"]: t for t in out["traces"]}
    bins = POOL_ALLOCATORS
    per = {name.split()[0]: name for name in out["allocators"]}   # "pymalloc" -> "pymalloc (ref)"
    res = {}
    for n in b.sizes:
        t = by_path[os.path.abspath(paths[n])]
        res[n] = {a: (t["ir"][per[a]] / t["ops"] if t["ir"][per[a]] else None,
                      t["median_ns"][per[a]] / t["ops"]) for a in bins}
    b.raw["pools-scale"] = out
    rows = [[size_label(n)] + [fmt(res[n][a][0]) for a in bins] + [fmt(res[n][a][1]) for a in bins]
            for n in b.sizes]
    b.details.append(("pools: synthetic small-object churn, by number of operations",
                      md_table(["ops"] + ["%s Ir/op" % a for a in bins] +
                               ["%s ns/op" % a for a in bins], rows) +
                      "\n\nbench/pools/pools_trace.py writes the traces (sizes 16..512 bytes, 6 "
                      "mallocs to 4 frees, random frees, live set about N/6 at its peak); "
                      "`make bench-pools BENCH_TRACES=<those files> BENCH_REPLAYS=1` replays "
                      "them.  Ir/op: callgrind (up to 10^6 operations); ns/op: median of %d "
                      "interleaved rounds of one replay."
                      % b.reps))
    for kind, idx, ylabel in (("ns", 1, "ns per operation (wall)"),
                              ("ir", 0, "instructions per operation (callgrind)")):
        dat = os.path.join(b.out, "pools-scale-%s.dat" % kind)
        with open(dat, "w") as fh:
            for n in b.sizes:
                vals = [res[n][a][idx] for a in bins]
                if all(v is not None for v in vals):
                    fh.write("%d %s\n" % (n, " ".join("%g" % v for v in vals)))
        plot(b, "pools-scale-%s" % kind, "pools: small-object churn, %s" % ylabel,
             "operations in the trace", ylabel, dat,
             [(i + 2, a if a != "pymalloc" else "pymalloc (memlab reference)")
              for i, a in enumerate(bins)], logy=False)


# ==================================================================== generators

def generators(b):
    text = b.make_target("bench-generators")
    rows = {}
    for line in text.splitlines():
        m = re.match(r"^(.*?)\s{2,}(\S.*)$", line.strip())
        if m:
            rows[m.group(1).strip()] = m.group(2).split()
    b.raw["generators"] = {"make bench-generators": text}

    def row(prefix):
        for k, v in rows.items():
            if k.startswith(prefix):
                return k, v
        raise ValueError("no row %r in bench-generators output:\n%s" % (prefix, text))
    # Issue 19's goals: yield None at most 1/10 of CPython's time, yield i
    # (which makes an int per resume) at most 1/5.
    goals = {"None": (10, "<= 1/10"), "i": (5, "<= 1/5")}
    for prefix in ("ns per resume, yield None", "ns per resume, yield i"):
        k, v = row(prefix)
        ours, theirs = float(v[0]), float(v[1])
        factor, goal = goals[prefix.split()[-1]]
        b.claim("generators", k, ours, "python3", theirs, goal, ours * factor <= theirs, "ns",
                short=k.replace("ns per resume, ", "resume, "))
    for prefix in ("instructions per resume, None", "instructions per resume, i"):
        try:
            k, v = row(prefix)
        except ValueError:
            continue                 # an older bench-generators without callgrind
        ours, theirs = float(v[0]), float(v[1])
        factor, goal = goals[prefix.split()[-1]]
        b.claim("generators", k + " (callgrind)", ours, "python3", theirs, goal,
                ours * factor <= theirs, "Ir",
                short=k.replace("instructions per resume, ", "Ir/resume, "))
    k, v = row("bytes per suspended generator")
    ours, theirs = float(v[0]), float(v[1])
    bound = 80.0
    try:
        bound = float(sum(float(x) for x in row("sys.getsizeof")[1][:-1] if x != "+"))
    except (ValueError, IndexError):
        pass
    b.claim("generators", k + " (goal: 64 + locals = %.0f bytes)" % bound, ours, "python3",
            theirs, "<= %.0f B" % bound, ours <= bound, "B", short="bytes per generator")
    b.details.append(("generators (make bench-generators)", "```\n" + text.strip() + "\n```"))


# ==================================================================== tracing

def tracing(b):
    """`make bench-tracing` (bench/tracing/tracing-bench.c and .py, CPU time): the
    churn slowdown, and snapshot + statistics at each size and at 10^6."""
    sizes = set(b.sizes) | {CLAIM_N}
    _, res = b.lab_bench("bench-tracing", "tracing", BENCH_SIZES=sizes_arg(sizes))
    b.raw["tracing"] = res
    live = {n: res["sizes"][str(n)] for n in sizes}
    c = dict(res["churn"]["median"]["memlab"], **live[CLAIM_N]["median"]["memlab"])
    py = dict(res["churn"]["median"]["python3"], **live[CLAIM_N]["median"]["python3"])
    b.claim("tracing", "slowdown with 1 frame (x, tracing on / off)", c["slowdown_1"],
            "tracemalloc.start(1)", py["slowdown_1"], "<= 1.5x", c["slowdown_1"] <= 1.5, "x",
            short="slowdown, 1 frame")
    b.claim("tracing", "slowdown with 25 frames (x)", c["slowdown_25"],
            "tracemalloc.start(25)", py["slowdown_25"], "<= 4x", c["slowdown_25"] <= 4, "x",
            short="slowdown, 25 frames")
    ours = c["snapshot_ms"] + c["statistics_ms"]
    theirs = py["snapshot_ms"] + py["statistics_ms"]
    b.claim("tracing", "snapshot + statistics over 10^6 traces, ms", ours, "tracemalloc", theirs,
            "<= 1/10", ours * 10 <= theirs, "ms", short="snapshot + statistics")
    b.claim("tracing", "bytes per trace in a snapshot", c["snapshot_bytes_per_trace"],
            "tracemalloc", py["snapshot_bytes_per_trace"], "<= 32 B",
            c["snapshot_bytes_per_trace"] <= 32, "B", short="bytes per trace")
    keys = ["churn_ns_off", "churn_ns_1", "churn_ns_25", "slowdown_1", "slowdown_25", "traces",
            "groups", "snapshot_ms", "statistics_ms", "snapshot_bytes_per_trace",
            "tracer_bytes_per_trace"]
    b.details.append(("tracing (make bench-tracing, median of %d runs)" % b.reps,
                      md_table(["measure", "memlab", "CPython"],
                               [[k, fmt(c.get(k)), fmt(py.get(k))] for k in keys]) +
                      "\n\nChurn: %d free + malloc pairs on the C side (best of 5 runs of a "
                      "fifth each, the three modes interleaved), %d on CPython's (best of 3 "
                      "each); the snapshot over 10^6 live traces." % (res["steps"],
                                                                       res["py_steps"])))
    rows = []
    for n in b.sizes:
        cm, pm = live[n]["median"]["memlab"], live[n]["median"]["python3"]
        rows.append([size_label(n), fmt(cm["total_ns_per_trace"]), fmt(pm["total_ns_per_trace"]),
                     "1/%.0f" % (pm["total_ns_per_trace"] / cm["total_ns_per_trace"]),
                     fmt(cm["snapshot_bytes_per_trace"]), fmt(pm["snapshot_bytes_per_trace"]),
                     fmt(cm["tracer_bytes_per_trace"]), fmt(pm["tracer_bytes_per_trace"]),
                     len(live[n]["runs"]["memlab"])])
    b.details.append(("tracing: snapshot + statistics('lineno'), by number of live traces",
                      md_table(["traces", "memlab ns/trace", "CPython ns/trace", "ratio",
                                "memlab snapshot B/trace", "CPython snapshot B/trace",
                                "memlab tracer B/trace", "CPython tracer B/trace", "runs"],
                               rows) +
                      "\n\nThe same `make bench-tracing` run (bench/tracing/tracing-bench.c against "
                      "bench/tracing/tracing-bench.py), CPU time, median of the runs (one run from "
                      "10^7 on: CPython's statistics() alone takes about a minute there)."))
    dat = os.path.join(b.out, "tracing-scale.dat")
    with open(dat, "w") as fh:
        for n in b.sizes:
            cm, pm = live[n]["median"]["memlab"], live[n]["median"]["python3"]
            fh.write("%d %g %g %g %g\n" % (n, cm["total_ns_per_trace"], pm["total_ns_per_trace"],
                                           cm["snapshot_bytes_per_trace"],
                                           pm["snapshot_bytes_per_trace"]))
    plot(b, "tracing-scale", "tracing: take_snapshot() + statistics('lineno'), ns per live trace",
         "live traces", "ns per trace (CPU)", dat,
         [(2, "memlab tracer"), (3, "CPython tracemalloc")], logy=True)


# ==================================================================== grading

# Issue 16's targets.  GRADE_ALL_BEFORE: make grade-all-bench's figure
# before one memcheck process per job slot (docs/instructor-guide.md, 1 and 2
# jobs), taken with GRADE_ALL_ARGS: the bench reruns exactly that class.
FLOOR_FACTOR = 1.5
KIT_SECONDS = 60
SKELETON_SECONDS = 10
GRADE_ALL_BEFORE = {1: 747.0, 2: 660.0}
GRADE_ALL_ARGS = ["--lab", "refcount", "--count", "50", "--tests", "3", "--hang", "list_append",
                  "--jobs", "1 2"]
# What a make run leaves in the environment would reach the make and grader
# runs timed here (MAKEFLAGS' -j, a jobserver's descriptors).
MAKE_VARS = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")


def timed(b, cmd, cwd=None, env=None, drop=(), check=True, timeout=7200):
    """Run cmd; (wall s, CPU s of every process it waited for, its stdout).
    drop: environment variables to remove.  check: raise on a non-zero exit."""
    full_env = {k: v for k, v in os.environ.items() if k not in drop}
    full_env.update(env or {})
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run(cmd, cwd=cwd or b.kit, capture_output=True, text=True, env=full_env,
                       timeout=timeout)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if check and p.returncode != 0:
        tail = (p.stderr or p.stdout).strip().splitlines()[-5:]
        raise RuntimeError("%s exited %d: %s" % (" ".join(cmd), p.returncode, " | ".join(tail)))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, p.stdout + p.stderr


def ensure_built(b):
    """`make all`, untimed, when something is out of date: every timed run
    is of a kit already built (another engineer's edit must not turn a
    timed grade into a build)."""
    q = subprocess.run(b.make + ["-q", "BUILD=" + b.build, "all"], cwd=b.kit,
                       capture_output=True)
    if q.returncode != 0:
        b.make_target("all")


def floor_run(b, lab):
    """The floor: every test of the lab, visible and hidden, in one memcheck
    process, the test binary's own fork mode (no arguments), in a fresh
    folder.  {wall, cpu, checks, failures, errors}."""
    where = os.path.join(b.out, "floor", lab)
    shutil.rmtree(where, ignore_errors=True)
    os.makedirs(where)
    binary = os.path.join(b.build, "tests", lab, "t_" + lab)
    wall, cpu, text = timed(b, ["valgrind", "-q", "--tool=memcheck", "--leak-check=full", binary],
                            cwd=where, drop=("CK_FORK", "CK_RUN_SUITE", "CK_RUN_CASE"),
                            check=False)
    m = re.search(r"Checks: (\d+), Failures: (\d+), Errors: (\d+)", text)
    if not m:
        raise RuntimeError("valgrind %s printed no Check summary: %s" % (
            binary, " | ".join(text.strip().splitlines()[-3:])))
    checks, failures, errors = (int(x) for x in m.groups())
    return dict(wall=wall, cpu=cpu, checks=checks, failures=failures, errors=errors)


def grade_run(b, lab, submission, report, uncached=False):
    """One real `make grade LAB=lab SUBMISSION=submission`: a fresh report
    folder and FORCE=1, so that --reuse never shows a last report; uncached:
    without BUILD/calibration/<lab>.json.  {wall, cpu, score, tests,
    calibrated} (calibrated: this run calibrated the timeouts)."""
    ensure_built(b)
    if uncached:
        try:
            os.remove(os.path.join(b.build, "calibration", lab + ".json"))
        except FileNotFoundError:
            pass
    shutil.rmtree(report, ignore_errors=True)
    cmd = b.make + ["-s", "--no-print-directory", "BUILD=" + b.build, "grade", "LAB=" + lab,
                    "SUBMISSION=" + submission, "REPORT=" + report, "FORCE=1"]
    wall, cpu, text = timed(b, cmd, drop=MAKE_VARS)
    out = dict(wall=wall, cpu=cpu, calibrated="calibrating " + lab in text)
    out.update(report_score(os.path.join(report, "results.json")))
    return out


def report_score(path):
    """{score: "got / most", tests: n} from a Gradescope results.json."""
    try:
        with open(path) as fh:
            res = json.load(fh)
    except (OSError, ValueError):
        return dict(score="no results.json", tests=0)
    tests = res.get("tests", [])
    most = sum(t.get("max_score", 0) for t in tests)
    return dict(score="%g / %g" % (res.get("score", 0), most), tests=len(tests))


def kit_solutions(b, labs):
    """A submission of the whole kit: SUBMISSION/labs/<lab>/<file>, each
    reference file copied (what a student's repository looks like)."""
    root = os.path.join(b.out, "kit-solutions")
    shutil.rmtree(root, ignore_errors=True)
    for lab in labs:
        with open(os.path.join(b.kit, "tests", lab, "lab.json")) as fh:
            files = json.load(fh)["files"]
        os.makedirs(os.path.join(root, "labs", lab))
        for f in files:
            shutil.copy(os.path.join(b.kit, "solutions", lab, f),
                        os.path.join(root, "labs", lab, f))
    return root


def gradescope_setup(b, lab):
    """Gradescope's image for lab, the way tests/kit/instructor-gradescope.sh
    lays it out (a fake /autograder), setup.sh run in it; its root and the
    setup's wall time."""
    root = os.path.join(b.out, "gradescope", lab)
    shutil.rmtree(root, ignore_errors=True)
    zipdir = os.path.join(b.out, "gradescope")
    b.make_target("gradescope", LAB=lab, DIST=zipdir)
    for d in ("source", "results", "submission"):
        os.makedirs(os.path.join(root, d))
    b.run(["unzip", "-q", os.path.join(zipdir, "gradescope-%s.zip" % lab), "-d",
           os.path.join(root, "source")])
    shutil.copy(os.path.join(root, "source", "run_autograder"), os.path.join(root, "run_autograder"))
    env = {"MEMLAB_AUTOGRADER_ROOT": root, "MEMLAB_SKIP_APT": "1"}
    wall, _, _ = timed(b, ["bash", "./setup.sh"], cwd=os.path.join(root, "source"), env=env,
                       drop=MAKE_VARS + ("BUILD", "MEMLAB_GRADE_FLAGS"))
    return root, wall


def gradescope_run(b, lab, root):
    """One run_autograder of the reference solution in the image at root."""
    sub, results = os.path.join(root, "submission"), os.path.join(root, "results")
    for d in (sub, results):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    with open(os.path.join(b.kit, "tests", lab, "lab.json")) as fh:
        for f in json.load(fh)["files"]:
            shutil.copy(os.path.join(b.kit, "solutions", lab, f), sub)
    env = {"MEMLAB_AUTOGRADER_ROOT": root}
    wall, cpu, _ = timed(b, [os.path.join(root, "run_autograder")], cwd=root, env=env,
                         drop=MAKE_VARS + ("BUILD", "MEMLAB_GRADE_FLAGS", "MEMLAB_SKIP_APT"))
    out = dict(wall=wall, cpu=cpu)
    out.update(report_score(os.path.join(results, "results.json")))
    return out


def grade_all_run(b):
    """harness/batch/bench.sh (make grade-all-bench) on the class of
    GRADE_ALL_ARGS: {jobs: wall s} and its printed lines."""
    b.make_target(os.path.join(b.build, "bin", "memlab-grade-all"))
    ensure_built(b)
    _, _, text = timed(b, ["harness/batch/bench.sh"] + GRADE_ALL_ARGS +
                       ["--build", b.build, "--out", os.path.join(b.out, "grade-all")],
                       drop=MAKE_VARS)
    walls = {int(j): float(w) for j, w in re.findall(r"--jobs (\d+): ([\d.]+) s wall", text)}
    if sorted(walls) != sorted(GRADE_ALL_BEFORE):
        raise RuntimeError("bench.sh printed no wall time for every job count: " + text[-300:])
    return walls, [l for l in text.splitlines() if l.startswith(("bench:", "       statuses"))]


def med(runs, key="wall"):
    return statistics.median(r[key] for r in runs)


def grading(b):
    """Issue 16's targets, side by side in one run: per lab the floor and
    make grade of the solution (cached calibration) interleaved, b.grading_reps
    times, make grade of the skeleton and, for the Gradescope labs,
    run_autograder in the same repetitions; one uncached grade per lab
    first; then the whole kit's make grade and make grade-all-bench."""
    labs = [l for l in kit_labs(b.kit) if os.path.isdir(os.path.join(b.kit, "solutions", l))]
    load_before = os.getloadavg()
    b.make_target("all")
    reports = os.path.join(b.out, "grade")
    uncached = {lab: grade_run(b, lab, "solutions/" + lab, os.path.join(reports, lab),
                               uncached=True) for lab in labs}
    images = {}
    for lab in (l for l in b.gradescope if l in labs):
        try:
            images[lab] = gradescope_setup(b, lab)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
            b.notes.append("grading: no Gradescope image of %s (%s)" % (lab, e))
    runs = {lab: {"floor": [], "solution": [], "skeleton": [], "gradescope": []} for lab in labs}
    for _ in range(b.grading_reps):
        for lab in labs:
            r = runs[lab]
            r["floor"].append(floor_run(b, lab))
            r["solution"].append(grade_run(b, lab, "solutions/" + lab,
                                           os.path.join(reports, lab)))
            r["skeleton"].append(grade_run(b, lab, "labs/" + lab,
                                           os.path.join(reports, lab + "-skeleton")))
            if lab in images:
                r["gradescope"].append(gradescope_run(b, lab, images[lab][0]))
    kit = grade_run(b, "", kit_solutions(b, labs), os.path.join(reports, "kit"))
    kit.update(solution_scores(os.path.join(reports, "kit"), labs))
    try:
        grade_all, grade_all_text = grade_all_run(b)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
        b.notes.append("grading: make grade-all's class not measured (%s)" % e)
        grade_all, grade_all_text = {}, []
    load_after = os.getloadavg()
    b.raw["grading"] = dict(labs=runs, uncached=uncached, kit=kit, grade_all=grade_all,
                            grade_all_text=grade_all_text, load_before=load_before,
                            load_after=load_after,
                            gradescope_setup={l: images[l][1] for l in images})
    grading_claims(b, labs, runs, uncached, kit, grade_all)
    grading_details(b, labs, runs, uncached, kit, grade_all, grade_all_text, images,
                    load_before, load_after)
    grading_plot(b, labs, runs, uncached)


def solution_scores(report_root, labs):
    """The whole kit's report folders (REPORT/<lab>): tests and scores."""
    scores = [report_score(os.path.join(report_root, lab, "results.json")) for lab in labs]
    return dict(tests=sum(s["tests"] for s in scores),
                score=", ".join("%s %s" % (lab, s["score"]) for lab, s in zip(labs, scores)))


def grading_claims(b, labs, runs, uncached, kit, grade_all):
    floor_peer = "one memcheck process (fork mode)"
    for lab in labs:
        r = runs[lab]
        floor, ours = med(r["floor"]), med(r["solution"])
        b.claim("grading", "make grade %s solution, calibration cached, wall s" % lab, ours,
                floor_peer, floor, goal="<= %g" % FLOOR_FACTOR,
                met=ours <= FLOOR_FACTOR * floor and not any(x["calibrated"] for x in r["solution"]),
                unit="s", short="grade %s / floor" % lab)
        b.claim("grading", "make grade %s solution, calibration not cached (once), wall s" % lab,
                uncached[lab]["wall"], floor_peer, floor, unit="s",
                short="grade %s uncached / floor" % lab)
        if r["gradescope"]:
            gs = med(r["gradescope"])
            b.claim("grading", "Gradescope run_autograder, %s solution, wall s" % lab, gs,
                    floor_peer, floor, goal="<= %g" % FLOOR_FACTOR,
                    met=gs <= FLOOR_FACTOR * floor, unit="s", short="run_autograder %s / floor" % lab)
    for lab in labs:
        sk = med(runs[lab]["skeleton"])
        b.claim("grading", "make grade %s skeleton (labs/%s), wall s" % (lab, lab), sk, None, None,
                goal="<= %d s" % SKELETON_SECONDS, met=sk <= SKELETON_SECONDS, unit="s")
    b.claim("grading", "make grade of the whole kit (%d solutions), calibration cached, wall s"
            % len(labs), kit["wall"], None, None, goal="<= %d s" % KIT_SECONDS,
            met=kit["wall"] <= KIT_SECONDS and not kit["calibrated"], unit="s")
    for jobs, before in sorted(GRADE_ALL_BEFORE.items()):
        if jobs not in grade_all:
            continue
        b.claim("grading", "make grade-all, 50 refcount submissions (3 tests each), %d job%s, wall s"
                % (jobs, "s" if jobs > 1 else ""), grade_all[jobs], "before (instructor-guide)",
                before, goal="<= 1/5", met=grade_all[jobs] * 5 <= before, unit="s",
                short="grade-all, %d job%s" % (jobs, "s" if jobs > 1 else ""))


def grading_details(b, labs, runs, uncached, kit, grade_all, grade_all_text, images,
                    load_before, load_after):
    rows = []
    for lab in labs:
        r = runs[lab]
        fl = r["floor"][-1]
        floor, ours = med(r["floor"]), med(r["solution"])
        rows.append([lab, "%d (%d failed)" % (fl["checks"], fl["failures"] + fl["errors"]),
                     r["solution"][-1]["tests"], r["solution"][-1]["score"],
                     " / ".join("%.1f" % x["wall"] for x in r["floor"]),
                     " / ".join("%.1f" % x["wall"] for x in r["solution"]),
                     "%.2f" % (ours / floor), "%.1f" % uncached[lab]["wall"],
                     "%.0f / %.0f" % (med(r["floor"], "cpu"), med(r["solution"], "cpu")),
                     " / ".join("%.1f" % x["wall"] for x in r["skeleton"])])
    text = md_table(["lab", "floor: tests run", "graded tests", "score", "floor s",
                     "make grade s (cached)", "ratio (medians)", "uncached s",
                     "CPU s floor / grade (medians)", "skeleton s"], rows)
    text += ("\n\nEvery run of a column, in order (%d interleaved repetitions: per lab the floor, "
             "then the solution's grade, then the skeleton's).  Floor: `valgrind -q --tool=memcheck "
             "--leak-check=full BUILD/tests/<lab>/t_<lab>`, no arguments (every test, visible and "
             "hidden, each in a child forked by Check), in an empty folder.  make grade: `make "
             "grade LAB=<lab> SUBMISSION=solutions/<lab> REPORT=<fresh folder> FORCE=1` (no "
             "reuse of a last report), the kit built beforehand (untimed), the timeouts' "
             "calibration cached in BUILD/calibration/<lab>.json; uncached: the same once, "
             "without that file, before the repetitions.  The pools grade includes its "
             "performance stage (the reference's measure cached in BUILD/perf-cache/).  CPU "
             "seconds count every process the run waited for." % b.grading_reps)
    text += "\n\n" + md_table(
        ["run", "wall s", "CPU s", "tests", "score"],
        [["make grade, whole kit (SUBMISSION with labs/<lab>/ for every lab)",
          "%.1f" % kit["wall"], "%.0f" % kit["cpu"], kit["tests"], kit["score"]]] +
        [["Gradescope run_autograder, %s (every run; setup.sh %.0f s, once)" % (lab, images[lab][1]),
          " / ".join("%.1f" % x["wall"] for x in runs[lab]["gradescope"]),
          "%.0f" % med(runs[lab]["gradescope"], "cpu"), runs[lab]["gradescope"][-1]["tests"],
          runs[lab]["gradescope"][-1]["score"]] for lab in labs if runs[lab]["gradescope"]] +
        [["make grade-all-bench class, %d job%s (before: %.0f s)" % (j, "s" if j > 1 else "",
                                                                    GRADE_ALL_BEFORE[j]),
          "%.1f" % grade_all[j], "", "", ""] for j in sorted(grade_all)])
    text += ("\n\nGradescope: `make gradescope LAB=<lab>` unpacked into a fake /autograder "
             "(MEMLAB_AUTOGRADER_ROOT), its setup.sh run once (it builds the kit and calibrates), "
             "then run_autograder on the solution in each repetition, after the lab's make grade.  "
             "grade-all: `harness/batch/bench.sh %s` (the class and options of the figure before, "
             "docs/instructor-guide.md), printed:\n\n```\n%s\n```\n\nLoad average (1, 5, 15 min) "
             "before the section: %s; after: %s." % (
                 " ".join(a if " " not in a else '"%s"' % a for a in GRADE_ALL_ARGS),
                 "\n".join(grade_all_text), " ".join("%.2f" % x for x in load_before),
                 " ".join("%.2f" % x for x in load_after)))
    b.details.append(("grading: make grade against the floor, one memcheck process per lab", text))


def grading_plot(b, labs, runs, uncached):
    dat = os.path.join(b.out, "grading.dat")
    with open(dat, "w") as fh:
        for lab in labs:
            r = runs[lab]
            fh.write("%s %g %g %g %g\n" % (lab, med(r["floor"]), med(r["solution"]),
                                          uncached[lab]["wall"], med(r["skeleton"])))
    script = """
set terminal pngcairo size 800,420 font ",10"
set output '%s'
set title 'grading under Valgrind memcheck, wall seconds per lab (medians)'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel 'seconds'
set yrange [0:*]
set key top left
plot '%s' using 2:xtic(1) title 'floor (one memcheck process)', '' using 3 title 'make grade, solution', \
     '' using 4 title 'make grade, uncached calibration', '' using 5 title 'make grade, skeleton'
""" % (os.path.join(b.out, "grading.png"), dat)
    gnuplot(b, script, "grading.png", "grading: seconds to grade each lab, against the floor")


# ==================================================================== plots

def gnuplot(b, script, png, caption):
    if not shutil.which("gnuplot"):
        b.notes.append("gnuplot not found: %s not drawn" % png)
        return
    p = subprocess.run(["gnuplot"], input=script, capture_output=True, text=True)
    if p.returncode != 0:
        b.notes.append("gnuplot failed on %s: %s" % (png, p.stderr.strip()[-300:]))
        return
    b.plots.append((png, caption))


def plot(b, name, title, xlabel, ylabel, dat, series, logy):
    script = """
set terminal pngcairo size 800,480 font ",10"
set output '%s'
set title '%s'
set logscale x
%s
set format x '10^{%%L}'
set xlabel '%s'
set ylabel '%s'
set key outside right top
set grid
plot %s
""" % (os.path.join(b.out, name + ".png"), title.replace("'", "").replace("_", "\\_"),
       "set logscale y" if logy else "set yrange [0:*]",
       xlabel, ylabel,
       ", ".join("'%s' using 1:%d with linespoints lw 2 title '%s'" % (dat, col, label)
                 for col, label in series))
    gnuplot(b, script, name + ".png", title)


def ratios_plot(b):
    rows = [c for c in b.claims if c["ratio"] and c["layer"] != "pools"]
    if not rows:
        return
    dat = os.path.join(b.out, "ratios.dat")
    with open(dat, "w") as fh:
        for i, c in enumerate(rows):
            label = "%s: %s" % (c["layer"], c["short"])
            color = 0x999999 if c["met"] is None else 0x2e9e4f if c["met"] else 0xd04040
            fh.write('%d "%s" %g %g %g %d\n' % (i, label.replace('"', "'").replace("_", "\\\\_"),
                                                c["ratio"], min(1, c["ratio"]),
                                                max(1, c["ratio"]), color))
    script = """
set terminal pngcairo size 1000,%d font ",9"
set output '%s'
set title "memlab / its peer, measured side by side (below 1: memlab is cheaper)\\ngreen: the lab's goal met, red: missed, grey: no goal"
set logscale x
set xlabel 'ratio (log scale)'
set ytics nomirror
set yrange [-1:%d]
set grid x
set style fill solid 0.7
set arrow from 1, graph 0 to 1, graph 1 nohead dt 2 lw 2
plot '%s' using 3:1:4:5:($1-0.35):($1+0.35):6:ytic(2) with boxxyerror lc rgb variable notitle
""" % (200 + 28 * len(rows), os.path.join(b.out, "ratios.png"), len(rows), dat)
    gnuplot(b, script, "ratios.png", "every comparison as a ratio memlab / peer")


# ==================================================================== the report

def summary(b):
    """One row per claim, in the order of the sections; pools: one row per trace and
    measure, against every allocator at once."""
    rows, done = [], set()
    for c in b.claims:
        if c["layer"] != "pools":
            rows.append([c["layer"], c["measure"], fmt(c["memlab"]), c["peer"] or "",
                         fmt(c["theirs"]) if c["theirs"] is not None else "",
                         fmt(c["ratio"], 3) if c["ratio"] else "", c["goal"] or "",
                         "" if c["met"] is None else "met" if c["met"] else "**missed**"])
            continue
        if c["measure"] in done:
            continue
        done.add(c["measure"])
        cs = [x for x in b.claims if x["layer"] == "pools" and x["measure"] == c["measure"]]
        goals = ["%s %s" % (x["peer"], x["goal"]) for x in cs if x["goal"]]
        verdicts = [x["met"] for x in cs if x["met"] is not None]
        rows.append(["pools", c["measure"].replace("trace ", "", 1), fmt(c["memlab"]),
                     " / ".join(x["peer"] for x in cs), " / ".join(fmt(x["theirs"]) for x in cs),
                     " / ".join(fmt(x["ratio"], 2) for x in cs), "; ".join(goals),
                     "" if not verdicts else "met" if all(verdicts) else "**missed**"])
    return md_table(["layer", "measure", "memlab", "compared with", "theirs", "ratio", "goal",
                     "verdict"], rows)


def write_report(b, mach, started, elapsed):
    lines = ["# memlabs benchmark results", "",
             ("Run of %s, %.0f s in all (`make bench`)." % (started, elapsed) if not b.kept else
              "Written %s; each section says when it was measured (`make bench`)." % started), "",
             "## Machine", ""]
    lines += ["- %s: %s" % (k, v) for k, v in mach.items()]
    lines += ["- load average at the end: %s" % " ".join("%.2f" % x for x in os.getloadavg()),
              "", "## Summary", "",
              "ratio = memlab / compared with (below 1: memlab is cheaper).  Times are CPU time "
              "where the lab's bench says so, else wall time; every ratio comes from runs "
              "interleaved on this machine in this run, median of %d repetitions unless a "
              "section says otherwise." % b.reps, "", summary(b), ""]
    if b.kept:
        lines += ["Sections reported from an earlier run (--keep): " + ", ".join(b.kept) + ".",
                  ""]
    if b.notes:
        lines += ["## Not measured", ""] + ["- " + n for n in b.notes] + [""]
    for title, body in b.details:
        lines += ["## " + title, "", body, ""]
    if b.plots:
        lines += ["## Plots", ""] + ["![%s](%s)" % (cap, png) for png, cap in b.plots] + [""]
    text = "\n".join(lines)
    with open(os.path.join(b.out, "results.md"), "w") as fh:
        fh.write(text)
    with open(os.path.join(b.out, "results.json"), "w") as fh:
        json.dump({"machine": mach, "claims": b.claims, "raw": b.raw, "notes": b.notes},
                  fh, indent=1, default=str)
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--kit", default=os.path.dirname(HERE))
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--sizes", default="10000,100000,1000000,10000000")
    ap.add_argument("--refcount-n", type=int, default=1000000)
    ap.add_argument("--grading-reps", type=int, default=3,
                    help="repetitions of the grading section's per-lab runs")
    ap.add_argument("--gradescope", default="refcount",
                    help="comma-separated labs whose Gradescope run_autograder is timed")
    ap.add_argument("--traces", default="",
                    help="comma-separated recorded pools traces to run (default all)")
    ap.add_argument("--skip", default="", help="comma-separated sections to leave out")
    ap.add_argument("--only", default="", help="comma-separated sections to run")
    ap.add_argument("--keep", action="store_true",
                    help="report the sections not run now from their last run (BUILD/bench/sections)")
    ap.add_argument("--make", default=os.environ.get("MAKE", "make"))
    args = ap.parse_args()
    b = Bench(args)
    skip = set(filter(None, args.skip.split(",")))
    only = set(filter(None, args.only.split(",")))
    started = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    t0 = time.monotonic()
    mach = machine()
    print("make bench: %s, %s; %d repetitions; sizes %s" % (
        mach["cpu"], mach["cores"], b.reps, " ".join(size_label(n) for n in b.sizes)), flush=True)
    sections_dir = os.path.join(b.out, "sections")
    os.makedirs(sections_dir, exist_ok=True)
    for name in SECTIONS:
        saved = os.path.join(sections_dir, name + ".json")
        if name in skip or (only and name not in only):
            if args.keep and os.path.exists(saved):
                kept = json.load(open(saved))
                for key in ("claims", "details", "plots", "notes"):
                    getattr(b, key).extend(tuple(x) if key in ("details", "plots") else x
                                           for x in kept[key])
                b.raw.update(kept["raw"])
                b.kept.append("%s (measured %s)" % (name, kept["when"]))
            continue
        s0 = time.monotonic()
        before = {k: len(getattr(b, k)) for k in ("claims", "details", "plots", "notes")}
        print("make bench: %s ..." % name, end=" ", flush=True)
        try:
            globals()[name](b)
            print("%.0f s" % (time.monotonic() - s0), flush=True)
        except Exception as e:  # one broken lab bench must not hide the others
            print("not measured (%s)" % e, flush=True)
            b.notes.append("%s: %s" % (name, e))
        if b.details[before["details"]:]:
            b.details[before["details"]] = (
                b.details[before["details"]][0] + " (measured %s, load %s)" % (
                    datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
                    "%.1f" % os.getloadavg()[0]), b.details[before["details"]][1])
        section = {k: getattr(b, k)[before[k]:] for k in before}
        section.update(when=datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
                       raw={k: v for k, v in b.raw.items() if k.startswith(name)})
        with open(saved, "w") as fh:
            json.dump(section, fh, indent=1, default=str)
    ratios_plot(b)
    text = write_report(b, mach, started, time.monotonic() - t0)
    print()
    print(text[text.index("## Summary"):].split("\n## ", 2)[0] if "## Summary" in text else text)
    if b.notes:
        print("\nNot measured:\n" + "\n".join("- " + n for n in b.notes))
    print("\nmake bench: %s (plots: %s)" % (os.path.join(b.out, "results.md"),
                                           ", ".join(p for p, _ in b.plots) or "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
