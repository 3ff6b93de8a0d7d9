#!/usr/bin/env bash
# make-help.sh -- `make help` names every target a person can run.
#
# The targets are the .PHONY ones of the Makefile and of every mk/*.mk; each
# must appear as a word of `make help` (its entries come from the headers of
# the mk files, so a target documented where it is defined is listed).
# INTERNAL names the prerequisites that are not for people.  Also: the
# variables the issue found missing (VALGRIND=1, GRADE_FLAGS) are shown.
set -uo pipefail
KIT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
INTERNAL=""
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
no() { fail=$((fail + 1)); echo "FAIL $1"; }
cd "$KIT"
help=$(make --no-print-directory BUILD="$BUILD" help 2>&1)
[ $? = 0 ] && ok "make help runs" || no "make help runs"
targets=$(sed -n 's/^\.PHONY:\(.*\)/\1/p' Makefile mk/*.mk | tr ' ' '\n' | grep . | sort -u)
missing=""
n=0
for t in $targets; do
    case " $INTERNAL " in *" $t "*) continue ;; esac
    n=$((n + 1))
    grep -Eq "(^|[^A-Za-z0-9_-])$t([^A-Za-z0-9_-]|$)" <<<"$help" || missing="$missing $t"
done
if [ -z "$missing" ] && [ "$n" -gt 20 ]; then
    ok "make help names all $n targets"
else
    no "make help leaves out:${missing:- (only $n targets found)}"
fi
for v in VALGRIND=1 GRADE_FLAGS FORMAT=canvas ROSTER=; do
    grep -q -- "$v" <<<"$help" && ok "make help shows $v" || no "make help shows $v"
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
