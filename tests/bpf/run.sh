#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run a command (the XDP fixture tests, the benchmark) inside a throwaway
# network namespace whose devices make bpf_fib_lookup() deterministic:
#   xa0 (02:00:00:00:0a:00) 10.0.0.1/24 fd00::1/64  <-veth->  xa1
#   xb0 (02:00:00:00:0b:00) 10.1.0.1/24 fd01::1/64  <-veth->  xb1
# permanent neighbours (backends) on both, 10.9.0.0/16 blackholed,
# forwarding on.  10.0.0.99 deliberately has no neighbour entry.
# VLANs: the host kernel may lack 802.1Q, and the data path knows VLAN
# devices only through xlb_vlan_in/xlb_egress, so veths stand in for them
# (the tests register them as xa0's VLAN 100 and xb0's VLAN 200):
#   xav (02:00:00:00:0a:64) 10.2.0.1/24 fd02::1/64  "xa0.100"
#   xbv (02:00:00:00:0b:c8) 10.3.0.1/24 fd03::1/64  "xb0.200"
#   xc0 (02:00:00:00:0c:00) 10.4.0.1/24             xlb not attached
# and frames arriving on "xa0.100" for 10.0.0.13 meet a blackhole route
# (ip rule iif xav): only a lookup made as the VLAN device sees it.
set -eu
NS=xlb-bpf-$$
cleanup() { ip netns del "$NS" 2>/dev/null || true; }
trap cleanup EXIT INT TERM
ip netns add "$NS"
n() { ip -n "$NS" "$@"; }
n link add xa0 address 02:00:00:00:0a:00 type veth peer name xa1 address 02:00:00:00:0a:01
n link add xb0 address 02:00:00:00:0b:00 type veth peer name xb1 address 02:00:00:00:0b:01
n link add xav address 02:00:00:00:0a:64 type veth peer name xav1
n link add xbv address 02:00:00:00:0b:c8 type veth peer name xbv1
n link add xc0 address 02:00:00:00:0c:00 type veth peer name xc1
for d in lo xa0 xa1 xb0 xb1 xav xav1 xbv xbv1 xc0 xc1; do n link set "$d" up; done
n addr add 10.0.0.1/24 dev xa0
n addr add fd00::1/64 dev xa0 nodad
n addr add 10.1.0.1/24 dev xb0
n addr add fd01::1/64 dev xb0 nodad
n addr add 10.2.0.1/24 dev xav
n addr add fd02::1/64 dev xav nodad
n addr add 10.3.0.1/24 dev xbv
n addr add fd03::1/64 dev xbv nodad
n addr add 10.4.0.1/24 dev xc0
neigh() { n neigh replace "$1" lladdr "$2" dev "$3" nud permanent; }
neigh 10.0.0.10 02:00:00:00:0a:10 xa0
neigh 10.0.0.11 02:00:00:00:0a:11 xa0
neigh 10.0.0.12 02:00:00:00:0a:12 xa0
neigh 10.1.0.10 02:00:00:00:0b:10 xb0
neigh fd00::10 02:00:00:00:0a:20 xa0
neigh fd01::10 02:00:00:00:0b:20 xb0
neigh 10.0.0.13 02:00:00:00:0a:13 xa0
neigh 10.2.0.10 02:00:00:00:0a:70 xav
neigh fd02::10 02:00:00:00:0a:72 xav
neigh 10.3.0.10 02:00:00:00:0b:70 xbv
neigh 10.4.0.10 02:00:00:00:0c:10 xc0
n rule add iif xav to 10.0.0.13/32 table 100 priority 100
n route add blackhole 10.0.0.13 table 100
n route add blackhole 10.9.0.0/16
ip netns exec "$NS" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
ip netns exec "$NS" "$@"
