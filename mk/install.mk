# make install DESTDIR=... PREFIX=... (owner: foundation).
#   lbctl       -> $(DESTDIR)$(PREFIX)/sbin/lbctl
#   build/kmod/$(KABI)/xlb.ko -> $(DESTDIR)/lib/modules/$(KABI)/extra/xlb.ko
#               (the default kernel; KABI=<abi> for another)
#   xlb.bpf.o   -> $(DESTDIR)$(PREFIX)/lib/xlb/xlb.bpf.o
#   Documentation/*.8, user/lbctl.bash-completion when present.
# Run depmod yourself after installing to a live system.
.PHONY: install

INSTALL_MANS := $(wildcard Documentation/*.8)
INSTALL_COMPLETION := $(wildcard user/lbctl.bash-completion)

install: all
	install -D -m 0755 $(BUILD)/lbctl $(DESTDIR)$(PREFIX)/sbin/lbctl
	install -D -m 0644 $(BUILD)/kmod/$(KABI)/xlb.ko $(DESTDIR)/lib/modules/$(KABI)/extra/xlb.ko
	install -D -m 0644 $(BUILD)/xlb.bpf.o $(DESTDIR)$(PREFIX)/lib/xlb/xlb.bpf.o
	$(if $(INSTALL_MANS),install -d $(DESTDIR)$(PREFIX)/share/man/man8)
	$(if $(INSTALL_MANS),install -m 0644 $(INSTALL_MANS) $(DESTDIR)$(PREFIX)/share/man/man8/)
	$(if $(INSTALL_COMPLETION),install -D -m 0644 $(INSTALL_COMPLETION) \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/lbctl)
