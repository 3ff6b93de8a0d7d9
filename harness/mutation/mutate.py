#!/usr/bin/env python3
"""mutate.py -- mutation testing of a lab's tests (make mutation LAB=id).

    mutate.py --lab ID [--kit DIR] [--build DIR] [--jobs N] [--sample N]
              [--min-score PCT] [--no-memcheck] [--list] [--check-equivalents]

Makes the mutants of the lab's reference solution (mutants.py) -- of the
functions the student writes: a function the skeleton gives whole (the same
body in labs/<lab>/<file>) is left alone unless --include-given --, grades each
with the lab's public and hidden tests (execute.py) and reports the mutation
score = killed / (killed + survived), every survivor with its file:line and
change.  Mutants that do not compile, and those listed as equivalent in
docs/mutation-equivalents.md (equivalents.py), are reported apart and do
not count.

--sample N grades a fixed sample of N mutants (the same N for the same
source: ordered by a hash of each mutant's stable key), what `make test`
runs; the full run is `make mutation`.  --min-score makes the exit status 1
when the score is below it.  --check-equivalents runs nothing: it lists
the entries of docs/mutation-equivalents.md for the lab's files that match
no mutant any more (their line or function changed), exit status 1 if any.
Reports: <build>/mutation/<lab>/report.json
and report.txt.
"""
import argparse
import concurrent.futures
import json
import os
import sys
import time

sys.dont_write_bytecode = True

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import equivalents  # noqa: E402
import execute  # noqa: E402
import mutants  # noqa: E402


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    p.add_argument("--lab", required=True)
    p.add_argument("--kit", default=".")
    p.add_argument("--build", default="build")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--sample", type=int, default=0)
    p.add_argument("--min-score", type=float, default=None)
    p.add_argument("--no-memcheck", action="store_true")
    p.add_argument("--list", action="store_true", help="print the mutants, run nothing")
    p.add_argument("--check-equivalents", action="store_true",
                   help="list the equivalent entries that match no mutant, run nothing")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--only", action="append", default=[],
                   help="only the mutants whose id starts with this (repeatable)")
    p.add_argument("--fresh", action="store_true", help="ignore the cached results")
    p.add_argument("--include-given", action="store_true",
                   help="mutate the functions the skeleton gives whole, too")
    return p.parse_args(argv)


def collect(lab, include_given=False):
    """The mutants of the lab's files, and the functions left out because
    the skeleton gives them whole (same body in labs/<lab>/<file>)."""
    texts, out, given = {}, [], {}
    for name in lab.files:
        with open(lab.source(name)) as f:
            texts[name] = f.read()
        skeleton = os.path.join(lab.kit, "labs", lab.id, name)
        given[name] = set()
        if not include_given and os.path.exists(skeleton):
            with open(skeleton) as f:
                sk = mutants.function_bodies(name, f.read())
            sol = mutants.function_bodies(name, texts[name])
            given[name] = {fn for fn, body in sol.items() if sk.get(fn) == body}
        out.extend(mutants.mutants_of(name, texts[name], given[name]))
    return texts, out, given


def sample(ms, n):
    if not n or n >= len(ms):
        return ms
    picked = sorted(ms, key=lambda m: execute.sha1(*m.key))[:n]
    return sorted(picked, key=lambda m: (m.file, m.start, m.op))


def stale_equivalents(lab, equiv, ms):
    """The entries for the lab's files that match none of its mutants."""
    mine = {k: v for k, v in equiv.items() if k[0] in lab.files}
    return equivalents.unused(mine, {m.key for m in ms})


def describe_stale(key):
    return (f"equivalent entry matches no mutant (stale?): {key[0]} {key[1]} {key[2]} "
            f"`{key[3]}` {key[4]} (occurrence {key[5]})")


def check_equivalents(lab, equiv, ms):
    stale = stale_equivalents(lab, equiv, ms)
    for key in stale:
        print(describe_stale(key))
    print(f"mutation {lab.id}: {len(stale)} stale equivalent entries")
    return 1 if stale else 0


def main(argv):
    args = parse_args(argv)
    log = (lambda *a: None) if args.quiet else (lambda *a: print(*a, flush=True))
    t0 = time.monotonic()
    lab = execute.Lab(args.kit, args.build, args.lab)
    texts, ms, given = collect(lab, args.include_given)
    ms = sample(ms, args.sample)
    if args.only:
        ms = [m for m in ms if any(m.mid.startswith(o) for o in args.only)]
    if args.list:
        for m in ms:
            print(f"{m.mid}\t{m.change()}")
        return 0
    equiv = equivalents.load(os.path.join(lab.kit, "docs", "mutation-equivalents.md"))
    if args.check_equivalents:
        return check_equivalents(lab, equiv, ms)
    lines, seconds = lab.coverage(log)
    ex = execute.Executor(lab, lines, seconds, valgrind=not args.no_memcheck)
    ex.fresh = args.fresh

    results = {}
    todo = []
    for m in ms:
        reason = equiv.get(m.key)
        if reason:
            results[m.mid] = {"status": "equivalent", "detail": reason, "seconds": 0}
        else:
            todo.append(m)
    ngiven = sum(len(v) for v in given.values())
    log(f"mutation {lab.id}: {len(ms)} mutants ({len(ms) - len(todo)} listed as equivalent), "
        f"{args.jobs} at a time; {ngiven} functions given by the skeleton left alone")
    done = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(ex.run, m, texts[m.file]): m for m in todo}
        for fut in concurrent.futures.as_completed(futures):
            m = futures[fut]
            results[m.mid] = fut.result()
            done += 1
            r = results[m.mid]
            if r["status"] == "survived":
                log(f"  survived {m.mid} {m.change()}")
            if done % 50 == 0:
                log(f"  {done}/{len(todo)} in {time.monotonic() - t0:.0f} s")

    ex.cleanup()
    report = summarize(lab, ms, results, time.monotonic() - t0, args)
    report["given"] = {f: sorted(v) for f, v in given.items()}
    report["only"] = args.only
    write_reports(lab, report, args.sample)
    print(text_report(report, survivors_only=True), end="")
    if not (args.sample or args.only):
        for key in stale_equivalents(lab, equiv, ms):
            print("note: " + describe_stale(key))
    if args.min_score is not None and report["score"] < args.min_score:
        print(f"mutation {lab.id}: score {report['score']:.1f} % is below {args.min_score:g} %")
        return 1
    return 0


def summarize(lab, ms, results, elapsed, args):
    rows = []
    counts = {"killed": 0, "survived": 0, "not-compiling": 0, "equivalent": 0}
    for m in ms:
        r = results[m.mid]
        counts[r["status"]] += 1
        rows.append({"id": m.mid, "file": m.file, "line": m.line, "operator": m.op,
                     "change": m.change(), "function": m.func, "line_text": m.key[3],
                     "occurrence": m.key[5], **r})
    scored = counts["killed"] + counts["survived"]
    return {"lab": lab.id, "sample": args.sample, "memcheck": not args.no_memcheck,
            "total": len(ms), **counts,
            "score": 100.0 * counts["killed"] / scored if scored else 100.0,
            "seconds": round(elapsed, 1), "jobs": args.jobs, "mutants": rows}


def text_report(rep, survivors_only=False):
    out = [f"mutation {rep['lab']}{' (sample of %d)' % rep['sample'] if rep['sample'] else ''}: "
           f"{rep['total']} mutants, {rep['killed']} killed, {rep['survived']} survived, "
           f"{rep['not-compiling']} not compiling, {rep['equivalent']} equivalent; "
           f"score {rep['score']:.1f} % ({rep['seconds']:.0f} s)"]
    for status in ("survived",) if survivors_only else ("survived", "equivalent", "not-compiling"):
        rows = [r for r in rep["mutants"] if r["status"] == status]
        if rows and not survivors_only:
            out.append(f"\n{status}:")
        for r in rows:
            out.append(f"  {status} {r['file']}:{r['line']} [{r['operator']}] {r['change']}"
                       f"    ({r['detail']})\n      line: {r['line_text']}")
    if not survivors_only:
        out.append("\nkilled:")
        for r in rep["mutants"]:
            if r["status"] == "killed":
                out.append(f"  {r['id']} {r['change']} by {r['by']}: {r['how']}")
    return "\n".join(out) + "\n"


def write_reports(lab, rep, sampled):
    if rep.get("only"):
        return  # a partial run: the reports stay those of the last whole run
    stem = "sample" if sampled else "report"
    with open(os.path.join(lab.work, stem + ".json"), "w") as f:
        json.dump(rep, f, indent=1)
    with open(os.path.join(lab.work, stem + ".txt"), "w") as f:
        f.write(text_report(rep))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
