#!/usr/bin/env bash
# pools-perf.sh -- the pools lab's performance stage (harness/perf/pools/perf-run)
# scores what it should: the reference 20/20 whether it is given as source
# or as the stripped object code a student kit ships (prebuilt/perf/pools.o);
# a correct allocator that does extra work per call is correct on every
# trace and loses performance points in proportion, with the function the
# instructions went to named; one that takes its blocks from the C library
# is counted as holding them; one that hands out a live block again fails
# every trace, with the overlap named; the skeleton 0.
#
#   tests/kit/pools-perf.sh        (from the repository root; BUILD=build)
#
# Prints one line per case and "N passed, M failed"; exits 1 if any failed.
set -u
build=${BUILD:-build}
work=$build/kit-tests/pools-perf
cache=$build/perf-cache
rm -rf "$work" && mkdir -p "$work"
passed=0 failed=0

verdict() { # name ok detail
    if [ "$2" = 1 ]; then passed=$((passed + 1)); echo "ok - $1"
    else failed=$((failed + 1)); echo "not ok - $1: $3"; fi
}

# run NAME FILE [perf-run options...]: prints the score, writes $work/NAME.json
run() {
    local name=$1 file=$2
    shift 2
    harness/perf/pools/perf-run --student "$file" --out "$work/$name.json" --cache "$cache" \
        --work "$work/$name" "$@" >"$work/$name.log" 2>&1 || { echo "perf-run exit $?"; return; }
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["score"])' "$work/$name.json"
}

# a field of every trace, space separated
field() { python3 -c 'import json,sys; print(" ".join(str(t[sys.argv[2]]) for t in json.load(open(sys.argv[1]))["traces"]))' "$work/$1.json" "$2"; }

score=$(run reference solutions/pools/pools.c)
verdict "the reference scores 20/20 against itself" "$([ "$score" = 20.0 ] && echo 1)" "score $score"
hot=$(python3 - "$work/reference.json" <<'PY'
import json, sys
traces = json.load(open(sys.argv[1]))["traces"]
print(all(len(t["hot"]) == 3 and all(h["student_ir"] == h["reference_ir"] > 0 for h in t["hot"])
          for t in traces))
PY
)
verdict "against itself, each trace's three hottest functions count what the reference's do" \
    "$([ "$hot" = True ] && echo 1)" "$hot"

# The object code a student kit ships, built as tools/dist/dist-student.sh does.
obj=$work/pools-ref.o
cc -std=c11 -D_GNU_SOURCE -O2 -g0 -DNVALGRIND -DNDEBUG -Ilabs/include -c solutions/pools/pools.c -o "$obj" &&
    strip --strip-debug --strip-unneeded "$obj"
score=$(run object solutions/pools/pools.c --reference "$obj")
same=$( [ "$(field object student_ir)" = "$(field object reference_ir)" ] && echo 1)
verdict "the stripped reference object measures the same instructions as its source" \
    "$([ "$score" = 20.0 ] && [ "$same" = 1 ] && echo 1)" "score $score; $(field object student_ir) vs $(field object reference_ir)"

# A correct allocator doing a little extra work per malloc: pool_malloc
# spins, then calls the reference's (renamed pool_malloc_fast).
slow=$work/slow.c
python3 - solutions/pools/pools.c "$slow" <<'PY'
import sys
head = "void *pool_malloc(size_t nbytes)\n"
text = open(sys.argv[1]).read()
assert head in text
spin = ("void *pool_malloc_fast(size_t nbytes);\n\n" + head +
        "{\n    for (volatile int spin = 0; spin < 8; spin++) {\n    }\n"
        "    return pool_malloc_fast(nbytes);\n}\n\nvoid *pool_malloc_fast(size_t nbytes)\n")
open(sys.argv[2], "w").write(text.replace(head, spin, 1))
PY
score=$(run slow "$slow")
oks=$(field slow ok)
verdict "a correct but slower allocator passes every trace and scores between 0 and 20" \
    "$(python3 -c 'import sys; s = float(sys.argv[1]); print(1 if 0 < s < 19.5 else "")' "$score" 2>/dev/null)$( [ "$oks" = "True True True True True True" ] || echo x)" \
    "score $score, ok: $oks"
hot=$(python3 -c 'import json,sys; print(" ".join("%s:%d" % (t["hot"][0]["function"], t["hot"][0]["student_ir"] > t["hot"][0]["reference_ir"]) for t in json.load(open(sys.argv[1]))["traces"]))' "$work/slow.json")
verdict "the slower allocator's hottest function on every trace is its pool_malloc, dearer than the reference's" \
    "$([ "$hot" = "pool_malloc:1 pool_malloc:1 pool_malloc:1 pool_malloc:1 pool_malloc:1 pool_malloc:1" ] && echo 1)" "$hot"
# The grader shows it under each trace that lost points.
mkdir -p "$work/slow-submission" && cp "$slow" "$work/slow-submission/pools.c"
"$build/bin/memlab-grade" --lab pools --kit . --build "$build" --submission "$work/slow-submission" \
    --only performance --report "$work/slow-report" >"$work/slow-grade.log" 2>&1
lines=$(grep -c "most instructions in: pool_malloc ([0-9.]*x the reference's), pool_free (1.00x)" \
    "$work/slow-report/report.txt" 2>/dev/null)
verdict "make grade names, under each of the six traces, the functions the instructions went to" \
    "$([ "$lines" = 6 ] && echo 1)" "$lines lines in $work/slow-report/report.txt"

# An allocator that serves everything from the C library: its blocks count.
# (The heap checker is given code, linked from the kit: its empty heap passes.)
libc=$work/libc.c
cat >"$libc" <<'C'
#include <stdlib.h>
#include "memlab/pools.h"
void *pool_malloc(size_t n) { return malloc(n ? n : 1); }
void *pool_calloc(size_t n, size_t s) { return calloc(n ? n : 1, s ? s : 1); }
void *pool_realloc(void *p, size_t n) { return realloc(p, n ? n : 1); }
void pool_free(void *p) { free(p); }
int pool_address_in_range(const void *p) { (void)p; return 0; }
void pool_uninstall(void) {}
C
score=$(run libc "$libc")
utils=$(field libc utilization)
verdict "blocks taken from the C library count as held (utilization below 1 on every trace)" \
    "$(python3 -c 'import sys; print(1 if all(0 < float(u) < 1 for u in sys.argv[1:]) else "")' $utils)" \
    "utilizations: $utils (score $score)"

# An allocator that, from its 50th malloc on, answers the first malloc that
# follows another one (no free or realloc between them) with the block it
# returned for that one, still live: perf-run's own check of the stream
# names the overlap (the driver keeps no tree of live blocks:
# REPLAY_OVERLAP_OUTSIDE), even where the heap the aliasing corrupts then
# crashes the driver.
alias=$work/alias.c
python3 - solutions/pools/pools.c "$alias" <<'PY'
import sys
text = open(sys.argv[1]).read()
heads = ["void *pool_malloc(size_t nbytes)\n", "void pool_free(void *p)\n",
         "void *pool_realloc(void *p, size_t nbytes)\n"]
assert all(h in text for h in heads)
wrappers = """static void *last_block; /* what the last call returned, if it was a malloc */
static int calls, aliased;
void *pool_malloc_real(size_t nbytes);
void pool_free_real(void *p);
void *pool_realloc_real(void *p, size_t nbytes);

void *pool_malloc(size_t nbytes)
{
    if (++calls >= 50 && !aliased && last_block != NULL) {
        aliased = 1;
        return last_block;
    }
    return last_block = pool_malloc_real(nbytes);
}

void pool_free(void *p)
{
    last_block = NULL;
    pool_free_real(p);
}

void *pool_realloc(void *p, size_t nbytes)
{
    void *q = pool_realloc_real(p, nbytes);
    last_block = NULL;
    return q;
}

"""
for h in heads:  # the reference's three become *_real, then the wrappers go in front
    text = text.replace(h, h.replace("(", "_real(", 1), 1)
at = text.index(heads[0].replace("(", "_real(", 1))
open(sys.argv[2], "w").write(text[:at] + wrappers + text[at:])
PY
score=$(run alias "$alias")
errors=$(python3 -c 'import json,sys; print(sum("overlaps a live block" in t["error"] and not t["ok"] for t in json.load(open(sys.argv[1]))["traces"]))' "$work/alias.json" 2>/dev/null)
verdict "a block handed out twice fails every trace, perf-run naming the overlap" \
    "$([ "$score" = 0.0 ] && [ "$errors" = 6 ] && echo 1)" "score $score; $errors of 6 traces name the overlap"

# What perf-run believes of Valgrind's log (log_lines), on logs written by
# hand: a count a client request printed, a second count line, a line of
# another process.
logs=$(python3 - harness/perf/pools/perf-run <<'PY'
import importlib.machinery, importlib.util, sys
loader = importlib.machinery.SourceFileLoader("perf_run", sys.argv[1])
spec = importlib.util.spec_from_loader("perf_run", loader)
pr = importlib.util.module_from_spec(spec)
loader.exec_module(pr)
banner = "==7== Callgrind, a call-graph generating cache profiler\n"
def verdict(text):
    try:
        pid, counts, payloads = pr.log_lines(banner + text)
        return "%s %s %d" % (pid, counts, len(payloads))
    except pr.Untrusted as e:
        return "untrusted"
print(verdict("**7** \n**7** ==7== Collected : 1\n==7== Collected : 900\n"),
      verdict("==7== Collected : 1\n==7== Collected : 900\n"),
      verdict("==7== ==7== Collected : 900\n"),
      verdict("==8== Collected : 1\n==7== Collected : 900\n"),
      verdict("**8** perf end 1 5\n==7== Collected : 900\n"), sep="|")
PY
)
verdict "the log's count is its one ==pid== Collected line; client lines, extra or foreign ones never count" \
    "$([ "$logs" = "7 [900] 2|7 [1, 900] 0|untrusted|untrusted|untrusted" ] && echo 1)" "$logs"

score=$(run skeleton labs/pools/pools.c)
verdict "the skeleton scores 0" "$([ "$score" = 0.0 ] && echo 1)" "score $score"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
