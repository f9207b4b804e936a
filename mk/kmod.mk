# xlb.ko (owner: kernel module): kmod/*.c + lib/maglev.c, built by
# `make module` through Kbuild.  Its VM suites, tests/module_*.bats, talk to
# the module with tests/tools/xlbnl.py, compare tables with the reference
# tests/tools/maglev_ref.py (independent of lib/maglev.c)
# and bind the maps of build/xlb.bpf.o.
#
#   make check-module       only the module suites, one VM boot per kernel
#                           (two at a time, tests/vm/jobs.sh)
.PHONY: check-module

check-vm: bpf

check-module: module bpf
	@tests/vm/jobs.sh -j $(VM_JOBS) $(foreach k,$(KABIS),$(call vm_boot,$(k),$(kmod_suites)))

kmod_suites = $(filter-out tests/module_load.bats,$(sort $(wildcard tests/module_*.bats)))
