"""execute.py -- stage 2 of the mutation tool: build each mutant and run the
lab's tests (public and hidden) on it.

    coverage   once per lab: the reference built with --coverage, each test
               run alone; which test executes which line, and how long it
               takes.  A mutant is run only with the tests that execute one
               of its lines (a test that never reaches the line behaves the
               same on the mutant); a line gcov does not count (a static
               initializer) is run with every test.
    build      the mutated file compiled as the Makefile does, linked like
               build/student/<lab>/t_<lab>: the lab's test objects, the
               lab's other files from the reference, every other layer's
               reference library.  A compiler error: "not compiling".
    native     the selected tests, killers and short tests first, each in a
               forked child (mdriver.c), timeout 3 x the declared one,
               MALLOC_PERTURB_ set; the first failure, crash or timeout
               kills the mutant.
    memcheck   only for a mutant that survived natively: the first 12 of
               the same tests but the long ones (over 0.25 s natively:
               stress tests), killers first, under one Valgrind (--errors-for-leak-kinds=definite
               --error-exitcode; the children inherit it); an error or a
               definite leak kills it.

Results are cached per mutant in <build>/mutation/<lab>/cache/, keyed by
the mutant's text: a rerun does only the new mutants, and the survivors
again when the tests changed (a killed mutant stays killed while its killer
test exists; --fresh ignores the cache).
"""
import hashlib
import json
import os
import re
import resource
import shutil
import subprocess
import threading
import time

TOOL_VERSION = "2"
# How per-test coverage is found; a new one redoes every verdict but a kill.
# 2: lines that only run under Valgrind (a client request that answers
# there, such as VALGRIND_GET_VBITS) are covered by a memcheck pass too.
COVERAGE_VERSION = "2"
ANSWERS_UNDER_VALGRIND = re.compile(r"\b(RUNNING_ON_VALGRIND|VALGRIND_GET_VBITS|VALGRIND_COUNT_ERRORS)\b")
CFLAGS = ["-std=c11", "-D_GNU_SOURCE", "-w", "-O0", "-g0", "-pipe"]
VALGRIND = ["valgrind", "-q", "--leak-check=full", "--show-leak-kinds=definite",
            "--errors-for-leak-kinds=definite", "--error-exitcode=99", "--num-callers=12"]
NATIVE_FACTOR = 3.0
MEMCHECK_MAX_NATIVE = 0.25  # seconds: longer tests are left out of the memcheck pass
MEMCHECK_MAX_TESTS = 12     # the memcheck pass runs at most this many tests (killers first)
VALGRIND_FACTOR = 30.0


def kit_labs(kit):
    """The kit's labs (a folder tests/<lab>/ with a lab.json), in the order of
    their lab.json "number", as the Makefile lists them."""
    tests = os.path.join(kit, "tests")
    found = []
    for name in sorted(os.listdir(tests)):
        path = os.path.join(tests, name, "lab.json")
        if os.path.isfile(path):
            with open(path) as f:
                found.append((json.load(f).get("number", 1 << 30), name))
    return [name for _, name in sorted(found)]


def sha1(*parts):
    h = hashlib.sha1()
    for p in parts:
        h.update(p if isinstance(p, bytes) else str(p).encode())
        h.update(b"\0")
    return h.hexdigest()


def file_sha1(path):
    with open(path, "rb") as f:
        return sha1(f.read())


def limit_native():
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def limit_valgrind():
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


class Lab:
    """What is needed to build and test mutants of one lab."""

    def __init__(self, kit, build, lab):
        self.kit, self.build, self.id = os.path.abspath(kit), os.path.abspath(build), lab
        with open(os.path.join(self.kit, "tests", lab, "lab.json")) as f:
            self.files = json.load(f)["files"]
        self.work = os.path.join(self.build, "mutation", lab)
        self.ref_bin = os.path.join(self.build, "tests", lab, f"t_{lab}")
        self.objs, self.ldlibs, self.ldflags = self._manifest()
        self.ref_libs = [os.path.join(self.build, "lib", f"libref_{l}.a") for l in kit_labs(self.kit)
                         if l != lab and os.path.exists(os.path.join(self.build, "lib", f"libref_{l}.a"))]
        self.tests = self._tests()
        self.test_digest = sha1(file_sha1(self.ref_bin), COVERAGE_VERSION)
        self.source_digest = sha1(*[file_sha1(self.source(f)) for f in self.files])
        self.kills = {}
        self.lock = threading.Lock()
        os.makedirs(os.path.join(self.work, "cache"), exist_ok=True)

    def source(self, name):
        return os.path.join(self.kit, "solutions", self.id, name)

    def _manifest(self):
        """The test objects and link flags of the lab, as the Makefile wrote
        them for the grader (make all)."""
        objs, ldlibs, ldflags = [], [], []
        path = os.path.join(self.build, "grader", f"{self.id}.link")
        if not os.path.exists(path) or os.path.getmtime(path) < os.path.getmtime(self.ref_bin):
            raise SystemExit(f"{path} is missing or older than {self.ref_bin}: run make "
                             f"BUILD={self.build} first")
        with open(path) as f:
            for line in f:
                kind, _, rest = line.strip().partition(" ")
                if kind in ("obj", "given-obj"):  # given code: linked as the grader does
                    objs.append(os.path.join(self.kit, rest) if not os.path.isabs(rest) else rest)
                elif kind == "ldlibs":
                    ldlibs = rest.split()
                elif kind == "ldflags":
                    ldflags = rest.split()
        return objs, ldlibs, ldflags

    def _tests(self):
        out = subprocess.run([self.ref_bin, "--list"], capture_output=True, text=True, check=True)
        return {t["name"]: t for t in json.loads(out.stdout)}

    # ------------------------------------------------------------ build
    def compile(self, src, obj, extra=()):
        cmd = ["cc", *CFLAGS, *extra, "-I" + os.path.join(self.kit, "labs/include"),
               "-I" + os.path.join(self.kit, "harness/runner"),
               "-iquote", os.path.join(self.kit, "solutions", self.id), "-c", src, "-o", obj]
        r = subprocess.run(cmd, capture_output=True, text=True)
        return r.returncode == 0, r.stderr

    def link(self, lab_objs, out, extra=(), driver=True):
        """The lab's tests on `lab_objs`; with `driver`, main() is
        mdriver.c's (a list of tests, forked), else the runner's."""
        runtime = os.path.join(self.build, "lib", "libruntime.a")
        librunner = os.path.join(self.build, "lib", "librunner.a")
        # the driver replaces runner.o only: the rest of the test kit (mlalloc.o) is the library's
        runner = self.driver_objs() + [librunner] if driver else [librunner]
        cmd = ["cc", *self.ldflags, *extra, "-o", out, *self.objs, *lab_objs, *runner,
               "-Wl,--start-group", *self.ref_libs, runtime, "-Wl,--end-group", *self.ldlibs]
        r = subprocess.run(cmd, capture_output=True, text=True)
        return r.returncode == 0, r.stderr

    def driver_objs(self):
        """mdriver.o and the runner with its main() renamed ml_runner_main."""
        d = os.path.join(self.work, "driver")
        objs = [os.path.join(d, "mdriver.o"), os.path.join(d, "runner.o")]
        if all(os.path.exists(o) for o in objs):
            return objs
        os.makedirs(d, exist_ok=True)
        here = os.path.dirname(os.path.abspath(__file__))
        subprocess.run(["cc", "-std=c11", "-D_GNU_SOURCE", "-O1", "-c",
                        os.path.join(here, "mdriver.c"), "-o", objs[0]], check=True)
        subprocess.run(["ar", "x", os.path.join(self.build, "lib", "librunner.a"), "runner.o"],
                       cwd=d, check=True)
        subprocess.run(["objcopy", "--redefine-sym", "main=ml_runner_main",
                        os.path.join(d, "runner.o")], check=True)
        return objs

    def reference_obj(self, name):
        return os.path.join(self.build, "obj", "solutions", self.id, name[:-2] + ".o")

    # ------------------------------------------------------------ coverage
    def coverage(self, log=print):
        """{file: {line: [tests]}} for executable lines (absent: not
        executable), and {test: seconds}; cached."""
        digest = sha1(TOOL_VERSION, self.test_digest,
                      *[file_sha1(self.source(f)) for f in self.files])
        path = os.path.join(self.work, "coverage.json")
        if os.path.exists(path):
            with open(path) as f:
                cached = json.load(f)
            if cached.get("digest") == digest:
                return cached["lines"], cached["seconds"]
        log(f"mutation {self.id}: per-test coverage of the reference ({len(self.tests)} tests)")
        cov = os.path.join(self.work, "cov")
        shutil.rmtree(cov, ignore_errors=True)
        os.makedirs(cov)
        objs = []
        for name in self.files:
            obj = os.path.join(cov, name[:-2] + ".o")
            ok, err = self.compile(self.source(name), obj, ["--coverage", "-g"])
            if not ok:
                raise SystemExit(f"cannot build the coverage binary: {err}")
            objs.append(obj)
        binary = os.path.join(cov, f"t_{self.id}")
        ok, err = self.link(objs, binary, ["--coverage"], driver=False)
        if not ok:
            raise SystemExit(f"cannot link the coverage binary: {err}")
        lines = {f: {} for f in self.files}
        seconds = {}
        for test in self.tests:
            t0 = time.monotonic()
            for name, line, count in self._covered_by(binary, cov, test, [], 10):
                lines[name].setdefault(str(line), [])
                if count > 0:
                    lines[name][str(line)].append(test)
            seconds[test] = time.monotonic() - t0
        self._cover_valgrind_only_lines(binary, cov, lines, seconds, log)
        with open(path, "w") as f:
            json.dump({"digest": digest, "lines": lines, "seconds": seconds}, f)
        return lines, seconds

    def _covered_by(self, binary, cov, test, prefix, factor):
        """(file, line, count) of every executable line after one run of
        `test` (under `prefix`, e.g. valgrind), from fresh .gcda files."""
        for name in self.files:
            gcda = os.path.join(cov, name[:-2] + ".gcda")
            if os.path.exists(gcda):
                os.unlink(gcda)
        scratch = os.path.join(cov, "scratch")
        os.makedirs(scratch, exist_ok=True)
        try:
            subprocess.run(prefix + [binary, "--run", test], cwd=scratch, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=self.timeout(test) * factor)
        except subprocess.TimeoutExpired:
            pass  # the counts written so far still say what ran
        for name in self.files:
            for line, count in gcov_lines(self.source(name), cov):
                yield name, line, count

    def _cover_valgrind_only_lines(self, binary, cov, lines, seconds, log):
        """A file whose code asks Valgrind a question (VALGRIND_GET_VBITS...)
        has lines only a run under Valgrind executes, which the native pass
        leaves without tests: each short test runs once more under memcheck,
        and becomes a test of the lines it executes there (a mutant of them
        is then killed, or not, by the memcheck pass)."""
        def asks_valgrind(name):
            with open(self.source(name)) as f:
                return ANSWERS_UNDER_VALGRIND.search(f.read()) is not None
        if not any(asks_valgrind(f) for f in self.files):
            return
        unrun = {(name, line) for name, per_line in lines.items()
                 for line, tests in per_line.items() if not tests}
        if not unrun:
            return
        short = [t for t in self.tests if seconds.get(t, 0) <= MEMCHECK_MAX_NATIVE]
        log(f"mutation {self.id}: lines only Valgrind runs, from {len(short)} tests under memcheck")
        for test in short:
            for name, line, count in self._covered_by(binary, cov, test, ["valgrind", "-q"],
                                                      VALGRIND_FACTOR):
                if count > 0 and (name, str(line)) in unrun:
                    lines[name][str(line)].append(test)

    def timeout(self, test):
        return float(self.tests[test].get("timeout") or 2)


def gcov_lines(source, objdir):
    """(line, count) of every executable line of `source` (gcov -t)."""
    r = subprocess.run(["gcov", "-t", "-o", objdir, source], capture_output=True, text=True,
                       cwd=objdir)
    for m in re.finditer(r"^\s*([0-9]+\*?|#####|=====|-):\s*([0-9]+):", r.stdout, re.M):
        count, line = m.group(1), int(m.group(2))
        if count == "-" or line == 0:
            continue
        yield line, 0 if count in ("#####", "=====") else int(count.rstrip("*"))


class Executor:
    """Runs mutants of one lab, `jobs` at a time (a slot = a work folder)."""

    def __init__(self, lab, lines, seconds, valgrind=True):
        self.lab, self.lines, self.seconds, self.valgrind = lab, lines, seconds, valgrind
        self.slots = []
        self.slot_lock = threading.Lock()
        self.fresh = False
        lab.driver_objs()  # once, before the workers start

    def _slot(self):
        with self.slot_lock:
            for i, busy in enumerate(self.slots):
                if not busy:
                    self.slots[i] = True
                    return i
            self.slots.append(True)
            return len(self.slots) - 1

    def cleanup(self):
        for i in range(len(self.slots)):
            shutil.rmtree(os.path.join(self.lab.work, f"slot{i}-{os.getpid()}"),
                          ignore_errors=True)

    def _free(self, i):
        with self.slot_lock:
            self.slots[i] = False

    def selected_tests(self, m):
        """The tests that execute a line of the mutant: None = every test."""
        per_line = self.lines.get(m.file, {})
        executable = [str(l) for l in range(m.line, m.last_line + 1) if str(l) in per_line]
        if not executable:
            return None
        tests = set()
        for l in executable:
            tests.update(per_line[l])
        return tests

    def key(self, m, text):
        """The cache key: the mutant's text (with the lab's other files and
        the tool).  The tests are not in it: see reusable()."""
        return sha1(TOOL_VERSION, self.lab.source_digest, m.file, m.apply(text), self.valgrind)

    def reusable(self, r):
        """A cached result stands when the tests cannot have changed it: a
        mutant killed by a test that still exists stays killed (tests are
        only ever made stronger); any other verdict is redone when the
        test binary changed."""
        if r.get("status") == "killed":
            return r.get("by") in self.lab.tests
        if r.get("status") == "not-compiling":
            return True
        return r.get("tests") == self.lab.test_digest

    def cached(self, m, text):
        path = os.path.join(self.lab.work, "cache", self.key(m, text) + ".json")
        if os.path.exists(path) and not self.fresh:
            with open(path) as f:
                r = json.load(f)
            if self.reusable(r):
                return r
        return None

    def run(self, m, text):
        hit = self.cached(m, text)
        if hit is not None:
            return hit
        slot = self._slot()
        try:
            result = self._run(m, text, slot)
        finally:
            self._free(slot)
        result["tests"] = self.lab.test_digest
        path = os.path.join(self.lab.work, "cache", self.key(m, text) + ".json")
        with open(path + ".tmp", "w") as f:
            json.dump(result, f)
        os.replace(path + ".tmp", path)
        return result

    def _run(self, m, text, slot):
        t0 = time.monotonic()
        lab = self.lab
        wdir = os.path.join(lab.work, f"slot{slot}-{os.getpid()}")
        shutil.rmtree(wdir, ignore_errors=True)
        os.makedirs(os.path.join(wdir, "scratch"))
        src = os.path.join(wdir, m.file)
        with open(src, "w") as f:
            f.write(m.apply(text))
        objs = []
        for name in lab.files:
            if name == m.file:
                obj = os.path.join(wdir, name[:-2] + ".o")
                ok, err = lab.compile(src, obj)
                if not ok:
                    return {"status": "not-compiling", "detail": first_error(err),
                            "seconds": time.monotonic() - t0}
                objs.append(obj)
            else:
                objs.append(lab.reference_obj(name))
        binary = os.path.join(wdir, f"t_{lab.id}")
        ok, err = lab.link(objs, binary)
        if not ok:
            return {"status": "not-compiling", "detail": "link: " + first_error(err),
                    "seconds": time.monotonic() - t0}
        tests = self.selected_tests(m)
        if tests is None:
            tests = set(lab.tests)
        if not tests:
            return {"status": "survived", "detail": "no test executes this line",
                    "seconds": time.monotonic() - t0}
        with lab.lock:
            order = sorted(tests, key=lambda t: (-lab.kills.get(t, 0), self.seconds.get(t, 1), t))
        scratch = os.path.join(wdir, "scratch")
        verdict = self.native(binary, order, scratch)
        if verdict is None and self.valgrind:
            verdict = self.memcheck(binary, self.memcheck_order(order), scratch)
        if verdict is None:
            return {"status": "survived", "detail": f"{len(order)} tests pass",
                    "seconds": time.monotonic() - t0}
        with lab.lock:
            lab.kills[verdict["by"]] = lab.kills.get(verdict["by"], 0) + 1
        verdict.update(status="killed", seconds=time.monotonic() - t0)
        return verdict

    def memcheck_order(self, order):
        """The tests for the memcheck pass: the short ones (a stress test
        runs 40-75 times slower under Valgrind, and repeats at scale what
        the short tests do), or the shortest one when none is short."""
        short = [t for t in order if self.seconds.get(t, 0) <= MEMCHECK_MAX_NATIVE]
        return short[:MEMCHECK_MAX_TESTS] or sorted(order, key=lambda t: self.seconds.get(t, 0))[:1]

    def native(self, binary, order, scratch):
        # freed memory filled with junk: a use after free shows natively
        env = dict(os.environ, MALLOC_PERTURB_="165")
        return run_tests([binary], order, self.lab, NATIVE_FACTOR, scratch, env, limit_native)

    def memcheck(self, binary, order, scratch):
        v = run_tests(VALGRIND + [binary], order, self.lab, VALGRIND_FACTOR, scratch,
                      dict(os.environ), limit_valgrind)
        if v:
            v["how"] = "memcheck: " + v["how"]
        return v


def run_tests(argv, order, lab, factor, cwd, env, preexec):
    """None when every test passes, else {"by": test, "how": why}."""
    timeouts = [lab.timeout(t) * factor for t in order]
    args = argv + [f"{t}:{s:g}" for t, s in zip(order, timeouts)]
    err_path = os.path.join(cwd, "..", "stderr.txt")
    with open(err_path, "wb") as err:
        try:
            r = subprocess.run(args, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=err, timeout=sum(timeouts) + 60, preexec_fn=preexec,
                               env=env)
        except subprocess.TimeoutExpired:
            return {"by": order[0], "how": "the whole run timed out"}
    out = r.stdout.decode(errors="replace").splitlines()
    fail = [l for l in out if l.startswith("FAIL ")]
    if r.returncode == 0 and not fail:
        return None
    if not fail:
        passed = {l[5:] for l in out if l.startswith("PASS ")}
        rest = [t for t in order if t not in passed]
        return {"by": rest[0] if rest else order[-1], "how": f"driver exit {r.returncode}"}
    _, name, how = (fail[-1] + " ").split(" ", 2)
    with open(err_path, "rb") as f:
        f.seek(max(0, os.path.getsize(err_path) - 8192))
        tail = f.read().decode(errors="replace")
    return {"by": name, "how": why(how.strip(), tail)}


def why(how, tail):
    if how == "memcheck":
        m = re.search(r"==\d+== ((Invalid|Conditional|Mismatched|Source and|Syscall|Use of"
                      r"|Argument|.*definitely lost).*)", tail)
        return m.group(1) if m else "memcheck error"
    lines = [l for l in tail.splitlines() if l.strip() and not l.startswith("==")]
    if how.startswith("exit") and lines:
        return lines[-1][:200]
    return how


def first_error(err):
    for line in err.splitlines():
        if "error" in line:
            return line.strip()[:200]
    return (err.strip().splitlines() or ["?"])[0][:200]
