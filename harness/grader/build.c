/*
 * build.c -- stage 3: compile the student's files and link the test binary.
 *
 * Compiled in work/src with the file's bare name, so that the compiler's
 * messages, Valgrind's frames and gcov all say "refcount.c:42", the name
 * the student knows.  Two compilations:
 *   work/check/<file>.o   plain, for the static checks (check.c): --coverage
 *                         would add a constructor and gcov's symbols
 *   work/obj/<file>.o     -g -O0 --coverage, the one that is graded
 * The link puts the student's objects first, then the lab's test objects,
 * the runner, every *other* layer's reference and the runtime:
 *   cc -o work/bin/t_<lab> work/obj/<file>.o <tests> librunner.a
 *      -Wl,--start-group libref_<other labs>.a libruntime.a -Wl,--end-group
 *      <check, jansson> -Wl,--wrap=_exit --coverage
 * The test objects and the libraries to link come from the manifest that
 * mk/grader.mk writes (BUILD/grader/<lab>.link); without one, every object
 * under BUILD/obj/tests/<lab>/ and pkg-config's flags for Check.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "util.h"

#define MESSAGE_LINES 25
#define MESSAGE_CHARS 2500

static const char *const cflags[] = {"-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-g", "-O0"};

/* ------------------------------------------------------------ compile */

static char *compile_one(const struct grade *g, const char *file, const char *out, int coverage,
                         int *rc)
{
    char **argv = list_push(NULL, xstrdup("cc"));
    for (size_t i = 0; i < sizeof cflags / sizeof *cflags; i++)
        argv = list_push(argv, xstrdup(cflags[i]));
    if (coverage)
        argv = list_push(argv, xstrdup("--coverage"));
    argv = list_push(argv, xprintf("-I%s/labs/include", g->kit));
    argv = list_push(argv, xprintf("-I%s/harness/runner", g->kit));
    argv = list_push(argv, xstrdup("-c"));
    argv = list_push(argv, xstrdup(file));
    argv = list_push(argv, xstrdup("-o"));
    argv = list_push(argv, xstrdup(out));
    char *src = xprintf("%s/src", g->work_dir);
    char *output = NULL;
    *rc = run_capture(argv, src, &output, 1 << 20);
    free(src);
    list_free(argv);
    return output;
}

/* Compile every staged file, plain (coverage = 0) or for grading.  A compile
 * error sets OUT_COMPILE with the compiler's message, cut, and returns -1. */
int build_compile(struct grade *g, int coverage)
{
    char *dir = xprintf("%s/%s", g->work_dir, coverage ? "obj" : "check");
    mkdir_p(dir, 0755);
    struct sbuf warnings = {0};
    int result = 0;
    for (size_t i = 0; g->files[i] && result == 0; i++) {
        char *out = xprintf("%s/%s.o", dir, g->files[i]);
        int rc;
        char *msg = compile_one(g, g->files[i], out, coverage, &rc);
        if (rc != 0) {
            char *cut = cut_text(msg, MESSAGE_LINES, MESSAGE_CHARS);
            g->outcome = OUT_COMPILE;
            g->outcome_message = xprintf("%s does not compile:\n%s", g->files[i], cut);
            free(cut);
            result = -1;
        } else if (coverage && strstr(msg, "warning:")) {
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
    char **test_objects;
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
    char *path = xprintf("%s/grader/%s.link", g->build, g->lab);
    char *text = read_file(path, 1 << 20, NULL);
    free(path);
    if (!text) {
        char *dir = xprintf("%s/obj/tests/%s", g->build, g->lab);
        find_objects(dir, &in->test_objects);
        free(dir);
        in->ldlibs = split("-lcheck_pic -lsubunit -lrt -lm -pthread -ljansson", " ");
        in->ldflags = split("-Wl,--wrap=_exit", " ");
        return;
    }
    char **lines = split(text, "\n");
    for (size_t i = 0; lines[i]; i++) {
        if (strncmp(lines[i], "obj ", 4) == 0)
            in->test_objects = list_push(in->test_objects, kit_path(g, lines[i] + 4));
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

/* Link work/bin/t_<lab>.  A link error (a function not written, a name
 * misspelt) is reported like a compile error. */
int build_link(struct grade *g)
{
    struct link_inputs in = {0};
    read_manifest(g, &in);
    if (list_len(in.test_objects) == 0) {
        fprintf(stderr, "memlab-grade: no test objects for %s under %s (run make first)\n", g->lab,
                g->build);
        list_free(in.test_objects);
        return -2;
    }
    g->test_binary = xprintf("%s/bin/t_%s", g->work_dir, g->lab);
    char **argv = list_push(NULL, xstrdup("cc"));
    argv = list_push(argv, xstrdup("-o"));
    argv = list_push(argv, xstrdup(g->test_binary));
    for (size_t i = 0; g->files[i]; i++)
        argv = list_push(argv, xprintf("%s/obj/%s.o", g->work_dir, g->files[i]));
    argv = append_all(argv, in.test_objects);
    argv = list_push(argv, xprintf("%s/lib/librunner.a", g->build));
    argv = list_push(argv, xstrdup("-Wl,--start-group"));
    char **others = other_layers(g);
    argv = append_all(argv, others);
    list_free(others);
    argv = list_push(argv, xprintf("%s/lib/libruntime.a", g->build));
    argv = list_push(argv, xstrdup("-Wl,--end-group"));
    argv = append_all(argv, in.ldlibs);
    argv = append_all(argv, in.ldflags);
    argv = list_push(argv, xstrdup("--coverage"));
    char *output = NULL;
    int rc = run_capture(argv, g->work_dir, &output, 1 << 20);
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
    list_free(in.test_objects);
    list_free(in.ldlibs);
    list_free(in.ldflags);
    return rc == 0 ? 0 : -1;
}
