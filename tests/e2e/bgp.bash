# SPDX-License-Identifier: GPL-2.0
# BGP on the end-to-end topology (tests/e2e/topo.sh), for tests/e2e_bgp.bats
# and the demo: BIRD 2 on the router and on each load balancer, and the
# VIP announcer (build/xlb-announce) on each load balancer.
#
#   router  AS 65000, 10.77.0.1 / fd77::1: one BGP session per load
#           balancer and address family, hold time 3 s, keepalive 1 s;
#           imports the VIPs and installs them into its main table as
#           equal-cost multipath routes (kernel protocol, merge paths)
#   lb1 lb2 AS 65001: BIRD's kernel protocol learns routing table 100,
#           where xlb-announce keeps a blackhole route per VIP it can
#           serve, and BGP exports those routes with the node's own address
#           as next hop.  Nothing else is exported or imported.
#
# Source after tests/e2e/lib.bash; bgp_up after e2e_setup (the static VIP
# routes topo_up gives the router are removed), bgp_down before
# e2e_teardown.  BIRD's files (configs, logs, control sockets) are in
# $E2E_DIR/bird.

BIRD=${XLB_BIRD:-bird}
BIRDC=${XLB_BIRDC:-birdc}
ANNOUNCE=${XLB_ANNOUNCE:-$XLB_ROOT/build/xlb-announce}
HEALTHD=${XLB_HEALTHD:-$XLB_ROOT/build/xlb-healthd}
BGP_HOLD=3	# seconds; keepalive 1 s
BGP_NODES="lb1 lb2"

# The parts of a BGP session both sides share.
_bgp_timers="hold time $BGP_HOLD; keepalive time 1; connect retry time 1;
	error wait time 1, 2; connect delay time 1;"

_bgp_conf_router() {
	local n a4 a6
	cat <<-EOF
	router id 10.77.0.1;
	log "$E2E_DIR/bird/router.log" all;
	protocol device { scan time 10; }
	protocol kernel kernel4 { merge paths on; ipv4 { import none; export all; }; }
	protocol kernel kernel6 { merge paths on; ipv6 { import none; export all; }; }
	EOF
	for n in $BGP_NODES; do
		if [ "$n" = lb1 ]; then a4=$LB1_4 a6=$LB1_6; else a4=$LB2_4 a6=$LB2_6; fi
		cat <<-EOF
		protocol bgp ${n}_4 {
			local 10.77.0.1 as 65000; neighbor $a4 as 65001; $_bgp_timers
			ipv4 { import all; export none; };
		}
		protocol bgp ${n}_6 {
			local fd77::1 as 65000; neighbor $a6 as 65001; $_bgp_timers
			ipv6 { import all; export none; };
		}
		EOF
	done
}

_bgp_conf_lb() {
	local n=$1 a4 a6
	if [ "$n" = lb1 ]; then a4=$LB1_4 a6=$LB1_6; else a4=$LB2_4 a6=$LB2_6; fi
	cat <<-EOF
	router id $a4;
	log "$E2E_DIR/bird/$n.log" all;
	protocol device { scan time 10; }
	protocol kernel xlb4 {
		kernel table 100; learn; scan time 10;
		ipv4 { import where krt_source = 77; export none; };
	}
	protocol kernel xlb6 {
		kernel table 100; learn; scan time 10;
		ipv6 { import where krt_source = 77; export none; };
	}
	protocol bgp tor4 {
		local $a4 as 65001; neighbor 10.77.0.1 as 65000; $_bgp_timers
		ipv4 { import none; export where proto = "xlb4"; };
	}
	protocol bgp tor6 {
		local $a6 as 65001; neighbor fd77::1 as 65000; $_bgp_timers
		ipv6 { import none; export where proto = "xlb6"; };
	}
	EOF
}

# birdc on NODE: bgp_birdc NODE COMMAND...
bgp_birdc() {
	local n=$1
	shift
	xn "$n" "$BIRDC" -s "$E2E_DIR/bird/$n.ctl" "$@"
}

_bgp_bird_start() {
	local n=$1
	xn "$n" "$BIRD" -c "$E2E_DIR/bird/$n.conf" -s "$E2E_DIR/bird/$n.ctl" \
		-P "$E2E_DIR/bird/$n.pid" 3>&- ||
		{ echo "bgp: bird did not start on $n" >&2; return 1; }
}

# Start the announcer of load balancer NODE (in its network and mount
# namespaces: it reads xlb's pins); its output in $E2E_DIR/bird/NODE.ann.
bgp_announcer_start() {
	local n=$1
	nsenter --net="/run/netns/$E2E_P-$n" --mount="$E2E_DIR/mnt/$n" \
		"$ANNOUNCE" interval 200 >>"$E2E_DIR/bird/$n.ann" 2>&1 3>&- &
	echo $! >"$E2E_DIR/bird/$n.apid"
	# Not a job of this shell: bgp_healthd_takeover kills it, and
	# the shell would report that.
	disown $!
}

# Or xlb-healthd, which announces through the same code (its hook); its
# output in $E2E_DIR/bird/NODE.hd.
bgp_healthd_start() {
	local n=$1
	nsenter --net="/run/netns/$E2E_P-$n" --mount="$E2E_DIR/mnt/$n" \
		"$HEALTHD" >>"$E2E_DIR/bird/$n.hd" 2>&1 3>&- &
	echo $! >"$E2E_DIR/bird/$n.hpid"
}

# Stop the announcer (it withdraws its VIPs on SIGTERM), or with
# "hd" xlb-healthd.
bgp_announcer_stop() {
	local f=$E2E_DIR/bird/$1.${2:-a}pid pid
	[ -s "$f" ] || return 0
	pid=$(cat "$f")
	rm -f "$f"
	kill "$pid" 2>/dev/null || return 0
	while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
}

_bgp_healthd_read() {
	grep -q 'the xlb module is present' "$E2E_DIR/bird/$1.hd"
}

# bgp_healthd_takeover NODE...: xlb-healthd on the nodes instead of
# xlb-announce, all announcing, and no route flapping: xlb-healthd starts, finds and keeps the announcer's
# routes (its first round, after reading the configuration), then the
# announcer is killed (SIGKILL: it leaves its routes, as a crash would).
bgp_healthd_takeover() {
	local n pid
	for n; do
		[ -s "$E2E_DIR/bird/$n.hpid" ] && continue
		: >"$E2E_DIR/bird/$n.hd"
		bgp_healthd_start "$n"
		bgp_poll 20 "no xlb-healthd on $n" _bgp_healthd_read "$n" >/dev/null ||
			return 1
		if [ -s "$E2E_DIR/bird/$n.apid" ]; then
			pid=$(cat "$E2E_DIR/bird/$n.apid")
			rm -f "$E2E_DIR/bird/$n.apid"
			kill -KILL "$pid"
			while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
		fi
	done
	# bgp_converge wants the nodes in order (lb1 before lb2)
	# shellcheck disable=SC2046 # node names, one word each
	bgp_converge $(printf '%s\n' "$@" | sort)
}

bgp_up() {
	local n
	command -v "$BIRD" >/dev/null ||
		{ echo "bgp: no $BIRD (scripts/setup.sh installs bird2)" >&2; return 1; }
	[ -x "$ANNOUNCE" ] || { echo "bgp: no $ANNOUNCE (make xlb-announce)" >&2; return 1; }
	mkdir -p "$E2E_DIR/bird"
	xn router ip route del "$VIP4/32" 2>/dev/null || true
	xn router ip route del "$VIP6/128" 2>/dev/null || true
	_bgp_conf_router >"$E2E_DIR/bird/router.conf"
	_bgp_bird_start router || return 1
	for n in $BGP_NODES; do
		_bgp_conf_lb "$n" >"$E2E_DIR/bird/$n.conf"
		_bgp_bird_start "$n" || return 1
		bgp_announcer_start "$n"
	done
}

bgp_down() {
	local n f
	[ -d "${E2E_DIR:-}/bird" ] || return 0
	for n in $BGP_NODES; do
		bgp_announcer_stop "$n"
		bgp_announcer_stop "$n" h
	done
	for f in "$E2E_DIR"/bird/*.pid; do
		if [ -s "$f" ]; then kill "$(cat "$f")" 2>/dev/null || true; fi
	done
	return 0
}

# The router's next hops for the VIP of family 4|6, sorted, space
# separated (empty: no route).  Plain bash over ip's text output: this runs
# in poll loops, and every process start is dear under TCG.
bgp_nexthops() {
	local vip=$VIP4 w via='' hops=() i j t
	[ "$1" = 4 ] || vip=$VIP6
	for w in $(xn router ip -"$1" route show "$vip" proto bird); do
		if [ -n "$via" ]; then hops+=("$w"); via=''; fi
		if [ "$w" = via ]; then via=1; fi
	done
	for ((i = 1; i < ${#hops[@]}; i++)); do
		for ((j = i; j > 0; j--)); do
			[[ ${hops[j - 1]} > ${hops[j]} ]] || break
			t=${hops[j]} hops[j]=${hops[j - 1]} hops[j - 1]=$t
		done
	done
	echo "${hops[*]}"
}

# Poll CHECK (a command) until it succeeds; prints the milliseconds it
# took.  After LIMIT seconds: WHAT and bgp_debug on stderr, failure.
#   bgp_poll LIMIT WHAT CHECK...
bgp_poll() {
	local limit=$1 what=$2 t0 now
	shift 2
	t0=$(date +%s%N)
	until "$@"; do
		now=$(date +%s%N)
		if ((now - t0 > limit * 1000000000)); then
			echo "bgp: $what after $limit s" >&2
			bgp_debug >&2
			return 1
		fi
		sleep 0.05
	done
	echo $((($(date +%s%N) - t0) / 1000000))
}

_bgp_nexthops_are() {
	[ "$(bgp_nexthops "$1")" = "$2" ]
}

# Wait until the router's next hops for family 4|6 are those of the
# load balancers NODES ("lb1 lb2", "lb2", none); prints the milliseconds
# it took.  Fails after 20 s.
bgp_wait() {
	local fam=$1 want="" n
	shift
	for n in "$@"; do
		case $n$fam in
		lb14) want+=" $LB1_4" ;; lb24) want+=" $LB2_4" ;;
		lb16) want+=" $LB1_6" ;; lb26) want+=" $LB2_6" ;;
		esac
	done
	want=${want# }
	bgp_poll 20 "IPv$fam next hops are not '$want'" \
		_bgp_nexthops_are "$fam" "$want"
}

# Both families converge to the next hops of NODES ("lb1 lb2", "lb2", none);
# prints the slower one's time in ms.
bgp_converge() {
	local t4 t6
	t4=$(bgp_wait 4 "$@") || return 1
	t6=$(bgp_wait 6 "$@") || return 1
	echo $((t4 > t6 ? t4 : t6))
}

# The announcer's routes on NODE (table 100, both families; nothing when
# the table does not exist).
bgp_table() {
	xn "$1" ip route show table 100 2>/dev/null || true
	xn "$1" ip -6 route show table 100 2>/dev/null || true
}

# What the announcers did and what the router's BIRD knows (on failures).
bgp_debug() {
	local n
	for n in $BGP_NODES; do
		echo "== $n: xlb-announce"
		tail -n 20 "$E2E_DIR/bird/$n.ann"
		if [ -s "$E2E_DIR/bird/$n.hd" ]; then
			echo "== $n: xlb-healthd"
			tail -n 20 "$E2E_DIR/bird/$n.hd"
		fi
		echo "== $n: table 100"
		bgp_table "$n"
	done
	echo "== router"
	bgp_birdc router show protocols
	bgp_birdc router show route
}

_bgp_sessions_up() {
	[ "$(bgp_birdc router show protocols | grep -c Established)" = "$1" ]
}

# Wait until every BGP session of the router is established; prints the
# milliseconds it took.  Fails after 30 s.
bgp_wait_sessions() {
	bgp_poll 30 "BGP sessions not established" \
		_bgp_sessions_up $(($(wc -w <<<"$BGP_NODES") * 2))
}

# Take load balancer NODE's link down (its switch port: the node keeps its
# addresses, as a crashed machine or a cut cable would) or up.
bgp_link() {
	xn switch ip link set "p-$1" "$2"
}
