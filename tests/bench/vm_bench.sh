#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The VM part of `make bench` (tests/vm/run.sh --script): one boot of
# Debian's 6.1 kernel measures
#   - the XDP object on this kernel's verifier (bpf_info, cases vm_*),
#   - the control plane, xlb against IPVS (tests/bench/ipvs_vs_xlb.sh).
set -uo pipefail
cd "${XLB_ROOT:-.}" || exit 1

rc=0
build/bpf_info -p vm_ build/xlb.bpf.o || {
	echo "# vm_bench: xlb.bpf.o does not load on $(uname -r)"
	rc=1
}
bash tests/bench/ipvs_vs_xlb.sh || {
	echo "# vm_bench: control plane benchmark failed"
	rc=1
}
exit $rc
