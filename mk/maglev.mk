# Maglev core (owner: maglev): unit tests, benchmark, maglev-tool.
# lib/maglev.c itself is built into xlb.ko (Kbuild) and linked into userspace
# programs directly.
.PHONY: bench-maglev maglev-tool

MAGLEV_DEPS := lib/maglev.c lib/maglev.h lib/xlb_hash.h include/uapi/xlb_maps.h \
	include/uapi/xlb_netlink.h
MAGLEV_TEST_DEPS := $(MAGLEV_DEPS) tests/unit/tap.h tests/unit/maglev_test_util.h

$(BUILD)/test_maglev: tests/unit/test_maglev.c $(MAGLEV_TEST_DEPS) | $(BUILD)
	$(CC) $(CFLAGS_USER) -Itests/unit -o $@ $< lib/maglev.c -lm

$(BUILD)/test_xlb_hash: tests/unit/test_xlb_hash.c $(MAGLEV_TEST_DEPS) | $(BUILD)
	$(CC) $(CFLAGS_USER) -Itests/unit -o $@ $< -lm

UNIT_TESTS += $(BUILD)/test_maglev $(BUILD)/test_xlb_hash

$(BUILD)/bench_maglev: tests/bench/bench_maglev.c $(MAGLEV_TEST_DEPS) | $(BUILD)
	$(CC) $(CFLAGS_USER) -Itests/unit -o $@ $< lib/maglev.c

bench-maglev: $(BUILD)/bench_maglev
	$(BUILD)/bench_maglev

maglev-tool: $(BUILD)/maglev-tool

$(BUILD)/maglev-tool: tests/tools/maglev_tool.c $(MAGLEV_DEPS) | $(BUILD)
	$(CC) $(CFLAGS_USER) -o $@ $< lib/maglev.c

# maglev-tool's own checks: a wrapper naming the tool built here.
$(BUILD)/test_maglev_tool: tests/unit/test_maglev_tool.sh $(BUILD)/maglev-tool
	printf '#!/bin/sh\nexec %s %s\n' $(abspath $<) $(abspath $(BUILD)/maglev-tool) > $@
	chmod +x $@

UNIT_TESTS += $(BUILD)/test_maglev_tool

# lib/maglev.c (through maglev-tool) against the independent reference
# tests/tools/maglev_ref.py, and the weighted rounding rule.
$(BUILD)/test_maglev_ref: tests/unit/test_maglev_ref.py tests/tools/maglev_ref.py $(BUILD)/maglev-tool
	printf '#!/bin/sh\nexec python3 %s %s\n' $(abspath $<) $(abspath $(BUILD)/maglev-tool) > $@
	chmod +x $@

UNIT_TESTS += $(BUILD)/test_maglev_ref
