# mk/platforms.mk -- memlabs grades into the LMS gradebooks (Gradescope and
# GitHub Classroom are in mk/instructor.mk and .github/workflows/).
#
#   make grade-all SUBMISSIONS=dir FORMAT=canvas|moodle ROSTER=file.csv
#        also GRADES/canvas.csv or GRADES/moodle.csv, the LMS's gradebook
#        import, with the roster's identities (harness/batch/lms.c);
#        folders the roster does not name are listed, never dropped

# (on GRADE_ALL_ARGS, not GRADE_ALL_FLAGS, which a command line may set)
GRADE_ALL_ARGS += $(if $(FORMAT),--format '$(FORMAT)') $(if $(ROSTER),--roster '$(abspath $(ROSTER))')
BATCH_LDLIBS += -lcsv
