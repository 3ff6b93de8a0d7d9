#!/usr/bin/env python3
"""leakcheck.py -- prove that a packaged tree gives away no reference solution
and no hidden test.

    tools/dist/leakcheck.py KIT TREE [--allow-hidden]

KIT is the instructor's kit (with solutions/ and tests/<lab>/hidden/), TREE an
unpacked student kit or autograder.  Exits 0 when TREE is clean, 1 with one
line per leak otherwise.

What counts as a secret line: a line of solutions/<lab>/* or of
tests/<lab>/hidden/* that does not also appear in the kit's public code (the
skeletons, the public headers and tests, the given runtime, the harness, the
benchmarks): the skeleton repeats the solution's signatures and comments by
design, so only what the solution adds is secret.  Prose (docs/) and the
kit's self-tests never make a line public.  Lines are compared with their
whitespace collapsed; lines shorter than MIN_CHARS ("}", "return NULL;") are
too common to prove anything and are skipped; lines listed in
tools/dist/leak-allow.txt (one per line, # comments) are allowed on purpose.

Every text file of TREE is scanned.  Binary files (the prebuilt reference
libraries) are object code: they are checked for debug information instead,
which would map their code back to source lines.
"""
import os
import subprocess
import sys

MIN_CHARS = 20


def norm(line):
    return " ".join(line.split())


def lines_of(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    if b"\0" in data[:8192]:
        return None  # binary
    return [norm(l) for l in data.decode("utf-8", "replace").splitlines()]


def walk(root):
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if x != ".git"]
        for f in files:
            yield os.path.join(d, f)


def is_secret_path(rel):
    parts = rel.split(os.sep)
    return parts[0] == "solutions" or "hidden" in parts[:-1]


def not_public(rel):
    """Files whose lines do not make a line public: the secrets themselves,
    the kit's self-tests (mutants of the solutions live there), and prose
    (a walkthrough that quotes a solution must not whitelist it)."""
    parts = rel.split(os.sep)
    return (is_secret_path(rel) or parts[0] in ("docs", ".git", "build", "prebuilt")
            or parts[:2] in (["tests", "kit"], ["tests", "harness"]))


def kit_files(kit):
    """The kit's own files, as dist-student.sh lists them in a checkout
    (tracked or not ignored: build folders of any name, and the reports and
    copies of solutions in them, make nothing public), else every file."""
    p = subprocess.run(["git", "-C", kit, "ls-files", "-z", "--cached", "--others",
                        "--exclude-standard"], capture_output=True)
    if p.returncode != 0:
        return list(walk(kit))
    return [os.path.join(kit, f) for f in p.stdout.decode().split("\0") if f]


def secret_lines(kit, allow_hidden, allowed):
    public = set(allowed)
    for p in kit_files(kit):
        rel = os.path.relpath(p, kit)
        if not not_public(rel):
            public.update(lines_of(p) or [])
    tests = os.path.join(kit, "tests")
    labs = [l for l in sorted(os.listdir(tests))
            if os.path.isfile(os.path.join(tests, l, "lab.json"))]
    secrets = {}
    sources = [os.path.join(kit, "solutions")]
    if not allow_hidden:
        sources += [os.path.join(kit, "tests", lab, "hidden") for lab in labs]
    for src in sources:
        for p in walk(src):
            for line in lines_of(p) or []:
                if len(line) >= MIN_CHARS and line not in public:
                    secrets.setdefault(line, os.path.relpath(p, kit))
    return secrets


def has_debug_info(path):
    try:
        out = subprocess.run(["objdump", "-h", path], capture_output=True, text=True).stdout
    except OSError:
        return False
    return ".debug_" in out


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    kit, tree, allow_hidden = argv[1], argv[2], "--allow-hidden" in argv
    allow_file = os.path.join(kit, "tools", "dist", "leak-allow.txt")
    allowed = [norm(l) for l in (lines_of(allow_file) or []) if l and not l.startswith("#")]
    secrets = secret_lines(kit, allow_hidden, allowed)
    leaks, scanned = [], 0
    for p in walk(tree):
        rel = os.path.relpath(p, tree)
        if rel.split(os.sep)[0] == "solutions":
            leaks.append(f"{rel}: a solutions/ folder is inside")
        if not allow_hidden and "hidden" in rel.split(os.sep)[:-1]:
            leaks.append(f"{rel}: a hidden test is inside")
        content = lines_of(p)
        if content is None:
            if p.endswith((".a", ".o")) and has_debug_info(p):
                leaks.append(f"{rel}: object code with debug information (source lines)")
            continue
        scanned += 1
        for n, line in enumerate(content, 1):
            if line in secrets:
                leaks.append(f"{rel}:{n}: line of {secrets[line]}: {line[:60]}")
    for leak in leaks:
        print(leak)
    print(f"leakcheck: {scanned} text files scanned against {len(secrets)} secret lines, "
          f"{len(leaks)} leaks", file=sys.stderr)
    return 1 if leaks else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
