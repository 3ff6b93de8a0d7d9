# mk/draw.mk -- pictures of the heap (memlab/draw.h, labs/runtime/draw.c).
#
#   make demo LAB=id [WHO=student]   (Makefile) also saves each cell's
#                               pictures in $(BUILD)/demo/<lab>/, DOT
#                               rendered to SVG with Graphviz's dot
#   make pictures [PICTURES_DIR=dir]   the walkthroughs' pictures,
#                               docs/pictures/<lab>/*.svg, from the reference
#                               demos (commit the result; tests/kit/pictures.sh
#                               checks they are up to date)
#   draw-test                   $(BUILD)/kit/draw-test, the exact tests of
#                               every drawing (tests/kit/draw.sh)
#
# Graphviz (dot) is a kit package: make deps installs it.

DRAW_TEST_BIN := $(BUILD)/kit/draw-test
ALL_EXTRA += $(if $(wildcard tests/kit/draw-test.c),$(DRAW_TEST_BIN)) # not in the student kit
# Graphviz: make demo's pictures and report.html's (the grader renders a
# test's attached DOT), so grading needs it (tools/dist/debian-packages.txt);
# Chromium only the report test (debian-packages-kit.txt).

$(DRAW_TEST_BIN): tests/kit/draw-test.c labs/include/memlab/draw.h $(BUILD)/lib/libruntime.a $(REF_LIBS)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -g -O0 $(INCLUDES) -o $@ tests/kit/draw-test.c $(LAYER_LIBS)

# Render every .dot of folder $(1) to .svg beside it.
draw_render = for f in $(1)/*.dot; do [ -e "$$f" ] || continue; \
	  dot -Tsvg "$$f" -o "$${f%.dot}.svg" || exit 1; done

# `make demo`'s recipe (Makefile): the demo runs with MEMLAB_PICTURES set,
# so draw_save writes each cell's pictures there; then DOT becomes SVG.
DEMO_PICTURES = $(BUILD)/demo/$(LAB)
define DEMO_RUN
@rm -rf $(DEMO_PICTURES) && mkdir -p $(DEMO_PICTURES)
MEMLAB_PICTURES=$(DEMO_PICTURES) $< $(DEMO_ARGS_$(LAB))
@$(call draw_render,$(DEMO_PICTURES))
@echo "pictures of the cells: $(DEMO_PICTURES)/ ($$(ls $(DEMO_PICTURES) | grep -c '\.svg$$') SVG files)"
endef
.PHONY: pictures

# docs/pictures/<lab>/: the reference's pictures, SVG only, one folder per lab,
# drawn without address randomisation (where an arena lands changes how many
# pools it has, and so the pools' pictures).
PICTURE_LABS = $(LAB_PRESENT)
# and one recorded trace replayed by the pools demo, drawn at two points
PICTURE_TRACE = tests/pools/traces/notebook.trace
NO_ASLR := $(shell setarch -R true 2>/dev/null && echo setarch -R)
pictures: $(foreach l,$(PICTURE_LABS),$(BUILD)/demo/reference/$(l))
	@for l in $(PICTURE_LABS); do \
	  out=$(or $(PICTURES_DIR),docs/pictures)/$$l; rm -rf "$$out"; mkdir -p "$$out"; \
	  MEMLAB_PICTURES="$$out" $(NO_ASLR) $(BUILD)/demo/reference/$$l > /dev/null || exit 1; \
	  $(call draw_render,$$out); rm -f "$$out"/*.dot; \
	done
	@$(if $(filter pools,$(PICTURE_LABS)),MEMLAB_PICTURES=$(or $(PICTURES_DIR),docs/pictures)/pools \
	  $(NO_ASLR) $(BUILD)/demo/reference/pools $(PICTURE_TRACE) 2 > /dev/null)
	@echo "pictures: $(or $(PICTURES_DIR),docs/pictures)/"
