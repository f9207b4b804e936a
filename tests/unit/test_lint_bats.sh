#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host test of scripts/lint_bats.py (the "bats" gate of make lint): planted
# assertions that cannot fail must be flagged, line by line, and the forms
# that do fail a test must not be.  In the fixture, "#BAD" ends every line
# the linter must report; no other line may be reported.  Then bats itself
# shows that the flagged forms really pass a test whose checks are false.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/planted.bats" <<'EOF'
#!/usr/bin/env bats
load vm/helpers
X=$(echo "a && b")

helper() {
	[ "$1" = a ] && [ "$2" = b ] #BAD
	! grep -q x /dev/null #BAD
	[ -s "$f" ] && kill "$(cat "$f")"
	! grep -q x /dev/null || false
	[ "$1" = a ] && [ "$2" = b ]
}

@test "mid-test && and !, in loops, case arms and groups" {
	local m
	[ "$a" = 0 ] && [ "$b" = 1 ] #BAD
	[[ $a == x ]] && (( b > 1 )) #BAD
	grep -q y /etc/hostname && test -n "$b" #BAD
	! pidof nothing #BAD
	run ! pidof nothing
	! pidof nothing || false
	true && ! false #BAD
	for f in 4 6; do
		[ "${m% *}" = 0 ] && [ "${m#* }" = 3000 ] #BAD
	done
	case $via in
	lb1) [ "$b1" -gt 0 ] && [ "$b2" = 0 ] ;; #BAD
	(lb2) ! false ;; #BAD
	esac
	if [ -n "$x" ] && [ -n "$y" ]; then
		[ 1 = 1 ] && [ 2 = 2 ] #BAD
	fi
	while ! [ -e /nonexistent ] && [ "$n" -lt 3 ]; do n=$((n + 1)); done
	{ [ 1 = 1 ] && [ 2 = 2 ]; } >/dev/null #BAD
	x=$([ 1 = 1 ] && [ 2 = 2 ]; echo "$?")
	diff <(echo a) <(echo a)
	cat <<EOT
[ a ] && [ b ]
! heredoc text
EOT
	inner() { [ 1 = 1 ] && [ 2 = 2 ]; }
	[ "$(jq -r '.x // "a && b"' <<<"{}")" = 'a && b' ] || return 1
	((n < 600)) || { echo "timeout" >&2; return 1; }
	[ "$(xlb_maps)" -eq 0 ] && break
	[ 1 = 1 ] && [ 2 = 2 ]
}

@test 'the last command at the top level may be either' {
	echo "x \" ' \$(" 'it'"'"'s'
	! false
}
EOF

# shellcheck source=tap.bash
. "$root/tests/unit/tap.bash"

out=$(python3 "$root/scripts/lint_bats.py" "$tmp/planted.bats")
rc=$?
got=$(sed -nE 's/^[^:]+:([0-9]+): bats: .*/\1/p' <<<"$out" | xargs)
want=$(grep -n '#BAD$' "$tmp/planted.bats" | cut -d: -f1 | xargs)
[ "$got" = "$want" ]
result $((!$?)) "flags exactly the planted lines ($want)" \
	"got lines '$got', want '$want'; output: $out"
[ "$rc" -eq 1 ]
result $((!$?)) "exit status 1 with findings" "got $rc"
[ "$(grep -c '&&-joined assertion in test "mid-test' <<<"$out")" -eq 7 ]
result $((!$?)) "names the test and the && rule" "$out"
[ "$(grep -c 'bare ! in function helper' <<<"$out")" -eq 1 ]
result $((!$?)) "names the function and the ! rule" "$out"

# A file that is not shell at all: a parse error, exit 2, not a silent pass.
printf '@test "x" {\n\tcase $a in\n}\n' >"$tmp/broken.bats"
out=$(python3 "$root/scripts/lint_bats.py" "$tmp/broken.bats")
rc=$?
[ "$rc" -eq 2 ] && [[ $out == *"cannot parse"* ]]
result $((!$?)) "an unparsable file is an error (exit 2)" "got $rc: $out"

# Every bats file of the tree parses (the gate itself is make lint-bats).
mapfile -t files < <(find "$root/tests" \( -name '*.bats' -o -name '*.bash' \))
out=$(python3 "$root/scripts/lint_bats.py" "${files[@]}")
rc=$?
[ "$rc" -le 1 ]
result $((!$?)) "all ${#files[@]} bats and helper files of tests/ parse" "$out"

# Why: under bats, the flagged forms pass although their checks are false.
if command -v bats >/dev/null; then
	cat >"$tmp/why.bats" <<'EOF'
@test "&& mid-test" {
	[ 1 = 2 ] && [ 1 = 1 ]
	true
}
@test "! mid-test" {
	! true
	true
}
EOF
	out=$(bats --tap "$tmp/why.bats" 2>&1)
	[ "$(grep -c '^ok' <<<"$out")" -eq 2 ]
	result $((!$?)) "bats passes both flagged forms with false checks" "$out"
fi

tap_done
