#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xlb-vm: cpus 2
#
# End to end, in the VM: the module <-> data path contract under real
# traffic (Documentation/design.md).
#   - a module reload after adds and deletes keeps every held TCP
#     connection on its backend;
#   - rebinding the maps in use drops and re-picks no packet, and never
#     shows an entry in use as unused or with another generation (a BPF
#     watcher, tests/e2e/watch.bpf.c, reads them all meanwhile);
#   - seed and table size changes: every decision reads a VIP half with its
#     seed and a table copy with its size and seed as they were published
#     together (the watcher), and under traffic each new flow lands on the
#     backend the old or the new configuration picks (lbctl lookup), never
#     on a third one.
# The watcher follows the map layout of the tree it is built in, so the two
# watcher tests also run against the code before "one packet, one
# configuration" and adoption (commit a279d02), where they fail
# (Documentation/design.md).
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

# The watcher, tests/e2e/watch.bpf.c, on lb1's pinned maps: its programs in
# $WATCH, its own maps in $WATCH-maps (lb1's mount namespace).
WATCH=/sys/fs/bpf/xlbt-watch

watch_load() {
	local d m args=()
	d=$(lbn_ns lb1 sh -c 'ls -d /sys/fs/bpf/xlb*/xlb_services' | head -n 1)
	d=${d%/xlb_services}
	for m in xlb_ctl xlb_services xlb_backends; do
		args+=(map name "$m" pinned "$d/$m")
	done
	lbn_ns lb1 rm -rf "$WATCH" "$WATCH-maps"
	head -c 64 /dev/zero >"$E2E_DIR/watch.pkt"
	lbn_ns lb1 bpftool prog loadall "$XLB_ROOT/build/watch.bpf.o" "$WATCH" \
		"${args[@]}" pinmaps "$WATCH-maps"
}

# watch_run PROG: one run of the watcher's program PROG.
watch_run() {
	lbn_ns lb1 bpftool prog run pinned "$WATCH/$1" \
		data_in "$E2E_DIR/watch.pkt" repeat 1 >/dev/null
}

# watch_bg PROG: run PROG over and over on CPU 1 until watch_stop; pid in
# WATCH_PID.  Many short runs per bpftool call (watch.bpf.c, WATCH_READS).
# The changes watched run on CPU 0 (lb0): a change that waits for a grace
# period resumes when the watcher has ended a run, and would otherwise
# often do its stores on the watcher's CPU, while it cannot read.
watch_bg() {
	rm -f "$E2E_DIR/watch.stop"
	lbn_ns lb1 taskset -c 1 sh -c 'while [ ! -e "$1" ]; do
		bpftool prog run pinned "$2" data_in "$3" repeat 4000 >/dev/null || exit 1
	done' sh "$E2E_DIR/watch.stop" "$WATCH/$1" "$E2E_DIR/watch.pkt" &
	WATCH_PID=$!
}

# lbctl on lb1, on CPU 0.
lb0() {
	lbn_ns lb1 taskset -c 0 "$LBCTL" "$@"
}

watch_stop() {
	touch "$E2E_DIR/watch.stop"
	wait "$WATCH_PID"
}

# watch_dump MAP: the values of the watcher's map MAP as a JSON list, each a
# number (8 bytes) or a list of 32-bit words; bpftool prints them as numbers
# and objects with BTF, as little-endian byte lists without.
watch_dump() {
	lbn_ns lb1 bpftool -j map dump pinned "$WATCH-maps/$1" | "${XLB_PY[@]}" -c '
import json, sys
def val(v):
	if isinstance(v, int):
		return v
	if isinstance(v, dict):
		return list(v.values())
	b = bytes(int(x, 16) for x in v)
	if len(b) == 8:
		return int.from_bytes(b, "little")
	return [int.from_bytes(b[i:i + 4], "little") for i in range(0, len(b), 4)]
print(json.dumps([val(e["value"]) for e in json.load(sys.stdin)]))'
}

@test "rebinding the maps in use under traffic: nothing dropped, nothing re-picked" {
	local drop0 stale0 i out watch
	# Besides the four services of the traffic, one with 200 backends
	# (no traffic): more entries whose rebind must not touch them.
	e2e_config lb1 1:10 2:20 3:30 >"$E2E_DIR/rebind.conf"
	echo "service add $VIP4:81/udp table-size 1021" >>"$E2E_DIR/rebind.conf"
	for i in $(seq 1 200); do
		echo "add 10.99.$((i / 250)).$((i % 250 + 1)) weight 1 service $VIP4:81/udp"
	done >>"$E2E_DIR/rebind.conf"
	lbn lb1 flush
	lbn lb1 restore "$E2E_DIR/rebind.conf"
	if ! ip -n "$E2E_P-lb1" -j link show dev eth0 | grep -q '"xdp"'; then
		lbn lb1 attach eth0 mode native
	fi
	flows_bg "$E2E_DIR/rebind.out" 4 -T 600 -H 16 -i 100 -c 8 -n 4000 -b 32000
	echo "$XN_PID" >"$E2E_DIR/rebind.hpid"	# teardown's hold_stop ends it
	wait_lines "$E2E_DIR/rebind.out" 1 '"event":"open"'
	sleep 1
	drop0=$(stat drop_no_backend)
	stale0=$(stat conntrack_stale)
	# The watcher reads every service and backend entry in use, round
	# robin in bpf_loop, meanwhile: a rebind that made one unused or gave it
	# another gen, for even a few stores, can be seen.
	watch_load
	watch_run xlb_watch_snapshot
	watch_bg xlb_watch_live
	sleep 1
	# 20 rebinds: the watcher reads the entries ~90 million times meanwhile
	# (40 rebinds, 167 s under TCG: 178 million)
	for i in $(seq 1 20); do
		lb0 attach eth0 mode native
	done
	watch_stop
	watch=$(watch_dump xlb_watch)
	lbn_ns lb1 rm -rf "$WATCH" "$WATCH-maps"
	kill -TERM "$XN_PID"
	wait_lines "$E2E_DIR/rebind.out" 1 '"mode":"loop"'
	out=$(grep '"mode":"loop"' "$E2E_DIR/rebind.out")
	note "20 rebinds under traffic: $out"
	note "drop_no_backend +$(($(stat drop_no_backend) - drop0)), conntrack_stale +$(($(stat conntrack_stale) - stale0)); $(jq '.[6]' <<<"$watch") entries in use, read $(jq '.[3]' <<<"$watch") times: a service found changed $(jq '.[4]' <<<"$watch"), a backend $(jq '.[5]' <<<"$watch")"
	[ "$(jq '.[6]' <<<"$watch")" -ge 200 ]
	[ "$(jq '.[3]' <<<"$watch")" -gt 1000000 ]
	[ "$(jq '.[4]' <<<"$watch")" = 0 ]
	[ "$(jq '.[5]' <<<"$watch")" = 0 ]
	[ "$(stat drop_no_backend)" = "$drop0" ]
	[ "$(stat conntrack_stale)" = "$stale0" ]
	[ "$(jq '.new.ok' <<<"$out")" -gt 0 ]
	[ "$(jq '.new.fail + .est.fail' <<<"$out")" = 0 ]
}

# learn_check SIZE SEED: after a change, teach the watcher what is published
# and check it read service 0 with table size SIZE and flow hash seed SEED.
learn_check() {
	local seen
	watch_run xlb_watch_learn
	seen=$(watch_dump xlb_watch_seen)
	[ "$(jq -c '.[3][2:4]' <<<"$seen")" = "[$1,$(($2))]" ] || {
		echo "watcher read service 0 as $seen, not size $1 seed $2" >&2
		return 1
	}
}

@test "seed and table size changes: every decision reads one published configuration" {
	local r i watch seen changes sizes seeds
	e2e_lb lb1 1:10 2:20 3:30
	# Service 0 ($SVC4T, first in the restore file) is the one watched.
	changes=(
		"config set seed 0x5eed0002"
		"service set $SVC4T table-size 251"
		"config set seed 0x5eed0001"
		"service set $SVC4T table-size 65537"
	)
	sizes=(65537 251 251 65537)
	seeds=(0x5eed0002 0x5eed0002 0x5eed0001 0x5eed0001)
	watch_load
	lbn lb1 config set seed 0x5eed0001
	lbn lb1 service set "$SVC4T" table-size 65537
	learn_check 65537 0x5eed0001
	# One round, learning each configuration once it is published: the
	# copies alternate, so every later round publishes the same ones.
	for i in "${!changes[@]}"; do
		lbn lb1 ${changes[$i]}
		learn_check "${sizes[$i]}" "${seeds[$i]}"
	done
	watch_bg xlb_watch_cfg
	sleep 1
	for r in $(seq 1 10); do
		for i in "${!changes[@]}"; do
			lb0 ${changes[$i]}
		done
	done
	watch_stop
	watch=$(watch_dump xlb_watch)
	seen=$(watch_dump xlb_watch_seen)
	lbn_ns lb1 rm -rf "$WATCH" "$WATCH-maps"
	note "40 changes: decisions read $(jq '.[0]' <<<"$watch"), VIP half with a seed it was not placed with $(jq '.[1]' <<<"$watch"), table copy with a size or seed it was not published with $(jq '.[2]' <<<"$watch")"
	note "first bad [kind, half, seed, 0] / [kind, copy | flags << 8, size, seed]: $(jq -c '.[0:2]' <<<"$seen")"
	[ "$(jq '.[0]' <<<"$watch")" -gt 1000000 ]
	[ "$(jq '.[1]' <<<"$watch")" = 0 ]
	[ "$(jq '.[2]' <<<"$watch")" = 0 ]
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
