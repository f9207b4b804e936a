#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xlb-vm: cpus 2
#
# Next hops (Documentation/datapath.md, "Next hops"), in the VM: a load
# balancer that starts with cold neighbour caches, default neighbour
# settings and plain lbctl commands reaches its backends from the first
# packet on, and goes on reaching them when its neighbour table is flushed
# under traffic or a backend changes its MAC address.  Nothing here writes a
# neighbour entry: the topology (tests/e2e/topo.sh) pins none.  Tests run in
# file order.

load e2e/suite

# The client's count of TCP SYNs sent again: a first SYN lost anywhere
# shows here.
syn_retrans() {
	xn client nstat -az TcpExtTCPSynRetrans |
		awk '$1 == "TcpExtTCPSynRetrans" { print $2 }'
}

# lb1's pass_no_neigh counter.
pass_no_neigh() {
	lbn lb1 stats | awk '$1 == "pass_no_neigh" { print $2 }'
}

# lb1's neighbour entries for backends 1..3 on eth0, as "ADDR FLAGS STATE"
# lines (FLAGS "managed" or "-").
lb_be_neigh() {
	xn lb1 ip -j neigh show dev eth0 | jq -r --arg l \
		"$(be4 1) $(be4 2) $(be4 3) $(be6 1) $(be6 2) $(be6 3)" '
		($l | split(" ")) as $b | .[] | select(.dst as $d | $b | index($d)) |
		"\(.dst) \(if has("managed") then "managed" else "-" end) \(.state | join(","))"'
}

@test "fresh load balancer: the first flows reach their backends without a lost SYN" {
	local before after out
	run lb_be_neigh
	note "lb1's backend neighbour entries before attach: ${output:-none}"
	[ -z "$output" ]
	before=$(syn_retrans)
	# restore + attach, then traffic at once: nothing resolved beforehand
	e2e_lb lb1 1:10 2:10 3:10
	out=$(flows 4 -n 60 -c 60)
	note "v4: $out"
	[ "$(jq .fail <<<"$out")" = 0 ]
	out=$(flows 6 -n 60 -c 60)
	note "v6: $out"
	[ "$(jq .fail <<<"$out")" = 0 ]
	after=$(syn_retrans)
	note "client SYN retransmissions: $before before, $after after;" \
		"lb1 pass_no_neigh $(pass_no_neigh)"
	[ "$after" = "$before" ]
}

@test "the backends' next hops are managed entries; attach set eth0's sysctls" {
	run lb_be_neigh
	printf '%s\n' "$output"
	[ "${#lines[@]}" = 6 ]
	[ "$(grep -c ' managed ' <<<"$output")" = 6 ]
	# the topology leaves IPv4 forwarding off on lb1: attach turned it on
	[ "$(xn lb1 cat /proc/sys/net/ipv4/ip_forward)" = 0 ]
	[ "$(xn lb1 cat /proc/sys/net/ipv4/conf/eth0/forwarding)" = 1 ]
	[ "$(xn lb1 cat /proc/sys/net/ipv4/conf/eth0/accept_local)" = 1 ]
}

@test "flushing lb1's neighbour table under traffic loses no connection" {
	local out4 out6 i flushed=0 m syn0 nn0 nn1
	syn0=$(syn_retrans)
	nn0=$(pass_no_neigh)
	flows_bg "$E2E_DIR/flush4.out" 4 -T 20 -H 20 -i 100 -c 8 -n 8000 -b 20000
	echo "$XN_PID" >"$E2E_DIR/flush4.hpid"
	flows_bg "$E2E_DIR/flush6.out" 6 -T 20 -H 20 -i 100 -c 8 -n 8000 -b 20000
	echo "$XN_PID" >"$E2E_DIR/flush6.hpid"
	wait_lines "$E2E_DIR/flush4.out" 1 '"event":"open"'
	wait_lines "$E2E_DIR/flush6.out" 1 '"event":"open"'
	# Flushes for as long as the traffic runs, not a fixed number: under
	# TCG, with the guest busy with the traffic, one round takes 1-5 s, and
	# a fixed 10 outlasted the traffic (CI once saw no frame meet a
	# flushed entry).  Whether one does is timing: the next-hop cache
	# hides a flush for its TTL, the kernel resolves the entry again at
	# the next frame, the module at its next round.  Only entries that
	# hold a MAC are flushed: deleting an INCOMPLETE one drops the frames
	# queued on it (the kernel's neigh_invalidate), a loss the test, not
	# xlb, would cause.
	i=0
	while ! grep -q '"mode":"loop"' "$E2E_DIR/flush4.out" \
		"$E2E_DIR/flush6.out"; do
		m=$(xn lb1 ip -s neigh flush dev eth0 nud reachable nud stale \
			nud delay nud probe |
			awk '/deleting/ { n += $5 } END { print n + 0 }')
		flushed=$((flushed + m))
		i=$((i + 1))
		sleep 0.5
	done
	wait_lines "$E2E_DIR/flush4.out" 1 '"mode":"loop"'
	wait_lines "$E2E_DIR/flush6.out" 1 '"mode":"loop"'
	out4=$(grep '"mode":"loop"' "$E2E_DIR/flush4.out")
	out6=$(grep '"mode":"loop"' "$E2E_DIR/flush6.out")
	nn1=$(pass_no_neigh)
	note "$i flushes removed $flushed entries; frames lb1 handed" \
		"to the kernel to resolve a next hop: $((nn1 - nn0))"
	note "v4: $out4"
	note "v6: $out6"
	[ "$flushed" -gt 0 ]
	# the kernel's path took frames while an entry was missing ...
	[ "$nn1" -gt "$nn0" ]
	# ... and lost none of them: no SYN had to be sent twice
	[ "$(syn_retrans)" = "$syn0" ]
	[ "$(jq .new.ok <<<"$out4")" -gt 0 ]
	[ "$(jq .new.ok <<<"$out6")" -gt 0 ]
	[ "$(jq '.new.fail + .est.fail' <<<"$out4")" = 0 ]
	[ "$(jq '.new.fail + .est.fail' <<<"$out6")" = 0 ]
}

@test "a backend changes its MAC: lb1 learns it alone, its connections live on" {
	local mac=02:77:00:00:02:01 t=0 out4 out6
	hold_start mac4 4 30 30000
	hold_start mac6 6 30 30000
	xn b1 ip link set dev eth0 address "$mac"
	# lb1 re-probes its managed entries; nothing else tells it
	until [ "$(xn lb1 ip neigh show "$(be4 1)" dev eth0 | grep -c "$mac")" = 1 ] &&
		[ "$(xn lb1 ip neigh show "$(be6 1)" dev eth0 | grep -c "$mac")" = 1 ]; do
		((t++ < 180)) || break
		sleep 1
	done
	note "lb1 had b1's new MAC after ${t}s: $(lb_be_neigh | grep -E "^($(be4 1)|$(be6 1)) ")"
	[ "$t" -le 180 ]
	out4=$(hold_check mac4)
	out6=$(hold_check mac6)
	note "held v4: $out4"
	note "held v6: $out6"
	[ "$(jcount "$out4" .backends b1)" -gt 0 ]
	[ "$(jcount "$out6" .backends b1)" -gt 0 ]
	[ "$(jq .fail <<<"$out4")" = 0 ]
	[ "$(jq .fail <<<"$out6")" = 0 ]
}
