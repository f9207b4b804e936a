#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# VM suite: configurations larger than one netlink message (an attribute
# holds at most 64 KiB, about 2,300 IPv4 backends).  lbctl restore sends
# them as a staged REPLACE in parts (include/uapi/xlb_netlink.h,
# kmod/nl_txn.c), which the module applies at the last part, or not at all.
# Each size: save | restore | save is byte-identical and the counts are the
# generated ones.  Tests run in file order.

load lbctl_lib

setup_file() {
	lbctl_setup_file large
	xlb_load
}

teardown_file() {
	lbctl_teardown_file
}

# gen_svc VIP:PORT/PROTO FAMILY N [WEIGHT_SALT]: a service line and N
# backend lines (10.x.y.z or fd00:x::y), weights from the salt.
gen_svc() {
	local key=$1 fam=$2 n=$3 salt=${4:-0}
	echo "service add $key table-size 65537"
	awk -v n="$n" -v fam="$fam" -v s="$salt" -v key="$key" 'BEGIN {
		for (i = 0; i < n; i++) {
			if (fam == 4)
				a = sprintf("10.%d.%d.%d", 100 + int(i / 65536),
					    int(i / 256) % 256, i % 256)
			else
				a = sprintf("fd00:%x::%x", 100 + int(i / 65536), i % 65536)
			printf "add %s weight %d service %s\n", a, (i * 7 + s) % 50 + 1, key
		}
	}'
}

# restore FILE, then save | restore | save must be byte-identical; prints
# the number of backends saved.
round_trip() {
	local f=$1 s1=$BATS_TEST_TMPDIR/s1 s2=$BATS_TEST_TMPDIR/s2
	lb restore "$f"
	lb save >"$s1"
	lb restore "$s1"
	lb save >"$s2"
	cmp "$s1" "$s2"
	grep -c '^add ' "$s1"
}

@test "1 service, 10,000 IPv4 backends: restored whole, save | restore | save identical" {
	local f=$BATS_TEST_TMPDIR/c
	gen_svc 192.0.2.1:80/tcp 4 10000 >"$f"
	run round_trip "$f"
	[ "$status" -eq 0 ]
	[ "$output" = 10000 ]
	run lb -j show
	[ "$(jq -r '.[0].nbackends' <<<"$output")" = 10000 ]
	[ "$(jq -r '[.[0].backends[].slots] | add' <<<"$output")" = 65537 ]
}

@test "1 service, 10,000 IPv6 backends: restored whole, save | restore | save identical" {
	local f=$BATS_TEST_TMPDIR/c
	gen_svc '[2001:db8::1]:80/tcp' 6 10000 >"$f"
	run round_trip "$f"
	[ "$status" -eq 0 ]
	[ "$output" = 10000 ]
	run lb -j show
	[ "$(jq -r 'length' <<<"$output")" = 1 ]
	[ "$(jq -r '.[0].nbackends' <<<"$output")" = 10000 ]
}

# gen_many 4|6: 1,000 services of that family with 10 backends each.
gen_many() {
	awk -v fam="$1" 'BEGIN {
		for (i = 0; i < 1000; i++) {
			if (fam == 4)
				k = sprintf("192.0.2.%d:%d/udp", i % 250 + 1, 1000 + int(i / 250))
			else
				k = sprintf("[2001:db8::%x]:443/tcp", i + 1)
			printf "service add %s table-size 251\n", k
			for (j = 0; j < 10; j++) {
				if (fam == 4)
					a = sprintf("10.3.%d.%d", i % 250, 10 * int(i / 250) + j)
				else
					a = sprintf("fd00:3::%x:%x", i, j)
				printf "add %s weight %d service %s\n", a, (i + j) % 9 + 1, k
			}
		}
	}'
}

# many_services 4|6: gen_many's configuration restored whole and round-tripped.
many_services() {
	local f=$BATS_TEST_TMPDIR/c
	gen_many "$1" >"$f"
	run round_trip "$f"
	[ "$status" -eq 0 ]
	[ "$output" = 10000 ]
	run lb -j show
	[ "$(jq -r 'length' <<<"$output")" = 1000 ]
}

@test "1,000 IPv4 services with 10 backends each" {
	many_services 4
}

@test "1,000 IPv6 services with 10 backends each" {
	many_services 6
}

@test "the largest configuration the limits allow, and one backend or service more refused whole" {
	local f=$BATS_TEST_TMPDIR/c before
	xlb_unload
	insmod "$XLB_KO" max_services=3 max_backends=5000
	{
		gen_svc 192.0.2.1:80/tcp 4 5000
		gen_svc '[2001:db8::1]:80/tcp' 6 5000 3
		gen_svc 192.0.2.2:53/udp 4 5000 5 | sed 's/^add 10\.1/add 10.2/'
	} >"$f"
	run round_trip "$f"
	[ "$status" -eq 0 ]
	[ "$output" = 15000 ]
	before=$(lb save)
	# one backend more than max_backends in the last part's service
	echo "add 10.250.0.1 service 192.0.2.2:53/udp" >>"$f"
	run lb restore "$f"
	expect 1 "lbctl: restore (staged, nothing applied): service 192.0.2.2:53/udp: 5001 backends exceed the limit of 5000"
	[ "$(lb save)" = "$before" ]
	# one service more than max_services
	sed -i '$d' "$f"
	echo "service add 192.0.2.3:53/udp" >>"$f"
	run lb restore "$f"
	expect 1 "lbctl: restore (staged, nothing applied): 4 services exceed the limit of 3"
	[ "$(lb save)" = "$before" ]
	xlb_unload
	xlb_load
}

# pause SECONDS: a sleep that starts no process (a read that times out on
# the fifo opened read-write on fd $PAUSE_FD by the test): under TCG a
# process start takes longer than a staged part.
pause() {
	read -r -t "$1" -u "$PAUSE_FD" _ || true
}

@test "restore killed at random points: the old or the new configuration, never a mix" {
	local a=$BATS_TEST_TMPDIR/a b=$BATS_TEST_TMPDIR/b sa sb s i t0 t1 ms pid r
	local from=a to d d0 n first last kept=0 applied=0 staged=0
	# 12,000 backends: about ten parts
	{
		gen_svc 192.0.2.1:80/tcp 4 6000 1
		gen_svc '[2001:db8::1]:80/tcp' 6 6000 2
	} >"$a"
	{
		gen_svc 192.0.2.1:80/tcp 4 6000 11
		gen_svc '[2001:db8::1]:80/tcp' 6 6000 12
	} >"$b"
	lb restore "$b"
	sb=$(lb save)
	# The restore's own time, started as the killed ones are, and its
	# sendmsg calls: the first large one begins the stage, the last one
	# commits it.
	t0=$(date +%s%N)
	strace -f -qq -o "$BATS_TEST_TMPDIR/trace" -e trace=sendmsg \
		nsenter --net="/run/netns/$NS" "$LBCTL" restore "$a"
	t1=$(date +%s%N)
	sa=$(lb save)
	[ "$sa" != "$sb" ]
	ms=$(((t1 - t0) / 1000000))
	read -r first last < <(grep -o 'nlmsg_len=[0-9]*' "$BATS_TEST_TMPDIR/trace" |
		awk -F= '$2 > 16384 && !f { f = NR } { l = NR } END { print f, l }')
	echo "# sendmsg calls: the parts are calls $first to $last" >&3
	[ $((last - first)) -ge 3 ]
	mkfifo "$BATS_TEST_TMPDIR/pause"
	exec {PAUSE_FD}<>"$BATS_TEST_TMPDIR/pause"
	# Restore the other configuration and kill it: odd rounds at a random
	# point of the measured restore time (before, during or after its
	# parts), even rounds on entering a random part's sendmsg after the
	# first part and before the last (strace injects the SIGKILL): the
	# stage is in flight then.  After every kill the configuration is the
	# one before or the one restored (then the next round restores the
	# first again); a kill in flight leaves the one before, and the module
	# counts the discarded stage.
	for ((i = 1; i <= 8; i++)); do
		if [ $from = a ]; then to=b; else to=a; fi
		d0=$(lb -j config | jq .txn_discarded)
		if ((i % 2)); then
			r=$((ms * RANDOM / 32768))
			printf -v r '%d.%03d' $((r / 1000)) $((r % 1000))
			nsenter --net="/run/netns/$NS" "$LBCTL" restore "$BATS_TEST_TMPDIR/$to" &
			pid=$!
			pause "$r"
			kill -KILL "$pid" 2>/dev/null || true
			wait "$pid" || true
		else
			n=$((first + 1 + RANDOM % (last - first - 1)))
			run strace -f -qq -o /dev/null -e trace=sendmsg \
				-e inject=sendmsg:signal=KILL:when="$n" \
				nsenter --net="/run/netns/$NS" "$LBCTL" restore "$BATS_TEST_TMPDIR/$to"
			echo "# kill $i: on entering sendmsg $n: $output" >&3
			[ "$status" = 137 ]
		fi
		s=$(lb save)
		d=$(lb -j config | jq .txn_discarded)
		if ((i % 2 == 0)); then
			# in flight: the configuration before, one stage discarded
			[ "$s" = "$(if [ $from = a ]; then echo "$sa"; else echo "$sb"; fi)" ]
			[ "$d" = $((d0 + 1)) ]
			staged=$((staged + 1))
		fi
		if [ "$s" = "$(if [ $from = a ]; then echo "$sa"; else echo "$sb"; fi)" ]; then
			kept=$((kept + 1))
		elif [ "$s" = "$(if [ $to = a ]; then echo "$sa"; else echo "$sb"; fi)" ]; then
			applied=$((applied + 1))
			from=$to
		else
			echo "kill $i: neither the configuration before nor the one restored"
			return 1
		fi
	done
	echo "# restore took ${ms} ms; $((i - 1)) kills: $kept left the configuration before, $applied the new one; $staged in flight, each discarded by the module" >&3
	[ "$staged" = 4 ]
}
