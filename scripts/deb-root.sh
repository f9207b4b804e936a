#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the packages of `make deb` the way an operator does (dpkg -i, with
# xlb-dkms's postinst running dkms add, build and install), natively on the
# host, into a chroot of the test VM's root, and keep what the install
# changed as a layer the VM boots with (tests/deb.bats, make check-deb).
#
#   scripts/deb-root.sh [LAYER]     default build/deb/root
#
# The VM's root is the host's root, read-only, under a tmpfs
# (tests/vm/initramfs-init); this chroot is the same: an overlay of the
# host's / with a tmpfs upper layer, /proc, /sys, /dev bound in, /tmp and
# /run empty.  dkms builds xlb.ko there with the host's gcc against
# /usr/src/linux-headers-<abi> for every kernel under /lib/modules (the
# host runs none of them, so dkms builds for all, as in any chroot), signs
# and compresses it as for a Debian kernel, installs it in
# /lib/modules/<abi>/updates/dkms and runs depmod.  The upper layer (dpkg's
# database, /var/lib/dkms, /usr/src/xlb-<v>, the module, lbctl, the units)
# is copied to LAYER; tests/vm/run.sh with XLB_VM_LAYER=LAYER stacks it
# over the guest's root.  Under TCG the same build took about ten minutes
# in the guest; here it takes seconds.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
LAYER=$(realpath -m "${1:-$ROOT/build/deb/root}")
DEB_DIR=$ROOT/build/deb

die() { echo "deb-root: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (mounts an overlay, chroot)"
debs=("$DEB_DIR"/xlb-dkms_*_all.deb "$DEB_DIR"/xlb-tools_*_"$(dpkg --print-architecture)".deb)
for d in "${debs[@]}"; do
	[ -f "$d" ] || die "no package $d (make deb)"
done
# The chroot sees the host's root file system only: the packages must be
# on it (not under a mount such as a tmpfs /tmp).
for d in "${debs[@]}"; do
	[ "$(stat -c %d "$d")" = "$(stat -c %d /)" ] ||
		die "$d is not on the root file system, which the chroot sees"
done

# The upper layer lives on a tmpfs: overlayfs refuses an upper directory
# inside its lower one (the host's /).
STAGE=$(mktemp -d /tmp/xlb-deb-root.XXXXXX)
MERGED=$STAGE/merged
cleanup() {
	umount -R "$MERGED" 2>/dev/null || true
	umount "$STAGE/rw" 2>/dev/null || true
	rm -rf "$STAGE"
}
trap cleanup EXIT
mkdir -p "$STAGE/rw" "$MERGED"
mount -t tmpfs -o mode=0755 tmpfs "$STAGE/rw"
mkdir "$STAGE/rw/upper" "$STAGE/rw/work"
mount -t overlay overlay \
	-o "lowerdir=/,upperdir=$STAGE/rw/upper,workdir=$STAGE/rw/work" "$MERGED"
for fs in proc sys dev; do
	mount --rbind "/$fs" "$MERGED/$fs"
	mount --make-rslave "$MERGED/$fs"
done
mount -t tmpfs -o mode=1777 tmpfs "$MERGED/tmp"
mount -t tmpfs -o mode=0755 tmpfs "$MERGED/run"

in_root() { chroot "$MERGED" "$@"; }
# man-db's trigger would re-index every man page of the host.
rm -f "$MERGED/var/lib/man-db/auto-update"
t0=$(date +%s.%N)
in_root env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 \
	dpkg -i "${debs[@]}"
t1=$(date +%s.%N)
in_root dkms status xlb
printf 'deb-root: dpkg -i with the dkms builds: %.1f s\n' "$(echo "$t1 - $t0" | bc)"

# The layer: what the install changed, files and whiteouts (the deleted
# auto-update flag).
rm -rf "$LAYER"
mkdir -p "$LAYER"
cp -a "$STAGE/rw/upper/." "$LAYER/"
