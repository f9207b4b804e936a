#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xlb-vm: cpus 2
#
# End to end, in the VM: scale-out.  Two load balancers (lb1, lb2: separate
# network namespaces, each its own xlb state and XDP program) with the same
# configuration behind a router that spreads the VIPs over both with an ECMP
# multipath route (L4 hash).  Every flow reaches the same backend whichever
# load balancer it crosses, and moving flows between load balancers (route
# change) does not move them between backends.  See
# Documentation/scale-out.md.

load e2e/suite

# Frames the load balancer NODE forwarded (XDP_TX + XDP_REDIRECT).
lb_fwd() {
	lbn "$1" -j stats | jq '.global.tx + .global.redirect'
}

@test "same configuration on both load balancers: same table digests" {
	e2e_lb lb1 1:10 2:20 3:30 4:15
	e2e_lb lb2 1:10 2:20 3:30 4:15
	d1=$(lbn lb1 -j show | jq -c '[.[] | {service, digest}]')
	d2=$(lbn lb2 -j show | jq -c '[.[] | {service, digest}]')
	note "lb1: $d1"
	note "lb2: $d2"
	[ "$d1" = "$d2" ]
}

@test "each flow reaches the same backend through lb1, lb2 or ECMP over both" {
	local f via m a1 a2 b1 b2
	for f in 4 6; do
		for via in lb1 lb2 ecmp; do
			topo_route "$via"
			a1=$(lb_fwd lb1) a2=$(lb_fwd lb2)
			run flows "$f" -n 1000 -b 20000 -m "$E2E_DIR/s$f.$via"
			note "IPv$f via $via: $output"
			[ "$(jq .fail <<<"$output")" = 0 ]
			b1=$(($(lb_fwd lb1) - a1)) b2=$(($(lb_fwd lb2) - a2))
			note "  frames forwarded by lb1: $b1, by lb2: $b2"
			case $via in
			lb1)
				[ "$b1" -gt 0 ]
				[ "$b2" = 0 ]
				;;
			lb2)
				[ "$b2" -gt 0 ]
				[ "$b1" = 0 ]
				;;
			ecmp)
				[ "$b1" -gt 0 ]
				[ "$b2" -gt 0 ]
				;;
			esac
		done
		for via in lb2 ecmp; do
			m=$(map_moved "$E2E_DIR/s$f.lb1" "$E2E_DIR/s$f.$via")
			note "IPv$f: flows whose backend differs between lb1 and $via: ${m% *} of ${m#* }"
			[ "${m% *}" = 0 ]
		done
	done
}

@test "changing the ECMP route moves open connections between LBs, never between backends" {
	local f out open
	topo_route ecmp
	open=$(hold_start e4 4 60 30000)
	note "IPv4 held via ECMP: $open"
	open=$(hold_start e6 6 60 30000)
	note "IPv6 held via ECMP: $open"
	for via in lb1 lb2 ecmp; do
		topo_route "$via"
		for f in 4 6; do
			out=$(hold_check "e$f")
			note "route now $via, IPv$f: $out"
			[ "$(jq .ok <<<"$out")" = 60 ]
			[ "$(jq .fail <<<"$out")" = 0 ]
		done
	done
}
