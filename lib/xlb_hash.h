/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * xlb_hash.h - the seeded five-tuple hash of the data path.  Compiled into
 * the XDP program, the kernel module (LOOKUP, published tables) and
 * userspace (lbctl lookup, tests), so all three agree bit for bit.
 *
 * Murmur3-style 32-bit mixing over the 32-bit words of struct xlb_flow as
 * they sit in memory (network byte order fields loaded as host words): the
 * result is identical on machines of the same endianness.  IPv4 flows mix
 * only word 0 of each address.
 */
#ifndef _XLB_HASH_H
#define _XLB_HASH_H

#include "../include/uapi/xlb_maps.h"
#include "../include/uapi/xlb_netlink.h"

/* sparse annotation for the byte-order-agnostic word loads below */
#ifndef __force
#define __force
#endif

#ifndef __always_inline
#define __always_inline inline __attribute__((__always_inline__))
#endif

static __always_inline __u32 xlb_rotl32(__u32 x, unsigned int r)
{
	return (x << r) | (x >> (32 - r));
}

static __always_inline __u32 xlb_hash_mix(__u32 h, __u32 k)
{
	k *= 0xcc9e2d51u;
	k = xlb_rotl32(k, 15);
	k *= 0x1b873593u;
	h ^= k;
	h = xlb_rotl32(h, 13);
	return h * 5 + 0xe6546b64u;
}

static __always_inline __u32 xlb_hash_final(__u32 h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* Hash of an address (4 words, IPv4 in word 0) and its family. */
static __always_inline __u32 xlb_hash_addr(const __be32 *a, __u8 family,
					   __u32 seed)
{
	__u32 h = xlb_hash_mix(seed, (__force __u32)a[0]);

	if (family == XLB_AF_INET6) {
		h = xlb_hash_mix(h, (__force __u32)a[1]);
		h = xlb_hash_mix(h, (__force __u32)a[2]);
		h = xlb_hash_mix(h, (__force __u32)a[3]);
	}
	return xlb_hash_final(h ^ family);
}

/*
 * Hash of a flow.  svc_flags may carry XLB_SVC_F_SRC_HASH: then only the
 * source address counts (client stickiness across ports).
 */
static __always_inline __u32 xlb_hash_flow(const struct xlb_flow *f,
					   __u32 seed, __u32 svc_flags)
{
	__u32 h;

	if (svc_flags & XLB_SVC_F_SRC_HASH)
		return xlb_hash_addr(f->src, f->family, seed);

	h = xlb_hash_mix(seed, (__force __u32)f->src[0]);
	h = xlb_hash_mix(h, (__force __u32)f->dst[0]);
	if (f->family == XLB_AF_INET6) {
		h = xlb_hash_mix(h, (__force __u32)f->src[1]);
		h = xlb_hash_mix(h, (__force __u32)f->src[2]);
		h = xlb_hash_mix(h, (__force __u32)f->src[3]);
		h = xlb_hash_mix(h, (__force __u32)f->dst[1]);
		h = xlb_hash_mix(h, (__force __u32)f->dst[2]);
		h = xlb_hash_mix(h, (__force __u32)f->dst[3]);
	}
	h = xlb_hash_mix(h, ((__force __u32)f->sport << 16) |
			    (__force __u32)f->dport);
	h = xlb_hash_mix(h, ((__u32)f->proto << 8) | f->family);
	return xlb_hash_final(h);
}

/* Slot of a hash in a table of m entries (multiply-shift, no division). */
static __always_inline __u32 xlb_hash_slot(__u32 hash, __u32 m)
{
	return (__u32)(((__u64)hash * m) >> 32);
}

/*
 * Hash of a service key, for the open-addressed VIP table (xlb_vips):
 * home slot = xlb_hash_vip(k, seed) & (vip_slots - 1), then linear probing
 * over at most XLB_VIP_MAX_PROBE slots.  seed is xlb_ctl.seed.  Cheaper
 * than the flow hash (it runs for every IP packet the data path sees): the
 * words are folded with rotations, then one murmur3 finalisation.
 */
static __always_inline __u32 xlb_hash_vip(const struct xlb_vip_key *k,
					  __u32 seed)
{
	__u32 x = (__force __u32)k->addr[0] ^ xlb_rotl32((__force __u32)k->addr[1], 8) ^
		  xlb_rotl32((__force __u32)k->addr[2], 16) ^
		  xlb_rotl32((__force __u32)k->addr[3], 24);

	x ^= (((__force __u32)k->port << 16) | ((__u32)k->proto << 8) | k->family) *
	     0x9e3779b1u;
	return xlb_hash_final(x ^ seed);
}

/* The key words of a flow folded into one (rotation and xor). */
static __always_inline __u32 xlb_flow_fold(const struct xlb_flow *f)
{
	const __u32 *w = (const __u32 *)f;
	__u32 h = w[0] ^ xlb_rotl32(w[4], 16) ^ w[8] ^ w[9];

	if (f->family == XLB_AF_INET6)
		h ^= w[1] ^ w[2] ^ w[3] ^ w[5] ^ w[6] ^ w[7];
	return h;
}

/*
 * The flow's unseeded hash, computed once per packet by the data path: the
 * key words folded with one rotation, then Fibonacci hashing, whose one
 * multiplication carries every bit of the fold into the top bits (the
 * varying last octet of an address in network order sits in the top byte
 * of its word).  Its top bits are the flow cache slot (xlb_fc_index()) and
 * the outer header's entropy (XLB_ENT_SPORT(), XLB_ENT_LABEL()).  Unseeded:
 * a flow cache collision costs one connection-table lookup and nothing
 * else, and the entropy only spreads a backend's flows over ECMP paths and
 * receive queues, whose hashes are not secret either.
 */
static __always_inline __u32 xlb_flow_hash(const struct xlb_flow *f)
{
	return xlb_flow_fold(f) * 0x9e3779b1u;
}

/*
 * Slot of a flow of hash h (xlb_flow_hash()) in the data path's per-CPU
 * flow cache (xlb_flow_cache, 2^bits slots, 1 <= bits <= 31): the top bits.
 */
static __always_inline __u32 xlb_fc_slot_of(__u32 h, __u32 bits)
{
	return h >> (32 - bits);
}

static __always_inline __u32 xlb_fc_index(const struct xlb_flow *f,
					  __u32 bits)
{
	return xlb_fc_slot_of(xlb_flow_hash(f), bits);
}

/*
 * Entropy of a flow for the outer header: the GUE UDP source port is
 * XLB_ENT_SPORT(e), the outer IPv6 flow label XLB_ENT_LABEL(e), both from
 * the top bits of the flow hash (the data path reuses the one it computed
 * for the flow cache slot).
 */
static __always_inline __u32 xlb_hash_entropy(const struct xlb_flow *f)
{
	return xlb_flow_hash(f);
}

/*
 * Slot of a flow in the SYN table (xlb_syn, 2^bits slots, 1 <= bits <= 31):
 * the fold, a murmur3 finalisation (so sequential ports and addresses of a
 * scan spread over every slot), the top bits.  Unseeded, like the flow
 * cache's: a flood overwrites slots whatever their index.
 */
static __always_inline __u32 xlb_syn_index(const struct xlb_flow *f,
					   __u32 bits)
{
	return xlb_hash_final(xlb_flow_fold(f) ^ 0x2545f491u) >> (32 - bits);
}

/*
 * Check word of a SYN table slot: flow f's fold, the backend id and gen
 * and the stamp mixed, never 0 (0 marks an empty slot).  A reader that
 * sees a slot half rewritten by another CPU gets a mismatch.
 */
static __always_inline __u32 xlb_syn_check(const struct xlb_flow *f,
					   __u32 bid, __u32 gen, __u64 stamp)
{
	__u32 h = xlb_hash_mix(xlb_flow_fold(f), bid);

	h = xlb_hash_mix(h, gen);
	h = xlb_hash_mix(h, (__u32)stamp ^ (__u32)(stamp >> 32));
	return xlb_hash_final(h) | 1;
}

/*
 * Hash of an IPv4 flow's words w (source, destination, ports) for the
 * connection table (xlb_conntrack4), seeded with the loader's secret
 * ct4_seed so that a sender cannot aim flows at one bucket.  Its buckets:
 * xlb_ct4_bucket_idx(h, 0 or 1, mask).  The second is derived from the
 * first hash (one finalisation, not a second pass over the key).
 */
static __always_inline __u32 xlb_ct4_hash(const __u32 *w, __u32 seed)
{
	return xlb_hash_final(xlb_hash_mix(xlb_hash_mix(seed, w[0]) ^ w[1],
					   w[2]));
}

/*
 * Buckets of the IPv4 connection table for conntrack-size n (lbctl
 * attach; the tests' loaders): the power of two at least n, so that n
 * flows fill at most half of its 2 x buckets entries.
 */
static __always_inline __u32 xlb_ct4_nbuckets(__u32 n)
{
	__u32 b = 1;

	while (b < n)
		b <<= 1;
	return b;
}

static __always_inline __u32 xlb_ct4_bucket_idx(__u32 h, int second,
						__u32 mask)
{
	return (second ? xlb_hash_final(h ^ 0x7f4a7c15u) : h) & mask;
}

/*
 * Check of an IPv4 connection table entry (struct xlb_ct4): its key words
 * w, protocol, backend id and gen in 24 bits, never 0.  A sum of products
 * by odd constants: any one word changed changes the sum, and the
 * products are independent, so the check adds a few cycles, not a chain
 * of mixing rounds, to a lookup that has just waited for its cache line.
 * It only has to tell a torn entry from an intact one, not resist a
 * sender (the bucket hash is the seeded one).
 */
static __always_inline __u32 xlb_ct4_check(const __u32 *w, __u8 proto,
					   __u32 bid, __u32 gen)
{
	__u32 h = w[0] * 0x9e3779b1u + w[1] * 0x85ebca6bu +
		  w[2] * 0xc2b2ae35u + bid * 0x27d4eb2fu + gen * 0x165667b1u +
		  proto;

	return (h >> 8) | 1;
}

/* Tag word of an entry of flow (w, proto): the protocol and the check. */
static __always_inline __u32 xlb_ct4_tag(const __u32 *w, __u8 proto,
					 __u32 bid, __u32 gen)
{
	return proto | xlb_ct4_check(w, proto, bid, gen) << 8;
}

/*
 * Source port in the ephemeral range 49152..65535 (RFC 6335) and 20-bit
 * flow label (RFC 6437), each from the top bits of the hash: a Fibonacci
 * hash's low bits depend on the fold's low bits only.
 */
#define XLB_ENT_SPORT(e)	(0xc000 | ((e) >> 18))
#define XLB_ENT_LABEL(e)	((e) >> 12)

#endif /* _XLB_HASH_H */
