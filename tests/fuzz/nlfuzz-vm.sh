#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Long netlink fuzz run inside the test VM (make fuzz-nl):
#   tests/vm/run.sh --script tests/fuzz/nlfuzz-vm.sh
# Loads xlb.ko, runs build/nlfuzz (with the script's arguments, e.g. -S) for $XLB_NLFUZZ_N messages (seed
# $XLB_FUZZ_SEED, 0 = time) in a fresh network namespace, checks the module
# still answers and unloads it.  The harness fails the run on any kernel
# WARN/BUG/oops in dmesg.
set -euo pipefail
: "${XLB_ROOT:?run through tests/vm/run.sh}"
: "${XLB_KO:=$XLB_ROOT/build/kmod/$(uname -r)/xlb.ko}"
N=${XLB_NLFUZZ_N:-200000}
SEED=${XLB_FUZZ_SEED:-0}
NS=xlb-nlfuzz-$$

cleanup() {
	ip netns del "$NS" 2>/dev/null || true
	rmmod xlb 2>/dev/null || true
}
trap cleanup EXIT

grep -q '^xlb ' /proc/modules || insmod "$XLB_KO"
ip netns add "$NS"
seedopt=()
[ "$SEED" = 0 ] || seedopt=(-s "$SEED")
start=$(date +%s)
ip netns exec "$NS" "$XLB_ROOT/build/nlfuzz" -n "$N" "${seedopt[@]}" "$@"
echo "nlfuzz: $N messages in $(($(date +%s) - start)) s (TCG)"
# The module still answers in the initial namespace too.
"$XLB_ROOT/build/nlfuzz" -n 0
ip netns del "$NS"
rmmod xlb
echo "nlfuzz-vm: PASS"
