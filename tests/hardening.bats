#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# VM suite: hostile netlink callers and privilege.  A short netlink fuzz run
# (build/nlfuzz), limits enforced with small module parameters and no
# partial state, EPERM for unprivileged callers (non-root, and root of a
# user namespace that does not own the network namespace), and isolation
# between network namespaces, even for callers guessing service ids.
# Documentation/security.md has the threat model.  Tests run in file order.

load lbctl_lib

NLFUZZ=$XLB_ROOT/build/nlfuzz
: "${XLB_NLFUZZ_SHORT:=10000}"
# XLB_FUZZ_SEED replays a run (its seed is on nlfuzz's FAIL line); unset or
# 0: a new seed each run.
: "${XLB_FUZZ_SEED:=0}"

setup_file() {
	lbctl_setup_file hard
	[ -x "$NLFUZZ" ] || { echo "no $NLFUZZ (make fuzz-tools)" >&2; return 1; }
	export NS2="$NS-b"
	ip netns add "$NS2"
}

teardown_file() {
	ip netns del "$NS2" 2>/dev/null || true
	lbctl_teardown_file
}

# lbctl in the second namespace.
lb2() {
	lbctl_in "$NS2" "$@"
}

@test "nlfuzz: $XLB_NLFUZZ_SHORT messages, then the dump equals the model" {
	insmod "$XLB_KO"
	run in_ns "$NS" "$NLFUZZ" -n "$XLB_NLFUZZ_SHORT" -c 1000 \
		-s "$XLB_FUZZ_SEED"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"PASS: 0 failures"* ]]
	# It really talked to the module: changes accepted, garbage refused.
	[[ "$output" =~ accepted\ [1-9][0-9]+ ]]
	[[ "$output" =~ EINVAL\ [1-9][0-9]* ]]
	# The module still answers, in this namespace and in another one.
	run lb -j show
	[ "$status" -eq 0 ]
	run lb flush
	[ "$status" -eq 0 ]
	[ "$(lb -j show | jq length)" = 0 ]
	dmesg_clean
}

@test "limits: max_services=2 max_backends=3, ENOSPC, nothing partial" {
	rmmod xlb
	insmod "$XLB_KO" max_services=2 max_backends=3
	lb service add 192.0.2.1:80/tcp
	lb service add 192.0.2.2:80/tcp
	before=$(lb save)
	run lb service add 192.0.2.3:80/tcp
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == "lbctl: "*"limit 2"* ]]
	[ "$(lb save)" = "$before" ]

	for a in 10.0.0.1 10.0.0.2 10.0.0.3; do
		lb add $a service 192.0.2.1:80/tcp
	done
	before=$(lb save)
	run lb add 10.0.0.4 service 192.0.2.1:80/tcp
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == "lbctl: "*"maximum of 3 backends"* ]]
	[ "$(lb save)" = "$before" ]

	# An atomic restore over either limit changes nothing at all.
	printf '%s\n' "service add 192.0.2.7:80/tcp" "add 10.0.0.9" \
		"service add 192.0.2.8:80/tcp" "service add 192.0.2.9:80/tcp" \
		>"$BATS_TEST_TMPDIR/3svc"
	run lb restore "$BATS_TEST_TMPDIR/3svc"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(lb save)" = "$before" ]
	printf '%s\n' "service add 192.0.2.7:80/tcp" "add 10.0.0.1" \
		"add 10.0.0.2" "add 10.0.0.3" "add 10.0.0.4" \
		>"$BATS_TEST_TMPDIR/4be"
	run lb restore "$BATS_TEST_TMPDIR/4be"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(lb save)" = "$before" ]
	# The limits are per namespace: the other one has its own two.
	lb2 service add 192.0.2.1:80/tcp
	lb2 service add 192.0.2.2:80/tcp
	run lb2 service add 192.0.2.3:80/tcp
	[ "$status" -eq 1 ]
	lb2 flush
	[ "$(lb save)" = "$before" ]
	dmesg_clean
}

@test "non-root: every mutating command fails with EPERM, nothing changes" {
	rmmod xlb
	insmod "$XLB_KO"
	lb service add 192.0.2.10:80/tcp
	lb add 10.0.0.1 weight 3
	lb config set src4 10.9.9.9
	before=$(lb save)
	local cmds=(
		"service add 192.0.2.11:80/tcp"
		"service set 192.0.2.10:80/tcp table-size 251"
		"service del 192.0.2.10:80/tcp"
		"add 10.0.0.2"
		"set 10.0.0.1 weight 9"
		"drain 10.0.0.1"
		"del 10.0.0.1"
		"flush"
		"config set seed 7"
	)
	for cmd in "${cmds[@]}"; do
		run lb_nobody $cmd
		echo "nobody: lbctl $cmd -> $status: $output"
		[ "$status" -ne 0 ]
		[[ "$output" == *"permission denied"*"CAP_NET_ADMIN"* ]]
		[ "$(lb save)" = "$before" ]
	done
	run lb_nobody restore - <<<"service add 192.0.2.99:53/udp"
	echo "nobody: lbctl restore - -> $status: $output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"permission denied"*"CAP_NET_ADMIN"* ]]
	[ "$(lb save)" = "$before" ]
	# Reads are allowed, and show the same as for root.
	run lb_nobody -j show
	[ "$status" -eq 0 ]
	[ "$output" = "$(lb -j show)" ]
}

@test "root of a user namespace without CAP_NET_ADMIN over the netns: EPERM" {
	before=$(lb save)
	for cmd in "service add 192.0.2.12:80/tcp" "add 10.0.0.5" "flush" \
		   "config set seed 9"; do
		run in_ns "$NS" unshare --user --map-root-user \
			"$LBCTL" $cmd
		echo "userns root: lbctl $cmd -> $status: $output"
		[ "$status" -ne 0 ]
		[[ "$output" == *"permission denied"* ]]
	done
	[ "$(lb save)" = "$before" ]
	# Its own network namespace is its own to manage, and empty.
	run unshare --user --map-root-user --net sh -c \
		"'$LBCTL' service add 192.0.2.13:80/tcp && '$LBCTL' save"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"192.0.2.13:80/tcp"* ]]
	[[ "$output" != *"192.0.2.10"* ]]
	[ "$(lb save)" = "$before" ]
}

@test "isolation: another namespace sees nothing and cannot guess ids" {
	lb service add 192.0.2.20:53/udp
	lb add 10.0.0.7 service 192.0.2.20:53/udp
	before=$(lb save)
	[[ "$before" == *"service add 192.0.2.10:80/tcp"* ]]
	# The module answers in $NS2 (the refusals below are its own, not
	# lbctl's "module not loaded"), and $NS's services do not exist there.
	run lb2 -j show
	expect 0 '[]'
	run lb2 service del 192.0.2.10:80/tcp
	expect 1 'lbctl: service del 192.0.2.10:80/tcp: service 192.0.2.10:80/tcp does not exist'
	run lb2 del 10.0.0.1 service 192.0.2.10:80/tcp
	expect 1 'lbctl: del 10.0.0.1 (service 192.0.2.10:80/tcp): service 192.0.2.10:80/tcp does not exist'
	run lb2 lookup 198.51.100.1:1234 192.0.2.10:80 tcp
	expect 1 'lbctl: lookup: no service 192.0.2.10:80/tcp'
	# The same lookup in $NS finds the backend.
	run lb -j lookup 198.51.100.1:1234 192.0.2.10:80 tcp
	[ "$status" -eq 0 ]
	[ "$(jq -r .address <<<"$output")" = 10.0.0.1 ]
	# Raw netlink with every service id the module could have given out.
	run in_ns "$NS2" "$NLFUZZ" -p 64
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"448 requests for ids 0..63, 0 succeeded"* ]]
	[ "$(lb save)" = "$before" ]
	dmesg_clean
}
