#!/bin/sh
# Print the kernel ABI (e.g. 6.1.0-56-amd64) that the installed
# linux-headers-amd64 metapackage points at.  The VM kernel and the module
# build are pinned to it.
set -e
dep=$(dpkg-query -W -f='${Depends}' linux-headers-amd64)
abi=${dep%% *}
abi=${abi#linux-headers-}
[ -n "$abi" ] || { echo "kabi.sh: linux-headers-amd64 is not installed" >&2; exit 1; }
echo "$abi"
