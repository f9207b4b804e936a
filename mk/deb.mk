# Debian packages (debian/; owner: boot).
#   make deb     build/deb/xlb-dkms_<v>_all.deb and xlb-tools_<v>_<arch>.deb,
#                built by dpkg-buildpackage in a copy of the tree
#                (build/deb/xlb-<v>/: tracked and new files, no build/),
#                whose debian/changelog is written here from XLB_VERSION
#   make check-deb  dpkg -i of the packages in a chroot of the VM's root
#                on the host (scripts/deb-root.sh: dkms builds and installs
#                the module natively), then tests/deb.bats in the VM booted
#                with that install: the module dkms built loads, the units'
#                ExecStart lines run
#   make tools   what xlb-tools ships, built (lbctl, xlb-healthd, xlb-announce)
#   make install-dkms DESTDIR=D   D/usr/src/xlb-<v>/: the module source
#                (Kbuild, kmod/, lib/, include/) and dkms.conf with
#                PACKAGE_VERSION <v>
.PHONY: deb tools install-dkms

# The one version: XLB_VERSION (Makefile, from include/xlb_version.h).
DKMS_SRC := Kbuild $(wildcard include/*.h include/uapi/*.h kmod/*.[ch] lib/*.[ch])
DEB_SRC = $(BUILD)/deb/xlb-$(XLB_VERSION)

tools: lbctl healthd xlb-announce

install-dkms:
	install -d $(DESTDIR)/usr/src/xlb-$(XLB_VERSION)
	cp --parents $(DKMS_SRC) $(DESTDIR)/usr/src/xlb-$(XLB_VERSION)/
	sed 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="$(XLB_VERSION)"/' dkms.conf \
		>$(DESTDIR)/usr/src/xlb-$(XLB_VERSION)/dkms.conf

deb:
	@test -n "$(XLB_VERSION)" || { echo "make: no version in include/xlb_version.h" >&2; exit 1; }
	rm -rf $(BUILD)/deb
	mkdir -p $(DEB_SRC)
	git ls-files -co --exclude-standard | grep -v '^build/' | \
		tar -cf - --ignore-failed-read -T - | tar -xf - -C $(DEB_SRC)
	printf '%s\n\n  * %s\n\n -- %s  %s\n' \
		"xlb ($(XLB_VERSION)) unstable; urgency=medium" \
		"Built from $$(git describe --always --dirty 2>/dev/null || echo a tree without git)." \
		"xlb developers <xlb-devel@localhost>" \
		"$$(git log -1 --format=%cD 2>/dev/null || date -R)" \
		>$(DEB_SRC)/debian/changelog
	cd $(DEB_SRC) && dpkg-buildpackage -b -us -uc
	@ls -l $(BUILD)/deb/*.deb

# tests/deb.bats: the VM (6.12) boots with what scripts/deb-root.sh
# installed (build/deb/root).  Not part of check-vm (Documentation/architecture.md).
.PHONY: check-deb
check-deb: deb module lbctl
	scripts/deb-root.sh $(BUILD)/deb/root
	XLB_VM_LAYER=$(BUILD)/deb/root tests/vm/run.sh --kabi $(VM_FULL_KABI) tests/deb.bats
