# Extra rules for the tree copy make mutants builds in (tests/mutants/run.sh
# runs make -f Makefile -f this).  Relinking a test after each mutant must
# not recompile its source and the support objects every time: the tests
# are compiled to objects of their own, and no intermediate is deleted.
.SECONDARY:

$(TEST_BIN): $(B)/tests/%: $(B)/tests/obj/%.o $(SUPPORT_OBJ) $(LIBS_A)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(SUPPORT_OBJ) $(LINK_LIBS) $(LDLIBS_ALL)

$(REPLAY_BIN): $(B)/tests/replay_%: $(B)/tests/obj/%.o \
    $(B)/tests/obj/replay.o $(SUPPORT_OBJ) $(LIBS_A)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(B)/tests/obj/replay.o $(SUPPORT_OBJ) \
	    $(LINK_LIBS) $(LDLIBS_ALL)

$(B)/tests/obj/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests -MMD -MP -c -o $@ $<

$(B)/tests/obj/%.o: tests/fuzz/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests -MMD -MP -c -o $@ $<
