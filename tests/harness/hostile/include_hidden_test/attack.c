#include "@KIT@/tests/refcount/hidden/test_hidden.c"
