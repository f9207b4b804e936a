/* SPDX-License-Identifier: GPL-2.0 */
/*
 * common.h - packet-format constants and small helpers every part of the
 * XDP program uses: word packing, the counter update, the verifier fence.
 */
#ifndef XLB_BPF_LIB_COMMON_H
#define XLB_BPF_LIB_COMMON_H

#include "maps.h"

#define XLB_IP_DF 0x4000
#define XLB_IP_MF 0x2000
#define XLB_IP_OFFSET 0x1fff
#define XLB_TTL 64
#define XLB_IP4_MAXLEN 0x3fff /* larger than any linear XDP frame */
#define XLB_PARSED (-1) /* parse result: candidate service packet */
#define XLB_VID_MASK 0x0fff

/* <linux/icmp.h> drags in libc headers: the 8 bytes we need. */
#define XLB_ICMP_DEST_UNREACH 3
#define XLB_ICMP_FRAG_NEEDED 4

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
 * The compiler must not merge the two families' map calls into one call
 * with the map chosen at run time: the verifier inlines a lookup only where
 * a call site always sees the same map.  The empty asm after one of them
 * keeps the two calls apart.
 */
#define xlb_keep_apart(x) asm volatile("" : "+r"(x))

/* No memory access moves across it (the order of a table entry's words). */
#define xlb_barrier() asm volatile("" ::: "memory")

/* This CPU's counters of id, restarted from 0 when gen is not theirs. */
static __always_inline struct xlb_counter *xlb_counter_get(void *map, __u32 id,
							   __u32 gen)
{
	struct xlb_counter *c = bpf_map_lookup_elem(map, &id);

	if (c && c->gen != gen) {
		c->gen = gen;
		c->packets = 0;
		c->bytes = 0;
		c->flows = 0;
	}
	return c;
}

static __always_inline void xlb_count(void *map, __u32 id, __u32 gen,
				      __u64 bytes)
{
	struct xlb_counter *c = xlb_counter_get(map, id, gen);

	if (!c)
		return;
	c->packets++;
	c->bytes += bytes;
}

static __always_inline void xlb_count_flow(void *map, __u32 id, __u32 gen)
{
	struct xlb_counter *c = xlb_counter_get(map, id, gen);

	if (c)
		c->flows++;
}

#endif /* XLB_BPF_LIB_COMMON_H */
