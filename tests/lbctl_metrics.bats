#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# VM suite: the counters after real traffic, read without privilege (the
# module sums the per-CPU maps), in text, JSON and the Prometheus format
# (checked by promtool), as rates, and zeroed.  Topology, one fresh
# namespace pair per file:
#
#   $NS:  lb0 10.1.0.1/24  <-veth->  cl0 10.1.0.2/24  :$NS-cl
#
# Service 10.1.0.100:5000/udp with one backend, 10.1.0.2.  Tests run in
# file order and build on each other.

load lbctl_lib

SVC=10.1.0.100:5000/udp

setup_file() {
	lbctl_setup_file metrics
	insmod "$XLB_KO"
	export CL="$NS-cl"
	ip netns add "$CL"
	ip -n "$NS" link add lb0 type veth peer name cl0 netns "$CL"
	ip -n "$NS" addr add 10.1.0.1/24 dev lb0
	ip -n "$NS" link set lb0 up
	ip -n "$CL" addr add 10.1.0.2/24 dev cl0
	# No IPv6 chatter (router solicitations, MLD) on the wire.  The
	# client's source ports stay below 50000: the zero test's new flows
	# take 50000 and 50001, which no earlier flow (still in the LB's
	# connection table) can have used.
	ip netns exec "$CL" sysctl -qw net.ipv6.conf.cl0.disable_ipv6=1 \
		net.ipv4.ip_local_port_range="32768 49999"
	ip -n "$CL" link set cl0 up
	ip netns exec "$NS" sysctl -qw net.ipv4.ip_forward=1
	ip -n "$CL" route add 10.1.0.100/32 via 10.1.0.1
	lb attach lb0 mode generic
	lb service add "$SVC"
	lb add 10.1.0.2
	export PROM_DIR
	PROM_DIR=$(mktemp -d /tmp/xlb-metrics.XXXXXX)
	chmod 0777 "$PROM_DIR"
}

teardown_file() {
	rm -rf "$PROM_DIR"
	ip netns del "$CL" 2>/dev/null || true
	lbctl_teardown_file
}

# send N: N UDP datagrams to the VIP, each from a new socket (a new flow).
send() {
	in_ns "$CL" bash -c "for i in \$(seq $1); do
		echo hello >/dev/udp/10.1.0.100/5000; done"
}

# jq filter $1 over `lbctl -j stats` as user nobody.
nobody_jq() {
	lb_nobody -j stats | jq -r "$1"
}

@test "stats without privilege: real counters, per service and backend, with new flows" {
	send 3
	run lb_nobody -j stats
	[ "$status" -eq 0 ]
	echo "$output"
	[ "$(jq -r '.services[0].service' <<<"$output")" = "$SVC" ]
	[ "$(jq -r '.services[0].packets' <<<"$output")" = 3 ]
	[ "$(jq -r '.services[0].bytes' <<<"$output")" = $((3 * (20 + 8 + 6))) ]
	[ "$(jq -r '.services[0].flows' <<<"$output")" = 3 ]
	[ "$(jq -r '.services[0].backends[0].packets' <<<"$output")" = 3 ]
	[ "$(jq -r '.services[0].backends[0].flows' <<<"$output")" = 3 ]
	[ "$(jq -r '.global.conntrack_miss' <<<"$output")" = 3 ]
	# The same as root reads; the pins stay root's alone.
	[ "$(lb -j stats | jq -c .services)" = "$(jq -c .services <<<"$output")" ]
	[ "$(stat -c %a "$PIN/xlb_stats")" = 600 ]
	run lb_nobody stats
	[ "$status" -eq 0 ]
	[[ "$output" == *"service $SVC packets 3 bytes 102 flows 3"* ]]
	[[ "$output" =~ backend\ 10\.1\.0\.2\ +packets\ 3\ bytes\ 102\ flows\ 3 ]]
}

@test "prometheus: promtool accepts it; every counter with real values" {
	run lb_nobody stats prometheus
	[ "$status" -eq 0 ]
	echo "$output" >"$PROM_DIR/out"
	promtool check metrics <"$PROM_DIR/out"
	n=$(grep -c '^xlb_verdicts_total{reason="[a-z0-9_]*"} [0-9]*$' "$PROM_DIR/out")
	i=$(grep -c '^xlb_events_total{event="[a-z0-9_]*"} [0-9]*$' "$PROM_DIR/out")
	[ "$((n + i))" = "$(lb -j stats | jq '.global | length')" ]
	grep -qx 'xlb_events_total{event="conntrack_miss"} 3' "$PROM_DIR/out"
	grep -qx "xlb_service_packets_total{service=\"$SVC\"} 3" "$PROM_DIR/out"
	grep -qx "xlb_service_flows_total{service=\"$SVC\"} 3" "$PROM_DIR/out"
	be="service=\"$SVC\",backend=\"10.1.0.2\""
	grep -qx "xlb_backend_packets_total{$be} 3" "$PROM_DIR/out"
	grep -qx "xlb_backend_bytes_total{$be} 102" "$PROM_DIR/out"
	grep -qx "xlb_backend_flows_total{$be} 3" "$PROM_DIR/out"
	grep -qx "xlb_backend_weight{$be} 1" "$PROM_DIR/out"
	grep -qx "xlb_backend_state{$be,state=\"active\"} 1" "$PROM_DIR/out"
	grep -qx "xlb_backend_state{$be,state=\"drain\"} 0" "$PROM_DIR/out"
	# No health check: the health is unknown.
	grep -qx "xlb_backend_health{$be,health=\"unknown\"} 1" "$PROM_DIR/out"
	grep -qx "xlb_backend_health{$be,health=\"up\"} 0" "$PROM_DIR/out"
	# --prometheus: the keyword's option spelling (the per-service and
	# per-backend lines: ARP may reach the global counters meanwhile)
	svc_be='^xlb_\(service\|backend\)_'
	[ "$(lb_nobody stats --prometheus | grep "$svc_be")" = "$(grep "$svc_be" "$PROM_DIR/out")" ]
}

@test "prometheus output FILE: replaced atomically (temp file + rename), 0644" {
	f=$PROM_DIR/xlb.prom
	lb_nobody stats prometheus output "$f"
	[ "$(stat -c %a "$f")" = 644 ]
	promtool check metrics <"$f"
	ino=$(stat -c %i "$f")
	lb_nobody stats prometheus output "$f"
	# A new inode renamed over the old one; no temporary file left.
	[ "$(stat -c %i "$f")" != "$ino" ]
	[ "$(ls "$PROM_DIR")" = "$(printf 'out\nxlb.prom')" ]
	run lb_nobody stats prometheus output /nonexistent/xlb.prom
	expect 2 'lbctl: cannot create a file beside /nonexistent/xlb.prom: No such file or directory'
}

@test "rate: per second over the interval, not the totals" {
	[ "$(nobody_jq '.services[0].packets')" -gt 0 ]
	# No traffic: every rate is 0 although the counters are not.
	run lb_nobody -j stats rate interval 1
	[ "$status" -eq 0 ]
	[ "$(jq -r .interval <<<"$output")" = 1 ]
	[ "$(jq -r '.services[0].packets' <<<"$output")" = 0 ]
	[ "$(jq -r '.services[0].backends[0].flows' <<<"$output")" = 0 ]
	# Traffic during the interval: a rate above 0, at most what was sent.
	before=$(nobody_jq '.services[0].packets')
	nsenter --net="/run/netns/$CL" bash -c 'while :; do
		echo x >/dev/udp/10.1.0.100/5000; done' &
	pid=$!
	# Under TCG the sender takes a while to start: the interval begins
	# once its packets arrive.
	for _ in $(seq 50); do
		[ "$(nobody_jq '.services[0].packets')" -gt "$before" ] && break
		sleep 0.1
	done
	run lb_nobody -j stats rate interval 1
	kill "$pid"
	wait "$pid" || true
	after=$(nobody_jq '.services[0].packets')
	echo "$output; sent $((after - before))"
	r=$(jq -r '.services[0].packets' <<<"$output")
	[ "$r" -gt 0 ]
	[ "$r" -le $((after - before)) ]
	run lb_nobody stats --rate
	[ "${lines[0]}" = "rates per second over 1 s" ]
	[[ "$output" == *"service $SVC packets/s 0 bytes/s 0 flows/s 0"* ]]
}

@test "zero: needs CAP_NET_ADMIN; then every counter reads 0 until new traffic" {
	run lb_nobody stats zero
	expect 2 'lbctl: stats zero: permission denied: this needs CAP_NET_ADMIN (run lbctl as root)'
	[ "$(nobody_jq '.services[0].packets')" -gt 0 ]
	run lb stats zero
	expect 0 ''
	run lb_nobody -j stats
	echo "$output"
	[ "$(jq -r '.services[0].packets' <<<"$output")" = 0 ]
	[ "$(jq -r '.services[0].flows' <<<"$output")" = 0 ]
	[ "$(jq -r '.services[0].backends[0].packets' <<<"$output")" = 0 ]
	[ "$(jq -r '.services[0].backends[0].bytes' <<<"$output")" = 0 ]
	# Only ARP from the client may have arrived since.
	[ "$(jq '.global | del(.pass_not_ip) | [.[]] | add' <<<"$output")" = 0 ]
	[ "$(jq '.global.pass_not_ip' <<<"$output")" -le 2 ]
	# Counting starts again from 0: two new flows, from ports 50000 and
	# 50001 (both sockets open at once, so they differ).
	in_ns "$CL" bash -c 'echo "50000 50001" >/proc/sys/net/ipv4/ip_local_port_range
		exec 3>/dev/udp/10.1.0.100/5000 4>/dev/udp/10.1.0.100/5000
		echo a >&3; echo b >&4'
	[ "$(nobody_jq '.services[0].packets')" = 2 ]
	[ "$(nobody_jq '.services[0].backends[0].flows')" = 2 ]
	[ "$(nobody_jq '.global.conntrack_miss')" = 2 ]
	lb stats --zero
	[ "$(nobody_jq '.services[0].packets')" = 0 ]
}

@test "stats zero takes no other argument; counters need bound maps" {
	run lb stats zero service "$SVC"
	expect 1 'lbctl: "stats zero" takes no other argument: it zeroes every counter of the namespace'
	lb detach lb0
	in_ns "$NS" "${XLB_PY[@]}" -m xlbnl unbind
	run lb_nobody stats
	expect 2 'lbctl: no data path counters: attach a device first (lbctl attach DEV)'
	run lb stats zero
	expect 2 'lbctl: no data path counters: attach a device first (lbctl attach DEV)'
}
