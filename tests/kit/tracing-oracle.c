/*
 * tracing-oracle.c -- the tracing layer's text and statistics, printed in the
 * format of shared/oracles/format_oracle.py, so that the two can be diffed.
 *
 *     tracing-oracle CASEFILE        (see format_oracle.py --help for the syntax)
 *
 * Prints the same lines as the oracle, without its first "python X.Y.Z" line.
 * Snapshots are built with trace_snapshot_add in the order of the case file;
 * `limit` is informative in the oracle and ignored here.
 */
#include "memlab/tracing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SNAPS  64
#define MAX_TOKENS 80

static struct {
    char name[64];
    trace_snapshot *snap;
} snaps[MAX_SNAPS];
static int nsnaps;

static trace_snapshot *snapshot_named(const char *name)
{
    for (int i = 0; i < nsnaps; i++)
        if (strcmp(snaps[i].name, name) == 0)
            return snaps[i].snap;
    if (nsnaps == MAX_SNAPS) {
        fprintf(stderr, "too many snapshots\n");
        exit(2);
    }
    snprintf(snaps[nsnaps].name, sizeof snaps[nsnaps].name, "%s", name);
    snaps[nsnaps].snap = trace_snapshot_new(1);
    return snaps[nsnaps++].snap;
}

/* A one-frame traceback on the stack (for `stat` and `diff`). */
typedef struct one_frame {
    trace_traceback tb;
    trace_frame frame;
} one_frame;

static const trace_traceback *one_frame_tb(one_frame *m, const char *file, const char *line)
{
    m->tb.nframe = m->tb.total_nframe = 1;
    m->tb.frames[0] = (trace_frame){file, (unsigned)strtoul(line, NULL, 10)};
    return &m->tb;
}

static void parse_frame(char *tok, trace_frame *out)
{
    char *colon = strrchr(tok, ':');
    if (!colon) {
        fprintf(stderr, "bad frame %s\n", tok);
        exit(2);
    }
    *colon = '\0';
    *out = (trace_frame){tok, (unsigned)strtoul(colon + 1, NULL, 10)};
}

static void print_stats(trace_stats *st)
{
    char line[1024];
    for (size_t i = 0; i < st->len; i++) {
        trace_format_statistic(line, sizeof line, &st->items[i]);
        printf("  %s\n", line);
    }
}

static void run_line(char **a, int n)
{
    char x[256], y[256], line[1024];
    one_frame m;
    if (strcmp(a[0], "size") == 0) {
        double v = strtod(a[1], NULL);
        trace_format_size(x, sizeof x, v, 0);
        trace_format_size(y, sizeof y, v, 1);
        printf("size %s | %s | %s\n", a[1], x, y);
    } else if (strcmp(a[0], "stat") == 0) {
        trace_statistic st = {one_frame_tb(&m, a[1], a[2]), strtoull(a[3], NULL, 10),
                              strtoull(a[4], NULL, 10)};
        trace_format_statistic(line, sizeof line, &st);
        printf("stat | %s\n", line);
    } else if (strcmp(a[0], "diff") == 0) {
        trace_statistic_diff d = {one_frame_tb(&m, a[1], a[2]), strtoull(a[3], NULL, 10),
                                  strtoll(a[4], NULL, 10), strtoull(a[5], NULL, 10),
                                  strtoll(a[6], NULL, 10)};
        trace_format_statistic_diff(line, sizeof line, &d);
        printf("diff | %s\n", line);
    } else if (strcmp(a[0], "trace") == 0) {
        trace_frame frames[MAX_TOKENS];
        for (int i = 4; i < n; i++)
            parse_frame(a[i], &frames[i - 4]);
        if (trace_snapshot_add(snapshot_named(a[1]), (unsigned)strtoul(a[2], NULL, 10),
                               strtoull(a[3], NULL, 10), frames, (size_t)(n - 4),
                               (size_t)(n - 4)) < 0) {
            fprintf(stderr, "trace: %s\n", trace_error_message());
            exit(2);
        }
    } else if (strcmp(a[0], "limit") == 0) {
        (void)snapshot_named(a[1]);
    } else if (strcmp(a[0], "stats") == 0) {
        trace_stats *st = trace_snapshot_statistics(snapshot_named(a[1]), a[2], atoi(a[3]));
        if (!st) {
            fprintf(stderr, "stats: %s\n", trace_error_message());
            exit(2);
        }
        printf("stats %s %s %s n=%zu\n", a[1], a[2], a[3], st->len);
        print_stats(st);
        trace_stats_free(st);
    } else if (strcmp(a[0], "compare") == 0) {
        trace_diffs *d =
            trace_snapshot_compare_to(snapshot_named(a[1]), snapshot_named(a[2]), a[3], atoi(a[4]));
        if (!d) {
            fprintf(stderr, "compare: %s\n", trace_error_message());
            exit(2);
        }
        printf("compare %s %s %s %s n=%zu\n", a[1], a[2], a[3], a[4], d->len);
        for (size_t i = 0; i < d->len; i++) {
            trace_format_statistic_diff(line, sizeof line, &d->items[i]);
            printf("  %s\n", line);
        }
        trace_diffs_free(d);
    } else if (strcmp(a[0], "tb") == 0) {
        trace_trace t;
        if (trace_snapshot_get(snapshot_named(a[1]), strtoul(a[2], NULL, 10), &t) < 0) {
            fprintf(stderr, "tb: %s\n", trace_error_message());
            exit(2);
        }
        int32_t limit = strcmp(a[3], "None") == 0 ? TRACE_NO_LIMIT : (int32_t)atoi(a[3]);
        static char text[1 << 16];
        trace_format_traceback(text, sizeof text, t.traceback, limit, atoi(a[4]));
        int lines = 0;
        for (const char *p = text; *p; p++)
            lines += *p == '\n';
        trace_format_traceback_str(x, sizeof x, t.traceback);
        printf("tb %s %s limit=%s most_recent_first=%s str=%s n=%d\n", a[1], a[2], a[3], a[4], x,
               lines);
        for (char *p = text, *nl; (nl = strchr(p, '\n')); p = nl + 1) {
            *nl = '\0';
            printf("  %s\n", p);
        }
    } else {
        fprintf(stderr, "unknown command %s\n", a[0]);
        exit(2);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CASEFILE\n", argv[0]);
        return 2;
    }
    FILE *fp = strcmp(argv[1], "-") == 0 ? stdin : fopen(argv[1], "r");
    if (!fp) {
        perror(argv[1]);
        return 2;
    }
    char buf[8192];
    while (fgets(buf, sizeof buf, fp)) {
        char *hash = strchr(buf, '#');
        if (hash)
            *hash = '\0';
        char *tok[MAX_TOKENS];
        int n = 0;
        for (char *t = strtok(buf, " \t\r\n"); t && n < MAX_TOKENS; t = strtok(NULL, " \t\r\n"))
            tok[n++] = t;
        if (n)
            run_line(tok, n);
    }
    if (fp != stdin)
        fclose(fp);
    for (int i = 0; i < nsnaps; i++)
        trace_snapshot_free(snaps[i].snap);
    return 0;
}
