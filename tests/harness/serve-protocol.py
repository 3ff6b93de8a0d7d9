#!/usr/bin/env python3
"""serve-protocol.py -- the runner's --serve mode (harness/runner/runner.c),
spoken to exactly as the grader speaks to it.

Starts a test binary with the protocol's pipes at descriptors 3 (requests),
4 (replies) and 5 (records), natively and under Valgrind memcheck (one XML
file per process, vg.<pid>.xml), and checks every line it answers:
HELLO, READY, EXIT with the wait status expected, NOTEST, ERROR, one record
per test with its observation trace.  Two binaries are used:

  BUILD/tests/refcount/t_refcount    real tests of a lab
  probe                              built here from a few tests whose
                                     assertions sit on known lines, so that
                                     a trace can be computed by hand, plus
                                     the same bodies on plain Check (no
                                     mltest.h), whose failure messages the
                                     runner's must equal byte for byte

and a third one declaring two tests of the same name, which every mode must
refuse.  Prints one line per failed check and "N passed, M failed" last;
exit status 0 only if every check passed.

    BUILD=build python3 tests/harness/serve-protocol.py [--measure]

--measure also times every refcount test under Valgrind: one --serve for
all of them against one valgrind --run per test.
"""
import fcntl
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

KIT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.abspath(os.path.join(KIT, os.environ.get("BUILD", "build")))
T_REFCOUNT = os.path.join(BUILD, "tests", "refcount", "t_refcount")
WORK = os.path.join(BUILD, "kit-tests", "serve-protocol")
REPLY_TIMEOUT = 60  # seconds; Valgrind's start is slow on a shared machine
VALGRIND = ["valgrind", "-q", "--tool=memcheck", "--xml=yes", "--child-silent-after-fork=no",
            "--leak-check=full"]

passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)
    return ok


# ---------------------------------------------------------------- the probe

# Each assertion that the trace check needs carries a /* @tag */ comment, so
# that its line is found in the text, not hard-coded.
BODIES = r"""
BODY(counts_three)
{
    int x = 2;
    ck_assert_int_eq(x, 2); /* @c1 */
    ck_assert(x > 1); /* @c2 */
    ck_assert_str_eq("a", "a"); /* @c3 */
}

BODY(fails_int)
{
    int x = 2;
    ck_assert_int_eq(x, 2); /* @f1 */
    ck_assert_int_eq(x, 3);
    ck_assert_int_eq(x, 2);
}

BODY(fails_plain)
{
    int x = 2;
    ck_assert(x == 3);
}

BODY(fails_msg)
{
    int x = 2;
    ck_assert_msg(x == 3, "x is %d, not %d", x, 3);
}

BODY(fails_str)
{
    const char *s = "a";
    ck_assert_str_eq(s, "b");
}

BODY(fails_ptr)
{
    ck_assert_ptr_null((void *)0x10);
}

BODY(fails_bytes)
{
    const char *s = "\xff";
    ck_assert_str_eq(s, "b");
}

BODY(fails_abort)
{
    ck_abort_msg("gave up at %d", 7);
}

BODY(evaluates_once)
{
    int n = 0;
    ck_assert(n++ == 0);
    ck_assert_int_eq(n, 1);
}

BODY(starts_fresh)
{
    ck_assert_int_eq(touched, 0);
    touched = 1;
    FILE *f = fopen("here", "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
}

BODY(crashes)
{
    ck_assert(1);
    raise(SIGSEGV);
}

BODY(leaks)
{
    char *p = malloc(100);
    ck_assert_ptr_nonnull(p);
    p[0] = 1;
    p = NULL;
}
"""

PROBE_C = r"""
#include "mltest.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
static int touched;
void ml_lab_setup(void)
{
    ck_assert(touched == 0); /* @s1 */
}
#define BODY(name) ML_TEST(name)
#include "bodies.h"
"""

DUP_A = '#include "mltest.h"\nML_TEST(same_name) { ck_assert(1); }\nML_TEST(other) {}\n'
DUP_B = '#include "mltest.h"\n\nML_TEST(same_name) { ck_assert(1); }\n'

# Plain Check: the same bodies, and each failure as a JSON line.
PLAIN_C = r"""
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
static int touched;
#define BODY(name) START_TEST(name)
#include "bodies.h"
int main(void)
{
    const TTest *tests[] = {fails_int, fails_plain, fails_msg, fails_str, fails_ptr, fails_abort};
    Suite *s = suite_create("plain");
    for (size_t i = 0; i < sizeof tests / sizeof *tests; i++) {
        TCase *tc = tcase_create(tests[i]->name);
        tcase_add_test(tc, tests[i]);
        suite_add_tcase(s, tc);
    }
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_SILENT);
    TestResult **r = srunner_results(sr);
    for (int i = 0; i < srunner_ntests_run(sr); i++)
        printf("%s\t%s\t%d\t%s\n", tr_tcname(r[i]), tr_lfile(r[i]), tr_lno(r[i]), tr_msg(r[i]));
    return 0;
}
"""


def pkg_config(flag):
    return subprocess.run(["pkg-config", flag, "check"], check=True, capture_output=True,
                          text=True).stdout.split()


def build_probes():
    """Builds probe, t_dup and plain in WORK; returns their paths."""
    src = os.path.join(WORK, "src")
    os.makedirs(src, exist_ok=True)
    files = {"bodies.h": BODIES, "probe.c": PROBE_C, "dup_a.c": DUP_A, "dup_b.c": DUP_B,
             "plain.c": PLAIN_C}
    for name, text in files.items():
        with open(os.path.join(src, name), "w") as f:
            f.write(text)
    cflags = ["-std=c11", "-D_GNU_SOURCE", "-g", "-O0", "-I" + os.path.join(KIT, "harness/runner")]
    cflags += pkg_config("--cflags")
    runner = [os.path.join(BUILD, "lib", "librunner.a")] + pkg_config("--libs") + ["-ljansson", "-lm"]
    out = {}
    for exe, sources, libs in (("probe", ["probe.c"], runner), ("t_dup", ["dup_a.c", "dup_b.c"], runner),
                               ("plain", ["plain.c"], pkg_config("--libs"))):
        out[exe] = os.path.join(WORK, exe)
        cmd = ["cc"] + cflags + ["-Wl,--wrap=_exit", "-o", out[exe]]
        cmd += [os.path.join(src, s) for s in sources] + libs
        if exe == "plain":
            cmd.remove("-Wl,--wrap=_exit")
        subprocess.run(cmd, check=True, cwd=src)
    return out


def tag_line(tag):
    for number, line in enumerate(BODIES.split("\n"), 1):
        if "@" + tag + " " in line:
            return number
    for number, line in enumerate(PROBE_C.split("\n"), 1):
        if "@" + tag + " " in line:
            return number
    raise KeyError(tag)


def fnv1a(h, data):
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def trace_of(points):
    """The trace of the assertions at points [(file, line)], as the runner hashes it."""
    h = 0xCBF29CE484222325
    for file, line in points:
        h = fnv1a(h, ("%s:%d\n" % (file, line)).encode())
    return "%016x" % h


def seed_from_name(name):
    return fnv1a(1469598103934665603, name.encode()) % 1000000007


# ---------------------------------------------------------------- the grader's side

class Server:
    """One `--serve` process, with its three protocol pipes."""

    def __init__(self, argv, fds=(3, 4, 5)):
        req_r, self.req_w = os.pipe()
        self.rep_r, rep_w = os.pipe()
        self.rec_r, rec_w = os.pipe()
        self.placeholders = keep_low_fds_open()
        # The child's ends, moved out of the way of 3..5 before dup2 puts them there.
        ends = [fcntl.fcntl(fd, fcntl.F_DUPFD, 20) for fd in (req_r, rep_w, rec_w)]
        for fd in (req_r, rep_w, rec_w):
            os.close(fd)

        def place():
            for want, fd in zip((3, 4, 5), ends):
                if want in fds:
                    os.dup2(fd, want)
                else:
                    os.close(want)
            for fd in ends:
                os.close(fd)

        self.out = tempfile.TemporaryFile()
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.out,
                                     stderr=self.err, preexec_fn=place, pass_fds=(3, 4, 5))
        for fd in ends:
            os.close(fd)
        for fd in self.placeholders:
            os.close(fd)
        self.buffer = b""

    def send(self, line):
        os.write(self.req_w, line.encode())

    def reply(self):
        """The next line on fd 4 (without "\\n"), or None at EOF or after the timeout."""
        deadline = time.time() + REPLY_TIMEOUT
        while b"\n" not in self.buffer:
            ready, _, _ = select.select([self.rep_r], [], [], max(0, deadline - time.time()))
            if not ready:
                return None
            data = os.read(self.rep_r, 4096)
            if not data:
                return None
            self.buffer += data
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode()

    def records(self):
        """Every record line waiting on fd 5, parsed."""
        data = b""
        while select.select([self.rec_r], [], [], 0)[0]:
            chunk = os.read(self.rec_r, 65536)
            if not chunk:
                break
            data += chunk
        return [json.loads(line) for line in data.decode().split("\n") if line]

    def run(self, name, seed="-", workdir=None, go="GO"):
        """RUN one test; returns (pid, wait status, [records]) or None on a protocol error."""
        workdir = workdir or tempfile.mkdtemp(dir=WORK)
        self.send("RUN %s %s %s\n" % (name, seed, workdir))
        ready = self.reply()
        m = re.fullmatch(r"READY (\d+) (\S+)", ready or "")
        if not check(m and m.group(2) == name, "READY for %s, got %r" % (name, ready)):
            return None
        pid = int(m.group(1))
        check(os.getpgid(pid) == pid, "%s: pid %d leads its own process group" % (name, pid))
        self.send(go + "\n")
        done = self.reply()
        e = re.fullmatch(r"EXIT (\d+) (\d+)", done or "")
        if not check(e and e.group(1) == m.group(1), "EXIT of pid %s, got %r" % (m.group(1), done)):
            return None
        return int(m.group(1)), int(e.group(2)), self.records()

    def finish(self):
        """Closes the requests (EOF); returns the exit status and stderr."""
        os.close(self.req_w)
        try:
            rc = self.proc.wait(REPLY_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        os.close(self.rep_r)
        os.close(self.rec_r)
        self.err.seek(0)
        return rc, self.err.read().decode(errors="replace")


def keep_low_fds_open():
    """pass_fds needs 3, 4 and 5 open here too: fills any gap with /dev/null."""
    opened = []
    while True:
        missing = [fd for fd in (3, 4, 5) if not fd_open(fd)]
        if not missing:
            return opened
        opened.append(os.open(os.devnull, os.O_RDONLY))


def fd_open(fd):
    try:
        os.fstat(fd)
        return True
    except OSError:
        return False


def start(binary, vgdir=None):
    argv = [binary, "--serve"]
    if vgdir:
        argv = VALGRIND + ["--xml-file=%s/vg.%%p.xml" % vgdir] + argv
    s = Server(argv)
    hello = s.reply()
    check(hello == "HELLO %d" % s.proc.pid, "HELLO %d, got %r" % (s.proc.pid, hello))
    return s


def one_record(result, name, status):
    """Checks that a RUN ended with exit(0 or 1) and one record; returns it."""
    if result is None:
        return None
    pid, wait_status, records = result
    want = 0 if status == "pass" else 256
    check(wait_status == want, "%s: wait status %d, expected %d" % (name, wait_status, want))
    if not check(len(records) == 1, "%s: %d records, expected 1" % (name, len(records))):
        return None
    r = records[0]
    check(r["test"] == name and r["status"] == status,
          "%s: record %s, expected status %s" % (name, r, status))
    check(re.fullmatch(r"[0-9a-f]{16}", r["trace"]) is not None, "%s: trace %r" % (name, r["trace"]))
    check(list(r) == ["test", "status", "file", "line", "message", "seed", "asserts", "trace"],
          "%s: fields %s" % (name, list(r)))
    return r


# ---------------------------------------------------------------- the checks

def refcount_session(vgdir=None):
    """Real tests of refcount: pass twice with one trace, seeds, NOTEST, EOF."""
    s = start(T_REFCOUNT, vgdir)
    names = ["new_object_has_refcount_one", "list_new_has_null_slots_and_is_tracked"]
    pids, traces = [], {}
    for name in names + names[:1]:
        result = s.run(name)
        r = one_record(result, name, "pass")
        if r:
            pids.append(result[0])
            check(r["asserts"] > 0, "%s: %d asserts" % (name, r["asserts"]))
            check(r["seed"] == seed_from_name(name), "%s: seed %d" % (name, r["seed"]))
            check(traces.setdefault(name, r["trace"]) == r["trace"],
                  "%s: trace %s then %s" % (name, traces[name], r["trace"]))
    check(len(set(traces.values())) == 2, "two tests, one trace: %s" % traces)
    r = one_record(s.run(names[0], seed="12345"), names[0], "pass")
    check(r and r["seed"] == 12345, "RUN with seed 12345: %s" % r)
    s.send("RUN no_such_test - /tmp\n")
    check(s.reply() == "NOTEST no_such_test", "NOTEST")
    check(one_record(s.run(names[1]), names[1], "pass") is not None, "a RUN after NOTEST")
    rc, err = s.finish()
    check(rc == 0, "EOF on requests: exit %d (stderr %r)" % (rc, err))
    if vgdir:
        check_vg_files(vgdir, s.proc.pid, pids)


def check_vg_files(vgdir, server_pid, pids):
    """One complete vg.<pid>.xml per child, one for the server."""
    for pid in pids + [server_pid]:
        path = os.path.join(vgdir, "vg.%d.xml" % pid)
        if check(os.path.exists(path), "%s exists" % path):
            with open(path) as f:
                text = f.read()
            check(text.rstrip().endswith("</valgrindoutput>"), "%s is complete" % path)
            check("<pid>%d</pid>" % pid in text, "%s is pid %d's" % (path, pid))


def probe_session(probe, plain_failures, vgdir=None):
    """Traces computed by hand, failure messages equal to plain Check's."""
    s = start(probe, vgdir)
    r = one_record(s.run("counts_three"), "counts_three", "pass")
    source = os.path.join(WORK, "src", "bodies.h")
    setup = (os.path.join(WORK, "src", "probe.c"), tag_line("s1"))
    if r:
        points = [setup] + [(source, tag_line(t)) for t in ("c1", "c2", "c3")]
        check(r["asserts"] == 4 and r["trace"] == trace_of(points),
              "counts_three: %d asserts, trace %s, expected 4 and %s"
              % (r["asserts"], r["trace"], trace_of(points)))
    r = one_record(s.run("fails_int"), "fails_int", "fail")
    if r:
        points = [setup, (source, tag_line("f1"))]
        check(r["asserts"] == 2 and r["trace"] == trace_of(points),
              "fails_int: trace of the assertions before the failure only: %s" % r)
    for name, want in plain_failures.items():
        r = one_record(s.run(name), name, "fail")
        check(r and (r["file"], r["line"], r["message"]) == want,
              "%s: %s, plain Check says %s" % (name, r and (r["file"], r["line"], r["message"]), want))
    r = one_record(s.run("fails_bytes"), "fails_bytes", "fail")
    check(r and r["message"] == "(message not in UTF-8)", "a message not in UTF-8: %s" % r)
    one_record(s.run("evaluates_once"), "evaluates_once", "pass")
    for _ in range(2):
        workdir = tempfile.mkdtemp(dir=WORK)
        one_record(s.run("starts_fresh", workdir=workdir), "starts_fresh", "pass")
        check(os.path.exists(os.path.join(workdir, "here")), "the test ran in its folder")
    result = s.run("crashes")
    check(result and os.WIFSIGNALED(result[1]) and os.WTERMSIG(result[1]) == 11
          and result[2] == [], "crashes: killed by SIGSEGV, no record: %s" % (result,))
    result = s.run("counts_three", go="NOGO")
    check(result and result[1] == 3 << 8 and result[2] == [], "no GO: exit 3, %s" % (result,))
    result = s.run("counts_three", workdir="/nonexistent/folder")
    check(result and result[1] == 4 << 8 and result[2] == [], "no folder: exit 4, %s" % (result,))
    leak = s.run("leaks")
    clean = s.run("counts_three")
    rc, err = s.finish()
    check(rc == 0, "probe server: exit %d (stderr %r)" % (rc, err))
    if vgdir and leak and clean:
        check(leak[1] == 0, "leaks passes: the leak is Valgrind's to report")
        with open(os.path.join(vgdir, "vg.%d.xml" % leak[0])) as f:
            check("Leak_DefinitelyLost" in f.read(), "the leak is in the leaking child's XML")
        with open(os.path.join(vgdir, "vg.%d.xml" % clean[0])) as f:
            check("<error>" not in f.read(), "no error in the clean child's XML")


def plain_check_failures(plain):
    out = subprocess.run([plain], check=True, capture_output=True, text=True).stdout
    failures = {}
    for line in out.splitlines():
        name, file, number, message = line.split("\t")
        failures[name] = (file, int(number), message)
    check(len(failures) == 6, "plain Check ran the 6 failing bodies: %s" % failures)
    return failures


def bad_requests(probe):
    """Each malformed line ends the server with ERROR bad request, status 2."""
    for line in ("HELLO", "RUN counts_three", "RUN counts_three 12x /tmp", "RUN counts_three -1 /tmp",
                 "RUN counts_three - tmp", "RUN  counts_three - /tmp", "RUN counts_three - /tmp x",
                 "run counts_three - /tmp", "GO"):
        s = start(probe)
        s.send(line + "\n")
        got = s.reply()
        rc, _ = s.finish()
        check(got == "ERROR bad request" and rc == 2, "%r: %r, exit %d" % (line, got, rc))
    s = start(probe)
    s.send("RUN counts_three - /tmp")  # no "\n", then EOF
    os.close(s.req_w)
    s.req_w = os.open(os.devnull, os.O_WRONLY)
    check(s.reply() == "ERROR bad request", "a line cut by EOF")
    s.finish()
    for missing in (3, 4, 5):
        s = Server([probe, "--serve"], fds=tuple(fd for fd in (3, 4, 5) if fd != missing))
        rc, err = s.finish()
        check(rc == 2 and ("descriptor %d" % missing) in err, "fd %d missing: exit %d, %r" % (missing, rc, err))


def duplicate_names(t_dup):
    src = os.path.join(WORK, "src")
    want = ("t_dup: two tests are named same_name (%s:2 and %s:3)\n"
            % (os.path.join(src, "dup_a.c"), os.path.join(src, "dup_b.c")))
    for args in ([], ["--list"], ["--run", "same_name"], ["--run", "other"], ["--serve"]):
        p = subprocess.run([t_dup] + args, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                           cwd=src)
        check(p.returncode == 2 and p.stderr == want and p.stdout == "",
              "t_dup %s: exit %d, stderr %r" % (" ".join(args), p.returncode, p.stderr))


def run_mode_record(probe):
    """--run --result writes the same one-line record."""
    path = os.path.join(WORK, "run-record.json")
    p = subprocess.run([probe, "--run", "fails_int", "--seed", "9", "--result", path],
                       capture_output=True, text=True, cwd=WORK)
    with open(path) as f:
        text = f.read()
    r = json.loads(text)
    check(p.returncode == 1 and text.count("\n") == 1 and text.endswith("}\n")
          and r["status"] == "fail" and r["seed"] == 9 and r["asserts"] == 2,
          "--run --result: exit %d, %r" % (p.returncode, text))


def measure():
    """Every refcount test under Valgrind: one --serve, then one process per test."""
    names = [t["name"] for t in json.loads(subprocess.run([T_REFCOUNT, "--list"], check=True,
                                                         capture_output=True, text=True).stdout)]
    vgdir = tempfile.mkdtemp(dir=WORK)
    began = time.time()
    s = start(T_REFCOUNT, vgdir)
    statuses = [s.run(name)[1] for name in names]
    s.finish()
    served = time.time() - began
    vgdir = tempfile.mkdtemp(dir=WORK)
    began = time.time()
    for name in names:
        subprocess.run(VALGRIND + ["--xml-file=%s/vg.%%p.xml" % vgdir, T_REFCOUNT, "--run", name,
                                   "--result", os.path.join(vgdir, name + ".json")],
                       capture_output=True)
    separate = time.time() - began
    print("refcount, %d tests under memcheck: --serve %.1f s (%d passed), one valgrind per test %.1f s"
          % (len(names), served, statuses.count(0), separate))


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    exe = build_probes()
    plain = plain_check_failures(exe["plain"])
    duplicate_names(exe["t_dup"])
    run_mode_record(exe["probe"])
    bad_requests(exe["probe"])
    refcount_session()
    probe_session(exe["probe"], plain)
    vgdir = tempfile.mkdtemp(dir=WORK)
    refcount_session(vgdir)
    vgdir = tempfile.mkdtemp(dir=WORK)
    probe_session(exe["probe"], plain, vgdir)
    if "--measure" in sys.argv[1:]:
        measure()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
