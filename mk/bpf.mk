# XDP object and its skeleton (owner: data path).
# -mcpu=v2: with v3 (32-bit ALU) the VM's 6.1 verifier loses the bounds of
# packet lengths and rejects the program; v2 verifies on 6.1 and 6.18.
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v2 -D__TARGET_ARCH_x86 -Wall -Werror \
	-Iinclude -Ilib -I/usr/include/x86_64-linux-gnu

.PHONY: bpf check-bpf bench-xdp
bpf: $(BUILD)/xlb.bpf.o $(BUILD)/xlb.skel.h

# The program's parts: bpf/xlb.bpf.c and the headers of bpf/lib/.
XLB_BPF_SRCS := bpf/xlb.bpf.c $(wildcard bpf/lib/*.h) include/uapi/xlb_maps.h \
	include/uapi/xlb_netlink.h lib/xlb_hash.h

$(BUILD)/xlb.bpf.o: $(XLB_BPF_SRCS) | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/xlb.skel.h: $(BUILD)/xlb.bpf.o
	$(BPFTOOL) gen skeleton $< name xlb > $@

# Host harness (tests/bpf/xlbh.c) shared by the fixture tests, the DSR
# publisher and the benchmark.
XLBH_SRCS  := tests/bpf/xlbh.c lib/maglev.c
XLBH_DEPS  := $(XLBH_SRCS) tests/bpf/xlbh.h lib/maglev.h lib/xlb_hash.h \
	include/uapi/xlb_maps.h $(BUILD)/xlb.skel.h
CFLAGS_XLBH := $(CFLAGS_USER) -Iinclude/uapi -Itests/bpf -Itests/unit

$(BUILD)/test_xdp: tests/bpf/test_xdp.c $(XLBH_DEPS) | $(BUILD)
	$(CC) $(CFLAGS_XLBH) -DMAGLEV_REF=\"$(abspath tests/tools/maglev_ref.py)\" \
		-o $@ $< $(XLBH_SRCS) $(LDLIBS_BPF)

# Fixture tests with BPF_PROG_TEST_RUN in a throwaway netns (root).
# "== PROGRAM" heads each TAP stream (.ci/run tells the streams apart).
check-bpf: $(BUILD)/test_xdp
	@echo "== $(BUILD)/test_xdp"
	tests/bpf/run.sh $(BUILD)/test_xdp

# Benchmark: `make bench-xdp` prints BENCH xdp <case> <ns> ns/pkt lines.
$(BUILD)/bench_xdp.bpf.o: tests/bench/bench_xdp.bpf.c tests/bench/bench_bucket.h $(XLB_BPF_SRCS) | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bench_xdp.skel.h: $(BUILD)/bench_xdp.bpf.o
	$(BPFTOOL) gen skeleton $< name bench_xdp > $@

$(BUILD)/bench_xdp: tests/bench/bench_xdp.c tests/bench/bench_bucket.h $(XLBH_DEPS) $(BUILD)/bench_xdp.skel.h | $(BUILD)
	$(CC) $(CFLAGS_XLBH) -o $@ $< $(XLBH_SRCS) $(LDLIBS_BPF)

bench-xdp: $(BUILD)/bench_xdp
	tests/bpf/run.sh $(BUILD)/bench_xdp

# Host DSR test: publisher + backend decapsulation program.
$(BUILD)/xlb_pub: tests/host/xlb_pub.c $(XLBH_DEPS) | $(BUILD)
	$(CC) $(CFLAGS_XLBH) -o $@ $< $(XLBH_SRCS) $(LDLIBS_BPF)

$(BUILD)/decap.bpf.o: tests/host/decap.bpf.c | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

.PHONY: check-dsr
check-dsr: $(BUILD)/xlb_pub $(BUILD)/decap.bpf.o $(BUILD)/xdp_pass.bpf.o
	@echo "== tests/host/dsr.sh"
	tests/host/dsr.sh $(BUILD)

check-bpf: check-dsr

# Connection table under a flood and over time (tests/bpf/test_ct.c), on
# the benchmark object with a clock the test drives.
$(BUILD)/ct_clock.bpf.o: tests/bpf/ct_clock.bpf.c tests/bench/bench_xdp.bpf.c tests/bench/bench_bucket.h $(XLB_BPF_SRCS) | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/ct_clock.skel.h: $(BUILD)/ct_clock.bpf.o
	$(BPFTOOL) gen skeleton $< name ct_clock > $@

$(BUILD)/test_ct: tests/bpf/test_ct.c $(XLBH_DEPS) $(BUILD)/ct_clock.skel.h | $(BUILD)
	$(CC) $(CFLAGS_XLBH) -o $@ $< $(XLBH_SRCS) $(LDLIBS_BPF)

check-bpf: check-ct
.PHONY: check-ct
check-ct: $(BUILD)/test_ct
	@echo "== $(BUILD)/test_ct"
	tests/bpf/run.sh $(BUILD)/test_ct
