// SPDX-License-Identifier: GPL-2.0
/*
 * test_ct.c - the connection table under load and over time
 * (Documentation/datapath.md, "Connection table"):
 *
 *   flood     10,000 established TCP flows (a SYN and an ACK each), a
 *             weight change that would move a known part of them, then
 *             10,000,000 spoofed TCP packets without SYN (ACK, RST, FIN,
 *             data) with random five-tuples: afterwards every established
 *             flow still reaches the backend it started on, the table
 *             holds no flood entry, and the counters name the flood
 *             (conntrack_untracked).
 *   synflood  then 2,000,000 spoofed SYNs (16 times the table): each is
 *             forwarded, none makes an entry (a SYN's choice waits in the
 *             SYN table for the flow's ACK), no established flow moved.
 *   syn       the SYN table's rules: an ACK 63 s after its SYN takes the
 *             SYN's choice into the table, one 65 s after does not; a SYN
 *             beyond the budget leaves no choice (its ACK: untracked); a
 *             RST after a SYN goes to its backend and records nothing; a
 *             SYN's backend deleted before the ACK: stale.
 *   budget    a spoofed UDP flood creates exactly ct_rate entries per CPU
 *             and window (two windows named by the test's clock, so the
 *             figures do not depend on how fast the machine runs); the
 *             rest is counted conntrack_rate_limited, and the established
 *             TCP flows still have not moved (the flood alone would have
 *             evicted them: it is larger than the table).
 *   udp       an idle UDP flow is re-balanced after its service's
 *             udp_timeout, an active one (and one idle for less than the
 *             timeout) is not (ages on the test's clock, so a slow or
 *             loaded machine does not stretch them).
 *
 * Runs in the netns of tests/bpf/run.sh, pinned to CPU 0.  Which backend a
 * frame went to is read from the outer destination of the output frame.
 * The object is tests/bpf/ct_clock.bpf.c: tests/bench/bench_xdp.bpf.c (the
 * data path plus bench_spoof, which restores the frame and draws a new
 * spoofed five-tuple in every iteration, so the flood runs as
 * BPF_PROG_TEST_RUN with repeat) with the connection table's clock set by
 * the test (ct_clock_ns; 0: the real clock).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tap.h"
#include "xlbh.h"
#include "xlb_hash.h"
#include "ct_clock.skel.h"

#define NEST 10000
#define NFLOOD 10000000UL
#define FLOOD_REPEAT 1000000U
#define NUDP 200000UL

static const __u8 MAC_A0[6] = { 2, 0, 0, 0, 0x0a, 0x00 };
static const __u8 MAC_CLI[6] = { 2, 0, 0, 0, 0xc0, 0x01 };

static struct xlbh H;
static struct ct_clock *OBJ;
static int prog, if_a;
static struct xlbh_svc *T, *B, *U; /* TCP flood, UDP budget, UDP timeout */
static struct pkt E[NEST];
static __u32 EB[NEST];

/* The test's clock starts here: a budget window far from the real one. */
static __u64 clock0;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct pkt mk(__be32 src, __u16 sport, const char *vip, __u16 dport,
		     __u8 proto, __u8 flags)
{
	struct pkt p;

	memset(&p, 0, sizeof(p));
	memcpy(p.dmac, MAC_A0, 6);
	memcpy(p.smac, MAC_CLI, 6);
	p.family = XLB_AF_INET;
	p.src[0] = src;
	xlbh_addr(vip, p.dst);
	p.sport = sport;
	p.dport = dport;
	p.proto = proto;
	p.tcp_flags = flags;
	return p;
}

/*
 * Send frame p (to service s) once; the backend id of s it was encapsulated
 * to (by the outer IPv4 destination), XLB_TABLE_EMPTY if not forwarded.
 */
static __u32 send_to(const struct xlbh_svc *s, const struct pkt *p)
{
	__u8 in[256], out[512];
	size_t len = pkt_build(p, in), olen = sizeof(out);
	__u32 verdict, j;
	__be32 dst;

	if (xlbh_run(prog, if_a, in, len, out, &olen, &verdict) ||
	    (verdict != XDP_TX && verdict != XDP_REDIRECT) || olen < 34)
		return XLB_TABLE_EMPTY;
	memcpy(&dst, out + 14 + 16, 4);
	for (j = 0; j < s->nbe; j++)
		if (s->be[j].family == XLB_AF_INET && s->be[j].addr[0] == dst)
			return s->be[j].bid;
	return XLB_TABLE_EMPTY;
}

static __u64 stat_delta(const __u64 *a, const __u64 *b, int i)
{
	return b[i] - a[i];
}

/* Entries of protocol proto in the IPv4 connection table (its buckets). */
static __u64 ct4_entries(__u8 proto)
{
	size_t sz = (size_t)(H.ct4_mask + 1) * sizeof(struct xlb_ct4_bucket);
	struct xlb_ct4_bucket *b;
	__u64 n = 0;
	__u32 i;
	int w;

	b = mmap(NULL, sz, PROT_READ, MAP_SHARED, bpf_map__fd(H.m.conntrack4),
		 0);
	if (b == MAP_FAILED)
		return ~0ULL;
	for (i = 0; i <= H.ct4_mask; i++)
		for (w = 0; w < XLB_CT4_WAYS; w++)
			n += b[i].e[w].tag && (b[i].e[w].tag & 0xff) == proto;
	munmap(b, sz);
	return n;
}

/*
 * Every established flow's next packet; how many reached another backend.
 * The connection table must hold `held` of them (the others were evicted).
 */
static unsigned int moved_flows(const char *when, __u64 held)
{
	__u64 a[XLB_STAT__MAX], b[XLB_STAT__MAX];
	unsigned int i, moved = 0;

	xlbh_stats(&H, a);
	for (i = 0; i < NEST; i++) {
		E[i].tcp_flags = TCP_ACK;
		if (send_to(T, &E[i]) != EB[i])
			moved++;
	}
	xlbh_stats(&H, b);
	ok(stat_delta(a, b, XLB_STAT_CT_HIT) == held,
	   "%s: %llu of the %u next packets hit the connection table, want "
	   "%llu",
	   when, (unsigned long long)stat_delta(a, b, XLB_STAT_CT_HIT), NEST,
	   (unsigned long long)held);
	return moved;
}

static void establish(void)
{
	unsigned int i, bad = 0, would = 0;

	for (i = 0; i < NEST; i++) {
		E[i] = mk(htonl(0xac100000 + i), 10000 + i % 50000,
			  "10.100.0.1", 80, IPPROTO_TCP, TCP_SYN);
		EB[i] = send_to(T, &E[i]);
		E[i].tcp_flags = TCP_ACK;
		if (EB[i] == XLB_TABLE_EMPTY || send_to(T, &E[i]) != EB[i])
			bad++;
	}
	ok(!bad, "%u SYNs and their ACKs forwarded to one backend (%u not)",
	   NEST, bad);
	ok(ct4_entries(IPPROTO_TCP) == NEST, "%u TCP entries recorded", NEST);

	/* 1:1 -> 1:3: a known part of the flows has a new table slot */
	xlbh_be_by_bid(&H, 1)->weight = 3;
	if (!ok(!xlbh_publish(&H), "publish: weight of 10.0.0.11 1 -> 3"))
		return;
	for (i = 0; i < NEST; i++) {
		struct xlb_flow f;

		pkt_flow(&E[i], &f);
		if (xlbh_pick(&H, T, &f) != EB[i])
			would++;
	}
	diag("%u of %u established flows would move if re-hashed", would, NEST);
	ok(would > NEST / 10, "a known part (%u) would move if re-hashed",
	   would);
}

/*
 * NFLOOD spoofed segments, FLOOD_REPEAT per test run: bench_spoof gives
 * each its own random source (10.0.0.0/8, never the clients' 172.16/16),
 * source port and flags without SYN.
 */
static void spoof(unsigned long nflood, bool syn, __u64 *a, __u64 *b)
{
	struct xdp_md ctx = { .ingress_ifindex = if_a };
	__u8 in[256];
	struct pkt p;
	unsigned long n, err = 0;
	__u64 fwd;
	double t0, dt;

	p = mk(htonl(0x0a000001), 1024, "10.100.0.1", 80, IPPROTO_TCP, TCP_ACK);
	ctx.data_end = pkt_build(&p, in);
	memcpy(OBJ->bss->bench_head, in, sizeof(OBJ->bss->bench_head));
	OBJ->bss->bench_len = ctx.data_end;
	OBJ->bss->bench_spoof_syn = syn;
	xlbh_stats(&H, a);
	t0 = now_s();
	for (n = 0; n < nflood; n += FLOOD_REPEAT) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in,
			    .data_size_in = ctx.data_end, .ctx_in = &ctx,
			    .ctx_size_in = sizeof(ctx), .repeat = FLOOD_REPEAT);

		if (bpf_prog_test_run_opts(
			    bpf_program__fd(OBJ->progs.bench_spoof), &o) ||
		    (o.retval != XDP_TX && o.retval != XDP_REDIRECT))
			err++;
	}
	dt = now_s() - t0;
	xlbh_stats(&H, b);
	fwd = stat_delta(a, b, XLB_STAT_TX) +
	      stat_delta(a, b, XLB_STAT_REDIRECT);
	diag("%sflood: %lu packets in %.1f s (%.0f ns/packet)",
	     syn ? "syn " : "", nflood, dt, dt * 1e9 / nflood);
	ok(!err && fwd == nflood,
	   "%sflood: every spoofed packet forwarded by the table (%llu of "
	   "%lu)",
	   syn ? "syn " : "", (unsigned long long)fwd, nflood);
}

static void test_flood(void)
{
	__u64 a[XLB_STAT__MAX], b[XLB_STAT__MAX];
	unsigned long n;

	establish();
	spoof(NFLOOD, false, a, b);
	ok(stat_delta(a, b, XLB_STAT_CT_UNTRACKED) == NFLOOD,
	   "flood recognised: conntrack_untracked moved by %llu, want %lu",
	   (unsigned long long)stat_delta(a, b, XLB_STAT_CT_UNTRACKED), NFLOOD);
	ok(stat_delta(a, b, XLB_STAT_CT_MISS) == NFLOOD,
	   "flood: conntrack_miss moved by %llu",
	   (unsigned long long)stat_delta(a, b, XLB_STAT_CT_MISS));
	ok(ct4_entries(IPPROTO_TCP) == NEST,
	   "flood: the table still holds exactly the %u established flows",
	   NEST);
	n = moved_flows("after the flood", NEST);
	ok(n == 0, "after the flood: %lu of %u established flows moved", n,
	   NEST);
}

/*
 * NSYN spoofed SYNs in one budget window of the test's clock: every one is
 * a new flow balanced by the table (a miss), none is untracked, all but
 * the budget's XLB_DEFAULT_CT_RATE are rate limited, and none makes an
 * entry (the budget's share would have, before the SYN table).
 */
#define NSYN 2000000UL
_Static_assert(NSYN > 8UL * XLB_DEFAULT_CT_ENTRIES,
	       "the SYN flood must be much larger than the table");

static void test_syn_flood(void)
{
	__u64 a[XLB_STAT__MAX], b[XLB_STAT__MAX];
	unsigned long n;

	OBJ->bss->ct_clock_ns = clock0 + (20ULL << XLB_CT_WINDOW_SHIFT);
	spoof(NSYN, true, a, b);
	OBJ->bss->ct_clock_ns = 0;
	ok(stat_delta(a, b, XLB_STAT_CT_MISS) == NSYN &&
		   !stat_delta(a, b, XLB_STAT_CT_UNTRACKED) &&
		   stat_delta(a, b, XLB_STAT_CT_RATE_LIMITED) ==
			   NSYN - XLB_DEFAULT_CT_RATE,
	   "syn flood: conntrack_miss moved by %llu, untracked %llu, rate "
	   "limited %llu (want %lu, 0, %lu)",
	   (unsigned long long)stat_delta(a, b, XLB_STAT_CT_MISS),
	   (unsigned long long)stat_delta(a, b, XLB_STAT_CT_UNTRACKED),
	   (unsigned long long)stat_delta(a, b, XLB_STAT_CT_RATE_LIMITED), NSYN,
	   NSYN - XLB_DEFAULT_CT_RATE);
	n = ct4_entries(IPPROTO_TCP);
	ok(n == NEST,
	   "syn flood: the table holds %lu TCP entries, exactly the %u "
	   "established flows",
	   n, NEST);
	n = moved_flows("after the syn flood", NEST);
	ok(n == 0, "after the syn flood: %lu of %u established flows moved", n,
	   NEST);
}

/*
 * n spoofed UDP packets to B (random sources in 11.0.0.0/8 and ports from
 * *seed) with the connection table's clock at t; returns the counter
 * deltas in d.
 */

static void clock_init(void)
{
	__u64 now = (__u64)(now_s() * 1e9);

	clock0 = ((now >> XLB_CT_WINDOW_SHIFT) + 1000) << XLB_CT_WINDOW_SHIFT;
}

static void udp_flood(__u64 t, unsigned long n, __u32 *seed, __u64 *d)
{
	__u64 a[XLB_STAT__MAX], b[XLB_STAT__MAX];
	__u8 in[256];
	struct pkt p;
	__u32 verdict, s = *seed;
	int i;

	OBJ->bss->ct_clock_ns = t;
	p = mk(0, 0, "10.100.0.1", 53, IPPROTO_UDP, 0);
	xlbh_stats(&H, a);
	while (n--) {
		s ^= s << 13;
		s ^= s >> 17;
		s ^= s << 5;
		p.src[0] = htonl(0x0b000000u | (s & 0x00ffffffu));
		p.sport = 1024 + (s >> 8) % 64000;
		xlbh_run(prog, if_a, in, pkt_build(&p, in), NULL, NULL,
			 &verdict);
	}
	xlbh_stats(&H, b);
	for (i = 0; i < XLB_STAT__MAX; i++)
		d[i] = b[i] - a[i];
	*seed = s;
}

/* The flood alone would evict established flows: larger than the table. */
_Static_assert(NUDP > XLB_DEFAULT_CT_ENTRIES - NEST,
	       "the UDP flood must not fit beside the established flows");

/*
 * The UDP flood within the budget: every insert makes an entry, evicting
 * one only where all four candidates of the new flow are taken (counted
 * conntrack_evicted): entries are conserved, evictions are rare at this
 * load (a sixth of the entries), and an established flow that lost its
 * entry is the only one that may move.
 */
static void test_budget(void)
{
	__u64 d[XLB_STAT__MAX], made = 0, t, tcp, tcp_now, ins;
	unsigned long n;
	__u32 seed = 777;
	int w;

	t = clock0;
	tcp = ct4_entries(IPPROTO_TCP);
	for (w = 0; w < 2; w++, t += 1ULL << XLB_CT_WINDOW_SHIFT) {
		udp_flood(t, NUDP / 2, &seed, d);
		n = ct4_entries(IPPROTO_UDP) - made;
		made += n;
		tcp_now = ct4_entries(IPPROTO_TCP);
		ins = NUDP / 2 - d[XLB_STAT_CT_RATE_LIMITED] -
		      d[XLB_STAT_CT_HIT];
		diag("udp flood, window %d: %lu packets, %lu entries, %llu rate "
		     "limited, %llu hit an entry, %llu evicted (%llu TCP)",
		     w, NUDP / 2, n,
		     (unsigned long long)d[XLB_STAT_CT_RATE_LIMITED],
		     (unsigned long long)d[XLB_STAT_CT_HIT],
		     (unsigned long long)d[XLB_STAT_CT_EVICTED],
		     (unsigned long long)(tcp - tcp_now));
		/* a repeated random tuple hits its entry */
		ok(ins == XLB_DEFAULT_CT_RATE,
		   "udp flood, window %d: %llu packets made an entry, the "
		   "budget of %u (the others hit one or were rate limited)",
		   w, (unsigned long long)ins, XLB_DEFAULT_CT_RATE);
		ok(n + tcp_now - tcp == ins - d[XLB_STAT_CT_EVICTED],
		   "udp flood, window %d: entries grew by %lld, inserts %llu "
		   "minus evictions %llu",
		   w, (long long)(n + tcp_now - tcp), (unsigned long long)ins,
		   (unsigned long long)d[XLB_STAT_CT_EVICTED]);
		ok(d[XLB_STAT_CT_EVICTED] * 1000 < ins,
		   "udp flood, window %d: %llu evictions, under 0.1 %% of the "
		   "inserts",
		   w, (unsigned long long)d[XLB_STAT_CT_EVICTED]);
		tcp = tcp_now;
	}
	OBJ->bss->ct_clock_ns = 0;
	n = moved_flows("after the udp flood", tcp);
	ok(n <= NEST - tcp,
	   "after the udp flood: %lu of %u established flows moved, at most "
	   "the %llu evicted",
	   n, NEST, (unsigned long long)(NEST - tcp));
}

/* Give every CPU a fresh new-entry budget (the UDP flood spent CPU 0's). */
static bool budget_reset(void)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xlb_ct_budget *v = calloc(ncpu, sizeof(*v));
	__u32 key = 0;
	int err;

	if (!v)
		return false;
	err = bpf_map__update_elem(OBJ->maps.xlb_ct_budget, &key, sizeof(key),
				   v, sizeof(*v) * ncpu, 0);
	free(v);
	return !err;
}

/* p's connection table entry names backend bid. */
static bool ct_has(const struct pkt *p, __u32 bid)
{
	struct xlb_ct_entry v;
	struct xlb_flow f;

	pkt_flow(p, &f);
	return !xlbh_ct_get(&H, &f, &v) && v.bid == bid;
}

static void sleep_ms(long ms)
{
	nanosleep(&(struct timespec){ .tv_sec = ms / 1000,
				      .tv_nsec = ms % 1000 * 1000000L },
		  NULL);
}

/* A UDP client flow to U whose backend changes with the next publish. */
static struct pkt udp_mover(__u32 *from, __u32 start)
{
	struct xlb_flow f;
	struct pkt p;
	__u32 i;

	for (i = start;; i++) {
		p = mk(htonl(0xc0000200 + (i & 0xff)), 20000 + i, "10.100.0.7",
		       53, IPPROTO_UDP, 0);
		pkt_flow(&p, &f);
		*from = xlbh_pick(&H, U, &f);
		if (*from == 12)
			return p;
	}
}

/*
 * The ages are the test's clock (ct_clock_ns): t0 + ms.  The real sleeps
 * between the packets only let the flow cache entries (25 jiffies) run
 * out, so that every packet meets the connection table's expiry check.
 */
static __u32 send_at(__u64 t0, __u32 ms, const struct pkt *p)
{
	sleep_ms(100);
	OBJ->bss->ct_clock_ns = t0 + ms * 1000000ULL;
	return send_to(U, p);
}

static void test_udp_timeout(void)
{
	__u64 t0 = clock0 + (10ULL << XLB_CT_WINDOW_SHIFT);
	__u32 ba, bb, bc, got;
	struct pkt a, b, c;
	struct xlb_flow f;
	int i;

	U->udp_timeout = 2;
	ok(budget_reset(), "fresh new-entry budget");
	if (!ok(!xlbh_publish(&H), "publish: udp service, timeout 2 s"))
		return;
	/* three flows on backend 12 that move to 13 when 12 is drained */
	a = udp_mover(&ba, 1);
	b = udp_mover(&bb, 1000);
	c = udp_mover(&bc, 2000);
	OBJ->bss->ct_clock_ns = t0;
	ok(send_to(U, &a) == 12 && send_to(U, &b) == 12 && send_to(U, &c) == 12,
	   "udp: three flows start on 10.0.0.12");
	ok(ct_has(&a, 12) && ct_has(&b, 12) && ct_has(&c, 12),
	   "udp: their entries are recorded");
	xlbh_be_by_bid(&H, 12)->state = XLB_BE_DRAIN;
	if (!ok(!xlbh_publish(&H), "publish: 10.0.0.12 draining"))
		return;
	pkt_flow(&a, &f);
	ok(xlbh_pick(&H, U, &f) == 13, "model: re-hashed, a goes to 13");

	/* b busy every 100 ms, a and c silent */
	for (i = 1; i <= 10; i++) {
		got = send_at(t0, i * 100, &b);
		if (got != 12)
			break;
	}
	ok(got == 12, "udp: active flow stays on its backend (1 s)");
	ok(send_at(t0, 1000, &c) == 12,
	   "udp: flow idle for 1 s (< timeout 2 s) stays on its backend");
	for (i = 11; i <= 25; i++) {
		got = send_at(t0, i * 100, &b);
		if (got != 12)
			break;
	}
	ok(got == 12, "udp: active flow stays on its backend (2.5 s)");
	{
		__u64 s0[XLB_STAT__MAX], s1[XLB_STAT__MAX];

		xlbh_stats(&H, s0);
		got = send_at(t0, 2500, &a);
		xlbh_stats(&H, s1);
		ok(got == 13,
		   "udp: flow idle for 2.5 s (> 9/8 timeout) re-balanced "
		   "(backend %u, want 13)",
		   got);
		ok(stat_delta(s0, s1, XLB_STAT_CT_EXPIRED) == 1,
		   "udp: counted conntrack_expired");
	}
	ok(send_at(t0, 2600, &a) == 13,
	   "udp: re-balanced flow's new entry holds");
	OBJ->bss->ct_clock_ns = 0;
}

/* Send p at time t (test clock); its backend and the counter deltas. */
static __u32 send_at_d(__u64 t, const struct xlbh_svc *s, struct pkt *p,
		       __u8 flags, __u64 *d)
{
	__u64 a[XLB_STAT__MAX], b[XLB_STAT__MAX];
	__u32 bid;
	int i;

	OBJ->bss->ct_clock_ns = t;
	p->tcp_flags = flags;
	xlbh_stats(&H, a);
	bid = send_to(s, p);
	xlbh_stats(&H, b);
	for (i = 0; i < XLB_STAT__MAX; i++)
		d[i] = b[i] - a[i];
	return bid;
}

static bool ct_none(const struct pkt *p)
{
	struct xlb_ct_entry v;
	struct xlb_flow f;

	pkt_flow(p, &f);
	return xlbh_ct_get(&H, &f, &v) != 0;
}

/* A client of S whose table choice is backend want_bid. */
static struct pkt syn_client(const struct xlbh_svc *s, __u32 i, __u32 want)
{
	struct xlb_flow f;
	struct pkt p;

	for (;; i++) {
		p = mk(htonl(0xc0000300 + (i & 0xff)), 30000 + i, "10.100.0.9",
		       80, IPPROTO_TCP, TCP_SYN);
		pkt_flow(&p, &f);
		if (xlbh_pick(&H, s, &f) == want)
			return p;
	}
}

/*
 * The SYN table (include/uapi/xlb_maps.h, struct xlb_syn) on service S
 * (backends 14 and 15 at 10.0.0.10 and .11), on the test's clock.
 */
static void test_syn_table(void)
{
	__u64 t0 = clock0 + (40ULL << XLB_CT_WINDOW_SHIFT), d[XLB_STAT__MAX];
	struct xlbh_svc *S;
	struct pkt a, b, c, e;
	int ncpu = libbpf_num_possible_cpus(), i;
	struct xlb_ct_budget *v;
	__u32 key = 0, got;

	S = xlbh_svc_add(&H, 3, "10.100.0.9", 80, IPPROTO_TCP, 251);
	xlbh_be_add(&H, S, 14, "10.0.0.10", 1);
	xlbh_be_add(&H, S, 15, "10.0.0.11", 1);
	ok(budget_reset(), "fresh new-entry budget");
	if (!ok(!xlbh_publish(&H), "publish: service 10.100.0.9:80"))
		return;

	a = syn_client(S, 0, 14);
	got = send_at_d(t0, S, &a, TCP_SYN, d);
	ok(got == 14 && d[XLB_STAT_CT_MISS] == 1 && ct_none(&a),
	   "syn: to backend 14 (%u), a miss, no entry", got);
	got = send_at_d(t0 + 63000000000ULL, S, &a, TCP_ACK, d);
	ok(got == 14 && d[XLB_STAT_CT_HIT] == 1 && !d[XLB_STAT_CT_MISS] &&
		   ct_has(&a, 14),
	   "syn: its ACK 63 s later takes the choice: backend %u, hit %llu, "
	   "entry for backend 14",
	   got, (unsigned long long)d[XLB_STAT_CT_HIT]);

	b = syn_client(S, 100, 15);
	send_at_d(t0, S, &b, TCP_SYN, d);
	got = send_at_d(t0 + 65000000000ULL, S, &b, TCP_ACK, d);
	ok(got == 15 && d[XLB_STAT_CT_MISS] == 1 &&
		   d[XLB_STAT_CT_UNTRACKED] == 1 && ct_none(&b),
	   "syn: an ACK 65 s after its SYN finds no choice (> %llu s): "
	   "untracked, no entry",
	   XLB_SYN_TTL_NS / 1000000000ULL);

	/* every CPU's budget spent in the window of t0 */
	v = calloc(ncpu, sizeof(*v));
	for (i = 0; v && i < ncpu; i++) {
		v[i].window = t0 >> XLB_CT_WINDOW_SHIFT;
		v[i].used = XLB_DEFAULT_CT_RATE;
	}
	ok(v && !bpf_map__update_elem(OBJ->maps.xlb_ct_budget, &key,
				      sizeof(key), v, sizeof(*v) * ncpu, 0),
	   "budget spent");
	free(v);
	c = syn_client(S, 200, 15);
	got = send_at_d(t0, S, &c, TCP_SYN, d);
	ok(got == 15 && d[XLB_STAT_CT_MISS] == 1 &&
		   d[XLB_STAT_CT_RATE_LIMITED] == 1,
	   "syn: budget spent: the SYN is forwarded, rate limited");
	got = send_at_d(t0 + 1000, S, &c, TCP_ACK, d);
	ok(got == 15 && d[XLB_STAT_CT_MISS] == 1 &&
		   d[XLB_STAT_CT_UNTRACKED] == 1 && ct_none(&c),
	   "syn: its ACK finds no choice: the table's, untracked, no entry");
	ok(budget_reset(), "fresh new-entry budget");

	/* a RST after the SYN: to the SYN's backend, nothing recorded */
	c = syn_client(S, 400, 14);
	send_at_d(t0, S, &c, TCP_SYN, d);
	got = send_at_d(t0 + 1000, S, &c, 0x04, d);
	ok(got == 14 && d[XLB_STAT_CT_HIT] == 1 && !d[XLB_STAT_CT_UNTRACKED] &&
		   ct_none(&c),
	   "syn: a RST after the SYN goes to its backend (%u), no entry", got);
	got = send_at_d(t0 + 2000, S, &c, TCP_ACK, d);
	ok(got == 14 && d[XLB_STAT_CT_MISS] == 1 &&
		   d[XLB_STAT_CT_UNTRACKED] == 1 && ct_none(&c),
	   "syn: the RST took the choice: a later ACK is untracked");

	e = syn_client(S, 300, 14);
	send_at_d(t0, S, &e, TCP_SYN, d);
	xlbh_be_by_bid(&H, 14)->state = XLB_BE_UNUSED;
	if (!ok(!xlbh_publish(&H), "publish: backend 14 deleted"))
		return;
	got = send_at_d(t0 + 1000, S, &e, TCP_ACK, d);
	ok(got == 15 && d[XLB_STAT_CT_STALE] == 1 &&
		   d[XLB_STAT_CT_UNTRACKED] == 1 && ct_none(&e),
	   "syn: the SYN's backend deleted before the ACK: stale, to "
	   "backend 15 (%u), no entry",
	   got);
	OBJ->bss->ct_clock_ns = 0;
}

/*
 * The IPv4 table's insert (include/uapi/xlb_maps.h, struct xlb_ct4) on
 * buckets the test fills itself: UDP flow n to service B, its two buckets
 * (distinct), fake TCP entries of other flows with chosen ages.
 */
static struct pkt ct4_flow(__u32 n, __u32 *b0, __u32 *b1)
{
	struct xlb_flow f;
	struct pkt p;
	__u32 w[3], h;

	for (;; n++) {
		p = mk(htonl(0xc6336400 + (n & 0xff)), 40000 + n, "10.100.0.1",
		       53, IPPROTO_UDP, 0);
		pkt_flow(&p, &f);
		w[0] = f.src[0];
		w[1] = f.dst[0];
		memcpy(&w[2], &f.sport, 4);
		h = xlb_ct4_hash(w, XLBH_CT4_SEED);
		*b0 = xlb_ct4_bucket_idx(h, 0, H.ct4_mask);
		*b1 = xlb_ct4_bucket_idx(h, 1, H.ct4_mask);
		if (*b0 != *b1)
			return p;
	}
}

/* A valid entry of TCP flow 203.0.113.n:n -> 10.100.0.1:80, seen at t. */
static struct xlb_ct4 ct4_fake(__u32 n, __u64 t)
{
	struct xlb_ct4 e = { .ce = { .bid = 0, .gen = 1, .seen = t } };
	__u32 w[3] = { htonl(0xcb007100 + n), htonl(0x0a640001),
		       htonl((n << 16) | 80) };

	memcpy(&e, w, sizeof(w));
	e.tag = xlb_ct4_tag(w, IPPROTO_TCP, 0, 1);
	return e;
}

static bool ct4_put(__u32 idx, const struct xlb_ct4_bucket *b)
{
	return !bpf_map__update_elem(H.m.conntrack4, &idx, sizeof(idx), b,
				     sizeof(*b), 0);
}

static bool ct4_get(__u32 idx, struct xlb_ct4_bucket *b)
{
	return !bpf_map__lookup_elem(H.m.conntrack4, &idx, sizeof(idx), b,
				     sizeof(*b), 0);
}

/* The other bucket of entry e's flow when e sits in bucket where. */
static __u32 ct4_alt(const struct xlb_ct4 *e, __u32 where)
{
	__u32 w[3], h, o;

	memcpy(w, e, sizeof(w));
	h = xlb_ct4_hash(w, XLBH_CT4_SEED);
	o = xlb_ct4_bucket_idx(h, 0, H.ct4_mask);
	return o == where ? xlb_ct4_bucket_idx(h, 1, H.ct4_mask) : o;
}

/* Fill the other bucket of entry e (in bucket where) with two fakes. */
static bool ct4_block(const struct xlb_ct4 *e, __u32 where, __u32 n, __u64 t)
{
	struct xlb_ct4_bucket b = { .e = { ct4_fake(n, t),
					   ct4_fake(n + 1, t) } };

	return ct4_put(ct4_alt(e, where), &b);
}

/* Does entry e hold packet p's flow with backend bid? */
static bool ct4_holds(const struct xlb_ct4 *e, const struct pkt *p, __u32 bid)
{
	return e->tag && e->src == p->src[0] && e->sport == htons(p->sport) &&
	       e->ce.bid == bid;
}

static void test_ct4_insert(void)
{
	__u64 t = clock0 + (60ULL << XLB_CT_WINDOW_SHIFT), d[XLB_STAT__MAX];
	struct xlb_ct4_bucket b0 = { 0 }, b1 = { 0 }, g0, g1;
	struct xlb_ct4 f1 = ct4_fake(1, t - 3000000000ULL),
		       f2 = ct4_fake(2, t - 1000000000ULL),
		       f3 = ct4_fake(3, t - 5000000000ULL),
		       f4 = ct4_fake(4, t - 2000000000ULL);
	struct xlb_ct_entry v;
	struct xlb_flow f;
	__u32 i0, i1, got;
	struct pkt x;

	ok(budget_reset(), "fresh new-entry budget");
	/* all four candidates taken: the one seen longest ago goes */
	x = ct4_flow(0, &i0, &i1);
	b0.e[0] = f1;
	b0.e[1] = f2;
	b1.e[0] = f3;
	b1.e[1] = f4;
	ok(ct4_put(i0, &b0) && ct4_put(i1, &b1) && ct4_block(&f1, i0, 10, t) &&
		   ct4_block(&f2, i0, 12, t) && ct4_block(&f3, i1, 14, t) &&
		   ct4_block(&f4, i1, 16, t),
	   "ct4: buckets filled, and the candidates' other buckets");
	got = send_at_d(t, B, &x, 0, d);
	ok(ct4_get(i0, &g0) && ct4_get(i1, &g1) &&
		   !memcmp(&g0, &b0, sizeof(b0)) &&
		   !memcmp(&g1.e[1], &f4, 32) && ct4_holds(&g1.e[0], &x, got) &&
		   d[XLB_STAT_CT_EVICTED] == 1,
	   "ct4: a new flow with every candidate taken and none able to move "
	   "replaces the one seen longest ago (evicted %llu)",
	   (unsigned long long)d[XLB_STAT_CT_EVICTED]);
	/* one candidate's other bucket has room: it moves, nothing evicted */
	x = ct4_flow(50, &i0, &i1);
	b1.e[0] = f3;
	memset(&g1, 0, sizeof(g1));
	ok(ct4_put(i0, &b0) && ct4_put(i1, &b1) && ct4_block(&f1, i0, 20, t) &&
		   ct4_put(ct4_alt(&f2, i0), &g1) &&
		   ct4_block(&f3, i1, 24, t) && ct4_block(&f4, i1, 26, t),
	   "ct4: buckets filled, the second entry's other bucket empty");
	got = send_at_d(t, B, &x, 0, d);
	ok(ct4_get(i0, &g0) && ct4_get(ct4_alt(&f2, i0), &g1) &&
		   !memcmp(&g0.e[0], &f1, 32) && ct4_holds(&g0.e[1], &x, got) &&
		   !memcmp(&g1.e[0], &f2, 32) && !d[XLB_STAT_CT_EVICTED],
	   "ct4: every candidate taken: one moves to its other bucket, the new "
	   "flow takes its entry, nothing evicted (%llu)",
	   (unsigned long long)d[XLB_STAT_CT_EVICTED]);
	/* a full first bucket */
	x = ct4_flow(100, &i0, &i1);
	memset(&b1, 0, sizeof(b1));
	b0.e[0] = f3;
	b0.e[1] = f4;
	ok(ct4_put(i0, &b0) && ct4_put(i1, &b1), "ct4: one bucket full");
	got = send_at_d(t, B, &x, 0, d);
	ok(ct4_get(i0, &g0) && ct4_get(i1, &g1) &&
		   !memcmp(&g0, &b0, sizeof(b0)) &&
		   ct4_holds(&g1.e[0], &x, got) && !d[XLB_STAT_CT_EVICTED],
	   "ct4: a full first bucket: the new flow goes to its second, nothing "
	   "evicted");
	/* the first bucket while it has an empty entry */
	x = ct4_flow(200, &i0, &i1);
	memset(&b0, 0, sizeof(b0));
	b0.e[0] = f1;
	memset(&b1, 0, sizeof(b1));
	ok(ct4_put(i0, &b0) && ct4_put(i1, &b1), "ct4: one entry in bucket 0");
	got = send_at_d(t, B, &x, 0, d);
	ok(ct4_get(i0, &g0) && ct4_get(i1, &g1) && !g1.e[0].tag &&
		   !memcmp(&g0.e[0], &f1, 32) && ct4_holds(&g0.e[1], &x, got),
	   "ct4: the first bucket's empty entry takes the new flow");
	x = ct4_flow(300, &i0, &i1);
	memset(&b0, 0, sizeof(b0));
	ok(ct4_put(i0, &b0) && ct4_put(i1, &b0), "ct4: both buckets empty");
	got = send_at_d(t, B, &x, 0, d);
	ok(ct4_get(i0, &g0) && ct4_holds(&g0.e[0], &x, got),
	   "ct4: both empty: the first entry of the first bucket takes it");
	/* its entry with a check that does not match (a torn read) */
	g0.e[0].ce.bid ^= 1;
	ok(ct4_put(i0, &g0), "ct4: entry's backend changed without its tag");
	got = send_at_d(t + 1000, B, &x, 0, d);
	ok(d[XLB_STAT_CT_MISS] == 1 && !d[XLB_STAT_CT_HIT] &&
		   ct4_get(i0, &g0) && ct4_holds(&g0.e[1], &x, got),
	   "ct4: an entry whose tag does not match is no entry (miss %llu, "
	   "hit %llu), the flow recorded again beside it",
	   (unsigned long long)d[XLB_STAT_CT_MISS],
	   (unsigned long long)d[XLB_STAT_CT_HIT]);
	/* a TCP entry found more than XLB_CT4_REFRESH_NS old: seen refreshed */
	pkt_flow(&E[0], &f);
	got = send_at_d(t + 2000, T, &E[0], TCP_ACK, d);
	ok(got == EB[0] && d[XLB_STAT_CT_HIT] == 1 &&
		   !xlbh_ct_get(&H, &f, &v) && v.seen == t + 2000,
	   "ct4: an established flow's hit refreshes its seen");
	OBJ->bss->ct_clock_ns = 0;
}

int main(void)
{
	cpu_set_t cpus;
	__be32 src[4];
	int err;

	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		return ok(false, "pin to CPU 0: %s", strerror(errno)),
		       tap_done();
	if_a = if_nametoindex("xa0");
	if (!if_a) {
		fprintf(stderr, "test_ct: run me through tests/bpf/run.sh\n");
		return 1;
	}
	OBJ = ct_clock__open();
	if (!ok(OBJ != NULL, "open ct_clock.bpf.o"))
		return tap_done();
	OBJ->rodata->xlb_cfg_ct4_seed = XLBH_CT4_SEED;
	err = bpf_map__set_value_size(OBJ->maps.xlb_tables, 4 * XLB_DEFAULT_TABLE_MAX) ?:
		      ct_clock__load(OBJ) ?:
		      xlbh_bind(&H, OBJ->obj, XLB_DEFAULT_TABLE_MAX,
				XLB_DEFAULT_VIP_SLOTS);
	if (!ok(!err, "load ct_clock.bpf.o (the data path + bench_spoof): %d",
		err))
		return tap_done();
	prog = bpf_program__fd(OBJ->progs.xlb_xdp);
	T = xlbh_svc_add(&H, 0, "10.100.0.1", 80, IPPROTO_TCP, 1021);
	xlbh_be_add(&H, T, 0, "10.0.0.10", 1);
	xlbh_be_add(&H, T, 1, "10.0.0.11", 1);
	B = xlbh_svc_add(&H, 1, "10.100.0.1", 53, IPPROTO_UDP, 251);
	xlbh_be_add(&H, B, 2, "10.0.0.12", 1);
	U = xlbh_svc_add(&H, 2, "10.100.0.7", 53, IPPROTO_UDP, 251);
	xlbh_be_add(&H, U, 12, "10.0.0.12", 1);
	xlbh_be_add(&H, U, 13, "10.0.0.10", 1);
	xlbh_addr("10.0.0.1", src);
	H.src4 = src[0];
	H.flags = XLB_CTL_F_BOUND;
	if (!ok(!xlbh_publish(&H), "publish"))
		return tap_done();
	clock_init();
	test_flood();
	test_syn_flood();
	test_budget();
	test_udp_timeout();
	test_syn_table();
	test_ct4_insert();
	xlbh_close(&H);
	ct_clock__destroy(OBJ);
	return tap_done();
}
