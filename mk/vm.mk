# The VM test loop (owner: foundation).  tests/vm/run.sh boots one VM
# kernel under QEMU TCG once and runs the bats suites in the guest.
#
#   make check-vm                 one boot per kernel of KABIS: the newest
#                                 kernel (6.12) runs every tests/*.bats, the
#                                 others (6.1) the kernel-API suites below
#   make check-vm VM_ALL=1        every suite on every kernel
#   make check-vm KABI=6.1        every suite on that one kernel
#   make check-vm SUITES="tests/module_load.bats"    these, on every kernel
#   make demo                     setup + build + tests/demo/demo.sh in the
#                                 VM, on the default kernel (KABI)
#
# Why the split: Documentation/architecture.md, "Two kernels in check-vm".
# XLB_VM_TIMEOUT (seconds, default 2400) kills a hung guest.  A fragment
# whose suites need more built adds a prerequisite: `check-vm: <target>`.
.PHONY: check-vm demo

VM_SUITES_ALL := $(sort $(wildcard tests/*.bats))
# The suites whose outcome depends on the kernel's module, netlink and BPF
# APIs (everything kmod/compat.h and the verifier are about).
VM_SUITES_KAPI := $(sort $(wildcard tests/module_*.bats)) tests/verifier.bats
VM_FULL_KABI := $(lastword $(KABIS))
vm_suites = $(or $(SUITES),$(if $(VM_ALL)$(filter $(1),$(VM_FULL_KABI)),$(VM_SUITES_ALL),$(VM_SUITES_KAPI)))

# vm_each: one tests/vm/run.sh per kernel of KABIS, with the arguments
# $(call $(1),<abi>); every kernel runs even when one fails.  Each run starts
# with a "==== kernel <abi>" line, so the TAP streams can be told apart, and
# the failed kernels are listed at the end.
vm_each = failed=; \
	$(foreach k,$(KABIS),echo "==== kernel $(k): $(call $(1),$(k))"; \
		tests/vm/run.sh --kabi $(k) $(call $(1),$(k)) || failed="$$failed $(k)";) \
	if [ -n "$$failed" ]; then echo "==== VM runs FAILED on:$$failed"; exit 1; fi

check-vm: module lbctl
	@$(call vm_each,vm_suites)

demo: setup
	$(MAKE) all
	tests/vm/run.sh --kabi $(KABI) --script tests/demo/demo.sh
