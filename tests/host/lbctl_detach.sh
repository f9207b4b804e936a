#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host test of `lbctl detach` without xlb's pins (a namespace lbctl never
# attached in, as after the pin directory was removed): a foreign XDP
# program stays where it is; xlb's own program (loaded here by ip from
# build/xlb.bpf.o, so no module is needed) is removed.
#
# usage: tests/host/lbctl_detach.sh BUILD_DIR [LBCTL]    (root)
set -u
B=${1:-build}
LBCTL=${2:-$B/lbctl}
root=$(cd "$(dirname "$0")/../.." && pwd)
NS=xlb-detach-$$
trap 'ip netns del "$NS" 2>/dev/null' EXIT
# shellcheck source=../unit/tap.bash
. "$root/tests/unit/tap.bash"

# nsenter keeps /sys/fs/bpf (ip netns exec remounts /sys): lbctl sees that
# this namespace has no pins.
lb() {
	nsenter --net="/run/netns/$NS" "$LBCTL" "$@" 2>&1
}

# The name of the XDP program on DEV, or nothing.
xdp_name() {
	ip -n "$NS" -d link show dev "$1" |
		sed -n 's/.*prog\/xdp id [0-9]* name \([^ ]*\).*/\1/p'
}

ip netns add "$NS" || exit 1
ip -n "$NS" link add d0 type veth peer name d1
ip -n "$NS" link set d0 up
ip -n "$NS" link set d1 up
ip -n "$NS" link set dev d0 xdpgeneric obj "$B/xdp_pass.bpf.o" sec xdp
ip -n "$NS" link set dev d1 xdpgeneric obj "$B/xlb.bpf.o" sec xdp

[ "$(xdp_name d0)" = xlb_e2e_pass ]
result $((!$?)) "a foreign program on d0 to begin with" "got '$(xdp_name d0)'"
out=$(lb detach d0)
rc=$?
want='lbctl: the XDP program on "d0" is not xlb'"'"'s; not touching it'
[ "$rc" = 1 ] && [ "$out" = "$want" ]
result $((!$?)) "detach refuses a foreign program" "got $rc '$out'"
[ "$(xdp_name d0)" = xlb_e2e_pass ]
result $((!$?)) "the foreign program stays" "got '$(xdp_name d0)'"

[ "$(xdp_name d1)" = xlb_xdp ]
result $((!$?)) "xlb's program on d1 to begin with" "got '$(xdp_name d1)'"
out=$(lb detach d1)
rc=$?
[ "$rc" = 0 ] && [ -z "$out" ]
result $((!$?)) "detach removes xlb's program without its pins" \
	"got $rc '$out'"
[ -z "$(xdp_name d1)" ]
result $((!$?)) "d1 has no program left" "got '$(xdp_name d1)'"

tap_done
