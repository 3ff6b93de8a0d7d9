#include "@KIT@/tests/refcount/hidden/test_refcount.c"
