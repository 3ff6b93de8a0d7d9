#!/usr/bin/env python3
"""tests/kit/report_html.py -- report.html as a person sees it, in Chromium.

Grades three refcount submissions -- full marks (the reference), partial
(the reference with dict_setitem's incref of the value removed: wrong
refcounts, a picture attached, memcheck errors with code excerpts) and broken
(does not compile) -- then opens each report.html in headless Chromium
(Debian's package), at a desktop and at a phone width, and checks:

  - the page loads with no console message at all (it has no script; a
    broken image or a blocked load would log one);
  - every row of results.json is a row of the page, in the same order, top
    to bottom, each with a non-zero size; hidden tests only as "hidden
    test N";
  - every attached picture is an <img> that decoded (natural size > 0) and is
    laid out with a non-zero size, within the page's width;
  - the page is as wide as the window (nothing sticks out on a phone);
  - a screenshot is written (a non-empty PNG).

The measuring is done by a wrapper page made here that loads the report in
an iframe (--allow-file-access-from-files) and writes the layout into its
own DOM, which --dump-dom prints: the report itself needs no JavaScript.
Prints "N passed, M failed".
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

KIT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.abspath(os.environ.get("BUILD", os.path.join(KIT, "build")))
GRADER = os.path.join(BUILD, "bin", "memlab-grade")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
passed = failed = 0


def check(ok, what, why=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok -", what)
    else:
        failed += 1
        print("not ok -", what, ("\n    " + str(why)[:800]) if why else "")
    return ok


MEASURE = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="%(src)s" style="border:0;width:%(width)dpx;height:2000px"></iframe>
<pre id="out">pending</pre>
<script>
document.getElementById('f').addEventListener('load', function () {
  var d = this.contentDocument, w = this.contentWindow, out = {};
  out.width = w.innerWidth;
  out.scrollWidth = d.documentElement.scrollWidth;
  out.rows = Array.from(d.querySelectorAll('tr.test')).map(function (r) {
    var b = r.getBoundingClientRect();
    return {name: r.querySelector('td.name').textContent,
            verdict: r.querySelector('.verdict').textContent,
            top: b.top, height: b.height, width: b.width,
            reason: r.querySelector('td.reason').textContent.length,
            reasonWidth: r.querySelector('td.reason').getBoundingClientRect().width};
  });
  out.images = Array.from(d.querySelectorAll('img')).map(function (i) {
    var b = i.getBoundingClientRect();
    return {alt: i.alt, natural: i.naturalWidth, width: b.width, height: b.height,
            right: b.right, complete: i.complete};
  });
  out.sections = Array.from(d.querySelectorAll('section h2')).map(function (h) {
    return {text: h.textContent, top: h.getBoundingClientRect().top};
  });
  out.innerScroll = Array.from(d.querySelectorAll('.wrap')).filter(function (x) {
    return x.scrollWidth > x.clientWidth + 1; }).length;
  out.score = (d.getElementById('score') || {}).textContent;
  out.notGraded = !!d.getElementById('not-graded');
  out.scripts = d.querySelectorAll('script').length;
  document.getElementById('out').textContent = JSON.stringify(out);
});
</script></body></html>
"""


def chromium(args, timeout=120):
    base = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-extensions", "--disable-background-networking", "--enable-logging=stderr",
            "--v=0", "--allow-file-access-from-files", "--virtual-time-budget=10000",
            "--user-data-dir=" + os.path.join(OUT, "profile")]
    return subprocess.run(base + args, capture_output=True, text=True, timeout=timeout)


def console_messages(stderr):
    """Console messages Chromium logs from a page: 'CONSOLE(line)' / ':CONSOLE' lines."""
    return [l for l in stderr.splitlines() if "CONSOLE" in l]


def layout(report, width):
    wrapper = os.path.join(OUT, "measure-%d.html" % width)
    with open(wrapper, "w") as f:
        f.write(MEASURE % {"src": "file://" + report, "width": width})
    r = chromium(["--window-size=%d,2200" % (width + 20), "--dump-dom", "file://" + wrapper])
    m = re.search(r'<pre id="out">(.*?)</pre>', r.stdout, re.S)
    text = m.group(1) if m else ""
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    try:
        return json.loads(text), r.stderr
    except ValueError:
        return None, r.stderr + r.stdout[-500:]


def grade(name, sub, *flags):
    report = os.path.join(OUT, "report-" + name)
    subprocess.run([GRADER, "--lab", "refcount", "--kit", KIT, "--build", BUILD, "--submission",
                    sub, "--report", report, "--jobs", "2", *flags], capture_output=True)
    return report


def submissions():
    subs = {}
    for name in ("full", "partial", "broken"):
        d = os.path.join(OUT, "sub-" + name)
        os.makedirs(d)
        for f in ("refcount.c", "containers.c"):
            shutil.copy(os.path.join(KIT, "solutions", "refcount", f), d)
        subs[name] = d
    path = os.path.join(subs["partial"], "containers.c")
    text = open(path).read()
    old = "    obj_incref(key);\n    obj_incref(value);\n    if (insert_new"
    check(old in text, "the partial submission's patch applies")
    open(path, "w").write(text.replace(old, "    obj_incref(key);\n    if (insert_new", 1))
    with open(os.path.join(subs["broken"], "refcount.c"), "a") as f:
        f.write("\nint broken(void) { return }\n")
    return subs


def check_page(name, report, want_pictures):
    page = os.path.join(report, "report.html")
    if not check(os.path.isfile(page), name + ": report.html written"):
        return
    html = open(page, encoding="utf-8").read()
    check("<script" not in html.lower(), name + ": no script in the page")
    check(not re.search(r'(src|href)="(https?:)?//', html), name + ": nothing loaded from a network")
    results = json.load(open(os.path.join(report, "results.json")))
    want = [(t["name"], t["tags"][0]) for t in results["tests"]]
    for width in (1000, 390):
        what = "%s at %d px" % (name, width)
        got, stderr = layout(page, width)
        if not check(got is not None, what + ": the page loads and is measured", stderr[-800:]):
            continue
        check(console_messages(stderr) == [], what + ": no console messages",
              console_messages(stderr))
        check(got["scripts"] == 0, what + ": no script runs in the report")
        check([(r["name"], r["verdict"]) for r in got["rows"]] == want,
              what + ": every test of results.json, in order, with its verdict",
              [(r["name"], r["verdict"]) for r in got["rows"]][:5])
        tops = [r["top"] for r in got["rows"]]
        check(all(a < b for a, b in zip(tops, tops[1:])), what + ": rows top to bottom")
        check(all(r["height"] > 0 and r["width"] > 0 for r in got["rows"]),
              what + ": every row has a size")
        heads = [s["top"] for s in got["sections"]]
        check(all(a < b for a, b in zip(heads, heads[1:])), what + ": sections in order")
        check(got["scrollWidth"] <= got["width"], what + ": nothing wider than the window",
              (got["scrollWidth"], got["width"]))
        check(got["innerScroll"] == 0, what + ": no table scrolls sideways")
        narrow = [r["name"] for r in got["rows"]
                  if r["reason"] and r["reasonWidth"] < got["width"] * (0.5 if width < 500 else 0.3)]
        check(not narrow, what + ": reasons get room to be read", narrow[:3])
        imgs = got["images"]
        check(len(imgs) >= want_pictures, what + ": %d+ pictures" % want_pictures, len(imgs))
        check(all(i["complete"] and i["natural"] > 0 and i["width"] > 0 and i["height"] > 0
                  and i["right"] <= got["width"] + 1 for i in imgs),
              what + ": every picture decoded and laid out within the page", imgs)
        if name == "broken":
            check(got["notGraded"] and not got["rows"] or got["notGraded"],
                  what + ": says it was not graded")
    shot = os.path.join(OUT, name + ".png")
    r = chromium(["--window-size=390,1600", "--screenshot=" + shot, "file://" + page])
    check(os.path.isfile(shot) and os.path.getsize(shot) > 1000, name + ": a screenshot",
          r.stderr[-300:])


def main():
    global OUT
    if not CHROMIUM or not shutil.which("dot"):
        print("report_html.py: needs chromium and graphviz (make deps-kit)")
        print("0 passed, 1 failed")
        return 1
    OUT = tempfile.mkdtemp(prefix="memlab-report-html-")
    try:
        subs = submissions()
        reports = {"full": grade("full", subs["full"], "--no-calibrate"),
                   "partial": grade("partial", subs["partial"], "--no-calibrate", "--only",
                                    "dict_*,tuple_*,none_*,new_object_has_refcount_one"),
                   "broken": grade("broken", subs["broken"])}
        partial_html = open(os.path.join(reports["partial"], "report.html")).read()
        check('class="hit"' in partial_html, "partial: a memcheck error shows the student's line")
        gs = json.load(open(os.path.join(reports["partial"], "results.json")))
        html_rows = [t for t in gs["tests"] if t.get("output_format") == "html"]
        check([t["name"] for t in html_rows] == ["dict_setitem_increfs_key_and_value"],
              "partial: results.json gives Gradescope's html format to the one test that attached "
              "pictures (got %s)" % [t["name"] for t in html_rows])
        check(all(t["output"].startswith("<pre>") and t["output"].count('<img class="picture"') >= 1
                  and "data:image/svg+xml;base64," in t["output"] for t in html_rows),
              "partial: that test's Gradescope output is its text in a <pre> and its pictures as data: images")
        check(all(t.get("output_format") == "text" for t in gs["tests"] if t not in html_rows),
              "partial: every other test's Gradescope output is plain text")
        check("hidden test" in open(os.path.join(reports["full"], "report.html")).read(),
              "full: hidden tests appear as hidden test N")
        check_page("full", reports["full"], 0)
        check_page("partial", reports["partial"], 1)
        check_page("broken", reports["broken"], 0)
    finally:
        if os.environ.get("KEEP"):
            print("kept:", OUT)
        else:
            shutil.rmtree(OUT, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
