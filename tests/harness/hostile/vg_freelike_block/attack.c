#include <stdlib.h>
#include <valgrind/valgrind.h>
#define FORGET(p) VALGRIND_FREELIKE_BLOCK((p), 0)
