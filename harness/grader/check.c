/*
 * check.c -- stage 2: static checks on the student's object files.
 *
 * Five rules, each violation one message naming the rule and the culprit:
 *   calls      every undefined symbol (nm -u) must be defined by the runtime
 *              or a reference layer (libruntime.a, libref_*.a), be on the
 *              policy's C library list, or on the lab's "allow" list.  The
 *              test harness's own functions (the runner's main, Check, the
 *              lab's test files) are never callable.  Symbols that nothing
 *              defines are left to the linker, whose "undefined reference"
 *              is the clearer message for a typo.
 *   no-interposition  no global symbol the C library or the harness also
 *              defines: a lab file's strcmp or ml_lab_setup would replace
 *              theirs for the whole test binary.
 *   no-constructors  no .init_array, .ctors, .fini_array, .dtors,
 *              .preinit_array section (nor .init_array.NNNNN, a constructor
 *              with a priority): no code runs before or after a test.
 *   no-syscalls      no syscall, sysenter or int $0x80 instruction.
 *   no-asm     no inline assembly (__asm__, __asm) in the student's own
 *              lines of the preprocessed file, macros expanded.
 * The objects checked are the plain ones (work/check/): --coverage adds a
 * constructor and gcov's symbols of its own.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "util.h"

static const char *const ctor_sections[] = {".init_array", ".ctors", ".fini_array", ".dtors",
                                             ".preinit_array"};

/* ------------------------------------------------------------ helpers */

static char *tool_output(const char *tool, const char *opt, const char *file)
{
    char *argv[] = {(char *)tool, (char *)opt, (char *)file, NULL};
    char *out = NULL;
    if (run_capture(argv, NULL, &out, 16 << 20) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* Every global symbol defined by the runtime and the reference layers. */
static char **kit_symbols(const struct grade *g)
{
    char **syms = list_push(NULL, NULL);
    char *dir = xprintf("%s/lib", g->build);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, "libruntime.a") != 0 && strncmp(e->d_name, "libref_", 7) != 0)
            continue;
        char *lib = xprintf("%s/%s", dir, e->d_name);
        char *out = tool_output("nm", "--defined-only", lib);
        char **lines = split(out ? out : "", "\n");
        for (size_t i = 0; lines[i]; i++) {
            char **f = split(lines[i], " \t");
            /* "0000000000000000 T obj_incref": upper-case types are global */
            if (list_len(f) == 3 && f[1][0] >= 'A' && f[1][0] <= 'Z')
                syms = list_push(syms, xstrdup(f[2]));
            list_free(f);
        }
        list_free(lines);
        free(out);
        free(lib);
    }
    if (d)
        closedir(d);
    free(dir);
    return syms;
}

/* Every global symbol the test harness defines: the runner, the lab's test
 * objects (from the link manifest), and Check's static libraries. */
static char **harness_symbols(const struct grade *g)
{
    char **files = list_push(NULL, xprintf("%s/lib/librunner.a", g->build));
    char *manifest = xprintf("%s/grader/%s.link", g->build, g->lab);
    char *text = read_file(manifest, 1 << 20, NULL);
    char **lines = split(text ? text : "", "\n");
    for (size_t i = 0; lines[i]; i++)
        if (strncmp(lines[i], "obj ", 4) == 0)
            files = list_push(files, lines[i][4] == '/' ? xstrdup(lines[i] + 4)
                                                        : xprintf("%s/%s", g->kit, lines[i] + 4));
    list_free(lines);
    free(text);
    free(manifest);
    const char *const libs[] = {"-print-file-name=libcheck_pic.a", "-print-file-name=libcheck.a",
                                "-print-file-name=libsubunit.a"};
    for (size_t i = 0; i < sizeof libs / sizeof *libs; i++) {
        char *out = tool_output("cc", libs[i], NULL);
        char *path = one_line(out, 4096);
        if (path[0] == '/' && is_file(path))
            files = list_push(files, path);
        else
            free(path);
        free(out);
    }
    char **syms = list_push(NULL, NULL);
    for (size_t k = 0; files[k]; k++) {
        char *out = tool_output("nm", "--defined-only", files[k]);
        char **rows = split(out ? out : "", "\n");
        for (size_t i = 0; rows[i]; i++) {
            char **f = split(rows[i], " \t");
            if (list_len(f) == 3 && f[1][0] >= 'A' && f[1][0] <= 'Z' && !list_has(syms, f[2]))
                syms = list_push(syms, xstrdup(f[2]));
            list_free(f);
        }
        list_free(rows);
        free(out);
    }
    list_free(files);
    return syms;
}

static void violation(struct grade *g, char *msg) { g->violations = list_push(g->violations, msg); }

/* ------------------------------------------------------------ rules */

static void check_calls(struct grade *g, const char *file, const char *obj, char **kit,
                        char **harness)
{
    char *out = tool_output("nm", "-u", obj);
    char **lines = split(out ? out : "", "\n");
    for (size_t i = 0; lines[i]; i++) {
        char **f = split(lines[i], " \t"); /* "                 U memcpy" */
        const char *sym = list_len(f) == 2 ? f[1] : NULL;
        int allowed = !sym || list_has(kit, sym) || list_has(g->lab_allow, sym) ||
                      (list_has(g->policy.libc_allowed, sym) &&
                       !list_has(g->policy.libc_forbidden, sym));
        if (!allowed && list_has(harness, sym))
            violation(g, xprintf("%s calls %s, which belongs to the test harness, not to the lab "
                                 "(rule: calls; lab code may not drive or forge the tests)",
                                 file, sym));
        else if (!allowed && list_has(g->policy.libc_forbidden, sym))
            violation(g, xprintf("%s calls %s(), which lab files may not use (rule: calls; "
                                 "the runtime's own functions do what a lab needs)",
                                 file, sym));
        else if (!allowed && dlsym(RTLD_DEFAULT, sym))
            violation(g, xprintf("%s uses %s, which is not on the lab's list of allowed C library "
                                 "functions (rule: calls; harness/policy.json, lab.json \"allow\")",
                                 file, sym));
        list_free(f);
    }
    list_free(lines);
    free(out);
}

/* A global the file defines that the C library or the harness defines too. */
static void check_definitions(struct grade *g, const char *file, const char *obj, char **harness)
{
    char *out = tool_output("nm", "--defined-only", obj);
    char **lines = split(out ? out : "", "\n");
    for (size_t i = 0; lines[i]; i++) {
        char **f = split(lines[i], " \t"); /* "0000000000000040 T strcmp" */
        if (list_len(f) == 3 && f[1][0] >= 'A' && f[1][0] <= 'Z' &&
            (list_has(harness, f[2]) || dlsym(RTLD_DEFAULT, f[2])))
            violation(g, xprintf("%s defines %s, which %s already defines: it would replace "
                                 "theirs in the whole test program; rename it or make it static "
                                 "(rule: no-interposition)",
                                 file, f[2],
                                 list_has(harness, f[2]) ? "the test harness" : "the C library"));
        list_free(f);
    }
    list_free(lines);
    free(out);
}

static void check_sections(struct grade *g, const char *file, const char *obj)
{
    char *out = tool_output("objdump", "-h", obj);
    char **lines = split(out ? out : "", "\n");
    for (size_t l = 0; lines[l]; l++) {
        char **f = split(lines[l], " \t"); /* "  5 .init_array.00101 00000008 ..." */
        for (size_t i = 0; list_len(f) > 2 && i < sizeof ctor_sections / sizeof *ctor_sections;
             i++) {
            size_t n = strlen(ctor_sections[i]);
            if (strncmp(f[1], ctor_sections[i], n) == 0 && (f[1][n] == '\0' || f[1][n] == '.'))
                violation(g, xprintf("%s has a %s section: constructors and destructors are not "
                                     "allowed in lab files (rule: no-constructors)",
                                     file, f[1]));
        }
        list_free(f);
    }
    list_free(lines);
    free(out);
}

/* Skip a string or character literal starting at p (a quote); return the
 * character after it. */
static const char *skip_literal(const char *p)
{
    char quote = *p++;
    while (*p && *p != quote)
        p += p[0] == '\\' && p[1] ? 2 : 1;
    return *p ? p + 1 : p;
}

static void check_instructions(struct grade *g, const char *file, const char *obj)
{
    char *out = tool_output("objdump", "-d", obj);
    char **lines = split(out ? out : "", "\n");
    for (size_t i = 0; lines[i]; i++) {
        /* "  1c:\t0f 05                \tsyscall" : the mnemonic is the last tab field */
        const char *tab = strrchr(lines[i], '\t');
        const char *insn = tab ? tab + 1 : "";
        if (strncmp(insn, "syscall", 7) == 0 || strncmp(insn, "sysenter", 8) == 0 ||
            (strncmp(insn, "int ", 4) == 0 && strstr(insn, "$0x80"))) {
            violation(g, xprintf("%s contains a raw system call instruction (%s): lab files may "
                                 "not talk to the kernel directly (rule: no-syscalls)",
                                 file, insn));
            break;
        }
    }
    list_free(lines);
    free(out);
}

/* The first string literal after p ("nop", with its quotes), or NULL. */
static char *first_literal(const char *p)
{
    p = strchr(p, '"');
    if (!p)
        return NULL;
    const char *end = skip_literal(p);
    char *lit = xmalloc((size_t)(end - p) + 1);
    memcpy(lit, p, (size_t)(end - p));
    lit[end - p] = '\0';
    return lit;
}

/* Inline assembly in the file's own lines, after the preprocessor (-dD
 * keeps the headers' #defines): a macro of the student's cannot hide it.
 * An asm whose template a header defines (Valgrind's client requests, the
 * C library's symbol renames) is the header's, not the student's. */
static void check_asm(struct grade *g, const char *file)
{
    char *argv[] = {"cc",
                    "-std=c11",
                    "-D_GNU_SOURCE",
                    "-E",
                    "-dD",
                    xprintf("-I%s/labs/include", g->kit),
                    xprintf("-I%s/harness/runner", g->kit),
                    (char *)file,
                    NULL};
    char *src = xprintf("%s/src", g->work_dir);
    char *out = NULL;
    int rc = run_capture(argv, src, &out, 64 << 20);
    free(argv[5]);
    free(argv[6]);
    free(src);
    char **lines = split(rc == 0 && out ? out : "", "\n");
    /* which lines are the student's: "# 12 \"refcount.c\" 2" says */
    char *own = xcalloc(list_len(lines) + 1, 1);
    struct sbuf headers = {0};
    int in_file = 1;
    for (size_t i = 0; lines[i]; i++) {
        const char *p = lines[i];
        if (p[0] == '#' && p[1] == ' ' && p[2] >= '0' && p[2] <= '9') {
            const char *q = strchr(p, '"');
            in_file = q && strncmp(q + 1, file, strlen(file)) == 0 && q[1 + strlen(file)] == '"';
            continue;
        }
        own[i] = (char)in_file;
        if (!in_file) {
            sb_add(&headers, p);
            sb_add(&headers, "\n");
        }
    }
    const char *header_text = headers.s ? headers.s : "";
    int found = 0;
    for (size_t i = 0; lines[i] && !found; i++) {
        const char *p = lines[i];
        while (own[i] && !found && *p && p[0] != '#') {
            if (*p == '"' || *p == '\'') {
                p = skip_literal(p);
                continue;
            }
            size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
            if (n && ((n == 5 && strncmp(p, "__asm", 5) == 0) ||
                      (n == 7 && strncmp(p, "__asm__", 7) == 0))) {
                char *lit = first_literal(p + n);
                found = !lit || !strstr(header_text, lit);
                free(lit);
                if (found)
                    violation(g, xprintf("%s uses inline assembly (%.*s): lab files are written "
                                         "in C only (rule: no-asm)",
                                         file, (int)n, p));
            }
            p += n ? n : 1;
        }
    }
    free(headers.s);
    free(own);
    list_free(lines);
    free(out);
}

/* Run every rule on every file.  Violations set OUT_STATIC and return -1. */
int check_static(struct grade *g)
{
    char **kit = kit_symbols(g);
    char **harness = harness_symbols(g);
    for (size_t i = 0; g->files[i]; i++) {
        char *obj = xprintf("%s/check/%s.o", g->work_dir, g->files[i]);
        check_calls(g, g->files[i], obj, kit, harness);
        check_definitions(g, g->files[i], obj, harness);
        check_sections(g, g->files[i], obj);
        check_instructions(g, g->files[i], obj);
        check_asm(g, g->files[i]);
        free(obj);
    }
    list_free(kit);
    list_free(harness);
    if (list_len(g->violations) == 0)
        return 0;
    g->outcome = OUT_STATIC;
    g->outcome_message = xprintf("%zu static check%s failed: the tests were not run",
                                 list_len(g->violations), list_len(g->violations) > 1 ? "s" : "");
    return -1;
}
