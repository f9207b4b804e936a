#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# End to end, in the VM: the module <-> data path contract under real
# traffic (Documentation/design.md).
#   - a module reload after adds and deletes keeps every held TCP
#     connection on its backend;
#   - rebinding the maps in use drops and re-picks no packet;
#   - seed and table size changes under traffic put each new flow on the
#     backend the old or the new configuration picks (lbctl lookup), never
#     on a third one.
# Topology: tests/e2e/topo.sh; tests run in file order.

load e2e/suite

# The stat counter NAME of load balancer lb1.
stat() {
	lbn lb1 -j stats | jq -r ".global.$1"
}

@test "reload after add A, add B, del A, add C: held connections keep their backend" {
	local open out
	e2e_lb lb1 1:10 2:10			# A = b1, B = b2
	e2e_be lb1 del 1
	e2e_be lb1 add 3 weight 10		# C = b3
	open=$(hold_start reload 4 40 31000)
	note "held: $open"
	[ "$(jq '.backends.b2 // 0' <<<"$open")" -gt 0 ]
	[ "$(jq '.backends.b3 // 0' <<<"$open")" -gt 0 ]
	lbn lb1 save >"$E2E_DIR/contract.conf"
	rmmod xlb
	insmod "$XLB_KO"
	lbn lb1 restore "$E2E_DIR/contract.conf"
	lbn lb1 attach eth0 mode native
	out=$(hold_check reload)
	note "after save, rmmod, insmod, restore, attach: $out"
	[ "$(jq .fail <<<"$out")" = 0 ]
	[ "$(jq .ok <<<"$out")" = 40 ]
}

@test "rebinding the maps in use under traffic: nothing dropped, nothing re-picked" {
	local drop0 stale0 i out pin wpid w watch
	e2e_lb lb1 1:10 2:20 3:30
	flows_bg "$E2E_DIR/rebind.out" 4 -T 600 -H 16 -i 100 -c 8 -n 4000 -b 32000
	echo "$XN_PID" >"$E2E_DIR/rebind.hpid"	# teardown's hold_stop ends it
	wait_lines "$E2E_DIR/rebind.out" 1 '"event":"open"'
	sleep 1
	drop0=$(stat drop_no_backend)
	stale0=$(stat conntrack_stale)
	# A watcher (tests/e2e/watch.bpf.c, on the pinned xlb_services) reads
	# service 0's entry in bpf_loop meanwhile (~10^8 reads): a rebind that
	# made it unused (gen 0) for more than a few stores would be seen.  The
	# code before adoption rewrote it as new in about ten stores, which
	# neither this watcher nor the counters ever caught (30 rebinds).
	pin=$(lbn_ns lb1 sh -c 'ls -d /sys/fs/bpf/xlb*/xlb_services' | head -n 1)
	w=/sys/fs/bpf/xlbt-watch
	lbn_ns lb1 rm -rf "$w" "$w-maps"
	lbn_ns lb1 bpftool prog loadall "$XLB_ROOT/build/watch.bpf.o" "$w" \
		map name xlb_services pinned "$pin" pinmaps "$w-maps"
	head -c 64 /dev/zero >"$E2E_DIR/watch.pkt"
	rm -f "$E2E_DIR/watch.stop"
	lbn_ns lb1 sh -c 'while [ ! -e "$1" ]; do
		bpftool prog run pinned "$2" data_in "$3" repeat 1 >/dev/null || exit 1
	done' sh "$E2E_DIR/watch.stop" "$w/xlb_watch_gen" "$E2E_DIR/watch.pkt" &
	wpid=$!
	sleep 1
	for i in $(seq 1 30); do
		lbn lb1 attach eth0 mode native
	done
	touch "$E2E_DIR/watch.stop"
	wait "$wpid"
	# Values as numbers (with BTF) or little-endian byte lists (without).
	watch=$(lbn_ns lb1 bpftool -j map dump pinned "$w-maps/xlb_watch" |
		python3 -c 'import json, sys
print(json.dumps([e["value"] if isinstance(e["value"], int) else
	int.from_bytes(bytes(int(b, 16) for b in e["value"]), "little")
	for e in json.load(sys.stdin)]))')
	lbn_ns lb1 rm -rf "$w" "$w-maps"
	kill -TERM "$XN_PID"
	wait_lines "$E2E_DIR/rebind.out" 1 '"mode":"loop"'
	out=$(grep '"mode":"loop"' "$E2E_DIR/rebind.out")
	note "30 rebinds under traffic: $out"
	note "drop_no_backend +$(($(stat drop_no_backend) - drop0)), conntrack_stale +$(($(stat conntrack_stale) - stale0)), service entry [reads, unused]: $watch"
	[ "$(jq '.[0]' <<<"$watch")" -gt 1000000 ]
	[ "$(jq '.[1]' <<<"$watch")" = 0 ]
	[ "$(stat drop_no_backend)" = "$drop0" ]
	[ "$(stat conntrack_stale)" = "$stale0" ]
	[ "$(jq '.new.ok' <<<"$out")" -gt 0 ]
	[ "$(jq '.new.fail + .est.fail' <<<"$out")" = 0 ]
}

# flow_list N BASE: the "SRC SPORT" of flowgen's flows 0..N-1 (flow i uses
# source SRC[i % nsrc] and port BASE + i / nsrc, tests/e2e/flowgen.c).
flow_list() {
	local n=$1 base=$2 srcs i
	read -r -a srcs <<<"$CL_SRC4"
	for ((i = 0; i < n; i++)); do
		echo "${srcs[i % ${#srcs[@]}]} $((base + i / ${#srcs[@]}))"
	done
}

# lookups FLOWS: for each "SRC SPORT" line, "SRC SPORT NAME" with the
# backend lbctl lookup gives the flow under lb1's current configuration (one
# lbctl call for all flows).
lookups() {
	local src sport args=()
	while read -r src sport; do
		args+=("$src:$sport" "$VIP4:$VPORT" udp)
	done <"$1"
	lbn lb1 -n lookup "${args[@]}" | awk '{ print $2 }' >"$E2E_DIR/lookups" ||
		return 1
	paste -d' ' "$1" "$E2E_DIR/lookups" |
		awk '{ split($3, a, "."); print $1, $2, "b" (a[4] - 10) }'
}

@test "seed and table size changes under traffic: new flows on the old or the new pick only" {
	local changes i base n=240 d=$E2E_DIR bad moved early late
	e2e_lb lb1 1:10 2:20 3:30
	changes=(
		"config set seed 0x12345678"
		"service set $SVC4U table-size 251"
		"config set seed 0x0badcafe"
		"service set $SVC4U table-size 65537"
	)
	for i in "${!changes[@]}"; do
		base=$((33000 + 100 * i))
		flow_list $n $base >"$d/flows.$i"
		lookups "$d/flows.$i" >"$d/before.$i"
		flows_bg "$d/stress.$i" 4 -u -n $n -c 1 -b $base -m "$d/stress.$i.map"
		local pid=$XN_PID
		# One flow at a time, so the change lands among them.
		sleep 0.3
		lbn lb1 ${changes[$i]}
		wait "$pid" || true
		lookups "$d/flows.$i" >"$d/after.$i"
		# SRC SPORT OBSERVED BEFORE AFTER per flow.
		paste -d' ' "$d/stress.$i.map" "$d/before.$i" "$d/after.$i" |
			awk '{ print $1, $2, $3, $6, $9 }' >"$d/pick.$i"
		bad=$(awk '$3 != $4 && $3 != $5' "$d/pick.$i" | wc -l)
		moved=$(awk '$4 != $5' "$d/pick.$i" | wc -l)
		early=$(awk '$4 != $5 && $3 == $4' "$d/pick.$i" | wc -l)
		late=$(awk '$4 != $5 && $3 == $5' "$d/pick.$i" | wc -l)
		note "${changes[$i]}: $moved of $n flows pick another backend after it; observed old pick $early, new pick $late, neither $bad"
		awk '$3 != $4 && $3 != $5' "$d/pick.$i" | head -n 5
		[ "$bad" = 0 ]
		[ "$moved" -gt 0 ]
	done
}
