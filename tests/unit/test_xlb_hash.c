// SPDX-License-Identifier: GPL-2.0
/*
 * test_xlb_hash.c - unit tests of the data path's five-tuple hash
 * (lib/xlb_hash.h): determinism, seeding, which fields count, and how
 * uniformly xlb_hash_slot() spreads flows over a table; the flow cache
 * index (xlb_fc_index) and the outer header's entropy (XLB_ENT_SPORT,
 * XLB_ENT_LABEL).
 */
#include <arpa/inet.h>
#include <math.h>

#include "maglev_test_util.h"
#include "tap.h"

static void flow4(struct xlb_flow *f, uint32_t src, uint32_t dst,
		  uint16_t sport, uint16_t dport, uint8_t proto)
{
	memset(f, 0, sizeof(*f));
	f->family = XLB_AF_INET;
	f->src[0] = htonl(src);
	f->dst[0] = htonl(dst);
	f->sport = htons(sport);
	f->dport = htons(dport);
	f->proto = proto;
}

static void flow6(struct xlb_flow *f, uint32_t src_lo, uint16_t sport)
{
	memset(f, 0, sizeof(*f));
	f->family = XLB_AF_INET6;
	f->src[0] = htonl(0x20010db8);
	f->src[3] = htonl(src_lo);
	f->dst[0] = htonl(0x20010db8);
	f->dst[3] = htonl(0x100);
	f->sport = htons(sport);
	f->dport = htons(443);
	f->proto = 6;
}

static void test_determinism_and_seed(void)
{
	struct xlb_flow f, g;
	uint32_t i, same = 1, seed_diff = 0;

	for (i = 0; i < 1000; i++) {
		flow4(&f, 0xc0a80000 + i, 0x0a000001, 1024 + i, 80, 6);
		g = f;
		same &= xlb_hash_flow(&f, 1, 0) == xlb_hash_flow(&g, 1, 0);
		seed_diff += xlb_hash_flow(&f, 1, 0) != xlb_hash_flow(&f, 2, 0);
	}
	ok(same, "equal flows hash equally");
	ok(seed_diff >= 998, "another seed changes the hash (%u of 1000)",
	   seed_diff);
	flow4(&f, 0xc0a80001, 0x0a000001, 1024, 80, 6);
	g = f;
	g.proto = 17;
	ok(xlb_hash_flow(&f, 1, 0) != xlb_hash_flow(&g, 1, 0),
	   "the protocol counts");
	g = f;
	g.sport = htons(1025);
	ok(xlb_hash_flow(&f, 1, 0) != xlb_hash_flow(&g, 1, 0),
	   "the source port counts");
	g = f;
	g.dport = htons(81);
	ok(xlb_hash_flow(&f, 1, 0) != xlb_hash_flow(&g, 1, 0),
	   "the destination port counts");
	g = f;
	g.sport = f.dport;
	g.dport = f.sport;
	ok(xlb_hash_flow(&f, 1, 0) != xlb_hash_flow(&g, 1, 0),
	   "swapping the ports changes the hash");
}

static void test_v4_words(void)
{
	struct xlb_flow f, g;
	struct xlb_maglev_backend a, b;

	flow4(&f, 0xc0a80001, 0x0a000001, 1024, 80, 6);
	g = f;
	g.src[1] = 0xdeadbeef;
	g.src[3] = 1;
	g.dst[2] = 0x12345678;
	is_u64(xlb_hash_flow(&g, 9, 0), xlb_hash_flow(&f, 9, 0),
	       "IPv4 flow hash ignores address words 1..3");
	is_u64(xlb_hash_flow(&g, 9, XLB_SVC_F_SRC_HASH),
	       xlb_hash_flow(&f, 9, XLB_SVC_F_SRC_HASH),
	       "... also with XLB_SVC_F_SRC_HASH");
	mtu_be4(&a, 0x0a000001, 1);
	b = a;
	b.addr[2] = 0x77;
	is_u64(xlb_hash_addr(b.addr, b.family, 3),
	       xlb_hash_addr(a.addr, a.family, 3),
	       "IPv4 address hash ignores words 1..3");
	b.family = XLB_AF_INET6;
	b.addr[2] = 0;
	ok(xlb_hash_addr(b.addr, b.family, 3) !=
		   xlb_hash_addr(a.addr, a.family, 3),
	   "the family counts: v6 with the same words hashes differently");

	flow6(&f, 1, 5000);
	g = f;
	g.src[2] = htonl(1);
	ok(xlb_hash_flow(&f, 1, 0) != xlb_hash_flow(&g, 1, 0),
	   "IPv6 flow hash uses address word 2");
	g = f;
	g.dst[1] = htonl(1);
	ok(xlb_hash_flow(&f, 1, 0) != xlb_hash_flow(&g, 1, 0),
	   "IPv6 flow hash uses destination word 1");
}

static void test_src_hash(void)
{
	struct xlb_flow f, g;
	uint32_t i, same = 1, differ = 0;

	flow4(&f, 0xc0a80001, 0x0a000001, 1024, 80, 6);
	for (i = 0; i < 100; i++) {
		flow4(&g, 0xc0a80001, 0x0a000002 + i, 2000 + i, 443, 17);
		same &= xlb_hash_flow(&g, 5, XLB_SVC_F_SRC_HASH) ==
			xlb_hash_flow(&f, 5, XLB_SVC_F_SRC_HASH);
		differ += xlb_hash_flow(&g, 5, 0) != xlb_hash_flow(&f, 5, 0);
	}
	ok(same, "XLB_SVC_F_SRC_HASH: only the source address counts");
	ok(differ == 100, "without it, ports and destination count");
	is_u64(xlb_hash_flow(&f, 5, XLB_SVC_F_SRC_HASH),
	       xlb_hash_addr(f.src, f.family, 5),
	       "XLB_SVC_F_SRC_HASH equals xlb_hash_addr(src)");
}

/* Pearson chi-square of `samples` hashes over m slots. */
static double chi2_slots(uint32_t m, uint32_t samples, bool v6)
{
	uint32_t *cnt = calloc(m, sizeof(*cnt)), i;
	double e = (double)samples / m, c2 = 0;
	struct xlb_flow f;

	for (i = 0; i < samples; i++) {
		/* sequential clients and ports: the hard case for a weak hash */
		if (v6)
			flow6(&f, i / 64, 1024 + i % 64);
		else
			flow4(&f, 0xc0a80000 + i / 64, 0x0a000001,
			      1024 + i % 64, 80, 6);
		cnt[xlb_hash_slot(xlb_hash_flow(&f, XLB_DEFAULT_SEED, 0), m)]++;
	}
	for (i = 0; i < m; i++)
		c2 += (cnt[i] - e) * (cnt[i] - e) / e;
	free(cnt);
	return c2;
}

static void test_distribution(void)
{
	static const uint32_t ms[] = { 251, 4093, 65537 };
	uint32_t i, k, max = 0;

	for (i = 0; i < 3; i++) {
		for (k = 0; k < 2; k++) {
			uint32_t m = ms[i], samples = m * 20;
			double c2 = chi2_slots(m, samples, k);
			/* dof = m - 1; mean m - 1, sd sqrt(2 (m - 1)) */
			double z = (c2 - (m - 1)) / sqrt(2.0 * (m - 1));

			diag("%s flows over %u slots: chi2 %.1f (dof %u, z %.2f)",
			     k ? "IPv6" : "IPv4", m, c2, m - 1, z);
			ok(fabs(z) < 5.0,
			   "%s flows spread uniformly over %u slots",
			   k ? "IPv6" : "IPv4", m);
		}
	}
	for (i = 0; i < 1000000; i++) {
		uint32_t h = i * 0x9e3779b9u;

		if (xlb_hash_slot(h, 65537) > max)
			max = xlb_hash_slot(h, 65537);
	}
	ok(xlb_hash_slot(0xffffffffu, 65537) == 65536 &&
		   xlb_hash_slot(0, 65537) == 0 && max < 65537,
	   "xlb_hash_slot stays below m");
}

static void test_avalanche(void)
{
	struct xlb_flow f, g;
	uint32_t bit, i, flips = 0, n = 0;
	uint64_t rs = 5;

	for (i = 0; i < 200; i++) {
		flow4(&f, mtu_rand(&rs), mtu_rand(&rs), mtu_rand(&rs),
		      mtu_rand(&rs), 6);
		for (bit = 0; bit < 32; bit++) {
			g = f;
			g.src[0] ^= 1u << bit;
			flips += __builtin_popcount(xlb_hash_flow(&f, 1, 0) ^
						    xlb_hash_flow(&g, 1, 0));
			n++;
		}
	}
	diag("one source bit flipped: %.2f of 32 output bits change on average",
	     (double)flips / n);
	ok((double)flips / n > 15.0 && (double)flips / n < 17.0,
	   "avalanche: about half the output bits change");
}

/*
 * The flow cache index stays inside the cache and spreads typical client
 * flows (many source ports of one client, many clients on one port, IPv6
 * clients differing in the last word) over it: a degenerate fold would put
 * them in a few slots and send every packet to the LRU.
 */
static void test_fc_index(void)
{
	static unsigned char used[XLB_DEFAULT_FC_SLOTS];
	struct xlb_flow f;
	unsigned int set, i, n, out = 0;

	for (set = 0; set < 3; set++) {
		memset(used, 0, sizeof(used));
		for (i = 0; i < XLB_DEFAULT_FC_SLOTS; i++) {
			if (set == 0)
				flow4(&f, 0xc0000201, 0x0a640001, 20000 + i, 80,
				      6);
			else if (set == 1)
				flow4(&f, 0x0a000000 + i * 7, 0x0a640001, 40000,
				      443, 6);
			else
				flow6(&f, 0x1000 + i, 50000);
			n = xlb_fc_index(&f, XLB_DEFAULT_FC_BITS);
			out += n >= XLB_DEFAULT_FC_SLOTS;
			used[n % XLB_DEFAULT_FC_SLOTS] = 1;
		}
		for (i = n = 0; i < XLB_DEFAULT_FC_SLOTS; i++)
			n += used[i];
		/* random placement fills 1 - 1/e = 63 % */
		diag("fc index, flow set %u: %u flows in %u of %u slots", set,
		     XLB_DEFAULT_FC_SLOTS, n, XLB_DEFAULT_FC_SLOTS);
		ok(n > XLB_DEFAULT_FC_SLOTS / 2,
		   "fc index spreads flow set %u over more than half the slots",
		   set);
	}
	ok(out == 0, "fc index always inside the cache");
	flow4(&f, 0xc0000201, 0x0a640001, 20000, 80, 6);
	ok(xlb_fc_index(&f, 6) < 64 &&
		   xlb_fc_index(&f, 6) == xlb_fc_index(&f, 12) >> 6,
	   "fc index of a smaller cache is the top bits");
}

/*
 * The outer header's entropy spreads the same typical flow sets over GUE
 * source ports and IPv6 flow labels: 1,000 flows thrown at random into
 * 16,384 ports land on ~970 distinct ones, into 2^20 labels on ~1,000.
 * The ports stay in the ephemeral range.
 */
static void test_entropy(void)
{
	static unsigned char port[0x10000], label[1 << 20];
	unsigned int set, i, np, nl, range = 0;
	struct xlb_flow f;

	for (set = 0; set < 3; set++) {
		memset(port, 0, sizeof(port));
		memset(label, 0, sizeof(label));
		np = nl = 0;
		for (i = 0; i < 1000; i++) {
			uint32_t e, sp;

			if (set == 0)
				flow4(&f, 0xc0000201, 0x0a640001, 20000 + i, 80,
				      6);
			else if (set == 1)
				flow4(&f, 0x0a000000 + i, 0x0a640001, 40000,
				      443, 6);
			else
				flow6(&f, 0x1000 + i, 50000);
			e = xlb_hash_entropy(&f);
			sp = XLB_ENT_SPORT(e);
			range += sp < 49152 || sp > 65535;
			np += !port[sp & 0xffff];
			port[sp & 0xffff] = 1;
			nl += !label[XLB_ENT_LABEL(e) & 0xfffff];
			label[XLB_ENT_LABEL(e) & 0xfffff] = 1;
		}
		diag("entropy, flow set %u: 1000 flows, %u source ports, "
		     "%u flow labels",
		     set, np, nl);
		ok(np >= 900, "entropy: flow set %u over >= 900 source ports",
		   set);
		ok(nl >= 990, "entropy: flow set %u over >= 990 flow labels",
		   set);
	}
	ok(range == 0, "entropy: source ports in 49152..65535");
}

int main(void)
{
	test_determinism_and_seed();
	test_v4_words();
	test_src_hash();
	test_distribution();
	test_avalanche();
	test_fc_index();
	test_entropy();
	return tap_done();
}
