#!/usr/bin/env bash
# tests/harness/hostile/run.sh -- the hostile-submission corpus (see run.py).
exec python3 "$(dirname "$0")/run.py" "$@"
