// SPDX-License-Identifier: GPL-2.0
/*
 * xlb.bpf.c - the XDP data path of xlb.
 *
 * Per frame: parse Ethernet (+ one 802.1Q tag), IPv4 (options allowed) or
 * IPv6, TCP/UDP (or an ICMP/ICMPv6 error quoting a TCP/UDP header); match the
 * service in the VIP table; pick the backend from the connection table or
 * the service's Maglev table; encapsulate (IPIP / ip6ip6 / 4in6 / 6in4, outer
 * family = backend family) and forward to the next hop found with
 * bpf_fib_lookup(), or answer a frame too big for the backend path with an
 * ICMP / ICMPv6 too-big error (rate limited).
 * Documentation/datapath.md has the full policy; every
 * frame is counted in exactly one non-info XLB_STAT_* counter.
 *
 * Load-time configuration (the loader writes these skeleton rodata
 * variables between xlb__open() and xlb__load(); the names are stable):
 *   xlb_cfg_table_max  u32  entries per xlb_tables value; the loader must
 *                           also set xlb_tables value_size = 4 * table_max
 *   xlb_cfg_vip_slots  u32  slots per VIP table copy, power of two; the
 *                           loader must also set xlb_vips max_entries =
 *                           2 * vip_slots
 *   xlb_cfg_nh_ttl_jiffies u64 lifetime of a next-hop cache entry, in
 *                           jiffies; 0 = bpf_fib_lookup() for every packet
 *   xlb_cfg_icmp_cost_ns u64 ICMP too-big replies: ns of credit per reply
 *   xlb_cfg_icmp_burst u32  ... and the bucket size in replies (per CPU)
 *   xlb_cfg_ct_rate    u32  connection table entries one CPU may create per
 *                           2^30 ns window; 0 = no limit
 * All default to the XLB_DEFAULT_* values of include/uapi/xlb_maps.h.
 * Other capacities are plain map max_entries (xlb_services, xlb_backends,
 * xlb_conntrack, xlb_svc_stats, xlb_be_stats, xlb_nh_cache) set with
 * bpf_map__set_max_entries(); xlb_tables has 2 * max_services entries;
 * xlb_svc_stats is sized like xlb_services, xlb_be_stats and xlb_nh_cache
 * like xlb_backends (backend ids beyond xlb_nh_cache are not cached).
 *
 * The program is named xlb_xdp (skeleton: skel->progs.xlb_xdp).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/icmpv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xlb_hash.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 xlb_cfg_table_max = XLB_DEFAULT_TABLE_MAX;
const volatile __u32 xlb_cfg_vip_slots = XLB_DEFAULT_VIP_SLOTS;
const volatile __u64 xlb_cfg_nh_ttl_jiffies = XLB_DEFAULT_NH_TTL_JIFFIES;
const volatile __u32 xlb_cfg_fc_bits = XLB_DEFAULT_FC_BITS;
const volatile __u64 xlb_cfg_fc_ttl_jiffies = XLB_DEFAULT_FC_TTL_JIFFIES;
const volatile __u64 xlb_cfg_icmp_cost_ns = XLB_DEFAULT_ICMP_COST_NS;
const volatile __u32 xlb_cfg_icmp_burst = XLB_DEFAULT_ICMP_BURST;
const volatile __u32 xlb_cfg_ct_rate = XLB_DEFAULT_CT_RATE;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_ctl);
} xlb_ctl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * XLB_DEFAULT_VIP_SLOTS);
	__type(key, __u32);
	__type(value, struct xlb_vip_slot);
} xlb_vips SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_DEFAULT_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct xlb_service);
} xlb_services SEC(".maps");

/* value: __u32[table_max]; value_size is set by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * XLB_DEFAULT_MAX_SERVICES);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 4 * XLB_DEFAULT_TABLE_MAX);
} xlb_tables SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_DEFAULT_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct xlb_backend);
} xlb_backends SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XLB_DEFAULT_CT_ENTRIES);
	__type(key, struct xlb_flow);
	__type(value, struct xlb_ct_entry);
} xlb_conntrack SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XLB_DEFAULT_CT_ENTRIES);
	__type(key, struct xlb_flow4);
	__type(value, struct xlb_ct_entry);
} xlb_conntrack4 SEC(".maps");

/* Per CPU next-hop cache, indexed by backend id (XDP private). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_DEFAULT_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct xlb_nh);
} xlb_nh_cache SEC(".maps");

/* Per CPU flow cache in front of the connection table (XDP private). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_DEFAULT_FC_SLOTS);
	__type(key, __u32);
	__type(value, struct xlb_fc);
} xlb_flow_cache SEC(".maps");

/* Per CPU new-entry budget of the connection table (XDP private). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_ct_budget);
} xlb_ct_budget SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_DEFAULT_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct xlb_counter);
} xlb_svc_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_DEFAULT_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct xlb_counter);
} xlb_be_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_stats);
} xlb_stats SEC(".maps");

/* Per CPU token bucket of the ICMP too-big replies (XDP private). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_icmp_rl);
} xlb_icmp_rl SEC(".maps");

/* VLAN devices and egress devices, written by lbctl attach (xlb_maps.h). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XLB_VLAN_MAX);
	__type(key, struct xlb_vlan_key);
	__type(value, __u32);
} xlb_vlan_in SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XLB_VLAN_MAX);
	__type(key, __u32);
	__type(value, struct xlb_egress);
} xlb_egress SEC(".maps");

#define XLB_IP_DF 0x4000
#define XLB_IP_MF 0x2000
#define XLB_IP_OFFSET 0x1fff
#define XLB_TTL 64
#define XLB_IP4_MAXLEN 0x3fff /* larger than any linear XDP frame */
#define XLB_PARSED (-1) /* parse result: candidate service packet */
#define XLB_VID_MASK 0x0fff
/* xlb_fib() result beside the BPF_FIB_LKUP_RET_* codes */
#define XLB_FIB_NO_EGRESS 0x100

/* <linux/icmp.h> drags in libc headers: the 8 bytes we need. */
#define XLB_ICMP_DEST_UNREACH 3
#define XLB_ICMP_FRAG_NEEDED 4
#define XLB_IP4_MIN_MTU 68 /* RFC 791 */
#define XLB_IP6_MIN_MTU 1280 /* RFC 8200 */
/* Bytes of the offending packet an ICMP too-big reply quotes at most. */
#define XLB_QUOTE4_MAX (576 - 20 - 8) /* RFC 1812 4.3.2.3: reply <= 576 */
#define XLB_QUOTE6_MAX (1280 - 40 - 8) /* RFC 4443 2.4 (c): reply <= 1280 */

struct xlb_icmp {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be32 rest;
};

struct xlb_vlan {
	__be16 tci;
	__be16 proto;
};

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
	__u8 icmp; /* ICMP error about the flow: no conntrack write */
};

/*
 * Words whose bytes in memory are those of a, then those of b: stores and
 * loads of whole words avoid failed store-to-load forwarding, which costs
 * more than the arithmetic.
 */
static __always_inline __u16 xlb_pack8(__u8 a, __u8 b)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (__u16)a | (__u16)b << 8;
#else
	return (__u16)a << 8 | b;
#endif
}

static __always_inline __u32 xlb_pack16(__u16 a, __u16 b)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (__u32)a | (__u32)b << 16;
#else
	return (__u32)a << 16 | b;
#endif
}

static __always_inline __u64 xlb_pack32(__u32 a, __u32 b)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (__u64)a | (__u64)b << 32;
#else
	return (__u64)a << 32 | b;
#endif
}

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
 * A big-endian 16-bit length from the packet.  Built from bytes rather than
 * with bpf_ntohs(): the 6.1 verifier loses the bounds of a byte swap, and
 * these values are added to packet pointers.
 */
static __always_inline __u32 xlb_be16(const void *p)
{
	const __u8 *b = p;

	return ((__u32)b[0] << 8) | b[1];
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

/* Service id + 1 of the packet's destination, 0 if it is not a service. */
static __always_inline __u32 xlb_match(const struct xlb_ctl *ctl,
				       const struct xlb_pkt *p)
{
	struct xlb_vip_key k;
	__u32 h, half, base, mask = xlb_cfg_vip_slots - 1;
	int i;

	__builtin_memcpy(k.addr, p->flow.dst, sizeof(k.addr));
	k.port = p->flow.dport;
	k.proto = p->flow.proto;
	k.family = p->flow.family;
	/* One load of vip_active picks the half and the seed it was built with. */
	half = *(volatile __u32 *)&ctl->vip_active & 1;
	h = xlb_hash_vip(&k, ctl->seed[half]);
	base = half * xlb_cfg_vip_slots;

#pragma unroll
	for (i = 0; i < XLB_VIP_MAX_PROBE; i++) {
		__u32 idx = base + ((h + i) & mask);
		struct xlb_vip_slot *s = bpf_map_lookup_elem(&xlb_vips, &idx);

		if (!s || !s->sid_plus1)
			return 0;
		if (s->key.addr[0] == k.addr[0] &&
		    s->key.addr[1] == k.addr[1] &&
		    s->key.addr[2] == k.addr[2] &&
		    s->key.addr[3] == k.addr[3] && s->key.port == k.port &&
		    s->key.proto == k.proto && s->key.family == k.family)
			return s->sid_plus1;
	}
	return 0;
}

static __always_inline void xlb_count(void *map, __u32 id, __u32 gen,
				      __u64 bytes)
{
	struct xlb_counter *c = bpf_map_lookup_elem(map, &id);

	if (!c)
		return;
	if (c->gen != gen) {
		c->gen = gen;
		c->packets = 0;
		c->bytes = 0;
	}
	c->packets++;
	c->bytes += bytes;
}

/* The IPv4 conntrack key of a flow. */
static __always_inline void xlb_flow4(struct xlb_flow4 *k,
				      const struct xlb_flow *f)
{
	__u32 *w = (__u32 *)k;

	w[0] = (__u32)f->src[0];
	w[1] = (__u32)f->dst[0];
	w[2] = *(const __u32 *)&f->sport;
	w[3] = f->proto;
}

/*
 * The compiler must not merge the two families' map calls into one call
 * with the map chosen at run time: the verifier inlines a lookup only where
 * a call site always sees the same map.  The empty asm after one of them
 * keeps the two calls apart.
 */
#define xlb_keep_apart(x) asm volatile("" : "+r"(x))

static __always_inline struct xlb_ct_entry *
xlb_ct_lookup(const struct xlb_pkt *p)
{
	struct xlb_ct_entry *ct;
	struct xlb_flow4 k;

	if (p->flow.family != XLB_AF_INET) {
		ct = bpf_map_lookup_elem(&xlb_conntrack, &p->flow);
		xlb_keep_apart(ct);
		return ct;
	}
	xlb_flow4(&k, &p->flow);
	return bpf_map_lookup_elem(&xlb_conntrack4, &k);
}

static __always_inline void xlb_ct_record(const struct xlb_pkt *p,
					  const struct xlb_ct_entry *ce)
{
	struct xlb_flow4 k;
	long err;

	if (p->flow.family != XLB_AF_INET) {
		err = bpf_map_update_elem(&xlb_conntrack, &p->flow, ce,
					  BPF_ANY);
		xlb_keep_apart(err);
		return;
	}
	xlb_flow4(&k, &p->flow);
	bpf_map_update_elem(&xlb_conntrack4, &k, ce, BPF_ANY);
}

/* This CPU's flow cache slot for a flow, NULL with the cache off. */
static __always_inline struct xlb_fc *xlb_fc_slot(const struct xlb_flow *f)
{
	__u32 idx;

	if (!xlb_cfg_fc_ttl_jiffies)
		return NULL;
	idx = xlb_fc_index(f, xlb_cfg_fc_bits);
	return bpf_map_lookup_elem(&xlb_flow_cache, &idx);
}

/* The cached flow equals f (all ten words, unused ones are zero). */
static __always_inline int xlb_fc_match(const struct xlb_fc *e,
					const struct xlb_flow *f)
{
	const __u64 *a = (const __u64 *)&e->flow, *b = (const __u64 *)f;

	return !((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]) |
		 (a[4] ^ b[4]));
}

/* What a flow cache entry records besides the flow. */
struct xlb_fc_val {
	__u32 bid, be_gen, sid, svc_gen, ctl_gen;
};

static __always_inline void xlb_fc_fill(struct xlb_fc *e,
					const struct xlb_flow *f,
					const struct xlb_fc_val *v)
{
	if (!e)
		return;
	__builtin_memcpy(&e->flow, f, sizeof(*f));
	e->bid = v->bid;
	e->be_gen = v->be_gen;
	e->sid = v->sid;
	e->svc_gen = v->svc_gen;
	e->ctl_gen = v->ctl_gen;
	e->expires = bpf_jiffies64() + xlb_cfg_fc_ttl_jiffies;
}

/* The backend of id bid if it still is the one of generation gen. */
static __always_inline struct xlb_backend *xlb_live_backend(__u32 *bid,
							    __u32 gen)
{
	struct xlb_backend *be = bpf_map_lookup_elem(&xlb_backends, bid);

	if (be && be->gen == gen && be->state != XLB_BE_UNUSED)
		return be;
	return NULL;
}

/*
 * A UDP entry idle for longer than the service's timeout is expired (0 =
 * never).  seen is written back only when it is more than a slack of
 * timeout / 8 old, so a busy flow dirties its entry's cache line a few
 * times per timeout, not per packet; the check allows for that slack.
 */
static __always_inline int xlb_ct_expired(const struct xlb_pkt *p,
					  struct xlb_ct_entry *ct,
					  const struct xlb_svc_cfg *cfg)
{
	__u64 now, age, t, slack;

	if (p->flow.proto != IPPROTO_UDP || !cfg->udp_timeout)
		return 0;
	now = bpf_ktime_get_coarse_ns();
	age = now - ct->seen;
	t = (__u64)cfg->udp_timeout * 1000000000ULL;
	slack = t >> 3;
	if (age > t + slack)
		return 1;
	if (age > slack && !p->icmp)
		ct->seen = now;
	return 0;
}

/*
 * Backend of an established flow from a live conntrack entry, NULL if none,
 * stale or expired.  A live entry fills this CPU's flow cache slot fc.
 */
static __always_inline struct xlb_backend *
xlb_ct_backend(struct xlb_pkt *p, struct xlb_stats *st, struct xlb_fc *fc,
	       struct xlb_fc_val *v, const struct xlb_svc_cfg *cfg)
{
	struct xlb_ct_entry *ct;
	struct xlb_backend *be;

	ct = xlb_ct_lookup(p);
	if (!ct) {
		st->c[XLB_STAT_CT_MISS]++;
		return NULL;
	}
	if (xlb_ct_expired(p, ct, cfg)) {
		st->c[XLB_STAT_CT_EXPIRED]++;
		return NULL;
	}
	v->bid = ct->bid;
	v->be_gen = ct->gen;
	be = xlb_live_backend(&v->bid, v->be_gen);
	if (be) {
		st->c[XLB_STAT_CT_HIT]++;
		xlb_fc_fill(fc, &p->flow, v);
		return be;
	}
	st->c[XLB_STAT_CT_STALE]++;
	return NULL;
}

/* Maglev: seeded flow hash -> slot of table copy c (config cfg) -> backend. */
static __always_inline struct xlb_backend *
xlb_maglev(const struct xlb_svc_cfg *cfg, __u32 c, __u32 sid, struct xlb_pkt *p,
	   __u32 *bid)
{
	__u32 key = XLB_TABLE_KEY(sid, c), m = cfg->table_size, slot, *tbl;
	struct xlb_backend *be;

	tbl = bpf_map_lookup_elem(&xlb_tables, &key);
	if (!tbl || m > xlb_cfg_table_max)
		return NULL;
	slot = xlb_hash_slot(xlb_hash_flow(&p->flow, cfg->seed, cfg->flags), m);
	if (slot >= xlb_cfg_table_max)
		return NULL;
	*bid = tbl[slot];
	if (*bid == XLB_TABLE_EMPTY)
		return NULL;
	be = bpf_map_lookup_elem(&xlb_backends, bid);
	if (!be || !be->gen || be->state == XLB_BE_UNUSED)
		return NULL;
	return be;
}

/*
 * May this CPU create one more connection table entry now?  At most
 * xlb_cfg_ct_rate per window of 2^XLB_CT_WINDOW_SHIFT ns.
 */
static __always_inline int xlb_ct_admit(__u64 now)
{
	__u32 zero = 0;
	struct xlb_ct_budget *b;
	__u64 w = now >> XLB_CT_WINDOW_SHIFT;

	if (!xlb_cfg_ct_rate)
		return 1;
	b = bpf_map_lookup_elem(&xlb_ct_budget, &zero);
	if (!b)
		return 0;
	if (b->window != w) {
		b->window = w;
		b->used = 0;
	}
	if (b->used >= xlb_cfg_ct_rate)
		return 0;
	b->used++;
	return 1;
}

/*
 * A flow without a live entry got backend v->bid from the Maglev table.
 * Record it only when it is a flow's first packet (TCP SYN, any UDP) and
 * this CPU's budget allows: a TCP packet without SYN (ACK, RST, FIN, data)
 * is forwarded by the table but never creates an entry, so spoofed non-SYN
 * floods cannot evict established flows (Documentation/datapath.md).
 */
static __always_inline void xlb_ct_new(const struct xlb_pkt *p,
				       struct xlb_stats *st, struct xlb_fc *fc,
				       struct xlb_fc_val *v, __u32 be_gen)
{
	struct xlb_ct_entry ce = { .bid = v->bid, .gen = be_gen };

	if (p->flow.proto == IPPROTO_TCP && !p->syn) {
		st->c[XLB_STAT_CT_UNTRACKED]++;
		return;
	}
	ce.seen = bpf_ktime_get_coarse_ns();
	if (!xlb_ct_admit(ce.seen)) {
		st->c[XLB_STAT_CT_RATE_LIMITED]++;
		return;
	}
	xlb_ct_record(p, &ce);
	v->be_gen = be_gen;
	xlb_fc_fill(fc, &p->flow, v);
}

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

/* The outer IPv6 header, ten word stores. */
static __always_inline void xlb_put_ip6(__u32 *o, __u8 tc, __u32 plen,
					const __be32 *saddr,
					const __be32 *daddr, __u8 inner)
{
	o[0] = xlb_pack16(bpf_htons(0x6000 | (__u16)tc << 4), 0);
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

/*
 * Prepend the outer IP header of olen bytes (a constant: 20 or 40) and write
 * the Ethernet header in front of it.  With nh the MACs are the next hop's
 * and the frame carries the egress VLAN tag nh->vid_out (none for 0),
 * otherwise (XDP_PASS) the original MACs and tag are kept.  The MACs go as
 * one 8-byte and one 4-byte word (x86 has efficient unaligned access, so
 * the verifier accepts unaligned packet stores).
 */
static __always_inline int xlb_encap(struct xdp_md *ctx,
				     const struct xlb_pkt *p,
				     const struct xlb_ctl *ctl,
				     const struct xlb_backend *be,
				     const struct xlb_nh *nh, const __u32 olen)
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
	if (bpf_xdp_adjust_head(ctx, -(int)(olen + tag * sizeof(*vn)) +
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

	if (olen == sizeof(struct iphdr))
		xlb_put_ip4(l3, p->tos, p->l3_len + olen, XLB_IP_DF, ctl->src4,
			    be->addr[0], inner);
	else
		xlb_put_ip6(l3, p->tos, p->l3_len, ctl->src6, be->addr, inner);
	return 0;
}

/*
 * Next hop of backend bid via bpf_fib_lookup(), cached per CPU for
 * xlb_cfg_nh_ttl_jiffies (jiffies: the cheapest clock a program can read).
 * A cache entry is tied to the backend's gen, the published configuration
 * (xlb_ctl.gen) and the ingress device.  On a miss a first lookup with the
 * largest length learns the path MTU, the second one (with the real length)
 * resolves the neighbour.  Without caching (TTL 0) or for a bid beyond the
 * cache, one lookup fills *scratch.  Returns the BPF_FIB_LKUP_RET_* code;
 * *nhp is set on success.
 */
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

static __always_inline int
xlb_nexthop(struct xdp_md *ctx, const struct xlb_ctl *ctl,
	    const struct xlb_pkt *p, const struct xlb_backend *be, __u32 bid,
	    __u32 tot_len, struct xlb_nh *scratch, struct xlb_nh **nhp)
{
	struct xlb_nh *nh = bpf_map_lookup_elem(&xlb_nh_cache, &bid);
	__u64 now = 0;
	int rc;

	if (nh && xlb_cfg_nh_ttl_jiffies) {
		now = bpf_jiffies64();
		if (nh->expires > now && nh->be_gen == be->gen &&
		    nh->ctl_gen == ctl->gen &&
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
	nh->expires = xlb_cfg_nh_ttl_jiffies ? now + xlb_cfg_nh_ttl_jiffies : 0;
	*nhp = nh;
	return rc;
}

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
	xlb_put_ip6(ip, 0, plen, p->flow.dst, p->flow.src, IPPROTO_ICMPV6);
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
 * The encapsulated frame would exceed the path MTU pmtu: answer the client
 * with the MTU left for its packets (pmtu - olen, at least the family's
 * minimum), rate limited.  Never about an ICMP error (RFC 1122 3.2.2).
 */
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

/* Find the next hop, encapsulate, and return the verdict (counted). */
static __always_inline int xlb_forward(struct xdp_md *ctx,
				       const struct xlb_ctl *ctl,
				       const struct xlb_pkt *p,
				       const struct xlb_backend *be, __u32 bid,
				       struct xlb_stats *st)
{
	struct xlb_nh scratch, *nh = NULL;
	__u32 olen;
	int rc;

	if (be->family == XLB_AF_INET) {
		if (!ctl->src4)
			goto err_encap;
		olen = sizeof(struct iphdr);
	} else if (be->family == XLB_AF_INET6) {
		if (!(ctl->src6[0] | ctl->src6[1] | ctl->src6[2] |
		      ctl->src6[3]))
			goto err_encap;
		olen = sizeof(struct ipv6hdr);
	} else {
		goto err_encap;
	}

	rc = xlb_nexthop(ctx, ctl, p, be, bid, p->l3_len + olen, &scratch, &nh);
	if (rc == BPF_FIB_LKUP_RET_FRAG_NEEDED)
		return xlb_too_big(ctx, p, nh ? nh->mtu : 0, olen, st);
	if (rc == XLB_FIB_NO_EGRESS) {
		st->c[XLB_STAT_DROP_NO_EGRESS]++;
		return XDP_DROP;
	}
	if (rc != BPF_FIB_LKUP_RET_SUCCESS && rc != BPF_FIB_LKUP_RET_NO_NEIGH) {
		st->c[XLB_STAT_DROP_FIB]++;
		return XDP_DROP;
	}
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		nh = NULL;
	if (olen == sizeof(struct iphdr))
		rc = xlb_encap(ctx, p, ctl, be, nh, sizeof(struct iphdr));
	else
		rc = xlb_encap(ctx, p, ctl, be, nh, sizeof(struct ipv6hdr));
	if (rc)
		goto err_encap;

	xlb_count(&xlb_be_stats, bid, be->gen, p->l3_len);
	if (!nh) {
		/* the kernel forwards it and resolves the neighbour */
		st->c[XLB_STAT_PASS_NO_NEIGH]++;
		return XDP_PASS;
	}
	if (nh->ifindex_out == ctx->ingress_ifindex) {
		st->c[XLB_STAT_TX]++;
		return XDP_TX;
	}
	st->c[XLB_STAT_REDIRECT]++;
	return bpf_redirect(nh->ifindex_out, 0);

err_encap:
	st->c[XLB_STAT_DROP_ENCAP]++;
	return XDP_DROP;
}

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

/* The whole per-frame path (also wrapped by tests/bench/bench_xdp.bpf.c). */
static __always_inline int xlb_process(struct xdp_md *ctx)
{
	struct xlb_pkt p = {};
	struct xlb_service *svc;
	struct xlb_backend *be = NULL;
	struct xlb_stats *st;
	struct xlb_ctl *ctl;
	struct xlb_fc_val v = {};
	const struct xlb_svc_cfg *cfg;
	struct xlb_fc *fc;
	__u32 zero = 0, sid, bid = 0, c;
	int rc;

	st = bpf_map_lookup_elem(&xlb_stats, &zero);
	if (!st)
		return XDP_PASS;
	ctl = bpf_map_lookup_elem(&xlb_ctl, &zero);
	if (!ctl || !(ctl->flags & XLB_CTL_F_BOUND)) {
		st->c[XLB_STAT_PASS_NOT_BOUND]++;
		return XDP_PASS;
	}

	rc = xlb_parse(ctx, &p, st);
	if (rc != XLB_PARSED) {
		if (rc < 0 || rc >= XLB_STAT__MAX)
			rc = XLB_STAT_DROP_PARSE;
		st->c[rc]++;
		return rc == XLB_STAT_DROP_PARSE ? XDP_DROP : XDP_PASS;
	}
	if (xlb_ingress_dev(ctx, &p)) {
		st->c[XLB_STAT_PASS_VLAN_UNKNOWN]++;
		return XDP_PASS;
	}

	/*
	 * Flow cache: an established flow under an unchanged configuration
	 * goes straight to its backend (no VIP match, no hash map).  SYNs
	 * are always balanced again; ICMP errors only read the LRU.
	 */
	fc = p.icmp ? NULL : xlb_fc_slot(&p.flow);
	if (fc && !p.syn && fc->ctl_gen == ctl->gen &&
	    fc->expires > bpf_jiffies64() && xlb_fc_match(fc, &p.flow)) {
		bid = fc->bid;
		be = xlb_live_backend(&bid, fc->be_gen);
		if (be) {
			xlb_count(&xlb_svc_stats, fc->sid, fc->svc_gen,
				  p.l3_len);
			st->c[XLB_STAT_CT_HIT]++;
			st->c[XLB_STAT_FLOW_CACHE_HIT]++;
			return xlb_forward(ctx, ctl, &p, be, bid, st);
		}
	}

	sid = xlb_match(ctl, &p);
	if (!sid) {
		st->c[XLB_STAT_PASS_NOT_SERVICE]++;
		return XDP_PASS;
	}
	if (p.icmp_foreign) {
		/* for the LB itself or another host: the kernel's business */
		st->c[XLB_STAT_PASS_ICMP_NOT_VIP]++;
		return XDP_PASS;
	}
	sid--;
	svc = bpf_map_lookup_elem(&xlb_services, &sid);
	if (!svc || !svc->gen)
		goto no_backend;
	xlb_count(&xlb_svc_stats, sid, svc->gen, p.l3_len);
	if (p.icmp)
		st->c[XLB_STAT_ICMP_ERROR]++;

	/* One load of active picks the copy: its table, size, seed, timeout. */
	c = *(volatile __u32 *)&svc->active & 1;
	cfg = &svc->cfg[c];
	v.sid = sid;
	v.svc_gen = svc->gen;
	v.ctl_gen = ctl->gen;
	if (!p.syn)
		be = xlb_ct_backend(&p, st, fc, &v, cfg);
	else
		st->c[XLB_STAT_CT_MISS]++;
	if (!be) {
		be = xlb_maglev(cfg, c, sid, &p, &v.bid);
		if (!be)
			goto no_backend;
		if (!p.icmp)
			xlb_ct_new(&p, st, fc, &v, be->gen);
	}
	bid = v.bid;
	return xlb_forward(ctx, ctl, &p, be, bid, st);

no_backend:
	st->c[XLB_STAT_DROP_NO_BACKEND]++;
	return XDP_DROP;
}

SEC("xdp")
int xlb_xdp(struct xdp_md *ctx)
{
	return xlb_process(ctx);
}
