# The VM test loop (owner: foundation).  tests/vm/run.sh boots one VM
# kernel under QEMU TCG once and runs the bats suites in the guest.
#
#   make check-vm                 every tests/*.bats, one boot per kernel
#                                 of KABIS (Debian's 6.1 and 6.12)
#   make check-vm SUITES="tests/module_load.bats"
#   make check-vm KABI=6.12.117+deb12-amd64      one kernel only
#   make demo                     setup + build + tests/demo/demo.sh in the
#                                 VM, on the default kernel (KABI)
#
# XLB_VM_TIMEOUT (seconds, default 2400) kills a hung guest.  A fragment
# whose suites need more built adds a prerequisite: `check-vm: <target>`.
.PHONY: check-vm demo

# vm_each: run tests/vm/run.sh ARGS once per kernel of KABIS, every kernel
# even when one fails; each run starts with a "==== kernel <abi>" line so
# the TAP streams can be told apart, and the failed kernels are listed.
vm_each = failed=; for k in $(KABIS); do \
		echo "==== kernel $$k: tests/vm/run.sh $(1)"; \
		tests/vm/run.sh --kabi $$k $(1) || failed="$$failed $$k"; \
	done; \
	if [ -n "$$failed" ]; then echo "==== VM runs FAILED on:$$failed"; exit 1; fi

check-vm: module lbctl
	@$(call vm_each,$(SUITES))

demo: setup
	$(MAKE) all
	tests/vm/run.sh --kabi $(KABI) --script tests/demo/demo.sh
