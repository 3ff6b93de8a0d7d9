# mk/tracing.mk -- extra rules of the tracing lab.
#
#   make test-tracing-oracle   the layer's text, grouping and sort order against CPython's
#                              Lib/tracemalloc.py (shared/oracles/format_oracle.py, or the
#                              golden copies in tests/kit/expected/ when it is absent)
#   make bench-tracing [BENCH_SIZES=1000000,...] [BENCH_REPS=5] [BENCH_JSON=file]
#                              tracing slowdown (1 and 25 frames) and snapshot + statistics
#                              over N live traces, next to CPython's tracemalloc, interleaved,
#                              median (bench/tracing/tracing-bench.py; `make bench` runs it at
#                              each BENCH_SIZES)
#
# The oracle links the reference tracer with the given mem layer only (the
# tracing layer stands on mem alone); the bench, the Makefile's -O2 stack.

# The layer's sources: the reference's three files and the given file.
TRACING_LAYER_SRCS := $(addprefix solutions/tracing/,tracer.c snapshot.c statistics.c) \
	labs/tracing/given/tracing_given.c
TRACING_ORACLE_BIN := $(BUILD)/kit/tracing-oracle
TRACING_BENCH_BIN := $(BUILD)/bench/tracing-bench

$(TRACING_ORACLE_BIN): tests/kit/tracing-oracle.c $(TRACING_LAYER_SRCS) labs/runtime/mem.c \
                       labs/include/memlab/tracing.h labs/include/memlab/internal/tracing.h
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(INCLUDES) -o $@ tests/kit/tracing-oracle.c \
	  $(TRACING_LAYER_SRCS) labs/runtime/mem.c

$(TRACING_BENCH_BIN): bench/tracing/tracing-bench.c $(O2_LIBS)
	@mkdir -p $(@D)
	$(CC) $(O2_CFLAGS) $(WARN) $(INCLUDES) -o $@ bench/tracing/tracing-bench.c $(O2_LAYER_LIBS)

.PHONY: test-tracing-oracle bench-tracing
test-tracing-oracle: $(TRACING_ORACLE_BIN)
	sh tests/kit/tracing-oracle.sh $(TRACING_ORACLE_BIN)

bench-tracing: $(TRACING_BENCH_BIN)
	python3 bench/tracing/tracing-bench.py $(TRACING_BENCH_BIN) \
	  --sizes $(call bench_arg,BENCH_SIZES,1000000) --reps $(or $(BENCH_REPS),5) \
	  $(if $(BENCH_JSON),--json $(BENCH_JSON))

KIT_TESTS += test-tracing-oracle
BENCH_TARGETS += bench-tracing
