/*
 * test_refcount.c -- part 1 of the lab (refcount.c): the object header,
 * incref/decref, dealloc dispatch, getrefcount, immortal objects, the
 * total-refcount counter, negative-refcount detection, allocation.
 */
#include "refcount_test.h"

#include <stdint.h>
#include <string.h>

ML_TEST(new_object_has_refcount_one, .points = 2,
        .description = "obj_new returns a zeroed object with refcount 1 and its type set",
        .hint = "handout §2, The object header")
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    probe *p = (probe *)obj_new(&probe_type);
    ck_assert_ptr_nonnull(p);
    ck_assert_msg(ML_REFCNT(p) == 1, "a new object has exactly one owner, its creator");
    ck_assert_msg(ML_TYPE(p) == &probe_type, "obj_new must set ob_type");
    ck_assert_msg(p->id == 0, "the fields after the header must be zeroed");
    ck_assert_msg(obj_total_refcount() == total0 + 1, "the new reference counts in the total");
    ck_assert_msg(mem_block_size(p) == sizeof(probe),
                  "a non-GC object is one block of tp_basicsize bytes from MEM_DOMAIN_OBJ");
    obj_decref((ml_object *)p);
    ck_assert_int_eq(dealloc_count, 1);
    ASSERT_BALANCED(total0, blocks0);
}

ML_TEST(incref_adds_one_decref_removes_one, .points = 2,
        .description = "incref and decref move the refcount by exactly one",
        .hint = "handout §2.1, Reference counts", .parent = "new_object_has_refcount_one")
{
    ml_ssize_t total0 = obj_total_refcount();
    ml_object *a = probe_new(1);
    ck_assert_ptr_nonnull(a);
    obj_incref(a);
    ck_assert_int_eq(ML_REFCNT(a), 2);
    obj_incref(a);
    ck_assert_int_eq(ML_REFCNT(a), 3);
    obj_decref(a);
    ck_assert_int_eq(ML_REFCNT(a), 2);
    obj_decref(a);
    ck_assert_msg(ML_REFCNT(a) == 1 && dealloc_count == 0,
                  "an object with an owner left must stay alive");
    obj_decref(a);
    ck_assert_int_eq(dealloc_count, 1);
    ck_assert_int_eq(obj_total_refcount(), total0);
}

ML_TEST(decref_to_zero_runs_dealloc_once, .points = 2,
        .description = "the last decref runs the type's dealloc once, and only the last",
        .hint = "handout §2.2, Dealloc", .parent = "new_object_has_refcount_one")
{
    size_t blocks0 = live_blocks();
    ml_object *a = probe_new(7);
    ck_assert_ptr_nonnull(a);
    obj_incref(a);
    obj_decref(a);
    ck_assert_msg(dealloc_count == 0, "dealloc ran while an owner was left");
    obj_decref(a);
    ck_assert_msg(dealloc_count == 1, "the last decref must run tp_dealloc exactly once");
    ck_assert_int_eq(dealloc_log[0], 7);
    ck_assert_msg(live_blocks() == blocks0, "the dealloc must free the object");
}

ML_TEST(dealloc_dispatches_on_the_type, .points = 1,
        .description = "obj_dealloc calls ML_TYPE(op)->tp_dealloc", .hint = "handout §2.2, Dealloc",
        .parent = "new_object_has_refcount_one")
{
    ml_object *a = probe_new(3);
    ck_assert_ptr_nonnull(a);
    ML_REFCNT(a) = 0; /* as the last decref leaves it */
    obj_dealloc(a);
    ck_assert_int_eq(dealloc_count, 1);
    ck_assert_int_eq(dealloc_log[0], 3);
}

ML_TEST(xincref_and_xdecref_accept_null, .points = 1,
        .description = "the X variants do nothing with NULL and count like the others otherwise",
        .hint = "handout §2.1, Reference counts", .parent = "incref_adds_one_decref_removes_one")
{
    ml_ssize_t total0 = obj_total_refcount();
    obj_xincref(NULL);
    obj_xdecref(NULL);
    ml_object *a = probe_new(1);
    ck_assert_ptr_nonnull(a);
    obj_xincref(a);
    ck_assert_int_eq(ML_REFCNT(a), 2);
    obj_xdecref(a);
    obj_xdecref(a);
    ck_assert_int_eq(dealloc_count, 1);
    ck_assert_int_eq(obj_total_refcount(), total0);
}

ML_TEST(newref_returns_its_argument_with_one_more_reference, .points = 1,
        .description = "obj_newref increfs and returns the same object",
        .hint = "handout §2.1, Reference counts", .parent = "incref_adds_one_decref_removes_one")
{
    ml_object *a = probe_new(1);
    ck_assert_ptr_nonnull(a);
    ml_object *b = obj_newref(a);
    ck_assert_msg(b == a, "obj_newref returns its argument");
    ck_assert_int_eq(ML_REFCNT(a), 2);
    obj_decref(b);
    obj_decref(a);
    ck_assert_int_eq(dealloc_count, 1);
}

ML_TEST(getrefcount_counts_its_own_argument, .points = 2,
        .description = "obj_getrefcount is the refcount + 1, as sys.getrefcount(a) prints 2",
        .hint = "handout §3, getrefcount and its +1",
        .parent = "incref_adds_one_decref_removes_one")
{
    ml_object *a = probe_new(1);
    ck_assert_ptr_nonnull(a);
    ck_assert_msg(obj_getrefcount(a) == 2,
                  "a = object(); sys.getrefcount(a) is 2: a's reference + the argument's");
    obj_incref(a);
    ck_assert_int_eq(obj_getrefcount(a), 3);
    obj_decref(a);
    ck_assert_int_eq(ML_REFCNT(a), 1);
    obj_decref(a);
}

ML_TEST(total_refcount_counts_every_change, .points = 2,
        .description = "the total moves +1 per new object and incref, -1 per decref",
        .hint = "handout §5, The total refcount", .parent = "incref_adds_one_decref_removes_one")
{
    ml_ssize_t total0 = obj_total_refcount();
    ml_object *a = probe_new(1), *b = probe_new(2);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(obj_total_refcount(), total0 + 2);
    obj_incref(a);
    obj_incref(a);
    ck_assert_int_eq(obj_total_refcount(), total0 + 4);
    obj_decref(a);
    ck_assert_int_eq(obj_total_refcount(), total0 + 3);
    obj_decref(a);
    obj_decref(a);
    obj_decref(b);
    ck_assert_int_eq(obj_total_refcount(), total0);
    ck_assert_int_eq(dealloc_count, 2);
}

ML_TEST(none_true_false_are_immortal, .points = 2,
        .description = "None, True, False: incref/decref leave their refcount at 2^32-1",
        .hint = "handout §4, Immortal objects", .parent = "incref_adds_one_decref_removes_one")
{
    ml_object *singletons[] = {ML_NONE, ML_TRUE, ML_FALSE};
    ml_ssize_t total0 = obj_total_refcount();
    for (int i = 0; i < 3; i++) {
        ml_object *op = singletons[i];
        ck_assert_msg(obj_is_immortal(op), "None, True and False are immortal");
        for (int k = 0; k < 10; k++)
            obj_incref(op);
        for (int k = 0; k < 20; k++)
            obj_decref(op);
        ck_assert_msg(ML_REFCNT(op) == ML_IMMORTAL_REFCNT,
                      "an immortal refcount never changes (it is %td)", ML_REFCNT(op));
        ck_assert_msg(obj_getrefcount(op) == 4294967295,
                      "sys.getrefcount(None) is 4294967295 in 3.12 (no +1)");
    }
    ck_assert_msg(obj_total_refcount() == total0, "immortal objects do not move the total");
}

ML_TEST(small_ints_are_immortal_other_ints_are_not, .points = 2,
        .description = "ints -5..256 are immortal statics; 257 and -6 are ordinary objects",
        .hint = "handout §4, Immortal objects", .parent = "none_true_false_are_immortal")
{
    ml_ssize_t total0 = obj_total_refcount();
    size_t blocks0 = live_blocks();
    ml_object *small = int_from_long(256), *neg = int_from_long(-5);
    ck_assert_msg(obj_is_immortal(small) && obj_is_immortal(neg), "256 and -5 are small ints");
    ck_assert_msg(int_from_long(256) == small, "a small int is one shared object");
    obj_decref(small);
    ck_assert_int_eq(obj_getrefcount(small), ML_IMMORTAL_REFCNT);
    ml_object *big = int_from_long(257), *big_neg = int_from_long(-6);
    ck_assert_ptr_nonnull(big);
    ck_assert_ptr_nonnull(big_neg);
    ck_assert_msg(!obj_is_immortal(big) && !obj_is_immortal(big_neg), "257 and -6 are mortal");
    ck_assert_int_eq(obj_getrefcount(big), 2);
    obj_decref(big);
    obj_decref(big_neg);
    ASSERT_BALANCED(total0, blocks0);
}

ML_TEST(immortality_reads_the_low_32_bits_as_signed, .points = 1,
        .description = "immortal iff (int32_t)refcount < 0, and then decref changes nothing",
        .hint = "handout §4, Immortal objects", .parent = "none_true_false_are_immortal")
{
    ml_object *a = probe_new(1);
    ck_assert_ptr_nonnull(a);
    ML_REFCNT(a) = 0x7fffffff;
    ck_assert_msg(!obj_is_immortal(a), "2^31 - 1 is an ordinary (large) refcount");
    ML_REFCNT(a) = 0x80000000;
    ck_assert_msg(obj_is_immortal(a), "2^31 reads as a negative int32: immortal");
    ML_REFCNT(a) = (ml_ssize_t)0x100000000;
    ck_assert_msg(!obj_is_immortal(a), "2^32: the low 32 bits are 0, not immortal");
    ML_REFCNT(a) = 0xC0000000;
    obj_decref(a);
    obj_incref(a);
    obj_incref(a);
    ck_assert_msg(ML_REFCNT(a) == 0xC0000000, "immortal: incref/decref must not touch it");
    ML_REFCNT(a) = 1;
    obj_decref(a);
    ck_assert_int_eq(dealloc_count, 1);
}

static void decref_once(void *arg) { obj_decref(arg); }

ML_TEST(decref_below_zero_is_a_fatal_error, .points = 2,
        .description = "decref of an object whose refcount is 0 calls ml_fatal_negative_refcount",
        .hint = "handout §5, Negative refcounts", .parent = "decref_to_zero_runs_dealloc_once")
{
    char text[1024];
    ml_object *a = probe_new(1);
    ck_assert_ptr_nonnull(a);
    ML_REFCNT(a) = 0; /* a bug elsewhere dropped one reference too many */
    ck_assert_msg(ml_runs_into_abort(decref_once, a, text, sizeof text),
                  "decref with refcount 0 must be a fatal error (abort), not a silent -1");
    ck_assert_msg(strstr(text, "negative ref count") != NULL,
                  "the message must say 'negative ref count' (got: %s)", text);
    ck_assert_msg(dealloc_count == 0, "a fatal error must not run the dealloc");
    ML_REFCNT(a) = 1;
    obj_decref(a);
}

ML_TEST(new_var_object_has_size_and_null_items, .points = 1,
        .description = "obj_new_var sets ob_size and allocates basicsize + n * itemsize, zeroed",
        .hint = "handout §2, The object header", .parent = "new_object_has_refcount_one")
{
    static ml_type var_type = {
        .tp_name = "var",
        .tp_basicsize = sizeof(ml_varobject),
        .tp_itemsize = sizeof(ml_object *),
        .tp_dealloc = NULL,
        .tp_free = obj_free,
    };
    ml_ssize_t total0 = obj_total_refcount();
    ml_varobject *v = (ml_varobject *)obj_new_var(&var_type, 5);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(ML_SIZE(v), 5);
    ck_assert_int_eq(ML_REFCNT(v), 1);
    ck_assert_msg(mem_block_size(v) == sizeof(ml_varobject) + 5 * sizeof(ml_object *),
                  "the object takes tp_basicsize + n * tp_itemsize bytes");
    ml_object **items = (ml_object **)(v + 1);
    for (int i = 0; i < 5; i++)
        ck_assert_msg(items[i] == NULL, "items must start NULL");
    ML_REFCNT(v) = 0;
    obj_free(v);
    ck_assert_int_eq(obj_total_refcount(), total0 + 1); /* freed by hand, never decref'd */
    ck_assert_ptr_null(obj_new_var(&var_type, -1));
    ck_assert_msg(err_occurred() == ML_EXC_SYSTEM_ERROR, "a negative size is a bad internal call");
    err_clear();
}

ML_TEST(gc_object_comes_from_gc_alloc_untracked, .points = 1,
        .description = "a HAVE_GC type is allocated with a gc_head in front and is not tracked",
        .hint = "handout §2, The object header", .parent = "new_object_has_refcount_one")
{
    size_t blocks0 = live_blocks();
    ml_object *g = obj_new(&gc_probe_type);
    ck_assert_ptr_nonnull(g);
    ck_assert_msg(mem_block_size(GC_HEAD(g)) == sizeof(gc_head) + sizeof(probe),
                  "a GC object's block starts at its gc_head (use gc_alloc)");
    ck_assert_msg(!gc_is_tracked(g), "obj_new returns GC objects untracked");
    ck_assert_int_eq(ML_REFCNT(g), 1);
    obj_decref(g);
    ck_assert_int_eq(dealloc_count, 1);
    ck_assert_int_eq(live_blocks(), blocks0);
}
