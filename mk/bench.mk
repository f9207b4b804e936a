# Benchmarks (owner: benchmarks + quality gates).
# Documentation/performance.md describes every figure and how it is measured.
#
#   make bench          everything below, then one table (build/bench/)
#   make bench-bpf      verifier figures and map memory on the host kernel
#   make bench-vm       in one VM boot: verifier figures on the VM kernel,
#                       lbctl vs IPVS control plane, module memory
# bench-xdp and bench-maglev come from the data-path and Maglev fragments.
#   make bench-xdp-ab BASE=<commit>
#                       bench-xdp of this tree and of BASE's data path,
#                       alternately in one run, with the speedup per case
.PHONY: bench bench-bpf bench-vm bench-xdp-ab

BENCH_DIR := $(BUILD)/bench

$(BUILD)/bpf_info: tests/bench/bpf_info.c include/uapi/xlb_maps.h | $(BUILD)
	$(CC) $(CFLAGS_USER) -o $@ $< $(LDLIBS_BPF)

bench-bpf: $(BUILD)/bpf_info $(BUILD)/xlb.bpf.o
	$(BUILD)/bpf_info $(BUILD)/xlb.bpf.o

# Under TCG the control-plane part takes 10-20 minutes (5 runs of 100
# process starts per system dominate).
bench-vm: $(BUILD)/bpf_info $(BUILD)/xlb.bpf.o lbctl module
	XLB_VM_TIMEOUT=$${XLB_VM_TIMEOUT:-3600} \
		tests/vm/run.sh --kabi $(KABI) --script tests/bench/vm_bench.sh

bench:
	tests/bench/run.sh $(BENCH_DIR)

bench-xdp-ab:
	tests/bench/xdp_ab.sh $(or $(BASE),main) $(or $(ROUNDS),3)

# tests/verifier.bats (a VM suite) uses bpf_info.
check-vm: $(BUILD)/bpf_info
