# SPDX-License-Identifier: GPL-2.0
# Helpers for the module_*.bats suites (VM): talk to xlb.ko through the raw
# netlink client tests/tools/xlbnl.py, independent of lbctl.

load vm/helpers

XLBNL=("${XLB_PY[@]}" -m xlbnl)
DEFAULT_SEED=0x9e3779b9

# maglev_ref ARGS...: the expected Maglev table, digest, slot counts or flow
# lookups, from tests/tools/maglev_ref.py: written from the paper and
# Documentation/maglev.md, independent of the lib/maglev.c in xlb.ko.
maglev_ref() {
	"${XLB_PY[@]}" -m maglev_ref "$@"
}

# nl ARGS...: the client's JSON on stdout, its exit status (0 ok, 1 errno).
nl() {
	"${XLBNL[@]}" "$@"
}

# nl_ok ARGS...: succeed only if the kernel acked without error.
nl_ok() {
	local out
	out=$("${XLBNL[@]}" "$@") || { echo "expected success: $out" >&2; return 1; }
	echo "$out"
}

# nl_fail ERRNAME MSG_REGEX ARGS...: the command fails with ERRNAME and an
# extack message matching MSG_REGEX.
nl_fail() {
	"${XLBNL[@]}" --expect "$@"
}

# svc ADDR PORT [PROTO]: a service key nest as JSON.
svc() {
	local fam=addr4
	[[ $1 == *:* ]] && fam=addr6
	printf '{"%s": "%s", "port": %s, "proto": %s}' "$fam" "$1" "$2" "${3:-6}"
}

# be ADDR [WEIGHT]: a backend nest as JSON.
be() {
	local fam=addr4
	[[ $1 == *:* ]] && fam=addr6
	if [ -n "${2:-}" ]; then
		printf '{"%s": "%s", "weight": %s}' "$fam" "$1" "$2"
	else
		printf '{"%s": "%s"}' "$fam" "$1"
	fi
}

# The whole configuration as canonical JSON (services and their backends),
# to compare before/after.
config_snapshot() {
	local s ids
	ids=$(nl_ok --dump service_get | jq -c '[.messages[].service.id]') || return 1
	nl_ok --dump service_get | jq -S -c '[.messages[].service]'
	for s in $(jq -r '.[]' <<<"$ids"); do
		nl_ok --dump backend_get "{\"service\": {\"id\": $s}}" |
			jq -S -c '[.messages[].backend]'
	done
}

generation() {
	nl_ok config_get | jq -r '.messages[0].generation'
}

# Fresh module with the given parameters.
xlb_reload() {
	xlb_unload
	insmod "$XLB_KO" "$@"
}

# mk_maps DIR SERVICES BACKENDS TABLE_MAX VIP_SLOTS: the five ARRAY maps
# the module writes, pinned under DIR with their xlb_maps.h names/sizes.
mk_maps() {
	local d=$1 ns=$2 nb=$3 tmax=$4 vs=$5
	rm -rf "$d"
	mkdir -p "$d"
	bpftool map create "$d/xlb_ctl" type array key 4 value 64 entries 1 name xlb_ctl
	bpftool map create "$d/xlb_vips" type array key 4 value 24 entries $((2 * vs)) name xlb_vips
	bpftool map create "$d/xlb_services" type array key 4 value 80 entries "$ns" name xlb_services
	bpftool map create "$d/xlb_tables" type array key 4 value $((4 * tmax)) entries $((2 * ns)) name xlb_tables
	bpftool map create "$d/xlb_backends" type array key 4 value 32 entries "$nb" name xlb_backends
}

# fresh_maps DIR: unbound, empty, default seed; new small maps under DIR
# (4 services, 16 backends, table_max 1021, 8 VIP slots).
fresh_maps() {
	nl_ok unbind >/dev/null
	nl_ok flush >/dev/null
	nl_ok config_set "{\"config\": {\"seed\": $((DEFAULT_SEED))}}" >/dev/null
	mk_maps "$1" 4 16 1021 8
}

# map DIR NAME KIND [KEY]: decoded contents of a pinned map.
map() {
	nl map "$1/$2" "$3" ${4:+"$4"}
}

# The published table of service SID (its active copy), as one backend
# address per slot ("-" = empty), table_size lines.
published_table() {
	local d=$1 sid=$2 ent act m bes
	ent=$(map "$d" xlb_services service "$sid")
	act=$(jq -r .active <<<"$ent")
	m=$(jq -r .table_size <<<"$ent")
	bes=$(map "$d" xlb_backends backend |
		jq -c '[.[] | select(.state != 0) | {key: (.key|tostring), value: .addr}] | from_entries')
	map "$d" xlb_tables table $((2 * sid + act)) |
		jq -r --argjson b "$bes" --argjson m "$m" \
			'.[0:$m][] | if . == 4294967295 then "-" else ($b[tostring] // "?") end'
}

# table_is ARGS...: service 0's table published under $M (the suite's map
# directory) equals maglev_ref ARGS.
table_is() {
	local want
	want=$(maglev_ref "$@") || return 1
	diff <(published_table "$M" 0) - <<<"$want"
}
