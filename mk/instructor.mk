# mk/instructor.mk -- what an instructor runs: grade a whole class, package the
# labs for students, Gradescope and GitHub Classroom.  docs/instructor-guide.md
# tells the story; the tools live in harness/batch/ and tools/dist/.
#
#   make grade-all SUBMISSIONS=dir [LAB=id] [GRADES=dir] [JOBS=n]
#   make grade-all SUBMISSIONS=dir ENGINE=slurm [PARTITION=p] [SHARDS=n] [SBATCH_FLAGS=...]
#                                                   a Slurm job array, one task per shard
#   make grade-all-status [GRADES=dir]              progress of a Slurm grade-all
#   make dist-student [LABS="refcount cycles"]      -> $(DIST)/memlabs-student.tar.gz
#   make gradescope LAB=id                          -> $(DIST)/gradescope-<lab>.zip
#   make grade-all-bench [BENCH_N=50] [LAB=id]      timing of grade-all, 1 vs 2 jobs
#   make test-slurm                                 grade-all through a one-node Slurm
#                                                   cluster started here (root; minutes)

.PHONY: grade-all grade-all-status dist-student gradescope grade-all-bench test-slurm

# make test-slurm's one-node cluster (slurm-wlm, munge) is a kit-tests
# package, in tools/dist/debian-packages-kit.txt (make deps-kit), which the
# student kit does not ship: its make deps never installs a scheduler.

DIST ?= $(BUILD)/dist
GRADES ?= grades
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
GRADE_ALL := $(BUILD)/bin/memlab-grade-all
MEMLAB_GRADE := $(BUILD)/bin/memlab-grade
BATCH_SRCS := $(wildcard harness/batch/*.c)
BATCH_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(BATCH_SRCS))

$(BUILD)/obj/harness/batch/%.o: harness/batch/%.c | $(HEADERS_FOUND)
	@mkdir -p $(@D)
	$(CC) $(HARNESS_CFLAGS) -c $< -o $@

# unpack.c reads students' archives with libarchive (libarchive-dev, a
# grading package: tools/dist/debian-packages.txt).
BATCH_LDLIBS += -larchive

$(GRADE_ALL): $(BATCH_OBJS) $(HARNESS_UTIL_OBJS)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ -ljansson $(BATCH_LDLIBS)

# Everything the grader reads from $(BUILD) is built once, before the
# graders run side by side (they then only read it).  ENGINE=slurm: the
# same command, sharded, in a job array (harness/batch/slurm.sh); the paths
# are made absolute because the jobs run on other hosts.
ENGINE ?= local
SHARDS ?= 4
GRADE_ALL_ARGS = --submissions '$(abspath $(SUBMISSIONS))' $(if $(LAB),--lab $(LAB)) \
  --kit '$(CURDIR)' --build '$(abspath $(BUILD))' --grader '$(abspath $(MEMLAB_GRADE))' $(GRADE_ALL_FLAGS)

grade-all: $(GRADE_ALL) $(MEMLAB_GRADE) libs $(GRADE_ALL_PREREQS)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade-all SUBMISSIONS=dir [LAB=id] [GRADES=dir] [JOBS=n] [ENGINE=slurm [PARTITION=p] [SHARDS=n]]" >&2; exit 2; }
ifeq ($(ENGINE),slurm)
	harness/batch/slurm.sh submit --out '$(GRADES)' --shards $(SHARDS) \
	  $(if $(PARTITION),--partition '$(PARTITION)') $(if $(SBATCH_FLAGS),--sbatch-flags '$(SBATCH_FLAGS)') \
	  -- '$(abspath $(GRADE_ALL))' $(GRADE_ALL_ARGS)
else ifeq ($(ENGINE),local)
	$(GRADE_ALL) $(GRADE_ALL_ARGS) --out '$(GRADES)' --jobs $(JOBS)
else
	@echo "make grade-all: ENGINE is local (this machine) or slurm, not '$(ENGINE)'" >&2; exit 2
endif

grade-all-status:
	harness/batch/slurm.sh status --out '$(GRADES)'

dist-student:
	BUILD=$(BUILD) tools/dist/dist-student.sh $(if $(filter command line,$(origin LABS)),--labs "$(LABS)") --out $(DIST)/memlabs-student.tar.gz

gradescope:
	@test -n "$(LAB)" || { echo "usage: make gradescope LAB=id" >&2; exit 2; }
	tools/dist/gradescope.sh --lab $(LAB) --out $(DIST)/gradescope-$(LAB).zip

BENCH_N ?= 50
grade-all-bench: $(GRADE_ALL) $(MEMLAB_GRADE) libs $(GRADE_ALL_PREREQS)
	harness/batch/bench.sh --lab $(or $(LAB),refcount) --count $(BENCH_N) --build $(BUILD)

# A one-node Slurm cluster on this machine grades a generated class through
# the job array (tests/slurm/grade-all.sh): a few minutes, so not in make test.
test-slurm: $(GRADE_ALL) $(MEMLAB_GRADE) libs $(GRADE_ALL_PREREQS)
	BUILD=$(BUILD) tests/slurm/grade-all.sh
