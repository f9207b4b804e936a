#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xlb-vm: cpus 2
#
# End to end, in the VM: the data path outlives the module.  rmmod xlb with
# the XDP program attached keeps forwarding with the last published tables;
# insmod + lbctl restore + lbctl attach recovers the previous state.
# Topology: tests/e2e/topo.sh; tests run in file order.

load e2e/suite

@test "before: weights 10/20/30, mapping and state recorded" {
	e2e_lb lb1 1:10 2:20 3:30
	for f in 4 6; do
		run flows "$f" -n 1500 -b 20000 -m "$E2E_DIR/m$f.before"
		echo "$output"
		check_shares "$output" b1:10 b2:20 b3:30 4
	done
	lbn lb1 save >"$E2E_DIR/saved.conf"
	lbn lb1 -j show >"$E2E_DIR/show.before"
	cat "$E2E_DIR/saved.conf"
}

@test "rmmod xlb with the program attached: forwarding goes on, same backends" {
	local open out f m
	open=$(hold_start mod 4 40 30000)
	note "held: $open"
	rmmod xlb
	run ! xlb_loaded
	ip -n "$E2E_P-lb1" -j link show dev eth0 | jq -e '.[0].xdp.prog.id' >/dev/null
	for f in 4 6; do
		run flows "$f" -n 1500 -b 20000 -m "$E2E_DIR/m$f.unloaded"
		echo "$output"
		[ "$(jq .fail <<<"$output")" = 0 ]
		m=$(map_moved "$E2E_DIR/m$f.before" "$E2E_DIR/m$f.unloaded")
		note "IPv$f without the module: flows on another backend: ${m% *} of ${m#* }"
		[ "${m% *}" = 0 ]
	done
	out=$(hold_check mod)
	note "connections opened before the unload: $out"
	[ "$(jq .ok <<<"$out")" = 40 ] && [ "$(jq .fail <<<"$out")" = 0 ]
}

@test "insmod + lbctl restore + attach: same state, same mapping, changes work again" {
	local f m
	insmod "$XLB_KO"
	lbn lb1 restore "$E2E_DIR/saved.conf"
	lbn lb1 attach eth0 mode native
	lbn lb1 -j show >"$E2E_DIR/show.after"
	diff "$E2E_DIR/show.before" "$E2E_DIR/show.after"
	note "digests: $(jq -c '[.[].digest]' "$E2E_DIR/show.after")"
	for f in 4 6; do
		run flows "$f" -n 1500 -b 20000 -m "$E2E_DIR/m$f.reloaded"
		[ "$(jq .fail <<<"$output")" = 0 ]
		m=$(map_moved "$E2E_DIR/m$f.before" "$E2E_DIR/m$f.reloaded")
		note "IPv$f after reload: flows on another backend: ${m% *} of ${m#* }"
		[ "${m% *}" = 0 ]
	done
	# The reloaded module publishes into the maps the program uses.
	e2e_be lb1 drain 2
	run flows 4 -n 1500 -b 21000
	note "after drain b2: $output"
	check_shares "$output" b1:10 b3:30 4
}
