# memlabs -- the one entry point.  `make help` lists the targets.
#
# Layout of the build (all under $(BUILD), out of tree, -j safe):
#   lib/libruntime.a        the given mem/runtime code        (labs/runtime)
#   lib/librunner.a         main() of every test binary        (harness/runner)
#   lib/libref_<lab>.a      the reference layer of each lab    (solutions/<lab>, with the
#                           lab's given code, labs/<lab>/given/, for the other labs)
#   tests/<lab>/t_<lab>     the lab's tests on the reference   (tests/<lab>, + hidden/)
#   student/<lab>/t_<lab>   the same tests on the student's files in labs/<lab>
#
# A lab exists when tests/<lab>/lab.json does: LABS is read from those files,
# in the order of their "number" (the course's order), and a lab's "files"
# are the student's file names (the same names exist in labs/<lab>/ and
# solutions/<lab>/).
# A lab's given code (labs/<lab>/given/*.c, its internal header in
# labs/include/memlab/internal/) exists once: it is linked as objects beside
# the student's files (a student's copy of a given function is then a
# duplicate definition, not a replacement) and is part of the lab's reference
# library.
# Extra rules of a lab (tools, data, benchmarks) live in mk/<lab>.mk.
#
# The file reads top to bottom: settings, the labs, the libraries and test
# binaries, then mk/*.mk (whose rules can name every library above as a
# prerequisite), then the targets that gather them.  `make` run twice does
# nothing the second time (tests/kit/make-twice.sh).

BUILD ?= build
CC ?= cc
CSTD := -std=c11 -D_GNU_SOURCE
WARN := -Wall -Wextra
CFLAGS ?= -g -O0
INCLUDES := -Ilabs/include -Iharness/runner
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -pthread)
TEST_LDLIBS := $(CHECK_LIBS) -ljansson -lm
TEST_LDFLAGS := -Wl,--wrap=_exit
ALL_CFLAGS = $(CSTD) $(WARN) $(CFLAGS) $(INCLUDES) $(CHECK_CFLAGS) -MMD -MP

.DEFAULT_GOAL := all
WHO ?= reference
.PHONY: all help deps libs o2-libs tests check-lab test-one clean

# ---------------------------------------------------------------- labs
# One word per lab, "<lab>=<file>,<file>", in the order of "number" (one
# python3 run for all of them): LABS and each <lab>_FILES come from it.
# LABS given on the command line narrows the build to those labs.
comma := ,
LAB_TABLE := $(shell python3 -c 'import json, sys; labs = [json.load(open(p)) for p in sys.argv[1:]]; \
  print(" ".join(l["id"] + "=" + ",".join(l["files"]) for l in sorted(labs, key=lambda l: l["number"])))' \
  $(wildcard tests/*/lab.json))
LABS := $(foreach w,$(LAB_TABLE),$(firstword $(subst =, ,$(w))))
$(foreach w,$(LAB_TABLE),$(eval $(firstword $(subst =, ,$(w)))_FILES := \
  $(subst $(comma), ,$(word 2,$(subst =, ,$(w))))))
# A student kit of some labs carries the other layers as prebuilt/lib/
# libref_<lab>.a only, without their lab.json: they are labs of the stack too
# (linked, never built).
LABS += $(filter-out $(LABS),$(patsubst prebuilt/lib/libref_%.a,%,$(wildcard prebuilt/lib/libref_*.a)))

# ---------------------------------------------------------------- sources

RUNTIME_SRCS := $(wildcard labs/runtime/*.c)
RUNNER_SRCS := harness/runner/runner.c harness/runner/mlalloc.c
LAB_PRESENT := $(foreach l,$(LABS),$(if $($(l)_FILES),$(l)))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

# Every compile rule waits for $(HEADERS_FOUND): one probe, before the first
# compile, that the headers the kit's packages bring are there, so that a
# machine without them is told to run make deps (which knows the packages:
# tools/dist/debian-packages.txt) instead of getting a compiler error about
# check.h.  Removed with the build folder.
HEADERS_FOUND := $(BUILD)/.headers-found
KIT_HEADERS := check.h jansson.h valgrind/memcheck.h seccomp.h libxml/tree.h archive.h csv.h
$(HEADERS_FOUND):
	@missing=; for h in $(KIT_HEADERS); do \
	  printf '#include <%s>\n' "$$h" | $(CC) -E $(XML_CFLAGS) -x c - >/dev/null 2>&1 || \
	    missing="$$missing $$h"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make: headers of the kit's Debian packages are missing:$$missing" >&2; \
	  echo "run 'make deps' (as root it installs the packages; otherwise it prints the apt-get command)" >&2; \
	  exit 1; fi
	@mkdir -p $(@D) && touch $@

$(BUILD)/obj/%.o: %.c | $(HEADERS_FOUND)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/lib/libruntime.a: $(call obj,$(RUNTIME_SRCS))
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

# The -O2 stack: the runtime and every layer's reference once more, in
# $(O2), optimised and without Valgrind client requests or assert(): what
# the benches measure (mk/bench.mk, mk/<lab>.mk).  O2_CFLAGS is the one set
# of -O2 flags of the kit: the pools performance program (harness/perf/
# pools/perf-run), its bench and the student kit's prebuilt -O2 reference
# (tools/dist/dist-student.sh) read this line.
O2_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -DNVALGRIND -DNDEBUG
O2 := $(BUILD)/o2
o2obj = $(patsubst %.c,$(O2)/obj/%.o,$(1))

$(O2)/obj/%.o: %.c | $(HEADERS_FOUND)
	@mkdir -p $(@D)
	$(CC) $(O2_CFLAGS) $(WARN) $(INCLUDES) -MMD -MP -c $< -o $@

$(O2)/lib/libruntime.a: $(call o2obj,$(RUNTIME_SRCS))
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(BUILD)/lib/librunner.a: $(call obj,$(RUNNER_SRCS))
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

# The exact tests of the test kit's own allocator (tests/kit/mlalloc.sh).
MLALLOC_TEST_BIN := $(BUILD)/kit/mlalloc-test
ALL_EXTRA += $(if $(wildcard tests/kit/mlalloc-test.c),$(MLALLOC_TEST_BIN)) # not in the student kit
$(MLALLOC_TEST_BIN): tests/kit/mlalloc-test.c $(call obj,harness/runner/mlalloc.c) $(BUILD)/lib/libruntime.a
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -g -O0 $(INCLUDES) -o $@ $< $(call obj,harness/runner/mlalloc.c) \
	  $(BUILD)/lib/libruntime.a -lm

# Per lab: the reference library, the reference test binary, the student's.
define LAB_RULES
$(1)_SOL_SRCS := $$(addprefix solutions/$(1)/,$$($(1)_FILES))
$(1)_STU_SRCS := $$(addprefix labs/$(1)/,$$($(1)_FILES))
$(1)_GIVEN_SRCS := $$(wildcard labs/$(1)/given/*.c)
$(1)_TEST_SRCS := $$(wildcard tests/$(1)/*.c) $$(wildcard tests/$(1)/hidden/*.c) $$($(1)_TEST_EXTRA)

ifeq ($$(filter $(1),$$(PREBUILT_LABS)),)
$(BUILD)/lib/libref_$(1).a: $$(call obj,$$($(1)_SOL_SRCS) $$($(1)_GIVEN_SRCS))
	@mkdir -p $$(@D)
	$$(AR) rcs $$@ $$^

$(O2)/lib/libref_$(1).a: $$(call o2obj,$$($(1)_SOL_SRCS) $$($(1)_GIVEN_SRCS))
	@mkdir -p $$(@D)
	$$(AR) rcs $$@ $$^
endif

$(BUILD)/tests/$(1)/t_$(1): $$(call obj,$$($(1)_TEST_SRCS)) $$(REF_LIBS) $(BUILD)/lib/libruntime.a $(BUILD)/lib/librunner.a
	@mkdir -p $$(@D)
	$$(CC) $(TEST_LDFLAGS) -o $$@ $$(call obj,$$($(1)_TEST_SRCS)) $(BUILD)/lib/librunner.a \
	  -Wl,--start-group $$(REF_LIBS) $(BUILD)/lib/libruntime.a -Wl,--end-group $(TEST_LDLIBS) $$($(1)_LDLIBS)

# The student's files, linked with every *other* layer's reference.
$(BUILD)/student/$(1)/t_$(1): $$(call obj,$$($(1)_STU_SRCS) $$($(1)_GIVEN_SRCS) $$($(1)_TEST_SRCS)) $$(REF_LIBS) $(BUILD)/lib/libruntime.a $(BUILD)/lib/librunner.a
	@mkdir -p $$(@D)
	$$(CC) $(TEST_LDFLAGS) -o $$@ $$(call obj,$$($(1)_STU_SRCS) $$($(1)_GIVEN_SRCS) $$($(1)_TEST_SRCS)) $(BUILD)/lib/librunner.a \
	  -Wl,--start-group $$(filter-out $(BUILD)/lib/libref_$(1).a,$$(REF_LIBS)) $(BUILD)/lib/libruntime.a -Wl,--end-group \
	  $(TEST_LDLIBS) $$($(1)_LDLIBS)
endef

# A student kit (make dist-student) has no solutions/: each layer's reference
# then comes as object code from prebuilt/lib/libref_<lab>.a.
PREBUILT_LABS := $(foreach l,$(LABS),$(if $(wildcard solutions/$(l)),,$(if $(wildcard prebuilt/lib/libref_$(l).a),$(l))))
$(foreach l,$(PREBUILT_LABS),$(eval $(BUILD)/lib/libref_$(l).a $(O2)/lib/libref_$(l).a: \
  prebuilt/lib/libref_$(l).a ; @mkdir -p $$(@D) && cp $$< $$@))

REF_LIBS = $(foreach l,$(LABS),$(if $(filter $(l),$(LAB_PRESENT) $(PREBUILT_LABS)),$(BUILD)/lib/libref_$(l).a))
$(foreach l,$(LAB_PRESENT),$(eval $(call LAB_RULES,$(l))))
# Every layer's reference and the runtime, for a program that links them all;
# O2_LIBS and O2_LAYER_LIBS, the same at -O2.
LAYER_LIBS = -Wl,--start-group $(REF_LIBS) $(BUILD)/lib/libruntime.a -Wl,--end-group -lm
O2_LIBS = $(patsubst $(BUILD)/lib/%,$(O2)/lib/%,$(REF_LIBS)) $(O2)/lib/libruntime.a
O2_LAYER_LIBS = -Wl,--start-group $(O2_LIBS) -Wl,--end-group -lm

# ---------------------------------------------------------------- extra rules
# The grader, the labs' tools and benches, the instructor's targets: each
# adds what `make` builds to ALL_EXTRA.
-include $(wildcard mk/*.mk)

libs: $(BUILD)/lib/libruntime.a $(BUILD)/lib/librunner.a $(REF_LIBS)
o2-libs: $(O2_LIBS)
tests: $(foreach l,$(LAB_PRESENT),$(BUILD)/tests/$(l)/t_$(l))
all: libs tests $(ALL_EXTRA)

# ---------------------------------------------------------------- demos
# make demo LAB=id [WHO=student]: labs/<lab>/demo.c on the reference layers,
# or on every layer the student has written (the full stack).
STUDENT_STACK_SRCS = $(foreach l,$(LAB_PRESENT),$(addprefix labs/$(l)/,$($(l)_FILES)) $($(l)_GIVEN_SRCS))

# A demo's own extra sources: the pools demo replays recorded traces with the
# tests' trace reader (make demo LAB=pools TRACE=... [FRAMES=n]).
DEMO_SRCS_pools = tests/pools/replay.c
DEMO_ARGS_pools = $(if $(TRACE),$(TRACE) $(FRAMES))
$(BUILD)/demo/reference/pools $(BUILD)/demo/student/pools: $(DEMO_SRCS_pools) tests/pools/replay.h

$(BUILD)/demo/reference/%: labs/%/demo.c $(REF_LIBS) $(BUILD)/lib/libruntime.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(addprefix -I,$(sort $(dir $(DEMO_SRCS_$*)))) -o $@ $< $(DEMO_SRCS_$*) \
	  -Wl,--start-group $(REF_LIBS) $(BUILD)/lib/libruntime.a -Wl,--end-group -lm

$(BUILD)/demo/student/%: labs/%/demo.c $(call obj,$(STUDENT_STACK_SRCS)) $(BUILD)/lib/libruntime.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(addprefix -I,$(sort $(dir $(DEMO_SRCS_$*)))) -o $@ $< $(DEMO_SRCS_$*) \
	  $(call obj,$(STUDENT_STACK_SRCS)) $(BUILD)/lib/libruntime.a -lm

.PHONY: demo
demo: $(BUILD)/demo/$(WHO)/$(LAB)
	$(DEMO_RUN)

# ---------------------------------------------------------------- developer runs
# make check-lab LAB=refcount [WHO=student]: every test of a lab, natively,
# forked, with Check's report.
check-lab: $(if $(filter student,$(WHO)),$(BUILD)/student/$(LAB)/t_$(LAB),$(BUILD)/tests/$(LAB)/t_$(LAB))
	$<

# make test-one LAB=id T=name [SEED=n] [WHO=student] [GDB=1] [VALGRIND=1]: the repro line.
TEST_BIN = $(if $(filter student,$(WHO)),$(BUILD)/student/$(LAB)/t_$(LAB),$(BUILD)/tests/$(LAB)/t_$(LAB))
test-one: $(TEST_BIN)
	$(if $(GDB),gdb --args )$(if $(VALGRIND),valgrind --leak-check=full --show-leak-kinds=definite )$(TEST_BIN) --run $(T) $(if $(SEED),--seed $(SEED))

# make help: the targets above, then every entry ("#   make ...") of each
# mk/*.mk's header comment, under that file's name: a target documented
# where it is defined is listed (tests/kit/make-help.sh checks that every
# .PHONY target is).
help:
	@echo "make                         build the runtime, the reference layers and the test binaries"
	@echo "make libs | tests            only the libraries, only the test binaries"
	@echo "make o2-libs                 the layers at -O2 without client requests (what benches measure)"
	@echo "make test-one LAB=id T=name [SEED=n] [WHO=student] [GDB=1] [VALGRIND=1]"
	@echo "                             one test, natively, under gdb or under memcheck"
	@echo "make demo LAB=id [WHO=student]  the notebook's cells replayed in C"
	@echo "make demo LAB=pools TRACE=file [FRAMES=n]  a recorded trace replayed, the heap drawn n times"
	@echo "make check-lab LAB=id [WHO=student]  every test of a lab natively (Check's report)"
	@echo "make clean                   remove \$$(BUILD) ($(BUILD))"
	@echo "make help                    this list"
	@echo "Every target takes BUILD=dir (default build)."
	@awk 'FNR == 1 { title = FILENAME ":" } \
	  /^[^#]/ { nextfile } \
	  /^#   / { if (title != "") { print ""; print title; title = "" } \
	            sub(/^#   /, "  "); print }' mk/*.mk

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj $(O2)/obj -name '*.d' 2>/dev/null)
