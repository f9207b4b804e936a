#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host test of the systemd units (systemd/*.service.in) as `make install`
# installs them: into a scratch prefix (PREFIX, UNITDIR), with build/lbctl
# and stand-ins for xlb-healthd and xlb-announce, then `systemd-analyze
# verify` on the installed files.  verify checks that every Exec* command exists and is executable
# and that the Documentation= man page resolves (MANPATH: the installed
# ones).  The ExecStart lines themselves run in the VM (tests/deb.bats).
# TAP output, non-zero exit on failure.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fail=0

check() {	# check "description" command...
	local desc=$1
	shift
	n=$((n + 1))
	if "$@" >"$tmp/out" 2>&1; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		sed 's/^/# /' "$tmp/out"
		fail=$((fail + 1))
	fi
}

# make install-tools into $tmp/$1 from the build directory $tmp/b
# (-o: lbctl is taken as built, never rebuilt here).
install_tools() {
	make -s -C "$root" -o "$tmp/b/lbctl" BUILD="$tmp/b" PREFIX="$tmp/$1/usr" \
		UNITDIR="$tmp/$1/units" install-tools
}

verify() {	# verify DIR UNIT...: systemd-analyze verify in DIR/units
	local d=$tmp/$1
	shift
	(cd "$d/units" && MANPATH=$d/usr/share/man systemd-analyze verify "$@")
}

fails() { ! "$@"; }

exec_line() {	# exec_line FILE: the ExecStart commands, one a line
	sed -n 's/^ExecStart=//p' "$1"
}

if ! command -v systemd-analyze >/dev/null; then
	echo "1..0 # SKIP systemd-analyze missing (package systemd)"
	exit 0
fi
mkdir -p "$tmp/b"
if [ ! -x "$root/build/lbctl" ]; then
	echo "not ok 1 - build/lbctl exists (make lbctl)"
	echo "1..1"
	exit 1
fi
cp "$root/build/lbctl" "$tmp/b/lbctl"
printf '#!/bin/sh\nexit 0\n' >"$tmp/b/xlb-healthd"
chmod +x "$tmp/b/xlb-healthd"
cp "$tmp/b/xlb-healthd" "$tmp/b/xlb-announce"

check "make install-tools with xlb-healthd and xlb-announce built" install_tools full
want="/sbin/modprobe xlb
$tmp/full/usr/sbin/lbctl restore /etc/xlb/xlb.conf"
check "xlb.service: modprobe, then restore (attach lines included)" \
	test "$(exec_line "$tmp/full/units/xlb.service")" = "$want"
check "xlb-healthd.service starts the installed xlb-healthd" \
	test "$(exec_line "$tmp/full/units/xlb-healthd.service")" = "$tmp/full/usr/sbin/xlb-healthd"
check "xlb-announce.service starts the installed xlb-announce" \
	test "$(exec_line "$tmp/full/units/xlb-announce.service")" = "$tmp/full/usr/sbin/xlb-announce"
check "systemd-analyze verify xlb.service xlb-healthd.service xlb-announce.service" \
	verify full xlb.service xlb-healthd.service xlb-announce.service
# The xlb-tools package is install-tools: every man page of the tree.
for man in "$root"/Documentation/*.[78]; do
	f=$(basename "$man")
	check "install-tools installs $f" \
		test -f "$tmp/full/usr/share/man/man${f##*.}/$f"
done

# verify is no formality: a unit whose command is missing fails it.
rm "$tmp/full/usr/sbin/lbctl"
check "verify fails when lbctl is not installed" \
	fails verify full xlb.service

rm "$tmp/b/xlb-healthd" "$tmp/b/xlb-announce"
check "make install-tools without xlb-healthd and xlb-announce" install_tools bare
check "no xlb-healthd unit without the daemon" \
	test ! -e "$tmp/bare/units/xlb-healthd.service" -a ! -e "$tmp/bare/usr/sbin/xlb-healthd"
check "no xlb-announce unit without the announcer" \
	test ! -e "$tmp/bare/units/xlb-announce.service" -a ! -e "$tmp/bare/usr/sbin/xlb-announce"
check "systemd-analyze verify xlb.service (no daemon)" verify bare xlb.service

echo "1..$n"
[ "$fail" -eq 0 ]
