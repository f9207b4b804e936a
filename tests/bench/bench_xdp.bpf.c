// SPDX-License-Identifier: GPL-2.0
/*
 * bench_xdp.bpf.c - benchmark-only programs around the real data path.
 *
 * BPF_PROG_TEST_RUN with repeat > 1 does not restore the frame between
 * iterations: an encapsulating program would see its own output.
 * bench_xlb first restores the frame (undoes the head growth of the previous
 * iteration and rewrites the first bytes, the only ones the data path
 * overwrites) and then runs exactly the code of xlb_xdp.  bench_restore
 * measures that restore work alone, bench_pass is the XDP_PASS floor;
 * bench_flows sends a different flow each iteration.
 */
#include "../../bpf/xlb.bpf.c"
#include "bench_bucket.h"

/*
 * Set by the benchmark: the frame's first bytes and its length.  The data
 * path only rewrites the bytes in front of the inner IP header (Ethernet and
 * VLAN, at most 18): the outer header it prepends lives in the headroom.
 * Restoring 24 bytes with three word stores covers that.
 */
__u64 bench_head[3];
__u32 bench_len;

static __always_inline int bench_restore_frame(struct xdp_md *ctx)
{
	__u32 len = bench_len & 0xfff;
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u64 *w;

	/* the data path grows the head by 20 or 40 bytes */
	if (data + len + sizeof(struct iphdr) == end) {
		if (bpf_xdp_adjust_head(ctx, sizeof(struct iphdr)))
			return -1;
	} else if (data + len + sizeof(struct ipv6hdr) == end) {
		if (bpf_xdp_adjust_head(ctx, sizeof(struct ipv6hdr)))
			return -1;
	}
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	w = data;
	if ((void *)(w + 3) > end)
		return -1;
	w[0] = bench_head[0];
	w[1] = bench_head[1];
	w[2] = bench_head[2];
	return 0;
}

SEC("xdp")
int bench_xlb(struct xdp_md *ctx)
{
	if (bench_restore_frame(ctx))
		return XDP_ABORTED;
	return xlb_process(ctx);
}

/*
 * A spoofed TCP segment per iteration (tests/bpf/test_ct.c): the frame (an
 * untagged IPv4 TCP segment without options) restored, then a random source
 * in 10.0.0.0/8, a random source port and random flags without SYN (ACK,
 * RST, RST ACK, FIN ACK, PSH ACK, none), or SYN while bench_spoof_syn is
 * set, then the data path.
 */
volatile __u8 bench_spoof_syn;

SEC("xdp")
int bench_spoof(struct xdp_md *ctx)
{
	const __u8 flags[8] = { 0x10, 0x04, 0x14, 0x11, 0x18, 0, 0x10, 0x14 };
	__u32 r = bpf_get_prandom_u32(), r2 = bpf_get_prandom_u32();
	__u8 *b, f = bench_spoof_syn ? 0x02 : flags[(r2 >> 16) & 7];

	if (bench_restore_frame(ctx))
		return XDP_ABORTED;
	b = (void *)(long)ctx->data;
	if ((void *)(b + 48) > (void *)(long)ctx->data_end)
		return XDP_ABORTED;
	b[26] = 10;
	b[27] = r >> 16;
	b[28] = r >> 8;
	b[29] = r;
	b[34] = r2 >> 8;
	b[35] = r2;
	b[47] = f;
	return xlb_process(ctx);
}

/*
 * A floor's end: the head grown by 20 bytes as the data path's IPIP
 * encapsulation grows it, so that the next iteration's restore has the
 * same work to do; XDP_PASS.
 */
static __always_inline int bench_grown(struct xdp_md *ctx)
{
	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct iphdr)))
		return XDP_ABORTED;
	return XDP_PASS;
}

/*
 * The wrapper's own cost: the restore (with the bpf_xdp_adjust_head() that
 * undoes the previous iteration's encapsulation), then the head grown by 20
 * bytes as the data path's IPIP encapsulation grows it, so that the next
 * iteration's restore has the same work to do.  The growth is one helper
 * call the data path makes too: subtracting this floor from a case removes
 * that call from xlb's side as well (a lower bound of xlb's own cost).
 */
SEC("xdp")
int bench_restore(struct xdp_md *ctx)
{
	if (bench_restore_frame(ctx))
		return XDP_ABORTED;
	return bench_grown(ctx);
}

/*
 * Many flows (tests/bench/bench_xdp.c): iteration i of a run sends flow
 * bench_seq[i] (the sequence is written by the benchmark through mmap):
 * the low 24 bits of the value are the low 24 bits of the IPv4 source
 * (11.0.0.0/8), the top 8 bits the source port's low byte (port 0x80xx).
 * The frame is an untagged IPv4 TCP segment without options.
 */
#define BENCH_SEQ_MAX (1U << 20)

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, BENCH_SEQ_MAX);
	__type(key, __u32);
	__type(value, __u64); /* the tuple in the low 32 bits */
} bench_seq SEC(".maps");

__u32 bench_pos;

static __always_inline int bench_next_flow(struct xdp_md *ctx)
{
	__u32 k = bench_pos++ & (BENCH_SEQ_MAX - 1), f;
	__u64 *v;
	__u8 *b;

	v = bpf_map_lookup_elem(&bench_seq, &k);
	if (!v)
		return -1;
	f = *v;
	b = (void *)(long)ctx->data;
	if ((void *)(b + 48) > (void *)(long)ctx->data_end)
		return -1;
	b[26] = 11;
	b[27] = f >> 16;
	b[28] = f >> 8;
	b[29] = f;
	b[34] = 0x80;
	b[35] = f >> 24;
	return 0;
}

SEC("xdp")
int bench_flows(struct xdp_md *ctx)
{
	if (bench_restore_frame(ctx) || bench_next_flow(ctx))
		return XDP_ABORTED;
	return xlb_process(ctx);
}

/*
 * The LRU hash connection table of the floors below (bench_lru_lookup,
 * bench_lru_insert): keyed by the IPv4 tuple in 16 bytes, sized like the
 * data path's connection table, filled by the priming's handshakes the
 * way an LRU connection table is (an insert per flow's ACK).  The data
 * path's own table was this LRU until its IPv4 buckets
 * (include/uapi/xlb_maps.h); the floors keep measuring the LRU, so that
 * both sides of an A/B run measure the same.
 */
struct bench_flow4 {
	__u32 w[4]; /* source, destination, ports, protocol */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XLB_DEFAULT_CT_ENTRIES);
	__type(key, struct bench_flow4);
	__type(value, struct xlb_ct_entry);
} bench_lru4 SEC(".maps");

/* The IPv4 key of the flow of bench_flows' frame. */
static __always_inline int bench_key4(struct xdp_md *ctx, struct bench_flow4 *k)
{
	__u8 *b = (void *)(long)ctx->data;

	if ((void *)(b + 38) > (void *)(long)ctx->data_end)
		return -1;
	k->w[0] = *(__u32 *)(b + 26);
	k->w[1] = *(__u32 *)(b + 30);
	k->w[2] = *(__u32 *)(b + 34);
	k->w[3] = b[23];
	return 0;
}

/*
 * Handshakes (the benchmark's priming): bench_flows with TCP flags SYN in
 * even iterations, ACK in odd ones.  A sequence that names every flow
 * twice in a row establishes each flow the way a client does (a data path
 * that keeps a SYN's choice apart until the ACK records it then).  Each
 * ACK also records the flow in bench_lru4.
 */
SEC("xdp")
int bench_handshake(struct xdp_md *ctx)
{
	struct xlb_ct_entry ce = { .bid = 0, .gen = 1 };
	__u8 flags = bench_pos & 1 ? 0x10 : 0x02, *b;
	struct bench_flow4 k;

	if (bench_restore_frame(ctx) || bench_next_flow(ctx))
		return XDP_ABORTED;
	b = (void *)(long)ctx->data;
	if ((void *)(b + 48) > (void *)(long)ctx->data_end)
		return XDP_ABORTED;
	b[47] = flags;
	if (flags == 0x10 && !bench_key4(ctx, &k))
		bpf_map_update_elem(&bench_lru4, &k, &ce, BPF_ANY);
	return xlb_process(ctx);
}

/* bench_flows' own cost: bench_restore plus drawing the flow. */
SEC("xdp")
int bench_flows_restore(struct xdp_md *ctx)
{
	if (bench_restore_frame(ctx) || bench_next_flow(ctx))
		return XDP_ABORTED;
	return bench_grown(ctx);
}

/*
 * The kernel's LRU work alone, on bench_flows' frames: the lookup of the
 * flow's IPv4 key in bench_lru4 (bench_lru_lookup), or the insert of an
 * entry for it (bench_lru_insert, into a full table: an eviction), after
 * bench_flows_restore's work.  bench_lru_found counts the lookups that
 * found an entry and the inserts that succeeded.
 */
__u64 bench_lru_found;

/* bench_flows_restore's work up to the flow, then the flow's IPv4 key. */
static __always_inline int bench_lru_key(struct xdp_md *ctx,
					 struct bench_flow4 *k)
{
	if (bench_restore_frame(ctx) || bench_next_flow(ctx))
		return -1;
	return bench_key4(ctx, k);
}

SEC("xdp")
int bench_lru_lookup(struct xdp_md *ctx)
{
	struct bench_flow4 k;

	if (bench_lru_key(ctx, &k))
		return XDP_ABORTED;
	if (bpf_map_lookup_elem(&bench_lru4, &k))
		bench_lru_found++;
	return bench_grown(ctx);
}

SEC("xdp")
int bench_lru_insert(struct xdp_md *ctx)
{
	struct xlb_ct_entry ce = { .bid = 0, .gen = 1 };
	struct bench_flow4 k;

	if (bench_lru_key(ctx, &k))
		return XDP_ABORTED;
	if (!bpf_map_update_elem(&bench_lru4, &k, &ce, BPF_ANY))
		bench_lru_found++;
	return bench_grown(ctx);
}

/*
 * The floor of another connection table (bench_bucket.h), written by the
 * benchmark through mmap: bench_bucket_lookup does bench_lru_lookup's work
 * with this table instead of the LRU.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, BENCH_BUCKETS);
	__type(key, __u32);
	__type(value, struct bench_bucket);
} bench_buckets SEC(".maps");

static __always_inline int bench_bucket_has(__u32 seed, const __u32 *k)
{
	__u32 idx = bench_bucket_hash(k, seed);
	struct bench_bucket *b = bpf_map_lookup_elem(&bench_buckets, &idx);
	int i;

	if (!b)
		return 0;
#pragma unroll
	for (i = 0; i < 4; i++)
		if (b->w[4 * i] == k[0] && b->w[4 * i + 1] == k[1] &&
		    b->w[4 * i + 2] == k[2] && b->w[4 * i + 3])
			return 1;
	return 0;
}

SEC("xdp")
int bench_bucket_lookup(struct xdp_md *ctx)
{
	struct bench_flow4 k;

	if (bench_lru_key(ctx, &k))
		return XDP_ABORTED;
	if (bench_bucket_has(0, k.w) || bench_bucket_has(1, k.w))
		bench_lru_found++;
	return bench_grown(ctx);
}

#ifdef XLB_CT4_WAYS
/*
 * The data path's own IPv4 connection table lookup alone
 * (xlb_ct4_lookup(), bpf/lib/conntrack.h) on bench_flows' frames, after
 * bench_flows_restore's work: the floor of the 1M-flow cases with it.
 */
SEC("xdp")
int bench_ct4_lookup(struct xdp_md *ctx)
{
	struct xlb_flow f = { .family = XLB_AF_INET };
	struct bench_flow4 k;

	if (bench_lru_key(ctx, &k))
		return XDP_ABORTED;
	f.src[0] = k.w[0];
	f.dst[0] = k.w[1];
	*(__u32 *)&f.sport = k.w[2];
	f.proto = k.w[3];
	if (xlb_ct4_lookup(&f))
		bench_lru_found++;
	return bench_grown(ctx);
}
#endif

SEC("xdp")
int bench_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}
