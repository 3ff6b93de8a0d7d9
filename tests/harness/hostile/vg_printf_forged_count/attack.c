#undef NVALGRIND
#include <valgrind/valgrind.h>
