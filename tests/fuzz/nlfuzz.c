// SPDX-License-Identifier: GPL-2.0
/*
 * nlfuzz - generic netlink fuzzer for the xlb module.
 *
 * Sends N messages (default 100000) to family "xlb" over a raw netlink
 * socket: valid changes drawn from small pools of services and backends,
 * structurally mutated messages (missing, duplicated, oversized, retyped,
 * wrongly nested and unknown attributes), byte-corrupted and truncated
 * messages, random garbage and random header flags.
 *
 * Every message that reaches the kernel is also parsed here, independently
 * of how it was generated, with the kernel's strict attribute rules and the
 * ABI of include/uapi/xlb_netlink.h.  That classifies it as
 *   MALFORMED  - must be rejected by strict policy validation,
 *   INVALID    - well formed but breaks a documented rule (range, missing
 *                attribute, unknown service, duplicate...): must be rejected,
 *   EFFECT     - a change whose effect the model applies when acked with 0,
 *   NOOP       - read-only or not a request: must change nothing,
 *   AMBIGUOUS  - the ABI leaves the outcome open (e.g. ID and key together);
 *                if accepted, the model is resynchronised from a dump and the
 *                event counted.
 * The model of services, backends and configuration is compared with a
 * full dump every -v messages and at the end.  Exit status 1 on a mismatch,
 * on an accepted MALFORMED/INVALID message or when the module stops
 * answering.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <linux/bpf.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rng.h"
#include "uapi/xlb_maps.h"
#include "uapi/xlb_netlink.h"
#include "maglev.h"

#define MSG_MAX (64 * 1024)
#define RX_MAX (256 * 1024)
#define MAX_SVC 256
#define MAX_BE 64
#define MAX_REPORTS 20

/* ---------------------------------------------------------------- model */

struct mkey {
	uint8_t fam; /* 4 or 6 */
	uint8_t addr[16];
	uint16_t port;
	uint8_t proto;
};

struct mbe {
	uint8_t fam;
	uint8_t addr[16];
	uint32_t weight;
	uint8_t state;
};

struct msvc {
	struct mkey k;
	uint32_t id;
	bool id_known;
	uint32_t ts, flags;
	uint32_t udp_timeout; /* UDP services: seconds; TCP: 0 */
	int nbe;
	struct mbe be[MAX_BE];
};

struct model {
	int nsvc;
	struct msvc svc[MAX_SVC];
	uint32_t seed;
	uint8_t src4[4], src6[16];
};

static struct model model, scratch;

static bool key_eq(const struct mkey *a, const struct mkey *b)
{
	return a->fam == b->fam && a->port == b->port && a->proto == b->proto &&
	       !memcmp(a->addr, b->addr, 16);
}

static int find_svc(const struct model *m, const struct mkey *k)
{
	for (int i = 0; i < m->nsvc; i++)
		if (key_eq(&m->svc[i].k, k))
			return i;
	return -1;
}

static int find_be(const struct msvc *s, uint8_t fam, const uint8_t *addr)
{
	for (int i = 0; i < s->nbe; i++)
		if (s->be[i].fam == fam && !memcmp(s->be[i].addr, addr, 16))
			return i;
	return -1;
}

/* ---------------------------------------------------------------- pools */

static const uint16_t pool_ports[] = { 80, 443 };
static const uint8_t pool_protos[] = { IPPROTO_TCP, IPPROTO_UDP };
#define N_VIP4 4
#define N_VIP6 2
#define N_BE4 12
#define N_BE6 8

static void pool_vip(struct mkey *k, unsigned int i)
{
	memset(k, 0, sizeof(*k));
	k->port = pool_ports[i % 2];
	k->proto = pool_protos[(i / 2) % 2];
	i /= 4;
	i %= N_VIP4 + N_VIP6;
	if (i < N_VIP4) {
		k->fam = 4;
		k->addr[0] = 198, k->addr[1] = 51, k->addr[2] = 100;
		k->addr[3] = 1 + i;
	} else {
		k->fam = 6;
		k->addr[0] = 0x20, k->addr[1] = 0x01;
		k->addr[2] = 0x0d, k->addr[3] = 0xb8;
		k->addr[15] = 1 + i - N_VIP4;
	}
}

static void pool_be(uint8_t fam, uint8_t *addr, unsigned int i)
{
	memset(addr, 0, 16);
	if (fam == 4) {
		addr[0] = 10, addr[3] = 1 + i % N_BE4;
	} else {
		addr[0] = 0xfd;
		addr[15] = 1 + i % N_BE6;
	}
}

/* Small table sizes keep the module's rebuilds cheap under TCG. */
static uint32_t pick_ts(bool fuzz)
{
	uint32_t n = 0;

	while (xlb_maglev_sizes[n])
		n++;
	if (!fuzz || chance(60))
		return xlb_maglev_sizes[rn(3)];
	if (chance(5))
		return xlb_maglev_sizes[rn(n)];
	return chance(50) ? rnd() : rn(1100);
}

/* ------------------------------------------------------ message builder */

struct mb {
	uint8_t buf[MSG_MAX];
	size_t len;
	unsigned int fuzz; /* per-attribute mutation chance, percent */
};

static uint8_t junk[8192];

static void put_raw(struct mb *m, uint16_t type, const void *d, size_t len)
{
	struct nlattr *a = (struct nlattr *)(m->buf + m->len);
	size_t tot = NLA_HDRLEN + len;

	if (m->len + NLA_ALIGN(tot) > sizeof(m->buf) || tot > 0xffff)
		return;
	a->nla_type = type;
	a->nla_len = tot;
	if (len)
		memcpy(m->buf + m->len + NLA_HDRLEN, d, len);
	memset(m->buf + m->len + tot, 0, NLA_ALIGN(tot) - tot);
	m->len += NLA_ALIGN(tot);
}

/* A random attribute tree of up to depth levels. */
static void put_random_tree(struct mb *m, int depth)
{
	size_t off;
	int n;

	if (depth <= 0 || chance(50)) {
		size_t l = chance(90) ? rn(24) : rn(sizeof(junk));

		put_raw(m, rn(16) | (chance(5) ? NLA_F_NESTED : 0), junk, l);
		return;
	}
	off = m->len;
	put_raw(m, rn(16) | (chance(80) ? NLA_F_NESTED : 0), NULL, 0);
	for (n = rn(4); n > 0; n--)
		put_random_tree(m, depth - 1);
	((struct nlattr *)(m->buf + off))->nla_len = m->len - off;
}

/* Put an attribute, maybe mutated (missing, duplicated, resized, ...). */
static void put(struct mb *m, uint16_t type, const void *d, size_t len)
{
	uint8_t v[32];

	if (m->fuzz && chance(m->fuzz)) {
		switch (rn(8)) {
		case 0: /* missing */
			return;
		case 1: /* duplicated, the earlier copy random */
			rnd_bytes(v, len);
			put_raw(m, type, v, len);
			break;
		case 2: /* wrong length, sometimes oversized */
			put_raw(m, type, junk,
				chance(80) ? rn(24) : rn(sizeof(junk)));
			return;
		case 3: /* other type */
			type = chance(80) ? rn(16) : rnd() & 0xffff;
			break;
		case 4: /* nested flag on a scalar */
			type |= NLA_F_NESTED;
			break;
		case 5: /* random value */
			rnd_bytes(v, len);
			d = v;
			break;
		case 6: /* unknown or random attribute next to it */
			put_random_tree(m, 3);
			break;
		default: /* byte-order flag (ignored by the kernel) */
			type |= NLA_F_NET_BYTEORDER;
			break;
		}
	}
	put_raw(m, type, d, len);
}

static void put_u8(struct mb *m, uint16_t t, uint8_t v)
{
	put(m, t, &v, 1);
}

static void put_u16(struct mb *m, uint16_t t, uint16_t v)
{
	put(m, t, &v, 2);
}

static void put_u32(struct mb *m, uint16_t t, uint32_t v)
{
	put(m, t, &v, 4);
}

static size_t nest_begin(struct mb *m, uint16_t type)
{
	size_t off = m->len;

	if (m->fuzz && chance(m->fuzz)) {
		if (chance(50))
			put_random_tree(m, 4);
		else if (chance(50))
			type = rn(16) | NLA_F_NESTED;
		else
			type &= ~NLA_F_NESTED;
		off = m->len;
		put_raw(m, type, NULL, 0);
		return off;
	}
	put_raw(m, type | NLA_F_NESTED, NULL, 0);
	return off;
}

static void nest_end(struct mb *m, size_t off)
{
	if (off < m->len)
		((struct nlattr *)(m->buf + off))->nla_len = m->len - off;
}

static void msg_begin(struct mb *m, uint16_t fam, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *n = (void *)m->buf;
	struct genlmsghdr *g = NLMSG_DATA(n);

	memset(m->buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	n->nlmsg_type = fam;
	n->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	g->cmd = cmd;
	g->version = XLB_GENL_VERSION;
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
}

/* ------------------------------------------------------------ generator */

static void gen_key(struct mb *m, const struct mkey *k)
{
	if (k->fam == 4)
		put(m, XLB_SVC_A_ADDR4, k->addr, 4);
	else
		put(m, XLB_SVC_A_ADDR6, k->addr, 16);
	put_u16(m, XLB_SVC_A_PORT, k->port);
	put_u8(m, XLB_SVC_A_PROTO, k->proto);
}

static void rand_key(struct mkey *k, bool fuzz)
{
	if (!fuzz || chance(75)) {
		pool_vip(k, rn(4 * (N_VIP4 + N_VIP6)));
		return;
	}
	memset(k, 0, sizeof(*k));
	k->fam = chance(50) ? 4 : 6;
	rnd_bytes(k->addr, k->fam == 4 ? 4 : 16);
	k->port = chance(80) ? rnd() : 0;
	k->proto = chance(60) ? pool_protos[rn(2)] : rnd();
}

/* Pick an existing service (80%) or a pool key. */
static const struct msvc *pick_svc(struct mkey *k, bool fuzz)
{
	if (model.nsvc && chance(80)) {
		const struct msvc *s = &model.svc[rn(model.nsvc)];

		*k = s->k;
		return s;
	}
	rand_key(k, fuzz);
	return NULL;
}

/* XLB_A_SERVICE { key | ID }, for a service taken from the model or pool */
static const struct msvc *gen_svc_ref(struct mb *m, bool fuzz)
{
	struct mkey k;
	const struct msvc *s = pick_svc(&k, fuzz);
	size_t n = nest_begin(m, XLB_A_SERVICE);

	if (s && s->id_known && chance(30))
		put_u32(m, XLB_SVC_A_ID, s->id);
	else if (fuzz && chance(5))
		put_u32(m, XLB_SVC_A_ID, chance(50) ? rn(300) : rnd());
	else
		gen_key(m, &k);
	nest_end(m, n);
	return s;
}

static uint32_t rand_weight(bool fuzz)
{
	if (fuzz && chance(20))
		return chance(50) ? XLB_WEIGHT_MAX + 1 + rn(10) : rnd();
	if (chance(10))
		return 0;
	return chance(80) ? 1 + rn(100) : rn(XLB_WEIGHT_MAX + 1);
}

static uint8_t rand_state(bool fuzz)
{
	return fuzz && chance(20) ? rnd() : rn(2);
}

static void gen_be_addr(struct mb *m, const struct msvc *s, bool fuzz)
{
	uint8_t fam = s ? s->k.fam : (chance(50) ? 4 : 6);
	uint8_t a[16];

	if (s && s->nbe && chance(70)) {
		const struct mbe *b = &s->be[rn(s->nbe)];

		fam = b->fam;
		memcpy(a, b->addr, 16);
	} else {
		if (fuzz && chance(10))
			fam = fam == 4 ? 6 : 4;
		pool_be(fam, a, rn(20));
		if (fuzz && chance(10))
			rnd_bytes(a, 16);
	}
	if (fam == 4)
		put(m, XLB_BE_A_ADDR4, a, 4);
	else
		put(m, XLB_BE_A_ADDR6, a, 16);
}

static void gen_backend(struct mb *m, uint8_t cmd, const struct msvc *s,
			bool fuzz)
{
	size_t n = nest_begin(m, XLB_A_BACKEND);

	gen_be_addr(m, s, fuzz);
	if (cmd != XLB_CMD_BACKEND_DEL && cmd != XLB_CMD_BACKEND_GET) {
		if (chance(cmd == XLB_CMD_BACKEND_SET ? 80 : 60))
			put_u32(m, XLB_BE_A_WEIGHT, rand_weight(fuzz));
		if (chance(20))
			put_u8(m, XLB_BE_A_STATE, rand_state(fuzz));
	}
	nest_end(m, n);
}

/* Mostly small tables: the module's rebuilds stay cheap under TCG. */
static void gen_svc_opts(struct mb *m, bool fuzz, bool need_one)
{
	bool ts = chance(need_one ? 50 : 90);

	if (ts || (need_one && chance(50)))
		put_u32(m, XLB_SVC_A_TABLE_SIZE, pick_ts(fuzz));
	if (chance(30) || (need_one && !ts))
		put_u32(m, XLB_SVC_A_FLAGS,
			fuzz && chance(20) ? rnd() :
					     rn(2) * XLB_SVC_F_SRC_HASH);
	/* on TCP services too: refused there */
	if (chance(15))
		put_u32(m, XLB_SVC_A_UDP_TIMEOUT,
			fuzz && chance(30) ?
				(chance(50) ? rnd() : rn(2) * 86401) :
				XLB_UDP_TIMEOUT_MIN + rn(XLB_UDP_TIMEOUT_MAX));
}

static void gen_config(struct mb *m, bool fuzz)
{
	size_t n = nest_begin(m, XLB_A_CONFIG);
	uint8_t a[16] = { 0 };

	if (chance(60))
		put_u32(m, XLB_CFG_A_SEED,
			chance(50) ? XLB_DEFAULT_SEED : rnd());
	if (chance(40)) {
		a[0] = 192, a[1] = 0, a[2] = 2, a[3] = rn(4);
		put(m, XLB_CFG_A_SRC4, a, 4);
	}
	if (chance(30)) {
		memset(a, 0, 16);
		a[0] = 0x20, a[1] = 0x01, a[2] = 0x0d, a[3] = 0xb8;
		a[15] = rn(3);
		put(m, XLB_CFG_A_SRC6, a, 16);
	}
	if (fuzz && chance(10))
		put_u32(m, XLB_CFG_A_MAX_SERVICES, rnd());
	nest_end(m, n);
}

static void gen_replace(struct mb *m, bool fuzz)
{
	unsigned int nsvc = chance(10) ? 0 : 1 + rn(fuzz ? 12 : 5);
	unsigned int first = rn(24);
	size_t l, s, b;

	if (chance(25))
		gen_config(m, fuzz);
	l = nest_begin(m, XLB_A_SERVICES);
	for (unsigned int i = 0; i < nsvc; i++) {
		struct mkey k;
		unsigned int nbe = rn(fuzz && chance(10) ? 40 : 8);
		unsigned int bfirst = rn(20);

		if (fuzz && chance(10))
			rand_key(&k, true);
		else
			pool_vip(&k, first + i);
		s = nest_begin(m, XLB_A_SERVICE);
		gen_key(m, &k);
		gen_svc_opts(m, fuzz, false);
		b = nest_begin(m, XLB_SVC_A_BACKENDS);
		for (unsigned int j = 0; j < nbe; j++) {
			size_t e = nest_begin(m, XLB_A_BACKEND);
			uint8_t a[16];

			pool_be(k.fam, a, bfirst + (fuzz ? rn(24) : j));
			put(m, k.fam == 4 ? XLB_BE_A_ADDR4 : XLB_BE_A_ADDR6, a,
			    k.fam == 4 ? 4 : 16);
			if (chance(60))
				put_u32(m, XLB_BE_A_WEIGHT, rand_weight(fuzz));
			if (chance(15))
				put_u8(m, XLB_BE_A_STATE, rand_state(fuzz));
			nest_end(m, e);
		}
		nest_end(m, b);
		nest_end(m, s);
	}
	nest_end(m, l);
}

static void gen_flow(struct mb *m, bool fuzz)
{
	struct mkey k;
	size_t n = nest_begin(m, XLB_A_FLOW);
	uint8_t a[16] = { 0 };

	pick_svc(&k, fuzz);
	rnd_bytes(a, 16);
	put(m, k.fam == 4 ? XLB_FLOW_A_SRC4 : XLB_FLOW_A_SRC6, a,
	    k.fam == 4 ? 4 : 16);
	put(m, k.fam == 4 ? XLB_FLOW_A_DST4 : XLB_FLOW_A_DST6, k.addr,
	    k.fam == 4 ? 4 : 16);
	put_u16(m, XLB_FLOW_A_SPORT, rnd());
	put_u16(m, XLB_FLOW_A_DPORT, k.port);
	put_u8(m, XLB_FLOW_A_PROTO, k.proto);
	nest_end(m, n);
}

static void gen_bind(struct mb *m)
{
	size_t n = nest_begin(m, XLB_A_BIND);

	for (int t = XLB_BIND_A_CTL_FD; t <= XLB_BIND_A_MAX; t++)
		if (chance(90))
			put_u32(m, t, chance(80) ? rn(8) : rnd());
	nest_end(m, n);
}

struct cmd_weight {
	uint8_t cmd;
	uint8_t weight;
};

static const struct cmd_weight cmd_weights[] = {
	{ XLB_CMD_SERVICE_NEW, 12 }, { XLB_CMD_SERVICE_SET, 8 },
	{ XLB_CMD_SERVICE_DEL, 4 },  { XLB_CMD_SERVICE_GET, 4 },
	{ XLB_CMD_BACKEND_NEW, 25 }, { XLB_CMD_BACKEND_SET, 15 },
	{ XLB_CMD_BACKEND_DEL, 9 },  { XLB_CMD_BACKEND_GET, 4 },
	{ XLB_CMD_REPLACE, 3 },	     { XLB_CMD_FLUSH, 1 },
	{ XLB_CMD_CONFIG_GET, 2 },   { XLB_CMD_CONFIG_SET, 3 },
	{ XLB_CMD_BIND, 1 },	     { XLB_CMD_UNBIND, 1 },
	{ XLB_CMD_LOOKUP, 3 },	     { XLB_CMD_STATS_GET, 1 },
	{ XLB_CMD_STATS_ZERO, 1 },
};

static uint8_t pick_cmd(bool fuzz)
{
	unsigned int total = 0, r;

	if (fuzz && chance(3))
		return rnd();
	for (size_t i = 0; i < sizeof(cmd_weights) / sizeof(cmd_weights[0]);
	     i++)
		total += cmd_weights[i].weight;
	r = rn(total);
	for (size_t i = 0;; i++) {
		if (r < cmd_weights[i].weight) {
			/* No maps to bind: BIND only as a fuzz message. */
			if (cmd_weights[i].cmd == XLB_CMD_BIND && !fuzz)
				return XLB_CMD_CONFIG_GET;
			return cmd_weights[i].cmd;
		}
		r -= cmd_weights[i].weight;
	}
}

enum gen_mode {
	G_VALID,
	G_STRUCT,
	G_BYTES,
	G_GARBAGE
};

/* Corrupt the serialized message at the byte level. */
static void corrupt_bytes(struct mb *m, bool *header_ok)
{
	size_t hl = NLMSG_HDRLEN + GENL_HDRLEN;
	struct nlmsghdr *n = (void *)m->buf;

	switch (rn(4)) {
	case 0: /* truncation, header length consistent */
		if (m->len > hl)
			m->len = hl + rn(m->len - hl);
		break;
	case 1: /* truncation below the genl header or lying length */
		if (chance(50)) {
			m->len = rn(hl);
		} else {
			/* strictly shorter than nlmsg_len: never processed */
			*header_ok = false;
			m->len -= 1 + rn(m->len / 2);
		}
		break;
	case 2: { /* nla_len of a random attribute */
		size_t off = hl;
		struct nlattr *a;

		while (off + NLA_HDRLEN <= m->len) {
			a = (void *)(m->buf + off);
			if (chance(30) || a->nla_len < NLA_HDRLEN)
				break;
			off += chance(50) ? NLA_HDRLEN : NLA_ALIGN(a->nla_len);
		}
		if (off + NLA_HDRLEN <= m->len)
			((struct nlattr *)(m->buf + off))->nla_len =
				chance(50) ? rn(8) : rnd();
		break;
	}
	default: /* flipped bytes */
		for (int i = 1 + rn(4); i > 0 && m->len > hl; i--)
			m->buf[hl + rn(m->len - hl)] ^= 1 << rn(8);
		break;
	}
	if (*header_ok)
		n->nlmsg_len = m->len;
}

/*
 * Build one message; returns false when its header is not consistent, so
 * the kernel drops it without an answer.
 */
static bool gen_msg(struct mb *m, uint16_t fam, enum gen_mode mode)
{
	bool fuzz = mode != G_VALID, header_ok = true;
	uint8_t cmd = pick_cmd(fuzz);
	uint16_t flags = 0;
	const struct msvc *s;
	struct nlmsghdr *n = (void *)m->buf;
	struct genlmsghdr *g = NLMSG_DATA(n);

	if ((cmd == XLB_CMD_SERVICE_GET || cmd == XLB_CMD_BACKEND_GET) &&
	    chance(50))
		flags |= NLM_F_DUMP;
	m->fuzz = mode == G_STRUCT ? 5 + rn(25) : 0;
	msg_begin(m, fam, cmd, flags);

	switch (mode == G_GARBAGE ? 255 : cmd) {
	case XLB_CMD_SERVICE_NEW:
		s = NULL;
		{
			struct mkey k;
			size_t nn;

			rand_key(&k, fuzz);
			nn = nest_begin(m, XLB_A_SERVICE);
			gen_key(m, &k);
			gen_svc_opts(m, fuzz, false);
			nest_end(m, nn);
		}
		break;
	case XLB_CMD_SERVICE_SET: {
		size_t nn = nest_begin(m, XLB_A_SERVICE);
		struct mkey k;
		const struct msvc *p = pick_svc(&k, fuzz);

		if (p && p->id_known && chance(30))
			put_u32(m, XLB_SVC_A_ID, p->id);
		else
			gen_key(m, &k);
		gen_svc_opts(m, fuzz, true);
		nest_end(m, nn);
	} break;
	case XLB_CMD_SERVICE_DEL:
		gen_svc_ref(m, fuzz);
		break;
	case XLB_CMD_SERVICE_GET:
		if (!(flags & NLM_F_DUMP) || fuzz)
			gen_svc_ref(m, fuzz);
		break;
	case XLB_CMD_BACKEND_NEW:
	case XLB_CMD_BACKEND_SET:
	case XLB_CMD_BACKEND_DEL:
	case XLB_CMD_BACKEND_GET:
		s = gen_svc_ref(m, fuzz);
		if (!(flags & NLM_F_DUMP) || fuzz)
			gen_backend(m, cmd, s, fuzz);
		break;
	case XLB_CMD_REPLACE:
		gen_replace(m, fuzz);
		break;
	case XLB_CMD_CONFIG_SET:
		gen_config(m, fuzz);
		break;
	case XLB_CMD_LOOKUP:
		gen_flow(m, fuzz);
		break;
	case XLB_CMD_BIND:
		gen_bind(m);
		break;
	case 255: /* garbage payload */
	{
		size_t l = chance(90) ? rn(200) : rn(sizeof(junk));

		rnd_bytes(m->buf + m->len, l);
		m->len += l;
	} break;
	default:
		break;
	}
	if (fuzz && chance(10))
		put_random_tree(m, 6);

	if (fuzz && chance(15)) {
		switch (rn(5)) {
		case 0:
			n->nlmsg_flags &= ~NLM_F_REQUEST;
			break;
		case 1:
			n->nlmsg_flags |= NLM_F_DUMP;
			break;
		case 2:
			n->nlmsg_flags |= NLM_F_ECHO;
			break;
		case 3:
			g->version = rnd();
			g->reserved = rnd();
			break;
		default:
			n->nlmsg_flags |= rnd() & 0xfe00 & ~NLM_F_DUMP;
			break;
		}
	}
	n->nlmsg_len = m->len;
	if (mode == G_BYTES)
		corrupt_bytes(m, &header_ok);
	return header_ok && m->len >= NLMSG_HDRLEN;
}

/* --------------------------------------------------------- interpreter */

/*
 * Attribute kinds of our reading of the ABI.  Every command has its own
 * policy, down to the nests (Documentation/netlink.md): REPLY marks
 * attributes that only appear in replies, UNUSED those the command does not
 * use; the module refuses both, like unknown ones (MALFORMED).
 */
enum kind {
	K_NONE,
	K_FIX,
	K_NEST,
	K_LIST
};

struct pol;
struct polset {
	int max;
	const struct pol *p;
};

struct pol {
	uint8_t kind;
	uint8_t len; /* K_FIX: exact payload length */
	bool reply;
	bool unused;
	const struct polset *nest; /* K_NEST, K_LIST: child policy */
	uint16_t child; /* K_LIST: attribute type of each child */
};

#define FIX(l)                            \
	{                                 \
		.kind = K_FIX, .len = (l) \
	}
#define RFIX(l)                                          \
	{                                                \
		.kind = K_FIX, .len = (l), .reply = true \
	}
#define UNUSED                                 \
	{                                      \
		.kind = K_NONE, .unused = true \
	}
#define NEST(ps)                              \
	{                                     \
		.kind = K_NEST, .nest = &(ps) \
	}
/* Not modelled here (the change is marked ambiguous). */
#define ANY                    \
	{                      \
		.kind = K_NONE \
	}
#define LIST(ps, c)                                         \
	{                                                   \
		.kind = K_LIST, .nest = &(ps), .child = (c) \
	}

/*
 * The policy macros below fill designated initializers with brace-enclosed
 * arguments, which parentheses would turn into statement expressions.
 */
/* NOLINTBEGIN(bugprone-macro-parentheses) */
/* A backend with settings (NEW, SET, REPLACE) or named only (DEL, GET). */
#define BE_P(w, st, h16)                                               \
	{                                                              \
		[XLB_BE_A_ID] = RFIX(4), [XLB_BE_A_ADDR4] = FIX(4),    \
		[XLB_BE_A_ADDR6] = FIX(16), [XLB_BE_A_WEIGHT] = w,     \
		[XLB_BE_A_STATE] = st, [XLB_BE_A_SLOTS] = RFIX(4),     \
		[XLB_BE_A_GEN] = RFIX(4), [XLB_BE_A_HEALTH] = st,      \
		[XLB_BE_A_HC_RESULT] = st, [XLB_BE_A_HC_DETAIL] = h16, \
		[XLB_BE_A_HC_AGE] = RFIX(4),                           \
	}
static const struct pol be_p[XLB_BE_A_MAX + 1] = BE_P(FIX(4), FIX(1), FIX(2));
static const struct polset be_ps = { XLB_BE_A_MAX, be_p };
static const struct pol be_ref_p[XLB_BE_A_MAX + 1] =
	BE_P(UNUSED, UNUSED, UNUSED);
static const struct polset be_ref_ps = { XLB_BE_A_MAX, be_ref_p };

#define SVC_P(id, opts, bes, hc)                                               \
	{                                                                      \
		[XLB_SVC_A_ID] = id, [XLB_SVC_A_ADDR4] = FIX(4),               \
		[XLB_SVC_A_ADDR6] = FIX(16), [XLB_SVC_A_PORT] = FIX(2),        \
		[XLB_SVC_A_PROTO] = FIX(1), [XLB_SVC_A_TABLE_SIZE] = opts,     \
		[XLB_SVC_A_FLAGS] = opts, [XLB_SVC_A_BACKENDS] = bes,          \
		[XLB_SVC_A_NBACKENDS] = RFIX(4), [XLB_SVC_A_DIGEST] = RFIX(8), \
		[XLB_SVC_A_PAD] = { .kind = K_NONE, .reply = true },           \
		[XLB_SVC_A_UDP_TIMEOUT] = opts, [XLB_SVC_A_HEALTH] = hc,       \
	}
static const struct pol svc_ref_p[XLB_SVC_A_MAX + 1] =
	SVC_P(FIX(4), UNUSED, UNUSED, UNUSED);
static const struct polset svc_ref_ps = { XLB_SVC_A_MAX, svc_ref_p };
static const struct pol svc_new_p[XLB_SVC_A_MAX + 1] =
	SVC_P(UNUSED, FIX(4), UNUSED, ANY);
static const struct polset svc_new_ps = { XLB_SVC_A_MAX, svc_new_p };
static const struct pol svc_set_p[XLB_SVC_A_MAX + 1] =
	SVC_P(FIX(4), FIX(4), UNUSED, ANY);
static const struct polset svc_set_ps = { XLB_SVC_A_MAX, svc_set_p };
static const struct pol svc_repl_p[XLB_SVC_A_MAX + 1] =
	SVC_P(UNUSED, FIX(4), LIST(be_ps, XLB_A_BACKEND), ANY);
static const struct polset svc_repl_ps = { XLB_SVC_A_MAX, svc_repl_p };

static const struct pol cfg_p[XLB_CFG_A_MAX + 1] = {
	[XLB_CFG_A_SEED] = FIX(4),	    [XLB_CFG_A_SRC4] = FIX(4),
	[XLB_CFG_A_SRC6] = FIX(16),	    [XLB_CFG_A_BOUND] = RFIX(1),
	[XLB_CFG_A_MAX_SERVICES] = RFIX(4), [XLB_CFG_A_MAX_BACKENDS] = RFIX(4),
	[XLB_CFG_A_TABLE_MAX] = RFIX(4),    [XLB_CFG_A_TXN_DISCARDED] = RFIX(4),
	[XLB_CFG_A_TXN_PORT] = RFIX(4),
};
static const struct polset cfg_ps = { XLB_CFG_A_MAX, cfg_p };

static const struct pol bind_p[XLB_BIND_A_MAX + 1] = {
	[1 ... XLB_BIND_A_MAX] = FIX(4),
};
static const struct polset bind_ps = { XLB_BIND_A_MAX, bind_p };

static const struct pol flow_p[XLB_FLOW_A_MAX + 1] = {
	[XLB_FLOW_A_SRC4] = FIX(4),  [XLB_FLOW_A_SRC6] = FIX(16),
	[XLB_FLOW_A_DST4] = FIX(4),  [XLB_FLOW_A_DST6] = FIX(16),
	[XLB_FLOW_A_SPORT] = FIX(2), [XLB_FLOW_A_DPORT] = FIX(2),
	[XLB_FLOW_A_PROTO] = FIX(1), [XLB_FLOW_A_HASH] = RFIX(4),
	[XLB_FLOW_A_SLOT] = RFIX(4),
};
static const struct polset flow_ps = { XLB_FLOW_A_MAX, flow_p };

/* The top level of one command. */
#define TOP_P(svc, be, svcs, cfg, bind, flow)                       \
	{                                                           \
		[XLB_A_SERVICE] = svc, [XLB_A_BACKEND] = be,        \
		[XLB_A_SERVICES] = svcs, [XLB_A_CONFIG] = cfg,      \
		[XLB_A_BIND] = bind, [XLB_A_FLOW] = flow,           \
		[XLB_A_GENERATION] = RFIX(4), [XLB_A_TXN] = UNUSED, \
	}
/* NOLINTEND(bugprone-macro-parentheses) */
static const struct pol top_none_p[XLB_A_MAX + 1] =
	TOP_P(UNUSED, UNUSED, UNUSED, UNUSED, UNUSED, UNUSED);
static const struct polset top_none_ps = { XLB_A_MAX, top_none_p };
static const struct pol top_svc_new_p[XLB_A_MAX + 1] =
	TOP_P(NEST(svc_new_ps), UNUSED, UNUSED, UNUSED, UNUSED, UNUSED);
static const struct polset top_svc_new_ps = { XLB_A_MAX, top_svc_new_p };
static const struct pol top_svc_set_p[XLB_A_MAX + 1] =
	TOP_P(NEST(svc_set_ps), UNUSED, UNUSED, UNUSED, UNUSED, UNUSED);
static const struct polset top_svc_set_ps = { XLB_A_MAX, top_svc_set_p };
static const struct pol top_svc_ref_p[XLB_A_MAX + 1] =
	TOP_P(NEST(svc_ref_ps), UNUSED, UNUSED, UNUSED, UNUSED, UNUSED);
static const struct polset top_svc_ref_ps = { XLB_A_MAX, top_svc_ref_p };
static const struct pol top_be_p[XLB_A_MAX + 1] =
	TOP_P(NEST(svc_ref_ps), NEST(be_ps), UNUSED, UNUSED, UNUSED, UNUSED);
static const struct polset top_be_ps = { XLB_A_MAX, top_be_p };
static const struct pol top_be_ref_p[XLB_A_MAX + 1] = TOP_P(
	NEST(svc_ref_ps), NEST(be_ref_ps), UNUSED, UNUSED, UNUSED, UNUSED);
static const struct polset top_be_ref_ps = { XLB_A_MAX, top_be_ref_p };
static const struct pol txn_p[XLB_TXN_A_MAX + 1] = {
	[XLB_TXN_A_ID] = FIX(4),
	[XLB_TXN_A_FLAGS] = FIX(4),
};
static const struct polset txn_ps = { XLB_TXN_A_MAX, txn_p };
/* REPLACE: the only command with XLB_A_TXN (written out). */
static const struct pol top_replace_p[XLB_A_MAX + 1] = {
	[XLB_A_SERVICE] = UNUSED,
	[XLB_A_BACKEND] = UNUSED,
	[XLB_A_SERVICES] = LIST(svc_repl_ps, XLB_A_SERVICE),
	[XLB_A_CONFIG] = NEST(cfg_ps),
	[XLB_A_BIND] = UNUSED,
	[XLB_A_FLOW] = UNUSED,
	[XLB_A_GENERATION] = RFIX(4),
	[XLB_A_TXN] = NEST(txn_ps),
};
static const struct polset top_replace_ps = { XLB_A_MAX, top_replace_p };
static const struct pol top_cfg_p[XLB_A_MAX + 1] =
	TOP_P(UNUSED, UNUSED, UNUSED, NEST(cfg_ps), UNUSED, UNUSED);
static const struct polset top_cfg_ps = { XLB_A_MAX, top_cfg_p };
static const struct pol top_bind_p[XLB_A_MAX + 1] =
	TOP_P(UNUSED, UNUSED, UNUSED, UNUSED, NEST(bind_ps), UNUSED);
static const struct polset top_bind_ps = { XLB_A_MAX, top_bind_p };
static const struct pol top_lookup_p[XLB_A_MAX + 1] =
	TOP_P(UNUSED, UNUSED, UNUSED, UNUSED, UNUSED, NEST(flow_ps));
static const struct polset top_lookup_ps = { XLB_A_MAX, top_lookup_p };

/* The policy of each command (kmod/netlink.c: xlb_ops). */
static const struct polset *cmd_policy(uint8_t cmd)
{
	switch (cmd) {
	case XLB_CMD_SERVICE_NEW:
		return &top_svc_new_ps;
	case XLB_CMD_SERVICE_SET:
		return &top_svc_set_ps;
	case XLB_CMD_SERVICE_DEL:
	case XLB_CMD_SERVICE_GET:
		return &top_svc_ref_ps;
	case XLB_CMD_BACKEND_NEW:
	case XLB_CMD_BACKEND_SET:
		return &top_be_ps;
	case XLB_CMD_BACKEND_DEL:
	case XLB_CMD_BACKEND_GET:
		return &top_be_ref_ps;
	case XLB_CMD_REPLACE:
		return &top_replace_ps;
	case XLB_CMD_CONFIG_SET:
		return &top_cfg_ps;
	case XLB_CMD_BIND:
		return &top_bind_ps;
	case XLB_CMD_LOOKUP:
		return &top_lookup_ps;
	default:
		return &top_none_ps;
	}
}

enum verdict {
	V_EFFECT,
	V_NOOP,
	V_AMBIG,
	V_INVALID,
	V_MALFORMED
};

static const char *const verdict_name[] = { "effect", "noop", "ambiguous",
					    "invalid", "malformed" };

struct interp {
	enum verdict v;
	const char *why;
	bool lax; /* trailing bytes inside a nested array, see validate() */
};

static void mark(struct interp *in, enum verdict v, const char *why)
{
	if (v > in->v) {
		in->v = v;
		in->why = why;
	}
}

/* Walk attributes as nla_ok() does; false when bytes are left over. */
#define for_each_attr(a, data, len, rem)                              \
	for ((a) = (const struct nlattr *)(data), (rem) = (int)(len); \
	     (rem) >= NLA_HDRLEN && (a)->nla_len >= NLA_HDRLEN &&     \
	     (a)->nla_len <= (rem);                                   \
	     (rem) -= NLA_ALIGN((a)->nla_len),                        \
	    (a) = (const void *)((const uint8_t *)(a) +               \
				 NLA_ALIGN((a)->nla_len)))

#define A_TYPE(a) ((a)->nla_type & NLA_TYPE_MASK)
#define A_DATA(a) ((const uint8_t *)(a) + NLA_HDRLEN)
#define A_LEN(a) ((int)(a)->nla_len - NLA_HDRLEN)

/* Strict validation, as nla_parse() with NL_VALIDATE_STRICT does it. */
static void validate(struct interp *in, const void *data, int len,
		     const struct polset *ps)
{
	const struct nlattr *a;
	int rem;

	for_each_attr(a, data, len, rem)
	{
		int t = A_TYPE(a);
		bool nested = a->nla_type & NLA_F_NESTED;
		const struct pol *p;

		if (t == 0 || t > ps->max) {
			mark(in, V_MALFORMED, "unknown attribute type");
			continue;
		}
		p = &ps->p[t];
		if (p->reply) {
			mark(in, V_MALFORMED,
			     "reply-only attribute in request");
			continue;
		}
		if (p->unused) {
			mark(in, V_MALFORMED,
			     "attribute not used by this command");
			continue;
		}
		if (p->kind == K_NONE)
			continue;
		if (nested != (p->kind == K_NEST || p->kind == K_LIST)) {
			mark(in, V_MALFORMED, "NLA_F_NESTED mismatch");
			continue;
		}
		if (p->kind == K_FIX && A_LEN(a) != p->len)
			mark(in, V_MALFORMED, "attribute length");
		if (p->kind == K_NEST)
			validate(in, A_DATA(a), A_LEN(a), p->nest);
		if (p->kind == K_LIST) {
			const struct nlattr *c;
			int crem;

			for_each_attr(c, A_DATA(a), A_LEN(a), crem)
			{
				if (A_TYPE(c) != p->child ||
				    !(c->nla_type & NLA_F_NESTED))
					mark(in, V_AMBIG, "list entry type");
				validate(in, A_DATA(c), A_LEN(c), p->nest);
			}
			/*
			 * The kernel's NLA_NESTED_ARRAY validation ignores
			 * bytes after the last entry: counted apart (-S makes
			 * an accepted one a failure).
			 */
			if (crem > 0)
				in->lax = true;
		}
	}
	if (rem > 0)
		mark(in, V_MALFORMED, "trailing bytes");
}

/* Last one wins, like nla_parse(). */
static void parse(const struct nlattr **tb, int max, const void *data, int len)
{
	const struct nlattr *a;
	int rem, i;

	for (i = 0; i <= max; i++)
		tb[i] = NULL;
	for_each_attr(a, data, len, rem) if (A_TYPE(a) <= max)
		tb[A_TYPE(a)] = a;
}

static uint32_t get_u32(const struct nlattr *a)
{
	uint32_t v;

	memcpy(&v, A_DATA(a), 4);
	return v;
}

static uint16_t get_u16(const struct nlattr *a)
{
	uint16_t v;

	memcpy(&v, A_DATA(a), 2);
	return v;
}

static uint8_t get_u8(const struct nlattr *a)
{
	return A_DATA(a)[0];
}

/* Change computed by interpret(), applied when the kernel acks 0. */
enum chg {
	C_NONE,
	C_SVC_NEW,
	C_SVC_SET,
	C_SVC_DEL,
	C_BE_NEW,
	C_BE_SET,
	C_BE_DEL,
	C_FLUSH,
	C_REPLACE,
	C_CFG
};

struct change {
	enum chg kind;
	int si, bi;
	const struct nlattr *ts, *flags, *udp_timeout, *weight, *state;
	const struct nlattr *seed, *src4, *src6;
	struct mbe be;
	struct msvc svc; /* last: only its head is reset */
};

static void addr_of(uint8_t *out, uint8_t *fam, const struct nlattr *a4,
		    const struct nlattr *a6)
{
	memset(out, 0, 16);
	if (a4) {
		memcpy(out, A_DATA(a4), 4);
		*fam = 4;
	} else {
		memcpy(out, A_DATA(a6), 16);
		*fam = 6;
	}
}

/*
 * Options of a service (TABLE_SIZE, FLAGS, UDP_TIMEOUT) of protocol proto
 * (0: unknown service): INVALID if out of range or not for the protocol.
 */
static void check_svc_opts(struct interp *in, const struct nlattr **tb,
			   uint8_t proto)
{
	const struct nlattr *ut = tb[XLB_SVC_A_UDP_TIMEOUT];

	/* a health check (any nest, ref commands refuse it): not modelled */
	if (tb[XLB_SVC_A_HEALTH])
		mark(in, V_AMBIG, "health check");
	if (ut && (get_u32(ut) < XLB_UDP_TIMEOUT_MIN ||
		   get_u32(ut) > XLB_UDP_TIMEOUT_MAX))
		mark(in, V_INVALID, "udp timeout out of range");
	else if (ut && proto && proto != IPPROTO_UDP)
		mark(in, V_INVALID, "udp timeout on a TCP service");
	if (tb[XLB_SVC_A_TABLE_SIZE] &&
	    !xlb_maglev_size_valid(get_u32(tb[XLB_SVC_A_TABLE_SIZE])))
		mark(in, V_INVALID, "table size not in the prime list");
	if (tb[XLB_SVC_A_FLAGS] &&
	    (get_u32(tb[XLB_SVC_A_FLAGS]) & ~__XLB_SVC_F_ALL))
		mark(in, V_INVALID, "unknown service flags");
}

/* The UDP timeout a new service of protocol proto gets. */
static uint32_t udp_timeout_of(const struct nlattr **tb, uint8_t proto)
{
	if (proto != IPPROTO_UDP)
		return 0;
	return tb[XLB_SVC_A_UDP_TIMEOUT] ? get_u32(tb[XLB_SVC_A_UDP_TIMEOUT]) :
					   XLB_UDP_TIMEOUT_DEFAULT;
}

/* Read a complete service key; false (and INVALID) if incomplete/bad. */
static bool svc_key(struct interp *in, const struct nlattr **tb, struct mkey *k)
{
	memset(k, 0, sizeof(*k));
	if (tb[XLB_SVC_A_ADDR4] && tb[XLB_SVC_A_ADDR6]) {
		mark(in, V_INVALID, "service address family mix-up");
		return false;
	}
	if (!(tb[XLB_SVC_A_ADDR4] || tb[XLB_SVC_A_ADDR6]) ||
	    !tb[XLB_SVC_A_PORT] || !tb[XLB_SVC_A_PROTO]) {
		mark(in, V_INVALID, "incomplete service key");
		return false;
	}
	addr_of(k->addr, &k->fam, tb[XLB_SVC_A_ADDR4], tb[XLB_SVC_A_ADDR6]);
	k->port = get_u16(tb[XLB_SVC_A_PORT]);
	k->proto = get_u8(tb[XLB_SVC_A_PROTO]);
	if (k->port == 0) {
		mark(in, V_INVALID, "port 0");
		return false;
	}
	if (k->proto != IPPROTO_TCP && k->proto != IPPROTO_UDP) {
		mark(in, V_INVALID, "protocol not tcp/udp");
		return false;
	}
	return true;
}

/* Resolve XLB_A_SERVICE to a model index, or -1 (verdict marked). */
static int resolve_svc(struct interp *in, const struct nlattr *nest,
		       const struct nlattr **tb)
{
	bool has_key = tb[XLB_SVC_A_ADDR4] || tb[XLB_SVC_A_ADDR6] ||
		       tb[XLB_SVC_A_PORT] || tb[XLB_SVC_A_PROTO];
	struct mkey k;
	int i;

	if (!nest) {
		mark(in, V_INVALID, "missing XLB_A_SERVICE");
		return -1;
	}
	if (tb[XLB_SVC_A_ID]) {
		uint32_t id = get_u32(tb[XLB_SVC_A_ID]);

		if (has_key) {
			mark(in, V_AMBIG, "service ID and key together");
			return -1;
		}
		for (i = 0; i < model.nsvc; i++)
			if (model.svc[i].id_known && model.svc[i].id == id)
				return i;
		for (i = 0; i < model.nsvc; i++)
			if (!model.svc[i].id_known) {
				mark(in, V_AMBIG, "service ID not yet learnt");
				return -1;
			}
		mark(in, V_INVALID, "unknown service ID");
		return -1;
	}
	if (!svc_key(in, tb, &k))
		return -1;
	i = find_svc(&model, &k);
	if (i < 0)
		mark(in, V_INVALID, "unknown service");
	return i;
}

/* Read and range-check one backend nest (weight, state). */
static bool be_fields(struct interp *in, const struct nlattr **tb,
		      const struct mkey *sk, struct mbe *b)
{
	if (tb[XLB_BE_A_ADDR4] && tb[XLB_BE_A_ADDR6]) {
		mark(in, V_INVALID, "backend address family mix-up");
		return false;
	}
	if (!tb[XLB_BE_A_ADDR4] && !tb[XLB_BE_A_ADDR6]) {
		mark(in, V_INVALID, "missing backend address");
		return false;
	}
	memset(b, 0, sizeof(*b));
	addr_of(b->addr, &b->fam, tb[XLB_BE_A_ADDR4], tb[XLB_BE_A_ADDR6]);
	if (sk && b->fam != sk->fam)
		mark(in, V_AMBIG, "backend family differs from service");
	if (tb[XLB_BE_A_ID])
		mark(in, V_AMBIG, "backend ID in request");
	if (tb[XLB_BE_A_WEIGHT] &&
	    get_u32(tb[XLB_BE_A_WEIGHT]) > XLB_WEIGHT_MAX)
		mark(in, V_INVALID, "weight out of range");
	if (tb[XLB_BE_A_STATE] &&
	    get_u8(tb[XLB_BE_A_STATE]) > __XLB_BE_STATE_MAX)
		mark(in, V_INVALID, "state out of range");
	/* xlb-healthd's report: ranges checked by the module, not modelled */
	if (tb[XLB_BE_A_HEALTH] || tb[XLB_BE_A_HC_RESULT] ||
	    tb[XLB_BE_A_HC_DETAIL])
		mark(in, V_AMBIG, "backend health report");
	b->weight = tb[XLB_BE_A_WEIGHT] ? get_u32(tb[XLB_BE_A_WEIGHT]) :
					  XLB_WEIGHT_DEFAULT;
	b->state = tb[XLB_BE_A_STATE] ? get_u8(tb[XLB_BE_A_STATE]) : 0;
	return true;
}

static void interp_backend(struct interp *in, uint8_t cmd,
			   const struct nlattr **top, struct change *c)
{
	const struct nlattr *stb[XLB_SVC_A_MAX + 1], *btb[XLB_BE_A_MAX + 1];
	const struct nlattr *sn = top[XLB_A_SERVICE], *bn = top[XLB_A_BACKEND];
	struct msvc *s;

	parse(stb, XLB_SVC_A_MAX, sn ? A_DATA(sn) : NULL, sn ? A_LEN(sn) : 0);
	c->si = resolve_svc(in, sn, stb);
	if (!bn) {
		mark(in, V_INVALID, "missing XLB_A_BACKEND");
		return;
	}
	parse(btb, XLB_BE_A_MAX, A_DATA(bn), A_LEN(bn));
	if (c->si < 0) {
		be_fields(in, btb, NULL, &c->be);
		return;
	}
	s = &model.svc[c->si];
	if (!be_fields(in, btb, &s->k, &c->be))
		return;
	c->bi = find_be(s, c->be.fam, c->be.addr);
	c->weight = btb[XLB_BE_A_WEIGHT];
	c->state = btb[XLB_BE_A_STATE];
	if (cmd == XLB_CMD_BACKEND_NEW) {
		if (c->bi >= 0)
			mark(in, V_INVALID, "backend exists");
		if (s->nbe == MAX_BE)
			mark(in, V_AMBIG, "model backend cap");
		c->kind = C_BE_NEW;
	} else {
		if (c->bi < 0)
			mark(in, V_INVALID, "unknown backend");
		c->kind = cmd == XLB_CMD_BACKEND_SET ? C_BE_SET : C_BE_DEL;
	}
}

static void interp_config(struct interp *in, const struct nlattr *cn,
			  struct change *c)
{
	const struct nlattr *tb[XLB_CFG_A_MAX + 1];

	if (!cn) {
		mark(in, V_INVALID, "missing XLB_A_CONFIG");
		return;
	}
	parse(tb, XLB_CFG_A_MAX, A_DATA(cn), A_LEN(cn));
	c->seed = tb[XLB_CFG_A_SEED];
	c->src4 = tb[XLB_CFG_A_SRC4];
	c->src6 = tb[XLB_CFG_A_SRC6];
}

/* REPLACE: build the complete new configuration in `scratch'. */
static void interp_replace(struct interp *in, const struct nlattr **top,
			   struct change *c)
{
	const struct nlattr *l = top[XLB_A_SERVICES], *e, *b;
	int rem, brem;

	c->kind = C_REPLACE;
	if (top[XLB_A_TXN]) {
		/* a part of a staged REPLACE: tests/lbctl_large.bats */
		mark(in, V_AMBIG, "staged REPLACE part (XLB_A_TXN)");
		return;
	}
	if (top[XLB_A_CONFIG])
		interp_config(in, top[XLB_A_CONFIG], c);
	scratch.nsvc = 0;
	if (!l) {
		mark(in, V_AMBIG, "REPLACE without XLB_A_SERVICES");
		return;
	}
	for_each_attr(e, A_DATA(l), A_LEN(l), rem)
	{
		const struct nlattr *stb[XLB_SVC_A_MAX + 1];
		struct msvc *s;

		if (scratch.nsvc == MAX_SVC) {
			mark(in, V_AMBIG, "more services than the model holds");
			return;
		}
		s = &scratch.svc[scratch.nsvc];
		memset(s, 0, offsetof(struct msvc, be));
		parse(stb, XLB_SVC_A_MAX, A_DATA(e), A_LEN(e));
		if (stb[XLB_SVC_A_ID])
			mark(in, V_AMBIG, "service ID in REPLACE");
		if (!svc_key(in, stb, &s->k))
			continue;
		check_svc_opts(in, stb, s->k.proto);
		if (find_svc(&scratch, &s->k) >= 0)
			mark(in, V_INVALID, "duplicate service in REPLACE");
		s->ts = stb[XLB_SVC_A_TABLE_SIZE] ?
				get_u32(stb[XLB_SVC_A_TABLE_SIZE]) :
				XLB_TABLE_SIZE_DEFAULT;
		s->flags = stb[XLB_SVC_A_FLAGS] ?
				   get_u32(stb[XLB_SVC_A_FLAGS]) :
				   0;
		s->udp_timeout = udp_timeout_of(stb, s->k.proto);
		if (stb[XLB_SVC_A_BACKENDS]) {
			const struct nlattr *bl = stb[XLB_SVC_A_BACKENDS];

			for_each_attr(b, A_DATA(bl), A_LEN(bl), brem)
			{
				const struct nlattr *btb[XLB_BE_A_MAX + 1];
				struct mbe be;

				parse(btb, XLB_BE_A_MAX, A_DATA(b), A_LEN(b));
				if (!be_fields(in, btb, &s->k, &be))
					continue;
				if (find_be(s, be.fam, be.addr) >= 0) {
					mark(in, V_INVALID,
					     "duplicate backend in REPLACE");
					continue;
				}
				if (s->nbe == MAX_BE) {
					mark(in, V_AMBIG, "model backend cap");
					continue;
				}
				s->be[s->nbe++] = be;
			}
		}
		scratch.nsvc++;
	}
}

static void interp_service(struct interp *in, uint8_t cmd,
			   const struct nlattr **top, struct change *c)
{
	const struct nlattr *sn = top[XLB_A_SERVICE];
	const struct nlattr *tb[XLB_SVC_A_MAX + 1];

	parse(tb, XLB_SVC_A_MAX, sn ? A_DATA(sn) : NULL, sn ? A_LEN(sn) : 0);
	if (sn && tb[XLB_SVC_A_BACKENDS])
		mark(in, V_AMBIG, "backends in a service command");
	if (cmd != XLB_CMD_SERVICE_NEW) {
		c->si = resolve_svc(in, sn, tb);
		c->kind = cmd == XLB_CMD_SERVICE_SET ? C_SVC_SET : C_SVC_DEL;
		if (cmd == XLB_CMD_SERVICE_SET) {
			check_svc_opts(in, tb,
				       c->si >= 0 ? model.svc[c->si].k.proto :
						    0);
			c->ts = tb[XLB_SVC_A_TABLE_SIZE];
			c->flags = tb[XLB_SVC_A_FLAGS];
			c->udp_timeout = tb[XLB_SVC_A_UDP_TIMEOUT];
		}
		return;
	}
	c->kind = C_SVC_NEW;
	if (!sn) {
		mark(in, V_INVALID, "missing XLB_A_SERVICE");
		return;
	}
	if (tb[XLB_SVC_A_ID])
		mark(in, V_AMBIG, "service ID in SERVICE_NEW");
	memset(&c->svc, 0, offsetof(struct msvc, be));
	if (!svc_key(in, tb, &c->svc.k))
		return;
	check_svc_opts(in, tb, c->svc.k.proto);
	if (find_svc(&model, &c->svc.k) >= 0)
		mark(in, V_INVALID, "service exists");
	if (model.nsvc == MAX_SVC)
		mark(in, V_AMBIG, "model service cap");
	c->svc.ts = tb[XLB_SVC_A_TABLE_SIZE] ?
			    get_u32(tb[XLB_SVC_A_TABLE_SIZE]) :
			    XLB_TABLE_SIZE_DEFAULT;
	c->svc.flags = tb[XLB_SVC_A_FLAGS] ? get_u32(tb[XLB_SVC_A_FLAGS]) : 0;
	c->svc.udp_timeout = udp_timeout_of(tb, c->svc.k.proto);
}

/* A dump: only SERVICE_GET (no attribute) and BACKEND_GET (a service). */
static void interp_dump(struct interp *in, uint8_t cmd,
			const struct nlattr **top)
{
	const struct nlattr *tb[XLB_SVC_A_MAX + 1];
	const struct nlattr *sn = top[XLB_A_SERVICE];

	if (cmd != XLB_CMD_SERVICE_GET && cmd != XLB_CMD_BACKEND_GET) {
		mark(in, V_INVALID, "dump of a command without one");
		return;
	}
	for (int a = 1; a <= XLB_A_MAX; a++)
		if (top[a] &&
		    (a != XLB_A_SERVICE || cmd != XLB_CMD_BACKEND_GET))
			mark(in, V_INVALID, "attribute not used by this dump");
	if (cmd == XLB_CMD_BACKEND_GET) {
		parse(tb, XLB_SVC_A_MAX, sn ? A_DATA(sn) : NULL,
		      sn ? A_LEN(sn) : 0);
		resolve_svc(in, sn, tb);
	}
}

/* Classify the message exactly as sent; fill c for EFFECT. */
static struct interp interpret(const uint8_t *buf, size_t len, struct change *c)
{
	const struct nlmsghdr *n = (const void *)buf;
	const struct genlmsghdr *g = NLMSG_DATA(n);
	const struct nlattr *top[XLB_A_MAX + 1];
	struct interp in = { V_NOOP, NULL, false };
	const void *attrs = buf + NLMSG_HDRLEN + GENL_HDRLEN;
	int alen = (int)len - NLMSG_HDRLEN - GENL_HDRLEN;
	uint8_t cmd;

	memset(c, 0, offsetof(struct change, svc.be));
	c->si = c->bi = -1;
	if (!(n->nlmsg_flags & NLM_F_REQUEST))
		return in; /* acked without being processed */
	if (len < NLMSG_HDRLEN + GENL_HDRLEN) {
		mark(&in, V_MALFORMED, "shorter than the genl header");
		return in;
	}
	cmd = g->cmd;
	if (cmd == XLB_CMD_UNSPEC || cmd > XLB_CMD_MAX) {
		mark(&in, V_MALFORMED, "unknown command");
		return in;
	}
	validate(&in, attrs, alen, cmd_policy(cmd));
	parse(top, XLB_A_MAX, attrs, alen);
	if ((n->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP) {
		interp_dump(&in, cmd, top);
		return in;
	}
	if (top[XLB_A_GENERATION])
		mark(&in, V_AMBIG, "generation in request");
	switch (cmd) {
	case XLB_CMD_SERVICE_NEW:
	case XLB_CMD_SERVICE_SET:
	case XLB_CMD_SERVICE_DEL:
		interp_service(&in, cmd, top, c);
		break;
	case XLB_CMD_BACKEND_NEW:
	case XLB_CMD_BACKEND_SET:
	case XLB_CMD_BACKEND_DEL:
		interp_backend(&in, cmd, top, c);
		break;
	case XLB_CMD_REPLACE:
		interp_replace(&in, top, c);
		break;
	case XLB_CMD_FLUSH:
		c->kind = C_FLUSH;
		break;
	case XLB_CMD_CONFIG_SET:
		c->kind = C_CFG;
		interp_config(&in, top[XLB_A_CONFIG], c);
		break;
	case XLB_CMD_BIND:
		/* This process holds no BPF map: a BIND must fail. */
		mark(&in, V_INVALID, "BIND without map fds");
		break;
	default:
		/*
		 * GET, CONFIG_GET, LOOKUP, UNBIND, STATS_GET, STATS_ZERO:
		 * no model change
		 */
		break;
	}
	if (c->kind != C_NONE && in.v == V_NOOP)
		in.v = V_EFFECT;
	return in;
}

static void die(const char *fmt, const char *arg) __attribute__((noreturn));

static void apply(const struct change *c)
{
	struct msvc *s = c->si >= 0 ? &model.svc[c->si] : NULL;

	switch (c->kind) {
	case C_SVC_SET:
	case C_SVC_DEL:
	case C_BE_NEW:
	case C_BE_SET:
	case C_BE_DEL:
		/* interpret() resolves the service of every such change */
		if (!s)
			die("internal error: %s",
			    "service change without a service");
		break;
	default:
		break;
	}
	switch (c->kind) {
	case C_SVC_NEW:
		model.svc[model.nsvc] = c->svc;
		model.svc[model.nsvc].nbe = 0;
		model.nsvc++;
		break;
	case C_SVC_SET:
		if (c->ts)
			s->ts = get_u32(c->ts);
		if (c->flags)
			s->flags = get_u32(c->flags);
		if (c->udp_timeout)
			s->udp_timeout = get_u32(c->udp_timeout);
		break;
	case C_SVC_DEL:
		model.svc[c->si] = model.svc[--model.nsvc];
		break;
	case C_BE_NEW:
		s->be[s->nbe++] = c->be;
		break;
	case C_BE_SET:
		if (c->weight)
			s->be[c->bi].weight = get_u32(c->weight);
		if (c->state)
			s->be[c->bi].state = get_u8(c->state);
		break;
	case C_BE_DEL:
		s->be[c->bi] = s->be[--s->nbe];
		break;
	case C_FLUSH:
		model.nsvc = 0;
		break;
	case C_REPLACE:
		model.nsvc = scratch.nsvc;
		memcpy(model.svc, scratch.svc,
		       sizeof(scratch.svc[0]) * scratch.nsvc);
		/* REPLACE may carry a configuration too */
		__attribute__((fallthrough));
	case C_CFG:
		if (c->seed)
			model.seed = get_u32(c->seed);
		if (c->src4)
			memcpy(model.src4, A_DATA(c->src4), 4);
		if (c->src6)
			memcpy(model.src6, A_DATA(c->src6), 16);
		break;
	default:
		break;
	}
}

/* -------------------------------------------------------------- socket */

struct nl {
	int fd;
	uint16_t fam;
	uint32_t seq;
};

static uint8_t rxbuf[RX_MAX];
static char last_extack[256];

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "nlfuzz: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(2);
}

static int nl_send(struct nl *nl, void *buf, size_t len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (sendto(nl->fd, buf, len, 0, (void *)&sa, sizeof(sa)) < 0)
		return -errno;
	return 0;
}

static void save_extack(const struct nlmsghdr *h)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	const struct nlattr *a;
	size_t off = sizeof(*e);
	int rem;

	last_extack[0] = 0;
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (NLMSG_HDRLEN + off > h->nlmsg_len)
		return;
	for_each_attr(a, (const uint8_t *)e + off,
		      h->nlmsg_len - NLMSG_HDRLEN - off,
		      rem) if (A_TYPE(a) == NLMSGERR_ATTR_MSG && A_LEN(a) > 0)
		snprintf(last_extack, sizeof(last_extack), "%.*s", A_LEN(a),
			 (const char *)A_DATA(a));
}

typedef void (*msg_cb)(const struct nlmsghdr *h, void *arg);

/*
 * Read until the answer (error/ack or end of dump) to seq arrives; data
 * messages with that seq go to cb.  Returns 0 or a negative errno, or
 * -ETIMEDOUT if the module does not answer.  *intr reports NLM_F_DUMP_INTR.
 */
static int nl_wait(struct nl *nl, uint32_t seq, msg_cb cb, void *arg,
		   bool *intr)
{
	for (;;) {
		ssize_t r = recv(nl->fd, rxbuf, sizeof(rxbuf), 0);
		struct nlmsghdr *h;
		int left;

		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return -ETIMEDOUT;
			if (errno == ENOBUFS)
				continue;
			die("recv: %s", strerror(errno));
		}
		left = (int)r;
		for (h = (void *)rxbuf; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (intr && (h->nlmsg_flags & NLM_F_DUMP_INTR))
				*intr = true;
			if (h->nlmsg_type == NLMSG_ERROR) {
				int err = ((struct nlmsgerr *)NLMSG_DATA(h))
						  ->error;

				save_extack(h);
				return err;
			}
			if (h->nlmsg_type == NLMSG_DONE) {
				int err = 0;

				if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
					memcpy(&err, NLMSG_DATA(h),
					       sizeof(err));
				return err;
			}
			if (cb)
				cb(h, arg);
		}
	}
}

static void family_cb(const struct nlmsghdr *h, void *arg)
{
	const struct nlattr *a;
	int rem;

	for_each_attr(a, (uint8_t *)NLMSG_DATA(h) + GENL_HDRLEN,
		      h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN,
		      rem) if (A_TYPE(a) == CTRL_ATTR_FAMILY_ID) *
		(uint16_t *)arg = get_u16(a);
}

static void nl_open(struct nl *nl)
{
	struct timeval tv = { .tv_sec = 10 };
	int one = 1, rcvbuf = 1 << 20, err;
	static struct mb m;

	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->fd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(nl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(nl->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->seq = time(NULL);

	m.fuzz = 0;
	msg_begin(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	put_raw(&m, CTRL_ATTR_FAMILY_NAME, XLB_GENL_NAME,
		sizeof(XLB_GENL_NAME));
	((struct nlmsghdr *)m.buf)->nlmsg_len = m.len;
	((struct nlmsghdr *)m.buf)->nlmsg_seq = ++nl->seq;
	nl->fam = 0;
	if (nl_send(nl, m.buf, m.len) < 0)
		die("send: %s", strerror(errno));
	err = nl_wait(nl, nl->seq, family_cb, &nl->fam, NULL);
	if (err || !nl->fam)
		die("generic netlink family \"xlb\" not found (%s); is xlb.ko loaded?",
		    strerror(-err));
}

/* --------------------------------------------------------------- dumps */

struct dump {
	struct model *m;
	bool bad;
	int si; /* service whose backends are being dumped */
};

static void read_key(const struct nlattr **tb, struct mkey *k)
{
	memset(k, 0, sizeof(*k));
	if (tb[XLB_SVC_A_ADDR4] || tb[XLB_SVC_A_ADDR6])
		addr_of(k->addr, &k->fam, tb[XLB_SVC_A_ADDR4],
			tb[XLB_SVC_A_ADDR6]);
	if (tb[XLB_SVC_A_PORT])
		k->port = get_u16(tb[XLB_SVC_A_PORT]);
	if (tb[XLB_SVC_A_PROTO])
		k->proto = get_u8(tb[XLB_SVC_A_PROTO]);
}

static void reply_top(const struct nlmsghdr *h, const struct nlattr **top)
{
	parse(top, XLB_A_MAX, (uint8_t *)NLMSG_DATA(h) + GENL_HDRLEN,
	      h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN);
}

static void svc_dump_cb(const struct nlmsghdr *h, void *arg)
{
	struct dump *d = arg;
	const struct nlattr *top[XLB_A_MAX + 1], *tb[XLB_SVC_A_MAX + 1];
	struct msvc *s;

	reply_top(h, top);
	if (!top[XLB_A_SERVICE] || d->m->nsvc == MAX_SVC) {
		d->bad = true;
		return;
	}
	parse(tb, XLB_SVC_A_MAX, A_DATA(top[XLB_A_SERVICE]),
	      A_LEN(top[XLB_A_SERVICE]));
	s = &d->m->svc[d->m->nsvc++];
	memset(s, 0, offsetof(struct msvc, be));
	read_key(tb, &s->k);
	s->id_known = tb[XLB_SVC_A_ID];
	s->id = s->id_known ? get_u32(tb[XLB_SVC_A_ID]) : 0;
	s->ts = tb[XLB_SVC_A_TABLE_SIZE] ? get_u32(tb[XLB_SVC_A_TABLE_SIZE]) :
					   0;
	s->flags = tb[XLB_SVC_A_FLAGS] ? get_u32(tb[XLB_SVC_A_FLAGS]) : 0;
	s->udp_timeout = tb[XLB_SVC_A_UDP_TIMEOUT] ?
				 get_u32(tb[XLB_SVC_A_UDP_TIMEOUT]) :
				 0;
}

static void be_dump_cb(const struct nlmsghdr *h, void *arg)
{
	struct dump *d = arg;
	const struct nlattr *top[XLB_A_MAX + 1], *tb[XLB_BE_A_MAX + 1];
	struct msvc *s = &d->m->svc[d->si];
	struct mbe *b;

	reply_top(h, top);
	if (!top[XLB_A_BACKEND] || s->nbe == MAX_BE) {
		d->bad = true;
		return;
	}
	parse(tb, XLB_BE_A_MAX, A_DATA(top[XLB_A_BACKEND]),
	      A_LEN(top[XLB_A_BACKEND]));
	if (!tb[XLB_BE_A_ADDR4] && !tb[XLB_BE_A_ADDR6]) {
		d->bad = true;
		return;
	}
	b = &s->be[s->nbe++];
	addr_of(b->addr, &b->fam, tb[XLB_BE_A_ADDR4], tb[XLB_BE_A_ADDR6]);
	b->weight = tb[XLB_BE_A_WEIGHT] ? get_u32(tb[XLB_BE_A_WEIGHT]) : 0;
	b->state = tb[XLB_BE_A_STATE] ? get_u8(tb[XLB_BE_A_STATE]) : 0;
}

static void cfg_cb(const struct nlmsghdr *h, void *arg)
{
	struct model *m = arg;
	const struct nlattr *top[XLB_A_MAX + 1], *tb[XLB_CFG_A_MAX + 1];

	reply_top(h, top);
	if (!top[XLB_A_CONFIG])
		return;
	parse(tb, XLB_CFG_A_MAX, A_DATA(top[XLB_A_CONFIG]),
	      A_LEN(top[XLB_A_CONFIG]));
	m->seed = tb[XLB_CFG_A_SEED] ? get_u32(tb[XLB_CFG_A_SEED]) : 0;
	memset(m->src4, 0, 4);
	memset(m->src6, 0, 16);
	if (tb[XLB_CFG_A_SRC4])
		memcpy(m->src4, A_DATA(tb[XLB_CFG_A_SRC4]), 4);
	if (tb[XLB_CFG_A_SRC6])
		memcpy(m->src6, A_DATA(tb[XLB_CFG_A_SRC6]), 16);
}

/* One request (dump or do) with its answer; returns the errno result. */
static int request(struct nl *nl, uint8_t cmd, uint16_t flags,
		   const struct msvc *svc, msg_cb cb, void *arg, bool *intr)
{
	static struct mb m;
	int err;

	m.fuzz = 0;
	msg_begin(&m, nl->fam, cmd, flags);
	if (svc) {
		size_t n = nest_begin(&m, XLB_A_SERVICE);

		if (svc->id_known)
			put_u32(&m, XLB_SVC_A_ID, svc->id);
		else
			gen_key(&m, &svc->k);
		nest_end(&m, n);
	}
	((struct nlmsghdr *)m.buf)->nlmsg_len = m.len;
	((struct nlmsghdr *)m.buf)->nlmsg_seq = ++nl->seq;
	err = nl_send(nl, m.buf, m.len);
	if (err)
		return err;
	return nl_wait(nl, nl->seq, cb, arg, intr);
}

/* Read the module's whole state into out (dumps restarted on INTR). */
static int read_state(struct nl *nl, struct model *out)
{
	struct dump d = { .m = out };
	int err, tries = 0;
	bool intr;

again:
	if (++tries > 10)
		return -EINTR;
	out->nsvc = 0;
	d.bad = false;
	intr = false;
	err = request(nl, XLB_CMD_SERVICE_GET, NLM_F_DUMP, NULL, svc_dump_cb,
		      &d, &intr);
	if (err)
		return err;
	if (intr)
		goto again;
	for (d.si = 0; d.si < out->nsvc; d.si++) {
		out->svc[d.si].nbe = 0;
		err = request(nl, XLB_CMD_BACKEND_GET, NLM_F_DUMP,
			      &out->svc[d.si], be_dump_cb, &d, &intr);
		if (err)
			return err;
		if (intr)
			goto again;
	}
	if (d.bad)
		return -EPROTO;
	return request(nl, XLB_CMD_CONFIG_GET, 0, NULL, cfg_cb, out, NULL);
}

/* ---------------------------------------------------------- comparison */

static void fmt_addr(char *out, size_t n, uint8_t fam, const uint8_t *a)
{
	if (fam == 4)
		snprintf(out, n, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	else
		snprintf(out, n, "%02x%02x:%02x%02x::%02x%02x", a[0], a[1],
			 a[2], a[3], a[14], a[15]);
}

static void fmt_key(char *out, size_t n, const struct mkey *k)
{
	char a[64];

	fmt_addr(a, sizeof(a), k->fam, k->addr);
	snprintf(out, n, "%s:%u/%u", a, k->port, k->proto);
}

/* Compare; print differences; learn IDs from the kernel's state. */
static int compare(struct model *want, const struct model *got)
{
	int diffs = 0;
	char ks[96], as[64];

	for (int i = 0; i < want->nsvc; i++) {
		struct msvc *w = &want->svc[i];
		int j = find_svc(got, &w->k);
		const struct msvc *g;

		fmt_key(ks, sizeof(ks), &w->k);
		if (j < 0) {
			printf("  missing service %s\n", ks);
			diffs++;
			continue;
		}
		g = &got->svc[j];
		w->id = g->id;
		w->id_known = g->id_known;
		if (w->ts != g->ts || w->flags != g->flags ||
		    w->udp_timeout != g->udp_timeout) {
			printf("  service %s: table %u flags %#x udp timeout %u, module has %u %#x %u\n",
			       ks, w->ts, w->flags, w->udp_timeout, g->ts,
			       g->flags, g->udp_timeout);
			diffs++;
		}
		for (int b = 0; b < w->nbe; b++) {
			int x = find_be(g, w->be[b].fam, w->be[b].addr);

			fmt_addr(as, sizeof(as), w->be[b].fam, w->be[b].addr);
			if (x < 0) {
				printf("  service %s: missing backend %s\n", ks,
				       as);
				diffs++;
			} else if (g->be[x].weight != w->be[b].weight ||
				   g->be[x].state != w->be[b].state) {
				printf("  service %s backend %s: weight %u state %u, module has %u %u\n",
				       ks, as, w->be[b].weight, w->be[b].state,
				       g->be[x].weight, g->be[x].state);
				diffs++;
			}
		}
		for (int b = 0; b < g->nbe; b++)
			if (find_be(w, g->be[b].fam, g->be[b].addr) < 0) {
				fmt_addr(as, sizeof(as), g->be[b].fam,
					 g->be[b].addr);
				printf("  service %s: extra backend %s\n", ks,
				       as);
				diffs++;
			}
	}
	for (int j = 0; j < got->nsvc; j++)
		if (find_svc(want, &got->svc[j].k) < 0) {
			fmt_key(ks, sizeof(ks), &got->svc[j].k);
			printf("  extra service %s\n", ks);
			diffs++;
		}
	if (want->seed != got->seed || memcmp(want->src4, got->src4, 4) ||
	    memcmp(want->src6, got->src6, 16)) {
		printf("  configuration differs (seed %#x vs %#x)\n",
		       want->seed, got->seed);
		diffs++;
	}
	return diffs;
}

/* ----------------------------------------------------------------- main */

struct stats {
	unsigned long sent, answered, unanswered, accepted, tracked, tracked_ok,
		resyncs, checks, failures, lax;
	unsigned long by_errno[256];
	unsigned long by_verdict[5];
};

static const char *cmd_name(uint8_t cmd)
{
	static const char *const names[] = {
		"UNSPEC",      "SERVICE_NEW", "SERVICE_SET", "SERVICE_DEL",
		"SERVICE_GET", "BACKEND_NEW", "BACKEND_SET", "BACKEND_DEL",
		"BACKEND_GET", "REPLACE",     "FLUSH",	     "CONFIG_GET",
		"CONFIG_SET",  "BIND",	      "UNBIND",	     "LOOKUP",
		"STATS_GET",   "STATS_ZERO",
	};

	return cmd <= XLB_CMD_MAX ? names[cmd] : "?";
}

static void hexdump(const uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len && i < 256; i++)
		printf("%02x%s", b[i], (i % 32 == 31) ? "\n    " : " ");
	printf("%s\n", len > 256 ? "..." : "");
}

static void report(struct stats *st, const struct mb *m, const char *what,
		   const struct interp *in)
{
	const struct genlmsghdr *g = (const void *)(m->buf + NLMSG_HDRLEN);

	st->failures++;
	if (st->failures > MAX_REPORTS)
		return;
	printf("FAIL message %lu (%s, cmd %u %s): %s: %s\n    ", st->sent,
	       verdict_name[in->v], g->cmd, cmd_name(g->cmd), what,
	       in->why ? in->why : "");
	hexdump(m->buf, m->len);
}

static int check_state(struct nl *nl, struct stats *st, bool final)
{
	static struct model got;
	int err = read_state(nl, &got), d;

	st->checks++;
	if (err) {
		printf("FAIL reading the state back: %s\n", strerror(-err));
		st->failures++;
		return -1;
	}
	d = compare(&model, &got);
	if (d) {
		printf("FAIL %s after %lu messages: %d differences between model and dump\n",
		       final ? "final state" : "state", st->sent, d);
		st->failures++;
		model = got; /* carry on from what the module has */
		return -1;
	}
	return 0;
}

static bool strict; /* -S */

/* Generate, classify, send one message and account for its answer. */
static int one_message(struct nl *nl, struct stats *st, bool verbose)
{
	static struct mb m;
	static struct change c;
	unsigned int r = rn(100);
	enum gen_mode mode = r < 50 ? G_VALID :
			     r < 82 ? G_STRUCT :
			     r < 95 ? G_BYTES :
				      G_GARBAGE;
	bool answer = gen_msg(&m, nl->fam, mode);
	struct interp in = { V_NOOP, NULL, false };
	struct nlmsghdr *n = (void *)m.buf;
	int err;

	if (m.len >= NLMSG_HDRLEN)
		n->nlmsg_seq = ++nl->seq;
	if (answer)
		in = interpret(m.buf, m.len, &c);
	err = nl_send(nl, m.buf, m.len);
	st->sent++;
	/* Sockets refuse some broken sends (e.g. zero length) outright. */
	if (err && answer)
		die("send: %s", strerror(-err));
	if (!answer || err) {
		st->unanswered++;
		return 0;
	}
	err = nl_wait(nl, nl->seq, NULL, NULL, NULL);
	if (err == -ETIMEDOUT) {
		report(st, &m, "no answer from the module", &in);
		return -1;
	}
	st->answered++;
	st->by_verdict[in.v]++;
	st->by_errno[err < 0 && err > -256 ? -err : 0]++;
	if (mode == G_VALID) {
		st->tracked++;
		st->tracked_ok += !err;
		if (verbose && err)
			printf("tracked %s rejected: %s (%s)\n",
			       cmd_name(((struct genlmsghdr *)NLMSG_DATA(n))
						->cmd),
			       strerror(-err), last_extack);
	}
	if (err)
		return 0;
	st->accepted++;
	if (in.lax) {
		st->lax++;
		if (strict)
			report(st, &m,
			       "accepted with trailing bytes in a nested array",
			       &in);
		if (read_state(nl, &model))
			die("cannot resync: %s", "dump failed");
		return 0;
	}
	switch (in.v) {
	case V_EFFECT:
		apply(&c);
		break;
	case V_INVALID:
	case V_MALFORMED:
		report(st, &m, "accepted", &in);
		/* carry on from the module's state */
		__attribute__((fallthrough));
	case V_AMBIG:
		st->resyncs += in.v == V_AMBIG;
		if (read_state(nl, &model))
			die("cannot resync: %s", "dump failed");
		break;
	default:
		break;
	}
	return 0;
}

/*
 * -p N: guess service ids 0..N-1 with every command that takes one.  Run in
 * a namespace without services while another has some: every request must
 * fail (the other namespace's ids do not exist here).
 */
static int probe_ids(struct nl *nl, uint32_t n)
{
	static const uint8_t cmds[] = {
		XLB_CMD_SERVICE_GET, XLB_CMD_SERVICE_SET, XLB_CMD_SERVICE_DEL,
		XLB_CMD_BACKEND_NEW, XLB_CMD_BACKEND_GET, XLB_CMD_BACKEND_SET,
		XLB_CMD_BACKEND_DEL,
	};
	static struct mb m;
	unsigned long sent = 0, leaks = 0;
	uint8_t a4[4] = { 10, 0, 0, 1 };
	int err;

	for (uint32_t id = 0; id < n; id++) {
		for (size_t i = 0; i < sizeof(cmds); i++) {
			bool dump = cmds[i] == XLB_CMD_BACKEND_GET;
			size_t nest;

			m.fuzz = 0;
			msg_begin(&m, nl->fam, cmds[i], dump ? NLM_F_DUMP : 0);
			nest = nest_begin(&m, XLB_A_SERVICE);
			put_u32(&m, XLB_SVC_A_ID, id);
			if (cmds[i] == XLB_CMD_SERVICE_SET)
				put_u32(&m, XLB_SVC_A_TABLE_SIZE,
					xlb_maglev_sizes[0]);
			nest_end(&m, nest);
			if (cmds[i] >= XLB_CMD_BACKEND_NEW && !dump) {
				nest = nest_begin(&m, XLB_A_BACKEND);
				put(&m, XLB_BE_A_ADDR4, a4, 4);
				nest_end(&m, nest);
			}
			((struct nlmsghdr *)m.buf)->nlmsg_len = m.len;
			((struct nlmsghdr *)m.buf)->nlmsg_seq = ++nl->seq;
			if (nl_send(nl, m.buf, m.len))
				die("send: %s", strerror(errno));
			err = nl_wait(nl, nl->seq, NULL, NULL, NULL);
			sent++;
			if (err == -ETIMEDOUT)
				die("no answer to %s", cmd_name(cmds[i]));
			if (err == 0) {
				leaks++;
				printf("FAIL service id %u: %s succeeded\n", id,
				       cmd_name(cmds[i]));
			}
		}
	}
	printf("id probe: %lu requests for ids 0..%u, %lu succeeded\n", sent,
	       n ? n - 1 : 0, leaks);
	return leaks ? 1 : 0;
}

/* One request built by fill(); returns the errno answer. */
static int simple_request(struct nl *nl, uint8_t cmd,
			  void (*fill)(struct mb *m, void *arg), void *arg)
{
	static struct mb m;

	m.fuzz = 0;
	msg_begin(&m, nl->fam, cmd, 0);
	if (fill)
		fill(&m, arg);
	((struct nlmsghdr *)m.buf)->nlmsg_len = m.len;
	((struct nlmsghdr *)m.buf)->nlmsg_seq = ++nl->seq;
	if (nl_send(nl, m.buf, m.len))
		die("send: %s", strerror(errno));
	return nl_wait(nl, nl->seq, NULL, NULL, NULL);
}

static void fill_bind(struct mb *m, void *arg)
{
	const int *fds = arg;
	size_t n = nest_begin(m, XLB_A_BIND);

	for (int t = XLB_BIND_A_CTL_FD; t <= XLB_BIND_A_MAX; t++)
		put_u32(m, t, fds[t]);
	nest_end(m, n);
}

/* XLB_A_SERVICE of pool service 0; arg non-NULL: with a table size. */
/* cppcheck-suppress constParameter ; the fill callback type takes void * */
static void fill_svc(struct mb *m, void *arg)
{
	struct mkey k;
	size_t n;

	pool_vip(&k, 0);
	n = nest_begin(m, XLB_A_SERVICE);
	gen_key(m, &k);
	if (arg)
		put_u32(m, XLB_SVC_A_TABLE_SIZE, xlb_maglev_sizes[0]);
	nest_end(m, n);
}

static void fill_be(struct mb *m, void *arg)
{
	uint8_t a[16];
	size_t n;

	fill_svc(m, NULL); /* names the service: key only */
	pool_be(4, a, *(unsigned int *)arg);
	n = nest_begin(m, XLB_A_BACKEND);
	put(m, XLB_BE_A_ADDR4, a, 4);
	nest_end(m, n);
}

/*
 * -B DIR: bind the maps pinned in DIR (by lbctl attach), create a service
 * with two backends (published into the maps), delete it, unbind.  One
 * cycle of the load/bind/unbind/unload test of tests/hardening_faults.bats.
 */
static int bind_cycle(struct nl *nl, const char *dir)
{
	static const char *const names[XLB_BIND_A_MAX + 1] = {
		[XLB_BIND_A_CTL_FD] = XLB_MAP_CTL,
		[XLB_BIND_A_VIPS_FD] = XLB_MAP_VIPS,
		[XLB_BIND_A_SERVICES_FD] = XLB_MAP_SERVICES,
		[XLB_BIND_A_TABLES_FD] = XLB_MAP_TABLES,
		[XLB_BIND_A_BACKENDS_FD] = XLB_MAP_BACKENDS,
		[XLB_BIND_A_SVC_STATS_FD] = XLB_MAP_SVC_STATS,
		[XLB_BIND_A_BE_STATS_FD] = XLB_MAP_BE_STATS,
		[XLB_BIND_A_STATS_FD] = XLB_MAP_STATS,
	};
	int fds[XLB_BIND_A_MAX + 1] = { -1 }, err;
	unsigned int i;

	for (int t = XLB_BIND_A_CTL_FD; t <= XLB_BIND_A_MAX; t++) {
		char path[512];
		union bpf_attr attr;

		snprintf(path, sizeof(path), "%s/%s", dir, names[t]);
		memset(&attr, 0, sizeof(attr));
		attr.pathname = (uint64_t)(uintptr_t)path;
		fds[t] = syscall(__NR_bpf, BPF_OBJ_GET, &attr, sizeof(attr));
		if (fds[t] < 0)
			die("cannot open the pinned map: %s", strerror(errno));
	}
	err = simple_request(nl, XLB_CMD_BIND, fill_bind, fds);
	for (i = 0; !err && i < 3; i++)
		err = simple_request(
			nl, i ? XLB_CMD_BACKEND_NEW : XLB_CMD_SERVICE_NEW,
			i ? fill_be : fill_svc, &i);
	if (!err)
		err = simple_request(nl, XLB_CMD_SERVICE_DEL, fill_svc, NULL);
	if (!err)
		err = simple_request(nl, XLB_CMD_UNBIND, NULL, NULL);
	for (int t = XLB_BIND_A_CTL_FD; t <= XLB_BIND_A_MAX; t++)
		close(fds[t]);
	if (err)
		printf("bind cycle failed: %s (%s)\n", strerror(-err),
		       last_extack);
	return err ? 1 : 0;
}

/*
 * -E K: K processes send -n failing LOOKUPs each at the same time, every
 * one for a service that does not exist and that no other request names
 * (10.<process>.<i / 256>.<i % 256>:<port>); each checks that its own
 * extack message names its own service.  A message buffer shared between
 * requests shows up as another request's address.
 */
static int extack_child(unsigned int child, unsigned long n)
{
	unsigned long bad = 0;
	struct nl nl;
	char want[64];

	nl_open(&nl);
	for (unsigned long i = 0; i < n; i++) {
		uint8_t src[4] = { 192, 0, 2, 1 };
		uint8_t dst[4] = { 10, child, (i >> 8) & 0xff, i & 0xff };
		uint16_t port = 1 + (i >> 16);
		static struct mb m;
		size_t f;
		int err;

		m.fuzz = 0;
		msg_begin(&m, nl.fam, XLB_CMD_LOOKUP, 0);
		f = nest_begin(&m, XLB_A_FLOW);
		put(&m, XLB_FLOW_A_SRC4, src, 4);
		put(&m, XLB_FLOW_A_DST4, dst, 4);
		put_u16(&m, XLB_FLOW_A_SPORT, 1000);
		put_u16(&m, XLB_FLOW_A_DPORT, port);
		put_u8(&m, XLB_FLOW_A_PROTO, IPPROTO_TCP);
		nest_end(&m, f);
		((struct nlmsghdr *)m.buf)->nlmsg_len = m.len;
		((struct nlmsghdr *)m.buf)->nlmsg_seq = ++nl.seq;
		if (nl_send(&nl, m.buf, m.len))
			die("send: %s", strerror(errno));
		err = nl_wait(&nl, nl.seq, NULL, NULL, NULL);
		snprintf(want, sizeof(want), "no service %u.%u.%u.%u:%u/tcp",
			 dst[0], dst[1], dst[2], dst[3], port);
		if (err != -ENOENT || strcmp(last_extack, want)) {
			if (bad++ < 5)
				printf("FAIL process %u request %lu: %s, message \"%s\", want \"%s\"\n",
				       child, i, strerror(-err), last_extack,
				       want);
		}
	}
	printf("process %u: %lu requests, %lu wrong answers\n", child, n, bad);
	return bad ? 1 : 0;
}

static int extack_race(unsigned int procs, unsigned long n)
{
	int status, fails = 0;

	if (procs < 1 || procs > 250)
		die("-E: %s", "1 to 250 processes");
	fflush(stdout);
	for (unsigned int c = 0; c < procs; c++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (!pid)
			exit(extack_child(c, n));
	}
	while (wait(&status) > 0)
		fails += !WIFEXITED(status) || WEXITSTATUS(status);
	printf("extack race: %u processes x %lu requests: %s\n", procs, n,
	       fails ? "FAIL" : "PASS");
	return fails ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: nlfuzz [-n messages] [-s seed] [-c check-interval] [-S] [-v]\n"
		"       -s 0 or none: a new seed (printed)\n"
		"       -S: trailing bytes in a nested array accepted = failure\n"
		"       nlfuzz -p N   (guess service ids 0..N-1: all must fail)\n"
		"       nlfuzz -B DIR (bind the maps pinned in DIR, use, unbind)\n"
		"       nlfuzz -E K -n N (K processes, N failing LOOKUPs each:\n"
		"                 every extack message must name its own request)\n"
		"Fuzzes the xlb generic netlink family; exit 0 = no finding.\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long count = 100000, interval = 5000, probe = 0, race = 0;
	const char *bind_dir = NULL;
	uint64_t seed = 0;
	static struct stats st;
	bool verbose = false;
	struct nl nl;
	int opt, err;

	while ((opt = getopt(argc, argv, "n:s:c:p:B:E:Svh")) != -1) {
		switch (opt) {
		case 'S':
			strict = true;
			break;
		case 'p':
			probe = strtoul(optarg, NULL, 0);
			break;
		case 'B':
			bind_dir = optarg;
			break;
		case 'E':
			race = strtoul(optarg, NULL, 0);
			break;
		case 'n':
			count = strtoul(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'c':
			interval = strtoul(optarg, NULL, 0);
			break;
		case 'v':
			verbose = true;
			break;
		default:
			usage();
		}
	}
	if (!seed) /* -s 0 too: a new seed, printed */
		seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	rng_seed(seed);
	rnd_bytes(junk, sizeof(junk));
	if (race)
		return extack_race(race, count);
	nl_open(&nl);
	if (probe)
		return probe_ids(&nl, probe);
	if (bind_dir)
		return bind_cycle(&nl, bind_dir);
	printf("nlfuzz: family xlb id %u, %lu messages, seed %#llx\n", nl.fam,
	       count, (unsigned long long)seed);
	err = read_state(&nl, &model);
	if (err)
		die("cannot read the initial state: %s", strerror(-err));

	for (st.sent = 0; st.sent < count;) {
		if (one_message(&nl, &st, verbose) < 0)
			break;
		if (interval && st.sent % interval == 0)
			check_state(&nl, &st, false);
	}
	check_state(&nl, &st, true);

	printf("sent %lu: answered %lu, dropped unanswered by design %lu\n",
	       st.sent, st.answered, st.unanswered);
	printf("accepted %lu (tracked valid changes: %lu sent, %lu accepted)\n",
	       st.accepted, st.tracked, st.tracked_ok);
	printf("verdicts of the local parser:");
	for (int v = 0; v < 5; v++)
		printf(" %s %lu", verdict_name[v], st.by_verdict[v]);
	printf("\nanswers by errno:");
	for (int e = 0; e < 256; e++)
		if (st.by_errno[e])
			printf(" %s %lu", e ? strerrorname_np(e) : "OK",
			       st.by_errno[e]);
	printf("\nstate checks %lu, resyncs after ambiguous accepts %lu\n",
	       st.checks, st.resyncs);
	printf("accepted with trailing bytes inside a nested array: %lu%s\n",
	       st.lax, strict ? " (failures: -S)" : "");
	printf("final state: %d services, backends:", model.nsvc);
	for (int i = 0; i < model.nsvc; i++)
		printf(" %d", model.svc[i].nbe);
	printf("\n%s: %lu failures\n", st.failures ? "FAIL" : "PASS",
	       st.failures);
	/* The seed where a failure is read, so that it can be replayed. */
	if (st.failures)
		printf("FAIL: seed %#llx; replay: nlfuzz -n %lu -s %#llx%s, "
		       "or the same make target with XLB_FUZZ_SEED=%#llx\n",
		       (unsigned long long)seed, count,
		       (unsigned long long)seed, strict ? " -S" : "",
		       (unsigned long long)seed);
	return st.failures ? 1 : 0;
}
