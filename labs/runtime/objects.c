/*
 * objects.c -- the given objects (None, True, False, int, str) and the
 * generic operations on any object: hash, equality, repr, iteration.
 * Contracts in memlab/object.h ([runtime] part).
 *
 * Immortal statics (PEP 683, as CPython 3.12 has them): None, True, False
 * and the small ints -5..256 are static objects whose refcount is
 * ML_IMMORTAL_REFCNT.  obj_incref / obj_decref leave them alone, so their
 * dealloc can only run if the refcount lab gets immortality wrong; it is a
 * fatal error that says so.
 *
 *     small_ints[]:  [-5] [-4] ... [0] [1] ... [256]      index = value + 5
 *
 * Other ints and every str are ordinary heap objects made by obj_new /
 * obj_new_var, so they count in the total refcount like any object.
 *
 * The generic operations know the three core containers (list, tuple, dict
 * of the refcount lab) by their public layout, so that repr, hash and
 * iteration never depend on more of the lab than the header's structs.
 */
#include "memlab/errors.h"
#include "memlab/object.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* ==================================================================== None, True, False */

static void immortal_dealloc(ml_object *op)
{
    (void)op;
    ml_fatal("deallocating an immortal object (None, True, False or a small int): "
             "its refcount must never change");
}

static uint64_t identity_hash(ml_object *op) { return (uint64_t)(uintptr_t)op >> 4; }

static int none_repr(ml_object *op, char *buf, size_t size)
{
    (void)op;
    return snprintf(buf, size, "None");
}

static int bool_repr(ml_object *op, char *buf, size_t size)
{
    return snprintf(buf, size, "%s", op == ML_TRUE ? "True" : "False");
}

static uint64_t bool_hash(ml_object *op) { return op == ML_TRUE ? 1 : 0; }

ml_type ml_none_type = {
    .tp_name = "NoneType",
    .tp_basicsize = sizeof(ml_object),
    .tp_dealloc = immortal_dealloc,
    .tp_hash = identity_hash,
    .tp_repr = none_repr,
};

ml_type ml_bool_type = {
    .tp_name = "bool",
    .tp_basicsize = sizeof(ml_object),
    .tp_dealloc = immortal_dealloc,
    .tp_hash = bool_hash,
    .tp_repr = bool_repr,
};

ml_object ml_none_struct = {ML_IMMORTAL_REFCNT, &ml_none_type};
ml_object ml_true_struct = {ML_IMMORTAL_REFCNT, &ml_bool_type};
ml_object ml_false_struct = {ML_IMMORTAL_REFCNT, &ml_bool_type};

/* ==================================================================== int */

static void int_dealloc(ml_object *op) { ML_TYPE(op)->tp_free(op); }

/* Python's hash of an int that fits a machine word: the value, except that
 * -1 (the C API's error value) hashes as -2. */
static uint64_t int_hash(ml_object *op)
{
    long v = ((ml_int *)op)->value;
    return (uint64_t)(v == -1 ? -2 : v);
}

static int int_repr(ml_object *op, char *buf, size_t size)
{
    return snprintf(buf, size, "%ld", ((ml_int *)op)->value);
}

ml_type ml_int_type = {
    .tp_name = "int",
    .tp_basicsize = sizeof(ml_int),
    .tp_dealloc = int_dealloc,
    .tp_free = obj_free,
    .tp_hash = int_hash,
    .tp_repr = int_repr,
};

#define SMALL_INT(v)                                                                               \
    {                                                                                              \
        {ML_IMMORTAL_REFCNT, &ml_int_type}, (v)                                                    \
    }
#define SMALL_INTS_8(v)                                                                            \
    SMALL_INT(v), SMALL_INT(v + 1), SMALL_INT(v + 2), SMALL_INT(v + 3), SMALL_INT(v + 4),          \
        SMALL_INT(v + 5), SMALL_INT(v + 6), SMALL_INT(v + 7)
#define SMALL_INTS_64(v)                                                                           \
    SMALL_INTS_8(v), SMALL_INTS_8(v + 8), SMALL_INTS_8(v + 16), SMALL_INTS_8(v + 24),              \
        SMALL_INTS_8(v + 32), SMALL_INTS_8(v + 40), SMALL_INTS_8(v + 48), SMALL_INTS_8(v + 56)

/* -5..256: 262 values = 5 + 256 + 1. */
static ml_int small_ints[ML_SMALL_INT_MAX - ML_SMALL_INT_MIN + 1] = {
    SMALL_INT(-5),    SMALL_INT(-4),     SMALL_INT(-3),      SMALL_INT(-2),      SMALL_INT(-1),
    SMALL_INTS_64(0), SMALL_INTS_64(64), SMALL_INTS_64(128), SMALL_INTS_64(192), SMALL_INT(256),
};

ml_object *int_from_long(long v)
{
    if (v >= ML_SMALL_INT_MIN && v <= ML_SMALL_INT_MAX)
        return (ml_object *)&small_ints[v - ML_SMALL_INT_MIN]; /* immortal: no incref needed */
    ml_int *op = (ml_int *)obj_new(&ml_int_type);
    if (op == NULL)
        return NULL;
    op->value = v;
    return (ml_object *)op;
}

int int_check(const ml_object *op) { return op != NULL && ML_TYPE(op) == &ml_int_type; }

long int_as_long(ml_object *op)
{
    if (int_check(op))
        return ((ml_int *)op)->value;
    if (op != NULL && ML_TYPE(op) == &ml_bool_type)
        return op == ML_TRUE;
    err_set_fmt(ML_EXC_TYPE_ERROR, "'%s' object cannot be interpreted as an integer",
                op != NULL ? ML_TYPE(op)->tp_name : "NULL");
    return -1;
}

/* ==================================================================== str */

static void str_dealloc(ml_object *op) { ML_TYPE(op)->tp_free(op); }

static uint64_t str_hash(ml_object *op) { return ((ml_str *)op)->hash; }

static int str_equal(ml_object *a, ml_object *b)
{
    return ML_SIZE(a) == ML_SIZE(b) &&
           memcmp(((ml_str *)a)->data, ((ml_str *)b)->data, (size_t)ML_SIZE(a)) == 0;
}

static int str_repr(ml_object *op, char *buf, size_t size);

ml_type ml_str_type = {
    .tp_name = "str",
    .tp_basicsize = offsetof(ml_str, data),
    .tp_itemsize = 1,
    .tp_dealloc = str_dealloc,
    .tp_free = obj_free,
    .tp_hash = str_hash,
    .tp_equal = str_equal,
    .tp_repr = str_repr,
};

/* FNV-1a: deterministic (Python randomizes str hashes; tests prefer not). */
static uint64_t bytes_hash(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h == (uint64_t)-1 ? (uint64_t)-2 : h;
}

ml_object *str_from_cstr(const char *s)
{
    size_t n = strlen(s);
    ml_str *op = (ml_str *)obj_new_var(&ml_str_type, (ml_ssize_t)n + 1);
    if (op == NULL)
        return NULL;
    ML_SIZE(op) = (ml_ssize_t)n;
    memcpy(op->data, s, n + 1);
    op->hash = bytes_hash(s, n);
    return (ml_object *)op;
}

int str_check(const ml_object *op) { return op != NULL && ML_TYPE(op) == &ml_str_type; }

const char *str_as_cstr(ml_object *op)
{
    if (!str_check(op)) {
        err_set(ML_EXC_TYPE_ERROR, "bad argument type for built-in operation");
        return NULL;
    }
    return ((ml_str *)op)->data;
}

/* ==================================================================== repr */

/* A bounded writer with snprintf's contract: it keeps writing what fits,
 * NUL-terminated, and counts the length the whole text needs. */
typedef struct text_out {
    char *buf;
    size_t size;
    size_t len; /* length needed so far */
} text_out;

static void put_bytes(text_out *out, const char *s, size_t n)
{
    if (out->size > 0 && out->len < out->size - 1) {
        size_t room = out->size - 1 - out->len;
        memcpy(out->buf + out->len, s, n < room ? n : room);
        out->buf[out->len + (n < room ? n : room)] = '\0';
    }
    out->len += n;
}

static void put(text_out *out, const char *s) { put_bytes(out, s, strlen(s)); }

/* Python's str repr: single quotes unless the text has ' and no ". */
static void put_str_repr(text_out *out, const char *s, size_t n)
{
    char quote = (memchr(s, '\'', n) && !memchr(s, '"', n)) ? '"' : '\'';
    put_bytes(out, &quote, 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[5];
        if (c == (unsigned char)quote || c == '\\') {
            esc[0] = '\\', esc[1] = (char)c, esc[2] = '\0';
        } else if (c == '\n' || c == '\r' || c == '\t') {
            esc[0] = '\\', esc[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't', esc[2] = '\0';
        } else if (c < 0x20 || c == 0x7f) {
            snprintf(esc, sizeof esc, "\\x%02x", c);
        } else {
            esc[0] = (char)c, esc[1] = '\0';
        }
        put(out, esc);
    }
    put_bytes(out, &quote, 1);
}

static int str_repr(ml_object *op, char *buf, size_t size)
{
    text_out out = {buf, size, 0};
    if (size > 0)
        buf[0] = '\0';
    put_str_repr(&out, ((ml_str *)op)->data, (size_t)ML_SIZE(op));
    return (int)out.len;
}

/* Containers being printed, innermost last: a container that contains
 * itself prints as [...] (Py_ReprEnter); a deeper nesting than we track
 * prints as ... */
#define REPR_MAX_DEPTH 64
static ml_object *repr_stack[REPR_MAX_DEPTH];
static int repr_depth;

static void put_repr(text_out *out, ml_object *op);

static int repr_enter(ml_object *op)
{
    for (int i = 0; i < repr_depth; i++)
        if (repr_stack[i] == op)
            return 1;
    if (repr_depth == REPR_MAX_DEPTH)
        return 1;
    repr_stack[repr_depth++] = op;
    return 0;
}

static void put_sequence(text_out *out, ml_object *op, ml_object *const *items, ml_ssize_t n,
                         const char *open, const char *close)
{
    if (repr_enter(op)) {
        put(out, open), put(out, "..."), put(out, close);
        return;
    }
    put(out, open);
    for (ml_ssize_t i = 0; i < n; i++) {
        if (i > 0)
            put(out, ", ");
        put_repr(out, items[i]);
    }
    if (n == 1 && ML_TYPE(op) == &ml_tuple_type)
        put(out, ",");
    put(out, close);
    repr_depth--;
}

static void put_dict(text_out *out, ml_dict *d)
{
    if (repr_enter((ml_object *)d)) {
        put(out, "{...}");
        return;
    }
    put(out, "{");
    int first = 1;
    for (ml_ssize_t i = 0; i < d->nentries; i++) {
        if (d->entries[i].key == NULL)
            continue;
        if (!first)
            put(out, ", ");
        first = 0;
        put_repr(out, d->entries[i].key);
        put(out, ": ");
        put_repr(out, d->entries[i].value);
    }
    put(out, "}");
    repr_depth--;
}

static void put_repr(text_out *out, ml_object *op)
{
    char small[128];
    if (op == NULL) {
        put(out, "<NULL>");
    } else if (ML_TYPE(op) == &ml_list_type) {
        put_sequence(out, op, ((ml_list *)op)->ob_item, ML_SIZE(op), "[", "]");
    } else if (ML_TYPE(op) == &ml_tuple_type) {
        put_sequence(out, op, ((ml_tuple *)op)->ob_item, ML_SIZE(op), "(", ")");
    } else if (ML_TYPE(op) == &ml_dict_type) {
        put_dict(out, (ml_dict *)op);
    } else if (ML_TYPE(op) == &ml_str_type) {
        put_str_repr(out, ((ml_str *)op)->data, (size_t)ML_SIZE(op));
    } else if (ML_TYPE(op)->tp_repr != NULL) {
        /* Ask for the length first, then render into a buffer that fits. */
        int need = ML_TYPE(op)->tp_repr(op, small, sizeof small);
        if (need < 0) {
            put(out, "<?>");
        } else if ((size_t)need < sizeof small) {
            put_bytes(out, small, (size_t)need);
        } else {
            char big[4096];
            ML_TYPE(op)->tp_repr(op, big, sizeof big);
            put(out, big);
        }
    } else {
        snprintf(small, sizeof small, "<%s object at %p>", ML_TYPE(op)->tp_name, (void *)op);
        put(out, small);
    }
}

int obj_repr(ml_object *op, char *buf, size_t size)
{
    text_out out = {buf, size, 0};
    if (size > 0)
        buf[0] = '\0';
    put_repr(&out, op);
    return (int)out.len;
}

/* ==================================================================== hash */

/* CPython 3.11's tuple hash (an xxHash-style mix of the items' hashes). */
#define XXPRIME_1   11400714785074694791ULL
#define XXPRIME_2   14029467366897019727ULL
#define XXPRIME_5   2870177450012600261ULL
#define XXROTATE(x) (((x) << 31) | ((x) >> 33))

static uint64_t tuple_hash(ml_object *op)
{
    uint64_t acc = XXPRIME_5;
    for (ml_ssize_t i = 0; i < ML_SIZE(op); i++) {
        uint64_t lane = obj_hash(TUPLE_GET_ITEM(op, i));
        if (err_occurred())
            return 0;
        acc += lane * XXPRIME_2;
        acc = XXROTATE(acc);
        acc *= XXPRIME_1;
    }
    acc += (uint64_t)ML_SIZE(op) ^ (XXPRIME_5 ^ 3527539ULL);
    return acc == (uint64_t)-1 ? 1546275796ULL : acc;
}

uint64_t obj_hash(ml_object *op)
{
    if (ML_TYPE(op) == &ml_tuple_type)
        return tuple_hash(op);
    if (ML_TYPE(op)->tp_hash == NULL) {
        err_set_fmt(ML_EXC_TYPE_ERROR, "unhashable type: '%s'", ML_TYPE(op)->tp_name);
        return 0;
    }
    return ML_TYPE(op)->tp_hash(op);
}

/* ==================================================================== equality */

/* int and bool compare by value, as True == 1 in Python. */
static int as_number(ml_object *op, long *out)
{
    if (ML_TYPE(op) == &ml_int_type)
        return *out = ((ml_int *)op)->value, 1;
    if (ML_TYPE(op) == &ml_bool_type)
        return *out = (op == ML_TRUE), 1;
    return 0;
}

static int items_equal(ml_object *const *a, ml_object *const *b, ml_ssize_t n)
{
    for (ml_ssize_t i = 0; i < n; i++) {
        int eq = obj_equal(a[i], b[i]);
        if (eq != 1)
            return eq;
    }
    return 1;
}

static int dicts_equal(ml_dict *a, ml_dict *b)
{
    if (a->used != b->used)
        return 0;
    for (ml_ssize_t i = 0; i < a->nentries; i++) {
        if (a->entries[i].key == NULL)
            continue;
        ml_object *other = dict_getitem_witherror((ml_object *)b, a->entries[i].key);
        if (other == NULL)
            return err_occurred() ? -1 : 0;
        int eq = obj_equal(a->entries[i].value, other);
        if (eq != 1)
            return eq;
    }
    return 1;
}

int obj_equal(ml_object *a, ml_object *b)
{
    long x, y;
    if (a == b)
        return 1;
    if (as_number(a, &x) && as_number(b, &y))
        return x == y;
    if (ML_TYPE(a) != ML_TYPE(b))
        return 0;
    ml_type *type = ML_TYPE(a);
    if (type == &ml_list_type || type == &ml_tuple_type) {
        if (ML_SIZE(a) != ML_SIZE(b))
            return 0;
        if (type == &ml_list_type)
            return items_equal(((ml_list *)a)->ob_item, ((ml_list *)b)->ob_item, ML_SIZE(a));
        return items_equal(((ml_tuple *)a)->ob_item, ((ml_tuple *)b)->ob_item, ML_SIZE(a));
    }
    if (type == &ml_dict_type)
        return dicts_equal((ml_dict *)a, (ml_dict *)b);
    return type->tp_equal != NULL ? type->tp_equal(a, b) : 0;
}

/* ==================================================================== iteration */

/* An iterator over a list, a tuple or a dict's keys.  It owns a reference
 * to the container until it is exhausted (seq == NULL from then on).
 * Iterators are not GC objects: a cycle through one is not collected. */
typedef struct seq_iterator {
    ml_object ob_base;
    ml_object *seq;
    ml_ssize_t index;
    ml_ssize_t dict_used; /* the dict's size when iteration began */
} seq_iterator;

static void iterator_dealloc(ml_object *op)
{
    OBJ_CLEAR(((seq_iterator *)op)->seq);
    ML_TYPE(op)->tp_free(op);
}

static ml_object *iterator_self(ml_object *op)
{
    obj_incref(op);
    return op;
}

static ml_object *iterator_exhausted(seq_iterator *it)
{
    OBJ_CLEAR(it->seq);
    return NULL;
}

static ml_object *yield_item(seq_iterator *it, ml_object *item)
{
    it->index++;
    obj_incref(item);
    return item;
}

static ml_object *list_iternext(ml_object *op)
{
    seq_iterator *it = (seq_iterator *)op;
    if (it->seq == NULL)
        return NULL;
    if (it->index >= ML_SIZE(it->seq))
        return iterator_exhausted(it);
    return yield_item(it, LIST_GET_ITEM(it->seq, it->index));
}

static ml_object *tuple_iternext(ml_object *op)
{
    seq_iterator *it = (seq_iterator *)op;
    if (it->seq == NULL)
        return NULL;
    if (it->index >= ML_SIZE(it->seq))
        return iterator_exhausted(it);
    return yield_item(it, TUPLE_GET_ITEM(it->seq, it->index));
}

static ml_object *dict_keys_iternext(ml_object *op)
{
    seq_iterator *it = (seq_iterator *)op;
    if (it->seq == NULL)
        return NULL;
    ml_dict *d = (ml_dict *)it->seq;
    if (d->used != it->dict_used) {
        it->dict_used = -1; /* stays broken, as in CPython */
        err_set(ML_EXC_RUNTIME_ERROR, "dictionary changed size during iteration");
        return NULL;
    }
    while (it->index < d->nentries && d->entries[it->index].key == NULL)
        it->index++;
    if (it->index >= d->nentries)
        return iterator_exhausted(it);
    return yield_item(it, d->entries[it->index].key);
}

#define ITERATOR_TYPE(name, next)                                                                  \
    {                                                                                              \
        .tp_name = name, .tp_basicsize = sizeof(seq_iterator), .tp_dealloc = iterator_dealloc,     \
        .tp_free = obj_free, .tp_iter = iterator_self, .tp_iternext = next,                        \
    }

static ml_type list_iterator_type = ITERATOR_TYPE("list_iterator", list_iternext);
static ml_type tuple_iterator_type = ITERATOR_TYPE("tuple_iterator", tuple_iternext);
static ml_type dict_keyiterator_type = ITERATOR_TYPE("dict_keyiterator", dict_keys_iternext);

static ml_object *seq_iterator_new(ml_type *type, ml_object *seq)
{
    seq_iterator *it = (seq_iterator *)obj_new(type);
    if (it == NULL)
        return NULL;
    obj_incref(seq);
    it->seq = seq;
    it->index = 0;
    it->dict_used = type == &dict_keyiterator_type ? ((ml_dict *)seq)->used : 0;
    return (ml_object *)it;
}

ml_object *obj_iter(ml_object *op)
{
    ml_type *type = ML_TYPE(op);
    if (type->tp_iter != NULL)
        return type->tp_iter(op);
    if (type == &ml_list_type)
        return seq_iterator_new(&list_iterator_type, op);
    if (type == &ml_tuple_type)
        return seq_iterator_new(&tuple_iterator_type, op);
    if (type == &ml_dict_type)
        return seq_iterator_new(&dict_keyiterator_type, op);
    err_set_fmt(ML_EXC_TYPE_ERROR, "'%s' object is not iterable", type->tp_name);
    return NULL;
}

ml_object *obj_iternext(ml_object *it)
{
    if (ML_TYPE(it)->tp_iternext == NULL) {
        err_set_fmt(ML_EXC_TYPE_ERROR, "'%s' object is not an iterator", ML_TYPE(it)->tp_name);
        return NULL;
    }
    return ML_TYPE(it)->tp_iternext(it);
}
