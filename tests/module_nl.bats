#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# VM suite: the xlb generic netlink API without bound maps - every command's
# happy path and its rejections, strict policies, extack messages,
# permissions, namespaces, notifications, dumps.  Client: tests/tools/xlbnl.py.

load module_lib

setup_file() {
	[ -f "$XLB_KO" ] || { echo "no module at $XLB_KO (make module)" >&2; return 1; }
	xlb_reload
}

teardown_file() {
	xlb_unload || true
}

setup() {
	nl_ok flush >/dev/null
}

@test "service new/get/set/del round trip" {
	nl_ok service_new "{\"service\": $(svc 10.0.0.1 80)}"
	run nl_ok service_get "{\"service\": $(svc 10.0.0.1 80)}"
	[ "$status" -eq 0 ]
	s=$(jq -c '.messages[0].service' <<<"$output")
	[ "$(jq -r .table_size <<<"$s")" = 65537 ]
	[ "$(jq -r .flags <<<"$s")" = 0 ]
	[ "$(jq -r .nbackends <<<"$s")" = 0 ]
	id=$(jq -r .id <<<"$s")
	nl_ok service_set "{\"service\": {\"id\": $id, \"table_size\": 251, \"flags\": 1}}"
	run nl_ok service_get "{\"service\": {\"id\": $id}}"
	[ "$(jq -r '.messages[0].service.table_size' <<<"$output")" = 251 ]
	[ "$(jq -r '.messages[0].service.flags' <<<"$output")" = 1 ]
	[ "$(jq -r '.messages[0].service.addr4' <<<"$output")" = 10.0.0.1 ]
	nl_ok service_del "{\"service\": $(svc 10.0.0.1 80)}"
	nl_fail ENOENT 'service 10.0.0.1:80/tcp does not exist' \
		service_get "{\"service\": $(svc 10.0.0.1 80)}"
}

@test "udp_timeout: default, range, UDP only, set, map" {
	nl_ok service_new "{\"service\": $(svc 10.0.0.1 53 17)}"
	run nl_ok service_get "{\"service\": $(svc 10.0.0.1 53 17)}"
	[ "$(jq -r '.messages[0].service.udp_timeout' <<<"$output")" = 30 ]
	nl_fail ERANGE '.' service_set \
		'{"service": {"addr4": "10.0.0.1", "port": 53, "proto": 17, "udp_timeout": 0}}'
	nl_fail ERANGE '.' service_new \
		'{"service": {"addr4": "10.0.0.2", "port": 53, "proto": 17, "udp_timeout": 86401}}'
	nl_fail EINVAL 'udp-timeout applies to UDP services only' service_new \
		'{"service": {"addr4": "10.0.0.2", "port": 80, "proto": 6, "udp_timeout": 5}}'
	nl_ok service_set \
		'{"service": {"addr4": "10.0.0.1", "port": 53, "proto": 17, "udp_timeout": 86400}}'
	run nl_ok service_get "{\"service\": $(svc 10.0.0.1 53 17)}"
	[ "$(jq -r '.messages[0].service.udp_timeout' <<<"$output")" = 86400 ]
	nl_ok service_new "{\"service\": $(svc 10.0.0.2 80)}"
	run nl_ok service_get "{\"service\": $(svc 10.0.0.2 80)}"
	[ "$(jq -r '.messages[0].service.udp_timeout // "none"' <<<"$output")" = none ]
}

@test "IPv6 and UDP services are distinct keys" {
	nl_ok service_new "{\"service\": $(svc 2001:db8::1 53 17)}"
	nl_ok service_new "{\"service\": $(svc 2001:db8::1 53 6)}"
	nl_ok service_new "{\"service\": $(svc 10.0.0.1 53 17)}"
	run nl_ok --dump service_get
	[ "$(jq '.messages | length' <<<"$output")" = 3 ]
	[ "$(jq -r '[.messages[].service.addr6 // empty] | sort | unique[]' <<<"$output")" = 2001:db8::1 ]
}

@test "backend new/get/set/del round trip with slots" {
	nl_ok service_new "{\"service\": {\"addr4\": \"10.0.0.1\", \"port\": 80, \"proto\": 6, \"table_size\": 251}}"
	S=$(svc 10.0.0.1 80)
	nl_ok backend_new "{\"service\": $S, \"backend\": $(be 10.1.0.1 3)}"
	nl_ok backend_new "{\"service\": $S, \"backend\": $(be fd00::2)}"
	run nl_ok backend_get "{\"service\": $S, \"backend\": $(be 10.1.0.1)}"
	b=$(jq -c '.messages[0].backend' <<<"$output")
	[ "$(jq -r .weight <<<"$b")" = 3 ]
	[ "$(jq -r .state <<<"$b")" = 0 ]
	[ "$(jq -r .gen <<<"$b")" != 0 ]
	# Sainte-Lague apportionment of 251 slots by weights 3:1.
	[ "$(jq -r .slots <<<"$b")" = 188 ]
	nl_ok backend_set "{\"service\": $S, \"backend\": {\"addr6\": \"fd00::2\", \"weight\": 0}}"
	run nl_ok backend_get "{\"service\": $S, \"backend\": $(be 10.1.0.1)}"
	[ "$(jq -r '.messages[0].backend.slots' <<<"$output")" = 251 ]
	run nl_ok backend_get "{\"service\": $S, \"backend\": $(be fd00::2)}"
	[ "$(jq -r '.messages[0].backend.slots' <<<"$output")" = 0 ]
	[ "$(jq -r '.messages[0].backend.weight' <<<"$output")" = 0 ]
	nl_ok backend_set "{\"service\": $S, \"backend\": {\"addr4\": \"10.1.0.1\", \"state\": 1}}"
	nl_fail ENOENT 'has no backend with weight > 0' lookup \
		'{"flow": {"src4": "1.2.3.4", "dst4": "10.0.0.1", "sport": 1, "dport": 80, "proto": 6}}'
	nl_ok backend_del "{\"service\": $S, \"backend\": $(be 10.1.0.1)}"
	nl_fail ENOENT 'backend 10.1.0.1 does not exist in service 10.0.0.1:80/tcp' \
		backend_get "{\"service\": $S, \"backend\": $(be 10.1.0.1)}"
	run nl_ok service_get "{\"service\": $S}"
	[ "$(jq -r '.messages[0].service.nbackends' <<<"$output")" = 1 ]
}

@test "digest and slot counts equal the reference maglev_ref.py" {
	nl_ok service_new '{"service": {"addr4": "10.0.0.1", "port": 80, "proto": 6, "table_size": 4093}}'
	S=$(svc 10.0.0.1 80)
	for i in 1 2 3 4 5; do
		nl_ok backend_new "{\"service\": $S, \"backend\": $(be 10.1.0.$i $i)}" >/dev/null
	done
	nl_ok backend_new "{\"service\": $S, \"backend\": $(be 2001:db8::9 7)}" >/dev/null
	run nl_ok service_get "{\"service\": $S}"
	got=$(jq -r '.messages[0].service.digest' <<<"$output")
	want=$(maglev_ref --m 4093 --seed $DEFAULT_SEED --digest \
		10.1.0.1:1 10.1.0.2:2 10.1.0.3:3 10.1.0.4:4 10.1.0.5:5 '[2001:db8::9]:7')
	echo "kernel $got maglev_ref.py $want"
	[ "$got" = "$want" ]
	run nl_ok --dump backend_get "{\"service\": $S}"
	got=$(jq -r '.messages[].backend | "\(.addr4 // .addr6) \(.slots)"' <<<"$output" | sort)
	want=$(maglev_ref --m 4093 --seed $DEFAULT_SEED --counts \
		10.1.0.1:1 10.1.0.2:2 10.1.0.3:3 10.1.0.4:4 10.1.0.5:5 '[2001:db8::9]:7' | sort)
	echo "kernel: $got"
	echo "maglev_ref.py: $want"
	[ "$got" = "$want" ]
}

@test "lookup: hash, slot and backend as the reference computes them" {
	nl_ok service_new '{"service": {"addr4": "10.0.0.1", "port": 80, "proto": 6, "table_size": 251}}'
	S=$(svc 10.0.0.1 80)
	for i in 1 2 3; do
		nl_ok backend_new "{\"service\": $S, \"backend\": $(be 10.1.0.$i)}" >/dev/null
	done
	flows=()
	for sport in 1000 2000 3000 4000; do
		flows+=(--flow "6,192.0.2.7,$sport,10.0.0.1,80")
	done
	mapfile -t want < <(maglev_ref --m 251 --seed $DEFAULT_SEED "${flows[@]}" \
		10.1.0.1 10.1.0.2 10.1.0.3)
	[ "${#want[@]}" = 4 ]
	i=0
	for sport in 1000 2000 3000 4000; do
		run nl_ok lookup "{\"flow\": {\"src4\": \"192.0.2.7\", \"dst4\": \"10.0.0.1\", \"sport\": $sport, \"dport\": 80, \"proto\": 6}}"
		got=$(jq -r '.messages[0] | "\(.flow.hash) \(.flow.slot) \(.backend.addr4)"' <<<"$output")
		echo "kernel: $got maglev_ref.py: ${want[$i]}"
		[ "$(jq -r '.messages[0].service.addr4' <<<"$output")" = 10.0.0.1 ]
		[ "$got" = "${want[$i]}" ]
		i=$((i + 1))
	done
	nl_fail ENOENT 'no service 10.0.0.1:81/tcp' lookup \
		'{"flow": {"src4": "1.2.3.4", "dst4": "10.0.0.1", "sport": 1, "dport": 81, "proto": 6}}'
	nl_fail EINVAL 'families differ' lookup \
		'{"flow": {"src6": "::1", "dst4": "10.0.0.1", "sport": 1, "dport": 80, "proto": 6}}'
}

@test "rejections: address family, ranges, missing attributes, table size, flags" {
	nl_fail EINVAL 'not both' service_new \
		'{"service": {"addr4": "10.0.0.1", "addr6": "::1", "port": 80, "proto": 6}}'
	nl_fail EINVAL 'missing address' service_new '{"service": {"port": 80, "proto": 6}}'
	out=$(nl_fail EINVAL 'missing attribute XLB_SVC_A_PORT' service_new \
		'{"service": {"addr4": "10.0.0.1", "proto": 6}}')
	[ "$(jq -r .miss_type <<<"$out")" = 4 ]
	nl_fail EINVAL 'missing attribute XLB_A_SERVICE' service_new '{}'
	nl_fail EINVAL 'protocol 1 is not tcp' service_new \
		'{"service": {"addr4": "10.0.0.1", "port": 80, "proto": 1}}'
	nl_fail ERANGE '.' service_new '{"service": {"addr4": "10.0.0.1", "port": 0, "proto": 6}}'
	nl_fail EINVAL 'table size 1000 is not a prime from the supported list' service_new \
		'{"service": {"addr4": "10.0.0.1", "port": 80, "proto": 6, "table_size": 1000}}'
	nl_fail EOPNOTSUPP 'unknown service flags 0x4' service_new \
		'{"service": {"addr4": "10.0.0.1", "port": 80, "proto": 6, "flags": 5}}'
	# Wrong length for an IPv4 address: the policy rejects it.
	nl_fail ERANGE 'binary attribute size out of range' service_new \
		'{"service": {"addr4": {"hex": "0a000001ff"}, "port": 80, "proto": 6}}'
	# Reply-only and unknown attributes are refused (strict validation).
	nl_fail EINVAL '.' service_new \
		'{"service": {"addr4": "10.0.0.1", "port": 80, "proto": 6, "digest": 5}}'
	nl_fail EINVAL '.' service_new \
		'{"service": {"addr4": "10.0.0.1", "port": 80, "proto": 6, "40": {"u32": 1}}}'
	nl_fail EINVAL '.' service_new \
		"{\"service\": $(svc 10.0.0.1 80), \"generation\": 1}"
	nl_ok service_new "{\"service\": $(svc 10.0.0.1 80)}"
	S=$(svc 10.0.0.1 80)
	nl_fail ERANGE '.' backend_new "{\"service\": $S, \"backend\": $(be 10.1.0.1 65536)}"
	nl_fail ERANGE '.' backend_new \
		"{\"service\": $S, \"backend\": {\"addr4\": \"10.1.0.1\", \"state\": 2}}"
	nl_fail EINVAL 'missing attribute XLB_A_BACKEND' backend_new "{\"service\": $S}"
	nl_fail EINVAL 'backend: missing address' backend_new "{\"service\": $S, \"backend\": {\"weight\": 1}}"
	nl_ok backend_new "{\"service\": $S, \"backend\": $(be 10.1.0.1 65535)}"
	nl_fail EEXIST 'backend 10.1.0.1 already exists in service 10.0.0.1:80/tcp' \
		backend_new "{\"service\": $S, \"backend\": $(be 10.1.0.1)}"
	nl_fail EEXIST 'service 10.0.0.1:80/tcp already exists' service_new "{\"service\": $S}"
	nl_fail ENOENT 'service 10.9.9.9:80/tcp does not exist' \
		backend_new "{\"service\": $(svc 10.9.9.9 80), \"backend\": $(be 10.1.0.2)}"
	nl_fail ENOENT 'service id 77 does not exist' service_del '{"service": {"id": 77}}'
	nl_fail EINVAL 'is not service' service_del "{\"service\": {\"id\": 0, \"addr4\": \"10.0.0.2\", \"port\": 80, \"proto\": 6}}"
	# A non-zero reserved header field or an unknown command is refused too.
	run nl 99
	[ "$status" -eq 1 ]
	[ "$(jq -r .error <<<"$output")" = EOPNOTSUPP ]
}

# nl_unused ARGS...: EINVAL, "not used by this command" (or a more precise
# reject message), pointing at the attribute.
nl_unused() {
	local re=$1 out
	shift
	out=$(nl_fail EINVAL "$re" "$@") || return 1
	[ "$(jq -r .offset <<<"$out")" != null ] ||
		{ echo "no offset of the bad attribute: $out" >&2; return 1; }
}

@test "every command refuses attributes it does not use, changing nothing" {
	S=$(svc 10.0.0.1 80)
	nl_ok service_new "{\"service\": {\"addr4\": \"10.0.0.1\", \"port\": 80, \"proto\": 6, \"table_size\": 251}}"
	nl_ok backend_new "{\"service\": $S, \"backend\": $(be 10.1.0.1)}"
	before=$(config_snapshot)
	g=$(generation)
	U='not used by this command'
	# nlfuzz's find: BACKEND_DEL with another command's nest (and
	# trailing bytes in it) was accepted.
	nl_unused "$U" backend_del "{\"service\": $S, \"backend\": $(be 10.1.0.1), \"services\": [$(svc 10.0.0.9 80), {\"raw\": \"ffff\"}]}"
	nl_unused "$U" backend_del "{\"service\": $S, \"backend\": $(be 10.1.0.1 5)}"
	nl_unused "$U" backend_get "{\"service\": $S, \"backend\": {\"addr4\": \"10.1.0.1\", \"state\": 1}}"
	nl_unused "$U" backend_set "{\"service\": {\"addr4\": \"10.0.0.1\", \"port\": 80, \"proto\": 6, \"table_size\": 509}, \"backend\": $(be 10.1.0.1 5)}"
	nl_unused "$U" service_del "{\"service\": {\"addr4\": \"10.0.0.1\", \"port\": 80, \"proto\": 6, \"flags\": 1}}"
	nl_unused "$U" service_get "{\"service\": $S, \"backend\": $(be 10.1.0.1)}"
	nl_unused "$U" service_set "{\"service\": {\"id\": 0, \"table_size\": 509}, \"config\": {\"seed\": 5}}"
	nl_unused "$U" flush "{\"service\": $S}"
	nl_unused "$U" unbind "{\"config\": {\"seed\": 5}}"
	nl_unused "$U" config_set "{\"config\": {\"seed\": 5}, \"services\": []}"
	nl_unused "$U" config_get "{\"flow\": {\"sport\": 1}}"
	nl_unused "$U" lookup "{\"flow\": {\"src4\": \"1.2.3.4\", \"dst4\": \"10.0.0.1\", \"sport\": 1, \"dport\": 80, \"proto\": 6}, \"service\": $S}"
	nl_unused "$U" replace "{\"services\": [], \"backend\": $(be 10.1.0.1)}"
	nl_unused 'XLB_SVC_A_ID is assigned by the module' service_new \
		'{"service": {"id": 3, "addr4": "10.0.0.2", "port": 80, "proto": 6}}'
	nl_unused 'XLB_SVC_A_ID is assigned by the module' replace \
		'{"services": [{"id": 3, "addr4": "10.0.0.2", "port": 80, "proto": 6}]}'
	nl_unused 'XLB_SVC_A_BACKENDS belongs to XLB_CMD_REPLACE' service_set \
		"{\"service\": {\"id\": 0, \"backends\": [$(be 10.1.0.2)]}}"
	nl_unused 'only appears in replies' backend_new \
		"{\"service\": $S, \"backend\": {\"addr4\": \"10.1.0.2\", \"slots\": 3}}"
	nl_unused 'not used by this dump' --dump service_get "{\"service\": $S}"
	nl_unused 'not used by this dump' --dump backend_get "{\"service\": $S, \"backend\": $(be 10.1.0.1)}"
	[ "$(config_snapshot)" = "$before" ]
	[ "$(generation)" = "$g" ]
}

@test "concurrent failing requests each get their own extack message" {
	NLFUZZ=$XLB_ROOT/build/nlfuzz
	[ -x "$NLFUZZ" ] || { echo "no $NLFUZZ (make fuzz-tools)"; false; }
	# 16 processes, each 300 LOOKUPs of services nobody else names; the
	# message must name the request's own service every time.
	run "$NLFUZZ" -E 16 -n 300
	echo "$output" | head -40
	[ "$status" -eq 0 ]
	[[ "$output" == *"extack race: 16 processes x 300 requests: PASS"* ]]
	# Unprivileged callers read too: the same with a non-root sender.
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$NLFUZZ" -E 4 -n 100
	[ "$status" -eq 0 ]
}

@test "rejected commands leave the configuration and generation unchanged" {
	nl_ok service_new '{"service": {"addr4": "10.0.0.1", "port": 80, "proto": 6, "table_size": 251}}'
	nl_ok backend_new "{\"service\": $(svc 10.0.0.1 80), \"backend\": $(be 10.1.0.1)}"
	before=$(config_snapshot)
	g=$(generation)
	nl_fail EINVAL . service_set '{"service": {"id": 0, "table_size": 252}}'
	nl_fail EEXIST . backend_new "{\"service\": $(svc 10.0.0.1 80), \"backend\": $(be 10.1.0.1)}"
	list=$(jq -nc '[range(252) | {addr4: "10.3.\(. / 200 | floor).\(. % 200 + 1)"}]')
	nl_fail E2BIG 'more weighted backends than its table size' replace \
		"{\"services\": [{\"addr4\": \"10.0.0.1\", \"port\": 80, \"proto\": 6, \"table_size\": 251, \"backends\": $list}]}"
	[ "$(config_snapshot)" = "$before" ]
	[ "$(generation)" = "$g" ]
}

@test "replace applies a whole configuration and keeps ids of kept objects" {
	nl_ok service_new '{"service": {"addr4": "10.0.0.1", "port": 80, "proto": 6, "table_size": 251}}'
	nl_ok backend_new "{\"service\": $(svc 10.0.0.1 80), \"backend\": $(be 10.1.0.1)}"
	run nl_ok backend_get "{\"service\": $(svc 10.0.0.1 80), \"backend\": $(be 10.1.0.1)}"
	gen1=$(jq -r '.messages[0].backend.gen' <<<"$output")
	nl_ok replace '{"config": {"seed": 7}, "services": [
		{"addr4": "10.0.0.1", "port": 80, "proto": 6, "table_size": 509,
		 "backends": [{"addr4": "10.1.0.1", "weight": 2}, {"addr4": "10.1.0.2"}]},
		{"addr6": "2001:db8::80", "port": 443, "proto": 6, "flags": 1,
		 "backends": [{"addr6": "fd00::1"}]}]}'
	run nl_ok --dump service_get
	[ "$(jq '.messages | length' <<<"$output")" = 2 ]
	[ "$(jq -r '.messages[] | select(.service.addr4) | .service.table_size' <<<"$output")" = 509 ]
	run nl_ok backend_get "{\"service\": $(svc 10.0.0.1 80), \"backend\": $(be 10.1.0.1)}"
	[ "$(jq -r '.messages[0].backend.gen' <<<"$output")" = "$gen1" ]
	[ "$(jq -r '.messages[0].backend.weight' <<<"$output")" = 2 ]
	run nl_ok config_get
	[ "$(jq -r '.messages[0].config.seed' <<<"$output")" = 7 ]
	run nl_ok service_get "{\"service\": $(svc 10.0.0.1 80)}"
	got=$(jq -r '.messages[0].service.digest' <<<"$output")
	[ "$got" = "$(maglev_ref --m 509 --seed 7 --digest 10.1.0.1:2 10.1.0.2)" ]
	# Replace with nothing empties the namespace.
	nl_ok replace '{"services": []}'
	run nl_ok --dump service_get
	[ "$(jq '.messages | length' <<<"$output")" = 0 ]
}

@test "replace with a bad entry in the middle changes nothing" {
	nl_ok replace '{"services": [{"addr4": "10.0.0.1", "port": 80, "proto": 6, "table_size": 251,
		"backends": [{"addr4": "10.1.0.1"}]}]}'
	before=$(config_snapshot)
	g=$(generation)
	nl_fail EEXIST 'backend 10.2.0.1 appears twice in service 10.0.0.2:80/tcp' replace '{"services": [
		{"addr4": "10.0.0.5", "port": 80, "proto": 6, "table_size": 251, "backends": [{"addr4": "10.1.0.9"}]},
		{"addr4": "10.0.0.2", "port": 80, "proto": 6, "table_size": 251,
		 "backends": [{"addr4": "10.2.0.1"}, {"addr4": "10.2.0.1"}]},
		{"addr4": "10.0.0.3", "port": 80, "proto": 6, "table_size": 251}]}'
	nl_fail EINVAL 'table size 250 is not a prime' replace '{"services": [
		{"addr4": "10.0.0.5", "port": 80, "proto": 6, "table_size": 251},
		{"addr4": "10.0.0.6", "port": 80, "proto": 6, "table_size": 250},
		{"addr4": "10.0.0.7", "port": 80, "proto": 6, "table_size": 251}]}'
	nl_fail EEXIST 'service 10.0.0.5:80/tcp appears twice' replace '{"services": [
		{"addr4": "10.0.0.5", "port": 80, "proto": 6, "table_size": 251},
		{"addr4": "10.0.0.5", "port": 80, "proto": 6, "table_size": 251}]}'
	nl_fail ERANGE . replace '{"services": [
		{"addr4": "10.0.0.5", "port": 80, "proto": 6, "table_size": 251,
		 "backends": [{"addr4": "10.1.0.9", "weight": 70000}]}]}'
	# Bytes after the last whole entry of a nested list: the request is
	# not fully described, so nothing of it may apply.
	nl_fail EINVAL 'XLB_A_SERVICES: 2 trailing bytes after the last entry' replace '{"services": [
		{"addr4": "10.0.0.5", "port": 80, "proto": 6, "table_size": 251},
		{"raw": "0000"}]}'
	nl_fail EINVAL 'XLB_SVC_A_BACKENDS: 2 trailing bytes after the last entry' replace '{"services": [
		{"addr4": "10.0.0.5", "port": 80, "proto": 6, "table_size": 251,
		 "backends": [{"addr4": "10.1.0.9"}, {"raw": "0000"}]}]}'
	[ "$(config_snapshot)" = "$before" ]
	[ "$(generation)" = "$g" ]
}

@test "config set/get: seed rebuilds tables, sources are kept" {
	nl_ok service_new '{"service": {"addr4": "10.0.0.1", "port": 80, "proto": 6, "table_size": 251}}'
	nl_ok backend_new "{\"service\": $(svc 10.0.0.1 80), \"backend\": $(be 10.1.0.1)}"
	nl_ok backend_new "{\"service\": $(svc 10.0.0.1 80), \"backend\": $(be 10.1.0.2)}"
	nl_ok config_set '{"config": {"seed": 12345, "src4": "192.0.2.1", "src6": "2001:db8::1"}}'
	run nl_ok config_get
	c=$(jq -c '.messages[0].config' <<<"$output")
	[ "$(jq -r .seed <<<"$c")" = 12345 ]
	[ "$(jq -r .src4 <<<"$c")" = 192.0.2.1 ]
	[ "$(jq -r .src6 <<<"$c")" = 2001:db8::1 ]
	[ "$(jq -r .bound <<<"$c")" = 0 ]
	run nl_ok service_get "{\"service\": $(svc 10.0.0.1 80)}"
	got=$(jq -r '.messages[0].service.digest' <<<"$output")
	[ "$got" = "$(maglev_ref --m 251 --seed 12345 --digest 10.1.0.1 10.1.0.2)" ]
	nl_fail EINVAL . config_set '{"config": {"bound": 1}}'
	nl_ok config_set "{\"config\": {\"seed\": $((DEFAULT_SEED))}}"
}

@test "unprivileged callers may read but not change" {
	nl_ok service_new "{\"service\": $(svc 10.0.0.1 80)}"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "${XLBNL[@]}" \
		service_new "{\"service\": $(svc 10.0.0.2 80)}"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(jq -r .error <<<"$output")" = EPERM ]
	run setpriv --reuid=65534 --regid=65534 --clear-groups "${XLBNL[@]}" flush
	[ "$(jq -r .error <<<"$output")" = EPERM ]
	run setpriv --reuid=65534 --regid=65534 --clear-groups "${XLBNL[@]}" --dump service_get
	[ "$status" -eq 0 ]
	[ "$(jq '.messages | length' <<<"$output")" = 1 ]
	# Root of a user namespace does not own the initial network namespace.
	run unshare -U -r "${XLBNL[@]}" service_new "{\"service\": $(svc 10.0.0.3 80)}"
	[ "$(jq -r .error <<<"$output")" = EPERM ]
}

@test "network namespaces are isolated" {
	ns=xlbt-$$
	ip netns add "$ns"
	nl_ok service_new "{\"service\": $(svc 10.0.0.1 80)}"
	run ip netns exec "$ns" "${XLBNL[@]}" --dump service_get
	[ "$status" -eq 0 ]
	[ "$(jq '.messages | length' <<<"$output")" = 0 ]
	# The same key in the other namespace is a different service.
	ip netns exec "$ns" "${XLBNL[@]}" service_new "{\"service\": $(svc 10.0.0.1 80)}"
	ip netns exec "$ns" "${XLBNL[@]}" backend_new "{\"service\": $(svc 10.0.0.1 80), \"backend\": $(be 10.1.0.1)}"
	run nl_ok --dump backend_get "{\"service\": $(svc 10.0.0.1 80)}"
	[ "$(jq '.messages | length' <<<"$output")" = 0 ]
	ip netns exec "$ns" "${XLBNL[@]}" flush
	run ip netns exec "$ns" "${XLBNL[@]}" --dump service_get
	[ "$(jq '.messages | length' <<<"$output")" = 0 ]
	run nl_ok --dump service_get
	[ "$(jq '.messages | length' <<<"$output")" = 1 ]
	# A namespace dies with its state; an unprivileged user namespace owns
	# its own network namespace and may configure it.
	ip netns exec "$ns" "${XLBNL[@]}" service_new "{\"service\": $(svc 10.0.0.2 80)}"
	ip netns del "$ns"
	run unshare -U -r -n "${XLBNL[@]}" service_new "{\"service\": $(svc 10.0.0.3 80)}"
	[ "$status" -eq 0 ]
	run nl_ok --dump service_get
	[ "$(jq -r '.messages[].service.addr4' <<<"$output")" = 10.0.0.1 ]
}

@test "multicast group announces every change" {
	out=$BATS_TEST_TMPDIR/monitor
	"${XLBNL[@]}" monitor --count 4 --timeout 60 >"$out" &
	pid=$!
	for _ in $(seq 100); do grep -q ready "$out" 2>/dev/null && break; sleep 0.1; done
	nl_ok service_new "{\"service\": $(svc 10.0.0.1 80)}"
	nl_fail EEXIST . service_new "{\"service\": $(svc 10.0.0.1 80)}"
	nl_ok backend_new "{\"service\": $(svc 10.0.0.1 80), \"backend\": $(be 10.1.0.1 4)}"
	nl_ok backend_del "{\"service\": $(svc 10.0.0.1 80), \"backend\": $(be 10.1.0.1)}"
	nl_ok service_del "{\"service\": $(svc 10.0.0.1 80)}"
	wait "$pid"
	cat "$out"
	[ "$(sed -n 2p "$out" | jq -r .cmd)" = service_new ]
	[ "$(sed -n 2p "$out" | jq -r .service.addr4)" = 10.0.0.1 ]
	[ "$(sed -n 3p "$out" | jq -r .cmd)" = backend_new ]
	[ "$(sed -n 3p "$out" | jq -r .backend.weight)" = 4 ]
	[ "$(sed -n 4p "$out" | jq -r .cmd)" = backend_del ]
	[ "$(sed -n 4p "$out" | jq -r .backend.addr4)" = 10.1.0.1 ]
	[ "$(sed -n 5p "$out" | jq -r .cmd)" = service_del ]
}

@test "dumps are resumable and flag concurrent changes" {
	list=$(jq -nc '[range(1200) | {addr4: "10.4.\(. / 250 | floor).\(. % 250 + 1)"}]')
	nl_ok replace "{\"services\": [{\"addr4\": \"10.0.0.1\", \"port\": 80, \"proto\": 6, \"table_size\": 4093, \"backends\": $list}]}" >/dev/null
	run nl_ok --dump backend_get "{\"service\": $(svc 10.0.0.1 80)}"
	[ "$(jq '.messages | length' <<<"$output")" = 1200 ]
	[ "$(jq '[.messages[].backend.id] | unique | length' <<<"$output")" = 1200 ]
	[ "$(jq -r .intr <<<"$output")" = false ]
	# A change between two parts of the dump sets NLM_F_DUMP_INTR.
	run nl_ok --interleave service_new "{\"service\": $(svc 10.0.0.2 80)}" \
		--dump backend_get "{\"service\": $(svc 10.0.0.1 80)}"
	[ "$(jq -r .intr <<<"$output")" = true ]
}
