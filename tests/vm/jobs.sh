#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run several VM boots (tests/vm/run.sh) at once and print their output one
# boot after the other, so every TAP stream stays whole.
#
#   tests/vm/jobs.sh [-j N] 'KABI SUITE...' ['KABI SUITE...' ...]
#
# Each argument is one boot: a kernel (ABI or series) and its suites.  At
# most N boots (default $XLB_VM_JOBS, else 2) run at a time, in the order
# given: put the longest first.  A boot's output is printed, headed by
# "==== kernel KABI: SUITES", once it has finished and every boot before it
# has been printed; a line on stderr says when each boot starts and ends.
# Exit status: 0 when every boot passed, else 1 and the failed boots listed.
#
# Why: most of a VM suite's time is the guest waiting (timeouts, traffic
# held open, TCG starving one vCPU while the other runs); two guests on two
# host cores finish the same suites in much less wall time than one guest
# after the other (Documentation/architecture.md, "Two kernels in
# check-vm").
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
jobs=${XLB_VM_JOBS:-2}
if [ "${1:-}" = -j ]; then
	[ $# -ge 2 ] || { echo "usage: $0 [-j N] 'KABI SUITE...' ..." >&2; exit 2; }
	jobs=$2
	shift 2
fi
case $jobs in
(''|*[!0-9]*|0) echo "jobs.sh: -j $jobs: expected a number >= 1" >&2; exit 2 ;;
esac
[ $# -ge 1 ] || { echo "usage: $0 [-j N] 'KABI SUITE...' ..." >&2; exit 2; }

mkdir -p "$ROOT/build/vm" && out=$(mktemp -d "$ROOT/build/vm/jobs.XXXXXX") || exit 1
trap 'rm -rf "$out"' EXIT
declare -a specs=("$@")
printed=0
failed=

# Print, in order, every finished boot not printed yet.
flush() {
	local i
	for ((i = printed; i < ${#specs[@]}; i++)); do
		[ -f "$out/$i.rc" ] || break
		echo "==== kernel ${specs[$i]%% *}: ${specs[$i]#* }"
		cat "$out/$i.log"
		[ "$(cat "$out/$i.rc")" = 0 ] || failed="$failed ${specs[$i]%% *}"
		printed=$((i + 1))
	done
}

boot() {	# I SPEC
	local i=$1 kabi=${2%% *} t0=$SECONDS rc
	local -a suites
	read -r -a suites <<<"${2#* }"
	echo "jobs: boot $i ($kabi, ${#suites[@]} suites) started" >&2
	"$ROOT/tests/vm/run.sh" --kabi "$kabi" "${suites[@]}" >"$out/$i.log" 2>&1
	rc=$?
	echo "jobs: boot $i ($kabi) finished: exit $rc after $((SECONDS - t0)) s" >&2
	echo "$rc" >"$out/$i.rc.tmp" && mv "$out/$i.rc.tmp" "$out/$i.rc"
}

for ((i = 0; i < ${#specs[@]}; i++)); do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n
		flush
	done
	boot "$i" "${specs[$i]}" &
done
wait
flush
if [ -n "$failed" ]; then
	echo "==== VM runs FAILED on:$failed"
	exit 1
fi
exit 0
