#!/usr/bin/env bash
# dist-student.sh -- package the kit for students (make dist-student).
#
#   tools/dist/dist-student.sh [--labs "refcount cycles"] [--out FILE.tar.gz]
#                              [--stage DIR] [--with-hidden] [--name NAME]
#
# --out writes the tarball (one top folder NAME, default memlabs-student);
# --stage DIR also leaves the packaged tree at DIR/NAME.
#
# What goes in: the Makefile and mk/ rules, the public headers and the given
# runtime, the harness (runner and grader), each released lab's skeleton,
# handout, public tests and walkthrough, the Classroom workflow, and every
# layer's reference as object code only: prebuilt/lib/libref_<lab>.a,
# compiled without -g and stripped of debug information, which the Makefile
# uses when solutions/ is absent (a lab is graded against the *other* layers'
# reference).
# What stays out: solutions/, tests/<lab>/hidden/ (unless --with-hidden, for an
# autograder the students never see), the kit's self-tests, the batch grader,
# the packaging tools, the instructor guide.
# The packaged tree is checked with leakcheck.py before it is archived: no
# text file may hold a line of a reference solution (or of a hidden test).
#
# Run from anywhere; works on the kit that holds this script.
set -euo pipefail

KIT=$(cd "$(dirname "$0")/../.." && pwd)
labs="" out="" stage="" with_hidden=0 name="memlabs-student"
BUILD=${BUILD:-build}

usage() { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
    case "$1" in
    --labs) labs=$2; shift ;;
    --out) out=$2; shift ;;
    --stage) stage=$2; shift ;;
    --with-hidden) with_hidden=1 ;;
    --name) name=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "dist-student: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
cd "$KIT"

# ---------------------------------------------------------------- which labs
all_labs=""
for j in tests/*/lab.json; do
    [ -f "$j" ] && all_labs="$all_labs $(basename "$(dirname "$j")")"
done
[ -n "$all_labs" ] || { echo "dist-student: no lab in $KIT/tests/*/lab.json" >&2; exit 2; }
release=""
for l in ${labs:-$all_labs}; do
    case " $all_labs " in
    *" $l "*) release="$release $l" ;;
    *) echo "dist-student: no lab '$l' (labs: $all_labs)" >&2; exit 2 ;;
    esac
done
released() { case " $release " in *" $1 "*) return 0 ;; esac; return 1; }
is_lab() { case " $all_labs " in *" $1 "*) return 0 ;; esac; return 1; }

# ---------------------------------------------------------------- what ships
# keep PATH: 0 when the file belongs in the student kit.
keep() {
    local p=$1 top rest
    top=${p%%/*}
    rest=${p#*/}
    case "$p" in
    solutions/* | prebuilt/* | .ci/* | .git/* | tools/* | harness/batch/*) return 1 ;;
    tests/kit/* | tests/harness/* | tests/slurm/* | mk/instructor.mk | docs/instructor-guide.md) return 1 ;;
    */hidden/*) [ "$with_hidden" = 1 ] || return 1 ;;
    esac
    case "$p" in
    .github/workflows/classroom.yml) return 0 ;;
    .github/*) return 1 ;;
    labs/include/* | labs/runtime/*) return 0 ;;
    bench/*/* | harness/perf/*/*)
        local lab=${p#bench/}
        lab=${lab#harness/perf/}
        lab=${lab%%/*}
        if is_lab "$lab"; then released "$lab"; return; fi
        return 0 ;;
    labs/* | tests/*)
        local lab=${rest%%/*}
        if is_lab "$lab"; then released "$lab"; return; fi
        return 0 ;;
    mk/*.mk)
        local lab
        lab=$(basename "$p" .mk)
        if is_lab "$lab"; then released "$lab"; return; fi
        return 0 ;;
    docs/*)
        local base
        base=$(basename "$p")
        for l in $all_labs; do
            case "$base" in *"$l"*) released "$l"; return ;; esac
        done
        return 0 ;;
    esac
    [ -n "$top" ]
}

files() {
    if git -C "$KIT" rev-parse --git-dir >/dev/null 2>&1; then
        git -C "$KIT" ls-files --cached --others --exclude-standard
    else
        find . -type f ! -path './build/*' | sed 's|^\./||'
    fi
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=${stage:-$work}/$name
rm -rf "$root"
mkdir -p "$root"
files | while IFS= read -r f; do
    [ -f "$f" ] || continue
    if keep "$f"; then cp --parents -p "$f" "$root/"; fi
done
for f in tools/dist/classroom-result.py tools/dist/debian-packages.txt; do
    cp --parents -p "$f" "$root/"
done

# ---------------------------------------------------------------- hidden test counts
# A student's copy has no hidden tests, but its grader says how many will run
# after the deadline: each lab.json in the tarball gets "hidden_tests", the
# number of tests declared in the kit's tests/<lab>/hidden/.
if [ "$with_hidden" = 0 ]; then
    for j in "$root"/tests/*/lab.json; do
        l=$(basename "$(dirname "$j")")
        python3 - "$j" tests/"$l"/hidden <<'PY'
import glob, json, os, re, sys
path, hidden = sys.argv[1], sys.argv[2]
count = sum(len(re.findall(r"^\s*ML_TEST\(", open(f).read(), re.M))
            for f in glob.glob(os.path.join(hidden, "*.c")))
lab = json.load(open(path))
lab["hidden_tests"] = count
tmp = path + ".tmp"
with open(tmp, "w") as out:
    json.dump(lab, out)
    out.write("\n")
os.replace(tmp, path)
PY
    done
fi

# ---------------------------------------------------------------- prebuilt references
# Every layer, released or not: grading one lab links the others' reference.
# -O0 like the kit's own build (the grader calibrates timeouts on it), no -g,
# NDEBUG (assert() would embed its expression's text), __FILE__ named as the
# student's file, then strip debug info and local symbol names.
CC=${CC:-cc}
mkdir -p "$root/prebuilt/lib" "$work/obj"
for l in $all_labs; do
    [ -d "solutions/$l" ] || continue
    srcs=$(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["files"]))' \
        "tests/$l/lab.json")
    objs=""
    for f in $srcs; do
        case "$f" in *.c) ;; *) continue ;; esac
        o="$work/obj/$l-${f%.c}.o"
        "$CC" -std=c11 -D_GNU_SOURCE -O0 -DNDEBUG -g0 -Ilabs/include -Iharness/runner \
            -fmacro-prefix-map="solutions/$l/=labs/$l/" -c "solutions/$l/$f" -o "$o"
        objs="$objs $o"
    done
    # The lab's given code (its source ships too) joins its library: the
    # other labs' binaries link the library alone.
    for g in labs/$l/given/*.c; do
        [ -f "$g" ] || continue
        o="$work/obj/$l-given-$(basename "${g%.c}").o"
        "$CC" -std=c11 -D_GNU_SOURCE -O0 -DNDEBUG -g0 -Ilabs/include -c "$g" -o "$o"
        objs="$objs $o"
    done
    [ -n "$objs" ] || continue
    rm -f "$root/prebuilt/lib/libref_$l.a"
    ar rcs "$root/prebuilt/lib/libref_$l.a" $objs
    strip --strip-debug --strip-unneeded "$root/prebuilt/lib/libref_$l.a"
done
# A lab with a performance part (lab.json "perf") measures the student
# against its reference built at -O2: the kit's one set of -O2 flags (the
# Makefile's O2_CFLAGS, which its perf program, harness/perf/pools/perf-run,
# reads too), no debug information.
o2_cflags=$(sed -n 's/^O2_CFLAGS := //p' Makefile)
for l in $release; do
    perf=$(python3 -c 'import json,sys; print(1 if "perf" in json.load(open(sys.argv[1])) else "")' \
        "tests/$l/lab.json")
    [ -n "$perf" ] && [ -f "solutions/$l/$l.c" ] || continue
    mkdir -p "$root/prebuilt/perf"
    "$CC" $o2_cflags -g0 -Ilabs/include \
        -fmacro-prefix-map="solutions/$l/=labs/$l/" -c "solutions/$l/$l.c" -o "$root/prebuilt/perf/$l.o"
    strip --strip-debug --strip-unneeded "$root/prebuilt/perf/$l.o"
done
cat >"$root/prebuilt/README.md" <<'EOF'
# prebuilt/

The reference implementation of every layer, as object code only
(`lib/libref_<lab>.a`, no debug information). When you grade one lab, your
file is linked with the *other* layers' reference, so that a bug in one lab
never costs points in another. The Makefile uses these libraries because
this kit has no `solutions/` folder.

`perf/<lab>.o`: the reference of a lab with a performance part, built at
-O2 as its performance program builds yours, to measure yours against.
EOF

# The Classroom workflow grades the labs this kit was released with.
if [ -f "$root/.github/workflows/classroom.yml" ]; then
    sed -i "s/^\( *MEMLAB_LABS:\).*/\1 \"$(echo $release)\"/" \
        "$root/.github/workflows/classroom.yml"
fi

# ---------------------------------------------------------------- prove it, then pack
leak_args=()
[ "$with_hidden" = 1 ] && leak_args+=(--allow-hidden)
leakcheck() {
    python3 tools/dist/leakcheck.py "$KIT" "$root" "${leak_args[@]}" >"$work/leaks" 2>/dev/null
}
if ! leakcheck; then
    # Prose that quotes a reference solution is left out, loudly; its author
    # can rewrite it, or list a line deliberately quoted in tools/dist/leak-allow.txt.
    for doc in $(grep '^docs/' "$work/leaks" | cut -d: -f1 | sort -u); do
        echo "dist-student: WARNING: leaving out $doc, it quotes reference code:" >&2
        grep "^$doc:" "$work/leaks" | sed 's/^/    /' >&2
        rm -f "$root/$doc"
    done
fi
if ! leakcheck; then
    echo "dist-student: refusing to package, the tree gives away reference code:" >&2
    head -20 "$work/leaks" >&2
    exit 1
fi
if [ -n "$out" ]; then
    mkdir -p "$(dirname "$out")"
    tar -C "$(dirname "$root")" --owner=0 --group=0 --sort=name \
        -czf "$out.tmp" "$(basename "$root")"
    mv "$out.tmp" "$out"
    echo "dist-student: $out (labs:$release; $(find "$root" -type f | wc -l) files)"
fi
