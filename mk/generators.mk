# mk/generators.mk -- extra rules of the generators lab.
#
#   make test-generators-oracle   the oracle's 26 protocol scenarios, C against CPython
#   make bench-generators         ns per resume and bytes per generator, against python3
#
# The tests share the C port of the oracle's generator functions.

GEN_ORACLE_BIN := $(BUILD)/kit/generators-oracle
GEN_BENCH_BIN := $(BUILD)/bench/generators-bench
GEN_LAYER_LIBS = -Wl,--start-group $(REF_LIBS) $(BUILD)/lib/libruntime.a -Wl,--end-group -lm

# (REF_LIBS is not known yet when this file is read: depend on `libs`, relink every time.)
$(GEN_ORACLE_BIN): tests/kit/generators-oracle.c tests/generators/oracle_port.c libs
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(INCLUDES) -Itests/generators -o $@ \
	  tests/kit/generators-oracle.c tests/generators/oracle_port.c $(GEN_LAYER_LIBS)

$(GEN_BENCH_BIN): bench/generators/bench.c solutions/generators/generators.c libs
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O2 -g $(INCLUDES) -o $@ bench/generators/bench.c \
	  solutions/generators/generators.c $(GEN_LAYER_LIBS)

.PHONY: test-generators-oracle bench-generators
test-generators-oracle: $(GEN_ORACLE_BIN)
	sh tests/kit/generators-oracle.sh $(GEN_ORACLE_BIN)

bench-generators: $(GEN_BENCH_BIN)
	sh bench/generators/bench.sh $(GEN_BENCH_BIN)
