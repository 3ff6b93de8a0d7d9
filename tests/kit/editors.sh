#!/usr/bin/env bash
# editors.sh -- an editor's language server understands every lab file, in
# the kit and in the student tarball.
#
# compile_flags.txt (the kit's root) gives clangd the flags the Makefile
# compiles with (-std=c11 -D_GNU_SOURCE -Ilabs/include -Iharness/runner);
# without it every lab file reports "'memlab/<lab>.h' file not found".
# Checks: `clangd --check` finds 0 errors in every tracked C file under
# labs/ and in every lab's public tests; the student tree that
# dist-student.sh stages carries compile_flags.txt and its lab files are as
# clean; and the
# same check without the file does report the missing header (the check can
# fail).  Skipped (and said so, as one failure) when clangd is missing: it
# is in tools/dist/debian-packages-kit.txt.
set -uo pipefail
KIT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
no() { fail=$((fail + 1)); echo "FAIL $1"; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }
cd "$KIT"
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT

if ! command -v clangd >/dev/null 2>&1; then
    no "clangd is not installed (make deps-kit installs it)"
    finish
fi

# clean ROOT FILE: clangd, run from ROOT, reports no error in FILE.
clean() {
    local out
    out=$(cd "$1" && clangd --check="$2" 2>&1)
    [ $? = 0 ] && grep -q 'All checks completed, 0 errors' <<<"$out" && ! grep -q '^E\[' <<<"$out"
}

check_tree() { # label root patterns...: every file of root that the patterns name
    local label=$1 root=$2 f bad=0 n=0
    shift 2
    for f in $(cd "$root" && ls "$@" 2>/dev/null); do
        n=$((n + 1))
        if clean "$root" "$f"; then continue; fi
        bad=$((bad + 1))
        no "$label: clangd --check $f"
    done
    [ "$bad" = 0 ] && [ "$n" -gt 0 ] && ok "$label: clangd finds no error in $n files"
    [ "$n" -gt 0 ] || no "$label: no lab file found"
}

check_tree kit "$KIT" labs/*/*.c labs/*/*/*.c labs/include/memlab/*.h tests/*/test_*.c

BUILD=$BUILD tools/dist/dist-student.sh --stage "$T" --name student >"$T/dist.log" 2>&1 ||
    no "dist-student.sh --stage: $(tail -1 "$T/dist.log")"
if [ -f "$T/student/compile_flags.txt" ]; then
    ok "the student tree has compile_flags.txt"
    check_tree student "$T/student" labs/*/*.c labs/*/*/*.c
else
    no "the student tree has compile_flags.txt"
fi

# Without the flags, clangd must see the missing header: the check can fail.
mkdir -p "$T/bare"
cp -r labs "$T/bare/"
lab_file=$(ls labs/*/*.c | grep -v demo | head -1)
if clean "$T/bare" "$lab_file"; then
    no "without compile_flags.txt clangd reports $lab_file clean (the check cannot fail)"
else
    ok "without compile_flags.txt clangd reports errors in $lab_file"
fi
finish
