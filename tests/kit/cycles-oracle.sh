#!/bin/sh
# cycles-oracle.sh BINARY [COUNT] [FIRST_SEED] -- the cycle collector against
# CPython, graph by graph.
#
# For each seed, a graph of lists (gc_oracle.py's file format) is made:
# gc_oracle.py's own random generator (what `gc_oracle.py gen` writes), or one
# of the shapes it rarely draws -- long chains, a chain closed into a ring,
# cliques, self loops everywhere, rings hanging off a root.  Sizes go from 1
# to 10,000 lists.  CPython runs it through gc_oracle.py (`run`), BINARY
# (tests/kit/cycles-graph.c, the reference runtime) runs the same file, and
# the two outputs must agree on every key but the interpreter's version and
# the oracle's model: collect, collected_ids, freed_by_refcount, the callback
# info, the garbage order...
#
# Prints one line per mismatch (with the graph file kept for a repro), then
# "N passed, M failed"; exits 1 on any mismatch, 77 when the oracle is missing.
# ORACLES=dir overrides tests/oracles (the kit's copy of the oracle scripts).
set -eu
bin=${1:?usage: cycles-oracle.sh BINARY [COUNT] [FIRST_SEED]}
count=${2:-300}
first=${3:-1}
oracles=${ORACLES:-tests/oracles}
if [ ! -f "$oracles/gc_oracle.py" ] || ! command -v python3 >/dev/null 2>&1; then
    echo "cycles-oracle: $oracles/gc_oracle.py or python3 missing: skipped"
    exit 77
fi
keep=${KEEP:-${TMPDIR:-/tmp}/cycles-oracle-failures}

exec python3 - "$bin" "$count" "$first" "$oracles" "$keep" <<'PY'
import io, os, random, subprocess, sys, tempfile

binary, count, first, oracles, keep = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
sys.path.insert(0, oracles)
import gc_oracle  # noqa: E402

IGNORED = ("python", "model_collect", "model_agrees")


def size(rng):
    u = rng.random()
    if u < 0.70:
        return rng.randint(1, 80)
    if u < 0.92:
        return rng.randint(81, 1000)
    return rng.randint(1001, 10000)


def shape(seed):
    """(kind, n, edges, roots) for this seed."""
    rng = random.Random(seed * 7919 + 17)
    n = size(rng)
    kind = rng.choice(["random", "random", "random", "chain", "ring", "clique", "selfloops",
                       "hanging_rings"])
    if kind == "random":
        e = rng.randrange(0, 3 * n + 1)
        r = rng.randrange(0, min(n, 4) + 1)
        n, edges, roots = gc_oracle.generate(seed, n, e, r)
        return kind, n, edges, roots
    edges, roots = [], []
    if kind == "chain":                      # 0 -> 1 -> ... -> n-1, maybe closed, maybe held
        edges = [(i, i + 1) for i in range(n - 1)]
        if rng.random() < 0.5:
            edges.append((n - 1, 0))
        if rng.random() < 0.5:
            roots = [rng.randrange(n)]
    elif kind == "ring":                     # n-1 -> ... -> 0 -> n-1: allocation order reversed
        edges = [(i + 1, i) for i in range(n - 1)] + [(0, n - 1)]
        roots = sorted(rng.sample(range(n), rng.randrange(0, min(n, 2) + 1)))
    elif kind == "clique":                   # k fully connected nodes, plus loose ones
        k = min(n, rng.randint(1, 60))
        edges = [(a, b) for a in range(k) for b in range(k)]
        edges += [(rng.randrange(n), rng.randrange(n)) for _ in range(rng.randrange(n + 1))]
        rng.shuffle(edges)
        if rng.random() < 0.3:
            roots = [rng.randrange(n)]
    elif kind == "selfloops":                # every node loops on itself, a few extra edges
        edges = [(i, i) for i in range(n)]
        edges += [(rng.randrange(n), rng.randrange(n)) for _ in range(rng.randrange(n // 2 + 1))]
        roots = sorted(rng.sample(range(n), rng.randrange(0, min(n, 3) + 1)))
    else:                                    # rings of 2..9 nodes, some hanging off node 0
        i = 1
        while i < n:
            m = min(n - i, rng.randint(2, 9))
            ring = list(range(i, i + m))
            edges += [(ring[j], ring[(j + 1) % m]) for j in range(m)]
            if rng.random() < 0.5:
                edges.append((0, ring[0]))
            i += m
        roots = [0] if rng.random() < 0.6 else []
    return kind, n, edges, roots


def lines(text):
    return [ln for ln in text.splitlines() if ln.split(" ", 1)[0] not in IGNORED]


passed = failed = 0
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "graph.txt")
    for seed in range(first, first + count):
        kind, n, edges, roots = shape(seed)
        text = gc_oracle.format_graph(n, edges, roots, comment="seed=%d shape=%s" % (seed, kind))
        with open(path, "w") as f:
            f.write(text)
        out = io.StringIO()
        gc_oracle.run(n, edges, roots, out)
        expected = lines(out.getvalue())
        got = subprocess.run([binary, path], capture_output=True, text=True)
        actual = lines(got.stdout)
        if got.returncode == 0 and actual == expected:
            passed += 1
            continue
        failed += 1
        os.makedirs(keep, exist_ok=True)
        saved = os.path.join(keep, "graph-%d.txt" % seed)
        with open(saved, "w") as f:
            f.write(text)
        diff = [(e, a) for e, a in zip(expected, actual) if e != a]
        first_diff = diff[0] if diff else ("(%d lines)" % len(expected), "(%d lines, rc %d)" % (len(actual), got.returncode))
        print("MISMATCH seed=%d shape=%s nodes=%d: CPython %r, memlab %r (graph: %s)"
              % (seed, kind, n, first_diff[0][:120], first_diff[1][:120], saved))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
