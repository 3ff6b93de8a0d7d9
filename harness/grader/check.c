/*
 * check.c -- stage 2: static checks on the student's object files and on
 * their preprocessed text (work/check/<file>.i, written by build.c, whose
 * "includes" rule has already run).
 *
 * Each violation is one message naming the rule, the culprit and the fix:
 *   calls      every undefined symbol (nm -u) must be the kit's API (a global
 *              of libruntime.a or a reference layer that the test harness
 *              does not define), on the policy's C library list, or on the
 *              lab's "allow" list.  Nothing else: not the harness (the
 *              runner's main, Check, the tests), not the toolchain's hidden
 *              names (__gcov_*, __real_*, __wrap_*, the linker's
 *              __start_<section>), whether or not the grader could find them.
 *   no-interposition  no global symbol the C library or the harness also
 *              defines: a lab file's strcmp or ml_lab_setup would replace
 *              theirs for the whole test binary.
 *   no-constructors  no .init_array, .ctors, .fini_array, .dtors,
 *              .preinit_array section (nor .init_array.NNNNN, a constructor
 *              with a priority): no code runs before or after a test.
 *   no-test-sections  no section the runner reads (ml_tests): a lab file
 *              cannot declare tests of its own.
 *   no-syscalls      no syscall, sysenter or int $0x80 instruction.
 *   no-line-directives  no #line (nor a GNU line marker) in the source: the
 *              rules below tell the student's lines by the markers.
 *   valgrind-requests  each Valgrind client request in the student's lines
 *              is valgrind.h's own expansion, naming a request of the lab's
 *              lab.json "valgrind_requests" (none when absent), with plain
 *              arguments; no other use of its machinery (_zzq_*, VG_USERREQ__*
 *              names, VALGRIND_PRINTF).
 *   no-asm     no other inline assembly (__asm__, __asm) in the student's own
 *              lines of the preprocessed file, macros expanded.
 * The objects checked are the plain ones (work/check/): --coverage adds a
 * constructor and gcov's symbols of its own.
 */
#include "results.h"
#include "util.h"

#include <dirent.h>
#include <dlfcn.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const ctor_sections[] = {".init_array", ".ctors", ".fini_array", ".dtors",
                                            ".preinit_array"};

/* Sections the runner walks (harness/runner/mltest.h). */
static const char *const runner_sections[] = {"ml_tests"};

/* valgrind.h's client request on amd64, token by token (REQ: the request,
 * ARG: an argument).  The expansion is the header's; the student's lines
 * only choose the request and the arguments. */
#define REQ "\001"
#define ARG "\002"
static const char *const request_tokens[] = {"__extension__",
                                             "(",
                                             "{",
                                             "volatile",
                                             "unsigned",
                                             "long",
                                             "int",
                                             "_zzq_args",
                                             "[",
                                             "6",
                                             "]",
                                             ";",
                                             "volatile",
                                             "unsigned",
                                             "long",
                                             "int",
                                             "_zzq_result",
                                             ";",
#define ASSIGN(k, what)                                                                            \
    "_zzq_args", "[", k, "]", "=", "(", "unsigned", "long", "int", ")", "(", what, ")", ";"
                                             ASSIGN("0", REQ),
                                             ASSIGN("1", ARG),
                                             ASSIGN("2", ARG),
                                             ASSIGN("3", ARG),
                                             ASSIGN("4", ARG),
                                             ASSIGN("5", ARG),
#undef ASSIGN
                                             "__asm__",
                                             "volatile",
                                             "(",
                                             "\"rolq $3,  %%rdi ; rolq $13, %%rdi\\n\\t\"",
                                             "\"rolq $61, %%rdi ; rolq $51, %%rdi\\n\\t\"",
                                             "\"xchgq %%rbx,%%rbx\"",
                                             ":",
                                             "\"=d\"",
                                             "(",
                                             "_zzq_result",
                                             ")",
                                             ":",
                                             "\"a\"",
                                             "(",
                                             "&",
                                             "_zzq_args",
                                             "[",
                                             "0",
                                             "]",
                                             ")",
                                             ",",
                                             "\"0\"",
                                             "(",
                                             ARG,
                                             ")",
                                             ":",
                                             "\"cc\"",
                                             ",",
                                             "\"memory\"",
                                             ")",
                                             ";",
                                             "_zzq_result",
                                             ";",
                                             "}",
                                             ")"};

/* valgrind.h's functions that make a request of their own. */
static const char *const request_functions[][2] = {
    {"VALGRIND_PRINTF", "VG_USERREQ__PRINTF_VALIST_BY_REF"},
    {"VALGRIND_PRINTF_BACKTRACE", "VG_USERREQ__PRINTF_BACKTRACE_VALIST_BY_REF"},
};

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

/* Edit distance of a and b, stopping early above `limit`. */
static size_t distance(const char *a, const char *b, size_t limit)
{
    size_t n = strlen(b), *row = xcalloc(n + 1, sizeof *row), best = 0;
    for (size_t j = 0; j <= n; j++)
        row[j] = j;
    for (size_t i = 1; a[i - 1] && best <= limit; i++) {
        size_t diag = row[0];
        row[0] = best = i;
        for (size_t j = 1; j <= n; j++) {
            size_t up = row[j];
            size_t sub = diag + (a[i - 1] != b[j - 1]);
            size_t del = (up < row[j - 1] ? up : row[j - 1]) + 1;
            row[j] = sub < del ? sub : del;
            diag = up;
            best = row[j] < best ? row[j] : best;
        }
    }
    size_t d = best > limit ? limit + 1 : row[n];
    free(row);
    return d;
}

/* " (misspelt? the kit has obj_incref)" when `sym` is close to a name of
 * the API, else "". */
static char *misspelt(const char *sym, char **api)
{
    for (size_t i = 0; api[i]; i++)
        if (distance(sym, api[i], 2) <= 2)
            return xprintf(" (misspelt? the kit has %s)", api[i]);
    return xstrdup("");
}

/* The kit's API: what the runtime and the reference layers define, minus
 * what the harness defines too. */
static char **kit_api(char **kit, char **harness)
{
    char **api = list_push(NULL, NULL);
    for (size_t i = 0; kit[i]; i++)
        if (!list_has(harness, kit[i]))
            api = list_push(api, xstrdup(kit[i]));
    return api;
}

/* Why `file` may not use `sym`, and what to do instead. */
static char *call_message(const char *file, const char *sym, char **api, char **harness,
                          const struct policy *policy)
{
    if (list_has(harness, sym))
        return xprintf("%s calls %s, which belongs to the test harness, not to the lab "
                       "(rule: calls; lab code may not drive or forge the tests)",
                       file, sym);
    if (list_has(policy->libc_forbidden, sym))
        return xprintf("%s calls %s(), which lab files may not use (rule: calls; "
                       "the runtime's own functions do what a lab needs)",
                       file, sym);
    char *hint = misspelt(sym, api);
    char *msg = xprintf("%s uses %s, which is not the kit's API (labs/include/memlab) and not on "
                        "the lab's list of allowed C library functions%s (rule: calls; use the "
                        "API, or ask for the function to be added to harness/policy.json or the "
                        "lab's lab.json \"allow\")",
                        file, sym, hint);
    free(hint);
    return msg;
}

static void check_calls(struct grade *g, const char *file, const char *obj, char **api,
                        char **harness)
{
    char *out = tool_output("nm", "-u", obj);
    char **lines = split(out ? out : "", "\n");
    for (size_t i = 0; lines[i]; i++) {
        char **f = split(lines[i], " \t"); /* "                 U memcpy" */
        const char *sym = list_len(f) == 2 ? f[1] : NULL;
        int allowed =
            !sym || list_has(api, sym) || list_has(g->lab_allow, sym) ||
            (list_has(g->policy.libc_allowed, sym) && !list_has(g->policy.libc_forbidden, sym));
        if (!allowed)
            violation(g, call_message(file, sym, api, harness, &g->policy));
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

static int is_runner_section(const char *name)
{
    for (size_t i = 0; i < sizeof runner_sections / sizeof *runner_sections; i++)
        if (strncmp(name, runner_sections[i], strlen(runner_sections[i])) == 0)
            return 1;
    return 0;
}

static void check_sections(struct grade *g, const char *file, const char *obj)
{
    char *out = tool_output("objdump", "-h", obj);
    char **lines = split(out ? out : "", "\n");
    for (size_t l = 0; lines[l]; l++) {
        char **f = split(lines[l], " \t"); /* "  5 .init_array.00101 00000008 ..." */
        if (list_len(f) > 2 && f[0][0] >= '0' && f[0][0] <= '9' && is_runner_section(f[1]))
            violation(g, xprintf("%s has a %s section, which the test runner reads: lab files "
                                 "may not declare tests (rule: no-test-sections)",
                                 file, f[1]));
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

static int is_ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
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

/* ------------------------------------------------------------ the source */

/* `text` as the preprocessor's first phases see it: the trigraphs for # and
 * backslash replaced, backslash-newlines removed, comments made one space, string
 * and character literals kept. */
static char *phases(const char *text)
{
    struct sbuf b = {0};
    for (const char *p = text; *p; p++) {
        char c = *p;
        if (p[0] == '?' && p[1] == '?' && (p[2] == '=' || p[2] == '/'))
            c = p[2] == '=' ? '#' : '\\', p += 2;
        if (c == '\\' && p[1] == '\n') {
            p++;
            continue;
        }
        sb_addn(&b, &c, 1);
    }
    char *spliced = sb_take(&b);
    for (const char *p = spliced; *p;) {
        if (*p == '"' || *p == '\'') {
            const char *end = skip_literal(p);
            sb_addn(&b, p, (size_t)(end - p));
            p = end;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");
            p = end ? end + 2 : p + strlen(p);
            sb_add(&b, " ");
        } else if (p[0] == '/' && p[1] == '/') {
            p += strcspn(p, "\n");
        } else {
            sb_addn(&b, p++, 1);
        }
    }
    free(spliced);
    return sb_take(&b);
}

/* A #line directive, or a GNU line marker ("# 12 \"x.h\" 1"), would make
 * the student's lines look like a header's. */
static void check_line_directives(struct grade *g, const char *file, const char *path)
{
    char *raw = read_file(path, 1 << 20, NULL);
    char *text = phases(raw ? raw : "");
    char **lines = split(text, "\n");
    for (size_t i = 0; lines[i]; i++) {
        const char *p = lines[i] + strspn(lines[i], " \t\f\v\r");
        if (*p == '#')
            p++;
        else if (p[0] == '%' && p[1] == ':')
            p += 2;
        else
            continue;
        p += strspn(p, " \t\f\v\r");
        if ((strncmp(p, "line", 4) == 0 && !is_ident_char(p[4])) || (*p >= '0' && *p <= '9')) {
            violation(g, xprintf("%s has a #line directive or a line marker: lab files may not "
                                 "rename their own lines (rule: no-line-directives)",
                                 file));
            break;
        }
    }
    list_free(lines);
    free(text);
    free(raw);
}

/* ------------------------------------------------------------ the preprocessed text */

/* The student's own lines of a `cc -E -dD` output (the line markers say
 * which: "# 12 \"refcount.c\" 2"), directives left out, into *own. */
static void own_lines(const char *text, const char *file, struct sbuf *own)
{
    char **lines = split(text, "\n");
    size_t n = strlen(file);
    int in_file = 1;
    for (size_t i = 0; lines[i]; i++) {
        const char *p = lines[i];
        if (p[0] == '#' && p[1] == ' ' && p[2] >= '0' && p[2] <= '9') {
            const char *q = strchr(p, '"');
            in_file = q && strncmp(q + 1, file, n) == 0 && q[1 + n] == '"';
            continue;
        }
        if (!in_file || p[0] == '#')
            continue;
        sb_add(own, p);
        sb_add(own, "\n");
    }
    list_free(lines);
}

struct token {
    const char *s;
    size_t n;
};

/* C tokens, roughly: identifiers and numbers, literals, one character of
 * anything else.  Enough to compare with valgrind.h's expansion. */
static struct token *tokenize(const char *text, size_t *count)
{
    size_t n = 0, cap = 256;
    struct token *t = xmalloc(cap * sizeof *t);
    for (const char *p = text; *p;) {
        if (strchr(" \t\n\r\f\v", *p)) {
            p++;
            continue;
        }
        const char *end = p + 1;
        if (is_ident_char(*p))
            for (end = p; is_ident_char(*end); end++)
                ;
        else if (*p == '"' || *p == '\'')
            end = skip_literal(p);
        if (n == cap)
            t = xrealloc(t, (cap *= 2) * sizeof *t);
        t[n++] = (struct token){p, (size_t)(end - p)};
        p = end;
    }
    *count = n;
    return t;
}

static int tok_is(const struct token *t, const char *s)
{
    return t->n == strlen(s) && memcmp(t->s, s, t->n) == 0;
}

static char *tok_dup(const struct token *t)
{
    char *s = xmalloc(t->n + 1);
    memcpy(s, t->s, t->n);
    s[t->n] = '\0';
    return s;
}

static int tok_starts(const struct token *t, const char *s)
{
    return t->n >= strlen(s) && memcmp(t->s, s, strlen(s)) == 0;
}

/* The end of a hole at t[i]: the index of the ")" that closes it. */
static size_t hole_end(const struct token *t, size_t n, size_t i)
{
    for (int depth = 0; i < n; i++) {
        depth += tok_is(&t[i], "(") - tok_is(&t[i], ")");
        if (depth < 0)
            return i;
    }
    return n;
}

/* A request's argument runs nothing: no call, assignment, ++, -- or
 * statement expression (it is evaluated between the request's number
 * and the magic instructions).  The index of the first offending token,
 * or `to`. */
/* Does the ")" at t[i] close a cast, "(const char *)" as valgrind.h's
 * macros write around their arguments: its parentheses hold a type (a
 * type word first, or "*" last)? */
static int closes_cast(const struct token *t, size_t from, size_t i)
{
    static const char *const type_words[] = {"const", "volatile", "char",   "short", "int",
                                             "long",  "unsigned", "signed", "void",  "struct",
                                             "union", "enum",     "float",  "double"};
    size_t depth = 0, open = i;
    for (size_t k = i + 1; k-- > from;) {
        depth += tok_is(&t[k], ")");
        depth -= tok_is(&t[k], "(");
        if (depth == 0) {
            open = k;
            break;
        }
    }
    if (open == i || open + 1 >= i)
        return 0;
    if (tok_is(&t[i - 1], "*"))
        return 1;
    for (size_t w = 0; w < sizeof type_words / sizeof *type_words; w++)
        if (tok_is(&t[open + 1], type_words[w]))
            return 1;
    return 0;
}

static size_t impure_token(const struct token *t, size_t from, size_t to)
{
    static const char *const not_calls[] = {"sizeof", "_Alignof", "__alignof__", "__typeof__"};
    for (size_t i = from; i < to; i++) {
        int next_paren = i + 1 < to && tok_is(&t[i + 1], "(");
        int call = next_paren &&
                   (is_ident_char(t[i].s[0]) || (tok_is(&t[i], ")") && !closes_cast(t, from, i)));
        for (size_t k = 0; call && k < sizeof not_calls / sizeof *not_calls; k++)
            call = !tok_is(&t[i], not_calls[k]);
        int assign = tok_is(&t[i], "=") && (i == from || !strchr("=!<>", t[i - 1].s[0])) &&
                     !(i + 1 < to && tok_is(&t[i + 1], "="));
        int step = i + 1 < to && (tok_is(&t[i], "+") || tok_is(&t[i], "-")) &&
                   tok_is(&t[i + 1], t[i].s[0] == '+' ? "+" : "-");
        if (call || assign || step || (tok_is(&t[i], "(") && i + 1 < to && tok_is(&t[i + 1], "{")))
            return i;
    }
    return to;
}

struct request {
    size_t end;              /* one past its last token; 0: not a request */
    size_t req_from, req_to; /* the request's tokens */
    size_t impure;           /* an argument's offending token, or 0 */
};

/* Whether t[i] starts valgrind.h's expansion of a client request; marks
 * its fixed tokens in `fixed` (the holes stay to be checked like any
 * other code). */
static struct request match_request(const struct token *t, size_t n, size_t i, char *fixed)
{
    struct request r = {0};
    size_t k = i;
    for (size_t p = 0; p < sizeof request_tokens / sizeof *request_tokens; p++) {
        const char *want = request_tokens[p];
        if (want[0] == REQ[0] || want[0] == ARG[0]) {
            size_t end = hole_end(t, n, k);
            if (want[0] == REQ[0]) /* the STMT form adds parentheses: ((NAME)) */
                for (r.req_from = k, r.req_to = end;
                     r.req_to - r.req_from > 2 && tok_is(&t[r.req_from], "(") &&
                     tok_is(&t[r.req_to - 1], ")");
                     r.req_from++, r.req_to--)
                    ;
            else if (!r.impure && impure_token(t, k, end) < end)
                r.impure = impure_token(t, k, end);
            k = end;
            continue;
        }
        if (k >= n || !tok_is(&t[k], want))
            return (struct request){0};
        k++;
    }
    r.end = k;
    for (size_t p = 0, j = i; p < sizeof request_tokens / sizeof *request_tokens; p++) {
        const char *want = request_tokens[p];
        if (want[0] == ARG[0])
            j = hole_end(t, n, j);
        else if (want[0] == REQ[0]) /* checked by the caller */
            for (size_t end = hole_end(t, n, j); j < end; j++)
                fixed[j] = 1;
        else
            fixed[j++] = 1;
    }
    return r;
}

/* The lab's lab.json "valgrind_requests": the client requests its files
 * may make (VG_USERREQ__... names). */
static char **lab_requests(const struct grade *g)
{
    char **out = list_push(NULL, NULL);
    char *path = xprintf("%s/tests/%s/lab.json", g->kit, g->lab);
    json_t *root = json_load_file(path, 0, NULL), *v;
    size_t i;
    json_array_foreach(json_object_get(root, "valgrind_requests"), i, v) if (json_is_string(v))
        out = list_push(out, xstrdup(json_string_value(v)));
    json_decref(root);
    free(path);
    return out;
}

static char *request_violation(const char *file, const char *what, const char *name)
{
    return xprintf("%s %s%s%s (rule: valgrind-requests; a lab may make only the requests its "
                   "tests/<lab>/lab.json \"valgrind_requests\" lists, through valgrind.h's "
                   "macros, with plain arguments)",
                   file, what, name[0] ? " " : "", name);
}

/* Each client request of the student's tokens: its request allowed, its
 * arguments plain.  Marks the requests' fixed tokens in `fixed`. */
static void check_request_expansions(struct grade *g, const char *file, const struct token *t,
                                     size_t n, char *fixed, char **allowed)
{
    for (size_t i = 0; i < n; i++) {
        if (!tok_is(&t[i], "__extension__"))
            continue;
        struct request r = match_request(t, n, i, fixed);
        if (!r.end)
            continue;
        char *req = r.req_to == r.req_from + 1 ? tok_dup(&t[r.req_from]) : xstrdup("");
        if (!is_ident_char(req[0]) || (req[0] >= '0' && req[0] <= '9'))
            violation(g, request_violation(file,
                                           "makes a Valgrind client request given by a "
                                           "number or an expression, not by its name",
                                           ""));
        else if (!list_has(allowed, req))
            violation(g, request_violation(file, "makes the Valgrind client request", req));
        free(req);
        if (r.impure)
            violation(g, request_violation(file,
                                           "computes an argument of a Valgrind client "
                                           "request with a call, an assignment or ++/--: "
                                           "compute it before the request",
                                           ""));
    }
}

/* What is left of the student's tokens once the requests' fixed tokens
 * are set aside: no inline assembly, no request machinery, no request by
 * valgrind.h's functions the lab does not allow.  One message per rule. */
static void check_leftovers(struct grade *g, const char *file, const struct token *t, size_t n,
                            const char *fixed, char **allowed)
{
    int asm_seen = 0, machinery_seen = 0;
    for (size_t i = 0; i < n; i++) {
        if (fixed[i] || !is_ident_char(t[i].s[0]))
            continue;
        char *name = tok_dup(&t[i]);
        if (!asm_seen && (tok_is(&t[i], "__asm__") || tok_is(&t[i], "__asm"))) {
            asm_seen = 1;
            violation(g, xprintf("%s uses inline assembly (%s): lab files are written in C only "
                                 "(rule: no-asm)",
                                 file, name));
        }
        if (!machinery_seen && (tok_starts(&t[i], "_zzq_") || tok_starts(&t[i], "VG_USERREQ__"))) {
            machinery_seen = 1;
            violation(g, request_violation(file,
                                           "uses Valgrind's client-request machinery outside "
                                           "valgrind.h's macros:",
                                           name));
        }
        for (size_t k = 0; k < sizeof request_functions / sizeof *request_functions; k++)
            if (strcmp(name, request_functions[k][0]) == 0 &&
                !list_has(allowed, request_functions[k][1])) {
                char *what = xprintf("calls %s, the Valgrind client request", name);
                violation(g, request_violation(file, what, request_functions[k][1]));
                free(what);
            }
        free(name);
    }
}

/* The rules on the student's own lines of the preprocessed file (build.c
 * wrote it with -dD), macros expanded, so that a macro of the student's
 * cannot hide anything. */
static void check_preprocessed(struct grade *g, const char *file, char **allowed)
{
    char *path = xprintf("%s/check/%s.i", g->work_dir, file);
    char *text = read_file(path, 64 << 20, NULL);
    free(path);
    struct sbuf own = {0};
    own_lines(text ? text : "", file, &own);
    size_t n;
    char *mine = sb_take(&own);
    struct token *t = tokenize(mine, &n);
    char *fixed = xcalloc(n + 1, 1);
    check_request_expansions(g, file, t, n, fixed, allowed);
    check_leftovers(g, file, t, n, fixed, allowed);
    free(fixed);
    free(t);
    free(mine);
    free(text);
}

/* Run every rule on every file.  Violations set OUT_STATIC and return -1. */
int check_static(struct grade *g)
{
    char **kit = kit_symbols(g);
    char **harness = harness_symbols(g);
    char **api = kit_api(kit, harness);
    char **requests = lab_requests(g);
    for (size_t i = 0; g->files[i]; i++) {
        char *obj = xprintf("%s/check/%s.o", g->work_dir, g->files[i]);
        check_calls(g, g->files[i], obj, api, harness);
        check_definitions(g, g->files[i], obj, harness);
        check_sections(g, g->files[i], obj);
        check_instructions(g, g->files[i], obj);
        check_line_directives(g, g->files[i], g->staged[i]);
        check_preprocessed(g, g->files[i], requests);
        free(obj);
    }
    list_free(requests);
    list_free(api);
    list_free(kit);
    list_free(harness);
    if (list_len(g->violations) == 0)
        return 0;
    g->outcome = OUT_STATIC;
    g->outcome_message = xprintf("%zu static check%s failed: the tests were not run",
                                 list_len(g->violations), list_len(g->violations) > 1 ? "s" : "");
    return -1;
}
