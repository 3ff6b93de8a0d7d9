/*
 * check.c -- stage 2: static checks on the student's object files.
 *
 * Three rules, each violation one message naming the rule and the culprit:
 *   calls      every undefined symbol (nm -u) must be defined by the runtime
 *              or a reference layer (libruntime.a, libref_*.a), be on the
 *              policy's C library list, or on the lab's "allow" list.
 *              Symbols that nothing defines are left to the linker, whose
 *              "undefined reference" is the clearer message for a typo.
 *   no-constructors  no .init_array, .ctors, .fini_array, .dtors,
 *              .preinit_array section: no code runs before or after a test.
 *   no-syscalls      no syscall, sysenter or int $0x80 instruction.
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

static void violation(struct grade *g, char *msg) { g->violations = list_push(g->violations, msg); }

/* ------------------------------------------------------------ rules */

static void check_calls(struct grade *g, const char *file, const char *obj, char **kit)
{
    char *out = tool_output("nm", "-u", obj);
    char **lines = split(out ? out : "", "\n");
    for (size_t i = 0; lines[i]; i++) {
        char **f = split(lines[i], " \t"); /* "                 U memcpy" */
        const char *sym = list_len(f) == 2 ? f[1] : NULL;
        int allowed = !sym || list_has(kit, sym) || list_has(g->lab_allow, sym) ||
                      (list_has(g->policy.libc_allowed, sym) &&
                       !list_has(g->policy.libc_forbidden, sym));
        if (!allowed && list_has(g->policy.libc_forbidden, sym))
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

static void check_sections(struct grade *g, const char *file, const char *obj)
{
    char *out = tool_output("objdump", "-h", obj);
    for (size_t i = 0; out && i < sizeof ctor_sections / sizeof *ctor_sections; i++) {
        char *pat = xprintf(" %s ", ctor_sections[i]);
        if (strstr(out, pat))
            violation(g, xprintf("%s has a %s section: constructors and destructors are not "
                                 "allowed in lab files (rule: no-constructors)",
                                 file, ctor_sections[i]));
        free(pat);
    }
    free(out);
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

/* Run every rule on every file.  Violations set OUT_STATIC and return -1. */
int check_static(struct grade *g)
{
    char **kit = kit_symbols(g);
    for (size_t i = 0; g->files[i]; i++) {
        char *obj = xprintf("%s/check/%s.o", g->work_dir, g->files[i]);
        check_calls(g, g->files[i], obj, kit);
        check_sections(g, g->files[i], obj);
        check_instructions(g, g->files[i], obj);
        free(obj);
    }
    list_free(kit);
    if (list_len(g->violations) == 0)
        return 0;
    g->outcome = OUT_STATIC;
    g->outcome_message = xprintf("%zu static check%s failed: the tests were not run",
                                 list_len(g->violations), list_len(g->violations) > 1 ? "s" : "");
    return -1;
}
