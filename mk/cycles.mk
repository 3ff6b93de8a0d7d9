# mk/cycles.mk -- extra rules of the cycles lab.
#
#   make test-cycles-oracle [ORACLE_COUNT=n] [ORACLE_SEED=s]
#                               collect() against CPython's gc.collect() on
#                               random graphs of lists (default 2000, ~1 min)
#   make test-cycles-oracle-long   the same on 20000 more graphs
#   make bench-cycles [BENCH_SIZES=1000000,...] [BENCH_REPS=5] [BENCH_JSON=file]
#                               CPU ns per object of a full collection of N
#                               lists (reachable, then in 2-cycles), the
#                               reference against python3's gc.collect(),
#                               interleaved, median (bench/cycles/cycles-bench.py;
#                               `make bench` runs it at each BENCH_SIZES)
#
# The oracle's graph builder links the reference layers (-O2 over the -O0
# libraries); the bench, the Makefile's -O2 stack.

CYCLES_GRAPH_BIN := $(BUILD)/kit/cycles-graph
CYCLES_BENCH_BIN := $(BUILD)/bench/cycles-bench
ORACLE_COUNT ?= 2000
ORACLE_SEED ?= 1

$(CYCLES_GRAPH_BIN): tests/kit/cycles-graph.c $(REF_LIBS) $(BUILD)/lib/libruntime.a
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O2 -g $(INCLUDES) -o $@ tests/kit/cycles-graph.c $(LAYER_LIBS)

$(CYCLES_BENCH_BIN): bench/cycles/cycles-bench.c $(O2_LIBS)
	@mkdir -p $(@D)
	$(CC) $(O2_CFLAGS) $(WARN) $(INCLUDES) -o $@ bench/cycles/cycles-bench.c $(O2_LAYER_LIBS)

.PHONY: test-cycles-oracle test-cycles-oracle-long bench-cycles
test-cycles-oracle: $(CYCLES_GRAPH_BIN)
	sh tests/kit/cycles-oracle.sh $(CYCLES_GRAPH_BIN) $(ORACLE_COUNT) $(ORACLE_SEED)

test-cycles-oracle-long: $(CYCLES_GRAPH_BIN)
	sh tests/kit/cycles-oracle.sh $(CYCLES_GRAPH_BIN) 20000 100001

bench-cycles: $(CYCLES_BENCH_BIN)
	python3 bench/cycles/cycles-bench.py $(CYCLES_BENCH_BIN) --sizes $(call bench_arg,BENCH_SIZES,1000000) \
	  --reps $(or $(BENCH_REPS),5) $(if $(BENCH_JSON),--json $(BENCH_JSON))
