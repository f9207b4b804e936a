// SPDX-License-Identifier: GPL-2.0
/*
 * pktfuzz - packet fuzzer for the XDP data path (bpf/xlb.bpf.c).
 *
 * Generates N frames (default 1000000): well-formed service packets (TCP,
 * UDP, ICMP errors, IPv4 options, VLAN, Ethernet padding) and frames made
 * malformed in a known way (truncation at every header boundary and at
 * random offsets, bad total/payload lengths, bad IHL, bad IP version, IPv4
 * and IPv6 mixed up, fragments, VLAN stacks, flipped match fields, random
 * bytes).  Each runs once through xlb.bpf.o with BPF_PROG_TEST_RUN, loaded
 * with the skeleton and maps filled by the host harness (tests/bpf/xlbh.c),
 * inside the namespace of tests/bpf/run.sh so bpf_fib_lookup() is
 * deterministic.  Assertions, per frame:
 *   - exactly one non-info XLB_STAT_* counter moves, by one, and it agrees
 *     with the verdict;
 *   - a frame the generator does not know to be a well-formed service packet
 *     is never encapsulated (no XDP_TX/XDP_REDIRECT, no encapsulated
 *     XDP_PASS) and, when passed, leaves the program unchanged;
 *   - a well-formed service packet gets exactly the verdict its backend's
 *     next hop implies (Maglev pick computed here), and a forwarded one is
 *     byte for byte Ethernet + outer header + the exact input IP packet;
 *   - one too big once encapsulated is answered with the ICMP too-big reply
 *     of tests/bpf/xlbh.c (or rate limited), an ICMP error never is.
 * Prints the verdict histogram and a table per frame class.  Exit 1 on any
 * violation.
 *
 *   tests/bpf/run.sh build/pktfuzz [-n frames] [-s seed] [-v]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "rng.h"
#include "xlbh.h"
#include "xlb_hash.h"

#define FRAME_MAX 3072
#define MTU 1500
#define MAX_FAIL_REPORTS 10
#define PKTFUZZ_BYPASS_MIN 100000 /* frames that must meet the bypass */

/* ---------------------------------------------------- the configuration */

/* Next-hop kind of a backend, given the namespace of tests/bpf/run.sh. */
enum nh {
	NH_TX,
	NH_REDIR,
	NH_NONEIGH,
	NH_NOROUTE,
	NH_TX_VLAN, /* behind xav, registered as xa0's VLAN 100 */
	NH_NOEGRESS /* behind xc0, a device xlb is not attached to */
};

/* The VLAN id registered on xa0 (xav stands in for xa0.100). */
#define VID 100

struct fbe {
	const char *addr;
	enum nh nh;
	uint32_t weight;
	uint8_t mac[6];
};

struct fsvc {
	const char *vip;
	uint16_t port;
	uint8_t proto;
	struct fbe be[8];
	uint16_t gue_port; /* encap gue port N; 0: ipip */
};

#define MAC(x, y)                \
	{                        \
		2, 0, 0, 0, x, y \
	}
static const uint8_t MAC_XA0[6] = MAC(0x0a, 0x00);
static const uint8_t MAC_XB0[6] = MAC(0x0b, 0x00);
static const uint8_t MAC_XAV[6] = MAC(0x0a, 0x64);

static const struct fsvc SVC[] = {
	{ "198.51.100.10",
	  80,
	  IPPROTO_TCP,
	  {
		  { "10.0.0.10", NH_TX, 3, MAC(0x0a, 0x10) },
		  { "10.0.0.11", NH_TX, 1, MAC(0x0a, 0x11) },
		  { "10.1.0.10", NH_REDIR, 2, MAC(0x0b, 0x10) },
		  { "10.0.0.99", NH_NONEIGH, 1, { 0 } },
		  { "10.9.0.5", NH_NOROUTE, 1, { 0 } }, /* blackhole */
		  { "10.2.0.10", NH_TX_VLAN, 1, MAC(0x0a, 0x70) },
		  { "10.4.0.10", NH_NOEGRESS, 1, { 0 } },
	  },
	  0 },
	{ "198.51.100.77",
	  53,
	  IPPROTO_UDP,
	  {
		  { "10.0.0.12", NH_TX, 2, MAC(0x0a, 0x12) },
		  { "10.1.0.10", NH_REDIR, 1, MAC(0x0b, 0x10) },
		  { "fd00::10", NH_TX, 1, MAC(0x0a, 0x20) }, /* 4in6 */
		  { "10.0.0.99", NH_NONEIGH, 1, { 0 } },
	  },
	  0 },
	{ "2001:db8::10",
	  443,
	  IPPROTO_TCP,
	  {
		  { "fd00::10", NH_TX, 2, MAC(0x0a, 0x20) },
		  { "fd01::10", NH_REDIR, 1, MAC(0x0b, 0x20) },
		  { "fd00::99", NH_NONEIGH, 1, { 0 } },
		  { "2001:db8:ff::1", NH_NOROUTE, 1, { 0 } },
		  { "fd02::10", NH_TX_VLAN, 1, MAC(0x0a, 0x72) },
	  },
	  0 },
	{ "2001:db8::77",
	  53,
	  IPPROTO_UDP,
	  {
		  { "fd00::10", NH_TX, 1, MAC(0x0a, 0x20) },
		  { "10.0.0.10", NH_TX, 1, MAC(0x0a, 0x10) }, /* 6in4 */
		  { "fd01::10", NH_REDIR, 1, MAC(0x0b, 0x20) },
	  },
	  0 },
	{ "198.51.100.78",
	  53,
	  IPPROTO_UDP,
	  {
		  { "10.0.0.12", NH_TX, 1, MAC(0x0a, 0x12) },
		  { "fd00::10", NH_TX, 1, MAC(0x0a, 0x20) }, /* 4in6 */
		  { "10.0.0.99", NH_NONEIGH, 1, { 0 } },
	  },
	  6080 }, /* GUE */
	{ "2001:db8::78",
	  443,
	  IPPROTO_TCP,
	  {
		  { "fd01::10", NH_REDIR, 1, MAC(0x0b, 0x20) },
		  { "10.0.0.10", NH_TX, 1, MAC(0x0a, 0x10) }, /* 6in4 */
	  },
	  9 }, /* GUE */
	{ "198.51.100.200", 8080, IPPROTO_TCP, { { 0 } }, 0 }, /* no backend */
	{ "2001:db8::200",
	  8080,
	  IPPROTO_UDP,
	  {
		  /* all drained */
		  { "fd00::10", NH_TX, 0, MAC(0x0a, 0x20) },
	  },
	  0 },
};
#define NSVC (sizeof(SVC) / sizeof(SVC[0]))
#define TABLE_SIZE 1021

static struct xlbh H;
static struct xlbh_svc *HS[NSVC];
static int prog_fd, ifindex;

static void setup(void)
{
	uint32_t bid = 0;
	__be32 src4[4];
	int err;

	ifindex = if_nametoindex("xa0");
	if (!ifindex) {
		fprintf(stderr,
			"pktfuzz: no device xa0: run me under tests/bpf/run.sh\n");
		exit(2);
	}
	/* a bucket that refills in 1 us: nearly every too-big frame is
	 * answered, the rare burst is rate limited */
	xlbh_icmp_cost_ns = 1000;
	err = xlbh_open(&H, TABLE_SIZE, 64);
	if (err) {
		fprintf(stderr, "pktfuzz: loading xlb.bpf.o: %s\n",
			strerror(-err));
		exit(2);
	}
	for (size_t i = 0; i < NSVC; i++) {
		HS[i] = xlbh_svc_add(&H, i, SVC[i].vip, SVC[i].port,
				     SVC[i].proto, TABLE_SIZE);
		HS[i]->encap = SVC[i].gue_port ? XLB_ENCAP_GUE : XLB_ENCAP_IPIP;
		HS[i]->encap_port = SVC[i].gue_port;
		for (const struct fbe *b = SVC[i].be; b->addr; b++)
			xlbh_be_add(&H, HS[i], bid++, b->addr, b->weight);
	}
	xlbh_addr("10.0.0.1", src4);
	H.src4 = src4[0];
	xlbh_addr("fd00::1", H.src6);
	H.flags = XLB_CTL_F_BOUND;
	err = xlbh_vlan_add(&H, ifindex, VID, (int)if_nametoindex("xav"));
	if (!err)
		err = xlbh_publish(&H);
	if (err) {
		fprintf(stderr, "pktfuzz: publishing the maps: %s\n",
			strerror(-err));
		exit(2);
	}
	prog_fd = xlbh_prog_fd(&H);
}

/* ------------------------------------------------------------ generator */

enum cls {
	C_SERVICE,
	C_ICMP_ERR,
	C_ICMP_NOT_VIP,
	C_OPTIONS,
	C_PADDED,
	C_TOO_BIG,
	C_L4_UNCHECKED,
	C_TCP_FLAGS,
	C_NOT_SERVICE,
	C_TRUNC,
	C_TRUNC_BOUNDARY,
	C_BAD_LEN,
	C_BAD_IHL,
	C_BAD_VERSION,
	C_MIXUP,
	C_FRAGMENT,
	C_VLAN_STACK,
	C_FLIP,
	C_RANDOM,
	C__MAX
};

static const char *const cls_name[C__MAX] = {
	"service",
	"service-icmp-error",
	"icmp-error-not-to-vip",
	"service-ipv4-options",
	"service-eth-padding",
	"service-too-big",
	"service-l4-unchecked",
	"service-tcp-flags",
	"not-service",
	"truncated-random",
	"truncated-boundary",
	"bad-length",
	"bad-ihl",
	"bad-ip-version",
	"v4-v6-mixup",
	"fragment",
	"vlan-stack",
	"flipped-match-field",
	"random-bytes",
};

struct frame {
	uint8_t b[FRAME_MAX];
	size_t len;
	enum cls cls;
	bool fwd; /* a well-formed service packet */
	uint8_t tcp_flags; /* TCP (not ICMP): its flags, else 0 */
	bool icmp; /* an ICMP error quoting the flow (whatever its class) */
	int svc; /* its service */
	struct xlb_flow flow; /* its flow as the data path sees it */
	size_t l2, l3_len; /* Ethernet(+VLAN) bytes, IP packet bytes */
	bool vlan;
	uint16_t tci;
	uint8_t tos;
	size_t bounds[16]; /* header boundaries, for truncation */
	int nbounds;
};

static void rand_addr(uint8_t fam, __be32 a[4])
{
	memset(a, 0, 16);
	a[0] = rnd();
	if (fam == XLB_AF_INET6) {
		a[1] = rnd();
		a[2] = rnd();
		a[3] = rnd();
	}
}

/* Service index matching (family, dst, dport, proto), or -1. */
static int svc_of(const struct xlb_flow *f)
{
	for (size_t i = 0; i < NSVC; i++) {
		const struct xlb_vip_key *k = &HS[i]->key;

		if (k->family == f->family && k->port == f->dport &&
		    k->proto == f->proto && !memcmp(k->addr, f->dst, 16))
			return i;
	}
	return -1;
}

/* ICMP error quoting the service's reply to the client (DSR path). */
static size_t icmp_error(uint8_t *l4, const struct pkt *p, uint8_t iproto,
			 uint16_t cport, bool right_type)
{
	uint8_t *q;

	memset(l4, 0, 8);
	if (p->family == XLB_AF_INET) {
		l4[0] = right_type ? 3 : (chance(50) ? 0 : 11);
		l4[1] = rn(16);
		q = l4 + 8;
		memset(q, 0, 20);
		q[0] = 0x45;
		q[2] = 0, q[3] = 60;
		q[8] = 64;
		q[9] = iproto;
		memcpy(q + 12, p->dst, 4); /* service VIP */
		memcpy(q + 16, p->src, 4); /* client */
		q += 20;
	} else {
		l4[0] = right_type ? (chance(50) ? 1 : 2) : 128;
		l4[1] = rn(4);
		q = l4 + 8;
		memset(q, 0, 40);
		q[0] = 0x60;
		q[5] = 20;
		q[6] = iproto;
		q[7] = 64;
		memcpy(q + 8, p->dst, 16);
		memcpy(q + 24, p->src, 16);
		q += 40;
	}
	q[0] = p->dport >> 8, q[1] = p->dport; /* service port */
	q[2] = cport >> 8, q[3] = cport;
	memset(q + 4, 0, 16);
	return q + 20 - l4;
}

static uint16_t rand_payload(void)
{
	uint32_t r = rn(100);

	if (r < 80)
		return rn(200);
	if (r < 95)
		return 200 + rn(1200);
	return 1400 + rn(80); /* around the MTU: some are too big */
}

/*
 * The last SYN sent to each TCP service: a later frame may be its
 * handshake's ACK (the SYN table's choice then goes into the table).
 */
static struct {
	bool set;
	__be32 src[4];
	uint16_t sport;
} last_syn[NSVC];

/* A frame aimed at a service (or not), possibly an ICMP error. */
static void gen_base(struct frame *f)
{
	static uint8_t l4[128];
	struct pkt p;
	int si = chance(75) ? (int)rn(NSVC) : -1;
	bool icmp = si >= 0 && chance(10);
	uint8_t iproto = 0;
	uint16_t cport = 0;
	__be32 vip[4] = { 0 };

	memset(&p, 0, sizeof(p));
	memcpy(p.dmac, MAC_XA0, 6);
	p.smac[0] = 2, p.smac[5] = rnd();
	p.vlan = chance(20);
	p.tci = rnd() & 0xe000; /* priority; DEI 0 */
	if (chance(50))
		p.tci |= VID;
	else if (chance(70))
		p.tci |= rnd() & 0x0fff; /* a VLAN without a device */
	if (si >= 0) {
		xlbh_addr(SVC[si].vip, p.dst);
		p.family = HS[si]->key.family;
		p.proto = SVC[si].proto;
		p.dport = SVC[si].port;
	} else {
		p.family = chance(50) ? XLB_AF_INET : XLB_AF_INET6;
		p.proto = chance(45) ? IPPROTO_TCP :
			  chance(80) ? IPPROTO_UDP :
				       rnd();
		p.dport = rnd();
		if (chance(50)) { /* a VIP, wrong port or protocol */
			int j = rn(NSVC);

			xlbh_addr(SVC[j].vip, p.dst);
			p.family = HS[j]->key.family;
		} else {
			rand_addr(p.family, p.dst);
		}
		/* a random port may be the service's own (seed 0x79b06b0ef826
		 * frame 53827: port 443 to the TCP VIP, forwarded rightly) */
		for (;;) {
			struct xlb_flow fl;

			pkt_flow(&p, &fl);
			if (svc_of(&fl) < 0)
				break;
			p.dport++;
		}
	}
	rand_addr(p.family, p.src);
	p.sport = 1 + rn(65535);
	p.tcp_flags = chance(30) ? TCP_SYN : TCP_ACK;
	if (chance(10)) /* RST, RST ACK, SYN RST, FIN ACK, none */
		p.tcp_flags =
			(const uint8_t[]){ 0x04, 0x14, 0x06, 0x11, 0 }[rn(5)];
	if (si >= 0 && !icmp && p.proto == IPPROTO_TCP) {
		if (last_syn[si].set && chance(30)) {
			/* the ACK of the last SYN's handshake */
			memcpy(p.src, last_syn[si].src, sizeof(p.src));
			p.sport = last_syn[si].sport;
			p.tcp_flags = TCP_ACK;
			last_syn[si].set = false;
		} else if (p.tcp_flags == TCP_SYN) {
			last_syn[si].set = true;
			memcpy(last_syn[si].src, p.src, sizeof(p.src));
			last_syn[si].sport = p.sport;
		}
	}
	p.tos = chance(25) ? rnd() : 0;
	if (p.family == XLB_AF_INET && chance(15))
		p.optlen = 4 * (1 + rn(10));
	p.payload = rand_payload();
	f->fwd = si >= 0;
	f->cls = si < 0	  ? C_NOT_SERVICE :
		 p.optlen ? C_OPTIONS :
		 p.tcp_flags != TCP_SYN && p.tcp_flags != TCP_ACK &&
				 p.proto == IPPROTO_TCP ?
			    C_TCP_FLAGS :
			    C_SERVICE;
	f->tcp_flags = p.proto == IPPROTO_TCP ? p.tcp_flags : 0;
	if (si >= 0 && !icmp && chance(5)) {
		/* IP length 1481..1600: too big for any backend path */
		size_t hdr = (p.family == XLB_AF_INET ? 20 + p.optlen : 40) +
			     (p.proto == IPPROTO_TCP ? 20 : 8);

		p.payload = 1481 + rn(120) - hdr;
		f->cls = C_TOO_BIG;
	}
	f->icmp = icmp;
	if (icmp) {
		bool right = chance(85);

		iproto = p.proto;
		cport = 1 + rn(65535);
		p.proto = p.family == XLB_AF_INET ? IPPROTO_ICMP :
						    IPPROTO_ICMPV6;
		p.raw_l4_len = icmp_error(l4, &p, iproto, cport, right);
		p.raw_l4 = l4;
		p.payload = 0;
		f->fwd = right;
		f->cls = right ? C_ICMP_ERR : C_NOT_SERVICE;
		if (right && chance(20)) {
			/* to the LB or another host, not the quoted VIP */
			memcpy(vip, p.dst, 16);
			if (chance(50))
				xlbh_addr(p.family == XLB_AF_INET ? "10.0.0.1" :
								    "fd00::1",
					  p.dst);
			else
				rand_addr(p.family, p.dst);
			f->fwd = false;
			f->cls = C_ICMP_NOT_VIP;
		}
		f->tcp_flags = 0;
	}
	f->len = pkt_build(&p, f->b);
	f->l2 = pkt_l2_len(&p);
	f->l3_len = f->len - f->l2;
	f->vlan = p.vlan;
	f->tci = p.tci;
	f->tos = p.tos;
	if (icmp) {
		memset(&f->flow, 0, sizeof(f->flow));
		memcpy(f->flow.src, p.src, 16);
		memcpy(f->flow.dst, f->cls == C_ICMP_NOT_VIP ? vip : p.dst, 16);
		f->flow.sport = htons(cport);
		f->flow.dport = htons(p.dport);
		f->flow.proto = iproto;
		f->flow.family = p.family;
	} else {
		pkt_flow(&p, &f->flow);
	}
	if (si < 0 && !icmp && svc_of(&f->flow) >= 0) {
		/* a random port and protocol that happen to be a service's */
		si = svc_of(&f->flow);
		f->fwd = true;
		f->cls = p.optlen ? C_OPTIONS : C_SERVICE;
	}
	f->svc = si;

	/* Header boundaries: Ethernet, VLAN, IP, options, L4, inner... */
	f->nbounds = 0;
	f->bounds[f->nbounds++] = 14;
	if (p.vlan)
		f->bounds[f->nbounds++] = 18;
	f->bounds[f->nbounds++] = f->l2 + (p.family == XLB_AF_INET ? 20 : 40);
	if (p.optlen)
		f->bounds[f->nbounds++] = f->l2 + 20 + p.optlen;
	{
		size_t l3h =
			f->l2 + (p.family == XLB_AF_INET ? 20 + p.optlen : 40);

		if (icmp) {
			size_t ih = p.family == XLB_AF_INET ? 20 : 40;

			f->bounds[f->nbounds++] = l3h + 4;
			f->bounds[f->nbounds++] = l3h + 8;
			f->bounds[f->nbounds++] = l3h + 8 + ih;
			f->bounds[f->nbounds++] = l3h + 8 + ih + 4;
		} else {
			f->bounds[f->nbounds++] = l3h + 4;
			f->bounds[f->nbounds++] =
				l3h + (p.proto == IPPROTO_TCP ? 20 : 8);
		}
	}
}

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = v >> 8;
	b[1] = v;
}

static uint16_t get16(const uint8_t *b)
{
	return b[0] << 8 | b[1];
}

static bool is_v4(const struct frame *f)
{
	return f->len > f->l2 && (f->b[f->l2] >> 4) == 4;
}

/* Offset of the dport the data path matches on (inner for ICMP). */
static size_t match_offsets(const struct frame *f, size_t *dst, size_t *alen)
{
	size_t l3 = f->l2;

	if (is_v4(f)) {
		size_t h = (size_t)(f->b[l3] & 0xf) * 4;

		if (f->cls == C_ICMP_ERR) {
			*dst = l3 + h + 8 + 12; /* inner saddr = VIP */
			*alen = 4;
			return l3 + h + 8 + 20; /* inner sport */
		}
		*dst = l3 + 16;
		*alen = 4;
		return l3 + h + 2;
	}
	if (f->cls == C_ICMP_ERR) {
		*dst = l3 + 40 + 8 + 8;
		*alen = 16;
		return l3 + 40 + 8 + 40;
	}
	*dst = l3 + 24;
	*alen = 16;
	return l3 + 40 + 2;
}

static void mutate(struct frame *f)
{
	uint32_t r = rn(100);
	size_t l3 = f->l2;
	bool v4 = is_v4(f);

	if (r < 40) {
		if (f->fwd && chance(12)) { /* Ethernet padding */
			size_t pad = 1 + rn(46);

			memset(f->b + f->len, 0, pad);
			f->len += pad;
			f->cls = C_PADDED;
		}
		return;
	}
	if (r < 52) { /* truncation inside the IP packet */
		size_t end = f->l2 + f->l3_len, cut;

		if (chance(50)) {
			cut = f->bounds[rn(f->nbounds)] + rn(3) - 1;
			f->cls = C_TRUNC_BOUNDARY;
		} else {
			cut = 14 + rn(end - 14);
			f->cls = C_TRUNC;
		}
		if (cut < 14)
			cut = 14;
		if (cut >= end)
			cut = end - 1;
		f->len = cut;
		f->fwd = false;
		return;
	}
	if (r < 60) { /* total / payload length */
		size_t room = f->len - f->l2;
		uint16_t bad;

		if (v4) {
			size_t h = (size_t)(f->b[l3] & 0xf) * 4;

			bad = chance(50) ? rn(h + 8) :
					   room + 1 + rn(65535 - room);
			put16(f->b + l3 + 2, bad);
		} else {
			bad = chance(50) ?
				      rn(8) :
				      room - 40 + 1 + rn(65535 - (room - 40));
			put16(f->b + l3 + 4, bad);
		}
		f->cls = C_BAD_LEN;
		f->fwd = false;
		return;
	}
	if (r < 65 && v4) { /* IHL */
		uint16_t tot = get16(f->b + l3 + 2);
		uint8_t ihl = rn(5);

		if (chance(50) && tot < 60)
			ihl = tot / 4 + 1 + rn(15 - tot / 4);
		if (ihl > 15)
			ihl = rn(5);
		f->b[l3] = 0x40 | ihl;
		f->cls = C_BAD_IHL;
		f->fwd = false;
		return;
	}
	if (r < 69) { /* IP version */
		uint8_t v;

		do {
			v = rn(16);
		} while (v == 4 || v == 6);
		f->b[l3] = (f->b[l3] & 0x0f) | v << 4;
		f->cls = C_BAD_VERSION;
		f->fwd = false;
		return;
	}
	if (r < 73) { /* v4 header under the v6 type, ... */
		put16(f->b + l3 - 2, v4 ? 0x86dd : 0x0800);
		f->cls = C_MIXUP;
		f->fwd = false;
		return;
	}
	if (r < 79) { /* fragments */
		if (v4) {
			uint16_t fo = chance(50) ? 0x2000 : 1 + rn(0x1fff);

			put16(f->b + l3 + 6, fo | (chance(30) ? 0x2000 : 0));
		} else {
			/* insert a fragment header after the IPv6 header */
			uint8_t nh = f->b[l3 + 6];

			if (f->len + 8 > FRAME_MAX)
				return;
			memmove(f->b + l3 + 48, f->b + l3 + 40,
				f->len - l3 - 40);
			f->b[l3 + 40] = nh;
			f->b[l3 + 41] = 0;
			put16(f->b + l3 + 42,
			      chance(50) ? 1 : (1 + rn(0x1fff)) << 3);
			memset(f->b + l3 + 44, 0x5a, 4);
			f->b[l3 + 6] = 44;
			put16(f->b + l3 + 4, get16(f->b + l3 + 4) + 8);
			f->len += 8;
		}
		f->cls = C_FRAGMENT;
		f->fwd = false;
		return;
	}
	if (r < 84) { /* VLAN stack: 2-4 tags */
		static const uint16_t tpid[] = { 0x8100, 0x88a8, 0x9100 };
		size_t extra = f->vlan ? 1 + rn(3) : 2 + rn(3);

		if (f->len + 4 * extra > FRAME_MAX)
			return;
		memmove(f->b + 12 + 4 * extra, f->b + 12, f->len - 12);
		for (size_t i = 0; i < extra; i++) {
			/* the first tag may be 802.1Q, the next one never IP */
			put16(f->b + 12 + 4 * i, tpid[rn(3)]);
			put16(f->b + 14 + 4 * i, rnd() & 0x0fff);
		}
		f->len += 4 * extra;
		f->cls = C_VLAN_STACK;
		f->fwd = false;
		return;
	}
	if (r < 90 && f->cls != C_NOT_SERVICE) {
		/* flip one bit of the matched address or port */
		size_t dst, alen, dport = match_offsets(f, &dst, &alen);
		size_t at = chance(50) ? dst + rn(alen) : dport + rn(2);
		int s;

		if (at >= f->len)
			return;
		f->b[at] ^= 1 << rn(8);
		if (at >= dport) {
			uint16_t np = get16(f->b + dport);

			f->flow.dport = htons(np);
		} else {
			memcpy((uint8_t *)f->flow.dst + (at - dst), f->b + at,
			       1);
		}
		s = svc_of(&f->flow);
		f->fwd = f->fwd && s >= 0;
		f->svc = s;
		f->cls = C_FLIP;
		return;
	}
	if (r < 94 && f->fwd) { /* L4 fields the data path ignores */
		size_t l4 = l3 + (v4 ? (f->b[l3] & 0xf) * 4 : 40);

		if (f->cls == C_ICMP_ERR) {
			f->b[l4 + 2] ^= rnd(); /* ICMP checksum */
		} else if (f->flow.proto == IPPROTO_TCP) {
			f->b[l4 + 12] = rn(16) << 4; /* data offset */
			f->b[l4 + 16] ^= rnd(); /* checksum */
		} else {
			put16(f->b + l4 + 4, rnd()); /* UDP length */
			f->b[l4 + 6] ^= rnd();
		}
		if (v4)
			f->b[l3 + 10] ^= 1 + rn(255); /* IPv4 checksum */
		f->cls = C_L4_UNCHECKED;
		return;
	}
	/* random bytes, sometimes behind a plausible Ethernet/IP start */
	f->len = 14 + rn(1600);
	for (size_t i = 0; i < f->len; i++)
		f->b[i] = rnd();
	if (chance(50)) {
		bool six = chance(50);

		put16(f->b + 12, six ? 0x86dd : 0x0800);
		f->b[14] = six ? 0x60 : (0x40 | (5 + rn(11)));
	}
	f->cls = C_RANDOM;
	f->fwd = false;
}

/* ---------------------------------------------------------------- check */

static const char *const stat_name[XLB_STAT__MAX] = {
#define X(name, text, info) [XLB_STAT_##name] = (text),
	XLB_STATS(X)
#undef X
};
static const bool stat_info[XLB_STAT__MAX] = {
#define X(name, text, info) [XLB_STAT_##name] = (info),
	XLB_STATS(X)
#undef X
};

static uint32_t verdict_of(int stat)
{
	switch (stat) {
	case XLB_STAT_TX:
	case XLB_STAT_TX_TOO_BIG:
		return XDP_TX;
	case XLB_STAT_REDIRECT:
		return XDP_REDIRECT;
	case XLB_STAT_DROP_PARSE:
	case XLB_STAT_DROP_NO_BACKEND:
	case XLB_STAT_DROP_ENCAP:
	case XLB_STAT_DROP_FIB:
	case XLB_STAT_DROP_TOO_BIG:
	case XLB_STAT_DROP_TOO_BIG_RL:
	case XLB_STAT_DROP_NO_EGRESS:
		return XDP_DROP;
	default:
		return XDP_PASS;
	}
}

static bool encapsulates(int stat)
{
	return stat == XLB_STAT_TX || stat == XLB_STAT_REDIRECT ||
	       stat == XLB_STAT_PASS_NO_NEIGH;
}

struct result {
	unsigned long frames, runs, not_runnable, failures;
	unsigned long by_stat[XLB_STAT__MAX];
	unsigned long cls_n[C__MAX], cls_fwd[C__MAX], cls_pass[C__MAX],
		cls_drop[C__MAX], cls_icmp[C__MAX], cls_fail[C__MAX];
	/* frames that found the flow cache bypassed (struct xlb_fc_adapt), and
	 * which of them were well-formed service packets */
	unsigned long fc_bypassed, fc_bypassed_fwd;
};

static bool verbose;

static void fail(struct result *r, const struct frame *f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(struct result *r, const struct frame *f, const char *fmt, ...)
{
	va_list ap;

	r->failures++;
	r->cls_fail[f->cls]++;
	if (r->failures > MAX_FAIL_REPORTS && !verbose)
		return;
	printf("FAIL frame %lu (%s, %zu bytes): ", r->frames, cls_name[f->cls],
	       f->len);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n    ");
	for (size_t i = 0; i < f->len && i < 128; i++)
		printf("%02x%s", f->b[i], i % 32 == 31 ? "\n    " : "");
	printf("\n");
}

/* Tagged with a VLAN id xa0 has no VLAN device for. */
static bool vlan_unknown(const struct frame *f)
{
	uint16_t vid = f->tci & 0x0fff;

	return f->vlan && vid && vid != VID;
}

/* The verdict counter a well-formed service frame must hit. */
static int expected_stat(const struct frame *f, const struct fbe **beo)
{
	const struct xlbh_svc *s = HS[f->svc];
	uint32_t bid = xlbh_pick(&H, s, &f->flow);
	const struct xlbh_be *hb;
	const struct fbe *b;
	size_t olen;

	if (vlan_unknown(f))
		return XLB_STAT_PASS_VLAN_UNKNOWN;
	if (bid == XLB_TABLE_EMPTY)
		return XLB_STAT_DROP_NO_BACKEND;
	hb = xlbh_be_by_bid(&H, bid);
	b = &SVC[f->svc].be[hb - s->be];
	*beo = b;
	olen = (hb->family == XLB_AF_INET ? 20 : 40) +
	       (SVC[f->svc].gue_port ? 8 : 0);
	if (b->nh == NH_NOROUTE)
		return XLB_STAT_DROP_FIB;
	if (f->l3_len + olen > MTU)
		return f->icmp ? XLB_STAT_DROP_TOO_BIG : XLB_STAT_TX_TOO_BIG;
	if (b->nh == NH_NONEIGH)
		return XLB_STAT_PASS_NO_NEIGH;
	if (b->nh == NH_NOEGRESS)
		return XLB_STAT_DROP_NO_EGRESS;
	return b->nh == NH_REDIR ? XLB_STAT_REDIRECT : XLB_STAT_TX;
}

/* Ethernet + outer header + the exact input IP packet (+ its padding). */
static size_t expected_output(const struct frame *f, const struct fbe *b,
			      int stat, uint8_t *out)
{
	const uint8_t *dmac = f->b, *smac = f->b + 6;
	__be32 osrc[4] = { 0 }, odst[4];
	uint8_t ofam = xlbh_addr(b->addr, odst), tos = f->tos;
	bool vlan = f->vlan;
	uint16_t tci = f->tci;
	struct pkt_outer o;
	size_t n;

	/* forwarded: the egress device's MAC and tag, never the ingress tag */
	if (stat != XLB_STAT_PASS_NO_NEIGH) {
		dmac = b->mac;
		smac = b->nh == NH_TX	   ? MAC_XA0 :
		       b->nh == NH_TX_VLAN ? MAC_XAV :
					     MAC_XB0;
		vlan = b->nh == NH_TX_VLAN;
		tci = VID;
	}
	if (ofam == XLB_AF_INET)
		osrc[0] = H.src4;
	else
		memcpy(osrc, H.src6, 16);
	if (!is_v4(f))
		tos = (f->b[f->l2] & 0xf) << 4 | f->b[f->l2 + 1] >> 4;
	o.ent = xlb_hash_entropy(&f->flow);
	o.gue_port = SVC[f->svc].gue_port;
	n = pkt_encap(dmac, smac, vlan, tci, ofam, osrc, odst, tos,
		      f->flow.family, f->b + f->l2, f->l3_len, &o, out);
	memcpy(out + n, f->b + f->l2 + f->l3_len, f->len - f->l2 - f->l3_len);
	return n + f->len - f->l2 - f->l3_len;
}

/* The ICMP reply to a frame too big for backend b's 1500-byte path. */
static size_t expected_reply(const struct frame *f, const struct fbe *b,
			     uint8_t *out)
{
	__be32 a[4];
	uint32_t mtu = MTU - (xlbh_addr(b->addr, a) == XLB_AF_INET ? 20 : 40) -
		       (SVC[f->svc].gue_port ? 8 : 0);
	struct pkt p;

	memset(&p, 0, sizeof(p));
	memcpy(p.dmac, f->b, 6);
	memcpy(p.smac, f->b + 6, 6);
	p.vlan = f->vlan;
	p.tci = f->tci;
	p.family = f->flow.family;
	memcpy(p.src, f->flow.src, 16);
	memcpy(p.dst, f->flow.dst, 16);
	if (p.family == XLB_AF_INET6 && mtu < 1280)
		mtu = 1280;
	return pkt_too_big(&p, f->b, f->l2 + f->l3_len, mtu, out);
}

static int read_stats(__u64 c[XLB_STAT__MAX])
{
	int err = xlbh_stats(&H, c);

	if (err) {
		fprintf(stderr, "pktfuzz: reading xlb_stats: %s\n",
			strerror(-err));
		exit(2);
	}
	return 0;
}

/*
 * What a service frame without a connection table entry left there
 * (Documentation/datapath.md, "Connection table"): TCP without SYN (or
 * with RST) never an entry and conntrack_untracked, unless its SYN's
 * choice was waiting in the SYN table (then an entry with that choice); a
 * SYN its choice in the SYN table (and no entry), a UDP packet an entry
 * with the table's choice, unless conntrack_rate_limited counted it.
 */
static void ct_rule(struct result *r, const struct frame *f, __u64 untracked,
		    __u64 limited, bool had_syn, __u32 syn_bid, bool syn_live)
{
	bool tcp = f->flow.proto == IPPROTO_TCP, has, slot;
	bool syn = (f->tcp_flags & TCP_SYN) && !(f->tcp_flags & 0x04);
	struct xlb_ct_entry e;
	struct xlb_syn s;

	has = !xlbh_ct_get(&H, &f->flow, &e);
	slot = !xlbh_syn_get(&H, &f->flow, &s);
	if (tcp && !syn && had_syn && !syn_live) {
		if (untracked != 1 || limited || has || slot)
			fail(r, f,
			     "tcp flags 0x%02x after its SYN, backend %u gone: "
			     "untracked %llu, rate limited %llu, entry %d, "
			     "slot %d (want 1, 0, 0, 0)",
			     f->tcp_flags, syn_bid,
			     (unsigned long long)untracked,
			     (unsigned long long)limited, has, slot);
		return;
	}
	if (tcp && !syn && had_syn) {
		if (untracked || limited || !has || e.bid != syn_bid || slot)
			fail(r, f,
			     "tcp flags 0x%02x after its SYN: untracked %llu, "
			     "rate limited %llu, entry %d (bid %u), slot %d "
			     "(want 0, 0, 1 (bid %u), 0)",
			     f->tcp_flags, (unsigned long long)untracked,
			     (unsigned long long)limited, has, has ? e.bid : 0,
			     slot, syn_bid);
		return;
	}
	if (tcp && !syn) {
		if (untracked != 1 || limited || has)
			fail(r, f,
			     "tcp flags 0x%02x without entry: untracked %llu, "
			     "rate limited %llu, entry %d (want 1, 0, none)",
			     f->tcp_flags, (unsigned long long)untracked,
			     (unsigned long long)limited, has);
		return;
	}
	if (tcp) {
		if (untracked || limited > 1 || has || slot == (limited == 1) ||
		    (slot && s.bid != xlbh_pick(&H, HS[f->svc], &f->flow)))
			fail(r, f,
			     "syn: untracked %llu, rate limited %llu, entry %d, "
			     "slot %d (bid %u, want the table's choice)",
			     (unsigned long long)untracked,
			     (unsigned long long)limited, has, slot,
			     slot ? s.bid : 0);
		return;
	}
	if (untracked || limited > 1 || has == (limited == 1) ||
	    (has && e.bid != xlbh_pick(&H, HS[f->svc], &f->flow)))
		fail(r, f,
		     "new flow: untracked %llu, rate limited %llu, entry %d "
		     "(bid %u, want the table's choice)",
		     (unsigned long long)untracked, (unsigned long long)limited,
		     has, has ? e.bid : 0);
}

static void run_one(struct result *r, struct frame *f, __u64 prev[])
{
	static uint8_t out[FRAME_MAX + 256], want[FRAME_MAX + 256];
	__u64 cur[XLB_STAT__MAX];
	size_t out_len = sizeof(out), wlen;
	uint32_t verdict;
	int err, stat = -1, moved = 0;
	const struct fbe *b = NULL;
	struct xlb_ct_entry had_e;
	bool new_flow = f->fwd && !f->icmp && xlbh_ct_get(&H, &f->flow, &had_e);
	struct xlb_syn had_s;
	bool had_syn = new_flow && !xlbh_syn_get(&H, &f->flow, &had_s);
	struct xlbh_be *sb = had_syn ? xlbh_be_by_bid(&H, had_s.bid) : NULL;
	bool syn_live = sb && sb->gen == had_s.gen &&
			sb->state != XLB_BE_UNUSED;
	__u64 untracked, limited;

	r->frames++;
	err = xlbh_run(prog_fd, ifindex, f->b, f->len, out, &out_len, &verdict);
	if (err) {
		if (err == -EINVAL && (f->len < 14 || f->len > 3000)) {
			r->not_runnable++;
			return;
		}
		fail(r, f, "BPF_PROG_TEST_RUN: %s", strerror(-err));
		return;
	}
	r->runs++;
	r->cls_n[f->cls]++;
	read_stats(cur);
	untracked = cur[XLB_STAT_CT_UNTRACKED] - prev[XLB_STAT_CT_UNTRACKED];
	limited =
		cur[XLB_STAT_CT_RATE_LIMITED] - prev[XLB_STAT_CT_RATE_LIMITED];
	for (int i = 0; i < XLB_STAT__MAX; i++) {
		__u64 d = cur[i] - prev[i];

		if (stat_info[i] || !d)
			continue;
		moved += d;
		stat = i;
	}
	if (cur[XLB_STAT_FC_BYPASS] != prev[XLB_STAT_FC_BYPASS]) {
		r->fc_bypassed++;
		r->fc_bypassed_fwd += f->fwd;
	}
	memcpy(prev, cur, sizeof(cur));
	if (moved != 1) {
		fail(r, f, "%d verdict counters moved (want exactly 1)", moved);
		return;
	}
	r->by_stat[stat]++;
	if (verdict != verdict_of(stat)) {
		fail(r, f, "verdict %u but counter %s", verdict,
		     stat_name[stat]);
		return;
	}
	if (encapsulates(stat))
		r->cls_fwd[f->cls]++;
	else if (stat == XLB_STAT_TX_TOO_BIG)
		r->cls_icmp[f->cls]++;
	else if (verdict == XDP_PASS)
		r->cls_pass[f->cls]++;
	else
		r->cls_drop[f->cls]++;

	if (f->cls == C_ICMP_NOT_VIP &&
	    stat != (vlan_unknown(f) ? XLB_STAT_PASS_VLAN_UNKNOWN :
				       XLB_STAT_PASS_ICMP_NOT_VIP)) {
		fail(r, f, "icmp error not sent to the VIP: counter %s",
		     stat_name[stat]);
		return;
	}
	if (!f->fwd) {
		if (encapsulates(stat) || stat == XLB_STAT_TX_TOO_BIG)
			fail(r, f, "not a well-formed service packet, yet %s",
			     stat_name[stat]);
		else if (verdict == XDP_PASS &&
			 (out_len != f->len || memcmp(out, f->b, f->len)))
			fail(r, f, "passed with its bytes changed");
		return;
	}
	{
		int want_stat = expected_stat(f, &b);

		if (want_stat == XLB_STAT_TX_TOO_BIG &&
		    stat == XLB_STAT_DROP_TOO_BIG_RL)
			return;
		if (stat != want_stat) {
			fail(r, f, "service packet: counter %s, want %s",
			     stat_name[stat], stat_name[want_stat]);
			return;
		}
	}
	/* frames that reached the backend choice and went on to a backend */
	if (new_flow && encapsulates(stat))
		ct_rule(r, f, untracked, limited, had_syn,
			had_syn ? had_s.bid : 0, syn_live);
	if (stat == XLB_STAT_TX_TOO_BIG)
		wlen = expected_reply(f, b, want);
	else if (!encapsulates(stat))
		return;
	else
		wlen = expected_output(f, b, stat, want);
	if (out_len != wlen || memcmp(out, want, wlen)) {
		size_t i = 0;

		while (i < wlen && i < out_len && out[i] == want[i])
			i++;
		fail(r, f,
		     "%s output differs: %zu bytes, want %zu; first difference at %zu",
		     stat_name[stat], out_len, wlen, i);
	}
}

static void print_results(const struct result *r, double secs)
{
	printf("pktfuzz: %lu frames in %.1f s (%.0f frames/s), %lu run, %lu not runnable (size outside the test-run limits)\n",
	       r->frames, secs, r->frames / (secs > 0 ? secs : 1), r->runs,
	       r->not_runnable);
	printf("verdict histogram (one non-info counter per frame):\n");
	for (int i = 0; i < XLB_STAT__MAX; i++)
		if (!stat_info[i])
			printf("  %-24s %10lu\n", stat_name[i], r->by_stat[i]);
	printf("%-22s %9s %9s %9s %9s %9s %9s\n", "frame class", "frames",
	       "encap", "icmp", "pass", "drop", "FAILED");
	for (int c = 0; c < C__MAX; c++)
		printf("  %-20s %9lu %9lu %9lu %9lu %9lu %9lu\n", cls_name[c],
		       r->cls_n[c], r->cls_fwd[c], r->cls_icmp[c],
		       r->cls_pass[c], r->cls_drop[c], r->cls_fail[c]);
	printf("flow cache bypassed for %lu frames (%lu service packets, "
	       "checked like the others)\n",
	       r->fc_bypassed, r->fc_bypassed_fwd);
	printf("%s: %lu failures\n", r->failures ? "FAIL" : "PASS",
	       r->failures);
}

/* The seed on the verdict line, where a failure is read: it replays. */
static void print_replay(const struct result *r, unsigned long n, uint64_t seed)
{
	if (r->failures)
		printf("FAIL: seed %#llx; replay: pktfuzz -n %lu -s %#llx, "
		       "or the same make target with FUZZ_SEED=%#llx\n",
		       (unsigned long long)seed, n, (unsigned long long)seed,
		       (unsigned long long)seed);
}

int main(int argc, char **argv)
{
	unsigned long n = 1000000;
	uint64_t seed = 0;
	static struct result res;
	static struct frame f;
	__u64 prev[XLB_STAT__MAX];
	struct timespec t0, t1;
	int opt;

	while ((opt = getopt(argc, argv, "n:s:v")) != -1) {
		switch (opt) {
		case 'n':
			n = strtoul(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'v':
			verbose = true;
			break;
		default:
			fprintf(stderr,
				"usage: pktfuzz [-n frames] [-s seed] [-v]\n");
			return 2;
		}
	}
	if (!seed)
		seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	rng_seed(seed);
	setup();
	printf("pktfuzz: %lu frames, seed %#llx\n", n,
	       (unsigned long long)seed);
	read_stats(prev);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (res.frames < n) {
		gen_base(&f);
		mutate(&f);
		run_one(&res, &f, prev);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/*
	 * Most frames probe the flow cache and miss (random flows): a long run
	 * must have met the adaptive bypass, so its verdicts were checked too.
	 */
	if (n >= PKTFUZZ_BYPASS_MIN && !res.fc_bypassed_fwd) {
		res.failures++;
		printf("FAIL: %lu frames and no service packet found the flow "
		       "cache bypassed\n",
		       n);
	}
	print_results(&res,
		      t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	print_replay(&res, n, seed);
	xlbh_close(&H);
	return res.failures ? 1 : 0;
}
