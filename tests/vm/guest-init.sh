#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage 2 of the xlb test VM: PID 1 after switch_root (see initramfs-init).
# Finishes the guest setup, runs the payload (bats suites or one script) from
# the checkout, and leaves its results in the writable share /xlb-res:
#   started     empty, written when the setup is done and the payload starts
#               (a crash before it ran no xlb code: run.sh boots again)
#   out.log     payload stdout+stderr (also streamed live to ttyS1 -> host)
#   rc          payload exit status (written last: no rc = the run failed)
#   dmesg.txt   kernel log after the payload (+ kmemleak report if enabled)
# Then powers the VM off.
RES=/xlb-res

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LC_ALL=C.UTF-8

# shellcheck disable=SC1091
. "$RES/env.sh"
mapfile -t args <"$RES/args"

setup_guest() {
	mkdir -p /dev/pts /dev/shm
	mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
	mount -t tmpfs -o mode=1777 tmpfs /dev/shm
	ln -sfn /proc/self/fd /dev/fd
	ln -sfn /proc/self/fd/0 /dev/stdin
	ln -sfn /proc/self/fd/1 /dev/stdout
	ln -sfn /proc/self/fd/2 /dev/stderr
	# A checkout under /tmp or /run (CI may clone anywhere) would vanish
	# under the guest's tmpfs mounts: set it aside and bind it back.
	local keep=
	case $XLB_ROOT in
	(/tmp/*|/run/*)
		keep=/xlb-checkout
		mkdir -p "$keep"
		mount --bind "$XLB_ROOT" "$keep"
		;;
	esac
	mount -t tmpfs -o mode=1777 tmpfs /tmp
	mount -t tmpfs -o mode=0755 tmpfs /run
	if [ -n "$keep" ]; then
		mkdir -p "$XLB_ROOT"
		mount --bind "$keep" "$XLB_ROOT"
	fi
	mkdir -p /run/netns /sys/fs/bpf
	mount -t bpf -o mode=0700 bpf /sys/fs/bpf
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null

	# The module tree of the VM kernel (with modules.dep from depmod).
	local kver
	kver=$(uname -r)
	mkdir -p "/lib/modules/$kver"
	mount --bind "$XLB_ROOT/build/vm/kernel/$kver/lib/modules/$kver" "/lib/modules/$kver"

	hostname xlb-vm
	ip link set lo up
	stty -F /dev/ttyS1 raw -echo 2>/dev/null
}

run_payload() {
	cd "$XLB_ROOT" || return 1
	if [ "$XLB_VM_MODE" = script ]; then
		bash "${args[@]}"
	else
		bats --tap --timing ${XLB_BATS_FILTER:+--filter "$XLB_BATS_FILTER"} "${args[@]}"
	fi
}

finish() {
	dmesg >"$RES/dmesg.txt" 2>&1
	if [ -w /sys/kernel/debug/kmemleak ]; then
		echo scan >/sys/kernel/debug/kmemleak
		sleep 6
		echo scan >/sys/kernel/debug/kmemleak
		cat /sys/kernel/debug/kmemleak >>"$RES/dmesg.txt"
	fi
	echo "$1" >"$RES/rc.tmp" && mv "$RES/rc.tmp" "$RES/rc"
	sync
	busybox poweroff -f
	echo o >/proc/sysrq-trigger
	sleep 60
}

setup_guest
: >"$RES/started"
echo "xlb-vm: guest up after $(cut -d' ' -f1 /proc/uptime) s, running: $XLB_VM_MODE ${args[*]}" >/dev/console
run_payload 2>&1 </dev/null | tee "$RES/out.log" >/dev/ttyS1
finish "${PIPESTATUS[0]}"
