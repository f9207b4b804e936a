# The VIP announcer (owner: BGP): user/announce.c and announce_xlb.c, linked
# into xlb-healthd and into their own driver build/xlb-announce; the host
# unit test of announce.c.
#
# The announcer reads the module's state with lbctl's netlink code: every
# lbctl source but lbctl.c (its main; the driver has its own and sets
# lb_prog).  This file is named to sort after mk/lbctl.mk: it reuses
# LBCTL_SRCS.
.PHONY: xlb-announce
ANNOUNCE_SRCS := user/announce.c user/announce_xlb.c $(filter-out user/lbctl.c,$(LBCTL_SRCS))
xlb-announce: $(BUILD)/xlb-announce
all: xlb-announce

$(BUILD)/xlb-announce: user/xlb-announce.c $(ANNOUNCE_SRCS) $(wildcard user/*.h) lib/maglev.c lib/maglev.h include/uapi/*.h $(BUILD)/xlb.skel.h | $(BUILD)
	$(CC) $(CFLAGS_USER) $(CFLAGS_NL) -o $@ user/xlb-announce.c $(ANNOUNCE_SRCS) lib/maglev.c $(LDLIBS_NL) $(LDLIBS_BPF_STATIC)

$(BUILD)/test_announce: tests/unit/test_announce.c user/announce.c user/announce.h user/parse.c user/parse.h lib/maglev.c lib/maglev.h tests/unit/tap.h | $(BUILD)
	$(CC) $(CFLAGS_USER) -Itests/unit -Iuser -o $@ $< user/announce.c user/parse.c lib/maglev.c

UNIT_TESTS += $(BUILD)/test_announce

# The VM suites (tests/e2e_bgp.bats) and the demo run the driver.
check-vm: xlb-announce
demo: xlb-announce
