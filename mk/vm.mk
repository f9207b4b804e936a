# The VM test loop (owner: foundation).  tests/vm/run.sh boots the VM
# kernel under QEMU TCG once and runs the bats suites in the guest.
#
#   make check-vm                 every tests/*.bats in one VM boot
#   make check-vm SUITES="tests/module_load.bats"
#   make demo                     setup + build + tests/demo/demo.sh in the VM
#
# XLB_VM_TIMEOUT (seconds, default 2400) kills a hung guest.  A fragment
# whose suites need more built adds a prerequisite: `check-vm: <target>`.
.PHONY: check-vm demo

check-vm: module lbctl
	tests/vm/run.sh $(SUITES)

demo: setup
	$(MAKE) all
	tests/vm/run.sh --script tests/demo/demo.sh
