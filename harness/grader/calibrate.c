/*
 * calibrate.c -- the reference solution's run of every test, once per
 * build: its time, for fair timeouts, and its observation trace, which a
 * student's pass must match (judge.c).
 *
 *   budget = max(floor, reference seconds under Valgrind x margin)
 *
 * The reference test binary (BUILD/tests/<lab>/t_<lab>) runs every test in
 * the same serving mode and sandbox as a graded run, and the answers are
 * cached in BUILD/calibration/<lab>.json, keyed by a hash of that binary
 * and the mode (under Valgrind or not): a rebuilt reference or changed
 * tests run again.  Without calibration (--no-calibrate, or a test the
 * reference did not finish) the budget is the declared .timeout x the
 * policy's Valgrind factor; without Valgrind, the declared .timeout x 2.
 * The traces are taken whatever --no-calibrate says: without them no test
 * can pass.
 */
#include "results.h"
#include "util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double fallback_budget(const struct grade *g, const struct test *t)
{
    if (!g->use_valgrind)
        return t->declared_timeout * 2 + 1;
    double b = t->declared_timeout * g->policy.valgrind_factor;
    return b > g->policy.timeout_floor ? b : g->policy.timeout_floor;
}

static json_t *load_cache(const char *path, const char *hash)
{
    json_t *o = json_load_file(path, 0, NULL);
    const char *h = json_string_value(json_object_get(o, "binary_hash"));
    if (!h || strcmp(h, hash) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* The reference's answer for one test, as the cache keeps it. */
static json_t *answer_of(const struct test *t)
{
    int finished = !t->timed_out && !t->signal && t->exited && t->exit_code == 0;
    if (!finished || record_parse((struct test *)t) != 0 || strcmp(t->record_status, "pass") != 0)
        return json_pack("{s:n}", "seconds"); /* no answer: the fallback budget, not graded */
    return json_pack("{s:f, s:I, s:s}", "seconds", t->seconds, "asserts", (json_int_t)t->asserts,
                     "trace", t->trace);
}

/* Run the named tests of the reference and add their answers, by name, to
 * `answers`. */
static void measure(struct grade *g, const char *refbin, const char *names, json_t *answers)
{
    struct grade cal = *g; /* same kit, policy and sandbox; its own test list */
    cal.only = (char *)names;
    cal.tests = NULL;
    cal.ntests = 0;
    cal.notes = NULL;
    cal.hidden_binary = NULL;
    if (tests_load(&cal, refbin) != 0)
        return;
    for (size_t i = 0; i < cal.ntests; i++)
        cal.tests[i].budget = fallback_budget(g, &cal.tests[i]) * 2;
    char *scratch = xprintf("%s/calibration", g->work_dir);
    run_tests(&cal, refbin, scratch, 0);
    rm_rf(scratch);
    free(scratch);
    for (size_t i = 0; i < cal.ntests; i++)
        json_object_set_new(answers, cal.tests[i].name, answer_of(&cal.tests[i]));
    list_free(cal.notes); /* cal's test strings are left to the end of the run */
}

/* The tests of g that the cache has no time for, comma-separated, or NULL. */
static char *missing_names(const struct grade *g, json_t *answers)
{
    struct sbuf b = {0};
    for (size_t i = 0; i < g->ntests; i++)
        if (!json_object_get(answers, g->tests[i].name))
            sb_printf(&b, "%s%s", b.len ? "," : "", g->tests[i].name);
    return b.len ? sb_take(&b) : NULL;
}

/* The cached answers of the reference, completed with the tests of g that
 * it lacks (a cache is per binary; --only runs measure only what they need). */
static json_t *reference_answers(struct grade *g, const char *refbin)
{
    char hash[48];
    snprintf(hash, sizeof hash, "%016llx-%s", (unsigned long long)hash_file(refbin),
             g->use_valgrind ? "memcheck" : "native");
    char *dir = xprintf("%s/calibration", g->build);
    char *path = xprintf("%s/%s.json", dir, g->lab);
    json_t *cache = load_cache(path, hash);
    if (!cache)
        cache = json_pack("{s:s, s:{}}", "binary_hash", hash, "answers");
    json_t *times = json_object_get(cache, "answers");
    char *names = missing_names(g, times);
    if (names) {
        measure(g, refbin, names, times);
        mkdir_p(dir, 0755);
        char *text = json_dumps(cache, JSON_INDENT(1) | JSON_SORT_KEYS);
        write_atomic(path, text, strlen(text));
        free(text);
        free(names);
    }
    json_incref(times);
    json_decref(cache);
    free(dir);
    free(path);
    return times;
}

int calibrate_budgets(struct grade *g)
{
    g->timeout_source = xstrdup(g->use_valgrind ? "the declared timeout x the Valgrind factor"
                                                : "the declared timeout x 2");
    char *refbin = xprintf("%s/tests/%s/t_%s", g->build, g->lab, g->lab);
    json_t *answers = is_file(refbin) ? reference_answers(g, refbin) : NULL;
    int calibrated = 0;
    for (size_t i = 0; i < g->ntests; i++) {
        struct test *t = &g->tests[i];
        json_t *a = json_object_get(answers, t->name);
        json_t *s = json_object_get(a, "seconds");
        const char *trace = json_string_value(json_object_get(a, "trace"));
        t->has_reference = trace != NULL;
        t->ref_asserts = (long)json_integer_value(json_object_get(a, "asserts"));
        t->ref_trace = trace ? xstrdup(trace) : NULL;
        t->ref_seconds = json_is_number(s) ? json_number_value(s) : 0;
        if (json_is_number(s) && g->use_valgrind && g->calibrate) {
            double b = json_number_value(s) * g->policy.timeout_margin;
            t->budget = b > g->policy.timeout_floor ? b : g->policy.timeout_floor;
            calibrated++;
        } else {
            t->budget = fallback_budget(g, t);
        }
    }
    if (calibrated) {
        free(g->timeout_source);
        g->timeout_source = xprintf("the reference's time under Valgrind x %.1f, at least %.0f s",
                                    g->policy.timeout_margin, g->policy.timeout_floor);
    }
    json_decref(answers);
    free(refbin);
    return 0;
}
