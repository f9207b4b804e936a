# SPDX-License-Identifier: GPL-2.0
# Shared by the end-to-end suites (tests/e2e*.bats) and the demo: the
# topology of tests/e2e/topo.sh with xlb on the load balancers, and helpers
# that run traffic and compute what the assertions compare.
#
# Each load balancer node also gets its own mount namespace with a private
# bpffs on /sys/fs/bpf, as separate machines would have (lbctl also pins
# per network namespace, so the nodes would not share pins anyway).

# shellcheck source=tests/e2e/topo.sh
. "${XLB_ROOT:?}/tests/e2e/topo.sh"	# and tests/vm/helpers.bash

# A figure worth seeing in the TAP output even when the test passes
# (bats shows fd 3 as is; outside bats only stdout).
note() {
	echo "$*"
	if [ -n "${BATS_TEST_NAME:-}" ]; then echo "# $*" >&3; fi
}

SVC4T="$VIP4:$VPORT/tcp"
SVC4U="$VIP4:$VPORT/udp"
SVC6T="[$VIP6]:$VPORT/tcp"
SVC6U="[$VIP6]:$VPORT/udp"

e2e_setup() {
	[ -f "$XLB_KO" ] || { echo "no module at $XLB_KO (make module)" >&2; return 1; }
	[ -x "$LBCTL" ] || { echo "no lbctl at $LBCTL (make lbctl)" >&2; return 1; }
	xlb_load || return 1
	topo_up || return 1
	mkdir -p "$E2E_DIR/mnt"
	mount --bind "$E2E_DIR/mnt" "$E2E_DIR/mnt" &&
		mount --make-private "$E2E_DIR/mnt" || return 1
	local n
	for n in lb1 lb2; do
		touch "$E2E_DIR/mnt/$n"
		unshare --mount="$E2E_DIR/mnt/$n" --propagation private \
			mount -t bpf bpf /sys/fs/bpf || return 1
	done
}

e2e_teardown() {
	local n
	[ -n "${E2E_DIR:-}" ] || return 0
	for n in lb1 lb2; do
		lbn "$n" detach eth0 >/dev/null 2>&1 || true
		umount "$E2E_DIR/mnt/$n" 2>/dev/null || true
	done
	umount "$E2E_DIR/mnt" 2>/dev/null || true
	topo_down
	xlb_unload || true
	return 0
}

# lbctl on load balancer NODE (its network and mount namespaces).
lbn() {
	local node=$1
	shift
	lbn_ns "$node" "$LBCTL" "$@"
}

# Any command in load balancer NODE's network and mount namespaces.
lbn_ns() {
	local node=$1
	shift
	nsenter --net="/run/netns/$E2E_P-$node" \
		--mount="$E2E_DIR/mnt/$node" "$@"
}

# The restore file of load balancer NODE: the four services (v4/v6 x
# tcp/udp on port 80) and backends "I:W" (backend I with weight W) in each.
e2e_config() {
	local node=$1 src4 src6 spec i w
	shift
	if [ "$node" = lb1 ]; then src4=$LB1_4 src6=$LB1_6; else src4=$LB2_4 src6=$LB2_6; fi
	echo "config src4 $src4 src6 $src6"
	for svc in "$SVC4T" "$SVC4U" "$SVC6T" "$SVC6U"; do
		echo "service add $svc"
		for spec in "$@"; do
			i=${spec%%:*} w=${spec#*:}
			case $svc in
			\[*) echo "add $(be6 "$i") weight $w service $svc" ;;
			*) echo "add $(be4 "$i") weight $w service $svc" ;;
			esac
		done
	done
}

# Configure NODE with backends "I:W"... (one atomic restore) and attach xlb
# to its eth0 in native mode (once).
e2e_lb() {
	local node=$1
	shift
	e2e_config "$node" "$@" >"$E2E_DIR/$node.conf"
	lbn "$node" flush || return 1
	lbn "$node" restore "$E2E_DIR/$node.conf" || return 1
	if ! ip -n "$E2E_P-$node" -j link show dev eth0 | grep -q '"xdp"'; then
		lbn "$node" attach eth0 mode native || return 1
	fi
}

# Backend I in all four services of NODE:
#   e2e_be NODE add|set|del|drain I [lbctl arguments (weight W, state S)].
e2e_be() {
	local node=$1 verb=$2 i=$3
	shift 3
	lbn "$node" "$verb" "$(be4 "$i")" "$@" service "$SVC4T" &&
	lbn "$node" "$verb" "$(be4 "$i")" "$@" service "$SVC4U" &&
	lbn "$node" "$verb" "$(be6 "$i")" "$@" service "$SVC6T" &&
	lbn "$node" "$verb" "$(be6 "$i")" "$@" service "$SVC6U"
}

# flowgen from the client: flows 4|6 ARGS... (sources of that family added).
flows() {
	local fam=$1 vip src a
	shift
	if [ "$fam" = 4 ]; then vip=$VIP4 src=$CL_SRC4; else vip=$VIP6 src=$CL_SRC6; fi
	local args=(-d "$vip" -p "$VPORT")
	for a in $src; do args+=(-s "$a"); done
	xn client "$FLOWGEN" "${args[@]}" "$@"
}

# The same, in the background: flows_bg OUT 4|6 ARGS...; pid in XN_PID.
flows_bg() {
	local out=$1 fam=$2 vip src a
	shift 2
	if [ "$fam" = 4 ]; then vip=$VIP4 src=$CL_SRC4; else vip=$VIP6 src=$CL_SRC6; fi
	local args=(-d "$vip" -p "$VPORT")
	for a in $src; do args+=(-s "$a"); done
	xn_bg client "$out" "$FLOWGEN" "${args[@]}" "$@"
}

# Wait until FILE has at least N lines matching REGEX (held flowgen).
wait_lines() {
	local file=$1 n=$2 re=$3 tries=0
	while [ "$(grep -c -- "$re" "$file" 2>/dev/null)" -lt "$n" ]; do
		((tries++ < 600)) || { echo "timeout waiting for $re in $file" >&2; return 1; }
		sleep 0.1
	done
}

# Per flow map files "SRC SPORT NAME": how many flows differ / share a
# predicate.  Both files list the same flows in the same order.
map_moved() {	# A B [EXCEPT_NAME]: flows not on EXCEPT in A that differ in B
	paste -d' ' "$1" "$2" | awk -v x="${3:-}" '
		$3 != x { n++; if ($3 != $6) m++ }
		END { printf "%d %d\n", m + 0, n + 0 }'
}

# Check a flowgen summary against weights: check_shares JSON "bI:W"... TOLPP.
# Prints one line per backend; fails when a flow failed, a flow landed on a
# backend without weight, or a share is off by more than TOLPP points.
check_shares() {
	local json=$1 tol=${*: -1} total=0 sum=0 spec name w n rc=0
	local specs=("${@:2:$#-2}")
	for spec in "${specs[@]}"; do sum=$((sum + ${spec#*:})); done
	total=$(jq -r '.ok' <<<"$json")
	echo "flows ok $total, failed $(jq -r '.fail' <<<"$json")"
	[ "$(jq -r '.fail' <<<"$json")" = 0 ] || rc=1
	for spec in "${specs[@]}"; do
		name=${spec%%:*} w=${spec#*:}
		n=$(jq -r --arg b "$name" '.backends[$b] // 0' <<<"$json")
		awk -v b="$name" -v w="$w" -v s="$sum" -v n="$n" -v t="$total" -v tol="$tol" 'BEGIN {
			e = 100 * w / s; o = 100 * n / t; d = o - e
			printf "%s weight %d: expected %.2f%% observed %.2f%% (%d flows) diff %+.2f pp\n", b, w, e, o, n, d
			exit (d > tol || d < -tol) }' >"$E2E_DIR/share.line" || rc=1
		note "$(cat "$E2E_DIR/share.line")"
	done
	# Every flow must be on a backend that has a weight.
	n=$(jq -r --arg l "${specs[*]}" '($l | split(" ") | map(split(":")[0])) as $k |
		.backends | to_entries | map(select(.key as $x | $k | index($x) | not)) |
		map(.value) | add // 0' <<<"$json")
	[ "$n" = 0 ] || { echo "$n flows on backends outside the weight list"; rc=1; }
	return $rc
}

# Held connections: hold_start NAME 4|6 K BASE starts flowgen -H K in the
# background (pid in $E2E_DIR/NAME.hpid, output $E2E_DIR/NAME.hold), waits
# until every connection is open; hold_check NAME prints the JSON of a new
# check round (data sent over every connection); hold_stop NAME ends it.
hold_start() {
	local name=$1 fam=$2 k=$3 base=$4
	flows_bg "$E2E_DIR/$name.hold" "$fam" -H "$k" -b "$base" \
		-m "$E2E_DIR/$name.hmap" || return 1
	echo "$XN_PID" >"$E2E_DIR/$name.hpid"
	wait_lines "$E2E_DIR/$name.hold" 1 '"event":"open"' || return 1
	grep '"event":"open"' "$E2E_DIR/$name.hold"
}

hold_check() {
	local name=$1 n
	n=$(grep -c '"event":"check"' "$E2E_DIR/$name.hold")
	kill -USR1 "$(cat "$E2E_DIR/$name.hpid")" || return 1
	wait_lines "$E2E_DIR/$name.hold" $((n + 1)) '"event":"check"' || return 1
	grep '"event":"check"' "$E2E_DIR/$name.hold" | tail -n 1
}

hold_stop() {	# NAME..., or every holder when none is named
	local f
	if [ $# -eq 0 ]; then
		set -- "$E2E_DIR"/*.hpid
	else
		set -- "${@/#/$E2E_DIR/}"
		set -- "${@/%/.hpid}"
	fi
	for f; do
		if [ -s "$f" ]; then kill "$(cat "$f")" 2>/dev/null || true; fi
		rm -f "$f"
	done
	return 0
}

# Backend count in a flowgen JSON line: jcount JSON KEY NAME (KEY backends
# or fail_by; nested keys like .new.backends work too).
jcount() {
	jq -r --arg b "$3" "$2[\$b] // 0" <<<"$1"
}
