#!/usr/bin/env bash
# setup.sh -- Gradescope runs this once, as root, when it builds the
# autograder's image, from /autograder/source (this zip, unpacked).
# It installs the Debian packages the kit needs and builds the kit, so that
# each submission only compiles the student's file and runs the tests.
#
# MEMLAB_SKIP_APT=1 skips the package install (a machine that has them, or
# the kit's own test of this zip in a fake /autograder).
set -euo pipefail
cd "$(dirname "$0")"

if [ -z "${MEMLAB_SKIP_APT:-}" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2046
    apt-get install -y -qq --no-install-recommends $(cat tools/dist/debian-packages.txt)
fi
make -s @PREP@
echo "memlabs autograder for lab @LAB@ is ready"
