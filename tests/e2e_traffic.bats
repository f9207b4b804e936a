#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xlb-vm: cpus 2
#
# End to end, in the VM: real TCP and UDP traffic from a client namespace
# through xlb (XDP on a load balancer namespace's NIC, tables from xlb.ko)
# to backend namespaces that decapsulate IPIP / ip6ip6 and answer the client
# directly (DSR).  Topology: tests/e2e/topo.sh.  Tests run in file order and
# build on each other's configuration.

load e2e/suite

@test "weights 10/20/30: TCP v4, 3000 flows, shares within 3 points" {
	e2e_lb lb1 1:10 2:20 3:30
	run flows 4 -n 3000 -b 20000 -m "$E2E_DIR/w4.map"
	echo "$output"
	[ "$status" -eq 0 ]
	check_shares "$output" b1:10 b2:20 b3:30 3
}

@test "weights 10/20/30: TCP v6, 3000 flows, shares within 3 points" {
	run flows 6 -n 3000 -b 20000 -m "$E2E_DIR/w6.map"
	echo "$output"
	[ "$status" -eq 0 ]
	check_shares "$output" b1:10 b2:20 b3:30 3
}

@test "weights 10/20/30: UDP v4 and v6, 3000 flows each" {
	run flows 4 -u -n 3000 -b 20000
	echo "$output"
	[ "$status" -eq 0 ]
	check_shares "$output" b1:10 b2:20 b3:30 3
	run flows 6 -u -n 3000 -b 20000
	echo "$output"
	[ "$status" -eq 0 ]
	check_shares "$output" b1:10 b2:20 b3:30 3
}

@test "stickiness: the same five-tuples land on the same backends (3000 v4 + 3000 v6)" {
	local f m
	for f in 4 6; do
		run flows "$f" -n 3000 -b 20000 -m "$E2E_DIR/w$f.again"
		echo "$output"
		[ "$status" -eq 0 ]
		[ "$(jq -r .fail <<<"$output")" = 0 ]
		m=$(map_moved "$E2E_DIR/w$f.map" "$E2E_DIR/w$f.again")
		note "IPv$f: flows landing elsewhere the second time: ${m% *} of ${m#* }"
		[ "${m% *}" = 0 ]
		[ "${m#* }" = 3000 ]
	done
}

@test "drain: new flows avoid the drained backend, its open TCP connections keep working" {
	local open4 open6 n4 n6 out
	open4=$(hold_start d4 4 60 30000)
	open6=$(hold_start d6 6 60 30000)
	note "open: $open4 / $open6"
	n4=$(jcount "$open4" .backends b2) n6=$(jcount "$open6" .backends b2)
	note "connections held on b2 before the drain: v4 $n4, v6 $n6"
	[ "$n4" -gt 0 ]
	[ "$n6" -gt 0 ]
	[ "$(jq .ok <<<"$open4")" = 60 ]
	[ "$(jq .ok <<<"$open6")" = 60 ]

	e2e_be lb1 drain 2
	run flows 4 -n 1500 -b 31000
	echo "$output"
	check_shares "$output" b1:10 b3:30 3
	run flows 6 -n 1500 -b 31000
	echo "$output"
	check_shares "$output" b1:10 b3:30 3

	# Data over the connections opened before the drain, b2's included:
	# every one answers, from the backend it had.
	out=$(hold_check d4)
	note "after the drain, IPv4: $out"
	[ "$(jq .ok <<<"$out")" = 60 ]
	[ "$(jq .fail <<<"$out")" = 0 ]
	[ "$(jcount "$out" .backends b2)" = "$n4" ]
	out=$(hold_check d6)
	note "after the drain, IPv6: $out"
	[ "$(jq .ok <<<"$out")" = 60 ]
	[ "$(jq .fail <<<"$out")" = 0 ]
	[ "$(jcount "$out" .backends b2)" = "$n6" ]
	hold_stop d4 d6
	e2e_be lb1 set 2 weight 20 state active
	run flows 4 -n 3000 -b 20000 -m "$E2E_DIR/undrain.map"
	m=$(map_moved "$E2E_DIR/w4.map" "$E2E_DIR/undrain.map")
	note "back to weight 20: flows not on their original backend: ${m% *}"
	[ "${m% *}" = 0 ]
}

@test "delete/add: only the removed backend's flows move; survivors' connections live; re-add restores" {
	local f m moved total out open on4 frac
	e2e_lb lb1 1:10 2:20 3:30 4:20
	for f in 4 6; do
		run flows "$f" -n $((f == 4 ? 3000 : 1500)) -b 20000 -m "$E2E_DIR/da$f.before"
		echo "$output"
		[ "$(jq -r .fail <<<"$output")" = 0 ]
	done
	open=$(hold_start da 4 60 30000)
	note "held: $open"
	on4=$(jcount "$open" .backends b4)

	e2e_be lb1 del 4
	for f in 4 6; do
		run flows "$f" -n $((f == 4 ? 3000 : 1500)) -b 20000 -m "$E2E_DIR/da$f.after"
		echo "$output"
		[ "$(jq -r .fail <<<"$output")" = 0 ]
		[ "$(jcount "$output" .backends b4)" = 0 ]
		# Every flow of b4 moved (it is gone); how many others moved:
		m=$(map_moved "$E2E_DIR/da$f.before" "$E2E_DIR/da$f.after" b4)
		moved=${m% *} total=${m#* }
		frac=$(awk -v a="$moved" -v b="$total" 'BEGIN { printf "%.2f", 100 * a / b }')
		note "IPv$f: flows of surviving backends that moved: $moved of $total ($frac%)"
		awk -v f="$frac" 'BEGIN { exit !(f <= 5) }'
	done
	out=$(hold_check da)
	note "held connections after the delete: $out (b4 had $on4)"
	# Connections to the survivors all answer; only b4's are lost.
	[ "$(jq .ok <<<"$out")" = $((60 - on4)) ]
	[ "$(jq .fail <<<"$out")" = "$on4" ]
	[ "$(jcount "$out" .fail_by b4)" = "$on4" ]
	hold_stop da

	e2e_be lb1 add 4 weight 20
	for f in 4 6; do
		run flows "$f" -n $((f == 4 ? 3000 : 1500)) -b 20000 -m "$E2E_DIR/da$f.readd"
		m=$(map_moved "$E2E_DIR/da$f.before" "$E2E_DIR/da$f.readd")
		note "IPv$f after re-adding b4: flows not on their original backend: ${m% *} of ${m#* }"
		[ "${m% *}" = 0 ]
	done
}

@test "hitless: >= 60 table changes under continuous load, failures only on deleted backends" {
	local out changes=0 r rx5 rx4 rx4b w bad
	e2e_lb lb1 1:10 2:20 3:30 4:20 5:20
	flows_bg "$E2E_DIR/loop.out" 4 -T 600 -H 40 -i 200 -c 16 -n 20000 -b 10000
	echo "$XN_PID" >"$E2E_DIR/loop.hpid"	# teardown's hold_stop ends it
	wait_lines "$E2E_DIR/loop.out" 1 '"event":"open"'
	cat "$E2E_DIR/loop.out"
	sleep 1

	lb() { lbn lb1 "$@" service "$SVC4T" && changes=$((changes + 1)); }
	lb del "$(be4 5)"
	rx5=$(topo_be_rx 5)
	for r in $(seq 7); do
		for w in 1 2 3; do
			lb set "$(be4 "$w")" weight $((RANDOM % 50 + 1))
		done
		lb drain "$(be4 2)"
		lb set "$(be4 2)" weight $((RANDOM % 50 + 1)) state active
		lb del "$(be4 4)"
		rx4=$(topo_be_rx 4)
		lb set "$(be4 1)" weight $((RANDOM % 50 + 1))
		lb set "$(be4 3)" weight $((RANDOM % 50 + 1))
		rx4b=$(topo_be_rx 4)
		note "round $r: b4 deleted: decapsulated $rx4 right after, $rx4b two changes later"
		[ "$rx4" = "$rx4b" ]
		lb add "$(be4 4)" weight $((RANDOM % 50 + 1))
	done
	kill -TERM "$XN_PID"
	wait_lines "$E2E_DIR/loop.out" 1 '"mode":"loop"'
	out=$(grep '"mode":"loop"' "$E2E_DIR/loop.out")
	note "$changes table changes; traffic: $out"
	note "b5 (deleted first): decapsulated $rx5 after the delete, $(topo_be_rx 5) at the end"
	[ "$changes" -ge 60 ]
	[ "$(topo_be_rx 5)" = "$rx5" ]
	[ "$(jq '.new.ok' <<<"$out")" -gt 0 ]
	# Failures only for flows whose backend was deleted (b4, b5).
	bad=$(jq '[.new.fail_by, .est.fail_by | to_entries[] |
		select(.key != "b4" and .key != "b5") | .value] | add // 0' <<<"$out")
	note "failures charged to a backend that was never deleted (or unknown): $bad"
	[ "$bad" = 0 ]
}
