# mk/grader.mk -- the grader and the kit's own tests.
#
#   make grade [LAB=id] [SUBMISSION=dir] [REPORT=dir] [T=patterns] [FORCE=1] [GRADE_FLAGS=...]
#        grade the student's working copy (labs/<lab>) or SUBMISSION, every
#        lab present when LAB is unset; reports in REPORT (REPORT/<lab> for
#        several labs), else $(BUILD)/reports/<lab>/.  Nothing changed since
#        the last grade: the last report at once (--reuse; FORCE=1 grades
#        again).  T=list_*,dict_new: those tests only (--only), a partial
#        grade, marked so and never reused.
#   make test        the kit's own tests: tests/kit/run-all.sh
#   make kit-built   make all, silent when the kit is up to date (what make
#                    grade and make test run, after deps)
#   make deps        the Debian packages grading needs (installs them as root,
#                    else prints the command); make deps-kit adds what the
#                    kit's own tests and the benches need
#
# The grader is harness/grader/ (docs/grading-policy.md); it links the
# student's files with the lab's test objects, which it finds in the link
# manifest written here, $(BUILD)/grader/<lab>.link.

.PHONY: grade test deps

GRADER := $(BUILD)/bin/memlab-grade
GRADER_SRCS := $(wildcard harness/grader/*.c)
GRADER_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(GRADER_SRCS))
# The helpers the grader shares with the batch grader (mk/instructor.mk).
HARNESS_UTIL_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard harness/common/*.c))
HARNESS_CFLAGS := $(CSTD) $(WARN) -g -O2 -Iharness/common -MMD -MP
XML_CFLAGS := $(shell pkg-config --cflags libxml-2.0 2>/dev/null || echo -I/usr/include/libxml2)
XML_LIBS := $(shell pkg-config --libs libxml-2.0 2>/dev/null || echo -lxml2)
GRADER_LABS := $(foreach l,$(LABS),$(if $(wildcard tests/$(l)/lab.json),$(l)))
GRADER_LINKS := $(foreach l,$(GRADER_LABS),$(BUILD)/grader/$(l).link)

ALL_EXTRA += $(GRADER) $(GRADER_LINKS)
GRADE_ALL_PREREQS += tests $(GRADER_LINKS)

$(BUILD)/obj/harness/common/%.o: harness/common/%.c | $(HEADERS_FOUND)
	@mkdir -p $(@D)
	$(CC) $(HARNESS_CFLAGS) -c $< -o $@

$(BUILD)/obj/harness/grader/%.o: harness/grader/%.c | $(HEADERS_FOUND)
	@mkdir -p $(@D)
	$(CC) $(HARNESS_CFLAGS) $(XML_CFLAGS) -c $< -o $@

$(GRADER): $(GRADER_OBJS) $(HARNESS_UTIL_OBJS)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ -ljansson $(XML_LIBS) -lseccomp -lm -ldl

# What the grader links a lab's tests from: the same objects and libraries
# as the reference test binary (rewritten whenever that binary is).  One
# "obj PATH" line per test object; "hidden-obj PATH" repeats those built
# from tests/<lab>/hidden/, which the grader keeps out of the public test
# binary (a visible test must not be able to read a hidden test's name);
# "given-obj PATH" is the lab's given code (labs/<lab>/given/), linked beside
# the student's objects: the grader never takes given code from a submission.
define GRADER_LINK_RULE
$(BUILD)/grader/$(1).link: $(BUILD)/tests/$(1)/t_$(1) $$(call obj,$$($(1)_GIVEN_SRCS))
	@mkdir -p $$(@D)
	@{ $$(foreach o,$$(call obj,$$($(1)_TEST_SRCS)),echo 'obj $$(o)';) \
	   $$(foreach o,$$(call obj,$$(filter tests/$(1)/hidden/%,$$($(1)_TEST_SRCS))),echo 'hidden-obj $$(o)';) \
	   $$(foreach o,$$(call obj,$$($(1)_GIVEN_SRCS)),echo 'given-obj $$(o)';) \
	   echo 'ldlibs $$(TEST_LDLIBS) $$($(1)_LDLIBS)'; echo 'ldflags $$(TEST_LDFLAGS)'; } > $$@.tmp
	@mv $$@.tmp $$@
endef
$(foreach l,$(GRADER_LABS),$(eval $(call GRADER_LINK_RULE,$(l))))

# ---------------------------------------------------------------- grade
GRADE_LABS = $(or $(LAB),$(GRADER_LABS))

# deps first, then the build, even under make -j: a sub-make, so that no
# compile starts before the packages are there.  Its goal is kit-built, not
# all, so that an up-to-date kit prints nothing ("Nothing to be done").
.PHONY: kit-built
kit-built: all
	@:

grade: deps
	@$(MAKE) --no-print-directory kit-built
	@for l in $(GRADE_LABS); do \
	  $(GRADER) --lab $$l --kit . --build $(BUILD) \
	    $(if $(SUBMISSION),--submission '$(SUBMISSION)') \
	    $(if $(REPORT),--report '$(REPORT)'$(if $(LAB),,/$$l)) \
	    $(if $(T),--only '$(T)',$(if $(FORCE),,--reuse)) $(GRADE_FLAGS) || exit $$?; \
	done

# ---------------------------------------------------------------- test
test: deps-kit
	@$(MAKE) --no-print-directory kit-built
	BUILD=$(BUILD) tests/kit/run-all.sh

# ---------------------------------------------------------------- deps
# Two lists, one package a line, read by every installer (this file,
# .ci/run, Gradescope's setup.sh, the Classroom workflow):
#   tools/dist/debian-packages.txt      what grading needs: a student's
#                                       `make grade`, an autograder image
#   tools/dist/debian-packages-kit.txt  what the kit's own tests, the benches
#                                       and the instructor's tools add
# `make deps` asks for the first only; `make deps-kit` (make test) for both.
# No other file names a package (a mk file's needs go into one of the lists).
DEPS_PACKAGES := $(shell cat tools/dist/debian-packages.txt 2>/dev/null)
KIT_PACKAGES := $(shell cat tools/dist/debian-packages-kit.txt 2>/dev/null)

# $(call deps_install,TARGET,PACKAGES): install the missing ones as root,
# else print the command and fail.
define deps_install
	@command -v dpkg-query >/dev/null 2>&1 || { \
	  echo "make $(1): not a Debian system; install the equivalents of: $(2)"; exit 0; }; \
	missing=$$(for p in $(2); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	[ -z "$$missing" ] && exit 0; \
	cmd="apt-get update && apt-get install -y --no-install-recommends $$(echo $$missing)"; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "make $(1): installing $$(echo $$missing)"; \
	  DEBIAN_FRONTEND=noninteractive sh -c "$$cmd"; \
	else \
	  echo "make $(1): missing packages: $$(echo $$missing)"; \
	  echo "run as root:  sudo sh -c '$$cmd'"; exit 1; \
	fi
endef

.PHONY: deps-kit
deps:
	$(call deps_install,deps,$(DEPS_PACKAGES))

deps-kit:
	$(call deps_install,deps-kit,$(DEPS_PACKAGES) $(KIT_PACKAGES))
