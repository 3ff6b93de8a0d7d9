#!/usr/bin/env python3
"""Cut a window out of a raw recorder trace and make it self-contained.

    trim.py RAW OUT --name NAME [--skip K] [--ops N]

Keeps N operations after the first K (the interpreter's start-up; with
--center, from the middle of the rest: the workload, not its imports), renumbers
block ids densely from 1 in order of birth, turns a realloc of a block born
before the window into a malloc, drops frees of such blocks, and frees every
block still live at the end (in order of birth), so a replay ends with an
empty heap.  The first line is a header:  # memlabs-trace NAME ops=N ids=M
"""
import argparse


def trim(lines, skip, nops):
    out, ids, next_id = [], {}, 1

    def new_id(old):
        nonlocal next_id
        ids[old] = next_id
        next_id += 1
        return ids[old]

    for line in lines[skip:]:
        if len(out) >= nops:
            break
        f = line.split()
        if not f:
            continue
        kind = f[0]
        if kind == "m":
            out.append("m %d %s" % (new_id(f[1]), f[2]))
        elif kind == "c":
            out.append("c %d %s %s" % (new_id(f[1]), f[2], f[3]))
        elif kind == "r":
            old = ids.pop(f[1], None) if f[1] != "0" else 0
            if old is None:
                out.append("m %d %s" % (new_id(f[2]), f[3]))
            else:
                out.append("r %d %d %s" % (old, new_id(f[2]), f[3]))
        elif kind == "f":
            old = ids.pop(f[1], None)
            if old is not None:
                out.append("f %d" % old)
    for new in sorted(ids.values()):
        out.append("f %d" % new)
    return out, next_id - 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("raw")
    ap.add_argument("out")
    ap.add_argument("--name", required=True)
    ap.add_argument("--skip", type=int, default=0)
    ap.add_argument("--ops", type=int, default=40000)
    ap.add_argument("--center", action="store_true",
                    help="take the window from the middle of what follows the skipped part")
    a = ap.parse_args()
    with open(a.raw) as fh:
        lines = fh.read().splitlines()
    start = min(a.skip, max(0, len(lines) - a.ops))
    if a.center:
        start += max(0, (len(lines) - start - a.ops) // 2)
    ops, nids = trim(lines, start, a.ops)
    with open(a.out, "w") as fh:
        fh.write("# memlabs-trace %s ops=%d ids=%d\n" % (a.name, len(ops), nids))
        fh.write("\n".join(ops) + "\n")


if __name__ == "__main__":
    main()
