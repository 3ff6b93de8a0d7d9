#!/usr/bin/env bash
# platforms.sh -- make prairielearn and make autolab, run in the layouts the
# two platforms document, under a temporary root (no Docker here: the
# image's build is its setup.sh, run the way its Dockerfile runs it):
#
# PrairieLearn  $R/memlabs/       the image's kit (image/memlabs), setup.sh run
#               $R/grade/student/ the uploaded files
#               $R/grade/results/results.json  what the grader must write
#               (MEMLAB_GRADE_ROOT replaces /grade)
# Autolab       $A/               the grading VM's folder: Makefile (the
#               autograde-Makefile), autograde.tar, handin.tar; `make` is
#               run there, its last output line is the autoresult.  The first
#               run has no image (it builds and calibrates the tar's kit); the
#               others use that kit as the image's /memlabs (MEMLAB_IMAGE_KIT).
#
# Submissions of one small lab (INSTRUCTOR_LAB, default refcount): the
# reference (full marks), the skeleton (zero), a compile error; for
# Autolab also the reference in a zip of a folder and a tar whose lab file
# is a symbolic link (not taken: the file is missing).  A few tests only
# (--only, a hidden one among them), to stay quick.
set -uo pipefail
KIT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$KIT/$BUILD" ;; esac
LAB=${INSTRUCTOR_LAB:-refcount}
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
no() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { if eval "$2"; then ok "$1"; else no "$1"; fi; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }

cd "$KIT"
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
files=$(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["files"]))' \
    "tests/$LAB/lab.json")
first=${files%% *}
make -s BUILD="$BUILD" DIST="$T/dist" prairielearn LAB="$LAB" >"$T/pl.log" 2>&1 &&
    make -s BUILD="$BUILD" DIST="$T/dist" autolab LAB="$LAB" >"$T/al.log" 2>&1
rc=$?
P="$T/dist/prairielearn-$LAB" AL="$T/dist/autolab-$LAB"
check "make prairielearn and make autolab (exit $rc)" '[ $rc = 0 ]'
check "PrairieLearn: the image (Dockerfile, kit with hidden tests, no solutions) and the question" \
    '[ -f "$P/image/Dockerfile" ] && [ -x "$P/image/memlabs/grade.sh" ] &&
     [ -d "$P/image/memlabs/tests/$LAB/hidden" ] && [ ! -e "$P/image/memlabs/solutions" ] &&
     [ -f "$P/questions/memlabs-$LAB/info.json" ] && [ -f "$P/questions/memlabs-$LAB/question.html" ]'
python3 - "$P/questions/memlabs-$LAB/info.json" "$P/questions/memlabs-$LAB/question.html" $files \
    >"$T/q.check" 2>&1 <<'PY'
import json, re, sys
info, html, files = json.load(open(sys.argv[1])), open(sys.argv[2]).read(), sys.argv[3:]
assert re.fullmatch(r"[0-9a-f-]{36}", info["uuid"]), info["uuid"]
assert info["gradingMethod"] == "External", info
ext = info["externalGradingOptions"]
assert ext["enabled"] is True and ext["entrypoint"] == "/memlabs/grade.sh" and ext["timeout"] > 0, ext
m = re.search(r'<pl-file-upload file-names="([^"]*)"', html)
assert m and [f.strip() for f in m.group(1).split(",")] == files, m and m.group(1)
assert "<pl-external-grader-results>" in html
print("info.json and question.html as PrairieLearn reads them")
PY
rc=$?
check "PrairieLearn question: $(tail -1 "$T/q.check")" '[ $rc = 0 ]'
tar -tf "$AL/autograde.tar" >"$T/al.list" 2>/dev/null
check "Autolab: autograde-Makefile, autograde.tar (the kit), the image" \
    '[ -f "$AL/autograde-Makefile" ] && grep -qx "memlabs/grade.sh" "$T/al.list" &&
     grep -q "^memlabs/tests/$LAB/hidden/" "$T/al.list" && [ -f "$AL/image/Dockerfile" ]'

make -s BUILD="$BUILD" "$BUILD/tests/$LAB/t_$LAB" >/dev/null 2>&1
only=$("$BUILD/tests/$LAB/t_$LAB" --list | python3 -c '
import json, sys
tests = json.load(sys.stdin)
pick, want = [], {"visible": 2, "hidden": 2}
for _ in range(3):  # a test is picked once its parent is (else it would be skipped)
    for t in tests:
        if t["name"] not in pick and want.get(t["visibility"], 0) > 0 and \
                (not t.get("parent") or t["parent"] in pick):
            pick.append(t["name"])
            want[t["visibility"]] -= 1
print(",".join(pick))')
hidden_names=$("$BUILD/tests/$LAB/t_$LAB" --list | python3 -c '
import json, sys
print(" ".join(t["name"] for t in json.load(sys.stdin) if t["visibility"] != "visible"))')
export MEMLAB_GRADE_FLAGS="--no-calibrate --only=$only" MEMLAB_SKIP_APT=1
unset BUILD MAKEFLAGS MFLAGS MAKELEVEL # the platforms' machines have none of the instructor's make

fill() { # kind folder: the lab's files as that submission has them
    mkdir -p "$2"
    case $1 in
    full) for f in $files; do cp "solutions/$LAB/$f" "$2/"; done ;;
    zero) for f in $files; do cp "labs/$LAB/$f" "$2/"; done ;;
    broken) for f in $files; do cp "solutions/$LAB/$f" "$2/"; done
        printf '\nstatic int broken(void) { return }\n' >>"$2/$first" ;;
    esac
}

# ---------------------------------------------------------------- PrairieLearn
R="$T/pl"
mkdir -p "$R"
cp -a "$P/image/memlabs" "$R/memlabs"
(cd "$R/memlabs" && bash ./setup.sh) >"$T/pl-setup.log" 2>&1 # the Dockerfile's RUN
rc=$?
check "PrairieLearn image: setup.sh builds and calibrates (exit $rc)" \
    '[ $rc = 0 ] && [ -x "$R/memlabs/build/bin/memlab-grade" ] && [ -s "$R/memlabs/build/calibration/$LAB.json" ]'
pl_grade() { # kind: /grade laid out, the entrypoint run, results.json kept
    rm -rf "$R/grade"
    mkdir -p "$R/grade/results" "$R/grade/data"
    fill "$1" "$R/grade/student"
    echo '{}' >"$R/grade/data/data.json"
    MEMLAB_GRADE_ROOT="$R/grade" "$R/memlabs/grade.sh" >"$T/pl-$1.log" 2>&1
    local rc=$?
    cp "$R/grade/results/results.json" "$T/pl-$1.json" 2>/dev/null
    return $rc
}
pl_check() { # kind python-assertions (r: the results)
    # shellcheck disable=SC2086
    python3 - "$T/pl-$1.json" $hidden_names >"$T/pl-$1.check" 2>&1 <<PY
import json, sys
r = json.load(open(sys.argv[1]))
# PrairieLearn's external grader results, as its documentation states them
assert isinstance(r["gradable"], bool), r
assert isinstance(r["score"], (int, float)) and 0 <= r["score"] <= 1, r["score"]
for t in r["tests"]:
    assert isinstance(t["name"], str) and t["name"], t
    assert isinstance(t["points"], (int, float)) and isinstance(t["max_points"], (int, float)), t
    assert 0 <= t["points"] <= t["max_points"], t
    assert isinstance(t.get("message", ""), str) and isinstance(t.get("output", ""), str), t
hidden = [t for t in r["tests"] if t["name"].startswith("hidden test ")]
$2
PY
}
for kind in full zero broken; do
    pl_grade "$kind"
    rc=$?
    check "PrairieLearn $kind: the entrypoint exits 0 and writes results.json" '[ $rc = 0 ] && [ -s "$T/pl-$kind.json" ]'
done
pl_check full '
assert r["gradable"] and r["score"] == 1, r["score"]
assert sum(t["points"] for t in r["tests"]) == sum(t["max_points"] for t in r["tests"]) > 0
assert len(hidden) == 2 and all(not t["message"] and not t["output"] for t in hidden), hidden
assert not any(n in json.dumps(r) for n in sys.argv[2:]), "a hidden test is named"
print("score 1, %d tests, the hidden ones unnamed" % len(r["tests"]))'
rc=$?
check "PrairieLearn full: $(tail -1 "$T/pl-full.check")" '[ $rc = 0 ]'
pl_check zero '
assert r["gradable"] and r["score"] == 0 and r["tests"], r["score"]
print("score 0, %d tests" % len(r["tests"]))'
rc=$?
check "PrairieLearn zero: $(tail -1 "$T/pl-zero.check")" '[ $rc = 0 ]'
pl_check broken '
assert r["gradable"] and r["score"] == 0, r["score"]
assert "compile" in r["output"] + " ".join(t["output"] for t in r["tests"]), "no compiler message"
print("score 0, the compiler message shown")'
rc=$?
check "PrairieLearn broken: $(tail -1 "$T/pl-broken.check")" '[ $rc = 0 ]'
mv "$R/memlabs/build/bin/memlab-grade" "$R/memlabs/build/bin/memlab-grade.off"
pl_grade full
mv "$R/memlabs/build/bin/memlab-grade.off" "$R/memlabs/build/bin/memlab-grade"
pl_check full '
assert r["gradable"] is False and r["score"] == 0 and "could not grade" in r["message"], r
print("not gradable, with the reason")'
rc=$?
check "PrairieLearn, the grader missing: $(tail -1 "$T/pl-full.check")" '[ $rc = 0 ]'

# ---------------------------------------------------------------- Autolab
al_grade() { # kind vm-folder [image-kit]: a fresh VM folder, make, the last line kept
    local A=$2
    rm -rf "$A"
    mkdir -p "$A" "$T/h-$1"
    cp "$AL/autograde-Makefile" "$A/Makefile"
    cp "$AL/autograde.tar" "$A/"
    case $1 in
    zipped) fill full "$T/h-$1/my work" && (cd "$T/h-$1" && zip -qr "$A/handin.zip" "my work") ;;
    link) fill full "$T/h-$1" && ln -sf /etc/passwd "$T/h-$1/$first" && tar -C "$T/h-$1" -cf "$A/handin.tar" . ;;
    *) fill "$1" "$T/h-$1/$LAB" && tar -C "$T/h-$1" -cf "$A/handin.tar" "$LAB" ;;
    esac
    (cd "$A" && MEMLAB_IMAGE_KIT=${3:-/nonexistent} make -s) >"$T/al-$1.log" 2>&1
    local rc=$?
    tail -n 1 "$T/al-$1.log" >"$T/al-$1.last"
    return $rc
}
al_check() { # kind expected-score python-assertions
    python3 - "$T/al-$1.last" "$2" "$LAB" >"$T/al-$1.check" 2>&1 <<PY
import json, sys
r = json.loads(open(sys.argv[1]).read())
want, lab = float(sys.argv[2]), sys.argv[3]
assert set(r) == {"scores", "scoreboard"} and list(r["scores"]) == [lab], r
assert r["scores"][lab] == want and r["scoreboard"][0] == want, (r, want)
$3
print("autoresult %s" % json.dumps(r))
PY
}
start=$(date +%s)
al_grade full "$T/vm"
rc=$?
check "Autolab, no image: make builds the tar's kit and grades (exit $rc, $(($(date +%s) - start)) s)" \
    '[ $rc = 0 ] && [ -x "$T/vm/memlabs/build/bin/memlab-grade" ]'
max=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["scores"][sys.argv[2]])' "$T/al-full.last" "$LAB" 2>/dev/null)
al_check full "${max:-0}" 'assert want > 0 and r["scoreboard"][1] == r["scoreboard"][2] == 4, r'
rc=$?
check "Autolab full: $(tail -1 "$T/al-full.check")" '[ $rc = 0 ]'
check "Autolab full: the grader's table is in the feedback before the autoresult" \
    "grep -q 'memlab' '$T/al-full.log' && [ \$(wc -l <'$T/al-full.log') -gt 5 ]"
# The first run's kit, built where it is, stands for the image's /memlabs.
for kind in zero broken zipped link; do
    al_grade "$kind" "$T/vm2" "$T/vm/memlabs"
    rc=$?
    check "Autolab $kind (with the image): make exits 0, nothing built" '[ $rc = 0 ] && [ ! -d "$T/vm2/memlabs/build" ]'
done
al_check zero 0 'assert r["scoreboard"][1] == 0 and r["scoreboard"][2] == 4, r'
rc=$?
check "Autolab zero: $(tail -1 "$T/al-zero.check"), graded" "[ $rc = 0 ] && ! grep -q 'NOT GRADED' '$T/al-zero.log'"
al_check broken 0 ''
rc=$?
check "Autolab broken: $(tail -1 "$T/al-broken.check"), and the compiler message" \
    "[ $rc = 0 ] && grep -q 'does not compile' '$T/al-broken.log' && grep -q 'error:' '$T/al-broken.log'"
al_check zipped "${max:-0}" ''
rc=$?
check "Autolab, a zipped folder: $(tail -1 "$T/al-zipped.check")" '[ $rc = 0 ]'
al_check link 0 ''
rc=$?
check "Autolab, a symbolic link for the lab's file is not followed: $(tail -1 "$T/al-link.check")" \
    "[ $rc = 0 ] && grep -qi 'missing' '$T/al-link.log'"
finish
