# SPDX-License-Identifier: GPL-2.0
#
# xlb top-level Makefile.  `make` builds the module (against the VM kernel's
# headers), the XDP object with its libbpf skeleton, and lbctl.
# `make check` installs what it needs (scripts/setup.sh) and runs every test.
# Each part's rules live in mk/<part>.mk; this file holds what they share.

# Kernel ABIs pinned to the installed header metapackages (scripts/kabi.sh):
# KABI is the default kernel (make install, lint), KABIS every kernel that
# `make module` builds for and `make check-vm` boots.  KABI=<abi> (or a
# series: KABI=6.12) on the command line narrows KABIS to that kernel;
# KDIR=<dir> (with one ABI) builds against other headers.
KABI	?= $(shell scripts/kabi.sh 2>/dev/null)
ifeq ($(origin KABI),command line)
ifeq ($(findstring -,$(KABI)),)
# A series (KABI=6.12): the ABI its metapackage points at.
override KABI := $(shell scripts/kabi.sh $(KABI))
$(if $(KABI),,$(error KABI: unknown kernel series (scripts/kabi.sh)))
endif
endif
KABIS	?= $(if $(filter command line override,$(origin KABI)),$(KABI),$(shell scripts/kabi.sh --all 2>/dev/null))
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
.PHONY: all module check check-unit check-bpf check-vm setup clean version

# The version, defined once in include/xlb_version.h (`make version`).
XLB_VERSION := $(shell sed -n 's/^\#define XLB_VERSION "\(.*\)"$$/\1/p' include/xlb_version.h)

all: module bpf lbctl healthd

# One kbuild tree per kernel, build/kmod/<abi>/ -> build/kmod/<abi>/xlb.ko.
# Kbuild writes objects next to the sources (M=), so each tree mirrors
# Kbuild, include/, kmod/ and lib/ with symlinks and the kernels' objects
# never mix; kbuild rebuilds incrementally in each tree.
KMOD_LINKS = Kbuild include $(wildcard kmod/*.[ch] lib/*.[ch])
kmod_kdir = $(if $(filter command line environment,$(origin KDIR)),$(KDIR),/usr/src/linux-headers-$(1))

module: $(KABIS:%=module-%)

module-%:
	@$(if $(filter command line environment,$(origin KDIR)),$(if $(word 2,$(KABIS)),\
		echo "make: KDIR=$(KDIR) needs one kernel: add KABI=<abi>" >&2; exit 1;))
	@test -d $(call kmod_kdir,$*) || \
		{ echo "make: no kernel headers at $(call kmod_kdir,$*) (scripts/setup.sh)" >&2; exit 1; }
	@mkdir -p $(BUILD)/kmod/$*/kmod $(BUILD)/kmod/$*/lib
	@find $(BUILD)/kmod/$* -xtype l -delete
	@for f in $(KMOD_LINKS); do ln -sfn $(CURDIR)/$$f $(BUILD)/kmod/$*/$$f; done
	$(MAKE) -C $(call kmod_kdir,$*) M=$(abspath $(BUILD)/kmod/$*) modules

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
# Each stage's wall time is printed after it ("==== make X: N s").
CHECK_STAGES := lint check-unit check-asan check-bpf check-fuzz-short check-vm check-deb

check: setup
	$(MAKE) all
	@failed=; for s in $(CHECK_STAGES); do \
		echo "==== make $$s"; t0=$$(date +%s); \
		$(MAKE) $$s || failed="$$failed $$s"; \
		echo "==== make $$s: $$(($$(date +%s) - t0)) s"; \
	done; \
	if [ -n "$$failed" ]; then echo "==== make check FAILED:$$failed"; exit 1; fi; \
	echo "==== make check passed: $(CHECK_STAGES)"

setup:
	scripts/setup.sh

version:
	@echo $(XLB_VERSION)

clean:
	rm -rf $(BUILD)
	rm -f xlb.ko xlb.mod xlb.mod.c xlb.mod.o xlb.o modules.order Module.symvers .*.cmd
	find kmod lib -name '*.o' -o -name '.*.cmd' -o -name '*.mod' | xargs rm -f
