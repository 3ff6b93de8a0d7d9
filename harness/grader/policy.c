/*
 * policy.c -- harness/policy.json: how much a memory error or a leak costs,
 * how long a test may run, the sandbox's limits, and which C library
 * functions a lab file may call.  docs/grading-policy.md explains each key.
 * A key that is absent keeps the default written here.  A lab may override
 * "timeouts" and "limits" keys in its lab.json (policy_lab_overrides).
 */
#include "results.h"
#include "util.h"

#include <jansson.h>
#include <stdio.h>

static double num(json_t *obj, const char *section, const char *key, double dflt)
{
    json_t *v = json_object_get(json_object_get(obj, section), key);
    return json_is_number(v) ? json_number_value(v) : dflt;
}

static char **names(json_t *obj, const char *key)
{
    char **out = list_push(NULL, NULL);
    json_t *arr = json_object_get(obj, key);
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *v = json_array_get(arr, i);
        if (json_is_string(v))
            out = list_push(out, xstrdup(json_string_value(v)));
    }
    return out;
}

/* Fill *p from `path`; 0 on success, -1 (with a message) when the file is
 * unreadable or not JSON -- the grader then refuses to grade. */
int policy_load(struct policy *p, const char *path)
{
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    if (!root) {
        fprintf(stderr, "memlab-grade: cannot read the policy %s: %s (line %d)\n", path, err.text,
                err.line);
        return -1;
    }
    p->memory_factor = num(root, "deductions", "memory_error_keeps", 0.0);
    p->leak_factor = num(root, "deductions", "definite_leak_keeps", 0.5);
    p->timeout_margin = num(root, "timeouts", "margin", 4.0);
    p->timeout_floor = num(root, "timeouts", "floor_seconds", 8.0);
    p->valgrind_factor = num(root, "timeouts", "valgrind_factor", 30.0);
    p->cpu_slack = num(root, "timeouts", "cpu_slack_seconds", 2.0);
    p->as_mb = (long)num(root, "limits", "address_space_mb", 2048);
    p->fsize_mb = (long)num(root, "limits", "file_size_mb", 16);
    p->nofile = (long)num(root, "limits", "open_files", 64);
    p->nproc = (long)num(root, "limits", "processes", 32);
    p->output_kib = (long)num(root, "limits", "output_kib", 16);
    p->sandbox_uid_base = (int)num(root, "limits", "sandbox_uid_base", 61000);
    p->libc_allowed = names(root, "libc_allowed");
    p->libc_forbidden = names(root, "libc_forbidden");
    json_decref(root);
    return 0;
}

/* The lab's own "timeouts" and "limits" (tests/<lab>/lab.json), over the
 * policy's: e.g. {"limits": {"address_space_mb": 4096, "processes": 8}}. */
void policy_lab_overrides(struct policy *p, const char *lab_json)
{
    json_t *root = json_load_file(lab_json, 0, NULL);
    if (!root)
        return;
    p->timeout_margin = num(root, "timeouts", "margin", p->timeout_margin);
    p->timeout_floor = num(root, "timeouts", "floor_seconds", p->timeout_floor);
    p->valgrind_factor = num(root, "timeouts", "valgrind_factor", p->valgrind_factor);
    p->cpu_slack = num(root, "timeouts", "cpu_slack_seconds", p->cpu_slack);
    p->as_mb = (long)num(root, "limits", "address_space_mb", (double)p->as_mb);
    p->fsize_mb = (long)num(root, "limits", "file_size_mb", (double)p->fsize_mb);
    p->nofile = (long)num(root, "limits", "open_files", (double)p->nofile);
    p->nproc = (long)num(root, "limits", "processes", (double)p->nproc);
    p->output_kib = (long)num(root, "limits", "output_kib", (double)p->output_kib);
    json_decref(root);
}
