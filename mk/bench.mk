# mk/bench.mk -- `make bench`: every layer against what a user would compare
# it with, in one run on this machine (docs/performance.md tells the method).
#
#   make bench [BENCH_REPS=5] [BENCH_SIZES=10000,...] [BENCH_SKIP=grading,...]
#              [BENCH_ONLY=cycles,pools] [BENCH_KEEP=1] [BENCH_TRACES=notebook,...]
#              [BENCH_GRADING_REPS=3] [BENCH_GRADESCOPE=refcount,...]
#        refcount, cycles, pools, generators, tracing and grading time;
#        writes $(BUILD)/bench/results.md, results.json and *.png, prints
#        the table.  BENCH_ONLY runs only those sections; BENCH_KEEP=1
#        reports the others from their last run; BENCH_TRACES: the recorded
#        pools traces to run (default all).  Grading (BENCH_ONLY=grading):
#        each lab's make grade against the floor, BENCH_GRADING_REPS
#        interleaved runs; the skeletons, the whole kit, make grade-all's
#        class and the Gradescope run_autograder of BENCH_GRADESCOPE's labs.
#   make bench-refcount [BENCH_N=1000000]
#        one run of the refcount bench and of python3 doing the same
#
# The labs' own benchmarks are their targets bench-cycles, bench-pools,
# bench-generators, bench-tracing (mk/<lab>.mk): bench/report.py runs each
# section through that target (BENCH_SIZES, BENCH_REPS and BENCH_JSON on its
# command line) and reads what it writes, so `make bench-<lab>` alone runs
# the very program `make bench` measures with.  Each lab's benchmark lives
# in bench/<lab>/; the C side of each links the Makefile's -O2 stack
# (O2_LAYER_LIBS: every layer's reference at -O2, without Valgrind client
# requests), the refcount section's is bench/refcount/refcount_bench.c.
# (The recipes do not name $(MAKE): `make -n bench` prints them and runs
# nothing.)

BENCH_DIR := $(BUILD)/bench
BENCH_REPS ?= 5
BENCH_SIZES ?= 10000,100000,1000000,10000000
BENCH_GRADING_REPS ?= 3
BENCH_GRADESCOPE ?= refcount

# $(call bench_arg,VAR,default): VAR when given on the command line or in the
# environment, else default.  A lab's bench runs one size unless told more
# (BENCH_SIZES' default is `make bench`'s); and BENCH_N is also
# grade-all-bench's count (mk/instructor.mk), with a default of its own.
bench_arg = $(if $(filter command environment,$(origin $(1))),$($(1)),$(2))

.PHONY: bench bench-refcount

# pool_install is referenced by the runtime only weakly: pull the pools layer
# in so that MEMLAB_MALLOC=pymalloc works.
$(BENCH_DIR)/refcount-bench: bench/refcount/refcount_bench.c $(O2_LIBS)
	@mkdir -p $(@D)
	$(CC) $(O2_CFLAGS) $(WARN) $(INCLUDES) -o $@ bench/refcount/refcount_bench.c \
	  -Wl,--undefined=pool_install $(O2_LAYER_LIBS)

bench: $(BENCH_DIR)/refcount-bench
	python3 bench/report.py --build $(BUILD) --reps $(BENCH_REPS) --sizes $(BENCH_SIZES) \
	  $(if $(BENCH_SKIP),--skip $(BENCH_SKIP)) $(if $(BENCH_ONLY),--only $(BENCH_ONLY)) \
	  $(if $(BENCH_KEEP),--keep) $(if $(BENCH_TRACES),--traces $(BENCH_TRACES)) \
	  --grading-reps $(BENCH_GRADING_REPS) --gradescope $(BENCH_GRADESCOPE) \
	  --refcount-n $(call bench_arg,BENCH_N,1000000)

bench-refcount: $(BENCH_DIR)/refcount-bench
	python3 bench/report.py --build $(BUILD) --reps $(BENCH_REPS) --only refcount \
	  --refcount-n $(call bench_arg,BENCH_N,1000000)
