# lbctl (owner: CLI).
#
# lbctl is built from the files in LBCTL_SRCS.  user/parse.c is also linked into the
# host unit test, so it must stay free of netlink and libbpf.  The XDP
# object is embedded through its skeleton (build/xlb.skel.h).
.PHONY: lbctl install-lbctl
LBCTL_SRCS := $(addprefix user/,lbctl.c nl.c parse.c json.c service.c \
	backend.c show.c lookup.c config.c stats.c metrics.c attach.c save.c \
	monitor.c pins.c vlan.c state.c health.c err.c health_cli.c)
lbctl: $(BUILD)/lbctl

# libnl, libbpf, libelf and zlib are linked statically: every lbctl command
# would otherwise pay for loading and relocating them at process start (a
# `set` is mostly process start), and most commands (all but attach, detach,
# stats and the pins) never call libbpf.  Only libc stays shared.  The libbpf
# that built the embedded skeleton is the one that runs it.
LDLIBS_BPF_STATIC := -Wl,-Bstatic $(LDLIBS_NL) $(LDLIBS_BPF) -Wl,-Bdynamic

$(BUILD)/lbctl: $(LBCTL_SRCS) $(wildcard user/*.h) lib/maglev.c lib/maglev.h include/uapi/*.h include/xlb_version.h $(BUILD)/xlb.skel.h | $(BUILD)
	$(CC) $(CFLAGS_USER) $(CFLAGS_NL) -o $@ $(LBCTL_SRCS) lib/maglev.c $(LDLIBS_BPF_STATIC)

$(BUILD)/test_lbctl_parse: tests/unit/test_lbctl_parse.c user/parse.c user/parse.h lib/maglev.c lib/maglev.h tests/unit/tap.h | $(BUILD)
	$(CC) $(CFLAGS_USER) -Itests/unit -o $@ $< user/parse.c lib/maglev.c

# The bash completion is driven by a script with a stand-in lbctl.
UNIT_TESTS += $(BUILD)/test_lbctl_parse tests/unit/test_lbctl_completion.sh

# One version everywhere (include/xlb_version.h).
UNIT_TESTS += tests/unit/test_version.sh
tests/unit/test_version.sh: $(BUILD)/lbctl

# The command line up to the module (options, keywords, numbers).
UNIT_TESTS += tests/unit/test_lbctl_cli.sh
tests/unit/test_lbctl_cli.sh: $(BUILD)/lbctl

install-lbctl: $(BUILD)/lbctl
	install -D -m 0755 $(BUILD)/lbctl $(DESTDIR)$(PREFIX)/sbin/lbctl
	install -D -m 0644 Documentation/lbctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/lbctl.8
	install -D -m 0644 user/lbctl.bash-completion $(DESTDIR)$(PREFIX)/share/bash-completion/completions/lbctl

# Host test of detach without pins (root, a namespace of its own); part of
# check-bpf, which runs the other root host tests.
.PHONY: check-detach
check-detach: $(BUILD)/lbctl $(BUILD)/xlb.bpf.o $(BUILD)/xdp_pass.bpf.o
	@echo "== tests/host/lbctl_detach.sh"
	tests/host/lbctl_detach.sh $(BUILD)

check-bpf: check-detach
