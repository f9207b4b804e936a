# XDP object and its skeleton (owner: data path).
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror \
	-Iinclude -Ilib -I/usr/include/x86_64-linux-gnu

.PHONY: bpf check-bpf bench-xdp
bpf: $(BUILD)/xlb.bpf.o $(BUILD)/xlb.skel.h

$(BUILD)/xlb.bpf.o: bpf/xlb.bpf.c $(wildcard bpf/*.h) include/uapi/xlb_maps.h lib/xlb_hash.h | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/xlb.skel.h: $(BUILD)/xlb.bpf.o
	$(BPFTOOL) gen skeleton $< name xlb > $@
