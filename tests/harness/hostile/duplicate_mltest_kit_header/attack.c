#include "@KIT@/harness/runner/mltest.h"
ML_TEST(getrefcount_counts_its_own_argument, .points = 1, .description = "empty") {}
