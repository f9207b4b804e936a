#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# VM suite: the module <-> data path contract (Documentation/design.md).
#   - BIND writes only into maps the caller may write and programs read as
#     maps: read-only fds, frozen maps and BPF_F_RDONLY_PROG maps are refused
#     before anything is written, and bound maps cannot be frozen;
#   - maps belong to the namespace that bound them first;
#   - a module reload (or a rebind) adopts the ids and stamps the maps hold,
#     and stamps after it are above every stamp the maps have seen;
#   - each table copy carries its size, flags and seed, each VIP half its
#     seed, so one flip switches everything a packet reads.
# Maps are created with bpftool (tests/module_lib.bash mk_maps).

load module_lib

M=/sys/fs/bpf/xlbt-contract

setup_file() {
	[ -f "$XLB_KO" ] || { echo "no module at $XLB_KO (make module)" >&2; return 1; }
	xlb_reload
	export OTHER="xlbt-contract-$$"
	ip netns add "$OTHER"
}

teardown_file() {
	ip netns del "$OTHER" 2>/dev/null || true
	xlb_unload || true
	rm -rf /sys/fs/bpf/xlbt-*
}

setup() {
	fresh_maps $M
	S=$(svc 10.0.0.1 80)
}

bind() {
	nl_ok --bind-dir "${1:-$M}" bind
}

# Everything the module may write into the maps under $1, as JSON lines.
maps_dump() {
	local d=${1:-$M}
	map "$d" xlb_ctl ctl 0
	map "$d" xlb_services service | jq -c .
	map "$d" xlb_backends backend | jq -c .
	map "$d" xlb_vips vip | jq -c .
	map "$d" xlb_tables table | jq -c .
}

# The map entry (key, gen, state) of backend ADDR, as one JSON line.
be_entry() {
	map "${2:-$M}" xlb_backends backend |
		jq -c --arg a "$1" '[.[] | select(.addr == $a and .state != 0) | {key, gen, state, sid}]'
}

add_be() {
	nl_ok backend_new "{\"service\": $S, \"backend\": $(be "$1" 1)}" >/dev/null
}

del_be() {
	nl_ok backend_del "{\"service\": $S, \"backend\": $(be "$1")}" >/dev/null
}

new_svc() {
	nl_ok service_new '{"service": {"addr4": "10.0.0.1", "port": 80, "proto": 6, "table_size": 251}}' >/dev/null
}

@test "bind refuses a read-only map fd and writes nothing" {
	new_svc
	add_be 10.1.0.1
	before=$(maps_dump)
	nl_fail EPERM '^xlb_tables: fd [0-9]+ is read-only: BIND needs a map fd opened for writing$' \
		--bind-dir $M bind "{\"bind\": {\"tables_fd\": \"@ro:$M/xlb_tables\"}}"
	nl_fail EPERM '^xlb_ctl: fd [0-9]+ is read-only' \
		--bind-dir $M bind "{\"bind\": {\"ctl_fd\": \"@ro:$M/xlb_ctl\"}}"
	[ "$(maps_dump)" = "$before" ]
	[ "$(nl_ok config_get | jq -r '.messages[0].config.bound')" = 0 ]
}

@test "bind refuses a frozen map and writes nothing" {
	new_svc
	add_be 10.1.0.1
	bpftool map freeze pinned $M/xlb_vips
	before=$(maps_dump)
	nl_fail EPERM '^xlb_vips: map is frozen \(BPF_MAP_FREEZE\): it must not change$' \
		--bind-dir $M bind
	[ "$(maps_dump)" = "$before" ]
	[ "$(nl_ok config_get | jq -r '.messages[0].config.bound')" = 0 ]
}

@test "bind refuses a BPF_F_RDONLY_PROG map and writes nothing" {
	new_svc
	add_be 10.1.0.1
	rm -f $M/xlb_backends
	# BPF_F_RDONLY_PROG = 1 << 7
	bpftool map create $M/xlb_backends type array key 4 value 32 entries 16 \
		name xlb_backends flags 0x80
	before=$(maps_dump)
	nl_fail EPERM '^xlb_backends: BPF_F_RDONLY_PROG map: programs may treat values as constants$' \
		--bind-dir $M bind
	[ "$(maps_dump)" = "$before" ]
}

@test "bound maps cannot be frozen; unbound they can" {
	bind
	run bpftool map freeze pinned $M/xlb_services
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Device or resource busy"* ]]
	nl_ok unbind
	bpftool map freeze pinned $M/xlb_services
}

@test "maps bound by one namespace are refused to another, even after unbind" {
	new_svc
	add_be 10.1.0.1
	bind
	owner=$(map $M xlb_ctl ctl 0 | jq -r .owner)
	[ "$owner" != 0 ]
	before=$(maps_dump)
	run nsenter --net="/run/netns/$OTHER" "${XLBNL[@]}" --bind-dir $M bind
	echo "$output"
	[ "$(jq -r .error <<<"$output")" = EBUSY ]
	[[ "$(jq -r .msg <<<"$output")" == "xlb_ctl: maps of netns cookie $owner, not this one ("*"): attach its own" ]]
	nl_ok unbind
	run nsenter --net="/run/netns/$OTHER" "${XLBNL[@]}" --bind-dir $M bind
	[ "$(jq -r .error <<<"$output")" = EBUSY ]
	[ "$(maps_dump)" = "$before" ]
	# The other namespace binds maps of its own.
	mk_maps $M-other 4 16 1021 8
	nsenter --net="/run/netns/$OTHER" "${XLBNL[@]}" --bind-dir $M-other bind
	[ "$(map $M-other xlb_ctl ctl 0 | jq -r .owner)" != "$owner" ]
	nsenter --net="/run/netns/$OTHER" "${XLBNL[@]}" unbind
}

@test "module reload after add A, add B, del A, add C: B and C keep their entries" {
	new_svc
	bind
	add_be 10.1.0.1		# A
	gen_a=$(be_entry 10.1.0.1 | jq -r '.[0].gen')
	add_be 10.1.0.2		# B
	del_be 10.1.0.1
	add_be 10.1.0.3		# C
	b=$(be_entry 10.1.0.2)
	c=$(be_entry 10.1.0.3)
	echo "before: A gen $gen_a, B $b, C $c"
	[ "$(jq length <<<"$b")" = 1 ]
	[ "$(jq length <<<"$c")" = 1 ]
	# What lbctl save / rmmod / insmod / lbctl restore / attach does.
	xlb_reload
	new_svc
	add_be 10.1.0.2
	add_be 10.1.0.3
	bind
	echo "after: B $(be_entry 10.1.0.2), C $(be_entry 10.1.0.3)"
	[ "$(be_entry 10.1.0.2)" = "$b" ]
	[ "$(be_entry 10.1.0.3)" = "$c" ]
	# The module reports the ids and stamps the maps hold.
	run nl_ok backend_get "{\"service\": $S, \"backend\": $(be 10.1.0.2)}"
	[ "$(jq -r '.messages[0].backend.id' <<<"$output")" = "$(jq -r '.[0].key' <<<"$b")" ]
	[ "$(jq -r '.messages[0].backend.gen' <<<"$output")" = "$(jq -r '.[0].gen' <<<"$b")" ]
	# A new backend's stamp is above every stamp seen, A's included.
	add_be 10.1.0.4
	gen_d=$(be_entry 10.1.0.4 | jq -r '.[0].gen')
	max=$(jq -s 'map(.[0].gen) | max' <<<"$b $c")
	echo "D gen $gen_d, A gen $gen_a, max live $max"
	[ "$gen_d" -gt "$gen_a" ]
	[ "$gen_d" -gt "$max" ]
	[ "$(map $M xlb_ctl ctl 0 | jq -r .stamp)" -ge "$gen_d" ]
}

@test "a reload that restores fewer backends retires the others, stamps stay above" {
	new_svc
	bind
	add_be 10.1.0.1
	add_be 10.1.0.2
	gen_b=$(be_entry 10.1.0.2 | jq -r '.[0].gen')
	xlb_reload
	new_svc
	add_be 10.1.0.1
	add_be 10.1.0.5
	bind
	[ "$(be_entry 10.1.0.2)" = '[]' ]
	gen_e=$(be_entry 10.1.0.5 | jq -r '.[0].gen')
	[ "$gen_e" -gt "$gen_b" ]
}

@test "a rebind of maps in use rewrites no live entry" {
	new_svc
	add_be 10.1.0.1
	add_be 10.1.0.2
	bind
	svc_before=$(map $M xlb_services service 0 | jq -c '{gen, key: .addr}')
	# The backends whole, but for svc_ver: the copy of the service's ver,
	# which every publish moves (the caches' invalidation).
	bes_before=$(map $M xlb_backends backend | jq -c '[.[] | select(.state != 0) | del(.svc_ver)]')
	g=$(map $M xlb_ctl ctl 0 | jq -r .gen)
	bind
	[ "$(map $M xlb_ctl ctl 0 | jq -r .gen)" -gt "$g" ]
	[ "$(map $M xlb_services service 0 | jq -c '{gen, key: .addr}')" = "$svc_before" ]
	[ "$(map $M xlb_backends backend | jq -c '[.[] | select(.state != 0) | del(.svc_ver)]')" = "$bes_before" ]
}

@test "each table copy keeps its own size and seed, each VIP half its seed" {
	new_svc
	add_be 10.1.0.1
	add_be 10.1.0.2
	bind
	nl_ok service_set '{"service": {"id": 0, "table_size": 509}}' >/dev/null
	s=$(map $M xlb_services service 0)
	echo "$s"
	act=$(jq -r .active <<<"$s")
	[ "$(jq -r ".cfg[$act].table_size" <<<"$s")" = 509 ]
	[ "$(jq -r ".cfg[1 - $act].table_size" <<<"$s")" = 251 ]
	nl_ok config_set '{"config": {"seed": 99}}' >/dev/null
	s=$(map $M xlb_services service 0)
	ctl=$(map $M xlb_ctl ctl 0)
	echo "$s $ctl"
	act=$(jq -r .active <<<"$s")
	va=$(jq -r .vip_active <<<"$ctl")
	# The live copy and half were built with 99, the others with the old seed.
	[ "$(jq -r ".cfg[$act].seed" <<<"$s")" = 99 ]
	[ "$(jq -r ".cfg[1 - $act].seed" <<<"$s")" = $((DEFAULT_SEED)) ]
	[ "$(jq -r ".seeds[$va]" <<<"$ctl")" = 99 ]
	[ "$(jq -r ".seeds[1 - $va]" <<<"$ctl")" = $((DEFAULT_SEED)) ]
	# And the live copy is the Maglev table of seed 99, size 509.
	table_is --m 509 --seed 99 10.1.0.1:1 10.1.0.2:1
}
