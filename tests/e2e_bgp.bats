#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xlb-vm: cpus 2
#
# End to end, in the VM: VIP announcement with a real routing daemon.  The
# scale-out topology (tests/e2e_scaleout.bats) with BIRD 2 on the router
# and on lb1 and lb2 (tests/e2e/bgp.bash): each load balancer's announcer
# (build/xlb-announce) keeps a route per VIP it can serve in routing table
# 100, its BIRD exports it over BGP, and the router installs the VIPs as
# equal-cost multipath routes over the load balancers that announce them.
# Three backends, direct server return.  See Documentation/scale-out.md.

# Three backends (topo.sh reads this when the suite loads it).
export XLB_E2E_BACKENDS=3
load e2e/suite
# shellcheck source=tests/e2e/bgp.bash
. "$BATS_TEST_DIRNAME/e2e/bgp.bash"

HELD=300

setup_file() {
	e2e_setup
	bgp_up
}

teardown_file() {
	hold_stop
	bgp_down
	e2e_teardown
}

# The held connections "h" live on from test to test (scenario (b) uses
# those of (a)), unless a test failed.
teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] || hold_stop
}

# Hold $HELD connections as "h" unless they are held already; prints the
# JSON of their opening.
held_open() {
	if [ -s "$E2E_DIR/h.hpid" ] && kill -0 "$(cat "$E2E_DIR/h.hpid")"; then
		cat "$E2E_DIR/h.open"
		return
	fi
	hold_start h 4 "$HELD" 30000 >"$E2E_DIR/h.open" || return 1
	cat "$E2E_DIR/h.open"
}

# A check round over the held connections "h": all answer, none failed.
held_ok() {
	local out
	out=$(hold_check h) || return 1
	note "$1: $(jq -c '{ok, fail, backends}' <<<"$out")"
	echo "$out" >"$E2E_DIR/h.last"
	[ "$(jq .ok <<<"$out")" = "$HELD" ] && [ "$(jq .fail <<<"$out")" = 0 ]
}

# Both load balancers configured and attached, both announcing (what the
# first test leaves, made sure of for the later ones).
both_lbs() {
	if [ "$(bgp_nexthops 4)" = "$LB1_4 $LB2_4" ] &&
	   [ "$(bgp_nexthops 6)" = "$LB1_6 $LB2_6" ]; then
		return 0
	fi
	e2e_lb lb1 1:10 2:10 3:10 || return 1
	e2e_lb lb2 1:10 2:10 3:10 || return 1
	bgp_converge lb1 lb2 >/dev/null
}

@test "a VIP is announced while xlb is attached and the service has an active backend" {
	local t
	t=$(bgp_wait_sessions)
	note "BGP sessions router <-> lb1, lb2 established in $t ms"
	# Configured but not attached yet: nothing announced (one round of
	# the announcer, synchronously).
	e2e_config lb1 1:10 2:10 3:10 >"$E2E_DIR/lb1.conf"
	lbn lb1 restore "$E2E_DIR/lb1.conf"
	lbn_ns lb1 "$ANNOUNCE" once
	[ "$(bgp_table lb1)" = "" ]
	[ "$(bgp_nexthops 4)" = "" ]
	[ "$(bgp_nexthops 6)" = "" ]
	e2e_lb lb1 1:10 2:10 3:10
	t=$(bgp_converge lb1)
	note "lb1 attached: its VIPs announced in $t ms"
	# Every backend in state drain (as xlb-healthd sets it), in one
	# restore, then active again.
	sed 's/ service / state drain service /' "$E2E_DIR/lb1.conf" >"$E2E_DIR/lb1.drained"
	lbn lb1 restore "$E2E_DIR/lb1.drained"
	t=$(bgp_converge)
	note "every backend of lb1 drained: VIPs withdrawn in $t ms"
	lbn lb1 restore "$E2E_DIR/lb1.conf"
	t=$(bgp_converge lb1)
	note "backends active again: announced in $t ms"
	e2e_lb lb2 1:10 2:10 3:10
	t=$(bgp_converge lb1 lb2)
	note "lb2 attached: ECMP over both in $t ms"
	[ "$(bgp_nexthops 4)" = "$LB1_4 $LB2_4" ]
}

@test "$HELD connections survive a detached LB and a failed LB link; routes come back" {
	local open out t i
	both_lbs
	hold_stop h
	open=$(held_open)
	note "held: $(jq -c '{conns, backends}' <<<"$open")"

	# (a) lb1 detached: its announcer withdraws at once.
	lbn lb1 detach eth0
	t=$(bgp_converge lb2)
	note "lb1 detached: withdrawn in $t ms"
	held_ok "after lb1's withdrawal"

	# (c) attached again: announced again, connections still there.
	lbn lb1 attach eth0 mode native
	t=$(bgp_converge lb1 lb2)
	note "lb1 attached again: announced in $t ms"
	held_ok "lb1 back"

	# (a) lb2's link fails: the router's hold timer withdraws it.
	bgp_link lb2 down
	t=$(bgp_converge lb1)
	note "lb2's link down: withdrawn after $t ms (hold time ${BGP_HOLD} s)"
	held_ok "after lb2's withdrawal"

	# (c) link back: session and route come back.
	bgp_link lb2 up
	t=$(bgp_converge lb1 lb2)
	note "lb2's link up: announced again in $t ms"
	held_ok "lb2 back"
	out=$(cat "$E2E_DIR/h.last")
	note "connections kept through both failures: $(jq .ok <<<"$out") of $HELD"
	for i in 1 2 3; do
		[ "$(jcount "$out" .backends "b$i")" = "$(jcount "$open" .backends "b$i")" ]
	done
}

@test "a stopped announcer withdraws its VIPs" {
	both_lbs
	bgp_announcer_stop lb2
	t=$(bgp_converge lb1)
	note "lb2's announcer stopped: withdrawn in $t ms"
	[ "$(bgp_table lb2)" = "" ]
	bgp_announcer_start lb2
	bgp_converge lb1 lb2 >/dev/null
}

@test "xlb-healthd announces through the same hook" {
	local t
	both_lbs
	bgp_announcer_stop lb2
	bgp_converge lb1 >/dev/null
	bgp_healthd_start lb2
	t=$(bgp_converge lb1 lb2)
	note "xlb-healthd on lb2: announced in $t ms"
	lbn lb2 detach eth0
	t=$(bgp_converge lb1)
	note "lb2 detached: xlb-healthd withdrew in $t ms"
	lbn lb2 attach eth0 mode native
	t=$(bgp_converge lb1 lb2)
	note "lb2 attached again: announced in $t ms"
	# Stopped (SIGTERM), it withdraws as xlb-announce does.
	bgp_announcer_stop lb2 h
	t=$(bgp_converge lb1)
	note "xlb-healthd on lb2 stopped: withdrawn in $t ms"
	[ "$(bgp_table lb2)" = "" ]
	bgp_healthd_start lb2
	t=$(bgp_converge lb1 lb2)
	note "xlb-healthd on lb2 started again: announced in $t ms"
}

# Health checks on every service of NODE, short times: a refused
# connection (TCP) or port unreachable (UDP) fails at once.  One restore
# of NODE's configuration with them (the backends and tables stay).
health_conf() {
	local n=$1 times="interval 500ms timeout 500ms rise 2 fall 2"
	{
		cat "$E2E_DIR/$n.conf"
		echo "health $SVC4T tcp $times"
		echo "health $SVC6T tcp $times"
		echo "health $SVC4U udp send ping $times"
		echo "health $SVC6U udp send ping $times"
	} >"$E2E_DIR/$n.health"
	lbn "$n" restore "$E2E_DIR/$n.health"
}

# conntrack_untracked of lb1 and lb2 ("N M"), and what it moved since.
untracked() {
	local n
	for n in lb1 lb2; do
		lbn "$n" -j stats | jq -r .global.conntrack_untracked
	done | paste -sd' '
}

untracked_since() {
	local a b
	read -r a b <<<"$(untracked)"
	echo "$((a - ${1% *})) $((b - ${1#* }))"
}

# The states (or another KEY) of backend I in every service of lb1 and
# lb2, one word per service, e.g. "drain drain ... drain" (8 words).
be_field() {
	local key=$1 i=$2 n
	for n in lb1 lb2; do
		lbn "$n" -j show | jq -r --arg a "$(be4 "$i")" --arg b "$(be6 "$i")" \
			".[].backends[] | select(.address == \$a or .address == \$b) | .$key"
	done | tr '\n' ' '
}

_be_field_is() {
	[ "$(be_field "$1" "$2")" = "$3 $3 $3 $3 $3 $3 $3 $3 " ]
}

# Every backend of every service of lb1 and lb2 is up (one show each).
_all_up() {
	local n
	for n in lb1 lb2; do
		[ "$(lbn "$n" -j show | jq '[.[].backends[].health] |
			length == 12 and all(. == "up")')" = true ] || return 1
	done
}

@test "(b) xlb-healthd drains a stopped backend: new connections avoid it, the others' held ones kept" {
	local open hb out t u
	both_lbs
	open=$(held_open)
	t=$(bgp_healthd_takeover lb2 lb1)
	note "xlb-healthd took over from xlb-announce on lb1 and lb2 (routes kept: $t ms)"
	# Connections opened now, under the routes that stay: each one's SYN
	# made its conntrack entry on the LB that carries it.  The ECMP
	# changes of (a) can have left some of the $HELD held since then on
	# an LB without their entry: they follow the table there
	# (Documentation/datapath.md), and those whose slot the drain moves
	# break: only counted below.
	hb=$(hold_start hb 4 150 35000)
	note "150 more held: $(jq -c '{conns, backends}' <<<"$hb")"
	health_conf lb1
	health_conf lb2
	t=$(bgp_poll 20 "backends not up" _all_up)
	note "every backend up on lb1 and lb2 after $t ms"

	topo_server stop 2
	t=$(bgp_poll 20 "b2 not drained" _be_field_is state 2 drain)
	note "b2's server stopped: drained in all 4 services of lb1 and lb2 in $t ms (fall 2 x interval 0.5 s + timeout 0.5 s = 1.5 s)"
	[ "$(be_field weight 2)" = "10 10 10 10 10 10 10 10 " ]
	[ "$(bgp_nexthops 4)" = "$LB1_4 $LB2_4" ]
	u=$(untracked)
	out=$(hold_check h)
	note "the $HELD held since (a): packets without a conntrack entry (lb1 lb2) in that round: $(untracked_since "$u")"
	note "the $HELD held since (a), to b1 and b3: $(jq '.backends.b1 + .backends.b3' <<<"$out") of $(jq '.backends.b1 + .backends.b3' <<<"$open") kept ($(jq -c '{fail_by}' <<<"$out"))"
	out=$(hold_check hb)
	note "the 150 held, after b2's failure: $(jq -c '{ok, fail, backends, fail_by}' <<<"$out")"
	note "held connections to b1 and b3 kept: $(jq '.backends.b1 + .backends.b3' <<<"$out") of $(jq '.backends.b1 + .backends.b3' <<<"$hb")"
	[ "$(jcount "$out" .backends b1)" = "$(jcount "$hb" .backends b1)" ]
	[ "$(jcount "$out" .backends b3)" = "$(jcount "$hb" .backends b3)" ]
	[ "$(jcount "$out" .backends b2)" = 0 ]
	out=$(flows 4 -n 100 -b 40000)
	note "100 new connections: $(jq -c '{ok, fail, backends}' <<<"$out")"
	[ "$(jq .fail <<<"$out")" = 0 ]
	[ "$(jcount "$out" .backends b2)" = 0 ]

	# (c) the server back: active again after rise checks, and chosen.
	topo_server start 2
	t=$(bgp_poll 20 "b2 not active" _be_field_is state 2 active)
	note "b2's server back: active in all 4 services of lb1 and lb2 in $t ms (rise 2 x interval 0.5 s = 1 s)"
	out=$(flows 4 -n 100 -b 41000)
	note "100 new connections: $(jq -c '{ok, fail, backends}' <<<"$out")"
	[ "$(jq .fail <<<"$out")" = 0 ]
	[ "$(jcount "$out" .backends b2)" -gt 0 ]
}
