/*
 * report.c -- stage 8: every output, from the one in-memory model.
 *
 *   terminal      the table a student reads (also report.txt, with details)
 *   results.json  Gradescope's schema: score, output, tests[name, score,
 *                 max_score, status, output, visibility], extra_data
 *   junit.xml     for CI (libxml2's xmlTextWriter)
 *   results.tap   TAP 13
 *   results.csv   a header and one row: a gradebook concatenates rows
 *   valgrind/<test>.xml  memcheck's own XML of each test (valgrind-ci, CI
 *                 plugins), shown tests only
 * Each file is written to <name>.tmp and renamed into place.
 *
 * A test that is not shown (visibility hidden or after_published, without
 * --reveal-hidden) appears in no output by its name, description, hint,
 * file, line, reason or output: only as "hidden test N", its status word
 * and its points.  Every other test's text is scrubbed of hidden tests'
 * names and descriptions (a fatal-error line is student-controlled text).
 *
 * Rows come in the order a student meets them: the handout's sections
 * (lab.json "sections", matched by the number in a test's hint, "handout
 * §3.2" or "handout 3"), then tests of no section, then hidden tests.
 */
#include "../runner/mlhash.h"
#include "results.h"
#include "util.h"

#include <jansson.h>
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------ clean text */

/* Everything a submission can put into the model (its output, its
 * compiler's messages, its file names) escaped once, before any output:
 * results.json stays valid UTF-8 JSON, junit.xml valid XML, and the
 * terminal receives no escape sequence. */
/* What a hidden test's name or description becomes inside shown text. */
#define HIDDEN_WORDS         "a hidden test"
#define RESULTS_PICTURES_MAX 40 /* pictures rendered into results.json, as report.html */

/* `*s` with every hidden test's name and description (g->secrets, --only
 * or not) replaced: text a test printed, or a fatal-error line, may quote
 * them (the runner's table is in the student's process).  Names shorter
 * than 4 characters are left, as they would match ordinary words. */
static void scrub_hidden(const struct grade *g, char **s)
{
    if (!*s || g->reveal_hidden)
        return;
    for (size_t i = 0; g->secrets && g->secrets[i]; i++) {
        if (strlen(g->secrets[i]) < 4 || !strstr(*s, g->secrets[i]))
            continue;
        char *r = replace_all(*s, g->secrets[i], HIDDEN_WORDS);
        free(*s);
        *s = r;
    }
}

/* Every text of the model a shown row or the summary can carry. */
static void scrub_model(struct grade *g)
{
    scrub_hidden(g, &g->outcome_message);
    scrub_hidden(g, &g->warnings);
    for (size_t i = 0; g->violations && g->violations[i]; i++)
        scrub_hidden(g, &g->violations[i]);
    for (size_t i = 0; g->notes && g->notes[i]; i++)
        scrub_hidden(g, &g->notes[i]);
    for (size_t i = 0; i < g->ntests; i++) {
        struct test *t = &g->tests[i];
        char **texts[] = {&t->reason, &t->err_head, &t->out_head, &t->record_message, &t->detail};
        for (size_t k = 0; k < sizeof texts / sizeof *texts; k++)
            scrub_hidden(g, texts[k]);
    }
}

static void clean_model(struct grade *g)
{
    clean_in_place(&g->submission);
    clean_in_place(&g->outcome_message);
    clean_in_place(&g->warnings);
    for (size_t i = 0; g->violations && g->violations[i]; i++)
        clean_in_place(&g->violations[i]);
    for (size_t i = 0; g->notes && g->notes[i]; i++)
        clean_in_place(&g->notes[i]);
    for (size_t i = 0; i < g->ntests; i++) {
        struct test *t = &g->tests[i];
        clean_in_place(&t->reason);
        clean_in_place(&t->err_head);
        clean_in_place(&t->out_head);
        clean_in_place(&t->record_message);
        clean_in_place(&t->detail);
        clean_in_place(&t->record_file);
    }
    scrub_model(g);
}

/* ------------------------------------------------------------ naming */

int test_shown(const struct grade *g, const struct test *t)
{
    return t->visibility == VIS_VISIBLE || g->reveal_hidden;
}

const char *test_label(const struct grade *g, const struct test *t, char *buf, size_t size)
{
    if (test_shown(g, t))
        return t->name;
    int n = 0;
    for (const struct test *u = g->tests; u <= t; u++)
        n += !test_shown(g, u);
    snprintf(buf, size, "hidden test %d", n);
    return buf;
}

static uint64_t seed_of(const struct test *t)
{
    if (t->has_record)
        return t->seed;
    return ml_seed_from_name(t->name); /* as the runner derives it */
}

char *repro_line(const struct grade *g, const struct test *t)
{
    return xprintf("make test-one LAB=%s T=%s SEED=%llu WHO=student%s", g->lab, t->name,
                   (unsigned long long)seed_of(t),
                   t->status == ST_MEMORY || t->status == ST_LEAK ? " VALGRIND=1" : "");
}

static const char *gradescope_visibility(enum visibility v)
{
    return v == VIS_HIDDEN ? "hidden" : v == VIS_AFTER_PUBLISHED ? "after_published" : "visible";
}

static const char *outcome_word(enum outcome o)
{
    switch (o) {
    case OUT_GRADED: return "graded";
    case OUT_MISSING: return "missing_file";
    case OUT_STATIC: return "static_check";
    default: return "compile_error";
    }
}

/* ------------------------------------------------------------ counts */

struct counts {
    int shown, shown_passed, hidden, hidden_passed, passed, failed, skipped;
    int by_status[ST_ERROR + 1];
    double hidden_score, hidden_max;
    int mem_errors, leaks;
};

static struct counts count(const struct grade *g)
{
    struct counts c = {0};
    for (size_t i = 0; i < g->ntests; i++) {
        const struct test *t = &g->tests[i];
        int ok = t->status == ST_PASS;
        c.by_status[t->status]++;
        c.passed += ok;
        c.skipped += t->status == ST_SKIPPED;
        c.failed += !ok && t->status != ST_SKIPPED;
        c.mem_errors += t->mem_errors;
        c.leaks += t->leaks;
        if (t->visibility == VIS_VISIBLE) {
            c.shown++;
            c.shown_passed += ok;
        } else {
            c.hidden++;
            c.hidden_passed += ok;
            c.hidden_score += t->score;
            c.hidden_max += t->points;
        }
    }
    return c;
}

/* A grade of some tests only (--only): said in every output, never reused. */
static int partial(const struct grade *g) { return g->only != NULL; }

static char *partial_line(const struct grade *g)
{
    return xprintf("partial grade: %zu of %zu tests (--only); not the lab's grade", g->ntests,
                   g->lab_tests);
}

/* ------------------------------------------------------------ sections */

/* One heading of the handout: lab.json "sections": [{"number": 3,
 * "title": "getrefcount and its +1"}, ...], in the handout's order. */
struct section {
    int number;
    char *title;
};

/* The rows in the order of the outputs: each section's shown tests, the
 * shown tests of no section, then the tests not shown.  `first[k]` is the
 * index in `order` where section k starts (k == nsections: no section). */
struct layout {
    struct section *sections;
    size_t nsections;
    size_t *order, *first;
};

/* The section number a hint names: the first integer after "§", "handout "
 * or "section " ("handout §6.1, list" and "handout 3, Traces" give 6 and
 * 3), or -1. */
static int hint_section(const char *hint)
{
    const char *marks[] = {"\xc2\xa7", "handout ", "section "};
    for (size_t k = 0; hint && k < 3; k++) {
        const char *p = strstr(hint, marks[k]);
        if (p && p[strlen(marks[k])] >= '0' && p[strlen(marks[k])] <= '9')
            return atoi(p + strlen(marks[k]));
    }
    return -1;
}

static void sections_load(const struct grade *g, struct layout *l)
{
    char *path = xprintf("%s/tests/%s/lab.json", g->kit, g->lab);
    json_t *o = json_load_file(path, 0, NULL);
    free(path);
    json_t *list = json_object_get(o, "sections");
    l->sections = xcalloc(json_array_size(list) + 1, sizeof *l->sections);
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *title = json_string_value(json_object_get(v, "title"));
        json_t *number = json_object_get(v, "number");
        if (!title || !json_is_integer(number))
            continue;
        l->sections[l->nsections].number = (int)json_integer_value(number);
        l->sections[l->nsections++].title = xstrdup(title);
    }
    json_decref(o);
}

static size_t section_of(const struct layout *l, const struct test *t)
{
    int n = hint_section(t->hint);
    for (size_t k = 0; k < l->nsections; k++)
        if (l->sections[k].number == n)
            return k;
    return l->nsections;
}

static struct layout layout_of(const struct grade *g)
{
    struct layout l = {0};
    sections_load(g, &l);
    l.order = xcalloc(g->ntests + 1, sizeof *l.order);
    l.first = xcalloc(l.nsections + 2, sizeof *l.first);
    size_t n = 0;
    for (size_t k = 0; k <= l.nsections; k++) {
        l.first[k] = n;
        for (size_t i = 0; i < g->ntests; i++)
            if (test_shown(g, &g->tests[i]) && section_of(&l, &g->tests[i]) == k)
                l.order[n++] = i;
    }
    l.first[l.nsections + 1] = n;
    for (size_t i = 0; i < g->ntests; i++)
        if (!test_shown(g, &g->tests[i]))
            l.order[n++] = i;
    return l;
}

static void layout_free(struct layout *l)
{
    for (size_t k = 0; k < l->nsections; k++)
        free(l->sections[k].title);
    free(l->sections);
    free(l->order);
    free(l->first);
}

/* ------------------------------------------------------------ the table */

/* Columns of the terminal: $COLUMNS, else the terminal's own width, else
 * (not a terminal, and report.txt) 100. */
static size_t terminal_width(int terminal)
{
    const char *env = getenv("COLUMNS");
    struct winsize ws;
    if (!terminal)
        return 100;
    if (env && atoi(env) > 0)
        return (size_t)atoi(env);
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 100;
}

/* `text` cut into lines of at most `room` characters at spaces (a longer
 * word stays whole), the lines after the first indented by `indent`. */
static void add_wrapped(struct sbuf *b, const char *text, size_t indent, size_t room)
{
    size_t col = 0;
    while (*text) {
        size_t word = strcspn(text, " \n");
        if (col > 0 && col + 1 + word > room) {
            sb_printf(b, "\n%*s", (int)indent, "");
            col = 0;
        } else if (col > 0) {
            sb_add(b, " ");
            col++;
        }
        sb_addn(b, text, word);
        col += word;
        text += word;
        text += strspn(text, " \n");
    }
    sb_add(b, "\n");
}

static void summary(const struct grade *g, struct sbuf *b)
{
    struct counts c = count(g);
    sb_printf(b, "Score: %g / %g", g->score, g->max_score);
    if (g->outcome == OUT_GRADED)
        sb_printf(b, "   (%d passed, %d failed, %d skipped; %d memcheck errors, %d leaks)",
                  c.passed, c.failed, c.skipped, c.mem_errors, c.leaks);
    sb_add(b, "\n");
    if (partial(g)) {
        char *line = partial_line(g);
        sb_printf(b, "%s\n", line);
        free(line);
    }
    if (g->has_coverage) {
        sb_add(b, "Coverage of");
        for (size_t i = 0; g->files[i]; i++)
            sb_printf(b, "%s %s", i ? "," : "", g->files[i]);
        sb_printf(b, " by the tests: lines %.1f%% (%ld of %ld), branches %.1f%%\n", g->line_pct,
                  g->lines_covered, g->lines_total, g->branch_pct);
    }
    sb_printf(b, "%d of %d public tests passed", c.shown_passed, c.shown);
    if (c.hidden && !g->reveal_hidden)
        sb_printf(b, "; hidden tests: %d of %d passed (%g / %g points)", c.hidden_passed, c.hidden,
                  c.hidden_score, c.hidden_max);
    else if (!c.hidden && g->hidden_declared > 0)
        sb_printf(b, "; %d hidden tests run after the deadline", g->hidden_declared);
    sb_add(b, "\n");
}

static void stage_lines(const struct grade *g, struct sbuf *b)
{
    if (g->outcome != OUT_GRADED) {
        sb_printf(b, "NOT GRADED: %s\n", g->outcome_message);
        for (size_t i = 0; g->violations && g->violations[i]; i++)
            sb_printf(b, "  - %s\n", g->violations[i]);
        sb_add(b, "Every test scores 0.\n\n");
        return;
    }
    if (g->warnings)
        sb_printf(b, "Compiler warnings (not graded, but worth fixing):\n%s\n", g->warnings);
}

/* A row's failure worth rerunning: it ran and did not pass. */
static int rerun_worth(const struct test *t)
{
    return t->ran && t->status != ST_PASS && t->status != ST_SKIPPED;
}

struct table_style {
    size_t width, columns; /* the TEST column, the whole line */
    int details;           /* report.txt: checks, read, stderr */
};

static void row(const struct grade *g, const struct test *t, const struct table_style *st,
                struct sbuf *b)
{
    char pts[32];
    snprintf(pts, sizeof pts, "%g/%g", t->score, t->points);
    sb_printf(b, "%-8s %-9s %-*s  ", status_word(t->status), pts, (int)st->width, t->name);
    size_t indent = 21 + st->width;
    add_wrapped(b, t->reason ? t->reason : "", indent,
                st->columns > indent + 30 ? st->columns - indent : 30);
    if (t->detail)
        sb_add(b, t->detail);
    if (!rerun_worth(t))
        return;
    char *repro = repro_line(g, t);
    sb_printf(b, "%*s  seed %llu; rerun: %s (GDB=1 for gdb)\n", (int)indent - 2, "",
              (unsigned long long)seed_of(t), repro);
    free(repro);
    if (!st->details)
        return;
    if (t->description)
        sb_printf(b, "%*s  checks: %s\n", (int)indent - 2, "", t->description);
    if (t->hint)
        sb_printf(b, "%*s  read: %s\n", (int)indent - 2, "", t->hint);
    if (t->err_head && *t->err_head) {
        char *cut = cut_text(t->err_head, 6, 600);
        sb_printf(b, "    stderr:\n%s", cut);
        free(cut);
    }
}

/* The heading of section k: its title and its rows' subtotal. */
static void section_heading(const struct grade *g, const struct layout *l, size_t k, struct sbuf *b)
{
    double score = 0, points = 0;
    int passed = 0, rows = (int)(l->first[k + 1] - l->first[k]);
    for (size_t j = l->first[k]; j < l->first[k + 1]; j++) {
        const struct test *t = &g->tests[l->order[j]];
        score += t->score;
        points += t->points;
        passed += t->status == ST_PASS;
    }
    if (k < l->nsections)
        sb_printf(b, "\n%d. %s", l->sections[k].number, l->sections[k].title);
    else
        sb_add(b, "\nOther tests");
    sb_printf(b, ": %d of %d passed, %g / %g points\n", passed, rows, score, points);
}

static void table(const struct grade *g, const struct layout *l, struct sbuf *b, int terminal,
                  int details)
{
    struct table_style st = {4, terminal_width(terminal), details};
    for (size_t i = 0; i < g->ntests; i++)
        if (test_shown(g, &g->tests[i]) && strlen(g->tests[i].name) > st.width)
            st.width = strlen(g->tests[i].name);
    if (st.width > 48)
        st.width = 48;
    sb_printf(b, "%-8s %-9s %-*s  %s\n", "STATUS", "POINTS", (int)st.width, "TEST", "REASON");
    for (size_t k = 0; k <= l->nsections; k++) {
        if (l->first[k] == l->first[k + 1])
            continue;
        if (l->nsections) /* a lab without "sections": one plain table */
            section_heading(g, l, k, b);
        for (size_t j = l->first[k]; j < l->first[k + 1]; j++)
            row(g, &g->tests[l->order[j]], &st, b);
    }
    sb_add(b, "\n");
}

/* "next: <repro>" for the first shown failure in the table's order. */
static void next_line(const struct grade *g, const struct layout *l, struct sbuf *b)
{
    for (size_t j = 0; j < l->first[l->nsections + 1]; j++) {
        const struct test *t = &g->tests[l->order[j]];
        if (rerun_worth(t)) {
            char *repro = repro_line(g, t);
            sb_printf(b, "next: %s   (%s, the first failure above)\n", repro, t->name);
            free(repro);
            return;
        }
    }
}

static char *report_text(const struct grade *g, int terminal, int details)
{
    struct layout l = layout_of(g);
    struct sbuf b = {0};
    sb_printf(&b, "memlab grade: %s (%s)\nsubmission: %s\nreport: %s\n", g->lab,
              g->title ? g->title : g->lab, g->submission, g->report_dir);
    if (partial(g)) {
        char *line = partial_line(g);
        sb_printf(&b, "%s\n", line);
        free(line);
    }
    sb_add(&b, "\n");
    stage_lines(g, &b);
    if (g->outcome == OUT_GRADED) /* else every row would only repeat the message */
        table(g, &l, &b, terminal, details);
    summary(g, &b);
    if (g->outcome == OUT_GRADED && g->ntests)
        sb_printf(&b, "Timeouts: %s. Valgrind memcheck: %s.\n", g->timeout_source,
                  g->use_valgrind ? "on" : "off");
    for (size_t i = 0; g->notes && g->notes[i]; i++)
        sb_printf(&b, "note: %s\n", g->notes[i]);
    if (g->outcome == OUT_GRADED)
        next_line(g, &l, &b);
    sb_printf(&b, "in a browser, with pictures: %s/report.html\n", g->report_dir);
    layout_free(&l);
    return sb_take(&b);
}

void report_table(struct grade *g)
{
    clean_model(g);
    char *text = report_text(g, 1, 0);
    fputs(text, stdout);
    fflush(stdout);
    free(text);
}

/* ------------------------------------------------------------ results.json */

/* A row's text for Gradescope and JUnit; a hidden row's is its status word. */
static char *test_output(const struct grade *g, const struct test *t)
{
    struct sbuf b = {0};
    sb_printf(&b, "%s", status_word(t->status));
    if (!test_shown(g, t)) {
        sb_add(&b, "\n");
        return sb_take(&b);
    }
    if (t->reason && *t->reason)
        sb_printf(&b, ": %s", t->reason);
    sb_add(&b, "\n");
    if (t->detail)
        sb_add(&b, t->detail);
    if (t->description)
        sb_printf(&b, "Checks: %s\n", t->description);
    if (t->hint)
        sb_printf(&b, "Read: %s\n", t->hint);
    if (rerun_worth(t)) {
        char *repro = repro_line(g, t);
        sb_printf(&b, "Seed: %llu\nRerun: %s (add GDB=1 to debug)\n",
                  (unsigned long long)seed_of(t), repro);
        free(repro);
    }
    return sb_take(&b);
}

/* One test of results.json.  A shown test that attached pictures gets
 * Gradescope's "html" output format, with its pictures as data: images
 * (Gradescope cleans the HTML it shows; where it drops the images, the
 * text is still there, and report.html has them); the others plain text. */
static json_t *test_json(const struct grade *g, const struct test *t, size_t number, int *budget)
{
    char *out = test_output(g, t);
    int html = test_shown(g, t) && t->attach_names && t->attach_names[0];
    if (html) {
        char *text = out;
        out = html_test_output(g, t, text, budget);
        free(text);
    }
    char label[64], num[24];
    snprintf(num, sizeof num, "%zu", number);
    json_t *o =
        json_pack("{s:s, s:s, s:f, s:f, s:s, s:s, s:s}", "name",
                  test_label(g, t, label, sizeof label), "number", num, "score", t->score,
                  "max_score", t->points, "status", t->status == ST_PASS ? "passed" : "failed",
                  "output", out, "visibility", gradescope_visibility(t->visibility));
    free(out);
    json_object_set_new(o, "output_format", json_string(html ? "html" : "text"));
    json_t *tags = json_array();
    json_array_append_new(tags, json_string(status_word(t->status)));
    char **words = split(test_shown(g, t) ? t->tags : NULL, " ");
    for (size_t k = 0; words[k]; k++)
        json_array_append_new(tags, json_string(words[k]));
    list_free(words);
    json_object_set_new(o, "tags", tags);
    return o;
}

static json_t *results_json(const struct grade *g, const struct layout *l, const char *summary_text)
{
    struct counts c = count(g);
    json_t *tests = json_array();
    int budget = RESULTS_PICTURES_MAX;
    for (size_t j = 0; j < g->ntests; j++)
        json_array_append_new(tests, test_json(g, &g->tests[l->order[j]], j + 1, &budget));
    json_t *verdicts = json_object();
    for (int s = ST_PASS; s <= ST_ERROR; s++)
        json_object_set_new(verdicts, status_word((enum status)s), json_integer(c.by_status[s]));
    json_t *notes = json_array();
    for (size_t i = 0; g->notes && g->notes[i]; i++)
        json_array_append_new(notes, json_string(g->notes[i]));
    json_t *extra = json_pack("{s:s, s:s, s:f, s:i, s:i, s:o, s:o, s:b, s:I, s:I}", "lab", g->lab,
                              "outcome", outcome_word(g->outcome), "max_score", g->max_score,
                              "memcheck_errors", c.mem_errors, "leaks", c.leaks, "verdicts",
                              verdicts, "notes", notes, "partial", partial(g), "tests_graded",
                              (json_int_t)g->ntests, "lab_tests", (json_int_t)g->lab_tests);
    if (g->outcome_message)
        json_object_set_new(extra, "message", json_string(g->outcome_message));
    if (g->violations) {
        json_t *v = json_array();
        for (size_t i = 0; g->violations[i]; i++)
            json_array_append_new(v, json_string(g->violations[i]));
        json_object_set_new(extra, "violations", v);
    }
    json_object_set_new(extra, "report_html", json_string("report.html")); /* beside this file */
    if (g->has_coverage) {
        json_object_set_new(extra, "line_percent", json_real(g->line_pct));
        json_object_set_new(extra, "branch_percent", json_real(g->branch_pct));
    }
    return json_pack("{s:f, s:f, s:s, s:s, s:s, s:s, s:o, s:o}", "score", g->score,
                     "execution_time", g->seconds, "output", summary_text, "output_format", "text",
                     "stdout_visibility", "hidden", "visibility", "visible", "tests", tests,
                     "extra_data", extra);
}

/* ------------------------------------------------------------ junit */

/* JUnit's element for a verdict: NULL (passed), skipped, error or failure. */
static const char *junit_element(enum status s)
{
    switch (s) {
    case ST_PASS: return NULL;
    case ST_SKIPPED: return "skipped";
    case ST_CRASH:
    case ST_TIMEOUT:
    case ST_ERROR: return "error";
    default: return "failure";
    }
}

static void junit_property(xmlTextWriterPtr w, const char *name, const char *value)
{
    xmlTextWriterStartElement(w, BAD_CAST "property");
    xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST name);
    xmlTextWriterWriteAttribute(w, BAD_CAST "value", BAD_CAST value);
    xmlTextWriterEndElement(w);
}

/* <testsuite>'s attributes, all that Ant's schema requires of a suite
 * inside <testsuites> (name, timestamp, hostname, tests, failures, errors,
 * time, id, package) and skipped. */
static void junit_suite_attributes(const struct grade *g, xmlTextWriterPtr w)
{
    struct counts c = count(g);
    char host[256] = "localhost", stamp[32] = "1970-01-01T00:00:00";
    if (gethostname(host, sizeof host - 1) != 0)
        strcpy(host, "localhost");
    time_t started = time(NULL) - (time_t)g->seconds;
    struct tm tm;
    if (localtime_r(&started, &tm))
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST g->lab);
    xmlTextWriterWriteFormatAttribute(w, BAD_CAST "tests", "%zu", g->ntests);
    xmlTextWriterWriteFormatAttribute(w, BAD_CAST "failures", "%d",
                                      c.by_status[ST_FAIL] + c.by_status[ST_MEMORY] +
                                          c.by_status[ST_LEAK]);
    xmlTextWriterWriteFormatAttribute(w, BAD_CAST "errors", "%d",
                                      c.by_status[ST_CRASH] + c.by_status[ST_TIMEOUT] +
                                          c.by_status[ST_ERROR]);
    xmlTextWriterWriteFormatAttribute(w, BAD_CAST "skipped", "%d", c.skipped);
    xmlTextWriterWriteFormatAttribute(w, BAD_CAST "time", "%.3f", g->seconds);
    xmlTextWriterWriteAttribute(w, BAD_CAST "timestamp", BAD_CAST stamp);
    xmlTextWriterWriteAttribute(w, BAD_CAST "hostname", BAD_CAST host);
    xmlTextWriterWriteAttribute(w, BAD_CAST "id", BAD_CAST "0");
    xmlTextWriterWriteFormatAttribute(w, BAD_CAST "package", "memlab.%s", g->lab);
}

static void junit_case(const struct grade *g, const struct test *t, xmlTextWriterPtr w)
{
    char buf[64];
    xmlTextWriterStartElement(w, BAD_CAST "testcase");
    xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST test_label(g, t, buf, sizeof buf));
    xmlTextWriterWriteFormatAttribute(w, BAD_CAST "classname", "memlab.%s", g->lab);
    xmlTextWriterWriteFormatAttribute(w, BAD_CAST "time", "%.3f", t->seconds);
    const char *el = junit_element(t->status);
    const char *message = test_shown(g, t) && t->reason ? t->reason : status_word(t->status);
    if (el) {
        xmlTextWriterStartElement(w, BAD_CAST el);
        xmlTextWriterWriteAttribute(w, BAD_CAST "message", BAD_CAST message);
        if (t->status != ST_SKIPPED) { /* Ant: type is required there, absent on <skipped> */
            xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST status_word(t->status));
        }
        if (t->status != ST_SKIPPED && test_shown(g, t)) {
            char *out = test_output(g, t);
            xmlTextWriterWriteString(w, BAD_CAST out);
            free(out);
        }
        xmlTextWriterEndElement(w);
    }
    xmlTextWriterEndElement(w);
}

static int write_junit(const struct grade *g, const struct layout *l, const char *path)
{
    char *tmp = xprintf("%s.tmp", path);
    xmlTextWriterPtr w = xmlNewTextWriterFilename(tmp, 0);
    if (!w) {
        free(tmp);
        return -1;
    }
    xmlTextWriterSetIndent(w, 1);
    xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL);
    xmlTextWriterStartElement(w, BAD_CAST "testsuites");
    xmlTextWriterStartElement(w, BAD_CAST "testsuite");
    junit_suite_attributes(g, w);
    xmlTextWriterStartElement(w, BAD_CAST "properties");
    char *score = xprintf("%g/%g", g->score, g->max_score);
    junit_property(w, "score", score);
    free(score);
    if (partial(g)) {
        char *line = partial_line(g);
        junit_property(w, "partial", line);
        free(line);
    }
    xmlTextWriterEndElement(w);
    for (size_t j = 0; j < g->ntests; j++)
        junit_case(g, &g->tests[l->order[j]], w);
    xmlTextWriterWriteElement(w, BAD_CAST "system-out", BAD_CAST "");
    xmlTextWriterWriteElement(w, BAD_CAST "system-err", BAD_CAST "");
    xmlTextWriterEndDocument(w);
    xmlFreeTextWriter(w);
    int rc = rename_into_place(tmp, path);
    free(tmp);
    return rc;
}

/* ------------------------------------------------------------ TAP, CSV */

/* `s` as a TAP description: '#' would start a directive there. */
static char *tap_escape(const char *s) { return replace_all(s, "#", "\\#"); }

/* `s` as a YAML double-quoted scalar. */
static char *yaml_quoted(const char *s)
{
    struct sbuf b = {0};
    sb_add(&b, "\"");
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            sb_printf(&b, "\\%c", *s);
        else if (*s == '\n' || *s == '\t')
            sb_add(&b, *s == '\n' ? "\\n" : "\\t");
        else
            sb_addn(&b, s, 1);
    }
    sb_add(&b, "\"");
    return sb_take(&b);
}

/* One TAP line: ok, ok # SKIP (a skipped test is not a failure to TAP), or
 * not ok with a YAML block that says why. */
static void tap_test(const struct grade *g, const struct test *t, size_t n, struct sbuf *b)
{
    char buf[64];
    char *label = tap_escape(test_label(g, t, buf, sizeof buf));
    const char *reason = test_shown(g, t) && t->reason ? t->reason : "";
    if (t->status == ST_PASS) {
        sb_printf(b, "ok %zu - %s\n", n, label);
    } else if (t->status == ST_SKIPPED) {
        char *first = one_line(reason, 200), *why = tap_escape(first);
        sb_printf(b, "ok %zu - %s # SKIP %s\n", n, label, *why ? why : "not run");
        free(why);
        free(first);
    } else {
        char *message = xprintf("%s%s%s", status_word(t->status), *reason ? ": " : "", reason);
        char *yaml = yaml_quoted(message);
        sb_printf(b, "not ok %zu - %s\n  ---\n  message: %s\n  severity: fail\n  ...\n", n, label,
                  yaml);
        free(yaml);
        free(message);
    }
    free(label);
}

static char *tap_text(const struct grade *g, const struct layout *l)
{
    struct sbuf b = {0};
    sb_printf(&b, "TAP version 13\n1..%zu\n", g->ntests);
    if (partial(g)) {
        char *line = partial_line(g);
        sb_printf(&b, "# %s\n", line);
        free(line);
    }
    for (size_t j = 0; j < g->ntests; j++)
        tap_test(g, &g->tests[l->order[j]], j + 1, &b);
    return sb_take(&b);
}

static char *csv_field(const char *s)
{
    char *q = replace_all(s ? s : "", "\"", "\"\"");
    char *f = xprintf("\"%s\"", q);
    free(q);
    return f;
}

static char *csv_text(const struct grade *g)
{
    struct counts c = count(g);
    char *sub = csv_field(g->submission);
    char *lab = csv_field(g->lab);
    char *text = xprintf("lab,submission,score,max_score,outcome,passed,failed,skipped,"
                         "memcheck_errors,leaks,line_coverage,branch_coverage,seconds,"
                         "tests_graded,lab_tests\n"
                         "%s,%s,%g,%g,%s,%d,%d,%d,%d,%d,%.1f,%.1f,%.1f,%zu,%zu\n",
                         lab, sub, g->score, g->max_score, outcome_word(g->outcome), c.passed,
                         c.failed, c.skipped, c.mem_errors, c.leaks, g->line_pct, g->branch_pct,
                         g->seconds, g->ntests, g->lab_tests);
    free(sub);
    free(lab);
    return text;
}

/* ------------------------------------------------------------ all of them */

static int put(const struct grade *g, const char *name, const char *text)
{
    char *path = xprintf("%s/%s", g->report_dir, name);
    int rc = write_atomic(path, text, strlen(text));
    if (rc != 0)
        fprintf(stderr, "memlab-grade: cannot write %s\n", path);
    free(path);
    return rc;
}

/* REPORT/valgrind/<test>.xml: each shown test's memcheck XML as Valgrind
 * wrote it.  The folder is emptied first, so that an earlier run with
 * --reveal-hidden leaves no hidden test's file behind. */
static int write_valgrind_xml(const struct grade *g)
{
    char *dir = xprintf("%s/valgrind", g->report_dir);
    rm_rf(dir);
    int rc = 0, made = 0;
    for (size_t i = 0; i < g->ntests; i++) {
        const struct test *t = &g->tests[i];
        if (!t->xml || !test_shown(g, t) || strchr(t->name, '/'))
            continue;
        if (!made++)
            rc |= mkdir_p(dir, 0755);
        char *name = xprintf("valgrind/%s.xml", t->name);
        rc |= put(g, name, t->xml);
        free(name);
    }
    free(dir);
    return rc;
}

/* report.html (html.c): the layout's sections, then "Other tests", then
 * the hidden tests, each as a run of rows of l->order. */
static int write_html(const struct grade *g, const struct layout *l)
{
    struct html_section *s = xcalloc(l->nsections + 2, sizeof *s);
    for (size_t k = 0; k <= l->nsections; k++) {
        s[k].title = k < l->nsections ? l->sections[k].title : NULL;
        s[k].number = k < l->nsections ? l->sections[k].number : -1;
        s[k].first = l->first[k];
        s[k].end = l->first[k + 1];
    }
    s[l->nsections + 1] =
        (struct html_section){"Hidden tests", -1, l->first[l->nsections + 1], g->ntests};
    char *path = xprintf("%s/report.html", g->report_dir);
    int rc = html_write(g, l->order, s, l->nsections + 2, path);
    if (rc != 0)
        fprintf(stderr, "memlab-grade: cannot write %s\n", path);
    free(path);
    free(s);
    return rc;
}

int report_write(struct grade *g)
{
    int rc = 0;
    clean_model(g);
    struct layout l = layout_of(g);
    char *text = report_text(g, 0, 1);
    rc |= put(g, "report.txt", text);
    free(text);
    text = report_text(g, 0, 0); /* what `make grade` shows again when nothing changed */
    rc |= put(g, "table.txt", text);
    free(text);

    struct sbuf sum = {0};
    stage_lines(g, &sum);
    summary(g, &sum);
    char *summary_text = sb_take(&sum);
    json_t *results = results_json(g, &l, summary_text);
    char *json = json_dumps(results, JSON_INDENT(2));
    rc |= put(g, "results.json", json);
    free(json);
    json_decref(results);
    free(summary_text);

    char *junit = xprintf("%s/junit.xml", g->report_dir);
    rc |= write_junit(g, &l, junit);
    free(junit);
    char *tap = tap_text(g, &l);
    rc |= put(g, "results.tap", tap);
    free(tap);
    char *csv = csv_text(g);
    rc |= put(g, "results.csv", csv);
    free(csv);
    rc |= write_valgrind_xml(g);
    rc |= write_html(g, &l);
    layout_free(&l);
    return rc;
}
