#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xlb-vm: cpus 2
#
# encap gue end to end, in the VM (topology: tests/e2e/topo.sh, one
# backend).  b1 decapsulates GUE the way a Linux backend does: `modprobe
# fou; ip fou add port 6080 gue` (and -6) hands the inner packet to its ipip / ip6ip6 device
# (xlbt4, xlbt6 of the topology).  Real TCP connections from the client
# through the VIP reach b1, and the outer headers carry the flows' entropy:
# outerwatch (tests/e2e/outerwatch.c) on b1's eth0 counts the distinct UDP
# source ports (IPv4) and flow labels (IPv6) of the frames as they arrive,
# before decapsulation.
# Tests run in file order.

export XLB_E2E_BACKENDS=1
load e2e/suite

GUE_PORT=6080

gue_config() {
	echo "config src4 $LB1_4 src6 $LB1_6"
	echo "service add $SVC4T table-size 251 hash 5tuple encap gue port $GUE_PORT"
	echo "add $(be4 1) weight 1 service $SVC4T"
	echo "service add $SVC6T table-size 251 hash 5tuple encap gue port $GUE_PORT"
	echo "add $(be6 1) weight 1 service $SVC6T"
}

stat() {
	lbn lb1 -j stats | jq -r ".global.$1"
}

# outerwatch on b1's eth0 for the duration of CMD...; its JSON in
# $E2E_DIR/watch.out, CMD's output and status as for run.
watched() {
	local out=$E2E_DIR/watch.out tries=0 pid t0=$SECONDS
	rm -f "$out" "$out.err"
	xn_bg b1 "$out" "$XLB_ROOT/build/outerwatch" eth0 "$GUE_PORT"
	pid=$XN_PID
	until grep -qs ready "$out.err"; do
		((tries++ < 300)) || { echo "outerwatch did not start" >&2; return 1; }
		sleep 0.1
	done
	note "watcher up after $((SECONDS - t0)) s"
	t0=$SECONDS
	run "$@"
	note "flows done after $((SECONDS - t0)) s"
	kill -TERM "$pid"
	wait "$pid" || true
	echo "watch: $(cat "$out")"
}

w() {
	jq -r ".$1" "$E2E_DIR/watch.out"
}

@test "setup: GUE services on lb1 (show, save|restore|save), b1 decapsulates with fou" {
	gue_config >"$E2E_DIR/gue.conf"
	lbn lb1 restore "$E2E_DIR/gue.conf"
	lbn lb1 attach eth0 mode native
	# fou has no genetlink module alias: `ip fou` does not load it
	modprobe fou
	xn b1 ip fou add port "$GUE_PORT" gue
	xn b1 ip fou add port "$GUE_PORT" gue -6
	run lbn lb1 -n show
	echo "$output"
	[[ "$output" == *"service $VIP4:$VPORT/tcp table-size 251 hash 5tuple encap gue port $GUE_PORT backends 1 "* ]]
	lbn lb1 save >"$E2E_DIR/save1"
	grep -qx "service add $SVC4T table-size 251 hash 5tuple encap gue port $GUE_PORT" "$E2E_DIR/save1"
	lbn lb1 restore "$E2E_DIR/save1"
	lbn lb1 save >"$E2E_DIR/save2"
	cmp "$E2E_DIR/save1" "$E2E_DIR/save2"
}

@test "IPv4: 1,000 TCP connections through the VIP reach b1 over GUE, >= 64 outer source ports" {
	local gue
	gue=$(stat encap_gue)
	watched flows 4 -n 1000 -b 20000
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r .ok <<<"$output")" = 1000 ]
	[ "$(jcount "$output" .backends b1)" = 1000 ]
	note "GUE frames $(w gue4), distinct source ports $(w sports) ($(w sport_min)..$(w sport_max))"
	[ "$(w gue4)" -ge 1000 ]
	[ "$(w zero_csum)" = "$(w gue4)" ]
	[ "$(w sport_min)" -ge 49152 ]
	[ "$(w sports)" -ge 64 ]
	[ "$(stat encap_gue)" -ge $((gue + 1000)) ]
}

@test "IPv6: 200 TCP connections reach b1 over GUE, flow labels and source ports spread" {
	watched flows 6 -n 200 -b 21000
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r .ok <<<"$output")" = 200 ]
	note "GUE frames $(w gue6), distinct flow labels $(w labels6), source ports $(w sports)"
	[ "$(w gue6)" -ge 200 ]
	[ "$(w labels6)" -ge 64 ]
	[ "$(w sports)" -ge 64 ]
}
