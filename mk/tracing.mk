# mk/tracing.mk -- extra rules of the tracing lab.
#
#   make test-tracing-oracle   the layer's text, grouping and sort order against CPython's
#                              Lib/tracemalloc.py (shared/oracles/format_oracle.py, or the
#                              golden copies in tests/kit/expected/ when it is absent)
#   make bench-tracing         tracing slowdown (1 and 25 frames) and snapshot + statistics
#                              over 1,000,000 live traces, next to CPython's tracemalloc
#
# Both link the reference tracer with the given mem layer only: the tracing
# layer stands on mem alone.

TRACING_ORACLE_BIN := $(BUILD)/kit/tracing-oracle
TRACING_BENCH_BIN := $(BUILD)/bench/tracing-bench

$(TRACING_ORACLE_BIN): tests/kit/tracing-oracle.c solutions/tracing/tracing.c labs/runtime/mem.c \
                       labs/include/memlab/tracing.h
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(INCLUDES) -o $@ tests/kit/tracing-oracle.c \
	  solutions/tracing/tracing.c labs/runtime/mem.c

$(TRACING_BENCH_BIN): tests/kit/tracing-bench.c solutions/tracing/tracing.c labs/runtime/mem.c \
                      labs/include/memlab/tracing.h
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O2 -g $(INCLUDES) -o $@ tests/kit/tracing-bench.c \
	  solutions/tracing/tracing.c labs/runtime/mem.c

.PHONY: test-tracing-oracle bench-tracing
test-tracing-oracle: $(TRACING_ORACLE_BIN)
	sh tests/kit/tracing-oracle.sh $(TRACING_ORACLE_BIN)

bench-tracing: $(TRACING_BENCH_BIN)
	sh tests/kit/tracing-bench.sh $(TRACING_BENCH_BIN)

KIT_TESTS += test-tracing-oracle
BENCH_TARGETS += bench-tracing
