# SPDX-License-Identifier: GPL-2.0
# Shared setup for the lbctl VM suites (tests/lbctl*.bats, tests/hardening*.bats):
# a fresh network namespace per file and `lb`, which runs lbctl inside it.

load vm/helpers

bats_require_minimum_version 1.5.0

# lbctl in the suite's namespace.
lb() {
	lbctl_in "$NS" "$@"
}

# lbctl in the namespace as user nobody (no capabilities).
lb_nobody() {
	in_ns "$NS" setpriv --reuid=65534 --regid=65534 \
		--clear-groups --inh-caps=-all "$LBCTL" "$@"
}

# The pin directory of namespace ${1:-$NS}, computed independently of
# lbctl: /sys/fs/bpf/xlb-netns-<SO_NETNS_COOKIE> outside PID 1's namespace.
pin_dir() {
	local c
	c=$(in_ns "${1:-$NS}" "${XLB_PY[@]}" -c '
import socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
print(int.from_bytes(s.getsockopt(socket.SOL_SOCKET, 71, 8), "little"))') || return 1
	echo "/sys/fs/bpf/xlb-netns-$c"
}

# Sum of the verdict (non-info) counters of `lb stats`: frames the XDP
# program decided on (forwarded, passed or dropped).
verdicts() {
	lb -j stats | jq '.global | with_entries(select(.key | test(
		"^(conntrack_|icmp_error$|ipv4_options$|vlan$|flow_cache_|encap_gue$)")
		| not)) | [.[]] | add'
}

lbctl_setup_file() {
	[ -f "$XLB_KO" ] || { echo "no module at $XLB_KO (make module)" >&2; return 1; }
	[ -x "$LBCTL" ] || { echo "no lbctl at $LBCTL (make lbctl)" >&2; return 1; }
	xlb_unload
	rm -rf /sys/fs/bpf/xlb /sys/fs/bpf/xlb-netns-*
	export NS="lbctl-test-$$-$1"
	ip netns add "$NS"
	ip -n "$NS" link set lo up
	PIN=$(pin_dir) || return 1
	export PIN
}

lbctl_teardown_file() {
	ip netns del "$NS" 2>/dev/null || true
	rm -rf /sys/fs/bpf/xlb /sys/fs/bpf/xlb-netns-*
	xlb_unload
}

# Assert the last `run` exited with $1 and printed exactly $2 (stderr too).
expect() {
	if [ "$status" -ne "$1" ] || [ "$output" != "$2" ]; then
		echo "want status $1 output: $2"
		echo "got  status $status output: $output"
		return 1
	fi
}

# Assert the last `run` exited with $1 and its output matches regex $2.
expect_re() {
	if [ "$status" -ne "$1" ] || ! [[ "$output" =~ $2 ]]; then
		echo "want status $1 output matching: $2"
		echo "got  status $status output: $output"
		return 1
	fi
}
