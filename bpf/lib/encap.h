/* SPDX-License-Identifier: GPL-2.0 */
/*
 * encap.h - the outer IPv4 / IPv6 header and the Ethernet header (and the
 * egress VLAN tag) in front of it.
 */
#ifndef XLB_BPF_LIB_ENCAP_H
#define XLB_BPF_LIB_ENCAP_H

#include "parse.h"

/* Sum of the two 16-bit halves of a word (one's complement arithmetic). */
static __always_inline __u32 xlb_csum_word(__u32 w)
{
	return (w & 0xffff) + (w >> 16);
}

/*
 * The outer IPv4 header, written as five words built in registers (no
 * stack copy, no byte loop); the checksum is folded from the same words.
 * One's complement sums do not depend on byte order (RFC 1071), so the
 * halves are summed as they sit in memory.
 */
static __always_inline void xlb_put_ip4(__u32 *o, __u8 tos, __u32 tot_len,
					__u16 frag, __be32 saddr, __be32 daddr,
					__u8 inner)
{
	__u32 w0 = xlb_pack16(bpf_htons(0x4500 | tos), bpf_htons(tot_len));
	__u32 w1 = xlb_pack16(0, bpf_htons(frag));
	__u16 ttlp = bpf_htons(XLB_TTL << 8 | inner);
	__u32 s;

	s = xlb_csum_word(w0) + xlb_csum_word(w1) + ttlp +
	    xlb_csum_word((__u32)saddr) + xlb_csum_word((__u32)daddr);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	o[0] = w0;
	o[1] = w1;
	o[2] = xlb_pack16(ttlp, (__u16)~s);
	o[3] = (__u32)saddr;
	o[4] = (__u32)daddr;
}

/* The outer IPv6 header with flow label label (20 bits), ten word stores. */
static __always_inline void xlb_put_ip6(__u32 *o, __u8 tc, __u32 label,
					__u32 plen, const __be32 *saddr,
					const __be32 *daddr, __u8 inner)
{
	o[0] = bpf_htonl(0x60000000 | (__u32)tc << 20 | (label & 0xfffff));
	o[1] = xlb_pack16(bpf_htons(plen), bpf_htons(inner << 8 | XLB_TTL));
	o[2] = (__u32)saddr[0];
	o[3] = (__u32)saddr[1];
	o[4] = (__u32)saddr[2];
	o[5] = (__u32)saddr[3];
	o[6] = (__u32)daddr[0];
	o[7] = (__u32)daddr[1];
	o[8] = (__u32)daddr[2];
	o[9] = (__u32)daddr[3];
}

/* What the outer headers carry besides the addresses (xlb_forward()). */
struct xlb_outer {
	__u32 ent; /* the flow's entropy, xlb_hash_entropy() */
	__be16 dport; /* GUE: UDP destination port */
	__u16 ulen; /* UDP header bytes after the IP header: 8 (GUE) or 0 */
};

/*
 * The GUE variant 1 UDP header: source port from the flow's entropy, no
 * checksum (RFC 768 for IPv4; over IPv6 the fou socket accepts a zero
 * checksum, RFC 6935/6936: Documentation/datapath.md, "Encapsulation").
 */
static __always_inline void xlb_put_udp(__u32 *o, const struct xlb_outer *out,
					__u32 len)
{
	o[0] = xlb_pack16(bpf_htons(XLB_ENT_SPORT(out->ent)), out->dport);
	o[1] = xlb_pack16(bpf_htons(len), 0);
}

/*
 * Prepend the outer IP header of olen bytes (a constant: 20 or 40), then
 * out->ulen bytes of UDP header, and write the Ethernet header in front.
 * The IPv6 flow label is the flow's entropy.  With nh the MACs are the next hop's
 * and the frame carries the egress VLAN tag nh->vid_out (none for 0),
 * otherwise (XDP_PASS) the original MACs and tag are kept.  The MACs go as
 * one 8-byte and one 4-byte word (x86 has efficient unaligned access, so
 * the verifier accepts unaligned packet stores).
 */
static __always_inline int xlb_encap(struct xdp_md *ctx,
				     const struct xlb_pkt *p,
				     const struct xlb_ctl *ctl,
				     const struct xlb_backend *be,
				     const struct xlb_nh *nh, const __u32 olen,
				     const struct xlb_outer *out)
{
	__u8 inner = p->flow.family == XLB_AF_INET ? IPPROTO_IPIP :
						     IPPROTO_IPV6;
	__be16 oproto = olen == sizeof(struct iphdr) ? bpf_htons(ETH_P_IP) :
						       bpf_htons(ETH_P_IPV6);
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end, *l3;
	struct ethhdr *eth = data;
	struct xlb_vlan *vn;
	__be16 tci = 0;
	__u64 mac0;
	__u32 mac1, tag;

	/* what the new header needs of the old one, before it moves */
	if ((void *)(eth + 1) + sizeof(*vn) > end)
		return -1;
	if (nh) {
		mac0 = *(const __u64 *)nh->mac;
		mac1 = *(const __u32 *)&nh->mac[8];
		tag = nh->vid_out != 0;
		tci = bpf_htons(nh->vid_out & XLB_VID_MASK);
	} else {
		mac0 = *(const __u64 *)eth;
		mac1 = *(const __u32 *)((void *)eth + 8);
		tag = p->vlan;
		tci = ((struct xlb_vlan *)(eth + 1))->tci;
	}
	/* the IP packet stays where it is: only the headers before it grow */
	if (bpf_xdp_adjust_head(ctx,
				-(int)(olen + out->ulen + tag * sizeof(*vn)) +
					p->vlan * (int)sizeof(*vn)))
		return -1;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	eth = data;
	vn = (void *)(eth + 1);
	if ((void *)(vn + 1) + olen > end)
		return -1;
	if (tag) {
		eth->h_proto = bpf_htons(ETH_P_8021Q);
		vn->tci = tci;
		vn->proto = oproto;
		l3 = vn + 1;
	} else {
		eth->h_proto = oproto;
		l3 = vn;
	}
	*(__u64 *)eth = mac0;
	*(__u32 *)((void *)eth + 8) = mac1;

	if (out->ulen)
		inner = IPPROTO_UDP;
	if (olen == sizeof(struct iphdr))
		xlb_put_ip4(l3, p->tos, p->l3_len + olen + out->ulen, XLB_IP_DF,
			    ctl->src4, be->addr[0], inner);
	else
		xlb_put_ip6(l3, p->tos, XLB_ENT_LABEL(out->ent),
			    p->l3_len + out->ulen, ctl->src6, be->addr, inner);
	if (out->ulen) {
		__u32 *uh = l3 + olen;

		if ((void *)(uh + 2) > end)
			return -1;
		xlb_put_udp(uh, out, p->l3_len + sizeof(struct udphdr));
	}
	return 0;
}

#endif /* XLB_BPF_LIB_ENCAP_H */
