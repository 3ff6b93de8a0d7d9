#!/bin/sh
# tracing-oracle.sh BINARY -- the tracing layer's text against CPython's
# Lib/tracemalloc.py, line by line, on every case file tests/kit/tracing-cases-*.txt
# (sizes over a wide range of values and signs, Statistic and StatisticDiff
# lines, grouping and sort order of random synthetic snapshots, Traceback.format).
#
# CPython's answer comes from python3 ${ORACLES:-tests/oracles}/format_oracle.py
# when that script is there, else from the golden copies committed in
# tests/kit/expected/tracing-<case>.txt (made by that script on CPython 3.11).
# Prints the first mismatch of each case file, then one summary line; exits 1
# on any mismatch.
set -eu
bin=${1:?usage: tracing-oracle.sh BINARY}
here=$(dirname "$0")
oracle=${ORACLES:-tests/oracles}/format_oracle.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -f "$oracle" ] && command -v python3 >/dev/null 2>&1; then
    live=1
    source=$oracle
else
    live=0
    source="golden copies in $here/expected"
    echo "oracle not found at $oracle: using the golden copies"
fi

failed=0
total=0
for cases in "$here"/tracing-cases-*.txt; do
    name=$(basename "$cases" .txt)
    name=${name#tracing-cases-}
    if [ "$live" = 1 ]; then
        python3 "$oracle" "$cases" > "$tmp/$name.expected"
    else
        cp "$here/expected/tracing-$name.txt" "$tmp/$name.expected"
    fi
    sed 1d "$tmp/$name.expected" > "$tmp/$name.want"   # drop "python X.Y.Z"
    "$bin" "$cases" > "$tmp/$name.got"
    lines=$(wc -l < "$tmp/$name.want")
    total=$((total + lines))
    if cmp -s "$tmp/$name.want" "$tmp/$name.got"; then
        echo "tracing oracle $name: $lines lines identical"
    else
        failed=$((failed + 1))
        echo "tracing oracle $name: MISMATCH"
        diff "$tmp/$name.want" "$tmp/$name.got" | head -8
    fi
done
echo "tracing oracle ($source): $total lines, $failed case files differ"
[ "$failed" = 0 ]
