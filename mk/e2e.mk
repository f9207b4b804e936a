# End-to-end traffic tools (owner: end-to-end).  They run inside the VM's
# network namespaces: namesrv is the backend server, flowgen the client.
.PHONY: e2e-tools
E2E_TOOLS := $(BUILD)/flowgen $(BUILD)/namesrv $(BUILD)/xdp_pass.bpf.o \
	$(BUILD)/watch.bpf.o $(BUILD)/outerwatch
e2e-tools: $(E2E_TOOLS)

$(BUILD)/flowgen: tests/e2e/flowgen.c | $(BUILD)
	$(CC) $(CFLAGS_USER) -o $@ $<

$(BUILD)/namesrv: tests/e2e/namesrv.c | $(BUILD)
	$(CC) $(CFLAGS_USER) -o $@ $<

$(BUILD)/outerwatch: tests/e2e/outerwatch.c | $(BUILD)
	$(CC) $(CFLAGS_USER) -o $@ $<

$(BUILD)/xdp_pass.bpf.o: tests/e2e/xdp_pass.bpf.c | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/watch.bpf.o: tests/e2e/watch.bpf.c include/uapi/xlb_maps.h | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# The VM suites tests/e2e*.bats and the demo run them.
check-vm: e2e-tools
demo: setup e2e-tools
