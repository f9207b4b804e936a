#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# VM suite: the Debian packages of `make deb` (build/deb/) on the booted
# kernel, as an operator installs them.  dpkg -i writes into the guest's
# tmpfs overlay; xlb-dkms's postinst has dkms build xlb.ko with gcc against
# /usr/src/linux-headers-<abi> (the host's, through 9p): under TCG the slow
# step, so check-vm runs this suite on the newest kernel only (6.12).  Then
# the ExecStart lines of the installed xlb.service run as written (in the
# suite's namespace) on an /etc/xlb/xlb.conf with an attach line, and the
# installed lbctl adds a backend.  Tests run in file order.

load lbctl_lib

setup_file() {
	DEB_DIR=$XLB_ROOT/build/deb
	if ! compgen -G "$DEB_DIR/xlb-dkms_*_all.deb" >/dev/null ||
	   ! compgen -G "$DEB_DIR/xlb-tools_*_amd64.deb" >/dev/null; then
		echo "no packages in $DEB_DIR (make deb)" >&2
		return 1
	fi
	export DEB_DIR
	lbctl_setup_file deb
	ip -n "$NS" link add lb0 type veth peer name cl0
	ip -n "$NS" addr add 10.1.0.1/24 dev lb0
	ip -n "$NS" link set lb0 up
	ip -n "$NS" link set cl0 up
}

teardown_file() {
	lbctl_teardown_file
}

# The installed lbctl in the suite's namespace.
ilb() {
	in_ns "$NS" /usr/sbin/lbctl "$@"
}

@test "dpkg -i xlb-dkms xlb-tools: dkms builds xlb.ko for the booted kernel" {
	local kver t0 ko pid
	kver=$(uname -r)
	# The guest binds the VM kernel's module tree over /lib/modules/<kver>
	# (tests/vm/guest-init.sh), hiding the headers' build link.
	[ -e "/lib/modules/$kver/build" ] ||
		ln -s "/usr/src/linux-headers-$kver" "/lib/modules/$kver/build"
	# man-db's trigger would re-index every man page of the host (through
	# 9p, under TCG: minutes); the packages' pages are checked on the host.
	rm -f /var/lib/man-db/auto-update
	t0=$SECONDS
	# dpkg's output as it comes (the dkms build is long under TCG)
	timeout 1200 dpkg -i "$DEB_DIR"/xlb-dkms_*_all.deb "$DEB_DIR"/xlb-tools_*_amd64.deb \
		>"$BATS_FILE_TMPDIR/dpkg.log" 2>&1 &
	pid=$!
	tail -n +1 -f --pid=$pid "$BATS_FILE_TMPDIR/dpkg.log" |
		while IFS= read -r l; do echo "# [$((SECONDS - t0)) s] $l" >&3; done
	wait $pid || {
		tail -n 30 /var/lib/dkms/xlb/*/build/make.log 2>/dev/null
		return 1
	}
	echo "# dpkg -i with the dkms build: $((SECONDS - t0)) s" >&3
	run dkms status xlb
	echo "$output"
	[[ "$output" == "xlb/"*", $kver, x86_64: installed"* ]]
	ko=$(modinfo -n xlb)
	echo "modinfo -n xlb: $ko"
	[[ "$ko" == "/lib/modules/$kver/updates/dkms/xlb.ko"* ]]
	[ -x /usr/sbin/lbctl ]
	[ -x /usr/sbin/xlb-healthd ]
	[ -f /lib/systemd/system/xlb.service ]
	[ -f /lib/systemd/system/xlb-healthd.service ]
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
