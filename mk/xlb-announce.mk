# The VIP announcer (owner: BGP; Documentation/scale-out.md):
#   user/announce.c     decision and routing table (rtnetlink), no libbpf;
#                       linked into xlb-healthd with announce_hd.c (its hook)
#   user/announce_xlb.c from the module's state (lbctl's netlink code):
#                       "can this node serve VIPs" (both daemons) and one
#                       round of the driver build/xlb-announce
# and the host unit tests of announce.c and of the driver.
.PHONY: xlb-announce
ANNOUNCE_SRCS := $(addprefix user/,xlb-announce.c announce.c announce_xlb.c \
	nl.c parse.c state.c health.c err.c)
xlb-announce: $(BUILD)/xlb-announce
all: xlb-announce

$(BUILD)/xlb-announce: $(ANNOUNCE_SRCS) $(wildcard user/*.h) lib/maglev.c lib/maglev.h include/uapi/*.h | $(BUILD)
	$(CC) $(CFLAGS_USER) $(CFLAGS_NL) -o $@ $(ANNOUNCE_SRCS) lib/maglev.c $(LDLIBS_NL)

$(BUILD)/test_announce: tests/unit/test_announce.c user/announce.c user/announce.h user/parse.c user/parse.h lib/maglev.c lib/maglev.h tests/unit/tap.h | $(BUILD)
	$(CC) $(CFLAGS_USER) -Itests/unit -Iuser -o $@ $< user/announce.c user/parse.c lib/maglev.c $(LDLIBS_BPF)

UNIT_TESTS += $(BUILD)/test_announce

# The driver on the host, without the module: options, exit codes, signals.
UNIT_TESTS += tests/unit/test_xlb_announce.sh
check-unit: $(BUILD)/xlb-announce $(BUILD)/xlb.bpf.o

# The VM suites (tests/e2e_bgp.bats) and the demo run the driver.
check-vm: xlb-announce healthd
demo: xlb-announce
