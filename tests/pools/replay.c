/*
 * replay.c -- the trace replay driver (contracts in replay.h).
 *
 * Checked replay keeps, per live block id, its address and requested size;
 * the live blocks are also kept in an ordered tree (tsearch) keyed by address
 * range, in which "equal" means "overlapping": inserting a block that
 * overlaps a live one finds that one instead.  With REPLAY_OVERLAP_OUTSIDE
 * there is no tree: the caller checks overlap itself.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "replay.h"

#include <errno.h>
#include <search.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ parsing */

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* The n numbers of an operation line after its kind: each unsigned decimal,
 * after at least one space; trailing blanks (a CR too) allowed, nothing else.
 * 1 when all n are there and fit.  By hand with strtoull rather than sscanf:
 * sscanf takes a sign ("-1" reads as a huge size) and trailing words, and
 * costs three times as much, which the checked replay under callgrind (the
 * grader's performance stage) pays on every line of every trace. */
static int read_numbers(const char *s, unsigned long long *v, int n)
{
    for (int k = 0; k < n; k++) {
        if (*s != ' ')
            return 0;
        while (*s == ' ')
            s++;
        if (*s < '0' || *s > '9')
            return 0;
        char *end;
        errno = 0;
        v[k] = strtoull(s, &end, 10);
        if (errno == ERANGE)
            return 0;
        s = end;
    }
    s += strspn(s, " \t\r");
    return *s == '\0';
}

int trace_parse(const char *text, trace *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    size_t cap = 1024, line = 0;
    out->ops = malloc(cap * sizeof *out->ops);
    if (!out->ops)
        return fail(err, errlen, "out of memory");
    for (const char *p = text; *p; line++) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char buf[128];
        if (len >= sizeof buf) {
            trace_free(out);
            return fail(err, errlen, "line %zu too long", line + 1);
        }
        memcpy(buf, p, len);
        buf[len] = '\0';
        p += len + (end != NULL);
        if (buf[0] == '#') {
            if (sscanf(buf, "# memlabs-trace %63s", out->name) != 1)
                continue;
            continue;
        }
        if (buf[0] == '\0')
            continue;
        if (out->nops == cap) {
            cap *= 2;
            trace_op *ops = realloc(out->ops, cap * sizeof *ops);
            if (!ops) {
                trace_free(out);
                return fail(err, errlen, "out of memory");
            }
            out->ops = ops;
        }
        trace_op op = {.kind = buf[0]};
        unsigned long long v[3] = {0, 0, 0};
        int ok = 0;
        switch (buf[0]) {
        case 'm':
            ok = read_numbers(buf + 1, v, 2);
            op.size = v[1];
            break;
        case 'c':
            ok = read_numbers(buf + 1, v, 3);
            op.size = v[1];
            op.elsize = v[2];
            break;
        case 'r':
            ok = read_numbers(buf + 1, v, 3);
            op.newid = (uint32_t)v[1];
            op.size = v[2];
            break;
        case 'f': ok = read_numbers(buf + 1, v, 1); break;
        }
        if (!ok || v[0] > UINT32_MAX || ((buf[0] == 'c' || buf[0] == 'r') && v[1] > UINT32_MAX)) {
            trace_free(out);
            return fail(err, errlen, "line %zu: cannot read \"%s\"", line + 1, buf);
        }
        op.id = (uint32_t)v[0];
        uint32_t born = op.kind == 'r' ? op.newid : op.kind == 'f' ? 0 : op.id;
        if ((op.kind == 'm' || op.kind == 'c' || op.kind == 'r') && born == 0) {
            trace_free(out);
            return fail(err, errlen, "line %zu: a new block needs an id > 0", line + 1);
        }
        if (born > out->nids)
            out->nids = born;
        out->ops[out->nops++] = op;
    }
    return 0;
}

int trace_load(const char *path, trace *out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(err, errlen, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)n + 1);
    if (!text || fread(text, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(text);
        return fail(err, errlen, "cannot read %s", path);
    }
    fclose(f);
    text[n] = '\0';
    int rc = trace_parse(text, out, err, errlen);
    free(text);
    return rc;
}

void trace_free(trace *t)
{
    free(t->ops);
    memset(t, 0, sizeof *t);
}

/* ------------------------------------------------------------ fast replay */

void replay_fast(const trace *t, const replay_allocator *a, void **slots)
{
    for (size_t i = 0; i < t->nops; i++) {
        const trace_op *op = &t->ops[i];
        switch (op->kind) {
        case 'm': slots[op->id] = a->malloc(op->size); break;
        case 'c': slots[op->id] = a->calloc(op->size, op->elsize); break;
        case 'r': slots[op->newid] = a->realloc(op->id ? slots[op->id] : NULL, op->size); break;
        case 'f':
            a->free(slots[op->id]);
            slots[op->id] = NULL;
            break;
        }
    }
}

/* ------------------------------------------------------------ checked replay */

typedef struct live_block {
    unsigned char *p;
    size_t size;
    uint32_t id;
} live_block;

typedef struct checker {
    const trace *t;
    const replay_allocator *a;
    live_block *blocks; /* by id */
    void *tree;         /* live_block pointers ordered by address */
    int ordered;        /* the tree is kept (no REPLAY_OVERLAP_OUTSIDE) */
    size_t live_requested, live_system, peak_requested, peak_system;
    replay_result *r;
} checker;

static int compare_ranges(const void *x, const void *y)
{
    const live_block *a = x, *b = y;
    size_t asz = a->size ? a->size : 1, bsz = b->size ? b->size : 1;
    if (a->p + asz <= b->p)
        return -1;
    if (b->p + bsz <= a->p)
        return 1;
    return 0; /* overlapping */
}

/* Put b in the tree: b itself, or the live block it overlaps, or NULL when
 * the tree cannot grow.  Without a tree, b. */
static live_block *tree_insert(checker *c, live_block *b)
{
    if (!c->ordered)
        return b;
    live_block **found = tsearch(b, &c->tree, compare_ranges);
    return found ? *found : NULL;
}

static void tree_remove(checker *c, live_block *b)
{
    if (c->ordered)
        tdelete(b, &c->tree, compare_ranges);
}

static unsigned char pattern(uint32_t id, size_t i)
{
    return (unsigned char)(id * 131u + i * 7u + 1u);
}

static int error(checker *c, size_t op, const char *fmt, ...)
{
    int n = snprintf(c->r->error, sizeof c->r->error, "%s: operation %zu: ", c->t->name, op + 1);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->r->error + n, sizeof c->r->error - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static int is_system(const checker *c, const void *p) { return c->a->is_own && !c->a->is_own(p); }

static void account(checker *c)
{
    size_t system = c->live_system + (c->a->arena_bytes ? c->a->arena_bytes() : 0);
    if (c->live_requested > c->peak_requested)
        c->peak_requested = c->live_requested;
    if (system > c->peak_system)
        c->peak_system = system;
}

/* A new live block: alignment, no overlap, fill with its pattern. */
static int adopt(checker *c, size_t op, uint32_t id, void *p, size_t size, size_t keep)
{
    if (p == NULL)
        return error(c, op, "block %u of %zu bytes: the allocator returned NULL", id, size);
    if ((uintptr_t)p % 16 != 0)
        return error(c, op, "block %u at %p is not 16-byte aligned", id, p);
    live_block *b = &c->blocks[id];
    *b = (live_block){p, size, id};
    live_block *o = tree_insert(c, b);
    if (o == NULL)
        return error(c, op, "out of memory in the checker");
    if (o != b) {
        b->p = NULL;
        return error(c, op, "block %u [%p, +%zu) overlaps live block %u [%p, +%zu)", id, p, size,
                     o->id, (void *)o->p, o->size);
    }
    for (size_t i = keep; i < size; i++)
        b->p[i] = pattern(id, i);
    c->live_requested += size;
    if (is_system(c, p))
        c->live_system += size;
    return 0;
}

/* Verify the pattern of the first n bytes of block `from` now at `where`. */
static int verify(checker *c, size_t op, uint32_t from, const unsigned char *where, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (where[i] != pattern(from, i))
            return error(c, op, "block %u: byte %zu was changed (0x%02x, expected 0x%02x)", from, i,
                         where[i], pattern(from, i));
    return 0;
}

/* Forget block id (its memory is about to be freed or moved). */
static void release(checker *c, uint32_t id)
{
    live_block *b = &c->blocks[id];
    tree_remove(c, b);
    c->live_requested -= b->size;
    if (is_system(c, b->p))
        c->live_system -= b->size;
    b->p = NULL;
}

/* Re-key a realloc'd block's pattern from its old id to its new id. */
static void repaint(live_block *b, uint32_t old, size_t n)
{
    (void)old;
    for (size_t i = 0; i < n; i++)
        b->p[i] = pattern(b->id, i);
}

static int step(checker *c, size_t i)
{
    const trace_op *op = &c->t->ops[i];
    live_block *blocks = c->blocks;
    switch (op->kind) {
    case 'm': return adopt(c, i, op->id, c->a->malloc(op->size), op->size, 0);
    case 'c': {
        if (op->elsize && op->size > SIZE_MAX / op->elsize)
            return error(c, i, "calloc(%zu, %zu) overflows", op->size, op->elsize);
        size_t n = op->size * op->elsize;
        unsigned char *p = c->a->calloc(op->size, op->elsize);
        for (size_t k = 0; p && k < n; k++)
            if (p[k] != 0)
                return error(c, i, "calloc'd block %u: byte %zu is not zero", op->id, k);
        return adopt(c, i, op->id, p, n, 0);
    }
    case 'r': {
        if (op->id == 0)
            return adopt(c, i, op->newid, c->a->realloc(NULL, op->size), op->size, 0);
        live_block old = blocks[op->id];
        if (old.p == NULL)
            return error(c, i, "realloc of block %u, which is not live", op->id);
        if (verify(c, i, op->id, old.p, old.size) < 0)
            return -1;
        release(c, op->id);
        unsigned char *p = c->a->realloc(old.p, op->size);
        if (p == NULL) {
            blocks[op->id] = old; /* still live: let the final sweep free it */
            tree_insert(c, &blocks[op->id]);
            return error(c, i, "realloc of block %u to %zu bytes returned NULL", op->id, op->size);
        }
        size_t kept = old.size < op->size ? old.size : op->size;
        if (verify(c, i, op->id, p, kept) < 0) {
            blocks[op->newid] = (live_block){p, op->size, op->newid};
            tree_insert(c, &blocks[op->newid]);
            return -1;
        }
        if (adopt(c, i, op->newid, p, op->size, kept) < 0)
            return -1;
        repaint(&blocks[op->newid], op->id, kept);
        return 0;
    }
    case 'f': {
        live_block b = blocks[op->id];
        if (b.p == NULL)
            return error(c, i, "free of block %u, which is not live", op->id);
        if (verify(c, i, op->id, b.p, b.size) < 0)
            return -1;
        release(c, op->id);
        c->a->free(b.p);
        return 0;
    }
    }
    return error(c, i, "unknown operation '%c'", op->kind);
}

static void free_tree_node(void *node) { (void)node; }

int replay_checked(const trace *t, const replay_allocator *a, size_t check_every, unsigned flags,
                   replay_result *result)
{
    memset(result, 0, sizeof *result);
    checker c = {.t = t, .a = a, .r = result, .ordered = !(flags & REPLAY_OVERLAP_OUTSIDE)};
    c.blocks = calloc(t->nids + 1, sizeof *c.blocks);
    if (c.blocks == NULL)
        return error(&c, 0, "out of memory in the checker");
    int rc = 0;
    for (size_t i = 0; i < t->nops && rc == 0; i++) {
        rc = step(&c, i);
        account(&c);
        result->ops = i + 1;
        if (rc == 0 && a->check && check_every && (i + 1) % check_every == 0 && a->check() != 0)
            rc = error(&c, i, "the heap checker failed");
    }
    if (rc == 0 && a->check && a->check() != 0)
        rc = error(&c, t->nops ? t->nops - 1 : 0, "the heap checker failed at the end");
    for (size_t id = 0; id <= t->nids; id++) /* blocks left live (after an error) */
        if (c.blocks[id].p != NULL)
            a->free(c.blocks[id].p);
    tdestroy(c.tree, free_tree_node);
    free(c.blocks);
    result->peak_requested = c.peak_requested;
    result->peak_system = c.peak_system;
    result->utilization = c.peak_system ? (double)c.peak_requested / (double)c.peak_system : 1.0;
    return rc;
}
