# SPDX-License-Identifier: GPL-2.0
#
# xlb top-level Makefile.  `make` builds the module (against the VM kernel's
# headers), the XDP object with its libbpf skeleton, and lbctl.
# `make check` installs what it needs (scripts/setup.sh) and runs every test.
# Each part's rules live in mk/<part>.mk; this file holds what they share.

# Kernel ABI pinned to the installed linux-headers-amd64 metapackage.
KABI	?= $(shell scripts/kabi.sh 2>/dev/null)
KDIR	?= /usr/src/linux-headers-$(KABI)
BUILD	:= build
CC	:= gcc
CLANG	?= clang
BPFTOOL	?= bpftool
PREFIX	?= /usr/local
DESTDIR	?=

CFLAGS_USER := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Iinclude -Ilib -I$(BUILD)
CFLAGS_NL   := $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null || echo -I/usr/include/libnl3)
LDLIBS_NL   := $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null || echo -lnl-genl-3 -lnl-3)
LDLIBS_BPF  := -lbpf -lelf -lz

# Fragments append host unit-test binaries here; check-unit runs each one.
UNIT_TESTS :=

.DELETE_ON_ERROR:
.PHONY: all module check check-unit check-bpf check-vm setup clean

all: module bpf lbctl

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

$(BUILD):
	mkdir -p $@

include $(sort $(wildcard mk/*.mk))

# Every unit test runs, even after one failed; the failed ones are listed
# and the exit status is non-zero.  "== PATH" heads each one's TAP output
# (.ci/run counts tests per binary: check-asan's rerun adds none).
check-unit: $(UNIT_TESTS)
	@failed=; for t in $(UNIT_TESTS); do \
		echo "== $$t"; \
		$$t || { echo "== $$t: exit status $$?"; failed="$$failed $$t"; }; \
	done; \
	if [ -n "$$failed" ]; then echo "== check-unit FAILED:$$failed"; exit 1; fi

# Every stage runs even when an earlier one failed, so one run reports all
# failures; the failed stages are listed and the exit status is non-zero.
CHECK_STAGES := lint check-unit check-asan check-bpf check-fuzz-short check-vm

check: setup
	$(MAKE) all
	@failed=; for s in $(CHECK_STAGES); do \
		echo "==== make $$s"; \
		$(MAKE) $$s || failed="$$failed $$s"; \
	done; \
	if [ -n "$$failed" ]; then echo "==== make check FAILED:$$failed"; exit 1; fi; \
	echo "==== make check passed: $(CHECK_STAGES)"

setup:
	scripts/setup.sh

clean:
	rm -rf $(BUILD)
	rm -f xlb.ko xlb.mod xlb.mod.c xlb.mod.o xlb.o modules.order Module.symvers .*.cmd
	find kmod lib -name '*.o' -o -name '.*.cmd' -o -name '*.mod' | xargs rm -f
