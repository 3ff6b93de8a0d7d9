# mk/mutation.mk -- how good are the tests? (harness/mutation/, docs/quality.md)
#
#   make mutation [LAB=id] [MUTATION_JOBS=2] [MUTATION_FLAGS=...]
#        the full mutation run: every mutant of the lab's reference solution
#        (of every lab when LAB is unset), graded with the public and hidden
#        tests, natively then under memcheck; the score, the survivors with
#        file:line and change, in $(BUILD)/mutation/<lab>/report.txt.
#        Results are cached per mutant: a rerun does only the new ones.
#        Fails when a lab scores below MUTATION_MIN (95 %).
#   make mutation-sample [LAB=id]
#        a fixed sample of MUTATION_SAMPLE (30) mutants per lab: the light
#        check `make test` runs (tests/kit/quality-mutation.sh)
#   make quality
#        docs/quality.md: per lab, tests, points, coverage, mutation score,
#        oracle cases, grading time (runs the grader on each solution and
#        the oracle targets; the mutation score is the last `make mutation`
#        report of the lab, else its last sampled one: run `make mutation`
#        first for the full numbers)
#
# Survivors judged equivalent are listed, with the reason, in
# docs/mutation-equivalents.md; the tool excludes them from the score.

.PHONY: mutation mutation-sample quality

MUTATION := python3 harness/mutation/mutate.py
MUTATION_JOBS ?= 2
MUTATION_MIN ?= 95
MUTATION_SAMPLE ?= 30
MUTATION_LABS = $(or $(LAB),$(GRADER_LABS))

mutation: all
	@rc=0; for l in $(MUTATION_LABS); do \
	  $(MUTATION) --lab $$l --build $(BUILD) --jobs $(MUTATION_JOBS) \
	    --min-score $(MUTATION_MIN) $(MUTATION_FLAGS) || rc=1; \
	done; exit $$rc

mutation-sample: all
	@rc=0; for l in $(MUTATION_LABS); do \
	  $(MUTATION) --lab $$l --build $(BUILD) --jobs $(MUTATION_JOBS) --sample $(MUTATION_SAMPLE) \
	    --min-score $(MUTATION_MIN) $(MUTATION_FLAGS) || rc=1; \
	done; exit $$rc

quality: all
	python3 harness/mutation/quality.py --build $(BUILD) --out docs/quality.md $(MUTATION_LABS)
