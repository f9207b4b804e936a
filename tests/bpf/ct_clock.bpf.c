// SPDX-License-Identifier: GPL-2.0
/*
 * ct_clock.bpf.c - the benchmark object (the data path, bench_spoof) with
 * the connection table's clock in the test's hands (tests/bpf/test_ct.c):
 * while ct_clock_ns is not 0, the new-entry budget windows and the UDP
 * idleness read it instead of bpf_ktime_get_coarse_ns() (xlb_coarse_ns()).  So a flood's
 * budget windows are the ones the test names, however slowly it runs.
 */
#include <linux/types.h>

volatile __u64 ct_clock_ns;

#define XLB_CT_CLOCK(st) (ct_clock_ns ? ct_clock_ns : xlb_coarse_ns(st))

#include "../bench/bench_xdp.bpf.c"
