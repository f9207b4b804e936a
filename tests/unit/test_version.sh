#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One version everywhere: XLB_VERSION in include/xlb_version.h is the
# definition; `make version`, lbctl --version, the modules' MODULE_VERSION
# (modinfo), dkms.conf's PACKAGE_VERSION and the man pages' headers must
# all say the same.  A module not built yet is skipped, visibly.
#
# usage: tests/unit/test_version.sh
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-build}
[[ $build == /* ]] || build=$root/$build
cd "$root" || exit 1
# shellcheck source=tap.bash
. "$root/tests/unit/tap.bash"

same() {	# WHAT GOT
	[ "$2" = "$want" ]
	result $((!$?)) "$1 says $want" "got '$2'"
}

want=$(sed -n 's/^#define XLB_VERSION "\(.*\)"$/\1/p' include/xlb_version.h)
[[ $want =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]
result $((!$?)) "XLB_VERSION is MAJOR.MINOR.PATCH" "got '$want'"

same "make version" "$(make -s --no-print-directory version)"
same "dkms.conf" "$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)"
same "lbctl --version" "$("$build/lbctl" --version | sed 's/^lbctl //')"
for man in Documentation/*.[1-8]; do
	same "$man" "$(sed -n 's/^\.TH .* "xlb \([^"]*\)" .*/\1/p' "$man")"
done
kos=$(ls "$build"/kmod/*/xlb.ko 2>/dev/null)
for ko in $kos; do
	same "${ko#"$root"/} (modinfo)" "$(modinfo -F version "$ko")"
done
if [ -z "$kos" ]; then
	skip "module version" "no module built (make module)"
fi

tap_done
