/* SPDX-License-Identifier: GPL-2.0 */
/*
 * parse.h - from the frame to struct xlb_pkt: Ethernet (+ one 802.1Q tag),
 * IPv4 (options allowed) or IPv6, TCP/UDP, or an ICMP/ICMPv6 error quoting
 * a TCP/UDP header (the flow it is about, reversed).
 */
#ifndef XLB_BPF_LIB_PARSE_H
#define XLB_BPF_LIB_PARSE_H

#include "common.h"

/* What the parser extracts from a candidate service packet. */
struct xlb_pkt {
	/* conntrack key and hash input; written as five 8-byte words */
	struct xlb_flow flow __attribute__((aligned(8)));
	__u32 l3_len; /* bytes from the IP header on, to encapsulate */
	__u32 fib_ifindex; /* device the kernel sees the frame arrive on */
	__u16 vid; /* 802.1Q VLAN id of the tag (0: priority tag) */
	__u8 vlan; /* one 802.1Q tag present */
	__u8 icmp_foreign; /* ICMP error not sent to the quoted source */
	__u8 tos; /* inner TOS / traffic class, copied outward */
	__u8 syn; /* TCP SYN without RST: always take the Maglev path */
	__u8 rst; /* TCP RST: ends the flow, never recorded */
	__u8 icmp; /* ICMP error about the flow: no conntrack write */
};

/*
 * The whole flow key in five stores.  s and d are the addresses as two
 * 8-byte words each (IPv4: the address then zero), ports the source and
 * destination port as they sit in memory.
 */
static __always_inline void xlb_flow_set(struct xlb_pkt *p, __u64 s0, __u64 s1,
					 __u64 d0, __u64 d1, __u32 ports,
					 __u8 proto, __u8 family)
{
	__u64 *w = (__u64 *)&p->flow;

	w[0] = s0;
	w[1] = s1;
	w[2] = d0;
	w[3] = d1;
	w[4] = xlb_pack32(ports, xlb_pack16(xlb_pack8(proto, family), 0));
}

/*
 * TCP/UDP header at l4 inside an IP packet of which l4_room bytes remain;
 * *ports gets the two ports as one word.
 */
static __always_inline int xlb_parse_l4(struct xlb_pkt *p, void *l4, void *end,
					__u8 proto, __u32 l4_room, __u32 *ports)
{
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;

		if ((void *)(th + 1) > end || l4_room < sizeof(*th))
			return XLB_STAT_DROP_PARSE;
		p->syn = th->syn && !th->rst;
		p->rst = th->rst;
	} else {
		struct udphdr *uh = l4;

		if ((void *)(uh + 1) > end || l4_room < sizeof(*uh))
			return XLB_STAT_DROP_PARSE;
	}
	*ports = *(const __u32 *)l4;
	return XLB_PARSED;
}

/*
 * ICMP destination unreachable (any code, fragmentation needed included)
 * quoting a TCP/UDP packet.  The quoted packet went from the service to the
 * client (direct server return), so its reversal is the client's flow.
 */
static __always_inline int xlb_parse_icmp4(struct xlb_pkt *p, void *l4,
					   void *end, __u32 room, __be32 daddr)
{
	struct xlb_icmp *ih = l4;
	struct iphdr *in;
	__be16 *ports;
	__u32 hlen;

	if ((void *)(ih + 1) > end)
		return XLB_STAT_DROP_PARSE;
	if (ih->type != XLB_ICMP_DEST_UNREACH)
		return XLB_STAT_PASS_NOT_SERVICE;
	in = (void *)(ih + 1);
	if ((void *)(in + 1) > end)
		return XLB_STAT_DROP_PARSE;
	if (in->version != 4 || in->ihl < 5)
		return XLB_STAT_DROP_PARSE;
	if ((in->protocol != IPPROTO_TCP && in->protocol != IPPROTO_UDP) ||
	    (in->frag_off & bpf_htons(XLB_IP_OFFSET)))
		return XLB_STAT_PASS_NOT_SERVICE;
	hlen = in->ihl * 4;
	ports = (void *)in + hlen;
	/* within the frame and within the outer IP length */
	if ((void *)(ports + 2) > end || room < sizeof(*ih) + hlen + 4)
		return XLB_STAT_DROP_PARSE;
	/* reversed: the halves of the ports word swap */
	xlb_flow_set(p, xlb_pack32((__u32)in->daddr, 0), 0,
		     xlb_pack32((__u32)in->saddr, 0), 0,
		     xlb_rotl32(*(const __u32 *)ports, 16), in->protocol,
		     XLB_AF_INET);
	p->icmp = 1;
	/* only the quoted packet's source (the VIP) may get its errors */
	p->icmp_foreign = in->saddr != daddr;
	return XLB_PARSED;
}

static __always_inline int xlb_parse4(struct xlb_pkt *p, void *l3, void *end,
				      struct xlb_stats *st)
{
	struct iphdr *ip = l3;
	__u32 hlen, tot, ports;
	int rc;

	if ((void *)(ip + 1) > end)
		return XLB_STAT_DROP_PARSE;
	if (ip->version != 4 || ip->ihl < 5)
		return XLB_STAT_DROP_PARSE;
	hlen = ip->ihl * 4;
	tot = xlb_be16(&ip->tot_len);
	if (tot < hlen || tot > XLB_IP4_MAXLEN || l3 + tot > end)
		return XLB_STAT_DROP_PARSE;
	if (ip->frag_off & bpf_htons(XLB_IP_MF | XLB_IP_OFFSET))
		return XLB_STAT_PASS_FRAGMENT;
	if (hlen > sizeof(*ip))
		st->c[XLB_STAT_IPV4_OPTIONS]++;

	p->l3_len = tot;
	p->tos = ip->tos;
	if (ip->protocol == IPPROTO_ICMP)
		return xlb_parse_icmp4(p, l3 + hlen, end, tot - hlen,
				       ip->daddr);
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return XLB_STAT_PASS_NOT_SERVICE;
	rc = xlb_parse_l4(p, l3 + hlen, end, ip->protocol, tot - hlen, &ports);
	if (rc == XLB_PARSED)
		xlb_flow_set(p, xlb_pack32((__u32)ip->saddr, 0), 0,
			     xlb_pack32((__u32)ip->daddr, 0), 0, ports,
			     ip->protocol, XLB_AF_INET);
	return rc;
}

/* ICMPv6 destination unreachable or packet too big quoting TCP/UDP. */
static __always_inline int xlb_parse_icmp6(struct xlb_pkt *p, void *l4,
					   void *end, __u32 room,
					   const struct in6_addr *daddr)
{
	struct icmp6hdr *ih = l4;
	struct ipv6hdr *in;
	__be16 *ports;

	if ((void *)(ih + 1) > end)
		return XLB_STAT_DROP_PARSE;
	if (ih->icmp6_type != ICMPV6_DEST_UNREACH &&
	    ih->icmp6_type != ICMPV6_PKT_TOOBIG)
		return XLB_STAT_PASS_NOT_SERVICE;
	in = (void *)(ih + 1);
	ports = (void *)(in + 1);
	if ((void *)(ports + 2) > end || room < sizeof(*ih) + sizeof(*in) + 4)
		return XLB_STAT_DROP_PARSE;
	if (in->nexthdr != IPPROTO_TCP && in->nexthdr != IPPROTO_UDP)
		return XLB_STAT_PASS_NOT_SERVICE;
	xlb_flow_set(p, ((const __u64 *)&in->daddr)[0],
		     ((const __u64 *)&in->daddr)[1],
		     ((const __u64 *)&in->saddr)[0],
		     ((const __u64 *)&in->saddr)[1],
		     xlb_rotl32(*(const __u32 *)ports, 16), in->nexthdr,
		     XLB_AF_INET6);
	p->icmp = 1;
	p->icmp_foreign = !!(
		(((const __u64 *)&in->saddr)[0] ^ ((const __u64 *)daddr)[0]) |
		(((const __u64 *)&in->saddr)[1] ^ ((const __u64 *)daddr)[1]));
	return XLB_PARSED;
}

static __always_inline int xlb_parse6(struct xlb_pkt *p, void *l3, void *end)
{
	struct ipv6hdr *ip6 = l3;
	__u32 plen, ports;
	int rc;

	if ((void *)(ip6 + 1) > end)
		return XLB_STAT_DROP_PARSE;
	if (ip6->version != 6)
		return XLB_STAT_DROP_PARSE;
	plen = xlb_be16(&ip6->payload_len);
	if (plen > XLB_IP4_MAXLEN || l3 + sizeof(*ip6) + plen > end)
		return XLB_STAT_DROP_PARSE;

	p->l3_len = sizeof(*ip6) + plen;
	p->tos = (ip6->priority << 4) | (ip6->flow_lbl[0] >> 4);
	if (ip6->nexthdr == IPPROTO_FRAGMENT)
		return XLB_STAT_PASS_FRAGMENT;
	if (ip6->nexthdr == IPPROTO_ICMPV6)
		return xlb_parse_icmp6(p, ip6 + 1, end, plen, &ip6->daddr);
	if (ip6->nexthdr != IPPROTO_TCP && ip6->nexthdr != IPPROTO_UDP)
		return XLB_STAT_PASS_NOT_SERVICE;
	rc = xlb_parse_l4(p, ip6 + 1, end, ip6->nexthdr, plen, &ports);
	if (rc == XLB_PARSED)
		xlb_flow_set(p, ((const __u64 *)&ip6->saddr)[0],
			     ((const __u64 *)&ip6->saddr)[1],
			     ((const __u64 *)&ip6->daddr)[0],
			     ((const __u64 *)&ip6->daddr)[1], ports,
			     ip6->nexthdr, XLB_AF_INET6);
	return rc;
}

static __always_inline int xlb_parse(struct xdp_md *ctx, struct xlb_pkt *p,
				     struct xlb_stats *st)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *l3 = eth + 1;
	__be16 proto;

	if (l3 > end)
		return XLB_STAT_DROP_PARSE;
	proto = eth->h_proto;
	if (proto == bpf_htons(ETH_P_8021Q)) {
		struct xlb_vlan *vh = l3;

		if ((void *)(vh + 1) > end)
			return XLB_STAT_DROP_PARSE;
		st->c[XLB_STAT_VLAN]++;
		proto = vh->proto;
		l3 = vh + 1;
		p->vlan = 1;
		p->vid = bpf_ntohs(vh->tci) & XLB_VID_MASK;
	}
	if (proto == bpf_htons(ETH_P_IP))
		return xlb_parse4(p, l3, end, st);
	if (proto == bpf_htons(ETH_P_IPV6))
		return xlb_parse6(p, l3, end);
	return XLB_STAT_PASS_NOT_IP;
}

#endif /* XLB_BPF_LIB_PARSE_H */
