# mk/pools.mk -- extra rules of the pools lab (the library and the test
# binaries come from the Makefile's LAB_RULES):
#
#   make bench-pools [BENCH_TRACES=name,...] [BENCH_REPS=5] [BENCH_JSON=file]
#                               the reference pymalloc against glibc malloc,
#                               mimalloc and jemalloc on the recorded traces
#                               (default all): callgrind instructions per
#                               operation and wall time per trace, one Markdown
#                               table (bench/pools/bench.py; BENCH_REPLAYS
#                               replays per timed run, default 3)
#   make bench-pools-breakdown [BENCH_TRACES=...] [BENCH_REPS=5]
#                               where the reference's instructions go on each
#                               trace (driver, fast paths, a pool emptied and
#                               taken back, the C library's malloc over 512
#                               bytes) against mimalloc's, and wall time cold
#                               (a fresh process) and warm (fastest of 3)
#   make pools-perf [SUBMISSION=path/pools.c] [OUT=perf.json]
#                               the grader's stage 7 for one submission
#                               (labs/pools/pools.c by default), unconfined
#   make pools-memcheck         proof that memcheck sees bugs inside pool blocks
#   make pools-recorder         the LD_PRELOAD allocation recorder
#   make pools-traces           re-record the traces from python3 (slow, changes data)

.PHONY: bench-pools bench-pools-breakdown pools-perf pools-memcheck pools-recorder pools-traces

bench-pools:
	python3 bench/pools/bench.py --build $(BUILD)/bench/pools --rounds $(or $(BENCH_REPS),5) \
	  $(if $(BENCH_TRACES),--traces $(BENCH_TRACES)) $(if $(BENCH_REPLAYS),--replays $(BENCH_REPLAYS)) \
	  $(if $(BENCH_JSON),--json $(BENCH_JSON))

bench-pools-breakdown:
	python3 bench/pools/bench.py --build $(BUILD)/bench/pools --breakdown \
	  --rounds $(or $(BENCH_REPS),5) $(if $(BENCH_TRACES),--traces $(BENCH_TRACES)) \
	  $(if $(BENCH_REPLAYS),--replays $(BENCH_REPLAYS))

pools-perf:
	harness/perf/pools/perf-run --summary --student $(or $(SUBMISSION),labs/pools/pools.c) \
	  --cache $(BUILD)/perf-cache --out $(or $(OUT),$(BUILD)/pools-perf.json)

pools-memcheck:
	tests/kit/pools-memcheck.sh $(BUILD)

$(BUILD)/tools/recorder.so: tools/recorder/recorder.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -O2 -Wall -Wextra -shared -fPIC -o $@ $<

pools-recorder: $(BUILD)/tools/recorder.so

pools-traces:
	tests/pools/traces/record.sh
