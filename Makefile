# SPDX-License-Identifier: GPL-2.0
#
# xlb top-level Makefile.  `make` builds the module (against the VM kernel's
# headers), the XDP object with its skeleton, and lbctl.  See README.md.

# Kernel ABI pinned to the installed linux-headers-amd64 metapackage.
KABI	?= $(shell scripts/kabi.sh 2>/dev/null)
KDIR	?= /usr/src/linux-headers-$(KABI)
BUILD	:= build
CC	?= gcc
CLANG	?= clang
BPFTOOL	?= bpftool

CFLAGS_USER := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Iinclude -Ilib -I$(BUILD)
LDLIBS_NL   := $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null || echo -lnl-genl-3 -lnl-3)
CFLAGS_NL   := $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null || echo -I/usr/include/libnl3)
LDLIBS_BPF  := -lbpf -lelf -lz

.DELETE_ON_ERROR:
.PHONY: all module bpf lbctl check check-unit check-bpf check-vm setup demo \
	bench bench-maglev bench-xdp fuzz lint format check-asan install clean

all: module bpf lbctl

# ---------------------------------------------------------------- module
module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# ---------------------------------------------------------------- bpf
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror \
	-Iinclude -Ilib -I/usr/include/x86_64-linux-gnu

bpf: $(BUILD)/xlb.bpf.o $(BUILD)/xlb.skel.h

$(BUILD)/xlb.bpf.o: bpf/xlb.bpf.c $(wildcard bpf/*.h) include/uapi/xlb_maps.h lib/xlb_hash.h | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/xlb.skel.h: $(BUILD)/xlb.bpf.o
	$(BPFTOOL) gen skeleton $< name xlb > $@

$(BUILD):
	mkdir -p $@

# ---------------------------------------------------------------- lbctl
LBCTL_SRCS := $(wildcard user/*.c)
lbctl: $(BUILD)/lbctl

$(BUILD)/lbctl: $(LBCTL_SRCS) $(wildcard user/*.h) lib/maglev.c $(BUILD)/xlb.skel.h | $(BUILD)
	$(CC) $(CFLAGS_USER) $(CFLAGS_NL) -o $@ $(LBCTL_SRCS) lib/maglev.c $(LDLIBS_NL) $(LDLIBS_BPF)

# ---------------------------------------------------------------- tests
check: setup all check-unit check-bpf check-vm

setup:
	scripts/setup.sh

clean:
	rm -rf $(BUILD)
	rm -f xlb.ko xlb.mod xlb.mod.c xlb.mod.o xlb.o modules.order Module.symvers .*.cmd
	find kmod lib -name '*.o' -o -name '.*.cmd' | xargs rm -f
