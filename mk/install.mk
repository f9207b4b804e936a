# make install DESTDIR=... PREFIX=... (owner: foundation).
#   lbctl       -> $(DESTDIR)$(PREFIX)/sbin/lbctl
#   build/kmod/$(KABI)/xlb.ko -> $(DESTDIR)/lib/modules/$(KABI)/extra/xlb.ko
#               (the default kernel; KABI=<abi> for another)
#   Documentation/*.8 and *.7 (install-man), user/lbctl.bash-completion
#               when present.
# No xlb.bpf.o: lbctl embeds the XDP program (build/xlb.skel.h).
# Run depmod yourself after installing to a live system.
.PHONY: install

INSTALL_MANS := $(wildcard Documentation/*.8)
INSTALL_MANS7 := $(wildcard Documentation/*.7)
INSTALL_COMPLETION := $(wildcard user/lbctl.bash-completion)

install: all install-man
	install -D -m 0755 $(BUILD)/lbctl $(DESTDIR)$(PREFIX)/sbin/lbctl
	install -D -m 0644 $(BUILD)/kmod/$(KABI)/xlb.ko $(DESTDIR)/lib/modules/$(KABI)/extra/xlb.ko
	$(if $(INSTALL_COMPLETION),install -D -m 0644 $(INSTALL_COMPLETION) \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/lbctl)

# Every man page (lbctl.8, xlb-healthd.8, xlb-announce.8, xlb.7): make
# install and the xlb-tools package (install-tools) alike.
.PHONY: install-man
install-man:
	$(if $(INSTALL_MANS),install -d $(DESTDIR)$(PREFIX)/share/man/man8)
	$(if $(INSTALL_MANS),install -m 0644 $(INSTALL_MANS) $(DESTDIR)$(PREFIX)/share/man/man8/)
	$(if $(INSTALL_MANS7),install -d $(DESTDIR)$(PREFIX)/share/man/man7)
	$(if $(INSTALL_MANS7),install -m 0644 $(INSTALL_MANS7) $(DESTDIR)$(PREFIX)/share/man/man7/)

# make install into a scratch DESTDIR: the layout above, no BPF object, man
# pages without warnings.
UNIT_TESTS += tests/unit/test_install.sh

# systemd units (systemd/*.service.in, @SBINDIR@ replaced) -> $(UNITDIR);
# xlb-healthd and its unit only when build/xlb-healthd exists, the VIP
# announcer xlb-announce and its unit when build/xlb-announce does (make
# all, make tools build both).
# install-tools: what the xlb-tools package holds (no module, no make all).
.PHONY: install-units install-tools
SBINDIR ?= $(PREFIX)/sbin
UNITDIR ?= $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)

install: install-units

install-units:
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|g' systemd/xlb.service.in >$(DESTDIR)$(UNITDIR)/xlb.service
	if [ -x $(BUILD)/xlb-healthd ]; then \
		install -D -m 0755 $(BUILD)/xlb-healthd $(DESTDIR)$(SBINDIR)/xlb-healthd && \
		sed 's|@SBINDIR@|$(SBINDIR)|g' systemd/xlb-healthd.service.in \
			>$(DESTDIR)$(UNITDIR)/xlb-healthd.service; \
	fi
	if [ -x $(BUILD)/xlb-announce ]; then \
		install -D -m 0755 $(BUILD)/xlb-announce $(DESTDIR)$(SBINDIR)/xlb-announce && \
		sed 's|@SBINDIR@|$(SBINDIR)|g' systemd/xlb-announce.service.in \
			>$(DESTDIR)$(UNITDIR)/xlb-announce.service; \
	fi

install-tools: install-lbctl install-units install-man
UNIT_TESTS += tests/unit/test_units.sh
