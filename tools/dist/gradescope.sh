#!/usr/bin/env bash
# gradescope.sh -- a Gradescope autograder zip for one lab (make gradescope LAB=id).
#
#   tools/dist/gradescope.sh --lab ID [--out FILE.zip]
#
# The zip is the student kit for that lab (dist-student.sh: no solutions/,
# every layer's reference as stripped object code) plus the lab's hidden
# tests, with Gradescope's two entry points at its root:
#   setup.sh        installs the Debian packages, builds the kit (once, in the image)
#   run_autograder  grades /autograder/submission into /autograder/results/results.json
#   Dockerfile      the same image for Gradescope's "Manual Docker configuration"
#                   (docker build -t IMAGE . in the unpacked zip, push, name it)
# Upload it as the assignment's autograder ("Zip file upload", Ubuntu base image).
set -euo pipefail
KIT=$(cd "$(dirname "$0")/../.." && pwd)
lab="" out=""
while [ $# -gt 0 ]; do
    case "$1" in
    --lab) lab=$2; shift ;;
    --out) out=$2; shift ;;
    -h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "gradescope: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[ -n "$lab" ] || { echo "usage: tools/dist/gradescope.sh --lab ID [--out FILE.zip]" >&2; exit 2; }
[ -f "$KIT/tests/$lab/lab.json" ] || { echo "gradescope: no lab '$lab'" >&2; exit 2; }
out=${out:-$KIT/build/dist/gradescope-$lab.zip}
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$KIT/tools/dist/dist-student.sh" --labs "$lab" --with-hidden --stage "$work" --name source \
    >/dev/null
src="$work/source"
# What must be built before a submission is graded (the grader, the kit's
# libraries, the lab's test objects and link manifest): make all.
prep="all"
first=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["files"][0])' \
    "$KIT/tests/$lab/lab.json")
for f in setup.sh run_autograder Dockerfile; do
    sed -e "s/@LAB@/$lab/g" -e "s/@PREP@/$prep/g" -e "s/@FIRST@/$first/g" \
        "$KIT/tools/dist/gradescope/$f" >"$src/$f"
    [ "$f" = Dockerfile ] || chmod +x "$src/$f"
done
rm -f "$src/.github/workflows/classroom.yml"
mkdir -p "$(dirname "$out")"
rm -f "$out.tmp"
(cd "$src" && zip -qr -X "$out.tmp" .)
mv "$out.tmp" "$out"
echo "gradescope: $out (lab $lab, $(unzip -Z1 "$out" | grep -c /hidden/ || true) hidden test files)"
