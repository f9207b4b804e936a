/* SPDX-License-Identifier: GPL-2.0 */
/*
 * icmp.h - ICMP "fragmentation needed" / ICMPv6 "packet too big" replies
 * to the client when the encapsulated frame exceeds the path MTU.
 */
#ifndef XLB_BPF_LIB_ICMP_H
#define XLB_BPF_LIB_ICMP_H

#include "encap.h"

#define XLB_IP4_MIN_MTU 68 /* RFC 791 */
#define XLB_IP6_MIN_MTU 1280 /* RFC 8200 */
/* Bytes of the offending packet an ICMP too-big reply quotes at most. */
#define XLB_QUOTE4_MAX (576 - 20 - 8) /* RFC 1812 4.3.2.3: reply <= 576 */
#define XLB_QUOTE6_MAX (1280 - 40 - 8) /* RFC 4443 2.4 (c): reply <= 1280 */

/*
 * ICMP too-big replies.  A per-CPU token bucket: credit (in ns) grows with
 * time up to burst replies' worth, each reply spends xlb_cfg_icmp_cost_ns.
 */
static __always_inline int xlb_icmp_allowed(void)
{
	__u64 cost = xlb_cfg_icmp_cost_ns, cap = cost * xlb_cfg_icmp_burst;
	struct xlb_icmp_rl *b;
	__u32 zero = 0;
	__u64 now, credit;

	b = bpf_map_lookup_elem(&xlb_icmp_rl, &zero);
	if (!b)
		return 0;
	now = bpf_ktime_get_ns();
	credit = b->credit + (now - b->stamp);
	if (!b->stamp || credit > cap)
		credit = cap;
	b->stamp = now;
	if (credit < cost) {
		b->credit = credit;
		return 0;
	}
	b->credit = credit - cost;
	return 1;
}

/*
 * One's complement sum (unfolded) of the 4-byte words from w to the end of
 * the frame, which is a multiple of 4 and at most max bytes away.  Word sums
 * fold to the same 16-bit sum as the RFC 1071 one.
 */
static __always_inline __u64 xlb_sum_tail(const __u32 *w, const void *end,
					  const __u32 max)
{
	__u64 s = 0;
	__u32 i;

	/*
	 * One pointer, checked and read: otherwise the compiler may read
	 * through a copy rebuilt from the packet start, whose range the
	 * verifier does not know.
	 */
	for (i = 0; i < max / 4; i++) {
		xlb_keep_apart(w);
		if ((const void *)(w + 1) > end)
			break;
		s += *w++;
	}
	return s;
}

static __always_inline __u16 xlb_fold(__u64 s)
{
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

/*
 * Turn the frame into its ICMP reply, in place: hlen bytes of IP header and
 * the 8-byte ICMP header go in front of the offending packet (after the
 * Ethernet header and tag, whose MACs swap), and the frame is cut after
 * quote bytes of it.  Returns a pointer to the new IP header, or NULL.
 */
static __always_inline void *xlb_icmp_frame(struct xdp_md *ctx,
					    const struct xlb_pkt *p,
					    const __u32 hlen, __be16 proto,
					    __u32 quote)
{
	void *data, *end, *l3;
	struct ethhdr *eth, *old;
	/* without a branch: both tag cases verify as one path */
	__u32 l2 = sizeof(*eth) + (p->vlan & 1) * sizeof(struct xlb_vlan);
	int cut;

	if (bpf_xdp_adjust_head(ctx, -(int)(hlen + sizeof(struct xlb_icmp))))
		return NULL;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	cut = (int)(l2 + hlen + sizeof(struct xlb_icmp) + quote) -
	      (int)(end - data);
	if (cut > 0)
		return NULL;
	eth = data;
	old = data + hlen + sizeof(struct xlb_icmp);
	if ((void *)(old + 1) + sizeof(struct xlb_vlan) > end)
		return NULL;
	__builtin_memcpy(eth->h_dest, old->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, old->h_dest, ETH_ALEN);
	l3 = eth + 1;
	if (l2 != sizeof(*eth)) {
		struct xlb_vlan *vn = l3, *vo = (void *)(old + 1);

		eth->h_proto = bpf_htons(ETH_P_8021Q);
		vn->tci = vo->tci;
		vn->proto = proto;
	} else {
		eth->h_proto = proto;
	}
	if (cut && bpf_xdp_adjust_tail(ctx, cut))
		return NULL;
	data = (void *)(long)ctx->data;
	return data + l2;
}

/* IPv4: "fragmentation needed" from the VIP to the client. */
static __always_inline int xlb_icmp4_too_big(struct xdp_md *ctx,
					     const struct xlb_pkt *p, __u32 mtu)
{
	__u32 quote =
		(p->l3_len < XLB_QUOTE4_MAX ? p->l3_len : XLB_QUOTE4_MAX) & ~3U;
	__u32 len = sizeof(struct iphdr) + sizeof(struct xlb_icmp) + quote;
	__u32 *ip, *ic;
	void *end;
	__u64 s;

	ip = xlb_icmp_frame(ctx, p, sizeof(struct iphdr), bpf_htons(ETH_P_IP),
			    quote);
	if (!ip)
		return -1;
	end = (void *)(long)ctx->data_end;
	ic = ip + sizeof(struct iphdr) / 4;
	if ((void *)(ic + 2) > end)
		return -1;
	xlb_put_ip4(ip, 0, len, 0, p->flow.dst[0], p->flow.src[0],
		    IPPROTO_ICMP);
	ic[0] = xlb_pack16(
		xlb_pack8(XLB_ICMP_DEST_UNREACH, XLB_ICMP_FRAG_NEEDED), 0);
	ic[1] = xlb_pack16(0, bpf_htons(mtu));
	s = (__u64)ic[0] + ic[1] + xlb_sum_tail(ic + 2, end, XLB_QUOTE4_MAX);
	((__u16 *)ic)[1] = xlb_fold(s);
	return 0;
}

/* IPv6: "packet too big" from the VIP to the client. */
static __always_inline int xlb_icmp6_too_big(struct xdp_md *ctx,
					     const struct xlb_pkt *p, __u32 mtu)
{
	__u32 quote =
		(p->l3_len < XLB_QUOTE6_MAX ? p->l3_len : XLB_QUOTE6_MAX) & ~3U;
	__u32 plen = sizeof(struct xlb_icmp) + quote, *ip, *ic, i;
	void *end;
	__u64 s;

	ip = xlb_icmp_frame(ctx, p, sizeof(struct ipv6hdr),
			    bpf_htons(ETH_P_IPV6), quote);
	if (!ip)
		return -1;
	end = (void *)(long)ctx->data_end;
	ic = ip + sizeof(struct ipv6hdr) / 4;
	if ((void *)(ic + 2) > end)
		return -1;
	xlb_put_ip6(ip, 0, 0, plen, p->flow.dst, p->flow.src, IPPROTO_ICMPV6);
	ic[0] = xlb_pack16(xlb_pack8(ICMPV6_PKT_TOOBIG, 0), 0);
	ic[1] = bpf_htonl(mtu);
	/* pseudo header: addresses, upper-layer length, next header */
	s = (__u64)bpf_htonl(plen) + bpf_htonl(IPPROTO_ICMPV6);
	for (i = 0; i < 4; i++)
		s += (__u64)p->flow.src[i] + p->flow.dst[i];
	s += (__u64)ic[0] + ic[1] + xlb_sum_tail(ic + 2, end, XLB_QUOTE6_MAX);
	((__u16 *)ic)[1] = xlb_fold(s);
	return 0;
}

/*
 * The reply, in a global function: the verifier checks it once, not once
 * per call site, family and tag case (the quote checksum loops make up
 * most of the program's verification otherwise).  0 or -1.
 */
__attribute__((noinline)) int xlb_icmp_reply(struct xdp_md *ctx,
					     const struct xlb_pkt *p, __u32 mtu)
{
	if (!p)
		return -1;
	if (p->flow.family == XLB_AF_INET)
		return xlb_icmp4_too_big(
			ctx, p, mtu < XLB_IP4_MIN_MTU ? XLB_IP4_MIN_MTU : mtu);
	return xlb_icmp6_too_big(ctx, p,
				 mtu < XLB_IP6_MIN_MTU ? XLB_IP6_MIN_MTU : mtu);
}

/*
 * The encapsulated frame would exceed the path MTU pmtu: answer the client
 * with the MTU left for its packets (pmtu - olen, at least the family's
 * minimum), rate limited.  Never about an ICMP error (RFC 1122 3.2.2).
 */
static __always_inline int xlb_too_big(struct xdp_md *ctx,
				       const struct xlb_pkt *p, __u32 pmtu,
				       __u32 olen, struct xlb_stats *st)
{
	__u32 mtu = pmtu > olen ? pmtu - olen : 0;

	if (p->icmp) {
		st->c[XLB_STAT_DROP_TOO_BIG]++;
		return XDP_DROP;
	}
	if (!xlb_icmp_allowed()) {
		st->c[XLB_STAT_DROP_TOO_BIG_RL]++;
		return XDP_DROP;
	}
	if (xlb_icmp_reply(ctx, p, mtu)) {
		st->c[XLB_STAT_DROP_TOO_BIG]++;
		return XDP_DROP;
	}
	st->c[XLB_STAT_TX_TOO_BIG]++;
	return XDP_TX;
}

#endif /* XLB_BPF_LIB_ICMP_H */
