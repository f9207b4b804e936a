#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot one of Debian's VM kernels (scripts/kabi.sh) under QEMU TCG once and
# run, in the guest, either bats suites or one script from this checkout.
#
#   tests/vm/run.sh [--kabi K] [SUITE.bats ...]          bats --tap on the suites
#                                   (default: $SUITES, else tests/*.bats)
#   tests/vm/run.sh [--kabi K] --script FILE [ARG ...]   bash FILE ARG... instead
#
# K (or $KABI) is the kernel to boot: an ABI (6.12.117+deb12-amd64) or a
# series (6.1, 6.12); default: the default kernel (scripts/kabi.sh).
# The guest sees the host's root read-only (9p, overlay with a tmpfs upper
# layer), so paths are the same as on the host.  Suites get XLB_ROOT (the
# checkout), XLB_KO (the module to insmod, default build/kmod/<abi>/xlb.ko,
# built by `make module` for that kernel), XLB_KABI (the booted ABI) and
# LBCTL (default build/lbctl) in their environment; every XLB_* variable of
# the caller is passed through as well: XLB_BATS_FILTER=REGEX runs only the
# tests whose name matches (bats --filter).
#
# XLB_VM_LAYER=DIR stacks DIR (an overlay upper layer, e.g. what
# scripts/deb-root.sh installed) over the host's root in the guest.
#
# The payload's output is printed as it runs.  Exit status: the payload's, or
# non-zero if the guest printed a kernel WARNING/BUG/Oops/Call Trace/kmemleak
# report, hung (killed after $XLB_VM_TIMEOUT s, default 2400), or died
# without leaving an exit status.  The full console log and the results stay
# in build/vm/runs/<id>/ (build/vm/last points at the latest run).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)

die() { echo "vm: $*" >&2; exit 1; }

# The guest mounts tmpfs on /tmp and /run: host files there are invisible,
# except inside the checkout, which the guest binds back (guest-init.sh).
guest_visible() {
	case $1 in
	("$ROOT"/*) ;;
	(/tmp|/tmp/*|/run|/run/*) die "$1 is under /tmp or /run, which the guest cannot see" ;;
	esac
}

# Paths given by the caller are relative to the caller's directory; make
# them absolute before changing to the checkout.
kabi=${KABI:-}
if [ "${1:-}" = --kabi ]; then
	[ $# -ge 2 ] || die "usage: $0 --kabi ABI|SERIES ..."
	kabi=$2
	shift 2
fi
mode=bats
if [ "${1:-}" = --script ]; then
	[ $# -ge 2 ] || die "usage: $0 --script FILE [ARG ...]"
	mode=script
	[ -f "$2" ] || die "script '$2' does not exist"
	args=("$(realpath "$2")" "${@:3}")
	guest_visible "${args[0]}"
elif [ $# -gt 0 ]; then
	args=("$@")
elif [ -n "${SUITES:-}" ]; then
	read -r -a args <<<"$SUITES"
fi
if [ "$mode" = bats ] && [ -n "${args+set}" ]; then
	for i in "${!args[@]}"; do
		[ -f "${args[$i]}" ] || die "suite '${args[$i]}' does not exist"
		args[i]=$(realpath "${args[$i]}")
		guest_visible "${args[$i]}"
	done
fi
[ -z "${XLB_KO:-}" ] || XLB_KO=$(realpath -m "$XLB_KO")
LBCTL=$(realpath -m "${LBCTL:-$ROOT/build/lbctl}")
cd "$ROOT"
case $kabi in
(*-*) KABI=$kabi ;;	# an ABI: 6.1.0-57-amd64, 6.12.117+deb12-amd64
(*) KABI=$(scripts/kabi.sh ${kabi:+"$kabi"}) || die "cannot resolve kernel '$kabi' (scripts/kabi.sh)" ;;
esac
XLB_KO=${XLB_KO:-$ROOT/build/kmod/$KABI/xlb.ko}
XLB_KABI=$KABI
export XLB_KO LBCTL XLB_KABI
guest_visible "$XLB_KO"
guest_visible "$LBCTL"
layer=()
if [ -n "${XLB_VM_LAYER:-}" ]; then
	XLB_VM_LAYER=$(realpath "$XLB_VM_LAYER") || die "no layer '$XLB_VM_LAYER'"
	[ -d "$XLB_VM_LAYER" ] || die "layer '$XLB_VM_LAYER' is not a directory"
	layer=(-virtfs "local,path=$XLB_VM_LAYER,mount_tag=layer,security_model=none,readonly=on")
fi
[ -n "${args+set}" ] || args=(tests/*.bats)

KTREE=$ROOT/build/vm/kernel/$KABI
KMODS=$KTREE/lib/modules/$KABI
VMLINUZ=$KTREE/boot/vmlinuz-$KABI
if [ ! -f "$VMLINUZ" ] || [ ! -f "$KMODS/modules.dep" ]; then
	die "no VM kernel in $KTREE: run scripts/setup.sh"
fi
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing: run scripts/setup.sh"
BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] || die "$BUSYBOX missing: run scripts/setup.sh"

TIMEOUT=${XLB_VM_TIMEOUT:-2400}

# Guest CPUs: one, unless a suite says "# xlb-vm: cpus 2" (or a script
# runs: the demo).  The end-to-end suites run traffic, servers and the XDP
# program side by side, and e2e_contract pins a reader and a writer to two
# CPUs.  Under TCG a second vCPU makes every process start slower (cross-CPU
# TLB shootdowns and IPIs, emulated): 30 process starts took 16 s in a
# one-CPU guest and 24 s in a two-CPU guest running beside it.
CPUS=2
if [ "$mode" = bats ]; then
	CPUS=1
	for s in "${args[@]}"; do
		if grep -qx '# xlb-vm: cpus 2' "$s"; then
			CPUS=2
		fi
	done
fi
export XLB_ROOT=$ROOT
export XLB_VM_MODE=$mode

mkdir -p build/vm/runs
RUN=$ROOT/build/vm/runs/$(date +%Y%m%d-%H%M%S)-$$
mkdir "$RUN" "$RUN/res" "$RUN/initramfs"
ln -sfn "runs/$(basename "$RUN")" build/vm/last
# Keep the 10 newest runs, and any younger than 30 min (may still run).
for old in $(ls -1d build/vm/runs/*/ | head -n -10); do
	find "$old" -maxdepth 0 -mmin +30 -exec rm -rf {} + || true
done

# Guest configuration, in the result share.
printf 'XLB_ROOT=%q\n' "$ROOT" >"$RUN/res/config"
export -p | grep -E '^declare -x (XLB_[A-Za-z0-9_]*|LBCTL|V)=' >"$RUN/res/env.sh" || true
printf '%s\n' "${args[@]}" >"$RUN/res/args"

# Initramfs: static busybox, the modules needed to reach the 9p root, /init.
# Which modules those are, and their load order, comes from the kernel's own
# modules.dep: the kernels differ (6.1 has virtio as modules and a separate
# fscache.ko; 6.12 builds virtio in and folds fscache into netfs.ko).
ROOT_MODS="virtio_pci 9pnet_virtio 9p overlay"
ird=$RUN/initramfs
mkdir -p "$ird"/{bin,dev,proc,sys,modules}
cp "$BUSYBOX" "$ird/bin/busybox"
cp tests/vm/initramfs-init "$ird/init"
deps=$(for m in $ROOT_MODS; do
	modprobe -d "$KTREE" -S "$KABI" --show-depends "$m" ||
		die "module $m not found in $KMODS"
done) || exit 1
: >"$ird/modules.list"
while read -r f; do
	case $f in
	(*.ko) cp "$f" "$ird/modules/" ;;
	(*.ko.xz) xz -dc "$f" >"$ird/modules/$(basename "$f" .xz)" ;;
	(*) die "unsupported module file $f" ;;
	esac
	basename "${f%.xz}" >>"$ird/modules.list"
done < <(awk '$1 == "insmod" && !seen[$2]++ { print $2 }' <<<"$deps")
(cd "$ird" && find . | cpio -o -H newc --quiet) >"$RUN/initramfs.cpio"
rm -rf "$ird"

# Under TCG on a busy host a vCPU can be starved for tens of seconds: raise
# the RCU stall and watchdog thresholds to their maxima so the emulator's
# slowness is not reported (and failed) as a kernel bug.
CMDLINE="console=ttyS0 loglevel=7 panic_on_warn=1 oops=panic panic=-1 \
softlockup_panic=1 mitigations=off tsc=reliable \
rcupdate.rcu_cpu_stall_timeout=300 watchdog_thresh=60"
# Under TCG the guest's TSC is the host's counter, but the guest calibrates
# its frequency against the emulated PIT at boot, and a vCPU starved during
# that window gets it wrong for good (seen on a loaded host: 453 MHz for
# 2596 MHz, so the guest clock ran 5.7 times fast and every timeout in a
# test expired early).  When the host kernel's log has the frequency
# (printed as MHz with three decimals), hand it over: no calibration.
tsc_re='tsc: \(Refined TSC clocksource calibration\|Detected\):\{0,1\} \([0-9]*\)\.\([0-9]\{3\}\) MHz'
tsc_khz=$(dmesg 2>/dev/null | sed -n "s/.*$tsc_re.*/\2\3/p" | tail -n1)
[ -z "$tsc_khz" ] || CMDLINE="$CMDLINE tsc_early_khz=$tsc_khz"

# One boot: QEMU until the guest powers off, panics or times out; sets qrc
# and elapsed.
boot() {
	start=$(date +%s)
	set +e
	timeout -k 10 "$TIMEOUT" qemu-system-x86_64 \
		-accel tcg,thread=multi -cpu max -m 2048 -smp "$CPUS" \
		-nographic -no-reboot -monitor none -nic none \
		-kernel "$VMLINUZ" -initrd "$RUN/initramfs.cpio" -append "$CMDLINE" \
		-virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
		-virtfs local,path="$RUN/res",mount_tag=res,security_model=none \
		"${layer[@]}" \
		-serial file:"$RUN/console.log" \
		-chardev file,id=out,path="$RUN/out.log" -serial chardev:out \
		</dev/null >"$RUN/qemu.log" 2>&1 &
	qpid=$!
	tail -n +1 -F --pid=$qpid "$RUN/out.log" 2>/dev/null &
	tpid=$!
	wait $qpid
	qrc=$?
	wait $tpid
	set -e
	elapsed=$(($(date +%s) - start))
}

show_console() {
	# The first kernel complaint and what follows, else the tail.
	local log=$RUN/console.log first lines=${1:-40}
	first=$(grep -n -m1 -E 'WARNING:|BUG:|Oops|Kernel panic|Call Trace' "$log" 2>/dev/null | cut -d: -f1 || true)
	echo "vm: ---- console ($log) ----"
	if [ -n "$first" ]; then
		sed -n "$((first > 3 ? first - 3 : 1)),$((first + 80))p" "$log"
	else
		tail -n "$lines" "$log" 2>/dev/null
	fi | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g'
	[ -s "$RUN/qemu.log" ] && { echo "vm: ---- qemu ----"; cat "$RUN/qemu.log"; }
	echo "vm: ----"
}

echo "vm: booting $KABI (TCG, $CPUS CPU), $mode: ${args[*]} (log: ${RUN#"$ROOT"/}/console.log)"
# A guest kernel that dies while booting, before guest-init.sh has started
# the payload (res/started), ran no xlb code: nothing loads xlb.ko before
# the payload.  Under TCG with two vCPUs the kernel's own text patching
# can trip (seen: "Oops: int3" in sched_clock_idle_wakeup_event at 2.9 s,
# right after "sched_clock: Marking stable", in CI).  Such a boot is
# printed and made again, at most VM_BOOTS (3) times in all; any failure
# after the payload started fails the run as before.
boots=${VM_BOOTS:-3}
for ((n = 1; ; n++)); do
	boot
	# killed by the timeout, or the payload started: this boot counts
	if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ] ||
		[ -f "$RUN/res/rc" ] || [ -f "$RUN/res/started" ] ||
		[ "$n" -ge "$boots" ]; then
		break
	fi
	show_console
	echo "vm: $KABI guest died while booting, before the payload started (qemu exit $qrc after ${elapsed}s): boot $((n + 1)) of at most $boots"
	mv "$RUN/console.log" "$RUN/console.boot$n.log"
	rm -f "$RUN/out.log"
done

if [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
	show_console
	echo "vm: FAIL: $KABI guest did not finish within ${TIMEOUT}s (XLB_VM_TIMEOUT), killed"
	exit 124
fi
if [ ! -f "$RUN/res/rc" ]; then
	show_console
	echo "vm: FAIL: $KABI guest left no exit status (panic or crash; qemu exit $qrc) after ${elapsed}s"
	exit 125
fi
rc=$(cat "$RUN/res/rc")
bad=$(grep -E 'WARNING:|BUG:|Oops|Call Trace|kmemleak' "$RUN/res/dmesg.txt" || true)
if [ -n "$bad" ]; then
	echo "vm: FAIL: $KABI kernel log has warnings/bugs (full log: $RUN/res/dmesg.txt):"
	echo "$bad"
	[ "$rc" -ne 0 ] || rc=1
fi
if [ "$rc" -ne 0 ]; then
	show_console 12
fi
echo "vm: $KABI: guest exit status $rc after ${elapsed}s"
exit "$rc"
