#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# VM suite: per-namespace state is allocated on first use.  With the largest
# max_services, creating network namespaces costs no xlb memory; the first
# command that changes something allocates the namespace's state (about
# 1 MiB here), read-only commands answer an unused namespace as empty, and
# the state goes with the namespace.

load module_lib

N=32
PFX=xlbns-$$

setup_file() {
	[ -f "$XLB_KO" ] || { echo "no module at $XLB_KO (make module)" >&2; return 1; }
	[ -x "$LBCTL" ] || { echo "no lbctl at $LBCTL (make lbctl)" >&2; return 1; }
	xlb_unload || true
}

teardown_file() {
	del_ns
	xlb_unload || true
}

# Kernel memory in KiB where xlb's allocations land: unreclaimable slab
# (kmalloc, and kmalloc_large pages, which 6.1 counts there) plus vmalloc
# (kvmalloc fallback).  Read once it is steady: namespaces of an earlier
# round are freed by a workqueue.
kmem() {
	awk '/^SUnreclaim:/ { s += $2 } /^VmallocUsed:/ { s += $2 } END { print s }' /proc/meminfo
}

mem_used() {
	local a b i
	echo 2 >/proc/sys/vm/drop_caches
	a=$(kmem)
	for i in $(seq 30); do
		sleep 1
		b=$(kmem)
		[ $((a - b)) -lt 64 ] && [ $((b - a)) -lt 64 ] && break
		a=$b
	done
	echo "$b"
}

add_ns() {
	local i
	for i in $(seq "$N"); do ip netns add "$PFX-$i"; done
}

del_ns() {
	local i
	for i in $(seq "$N"); do ip netns del "$PFX-$i" 2>/dev/null || true; done
}

# KiB that creating N namespaces takes.
ns_cost() {
	local before after
	before=$(mem_used)
	add_ns
	after=$(mem_used)
	echo $((after - before))
}

@test "namespaces cost no xlb memory until a command changes something" {
	# Warm-up round: the first namespaces also fill the kernel's caches.
	ns_cost >/dev/null
	del_ns
	base=$(ns_cost)
	del_ns
	insmod "$XLB_KO" max_services=65536
	with=$(ns_cost)
	echo "KiB for $N namespaces: $base without xlb, $with with xlb (max_services=65536)"
	# Allocating at creation took about 1 MiB per namespace here.
	[ $((with - base)) -lt $((N * 1024 / 4)) ]

	# A namespace nobody configured answers as empty.
	run ip netns exec "$PFX-1" "${XLBNL[@]}" --dump service_get
	[ "$status" -eq 0 ]
	[ "$(jq '.messages | length' <<<"$output")" = 0 ]
	run ip netns exec "$PFX-1" "${XLBNL[@]}" service_get "{\"service\": $(svc 10.0.0.1 80)}"
	[ "$(jq -r .error <<<"$output")" = ENOENT ]
	[[ "$(jq -r .msg <<<"$output")" == 'service 10.0.0.1:80/tcp does not exist' ]]
	run ip netns exec "$PFX-1" "${XLBNL[@]}" --dump backend_get "{\"service\": {\"id\": 0}}"
	[ "$(jq -r .error <<<"$output")" = ENOENT ]
	run ip netns exec "$PFX-1" "${XLBNL[@]}" lookup \
		'{"flow": {"src4": "1.2.3.4", "dst4": "10.0.0.1", "sport": 1, "dport": 80, "proto": 6}}'
	[[ "$(jq -r .msg <<<"$output")" == 'no service 10.0.0.1:80/tcp' ]]
	run ip netns exec "$PFX-1" "${XLBNL[@]}" config_get
	[ "$status" -eq 0 ]
	[ "$(jq -r '.messages[0].config.max_services' <<<"$output")" = 65536 ]

	# The first change allocates the state, and works.
	before=$(mem_used)
	# (lbctl: a C client starts much faster than python under TCG)
	for i in $(seq "$N"); do
		ip netns exec "$PFX-$i" "$LBCTL" service add "10.0.0.$i:80/tcp" table-size 251
	done
	used=$(($(mem_used) - before))
	echo "KiB after the first command in each namespace: $used"
	# The measurement sees the state: at least 512 KiB per namespace.
	[ "$used" -gt $((N * 512)) ]
	run ip netns exec "$PFX-3" "${XLBNL[@]}" --dump service_get
	[ "$(jq -r '.messages[0].service.addr4' <<<"$output")" = 10.0.0.3 ]
	[ "$(jq '.messages | length' <<<"$output")" = 1 ]

	# Deleting the namespaces frees their state.
	before=$(mem_used)
	del_ns
	freed=$((before - $(mem_used)))
	echo "KiB freed with the namespaces: $freed"
	[ $((freed - base)) -gt $((N * 512)) ]
}
