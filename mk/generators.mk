# mk/generators.mk -- extra rules of the generators lab.
#
#   make test-generators-oracle   the oracle's 26 protocol scenarios, C against CPython
#   make bench-generators         ns per resume and bytes per generator, against python3
#
# The tests share the C port of the oracle's generator functions.

GEN_ORACLE_BIN := $(BUILD)/kit/generators-oracle
GEN_BENCH_BIN := $(BUILD)/bench/generators-bench
# The bench compiles the layers it runs through at -O2 itself.
GEN_BENCH_SRCS := solutions/generators/generators.c solutions/cycles/cycles.c \
	solutions/refcount/refcount.c solutions/refcount/containers.c $(wildcard labs/runtime/*.c)

$(GEN_ORACLE_BIN): tests/kit/generators-oracle.c tests/generators/oracle_port.c $(REF_LIBS) \
                  $(BUILD)/lib/libruntime.a
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(INCLUDES) -Itests/generators -o $@ \
	  tests/kit/generators-oracle.c tests/generators/oracle_port.c $(LAYER_LIBS)

$(GEN_BENCH_BIN): tests/kit/generators-bench.c $(GEN_BENCH_SRCS)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O2 -flto -g $(INCLUDES) -o $@ tests/kit/generators-bench.c $(GEN_BENCH_SRCS) -lm

.PHONY: test-generators-oracle bench-generators
test-generators-oracle: $(GEN_ORACLE_BIN)
	sh tests/kit/generators-oracle.sh $(GEN_ORACLE_BIN)

bench-generators: $(GEN_BENCH_BIN)
	sh tests/kit/generators-bench.sh $(GEN_BENCH_BIN)
