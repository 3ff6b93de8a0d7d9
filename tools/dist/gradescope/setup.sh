#!/usr/bin/env bash
# setup.sh -- Gradescope runs this once, as root, when it builds the
# autograder's image, from /autograder/source (this zip, unpacked).
# It installs the Debian packages the kit needs and builds the kit, so that
# each submission only compiles the student's file and runs the tests.
#
# MEMLAB_SKIP_APT=1 skips the package install (a machine that has them, or
# the kit's own test of this zip in a fake /autograder); MEMLAB_GRADE_FLAGS
# are extra memlab-grade options (the kit's test grades a few tests only).
set -euo pipefail
cd "$(dirname "$0")"

if [ -z "${MEMLAB_SKIP_APT:-}" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2046
    apt-get install -y -qq --no-install-recommends $(cat tools/dist/debian-packages.txt)
fi
make -s BUILD="$PWD/build" @PREP@
# The reference's run of every test, once, in the image: the grader times
# it under Valgrind (fair per-test timeouts) and keeps its observation
# traces, cached in build/calibration/ by the reference binary's hash, and
# a lab with a performance stage measures its reference into
# build/perf-cache/, so no student's run pays for either.  --calibrate-only
# does only that (not a grade of the skeleton as well).  Its scratch folder is under the report
# folder, which the tests' own uid must reach: hence 0755.
report=$(mktemp -d)
chmod 0755 "$report"
build/bin/memlab-grade --calibrate-only --lab @LAB@ --report "$report" --kit "$PWD" \
    --build "$PWD/build" --jobs "$(nproc)" --quiet ${MEMLAB_GRADE_FLAGS:-} || true
rm -rf "$report"
echo "memlabs autograder for lab @LAB@ is ready"
