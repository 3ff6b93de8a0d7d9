#include <valgrind/valgrind.h>
