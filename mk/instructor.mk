# mk/instructor.mk -- what an instructor runs: grade a whole class, package the
# labs for students, Gradescope and GitHub Classroom.  docs/instructor-guide.md
# tells the story; the tools live in harness/batch/ and tools/dist/.
#
#   make grade-all SUBMISSIONS=dir [LAB=id] [GRADES=dir] [JOBS=n]
#   make dist-student [LABS="refcount cycles"]      -> $(DIST)/memlabs-student.tar.gz
#   make gradescope LAB=id                          -> $(DIST)/gradescope-<lab>.zip
#   make grade-all-bench [BENCH_N=50] [LAB=id]      timing of grade-all, 1 vs 2 jobs

.PHONY: grade-all dist-student gradescope grade-all-bench

DIST ?= $(BUILD)/dist
GRADES ?= grades
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
GRADE_ALL := $(BUILD)/bin/memlab-grade-all
MEMLAB_GRADE := $(BUILD)/bin/memlab-grade
BATCH_SRCS := $(wildcard harness/batch/*.c)
BATCH_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(BATCH_SRCS))

$(BUILD)/obj/harness/batch/%.o: harness/batch/%.c
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O2 -g -MMD -MP -c $< -o $@

$(GRADE_ALL): $(BATCH_OBJS)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ -ljansson

# Everything the grader reads from $(BUILD) is built once, before the
# graders run side by side (they then only read it).
grade-all: $(GRADE_ALL) $(MEMLAB_GRADE) libs $(GRADE_ALL_PREREQS)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade-all SUBMISSIONS=dir [LAB=id] [GRADES=dir] [JOBS=n]" >&2; exit 2; }
	$(GRADE_ALL) --submissions '$(SUBMISSIONS)' $(if $(LAB),--lab $(LAB)) --out '$(GRADES)' \
	  --jobs $(JOBS) --kit . --build $(BUILD) --grader $(MEMLAB_GRADE) $(GRADE_ALL_FLAGS)

dist-student:
	BUILD=$(BUILD) tools/dist/dist-student.sh $(if $(filter command line,$(origin LABS)),--labs "$(LABS)") --out $(DIST)/memlabs-student.tar.gz

gradescope:
	@test -n "$(LAB)" || { echo "usage: make gradescope LAB=id" >&2; exit 2; }
	tools/dist/gradescope.sh --lab $(LAB) --out $(DIST)/gradescope-$(LAB).zip

BENCH_N ?= 50
grade-all-bench: $(GRADE_ALL) $(MEMLAB_GRADE) libs $(GRADE_ALL_PREREQS)
	harness/batch/bench.sh --lab $(or $(LAB),refcount) --count $(BENCH_N) --build $(BUILD)
