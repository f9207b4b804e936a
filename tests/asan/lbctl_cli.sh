#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Part of `make check-asan`: drive an lbctl built with
# -fsanitize=address,undefined through its parsers (command line and
# restore files), good and bad input, on a host without the module.  Exit
# codes are lbctl's own business (tests/unit/test_lbctl_parse.c and the VM
# suites check them); this fails only on a sanitizer report, which the
# sanitizers signal with exit code 86 (see mk/lint.mk) and a "Sanitizer" /
# "runtime error" message.
#
# usage: tests/asan/lbctl_cli.sh LBCTL
set -u
lbctl=${1:?usage: lbctl_cli.sh LBCTL}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0

cat >"$tmp/good" <<'CONF'
# a comment
config seed 0x12345678
service add 192.0.2.10:80/tcp table-size 4093 hash 5tuple
add 198.51.100.1 weight 3 service 192.0.2.10:80/tcp
add 198.51.100.2 weight 0 state drain service 192.0.2.10:80/tcp
service add [2001:db8::10]:443/udp
add 2001:db8::1 weight 65535 service [2001:db8::10]:443/udp
CONF
printf 'service add 192.0.2.10:80/tcp\nadd 1.2.3.4 weight x service 192.0.2.10:80/tcp\n' >"$tmp/bad1"
printf 'service add 192.0.2.10:80/sctp\n' >"$tmp/bad2"
printf 'add 1.2.3.4\n%5000s\n' x >"$tmp/bad3"
printf 'service add [::1:80/tcp\nservice add 1.2.3.4:0/tcp\n\0\n' >"$tmp/bad4"
: >"$tmp/empty"

while IFS= read -r line; do
	[ -n "$line" ] || continue
	n=$((n + 1))
	# shellcheck disable=SC2086 # the test line is a word list
	"$lbctl" $line >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	if [ $rc -eq 86 ] || grep -qE 'Sanitizer|runtime error' "$tmp/err"; then
		echo "not ok $n - lbctl $line (exit $rc)"
		sed 's/^/#   /' "$tmp/err"
		fail=$((fail + 1))
	else
		echo "ok $n - lbctl $line (exit $rc)"
	fi
done <<EOF2
--version
help
-j help
add 300.1.1.1 weight 1
add 10.0.0.1 weight 70000
add 10.0.0.1 weight -1
add 10.0.0.1 weight 0x10
add 10.0.0.1 weight
add
add 2001:db8::1 weight 5 service [2001:db8::10]:80/tcp
add 2001:db8::1::2 weight 5
service add 10.0.0.1:99999/tcp
service add 10.0.0.1:http/tcp table-size 65537
service add 10.0.0.1:80/tcp table-size 65536
service add [2001:db8::1]:80
service add
set 10.0.0.1 weight 2 state drain
lookup 10.0.0.1:80 198.51.100.7:40000 tcp
frobnicate
restore $tmp/good
restore $tmp/bad1
restore $tmp/bad2
restore $tmp/bad3
restore $tmp/bad4
restore $tmp/empty
restore /nonexistent
EOF2

echo "1..$n"
echo "$((n - fail)) passed, $fail failed"
[ $fail -eq 0 ]
