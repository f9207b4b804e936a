#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# VM suite: lbctl attach/detach and stats.  Topology, one fresh namespace
# pair per file:
#
#   $NS:  lb0 10.1.0.1/24 fd00:1::1/64  <-veth->  cl0 10.1.0.2/24  :$NS-cl
#         lbx <-veth-> lby  (a second device for the shared-maps test)
#
# Tests run in file order and build on each other (attach, inspect, send
# traffic, detach, re-attach with other sizes).

load lbctl_lib

setup_file() {
	lbctl_setup_file attach
	insmod "$XLB_KO"
	export CL="$NS-cl"
	ip netns add "$CL"
	ip -n "$NS" link add lb0 type veth peer name cl0 netns "$CL"
	ip -n "$NS" addr add 10.1.0.1/24 dev lb0
	ip -n "$NS" addr add fd00:1::1/64 dev lb0 nodad
	ip -n "$NS" link set lb0 up
	ip -n "$CL" addr add 10.1.0.2/24 dev cl0
	ip -n "$CL" link set cl0 up
	ip -n "$CL" link set lo up
	ip -n "$NS" link add lbx type veth peer name lby
	ip -n "$NS" link set lbx up
	ip -n "$NS" link set lby up
	# bpf_fib_lookup() needs forwarding on to find the next hop.
	ip netns exec "$NS" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	# The client reaches the VIP through the balancer.
	ip -n "$CL" route add 10.1.0.100/32 via 10.1.0.1
}

teardown_file() {
	ip netns del "$CL" 2>/dev/null || true
	lbctl_teardown_file
}

xdp_prog_id() {
	ip -n "$NS" -j link show dev "$1" | jq -r '.[0].xdp.prog.id // empty'
}

@test "stats before any attach: no counters, clear message" {
	run lb stats
	expect 2 'lbctl: no data path counters: attach a device first (lbctl attach DEV)'
}

@test "attach: missing device, bad mode, bad sizes" {
	run lb attach nope0
	expect 1 'lbctl: device "nope0" not found (list devices: ip link show)'
	run lb detach nope0
	expect 1 'lbctl: device "nope0" not found (list devices: ip link show)'
	run lb attach lb0 mode turbo
	expect 1 'lbctl: invalid mode "turbo": expected native or generic'
	run lb attach lb0 max-services 0
	expect 1 'lbctl: invalid max-services "0": expected a decimal integer 1..4096'
	run lb attach lb0 table-max 1000
	expect_re 1 '^lbctl: invalid table size "1000": expected a prime'
	run lb attach lb0 src4 fd00::1
	expect 1 'lbctl: invalid src4 "fd00::1": expected an IPv4 address'
	run lb attach
	expect 1 'lbctl: missing device after "attach"'
	[ -z "$(xdp_prog_id lb0)" ]
	[ ! -e "$PIN" ]
}

@test "attach lb0 mode generic: XDP on, maps pinned 0700/0600, bound" {
	run lb attach lb0 mode generic
	expect 0 ''
	[ -n "$(xdp_prog_id lb0)" ]
	[ "$(ip -n "$NS" -j link show dev lb0 | jq -r '.[0].xdp.mode')" = 2 ]
	[ "$(stat -c %a "$PIN")" = 700 ]
	for m in xlb_ctl xlb_vips xlb_services xlb_tables xlb_backends \
		 xlb_conntrack xlb_conntrack4 xlb_svc_stats xlb_be_stats xlb_stats \
		 xlb_nh_cache xlb_flow_cache xlb_icmp_rl xlb_vlan_in xlb_egress \
		 xlb_ct_budget xlb_syn xlb_xdp; do
		[ "$(stat -c %a "$PIN/$m")" = 600 ]
	done
	run lb -j config
	[ "$(jq -r .bound <<<"$output")" = true ]
	[ "$(jq -r .max_services <<<"$output")" = 32 ]
	[ "$(jq -r .max_backends <<<"$output")" = 16384 ]
	[ "$(jq -r .table_max <<<"$output")" = 65537 ]
	# The outer sources default to the device's addresses.
	[ "$(jq -r .src4 <<<"$output")" = 10.1.0.1 ]
	[ "$(jq -r .src6 <<<"$output")" = fd00:1::1 ]
}

@test "attach is idempotent on the same device" {
	id=$(xdp_prog_id lb0)
	run lb attach lb0 mode generic
	expect 0 ''
	[ "$(xdp_prog_id lb0)" = "$id" ]
}

@test "a second device shares the program and the maps" {
	run lb attach lbx src4 10.7.7.7
	expect 0 ''
	[ "$(xdp_prog_id lbx)" = "$(xdp_prog_id lb0)" ]
	# native mode on veth
	[ "$(ip -n "$NS" -j link show dev lbx | jq -r '.[0].xdp.mode')" = 1 ]
	# An explicit src4 replaces the default; src6 is kept.
	run lb -j config
	[ "$(jq -r .src4 <<<"$output")" = 10.7.7.7 ]
	[ "$(jq -r .src6 <<<"$output")" = fd00:1::1 ]
	lb config set src4 10.1.0.1
	# Other sizes than the pinned maps' are refused.
	run lb attach lby table-max 251
	expect 1 "lbctl: the maps pinned under $PIN have other sizes (max-services 32, table-max 65537): detach every device and remove $PIN to resize"
	[ -z "$(xdp_prog_id lby)" ]
}

@test "stats: every counter, per service and per backend (text and JSON)" {
	lb service add 10.1.0.100:5000/udp
	lb add 10.1.0.2 service 10.1.0.100:5000/udp
	run lb -j stats
	[ "$status" -eq 0 ]
	for c in pass_not_service pass_not_ip pass_fragment pass_no_neigh \
		 pass_not_bound drop_parse_error drop_no_backend \
		 drop_encap_failure drop_fib_failure drop_too_big tx redirect \
		 conntrack_hit conntrack_miss conntrack_stale icmp_error \
		 ipv4_options vlan flow_cache_hit tx_icmp_too_big \
		 drop_too_big_ratelimited pass_icmp_not_vip pass_vlan_unknown \
		 drop_no_egress flow_cache_bypass conntrack_untracked \
		 conntrack_rate_limited conntrack_expired encap_gue \
		 conntrack_evicted; do
		[[ "$(jq -r ".global.$c" <<<"$output")" =~ ^[0-9]+$ ]]
	done
	[ "$(jq -r '.services[0].service' <<<"$output")" = 10.1.0.100:5000/udp ]
	[ "$(jq -r '.services[0].packets' <<<"$output")" = 0 ]
	[ "$(jq -r '.services[0].backends[0].address' <<<"$output")" = 10.1.0.2 ]
	[ "$(jq -r '.services[0].backends[0].packets' <<<"$output")" = 0 ]
	run lb -n stats
	[ "${lines[0]}" = global ]
	[[ "$output" == *"service 10.1.0.100:5000/udp packets 0 bytes 0"* ]]
	[[ "$output" =~ backend\ 10\.1\.0\.2\ +packets\ 0\ bytes\ 0 ]]
	run lb stats service 10.1.0.99:1/udp
	expect 1 'lbctl: no such service "10.1.0.99:1/udp"'
}

@test "stats count the frames the data path sees" {
	v0=$(verdicts)
	ip netns exec "$CL" ping -c 3 -i 0.2 -W 1 10.1.0.1
	v1=$(verdicts)
	echo "verdicts $v0 -> $v1"
	[ "$v1" -ge $((v0 + 3)) ]
	# UDP to the VIP is counted for the service and the backend.
	for i in 1 2 3; do
		ip netns exec "$CL" bash -c 'echo hello >/dev/udp/10.1.0.100/5000'
	done
	run lb -j stats
	echo "$output"
	[ "$(jq -r '.services[0].packets' <<<"$output")" -ge 3 ]
	[ "$(jq -r '.services[0].bytes' <<<"$output")" -gt 0 ]
	[ "$(jq -r '.services[0].backends[0].packets' <<<"$output")" -ge 3 ]
}

@test "a re-created backend does not inherit the old counters" {
	lb del 10.1.0.2
	lb add 10.1.0.2 service 10.1.0.100:5000/udp
	run lb -j stats
	[ "$(jq -r '.services[0].backends[0].packets' <<<"$output")" = 0 ]
}

@test "detach removes XDP from one device; the other keeps running" {
	run lb detach lbx
	expect 0 ''
	[ -z "$(xdp_prog_id lbx)" ]
	[ -n "$(xdp_prog_id lb0)" ]
	run lb detach lbx
	expect 1 'lbctl: device "lbx" has no XDP program attached'
	run lb detach lbx extra
	expect 1 'lbctl: too many arguments to "detach"'
	run lb detach lb0
	expect 0 ''
	[ -z "$(xdp_prog_id lb0)" ]
	# The configuration stays in the module.
	[ "$(lb -j show | jq -r '.[0].service')" = 10.1.0.100:5000/udp ]
}

@test "a foreign XDP program is not replaced or removed" {
	ip -n "$NS" link set dev lby xdpgeneric obj "$XLB_XDP_PASS" sec xdp
	[ -n "$(xdp_prog_id lby)" ]
	run lb attach lby mode generic
	expect 1 'lbctl: device "lby" already has another XDP program (remove it first: ip link set dev lby xdp off)'
	run lb detach lby
	expect 1 "lbctl: the XDP program on \"lby\" is not xlb's; not touching it"
	ip -n "$NS" link set dev lby xdpgeneric off
}

@test "fresh pins with other sizes; the module enforces the new limits" {
	lb flush
	rm -rf "$PIN"
	run lb attach lb0 mode generic max-services 4 max-backends 8 table-max 251 conntrack-size 1024
	expect 0 ''
	run lb -j config
	[ "$(jq -r .max_services <<<"$output")" = 4 ]
	[ "$(jq -r .max_backends <<<"$output")" = 8 ]
	[ "$(jq -r .table_max <<<"$output")" = 251 ]
	run lb service add 10.1.0.100:80/tcp
	expect_re 1 '^lbctl: service add 10\.1\.0\.100:80/tcp: '
	lb service add 10.1.0.100:80/tcp table-size 251
	[ "$(lb -j show | jq -r '.[0].table_size')" = 251 ]
	lb detach lb0
}

@test "unbind: the module lets go of the maps; the next attach binds again" {
	id=$(bpftool -j map show pinned "$PIN/xlb_ctl" | jq -r .id)
	[ -n "$id" ]
	rm -rf "$PIN"
	# unpinned and detached, the map lives on: the module holds it
	bpftool map show id "$id" >/dev/null
	[ "$(lb -j config | jq -r .bound)" = true ]
	run lb unbind
	expect 0 ''
	[ "$(lb -j config | jq -r .bound)" = false ]
	for i in $(seq 50); do
		bpftool map show id "$id" >/dev/null 2>&1 || break
		sleep 0.1
	done
	run ! bpftool map show id "$id"
	run lb unbind extra
	expect 1 'lbctl: unknown argument "extra" to unbind (see: lbctl help)'
	# the configuration stayed in the module and reaches the new maps
	lb attach lb0 mode generic max-services 4 max-backends 8 table-max 251 conntrack-size 1024
	[ "$(lb -j config | jq -r .bound)" = true ]
	[ "$(lb -j show | jq -r '.[0].table_size')" = 251 ]
	lb detach lb0
}

@test "save records each attached device, its mode and the map sizes" {
	lb attach lb0 mode generic
	lb attach lbx
	lb service add 10.1.0.100:5000/udp table-size 251
	lb add 10.1.0.2 service 10.1.0.100:5000/udp
	lb save >"$BATS_FILE_TMPDIR/saved"
	cat "$BATS_FILE_TMPDIR/saved"
	run grep -c '^attach ' "$BATS_FILE_TMPDIR/saved"
	[ "$output" = 2 ]
	grep -qx 'attach lb0 mode generic max-services 4 max-backends 8 table-max 251 conntrack-size 1024' "$BATS_FILE_TMPDIR/saved"
	grep -qx 'attach lbx mode native max-services 4 max-backends 8 table-max 251 conntrack-size 1024' "$BATS_FILE_TMPDIR/saved"
	# Without root the pins are out of reach: a warning, no attach lines.
	run lb_nobody save
	[ "$status" -eq 0 ]
	[[ "$output" == *"lbctl: warning: save: attach lines left out: $PIN/xlb_xdp: Permission denied (run lbctl save as root)"* ]]
	[[ "$output" != *"attach lb0"* ]]
	# save | restore | save: the same text, attached as before.
	lb restore "$BATS_FILE_TMPDIR/saved"
	[ "$(lb save)" = "$(cat "$BATS_FILE_TMPDIR/saved")" ]
}

@test "restore after a module reload: the whole state first, then attach" {
	rmmod xlb
	[ -n "$(xdp_prog_id lb0)" ]
	insmod "$XLB_KO"
	out=$BATS_TEST_TMPDIR/mon
	nsenter --net="/run/netns/$NS" "$LBCTL" -n monitor >"$out" 2>&1 3>&- &
	pid=$!
	sleep 1
	# Attach first would publish the module's empty configuration into the
	# maps lb0's program serves from: refused, nothing bound (the monitor's
	# first event below is the restore's).
	n=$(grep -c '^service add ' "$BATS_FILE_TMPDIR/saved")
	[ "$n" -ge 2 ]
	run lb attach lb0 mode generic
	expect 1 "lbctl: attach: the maps pinned under $PIN serve $n services and the module has none (reloaded?): attaching would publish its empty configuration into them; restore the configuration first (lbctl restore FILE), or add \"force\" to publish the empty one"
	[ "$(lb -j config | jq -r .bound)" = false ]
	lb restore "$BATS_FILE_TMPDIR/saved"
	for i in $(seq 50); do [ "$(wc -l <"$out")" -ge 3 ] && break; sleep 0.1; done
	kill "$pid"
	cat "$out"
	run cat "$out"
	# The module publishes at bind: it must hold the state by then.
	[[ "${lines[0]}" == restore* ]]
	[ "${lines[1]}" = bind ]
	[ "$(lb save)" = "$(cat "$BATS_FILE_TMPDIR/saved")" ]
	[ "$(lb -j config | jq -r .bound)" = true ]
}

@test "restore checks attach lines before it changes anything" {
	before=$(lb save)
	f=$BATS_TEST_TMPDIR/bad
	printf '%s\n' "service add 10.1.0.100:81/tcp table-size 251" "attach nope0" >"$f"
	run lb restore "$f"
	expect 1 "lbctl: $f:2: device \"nope0\" not found (list devices: ip link show)"
	printf '%s\n' "service add 10.1.0.100:81/tcp table-size 251" "attach lby" "attach lby" >"$f"
	run lb restore "$f"
	expect 1 "lbctl: $f:3: device attached twice"
	printf '%s\n' "service add 10.1.0.100:81/tcp table-size 251" \
		"attach lby max-services 4 max-backends 8 table-max 65537 conntrack-size 1024" >"$f"
	run lb restore "$f"
	expect 1 "lbctl: $f:2: the maps pinned under $PIN have other sizes (max-services 4, table-max 251): detach every device and remove $PIN to resize"
	printf '%s\n' "attach lb0 max-services 4 max-backends 8 table-max 251 conntrack-size 1024" \
		"attach lby max-services 4 max-backends 8 table-max 251 conntrack-size 2048" >"$f"
	run lb restore "$f"
	expect 1 "lbctl: $f:2: map sizes differ from the earlier attach line's: every device shares one set of maps"
	run lb_nobody restore - <"$BATS_FILE_TMPDIR/saved"
	expect 2 "lbctl: restore: permission denied: attach lines need root (CAP_BPF, CAP_NET_ADMIN)"
	[ "$(lb save)" = "$before" ]
	[ -z "$(xdp_prog_id lby)" ]
}

@test "after a module reload, attach ... force and restore publish an empty configuration" {
	rmmod xlb
	insmod "$XLB_KO"
	run lb attach lb0 force mode generic
	expect 1 'lbctl: "force" goes last: attach DEV [options] force'
	lb attach lb0 mode generic force
	[ "$(lb -j config | jq -r .bound)" = true ]
	[ "$(lb -j show)" = "[]" ]
	# restore's attach lines force: the file is the whole configuration
	lb restore "$BATS_FILE_TMPDIR/saved"
	rmmod xlb
	insmod "$XLB_KO"
	echo "attach lb0 mode generic" >"$BATS_TEST_TMPDIR/empty"
	lb restore "$BATS_TEST_TMPDIR/empty"
	[ "$(lb -j config | jq -r .bound)" = true ]
	[ "$(lb -j show)" = "[]" ]
}
