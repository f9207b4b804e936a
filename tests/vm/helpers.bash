# SPDX-License-Identifier: GPL-2.0
# Helpers shared by everything that runs in the test VM (tests/vm/run.sh):
# the bats suites, the end-to-end library and topology, the demo and the
# VM scripts.  The one place for such helpers; suite-specific ones live in
# lbctl_lib.bash, module_lib.bash and e2e/lib.bash, which load this file.
# Use from a suite in tests/:   load vm/helpers
# From a script:                . "$XLB_ROOT/tests/vm/helpers.bash"
#
# The harness exports XLB_ROOT (checkout), XLB_KO (module to insmod) and
# LBCTL (the CLI binary).

: "${XLB_ROOT:?run the VM suites through tests/vm/run.sh}"
: "${XLB_KO:=$XLB_ROOT/build/kmod/$(uname -r)/xlb.ko}"
: "${LBCTL:=$XLB_ROOT/build/lbctl}"

# The Python tools of the suites (tests/tools) use only the standard
# library: "${XLB_PY[@]}" -m TOOL runs one.  -S skips site's start-up work
# (site-packages scans, .pth files), half of a bare python3's start under
# TCG, and -m caches the tool's bytecode after its first run (a script
# named by its path is compiled again on every run).
export PYTHONPATH=$XLB_ROOT/tests/tools
XLB_PY=(/usr/bin/python3 -S)
# A do-nothing XDP program (tests/e2e/xdp_pass.bpf.c, make e2e-tools).
: "${XLB_XDP_PASS:=$XLB_ROOT/build/xdp_pass.bpf.o}"

# True when the xlb module is loaded.
xlb_loaded() {
	grep -q '^xlb ' /proc/modules
}

# Load $XLB_KO unless it is loaded already.
xlb_load() {
	xlb_loaded || insmod "$XLB_KO"
}

# Unload the module if it is loaded.
xlb_unload() {
	! xlb_loaded || rmmod xlb
}

# True when the generic netlink family "xlb" is registered.
xlb_genl_registered() {
	genl ctrl list | grep -qx 'Name: xlb'
}

# in_ns NS CMD [ARG...]: CMD in the network namespace NS (/run/netns/NS).
# nsenter keeps the mount namespace: `ip netns exec` would remount /sys and
# hide the BPF pins under /sys/fs/bpf.  In the background ($!) use
# nsenter itself: a function runs in a subshell that a kill would not pass
# on to CMD.
in_ns() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" "$@"
}

# lbctl_in NS ARG...: lbctl in the network namespace NS.
lbctl_in() {
	local ns=$1
	shift
	in_ns "$ns" "$LBCTL" "$@"
}

# The kernel log has no warning, bug, oops or leak report (the VM boots
# with panic_on_warn, so this mostly catches BUG/kmemleak reports and
# WARNs of kernels built without it).  Prints the offending lines.
dmesg_clean() {
	local bad
	bad=$(dmesg | grep -E 'WARNING:|BUG:|Oops|Call Trace|kmemleak') || return 0
	echo "kernel log: $bad" >&2
	return 1
}
