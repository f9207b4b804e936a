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

# tests/deb.bats runs in `make check-deb` only (mk/deb.mk).
VM_SUITES_ALL := $(filter-out tests/deb.bats,$(sort $(wildcard tests/*.bats)))
# The suites whose outcome depends on the kernel's module, netlink and BPF
# APIs (everything kmod/compat.h and the verifier are about).
VM_SUITES_KAPI := $(sort $(wildcard tests/module_*.bats)) tests/verifier.bats
VM_FULL_KABI := $(lastword $(KABIS))
vm_suites = $(or $(SUITES),$(if $(VM_ALL)$(filter $(1),$(VM_FULL_KABI)),$(VM_SUITES_ALL),$(VM_SUITES_KAPI)))

# The suites of one kernel, as boots run side by side (tests/vm/jobs.sh):
# the full kernel's suites in five boots (end-to-end n-z; end-to-end a-m;
# lbctl and hardening; module suites m-z with the verifier; healthd with
# module suites a-l), every other kernel in one boot.  VM_JOBS (default 2)
# boots run at a time, in the order given, the next starting when one
# ends; VM_JOBS=1 runs them one after the other.  The guests keep both host
# cores busy: balance the boots, the total does not shrink.  Order: the
# other kernels' boots first, then the full kernel's, longest first.  Session
# 10, busy host, four boots for the full kernel: lbctl and hardening 671 s,
# end-to-end a-m 686 s, n-z 748 s, the rest 951 s, and 6.1's boot 773 s;
# run in that order, the last boot started at 1419 s and check-vm took
# 2202 s, one core idle for its last 555 s.  Split and reordered as now:
# 6.1 745 s, n-z 691 s, a-m 647 s, lbctl 617 s, healthd + module a-l
# 335 s, module m-z + verifier 518 s; check-vm 1889 s (make check 2274 s).
# Session 12, a busier host: 6.1 1147 s, n-z 847, a-m 805, lbctl 758,
# module m-z + verifier 629, healthd + module a-l 363; in that order (m-z
# after healthd) check-vm took 2542 s, where longest-first, as now, ends
# the two slots at 2268 and 2281 s.
VM_JOBS ?= 2
VM_GROUP_1 = $(filter tests/lbctl_%.bats tests/hardening%.bats,$(1))
VM_GROUP_2 = $(filter $(addprefix tests/e2e_,$(addsuffix %.bats,a b c d e f g h i j k l m)),$(1))
VM_GROUP_3 = $(filter-out $(call VM_GROUP_2,$(1)),$(filter tests/e2e_%.bats,$(1)))
VM_GROUP_REST = $(filter-out $(call VM_GROUP_1,$(1)) $(filter tests/e2e_%.bats,$(1)),$(1))
VM_GROUP_5 = $(filter $(addprefix tests/module_,$(addsuffix %.bats,m n o p q r s t u v w x y z)) tests/verifier.bats,$(1))
VM_GROUP_4 = $(filter-out $(call VM_GROUP_5,$(1)),$(call VM_GROUP_REST,$(1)))
vm_split = $(call vm_boot,$(1),$(call VM_GROUP_3,$(2))) \
	$(call vm_boot,$(1),$(call VM_GROUP_2,$(2))) \
	$(call vm_boot,$(1),$(call VM_GROUP_1,$(2))) \
	$(call vm_boot,$(1),$(call VM_GROUP_5,$(2))) \
	$(call vm_boot,$(1),$(call VM_GROUP_4,$(2)))
vm_groups = $(if $(and $(filter $(1),$(VM_FULL_KABI)),$(if $(SUITES),,x)),\
	$(call vm_split,$(1),$(call vm_suites,$(1))),\
	$(call vm_boot,$(1),$(call vm_suites,$(1))))
vm_boot = $(if $(strip $(2)),'$(1) $(strip $(2))')

check-vm: module lbctl
	@tests/vm/jobs.sh -j $(VM_JOBS) $(foreach k,$(filter-out \
		$(VM_FULL_KABI),$(KABIS)) $(VM_FULL_KABI),$(call vm_groups,$(k)))

demo: setup
	$(MAKE) all
	tests/vm/run.sh --kabi $(KABI) --script tests/demo/demo.sh
