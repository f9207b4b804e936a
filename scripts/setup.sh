#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything xlb needs to build and test on Debian 12, as root.
# Idempotent and fast when nothing is missing: packages are only installed
# when dpkg-query says one is absent, and the VM kernel is only fetched when
# its unpacked tree is not in the cache yet.
#
# Two kernels: Debian 12's default 6.1 and its 6.12.  For each, the header
# metapackage named by scripts/kabi.sh --meta is installed (it pins the ABI)
# and the VM kernel (build/vm/kernel/<abi>/) is Debian's linux-image package
# of that ABI, so the module built against those headers loads in the VM.
# The VM kernels are unpacked with dpkg -x, never installed (the 6.12
# headers package depends on its image, so apt installs that one on the host
# as well; the host does not need to boot it).
set -euo pipefail

cd "$(dirname "$0")/.."

# One package a line, sorted.  Append what your part needs.
PACKAGES="
bats
bird2
bpftool
busybox-static
clang
clang-format-14
clang-tidy-14
coreutils
cpio
cppcheck
debhelper
dh-dkms
dkms
ethtool
gcc
iproute2
iputils-ping
ipvsadm
jq
kmod
libbpf-dev
libc6-dev
libelf-dev
libnl-3-dev
libnl-genl-3-dev
llvm
make
man-db
pkg-config
prometheus
python3
qemu-system-x86
sparse
strace
systemd
util-linux
zlib1g-dev
"
# The header metapackages of the supported kernels.
PACKAGES+=" $(scripts/kabi.sh --meta)"

export DEBIAN_FRONTEND=noninteractive

apt_updated=
apt_update() {
	[ -n "$apt_updated" ] && return 0
	apt-get update -qq
	apt_updated=1
}

missing_packages() {
	# Print every package of $PACKAGES that is not fully installed.
	# shellcheck disable=SC2086
	comm -23 <(printf '%s\n' $PACKAGES | sort) \
		<(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' $PACKAGES 2>/dev/null |
		  awk '$2 == "ii" { print $1 }' | sort)
}

missing=$(missing_packages)
if [ -n "$missing" ]; then
	echo "setup: installing: ${missing//$'\n'/ }"
	apt_update
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
	missing=$(missing_packages)
	if [ -n "$missing" ]; then
		echo "setup: still missing after apt-get install: ${missing//$'\n'/ }" >&2
		exit 1
	fi
fi

cache=build/vm

fetch_kernel() {
	# $1: ABI.  Unpacks linux-image-$1(-unsigned) into $cache/kernel/$1.
	local abi=$1 kdir=$cache/kernel/$1 pkg deb
	mkdir -p "$cache/debs"
	for pkg in "linux-image-$abi-unsigned" "linux-image-$abi"; do
		deb=$(compgen -G "$cache/debs/${pkg}_*.deb" | head -n1 || true)
		if [ -z "$deb" ]; then
			# An outdated package list may not know the ABI yet.
			(cd "$cache/debs" && apt-get download -qq "$pkg" 2>/dev/null) ||
				{ apt_update; (cd "$cache/debs" && apt-get download -qq "$pkg"); } ||
				continue
			deb=$(compgen -G "$cache/debs/${pkg}_*.deb" | head -n1 || true)
		fi
		[ -n "$deb" ] && break
	done
	if [ -z "$deb" ]; then
		echo "setup: cannot download linux-image-$abi(-unsigned) (ABI from scripts/kabi.sh)" >&2
		exit 1
	fi
	echo "setup: unpacking $(basename "$deb") into $kdir"
	rm -rf "$kdir.tmp"
	mkdir -p "$kdir.tmp"
	dpkg -x "$deb" "$kdir.tmp"
	depmod -b "$kdir.tmp" "$abi"
	rm -rf "$kdir"
	mv "$kdir.tmp" "$kdir"
}

abis=$(scripts/kabi.sh --all)
for abi in $abis; do
	kdir=$cache/kernel/$abi
	if [ ! -f "$kdir/boot/vmlinuz-$abi" ] ||
	   [ ! -f "$kdir/lib/modules/$abi/modules.dep" ]; then
		fetch_kernel "$abi"
	fi
	if [ ! -d "/usr/src/linux-headers-$abi" ]; then
		echo "setup: /usr/src/linux-headers-$abi is missing" >&2
		exit 1
	fi
done

# checkpatch.pl for `make lint`, from Debian's linux-source-6.1 (not committed).
if ! scripts/fetch-checkpatch.sh >/dev/null; then
	apt_update
	scripts/fetch-checkpatch.sh >/dev/null
fi
