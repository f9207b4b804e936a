// SPDX-License-Identifier: GPL-2.0
/*
 * decap.bpf.c - backend side of the host DSR test: the host kernel has no
 * ipip/ip6tnl devices, so the backends strip the outer IPv4 (protocol 4 or
 * 41) or IPv6 (next header 4 or 41) header in XDP and pass the inner packet
 * to their stack, which answers the client directly from the VIP.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

static __always_inline int strip(struct xdp_md *ctx, __u32 olen, __u8 inner)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data, *neth;

	if (data + olen + sizeof(*eth) > end)
		return XDP_PASS;
	neth = data + olen;
	__builtin_memmove(neth, eth, 2 * ETH_ALEN);
	neth->h_proto = inner == IPPROTO_IPIP ? bpf_htons(ETH_P_IP) :
						bpf_htons(ETH_P_IPV6);
	bpf_xdp_adjust_head(ctx, olen);
	return XDP_PASS;
}

SEC("xdp")
int decap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end || ip->ihl != 5)
			return XDP_PASS;
		if (ip->protocol == IPPROTO_IPIP ||
		    ip->protocol == IPPROTO_IPV6)
			return strip(ctx, sizeof(*ip), ip->protocol);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end)
			return XDP_PASS;
		if (ip6->nexthdr == IPPROTO_IPIP ||
		    ip6->nexthdr == IPPROTO_IPV6)
			return strip(ctx, sizeof(*ip6), ip6->nexthdr);
	}
	return XDP_PASS;
}
