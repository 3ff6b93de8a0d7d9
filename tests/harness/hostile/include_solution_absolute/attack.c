#include "/usr/include/../..@KIT@/solutions/refcount/refcount.c"
