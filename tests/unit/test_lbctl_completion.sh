#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host test of user/lbctl.bash-completion: drive the completion function
# with COMP_WORDS as bash would and compare COMPREPLY.  Service and backend
# names come from `lbctl -n service list` / `show`; a stand-in lbctl on
# PATH prints a fixed configuration so the test needs no module.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/lbctl" <<'FAKE'
#!/bin/sh
case "$*" in
"-n service list") echo "service 192.0.2.10:80/tcp table-size 65537 hash 5tuple backends 1 digest 0" ;;
"-n show") printf '%s\n' "service 192.0.2.10:80/tcp table-size 65537 hash 5tuple backends 1 digest 0" \
	"  backend 10.0.0.2   weight 1  slots 65537  100.00%  active" ;;
esac
FAKE
chmod +x "$tmp/lbctl"
PATH=$tmp:$PATH
# shellcheck source=../../user/lbctl.bash-completion
. "$root/user/lbctl.bash-completion"

n=0 fail=0
check() {
	local want=$1 line=$2
	read -r -a COMP_WORDS <<<"$line"
	COMP_CWORD=${#COMP_WORDS[@]}
	[[ $line == *" " ]] && COMP_WORDS+=("") || COMP_CWORD=$((COMP_CWORD - 1))
	_lbctl
	local got="${COMPREPLY[*]}"
	n=$((n + 1))
	if [ "$got" = "$want" ]; then
		echo "ok $n - '$line' -> '$want'"
	else
		echo "not ok $n - '$line'"
		echo "#   got '$got', want '$want'"
		fail=$((fail + 1))
	fi
}

check "set service show stats save" "lbctl s"
check "--json --numeric --version --help" "lbctl --"
check "add set del list" "lbctl service "
check "table-size hash" "lbctl service add 192.0.2.10:80/tcp "
check "5tuple src" "lbctl service add 192.0.2.10:80/tcp hash "
check "192.0.2.10:80/tcp" "lbctl service del "
check "weight state service" "lbctl add 10.0.0.2 "
check "192.0.2.10:80/tcp" "lbctl add 10.0.0.2 weight 3 service "
check "active drain" "lbctl set 10.0.0.2 state "
check "10.0.0.2" "lbctl drain "
check "service" "lbctl del 10.0.0.2 "
check "native generic" "lbctl attach lo mode "
check "$(ls /sys/class/net | grep "^l" | xargs)" "lbctl attach l"
check "tcp udp" "lbctl lookup 1.2.3.4:5 192.0.2.10:80 "
check "show set" "lbctl config "
check "" "lbctl add 10.0.0.2 weight "
echo "1..$n"
[ "$fail" -eq 0 ]
