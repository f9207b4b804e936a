// SPDX-License-Identifier: GPL-2.0
/*
 * bench_xdp.c - ns/packet of the XDP data path with BPF_PROG_TEST_RUN
 * (JIT, repeat >= 100000, median of several runs), run by `make bench-xdp`
 * inside the netns of tests/bpf/run.sh.  Prints
 *	BENCH xdp <case> <ns> ns/pkt
 *	BENCH bpf verifier_insns <n> insns
 *
 * Encapsulating cases run bench_xlb (tests/bench/bench_xdp.bpf.c): it
 * restores the frame, then runs the data path's code unchanged, so every
 * iteration processes the intended packet; the figure therefore includes
 * the restore work, shown alone as case "restore_floor".  Every run is
 * checked: the verdict and the counter deltas must show that all `repeat`
 * iterations took the intended path, otherwise the benchmark fails.
 * Cases with many flows (flows_*, syn_flood_full) run bench_flows: each
 * iteration sends the next flow of a sequence written before the run
 * (uniform or Zipf s=1 over N primed flows, or fresh tuples); their floor
 * is "flows_floor".  Every case also prints the share of its packets
 * served by the flow cache (fc_hit) and that found a connection table
 * entry, in the flow cache or the LRU (ct_hit), summed over all runs.
 * BENCH_REPEAT and BENCH_RUNS override repeat (default 1000000 = the
 * length of a flow sequence, fewer replays part of it) and runs (7),
 * BENCH_CASE=<name>[,<name>...] runs those cases only, BENCH_FC_BITS=<b>
 * loads the program with a flow cache of 2^b slots (default: the
 * program's own).  Each run starts with the flow cache probing on every
 * CPU (its bypass state cleared); fc_bypass is the share of packets that
 * found it bypassed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xlb_hash.h"
#include "xlbh.h"
#include "bench_bucket.h"
#include "xlb.skel.h"
#include "bench_xdp.skel.h"

static struct xlbh H;
static struct bench_xdp *B;
static int ifindex;
static __u32 repeat = 1000000, runs = 7, fc_bits;

static const __u8 MAC_A0[6] = { 2, 0, 0, 0, 0x0a, 0x00 };
static const __u8 MAC_CLI[6] = { 2, 0, 0, 0, 0xc0, 0x01 };

enum bprog {
	P_XLB,
	P_XDP,
	P_PASS,
	P_RESTORE,
	P_FLOWS,
	P_FLOWS_RESTORE,
	P_LRU_LOOKUP,
	P_LRU_INSERT,
	P_HANDSHAKE,
	P_BUCKET_LOOKUP,
	P_CT4_LOOKUP
};

/* The flow sequence of a bench_flows case (bench_xdp.bpf.c). */
enum bseq {
	S_NONE,
	S_UNIFORM, /* nflows flows, each packet's drawn uniformly */
	S_ZIPF, /* nflows flows, flow of rank r with weight 1/r */
	S_FRESH, /* a new five-tuple every packet, never seen before */
};

struct bcase {
	const char *name;
	const char *src, *dst;
	__u16 dport;
	__u8 proto, flags;
	bool prime; /* handshake first (establish) */
	enum bprog prog;
	__u32 verdict;
	int stat, info; /* counters that must move by repeat (-1: none) */
	int fc; /* flow_cache_hit: 1 >= 99% of repeat (the rest refreshes
		 * from the LRU once per lifetime), 0 never, -1 any */
	enum bseq seq;
	__u32 nflows;
	int info2; /* >= 0: info + info2 move by repeat (not each alone) */
};

static const struct bcase CASES[] = {
	{ "pass_floor", "192.0.2.1", "10.200.0.1", 80, IPPROTO_TCP, TCP_ACK,
	  false, P_PASS, XDP_PASS, -1, -1, -1, S_NONE, 0, -1 },
	{ "restore_floor", "192.0.2.1", "10.200.0.1", 80, IPPROTO_TCP, TCP_ACK,
	  false, P_RESTORE, XDP_PASS, -1, -1, -1, S_NONE, 0, -1 },
	{ "tcp4_established", "192.0.2.1", "10.100.0.1", 80, IPPROTO_TCP,
	  TCP_ACK, true, P_XLB, XDP_TX, XLB_STAT_TX, XLB_STAT_CT_HIT, 1, S_NONE,
	  0, -1 },
	{ "tcp4_syn", "192.0.2.2", "10.100.0.1", 80, IPPROTO_TCP, TCP_SYN,
	  false, P_XLB, XDP_TX, XLB_STAT_TX, XLB_STAT_CT_MISS, 0, S_NONE, 0,
	  -1 },
	{ "udp4", "192.0.2.3", "10.100.0.1", 53, IPPROTO_UDP, 0, true, P_XLB,
	  XDP_TX, XLB_STAT_TX, XLB_STAT_CT_HIT, 1, S_NONE, 0, -1 },
	{ "tcp6_established", "2001:db8::1", "fd10::1", 80, IPPROTO_TCP,
	  TCP_ACK, true, P_XLB, XDP_TX, XLB_STAT_TX, XLB_STAT_CT_HIT, 1, S_NONE,
	  0, -1 },
	{ "non_service", "192.0.2.4", "10.200.0.1", 80, IPPROTO_TCP, TCP_ACK,
	  false, P_XDP, XDP_PASS, XLB_STAT_PASS_NOT_SERVICE, -1, 0, S_NONE, 0,
	  -1 },
};

/*
 * Many flows, table large enough for all of them (conntrack-size
 * FLOWS_CT), all FLOWS_MAX flows established (a handshake each) before the
 * first round.  Each packet finds its entry (conntrack_hit) or, for the
 * few flows the bucketized IPv4 table evicted at their insert, none
 * (conntrack_miss, forwarded untracked); the hit rate is printed.
 */
#define FLOWS_MAX 1000000
#define FLOWS_CT 1200000
#define SEQ_MAX (1U << 20) /* BENCH_SEQ_MAX of bench_xdp.bpf.c */
#define FLOW_CASE(n, s, f)                                                     \
	{                                                                      \
		n, "192.0.2.5", "10.100.0.1", 80, IPPROTO_TCP, TCP_ACK, false, \
			P_FLOWS, XDP_TX, XLB_STAT_TX, XLB_STAT_CT_HIT, -1, s,  \
			f, XLB_STAT_CT_MISS                                    \
	}

static const struct bcase FLOW_CASES[] = {
	{ "flows_floor", "192.0.2.5", "10.200.0.1", 80, IPPROTO_TCP, TCP_ACK,
	  false, P_FLOWS_RESTORE, XDP_PASS, -1, -1, -1, S_UNIFORM, FLOWS_MAX,
	  -1 },
	FLOW_CASE("flows_1k_uniform", S_UNIFORM, 1000),
	FLOW_CASE("flows_1k_zipf", S_ZIPF, 1000),
	FLOW_CASE("flows_100k_uniform", S_UNIFORM, 100000),
	FLOW_CASE("flows_100k_zipf", S_ZIPF, 100000),
	FLOW_CASE("flows_1m_uniform", S_UNIFORM, FLOWS_MAX),
	FLOW_CASE("flows_1m_zipf", S_ZIPF, FLOWS_MAX),
	/*
	 * The floors of the 1M cases: flows_floor's work plus the kernel's
	 * lookup of the flow in the connection table (every one found),
	 * nothing of xlb's own.  No data path that looks each packet up in
	 * the LRU can be cheaper.
	 */
	{ "flows_1m_uniform_lru", "192.0.2.5", "10.100.0.1", 80, IPPROTO_TCP,
	  TCP_ACK, false, P_LRU_LOOKUP, XDP_PASS, -1, -1, -1, S_UNIFORM,
	  FLOWS_MAX, -1 },
	{ "flows_1m_zipf_lru", "192.0.2.5", "10.100.0.1", 80, IPPROTO_TCP,
	  TCP_ACK, false, P_LRU_LOOKUP, XDP_PASS, -1, -1, -1, S_ZIPF, FLOWS_MAX,
	  -1 },
	/*
	 * The same floors with another table (bench_bucket_lookup: one cache
	 * line per bucket, two candidate buckets), an experiment: what a
	 * connection table with one miss per cold lookup could reach.
	 */
	{ "flows_1m_uniform_bucket", "192.0.2.5", "10.100.0.1", 80, IPPROTO_TCP,
	  TCP_ACK, false, P_BUCKET_LOOKUP, XDP_PASS, -1, -1, -1, S_UNIFORM,
	  FLOWS_MAX, -1 },
	{ "flows_1m_zipf_bucket", "192.0.2.5", "10.100.0.1", 80, IPPROTO_TCP,
	  TCP_ACK, false, P_BUCKET_LOOKUP, XDP_PASS, -1, -1, -1, S_ZIPF,
	  FLOWS_MAX, -1 },
#ifdef XLB_CT4_WAYS
	/* the data path's IPv4 table (xlb_ct4_lookup()) in the same floor */
	{ "flows_1m_uniform_ct4", "192.0.2.5", "10.100.0.1", 80, IPPROTO_TCP,
	  TCP_ACK, false, P_CT4_LOOKUP, XDP_PASS, -1, -1, -1, S_UNIFORM,
	  FLOWS_MAX, -1 },
	{ "flows_1m_zipf_ct4", "192.0.2.5", "10.100.0.1", 80, IPPROTO_TCP,
	  TCP_ACK, false, P_CT4_LOOKUP, XDP_PASS, -1, -1, -1, S_ZIPF, FLOWS_MAX,
	  -1 },
#endif
};

/*
 * The connection table at its default size (XLB_DEFAULT_CT_ENTRIES), full:
 * FULL_PRIME flows established, the most popular last (so the LRU holds
 * the top ranks, as it would after real traffic).  1M Zipf flows then find
 * an entry (conntrack_hit) or not (conntrack_miss, forwarded untracked).
 */
#define FULL_PRIME (2 * XLB_DEFAULT_CT_ENTRIES)
static const struct bcase FULL_ZIPF = {
	.name = "flows_1m_zipf_full",
	.src = "192.0.2.5",
	.dst = "10.100.0.1",
	.dport = 80,
	.proto = IPPROTO_TCP,
	.flags = TCP_ACK,
	.prog = P_FLOWS,
	.verdict = XDP_TX,
	.stat = XLB_STAT_TX,
	.info = XLB_STAT_CT_HIT,
	.fc = -1,
	.seq = S_ZIPF,
	.nflows = FLOWS_MAX,
	.info2 = XLB_STAT_CT_MISS,
};

/*
 * A SYN flood, a new five-tuple each packet, into that full table; its
 * floor: flows_floor's work plus the kernel's insert of each tuple into
 * the full table (an eviction each), nothing of xlb's own.
 */
static const struct bcase SYN_FLOOD[] = {
	{
		.name = "syn_flood_full",
		.src = "192.0.2.5",
		.dst = "10.100.0.1",
		.dport = 80,
		.proto = IPPROTO_TCP,
		.flags = TCP_SYN,
		.prog = P_FLOWS,
		.verdict = XDP_TX,
		.stat = XLB_STAT_TX,
		.info = XLB_STAT_CT_MISS,
		.fc = 0,
		.seq = S_FRESH,
		.info2 = -1,
	},
	{
		.name = "syn_flood_lru",
		.src = "192.0.2.5",
		.dst = "10.100.0.1",
		.dport = 80,
		.proto = IPPROTO_TCP,
		.flags = TCP_SYN,
		.prog = P_LRU_INSERT,
		.verdict = XDP_PASS,
		.stat = -1,
		.info = -1,
		.fc = -1,
		.seq = S_FRESH,
		.info2 = -1,
	},
};

static int prog_fd(enum bprog which)
{
	switch (which) {
	case P_XLB:
		return bpf_program__fd(B->progs.bench_xlb);
	case P_XDP:
		return bpf_program__fd(B->progs.xlb_xdp);
	case P_PASS:
		return bpf_program__fd(B->progs.bench_pass);
	case P_FLOWS:
		return bpf_program__fd(B->progs.bench_flows);
	case P_FLOWS_RESTORE:
		return bpf_program__fd(B->progs.bench_flows_restore);
	case P_LRU_LOOKUP:
		return bpf_program__fd(B->progs.bench_lru_lookup);
	case P_LRU_INSERT:
		return bpf_program__fd(B->progs.bench_lru_insert);
	case P_HANDSHAKE:
		return bpf_program__fd(B->progs.bench_handshake);
	case P_BUCKET_LOOKUP:
		return bpf_program__fd(B->progs.bench_bucket_lookup);
#ifdef XLB_CT4_WAYS
	case P_CT4_LOOKUP:
		return bpf_program__fd(B->progs.bench_ct4_lookup);
#endif
	default:
		return bpf_program__fd(B->progs.bench_restore);
	}
}

/*
 * The sequence map of bench_flows, mmapped: SEQ_MAX values of 8 bytes (an
 * array map's values are 8-byte aligned), the tuple in the low 32 bits.
 */
static __u64 *seq_map;

/* Murmur3's finalizer: a bijection, so distinct flow ids, distinct tuples. */
static __u32 flow_tuple(__u32 id)
{
	id ^= id >> 16;
	id *= 0x85ebca6b;
	id ^= id >> 13;
	id *= 0xc2b2ae35;
	id ^= id >> 16;
	return id;
}

static __u64 rng_state = 0x9e3779b97f4a7c15ULL;

static __u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* A uniform double in [0, 1). */
static double rng_unit(void)
{
	return (rng() >> 11) * (1.0 / 9007199254740992.0);
}

/*
 * SEQ_MAX draws of flow ids (0..n-1) in *out, as tuples: uniform, or Zipf
 * with s = 1 (rank r + 1 has weight 1 / (r + 1), id r; inverse of the
 * cumulative weights by binary search).
 */
static int seq_make(enum bseq kind, __u32 n, __u64 **out)
{
	__u64 *q = malloc(SEQ_MAX * sizeof(*q));
	__u32 i;
	double *cum = NULL;

	if (!q)
		return -ENOMEM;
	if (kind == S_ZIPF) {
		cum = malloc(n * sizeof(*cum));
		if (!cum) {
			free(q);
			return -ENOMEM;
		}
		for (i = 0; i < n; i++)
			cum[i] = (i ? cum[i - 1] : 0) + 1.0 / (i + 1);
	}
	for (i = 0; i < SEQ_MAX; i++) {
		__u32 id = rng() % n;

		if (kind == S_ZIPF) {
			double u = rng_unit() * cum[n - 1];
			__u32 lo = 0, hi = n - 1;

			while (lo < hi) {
				__u32 mid = lo + (hi - lo) / 2;

				if (cum[mid] > u)
					hi = mid;
				else
					lo = mid + 1;
			}
			id = lo;
		}
		q[i] = flow_tuple(id);
	}
	free(cum);
	*out = q;
	return 0;
}

/*
 * Fresh tuples for run r (< 64): ids never used by priming or by another
 * run.
 */
static void seq_fresh(__u32 r)
{
	__u32 i, base = 0x40000000u + r * SEQ_MAX;

	for (i = 0; i < SEQ_MAX; i++)
		seq_map[i] = flow_tuple(base + i);
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/*
 * A case being measured: its frame, its flow sequence, the duration of
 * every run and the hits summed over the runs.
 */
struct bstate {
	const struct bcase *c;
	__u8 frame[256];
	size_t len;
	__u64 *seq;
	__u32 ns[32];
	unsigned long long pkts, fc_hit, ct_hit, ct_rl, fc_byp;
	bool failed;
};

/* Build the case's frame; an established case first sends its handshake. */
static int prepare(const struct bcase *c, struct bstate *st)
{
	struct pkt p;
	__u32 v, i;
	int err;

	memset(st, 0, sizeof(*st));
	st->c = c;
	if (c->seq == S_UNIFORM || c->seq == S_ZIPF) {
		err = seq_make(c->seq, c->nflows, &st->seq);
		if (err) {
			st->failed = true;
			return err;
		}
	}
	memset(&p, 0, sizeof(p));
	memcpy(p.dmac, MAC_A0, 6);
	memcpy(p.smac, MAC_CLI, 6);
	p.family = xlbh_addr(c->src, p.src);
	xlbh_addr(c->dst, p.dst);
	p.sport = 33333;
	p.dport = c->dport;
	p.proto = c->proto;
	p.payload = c->proto == IPPROTO_UDP ? 18 : 0;
	/* a TCP flow's handshake: SYN, then ACK (the SYN alone for UDP) */
	for (i = 0; c->prime && i < 1 + (c->proto == IPPROTO_TCP); i++) {
		p.tcp_flags = i ? TCP_ACK : TCP_SYN;
		st->len = pkt_build(&p, st->frame);
		err = xlbh_run(prog_fd(P_XDP), ifindex, st->frame, st->len,
			       NULL, NULL, &v);
		if (err || v != c->verdict) {
			fprintf(stderr,
				"bench: %s: priming: err %d verdict %u\n",
				c->name, err, v);
			st->failed = true;
			return -1;
		}
	}
	p.tcp_flags = c->flags;
	st->len = pkt_build(&p, st->frame);
	return 0;
}

static unsigned long long delta(const __u64 *after, const __u64 *before, int i)
{
	return i < 0 ? 0 : (unsigned long long)(after[i] - before[i]);
}

/*
 * Index of the counter named text ("flow_cache_bypass"), -1 if this data
 * path has none (the base of `make bench-xdp-ab` may be older).
 */
static int stat_index(const char *text)
{
#define X(name, t, info) t,
	static const char *const names[] = { XLB_STATS(X) };
#undef X
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(names[i], text))
			return (int)i;
	return -1;
}

/*
 * Each run starts with every CPU probing its flow cache (no debt), if the
 * data path has the bypass (the base of `make bench-xdp-ab` may be
 * older): a case measures its own traffic, not the bypass state the
 * previous case left.  The state is what follows the counters in the
 * xlb_stats value (struct xlb_fc_adapt), or the value of the xlb_fc_adapt
 * map of the data paths of 2026-12-02.
 */
static void fc_adapt_reset(void)
{
	struct bpf_map *m =
		bpf_object__find_map_by_name(B->obj, "xlb_fc_adapt");
	static __u64 v[1024 * 64];
	size_t ncpu = (size_t)libbpf_num_possible_cpus(), vs, i;
	size_t cnt = sizeof(__u64) * XLB_STAT__MAX;
	__u32 key = 0;

	if (m && bpf_map__value_size(m) == 8 && ncpu <= 1024) {
		memset(v, 0, 8 * ncpu);
		bpf_map__update_elem(m, &key, sizeof(key), v, 8 * ncpu, 0);
	}
	m = B->maps.xlb_stats;
	vs = bpf_map__value_size(m);
	if (vs <= cnt || vs % 8 || vs * ncpu > sizeof(v) ||
	    bpf_map__lookup_elem(m, &key, sizeof(key), v, vs * ncpu, 0))
		return;
	for (i = 0; i < ncpu; i++)
		memset((char *)v + i * vs + cnt, 0, vs - cnt);
	bpf_map__update_elem(m, &key, sizeof(key), v, vs * ncpu, 0);
}

/* Did every iteration take the case's path?  Says why not. */
static bool path_ok(const struct bcase *c, const __u64 *after,
		    const __u64 *before, __u32 n)
{
	unsigned long long fc = delta(after, before, XLB_STAT_FLOW_CACHE_HIT);
	unsigned long long info = delta(after, before, c->info);

	if (c->info2 >= 0)
		info += delta(after, before, c->info2);
	if ((c->stat >= 0 && delta(after, before, c->stat) != n) ||
	    (c->info >= 0 && info != n)) {
		fprintf(stderr,
			"bench: %s: counters moved by %llu/%llu, want %u: "
			"not every iteration took the path\n",
			c->name, delta(after, before, c->stat), info, n);
		return false;
	}
	if (c->fc >= 0 && (c->fc ? fc < n - n / 100 : fc != 0)) {
		fprintf(stderr,
			"bench: %s: flow_cache_hit moved by %llu of %u, "
			"want %s\n",
			c->name, fc, n, c->fc ? ">= 99%" : "0");
		return false;
	}
	return true;
}

/*
 * n iterations of the case's program on its frame (bench_flows: from
 * position 0 of the sequence now in the map); the verdict and the counters
 * must show that every iteration took the case's path.  *ns gets the
 * kernel's average per iteration.
 */
static int run_case(struct bstate *st, __u32 n, __u32 *ns)
{
	const struct bcase *c = st->c;
	__u64 before[XLB_STAT__MAX], after[XLB_STAT__MAX], lru;
	struct xdp_md ctx = { .data_end = st->len, .ingress_ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = st->frame,
		    .data_size_in = st->len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = n);
	int err;

	memcpy(B->bss->bench_head, st->frame, sizeof(B->bss->bench_head));
	B->bss->bench_len = st->len;
	B->bss->bench_pos = 0;
	fc_adapt_reset();
	xlbh_stats(&H, before);
	lru = B->bss->bench_lru_found;
	err = bpf_prog_test_run_opts(prog_fd(c->prog), &o);
	lru = B->bss->bench_lru_found - lru;
	xlbh_stats(&H, after);
	if (err || o.retval != c->verdict) {
		fprintf(stderr, "bench: %s: err %d verdict %u, want %u\n",
			c->name, err, o.retval, c->verdict);
		return -1;
	}
	if (!path_ok(c, after, before, n))
		return -1;
	/* the floors of the connection table: every lookup or insert works */
	/* (the IPv4 table's: all but the few, < 1 %, evicted at their insert) */
	if ((c->prog == P_LRU_LOOKUP || c->prog == P_LRU_INSERT ||
	     c->prog == P_BUCKET_LOOKUP || c->prog == P_CT4_LOOKUP) &&
	    (c->prog == P_CT4_LOOKUP ? lru < n - n / 100 : lru != n)) {
		fprintf(stderr,
			"bench: %s: %llu of %u connection table lookups or "
			"inserts succeeded\n",
			c->name, (unsigned long long)lru, n);
		return -1;
	}
	st->pkts += n;
	st->fc_hit += delta(after, before, XLB_STAT_FLOW_CACHE_HIT);
	st->ct_hit += delta(after, before, XLB_STAT_CT_HIT);
	st->ct_rl += delta(after, before, XLB_STAT_CT_RATE_LIMITED);
	st->fc_byp += delta(after, before, stat_index("flow_cache_bypass"));
	*ns = o.duration;
	return 0;
}

/* Run r of a case; a run that did not take the intended path fails it. */
static void run_once(struct bstate *st, __u32 r)
{
	if (st->failed)
		return;
	if (st->seq)
		memcpy(seq_map, st->seq, SEQ_MAX * sizeof(*seq_map));
	else if (st->c->seq == S_FRESH)
		/* the floor's tuples are none the data path case inserted */
		seq_fresh(st->c->prog == P_LRU_INSERT ? r + 32 : r);
	if (run_case(st, repeat, &st->ns[r]))
		st->failed = true;
}

static double pct(unsigned long long a, unsigned long long b)
{
	return b ? 100.0 * a / b : 0;
}

/*
 * Measure the cases in rounds (every case once per round), so a burst of
 * load on the machine spreads over all cases instead of falling on one;
 * print each case's median and hit rates.  Returns nonzero if a case
 * failed.
 */
/* BENCH_CASE: unset, or a comma-separated list of case names. */
static bool selected(const char *only, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	if (!only)
		return true;
	for (p = only; (p = strstr(p, name)); p += n)
		if ((p == only || p[-1] == ',') && (!p[n] || p[n] == ','))
			return true;
	return false;
}

static int measure(const struct bcase *cases, size_t n, const char *only)
{
	static struct bstate st[16];
	size_t i, k = 0;
	__u32 r;
	int fail = 0;

	for (i = 0; i < n && k < 16; i++)
		if (selected(only, cases[i].name))
			prepare(&cases[i], &st[k++]);
	for (r = 0; r < runs; r++)
		for (i = 0; i < k; i++)
			run_once(&st[i], r);
	for (i = 0; i < k; i++) {
		free(st[i].seq);
		if (st[i].failed) {
			fail = 1;
			continue;
		}
		qsort(st[i].ns, runs, sizeof(st[i].ns[0]), cmp_u32);
		printf("BENCH xdp %s %u ns/pkt fc_hit=%.1f%% ct_hit=%.1f%%",
		       st[i].c->name, st[i].ns[runs / 2],
		       pct(st[i].fc_hit, st[i].pkts),
		       pct(st[i].ct_hit, st[i].pkts));
		if (st[i].ct_rl)
			printf(" ct_rate_limited=%.1f%%",
			       pct(st[i].ct_rl, st[i].pkts));
		if (st[i].fc_byp)
			printf(" fc_bypass=%.1f%%",
			       pct(st[i].fc_byp, st[i].pkts));
		printf(" min=%u max=%u n=%u\n", st[i].ns[0], st[i].ns[runs - 1],
		       runs);
		fflush(stdout);
	}
	return fail;
}

/* Verifier's processed-instruction count of the real xlb.bpf.o. */
static long verifier_insns(void)
{
	static char log[1 << 20];
	struct xlb *skel = xlb__open();
	long n = -1;
	char *s;

	if (!skel)
		return -1;
	bpf_program__set_log_buf(skel->progs.xlb_xdp, log, sizeof(log));
	bpf_program__set_log_level(skel->progs.xlb_xdp, 4);
	if (!xlb__load(skel)) {
		s = strstr(log, "processed ");
		if (s)
			n = strtol(s + 10, NULL, 10);
	}
	xlb__destroy(skel);
	return n;
}

static void configure(void);

/* Loader settings of one group of cases. */
struct bload {
	__u64 nh_ttl, fc_ttl;
	__u32 ct_entries; /* conntrack-size (and bench_lru4's) */
	__u32 ct_rate;
};

static const struct bload LOAD_DEFAULT = { XLB_DEFAULT_NH_TTL_JIFFIES,
					   XLB_DEFAULT_FC_TTL_JIFFIES,
					   XLB_DEFAULT_CT_ENTRIES,
					   XLB_DEFAULT_CT_RATE };

/* Open, size, load and bind the bench object; publish the configuration. */
static __u32 buckets_fill(void);

static int load(const struct bload *l)
{
	size_t sz = SEQ_MAX * sizeof(*seq_map);
	int err;

	B = bench_xdp__open();
	if (!B)
		return -1;
	B->rodata->xlb_cfg_nh_ttl_jiffies = l->nh_ttl;
	B->rodata->xlb_cfg_fc_ttl_jiffies = l->fc_ttl;
	B->rodata->xlb_cfg_ct_rate = l->ct_rate;
	if (fc_bits) {
		B->rodata->xlb_cfg_fc_bits = fc_bits;
		err = bpf_map__set_max_entries(B->maps.xlb_flow_cache,
					       1U << fc_bits);
		if (err)
			return err;
	}
	err = bpf_map__set_value_size(B->maps.xlb_tables,
				      4 * XLB_DEFAULT_TABLE_MAX);
	if (!err)
		err = bpf_map__set_max_entries(B->maps.bench_lru4,
					       l->ct_entries);
#ifdef XLB_CT4_WAYS
	/* the buckets as lbctl attach sizes them for conntrack-size */
	B->rodata->xlb_cfg_ct4_seed = XLBH_CT4_SEED;
	B->rodata->xlb_cfg_ct4_mask = xlb_ct4_nbuckets(l->ct_entries) - 1;
	if (!err)
		err = bpf_map__set_max_entries(B->maps.xlb_conntrack4,
					       xlb_ct4_nbuckets(l->ct_entries));
#else
	if (!err)
		err = bpf_map__set_max_entries(B->maps.xlb_conntrack4,
					       l->ct_entries);
#endif
	if (!err)
		err = bench_xdp__load(B);
	if (!err) {
		seq_map = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED,
			       bpf_map__fd(B->maps.bench_seq), 0);
		if (seq_map == MAP_FAILED)
			err = -errno;
	}
	if (!err)
		err = xlbh_bind(&H, B->obj, XLB_DEFAULT_TABLE_MAX,
				XLB_DEFAULT_VIP_SLOTS);
	if (!err) {
		configure();
		err = xlbh_publish(&H);
	}
	if (!err && buckets_fill()) {
		fprintf(stderr, "bench: bench_buckets: flows without a free "
				"entry\n");
		err = -ENOSPC;
	}
	if (err)
		fprintf(stderr, "bench: load/publish: %s\n", strerror(-err));
	return err;
}

/*
 * Fill bench_buckets (bench_xdp.bpf.c) with the FLOWS_MAX flows of the
 * many-flow cases, as bench_lru_key() sees their frames: each in the less
 * loaded of its two buckets.  Returns how many found both full.
 */
static __u32 buckets_fill(void)
{
	size_t sz = (size_t)BENCH_BUCKETS * sizeof(struct bench_bucket);
	struct bench_bucket *m;
	__u32 id, miss = 0;
	int s, i;

	m = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED,
		 bpf_map__fd(B->maps.bench_buckets), 0);
	if (m == MAP_FAILED)
		return FLOWS_MAX;
	for (id = 0; id < FLOWS_MAX; id++) {
		__u32 t = flow_tuple(id), k[3], *w[2];
		__u8 b[12] = { 11, t >> 16, t >> 8, t,	     10, 100,
			       0,  1,	    0x80,   t >> 24, 0,	 80 };
		int used[2];

		memcpy(k, b, sizeof(k));
		for (s = 0; s < 2; s++) {
			w[s] = m[bench_bucket_hash(k, s)].w;
			for (used[s] = 0; used[s] < 4 && w[s][4 * used[s] + 3];
			     used[s]++)
				;
		}
		/* the less loaded of the two buckets */
		s = used[1] < used[0];
		i = used[s];
		if (i == 4) {
			miss++;
			continue;
		}
		memcpy(w[s] + 4 * (size_t)i, k, sizeof(k));
		w[s][4 * (size_t)i + 3] = 1;
	}
	munmap(m, sz);
	return miss;
}

static void unload(void)
{
	munmap(seq_map, SEQ_MAX * sizeof(*seq_map));
	bench_xdp__destroy(B);
}

/*
 * Establish flows 0..n-1 (a SYN and then an ACK each, highest id first, so
 * the lowest ids, the most popular in a Zipf sequence, are the most recent
 * in the LRU), in runs of SEQ_MAX / 2 handshakes.  Every SYN is a
 * connection table miss, every ACK a hit.
 */
static int prime_flows(__u32 n)
{
	static const struct bcase hs = {
		.name = "prime",
		.src = "192.0.2.5",
		.dst = "10.100.0.1",
		.dport = 80,
		.proto = IPPROTO_TCP,
		.flags = TCP_SYN,
		.prog = P_HANDSHAKE,
		.verdict = XDP_TX,
		.stat = XLB_STAT_TX,
		.info = XLB_STAT_CT_MISS,
		.fc = -1,
		.info2 = XLB_STAT_CT_HIT,
	};
	static struct bstate st;
	__u32 i, done, k, ns;

	if (prepare(&hs, &st))
		return -1;
	for (done = 0; done < n; done += k) {
		k = n - done < SEQ_MAX / 2 ? n - done : SEQ_MAX / 2;
		for (i = 0; i < k; i++)
			seq_map[2 * (size_t)i] = seq_map[2 * (size_t)i + 1] =
				flow_tuple(n - 1 - done - i);
		if (run_case(&st, 2 * k, &ns))
			return -1;
	}
	return 0;
}

/*
 * One group of cases under one load: ct flows established first (none: 0),
 * then measured in rounds.
 */
static int measure_group(const struct bload *l, __u32 prime,
			 const struct bcase *cases, size_t n, const char *only)
{
	size_t i;
	int fail;

	for (i = 0; i < n; i++)
		if (selected(only, cases[i].name))
			break;
	if (i == n)
		return 0;
	if (load(l))
		return 1;
	if (prime && prime_flows(prime)) {
		fprintf(stderr, "bench: priming %u flows failed\n", prime);
		unload();
		return 1;
	}
	fail = measure(cases, n, only);
	unload();
	return fail;
}

static void configure(void)
{
	struct xlbh_svc *s;
	__be32 a[4];

	s = xlbh_svc_add(&H, 0, "10.100.0.1", 80, IPPROTO_TCP, 65537);
	xlbh_be_add(&H, s, 0, "10.0.0.10", 1);
	xlbh_be_add(&H, s, 1, "10.0.0.11", 1);
	xlbh_be_add(&H, s, 2, "10.0.0.12", 1);
	s = xlbh_svc_add(&H, 1, "10.100.0.1", 53, IPPROTO_UDP, 65537);
	xlbh_be_add(&H, s, 3, "10.0.0.10", 1);
	s = xlbh_svc_add(&H, 2, "fd10::1", 80, IPPROTO_TCP, 65537);
	xlbh_be_add(&H, s, 4, "fd00::10", 1);
	xlbh_addr("10.0.0.1", a);
	H.src4 = a[0];
	xlbh_addr("fd00::1", H.src6);
	H.flags = XLB_CTL_F_BOUND;
}

/*
 * The flows cases of FLOW_CASES (floors excluded) renamed <name>_nofc, for
 * a load with the flow cache off (*l gets fc_ttl 0).
 */
#define NOFC 6 /* FLOW_CASES[1..6] */
static const struct bcase *nofc_cases(struct bload *l)
{
	static struct bcase c[NOFC];
	static char name[NOFC][48];
	size_t i;

	for (i = 0; i < NOFC; i++) {
		c[i] = FLOW_CASES[i + 1];
		snprintf(name[i], sizeof(name[i]), "%s_nofc", c[i].name);
		c[i].name = name[i];
		c[i].fc = 0;
	}
	l->fc_ttl = 0;
	return c;
}

int main(void)
{
	const char *e;
	cpu_set_t cpus;
	size_t i;
	int ns, fail = 0;
	FILE *f;
	char load_avg[128] = "";

	if ((e = getenv("BENCH_REPEAT")))
		repeat = strtoul(e, NULL, 10);
	if ((e = getenv("BENCH_RUNS")))
		runs = strtoul(e, NULL, 10);
	if ((e = getenv("BENCH_FC_BITS")))
		fc_bits = strtoul(e, NULL, 10);
	if (repeat < 100000 || runs < 1 || runs > 32) {
		fprintf(stderr, "bench: BENCH_REPEAT must be >= 100000 and "
				"BENCH_RUNS 1..32\n");
		return 2;
	}
	ifindex = if_nametoindex("xa0");
	if (!ifindex) {
		fprintf(stderr, "bench: device xa0 missing: run through "
				"tests/bpf/run.sh\n");
		return 1;
	}
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	f = fopen("/proc/loadavg", "r");
	if (f) {
		if (!fgets(load_avg, sizeof(load_avg), f))
			load_avg[0] = 0;
		fclose(f);
	}
	printf("# repeat=%u runs=%u (median) loadavg %s", repeat, runs,
	       load_avg);

	if (load(&LOAD_DEFAULT))
		return 1;
	{
		struct bpf_prog_info info = {};
		__u32 il = sizeof(info);

		if (bpf_obj_get_info_by_fd(prog_fd(P_XLB), &info, &il) ||
		    !info.jited_prog_len) {
			fprintf(stderr, "bench: the program is not JITed\n");
			return 1;
		}
		printf("# JIT: bench_xlb %u bytes of x86 code\n",
		       info.jited_prog_len);
	}
	unload();
	e = getenv("BENCH_CASE");
	fail = measure_group(&LOAD_DEFAULT, 0, CASES,
			     sizeof(CASES) / sizeof(CASES[0]), e);
	/*
	 * The same established flow with the flow cache off (every packet
	 * looks the LRU connection table up), then with both caches off.
	 */
	for (i = 0; i < 2; i++) {
		static const char *const name[] = {
			"tcp4_established_lru", "tcp4_established_nocache"
		};
		struct bload l = LOAD_DEFAULT;
		struct bcase c = CASES[2];

		c.name = name[i];
		c.fc = 0;
		l.fc_ttl = 0;
		if (i)
			l.nh_ttl = 0;
		fail |= measure_group(&l, 0, &c, 1, e);
	}
	/*
	 * Many flows.  No budget for new entries (xlb_cfg_ct_rate 0): the
	 * priming and the flood create every entry they ask for.
	 */
	{
		struct bload l = LOAD_DEFAULT;

		l.ct_rate = 0;
		l.ct_entries = FLOWS_CT;
		fail |= measure_group(
			&l, FLOWS_MAX, FLOW_CASES,
			sizeof(FLOW_CASES) / sizeof(FLOW_CASES[0]), e);
		/* the same flows with the flow cache off: does it pay? */
		fail |= measure_group(&l, FLOWS_MAX, nofc_cases(&l), NOFC, e);
		l.fc_ttl = XLB_DEFAULT_FC_TTL_JIFFIES;
		l.ct_entries = XLB_DEFAULT_CT_ENTRIES;
		fail |= measure_group(&l, FULL_PRIME, &FULL_ZIPF, 1, e);
		fail |= measure_group(&l, FULL_PRIME, SYN_FLOOD,
				      sizeof(SYN_FLOOD) / sizeof(SYN_FLOOD[0]),
				      e);
	}
	/*
	 * The same flood under the default budget of new entries: all but
	 * the first XLB_DEFAULT_CT_RATE SYNs per CPU and window are beyond
	 * it (the table as the budget lets the flood fill it).
	 */
	{
		struct bload l = LOAD_DEFAULT;
		struct bcase c = SYN_FLOOD[0];

		c.name = "syn_flood_budget";
		fail |= measure_group(&l, 0, &c, 1, e);
	}
	ns = verifier_insns();
	if (ns > 0)
		printf("BENCH bpf verifier_insns %d insns\n", ns);
	return fail;
}
