/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nexthop.h - the next hop of a backend: bpf_fib_lookup() and the per-CPU
 * next-hop cache, which also holds the path MTU.
 */
#ifndef XLB_BPF_LIB_NEXTHOP_H
#define XLB_BPF_LIB_NEXTHOP_H

#include "parse.h"

/* xlb_fib() result beside the BPF_FIB_LKUP_RET_* codes */
#define XLB_FIB_NO_EGRESS 0x100

/* bpf_fib_lookup() for the outer packet; fills nh on success. */
static __always_inline int
xlb_fib(struct xdp_md *ctx, const struct xlb_ctl *ctl, const struct xlb_pkt *p,
	const struct xlb_backend *be, __u32 tot_len, struct xlb_nh *nh)
{
	struct bpf_fib_lookup fib = {};
	struct xlb_egress *eg;
	__u32 mtu = 0xffff;
	int rc;

	fib.family = be->family;
	fib.l4_protocol = p->flow.family == XLB_AF_INET ? IPPROTO_IPIP :
							  IPPROTO_IPV6;
	if (be->family == XLB_AF_INET) {
		fib.tos = p->tos;
		fib.ipv4_src = ctl->src4;
		fib.ipv4_dst = be->addr[0];
	} else {
		__builtin_memcpy(fib.ipv6_src, ctl->src6, 16);
		__builtin_memcpy(fib.ipv6_dst, be->addr, 16);
	}
	fib.ifindex = p->fib_ifindex;
	/* caching: learn the path MTU first (the lookup fails with it) */
	fib.tot_len = xlb_cfg_nh_ttl_jiffies ? 0xffff : tot_len;
	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	if (rc == BPF_FIB_LKUP_RET_FRAG_NEEDED)
		nh->mtu = fib.mtu_result; /* for the ICMP reply */
	if (rc == BPF_FIB_LKUP_RET_FRAG_NEEDED && xlb_cfg_nh_ttl_jiffies) {
		mtu = fib.mtu_result;
		if (tot_len > mtu)
			return rc;
		/* the lookup may have rewritten the destination: redo it */
		if (be->family == XLB_AF_INET)
			fib.ipv4_dst = be->addr[0];
		else
			__builtin_memcpy(fib.ipv6_dst, be->addr, 16);
		fib.ifindex = p->fib_ifindex;
		fib.tot_len = tot_len;
		rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	}
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return rc;
	__builtin_memcpy(nh->mac, fib.dmac, ETH_ALEN);
	__builtin_memcpy(&nh->mac[ETH_ALEN], fib.smac, ETH_ALEN);
	/* the frame leaves through a device xlb is attached to */
	eg = bpf_map_lookup_elem(&xlb_egress, &fib.ifindex);
	if (!eg)
		return XLB_FIB_NO_EGRESS;
	nh->ifindex_out = eg->ifindex;
	nh->vid_out = eg->vid;
	nh->mtu = mtu;
	return rc;
}

/*
 * Next hop of backend bid via bpf_fib_lookup(), cached per CPU for
 * xlb_cfg_nh_ttl_jiffies (jiffies: the cheapest clock a program can read).
 * A cache entry is tied to the backend's gen, its copy of its service's ver
 * (xlb_backend.svc_ver: a publish of that service refreshes it; read from
 * the backend, so the flow cache hit passes no ver along), what all
 * services share (xlb_ctl.gen: the
 * outer sources) and the ingress device.  On a miss a first lookup with the
 * largest length learns the path MTU, the second one (with the real length)
 * resolves the neighbour.  Without caching (TTL 0) or for a bid beyond the
 * cache, one lookup fills *scratch.  Returns the BPF_FIB_LKUP_RET_* code;
 * *nhp is set on success.
 */
static __always_inline int
xlb_nexthop(struct xdp_md *ctx, const struct xlb_ctl *ctl,
	    const struct xlb_pkt *p, const struct xlb_backend *be, __u32 bid,
	    __u32 tot_len, struct xlb_nh *scratch, struct xlb_nh **nhp)
{
	struct xlb_nh *nh = bpf_map_lookup_elem(&xlb_nh_cache, &bid);
	__u32 ver = *(volatile __u16 *)&be->svc_ver;
	__u64 now = 0;
	int rc;

	if (nh && xlb_cfg_nh_ttl_jiffies) {
		now = bpf_jiffies64();
		if (nh->expires > now && nh->be_gen == be->gen &&
		    nh->ctl_gen == ctl->gen && nh->svc_ver == ver &&
		    nh->ifindex_in == p->fib_ifindex) {
			*nhp = nh;
			return tot_len > nh->mtu ?
				       BPF_FIB_LKUP_RET_FRAG_NEEDED :
				       BPF_FIB_LKUP_RET_SUCCESS;
		}
	}
	if (!nh)
		nh = scratch;
	rc = xlb_fib(ctx, ctl, p, be, tot_len, nh);
	if (rc == BPF_FIB_LKUP_RET_FRAG_NEEDED)
		*nhp = nh; /* only nh->mtu is meaningful */
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return rc;
	nh->ifindex_in = p->fib_ifindex;
	nh->be_gen = be->gen;
	nh->ctl_gen = ctl->gen;
	nh->svc_ver = ver;
	nh->expires = xlb_cfg_nh_ttl_jiffies ? now + xlb_cfg_nh_ttl_jiffies : 0;
	*nhp = nh;
	return rc;
}

#endif /* XLB_BPF_LIB_NEXTHOP_H */
