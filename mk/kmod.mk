# xlb.ko (owner: kernel module): kmod/*.c + lib/maglev.c, built by
# `make module` through Kbuild.  Its VM suites, tests/module_*.bats, talk to
# the module with tests/tools/xlbnl.py, compare tables with build/maglev-tool
# and bind the maps of build/xlb.bpf.o.
#
#   make check-module       only the module suites, in one VM boot
.PHONY: check-module

check-vm: maglev-tool bpf

check-module: module maglev-tool bpf
	tests/vm/run.sh $(filter-out tests/module_load.bats,$(sort $(wildcard tests/module_*.bats)))
