#!/bin/sh
# Print the kernel ABIs xlb is built for and tested on, as pinned by the
# installed Debian header metapackages (a security update moves an ABI, e.g.
# 6.1.0-56-amd64 -> 6.1.0-57-amd64; the metapackage follows it).
#
#   scripts/kabi.sh           the default ABI (linux-headers-amd64: 6.1)
#   scripts/kabi.sh --all     every supported ABI, one a line, default first
#   scripts/kabi.sh SERIES    the ABI of one series: 6.1 or 6.12
#   scripts/kabi.sh --meta    the metapackages, one a line (scripts/setup.sh)
#
# The VM kernels (scripts/setup.sh) and the module builds (make module) are
# pinned to these ABIs.  A new kernel series is one more line in KERNELS.
set -e

# series metapackage; the first line is the default kernel.
KERNELS="6.1 linux-headers-amd64
6.12 linux-headers-6.12-amd64"

abi_of() {
	# $1: metapackage.  Its first dependency is linux-headers-<abi>.
	dep=$(dpkg-query -W -f='${Depends}' "$1" 2>/dev/null) || dep=
	abi=${dep%% *}
	abi=${abi#linux-headers-}
	[ -n "$abi" ] ||
		{ echo "kabi.sh: $1 is not installed (scripts/setup.sh)" >&2; exit 1; }
	echo "$abi"
}

case ${1:-} in
"")
	abi_of "$(echo "$KERNELS" | head -n1 | cut -d' ' -f2)"
	;;
--all)
	echo "$KERNELS" | while read -r _ meta; do abi_of "$meta"; done
	;;
--meta)
	echo "$KERNELS" | cut -d' ' -f2
	;;
-*)
	echo "usage: $0 [--all | --meta | SERIES]" >&2
	exit 2
	;;
*)
	meta=$(echo "$KERNELS" | awk -v s="$1" '$1 == s { print $2 }')
	[ -n "$meta" ] || {
		echo "kabi.sh: unknown kernel series '$1' (supported: $(echo "$KERNELS" | cut -d' ' -f1 | paste -sd' '))" >&2
		exit 2
	}
	abi_of "$meta"
	;;
esac
