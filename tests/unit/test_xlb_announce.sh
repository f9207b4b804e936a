#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xlb-announce on the host, in a network (and mount) namespace of its own,
# without the module (the host kernel has no module support): what needs
# no module.  Bad options are refused naming the value and the rule and
# change nothing; "once" exits non-zero naming the cause when it cannot
# change a route or cannot tell whether xlb is attached (an XDP program it
# may not inspect), and then leaves the routes alone; SIGHUP does not kill
# the daemon.  The module's side runs in the VM (tests/healthd.bats).
# Root only (network namespace).  TAP output, non-zero exit on failure.
#
# usage: tests/unit/test_xlb_announce.sh
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
ann=${XLB_ANNOUNCE:-$root/build/xlb-announce}
# shellcheck source=tap.bash
. "$root/tests/unit/tap.bash"

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP root only (network namespace)"
	exit 0
fi
if [ -z "${XLB_ANN_NS:-}" ]; then
	XLB_ANN_NS=1 exec unshare -n -m "$0" "$@"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ip link set lo up

VIP=198.51.100.1
ROUTE="blackhole $VIP"
ours() {	# our routes in table 100: "TYPE DST", joined with ", "
	ip -o route show table 100 proto 77 | cut -d' ' -f1,2 | paste -sd, -
}

# refused WANT ARGS...: exit 1, exactly WANT on stderr, the route kept.
refused() {
	local want=$1 out rc
	shift
	out=$("$ann" "$@" 2>&1)
	rc=$?
	[[ $rc = 1 && $out = "$want" && $(ours) = "$ROUTE" ]]
	result $((!$?)) "refused: $*" "exit $rc, \"$out\", routes \"$(ours)\""
}

ip route add blackhole "$VIP/32" table 100 proto 77
rule="253, 254 and 255 are the kernel's default, main and local tables; expected 1..252 or 256..4294967295"
refused "xlb-announce: invalid table \"253\": $rule" table 253 once
refused "xlb-announce: invalid table \"255\": $rule" table 255 once
for v in +5 " 5" 0 5x 4294967296; do
	refused "xlb-announce: invalid table \"$v\": expected a decimal integer 1..4294967295" \
		table "$v" once
done
for v in +5 "5 " 0 3600001; do
	refused "xlb-announce: invalid interval (ms) \"$v\": expected a decimal integer 1..3600000" \
		interval "$v" once
done

# once, unprivileged: the withdrawal fails, and says so.
ip route replace blackhole "$VIP/32" table 100 proto 77
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$ann" once 2>&1 >/dev/null)
rc=$?
[[ $rc = 2 && $out = *"withdraw $VIP (table 100): Operation not permitted"* &&
	$out = *"cannot change the routing table: Operation not permitted" ]]
result $((!$?)) "once without CAP_NET_ADMIN: exit 2 naming the failed withdrawal" "exit $rc: $out"
[ "$(ours)" = "$ROUTE" ]
result $((!$?)) "the route is still there" "routes \"$(ours)\""

# An XDP program on lo that cannot be inspected without CAP_SYS_ADMIN:
# nothing is known, nothing changes.
mount -t bpf bpf /sys/fs/bpf &&
	bpftool prog load "$root/build/xlb.bpf.o" /sys/fs/bpf/p type xdp &&
	ip link set dev lo xdpgeneric pinned /sys/fs/bpf/p
result $((!$?)) "an XDP program on lo"
ip route replace blackhole "$VIP/32" table 100 proto 77
out=$(setpriv --inh-caps=-sys_admin,-bpf --bounding-set=-sys_admin,-bpf \
	"$ann" once 2>&1 >/dev/null)
rc=$?
[[ $rc = 2 && $out = *"cannot tell whether xlb is attached: Operation not permitted: announcements unchanged" ]]
result $((!$?)) "once without CAP_SYS_ADMIN: exit 2, state unknown" "exit $rc: $out"
[ "$(ours)" = "$ROUTE" ]
result $((!$?)) "unknown state: the route is kept (not withdrawn)" "routes \"$(ours)\""
ip link set dev lo xdpgeneric off

# once with every right and no module: withdrawn, exit 0.
out=$("$ann" once 2>&1)
rc=$?
[[ $rc = 0 && $out = *" withdraw $VIP (table 100)" && -z $(ours) ]]
result $((!$?)) "once without the module: withdrawn, exit 0" "exit $rc: $out, routes \"$(ours)\""

# SIGHUP: logged, the daemon runs on; SIGTERM: exit 0.
"$ann" interval 100 >"$tmp/log" 2>&1 &
pid=$!
for _ in $(seq 50); do	# until its handlers are in place (SigCgt: TERM)
	[ $((0x$(sed -n 's/^SigCgt:\s*//p' "/proc/$pid/status") & 0x4000)) = 0 ] || break
	sleep 0.05
done
kill -HUP "$pid"
for _ in $(seq 50); do
	grep -q "SIGHUP" "$tmp/log" 2>/dev/null && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.05
done
kill -0 "$pid" 2>/dev/null && grep -q " SIGHUP: no configuration file to read" "$tmp/log"
result $((!$?)) "SIGHUP: logged, still running" "$(cat "$tmp/log")"
kill -TERM "$pid" 2>/dev/null
wait "$pid"
rc=$?
result $((rc == 0)) "SIGTERM: exit 0" "exit $rc"
tap_done
