#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# VM suite: XLB_CMD_BIND and what the module publishes into the XDP
# program's ARRAY maps.  Most tests create the five maps with bpftool (small
# sizes, independent of the data path); the last ones load the real
# build/xlb.bpf.o, attach it, and unload the module under it.

load module_lib

M=/sys/fs/bpf/xlbt-maps

setup_file() {
	[ -f "$XLB_KO" ] || { echo "no module at $XLB_KO (make module)" >&2; return 1; }
	xlb_reload
}

teardown_file() {
	xlb_unload || true
	rm -rf /sys/fs/bpf/xlbt-*
}

setup() {
	fresh_maps $M
}

bind() {
	nl_ok --bind-dir "${1:-$M}" bind
}

@test "bind publishes the state made before it" {
	nl_ok config_set '{"config": {"src4": "192.0.2.1"}}'
	nl_ok service_new '{"service": {"addr4": "10.0.0.1", "port": 80, "proto": 6, "table_size": 251}}'
	nl_ok backend_new "{\"service\": $(svc 10.0.0.1 80), \"backend\": $(be 10.1.0.1 2)}"
	nl_ok backend_new "{\"service\": $(svc 10.0.0.1 80), \"backend\": $(be fd00::1)}"
	bind
	run nl_ok config_get
	c=$(jq -c '.messages[0].config' <<<"$output")
	[ "$(jq -r .bound <<<"$c")" = 1 ]
	[ "$(jq -r .table_max <<<"$c")" = 1021 ]
	[ "$(jq -r .max_services <<<"$c")" = 4 ]
	[ "$(jq -r .max_backends <<<"$c")" = 16 ]
	ctl=$(map $M xlb_ctl ctl 0)
	echo "$ctl"
	[ "$(jq -r .flags <<<"$ctl")" = 1 ]
	[ "$(jq -r .seed <<<"$ctl")" = $((DEFAULT_SEED)) ]
	[ "$(jq -r .vip_slots <<<"$ctl")" = 8 ]
	[ "$(jq -r .table_max <<<"$ctl")" = 1021 ]
	[ "$(jq -r .src4 <<<"$ctl")" = 192.0.2.1 ]
	s=$(map $M xlb_services service 0)
	echo "$s"
	[ "$(jq -r .addr <<<"$s")" = 10.0.0.1 ]
	[ "$(jq -r .port <<<"$s")" = 80 ]
	[ "$(jq -r .proto <<<"$s")" = 6 ]
	[ "$(jq -r .table_size <<<"$s")" = 251 ]
	[ "$(jq -r .nbackends <<<"$s")" = 2 ]
	[ "$(jq -r .gen <<<"$s")" != 0 ]
	# The VIP table's live half holds the service (sid 0 -> sid_plus1 1).
	act=$(jq -r .vip_active <<<"$ctl")
	run map $M xlb_vips vip
	[ "$(jq "[.[] | select(.key >= $((act * 8)) and .key < $((act * 8 + 8)) and .sid_plus1 == 1 and .addr == \"10.0.0.1\" and .port == 80)] | length" <<<"$output")" = 1 ]
	# Backend entries carry the generation stamps the module reports.
	run nl_ok --dump backend_get "{\"service\": $(svc 10.0.0.1 80)}"
	for row in $(jq -c '.messages[].backend' <<<"$output"); do
		id=$(jq -r .id <<<"$row")
		e=$(map $M xlb_backends backend "$id")
		[ "$(jq -r .gen <<<"$e")" = "$(jq -r .gen <<<"$row")" ]
		[ "$(jq -r .addr <<<"$e")" = "$(jq -r '.addr4 // .addr6' <<<"$row")" ]
		[ "$(jq -r .state <<<"$e")" = 1 ]
		[ "$(jq -r .sid <<<"$e")" = 0 ]
	done
}

@test "published table equals maglev_ref.py slot by slot, tail is empty" {
	bind
	nl_ok service_new '{"service": {"addr4": "10.0.0.1", "port": 80, "proto": 6, "table_size": 509}}'
	for i in 1 2 3 4; do
		nl_ok backend_new "{\"service\": $(svc 10.0.0.1 80), \"backend\": $(be 10.1.0.$i $i)}" >/dev/null
	done
	table_is --m 509 --seed $DEFAULT_SEED 10.1.0.1:1 10.1.0.2:2 10.1.0.3:3 10.1.0.4:4
	act=$(map $M xlb_services service 0 | jq -r .active)
	run map $M xlb_tables table $((act))
	[ "$(jq '.[509:] | unique' -c <<<"$output")" = '[4294967295]' ]
	# Shrinking the table keeps the rule: the tail is EMPTY.
	nl_ok service_set '{"service": {"id": 0, "table_size": 251}}'
	table_is --m 251 --seed $DEFAULT_SEED 10.1.0.1:1 10.1.0.2:2 10.1.0.3:3 10.1.0.4:4
	act=$(map $M xlb_services service 0 | jq -r .active)
	run map $M xlb_tables table $((act))
	[ "$(jq '.[251:] | unique' -c <<<"$output")" = '[4294967295]' ]
	# A new seed moves every table (and the ctl seed).
	nl_ok config_set '{"config": {"seed": 99}}'
	[ "$(map $M xlb_ctl ctl 0 | jq -r .seed)" = 99 ]
	table_is --m 251 --seed 99 10.1.0.1:1 10.1.0.2:2 10.1.0.3:3 10.1.0.4:4
}

@test "every change flips the table copy; deleted backends go unused" {
	bind
	nl_ok service_new '{"service": {"addr4": "10.0.0.1", "port": 80, "proto": 6, "table_size": 251}}'
	S=$(svc 10.0.0.1 80)
	nl_ok backend_new "{\"service\": $S, \"backend\": $(be 10.1.0.1)}"
	a1=$(map $M xlb_services service 0 | jq -r .active)
	g1=$(map $M xlb_ctl ctl 0 | jq -r .gen)
	v1=$(map $M xlb_services service 0 | jq -r .ver)
	nl_ok backend_new "{\"service\": $S, \"backend\": $(be 10.1.0.2)}"
	a2=$(map $M xlb_services service 0 | jq -r .active)
	[ "$a1" != "$a2" ]
	# The service's ver moves on every publish of it (the data path keys
	# its caches on it); xlb_ctl.gen only with the sources or a bind.
	[ "$(map $M xlb_services service 0 | jq -r .ver)" -gt "$v1" ]
	[ "$(map $M xlb_ctl ctl 0 | jq -r .gen)" = "$g1" ]
	run nl_ok backend_get "{\"service\": $S, \"backend\": $(be 10.1.0.2)}"
	id=$(jq -r '.messages[0].backend.id' <<<"$output")
	old_gen=$(jq -r '.messages[0].backend.gen' <<<"$output")
	# A second service: publishes of the first leave its ver alone.
	S2=$(svc 10.0.0.2 80)
	nl_ok service_new '{"service": {"addr4": "10.0.0.2", "port": 80, "proto": 6, "table_size": 251}}'
	nl_ok backend_new "{\"service\": $S2, \"backend\": $(be 10.2.0.1)}"
	w1=$(map $M xlb_services service 1 | jq -r .ver)
	# Drain: weight 0 keeps the entry (state DRAIN), takes no slots.
	nl_ok backend_set "{\"service\": $S, \"backend\": {\"addr4\": \"10.1.0.2\", \"weight\": 0}}"
	run map $M xlb_services service
	v3=$(jq -r '.[0].ver' <<<"$output")
	[ "$v3" -gt "$v1" ]
	[ "$(jq -r '.[1].ver' <<<"$output")" = "$w1" ]
	# Every backend carries the low 16 bits of its own service's ver (a
	# flow cache hit checks it there instead of reading the service).
	run map $M xlb_backends backend
	echo "$output"
	[ "$(jq -r ".[$id].state" <<<"$output")" = 2 ]
	[ "$(jq -c '[.[] | select(.gen != 0) | [.sid, .svc_ver]] | sort' <<<"$output")" = "[[0,$((v3 & 65535))],[0,$((v3 & 65535))],[1,$((w1 & 65535))]]" ]
	nl_ok service_del "{\"service\": $S2}"
	! published_table $M 0 | grep -qx 10.1.0.2 || false
	nl_ok backend_del "{\"service\": $S, \"backend\": $(be 10.1.0.2)}"
	e=$(map $M xlb_backends backend "$id")
	[ "$(jq -r .state <<<"$e")" = 0 ]
	[ "$(jq -r .gen <<<"$e")" = 0 ]
	[ "$(published_table $M 0 | sort -u)" = 10.1.0.1 ]
	# The freed id comes back with a fresh generation stamp.
	nl_ok backend_new "{\"service\": $S, \"backend\": $(be 10.1.0.3)}"
	run nl_ok backend_get "{\"service\": $S, \"backend\": $(be 10.1.0.3)}"
	[ "$(jq -r '.messages[0].backend.id' <<<"$output")" = "$id" ]
	new_gen=$(jq -r '.messages[0].backend.gen' <<<"$output")
	[ "$new_gen" != "$old_gen" ]
	[ "$(map $M xlb_backends backend "$id" | jq -r .gen)" = "$new_gen" ]
	# Service deletion: the VIP goes from the live half, the entry unused.
	nl_ok service_del "{\"service\": $S}"
	[ "$(map $M xlb_services service 0 | jq -r .gen)" = 0 ]
	act=$(map $M xlb_ctl ctl 0 | jq -r .vip_active)
	run map $M xlb_vips vip
	[ "$(jq "[.[] | select(.key >= $((act * 8)) and .key < $((act * 8 + 8)) and .sid_plus1 != 0)] | length" <<<"$output")" = 0 ]
	run map $M xlb_backends backend
	[ "$(jq '[.[] | select(.state != 0 or .gen != 0)] | length' <<<"$output")" = 0 ]
}

@test "bind rejects wrong maps and keeps the old binding" {
	bind
	nl_ok service_new '{"service": {"addr4": "10.0.0.1", "port": 80, "proto": 6, "table_size": 251}}'
	B=/sys/fs/bpf/xlbt-bad
	mk_maps $B 4 16 1021 8
	rm "$B/xlb_ctl"
	bpftool map create "$B/xlb_ctl" type hash key 4 value 48 entries 1 name xlb_ctl
	nl_fail EINVAL 'xlb_ctl: map type 1 is not BPF_MAP_TYPE_ARRAY' --bind-dir $B bind
	mk_maps $B 4 16 1021 8
	rm "$B/xlb_backends"
	bpftool map create "$B/xlb_backends" type array key 4 value 36 entries 16 name xlb_backends
	nl_fail EINVAL 'xlb_backends: value size 36' --bind-dir $B bind
	mk_maps $B 4 16 1021 8
	rm "$B/xlb_tables"
	bpftool map create "$B/xlb_tables" type array key 4 value 4084 entries 6 name xlb_tables
	nl_fail EINVAL 'xlb_tables: 6 entries, need 2 \* xlb_services entries = 8' --bind-dir $B bind
	mk_maps $B 4 16 1021 2
	nl_fail EINVAL 'xlb_vips: 4 entries' --bind-dir $B bind
	mk_maps $B 4 16 250 8
	nl_fail E2BIG 'table size 251 exceeds table_max 250' --bind-dir $B bind
	nl_fail EBADF 'xlb_ctl: fd 0 is not a BPF map' --bind-dir $B bind '{"bind": {"ctl_fd": 0}}'
	nl_fail EINVAL 'missing attribute XLB_BIND_A_TABLES_FD' bind \
		"{\"bind\": {\"ctl_fd\": \"@$M/xlb_ctl\", \"vips_fd\": \"@$M/xlb_vips\", \"services_fd\": \"@$M/xlb_services\", \"backends_fd\": \"@$M/xlb_backends\"}}"
	# Still bound to $M: changes land there.
	nl_ok service_set '{"service": {"id": 0, "table_size": 509}}'
	[ "$(map $M xlb_services service 0 | jq -r .table_size)" = 509 ]
	rm -rf $B
}

@test "rebind publishes into the new maps; unbind leaves the maps as they are" {
	nl_ok service_new '{"service": {"addr4": "10.0.0.1", "port": 80, "proto": 6, "table_size": 251}}'
	nl_ok backend_new "{\"service\": $(svc 10.0.0.1 80), \"backend\": $(be 10.1.0.1)}"
	bind
	N=/sys/fs/bpf/xlbt-new
	mk_maps $N 8 32 509 16
	bind $N
	[ "$(map $N xlb_services service 0 | jq -r .table_size)" = 251 ]
	[ "$(published_table $N 0 | sort -u)" = 10.1.0.1 ]
	run nl_ok config_get
	[ "$(jq -r '.messages[0].config.table_max' <<<"$output")" = 509 ]
	# Changes go to the new maps only.
	nl_ok backend_new "{\"service\": $(svc 10.0.0.1 80), \"backend\": $(be 10.1.0.2)}"
	[ "$(map $N xlb_services service 0 | jq -r .nbackends)" = 2 ]
	[ "$(map $M xlb_services service 0 | jq -r .nbackends)" = 1 ]
	nl_ok unbind
	nl_ok backend_del "{\"service\": $(svc 10.0.0.1 80), \"backend\": $(be 10.1.0.2)}"
	[ "$(map $N xlb_services service 0 | jq -r .nbackends)" = 2 ]
	[ "$(map $N xlb_ctl ctl 0 | jq -r .flags)" = 1 ]
	run nl_ok config_get
	[ "$(jq -r '.messages[0].config.bound' <<<"$output")" = 0 ]
	rm -rf $N
}

@test "bound map capacities limit services and backends" {
	S=/sys/fs/bpf/xlbt-small
	mk_maps $S 2 3 251 4
	bind $S
	run nl_ok config_get
	[ "$(jq -r '.messages[0].config.max_services' <<<"$output")" = 2 ]
	[ "$(jq -r '.messages[0].config.max_backends' <<<"$output")" = 3 ]
	nl_fail E2BIG 'table size 509 exceeds' service_new \
		'{"service": {"addr4": "10.0.0.1", "port": 80, "proto": 6, "table_size": 509}}'
	nl_ok service_new '{"service": {"addr4": "10.0.0.1", "port": 80, "proto": 6, "table_size": 251}}'
	nl_ok service_new '{"service": {"addr4": "10.0.0.2", "port": 80, "proto": 6, "table_size": 251}}'
	nl_fail ENOSPC 'service limit 2 reached' service_new \
		'{"service": {"addr4": "10.0.0.3", "port": 80, "proto": 6, "table_size": 251}}'
	for i in 1 2 3; do
		nl_ok backend_new "{\"service\": $(svc 10.0.0.1 80), \"backend\": $(be 10.1.0.$i)}" >/dev/null
	done
	nl_fail ENOSPC 'already has the maximum of 3 backends' \
		backend_new "{\"service\": $(svc 10.0.0.1 80), \"backend\": $(be 10.1.0.4)}"
	nl_fail ENOSPC 'backend id space of 3 entries is full' \
		backend_new "{\"service\": $(svc 10.0.0.2 80), \"backend\": $(be 10.1.0.4)}"
	# The state no longer fits the small maps: binding them is refused.
	nl_ok unbind
	nl_ok backend_new "{\"service\": $(svc 10.0.0.2 80), \"backend\": $(be 10.1.0.4)}"
	nl_fail ENOSPC '^backend 10.1.0.4: no free id in xlb_backends of 3 entries$' --bind-dir $S bind
	rm -rf $S
}

# --- with the real XDP object ---------------------------------------------

load_xdp() {
	# A private copy: build/ may be rebuilt while the suite runs.
	cp "$XLB_ROOT/build/xlb.bpf.o" "$BATS_FILE_TMPDIR/xlb.bpf.o"
	rm -rf /sys/fs/bpf/xlbt-prog /sys/fs/bpf/xlbt-pm
	bpftool prog loadall "$BATS_FILE_TMPDIR/xlb.bpf.o" /sys/fs/bpf/xlbt-prog \
		pinmaps /sys/fs/bpf/xlbt-pm
}

@test "bind the maps of build/xlb.bpf.o and publish into them" {
	[ -f "$XLB_ROOT/build/xlb.bpf.o" ] || { echo "make bpf first"; false; }
	load_xdp
	nl_ok service_new '{"service": {"addr4": "10.0.0.1", "port": 80, "proto": 6, "table_size": 251}}'
	nl_ok backend_new "{\"service\": $(svc 10.0.0.1 80), \"backend\": $(be 10.1.0.1)}"
	bind /sys/fs/bpf/xlbt-pm
	[ "$(map /sys/fs/bpf/xlbt-pm xlb_ctl ctl 0 | jq -r .flags)" = 1 ]
	[ "$(published_table /sys/fs/bpf/xlbt-pm 0 | sort -u)" = 10.1.0.1 ]
	nl_fail EINVAL 'xlb_ctl: map type' bind \
		'{"bind": {"ctl_fd": "@/sys/fs/bpf/xlbt-pm/xlb_conntrack", "vips_fd": "@/sys/fs/bpf/xlbt-pm/xlb_vips", "services_fd": "@/sys/fs/bpf/xlbt-pm/xlb_services", "tables_fd": "@/sys/fs/bpf/xlbt-pm/xlb_tables", "backends_fd": "@/sys/fs/bpf/xlbt-pm/xlb_backends"}}'
}

@test "rmmod with maps bound and XDP attached: maps keep the last state" {
	[ -f "$XLB_ROOT/build/xlb.bpf.o" ]
	load_xdp
	nl_ok service_new '{"service": {"addr4": "10.0.0.1", "port": 80, "proto": 6, "table_size": 251}}'
	nl_ok backend_new "{\"service\": $(svc 10.0.0.1 80), \"backend\": $(be 10.1.0.1)}"
	bind /sys/fs/bpf/xlbt-pm
	ns=xlbt-x$$
	ip netns add $ns
	ip -n $ns link add v0 type veth peer name v1
	prog=$(ls /sys/fs/bpf/xlbt-prog | head -1)
	in_ns $ns ip link set dev v0 xdpgeneric pinned "/sys/fs/bpf/xlbt-prog/$prog"
	# Pins go: the module's references keep the maps alive until rmmod.
	before=$(published_table /sys/fs/bpf/xlbt-pm 0 | sort -u)
	rmmod xlb
	! xlb_loaded || false
	ip -n $ns link show v0 | grep -q xdp
	[ "$(map /sys/fs/bpf/xlbt-pm xlb_ctl ctl 0 | jq -r .flags)" = 1 ]
	[ "$(published_table /sys/fs/bpf/xlbt-pm 0 | sort -u)" = "$before" ]
	[ "$(map /sys/fs/bpf/xlbt-pm xlb_services service 0 | jq -r .addr)" = 10.0.0.1 ]
	ip netns del $ns
	# The module comes back and rebinds the same (live) maps: empty state.
	insmod "$XLB_KO"
	bind /sys/fs/bpf/xlbt-pm
	[ "$(map /sys/fs/bpf/xlbt-pm xlb_services service 0 | jq -r .gen)" = 0 ]
	run map /sys/fs/bpf/xlbt-pm xlb_backends backend
	[ "$(jq '[.[] | select(.state != 0)] | length' <<<"$output")" = 0 ]
	rm -rf /sys/fs/bpf/xlbt-prog /sys/fs/bpf/xlbt-pm
}
