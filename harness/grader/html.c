/*
 * html.c -- report.html: the one page a student opens, from the same model
 * as every other output (results.h), written by report_write.
 *
 * One self-contained file: inline CSS, pictures as data: images, no
 * JavaScript, no network.  It reads on a phone (one column, tables that
 * scroll sideways) and with a keyboard (a contents list of links, failures
 * in <details> that open with Enter).  Sections and rows come in the order
 * of the other outputs; a hidden test shows only "hidden test N", its
 * status and its points.
 *
 * Pictures come from the student's process (ml_attach): hostile text.  A
 * .dot is rendered here, outside the sandbox, by Graphviz's dot under a
 * timeout, with an empty environment and Graphviz's file access turned off
 * (SERVER_NAME + GV_FILE_PATH), after refusing the attributes that name
 * files or links; what comes out is shown as an <img> of a data: URL, where
 * a browser runs no script and loads nothing.  Everything else from the
 * model is escaped.
 */
#include "results.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PICTURE_SVG_MAX (2 << 20) /* bytes of one rendered picture */
#define PICTURE_SECONDS "10"      /* dot's time for one picture */
#define PICTURES_MAX    40        /* pictures rendered in one report */
#define EXCERPT_RADIUS  3         /* source lines shown around a memcheck error */

/* ------------------------------------------------------------ text */

static void esc(struct sbuf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': sb_add(b, "&amp;"); break;
        case '<': sb_add(b, "&lt;"); break;
        case '>': sb_add(b, "&gt;"); break;
        case '"': sb_add(b, "&quot;"); break;
        case '\'': sb_add(b, "&#39;"); break;
        default: sb_addn(b, s, 1);
        }
    }
}

/* An id for a test's anchor: its position, never its name (hidden tests). */
static void row_id(struct sbuf *b, size_t j) { sb_printf(b, "row-%zu", j + 1); }

static void base64(struct sbuf *b, const char *data, size_t n)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned char)data[i] << 16;
        v |= i + 1 < n ? (unsigned char)data[i + 1] << 8 : 0;
        v |= i + 2 < n ? (unsigned char)data[i + 2] : 0;
        char out[5] = {digits[v >> 18], digits[(v >> 12) & 63],
                       i + 1 < n ? digits[(v >> 6) & 63] : '=', i + 2 < n ? digits[v & 63] : '=',
                       0};
        sb_add(b, out);
    }
}

/* ------------------------------------------------------------ pictures */

/* 1 if the DOT text names a file, a link or a style sheet anywhere: those
 * attributes are refused whole-word, case-insensitively. */
static int dot_refused(const char *text)
{
    static const char *const words[] = {
        "image",    "imagepath", "shapefile", "fontpath", "stylesheet", "href",
        "url",      "img",       "labelhref", "headhref", "tailhref",   "edgehref",
        "labelurl", "headurl",   "tailurl",   "edgeurl",  "src",        "xlink"};
    for (const char *p = text; *p;) {
        size_t n = 0;
        char word[32];
        while (isalpha((unsigned char)p[n]))
            n++;
        if (n == 0) {
            p++;
            continue;
        }
        for (size_t k = 0; k < n && k < sizeof word - 1; k++)
            word[k] = (char)(p[k] | 32);
        word[n < sizeof word - 1 ? n : sizeof word - 1] = '\0';
        for (size_t k = 0; k < sizeof words / sizeof *words; k++)
            if (strcmp(word, words[k]) == 0)
                return 1;
        p += n;
    }
    return 0;
}

/* The SVG of one attachment (malloc'd), or NULL with *why set. */
static char *render(const struct grade *g, const char *name, const char *text, const char **why)
{
    size_t n = strlen(name);
    if (strcmp(name + n - 4, ".svg") == 0)
        return xstrdup(text);
    if (dot_refused(text)) {
        *why = "not drawn: the DOT text names a file or a link";
        return NULL;
    }
    char *dir = xprintf("%s/.pictures", g->report_dir);
    mkdir_p(dir, 0700);
    char *in = xprintf("%s/in.dot", dir), *out = xprintf("%s/out.svg", dir);
    char *svg = NULL;
    unlink(out);
    if (write_atomic(in, text, strlen(text)) == 0) {
        char *argv[] = {"env",
                        "-i",
                        "PATH=/usr/bin:/bin",
                        "SERVER_NAME=memlab",
                        "GV_FILE_PATH=/nonexistent/",
                        "timeout",
                        "-s",
                        "KILL",
                        PICTURE_SECONDS,
                        "dot",
                        "-Tsvg",
                        "-o",
                        out,
                        in,
                        NULL};
        int rc = run_capture(argv, NULL, NULL, 0);
        size_t len = 0;
        svg = rc == 0 ? read_file(out, PICTURE_SVG_MAX + 1, &len) : NULL;
        if (svg && len > PICTURE_SVG_MAX) {
            free(svg);
            svg = NULL;
        }
        *why = rc == 0 ? "not drawn: the picture is too large" : "not drawn: Graphviz refused it";
    }
    rm_rf(dir);
    free(in);
    free(out);
    free(dir);
    return svg;
}

static void pictures(const struct grade *g, const struct test *t, struct sbuf *b, int *budget)
{
    for (size_t i = 0; t->attach_names && t->attach_names[i]; i++) {
        const char *why = "not drawn: too many pictures in this report";
        char *svg = *budget > 0 ? render(g, t->attach_names[i], t->attach_texts[i], &why) : NULL;
        (*budget)--;
        sb_add(b, "<figure><figcaption>");
        esc(b, t->attach_names[i]);
        sb_add(b, "</figcaption>");
        if (svg) {
            sb_add(b, "<img class=\"picture\" alt=\"picture ");
            esc(b, t->attach_names[i]);
            sb_add(b, "\" src=\"data:image/svg+xml;base64,");
            base64(b, svg, strlen(svg));
            sb_add(b, "\">");
        } else {
            sb_printf(b, "<p class=\"note\">%s</p>", why);
        }
        sb_add(b, "</figure>\n");
        free(svg);
    }
}

char *html_test_output(const struct grade *g, const struct test *t, const char *text, int *budget)
{
    struct sbuf b = {0};
    sb_add(&b, "<pre>");
    esc(&b, text);
    sb_add(&b, "</pre>\n");
    pictures(g, t, &b, budget);
    return sb_take(&b);
}

/* ------------------------------------------------------------ source excerpt */

/* Lines around `line` of the student's staged file named like `file`. */
static void excerpt(const struct grade *g, const char *file, int line, struct sbuf *b)
{
    const char *staged = NULL;
    for (size_t i = 0; file && g->staged && g->staged[i]; i++)
        if (strcmp(base_name(g->staged[i]), base_name(file)) == 0)
            staged = g->staged[i];
    size_t len;
    char *text = staged && line > 0 ? read_file(staged, 4 << 20, &len) : NULL;
    if (!text)
        return;
    sb_add(b, "<pre class=\"code\">");
    int n = 1;
    for (char *p = text; *p && n <= line + EXCERPT_RADIUS; n++) {
        char *end = strchr(p, '\n');
        if (end)
            *end = '\0';
        if (n >= line - EXCERPT_RADIUS) {
            sb_printf(b, "<span%s>%5d  ", n == line ? " class=\"hit\"" : "", n);
            char *clean = clean_text(p);
            esc(b, clean);
            free(clean);
            sb_add(b, "</span>\n");
        }
        if (!end)
            break;
        p = end + 1;
    }
    sb_add(b, "</pre>\n");
    free(text);
}

static void memissue(const struct grade *g, const char *title, const struct memissue *m,
                     struct sbuf *b)
{
    if (!m->what)
        return;
    sb_printf(b, "<p><strong>%s:</strong> ", title);
    esc(b, m->what);
    if (m->at.file) {
        sb_add(b, " at <code>");
        esc(b, base_name(m->at.file));
        sb_printf(b, ":%d</code>", m->at.line);
        if (m->at.fn) {
            sb_add(b, " (<code>");
            esc(b, m->at.fn);
            sb_add(b, "</code>)");
        }
    }
    if (m->aux) {
        sb_add(b, "; ");
        esc(b, m->aux);
    }
    sb_add(b, "</p>\n");
    if (m->in_student)
        excerpt(g, m->at.file, m->at.line, b);
}

/* ------------------------------------------------------------ rows */

static const char *status_class(enum status s)
{
    return s == ST_PASS ? "pass" : s == ST_SKIPPED ? "skip" : s == ST_LEAK ? "leak" : "fail";
}

static int worth_details(const struct test *t)
{
    return (t->status != ST_PASS && t->status != ST_SKIPPED) || t->attach_names;
}

static void details(const struct grade *g, const struct test *t, struct sbuf *b, int *budget)
{
    sb_add(b, "<details open><summary>details</summary>\n");
    if (t->description) {
        sb_add(b, "<p>Checks: ");
        esc(b, t->description);
        sb_add(b, "</p>\n");
    }
    if (t->hint) {
        sb_add(b, "<p>Read: ");
        esc(b, t->hint);
        sb_add(b, "</p>\n");
    }
    if (t->ran && t->status != ST_PASS && t->status != ST_SKIPPED) {
        char *repro = repro_line(g, t);
        sb_add(b, "<p>Rerun: <code>");
        esc(b, repro);
        sb_add(b, "</code></p>\n");
        free(repro);
    }
    memissue(g, "Valgrind", &t->first_error, b);
    memissue(g, "Leak", &t->first_leak, b);
    if (t->detail) {
        sb_add(b, "<pre>");
        esc(b, t->detail);
        sb_add(b, "</pre>\n");
    }
    if (t->err_head && *t->err_head) {
        char *cut = cut_text(t->err_head, 12, 1500);
        sb_add(b, "<p>stderr:</p><pre>");
        esc(b, cut);
        sb_add(b, "</pre>\n");
        free(cut);
    }
    pictures(g, t, b, budget);
    sb_add(b, "</details>\n");
}

/* One test: its row, then (shown tests that did not pass, or that attached
 * pictures) a full-width row of details under it. */
static void row(const struct grade *g, const struct test *t, size_t j, struct sbuf *b, int *budget)
{
    char label[64];
    int shown = test_shown(g, t);
    sb_printf(b, "<tr class=\"test %s\" id=\"", status_class(t->status));
    row_id(b, j);
    sb_add(b, "\"><td class=\"name\">");
    esc(b, test_label(g, t, label, sizeof label));
    sb_printf(b, "</td><td><span class=\"verdict\">%s</span></td><td class=\"pts\">%g / %g</td>",
              status_word(t->status), t->score, t->points);
    sb_add(b, "<td class=\"reason\">");
    if (shown)
        esc(b, t->reason);
    sb_add(b, "</td></tr>\n");
    if (shown && worth_details(t)) {
        sb_add(b, "<tr class=\"more\"><td colspan=\"4\">");
        details(g, t, b, budget);
        sb_add(b, "</td></tr>\n");
    }
}

/* ------------------------------------------------------------ the page */

static const char style[] =
    "body{font:16px/1.45 system-ui,sans-serif;margin:0 auto;max-width:70em;padding:0 "
    "1em;color:#111;background:#fff}"
    "h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em}"
    ".score{font-size:1.3em;font-weight:bold}"
    ".wrap{overflow-x:auto}table{border-collapse:collapse;width:100%;table-layout:fixed}"
    "col.c-name{width:34%}col.c-verdict{width:6.5em}col.c-pts{width:5.5em}"
    "tr.more>td{border-bottom:2px solid #bbb;padding-left:1.5em}"
    "th,td{border-bottom:1px solid #ccc;padding:.35em .5em;text-align:left;vertical-align:top}"
    "td.pts{white-space:nowrap}td.name{font-family:monospace;word-break:break-word}"
    ".verdict{font-weight:bold;padding:0 .3em;border-radius:3px}"
    "tr.pass .verdict{background:#d7f5d7}tr.fail .verdict{background:#ffd6d6}"
    "tr.leak .verdict{background:#fff0c0}tr.skip .verdict{background:#eee}"
    "pre{background:#f6f6f6;padding:.5em;white-space:pre-wrap;word-break:break-word;"
    "font-size:.85em}"
    ".code .hit{background:#ffe08a;font-weight:bold}"
    "img.picture{max-width:100%;height:auto;border:1px solid #ddd;background:#fff}"
    "figure{margin:.8em 0}figcaption{font-size:.85em;color:#555}"
    "a:focus,summary:focus{outline:3px solid #1a73e8}.note{color:#a00}"
    "td.reason{word-break:break-word}"
    "@media (max-width:40em){body{padding:0 .5em;font-size:15px}thead,colgroup{display:none}"
    "table,tbody,tr,td{display:block;width:auto}tr.test{border-top:1px solid #ccc;padding:.3em 0}"
    "tr.test td{border:0;padding:.1em .3em}tr.test td.name{font-weight:bold}"
    "tr.test td:nth-child(2),tr.test td:nth-child(3){display:inline-block}"
    "tr.more>td{padding-left:.3em}}";

static void head(const struct grade *g, struct sbuf *b)
{
    sb_add(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
              "<title>memlab ");
    esc(b, g->lab);
    sb_printf(b, ": %g / %g</title><style>%s</style></head>\n<body>\n", g->score, g->max_score,
              style);
    sb_add(b, "<header><h1>");
    esc(b, g->title ? g->title : g->lab);
    sb_printf(b, "</h1><p class=\"score\" id=\"score\">Score: %g / %g</p>", g->score, g->max_score);
    if (g->only)
        sb_add(b, "<p class=\"note\">A partial grade: only some tests were run.</p>");
    if (g->outcome != OUT_GRADED) {
        sb_add(b, "<p class=\"note\" id=\"not-graded\">Not graded: ");
        esc(b, g->outcome_message);
        sb_add(b, ". Every test scores 0.</p><ul>");
        for (size_t i = 0; g->violations && g->violations[i]; i++) {
            sb_add(b, "<li>");
            esc(b, g->violations[i]);
            sb_add(b, "</li>");
        }
        sb_add(b, "</ul>");
    }
    if (g->warnings) {
        sb_add(b, "<details><summary>Compiler warnings</summary><pre>");
        esc(b, g->warnings);
        sb_add(b, "</pre></details>");
    }
    sb_add(b, "</header>\n");
}

static void contents(const struct html_section *sections, size_t n, struct sbuf *b)
{
    sb_add(b, "<nav aria-label=\"sections\"><ul>");
    for (size_t k = 0; k < n; k++) {
        if (sections[k].first == sections[k].end)
            continue;
        sb_printf(b, "<li><a href=\"#section-%zu\">", k + 1);
        if (sections[k].title) {
            if (sections[k].number >= 0)
                sb_printf(b, "%d. ", sections[k].number);
            esc(b, sections[k].title);
        } else {
            sb_add(b, "Other tests");
        }
        sb_add(b, "</a></li>");
    }
    sb_add(b, "</ul></nav>\n");
}

static void section(const struct grade *g, const size_t *order, const struct html_section *s,
                    size_t k, struct sbuf *b, int *budget)
{
    double score = 0, points = 0;
    int passed = 0;
    for (size_t j = s->first; j < s->end; j++) {
        score += g->tests[order[j]].score;
        points += g->tests[order[j]].points;
        passed += g->tests[order[j]].status == ST_PASS;
    }
    sb_printf(b, "<section id=\"section-%zu\"><h2>", k + 1);
    if (s->title) {
        if (s->number >= 0)
            sb_printf(b, "%d. ", s->number);
        esc(b, s->title);
    } else {
        sb_add(b, "Other tests");
    }
    sb_printf(b, " <small>%d of %zu passed, %g / %g points</small></h2>\n", passed,
              s->end - s->first, score, points);
    sb_add(b, "<div class=\"wrap\"><table><colgroup><col class=\"c-name\"><col class=\"c-verdict\">"
              "<col class=\"c-pts\"><col></colgroup><thead><tr><th>Test</th><th>Verdict</th>"
              "<th>Points</th><th class=\"reason-h\">Reason</th></tr></thead><tbody>\n");
    for (size_t j = s->first; j < s->end; j++)
        row(g, &g->tests[order[j]], j, b, budget);
    sb_add(b, "</tbody></table></div></section>\n");
}

static void coverage(const struct grade *g, struct sbuf *b)
{
    if (!g->has_coverage)
        return;
    sb_printf(b,
              "<section id=\"coverage\"><h2>Coverage</h2><p>Lines %.1f%% (%ld of %ld), "
              "branches %.1f%%.",
              g->line_pct, g->lines_covered, g->lines_total, g->branch_pct);
    char *index = xprintf("%s/coverage/index.html", g->report_dir);
    if (is_file(index))
        sb_add(b, " <a href=\"coverage/index.html\">Line by line</a> (lines no test ran are "
                  "marked).");
    free(index);
    sb_add(b, "</p></section>\n");
}

int html_write(const struct grade *g, const size_t *order, const struct html_section *sections,
               size_t nsections, const char *path)
{
    struct sbuf b = {0};
    int budget = PICTURES_MAX;
    head(g, &b);
    sb_add(&b, "<main>\n");
    contents(sections, nsections, &b);
    for (size_t k = 0; k < nsections; k++)
        if (sections[k].first < sections[k].end)
            section(g, order, &sections[k], k, &b, &budget);
    coverage(g, &b);
    sb_add(&b, "</main>\n<footer><p>Also in this folder: report.txt, results.json, junit.xml, "
               "results.tap, results.csv.</p></footer>\n</body></html>\n");
    char *text = sb_take(&b);
    int rc = write_atomic(path, text, strlen(text));
    free(text);
    return rc;
}
