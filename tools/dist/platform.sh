#!/usr/bin/env bash
# platform.sh -- memlabs for PrairieLearn or Autolab, one lab
# (make prairielearn LAB=id, make autolab LAB=id).
#
#   tools/dist/platform.sh --platform prairielearn|autolab --lab ID [--out DIR]
#
# Both hold the kit for that lab as the Gradescope zip does (dist-student.sh
# --with-hidden: no solutions/, every layer's reference as object code, the
# hidden tests), as memlabs/, with setup.sh (packages, build, the
# reference's calibration: tools/dist/gradescope/setup.sh), grade.sh (the
# driver, tools/dist/platform/grade.sh) and platform-result.py (the result
# formats, tools/dist/platform/result.py), and a VERSION (the kit's hash).
#
# prairielearn  OUT = BUILD/dist/prairielearn-<lab>/
#                 image/Dockerfile, image/memlabs/   the external-grader image
#                 questions/memlabs-<lab>/info.json, question.html
#                                                    the question (copy it into
#                                                    the course's questions/)
#               The image's entrypoint, /memlabs/grade.sh, reads
#               /grade/student and writes /grade/results/results.json.
# autolab       OUT = BUILD/dist/autolab-<lab>/
#                 autograde-Makefile, autograde.tar  the assessment's autograder
#                 image/Dockerfile, image/memlabs/   the VM image (optional: the
#                                                    kit prebuilt and calibrated)
#               Set the assessment's handin file to handin.tar (or handin.c for a
#               one-file lab) and a problem named <lab> worth the lab's points.
set -euo pipefail
KIT=$(cd "$(dirname "$0")/../.." && pwd)
platform="" lab="" out=""
while [ $# -gt 0 ]; do
    case "$1" in
    --platform) platform=$2; shift ;;
    --lab) lab=$2; shift ;;
    --out) out=$2; shift ;;
    -h | --help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "platform: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
case "$platform" in prairielearn | autolab) ;; *)
    echo "usage: tools/dist/platform.sh --platform prairielearn|autolab --lab ID [--out DIR]" >&2
    exit 2 ;;
esac
[ -n "$lab" ] && [ -f "$KIT/tests/$lab/lab.json" ] || { echo "platform: no lab '$lab'" >&2; exit 2; }
out=${out:-$KIT/build/dist/$platform-$lab}
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac

# The lab's facts, for the templates: its files, title, and the grading
# timeout PrairieLearn allows (seconds: a whole lab under Valgrind).
fact() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1])).get(sys.argv[2], ""); print(",".join(v) if isinstance(v, list) else v)' "$KIT/tests/$lab/lab.json" "$1"; }
files=$(fact files) title=$(fact title) timeout=600
subst() { # template output
    sed -e "s/@LAB@/$lab/g" -e "s/@PREP@/all/g" -e "s/@FIRST@/${files%%,*}/g" \
        -e "s/@FILES@/${files//,/ }/g" -e "s/@FILES_COMMA@/${files//,/, }/g" \
        -e "s|@TITLE@|$title|g" -e "s/@TIMEOUT@/$timeout/g" \
        -e "s/@UUID@/$(python3 -c 'import uuid,sys; print(uuid.uuid5(uuid.NAMESPACE_URL, "memlabs/" + sys.argv[1]))' "$lab")/g" \
        "$1" >"$2"
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$KIT/tools/dist/dist-student.sh" --labs "$lab" --with-hidden --stage "$work" --name memlabs >/dev/null
src="$work/memlabs"
rm -f "$src/.github/workflows/classroom.yml"
subst "$KIT/tools/dist/gradescope/setup.sh" "$src/setup.sh"
subst "$KIT/tools/dist/platform/grade.sh" "$src/grade.sh"
cp "$KIT/tools/dist/platform/result.py" "$src/platform-result.py"
chmod +x "$src/setup.sh" "$src/grade.sh" "$src/platform-result.py"
(cd "$src" && find . -type f ! -name VERSION -print0 | sort -z | xargs -0 sha256sum | sha256sum |
    cut -c1-16) >"$src/VERSION"

rm -rf "$out.tmp"
mkdir -p "$out.tmp"
if [ "$platform" = prairielearn ]; then
    q="$out.tmp/questions/memlabs-$lab"
    mkdir -p "$out.tmp/image" "$q"
    mv "$src" "$out.tmp/image/memlabs"
    subst "$KIT/tools/dist/platform/prairielearn.Dockerfile" "$out.tmp/image/Dockerfile"
    subst "$KIT/tools/dist/platform/prairielearn-info.json" "$q/info.json"
    subst "$KIT/tools/dist/platform/prairielearn-question.html" "$q/question.html"
else
    tar -C "$work" -cf "$out.tmp/autograde.tar" memlabs
    subst "$KIT/tools/dist/platform/autolab-Makefile" "$out.tmp/autograde-Makefile"
    mkdir -p "$out.tmp/image"
    mv "$src" "$out.tmp/image/memlabs"
    subst "$KIT/tools/dist/platform/autolab.Dockerfile" "$out.tmp/image/Dockerfile"
fi
rm -rf "$out"
mv "$out.tmp" "$out"
echo "$platform: $out (lab $lab)"
