# mk/generators.mk -- extra rules of the generators lab.
#
#   make test-generators-oracle   the oracle's 26 protocol scenarios, C against CPython
#   make bench-generators         ns per resume and bytes per generator, against python3
#
# The tests share the C port of the oracle's generator functions; the bench
# (bench/generators/) links the Makefile's -O2 stack.

GEN_ORACLE_BIN := $(BUILD)/kit/generators-oracle
GEN_BENCH_BIN := $(BUILD)/bench/generators-bench

$(GEN_ORACLE_BIN): tests/kit/generators-oracle.c tests/generators/oracle_port.c $(REF_LIBS) \
                  $(BUILD)/lib/libruntime.a
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(INCLUDES) -Itests/generators -o $@ \
	  tests/kit/generators-oracle.c tests/generators/oracle_port.c $(LAYER_LIBS)

$(GEN_BENCH_BIN): bench/generators/generators-bench.c $(O2_LIBS)
	@mkdir -p $(@D)
	$(CC) $(O2_CFLAGS) $(WARN) $(INCLUDES) -o $@ bench/generators/generators-bench.c $(O2_LAYER_LIBS)

.PHONY: test-generators-oracle bench-generators
test-generators-oracle: $(GEN_ORACLE_BIN)
	sh tests/kit/generators-oracle.sh $(GEN_ORACLE_BIN)

bench-generators: $(GEN_BENCH_BIN)
	sh bench/generators/generators-bench.sh $(GEN_BENCH_BIN)
