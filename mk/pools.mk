# mk/pools.mk -- extra rules of the pools lab: the allocation recorder, the
# replay driver and the performance tools, and `make bench-pools`.
# (The lab's library and test binaries come from the Makefile's LAB_RULES.)
