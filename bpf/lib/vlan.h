/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vlan.h - the device the kernel sees a (tagged) frame arrive on.
 */
#ifndef XLB_BPF_LIB_VLAN_H
#define XLB_BPF_LIB_VLAN_H

#include "parse.h"

/*
 * The device the kernel sees the frame arrive on, for bpf_fib_lookup(): the
 * VLAN device of its tag, or the XDP device for an untagged (or priority
 * tagged) frame.  Nonzero: a tag no VLAN device on this one takes.
 */
static __always_inline int xlb_ingress_dev(struct xdp_md *ctx,
					   struct xlb_pkt *p)
{
	struct xlb_vlan_key k = { .ifindex = ctx->ingress_ifindex,
				  .vid = p->vid };
	__u32 *dev;

	p->fib_ifindex = ctx->ingress_ifindex;
	if (!p->vid)
		return 0;
	dev = bpf_map_lookup_elem(&xlb_vlan_in, &k);
	if (!dev)
		return -1;
	p->fib_ifindex = *dev;
	return 0;
}

#endif /* XLB_BPF_LIB_VLAN_H */
