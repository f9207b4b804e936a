#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xlb-healthd (Documentation/health.md) against real backends: two backend
# namespaces with HTTP servers behind veth links from the load balancer's
# namespace, where lbctl and the daemon run.  Checks every 0.5 s, timeout
# 0.5 s (shorter ones flap under TCG), rise 2, fall 3: every wait below is
# a poll with a bound.

load lbctl_lib

HEALTHD=${XLB_HEALTHD:-$XLB_ROOT/build/xlb-healthd}
ANNOUNCE=${XLB_ANNOUNCE:-$XLB_ROOT/build/xlb-announce}
VIP=192.0.2.10
SVC=192.0.2.10:80/tcp
BE1=10.9.1.2
BE2=10.9.2.2
INTERVAL=0.5
TIMEOUT=0.5
FALL=3
TIMES="interval 500ms timeout 500ms"
CHECK="http port 8080 path /ok $TIMES rise 2 fall 3"

# An HTTP server in namespace $1 on $2:8080 (busybox: starts at once under
# TCG): 200 for /ok, 404 otherwise.
start_server() {
	nsenter --net="/run/netns/$1" busybox httpd -f -p "$2:8080" \
		-h "$BATS_FILE_TMPDIR/www" >/dev/null 2>&1 3>&- &
	echo $! >"$BATS_FILE_TMPDIR/server-$1"
}

stop_server() {
	kill "$(cat "$BATS_FILE_TMPDIR/server-$1")"
	wait "$(cat "$BATS_FILE_TMPDIR/server-$1")" 2>/dev/null || true
}

# A backend namespace $1 with address 10.9.$2.2 behind a veth from $NS.
backend_ns() {
	ip netns add "$1"
	ip link add "hc$2" netns "$NS" type veth peer name eth0 netns "$1"
	ip -n "$NS" addr add "10.9.$2.1/24" dev "hc$2"
	ip -n "$NS" link set "hc$2" up
	ip -n "$1" addr add "10.9.$2.2/24" dev eth0
	ip -n "$1" link set eth0 up
	ip -n "$1" link set lo up
}

start_healthd() {
	nsenter --net="/run/netns/$NS" "$HEALTHD" -v \
		>>"$BATS_FILE_TMPDIR/healthd.log" 2>&1 3>&- &
	echo $! >"$BATS_FILE_TMPDIR/healthd.pid"
}

setup_file() {
	lbctl_setup_file healthd
	export B1="$NS-b1" B2="$NS-b2"
	backend_ns "$B1" 1
	backend_ns "$B2" 2
	mkdir -p "$BATS_FILE_TMPDIR/www"
	echo ok >"$BATS_FILE_TMPDIR/www/ok"
	start_server "$B1" "$BE1"
	start_server "$B2" "$BE2"
	xlb_load
	lb service add "$SVC" table-size 251
	lb add "$BE1" weight 3 service "$SVC"
	lb add "$BE2" weight 5 service "$SVC"
	# shellcheck disable=SC2086 # the check's words
	lb health "$SVC" $CHECK
	start_healthd
}

teardown_file() {
	kill "$(cat "$BATS_FILE_TMPDIR/healthd.pid")" 2>/dev/null || true
	kill "$(cat "$BATS_FILE_TMPDIR/announce.pid" 2>/dev/null)" 2>/dev/null || true
	stop_server "$B1" 2>/dev/null || true
	stop_server "$B2" 2>/dev/null || true
	ip netns del "$B1" 2>/dev/null || true
	ip netns del "$B2" 2>/dev/null || true
	lbctl_teardown_file
}

# field ADDR KEY: KEY of backend ADDR in `lbctl -j show`.
field() {
	lb -j show | jq -r --arg a "$1" \
		".[0].backends[] | select(.address == \$a) | .$2 // \"none\""
}

# until_field SECONDS ADDR KEY VALUE: poll until KEY of ADDR is VALUE.
until_field() {
	local end=$((SECONDS + $1))
	until [ "$(field "$2" "$3")" = "$4" ]; do
		if [ "$SECONDS" -gt "$end" ]; then
			echo "backend $2: $3 is $(field "$2" "$3"), not $4" >&2
			lb show >&2
			cat "$BATS_FILE_TMPDIR/healthd.log" >&2
			return 1
		fi
		sleep 0.1
	done
}

# A failed test shows the daemon's log.
teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] ||
		grep -v '^<7>' "$BATS_FILE_TMPDIR/healthd.log" >&2 || true
}

now() {
	date +%s.%N
}

@test "health line: shown, saved, and bad values refused naming the rule" {
	run lb show
	[ "$status" -eq 0 ]
	[[ "$output" == *"health http port 8080 path /ok expect 200 interval 500ms timeout 500ms rise 2 fall 3"* ]]
	run lb save
	[[ "$output" == *"health $SVC http port 8080 path /ok expect 200 interval 500ms timeout 500ms rise 2 fall 3"* ]]
	before=$(lb -j show | jq -r '.[0].health_check')
	run lb health "$SVC" http path /ok interval 1 timeout 2
	expect 1 "lbctl: invalid timeout 2000 ms: must not exceed the interval (1000 ms)"
	run lb health "$SVC" tcp expect 200
	expect 1 'lbctl: "expect" does not apply to a tcp check'
	run lb health "$SVC" http rise 0
	expect 1 'lbctl: invalid rise "0": expected a decimal integer 1..100'
	[ "$(lb -j show | jq -r '.[0].health_check')" = "$before" ]
}

@test "both backends come up and stay active with their weights" {
	until_field 10 "$BE1" health up
	until_field 10 "$BE2" health up
	[ "$(field "$BE1" last_check)" = ok ]
	[ "$(field "$BE1" state)" = active ]
	[ "$(field "$BE1" weight)" = 3 ]
	[ "$(field "$BE2" weight)" = 5 ]
}

@test "a stopped server is drained within fall x interval + timeout, weight kept, announced" {
	until_field 10 "$BE1" health up
	lb monitor >"$BATS_FILE_TMPDIR/monitor" 2>&1 3>&- &
	mon=$!
	sleep 0.5 # the monitor has joined the group
	t0=$(now)
	stop_server "$B1"
	until_field 10 "$BE1" state drain
	t1=$(now)
	kill "$mon"
	took=$(echo "$t1 - $t0" | bc)
	bound=$(echo "$FALL * $INTERVAL + $TIMEOUT" | bc)
	echo "# drained in ${took} s (fall x interval + timeout = ${bound} s)" >&3
	# the VM under TCG adds latency (lbctl and jq polls): 6 s over
	[ "$(echo "$took < $bound + 6" | bc)" = 1 ]
	[ "$(field "$BE1" health)" = down-drained ]
	[[ "$(field "$BE1" last_check)" == "connect: Connection refused" ]]
	[ "$(field "$BE1" weight)" = 3 ]
	[ "$(field "$BE2" state)" = active ]
	grep -q "backend $BE1: down after 3 failures (connect: Connection refused): drained" \
		"$BATS_FILE_TMPDIR/healthd.log"
	grep -q "^set $BE1 weight 3 state drain service " "$BATS_FILE_TMPDIR/monitor"
}

@test "a drained backend whose server is back is active again after rise checks" {
	until_field 10 "$BE1" state drain
	start_server "$B1" "$BE1"
	until_field 10 "$BE1" state active
	[ "$(field "$BE1" health)" = up ]
	[ "$(field "$BE1" weight)" = 3 ]
	grep -q "backend $BE1: up after 2 successes (ok): active again" \
		"$BATS_FILE_TMPDIR/healthd.log"
}

@test "an operator's drain is kept when the backend is healthy" {
	until_field 10 "$BE2" health up
	lb set "$BE2" state drain service "$SVC"
	sleep 1.5 # three check intervals
	[ "$(field "$BE2" state)" = drain ]
	[ "$(field "$BE2" health)" = up ]
	lb set "$BE2" state active service "$SVC"
}

@test "a configuration change is picked up without a restart" {
	# shellcheck disable=SC2086 # the words
	lb health "$SVC" http port 8080 path /missing $TIMES rise 2 fall 3
	until_field 10 "$BE2" state drain
	[ "$(field "$BE2" last_check)" = "http status 404" ]
	# shellcheck disable=SC2086 # the words
	lb health "$SVC" $CHECK
	until_field 10 "$BE2" state active
	until_field 10 "$BE1" state active
}

# The raw netlink client in the suite's namespace: the module's own rules.
xlbnl() {
	in_ns "$NS" /usr/bin/python3 "$XLB_ROOT/tests/tools/xlbnl.py" "$@"
}

@test "a backend's own check: run instead of the service's, shown, saved, restored; bad ones refused" {
	local own="http port 8080 path /missing expect 200 $TIMES rise 2 fall 2"
	local key='"service": {"addr4": "192.0.2.10", "port": 80, "proto": 6}'
	until_field 10 "$BE2" health up
	lb -n monitor >"$BATS_FILE_TMPDIR/monitor-own" 2>&1 3>&- &
	mon=$!
	sleep 0.5 # the monitor has joined the group
	# shellcheck disable=SC2086 # the words
	lb health "$SVC" backend "$BE2" $own
	until_field 10 "$BE2" state drain
	kill "$mon"
	# the monitor prints the backend's own check with the change
	grep -qxF "set $BE2 weight 5 state active service $SVC health $own" \
		"$BATS_FILE_TMPDIR/monitor-own"
	# BE2: last check, its check; BE1: no check of its own, active
	[ "$(lb -j show | jq -r --arg a "$BE1" --arg b "$BE2" '.[0].backends |
		(map(select(.address == $b))[0] | .last_check, .health_check),
		(map(select(.address == $a))[0] | .health_check // "none", .state)' |
		paste -sd'|')" = "http status 404|$own|none|active" ]
	# the line under the backend's
	[ "$(lb show | grep -A1 "^  backend $BE2 " | tail -n 1)" = "    health $own" ]
	lb save >"$BATS_FILE_TMPDIR/own"
	grep -qx "health $SVC backend $BE2 $own" "$BATS_FILE_TMPDIR/own"

	# Refused, naming the value; nothing changes.
	run lb health "$SVC" backend 10.9.9.9 tcp
	expect 1 "lbctl: health $SVC backend 10.9.9.9: backend 10.9.9.9 does not exist in service $SVC"
	run lb health "$SVC" backend nonsense tcp
	expect 1 'lbctl: invalid address "nonsense": expected an IPv4 or IPv6 address'
	run lb health "$SVC" backend "$BE2" http path /x interval 1 timeout 2
	expect 1 "lbctl: invalid timeout 2000 ms: must not exceed the interval (1000 ms)"
	run lb health "$SVC" backend "$BE2" udp send "a b"
	expect 1 'lbctl: invalid send "a b": expected printable characters without spaces, not starting with # (hex:HEX for any bytes, e.g. hex:70696e670a)'
	# the module's rules for other clients, and no check in DEL
	run xlbnl backend_set "{$key, \"backend\": {\"addr4\": \"$BE2\", \"health_check\": {\"type\": 3, \"send\": \"a b\"}}}"
	[ "$status" -eq 1 ]
	[ "$(jq -r .msg <<<"$output")" = 'health check: send is not one printable word or hex:HEX: "a b"' ]
	run xlbnl backend_del "{$key, \"backend\": {\"addr4\": \"$BE2\", \"health_check\": {\"type\": 1}}}"
	[ "$status" -eq 1 ]
	[ "$(jq -r .msg <<<"$output")" = "XLB_BE_A_HEALTH_CHECK belongs to BACKEND_NEW, BACKEND_SET and REPLACE" ]
	[ "$(lb save)" = "$(cat "$BATS_FILE_TMPDIR/own")" ]

	# none removes it, restore brings it back; none again: the service's
	# check makes BE2 active again.
	lb health "$SVC" backend "$BE2" none
	[ "$(field "$BE2" health_check)" = none ]
	lb restore "$BATS_FILE_TMPDIR/own"
	[ "$(field "$BE2" health_check)" = "$own" ]
	lb health "$SVC" backend "$BE2" none
	until_field 10 "$BE2" state active
}

@test "a check the checker cannot run never drains" {
	# shellcheck disable=SC2086 # the words
	lb health "$SVC" exec command /nonexistent/check $TIMES rise 1 fall 1
	until_field 10 "$BE1" last_check "check not run: No such file or directory"
	sleep 1.5 # three intervals
	[ "$(field "$BE1" state)" = active ]
	[ "$(field "$BE2" state)" = active ]
	grep -q "check not run (No such file or directory): state kept" \
		"$BATS_FILE_TMPDIR/healthd.log"
	# shellcheck disable=SC2086 # the words
	lb health "$SVC" $CHECK
}

# The announcers' routes in routing table $1 of $NS: "TYPE DST ...".
routes() {
	ip -n "$NS" -o route show table "$1" proto 77 | cut -d' ' -f1,2 | paste -sd' ' -
}

# until_routes SECONDS TABLE WANT: poll until routes TABLE is WANT.
until_routes() {
	local end=$((SECONDS + $1))
	until [ "$(routes "$2")" = "$3" ]; do
		if [ "$SECONDS" -gt "$end" ]; then
			echo "table $2: \"$(routes "$2")\", not \"$3\"" >&2
			cat "$BATS_FILE_TMPDIR/announce.log" >&2
			return 1
		fi
		sleep 0.1
	done
}

# alive PID: running, not a zombie (the daemons are not this shell's
# children: nobody reaps them here).
alive() {
	local st
	st=$(sed -n 's/^State:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
	[ -n "$st" ] && [ "${st#Z}" = "$st" ]
}

# xlb-healthd announces in table 100, xlb-announce in 101: started by the
# next test, running to the end.  A test run alone (XLB_BATS_FILTER) starts
# it and attaches (ensure_announcer).
start_announcer() {
	nsenter --net="/run/netns/$NS" "$ANNOUNCE" table 101 interval 200 \
		>>"$BATS_FILE_TMPDIR/announce.log" 2>&1 3>&- &
	echo $! >"$BATS_FILE_TMPDIR/announce.pid"
}

ensure_announcer() {
	alive "$(cat "$BATS_FILE_TMPDIR/announce.pid" 2>/dev/null)" || start_announcer
	[ "$(lb -j config | jq -r .bound)" = true ] || lb attach hc1 mode generic
}

@test "both daemons announce by one rule: attached, maps bound, an active backend" {
	start_announcer
	lb attach hc1 mode generic
	until_routes 10 100 "blackhole $VIP"
	until_routes 10 101 "blackhole $VIP"
	# attached, but the maps unbound: neither can serve
	lb unbind
	until_routes 10 100 ""
	until_routes 10 101 ""
	lb attach hc1 mode generic
	until_routes 10 100 "blackhole $VIP"
	until_routes 10 101 "blackhole $VIP"
}

@test "restore and a module reload: the daemon resynchronises and keeps checking; both announcers withdraw meanwhile and announce again" {
	ensure_announcer
	until_field 10 "$BE1" health up
	lb save >"$BATS_FILE_TMPDIR/saved"
	grep -q "^health $SVC http" "$BATS_FILE_TMPDIR/saved"
	lb restore "$BATS_FILE_TMPDIR/saved"
	[ "$(field "$BE1" health)" = up ]
	until_routes 10 100 "blackhole $VIP"
	until_routes 10 101 "blackhole $VIP"
	rmmod xlb
	# the module is gone: both withdraw and run on
	until_routes 10 100 ""
	until_routes 10 101 ""
	alive "$(cat "$BATS_FILE_TMPDIR/announce.pid")"
	alive "$(cat "$BATS_FILE_TMPDIR/healthd.pid")"
	xlb_load
	# the saved attach line binds the new module's maps again
	lb restore "$BATS_FILE_TMPDIR/saved"
	until_routes 10 100 "blackhole $VIP"
	until_routes 10 101 "blackhole $VIP"
	# only the daemon reports health: it has found the new family
	until_field 15 "$BE1" health up
	until_field 15 "$BE2" health up
	grep -q "the xlb module went away" "$BATS_FILE_TMPDIR/healthd.log"
	stop_server "$B2"
	until_field 10 "$BE2" state drain
	[ "$(field "$BE2" weight)" = 5 ]
	start_server "$B2" "$BE2"
	until_field 10 "$BE2" state active
}

@test "SIGHUP is logged and kills nothing; SIGTERM withdraws and ends the exec checks" {
	local hd ann r101
	ensure_announcer
	hd=$(cat "$BATS_FILE_TMPDIR/healthd.pid")
	ann=$(cat "$BATS_FILE_TMPDIR/announce.pid")
	until_routes 15 100 "blackhole $VIP"
	r101=$(routes 101) # announced (the test above), unless that failed
	# an exec check that is still running when the signals come
	printf '#!/bin/sh\nsleep 31.5\n' >"$BATS_FILE_TMPDIR/slow-check"
	chmod +x "$BATS_FILE_TMPDIR/slow-check"
	# the service's check: the first backend's first check starts at once
	lb health "$SVC" exec command "$BATS_FILE_TMPDIR/slow-check" \
		interval 60 timeout 60
	local end=$((SECONDS + 10))
	until pgrep -f "$BATS_FILE_TMPDIR/slow-check" >/dev/null; do
		[ "$SECONDS" -le "$end" ]
		sleep 0.1
	done
	kill -HUP "$hd" "$ann"
	end=$((SECONDS + 10))
	until grep -q "SIGHUP: reading the configuration again" "$BATS_FILE_TMPDIR/healthd.log" &&
		grep -q "SIGHUP: no configuration file to read" "$BATS_FILE_TMPDIR/announce.log"; do
		alive "$hd"
		alive "$ann"
		[ "$SECONDS" -le "$end" ]
		sleep 0.1
	done
	alive "$hd"
	alive "$ann"
	pgrep -f "$BATS_FILE_TMPDIR/slow-check" >/dev/null
	[ "$(routes 100)" = "blackhole $VIP" ]
	[ "$(routes 101)" = "$r101" ]
	kill -TERM "$hd" "$ann"
	end=$((SECONDS + 10))
	while alive "$hd" || alive "$ann"; do
		[ "$SECONDS" -le "$end" ]
		sleep 0.1
	done
	[ "$(routes 100)" = "" ]
	[ "$(routes 101)" = "" ]
	# the check's process group is gone: the script and its sleep
	run pgrep -f "$BATS_FILE_TMPDIR/slow-check|sleep 31.5"
	[ "$status" -eq 1 ]
	grep -q "stopped" "$BATS_FILE_TMPDIR/healthd.log"
}
