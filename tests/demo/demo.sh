#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: runs inside the test VM (tests/vm/run.sh --script).  Builds the
# end-to-end topology (tests/e2e/topo.sh: a client, a router, a load
# balancer with xlb on its NIC, backends that decapsulate and answer the
# client directly), sends real TCP traffic and prints what xlb did with it:
# weights, expected and observed shares, then a drain and a removal; then a
# second load balancer, both announcing the VIPs with BGP (BIRD 2,
# tests/e2e/bgp.bash), the failure of one of them, and xlb-healthd draining
# a backend whose server stopped.
set -euo pipefail

: "${XLB_ROOT:?run me through tests/vm/run.sh --script}"
# shellcheck source=tests/e2e/lib.bash
. "$XLB_ROOT/tests/e2e/lib.bash"
# shellcheck source=tests/e2e/bgp.bash
. "$XLB_ROOT/tests/e2e/bgp.bash"
trap 'set +e; hold_stop; bgp_down; e2e_teardown' EXIT

FLOWS=3000

say() { printf '\n== %s\n' "$*"; }

# table JSON "bI:W[:drain]"...: per backend weight, expected and observed
# share (a drained backend keeps its weight and expects no new flow).
table() {
	local json=$1 sum=0 spec total
	shift
	for spec; do
		[[ $spec == *:drain ]] || sum=$((sum + ${spec#*:}))
	done
	total=$(jq .ok <<<"$json")
	printf '  %-8s %6s %9s %9s  %s\n' backend weight expected observed ""
	for spec; do
		local name=${spec%%:*} w=${spec#*:} d=0 n
		[[ $spec == *:drain ]] && w=${w%:drain} d=1
		n=$(jq -r --arg b "$name" '.backends[$b] // 0' <<<"$json")
		awk -v b="$name" -v w="$w" -v d="$d" -v s="$sum" -v n="$n" -v t="$total" 'BEGIN {
			e = s && !d ? 100 * w / s : 0; o = t ? 100 * n / t : 0
			bar = ""; for (i = 0; i < int(o / 2 + 0.5); i++) bar = bar "#"
			printf "  %-8s %6d %8.1f%% %8.1f%%  %s%s\n", b, w, e, o, bar,
				d ? "(drained)" : "" }'
	done
	echo "  ($total flows answered, $(jq .fail <<<"$json") failed)"
}

say "kernel $(uname -r): loading xlb.ko, building the namespaces"
e2e_setup
echo "  client 10.78.0.10-13 -> router -> lb1 (xlb, XDP on eth0) -> b1 b2 b3 (IPIP, DSR)"
echo "  VIP $VIP4:$VPORT and [$VIP6]:$VPORT, TCP and UDP"

say "configure: lbctl restore (services + backends b1/b2/b3 weights 10/20/30), lbctl attach eth0"
e2e_lb lb1 1:10 2:20 3:30
lbn lb1 show service "$SVC4T"

say "$FLOWS TCP connections from distinct source ports to $VIP4:$VPORT"
out=$(flows 4 -n "$FLOWS" -b 20000 -m "$E2E_DIR/before.map")
table "$out" b1:10 b2:20 b3:30

say "the same over IPv6 ([$VIP6]:$VPORT, ip6ip6)"
out=$(flows 6 -n "$FLOWS" -b 20000)
table "$out" b1:10 b2:20 b3:30

say "drain b2 (lbctl drain $(be4 2)) while 30 connections are open"
open=$(hold_start demo 4 30 30000)
held_b2=$(jcount "$open" .backends b2)
e2e_be lb1 drain 2
out=$(flows 4 -n "$FLOWS" -b 31000)
echo "  new connections:"
table "$out" b1:10 b2:0 b3:30
chk=$(hold_check demo)
echo "  open connections: $(jq .ok <<<"$chk") of 30 still answer after the drain," \
	"$(jcount "$chk" .backends b2) of them on b2 (it had $held_b2)"
hold_stop demo

say "remove b3 (lbctl del $(be4 3)), b2 back to weight 20"
e2e_be lb1 set 2 weight 20 state active
e2e_be lb1 del 3
out=$(flows 4 -n "$FLOWS" -b 20000 -m "$E2E_DIR/after.map")
table "$out" b1:10 b2:20
read -r moved kept <<<"$(map_moved "$E2E_DIR/before.map" "$E2E_DIR/after.map" b3)"
on3=$(awk '$3 == "b3"' "$E2E_DIR/before.map" | wc -l)
echo "  the $on3 flows of b3 moved to b1/b2; of the $kept flows on b1/b2," \
	"$moved changed backend ($(awk -v a="$moved" -v b="$kept" 'BEGIN { printf "%.2f", 100 * a / b }')%)"

say "data path counters (lbctl stats)"
lbn lb1 stats service "$SVC4T" | sed 's/^/  /'

# The router's route to the VIP, indented.
route() {
	xn router ip route show "$VIP4" | sed 's/^/  /'
}

# Frames load balancer NODE forwarded.
fwd() {
	lbn "$1" -j stats | jq '.global.tx + .global.redirect'
}

say "scale-out: lb2 gets the same configuration; BIRD on the router, lb1 and lb2"
e2e_lb lb2 1:10 2:20
echo "  each node's xlb-announce keeps a route per VIP it can serve in table 100;"
echo "  its BIRD exports it over BGP (hold time ${BGP_HOLD} s); the router merges"
echo "  the announcements into one ECMP route"
bgp_up
echo "  BGP sessions up in $(bgp_wait_sessions) ms, VIPs announced by both in $(bgp_converge lb1 lb2) ms:"
route
xn lb1 ip route show table 100 | sed 's/^/  lb1 table 100: /'

say "100 connections held through the VIP, spread over lb1 and lb2"
f1=$(fwd lb1) f2=$(fwd lb2)
open=$(hold_start bgp 4 100 30000)
echo "  $(jq .ok <<<"$open") open; frames forwarded by lb1: $(($(fwd lb1) - f1)), by lb2: $(($(fwd lb2) - f2))"

say "lb1 fails (its link goes down)"
bgp_link lb1 down
echo "  the router's hold timer withdrew lb1 after $(bgp_converge lb2) ms:"
route
chk=$(hold_check bgp)
echo "  $(jq .ok <<<"$chk") of 100 connections still answer, now all through lb2" \
	"(Maglev: lb2 picks the backend lb1 picked)"

say "lb1 comes back"
bgp_link lb1 up
echo "  announced again after $(bgp_converge lb1 lb2) ms:"
route

say "every backend drained on lb2: it cannot serve, it withdraws the VIP itself"
e2e_be lb2 drain 1
e2e_be lb2 drain 2
echo "  withdrawn after $(bgp_converge lb1) ms:"
route
chk=$(hold_check bgp)
echo "  $(jq .ok <<<"$chk") of 100 connections still answer"
hold_stop bgp

# Backend I's state in $SVC4T on lb1 is STATE.
_b_state() {
	[ "$(lbn lb1 -j show | jq -r --arg s "$SVC4T" --arg a "$(be4 "$1")" \
		'.[] | select(.service == $s) | .backends[] |
		select(.address == $a) | .state')" = "$2" ]
}
# Every backend of $SVC4T on lb1 is up.
_b_up() {
	[ "$(lbn lb1 -j show | jq -r --arg s "$SVC4T" \
		'[.[] | select(.service == $s) | .backends[].health] |
		all(. == "up")')" = true ]
}

say "health checks: xlb-healthd takes over the announcing on lb1"
echo "  (route kept: $(bgp_healthd_takeover lb1) ms) and checks each backend of $SVC4T:"
hc="tcp interval 500ms timeout 500ms rise 2 fall 2"
echo "  lbctl health $SVC4T $hc"
# shellcheck disable=SC2086 # $hc: the keywords, one word each
lbn lb1 health "$SVC4T" $hc
echo "  every backend up after $(bgp_poll 20 "backends not up" _b_up) ms:"
lbn lb1 show service "$SVC4T" | sed 's/^/  lb1: /'

say "b2's server stops (no weight changed by anyone)"
topo_server stop 2
echo "  drained after $(bgp_poll 20 "b2 not drained" _b_state 2 drain) ms" \
	"(at most fall 2 x interval 0.5 s + timeout 0.5 s); xlb-healthd on lb1 logged:"
grep -F "backend $(be4 2):" "$E2E_DIR/bird/lb1.hd" | sed 's/^/  /'
lbn lb1 show service "$SVC4T" | sed 's/^/  lb1: /'
out=$(flows 4 -n "$FLOWS" -b 36000)
table "$out" b1:10 b2:20:drain

say "b2's server back"
topo_server start 2
echo "  active again after $(bgp_poll 20 "b2 not active" _b_state 2 active) ms:"
grep -F "backend $(be4 2):" "$E2E_DIR/bird/lb1.hd" | tail -n 1 | sed 's/^/  /'
out=$(flows 4 -n "$FLOWS" -b 40000)
table "$out" b1:10 b2:20

say "done"
