# SPDX-License-Identifier: GPL-2.0
# Helpers for the bats suites that run in the test VM (tests/vm/run.sh).
# Use from a suite in tests/:   load vm/helpers
#
# The harness exports XLB_ROOT (checkout), XLB_KO (module to insmod) and
# LBCTL (the CLI binary).

: "${XLB_ROOT:?run the VM suites through tests/vm/run.sh}"
: "${XLB_KO:=$XLB_ROOT/build/kmod/$(uname -r)/xlb.ko}"
: "${LBCTL:=$XLB_ROOT/build/lbctl}"

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
