#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The end-to-end topology: network namespaces joined by veth pairs.
#
#   client ---- router ---- switch (bridge) ---- lb1, lb2
#   10.78.0.0/24            10.77.0.0/24    \--- b1 .. bN (backends)
#   fd78::/64               fd77::/64
#
#   client   10.78.0.2 and the flow sources 10.78.0.10-13 (fd78::2, ::10-13)
#   router   10.78.0.1 / 10.77.0.1 (fd78::1 / fd77::1); routes the VIPs to
#            lb1 (topo_route lb1|lb2|ecmp), L4 multipath hashing
#   lb1, lb2 10.77.0.2, 10.77.0.3 (fd77::2, ::3): xlb attaches to their eth0
#            and sends the encapsulated packets back out of it (XDP_TX);
#            IPv6 forwarding on (bpf_fib_lookup needs it; lbctl attach
#            turns on IPv4's), redirects off, no neighbour entries
#   bI       10.77.0.(10+I) (fd77::(10+I)): decapsulate IPIP (xlbt4) and
#            ip6ip6 (xlbt6), hold the VIPs on lo, run namesrv "bI" on port
#            80 TCP+UDP, and reply to the client directly through the router
#            (direct server return, never through a load balancer).  Each
#            backend advertises its own TCP MSS (1400 - I) so the client can
#            tell which backend a connection reached before any data arrives.
#
# Source this file, then topo_up / topo_down (bats: setup_file and
# teardown_file).  Run directly ("topo.sh up") it builds the topology, prints
# its variables and tears it down on exit (Ctrl-C, or "topo.sh up -- CMD").
# Namespace names are unique per process: xlbe2e-$$-<node>.

E2E_ROOT=${XLB_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
XLB_ROOT=$E2E_ROOT
# shellcheck source=tests/vm/helpers.bash
. "$E2E_ROOT/tests/vm/helpers.bash"
FLOWGEN=${XLB_FLOWGEN:-$E2E_ROOT/build/flowgen}
NAMESRV=${XLB_NAMESRV:-$E2E_ROOT/build/namesrv}
XDP_PASS=$XLB_XDP_PASS
E2E_NB=${XLB_E2E_BACKENDS:-5}

VIP4=198.51.100.10
VIP6=2001:db8:100::10
VPORT=80
CL_SRC4="10.78.0.10 10.78.0.11 10.78.0.12 10.78.0.13"
CL_SRC6="fd78::10 fd78::11 fd78::12 fd78::13"
LB1_4=10.77.0.2 LB1_6=fd77::2
LB2_4=10.77.0.3 LB2_6=fd77::3

be4() { echo "10.77.0.$((10 + $1))"; }
be6() { echo "fd77::$((10 + $1))"; }
be_mac() { printf '02:77:00:00:01:%02x' "$1"; }
be_mss() { echo $((1400 - $1)); }

# Run a command in the network namespace of NODE (client, router, switch,
# lb1, lb2, b1..bN).
xn() {
	local node=$1
	shift
	in_ns "$E2E_P-$node" "$@"
}

# Start CMD in NODE in the background, stdout to OUT; its pid in XN_PID
# (nsenter execs CMD, so the pid is CMD's own and signals reach it).
xn_bg() {
	local node=$1 out=$2
	shift 2
	nsenter --net="/run/netns/$E2E_P-$node" "$@" >"$out" 2>>"$out.err" 3>&- &
	export XN_PID=$!
}

_topo_ns() { echo "$E2E_P-$1"; }

# sysctls of NODE: "key=value" words, written in one exec.
_topo_sysctl() {
	local node=$1 kv script=
	shift
	for kv in "$@"; do
		script+="echo ${kv#*=} > /proc/sys/${kv%%=*};"
	done
	xn "$node" sh -c "$script"
}

_topo_base_sysctls=(
	net/ipv6/conf/all/accept_dad=0 net/ipv6/conf/default/accept_dad=0
	net/ipv6/conf/all/accept_ra=0 net/ipv6/conf/default/accept_ra=0
	net/ipv4/conf/all/rp_filter=0 net/ipv4/conf/default/rp_filter=0
	net/ipv4/conf/all/accept_redirects=0 net/ipv6/conf/all/accept_redirects=0
	net/ipv4/conf/default/accept_redirects=0 net/ipv6/conf/default/accept_redirects=0
)

# A node on the switch: NODE IP4 IP6 MAC [DEV].
_topo_switch_node() {
	local node=$1 a4=$2 a6=$3 mac=$4 dev=${5:-eth0}
	ip -n "$(_topo_ns "$node")" -batch - <<-EOF
	link set lo up
	link add $dev address $mac type veth peer name p-$node netns $(_topo_ns switch)
	addr add $a4/24 dev $dev
	addr add $a6/64 dev $dev nodad
	link set $dev up
	EOF
}

_topo_backend() {
	local i=$1 node=b$1 mss
	mss=$(be_mss "$i")
	_topo_switch_node "$node" "$(be4 "$i")" "$(be6 "$i")" "$(be_mac "$i")" || return 1
	ip -n "$(_topo_ns "$node")" -batch - <<-EOF || return 1
	addr add $VIP4/32 dev lo
	addr add $VIP6/128 dev lo nodad
	route add default via 10.77.0.1 advmss $mss
	route add default via fd77::1 advmss $mss
	EOF
	# XLB_E2E_NO_TUNNEL=1: a kernel without ipip/ip6_tunnel (debugging the
	# topology on a host; nothing can be decapsulated then).
	ip -n "$(_topo_ns "$node")" -batch - <<-EOF || [ -n "${XLB_E2E_NO_TUNNEL:-}" ] || return 1
	link add xlbt4 type ipip local $(be4 "$i") remote any
	link add xlbt6 type ip6tnl mode ip6ip6 local $(be6 "$i") remote any
	link set xlbt4 up
	link set xlbt6 up
	EOF
	topo_server start "$i"
}

# Start or stop backend I's server: topo_server start|stop I.  It listens
# on the VIPs (the traffic) and on the backend's own addresses (where
# xlb-healthd's checks go, Documentation/health.md).  Neither waits:
# topo_wait_servers waits for a start.
topo_server() {
	local i=$2 node=b$2 pid
	if [ "$1" = stop ]; then
		pid=$(cat "$E2E_DIR/$node.pid") || return 1
		rm -f "$E2E_DIR/$node.pid"
		kill "$pid"	# no wait: the parent may be gone (no reaper)
		return
	fi
	xn "$node" "$NAMESRV" -f "$E2E_DIR/$node.pid" "$node" "$VPORT" \
		"$VIP4" "$VIP6" "$(be4 "$i")" "$(be6 "$i")" \
		>>"$E2E_DIR/$node.log" 2>&1 3>&- &
}

topo_up() {
	local node i n
	if ! [ -x "$FLOWGEN" ] || ! [ -x "$NAMESRV" ] || ! [ -f "$XDP_PASS" ]; then
		echo "topo: $FLOWGEN, $NAMESRV or $XDP_PASS missing: make e2e-tools" >&2
		return 1
	fi
	export E2E_P=xlbe2e-$$
	export E2E_DIR=${E2E_DIR:-$(mktemp -d "/tmp/$E2E_P.XXXXXX")}
	export E2E_NODES="client router switch lb1 lb2"
	for ((i = 1; i <= E2E_NB; i++)); do
		E2E_NODES+=" b$i"
	done
	# sysctls first: devices created later take the "default" values
	# (rp_filter off also on the backends' tunnels, where decapsulated
	# packets arrive from a source routed elsewhere).
	for node in $E2E_NODES; do
		ip netns add "$(_topo_ns "$node")" || return 1
		_topo_sysctl "$node" "${_topo_base_sysctls[@]}" || return 1
	done
	_topo_sysctl router net/ipv4/ip_forward=1 net/ipv6/conf/all/forwarding=1 \
		net/ipv4/conf/all/send_redirects=0 \
		net/ipv4/conf/default/send_redirects=0 \
		net/ipv4/fib_multipath_hash_policy=1 \
		net/ipv6/fib_multipath_hash_policy=1 || return 1
	# bpf_fib_lookup() answers "forwarding disabled" unless it is on:
	# lbctl attach turns IPv4 forwarding on for its device, IPv6's is one
	# host-wide switch left to the operator.
	for node in lb1 lb2; do
		_topo_sysctl "$node" net/ipv6/conf/all/forwarding=1 \
			net/ipv4/conf/all/send_redirects=0 \
			net/ipv4/conf/default/send_redirects=0 || return 1
	done
	ip -n "$(_topo_ns switch)" -batch - <<-EOF || return 1
	link set lo up
	link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0
	link set br0 up
	EOF

	# client <-> router
	ip -n "$(_topo_ns client)" -batch - <<-EOF || return 1
	link set lo up
	link add eth0 type veth peer name eth0 netns $(_topo_ns router)
	addr add 10.78.0.2/24 dev eth0
	addr add fd78::2/64 dev eth0 nodad
	$(for a in $CL_SRC4; do echo "addr add $a/24 dev eth0"; done)
	$(for a in $CL_SRC6; do echo "addr add $a/64 dev eth0 nodad"; done)
	link set eth0 up
	route add default via 10.78.0.1
	route add default via fd78::1
	EOF
	_topo_sysctl client "net/ipv4/ip_local_port_range=40000 60999" || return 1
	xn client ethtool -K eth0 tx off >/dev/null || return 1

	_topo_switch_node router 10.77.0.1 fd77::1 02:77:00:00:00:01 eth1 || return 1
	ip -n "$(_topo_ns router)" -batch - <<-EOF || return 1
	addr add 10.78.0.1/24 dev eth0
	addr add fd78::1/64 dev eth0 nodad
	link set eth0 up
	route add $VIP4/32 via $LB1_4
	route add $VIP6/128 via $LB1_6
	EOF
	# Frames the XDP program transmits must carry full checksums.
	xn router ethtool -K eth1 tx off >/dev/null || return 1

	_topo_switch_node lb1 "$LB1_4" "$LB1_6" 02:77:00:00:00:02 || return 1
	_topo_switch_node lb2 "$LB2_4" "$LB2_6" 02:77:00:00:00:03 || return 1
	for ((i = 1; i <= E2E_NB; i++)); do
		_topo_backend "$i" || return 1
	done

	# Switch ports up; the load balancers' ports receive XDP_TX frames,
	# which veth only delivers to a peer running NAPI: give them an XDP
	# program that passes everything.
	ip -n "$(_topo_ns switch)" -batch - <<-EOF || return 1
	$(for n in router lb1 lb2 $(seq -f 'b%g' 1 "$E2E_NB"); do
		echo "link set p-$n master br0"
		echo "link set p-$n up"
	done)
	EOF
	ip -n "$(_topo_ns switch)" -batch - <<-EOF || return 1
	link set dev p-lb1 xdpdrv obj $XDP_PASS sec xdp
	link set dev p-lb2 xdpdrv obj $XDP_PASS sec xdp
	EOF

	# Load balancers: default route to the router.  Neighbour entries are
	# left to xlb (managed next hops, Documentation/datapath.md): the
	# load balancers start with cold caches, as a fresh machine does.
	for n in lb1 lb2; do
		ip -n "$(_topo_ns $n)" -batch - <<-EOF || return 1
		route add default via 10.77.0.1
		route add default via fd77::1
		EOF
	done
	topo_wait_links && topo_wait_servers
}

# A link that was just set up drops packets until the kernel's link watcher
# has activated it (up to a second later): wait until the router reaches
# every node.
topo_wait_links() {
	local targets="10.78.0.2 fd78::2 $LB1_4 $LB1_6 $LB2_4 $LB2_6" i
	for ((i = 1; i <= E2E_NB; i++)); do
		targets+=" $(be4 "$i") $(be6 "$i")"
	done
	# shellcheck disable=SC2016,SC2086 # the inner sh expands; $targets is a list
	xn router sh -c 'pids=
		for a; do ping -q -n -c1 -i0.2 -w10 "$a" >/dev/null & pids="$pids $!"; done
		for p in $pids; do wait $p || exit 1; done' sh $targets ||
		{ echo "topo: links did not come up" >&2; return 1; }
}

topo_wait_servers() {
	local i tries=0
	for ((i = 1; i <= E2E_NB; i++)); do
		while [ ! -s "$E2E_DIR/b$i.pid" ]; do
			((tries++ < 300)) || { echo "topo: namesrv b$i did not start:" \
				"$(cat "$E2E_DIR/b$i.log")" >&2; return 1; }
			sleep 0.1
		done
	done
}

# Where the router sends the VIPs: lb1, lb2, or ecmp (both, L4 hash).
topo_route() {
	local r4 r6
	case $1 in
	lb1) r4="via $LB1_4" r6="via $LB1_6" ;;
	lb2) r4="via $LB2_4" r6="via $LB2_6" ;;
	ecmp) r4="nexthop via $LB1_4 nexthop via $LB2_4"
	      r6="nexthop via $LB1_6 nexthop via $LB2_6" ;;
	*) echo "topo_route: bad target '$1': lb1, lb2 or ecmp" >&2; return 1 ;;
	esac
	ip -n "$(_topo_ns router)" -batch - <<-EOF
	route replace $VIP4/32 $r4
	route del $VIP6/128
	route add $VIP6/128 $r6
	EOF
}

# VLANs on the switch (tests/e2e_vlan.bats), on top of topo_up: the bridge
# forwards tagged frames as they are (no VLAN filtering).
#   VLAN 30  router eth1.30 10.30.0.1 fd30::1   lb1 eth0.30 10.30.0.2 fd30::2
#            (topo_route_vlan 30 sends the VIPs to lb1 through it)
#   VLAN 20  lb1 eth0.20 10.20.0.2 fd20::2       b2 eth0.20 10.20.0.12 fd20::12
#            (b2 decapsulates what is sent to its VLAN address, tunnels
#            xlbv4/xlbv6)
# XDP sees a VLAN tag only in the frame: lb1's eth0 gets VLAN receive
# offload off (lbctl attach refuses VLAN devices without), and the switch
# port to lb1 VLAN transmit offload off, so that the tag the router's veth
# handed over beside the frame goes into it.  Run it after lbctl attach to
# see a VLAN device the data path does not know yet.
topo_vlan() {
	xn lb1 ethtool -K eth0 rxvlan off >/dev/null || return 1
	xn switch ethtool -K p-lb1 txvlan off >/dev/null || return 1
	_topo_vlan_dev router eth1 30 10.30.0.1 fd30::1 || return 1
	_topo_vlan_dev lb1 eth0 30 10.30.0.2 fd30::2 || return 1
	_topo_vlan_dev lb1 eth0 20 10.20.0.2 fd20::2 || return 1
	_topo_vlan_dev b2 eth0 20 10.20.0.12 fd20::12 || return 1
	ip -n "$(_topo_ns b2)" -batch - <<-EOF || return 1
	link add xlbv4 type ipip local 10.20.0.12 remote any
	link add xlbv6 type ip6tnl mode ip6ip6 local fd20::12 remote any
	link set xlbv4 up
	link set xlbv6 up
	EOF
	xn router sh -c 'ping -q -n -c1 -w10 10.30.0.2 >/dev/null &&
		ping -q -n -c1 -w10 fd30::2 >/dev/null' ||
		{ echo "topo: VLAN 30 did not come up" >&2; return 1; }
	xn lb1 sh -c 'ping -q -n -c1 -w10 10.20.0.12 >/dev/null &&
		ping -q -n -c1 -w10 fd20::12 >/dev/null' ||
		{ echo "topo: VLAN 20 did not come up" >&2; return 1; }
}

# VLAN device DEV.VID on NODE's DEV with addresses A4/24 and A6/64.
_topo_vlan_dev() {
	local node=$1 dev=$2 vid=$3 a4=$4 a6=$5
	ip -n "$(_topo_ns "$node")" -batch - <<-EOF
	link add link $dev name $dev.$vid type vlan id $vid
	addr add $a4/24 dev $dev.$vid
	addr add $a6/64 dev $dev.$vid nodad
	link set $dev.$vid up
	EOF
}

# The router sends the VIPs to lb1 over VLAN 30 (topo_vlan), or untagged
# (topo_route lb1).
topo_route_vlan() {
	ip -n "$(_topo_ns router)" -batch - <<-EOF
	route replace $VIP4/32 via 10.30.0.2
	route del $VIP6/128
	route add $VIP6/128 via fd30::2
	EOF
}

# Packets backend I has decapsulated so far (IPv4 + IPv6 tunnels).
topo_be_rx() {
	xn "b$1" cat /proc/net/dev |
		awk '$1 == "xlbt4:" || $1 == "xlbt6:" { n += $3 } END { print n + 0 }'
}

topo_down() {
	local node f
	[ -n "${E2E_P:-}" ] || return 0
	for f in "$E2E_DIR"/b*.pid; do
		if [ -s "$f" ]; then kill "$(cat "$f")" 2>/dev/null || true; fi
	done
	for node in ${E2E_NODES:-}; do
		ip netns del "$(_topo_ns "$node")" 2>/dev/null || true
	done
	case $E2E_DIR in
	/tmp/xlbe2e-*) rm -rf "$E2E_DIR" ;;
	esac
	return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	case ${1:-} in
	up)
		trap topo_down EXIT
		trap 'exit 130' INT TERM
		topo_up || exit 1
		echo "E2E_P=$E2E_P E2E_DIR=$E2E_DIR VIP4=$VIP4 VIP6=$VIP6"
		if [ "${2:-}" = -- ]; then
			shift 2
			"$@"
		else
			echo "topology up; Ctrl-C tears it down"
			sleep infinity
		fi
		;;
	*)
		echo "usage: $0 up [-- CMD ...]" >&2
		exit 2
		;;
	esac
fi
