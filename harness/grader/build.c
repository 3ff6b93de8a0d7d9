/*
 * build.c -- stage 3: compile the student's files and link the test binaries.
 *
 * Compiled in work/src with the file's bare name, so that the compiler's
 * messages, Valgrind's frames and gcov all say "refcount.c:42", the name
 * the student knows.  The compiler sees what the student's file may see and
 * nothing more: it runs confined like a test (sandbox_run_capture), with
 * the system folders, KIT/labs/include read-only and the work folder, and
 * only -I KIT/labs/include.  Whether confined or not (a machine where the
 * sandbox cannot be built), the preprocessor's line markers must name only
 * system headers, labs/include and the lab's staged files ("includes"):
 * otherwise the file is refused before any compiler message is shown, so
 * that no message can quote a solution or a hidden test.  Three outputs:
 *   work/check/<file>.i   cc -E -dD, for the include rule and check.c
 *   work/check/<file>.o   plain, for the static checks (check.c): --coverage
 *                         would add a constructor and gcov's symbols
 *   work/obj/<file>.o     -g -O0 --coverage, the one that is graded
 * Two links, the student's objects first, then test objects, the runner,
 * every *other* layer's reference and the runtime:
 *   cc -o work/bin/t_<lab> work/obj/<file>.o <public tests> librunner.a
 *      -Wl,--start-group libref_<other labs>.a libruntime.a -Wl,--end-group
 *      <given objects> <check, jansson> -Wl,--wrap=_exit --coverage
 *   work/bin/t_<lab>.hidden   the same with the hidden test objects too
 * so that a visible test, run from the public binary, holds no hidden
 * test's name, description or assertion text.  The test objects and the
 * libraries come from the manifest that mk/grader.mk writes
 * (BUILD/grader/<lab>.link: "obj", "hidden-obj", "given-obj", "ldlibs",
 * "ldflags" lines).  "given-obj" is the lab's given code, built from the
 * kit: linked as objects, so a submission's own copy of a given function is
 * a duplicate definition and can never replace it.  Without a manifest,
 * every object under BUILD/obj/tests/<lab>/ and
 * pkg-config's flags for Check.
 */
#include "results.h"
#include "sandbox.h"
#include "util.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MESSAGE_LINES   25
#define MESSAGE_CHARS   2500
#define COMPILE_SECONDS 120.0
#define OUTPUT_CAP      (1 << 20)

static const char *const cflags[] = {"-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-g", "-O0"};

/* Where an included file may live, besides labs/include and the staged
 * files: the C library's and the compiler's headers.  /usr/local/include
 * is on GCC's default search path and is the machine owner's, not the
 * student's. */
static const char *const system_dirs[] = {"/usr/include/", "/usr/lib/gcc/", "/usr/local/include/"};

/* ------------------------------------------------------------ the compiler */

static const char *compiler_path(void)
{
    return is_file("/usr/bin/cc") ? "/usr/bin/cc" : "/usr/bin/gcc";
}

/* argv of the compiler on `file`, up to (not including) the output flags:
 * the house flags, --coverage when asked, and the one include folder. */
static char **compiler_argv(const struct grade *g, const char *file, int coverage, int preprocess)
{
    char **argv = list_push(NULL, xstrdup(compiler_path()));
    for (size_t i = 0; i < sizeof cflags / sizeof *cflags; i++)
        argv = list_push(argv, xstrdup(cflags[i]));
    if (coverage)
        argv = list_push(argv, xstrdup("--coverage"));
    argv = list_push(argv, xprintf("-I%s/labs/include", g->kit));
    argv = list_push(argv, xstrdup(preprocess ? "-E" : "-c"));
    if (preprocess) /* -dD keeps the headers' #defines (check.c); no "# 1 \"cwd//\"" */
        argv = list_push(argv, xstrdup("-dD")),
        argv = list_push(argv, xstrdup("-fno-working-directory"));
    argv = list_push(argv, xstrdup(file));
    return argv;
}

/* Run the compiler on student code in work/src, confined; where the
 * sandbox cannot be built, unconfined (noted once in the report).  Returns
 * the exit status; *output has stdout and stderr. */
static int run_compiler(struct grade *g, char **argv, char **output)
{
    char *src = xprintf("%s/src", g->work_dir);
    char *include = xprintf("%s/labs/include", g->kit);
    char *ro[] = {include, NULL};
    *output = NULL;
    int rc =
        sandbox_run_capture(g, src, g->work_dir, ro, COMPILE_SECONDS, argv, output, OUTPUT_CAP);
    if (rc == 125) {
        static const char note[] = "the compiler ran outside the sandbox (it could not be built "
                                   "here): what the student's file includes was checked from "
                                   "the preprocessor's line markers only";
        if (!list_has(g->notes, note))
            g->notes = list_push(g->notes, xstrdup(note));
        free(*output);
        *output = NULL;
        rc = run_capture(argv, src, output, OUTPUT_CAP);
    }
    free(include);
    free(src);
    return rc;
}

/* ------------------------------------------------------------ includes */

/* `path` with "//", "." and ".." resolved textually (absolute in, absolute
 * out; ".." above the root stays at the root). */
static char *normalise(const char *path)
{
    char **parts = split(path, "/");
    size_t n = list_len(parts), kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(parts[i], ".") == 0)
            continue;
        if (strcmp(parts[i], "..") == 0) {
            kept -= kept > 0;
            continue;
        }
        char *tmp = parts[kept];
        parts[kept++] = parts[i];
        parts[i] = tmp;
    }
    struct sbuf b = {0};
    for (size_t i = 0; i < kept; i++)
        sb_printf(&b, "/%s", parts[i]);
    list_free(parts);
    return b.len ? sb_take(&b) : xstrdup("/");
}

static int under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && (dir[n - 1] == '/' || path[n] == '/');
}

/* Whether the absolute, normalised `path` is a file the student's code may
 * include: a staged file of the lab, labs/include, or a system header that
 * is not inside the kit. */
static int may_include(const struct grade *g, const char *path, const char *kit)
{
    for (size_t i = 0; g->staged && g->staged[i]; i++) {
        char *staged = normalise(g->staged[i]);
        int same = strcmp(staged, path) == 0;
        free(staged);
        if (same)
            return 1;
    }
    char *include = xprintf("%s/labs/include", kit);
    int ok = under(path, include);
    free(include);
    if (ok)
        return 1;
    if (under(path, kit))
        return 0;
    for (size_t i = 0; i < sizeof system_dirs / sizeof *system_dirs; i++)
        if (under(path, system_dirs[i]))
            return 1;
    return 0;
}

/* `name` as the compiler gave it (relative to work/src or absolute):
 * allowed both as written, after normalising, and as the file system
 * resolves it (symbolic links). */
static int include_allowed(const struct grade *g, const char *name)
{
    if (strcmp(name, "<built-in>") == 0 || strcmp(name, "<command-line>") == 0)
        return 1;
    char *full = name[0] == '/' ? xstrdup(name) : xprintf("%s/src/%s", g->work_dir, name);
    char *text = normalise(full);
    char kit_real[PATH_MAX], real[PATH_MAX];
    char *kit = normalise(g->kit);
    char *real_kit = normalise(realpath(g->kit, kit_real) ? kit_real : g->kit);
    int ok = may_include(g, text, kit);
    if (ok && realpath(full, real)) {
        char *resolved = normalise(real);
        ok = may_include(g, resolved, real_kit);
        free(resolved);
    } else {
        ok = 0; /* a file the grader cannot resolve is not known to be safe */
    }
    free(real_kit);
    free(kit);
    free(text);
    free(full);
    return ok;
}

/* The file name of a line marker ("# 12 \"a\\\\b.h\" 2"), C escapes undone,
 * or NULL when the line is not one. */
static char *marker_name(const char *line)
{
    if (line[0] != '#' || line[1] != ' ' || line[2] < '0' || line[2] > '9')
        return NULL;
    const char *p = strchr(line, '"');
    if (!p)
        return NULL;
    struct sbuf b = {0};
    for (p++; *p && *p != '"'; p++) {
        char c = *p;
        if (c == '\\' && p[1] >= '0' && p[1] <= '7') {
            int v = 0;
            for (int k = 0; k < 3 && p[1] >= '0' && p[1] <= '7'; k++)
                v = v * 8 + (*++p - '0');
            c = (char)v;
        } else if (c == '\\' && p[1]) {
            c = *++p;
        }
        sb_addn(&b, &c, 1);
    }
    return sb_take(&b);
}

/* The file a diagnostic is about ("x.h:3:1: error: ...", "In file included
 * from x.h:3,", "                 from y.h:2:"), or NULL. */
static char *diagnostic_file(const char *line)
{
    static const char *const lead[] = {"In file included from ", "from "};
    line += strspn(line, " ");
    for (size_t i = 0; i < sizeof lead / sizeof *lead; i++)
        if (strncmp(line, lead[i], strlen(lead[i])) == 0)
            line += strlen(lead[i]);
    for (const char *p = strchr(line, ':'); p; p = strchr(p + 1, ':'))
        if (p[1] >= '0' && p[1] <= '9') {
            char *name = xmalloc((size_t)(p - line) + 1);
            memcpy(name, line, (size_t)(p - line));
            name[p - line] = '\0';
            return name;
        }
    return NULL;
}

/* The first file named by a line marker of `text` (one per line) or by a
 * diagnostic of `messages` that the student's file may not include, or
 * NULL. */
static char *forbidden_include(const struct grade *g, const char *text, const char *messages)
{
    char *found = NULL;
    char **lines = split(text ? text : "", "\n");
    for (size_t i = 0; lines[i] && !found; i++) {
        char *name = marker_name(lines[i]);
        if (name && !include_allowed(g, name))
            found = name;
        else
            free(name);
    }
    list_free(lines);
    lines = split(messages ? messages : "", "\n");
    for (size_t i = 0; lines[i] && !found; i++) {
        char *name = diagnostic_file(lines[i]);
        if (name && !include_allowed(g, name))
            found = name;
        else
            free(name);
    }
    list_free(lines);
    return found;
}

static void refuse(struct grade *g, char *violation)
{
    g->violations = list_push(g->violations, violation);
    g->outcome = OUT_STATIC;
    g->outcome_message = xprintf("%zu static check%s failed: the tests were not run",
                                 list_len(g->violations), list_len(g->violations) > 1 ? "s" : "");
}

/* Preprocess `file` into work/check/<file>.i and check what it includes.
 * 0 when every include is allowed and it preprocessed; -1 otherwise, with
 * the outcome set (the compiler's message is shown only when it names no
 * forbidden file). */
static int preprocess_one(struct grade *g, const char *file)
{
    char *out = xprintf("%s/check/%s.i", g->work_dir, file);
    char **argv = compiler_argv(g, file, 0, 1);
    argv = list_push(argv, xstrdup("-o"));
    argv = list_push(argv, xstrdup(out));
    char *messages = NULL;
    int rc = run_compiler(g, argv, &messages);
    char *text = read_file(out, 64 << 20, NULL);
    char *bad = forbidden_include(g, text, messages);
    if (bad) {
        refuse(g, xprintf("%s includes %s, which is neither a system header nor in "
                          "labs/include: a lab file may include only those (rule: includes; "
                          "the kit's solutions and tests are not part of the lab)",
                          file, bad));
        free(bad);
        rc = -1;
    } else if (rc != 0) {
        char *cut = cut_text(messages, MESSAGE_LINES, MESSAGE_CHARS);
        g->outcome = OUT_COMPILE;
        g->outcome_message = xprintf("%s does not compile:\n%s", file, cut);
        free(cut);
    }
    free(text);
    free(messages);
    list_free(argv);
    free(out);
    return rc == 0 ? 0 : -1;
}

static char *compile_one(struct grade *g, const char *file, const char *out, int coverage, int *rc)
{
    char **argv = compiler_argv(g, file, coverage, 0);
    argv = list_push(argv, xstrdup("-o"));
    argv = list_push(argv, xstrdup(out));
    char *output = NULL;
    *rc = run_compiler(g, argv, &output);
    list_free(argv);
    return output;
}

/* Compile every staged file, plain (coverage = 0, after the include rule)
 * or for grading.  A forbidden include sets OUT_STATIC, a compile error
 * OUT_COMPILE with the compiler's message, cut; both return -1. */
int build_compile(struct grade *g, int coverage)
{
    char *dir = xprintf("%s/%s", g->work_dir, coverage ? "obj" : "check");
    mkdir_p(dir, 0755);
    struct sbuf warnings = {0};
    int result = 0;
    for (size_t i = 0; g->files[i] && result == 0; i++) {
        if (!coverage && preprocess_one(g, g->files[i]) != 0) {
            result = -1;
            break;
        }
        char *out = xprintf("%s/%s.o", dir, g->files[i]);
        int rc;
        char *msg = compile_one(g, g->files[i], out, coverage, &rc);
        if (rc != 0) {
            char *cut = cut_text(msg, MESSAGE_LINES, MESSAGE_CHARS);
            g->outcome = OUT_COMPILE;
            g->outcome_message = xprintf("%s does not compile:\n%s", g->files[i], cut);
            free(cut);
            result = -1;
        } else if (coverage && strstr(msg ? msg : "", "warning:")) {
            sb_add(&warnings, msg);
        }
        free(msg);
        free(out);
    }
    if (warnings.len) {
        g->warnings = cut_text(warnings.s, MESSAGE_LINES, MESSAGE_CHARS);
        free(warnings.s);
    }
    free(dir);
    return result;
}

/* ------------------------------------------------------------ link */

struct link_inputs {
    char **test_objects;   /* every test object, the hidden ones included */
    char **hidden_objects; /* those of tests/<lab>/hidden/ */
    char **given_objects;  /* the lab's given code (labs/<lab>/given/) */
    char **ldlibs, **ldflags;
};

static char *kit_path(const struct grade *g, const char *p)
{
    return p[0] == '/' ? xstrdup(p) : xprintf("%s/%s", g->kit, p);
}

static void find_objects(const char *dir, char ***out)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *path = xprintf("%s/%s", dir, e->d_name);
        size_t n = strlen(e->d_name);
        if (is_dir(path))
            find_objects(path, out);
        if (n > 2 && strcmp(e->d_name + n - 2, ".o") == 0)
            *out = list_push(*out, xstrdup(path));
        free(path);
    }
    closedir(d);
}

static void read_manifest(const struct grade *g, struct link_inputs *in)
{
    in->test_objects = list_push(NULL, NULL);
    in->hidden_objects = list_push(NULL, NULL);
    in->given_objects = list_push(NULL, NULL);
    char *path = xprintf("%s/grader/%s.link", g->build, g->lab);
    char *text = read_file(path, 1 << 20, NULL);
    free(path);
    if (!text) {
        char *dir = xprintf("%s/obj/tests/%s", g->build, g->lab);
        find_objects(dir, &in->test_objects);
        free(dir);
        dir = xprintf("%s/obj/tests/%s/hidden", g->build, g->lab);
        find_objects(dir, &in->hidden_objects);
        free(dir);
    }
    char **lines = split(text ? text : "", "\n");
    for (size_t i = 0; lines[i]; i++) {
        if (strncmp(lines[i], "obj ", 4) == 0)
            in->test_objects = list_push(in->test_objects, kit_path(g, lines[i] + 4));
        else if (strncmp(lines[i], "hidden-obj ", 11) == 0)
            in->hidden_objects = list_push(in->hidden_objects, kit_path(g, lines[i] + 11));
        else if (strncmp(lines[i], "given-obj ", 10) == 0)
            in->given_objects = list_push(in->given_objects, kit_path(g, lines[i] + 10));
        else if (strncmp(lines[i], "ldlibs ", 7) == 0)
            in->ldlibs = split(lines[i] + 7, " ");
        else if (strncmp(lines[i], "ldflags ", 8) == 0)
            in->ldflags = split(lines[i] + 8, " ");
    }
    if (!in->ldlibs)
        in->ldlibs = split("-lcheck_pic -lsubunit -lrt -lm -pthread -ljansson", " ");
    if (!in->ldflags)
        in->ldflags = split("-Wl,--wrap=_exit", " ");
    list_free(lines);
    free(text);
}

/* The reference libraries of every other lab present in BUILD/lib. */
static char **other_layers(const struct grade *g)
{
    char **libs = list_push(NULL, NULL);
    char *dir = xprintf("%s/lib", g->build);
    char *own = xprintf("libref_%s.a", g->lab);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strncmp(e->d_name, "libref_", 7) == 0 && strcmp(e->d_name, own) != 0)
            libs = list_push(libs, xprintf("%s/%s", dir, e->d_name));
    if (d)
        closedir(d);
    free(own);
    free(dir);
    return libs;
}

static char **append_all(char **argv, char **items)
{
    for (size_t i = 0; items && items[i]; i++)
        argv = list_push(argv, xstrdup(items[i]));
    return argv;
}

/* Link `binary` from the student's objects and the test objects for which
 * list_has(hidden, object) is `hidden_too` or true.  0, or -1 with the
 * outcome set: a link error (a function not written, a name misspelt) is
 * reported like a compile error. */
static int link_one(struct grade *g, const struct link_inputs *in, const char *binary,
                    int hidden_too)
{
    char **argv = list_push(NULL, xstrdup("cc"));
    argv = list_push(argv, xstrdup("-o"));
    argv = list_push(argv, xstrdup(binary));
    for (size_t i = 0; g->files[i]; i++)
        argv = list_push(argv, xprintf("%s/obj/%s.o", g->work_dir, g->files[i]));
    argv = append_all(argv, in->given_objects);
    for (size_t i = 0; in->test_objects[i]; i++)
        if (hidden_too || !list_has(in->hidden_objects, in->test_objects[i]))
            argv = list_push(argv, xstrdup(in->test_objects[i]));
    argv = list_push(argv, xprintf("%s/lib/librunner.a", g->build));
    argv = list_push(argv, xstrdup("-Wl,--start-group"));
    char **others = other_layers(g);
    argv = append_all(argv, others);
    list_free(others);
    argv = list_push(argv, xprintf("%s/lib/libruntime.a", g->build));
    argv = list_push(argv, xstrdup("-Wl,--end-group"));
    argv = append_all(argv, in->ldlibs);
    argv = append_all(argv, in->ldflags);
    argv = list_push(argv, xstrdup("--coverage"));
    char *output = NULL;
    int rc = run_capture(argv, g->work_dir, &output, OUTPUT_CAP);
    if (rc != 0) {
        char *shown = replace_all(output, g->work_dir, "work");
        char *cut = cut_text(shown, MESSAGE_LINES, MESSAGE_CHARS);
        g->outcome = OUT_COMPILE;
        g->outcome_message = xprintf("the tests do not link with %s:\n%s", g->files[0], cut);
        free(cut);
        free(shown);
    }
    free(output);
    list_free(argv);
    return rc == 0 ? 0 : -1;
}

/* Link work/bin/t_<lab> (public tests) and, when the lab has hidden test
 * objects, work/bin/t_<lab>.hidden (all tests).  0; -1 on a link error;
 * -2 when the kit is not built. */
int build_link(struct grade *g)
{
    struct link_inputs in = {0};
    read_manifest(g, &in);
    int rc = -2;
    if (list_len(in.test_objects) == 0) {
        fprintf(stderr, "memlab-grade: no test objects for %s under %s (run make first)\n", g->lab,
                g->build);
    } else {
        g->test_binary = xprintf("%s/bin/t_%s", g->work_dir, g->lab);
        rc = link_one(g, &in, g->test_binary, 0);
    }
    if (rc == 0 && list_len(in.hidden_objects) > 0) {
        g->hidden_binary = xprintf("%s.hidden", g->test_binary);
        rc = link_one(g, &in, g->hidden_binary, 1);
    }
    list_free(in.test_objects);
    list_free(in.hidden_objects);
    list_free(in.given_objects);
    list_free(in.ldlibs);
    list_free(in.ldflags);
    return rc;
}
