# SPDX-License-Identifier: GPL-2.0
# TAP for the host test scripts in tests/unit: source it, call result for
# each check, skip for a check that cannot run here, tap_done at the end.

n=0 fail=0

# result PASS DESCRIPTION [DIAGNOSTIC]: PASS is 1 for ok.
result() {
	n=$((n + 1))
	if [ "$1" = 1 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		printf '#   %s\n' "${3-}"
		fail=$((fail + 1))
	fi
}

# skip DESCRIPTION REASON
skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

# The plan, and the exit status: 0 when every check passed.
tap_done() {
	echo "1..$n"
	[ "$fail" -eq 0 ]
}
