/*
 * judge.c -- stage 5: one verdict, one score and one line of reason per test.
 *
 * The evidence, and nothing else (never the text a test printed), each
 * from a channel the test cannot reach or cannot forge (run.c):
 *   the record         one JSON line on the record pipe, written by the runner
 *                      after the test returned: the test's status and its
 *                      observation trace (how many assertions passed and a
 *                      hash of their sequence of file:line).  A pass counts
 *                      only when the trace is the one the reference solution
 *                      produced for the same test (calibrate.c): no expected
 *                      answer and no credential is in the tested process, so
 *                      code that forges a record must reproduce the whole
 *                      run of the reference.  No record: the test never
 *                      finished
 *   the exit status    from the serving process (or, when that died, from
 *                      the grader's own wait): signal, exit code, or killed
 *                      by the grader at its budget
 *   Valgrind's XML     vg.<pid>.xml, read through the descriptor the grader
 *                      took before the test ran: memcheck errors, definite
 *                      leaks, fatal signal, each with its stack.  Missing or
 *                      unfinished from a run that exited 0, it is not clean:
 *                      the test is not graded (and is run again once)
 * The runtime's fatal message ("memlab fatal error: ...") is quoted in the
 * reason when the test died of it, because it says what went wrong.
 *
 * Precedence (the first that applies):
 *   TIMEOUT > CRASH > (not graded) > MEMORY > FAIL > LEAK > PASS
 * Points (harness/policy.json): PASS full, LEAK x definite_leak_keeps,
 * MEMORY x memory_error_keeps, everything else 0.
 */
#include "results.h"
#include "util.h"

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REASON_MAX   300
#define ATTACH_MAX   8            /* pictures kept per test (mltest.h ML_ATTACH_MAX) */
#define ATTACH_BYTES (256 * 1024) /* and their text (ML_ATTACH_BYTES) */

const char *status_word(enum status s)
{
    switch (s) {
    case ST_PASS: return "PASS";
    case ST_LEAK: return "LEAK";
    case ST_FAIL: return "FAIL";
    case ST_MEMORY: return "MEMORY";
    case ST_CRASH: return "CRASH";
    case ST_TIMEOUT: return "TIMEOUT";
    case ST_SKIPPED: return "SKIPPED";
    default: return "ERROR";
    }
}

/* ------------------------------------------------------------ the record */

/* Parse the record line into t (has_record, status, message, trace). */
/* The record's pictures, kept for report.html only.  Student-controlled:
 * names are checked as ml_attach checks them, count and size bounded;
 * whatever breaks a rule is dropped. */
static void attachments_parse(struct test *t, json_t *list)
{
    size_t i, bytes = 0;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *name = json_string_value(json_object_get(v, "name"));
        const char *text = json_string_value(json_object_get(v, "text"));
        size_t n = name ? strlen(name) : 0;
        int name_ok = n >= 5 && n <= 64 && name[0] != '.' &&
                      strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   "0123456789_.-") == n &&
                      (strcmp(name + n - 4, ".dot") == 0 || strcmp(name + n - 4, ".svg") == 0);
        if (!name_ok || !text || i >= ATTACH_MAX || bytes + strlen(text) > ATTACH_BYTES)
            continue;
        bytes += strlen(text);
        t->attach_names = list_push(t->attach_names, xstrdup(name));
        t->attach_texts = list_push(t->attach_texts, xstrdup(text));
    }
}

int record_parse(struct test *t)
{
    json_t *o = t->record && t->record_lines == 1 ? json_loads(t->record, 0, NULL) : NULL;
    const char *name = json_string_value(json_object_get(o, "test"));
    const char *status = json_string_value(json_object_get(o, "status"));
    const char *trace = json_string_value(json_object_get(o, "trace"));
    t->has_record = o && name && status && trace && strcmp(name, t->name) == 0;
    if (t->has_record) {
        t->record_status = xstrdup(status);
        t->record_message = xstrdup(json_string_value(json_object_get(o, "message")));
        t->record_file = xstrdup(json_string_value(json_object_get(o, "file")));
        t->record_line = (int)json_integer_value(json_object_get(o, "line"));
        t->seed = (uint64_t)json_integer_value(json_object_get(o, "seed"));
        t->asserts = (long)json_integer_value(json_object_get(o, "asserts"));
        t->trace = xstrdup(trace);
        attachments_parse(t, json_object_get(o, "attachments"));
    }
    json_decref(o);
    return t->has_record ? 0 : -1;
}

/* ------------------------------------------------------------ Valgrind's XML */

static xmlNode *child(xmlNode *n, const char *name)
{
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
            return c;
    return NULL;
}

static char *text_of(xmlNode *n)
{
    if (!n)
        return NULL;
    xmlChar *s = xmlNodeGetContent(n);
    char *d = xstrdup((const char *)s);
    xmlFree(s);
    return d;
}

static int is_student_file(const struct grade *g, const char *file)
{
    return file && list_has(g->files, base_name(file));
}

/* The frame to show: the first in the student's file, else the first that
 * has a source file and is not Valgrind's own. */
static int pick_frame(const struct grade *g, xmlNode *stack, struct frame *out)
{
    xmlNode *fallback = NULL;
    for (xmlNode *f = stack ? stack->children : NULL; f; f = f->next) {
        if (f->type != XML_ELEMENT_NODE || strcmp((const char *)f->name, "frame") != 0)
            continue;
        char *file = text_of(child(f, "file"));
        int student = is_student_file(g, file);
        int usable = file && strncmp(file, "vg_", 3) != 0;
        free(file);
        if (student || (usable && !fallback)) {
            fallback = f;
            if (student)
                break;
        }
    }
    if (!fallback)
        return 0;
    out->fn = text_of(child(fallback, "fn"));
    out->dir = text_of(child(fallback, "dir"));
    out->file = text_of(child(fallback, "file"));
    char *line = text_of(child(fallback, "line"));
    out->line = line ? atoi(line) : 0;
    free(line);
    return is_student_file(g, out->file) ? 2 : 1;
}

/* "refcount.c:42 (in list_dealloc)", with kit files relative to the kit. */
static char *where(const struct grade *g, const struct frame *f)
{
    if (!f->file)
        return xstrdup("an unknown place");
    char *path;
    size_t kit = strlen(g->kit);
    if (is_student_file(g, f->file) || !f->dir)
        path = xstrdup(f->file);
    else if (strncmp(f->dir, g->kit, kit) == 0 && f->dir[kit] == '/')
        path = xprintf("%s/%s", f->dir + kit + 1, f->file);
    else
        path = xprintf("%s/%s", f->dir, f->file);
    char *s =
        f->fn ? xprintf("%s:%d (in %s)", path, f->line, f->fn) : xprintf("%s:%d", path, f->line);
    free(path);
    return s;
}

static void read_issue(const struct grade *g, xmlNode *err, struct memissue *m)
{
    m->kind = text_of(child(err, "kind"));
    xmlNode *xwhat = child(err, "xwhat");
    m->what = xwhat ? text_of(child(xwhat, "text")) : text_of(child(err, "what"));
    char *cut = m->what ? strstr(m->what, " in loss record") : NULL;
    if (cut)
        *cut = '\0';
    m->in_student = pick_frame(g, child(err, "stack"), &m->at) == 2;
    /* the first auxwhat and the stack after it: where the block was freed
     * or allocated */
    for (xmlNode *c = err->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, "auxwhat") != 0)
            continue;
        xmlNode *stack = c->next;
        while (stack && stack->type != XML_ELEMENT_NODE)
            stack = stack->next;
        if (!stack || strcmp((const char *)stack->name, "stack") != 0)
            break;
        char *aux = text_of(c);
        struct frame f = {0};
        if (pick_frame(g, stack, &f)) {
            char *at = where(g, &f);
            const char *verb = strstr(aux, "free'd")    ? "freed at"
                               : strstr(aux, "alloc'd") ? "allocated at"
                                                        : "see";
            m->aux = xprintf("%s %s", verb, at);
            free(at);
        }
        free(f.fn);
        free(f.dir);
        free(f.file);
        free(aux);
        break;
    }
}

/* Did Valgrind finish its report (a <status> whose state is FINISHED)? */
static int finished_status(xmlNode *status)
{
    char *state = text_of(child(status, "state"));
    int finished = state && strcmp(state, "FINISHED") == 0;
    free(state);
    return finished;
}

/* Returns 1 when the report is whole (parsed strictly, and finished). */
static int read_valgrind(const struct grade *g, struct test *t, struct memissue *fatal_at)
{
    if (!t->xml || !*t->xml)
        return 0;
    int whole = 0;
    xmlDoc *strict = xmlReadMemory(t->xml, (int)strlen(t->xml), "vg.xml", NULL,
                                   XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NONET);
    /* a test killed at its budget leaves a truncated file: recover what is there */
    xmlDoc *doc = strict ? strict
                         : xmlReadMemory(t->xml, (int)strlen(t->xml), "vg.xml", NULL,
                                         XML_PARSE_RECOVER | XML_PARSE_NOERROR |
                                             XML_PARSE_NOWARNING | XML_PARSE_NONET);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    for (xmlNode *c = root ? root->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp((const char *)c->name, "status") == 0) {
            whole = strict != NULL && finished_status(c);
            continue;
        }
        if (strcmp((const char *)c->name, "fatal_signal") == 0) {
            fatal_at->in_student = pick_frame(g, child(c, "stack"), &fatal_at->at) == 2;
            continue;
        }
        if (strcmp((const char *)c->name, "error") != 0)
            continue;
        char *kind = text_of(child(c, "kind"));
        int leak = kind && strncmp(kind, "Leak_", 5) == 0;
        if (leak) {
            t->leaks++;
            xmlNode *xwhat = child(c, "xwhat");
            char *bytes = text_of(child(xwhat, "leakedbytes"));
            t->leaked_bytes += bytes ? atol(bytes) : 0;
            free(bytes);
            if (t->leaks == 1)
                read_issue(g, c, &t->first_leak);
        } else {
            t->mem_errors++;
            if (t->mem_errors == 1)
                read_issue(g, c, &t->first_error);
        }
        free(kind);
    }
    if (doc)
        xmlFreeDoc(doc);
    return whole;
}

static char *fatal_message(const char *err)
{
    const char *p = err ? strstr(err, "memlab fatal error:") : NULL;
    return p ? one_line(p, 200) : NULL;
}

/* ------------------------------------------------------------ the verdict */

static char *issue_text(const struct grade *g, const struct memissue *m, int count)
{
    char *at = where(g, &m->at);
    struct sbuf b = {0};
    sb_printf(&b, "%s at %s", m->what ? m->what : m->kind, at);
    if (m->aux)
        sb_printf(&b, "; %s", m->aux);
    if (count > 1)
        sb_printf(&b, " (+%d more)", count - 1);
    free(at);
    return sb_take(&b);
}

static char *signal_text(int sig)
{
    const char *name = sig == SIGSEGV   ? "SIGSEGV"
                       : sig == SIGABRT ? "SIGABRT"
                       : sig == SIGBUS  ? "SIGBUS"
                       : sig == SIGFPE  ? "SIGFPE"
                       : sig == SIGILL  ? "SIGILL"
                       : sig == SIGKILL ? "SIGKILL"
                       : sig == SIGXCPU ? "SIGXCPU"
                       : sig == SIGXFSZ ? "SIGXFSZ"
                       : sig == SIGSYS  ? "SIGSYS"
                       : sig == SIGTERM ? "SIGTERM"
                                        : "signal";
    return xprintf("%s %d (%s)", name, sig, strsignal(sig));
}

static void judge_crash(const struct grade *g, struct test *t, const struct memissue *fatal_at)
{
    struct sbuf b = {0};
    char *sig = signal_text(t->signal);
    if (t->signal == SIGXFSZ)
        sb_printf(&b, "output limit: the test wrote more than %ld MiB", g->policy.fsize_mb);
    else if (t->signal == SIGSYS)
        sb_printf(&b, "stopped by the sandbox: a forbidden system call (%s)", sig);
    else if (t->fatal_line)
        sb_printf(&b, "aborted: %s", t->fatal_line);
    else
        sb_printf(&b, "crashed: %s", sig);
    if (t->mem_errors) {
        char *issue = issue_text(g, &t->first_error, t->mem_errors);
        sb_printf(&b, "; first memory error: %s", issue);
        free(issue);
    } else if (fatal_at->at.file) {
        char *at = where(g, &fatal_at->at);
        sb_printf(&b, " at %s", at);
        free(at);
    }
    free(sig);
    t->status = ST_CRASH;
    t->reason = sb_take(&b);
}

static void classify(const struct grade *g, struct test *t, const struct memissue *fatal_at,
                     int valgrind_whole)
{
    if (t->timed_out || t->signal == SIGXCPU) {
        t->status = ST_TIMEOUT;
        t->reason = t->timed_out
                        ? xprintf("timed out: still running after %.1f s (budget %.1f s, from %s)",
                                  t->seconds, t->budget, g->timeout_source)
                        : xprintf("timed out: CPU time limit of %.0f s exceeded",
                                  t->budget + g->policy.cpu_slack);
    } else if (t->output_over) {
        t->status = ST_CRASH;
        t->reason = xprintf("output limit: the test wrote more than %ld MiB", g->policy.fsize_mb);
    } else if (t->signal) {
        judge_crash(g, t, fatal_at);
    } else if (t->server_died && !t->has_record) {
        t->status = ST_CRASH;
        t->reason = xstrdup("the test's serving process ended while the test ran: a test may not "
                            "signal, stop or kill its parent");
    } else if (t->record_lines > 1) {
        t->status = ST_FAIL;
        t->reason = xprintf("%d records on the test's record channel, where the runner writes "
                            "one: lab code wrote to it",
                            t->record_lines);
    } else if (!t->has_record) {
        t->status = ST_CRASH;
        t->reason = t->fatal_line
                        ? xprintf("stopped: %s", t->fatal_line)
                        : xprintf("the test ended before it finished (exit status %d): lab code "
                                  "must return, never exit()",
                                  t->exit_code);
    } else if (strcmp(t->record_status, "pass") == 0 && t->exit_code != 0) {
        /* the runner exits 0 after a pass: a pass record from a run that
         * ended otherwise was not that run's last word */
        t->status = ST_FAIL;
        t->reason = xprintf("the result record says pass, but the test process exited with "
                            "status %d",
                            t->exit_code);
    } else if (g->use_valgrind && !valgrind_whole) {
        t->status = ST_ERROR;
        t->reason = xstrdup(t->xml_missing ? "not graded: Valgrind's report of the test could not "
                                             "be read"
                                           : "not graded: Valgrind's report of the test is "
                                             "incomplete, so the run cannot be called clean");
    } else if (t->mem_errors) {
        t->status = ST_MEMORY;
        t->reason = issue_text(g, &t->first_error, t->mem_errors);
    } else if (strcmp(t->record_status, "pass") != 0) {
        t->status = ST_FAIL;
        const char *file = t->record_file && *t->record_file ? t->record_file : t->file;
        t->reason = xprintf("%s:%d: %s", file ? file : "?", t->record_line,
                            t->record_message && *t->record_message ? t->record_message : "failed");
    } else if (!t->has_reference) {
        t->status = ST_ERROR;
        t->reason = xstrdup("not graded: the reference solution has no answer for this test "
                            "(it did not finish when the timeouts were calibrated)");
    } else if (t->asserts != t->ref_asserts || strcmp(t->trace, t->ref_trace) != 0) {
        t->status = ST_FAIL;
        t->reason = xprintf("the test's checks did not run as they do on the reference solution "
                            "(%ld passed checks, the reference passes %ld%s): the lab code "
                            "changed the test's course",
                            t->asserts, t->ref_asserts,
                            t->asserts == t->ref_asserts ? ", in another order" : "");
    } else if (t->leaks) {
        t->status = ST_LEAK;
        char *issue = issue_text(g, &t->first_leak, t->leaks);
        t->reason = xprintf("leak: %s", issue);
        free(issue);
    } else {
        t->status = ST_PASS;
        t->reason = xstrdup("");
    }
}

static double points_for(const struct grade *g, const struct test *t)
{
    switch (t->status) {
    case ST_PASS: return t->points;
    case ST_LEAK: return t->points * g->policy.leak_factor;
    case ST_MEMORY: return t->points * g->policy.memory_factor;
    default: return 0;
    }
}

/* Judge one test that has run (run.c has gathered its evidence into t). */
void judge_test(struct grade *g, struct test *t)
{
    struct memissue fatal_at = {0};
    record_parse(t);
    int whole = g->use_valgrind && read_valgrind(g, t, &fatal_at);
    t->fatal_line = fatal_message(t->err_head);
    classify(g, t, &fatal_at, whole);
    char *line = one_line(t->reason, REASON_MAX);
    free(t->reason);
    t->reason = line;
    t->score = points_for(g, t);
    free(fatal_at.at.fn);
    free(fatal_at.at.dir);
    free(fatal_at.at.file);
}

/* No test ran (missing file, static check, compile error): each scores 0. */
void judge_not_run(struct grade *g, const char *why)
{
    for (size_t i = 0; i < g->ntests; i++) {
        g->tests[i].status = ST_FAIL;
        g->tests[i].score = 0;
        g->tests[i].reason = xprintf("not run: %s", why);
    }
}

void judge_totals(struct grade *g)
{
    g->score = g->max_score = 0;
    for (size_t i = 0; i < g->ntests; i++) {
        g->score += g->tests[i].score;
        g->max_score += g->tests[i].points;
    }
}
