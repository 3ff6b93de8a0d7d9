#!/usr/bin/env bash
# tests/harness/hostile/hostile.sh -- the hostile-submission corpus (see run.py).
exec python3 "$(dirname "$0")/run.py" "$@"
