// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_pass.bpf.c - attached to the switch-side peers of the load balancers'
 * veths in the end-to-end topology.  veth drops frames that the peer sends
 * with XDP_TX unless the receiving end runs NAPI, which an XDP program
 * guarantees; this one passes every frame on to the bridge.
 */
#include <linux/bpf.h>

__attribute__((section("xdp"), used)) int xlb_e2e_pass(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

__attribute__((section("license"), used)) char _license[] = "GPL";
