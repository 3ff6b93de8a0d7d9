extern const char __start_ml_tests[], __stop_ml_tests[];
