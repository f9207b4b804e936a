# lbctl (owner: CLI).
.PHONY: lbctl
LBCTL_SRCS := $(wildcard user/*.c)
lbctl: $(BUILD)/lbctl

$(BUILD)/lbctl: $(LBCTL_SRCS) $(wildcard user/*.h) lib/maglev.c lib/maglev.h include/uapi/*.h $(BUILD)/xlb.skel.h | $(BUILD)
	$(CC) $(CFLAGS_USER) $(CFLAGS_NL) -o $@ $(LBCTL_SRCS) lib/maglev.c $(LDLIBS_NL) $(LDLIBS_BPF)
