/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench_bucket.h - the bucketized table of the benchmark's
 * flows_1m_*_bucket floors (an experiment for issue 16's 1M-flow target,
 * no data path uses it), shared by bench_xdp.bpf.c (the lookup) and
 * bench_xdp.c (the fill through mmap): 2^20 buckets of one cache line,
 * four IPv4 entries {src, dst, ports, value} each, a key in one of two
 * buckets (bench_bucket_hash() with seed 0 or 1).  Needs lib/xlb_hash.h.
 */
#ifndef BENCH_BUCKET_H
#define BENCH_BUCKET_H

#define BENCH_BUCKETS (1U << 20)

struct bench_bucket {
	__u32 w[16];
};

/* Bucket of IPv4 key k (source, destination, ports words) for seed. */
static __always_inline __u32 bench_bucket_hash(const __u32 *k, __u32 seed)
{
	return xlb_hash_final(
		       xlb_hash_mix(xlb_hash_mix(seed, k[0]) ^ k[1], k[2])) &
	       (BENCH_BUCKETS - 1);
}

#endif /* BENCH_BUCKET_H */
