# mk/platforms.mk -- memlabs grades into the LMS gradebooks, PrairieLearn and
# Autolab (Gradescope and GitHub Classroom are in mk/instructor.mk and
# .github/workflows/).
#
#   make grade-all SUBMISSIONS=dir FORMAT=canvas|moodle ROSTER=file.csv
#        also GRADES/canvas.csv or GRADES/moodle.csv, the LMS's gradebook
#        import, with the roster's identities (harness/batch/lms.c);
#        folders the roster does not name are listed, never dropped
#   make prairielearn LAB=id   -> $(DIST)/prairielearn-<lab>/: PrairieLearn's
#        external-grader image (image/) and the question (questions/)
#   make autolab LAB=id        -> $(DIST)/autolab-<lab>/: Autolab's
#        autograde-Makefile, autograde.tar and the grading VM's image (image/)

# (on GRADE_ALL_ARGS, not GRADE_ALL_FLAGS, which a command line may set)
GRADE_ALL_ARGS += $(if $(FORMAT),--format '$(FORMAT)') $(if $(ROSTER),--roster '$(abspath $(ROSTER))')
BATCH_LDLIBS += -lcsv

# ---------------------------------------------------------------- PrairieLearn, Autolab
# tools/dist/platform.sh says what is in them; tests/kit/platforms.sh runs
# both in their documented layouts.
.PHONY: prairielearn autolab
prairielearn autolab:
	@test -n "$(LAB)" || { echo "usage: make $@ LAB=id" >&2; exit 2; }
	tools/dist/platform.sh --platform $@ --lab $(LAB) --out $(DIST)/$@-$(LAB)
