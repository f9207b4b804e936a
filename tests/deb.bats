#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# VM suite: the Debian packages of `make deb` on the booted kernel (6.12), as
# an operator installs them.  The install itself runs on the host, natively:
# scripts/deb-root.sh runs `dpkg -i xlb-dkms xlb-tools` in a chroot of the
# guest's root (the host's /, under an overlay), where xlb-dkms's postinst
# has dkms add, build (gcc against /usr/src/linux-headers-<abi>), sign and
# install xlb.ko and run depmod; the guest boots with what the install
# changed stacked over its root (tests/vm/run.sh, XLB_VM_LAYER): dpkg's
# database, /var/lib/dkms, /lib/modules/<abi>/updates/dkms/xlb.ko.xz,
# lbctl, the units.  In the guest under TCG the same install took about ten
# minutes: gcc compiling xlb.ko is most of it (a plain make -j2 there did
# not finish in 15 min on a loaded host), and dkms's shell script itself is
# slow (`dkms add` 46 s, `dkms status` ~20 s); natively the builds take
# ~10 CPU-seconds per kernel.  Here the module dkms installed is checked to
# be dkms's build for this kernel, and it is the one loaded: the ExecStart
# lines of the installed xlb.service run as written (in the suite's
# namespace) on an /etc/xlb/xlb.conf with an attach line, then
# xlb-healthd.service's and xlb-announce.service's, and the installed lbctl
# adds a backend.  Run by
# `make check-deb`.  Tests run in file order.

load lbctl_lib

setup_file() {
	[ -n "${XLB_VM_LAYER:-}" ] && [ -f /var/lib/dpkg/info/xlb-dkms.list ] || {
		echo "no installed packages: boot with XLB_VM_LAYER=build/deb/root" \
			"after scripts/deb-root.sh (make check-deb)" >&2
		return 1
	}
	lbctl_setup_file deb
	# The guest binds the VM kernel's module tree over /lib/modules/<kver>
	# (tests/vm/guest-init.sh): lift it for the installed system's tree
	# (the same kernel, with dkms's module and depmod's indexes).
	KVER=$(uname -r)
	export KVER
	umount "/lib/modules/$KVER"
	ip -n "$NS" link add lb0 type veth peer name cl0
	ip -n "$NS" addr add 10.1.0.1/24 dev lb0
	ip -n "$NS" link set lb0 up
	ip -n "$NS" link set cl0 up
}

teardown_file() {
	lbctl_teardown_file
	mountpoint -q "/lib/modules/$KVER" ||
		mount --bind "$XLB_ROOT/build/vm/kernel/$KVER/lib/modules/$KVER" \
			"/lib/modules/$KVER"
}

# The installed lbctl in the suite's namespace.
ilb() {
	in_ns "$NS" /usr/sbin/lbctl "$@"
}

@test "dpkg -i xlb-dkms xlb-tools: dkms built and installed xlb.ko for the booted kernel" {
	local ko built
	run dpkg-query -W -f '${Package} ${db:Status-Status}\n' xlb-dkms xlb-tools
	echo "$output"
	[ "$output" = "$(printf 'xlb-dkms installed\nxlb-tools installed')" ]
	# What modprobe finds is the module dkms built for this kernel from the
	# package's source and installed (what `dkms status` calls installed;
	# deb-root.sh prints that, the script itself takes ~20 s under TCG).
	ko=$(modinfo -n xlb)
	echo "modinfo -n xlb: $ko"
	[ "$ko" = "/lib/modules/$KVER/updates/dkms/xlb.ko.xz" ]
	built=$(echo /var/lib/dkms/xlb/*/"$KVER"/x86_64/module/xlb.ko.xz)
	cmp "$built" "$ko"
	grep -q "LD \[M\] */var/lib/dkms/xlb/.*/build/xlb.ko$" "${built%/module/*}/log/make.log"
	[[ "$(modinfo -F vermagic xlb)" == "$KVER "* ]]
	[ -x /usr/sbin/lbctl ]
	[ -x /usr/sbin/xlb-healthd ]
	[ -f /lib/systemd/system/xlb.service ]
	[ -f /lib/systemd/system/xlb-healthd.service ]
	[ -x /usr/sbin/xlb-announce ]
	[ -f /lib/systemd/system/xlb-announce.service ]
	# enabled: xlb and xlb-healthd; not the announcer, which conflicts
	# with xlb-healthd (one announcer per node)
	[ -e /etc/systemd/system/multi-user.target.wants/xlb-healthd.service ]
	[ ! -e /etc/systemd/system/multi-user.target.wants/xlb-announce.service ]
}

@test "xlb.service's ExecStart lines as installed: modprobe, then restore attaches" {
	local cmds c
	run ! xlb_loaded
	mkdir -p /etc/xlb
	printf '%s\n' "service add 10.1.0.100:80/tcp" "add 10.0.0.1 weight 10" \
		"attach lb0 mode generic" >/etc/xlb/xlb.conf
	mapfile -t cmds < <(sed -n 's/^ExecStart=//p' /lib/systemd/system/xlb.service)
	[ "${#cmds[@]}" -eq 2 ]
	for c in "${cmds[@]}"; do
		echo "ExecStart=$c"
		# systemd splits these at blanks too: nothing else to interpret
		[[ "$c" != *[\"\'\$\;\\%]* ]]
		# shellcheck disable=SC2086
		in_ns "$NS" $c
	done
	# The module loaded is the one dkms built.
	[ "$(cat /sys/module/xlb/srcversion)" = "$(modinfo -F srcversion xlb)" ]
	[ "$(ip -n "$NS" -j link show dev lb0 | jq -r '.[0].xdp.mode')" = 2 ]
	run ilb -j config
	[ "$(jq -r .bound <<<"$output")" = true ]
	run ilb -n show
	echo "$output"
	[[ "${lines[0]}" == "service 10.1.0.100:80/tcp "* ]]
	[[ "${lines[1]}" =~ ^\ +backend\ 10\.0\.0\.1\ +weight\ 10\  ]]
}

# start_unit UNIT LOG PATTERN: run the installed UNIT's ExecStart (one
# word, nothing for systemd to interpret) in the suite's namespace, output
# to LOG, until LOG has PATTERN (10 s at most); its pid in $pid.
start_unit() {
	local c
	c=$(sed -n 's/^ExecStart=//p' "/lib/systemd/system/$1")
	echo "ExecStart=$c"
	[[ "$c" != *[[:space:]\"\'\$\;\\%]* ]] || return 1
	nsenter --net="/run/netns/$NS" "$c" >"$2" 2>&1 3>&- &
	pid=$!
	for _ in $(seq 100); do
		grep -q "$3" "$2" && return 0
		sleep 0.1
	done
	cat "$2"
	return 1
}

# stop_unit LOG: SIGTERM, as systemd stops it: a clean exit.
stop_unit() {
	kill "$pid"
	wait "$pid" || return 1
	cat "$1"
}

@test "xlb-healthd.service's ExecStart as installed: the daemon reads the restored configuration" {
	local log=$BATS_TEST_TMPDIR/healthd.log pid
	start_unit xlb-healthd.service "$log" 'the xlb module is present: 1 services'
	stop_unit "$log"
	grep -q 'stopped' "$log"
}

@test "xlb-announce.service's ExecStart as installed: the VIP is announced, withdrawn on SIGTERM" {
	local log=$BATS_TEST_TMPDIR/announce.log pid
	start_unit xlb-announce.service "$log" 'announce 10.1.0.100 (table 100)'
	[ "$(ip -n "$NS" -o route show table 100 proto 77 | cut -d' ' -f1,2)" = "blackhole 10.1.0.100" ]
	stop_unit "$log"
	grep -q 'withdraw 10.1.0.100 (table 100)' "$log"
	[ -z "$(ip -n "$NS" -o route show table 100 proto 77)" ]
}

@test "lbctl add 10.0.0.2 weight 20 works from the installed binaries" {
	ilb add 10.0.0.2 weight 20
	run ilb -j show
	echo "$output"
	[ "$(jq -c '[.[0].backends[] | [.address, .weight]]' <<<"$output")" = '[["10.0.0.1",10],["10.0.0.2",20]]' ]
	# save writes what the unit restores: the attach line included.
	run ilb save
	echo "$output"
	[ "${lines[-1]}" = "attach lb0 mode generic max-services 32 max-backends 16384 table-max 65537 conntrack-size 131072" ]
}
