#!/usr/bin/env bash
# tests/kit/quality-mutation.sh -- do the tests catch bugs?  A fixed sample of
# MUTATION_SAMPLE (30) mutants of each lab's reference solution, graded with
# the lab's public and hidden tests (harness/mutation/, natively, then under
# memcheck for the survivors), must be >= MUTATION_MIN (95) % killed; and
# every entry of docs/mutation-equivalents.md must still match a mutant.
#
# The light check `make test` runs (a few minutes, results cached in
# $BUILD/mutation/); the full run is `make mutation`.  LABS="a b" limits the
# labs.  Prints "ok - ..." / "not ok - ..." per lab, then "N passed, M failed".
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SAMPLE=${MUTATION_SAMPLE:-30}
MIN=${MUTATION_MIN:-95}
pass=0 fail=0
labs=${LABS:-$(for f in tests/*/lab.json; do basename "$(dirname "$f")"; done)}
for lab in $labs; do
    start=$(date +%s)
    out=$(python3 harness/mutation/mutate.py --lab "$lab" --build "$BUILD" --sample "$SAMPLE" \
          --min-score "$MIN" --quiet 2>&1)
    rc=$?
    echo "$out" | sed 's/^/# /'
    summary=$(grep -m1 '^mutation ' <<<"$out")
    if [ $rc -eq 0 ]; then
        echo "ok - $lab: sampled mutation score >= $MIN % ($summary, $(( $(date +%s) - start )) s)"
        pass=$((pass + 1))
    else
        echo "not ok - $lab: sampled mutation score >= $MIN % (${summary:-the tool failed, exit $rc})"
        fail=$((fail + 1))
    fi
    # an entry of docs/mutation-equivalents.md whose line was edited matches
    # nothing and lets its mutant count as a survivor: caught here, not at the
    # next full run
    if stale=$(python3 harness/mutation/mutate.py --lab "$lab" --build "$BUILD" --check-equivalents 2>&1); then
        echo "ok - $lab: every equivalent entry matches a mutant"
        pass=$((pass + 1))
    else
        echo "$stale" | sed 's/^/# /'
        echo "not ok - $lab: every equivalent entry matches a mutant"
        fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
