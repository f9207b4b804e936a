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
 * BENCH_REPEAT and BENCH_RUNS override repeat (default 1000000) and runs (7),
 * BENCH_CASE=<name> runs one case only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xlbh.h"
#include "xlb.skel.h"
#include "bench_xdp.skel.h"

static struct xlbh H;
static struct bench_xdp *B;
static int ifindex;
static __u32 repeat = 1000000, runs = 7;

static const __u8 MAC_A0[6] = { 2, 0, 0, 0, 0x0a, 0x00 };
static const __u8 MAC_CLI[6] = { 2, 0, 0, 0, 0xc0, 0x01 };

struct bcase {
	const char *name;
	const char *src, *dst;
	__u16 dport;
	__u8 proto, flags;
	bool prime; /* send once with SYN first (establish) */
	int prog; /* 0 bench_xlb, 1 xlb_xdp, 2 bench_pass, 3 bench_restore */
	__u32 verdict;
	int stat, info; /* counters that must move by repeat (-1: none) */
	int fc; /* flow_cache_hit: 1 >= 99% of repeat (the rest refreshes
		 * from the LRU once per lifetime), 0 never, -1 any */
};

static const struct bcase CASES[] = {
	{ "pass_floor", "192.0.2.1", "10.200.0.1", 80, IPPROTO_TCP, TCP_ACK,
	  false, 2, XDP_PASS, -1, -1, -1 },
	{ "restore_floor", "192.0.2.1", "10.200.0.1", 80, IPPROTO_TCP, TCP_ACK,
	  false, 3, XDP_PASS, -1, -1, -1 },
	{ "tcp4_established", "192.0.2.1", "10.100.0.1", 80, IPPROTO_TCP,
	  TCP_ACK, true, 0, XDP_TX, XLB_STAT_TX, XLB_STAT_CT_HIT, 1 },
	{ "tcp4_syn", "192.0.2.2", "10.100.0.1", 80, IPPROTO_TCP, TCP_SYN,
	  false, 0, XDP_TX, XLB_STAT_TX, XLB_STAT_CT_MISS, 0 },
	{ "udp4", "192.0.2.3", "10.100.0.1", 53, IPPROTO_UDP, 0, true, 0,
	  XDP_TX, XLB_STAT_TX, XLB_STAT_CT_HIT, 1 },
	{ "tcp6_established", "2001:db8::1", "fd10::1", 80, IPPROTO_TCP,
	  TCP_ACK, true, 0, XDP_TX, XLB_STAT_TX, XLB_STAT_CT_HIT, 1 },
	{ "non_service", "192.0.2.4", "10.200.0.1", 80, IPPROTO_TCP, TCP_ACK,
	  false, 1, XDP_PASS, XLB_STAT_PASS_NOT_SERVICE, -1, 0 },
};

static int prog_fd(int which)
{
	switch (which) {
	case 0:
		return bpf_program__fd(B->progs.bench_xlb);
	case 1:
		return bpf_program__fd(B->progs.xlb_xdp);
	case 2:
		return bpf_program__fd(B->progs.bench_pass);
	default:
		return bpf_program__fd(B->progs.bench_restore);
	}
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/* A case being measured: its frame and the duration of every run. */
struct bstate {
	const struct bcase *c;
	__u8 frame[256];
	size_t len;
	__u32 ns[32];
	bool failed;
};

/* Build the case's frame; an established case first sends its SYN. */
static int prepare(const struct bcase *c, struct bstate *st)
{
	struct pkt p;
	__u32 v;
	int err;

	memset(st, 0, sizeof(*st));
	st->c = c;
	memset(&p, 0, sizeof(p));
	memcpy(p.dmac, MAC_A0, 6);
	memcpy(p.smac, MAC_CLI, 6);
	p.family = xlbh_addr(c->src, p.src);
	xlbh_addr(c->dst, p.dst);
	p.sport = 33333;
	p.dport = c->dport;
	p.proto = c->proto;
	p.payload = c->proto == IPPROTO_UDP ? 18 : 0;
	if (c->prime) {
		p.tcp_flags = TCP_SYN;
		st->len = pkt_build(&p, st->frame);
		err = xlbh_run(prog_fd(1), ifindex, st->frame, st->len, NULL,
			       NULL, &v);
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

/* Run r of a case; a run that did not take the intended path fails it. */
static void run_once(struct bstate *st, __u32 r)
{
	const struct bcase *c = st->c;
	__u64 before[XLB_STAT__MAX], after[XLB_STAT__MAX];
	struct xdp_md ctx = { .data_end = st->len, .ingress_ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = st->frame,
		    .data_size_in = st->len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = repeat);
	unsigned long long fc;
	int err;

	if (st->failed)
		return;
	memcpy(B->bss->bench_head, st->frame, sizeof(B->bss->bench_head));
	B->bss->bench_len = st->len;
	xlbh_stats(&H, before);
	err = bpf_prog_test_run_opts(prog_fd(c->prog), &o);
	xlbh_stats(&H, after);
	if (err || o.retval != c->verdict) {
		fprintf(stderr, "bench: %s: err %d verdict %u, want %u\n",
			c->name, err, o.retval, c->verdict);
		st->failed = true;
		return;
	}
	if ((c->stat >= 0 && delta(after, before, c->stat) != repeat) ||
	    (c->info >= 0 && delta(after, before, c->info) != repeat)) {
		fprintf(stderr,
			"bench: %s: counters moved by %llu/%llu, want %u: "
			"not every iteration took the path\n",
			c->name, delta(after, before, c->stat),
			delta(after, before, c->info), repeat);
		st->failed = true;
		return;
	}
	fc = delta(after, before, XLB_STAT_FLOW_CACHE_HIT);
	if (c->fc >= 0 && (c->fc ? fc < repeat - repeat / 100 : fc != 0)) {
		fprintf(stderr,
			"bench: %s: flow_cache_hit moved by %llu of %u, "
			"want %s\n",
			c->name, fc, repeat, c->fc ? ">= 99%" : "0");
		st->failed = true;
		return;
	}
	st->ns[r] = o.duration;
}

/*
 * Measure the cases in rounds (every case once per round), so a burst of
 * load on the machine spreads over all cases instead of falling on one;
 * print each case's median.  Returns nonzero if a case failed.
 */
static int measure(const struct bcase *cases, size_t n, const char *only)
{
	static struct bstate st[16];
	size_t i, k = 0;
	__u32 r;
	int fail = 0;

	for (i = 0; i < n && k < 16; i++)
		if (!only || !strcmp(only, cases[i].name))
			prepare(&cases[i], &st[k++]);
	for (r = 0; r < runs; r++)
		for (i = 0; i < k; i++)
			run_once(&st[i], r);
	for (i = 0; i < k; i++) {
		if (st[i].failed) {
			fail = 1;
			continue;
		}
		qsort(st[i].ns, runs, sizeof(st[i].ns[0]), cmp_u32);
		printf("BENCH xdp %s %u ns/pkt\n", st[i].c->name,
		       st[i].ns[runs / 2]);
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

/* Open, size, load and bind the bench object; publish the configuration. */
static int load(__u64 nh_ttl, __u64 fc_ttl)
{
	int err;

	B = bench_xdp__open();
	if (!B)
		return -1;
	B->rodata->xlb_cfg_nh_ttl_jiffies = nh_ttl;
	B->rodata->xlb_cfg_fc_ttl_jiffies = fc_ttl;
	err = bpf_map__set_value_size(B->maps.xlb_tables,
				      4 * XLB_DEFAULT_TABLE_MAX);
	if (!err)
		err = bench_xdp__load(B);
	if (!err)
		err = xlbh_bind(&H, B->obj, XLB_DEFAULT_TABLE_MAX,
				XLB_DEFAULT_VIP_SLOTS);
	if (!err) {
		configure();
		err = xlbh_publish(&H);
	}
	if (err)
		fprintf(stderr, "bench: load/publish: %s\n", strerror(-err));
	return err;
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

	if (load(XLB_DEFAULT_NH_TTL_JIFFIES, XLB_DEFAULT_FC_TTL_JIFFIES))
		return 1;
	{
		struct bpf_prog_info info = {};
		__u32 il = sizeof(info);

		if (bpf_obj_get_info_by_fd(prog_fd(0), &info, &il) ||
		    !info.jited_prog_len) {
			fprintf(stderr, "bench: the program is not JITed\n");
			return 1;
		}
		printf("# JIT: bench_xlb %u bytes of x86 code\n",
		       info.jited_prog_len);
	}
	e = getenv("BENCH_CASE");
	fail = measure(CASES, sizeof(CASES) / sizeof(CASES[0]), e);
	/*
	 * The same established flow with the flow cache off (every packet
	 * looks the LRU connection table up), then with both caches off.
	 */
	for (i = 0; i < 2; i++) {
		static const char *const name[] = {
			"tcp4_established_lru", "tcp4_established_nocache"
		};
		struct bcase c = CASES[2];

		c.name = name[i];
		c.fc = 0;
		if (e && strcmp(e, c.name))
			continue;
		bench_xdp__destroy(B);
		if (load(i ? 0 : XLB_DEFAULT_NH_TTL_JIFFIES, 0))
			return 1;
		fail |= measure(&c, 1, NULL);
	}
	ns = verifier_insns();
	if (ns > 0)
		printf("BENCH bpf verifier_insns %d insns\n", ns);
	bench_xdp__destroy(B);
	return fail;
}
