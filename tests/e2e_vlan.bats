#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xlb-vm: cpus 2
#
# End to end, in the VM: real TCP through xlb with tagged and untagged
# client and backend networks (Documentation/datapath.md, "VLANs").
# Topology: tests/e2e/topo.sh with topo_vlan: the client's traffic reaches
# lb1 untagged or on VLAN 30, backend b1 is untagged, b2 is also reachable
# on VLAN 20.  Tests run in file order and build on each other.

load e2e/suite

# lb1 serves the TCP VIPs (v4, v6) with one backend: ADDR4 ADDR6.
vlan_lb() {
	cat >"$E2E_DIR/vlan.conf" <<-EOF
	config src4 $LB1_4 src6 $LB1_6
	service add $SVC4T
	add $1 service $SVC4T
	service add $SVC6T
	add $2 service $SVC6T
	EOF
	lbn lb1 flush
	lbn lb1 restore "$E2E_DIR/vlan.conf"
}

# TCP flows over v4 and v6, every one must reach backend NAME.
all_on() {
	local f out
	for f in 4 6; do
		out=$(flows "$f" -n "$2" -b "$3")
		note "IPv$f: $out"
		[ "$(jq -r .fail <<<"$out")" = 0 ]
		[ "$(jq -r --arg b "$1" '.backends[$b] // 0' <<<"$out")" = "$2" ]
	done
}

gstat() {
	lbn lb1 -j stats | jq -r ".global.$1"
}

# 100 v4 + 100 v6 flows from VLAN 30 all reach backend NAME (sports
# from BASE), every frame seen tagged by the data path.
from_vlan30() {
	local vlan
	vlan=$(gstat vlan)
	all_on "$1" 100 "$2"
	[ "$(gstat vlan)" -ge $((vlan + 200)) ]
	[ "$(gstat pass_vlan_unknown)" = 0 ]
}

# Frames b2 received on its VLAN device eth0.20.
b2_vlan_rx() {
	xn b2 cat /proc/net/dev | awk '$1 == "eth0.20:" { print $3 }'
}

# Entries of lb1's pinned map NAME.
map_len() {
	# shellcheck disable=SC2016 # expanded by the inner sh
	lbn_ns lb1 sh -c 'bpftool -j map dump pinned /sys/fs/bpf/xlb*/"$1"' sh "$1" |
		jq length
}

@test "a VLAN device made after attach: drop_no_egress, never redirect, until attach runs again" {
	e2e_lb lb1 1:1
	topo_vlan
	vlan_lb 10.20.0.12 fd20::12
	run --separate-stderr flows 4 -n 4 -b 20000 -w 500 -r 1
	echo "$output"
	[ "$(jq -r .ok <<<"$output")" = 0 ]
	[ "$(gstat drop_no_egress)" -ge 4 ]
	[ "$(gstat redirect)" = 0 ]
	[ "$(gstat tx)" = 0 ]
	lbn lb1 attach eth0 mode native
	# a tagged pass_no_neigh frame reaches the kernel on the VLAN device
	[ "$(xn lb1 cat /proc/sys/net/ipv4/conf/eth0.20/accept_local)" = 1 ]
	all_on b2 50 20100
}

@test "untagged clients -> backend on VLAN 20: tagged, XDP_TX" {
	local tx rx
	tx=$(gstat tx) rx=$(b2_vlan_rx)
	all_on b2 100 21000
	[ "$(gstat tx)" -ge $((tx + 200)) ]
	[ "$(gstat redirect)" = 0 ]
	# on b2's VLAN device, not merely to its VLAN address
	[ "$(b2_vlan_rx)" -ge $((rx + 200)) ]
}

@test "clients on VLAN 30 -> backend on VLAN 20: retagged, XDP_TX" {
	local rx
	topo_route_vlan
	rx=$(b2_vlan_rx)
	from_vlan30 b2 22000
	[ "$(b2_vlan_rx)" -ge $((rx + 200)) ]
}

@test "clients on VLAN 30 -> untagged backend: tag removed" {
	vlan_lb "$(be4 1)" "$(be6 1)"
	# b1 has no VLAN device: a tagged frame would never reach its tunnel
	from_vlan30 b1 23000
}

@test "attach refuses an 802.1ad VLAN device, a stacked one, and VLAN receive offload" {
	ip -n "$E2E_P-lb1" link add link eth0 name eth0.88 type vlan \
		proto 802.1ad id 88
	run lbn lb1 attach eth0 mode native
	ip -n "$E2E_P-lb1" link del eth0.88
	[ "$status" -eq 1 ]
	[ "$output" = 'lbctl: VLAN device "eth0.88" on "eth0" uses protocol 802.1ad: xlb handles 802.1Q tags only (delete "eth0.88")' ]
	ip -n "$E2E_P-lb1" link add link eth0.20 name eth0.20.5 type vlan id 5
	run lbn lb1 attach eth0 mode native
	ip -n "$E2E_P-lb1" link del eth0.20.5
	[ "$status" -eq 1 ]
	[ "$output" = 'lbctl: VLAN device "eth0.20.5" is stacked on "eth0.20", a VLAN device of "eth0": xlb handles one 802.1Q tag only (delete "eth0.20.5")' ]
	xn lb1 ethtool -K eth0 rxvlan on
	run lbn lb1 attach eth0 mode native
	xn lb1 ethtool -K eth0 rxvlan off
	[ "$status" -eq 1 ]
	[ "$output" = 'lbctl: "eth0" has VLAN devices but strips VLAN tags before XDP sees them (rx-vlan-offload on): turn it off first (ethtool -K eth0 rxvlan off)' ]
	# still attached and serving
	all_on b1 20 24000
}

@test "detach forgets the device and its VLAN devices" {
	# eth0, eth0.20, eth0.30
	[ "$(map_len xlb_egress)" = 3 ]
	[ "$(map_len xlb_vlan_in)" = 2 ]
	lbn lb1 detach eth0
	[ "$(map_len xlb_egress)" = 0 ]
	[ "$(map_len xlb_vlan_in)" = 0 ]
}
