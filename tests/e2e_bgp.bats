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
	bgp_down
	e2e_teardown
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
	open=$(hold_start h 4 "$HELD" 30000)
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
	bgp_announcer_stop lb2 h
	bgp_announcer_start lb2
}
