#!/usr/bin/env bash
# instructor-archives.sh -- make grade-all on hostile archives: each is
# refused whole while it is read (harness/batch/unpack.c, libarchive), with
# the entry and the reason in the gradebook's status, and nothing of it is
# written outside (or inside) the unpack folder.
#
#   dotdot     a tar.gz with an entry ../<name>
#   absolute   a tar with an entry /tmp/.../<name>
#   abszip     a zip with an absolute entry
#   symlink    a tar.gz with a symbolic link to /etc/passwd
#   ziplink    a zip with a symbolic link entry (Unix mode bits)
#   hardlink   a tar with a hard link to a file outside
#   device     a tar with a character device
#   huge       a tar.gz with one 17 MiB entry of zeros (bigger than the limit)
#   fine       the reference's files in a zipped folder: graded, full marks
# A few of the lab's tests are graded (--only), to stay quick.
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
make -s BUILD="$BUILD" "$BUILD/bin/memlab-grade-all" "$BUILD/bin/memlab-grade" \
    "$BUILD/grader/$LAB.link" libs >/dev/null || { no "the kit builds"; finish; }
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
S="$T/submissions"
mkdir -p "$S"
# Python's tarfile and zipfile write what tar and zip would refuse to.
python3 - "$S" "$T" "$KIT/solutions/$LAB" "$KIT/tests/$LAB/lab.json" <<'PY'
import io, json, os, sys, tarfile, zipfile
out, tmp, sol, lab = sys.argv[1:]
files = json.load(open(lab))["files"]

def tar(name, mode, entries):
    with tarfile.open(os.path.join(out, name), mode) as t:
        for info, data in entries:
            t.addfile(info, io.BytesIO(data) if data is not None else None)

def member(path, kind=tarfile.REGTYPE, data=b"int x;\n", **kw):
    i = tarfile.TarInfo(path)
    i.type = kind
    i.size = len(data) if kind == tarfile.REGTYPE else 0
    for k, v in kw.items():
        setattr(i, k, v)
    return i, data if kind == tarfile.REGTYPE else None

ok = member("work/" + files[0])
tar("dotdot.tar.gz", "w:gz", [ok, member("../escaped-dotdot.c")])
tar("absolute.tar", "w", [ok, member(tmp + "/escaped-absolute.c")])
tar("symlink.tar.gz", "w:gz", [member("work/passwd", tarfile.SYMTYPE, linkname="/etc/passwd"), ok])
tar("hardlink.tar", "w", [member("work/shadow", tarfile.LNKTYPE, linkname="/etc/shadow"), ok])
tar("device.tar", "w", [ok, member("work/tty", tarfile.CHRTYPE, devmajor=5, devminor=0)])
big = member("work/" + files[0], data=bytes(17 << 20))
tar("huge.tar.gz", "w:gz", [big])
with zipfile.ZipFile(os.path.join(out, "abszip.zip"), "w") as z:
    z.writestr("work/" + files[0], "int x;\n")
    z.writestr(zipfile.ZipInfo(tmp + "/escaped-zip.c"), "int y;\n")
with zipfile.ZipFile(os.path.join(out, "ziplink.zip"), "w") as z:
    link = zipfile.ZipInfo("work/passwd")
    link.create_system = 3
    link.external_attr = (0o120777 << 16)
    z.writestr(link, "/etc/passwd")
    z.writestr("work/" + files[0], "int x;\n")
with zipfile.ZipFile(os.path.join(out, "fine.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    for f in files:
        z.write(os.path.join(sol, f), "my work/" + f)
PY
check "the hostile archives are written" '[ "$(ls "$S" | wc -l)" = 9 ]'

only=$("$BUILD/tests/$LAB/t_$LAB" --list | python3 -c '
import json, sys
print(",".join([t["name"] for t in json.load(sys.stdin)
                if t["visibility"] == "visible" and not t.get("parent")][:3]))')
OUT="$T/grades"
"$BUILD/bin/memlab-grade-all" --submissions "$S" --lab "$LAB" --out "$OUT" --kit "$KIT" \
    --build "$BUILD" --jobs 2 --grader-arg="--only=$only" --grader-arg=--no-calibrate \
    >"$T/run.log" 2>&1
rc=$?
check "grade-all exits 0 (exit $rc)" '[ $rc = 0 ]'

status() { # student: the gradebook's status column
    python3 -c 'import csv,sys
rows = {r["student"]: r for r in csv.DictReader(open(sys.argv[1], newline=""))}
print(rows.get(sys.argv[2], {}).get(sys.argv[3] + " status", "(no row)"))' "$OUT/gradebook.csv" "$1" "$LAB"
}
expect() { # student, the reason after "entry '<path>' "
    local got
    got=$(status "$1")
    check "$1: $got" "case \"\$got\" in \"bad-archive: cannot unpack $1\"*\"' $2\"*) true ;; *) false ;; esac"
}
expect dotdot "leaves the folder (a '..' component)"
expect absolute "is an absolute path"
expect abszip "is an absolute path"
expect symlink "is a symbolic link"
expect ziplink "is a symbolic link"
expect hardlink "is a hard link"
expect device "is a device, FIFO or socket"
expect huge "is too large"
got=$(status fine)
check "fine: a zipped folder is graded ($got)" '[ "$got" = graded ]'
check "nothing escaped the unpack folder" \
    '[ ! -e "$OUT/escaped-dotdot.c" ] && [ ! -e "$OUT/unpacked/../escaped-dotdot.c" ] &&
     [ ! -e "$T/escaped-absolute.c" ] && [ ! -e "$T/escaped-zip.c" ]'
check "a refused archive leaves no folder or temporary" \
    '[ -z "$(find "$OUT/unpacked" -mindepth 1 -maxdepth 1 ! -name fine)" ]'
check "no link or device anywhere under the grades" '[ -z "$(find "$OUT" ! -type f ! -type d)" ]'
finish
