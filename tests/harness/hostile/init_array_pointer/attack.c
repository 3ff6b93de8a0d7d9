static void early(void) {}
__attribute__((used, section(".init_array"))) static void (*const run_early)(void) = early;
