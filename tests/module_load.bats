#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# VM suite: xlb.ko loads, registers the generic netlink family "xlb",
# unloads cleanly (the family goes with it) and loads again; lbctl runs.
# The tests run in file order and build on each other: load, inspect,
# unload, reload.

load vm/helpers

# `run !` (bats >= 1.5) because a bare `! cmd` never fails a test.
bats_require_minimum_version 1.5.0

setup_file() {
	[ -f "$XLB_KO" ] || { echo "no module at $XLB_KO (make module)" >&2; return 1; }
	# Start from a kernel without the module.
	xlb_unload
}

teardown_file() {
	xlb_unload || true
}

@test "insmod xlb.ko succeeds" {
	run insmod "$XLB_KO"
	echo "$output"
	[ "$status" -eq 0 ]
	xlb_loaded
}

@test "generic netlink family xlb is registered" {
	xlb_loaded
	run genl ctrl list
	[ "$status" -eq 0 ]
	echo "$output" | grep -qx 'Name: xlb'
}

@test "lbctl --version prints a version" {
	run "$LBCTL" --version
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" =~ [0-9]+\.[0-9]+ ]]
}

@test "rmmod xlb succeeds and the family is gone" {
	xlb_loaded
	run rmmod xlb
	echo "$output"
	[ "$status" -eq 0 ]
	run ! xlb_loaded
	run ! xlb_genl_registered
}

@test "module loads and unloads again" {
	for i in 1 2; do
		insmod "$XLB_KO"
		xlb_genl_registered
		rmmod xlb
		run ! xlb_genl_registered
	done
	run ! xlb_loaded
}
