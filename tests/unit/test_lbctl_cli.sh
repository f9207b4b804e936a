#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host test of lbctl's command line, without the module: what lbctl decides
# before it talks to the kernel (options, keywords, numbers, backends).
# Where a line is good, lbctl goes on to the module and, on a host without
# it, exits 2 "not loaded": the test only asserts that the line parsed.
#
# usage: tests/unit/test_lbctl_cli.sh [LBCTL]   (default build/lbctl)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-build}
[[ $build == /* ]] || build=$root/$build
lbctl=${1:-$build/lbctl}
# shellcheck source=tap.bash
. "$root/tests/unit/tap.bash"

# expect STATUS OUTPUT ARGS...: exit status and stdout+stderr, exactly.
expect() {
	local want_rc=$1 want=$2 got rc
	shift 2
	got=$("$lbctl" "$@" 2>&1 </dev/null)
	rc=$?
	[ "$rc" = "$want_rc" ] && [ "$got" = "$want" ]
	result $((!$?)) "lbctl $* -> $want_rc '$want'" \
		"got $rc '$got'"
}

# parses ARGS...: the line got past lbctl's own checks (0, or 2 for a
# missing module), never exit 1 nor a complaint about the words.
parses() {
	local got rc
	got=$("$lbctl" "$@" 2>&1 </dev/null)
	rc=$?
	[ "$rc" != 1 ] && [[ $got != *unknown* && $got != *invalid* ]]
	result $((!$?)) "lbctl $* parses" "got $rc '$got'"
}

ver=$("$lbctl" --version)

# Global options anywhere before "--", as in bpftool.
parses show -j
parses show -n service 192.0.2.10:80/tcp
parses -j show -n
parses show service 192.0.2.10:80/tcp -jn
expect 0 "$ver" show -V
expect 0 "$ver" add 10.0.0.2 --version
expect 1 'lbctl: unknown command "-j": expected one of add, set, drain, del, service, show, stats, lookup, attach, detach, unbind, config, save, restore, flush, monitor, help, version' -- -j
expect 1 'lbctl: unknown argument "-j" to show (see: lbctl help)' show -- -j
expect 1 'lbctl: unknown option "-x": expected -j, -n, -jn, --version or --help' -x show
expect 1 'lbctl: unknown argument "-x" to show (see: lbctl help)' show -x
expect 1 'lbctl: invalid weight "-1": expected a decimal integer 0..65535' set 10.0.0.2 weight -1
expect 0 "$ver" version

# stats: --rate, --prometheus and --zero are the keywords (lbctl_metrics.bats
# compares their output in the VM).
expect 1 'lbctl: "rate" and "prometheus" do not go together: Prometheus computes rates itself' stats --rate --prometheus
expect 1 'lbctl: "output" needs "prometheus"' stats --rate output /dev/null
expect 1 'lbctl: "stats zero" takes no other argument: it zeroes every counter of the namespace' stats --zero --rate
expect 1 'lbctl: unknown argument "--rates" to stats (see: lbctl help)' stats --rates
parses stats --prometheus output /dev/null

# Numbers are decimal: no octal, no hex (the seed takes 0x).
expect 1 'lbctl: invalid weight "0x10": expected a decimal integer 0..65535' add 10.0.0.2 weight 0x10
parses add 10.0.0.2 weight 08
parses config set seed 0x9e3779b9
parses config set seed 010
expect 1 'lbctl: invalid seed "0xg": expected a decimal or 0x hexadecimal integer 0..4294967295' config set seed 0xg
expect 1 'lbctl: invalid max-services "0x10": expected a decimal integer 1..4096' attach lo max-services 0x10

# Backends take no port; a keyword once.
expect 1 "lbctl: invalid backend \"10.0.0.2:80\": backends take no port (packets keep the service's port): expected an IPv4 or IPv6 address" add 10.0.0.2:80
expect 1 "lbctl: invalid backend \"[2001:db8::2]:80\": backends take no port (packets keep the service's port): expected an IPv4 or IPv6 address" drain '[2001:db8::2]:80'
expect 1 'lbctl: keyword "weight" given twice: give each keyword once' add 10.0.0.2 weight 1 weight 2
expect 1 'lbctl: keyword "service" given twice: give each keyword once' set 10.0.0.2 service 192.0.2.10:80/tcp weight 1 service 192.0.2.11:80/tcp
expect 1 'lbctl: keyword "hash" given twice: give each keyword once' service add 192.0.2.10:80/tcp hash src hash 5tuple
expect 1 'lbctl: keyword "seed" given twice: give each keyword once' config set seed 1 seed 2
expect 1 'lbctl: keyword "mode" given twice: give each keyword once' attach lo mode native mode generic
expect 1 'lbctl: "force" goes last: attach DEV [options] force' attach lo force mode generic
f=$(mktemp)
printf 'service add 192.0.2.10:80/tcp\nadd 10.0.0.2 weight 1 weight 2\n' >"$f"
expect 1 "lbctl: $f:2: keyword \"weight\" given twice: give each keyword once" restore "$f"
printf 'service add 192.0.2.10:80/tcp\nadd 10.0.0.2:80\n' >"$f"
expect 1 "lbctl: $f:2: invalid backend \"10.0.0.2:80\": backends take no port (packets keep the service's port): expected an IPv4 or IPv6 address" restore "$f"
printf 'config seed 1 seed 2\n' >"$f"
expect 1 "lbctl: $f:1: keyword \"seed\" given twice: give each keyword once" restore "$f"

# A backend's own health check: on the command line and in a restore file.
expect 1 'lbctl: missing backend address after "backend"' health 192.0.2.10:80/tcp backend
expect 1 "lbctl: invalid backend \"10.0.0.2:80\": backends take no port (packets keep the service's port): expected an IPv4 or IPv6 address" health 192.0.2.10:80/tcp backend 10.0.0.2:80 tcp
expect 1 'lbctl: invalid rise "0": expected a decimal integer 1..100' health 192.0.2.10:80/tcp backend 10.0.0.2 tcp rise 0
parses health 192.0.2.10:80/tcp backend 10.0.0.2 udp send hex:00ff receive ok
svc='service add 192.0.2.10:80/tcp\n'
be='add 10.0.0.9 service 192.0.2.10:80/tcp\n'
own='health 192.0.2.10:80/tcp backend 10.0.0.9 tcp\n'
printf '%b' "$svc$own" >"$f"
expect 1 "lbctl: $f:2: backend not declared before this line (expected: add ADDR ... service VIP:PORT/PROTO)" restore "$f"
printf '%b' "$svc$be$own$own" >"$f"
expect 1 "lbctl: $f:4: health check given twice for this backend" restore "$f"
printf '%b' "$svc${be}health 192.0.2.10:80/tcp backend 10.0.0.9 tcp rise 0\n" >"$f"
expect 1 "lbctl: $f:3: invalid rise \"0\": expected a decimal integer 1..100" restore "$f"
printf '%b' "${svc}health 192.0.2.10:80/tcp backend\n" >"$f"
expect 1 "lbctl: $f:2: expected: health VIP:PORT/PROTO backend ADDR TYPE [KEYWORD VALUE]..." restore "$f"
printf '%b' "$svc$be$own" >"$f"
parses restore "$f"
rm -f "$f"

tap_done
