#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: runs inside the test VM (tests/vm/run.sh --script).
# Loads xlb.ko, shows it registered, shows lbctl, unloads it.
set -euo pipefail

step() { printf '\n=== %s\n' "$*"; }

step "kernel $(uname -r); loading $XLB_KO"
insmod "$XLB_KO"
lsmod | grep -E '^(Module|xlb) '

step "generic netlink family"
genl ctrl list | grep -A1 -x 'Name: xlb'

if [ -x "$LBCTL" ]; then
	step "lbctl"
	"$LBCTL" --version
fi

step "unloading"
rmmod xlb
if genl ctrl list | grep -qx 'Name: xlb'; then
	echo "family xlb still registered after rmmod" >&2
	exit 1
fi
echo "xlb unloaded, family gone"
