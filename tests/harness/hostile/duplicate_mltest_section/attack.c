/* The runner's table entry, written by hand: the name comes first. */
struct fake_test {
    const char *name;
    const void *check_test;
    const char *file;
    int line;
    double points;
    int visibility;
    const char *description, *hint, *parent;
    double timeout;
    const char *tags;
};
static const struct fake_test fake __attribute__((used, section("ml_tests"), aligned(8))) = {
    "getrefcount_counts_its_own_argument", 0, "refcount.c", 1, 100.0, 0, "forged", 0, 0, 1.0, 0};
