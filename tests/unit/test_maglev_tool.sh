#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# test_maglev_tool.sh - checks build/maglev-tool, the reference other test
# suites compare the module's tables with: output formats, order
# independence, weights, errors.  TAP output, non-zero exit on failure.
# Usage: test_maglev_tool.sh [path/to/maglev-tool]
TOOL=${1:-${MAGLEV_TOOL:-build/maglev-tool}}
n=0
failed=0

check() {	# check "description" command...
	desc=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		failed=$((failed + 1))
	fi
}

if ! "$TOOL" --help >/dev/null 2>&1; then
	echo "not ok 1 - $TOOL runs"
	echo "1..1"
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$TOOL" --m 251 10.0.0.1 10.0.0.2:2 '[2001:db8::1]:3' 2001:db8::2 >"$tmp/t1"
check "table has one line per slot" test "$(wc -l <"$tmp/t1")" -eq 251
check "every slot holds one of the backends" \
	test -s "$tmp/t1" -a -z "$(grep -v -x -e 10.0.0.1 -e 10.0.0.2 -e 2001:db8::1 -e 2001:db8::2 "$tmp/t1")"

"$TOOL" --m 251 2001:db8::2 '[2001:db8::1]:3' 10.0.0.2:2 10.0.0.1 >"$tmp/t2"
check "shuffled input: identical table" cmp -s "$tmp/t1" "$tmp/t2"

d1=$("$TOOL" --m 251 --digest 10.0.0.1 10.0.0.2:2 '[2001:db8::1]:3' 2001:db8::2)
d2=$("$TOOL" --m 251 --digest 2001:db8::2 10.0.0.1 '[2001:db8::1]:3' 10.0.0.2:2)
check "digest format 0x%016llx" sh -c "echo '$d1' | grep -qx '0x[0-9a-f]\{16\}'"
check "shuffled input: same digest" test "$d1" = "$d2"
d3=$("$TOOL" --m 251 --seed 7 --digest 10.0.0.1 10.0.0.2:2 '[2001:db8::1]:3' 2001:db8::2)
check "another seed: another digest" test "$d1" != "$d3"

"$TOOL" --m 251 --counts 10.0.0.1 10.0.0.2:2 '[2001:db8::1]:3' 2001:db8::2 >"$tmp/c"
sort "$tmp/t1" | uniq -c | awk '{print $2, $1}' | sort >"$tmp/c_from_table"
sort "$tmp/c" >"$tmp/c_sorted"
check "--counts agrees with the table" cmp -s "$tmp/c_from_table" "$tmp/c_sorted"
check "--counts in command-line order" \
	test "$(cut -d' ' -f1 "$tmp/c" | tr '\n' ' ')" = "10.0.0.1 10.0.0.2 2001:db8::1 2001:db8::2 "
# weights 1:2:3:1 of 251 slots: 35.857, 71.714, 107.571, 35.857
check "weights 1/2/3/1 -> 36/72/107/36 slots" \
	test "$(cut -d' ' -f2 "$tmp/c" | tr '\n' ' ')" = "36 72 107 36 "

"$TOOL" --m 251 10.0.0.1:0 '[2001:db8::1]:0' >"$tmp/e"
check "every weight 0: exit 0, every slot '-'" \
	test "$(sort -u "$tmp/e")" = "-" -a "$(wc -l <"$tmp/e")" -eq 251
check "default table size is 65537" \
	test "$("$TOOL" 192.0.2.1 | wc -l)" -eq 65537

err() {	# err "expected message part" args...: must fail with that message
	want=$1
	shift
	! "$TOOL" "$@" >/dev/null 2>"$tmp/err" && grep -q -- "$want" "$tmp/err"
}
check "duplicate rejected" err "given twice" 10.0.0.1 10.0.0.1:3
check "duplicate IPv6 (other spelling) rejected" err "given twice" \
	2001:db8::1 '[2001:db8:0::1]:2'
check "non-prime size rejected" err "not one of the accepted primes" --m 1000 10.0.0.1
check "bad weight rejected" err "bad backend '10.0.0.1:70000'" 10.0.0.1:70000
check "bad address rejected" err "bad backend '10.0.0.300'" 10.0.0.300
many=""
i=0
while [ $i -lt 252 ]; do
	many="$many 10.1.$((i / 250)).$((i % 250 + 1))"
	i=$((i + 1))
done
# shellcheck disable=SC2086 # one argument per backend
check "more backends than slots rejected" err "do not fit" --m 251 $many

echo "1..$n"
[ "$failed" -eq 0 ] || { echo "# FAILED $failed of $n checks"; exit 1; }
