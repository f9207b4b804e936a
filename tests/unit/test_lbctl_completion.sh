#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host test of user/lbctl.bash-completion: drive the completion function
# with COMP_WORDS, COMP_CWORD, COMP_LINE and COMP_POINT set as bash sets them
# and compare COMPREPLY.  Service and backend names come from
# `lbctl -n service list` / `show`; a stand-in lbctl on PATH prints a fixed
# configuration so the test needs no module.  Interface names come from a
# network namespace of our own with a fresh sysfs, whose devices the test
# creates (so the expected list is known, not read the way the completion
# reads it).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/lbctl" <<'FAKE'
#!/bin/sh
case "$*" in
"-n service list") printf '%s\n' \
	"service 192.0.2.10:80/tcp table-size 65537 hash 5tuple backends 1 digest 0" \
	"service [2001:db8::10]:443/tcp table-size 65537 hash 5tuple backends 1 digest 0" ;;
"-n show") printf '%s\n' \
	"service 192.0.2.10:80/tcp table-size 65537 hash 5tuple backends 1 digest 0" \
	"  backend 10.0.0.2   weight 1  slots 65537  100.00%  active" \
	"service [2001:db8::10]:443/tcp table-size 65537 hash 5tuple backends 1 digest 0" \
	"  backend 2001:db8::2   weight 1  slots 65537  100.00%  active" ;;
esac
FAKE
chmod +x "$tmp/lbctl"
PATH=$tmp:$PATH
# COMPLETION=FILE tests another completion file (e.g. an old one).
# shellcheck source=../../user/lbctl.bash-completion
. "${COMPLETION:-$root/user/lbctl.bash-completion}"

# What bash hands a completion function for the command line LINE (cursor
# at its end), as bash 5 splits it (pcomplete.c; checked against an
# interactive bash): blanks separate words; every other character of
# COMP_WORDBREAKS (":", "=", "@", ...) is a word of its own, a run of them
# one word; a line ending in a blank has an empty word last.  No quoting
# (the lines below have none).
comp_set() {
	local line=$1 i c kind prev= w= brk=${COMP_WORDBREAKS//[[:space:]]/}
	COMP_WORDS=()
	for ((i = 0; i < ${#line}; i++)); do
		c=${line:i:1}
		if [[ $c == [[:space:]] ]]; then
			kind=blank
		elif [[ $brk == *"$c"* ]]; then
			kind=break
		else
			kind=word
		fi
		if [ "$kind" != "$prev" ] && [ -n "$w" ]; then
			COMP_WORDS+=("$w")
			w=
		fi
		[ "$kind" = blank ] || w+=$c
		prev=$kind
	done
	if [ -n "$w" ]; then
		COMP_WORDS+=("$w")
	else
		COMP_WORDS+=("")
	fi
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$line
	COMP_POINT=${#line}
}

# shellcheck source=tap.bash
. "$root/tests/unit/tap.bash"

check() {	# WANT LINE
	local want=$1 line=$2
	comp_set "$line"
	_lbctl
	local got="${COMPREPLY[*]}"
	[ "$got" = "$want" ]
	result $((!$?)) "'$line' -> '$want'" "got '$got', want '$want'"
}

# The splitting itself, as bash does it.
comp_set "lbctl lookup 1.2.3.4:5 192.0.2.10:"
got="${#COMP_WORDS[@]} $COMP_CWORD ${COMP_WORDS[*]}"
want="7 6 lbctl lookup 1.2.3.4 : 5 192.0.2.10 :"
[ "$got" = "$want" ]
result $((!$?)) "COMP_WORDS split at ':'" "got '$got', want '$want'"

check "set service show stats save" "lbctl s"
check "--json --numeric --version --help" "lbctl --"
check "add set del list" "lbctl service "
check "table-size hash udp-timeout" "lbctl service add 192.0.2.10:80/tcp "
check "table-size hash udp-timeout" "lbctl service set 192.0.2.10:80/tcp "
check "" "lbctl service add 192.0.2.10:80/udp udp-timeout "
check "unbind" "lbctl u"
check "version" "lbctl v"
check "5tuple src" "lbctl service add 192.0.2.10:80/tcp hash "
check "192.0.2.10:80/tcp [2001:db8::10]:443/tcp" "lbctl service del "
check "192.0.2.10:80/tcp" "lbctl service del 19"
# After a ':' bash replaces only what follows it: the reply is that part.
check "80/tcp" "lbctl service del 192.0.2.10:"
check "80/tcp" "lbctl service del 192.0.2.10:8"
check "10]:443/tcp" "lbctl service del [2001:db8::1"
check "weight state service" "lbctl add 10.0.0.2 "
check "weight state service" "lbctl add 2001:db8::7 "
check "192.0.2.10:80/tcp [2001:db8::10]:443/tcp" "lbctl add 10.0.0.2 weight 3 service "
check "443/tcp" "lbctl add 2001:db8::7 service [2001:db8::10]:"
check "active drain" "lbctl set 10.0.0.2 state "
check "active drain" "lbctl set 2001:db8::2 state "
check "10.0.0.2 2001:db8::2" "lbctl drain "
check "2" "lbctl drain 2001:db8::"
check "service" "lbctl del 10.0.0.2 "
check "service" "lbctl del 2001:db8::2 "
check "native generic" "lbctl attach lo mode "
check "force" "lbctl attach lo mode generic f"
check "tcp udp" "lbctl lookup 1.2.3.4:5 192.0.2.10:80 "
check "tcp udp" "lbctl lookup [2001:db8::1]:5 [2001:db8::10]:443 "
check "show set" "lbctl config "
check "service rate interval prometheus output zero" "lbctl stats "
check "service rate interval prometheus output zero" "lbctl stats rate "
check "" "lbctl stats rate interval "
check "--rate --prometheus --zero" "lbctl stats --"
check "--prometheus" "lbctl stats --p"
check "" "lbctl add 10.0.0.2 weight "
check "health help" "lbctl h"
check "192.0.2.10:80/tcp [2001:db8::10]:443/tcp" "lbctl health "
check "tcp http udp exec none backend" "lbctl health 192.0.2.10:80/tcp "
check "10.0.0.2 2001:db8::2" "lbctl health 192.0.2.10:80/tcp backend "
check "tcp http udp exec none" "lbctl health 192.0.2.10:80/tcp backend 10.0.0.2 "
check "port interval timeout rise fall command" "lbctl health 192.0.2.10:80/tcp backend 10.0.0.2 exec "
check "" "lbctl health 192.0.2.10:80/tcp backend 10.0.0.2 exec port "
check "port interval timeout rise fall path host expect" "lbctl health 192.0.2.10:80/tcp http "
check "" "lbctl health 192.0.2.10:80/tcp http path "
check "port interval timeout rise fall send receive" "lbctl health 192.0.2.10:80/tcp udp send x "
check "rise" "lbctl health 192.0.2.10:80/tcp tcp interval 1 r"
check "" "lbctl health 192.0.2.10:80/tcp tcp timeout "
check "" "lbctl health 192.0.2.10:80/tcp none "

# The same in a real interactive bash through a pty (tests/unit/bash_pty.py):
# readline splits the line by COMP_WORDBREAKS itself, so a completion that
# trusts COMP_WORDS, or replaces the wrong part of a word with ':', fails
# here whatever comp_set above believes.  "list" is what M-? lists, "tab"
# what TAB inserts.
real=(
	"list	lbctl lookup 1.2.3.4:5 192.0.2.10:80 |tcp udp"
	"tab	lbctl lookup 1.2.3.4:5 192.0.2.10:80 u|dp "
	"list	lbctl lookup [2001:db8::1]:5 [2001:db8::10]:443 |tcp udp"
	"list	lbctl show service 192.0.2.10:|80/tcp"
	"tab	lbctl show service 192.0.2.10:|80/tcp "
	"tab	lbctl stats service [2001:db8::10]:4|43/tcp "
	"list	lbctl -j show |service"
	"tab	lbctl add 10.0.0.2 service 192.0.2.10:80/tcp w|eight "
	"tab	lbctl drain 2001:db8::|2 "
	"list	lbctl service set 192.0.2.10:80/tcp |hash table-size udp-timeout"
	"tab	lbctl health [2001:db8::10]:443/tcp ex|ec "
	"list	lbctl health 192.0.2.10:80/tcp exec |command fall interval port rise timeout"
)
if command -v python3 >/dev/null; then
	got=$(printf '%s\n' "${real[@]%%|*}" |
		"$root/tests/unit/bash_pty.py" "${COMPLETION:-$root/user/lbctl.bash-completion}")
	i=0
	while IFS= read -r answer; do
		r=${real[i]}
		line=${r#*	}
		want=${r##*|}
		[ "$answer" = "$want" ]
		result $((!$?)) "real bash, ${r%%	*} '${line%|*}' -> '$want'" \
			"got '$answer', want '$want'"
		i=$((i + 1))
	done <<<"$got"
	[ "$i" -eq "${#real[@]}" ]
	result $((!$?)) "real bash answered all ${#real[@]} requests" "got $i"
else
	skip "real bash" "no python3 for the pty"
fi

# Interfaces: a network namespace (and a sysfs) of our own holding lo and
# the veth pair lbt0/lbt1 only.  A user namespace makes this work without
# root; where neither works the check is skipped, visibly.
# shellcheck disable=SC2016 # expanded by the inner bash
ifs=$(unshare --map-root-user --net --mount bash -c "$(declare -f comp_set)"'
	mount -t sysfs sysfs /sys &&
	ip link add lbt0 type veth peer name lbt1 || exit 1
	. "$1/user/lbctl.bash-completion"
	for line in "lbctl attach l" "lbctl attach lb" "lbctl detach "; do
		comp_set "$line"
		_lbctl
		echo "${COMPREPLY[*]}"
	done' sh "$root" 2>"$tmp/unshare.err")
if [ $? -eq 0 ]; then
	want=$(printf '%s\n' "lbt0 lbt1 lo" "lbt0 lbt1" "lbt0 lbt1 lo")
	[ "$ifs" = "$want" ]
	result $((!$?)) "interface names: attach l, attach lb, detach" \
		"got '${ifs//$'\n'/|}', want '${want//$'\n'/|}'"
else
	skip "interface names" "no network namespace: $(head -1 "$tmp/unshare.err")"
fi

tap_done
