/*
 * calibrate.c -- fair timeouts: each test's budget comes from the reference
 * solution's own time under Valgrind, never from a native-speed guess.
 *
 *   budget = max(floor, reference seconds under Valgrind x margin)
 *
 * The reference test binary (BUILD/tests/<lab>/t_<lab>) is run once, every
 * test under Valgrind in the same sandbox as a graded run, and the times are
 * cached in BUILD/calibration/<lab>.json, keyed by a hash of that binary: a
 * rebuilt reference or changed tests calibrate again.  Without calibration
 * (--no-calibrate, or a test the reference did not finish) the budget is the
 * declared .timeout x the policy's Valgrind factor; without Valgrind, the
 * declared .timeout x 2.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "util.h"

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

/* Run the named tests of the reference under Valgrind and add their times,
 * by name, to `times`. */
static void measure(struct grade *g, const char *refbin, const char *names, json_t *times)
{
    struct grade cal = *g; /* same kit, policy and sandbox; its own test list */
    cal.only = (char *)names;
    cal.tests = NULL;
    cal.ntests = 0;
    cal.notes = NULL;
    if (tests_load(&cal, refbin) != 0)
        return;
    for (size_t i = 0; i < cal.ntests; i++)
        cal.tests[i].budget = fallback_budget(g, &cal.tests[i]) * 2;
    if (!g->quiet)
        fprintf(stderr, "memlab-grade: calibrating timeouts: %zu tests of the reference under "
                        "Valgrind (once per build)\n",
                cal.ntests);
    char *scratch = xprintf("%s/calibration", g->work_dir);
    run_tests(&cal, refbin, scratch, 0);
    rm_rf(scratch);
    free(scratch);
    for (size_t i = 0; i < cal.ntests; i++) {
        struct test *t = &cal.tests[i];
        int finished = !t->timed_out && !t->signal && t->exited;
        /* null: the reference did not finish it, the fallback applies */
        json_object_set_new(times, t->name, finished ? json_real(t->seconds) : json_null());
    }
    list_free(cal.notes); /* cal's test strings are left to the end of the run */
}

/* The tests of g that the cache has no time for, comma-separated, or NULL. */
static char *missing_names(const struct grade *g, json_t *times)
{
    struct sbuf b = {0};
    for (size_t i = 0; i < g->ntests; i++)
        if (!json_object_get(times, g->tests[i].name))
            sb_printf(&b, "%s%s", b.len ? "," : "", g->tests[i].name);
    return b.len ? sb_take(&b) : NULL;
}

/* The cached times of the reference, completed with the tests of g that it
 * lacks (a cache is per binary; --only runs measure only what they need). */
static json_t *reference_times(struct grade *g, const char *refbin)
{
    char hash[32];
    snprintf(hash, sizeof hash, "%016llx", (unsigned long long)hash_file(refbin));
    char *dir = xprintf("%s/calibration", g->build);
    char *path = xprintf("%s/%s.json", dir, g->lab);
    json_t *cache = load_cache(path, hash);
    if (!cache)
        cache = json_pack("{s:s, s:{}}", "binary_hash", hash, "seconds");
    json_t *times = json_object_get(cache, "seconds");
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
    json_t *times = NULL;
    char *refbin = xprintf("%s/tests/%s/t_%s", g->build, g->lab, g->lab);
    if (g->use_valgrind && g->calibrate && is_file(refbin))
        times = reference_times(g, refbin);
    int calibrated = 0;
    for (size_t i = 0; i < g->ntests; i++) {
        struct test *t = &g->tests[i];
        json_t *s = json_object_get(times, t->name);
        if (json_is_number(s)) {
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
    json_decref(times);
    free(refbin);
    return 0;
}
