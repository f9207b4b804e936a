// SPDX-License-Identifier: GPL-2.0
/*
 * bench_xdp.bpf.c - benchmark-only programs around the real data path.
 *
 * BPF_PROG_TEST_RUN with repeat > 1 does not restore the frame between
 * iterations: an encapsulating program would see its own output.
 * bench_xlb first restores the frame (undoes the head growth of the previous
 * iteration and rewrites the first bytes, the only ones the data path
 * overwrites) and then runs exactly the code of xlb_xdp.  bench_restore
 * measures that restore work alone, bench_pass is the XDP_PASS floor.
 */
#include "../../bpf/xlb.bpf.c"

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

SEC("xdp")
int bench_restore(struct xdp_md *ctx)
{
	if (bench_restore_frame(ctx))
		return XDP_ABORTED;
	return XDP_PASS;
}

SEC("xdp")
int bench_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}
