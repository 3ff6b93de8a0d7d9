/*
 * report.c -- stage 8: every output, from the one in-memory model.
 *
 *   terminal      the table a student reads (also report.txt, with details)
 *   results.json  Gradescope's schema: score, output, tests[name, score,
 *                 max_score, status, output, visibility], extra_data
 *   junit.xml     for CI (libxml2's xmlTextWriter)
 *   results.tap   TAP 13
 *   results.csv   a header and one row: a gradebook concatenates rows
 * Each file is written to <name>.tmp and renamed into place.
 *
 * Hidden tests (visibility hidden or after_published) are never named in
 * what a student sees -- the table, report.txt, junit.xml, TAP -- unless
 * --reveal-hidden; results.json names them with Gradescope's visibility,
 * and Gradescope keeps them from the student.
 */
#include <jansson.h>
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "results.h"
#include "util.h"

/* ------------------------------------------------------------ clean text */

/* Everything a submission can put into the model (its output, its
 * compiler's messages, its file names) escaped once, before any output:
 * results.json stays valid UTF-8 JSON, junit.xml valid XML, and the
 * terminal receives no escape sequence. */
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
    uint64_t h = 1469598103934665603ULL; /* as the runner derives it from the name */
    for (const char *p = t->name; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h % 1000000007ULL;
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

/* ------------------------------------------------------------ the table */

static void summary(const struct grade *g, struct sbuf *b)
{
    struct counts c = count(g);
    sb_printf(b, "Score: %g / %g", g->score, g->max_score);
    if (g->outcome == OUT_GRADED)
        sb_printf(b, "   (%d passed, %d failed, %d skipped; %d memcheck errors, %d leaks)",
                  c.passed, c.failed, c.skipped, c.mem_errors, c.leaks);
    sb_add(b, "\n");
    if (g->has_coverage) {
        sb_add(b, "Coverage of");
        for (size_t i = 0; g->files[i]; i++)
            sb_printf(b, "%s %s", i ? "," : "", g->files[i]);
        sb_printf(b, " by the tests: lines %.1f%% (%ld of %ld), branches %.1f%%\n", g->line_pct,
                  g->lines_covered, g->lines_total, g->branch_pct);
    }
    sb_printf(b, "%d of %d public tests passed", c.shown_passed, c.shown);
    if (c.hidden && !g->reveal_hidden)
        sb_printf(b, "; hidden tests: %d of %d passed (%g / %g points)", c.hidden_passed,
                  c.hidden, c.hidden_score, c.hidden_max);
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

static void table(const struct grade *g, struct sbuf *b, int details)
{
    size_t width = 4;
    for (size_t i = 0; i < g->ntests; i++)
        if (test_shown(g, &g->tests[i]) && strlen(g->tests[i].name) > width)
            width = strlen(g->tests[i].name);
    if (width > 48)
        width = 48;
    sb_printf(b, "%-8s %-9s %-*s  %s\n", "STATUS", "POINTS", (int)width, "TEST", "REASON");
    for (size_t i = 0; i < g->ntests; i++) {
        const struct test *t = &g->tests[i];
        if (!test_shown(g, t))
            continue;
        char pts[32];
        snprintf(pts, sizeof pts, "%g/%g", t->score, t->points);
        sb_printf(b, "%-8s %-9s %-*s  %s\n", status_word(t->status), pts, (int)width, t->name,
                  t->reason ? t->reason : "");
        if (t->detail)
            sb_add(b, t->detail);
        if (t->status == ST_PASS || t->status == ST_SKIPPED || !t->ran)
            continue;
        char *repro = repro_line(g, t);
        sb_printf(b, "%-18s %*s  seed %llu; rerun: %s (GDB=1 for gdb)\n", "", (int)width, "",
                  (unsigned long long)seed_of(t), repro);
        free(repro);
        if (!details)
            continue;
        if (t->description)
            sb_printf(b, "%-18s %*s  checks: %s\n", "", (int)width, "", t->description);
        if (t->hint)
            sb_printf(b, "%-18s %*s  read: %s\n", "", (int)width, "", t->hint);
        if (t->err_head && *t->err_head) {
            char *cut = cut_text(t->err_head, 6, 600);
            sb_printf(b, "    stderr:\n%s", cut);
            free(cut);
        }
    }
    sb_add(b, "\n");
}

static char *report_text(const struct grade *g, int details)
{
    struct sbuf b = {0};
    sb_printf(&b, "memlab grade: %s (%s)\nsubmission: %s\nreport: %s\n\n", g->lab,
              g->title ? g->title : g->lab, g->submission, g->report_dir);
    stage_lines(g, &b);
    if (g->outcome == OUT_GRADED) /* else every row would only repeat the message */
        table(g, &b, details);
    summary(g, &b);
    if (g->outcome == OUT_GRADED && g->ntests)
        sb_printf(&b, "Timeouts: %s. Valgrind memcheck: %s.\n", g->timeout_source,
                  g->use_valgrind ? "on" : "off");
    for (size_t i = 0; g->notes && g->notes[i]; i++)
        sb_printf(&b, "note: %s\n", g->notes[i]);
    return sb_take(&b);
}

void report_table(struct grade *g)
{
    clean_model(g);
    char *text = report_text(g, 0);
    fputs(text, stdout);
    fflush(stdout);
    free(text);
}

/* ------------------------------------------------------------ results.json */

static char *test_output(const struct grade *g, const struct test *t)
{
    struct sbuf b = {0};
    sb_printf(&b, "%s", status_word(t->status));
    if (t->reason && *t->reason)
        sb_printf(&b, ": %s", t->reason);
    sb_add(&b, "\n");
    if (t->detail)
        sb_add(&b, t->detail);
    if (t->description)
        sb_printf(&b, "Checks: %s\n", t->description);
    if (t->hint)
        sb_printf(&b, "Read: %s\n", t->hint);
    if (t->ran && t->status != ST_PASS) {
        char *repro = repro_line(g, t);
        sb_printf(&b, "Seed: %llu\nRerun: %s (add GDB=1 to debug)\n",
                  (unsigned long long)seed_of(t), repro);
        free(repro);
    }
    return sb_take(&b);
}

static json_t *results_json(const struct grade *g, const char *summary_text)
{
    struct counts c = count(g);
    json_t *tests = json_array();
    for (size_t i = 0; i < g->ntests; i++) {
        const struct test *t = &g->tests[i];
        char *out = test_output(g, t);
        char number[24];
        snprintf(number, sizeof number, "%zu", i + 1);
        json_t *o = json_pack("{s:s, s:s, s:f, s:f, s:s, s:s, s:s}", "name", t->name, "number",
                              number, "score", t->score, "max_score", t->points, "status",
                              t->status == ST_PASS ? "passed" : "failed", "output", out,
                              "visibility", gradescope_visibility(t->visibility));
        json_t *tags = json_array();
        json_array_append_new(tags, json_string(status_word(t->status)));
        char **words = split(t->tags, " ");
        for (size_t k = 0; words[k]; k++)
            json_array_append_new(tags, json_string(words[k]));
        list_free(words);
        json_object_set_new(o, "tags", tags);
        json_array_append_new(tests, o);
        free(out);
    }
    json_t *verdicts = json_object();
    for (int s = ST_PASS; s <= ST_ERROR; s++)
        json_object_set_new(verdicts, status_word((enum status)s), json_integer(c.by_status[s]));
    json_t *notes = json_array();
    for (size_t i = 0; g->notes && g->notes[i]; i++)
        json_array_append_new(notes, json_string(g->notes[i]));
    json_t *extra = json_pack("{s:s, s:s, s:f, s:i, s:i, s:o, s:o}", "lab", g->lab, "outcome",
                              outcome_word(g->outcome), "max_score", g->max_score,
                              "memcheck_errors", c.mem_errors, "leaks", c.leaks, "verdicts",
                              verdicts, "notes", notes);
    if (g->outcome_message)
        json_object_set_new(extra, "message", json_string(g->outcome_message));
    if (g->violations) {
        json_t *v = json_array();
        for (size_t i = 0; g->violations[i]; i++)
            json_array_append_new(v, json_string(g->violations[i]));
        json_object_set_new(extra, "violations", v);
    }
    if (g->has_coverage) {
        json_object_set_new(extra, "line_percent", json_real(g->line_pct));
        json_object_set_new(extra, "branch_percent", json_real(g->branch_pct));
    }
    return json_pack("{s:f, s:f, s:s, s:s, s:s, s:s, s:o, s:o}", "score", g->score,
                     "execution_time", g->seconds, "output", summary_text, "output_format", "text",
                     "stdout_visibility", "hidden", "visibility", "visible", "tests", tests,
                     "extra_data", extra);
}

/* ------------------------------------------------------------ junit, TAP, CSV */

static int write_junit(const struct grade *g, const char *path)
{
    struct counts c = count(g);
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
    xmlTextWriterStartElement(w, BAD_CAST "properties");
    xmlTextWriterStartElement(w, BAD_CAST "property");
    xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST "score");
    xmlTextWriterWriteFormatAttribute(w, BAD_CAST "value", "%g/%g", g->score, g->max_score);
    xmlTextWriterEndElement(w);
    xmlTextWriterEndElement(w);
    for (size_t i = 0; i < g->ntests; i++) {
        const struct test *t = &g->tests[i];
        char buf[64];
        xmlTextWriterStartElement(w, BAD_CAST "testcase");
        xmlTextWriterWriteFormatAttribute(w, BAD_CAST "classname", "memlab.%s", g->lab);
        xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST test_label(g, t, buf, sizeof buf));
        xmlTextWriterWriteFormatAttribute(w, BAD_CAST "time", "%.3f", t->seconds);
        const char *el = t->status == ST_PASS      ? NULL
                         : t->status == ST_SKIPPED ? "skipped"
                         : (t->status == ST_CRASH || t->status == ST_TIMEOUT ||
                            t->status == ST_ERROR)
                             ? "error"
                             : "failure";
        if (el) {
            xmlTextWriterStartElement(w, BAD_CAST el);
            xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST status_word(t->status));
            xmlTextWriterWriteAttribute(w, BAD_CAST "message", BAD_CAST(t->reason ? t->reason : ""));
            if (test_shown(g, t) && strcmp(el, "skipped") != 0) {
                char *out = test_output(g, t);
                xmlTextWriterWriteString(w, BAD_CAST out);
                free(out);
            }
            xmlTextWriterEndElement(w);
        }
        xmlTextWriterEndElement(w);
    }
    xmlTextWriterEndDocument(w);
    xmlFreeTextWriter(w);
    int rc = rename_into_place(tmp, path);
    free(tmp);
    return rc;
}

static char *tap_text(const struct grade *g)
{
    struct sbuf b = {0};
    sb_printf(&b, "TAP version 13\n1..%zu\n", g->ntests);
    for (size_t i = 0; i < g->ntests; i++) {
        const struct test *t = &g->tests[i];
        char buf[64];
        const char *label = test_label(g, t, buf, sizeof buf);
        if (t->status == ST_PASS)
            sb_printf(&b, "ok %zu - %s\n", i + 1, label);
        else
            sb_printf(&b, "not ok %zu - %s # %s: %s\n", i + 1, label, status_word(t->status),
                      test_shown(g, t) && t->reason ? t->reason : "");
    }
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
                         "memcheck_errors,leaks,line_coverage,branch_coverage,seconds\n"
                         "%s,%s,%g,%g,%s,%d,%d,%d,%d,%d,%.1f,%.1f,%.1f\n",
                         lab, sub, g->score, g->max_score, outcome_word(g->outcome), c.passed,
                         c.failed, c.skipped, c.mem_errors, c.leaks, g->line_pct, g->branch_pct,
                         g->seconds);
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

int report_write(struct grade *g)
{
    int rc = 0;
    clean_model(g);
    char *text = report_text(g, 1);
    rc |= put(g, "report.txt", text);
    free(text);

    struct sbuf sum = {0};
    stage_lines(g, &sum);
    summary(g, &sum);
    char *summary_text = sb_take(&sum);
    json_t *results = results_json(g, summary_text);
    char *json = json_dumps(results, JSON_INDENT(2));
    rc |= put(g, "results.json", json);
    free(json);
    json_decref(results);
    free(summary_text);

    char *junit = xprintf("%s/junit.xml", g->report_dir);
    rc |= write_junit(g, junit);
    free(junit);
    char *tap = tap_text(g);
    rc |= put(g, "results.tap", tap);
    free(tap);
    char *csv = csv_text(g);
    rc |= put(g, "results.csv", csv);
    free(csv);
    return rc;
}
