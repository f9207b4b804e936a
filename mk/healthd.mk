# xlb-healthd, the health checker daemon (Documentation/health.md).
#
# It shares lbctl's netlink layer (user/nl.c), the configuration reader
# (user/state.c) and the parsers; user/health.c is also linked into lbctl
# and the host unit test, so it stays free of netlink.
.PHONY: healthd install-healthd
HEALTHD_SRCS := $(addprefix user/,healthd.c checks.c nl.c state.c parse.c \
	health.c announce.c announce_hd.c announce_xlb.c)
healthd: $(BUILD)/xlb-healthd

$(BUILD)/xlb-healthd: $(HEALTHD_SRCS) $(wildcard user/*.h) lib/maglev.c include/uapi/*.h | $(BUILD)
	$(CC) $(CFLAGS_USER) $(CFLAGS_NL) -o $@ $(HEALTHD_SRCS) lib/maglev.c $(LDLIBS_NL)

$(BUILD)/test_health: tests/unit/test_health.c user/health.c user/health.h user/parse.c lib/maglev.c tests/unit/tap.h | $(BUILD)
	$(CC) $(CFLAGS_USER) -Iuser -Itests/unit -o $@ $< user/health.c user/parse.c lib/maglev.c

UNIT_TESTS += $(BUILD)/test_health

install-healthd: $(BUILD)/xlb-healthd
	install -D -m 0755 $(BUILD)/xlb-healthd $(DESTDIR)$(PREFIX)/sbin/xlb-healthd

# tests/healthd.bats runs the daemon in the VM.
check-vm: $(BUILD)/xlb-healthd
