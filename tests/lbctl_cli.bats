#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# VM suite: lbctl's configuration commands against xlb.ko in a fresh network
# namespace: services, backends, show/list (text and JSON), lookup, config,
# save -> flush -> restore round trip, monitor, and every error path (bad
# input, unknown objects, module not loaded, no privilege).  Tests run in
# file order: the first ones run before the module is loaded.

load lbctl_lib

setup_file() {
	lbctl_setup_file cli
}

teardown_file() {
	ip netns del "$NS-2" 2>/dev/null || true
	lbctl_teardown_file
}

setup() {
	if xlb_loaded; then
		lb flush
		lb config set seed 0x9e3779b9
	fi
}

SVC=192.0.2.10:80/tcp
SVC6='[2001:db8::10]:443/tcp'

@test "--version, -V and version print the version" {
	for v in --version -V version; do
		run "$LBCTL" $v
		expect_re 0 '^lbctl [0-9]+\.[0-9]+\.[0-9]+$'
	done
}

@test "help, -h and --help print the usage on stdout" {
	for h in help -h --help; do
		run --separate-stderr "$LBCTL" $h
		[ "$status" -eq 0 ]
		[[ "$output" == Usage:* ]]
		[[ "$output" == *"lbctl lookup SRC:SPORT DST:DPORT tcp|udp"* ]]
	done
}

@test "unknown command and option: one line, exit 1" {
	run lb frobnicate
	expect_re 1 '^lbctl: unknown command "frobnicate": expected one of add,'
	run lb -x show
	expect 1 'lbctl: unknown option "-x": expected -j, -n, -jn, --version or --help'
}

@test "module not loaded: clear message, exit 2" {
	run ! xlb_loaded
	run lb show
	expect 2 'lbctl: xlb kernel module is not loaded (try: modprobe xlb)'
	run lb service add "$SVC"
	expect 2 'lbctl: xlb kernel module is not loaded (try: modprobe xlb)'
}

@test "bad input is reported before the module is even needed" {
	run lb add 10.0.0.2 weight 70000
	expect 1 'lbctl: invalid weight "70000": expected a decimal integer 0..65535'
}

@test "insmod xlb.ko" {
	insmod "$XLB_KO"
	run lb show
	expect 0 ''
	run lb -j show
	expect 0 '[]'
}

@test "service add / list, text and JSON" {
	lb service add "$SVC"
	lb service add "$SVC6" table-size 251 hash src
	run lb -n service list
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == "service 192.0.2.10:80/tcp table-size 65537 hash 5tuple backends 0 digest "* ]]
	[[ "${lines[1]}" == "service [2001:db8::10]:443/tcp table-size 251 hash src backends 0 digest "* ]]
	run lb -j service list
	[ "$status" -eq 0 ]
	[ "$(jq -r 'length' <<<"$output")" = 2 ]
	[ "$(jq -r '.[0].service' <<<"$output")" = "$SVC" ]
	[ "$(jq -r '.[0].address' <<<"$output")" = 192.0.2.10 ]
	[ "$(jq -r '.[0].port' <<<"$output")" = 80 ]
	[ "$(jq -r '.[0].protocol' <<<"$output")" = tcp ]
	[ "$(jq -r '.[0].table_size' <<<"$output")" = 65537 ]
	[ "$(jq -r '.[0].hash' <<<"$output")" = 5tuple ]
	[ "$(jq -r '.[1].service' <<<"$output")" = "$SVC6" ]
	[ "$(jq -r '.[1].table_size' <<<"$output")" = 251 ]
	[ "$(jq -r '.[1].hash' <<<"$output")" = src ]
}

@test "-n shows port numbers, default shows /etc/services names" {
	lb service add "$SVC"
	run lb service list
	[[ "$output" == "service 192.0.2.10:http/tcp "* ]]
	run lb -n service list
	[[ "$output" == "service 192.0.2.10:80/tcp "* ]]
	# Names are accepted on input as well.
	lb service del 192.0.2.10:http/tcp
	run lb -j service list
	expect 0 '[]'
}

@test "service set changes the table size and hash" {
	lb service add "$SVC"
	lb service set "$SVC" table-size 251 hash src
	run lb -j service list
	[ "$(jq -r '.[0].table_size' <<<"$output")" = 251 ]
	[ "$(jq -r '.[0].hash' <<<"$output")" = src ]
}

@test "service errors: duplicate, unknown, bad key, bad table size" {
	lb service add "$SVC"
	before=$(lb -j show)
	run lb service add "$SVC"
	expect_re 1 '^lbctl: service add 192.0.2.10:80/tcp: '
	run lb service del 192.0.2.99:80/tcp
	expect_re 1 '^lbctl: service del 192.0.2.99:80/tcp: '
	run lb service add 192.0.2.10:80
	expect 1 'lbctl: invalid service "192.0.2.10:80": expected VIP:PORT/PROTO, e.g. 192.0.2.10:80/tcp or [2001:db8::1]:80/tcp'
	run lb service add 192.0.2.10:80/sctp
	expect 1 'lbctl: invalid protocol "sctp": expected tcp or udp'
	run lb service add 192.0.2.11:0/tcp
	expect 1 'lbctl: invalid port "0": expected 1..65535 or a service name'
	run lb service add 2001:db8::1:80/tcp
	expect_re 1 '^lbctl: invalid service "2001:db8::1:80/tcp"'
	run lb service add 192.0.2.11:80/tcp table-size 65536
	expect_re 1 '^lbctl: invalid table size "65536": expected a prime'
	run lb service add 192.0.2.11:80/tcp color blue
	expect_re 1 '^lbctl: unknown argument "color"'
	run lb service add 192.0.2.11:80/tcp table-size
	expect 1 'lbctl: missing value after "table-size"'
	run lb service frob
	expect_re 1 '^lbctl: unknown service command "frob"'
	[ "$(lb -j show)" = "$before" ]
}

@test "add to the only service; default weight 1; JSON show" {
	lb service add "$SVC"
	lb add 10.0.0.2 weight 20
	lb add 10.0.0.3
	run lb -j show
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].nbackends' <<<"$output")" = 2 ]
	[ "$(jq -r '.[0].backends | length' <<<"$output")" = 2 ]
	[ "$(jq -r '.[0].backends[0].address' <<<"$output")" = 10.0.0.2 ]
	[ "$(jq -r '.[0].backends[0].weight' <<<"$output")" = 20 ]
	[ "$(jq -r '.[0].backends[0].state' <<<"$output")" = active ]
	[ "$(jq -r '.[0].backends[1].address' <<<"$output")" = 10.0.0.3 ]
	[ "$(jq -r '.[0].backends[1].weight' <<<"$output")" = 1 ]
	# Every slot is owned, in proportion to the weights.
	[ "$(jq -r '[.[0].backends[].slots] | add' <<<"$output")" = 65537 ]
	s2=$(jq -r '.[0].backends[0].slots' <<<"$output")
	s3=$(jq -r '.[0].backends[1].slots' <<<"$output")
	[ "$s2" -gt $((s3 * 15)) ]
	share=$(jq -r '[.[0].backends[].share] | add' <<<"$output")
	[[ "$share" == 100* || "$share" == 99.99* ]]
}

@test "show text lists services, backends, weights, shares and state" {
	lb service add "$SVC"
	lb add 10.0.0.2 weight 3
	lb add 2001:db8::2 weight 1
	run lb -n show
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[[ "${lines[0]}" == "service 192.0.2.10:80/tcp table-size 65537 hash 5tuple backends 2 digest "* ]]
	[[ "${lines[1]}" =~ ^\ \ backend\ 10\.0\.0\.2\ +weight\ 3\ +slots\ [0-9]+\ +7[45]\.[0-9]{2}%\ +active$ ]]
	[[ "${lines[2]}" =~ ^\ \ backend\ 2001:db8::2\ +weight\ 1\ +slots\ [0-9]+\ +2[45]\.[0-9]{2}%\ +active$ ]]
	# No arguments means show.
	run lb -n
	[ "${#lines[@]}" -eq 3 ]
	run lb -n show service "$SVC"
	[ "${#lines[@]}" -eq 3 ]
	run lb show service 192.0.2.99:80/tcp
	expect 1 'lbctl: no such service "192.0.2.99:80/tcp"'
}

@test "with several services, add asks for one and names the choices" {
	lb service add "$SVC"
	lb service add "$SVC6"
	run lb add 10.0.0.2 weight 20
	expect 1 "lbctl: there are several services: add \`service VIP:PORT/PROTO\`, one of: 192.0.2.10:80/tcp, [2001:db8::10]:443/tcp"
	lb add 10.0.0.2 weight 20 service "$SVC"
	lb add 10.0.0.2 weight 7 service "$SVC6"
	run lb -j show
	[ "$(jq -r '.[0].backends[0].weight' <<<"$output")" = 20 ]
	[ "$(jq -r '.[1].backends[0].weight' <<<"$output")" = 7 ]
	# set without service: ambiguous because both have the backend
	run lb set 10.0.0.2 weight 5
	expect_re 1 '^lbctl: backend is in several services: add `service VIP:PORT/PROTO`, one of: '
	lb add 10.0.0.9 service "$SVC6"
	# ... but a backend in exactly one service is found
	lb set 10.0.0.9 weight 9
	run lb -j show service "$SVC6"
	[ "$(jq -r '.[0].backends[] | select(.address == "10.0.0.9") | .weight' <<<"$output")" = 9 ]
}

@test "set weight, drain, del" {
	lb service add "$SVC"
	lb add 10.0.0.2 weight 20
	lb add 10.0.0.3 weight 20
	lb set 10.0.0.2 weight 5
	run lb -j show
	[ "$(jq -r '.[0].backends[0].weight' <<<"$output")" = 5 ]
	# drain is the state: the weight stays, the slots go
	lb drain 10.0.0.2
	run lb -j show
	[ "$(jq -r '.[0].backends[0].weight' <<<"$output")" = 5 ]
	[ "$(jq -r '.[0].backends[0].state' <<<"$output")" = drain ]
	[ "$(jq -r '.[0].backends[0].slots' <<<"$output")" = 0 ]
	[ "$(jq -r '.[0].backends[1].slots' <<<"$output")" = 65537 ]
	run lb show
	[[ "${lines[1]}" =~ ^"  backend 10.0.0.2 "\ +"weight 5 "\ +"slots 0 ".*"drain"$ ]]
	lb set 10.0.0.2 state drain weight 4
	run lb -j show
	[ "$(jq -r '.[0].backends[0].state' <<<"$output")" = drain ]
	[ "$(jq -r '.[0].backends[0].weight' <<<"$output")" = 4 ]
	[ "$(jq -r '.[0].backends[0].slots' <<<"$output")" = 0 ]
	# active again: back with the weight it kept (4 of 24)
	lb set 10.0.0.2 state active
	run lb -j show
	[ "$(jq -r '.[0].backends[0].state' <<<"$output")" = active ]
	[ "$(jq -r '.[0].backends[0].weight' <<<"$output")" = 4 ]
	s2=$(jq -r '.[0].backends[0].slots' <<<"$output")
	[ "$s2" -gt 10000 ]
	[ "$s2" -lt 12000 ]
	# weight 0 is not drain: active, no slots
	lb set 10.0.0.2 weight 0
	run lb -j show
	[ "$(jq -r '.[0].backends[0].state' <<<"$output")" = active ]
	[ "$(jq -r '.[0].backends[0].slots' <<<"$output")" = 0 ]
	lb del 10.0.0.2
	run lb -j show
	[ "$(jq -r '.[0].backends | length' <<<"$output")" = 1 ]
	[ "$(jq -r '.[0].backends[0].address' <<<"$output")" = 10.0.0.3 ]
}

@test "backend errors: no service, unknown backend, duplicate, bad values" {
	run lb add 10.0.0.2
	expect 1 'lbctl: no service is configured (add one first: lbctl service add VIP:PORT/PROTO)'
	lb service add "$SVC"
	lb add 10.0.0.2 weight 20
	before=$(lb -j show)
	run lb add 10.0.0.2
	expect_re 1 '^lbctl: add 10\.0\.0\.2 \(service 192\.0\.2\.10:80/tcp\): '
	run lb del 10.0.0.99
	expect 1 'lbctl: del 10.0.0.99 (service 192.0.2.10:80/tcp): backend 10.0.0.99 does not exist in service 192.0.2.10:80/tcp'
	lb service add "$SVC6"
	run lb del 10.0.0.99
	expect 1 'lbctl: backend 10.0.0.99 not found in any service'
	lb service del "$SVC6"
	run lb del 10.0.0.99 service "$SVC"
	expect_re 1 '^lbctl: del 10\.0\.0\.99 \(service 192\.0\.2\.10:80/tcp\): '
	run lb add 10.0.0.3 service 192.0.2.99:80/tcp
	expect_re 1 '^lbctl: add 10\.0\.0\.3 \(service 192\.0\.2\.99:80/tcp\): '
	run lb set 10.0.0.2 weight 70000
	expect 1 'lbctl: invalid weight "70000": expected a decimal integer 0..65535'
	run lb set 10.0.0.2 weight -1
	expect 1 'lbctl: invalid weight "-1": expected a decimal integer 0..65535'
	run lb set 10.0.0.2
	expect 1 'lbctl: nothing to set: expected weight W or state active|drain'
	run lb add 10.0.0.256
	expect 1 'lbctl: invalid address "10.0.0.256": expected an IPv4 or IPv6 address'
	run lb add 10.0.0.4 state sleepy
	expect 1 'lbctl: invalid state "sleepy": expected active or drain'
	run lb drain 10.0.0.2 weight 3
	expect_re 1 '^lbctl: unknown argument "weight" to drain'
	run lb add
	expect 1 'lbctl: missing backend address after "add"'
	[ "$(lb -j show)" = "$before" ]
}

@test "lookup: backend, hash and slot of a flow (text and JSON)" {
	lb service add "$SVC"
	lb add 10.0.0.2
	lb add 10.0.0.3
	run lb -n lookup 198.51.100.7:40000 192.0.2.10:80 tcp
	expect_re 0 '^backend 10\.0\.0\.[23] service 192\.0\.2\.10:80/tcp hash 0x[0-9a-f]{8} slot [0-9]+$'
	run lb -j lookup 198.51.100.7:40000 192.0.2.10:80 tcp
	[ "$status" -eq 0 ]
	be=$(jq -r .address <<<"$output")
	slot=$(jq -r .slot <<<"$output")
	hash=$(jq -r .hash <<<"$output")
	[ "$(jq -r .service <<<"$output")" = "$SVC" ]
	[ "$slot" -lt 65537 ]
	# slot = hash * M >> 32 (lib/xlb_hash.h: xlb_hash_slot)
	[ "$slot" -eq $(((hash * 65537) >> 32)) ]
	# Stable: the same flow maps to the same backend.
	for i in 1 2 3; do
		[ "$(lb -j lookup 198.51.100.7:40000 192.0.2.10:80 tcp | jq -r .address)" = "$be" ]
	done
	# Draining the chosen backend moves the flow to the other one.
	lb drain "$be"
	other=$(lb -j lookup 198.51.100.7:40000 192.0.2.10:80 tcp | jq -r .address)
	[ "$other" != "$be" ]
	# Many flows spread over both backends (drain is the state: a weight
	# alone does not undo it).
	lb set "$be" weight 1 state active
	seen=$(for p in $(seq 40000 40031); do
		lb -j lookup 198.51.100.7:$p 192.0.2.10:80 tcp | jq -r .address
	done)
	[ "$(sort -u <<<"$seen" | wc -l)" -eq 2 ]
	# The same 32 flows in one call: one JSON object per flow, same picks.
	flows=()
	for p in $(seq 40000 40031); do
		flows+=(198.51.100.7:$p 192.0.2.10:80 tcp)
	done
	run lb -j lookup "${flows[@]}"
	[ "$status" -eq 0 ]
	[ "$(jq -r .address <<<"$output")" = "$seen" ]
}

@test "lookup over IPv6 and the lookup errors" {
	lb service add "$SVC6"
	lb add 2001:db8::2
	run lb -j lookup '[2001:db8::7]:1234' '[2001:db8::10]:443' tcp
	[ "$status" -eq 0 ]
	[ "$(jq -r .address <<<"$output")" = 2001:db8::2 ]
	run lb lookup 198.51.100.7:40000 192.0.2.10:80 tcp
	expect_re 1 '^lbctl: lookup: '
	run lb lookup 198.51.100.7:40000 '[2001:db8::10]:443' tcp
	expect_re 1 '^lbctl: invalid flow .* same address family$'
	run lb lookup 198.51.100.7 192.0.2.10:80 tcp
	expect_re 1 '^lbctl: invalid endpoint "198\.51\.100\.7": expected ADDR:PORT'
	run lb lookup 198.51.100.7:1 192.0.2.10:80 icmp
	expect 1 'lbctl: invalid protocol "icmp": expected tcp or udp'
	run lb lookup 198.51.100.7:1
	expect 1 'lbctl: usage: lbctl lookup SRC:SPORT DST:DPORT tcp|udp [SRC:SPORT DST:DPORT tcp|udp]...'
	run lb lookup '[2001:db8::7]:1234' '[2001:db8::10]:443' tcp '[2001:db8::7]:1'
	expect 1 'lbctl: usage: lbctl lookup SRC:SPORT DST:DPORT tcp|udp [SRC:SPORT DST:DPORT tcp|udp]...'
}

@test "config: show, set seed/src4/src6 (text and JSON)" {
	run lb -j config
	[ "$status" -eq 0 ]
	[ "$(jq -r .seed <<<"$output")" = $((0x9e3779b9)) ]
	[ "$(jq -r .bound <<<"$output")" = false ]
	lb service add "$SVC"
	lb add 10.0.0.2
	lb add 10.0.0.3
	d1=$(lb -j show | jq -r '.[0].digest')
	lb config set seed 7 src4 10.9.9.9 src6 fd00::9
	run lb -j config
	[ "$(jq -r .seed <<<"$output")" = 7 ]
	[ "$(jq -r .src4 <<<"$output")" = 10.9.9.9 ]
	[ "$(jq -r .src6 <<<"$output")" = fd00::9 ]
	run lb config
	[ "${lines[0]}" = "seed 0x00000007" ]
	[ "${lines[1]}" = "src4 10.9.9.9" ]
	[ "${lines[2]}" = "src6 fd00::9" ]
	# The seed moves the table: the digest changes.
	d2=$(lb -j show | jq -r '.[0].digest')
	[ "$d1" != "$d2" ]
	run lb config set src4 fd00::1
	expect 1 'lbctl: invalid src4 "fd00::1": expected an IPv4 address'
	run lb config set seed 4294967296
	expect 1 'lbctl: invalid seed "4294967296": expected a decimal or 0x hexadecimal integer 0..4294967295'
}

@test "save -> flush -> restore yields an identical show -j" {
	lb config set seed 12345 src4 10.9.9.9
	lb service add "$SVC" table-size 251
	lb service add "$SVC6" hash src
	lb service add 192.0.2.20:53/udp udp-timeout 120
	lb add 10.0.0.2 weight 20 service "$SVC"
	lb add 10.0.0.3 weight 10 service "$SVC"
	lb add 2001:db8::2 weight 0 service "$SVC"
	lb add 2001:db8::3 weight 3 service "$SVC6"
	lb add 10.0.0.4 weight 5 state drain service "$SVC6"
	before=$(lb -j show)
	conf_before=$(lb -j config)
	lb save >"$BATS_TEST_TMPDIR/saved"
	cat "$BATS_TEST_TMPDIR/saved"
	grep -qE '^config seed 0x00003039 src4 10\.9\.9\.9( src6 [0-9a-f:]+)?$' "$BATS_TEST_TMPDIR/saved"
	grep -qx 'add 10.0.0.4 weight 5 state drain service \[2001:db8::10\]:443/tcp' "$BATS_TEST_TMPDIR/saved"
	grep -qx 'service add 192.0.2.20:53/udp table-size 65537 hash 5tuple udp-timeout 120' "$BATS_TEST_TMPDIR/saved"
	[ "$(jq -r '.[] | select(.protocol == "udp") | .udp_timeout' <<<"$before")" = 120 ]
	lb flush
	[ "$(lb -j show)" = '[]' ]
	lb config set seed 1
	lb restore "$BATS_TEST_TMPDIR/saved"
	[ "$(lb -j show)" = "$before" ]
	[ "$(lb -j config | jq -c '{seed, src4}')" = "$(jq -c '{seed, src4}' <<<"$conf_before")" ]
	# Saving again gives the same text.
	[ "$(lb save)" = "$(cat "$BATS_TEST_TMPDIR/saved")" ]
}

@test "udp-timeout: default 30, range 1..86400, UDP only, shown and set" {
	lb service add 192.0.2.21:53/udp
	run lb -n show
	expect_re 0 '^service 192\.0\.2\.21:53/udp table-size 65537 hash 5tuple udp-timeout 30 backends 0 '
	run lb service add 192.0.2.22:53/udp udp-timeout 0
	expect 1 'lbctl: invalid udp-timeout "0": expected a decimal integer 1..86400'
	run lb service set 192.0.2.21:53/udp udp-timeout 86401
	expect 1 'lbctl: invalid udp-timeout "86401": expected a decimal integer 1..86400'
	run lb service add 192.0.2.22:80/tcp udp-timeout 5
	expect_re 1 'udp-timeout applies to UDP services only'
	lb service set 192.0.2.21:53/udp udp-timeout 7
	[ "$(lb -j show | jq -r '.[0].udp_timeout')" = 7 ]
	[ "$(lb -j show | jq -r 'length')" = 1 ]
}

@test "encap: ipip by default, gue port 6080 or N; shown, set, saved, restored" {
	local g=192.0.2.23:53/udp
	lb service add "$SVC"
	run lb -n show
	expect_re 0 '^service 192\.0\.2\.10:80/tcp table-size 65537 hash 5tuple backends 0 '
	lb service add "$g" encap gue
	run lb -n show service "$g"
	expect_re 0 '^service 192\.0\.2\.23:53/udp table-size 65537 hash 5tuple udp-timeout 30 encap gue port 6080 backends 0 '
	lb service set "$g" port 9
	[ "$(lb -j show service "$g" | jq -r '.[0].encap_port')" = 9 ]
	lb service set "$g" encap gue
	[ "$(lb -j show service "$g" | jq -r '.[0].encap + " " + (.[0].encap_port | tostring)')" = "gue 9" ]
	run lb service set "$SVC" port 9
	expect_re 1 'encap port 9 applies to encap gue only'
	run lb service add 192.0.2.24:53/udp encap vxlan
	expect 1 'lbctl: invalid encap "vxlan": expected ipip or gue'
	run lb service add 192.0.2.24:53/udp encap gue port 0
	expect 1 'lbctl: invalid port "0": expected a decimal integer 1..65535'
	lb save >"$BATS_TEST_TMPDIR/saved"
	grep -qx "service add $g table-size 65537 hash 5tuple udp-timeout 30 encap gue port 9" "$BATS_TEST_TMPDIR/saved"
	lb flush
	lb restore "$BATS_TEST_TMPDIR/saved"
	[ "$(lb save)" = "$(cat "$BATS_TEST_TMPDIR/saved")" ]
	lb service set "$g" encap ipip
	run lb -n show service "$g"
	expect_re 0 '^service 192\.0\.2\.23:53/udp table-size 65537 hash 5tuple udp-timeout 30 backends 0 '
	run lb restore - <<<"service add 192.0.2.25:53/udp port 7"
	expect_re 1 'port applies to encap gue only'
	[ "$(lb -j show | jq -r 'length')" = 2 ]
}

@test "restore reads stdin and replaces the whole configuration" {
	lb service add 192.0.2.99:99/udp
	lb add 10.0.0.99
	printf '%s\n' "service add $SVC" "add 10.0.0.2 weight 2" \
		'# a comment' '' "add 10.0.0.3   # trailing comment" |
		lb restore -
	run lb -j show
	[ "$(jq -r 'length' <<<"$output")" = 1 ]
	[ "$(jq -r '.[0].service' <<<"$output")" = "$SVC" ]
	[ "$(jq -c '[.[0].backends[] | [.address, .weight]]' <<<"$output")" = '[["10.0.0.2",2],["10.0.0.3",1]]' ]
}

@test "restore errors name the line and change nothing" {
	lb service add "$SVC"
	lb add 10.0.0.2
	before=$(lb -j show)
	f=$BATS_TEST_TMPDIR/bad
	printf '%s\n' "service add 192.0.2.30:80/tcp" "add 10.0.0.5 weight 70000" >"$f"
	run lb restore "$f"
	expect 1 "lbctl: $f:2: invalid weight \"70000\": expected a decimal integer 0..65535"
	printf '%s\n' "add 10.0.0.5" >"$f"
	run lb restore "$f"
	expect 1 "lbctl: $f:1: no service declared before this backend"
	printf '%s\n' "service add $SVC" "service add $SVC" >"$f"
	run lb restore "$f"
	expect 1 "lbctl: $f:2: service declared twice"
	printf '%s\n' "service add $SVC" "add 10.0.0.5" "add 10.0.0.5" >"$f"
	run lb restore "$f"
	expect 1 "lbctl: $f:3: backend listed twice for its service"
	printf '%s\n' "service add $SVC" "frob 1" >"$f"
	run lb restore "$f"
	expect 1 "lbctl: $f:2: unknown argument \"frob\""
	run lb restore "$BATS_TEST_TMPDIR/missing"
	expect_re 1 "^lbctl: cannot open \".*/missing\": No such file or directory$"
	# Valid syntax the module refuses (more backends than slots) is
	# refused as a whole.
	{
		echo "service add 192.0.2.40:80/tcp table-size 251"
		for i in $(seq 1 252); do echo "add 10.1.$((i / 256)).$((i % 256))"; done
	} >"$f"
	run lb restore "$f"
	expect_re 1 '^lbctl: restore: '
	[ "$(lb -j show)" = "$before" ]
}

@test "a large restore is one message; its dump spans many messages" {
	f=$BATS_TEST_TMPDIR/big
	{
		echo "service add $SVC"
		for i in $(seq 0 999); do echo "add 10.2.$((i / 256)).$((i % 256)) weight $((i % 7 + 1))"; done
		echo "service add $SVC6 table-size 4093"
		for i in $(seq 1 300); do printf 'add 2001:db8:1::%x service %s\n' "$i" "$SVC6"; done
	} >"$f"
	lb restore "$f"
	run lb -j show
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].backends | length' <<<"$output")" = 1000 ]
	[ "$(jq -r '.[0].nbackends' <<<"$output")" = 1000 ]
	[ "$(jq -r '[.[0].backends[].slots] | add' <<<"$output")" = 65537 ]
	[ "$(jq -r '.[1].backends | length' <<<"$output")" = 300 ]
	[ "$(jq -r '[.[1].backends[].slots] | add' <<<"$output")" = 4093 ]
	# and it saves back to the same lines
	lb save | grep -c '^add ' | grep -qx 1300
}

@test "flush removes every service and backend" {
	lb service add "$SVC"
	lb service add "$SVC6"
	lb add 10.0.0.2 service "$SVC"
	lb flush
	run lb -j show
	expect 0 '[]'
	run lb flush extra
	expect_re 1 '^lbctl: unknown argument "extra" to flush'
}

@test "monitor prints every change (text and JSON)" {
	out=$BATS_TEST_TMPDIR/mon
	nsenter --net="/run/netns/$NS" "$LBCTL" -n monitor >"$out" 2>&1 3>&- &
	pid=$!
	sleep 1
	lb service add "$SVC" table-size 251
	lb add 10.0.0.2 weight 20
	lb set 10.0.0.2 weight 5
	lb del 10.0.0.2
	lb service del "$SVC"
	lb flush
	printf '%s\n' "service add $SVC" "add 10.0.0.3" | lb restore
	lb config set seed 9
	for i in $(seq 50); do [ "$(wc -l <"$out")" -ge 8 ] && break; sleep 0.1; done
	kill "$pid"
	cat "$out"
	run cat "$out"
	[ "${lines[0]}" = "service add 192.0.2.10:80/tcp table-size 251 hash 5tuple" ]
	[ "${lines[1]}" = "add 10.0.0.2 weight 20 state active service 192.0.2.10:80/tcp" ]
	[ "${lines[2]}" = "set 10.0.0.2 weight 5 state active service 192.0.2.10:80/tcp" ]
	[ "${lines[3]}" = "del 10.0.0.2 service 192.0.2.10:80/tcp" ]
	[ "${lines[4]}" = "service del 192.0.2.10:80/tcp" ]
	[ "${lines[5]}" = "flush" ]
	# One transaction: one event for the whole restore.
	[[ "${lines[6]}" == restore* ]]
	[[ "${lines[7]}" == "config set"* ]]
	[ "${#lines[@]}" -eq 8 ]

	nsenter --net="/run/netns/$NS" "$LBCTL" -j monitor >"$out" 2>&1 3>&- &
	pid=$!
	sleep 1
	lb service add "$SVC6"
	lb add 2001:db8::2 weight 3 service "$SVC6"
	for i in $(seq 50); do [ "$(wc -l <"$out")" -ge 2 ] && break; sleep 0.1; done
	kill "$pid"
	cat "$out"
	[ "$(sed -n 1p "$out" | jq -r .event)" = "service add" ]
	[ "$(sed -n 1p "$out" | jq -r .service)" = "$SVC6" ]
	[ "$(sed -n 2p "$out" | jq -r .event)" = add ]
	[ "$(sed -n 2p "$out" | jq -r .address)" = 2001:db8::2 ]
	[ "$(sed -n 2p "$out" | jq -r .weight)" = 3 ]
}

@test "the man page's show, lookup and monitor examples are what lbctl prints" {
	man=$BATS_TEST_DIRNAME/../Documentation/lbctl.8
	out=$BATS_TEST_TMPDIR/mon
	# the example's commands, at the default seed (setup)
	lb service add 192.0.2.10:80/tcp
	lb add 10.0.0.2 weight 10
	lb add 10.0.0.3 weight 20
	# show: the backend lines, runs of blanks as one
	want=$(sed -n 's/^  backend /backend /p' "$man" | tr -s ' ')
	[ -n "$want" ]
	run lb -n show
	[ "$(sed -n 's/^  backend /backend /p' <<<"$output" | tr -s ' ')" = "$want" ]
	want=$(grep '^backend .* hash 0x' "$man")
	run lb -n lookup 198.51.100.7:40000 192.0.2.10:80 tcp
	expect 0 "$want"
	# monitor: the two lines after "$ lbctl \-n monitor"
	want=$(sed -n '/^\$ lbctl \\-n monitor$/{n;p;n;p}' "$man")
	[ "$(wc -l <<<"$want")" -eq 2 ]
	nsenter --net="/run/netns/$NS" "$LBCTL" -n monitor >"$out" 2>&1 3>&- &
	pid=$!
	sleep 1
	lb add 10.0.0.4
	lb drain 10.0.0.4
	for i in $(seq 50); do [ "$(wc -l <"$out")" -ge 2 ] && break; sleep 0.1; done
	kill "$pid"
	run cat "$out"
	expect 0 "$want"
}

@test "options after the command: show -j, lookup -jn, -- ends them" {
	lb service add "$SVC"
	lb add 10.0.0.2 weight 3
	[ "$(lb show -j)" = "$(lb -j show)" ]
	[ "$(lb show service "$SVC" -n -j | jq -r '.[0].backends[0].weight')" = 3 ]
	run lb lookup 198.51.100.7:40000 192.0.2.10:80 tcp -jn
	[ "$(jq -r .address <<<"$output")" = 10.0.0.2 ]
	run lb show -- -j
	expect 1 'lbctl: unknown argument "-j" to show (see: lbctl help)'
}

@test "a repeated keyword is refused and changes nothing" {
	lb service add "$SVC"
	lb add 10.0.0.2 weight 3
	before=$(lb -j show)
	run lb set 10.0.0.2 weight 1 weight 2
	expect 1 'lbctl: keyword "weight" given twice: give each keyword once'
	run lb add 10.0.0.3:80
	expect 1 "lbctl: invalid backend \"10.0.0.3:80\": backends take no port (packets keep the service's port): expected an IPv4 or IPv6 address"
	[ "$(lb -j show)" = "$before" ]
}

@test "without CAP_NET_ADMIN: changes refused with advice, reads allowed" {
	lb service add "$SVC"
	run lb_nobody service add 192.0.2.11:80/tcp
	expect 2 'lbctl: service add 192.0.2.11:80/tcp: permission denied: this needs CAP_NET_ADMIN (run lbctl as root)'
	run lb_nobody add 10.0.0.2 service "$SVC"
	expect_re 2 'permission denied: this needs CAP_NET_ADMIN \(run lbctl as root\)$'
	run lb_nobody flush
	expect 2 'lbctl: flush: permission denied: this needs CAP_NET_ADMIN (run lbctl as root)'
	run lb_nobody -j service list
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].service' <<<"$output")" = "$SVC" ]
	run lb_nobody attach lo
	expect_re 2 '^lbctl: attach: permission denied'
}

# Services with their table sizes and backends ([address, weight]).
config_of() {
	lbctl_in "$1" -j show |
		jq -c '[.[] | {service, table_size, backends: [.backends[] | [.address, .weight]]}]'
}

@test "every namespace has its own configuration" {
	local ns2=$NS-2
	lb service add "$SVC" table-size 251
	lb add 10.0.0.2 weight 7 service "$SVC"
	lb config set seed 0x1234
	ip netns add "$ns2"
	# A new namespace starts empty, with the default seed.
	run lbctl_in "$ns2" -j show
	expect 0 '[]'
	[ "$(lbctl_in "$ns2" -j config | jq -r .seed)" = $((0x9e3779b9)) ]
	# Its own service, backend and seed.
	lbctl_in "$ns2" service add "$SVC6"
	lbctl_in "$ns2" add 2001:db8::2 weight 3 service "$SVC6"
	lbctl_in "$ns2" config set seed 0x5678
	a='[{"service":"192.0.2.10:80/tcp","table_size":251,"backends":[["10.0.0.2",7]]}]'
	b='[{"service":"[2001:db8::10]:443/tcp","table_size":65537,"backends":[["2001:db8::2",3]]}]'
	[ "$(config_of "$NS")" = "$a" ]
	[ "$(config_of "$ns2")" = "$b" ]
	[ "$(lb -j config | jq -r .seed)" = $((0x1234)) ]
	[ "$(lbctl_in "$ns2" -j config | jq -r .seed)" = $((0x5678)) ]
	# A flush there leaves this namespace as it was.
	lbctl_in "$ns2" flush
	[ "$(config_of "$ns2")" = '[]' ]
	[ "$(config_of "$NS")" = "$a" ]
	ip netns del "$ns2"
}
