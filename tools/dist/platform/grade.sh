#!/usr/bin/env bash
# grade.sh -- grade one submission of lab @LAB@ for PrairieLearn's external
# grader or Autolab's autograder (tools/dist/platform.sh writes this file
# into the kit it packages, as memlabs/grade.sh).
#
#   grade.sh [prairielearn] reads /grade/student/, writes /grade/results/results.json
#   grade.sh autolab DIR    reads DIR/handin.* (a tar, a zip, or the lab's one
#                           file), prints the grader's table and, last, the
#                           autoresult line
#
# The kit is this script's folder, built and calibrated once by setup.sh
# (the image's build, or Autolab's first run without the image).  The
# report folder is opened to the per-test uid (mktemp makes it 0700, and
# the grader would then run every test as root).  MEMLAB_GRADE_ROOT replaces
# /grade (the kit's own test lays the folders out under a temporary root);
# MEMLAB_GRADE_FLAGS adds memlab-grade options (the kit's test grades a few
# tests only).
set -uo pipefail
KIT=$(cd "$(dirname "$0")" && pwd)
LAB="@LAB@"
FILES="@FILES@"
platform=${1:-prairielearn} # PrairieLearn calls the entrypoint without arguments
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"

# Autolab's handin: the lab's files, by their base names only, from a tar or
# zip (read by Python's tarfile and zipfile: only regular files are taken,
# nothing is written outside the folder), or the lab's single file.
autolab_handin() {
    local from=$1 into=$2 h
    h=$(find "$from" -maxdepth 1 -name 'handin*' -type f | head -n 1)
    mkdir -p "$into"
    [ -n "$h" ] || { echo "memlabs: no handin file in $from"; return 1; }
    python3 - "$h" "$into" $FILES <<'PY'
import os, sys, tarfile, zipfile
handin, into, files = sys.argv[1], sys.argv[2], sys.argv[3:]
def put(name, data):
    base = os.path.basename(name.rstrip("/"))
    if base in files and "__MACOSX" not in name.split("/"):
        with open(os.path.join(into, base), "wb") as f:
            f.write(data)
if zipfile.is_zipfile(handin):
    with zipfile.ZipFile(handin) as z:
        for i in z.infolist():
            if not i.is_dir() and (i.external_attr >> 28) in (0, 8):  # regular files only
                put(i.filename, z.read(i))
elif tarfile.is_tarfile(handin):
    with tarfile.open(handin) as t:
        for m in t:
            if m.isreg():
                put(m.name, t.extractfile(m).read())
elif len(files) == 1:
    put(files[0], open(handin, "rb").read())
else:
    sys.exit("memlabs: the handin is neither a tar nor a zip of " + ", ".join(files))
PY
}

grade() { # submission-folder: memlab-grade into $work/report, its log in $work/log
    (cd "$KIT" && build/bin/memlab-grade --lab "$LAB" --submission "$1" --report "$work/report" \
        --kit "$KIT" --build "$KIT/build" --jobs "$(nproc)" ${MEMLAB_GRADE_FLAGS:-}) >"$work/log" 2>&1
}

case "$platform" in
prairielearn)
    root=${MEMLAB_GRADE_ROOT:-/grade}
    mkdir -p "$root/results"
    rc=0
    grade "$root/student" || rc=$?
    python3 "$KIT/platform-result.py" --format prairielearn --lab "$LAB" --log "$work/log" \
        --exit "$rc" "$work/report/results.json" >"$root/results/results.json.tmp"
    mv "$root/results/results.json.tmp" "$root/results/results.json"
    cat "$work/log"
    ;;
autolab)
    rc=0
    autolab_handin "${2:-.}" "$work/submission" >"$work/log" 2>&1 && grade "$work/submission" || rc=$?
    cat "$work/log"
    python3 "$KIT/platform-result.py" --format autolab --lab "$LAB" --exit "$rc" \
        "$work/report/results.json"
    ;;
*)
    echo "usage: grade.sh prairielearn | grade.sh autolab DIR" >&2
    exit 2
    ;;
esac
exit 0
