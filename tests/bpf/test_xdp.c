// SPDX-License-Identifier: GPL-2.0
/*
 * test_xdp.c - Katran-style fixture tests of bpf/xlb.bpf.c: input frame ->
 * expected verdict, expected output bytes (built here from fields, never
 * copied from the program) and expected counter deltas, with
 * BPF_PROG_TEST_RUN (repeat 1).
 *
 * Runs inside the netns made by tests/bpf/run.sh (devices xa0/xb0 with fixed
 * MACs, addresses, routes and permanent neighbours), so bpf_fib_lookup() is
 * deterministic.  The cases run in order and depend on each other: the
 * connection table carries state from one case to the next (flows
 * established in "v4 tcp syn" are used by the table-change, drain, delete
 * and ICMP cases).
 *
 * Which backend a new flow must reach is not taken from lib/maglev.c (which
 * builds the tables the harness publishes): pick() looks it up in the
 * table of tests/tools/maglev_ref.py, an independent implementation, and
 * every publish compares the published tables with it slot by slot.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <spawn.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tap.h"
#include "xlbh.h"
#include "xlb_hash.h"
#include "xlb_netlink.h"
#include "xlb.skel.h"

#define NFLOWS 24

extern char **environ;

static const __u8 MAC_A0[6] = { 2, 0, 0, 0, 0x0a, 0x00 };
static const __u8 MAC_CLI[6] = { 2, 0, 0, 0, 0xc0, 0x01 };

/*
 * Devices a next hop can be on (run.sh), as the program sends through
 * them: xav and xbv stand in for the VLAN devices xa0.100 and xb0.200
 * (registered in setup_config()), xc0 is a device xlb is not attached to.
 */
enum {
	DEV_XA0,
	DEV_XB0,
	DEV_XAV,
	DEV_XBV,
	DEV_XC0
};
static const struct odev {
	__u8 mac[6]; /* source MAC: the FIB's egress device */
	__u32 verdict; /* XDP_TX from xa0, XDP_REDIRECT to xb0 */
	__u16 vid; /* tag pushed, 0: none */
} ODEV[] = {
	[DEV_XA0] = { { 2, 0, 0, 0, 0x0a, 0x00 }, XDP_TX, 0 },
	[DEV_XB0] = { { 2, 0, 0, 0, 0x0b, 0x00 }, XDP_REDIRECT, 0 },
	[DEV_XAV] = { { 2, 0, 0, 0, 0x0a, 0x64 }, XDP_TX, 100 },
	[DEV_XBV] = { { 2, 0, 0, 0, 0x0b, 0xc8 }, XDP_REDIRECT, 200 },
	[DEV_XC0] = { { 2, 0, 0, 0, 0x0c, 0x00 }, XDP_DROP, 0 },
};

/* Next hops as configured by run.sh. */
static struct nh {
	const char *addr;
	__u8 mac[6];
	int dev; /* DEV_* */
} NH[] = {
	{ "10.0.0.10", { 2, 0, 0, 0, 0x0a, 0x10 }, DEV_XA0 },
	{ "10.0.0.11", { 2, 0, 0, 0, 0x0a, 0x11 }, DEV_XA0 },
	{ "10.0.0.12", { 2, 0, 0, 0, 0x0a, 0x12 }, DEV_XA0 },
	{ "10.0.0.13", { 2, 0, 0, 0, 0x0a, 0x13 }, DEV_XA0 },
	{ "10.1.0.10", { 2, 0, 0, 0, 0x0b, 0x10 }, DEV_XB0 },
	{ "fd00::10", { 2, 0, 0, 0, 0x0a, 0x20 }, DEV_XA0 },
	{ "fd01::10", { 2, 0, 0, 0, 0x0b, 0x20 }, DEV_XB0 },
	{ "10.2.0.10", { 2, 0, 0, 0, 0x0a, 0x70 }, DEV_XAV },
	{ "fd02::10", { 2, 0, 0, 0, 0x0a, 0x72 }, DEV_XAV },
	{ "10.3.0.10", { 2, 0, 0, 0, 0x0b, 0x70 }, DEV_XBV },
	{ "10.4.0.10", { 2, 0, 0, 0, 0x0c, 0x10 }, DEV_XC0 },
};

static struct xlbh H;
static int prog, if_a, if_b;
static struct xlbh_svc *S[XLBH_MAX_SVC];

static struct nh *nh_of(const __be32 a[4], __u8 family)
{
	char s[INET6_ADDRSTRLEN];
	size_t i;

	inet_ntop(family == XLB_AF_INET ? AF_INET : AF_INET6, a, s, sizeof(s));
	for (i = 0; i < sizeof(NH) / sizeof(NH[0]); i++)
		if (!strcmp(NH[i].addr, s))
			return &NH[i];
	return NULL;
}

static void hexdiff(const __u8 *got, size_t glen, const __u8 *want, size_t wlen)
{
	size_t i, n = glen < wlen ? glen : wlen;

	diag("length got %zu want %zu", glen, wlen);
	for (i = 0; i < n; i++)
		if (got[i] != want[i]) {
			diag("first difference at byte %zu: got %02x want %02x",
			     i, got[i], want[i]);
			return;
		}
}

#define INFO(x) (1u << XLB_STAT_##x)

/*
 * Model of the per-CPU flow cache (the test runs pinned to one CPU with a
 * lifetime no test reaches): which flow each slot holds, for which service
 * publish (the service's ver).  fc_expect() says whether a packet of p,
 * whose connection-table outcome is given by info and stat, hits the cache
 * (its slot holds the flow, filled since the last publish of the flow's
 * service) and updates the model as the data path does: a connection-table
 * hit not served by the cache, or a new Maglev choice, fills the flow's
 * slot, unless the slot holds another flow whose service is unchanged and
 * that has served a packet since its fill.  fixture() then wants
 * flow_cache_hit to move by fc_want.
 */
static struct fc_model_slot {
	struct xlb_flow flow;
	struct xlbh_svc *svc;
	__u32 gen, ver;
	bool hit;
} fc_model[XLB_DEFAULT_FC_SLOTS];
static bool fc_on = true;
static bool fc_bypassed; /* this CPU skips probe and fill (xlb_fc_adapt) */
static int fc_want;

static void fc_reset(bool on)
{
	memset(fc_model, 0, sizeof(fc_model));
	fc_on = on;
}

/* The model's service of flow f (its VIP), NULL if none. */
static struct xlbh_svc *fc_svc(const struct xlb_flow *f)
{
	int i;

	for (i = 0; i < XLBH_MAX_SVC; i++) {
		struct xlbh_svc *s = &H.svc[i];

		if (s->used && s->key.family == f->family &&
		    s->key.port == f->dport && s->key.proto == f->proto &&
		    !memcmp(s->key.addr, f->dst, 16))
			return s;
	}
	return NULL;
}

/* Slot still valid: its service is the one it was filled under. */
static bool fc_valid(const struct fc_model_slot *m)
{
	return m->svc && m->svc->used && m->svc->gen == m->gen &&
	       m->svc->ver == m->ver;
}

static int fc_expect(const struct pkt *p, __u32 info, int stat)
{
	struct xlbh_svc *s;
	struct xlb_flow f;
	bool same;
	__u32 i;

	if (!fc_on)
		return 0;
	pkt_flow(p, &f);
	i = xlb_fc_index(&f, XLB_DEFAULT_FC_BITS);
	same = !memcmp(&fc_model[i].flow, &f, sizeof(f));
	/*
	 * a SYN fills no slot; bypass or not, it empties its flow's slot,
	 * when it finds the flow's entry (a flow in the cache has one here:
	 * no test fills the connection table or spends the budget)
	 */
	if (p->proto == IPPROTO_TCP && (p->tcp_flags & TCP_SYN) &&
	    !(p->tcp_flags & 0x04)) {
		if (same)
			memset(&fc_model[i], 0, sizeof(fc_model[i]));
		return 0;
	}
	if (fc_bypassed)
		return 0;
	if ((info & INFO(CT_HIT)) && fc_valid(&fc_model[i]) && same) {
		fc_model[i].hit = true;
		return 1;
	}
	if (fc_model[i].hit && fc_valid(&fc_model[i]) && !same)
		return 0; /* a busy flow keeps its slot */
	s = fc_svc(&f);
	if (s && (((info & INFO(CT_HIT)) && !(info & INFO(CT_RATE_LIMITED))) ||
		  ((info & (INFO(CT_MISS) | INFO(CT_STALE))) &&
		   !(info & (INFO(CT_UNTRACKED) | INFO(CT_RATE_LIMITED))) &&
		   stat != XLB_STAT_DROP_NO_BACKEND))) {
		fc_model[i].flow = f;
		fc_model[i].svc = s;
		fc_model[i].gen = s->gen;
		fc_model[i].ver = s->ver;
		fc_model[i].hit = false;
	}
	return 0;
}

/*
 * Run one frame; check verdict, output bytes (want NULL: unchanged) and
 * that exactly stat (+1) and the info counters in info (+1 each) moved.
 */
static bool fixture(const char *name, const __u8 *in, size_t len, __u32 verdict,
		    int stat, __u32 info, const __u8 *want, size_t want_len)
{
	static __u8 out[8192];
	__u64 before[XLB_STAT__MAX], after[XLB_STAT__MAX];
	size_t out_len = sizeof(out);
	__u32 got;
	int err, j, want_fc;
	bool pass = true;

	if (!want) {
		want = in;
		want_len = len;
	}
	xlbh_stats(&H, before);
	err = xlbh_run(prog, if_a, in, len, out, &out_len, &got);
	xlbh_stats(&H, after);
	want_fc = fc_want;
	fc_want = 0;
	if (err) {
		return ok(false, "%s: test run failed: %s", name,
			  strerror(-err));
	}
	if (got != verdict) {
		diag("%s: verdict %u, want %u", name, got, verdict);
		pass = false;
	}
	if (out_len != want_len || memcmp(out, want, want_len)) {
		diag("%s: output bytes differ", name);
		hexdiff(out, out_len, want, want_len);
		pass = false;
	}
	for (j = 0; j < XLB_STAT__MAX; j++) {
		__u64 d = after[j] - before[j];
		__u64 w = (j == stat) + ((info >> j) & 1) +
			  (j == XLB_STAT_FLOW_CACHE_HIT ? want_fc : 0);

		if (d != w) {
			diag("%s: counter %d moved by %llu, want %llu", name, j,
			     (unsigned long long)d, (unsigned long long)w);
			pass = false;
		}
	}
	return ok(pass, "%s", name);
}

static struct pkt cli(const char *src, __u16 sport, const char *dst,
		      __u16 dport, __u8 proto, __u8 flags)
{
	struct pkt p;

	memset(&p, 0, sizeof(p));
	memcpy(p.dmac, MAC_A0, 6);
	memcpy(p.smac, MAC_CLI, 6);
	p.family = xlbh_addr(src, p.src);
	xlbh_addr(dst, p.dst);
	p.sport = sport;
	p.dport = dport;
	p.proto = proto;
	p.tcp_flags = flags;
	return p;
}

/* The service backend bid belongs to (NULL: none). */
static const struct xlbh_svc *svc_of_bid(__u32 bid)
{
	__u32 i, j;

	for (i = 0; i < XLBH_MAX_SVC; i++)
		for (j = 0; H.svc[i].used && j < H.svc[i].nbe; j++)
			if (H.svc[i].be[j].bid == bid)
				return &H.svc[i];
	return NULL;
}

/*
 * Expected output of frame (built from p) forwarded to backend bid: the
 * verdict counter is TX or REDIRECT by the backend's next hop device, with
 * that device's VLAN tag (the ingress tag is never copied), or
 * PASS_NO_NEIGH (original MACs and tag) when it has no neighbour.  The
 * outer header's entropy is that of client flow fl (p itself, or the flow
 * an ICMP error p is about); GUE as the backend's service says.
 */
static size_t expect_fwd_flow(const struct pkt *p, const struct pkt *fl,
			      const __u8 *frame, size_t len, __u32 bid,
			      __u8 *out, __u32 *verdict, int *stat)
{
	struct xlbh_be *b = xlbh_be_by_bid(&H, bid);
	const struct xlbh_svc *s = svc_of_bid(bid);
	struct pkt_outer o = { 0 };
	struct xlb_flow f;
	const struct nh *nh;
	const __u8 *dmac, *smac;
	size_t l2 = pkt_l2_len(p);
	bool vlan = p->vlan;
	__u16 tci = p->tci;

	if (!b) {
		diag("model has no backend %u", bid);
		return 0;
	}
	nh = nh_of(b->addr, b->family);
	if (nh) {
		dmac = nh->mac;
		smac = ODEV[nh->dev].mac;
		*verdict = ODEV[nh->dev].verdict;
		*stat = *verdict == XDP_TX ? XLB_STAT_TX : XLB_STAT_REDIRECT;
		vlan = ODEV[nh->dev].vid != 0;
		tci = ODEV[nh->dev].vid;
	} else {
		dmac = p->dmac;
		smac = p->smac;
		*verdict = XDP_PASS;
		*stat = XLB_STAT_PASS_NO_NEIGH;
	}
	__be32 src4[4] = { H.src4 };

	pkt_flow(fl, &f);
	o.ent = xlb_hash_entropy(&f);
	if (s && s->encap == XLB_ENCAP_GUE)
		o.gue_port = s->encap_port;
	return pkt_encap(dmac, smac, vlan, tci, b->family,
			 b->family == XLB_AF_INET ? src4 : H.src6, b->addr,
			 p->tos, p->family, frame + l2, len - l2, &o, out);
}

static size_t expect_fwd(const struct pkt *p, const __u8 *frame, size_t len,
			 __u32 bid, __u8 *out, __u32 *verdict, int *stat)
{
	return expect_fwd_flow(p, p, frame, len, bid, out, verdict, stat);
}

/* Frame p to service s must go to backend want_bid (or the model's pick). */
static bool send_to(const char *name, const struct pkt *p, __u32 want_bid,
		    __u32 info)
{
	__u8 in[4096], want[4096];
	size_t len = pkt_build(p, in), wlen;
	__u32 verdict;
	int stat;

	wlen = expect_fwd(p, in, len, want_bid, want, &verdict, &stat);
	if (!wlen)
		return ok(false, "%s: no expected frame", name);
	fc_want = fc_expect(p, info, stat);
	return fixture(name, in, len, verdict, stat, info, want, wlen);
}

/*
 * The expected Maglev tables come from tests/tools/maglev_ref.py, written
 * from the paper and Documentation/maglev.md independently of lib/maglev.c,
 * which builds the tables the harness publishes.  After every publish,
 * oracle_refresh() gets each service's table from it (as addresses, cached
 * by command line), and checks the table the data path reads against it;
 * pick() maps a flow through it.
 */
#ifndef MAGLEV_REF
#define MAGLEV_REF "tests/tools/maglev_ref.py"
#endif
#define ORACLE_MAX 64
#define ORACLE_ARGS 1024

struct oracle {
	char args[ORACLE_ARGS]; /* the command line: the configuration */
	__u32 m;
	char (*slot)[INET6_ADDRSTRLEN]; /* backend address or "-" */
};

static struct oracle oracle_cache[ORACLE_MAX];
static const struct oracle *oracle_of[XLBH_MAX_SVC]; /* NULL: no backends */

/* maglev_ref.py's arguments for service s as published (drained: weight 0);
 * 0 when it has no backends. */
static size_t oracle_args(const struct xlbh_svc *s, char *buf)
{
	size_t n = 0;
	bool any = false;
	__u32 i;

	n += snprintf(buf, ORACLE_ARGS, "--m %u --seed %u", s->table_size,
		      H.seed);
	for (i = 0; i < s->nbe; i++) {
		const struct xlbh_be *b = &s->be[i];
		char a[INET6_ADDRSTRLEN];
		bool v4 = b->family == XLB_AF_INET;

		if (b->state == XLB_BE_UNUSED)
			continue;
		inet_ntop(v4 ? AF_INET : AF_INET6, b->addr, a, sizeof(a));
		n += snprintf(buf + n, ORACLE_ARGS - n,
			      v4 ? " %s:%u" : " [%s]:%u", a,
			      b->state == XLB_BE_ACTIVE ? b->weight : 0);
		any = true;
	}
	return any ? n : 0;
}

/* Start maglev_ref.py with args (split at spaces); its stdout, or NULL. */
static FILE *oracle_spawn(const char *args, pid_t *pid)
{
	char buf[ORACLE_ARGS + 128], *argv[ORACLE_ARGS / 2], *save = NULL;
	posix_spawn_file_actions_t fa;
	int fd[2], n = 0, err;

	snprintf(buf, sizeof(buf), "%s", args);
	argv[n++] = "python3";
	argv[n++] = "-B";
	argv[n++] = MAGLEV_REF;
	for (char *t = strtok_r(buf, " ", &save); t && n < ORACLE_ARGS / 2 - 1;
	     t = strtok_r(NULL, " ", &save))
		argv[n++] = t;
	argv[n] = NULL;
	if (pipe(fd))
		return NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
	posix_spawn_file_actions_addclose(&fa, fd[0]);
	posix_spawn_file_actions_addclose(&fa, fd[1]);
	err = posix_spawnp(pid, "python3", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fd[1]);
	if (err) {
		close(fd[0]);
		return NULL;
	}
	return fdopen(fd[0], "r");
}

/* Run maglev_ref.py with args; its want lines into out, width bytes each. */
static bool oracle_run(const char *args, char *out, size_t width, __u32 want)
{
	char line[256];
	bool good = true;
	__u32 n = 0;
	pid_t pid;
	FILE *f = oracle_spawn(args, &pid);
	int st = -1;

	if (!f) {
		diag("cannot run %s: %s", MAGLEV_REF, strerror(errno));
		return false;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t l = strcspn(line, "\n");

		if (n < want && l < width) {
			memcpy(out + n * width, line, l);
			out[n * width + l] = 0;
		} else {
			good = false; /* too many lines, or one too long */
		}
		n++;
	}
	fclose(f);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		good = false;
	if (!good || n != want)
		diag("maglev_ref.py %s: status 0x%x, %u lines, want %u", args,
		     st, n, want);
	return good && n == want;
}

static const struct oracle *oracle_get(const struct xlbh_svc *s,
				       const char *args)
{
	struct oracle *o;
	__u32 i;

	for (i = 0; i < ORACLE_MAX && oracle_cache[i].slot; i++)
		if (!strcmp(oracle_cache[i].args, args))
			return &oracle_cache[i];
	if (i == ORACLE_MAX) {
		diag("oracle cache full");
		return NULL;
	}
	o = &oracle_cache[i];
	o->slot = calloc(s->table_size, sizeof(*o->slot));
	if (!o->slot ||
	    !oracle_run(args, o->slot[0], sizeof(*o->slot), s->table_size)) {
		free(o->slot);
		o->slot = NULL;
		return NULL;
	}
	snprintf(o->args, sizeof(o->args), "%s", args);
	o->m = s->table_size;
	return o;
}

/* Backend id of address a in service s (a "-": XLB_TABLE_EMPTY). */
static __u32 oracle_bid(const struct xlbh_svc *s, const char *a)
{
	char t[INET6_ADDRSTRLEN];
	__u32 i;

	for (i = 0; i < s->nbe; i++) {
		const struct xlbh_be *b = &s->be[i];

		inet_ntop(b->family == XLB_AF_INET ? AF_INET : AF_INET6,
			  b->addr, t, sizeof(t));
		if (b->state != XLB_BE_UNUSED && !strcmp(t, a))
			return b->bid;
	}
	return XLB_TABLE_EMPTY;
}

/* The live table of service s in xlb_tables equals the oracle's (bids,
 * slot by slot; an empty service: every slot XLB_TABLE_EMPTY). */
static bool oracle_check(const struct xlbh_svc *s, const struct oracle *o)
{
	__u32 key = XLB_TABLE_KEY(s->sid, s->active), i, want;
	__u32 *val = calloc(H.table_max, 4);
	bool same = val != NULL;

	if (!val || bpf_map__lookup_elem(H.m.tables, &key, sizeof(key), val,
					 4ul * H.table_max, 0)) {
		diag("service %u: cannot read its table", s->sid);
		same = false;
	}
	for (i = 0; same && i < H.table_max; i++) {
		want = o && i < s->table_size ? oracle_bid(s, o->slot[i]) :
						XLB_TABLE_EMPTY;
		if (val[i] != want) {
			diag("service %u slot %u: table has %u, maglev_ref.py %s",
			     s->sid, i, val[i],
			     o && i < s->table_size ? o->slot[i] : "-");
			same = false;
		}
	}
	free(val);
	return same;
}

/* After a publish: every service's oracle table, checked against the map. */
static void oracle_refresh(void)
{
	char args[ORACLE_ARGS];
	bool same = true;
	__u32 i;

	for (i = 0; i < XLBH_MAX_SVC; i++) {
		oracle_of[i] = NULL;
		if (!H.svc[i].used)
			continue;
		if (oracle_args(&H.svc[i], args)) {
			oracle_of[i] = oracle_get(&H.svc[i], args);
			if (!oracle_of[i]) {
				same = false;
				continue;
			}
		}
		same &= oracle_check(&H.svc[i], oracle_of[i]);
	}
	ok(same, "published tables equal maglev_ref.py's, slot by slot");
}

static bool publish(const char *name)
{
	bool ret = ok(xlbh_publish(&H) == 0, "%s", name);

	oracle_refresh();
	return ret;
}

/* Backend id maglev_ref.py's table gives the flow of p in service s. */
static __u32 pick(const struct xlbh_svc *s, const struct pkt *p)
{
	const struct oracle *o = oracle_of[s - H.svc];
	struct xlb_flow f;
	__u32 hash;

	if (!o)
		return XLB_TABLE_EMPTY;
	pkt_flow(p, &f);
	hash = xlb_hash_flow(&f, H.seed, s->flags);
	return oracle_bid(s, o->slot[xlb_hash_slot(hash, o->m)]);
}

/*
 * The flow hash and slot of p (lib/xlb_hash.h, as the data path computes
 * them) and pick()'s backend equal what maglev_ref.py --flow computes from
 * the documented definitions.
 */
static void oracle_flow(const char *name, const struct xlbh_svc *s,
			const struct pkt *p)
{
	char args[ORACLE_ARGS + 128], src[INET6_ADDRSTRLEN],
		dst[INET6_ADDRSTRLEN], line[128], want[128];
	int af = p->family == XLB_AF_INET ? AF_INET : AF_INET6;
	const struct xlbh_be *b;
	size_t n = oracle_args(s, args);
	struct xlb_flow f;
	__u32 hash;

	pkt_flow(p, &f);
	hash = xlb_hash_flow(&f, H.seed, s->flags);
	b = xlbh_be_by_bid(&H, pick(s, p));
	if (!n || !b) {
		ok(false, "%s: flow hash: no backend", name);
		return;
	}
	inet_ntop(af, p->src, src, sizeof(src));
	inet_ntop(af, p->dst, dst, sizeof(dst));
	snprintf(args + n, sizeof(args) - n, " --flow %u,%s,%u,%s,%u%s",
		 p->proto, src, p->sport, dst, p->dport,
		 s->flags & XLB_SVC_F_SRC_HASH ? " --src-hash" : "");
	inet_ntop(b->family == XLB_AF_INET ? AF_INET : AF_INET6, b->addr, src,
		  sizeof(src));
	snprintf(want, sizeof(want), "%u %u %s", hash,
		 xlb_hash_slot(hash, s->table_size), src);
	if (!oracle_run(args, line, sizeof(line), 1))
		line[0] = 0;
	if (!ok(!strcmp(line, want), "%s: hash, slot, backend as maglev_ref.py",
		name))
		diag("C: %s, maglev_ref.py: %s", want, line);
}

static bool send_unchanged(const char *name, const struct pkt *p, __u32 verdict,
			   int stat, __u32 info)
{
	__u8 in[4096];
	size_t len = pkt_build(p, in);

	fc_want = fc_expect(p, info, stat);
	return fixture(name, in, len, verdict, stat, info, NULL, 0);
}

/*
 * Frame p would exceed the path MTU toward backend bid once encapsulated:
 * the ICMP reply goes back out (XDP_TX) announcing mtu (0: 1500 minus the
 * backend's outer header).
 */
static bool send_too_big(const char *name, const struct pkt *p, __u32 bid,
			 __u32 mtu, __u32 info)
{
	__u8 in[4096], want[4096];
	size_t len = pkt_build(p, in), wlen;
	struct xlbh_be *b = xlbh_be_by_bid(&H, bid);

	if (!b)
		return ok(false, "%s: model has no backend %u", name, bid);
	if (!mtu)
		mtu = 1500 - (b->family == XLB_AF_INET ? 20 : 40);
	wlen = pkt_too_big(p, in, len, mtu, want);
	fc_want = fc_expect(p, info, XLB_STAT_TX_TOO_BIG);
	return fixture(name, in, len, XDP_TX, XLB_STAT_TX_TOO_BIG, info, want,
		       wlen);
}

/* VIP, backend: behind xa0.100, xb0.200, xa0.100 (v6), xc0, xa0 (iif rule) */
static const char *const VLAN_SVC[5][2] = {
	{ "10.100.0.7", "10.2.0.10" },	{ "10.100.0.8", "10.3.0.10" },
	{ "fd10::3", "fd02::10" },	{ "10.100.0.9", "10.4.0.10" },
	{ "10.100.0.10", "10.0.0.13" },
};

static void setup_config(void)
{
	__be32 a[4];
	int i;

	S[0] = xlbh_svc_add(&H, 0, "10.100.0.1", 80, IPPROTO_TCP, 251);
	xlbh_be_add(&H, S[0], 0, "10.0.0.10", 1);
	xlbh_be_add(&H, S[0], 1, "10.0.0.11", 1);
	S[1] = xlbh_svc_add(&H, 1, "10.100.0.1", 53, IPPROTO_UDP, 251);
	xlbh_be_add(&H, S[1], 2, "10.1.0.10", 1);
	S[2] = xlbh_svc_add(&H, 2, "fd10::1", 80, IPPROTO_TCP, 509);
	xlbh_be_add(&H, S[2], 3, "fd00::10", 1);
	xlbh_be_add(&H, S[2], 4, "fd01::10", 1);
	S[3] = xlbh_svc_add(&H, 3, "fd10::1", 53, IPPROTO_UDP, 251);
	xlbh_be_add(&H, S[3], 5, "10.0.0.10", 1);
	S[4] = xlbh_svc_add(&H, 4, "10.100.0.2", 80, IPPROTO_TCP, 251);
	xlbh_be_add(&H, S[4], 6, "fd00::10", 1);
	S[5] = xlbh_svc_add(&H, 5, "10.100.0.3", 80, IPPROTO_TCP, 251);
	xlbh_be_add(&H, S[5], 7, "10.0.0.99", 1);
	S[6] = xlbh_svc_add(&H, 6, "10.100.0.4", 80, IPPROTO_TCP, 251);
	xlbh_be_add(&H, S[6], 8, "10.9.0.1", 1);
	S[7] = xlbh_svc_add(&H, 7, "10.100.0.5", 80, IPPROTO_TCP, 251);
	S[8] = xlbh_svc_add(&H, 8, "10.100.0.6", 443, IPPROTO_TCP, 251);
	S[8]->flags = XLB_SVC_F_SRC_HASH;
	xlbh_be_add(&H, S[8], 9, "10.0.0.10", 1);
	xlbh_be_add(&H, S[8], 10, "10.0.0.11", 1);
	/* services 9..13 (VLANs, run.sh): one backend each, bid 20..24 */
	for (i = 0; i < 5; i++) {
		S[9 + i] = xlbh_svc_add(&H, 9 + i, VLAN_SVC[i][0], 80,
					IPPROTO_TCP, 251);
		xlbh_be_add(&H, S[9 + i], 20 + i, VLAN_SVC[i][1], 1);
	}
	xlbh_addr("10.0.0.1", a);
	H.src4 = a[0];
	xlbh_addr("fd00::1", H.src6);
	/* as lbctl attach finds them on xa0 and xb0 */
	if (xlbh_vlan_add(&H, if_a, 100, (int)if_nametoindex("xav")) ||
	    xlbh_vlan_add(&H, if_b, 200, (int)if_nametoindex("xbv")))
		ok(false, "register the VLAN devices: %s", strerror(errno));
}

/* Client flows 0..NFLOWS-1 to service 0 and the backend each got. */
static struct pkt F[NFLOWS];
static __u32 FB[NFLOWS];

static void test_basic(void)
{
	bool both[2] = { false, false };
	struct pkt p;
	__u32 b;
	int i;

	for (i = 0; i < NFLOWS; i++) {
		F[i] = cli("192.0.2.1", 40000 + i, "10.100.0.1", 80,
			   IPPROTO_TCP, TCP_SYN);
		FB[i] = pick(S[0], &F[i]);
		if (FB[i] < 2)
			both[FB[i]] = true;
		send_to("v4 tcp syn to service -> maglev backend", &F[i], FB[i],
			INFO(CT_MISS));
	}
	ok(both[0] && both[1], "v4 flows spread over both backends");
	for (i = 0; i < NFLOWS; i += 5) {
		F[i].tcp_flags = TCP_ACK;
		send_to("v4 tcp ack of established flow -> conntrack", &F[i],
			FB[i], INFO(CT_HIT));
	}

	p = cli("192.0.2.7", 5353, "10.100.0.1", 53, IPPROTO_UDP, 0);
	p.payload = 30;
	send_to("v4 udp first packet -> redirect (other device)", &p, 2,
		INFO(CT_MISS));
	send_to("v4 udp second packet -> conntrack hit", &p, 2, INFO(CT_HIT));

	for (i = 0; i < 8; i++) {
		p = cli("2001:db8::5", 30000 + i, "fd10::1", 80, IPPROTO_TCP,
			TCP_SYN);
		p.tos = 0xb8;
		b = pick(S[2], &p);
		send_to("v6 tcp syn -> ip6ip6 (TX or redirect by backend)", &p,
			b, INFO(CT_MISS));
	}
	p.tcp_flags = TCP_ACK;
	send_to("v6 tcp ack -> conntrack hit", &p, b, INFO(CT_HIT));

	p = cli("2001:db8::9", 1000, "fd10::1", 53, IPPROTO_UDP, 0);
	p.payload = 12;
	send_to("v6 udp -> 6in4 to an IPv4 backend", &p, 5, INFO(CT_MISS));
	p = cli("192.0.2.9", 1000, "10.100.0.2", 80, IPPROTO_TCP, TCP_SYN);
	p.tos = 0x10;
	send_to("v4 tcp -> 4in6 to an IPv6 backend", &p, 6, INFO(CT_MISS));

	p = cli("192.0.2.9", 1001, "10.100.0.3", 80, IPPROTO_TCP, TCP_SYN);
	send_to("backend without neighbour -> encapsulated XDP_PASS", &p, 7,
		INFO(CT_MISS));
	p = cli("192.0.2.9", 1002, "10.100.0.4", 80, IPPROTO_TCP, TCP_SYN);
	send_unchanged("backend behind blackhole route -> drop_fib", &p,
		       XDP_DROP, XLB_STAT_DROP_FIB, INFO(CT_MISS));
	p = cli("192.0.2.9", 1003, "10.100.0.5", 80, IPPROTO_TCP, TCP_SYN);
	send_unchanged("service without backends -> drop_no_backend", &p,
		       XDP_DROP, XLB_STAT_DROP_NO_BACKEND, INFO(CT_MISS));

	/* SRC_HASH: every port of a client lands on the same backend. */
	p = cli("192.0.2.44", 2000, "10.100.0.6", 443, IPPROTO_TCP, TCP_SYN);
	b = pick(S[8], &p);
	for (i = 0; i < 4; i++) {
		p.sport = 2000 + 977 * i;
		send_to("src-hash service: same backend for every port", &p, b,
			INFO(CT_MISS));
	}
}

/* The flow hash against its documented definition (maglev_ref.py). */
static void test_flow_hash(void)
{
	struct pkt p;

	oracle_flow("v4 tcp", S[0], &F[0]);
	oracle_flow("v4 tcp, other port", S[0], &F[1]);
	p = cli("192.0.2.7", 5353, "10.100.0.1", 53, IPPROTO_UDP, 0);
	oracle_flow("v4 udp", S[1], &p);
	p = cli("2001:db8::7", 40000, "fd10::1", 80, IPPROTO_TCP, TCP_SYN);
	oracle_flow("v6 tcp", S[2], &p);
	p = cli("192.0.2.9", 1234, "10.100.0.6", 443, IPPROTO_TCP, TCP_SYN);
	oracle_flow("v4 source hash", S[8], &p);
}

static void test_not_service(void)
{
	static const __u8 echo[8] = { 8, 0, 0xf7, 0xff, 0, 0, 0, 0 };
	__u8 arp[60];
	struct pkt p;

	p = cli("192.0.2.1", 40000, "10.100.0.1", 81, IPPROTO_TCP, TCP_SYN);
	send_unchanged("v4 tcp to service address, other port -> pass", &p,
		       XDP_PASS, XLB_STAT_PASS_NOT_SERVICE, 0);
	p = cli("192.0.2.1", 40000, "10.100.0.1", 80, IPPROTO_UDP, 0);
	send_unchanged("v4 udp to a tcp service port -> pass", &p, XDP_PASS,
		       XLB_STAT_PASS_NOT_SERVICE, 0);
	p = cli("192.0.2.1", 40000, "10.200.0.1", 80, IPPROTO_TCP, TCP_ACK);
	send_unchanged("v4 tcp to other address -> pass", &p, XDP_PASS,
		       XLB_STAT_PASS_NOT_SERVICE, 0);
	p = cli("2001:db8::1", 40000, "fd10::2", 80, IPPROTO_TCP, TCP_SYN);
	send_unchanged("v6 tcp to other address -> pass", &p, XDP_PASS,
		       XLB_STAT_PASS_NOT_SERVICE, 0);
	p = cli("192.0.2.1", 0, "10.100.0.1", 0, IPPROTO_ICMP, 0);
	p.raw_l4 = echo;
	p.raw_l4_len = sizeof(echo);
	send_unchanged("icmp echo to service address -> pass", &p, XDP_PASS,
		       XLB_STAT_PASS_NOT_SERVICE, 0);
	p = cli("192.0.2.1", 0, "10.100.0.1", 0, 47, 0);
	p.raw_l4 = echo;
	p.raw_l4_len = sizeof(echo);
	send_unchanged("gre to service address -> pass", &p, XDP_PASS,
		       XLB_STAT_PASS_NOT_SERVICE, 0);

	memset(arp, 0, sizeof(arp));
	memset(arp, 0xff, 6);
	memcpy(arp + 6, MAC_CLI, 6);
	arp[12] = 0x08;
	arp[13] = 0x06;
	fixture("arp -> pass_not_ip", arp, sizeof(arp), XDP_PASS,
		XLB_STAT_PASS_NOT_IP, 0, NULL, 0);
}

/*
 * VLANs: every combination of an untagged or tagged client network with an
 * untagged or tagged backend network, on the ingress device or another.
 * The egress tag is the egress device's, never the ingress one.
 */
static void test_vlan(void)
{
	struct pkt p;
	__u32 b;

	p = cli("192.0.2.60", 7100, "10.100.0.7", 80, IPPROTO_TCP, TCP_SYN);
	send_to("untagged -> backend on xa0.100: TX, tag 100 pushed", &p, 20,
		INFO(CT_MISS));
	p = cli("192.0.2.60", 7101, "10.100.0.8", 80, IPPROTO_TCP, TCP_SYN);
	send_to("untagged -> backend on xb0.200: redirect to xb0, tag 200", &p,
		21, INFO(CT_MISS));

	p = cli("192.0.2.50", 7000, "10.100.0.1", 80, IPPROTO_TCP, TCP_SYN);
	p.vlan = true;
	p.tci = 100;
	b = pick(S[0], &p);
	send_to("vlan 100 -> untagged backend on xa0: TX, tag removed", &p, b,
		INFO(VLAN) | INFO(CT_MISS));
	p.tcp_flags = TCP_ACK;
	send_to("vlan 100 ack -> conntrack hit, untagged", &p, b,
		INFO(VLAN) | INFO(CT_HIT));
	p = cli("192.0.2.50", 7001, "10.100.0.1", 53, IPPROTO_UDP, 0);
	p.vlan = true;
	p.tci = 100;
	send_to("vlan 100 -> untagged backend on xb0: redirect, untagged", &p,
		2, INFO(VLAN) | INFO(CT_MISS));
	p = cli("192.0.2.50", 7002, "10.100.0.7", 80, IPPROTO_TCP, TCP_SYN);
	p.vlan = true;
	p.tci = 100;
	send_to("vlan 100 -> backend on the same VLAN: TX, tag 100", &p, 20,
		INFO(VLAN) | INFO(CT_MISS));
	p = cli("192.0.2.50", 7003, "10.100.0.8", 80, IPPROTO_TCP, TCP_SYN);
	p.vlan = true;
	p.tci = 100;
	send_to("vlan 100 -> backend on xb0.200: redirect, tag 200", &p, 21,
		INFO(VLAN) | INFO(CT_MISS));
	p = cli("2001:db8::50", 7000, "fd10::3", 80, IPPROTO_TCP, TCP_SYN);
	p.vlan = true;
	p.tci = 0x2064; /* priority 1, VLAN 100 */
	send_to("vlan 100 prio 1 v6 -> backend on xa0.100: tag 100", &p, 22,
		INFO(VLAN) | INFO(CT_MISS));
	p = cli("2001:db8::50", 7001, "fd10::1", 80, IPPROTO_TCP, TCP_SYN);
	p.vlan = true;
	p.tci = 0x2064;
	send_to("vlan 100 v6 -> untagged backend", &p, pick(S[2], &p),
		INFO(VLAN) | INFO(CT_MISS));
	p = cli("192.0.2.50", 7004, "10.100.0.1", 80, IPPROTO_TCP, TCP_SYN);
	p.vlan = true;
	p.tci = 0x6000; /* priority tag: VLAN 0 is the untagged network */
	send_to("priority tag (vid 0) -> as untagged", &p, pick(S[0], &p),
		INFO(VLAN) | INFO(CT_MISS));

	/* the FIB is asked as the VLAN device: its policy rule applies */
	p = cli("192.0.2.50", 7005, "10.100.0.10", 80, IPPROTO_TCP, TCP_SYN);
	send_to("untagged -> 10.0.0.13 (routed)", &p, 24, INFO(CT_MISS));
	p.vlan = true;
	p.tci = 100;
	p.sport = 7006;
	send_unchanged("vlan 100 -> 10.0.0.13: rule iif xa0.100 blackholes it",
		       &p, XDP_DROP, XLB_STAT_DROP_FIB,
		       INFO(VLAN) | INFO(CT_MISS));

	p = cli("192.0.2.50", 7007, "10.100.0.1", 80, IPPROTO_TCP, TCP_SYN);
	p.vlan = true;
	p.tci = 300;
	send_unchanged("vlan 300 (no VLAN device) -> pass_vlan_unknown", &p,
		       XDP_PASS, XLB_STAT_PASS_VLAN_UNKNOWN, INFO(VLAN));
	p.tci = 200; /* xb0's VLAN, not xa0's */
	send_unchanged("vlan 200 on xa0 (xb0 has it) -> pass_vlan_unknown", &p,
		       XDP_PASS, XLB_STAT_PASS_VLAN_UNKNOWN, INFO(VLAN));
	p = cli("192.0.2.50", 7008, "10.100.0.9", 80, IPPROTO_TCP, TCP_SYN);
	send_unchanged(
		"backend behind xc0 (xlb not attached) -> drop_no_egress", &p,
		XDP_DROP, XLB_STAT_DROP_NO_EGRESS, INFO(CT_MISS));
	p.vlan = true;
	p.tci = 100;
	send_unchanged("vlan 100 -> backend behind xc0 -> drop_no_egress", &p,
		       XDP_DROP, XLB_STAT_DROP_NO_EGRESS,
		       INFO(VLAN) | INFO(CT_MISS));
	p = cli("192.0.2.50", 7009, "10.100.0.3", 80, IPPROTO_TCP, TCP_SYN);
	p.vlan = true;
	p.tci = 100;
	send_to("vlan 100, no neighbour -> XDP_PASS, the kernel's tag kept", &p,
		7, INFO(VLAN) | INFO(CT_MISS));
}

static void test_options_fragments(void)
{
	struct pkt p;

	p = cli("192.0.2.51", 7001, "10.100.0.1", 80, IPPROTO_TCP, TCP_SYN);
	p.optlen = 12;
	send_to("ipv4 options (ihl 8) -> encapsulated whole", &p,
		pick(S[0], &p), INFO(IPV4_OPTIONS) | INFO(CT_MISS));
	p.optlen = 40;
	p.sport = 7002;
	send_to("ipv4 options (ihl 15) -> encapsulated whole", &p,
		pick(S[0], &p), INFO(IPV4_OPTIONS) | INFO(CT_MISS));

	p = cli("192.0.2.52", 7003, "10.100.0.1", 53, IPPROTO_UDP, 0);
	p.payload = 100;
	p.frag_off = 0x2000;
	send_unchanged("v4 first fragment (MF) -> pass_fragment", &p, XDP_PASS,
		       XLB_STAT_PASS_FRAGMENT, 0);
	p.frag_off = 0x0010;
	send_unchanged("v4 last fragment (offset) -> pass_fragment", &p,
		       XDP_PASS, XLB_STAT_PASS_FRAGMENT, 0);
	p.frag_off = 0x4000;
	send_to("v4 DF, not a fragment -> forwarded", &p, 2, INFO(CT_MISS));
	p = cli("2001:db8::52", 7003, "fd10::1", 53, IPPROTO_UDP, 0);
	p.v6frag = true;
	p.payload = 100;
	send_unchanged("v6 fragment header -> pass_fragment", &p, XDP_PASS,
		       XLB_STAT_PASS_FRAGMENT, 0);
}

/* Established flows keep their backend across a table change. */
static int changed = -1;

static void send_cached(const char *name, struct pkt *p, __u32 bid);

static void test_table_change(void)
{
	struct pkt p;
	__u32 nb;
	int i;

	xlbh_be_add(&H, S[0], 11, "10.0.0.12", 3);
	publish("publish: backend 10.0.0.12 added");
	for (i = 0; i < NFLOWS; i++) {
		nb = pick(S[0], &F[i]);
		if (nb != FB[i] && changed < 0 && i % 5)
			changed = i;
	}
	if (!ok(changed >= 0, "some established flow has a new table slot"))
		return;
	F[changed].tcp_flags = TCP_ACK;
	send_to("established flow after table change -> old backend",
		&F[changed], FB[changed], INFO(CT_HIT));
	p = cli("192.0.2.1", 50000, "10.100.0.1", 80, IPPROTO_TCP, TCP_ACK);
	send_to("unknown non-syn flow -> new table, no entry", &p,
		pick(S[0], &p), INFO(CT_MISS) | INFO(CT_UNTRACKED));
	send_to("unknown non-syn flow again -> still no entry", &p,
		pick(S[0], &p), INFO(CT_MISS) | INFO(CT_UNTRACKED));

	/*
	 * A fresh SYN of the same five-tuple (a client port reused) is
	 * rehashed, though the flow's entry and its flow cache slot (filled
	 * after the publish) still name the old backend: the SYN rewrites
	 * the entry and empties the slot.
	 */
	for (i = changed + 1; i < NFLOWS; i++) {
		if (i % 5 == 0 || pick(S[0], &F[i]) == FB[i])
			continue;
		send_cached("known flow after the publish -> old backend",
			    &F[i], FB[i]);
		F[i].tcp_flags = TCP_SYN;
		nb = pick(S[0], &F[i]);
		send_to("syn of a known flow -> rehashed to new table", &F[i],
			nb, INFO(CT_MISS));
		F[i].tcp_flags = TCP_ACK;
		send_to("ack after syn rehash -> new backend", &F[i], nb,
			INFO(CT_HIT));
		FB[i] = nb;
		break;
	}
}

static void test_drain_delete(void)
{
	struct xlbh_be *b0 = xlbh_be_by_bid(&H, 0), *b1;
	int i, n0 = 0, n1 = 0, stale = 0;
	struct pkt p;

	b0->state = XLB_BE_DRAIN;
	publish("publish: backend 10.0.0.10 draining");
	for (i = 0; i < NFLOWS; i++) {
		if (FB[i] != 0 || (i % 5 && i != changed))
			continue;
		F[i].tcp_flags = TCP_ACK;
		send_to("drained backend keeps its established flow", &F[i], 0,
			INFO(CT_HIT));
		n0++;
	}
	ok(n0 > 0, "tested %d established flows of the drained backend", n0);
	for (i = 0; i < 16; i++) {
		p = cli("192.0.2.60", 9000 + i, "10.100.0.1", 80, IPPROTO_TCP,
			TCP_SYN);
		if (!ok(pick(S[0], &p) != 0,
			"model: drained backend gets no slot"))
			break;
		send_to("new flow never goes to the drained backend", &p,
			pick(S[0], &p), INFO(CT_MISS));
	}

	/* weight 0 behaves like drain */
	b1 = xlbh_be_by_bid(&H, 1);
	b1->weight = 0;
	publish("publish: backend 10.0.0.11 weight 0");
	for (i = 0; i < NFLOWS; i++) {
		if (FB[i] != 1 || i % 5)
			continue;
		send_to("weight-0 backend keeps its established flow", &F[i], 1,
			INFO(CT_HIT));
		n1++;
		break;
	}

	/* delete 10.0.0.11 (bid 1): its conntrack entries become stale */
	b1->state = XLB_BE_UNUSED;
	publish("publish: backend 10.0.0.11 deleted");
	for (i = 0; i < NFLOWS && !stale; i++) {
		if (FB[i] != 1)
			continue;
		F[i].tcp_flags = TCP_ACK;
		send_to("flow of deleted backend -> stale entry, rehashed",
			&F[i], pick(S[0], &F[i]),
			INFO(CT_STALE) | INFO(CT_UNTRACKED));
		send_to("rehashed non-syn flow -> table again, no new entry",
			&F[i], pick(S[0], &F[i]),
			INFO(CT_STALE) | INFO(CT_UNTRACKED));
		FB[i] = pick(S[0], &F[i]);
		stale = 1;
	}
	ok(stale, "a flow of the deleted backend was tested");

	/* bid 1 reused by another service's backend, with a new gen */
	xlbh_be_add(&H, S[1], 1, "10.0.0.11", 0);
	publish("publish: bid 1 reused in service 1");
	for (i = 0; i < NFLOWS; i++) {
		if (FB[i] != 1)
			continue;
		F[i].tcp_flags = TCP_ACK;
		ok(pick(S[0], &F[i]) != 1,
		   "model: service 0 never picks bid 1");
		send_to("stale entry never reaches the reused bid", &F[i],
			pick(S[0], &F[i]), INFO(CT_STALE) | INFO(CT_UNTRACKED));
		FB[i] = pick(S[0], &F[i]);
		break;
	}
	(void)n1;
}

/* ICMP error about p's flow, as a router would send it to the VIP. */
static size_t icmp_error_pad(const struct pkt *flow, __u8 *frame,
			     struct pkt *outer, size_t pad)
{
	struct pkt reply = *flow, o;
	__u8 q[4096], body[2048] = { 0 };
	size_t l2 = pkt_l2_len(flow), blen;

	/* the quoted packet: the backend's reply, VIP -> client */
	memcpy(reply.src, flow->dst, 16);
	memcpy(reply.dst, flow->src, 16);
	reply.sport = flow->dport;
	reply.dport = flow->sport;
	reply.payload = 0;
	pkt_build(&reply, q);
	memset(body, 0, 8);
	if (flow->family == XLB_AF_INET) {
		body[0] = 3; /* dest unreachable */
		body[1] = 4; /* fragmentation needed */
		body[6] = 0x05; /* next-hop MTU 1400 */
		body[7] = 0x78;
	} else {
		body[0] = 2; /* packet too big */
		body[6] = 0x05;
		body[7] = 0x00;
	}
	/* quote the IP header and 8 bytes of L4 */
	blen = (flow->family == XLB_AF_INET ? 20 : 40) + 8;
	memcpy(body + 8, q + l2, blen);
	o = cli(flow->family == XLB_AF_INET ? "10.0.0.254" : "fd00::fe", 0,
		"10.100.0.1", 0, flow->family == XLB_AF_INET ? 1 : 58, 0);
	if (flow->family == XLB_AF_INET6) {
		xlbh_addr("fd00::fe", o.src);
		memcpy(o.dst, flow->dst, 16);
	} else {
		memcpy(o.dst, flow->dst, 16);
	}
	o.raw_l4 = body;
	o.raw_l4_len = 8 + blen + pad;
	*outer = o;
	return pkt_build(&o, frame);
}

static size_t icmp_error(const struct pkt *flow, __u8 *frame, struct pkt *outer)
{
	return icmp_error_pad(flow, frame, outer, 0);
}

/* An ICMP error about flow's VIP flow, sent to dst instead of the VIP. */
static void test_icmp_not_vip(const struct pkt *flow, const char *dst,
			      const char *who)
{
	__u8 in[4096];
	struct pkt o;
	__be32 a[4];
	size_t len = icmp_error(flow, in, &o), l2 = pkt_l2_len(&o);
	char name[128];

	if (xlbh_addr(dst, a) == XLB_AF_INET)
		memcpy(in + l2 + 16, a, 4); /* checksum unchecked */
	else
		memcpy(in + l2 + 24, a, 16);
	snprintf(name, sizeof(name),
		 "icmp%s error quoting a VIP flow, sent to %s -> "
		 "pass_icmp_not_vip",
		 o.family == XLB_AF_INET ? "" : "v6", who);
	fixture(name, in, len, XDP_PASS, XLB_STAT_PASS_ICMP_NOT_VIP, 0, NULL,
		0);
}

static void test_icmp(void)
{
	__u8 in[4096], want[4096];
	struct xlb_flow f;
	struct xlb_ct_entry ce;
	struct pkt o, p, p6;
	size_t len, wlen;
	__u32 verdict;
	int stat, i, c = -1;

	/* a flow of the drained backend: conntrack disagrees with the table */
	for (i = 0; i < NFLOWS && c < 0; i++)
		if (FB[i] == 0 && pick(S[0], &F[i]) != FB[i])
			c = i;
	if (ok(c >= 0, "model: a flow's table slot moved away from it")) {
		len = icmp_error(&F[c], in, &o);
		wlen = expect_fwd_flow(&o, &F[c], in, len, FB[c], want,
				       &verdict, &stat);
		fixture("icmp frag needed -> backend of the flow (conntrack)",
			in, len, verdict, stat, INFO(ICMP_ERROR) | INFO(CT_HIT),
			want, wlen);
	}
	p = cli("192.0.2.99", 4444, "10.100.0.1", 80, IPPROTO_TCP, TCP_ACK);
	len = icmp_error(&p, in, &o);
	wlen = expect_fwd_flow(&o, &p, in, len, pick(S[0], &p), want, &verdict,
			       &stat);
	fixture("icmp frag needed, unknown flow -> maglev backend", in, len,
		verdict, stat, INFO(ICMP_ERROR) | INFO(CT_MISS), want, wlen);
	/* IPv4 flows live in the buckets of xlb_conntrack4 */
	if (c >= 0) {
		pkt_flow(&F[c], &f);
		ok(!xlbh_ct_get(&H, &f, &ce) && ce.bid == FB[c],
		   "v4 flow recorded in xlb_conntrack4 with its backend");
	}
	pkt_flow(&p, &f);
	ok(xlbh_ct_get(&H, &f, &ce) == -ENOENT,
	   "icmp error creates no conntrack entry");

	p = cli("2001:db8::77", 4445, "fd10::1", 80, IPPROTO_TCP, TCP_SYN);
	send_to("v6 flow syn", &p, pick(S[2], &p), INFO(CT_MISS));
	/* its ACK moves the SYN's choice into the connection table */
	p6 = p;
	p6.tcp_flags = TCP_ACK;
	send_to("v6 flow ack", &p6, pick(S[2], &p), INFO(CT_HIT));
	p6 = p;
	len = icmp_error(&p, in, &o);
	wlen = expect_fwd_flow(&o, &p, in, len, pick(S[2], &p), want, &verdict,
			       &stat);
	fixture("icmpv6 packet too big -> backend of the flow", in, len,
		verdict, stat, INFO(ICMP_ERROR) | INFO(CT_HIT), want, wlen);

	/* quote cut by the outer IP length (the rest looks like padding) */
	p = cli("192.0.2.99", 4444, "10.100.0.1", 80, IPPROTO_TCP, TCP_ACK);
	len = icmp_error(&p, in, &o);
	in[17] -= 10; /* tot_len: quote ends before the ports */
	fixture("icmp error, quote beyond the outer IP length -> drop_parse",
		in, len, XDP_DROP, XLB_STAT_DROP_PARSE, 0, NULL, 0);
	p = cli("2001:db8::77", 4445, "fd10::1", 80, IPPROTO_TCP, TCP_ACK);
	len = icmp_error(&p, in, &o);
	in[19] -= 10; /* payload_len */
	fixture("icmpv6 error, quote beyond the payload length -> drop_parse",
		in, len, XDP_DROP, XLB_STAT_DROP_PARSE, 0, NULL, 0);

	p = cli("192.0.2.99", 4444, "10.100.0.1", 81, IPPROTO_TCP, TCP_ACK);
	len = icmp_error(&p, in, &o);
	fixture("icmp error about a non-service flow -> pass", in, len,
		XDP_PASS, XLB_STAT_PASS_NOT_SERVICE, 0, NULL, 0);

	/* only an error sent to the quoted source (the VIP) is forwarded */
	test_icmp_not_vip(&F[0], "10.0.0.1", "the LB");
	test_icmp_not_vip(&F[0], "10.100.0.2", "another VIP");
	test_icmp_not_vip(&p6, "fd00::1", "the LB");
	test_icmp_not_vip(&p6, "2001:db8::99", "another host");
}

/* Every proper prefix of a service frame is a parse error. */
static void truncations(const char *name, const struct pkt *p)
{
	__u8 in[4096], out[4096];
	size_t len = pkt_build(p, in), n, out_len;
	__u64 before[XLB_STAT__MAX], after[XLB_STAT__MAX];
	int bad = 0, j;
	__u32 v;

	for (n = 0; n < len; n++) {
		out_len = sizeof(out);
		xlbh_stats(&H, before);
		if (n < 14) {
			/* the kernel refuses frames shorter than Ethernet */
			if (xlbh_run(prog, if_a, in, n, out, &out_len, &v) !=
			    -EINVAL) {
				diag("%s: %zu bytes: not refused", name, n);
				bad++;
			}
			continue;
		}
		if (xlbh_run(prog, if_a, in, n, out, &out_len, &v) ||
		    v != XDP_DROP || out_len != n || memcmp(in, out, n)) {
			diag("%s: %zu bytes: verdict %u", name, n, v);
			bad++;
			continue;
		}
		xlbh_stats(&H, after);
		for (j = 0; j < XLB_STAT__MAX; j++) {
			__u64 w = j == XLB_STAT_DROP_PARSE;

			if (p->vlan && j == XLB_STAT_VLAN && n >= 18)
				w = 1;
			if (after[j] - before[j] != w) {
				diag("%s: %zu bytes: counter %d", name, n, j);
				bad++;
			}
		}
	}
	ok(!bad, "%s: all %zu truncations dropped as parse errors", name, len);
}

static void test_truncated(void)
{
	__u8 in[4096];
	struct pkt p, o;

	p = cli("192.0.2.1", 40000, "10.100.0.1", 80, IPPROTO_TCP, TCP_ACK);
	truncations("v4 tcp", &p);
	p.vlan = true;
	p.optlen = 8;
	truncations("vlan v4 tcp with options", &p);
	p = cli("2001:db8::1", 40000, "fd10::1", 53, IPPROTO_UDP, 0);
	p.payload = 4;
	truncations("v6 udp", &p);
	p = cli("192.0.2.99", 4444, "10.100.0.1", 80, IPPROTO_TCP, TCP_ACK);
	icmp_error(&p, in, &o);
	truncations("v4 icmp error", &o);
	p = cli("2001:db8::1", 40000, "fd10::1", 80, IPPROTO_TCP, TCP_ACK);
	icmp_error(&p, in, &o);
	truncations("v6 icmp error", &o);
}

static void test_sizes(void)
{
	__u8 in[8192], want[8192];
	size_t len, wlen;
	struct pkt p;
	__u32 v;
	int stat;

	/* outer packet of exactly the 1500 MTU: forwarded; one more: not */
	p = cli("192.0.2.80", 8080, "10.100.0.1", 53, IPPROTO_UDP, 0);
	p.payload = 1500 - 20 - 20 - 8;
	send_to("v4 udp, outer size == mtu -> forwarded", &p, 2, INFO(CT_MISS));
	p.payload++;
	send_too_big("v4 udp, outer size == mtu + 1 -> frag needed, mtu 1480",
		     &p, 2, 1480, INFO(CT_HIT));
	p = cli("2001:db8::80", 8080, "fd10::1", 80, IPPROTO_TCP, TCP_SYN);
	p.payload = 1500 - 40 - 40 - 20;
	send_to("v6 tcp, outer size == mtu -> forwarded", &p, pick(S[2], &p),
		INFO(CT_MISS));
	p.payload++;
	send_too_big("v6 tcp, outer size == mtu + 1 -> packet too big", &p,
		     pick(S[2], &p), 0, INFO(CT_MISS));

	/* Ethernet padding after a short IP packet travels along */
	p = cli("192.0.2.81", 8081, "10.100.0.1", 53, IPPROTO_UDP, 0);
	len = pkt_build(&p, in);
	memset(in + len, 0, 60 - len);
	wlen = expect_fwd(&p, in, len, 2, want, &v, &stat);
	memset(want + wlen, 0, 60 - len);
	fc_want = fc_expect(&p, INFO(CT_MISS), stat);
	fixture("60-byte padded frame -> outer length from IP, padding kept",
		in, 60, v, stat, INFO(CT_MISS), want, wlen + 60 - len);

	/*
	 * Larger than a linear XDP buffer: the kernel hands the program only
	 * the linear part; the IP length then exceeds it -> parse error.
	 */
	p.payload = 4000;
	len = pkt_build(&p, in);
	fixture("oversized frame (multi-buffer) -> drop_parse", in, len,
		XDP_DROP, XLB_STAT_DROP_PARSE, 0, NULL, 0);
	p = cli("192.0.2.82", 8082, "10.200.0.1", 53, IPPROTO_UDP, 0);
	p.payload = 3000;
	send_unchanged("3 KB non-service frame -> pass", &p, XDP_PASS,
		       XLB_STAT_PASS_NOT_SERVICE, 0);

	/* malformed IP headers */
	p = cli("192.0.2.83", 8083, "10.100.0.1", 80, IPPROTO_TCP, TCP_ACK);
	len = pkt_build(&p, in);
	in[14] = 0x55;
	fixture("ipv4 version 5 -> drop_parse", in, len, XDP_DROP,
		XLB_STAT_DROP_PARSE, 0, NULL, 0);
	in[14] = 0x44;
	fixture("ipv4 ihl 4 -> drop_parse", in, len, XDP_DROP,
		XLB_STAT_DROP_PARSE, 0, NULL, 0);
	in[14] = 0x45;
	in[17] += 1; /* tot_len one more than the frame */
	fixture("ipv4 tot_len beyond frame -> drop_parse", in, len, XDP_DROP,
		XLB_STAT_DROP_PARSE, 0, NULL, 0);
	in[17] -= 2; /* TCP header cut by tot_len */
	fixture("ipv4 tot_len cutting the tcp header -> drop_parse", in, len,
		XDP_DROP, XLB_STAT_DROP_PARSE, 0, NULL, 0);
	p = cli("2001:db8::83", 8083, "fd10::1", 80, IPPROTO_TCP, TCP_ACK);
	len = pkt_build(&p, in);
	in[14] = 0x40;
	fixture("ipv6 version 4 in 86dd frame -> drop_parse", in, len, XDP_DROP,
		XLB_STAT_DROP_PARSE, 0, NULL, 0);
}

static void test_counters(void)
{
	struct xlbh_cnt c0, c1, b0, b1;
	struct pkt p;
	int i;

	p = cli("192.0.2.90", 9090, "10.100.0.1", 53, IPPROTO_UDP, 0);
	p.payload = 10;
	xlbh_counter(&H, false, 1, S[1]->gen, &c0);
	xlbh_counter(&H, true, 2, S[1]->be[0].gen, &b0);
	for (i = 0; i < 3; i++)
		send_to("udp for counter check", &p, 2,
			i ? INFO(CT_HIT) : INFO(CT_MISS));
	xlbh_counter(&H, false, 1, S[1]->gen, &c1);
	is_u64(c1.packets - c0.packets, 3, "service counter: 3 packets");
	is_u64(c1.bytes - c0.bytes, 3 * (20 + 8 + 10),
	       "service counter: IP bytes");
	is_u64(c1.flows - c0.flows, 1, "service counter: 1 new flow");
	xlbh_counter(&H, true, 2, S[1]->be[0].gen, &b1);
	ok(b1.packets >= 3, "backend counter counts the backend's packets");
	is_u64(b1.flows - b0.flows, 1, "backend counter: 1 new flow");

	/* a new generation of the service resets its counters */
	S[1]->gen = H.next_gen++;
	publish("publish: service 1 new generation");
	send_to("udp after service generation change", &p, 2, INFO(CT_HIT));
	xlbh_counter(&H, false, 1, S[1]->gen, &c1);
	is_u64(c1.packets, 1, "service counter restarted with the new gen");
	is_u64(c1.flows, 0, "flows restarted with the new gen");
}

/* Run a command; its exit status or -1. */
static int run_cmd(char *const argv[])
{
	int status;
	pid_t pid;

	if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ))
		return -1;
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* ip neigh replace 10.1.0.10 lladdr MAC dev xb0 nud permanent */
static int set_neigh(const char *mac)
{
	char *argv[] = { "ip",	   "neigh",	"replace", "10.1.0.10",
			 "lladdr", (char *)mac, "dev",	   "xb0",
			 "nud",	   "permanent", NULL };

	return run_cmd(argv);
}

/*
 * ip route ACTION ADDR dev DEV mtu lock MTU (action "del": no mtu).  Only a
 * locked route MTU counts for forwarded packets (ip_mtu_from_fib_result).
 */
static int set_route(const char *action, const char *addr, const char *dev,
		     const char *mtu)
{
	char *argv[] = { "ip",	      "route",	   (char *)action, (char *)addr,
			 "dev",	      (char *)dev, "mtu",	   "lock",
			 (char *)mtu, NULL };

	if (!strcmp(action, "del"))
		argv[6] = NULL;
	return run_cmd(argv);
}

/*
 * Too big once encapsulated: tagged frames with IPv4 options, ICMP errors,
 * small path MTUs (quote shorter than the maximum, cut to whole words; the
 * IPv6 minimum MTU).
 */
static void test_too_big(void)
{
	__u8 in[4096];
	struct pkt p, o;
	size_t len;

	p = cli("192.0.2.84", 8084, "10.100.0.1", 53, IPPROTO_UDP, 0);
	p.vlan = true;
	p.tci = 0x2064; /* xa0's VLAN 100 (a VLAN without device would pass) */
	p.optlen = 8;
	p.payload = 1500 - 20 - 28 - 8 + 1;
	send_too_big("vlan v4 udp with options, too big -> frag needed, tag "
		     "kept, options quoted",
		     &p, 2, 1480,
		     INFO(CT_MISS) | INFO(VLAN) | INFO(IPV4_OPTIONS));
	p = cli("2001:db8::84", 8084, "fd10::1", 53, IPPROTO_UDP, 0);
	p.payload = 1500 - 40 - 20 - 8;
	send_to("6in4 udp, outer size == mtu -> forwarded", &p, 5,
		INFO(CT_MISS));
	p.payload++;
	send_too_big("6in4 udp, too big -> packet too big, mtu 1480", &p, 5,
		     1480, INFO(CT_HIT));

	/* never an ICMP error about an ICMP error */
	p = cli("192.0.2.80", 8080, "10.100.0.1", 53, IPPROTO_UDP, 0);
	len = icmp_error_pad(&p, in, &o, 1500 - 20 - 8 - 28);
	fixture("icmp error too big once encapsulated -> drop_too_big", in, len,
		XDP_DROP, XLB_STAT_DROP_TOO_BIG,
		INFO(ICMP_ERROR) | INFO(CT_HIT), NULL, 0);

	if (!ok(set_route("add", "10.1.0.10/32", "xb0", "403") == 0 &&
			set_route("add", "10.0.0.10/32", "xa0", "1200") == 0,
		"routes with mtu 403 and 1200"))
		return;
	publish("publish after route change");
	p = cli("192.0.2.85", 8085, "10.100.0.1", 53, IPPROTO_UDP, 0);
	p.payload = 403 - 20 - 28 + 2; /* IP length 385 */
	send_too_big("path mtu 403: frag needed, mtu 383, quote cut to 384", &p,
		     2, 383, INFO(CT_MISS));
	p = cli("2001:db8::85", 8085, "fd10::1", 53, IPPROTO_UDP, 0);
	p.payload = 1200 - 20 - 48 + 1;
	send_too_big("6in4 path mtu 1200: packet too big says 1280", &p, 5,
		     1280, INFO(CT_MISS));
	ok(set_route("del", "10.1.0.10/32", "xb0", NULL) == 0 &&
		   set_route("del", "10.0.0.10/32", "xa0", NULL) == 0,
	   "routes restored");
	publish("publish after route restore");
}

/* UDP source port of the GUE frame f (l2 bytes of Ethernet, outer ofam). */
static __u16 gue_sport(const __u8 *f, size_t l2, __u8 ofam)
{
	const __u8 *u = f + l2 + (ofam == XLB_AF_INET ? 20 : 40);

	return (__u16)(u[0] << 8 | u[1]);
}

/* Flow label of the outer IPv6 header of frame f. */
static __u32 outer_label(const __u8 *f, size_t l2)
{
	return (__u32)(f[l2 + 1] & 0xf) << 16 | f[l2 + 2] << 8 | f[l2 + 3];
}

/* Distinct values among n (n <= 64). */
static int distinct(const __u32 *v, int n)
{
	int i, j, d = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i && v[j] != v[i]; j++)
			;
		d += j == i;
	}
	return d;
}

#define GUE_FLOWS 64

/*
 * Services with encap gue: the UDP header after the outer IP header (port
 * of the service, source port from the flow's entropy in 49152..65535,
 * length, checksum 0), over IPv4 and IPv6 (flow label), through the
 * connection table and the flow cache; 64 flows spread over the source
 * ports; the too-big threshold counts the UDP header.
 */
static void test_gue(void)
{
	__u32 port[GUE_FLOWS], label[GUE_FLOWS], verdict;
	__u8 in[4096], want[4096];
	bool range = true;
	struct pkt p;
	size_t len;
	int i, stat;

	S[14] = xlbh_svc_add(&H, 14, "10.100.0.20", 80, IPPROTO_TCP, 251);
	S[14]->encap = XLB_ENCAP_GUE;
	S[14]->encap_port = 6080;
	xlbh_be_add(&H, S[14], 30, "10.0.0.12", 1);
	S[15] = xlbh_svc_add(&H, 15, "fd10::20", 443, IPPROTO_UDP, 251);
	S[15]->encap = XLB_ENCAP_GUE;
	S[15]->encap_port = 9;
	xlbh_be_add(&H, S[15], 31, "fd01::10", 1);
	publish("publish two gue services");

	p = cli("192.0.2.60", 6000, "10.100.0.20", 80, IPPROTO_TCP, TCP_SYN);
	send_to("gue v4: syn -> ipv4 + udp to port 6080", &p, 30,
		INFO(CT_MISS) | INFO(ENCAP_GUE));
	p.tcp_flags = TCP_ACK;
	send_to("gue v4: ack -> connection table / flow cache, gue again", &p,
		30, INFO(CT_HIT) | INFO(ENCAP_GUE));
	send_to("gue v4: ack from the flow cache, gue again", &p, 30,
		INFO(CT_HIT) | INFO(ENCAP_GUE));
	p = cli("2001:db8::60", 6000, "fd10::20", 443, IPPROTO_UDP, 0);
	p.payload = 100;
	send_to("gue v6: ipv6 + udp to port 9, flow label", &p, 31,
		INFO(CT_MISS) | INFO(ENCAP_GUE));

	for (i = 0; i < GUE_FLOWS; i++) {
		p = cli("192.0.2.61", 20000 + 7 * i, "10.100.0.20", 80,
			IPPROTO_TCP, TCP_SYN);
		len = pkt_build(&p, in);
		expect_fwd(&p, in, len, 30, want, &verdict, &stat);
		send_to("gue v4: flow of 64", &p, 30,
			INFO(CT_MISS) | INFO(ENCAP_GUE));
		port[i] = gue_sport(want, 14, XLB_AF_INET);
		range &= port[i] >= 49152;
		p = cli("2001:db8::61", 20000 + 7 * i, "fd10::1", 80,
			IPPROTO_TCP, TCP_SYN);
		len = pkt_build(&p, in);
		expect_fwd(&p, in, len, pick(S[2], &p), want, &verdict, &stat);
		send_to("ip6ip6: flow of 64", &p, pick(S[2], &p),
			INFO(CT_MISS));
		label[i] = outer_label(want, 14);
	}
	ok(range, "gue source ports in 49152..65535");
	ok(distinct(port, GUE_FLOWS) >= 60,
	   "64 gue flows: %d distinct source ports (>= 60)",
	   distinct(port, GUE_FLOWS));
	ok(distinct(label, GUE_FLOWS) >= 60,
	   "64 ip6ip6 flows: %d distinct flow labels (>= 60)",
	   distinct(label, GUE_FLOWS));

	p = cli("192.0.2.62", 6001, "10.100.0.20", 80, IPPROTO_TCP, TCP_ACK);
	p.payload = 1500 - 20 - 8 - 40;
	send_to("gue v4: outer size == mtu -> forwarded", &p, 30,
		INFO(CT_MISS) | INFO(CT_UNTRACKED) | INFO(ENCAP_GUE));
	p.payload++;
	send_too_big("gue v4: outer size == mtu + 1 -> frag needed, mtu 1472",
		     &p, 30, 1500 - 20 - 8, INFO(CT_MISS) | INFO(CT_UNTRACKED));
}

/*
 * The reply rate: a program instance with a bucket of 2 replies refilled
 * at one per second.
 */
static void test_too_big_ratelimit(void)
{
	struct pkt p;
	int i;

	xlbh_close(&H);
	xlbh_icmp_cost_ns = 1000000000ULL;
	xlbh_icmp_burst = 2;
	fc_reset(false);
	if (!ok(xlbh_open_nh(&H, 1021, 64, 0, 0) == 0,
		"load with a 2-reply bucket, 1 reply/s"))
		return;
	prog = xlbh_prog_fd(&H);
	setup_config();
	H.flags = XLB_CTL_F_BOUND;
	publish("publish");
	p = cli("192.0.2.86", 8086, "10.100.0.1", 53, IPPROTO_UDP, 0);
	p.payload = 1500 - 20 - 20 - 8 + 1;
	for (i = 0; i < 2; i++)
		send_too_big("ratelimit: reply within the burst", &p, 2, 1480,
			     i ? INFO(CT_HIT) : INFO(CT_MISS));
	send_unchanged("ratelimit: burst spent -> drop_too_big_ratelimited", &p,
		       XDP_DROP, XLB_STAT_DROP_TOO_BIG_RL, INFO(CT_HIT));
	nanosleep(&(struct timespec){ .tv_sec = 1, .tv_nsec = 100000000L },
		  NULL);
	send_too_big("ratelimit: 1.1 s later one more reply", &p, 2, 1480,
		     INFO(CT_HIT));
	send_unchanged("ratelimit: and then none", &p, XDP_DROP,
		       XLB_STAT_DROP_TOO_BIG_RL, INFO(CT_HIT));
}

/*
 * The next-hop cache: a neighbour change is picked up at the latest with
 * the next publish of the backend's service (xlb_service.ver), whatever
 * the cache lifetime.
 */
static void test_nh_cache(void)
{
	static const __u8 newmac[6] = { 2, 0, 0, 0, 0x0b, 0x99 };
	struct xlbh_be *b = xlbh_be_by_bid(&H, 2);
	struct nh *nh = nh_of(b->addr, b->family);
	__u8 old[6];
	struct pkt p;

	p = cli("192.0.2.95", 9595, "10.100.0.1", 53, IPPROTO_UDP, 0);
	send_to("udp before neighbour change", &p, 2, INFO(CT_MISS));
	if (!ok(set_neigh("02:00:00:00:0b:99") == 0, "neighbour changed"))
		return;
	memcpy(old, nh->mac, 6);
	memcpy(nh->mac, newmac, 6);
	publish("publish after neighbour change");
	send_to("publish invalidates the next-hop cache: new MAC", &p, 2,
		INFO(CT_HIT));
	memcpy(nh->mac, old, 6);
	ok(set_neigh("02:00:00:00:0b:10") == 0, "neighbour restored");
	publish("publish after neighbour restore");
	send_to("and back to the old MAC", &p, 2, INFO(CT_HIT));
}

/*
 * A second program instance without next-hop cache (TTL 0) and with a
 * 4-entry cache map, so backends with bid >= 4 have no cache slot at all:
 * the forwarding results must be the same.
 */
static void test_no_nh_cache(void)
{
	struct pkt p;
	int i;

	xlbh_close(&H);
	xlbh_fc_ttl = 0;
	fc_reset(false);
	if (!ok(xlbh_open_nh(&H, 1021, 64, 0, 4) == 0,
		"load with next-hop and flow cache off, 4-entry nh cache map"))
		return;
	prog = xlbh_prog_fd(&H);
	setup_config();
	H.flags = XLB_CTL_F_BOUND;
	publish("publish");
	for (i = 0; i < 4; i++) {
		p = cli("192.0.2.1", 41000 + i, "10.100.0.1", 80, IPPROTO_TCP,
			TCP_SYN);
		send_to("no cache: v4 tcp (bid 0/1, TX)", &p, pick(S[0], &p),
			INFO(CT_MISS));
	}
	p = cli("192.0.2.7", 5353, "10.100.0.1", 53, IPPROTO_UDP, 0);
	send_to("no cache: v4 udp (bid 2, redirect)", &p, 2, INFO(CT_MISS));
	send_to("no cache: again", &p, 2, INFO(CT_HIT));
	p = cli("2001:db8::9", 1000, "fd10::1", 53, IPPROTO_UDP, 0);
	send_to("no cache slot: 6in4 (bid 5)", &p, 5, INFO(CT_MISS));
	p = cli("192.0.2.9", 1000, "10.100.0.2", 80, IPPROTO_TCP, TCP_SYN);
	send_to("no cache slot: 4in6 (bid 6)", &p, 6, INFO(CT_MISS));
	p = cli("192.0.2.9", 1001, "10.100.0.3", 80, IPPROTO_TCP, TCP_SYN);
	send_to("no cache slot: no neighbour (bid 7)", &p, 7, INFO(CT_MISS));
	p = cli("192.0.2.80", 8080, "10.100.0.1", 53, IPPROTO_UDP, 0);
	p.payload = 1500 - 20 - 20 - 8;
	send_to("no cache: outer size == mtu -> forwarded", &p, 2,
		INFO(CT_MISS));
	p.payload++;
	send_too_big("no cache: outer size == mtu + 1 -> frag needed", &p, 2,
		     1480, INFO(CT_HIT));
}

static __u64 fc_hits(void)
{
	__u64 c[XLB_STAT__MAX];

	return xlbh_stats(&H, c) ? 0 : c[XLB_STAT_FLOW_CACHE_HIT];
}

/* publish_svc(): a change published for service s alone, as the module does. */
static bool publish_svc(const char *name, struct xlbh_svc *s)
{
	bool ret = ok(xlbh_publish_svc(&H, s) == 0, "%s", name);

	oracle_refresh();
	return ret;
}

/*
 * Send an established segment of p twice: the second is a flow cache hit.
 * info: the info counters besides conntrack_hit (encap_gue).
 */
static void send_cached_info(const char *name, struct pkt *p, __u32 bid,
			     __u32 info)
{
	__u64 n;

	p->tcp_flags = TCP_ACK;
	send_to(name, p, bid, INFO(CT_HIT) | info);
	n = fc_hits();
	send_to(name, p, bid, INFO(CT_HIT) | info);
	ok(fc_hits() == n + 1, "%s: served by the flow cache", name);
}

static void send_cached(const char *name, struct pkt *p, __u32 bid)
{
	send_cached_info(name, p, bid, 0);
}

/*
 * s's cached flow p (backend bid) after a publish of s that changed its
 * encapsulation (info: INFO(ENCAP_GUE) for GUE now): encapsulated the new
 * way at once (through the connection table: the cache entry is the old
 * publish's, it holds the old encapsulation), then cached that way.
 */
static void encap_changed(const char *name, struct xlbh_svc *s, struct pkt *p,
			  __u32 bid, __u32 info)
{
	__u64 n;

	publish_svc(name, s);
	n = fc_hits();
	send_to(name, p, bid, INFO(CT_HIT) | info);
	ok(fc_hits() == n, "%s: not served by the flow cache", name);
	send_cached_info(name, p, bid, info);
}

/*
 * A publish that changes only a service's encapsulation (GUE <-> IPIP, the
 * GUE port), with its flows in the flow cache (a hit reads the
 * encapsulation from the cache entry, not from the service): never the old
 * headers after the publish.  The GUE services of test_gue().
 */
static void test_encap_change(void)
{
	__u32 gue = INFO(ENCAP_GUE);
	struct pkt p, u;

	p = cli("192.0.2.63", 6002, "10.100.0.20", 80, IPPROTO_TCP, TCP_SYN);
	send_to("encap change: syn (gue)", &p, 30, INFO(CT_MISS) | gue);
	send_cached_info("encap change: ack (gue)", &p, 30, gue);
	u = cli("2001:db8::63", 6002, "fd10::20", 443, IPPROTO_UDP, 0);
	send_to("encap change: udp6 (gue)", &u, 31, INFO(CT_MISS) | gue);
	send_cached_info("encap change: udp6 (gue)", &u, 31, gue);

	S[14]->encap = XLB_ENCAP_IPIP;
	S[14]->encap_port = 0;
	encap_changed("encap change: v4 gue -> ipip", S[14], &p, 30, 0);
	S[15]->encap = XLB_ENCAP_IPIP;
	S[15]->encap_port = 0;
	encap_changed("encap change: v6 gue -> ip6ip6", S[15], &u, 31, 0);
	S[14]->encap = XLB_ENCAP_GUE;
	S[14]->encap_port = 6080;
	encap_changed("encap change: v4 ipip -> gue 6080", S[14], &p, 30, gue);
	S[14]->encap_port = 6081;
	encap_changed("encap change: v4 gue port 6080 -> 6081", S[14], &p, 30,
		      gue);
	S[15]->encap = XLB_ENCAP_GUE;
	S[15]->encap_port = 9;
	encap_changed("encap change: v6 ip6ip6 -> gue 9", S[15], &u, 31, gue);
}

/*
 * Per-service invalidation (issue 16): a change published for service A
 * invalidates A's flow cache and next-hop cache entries and no other
 * service's.  A's cached flow whose connection table entry is gone (as
 * after an LRU eviction) must follow A's new table once A's backend is
 * drained, not the cached choice; B's cached flow and cached next hop
 * survive A's publish (B's neighbour changed meanwhile: B keeps the cached
 * MAC until B is published).  A's removal ends A's cached flows at once,
 * before the grace period retires A's entry.  A program instance of its
 * own, whose next-hop cache never expires, so only publishes refresh it.
 */
static void test_svc_invalidation(void)
{
	static const __u8 newmac[6] = { 2, 0, 0, 0, 0x0b, 0x98 };
	struct xlbh_svc *A, *B;
	struct xlbh_be *old_be;
	struct xlb_flow fa;
	struct pkt a, a2, g;
	struct nh *nh;
	__u32 ba, nb;
	__u8 mac[6];
	__u64 n;

	/* next hops cached for good: only publishes may refresh them */
	xlbh_close(&H);
	fc_reset(true);
	if (!ok(xlbh_open_nh(&H, 1021, 64, 1ULL << 40, 0) == 0,
		"load with a next-hop cache that never expires"))
		return;
	prog = xlbh_prog_fd(&H);
	setup_config();
	H.flags = XLB_CTL_F_BOUND;
	A = xlbh_svc_add(&H, 14, "10.100.0.20", 80, IPPROTO_TCP, 251);
	xlbh_be_add(&H, A, 30, "10.0.0.10", 1);
	xlbh_be_add(&H, A, 31, "10.0.0.11", 1);
	B = xlbh_svc_add(&H, 15, "10.100.0.21", 80, IPPROTO_TCP, 251);
	xlbh_be_add(&H, B, 32, "10.1.0.10", 1);
	publish("publish: services A (10.100.0.20) and B (10.100.0.21)");
	a = cli("192.0.2.160", 7100, "10.100.0.20", 80, IPPROTO_TCP, TCP_SYN);
	ba = pick(A, &a);
	send_to("svc inval: syn a (service A)", &a, ba, INFO(CT_MISS));
	send_cached("svc inval: ack a", &a, ba);
	g = cli("192.0.2.161", 7200, "10.100.0.21", 80, IPPROTO_TCP, TCP_SYN);
	send_to("svc inval: syn g (service B)", &g, 32, INFO(CT_MISS));
	send_cached("svc inval: ack g", &g, 32);

	/* B's next hop changes in the kernel; only a publish of B shows it */
	nh = nh_of(B->be[0].addr, B->be[0].family);
	if (!ok(nh && set_neigh("02:00:00:00:0b:98") == 0,
		"svc inval: B's neighbour changed") ||
	    !nh)
		return;
	/* a's entry evicted, a's backend drained, published for A alone */
	pkt_flow(&a, &fa);
	ok(xlbh_ct_del(&H, &fa) == 0, "svc inval: a's conntrack entry deleted");
	old_be = xlbh_be_by_bid(&H, ba);
	old_be->state = XLB_BE_DRAIN;
	publish_svc("publish: A's backend of a draining (A alone)", A);
	nb = pick(A, &a);
	ok(nb != ba && nb != XLB_TABLE_EMPTY,
	   "svc inval: A's new table sends a to another backend");
	n = fc_hits();
	send_to("svc inval: ack a after A's publish -> A's new table, not the "
		"cached backend",
		&a, nb, INFO(CT_MISS) | INFO(CT_UNTRACKED));
	ok(fc_hits() == n, "svc inval: a not served by the flow cache");
	n = fc_hits();
	send_to("svc inval: ack g after A's publish -> cached, old MAC", &g, 32,
		INFO(CT_HIT));
	ok(fc_hits() == n + 1,
	   "svc inval: B's cached flow survives A's publish");
	memcpy(mac, nh->mac, 6);
	memcpy(nh->mac, newmac, 6);
	publish_svc("publish: B alone", B);
	send_to("svc inval: ack g after B's publish -> new MAC", &g, 32,
		INFO(CT_HIT));
	memcpy(nh->mac, mac, 6);
	ok(set_neigh("02:00:00:00:0b:10") == 0,
	   "svc inval: neighbour restored");
	publish_svc("publish: B alone again", B);
	send_to("svc inval: ack g -> old MAC again", &g, 32, INFO(CT_HIT));

	/* A removed: before the grace period its entry still has its gen */
	old_be->state = XLB_BE_ACTIVE;
	publish_svc("publish: A's backend active again", A);
	a2 = cli("192.0.2.162", 7300, "10.100.0.20", 80, IPPROTO_TCP, TCP_SYN);
	send_to("svc inval: syn a2 (service A)", &a2, pick(A, &a2),
		INFO(CT_MISS));
	send_cached("svc inval: ack a2", &a2, pick(A, &a2));
	ok(xlbh_svc_remove(&H, A, false) == 0,
	   "svc inval: A removed (VIP gone, not yet retired)");
	oracle_refresh();
	send_unchanged("svc inval: ack a2 after A's removal -> not a service",
		       &a2, XDP_PASS, XLB_STAT_PASS_NOT_SERVICE, 0);
	n = fc_hits();
	send_to("svc inval: ack g after A's removal -> cached", &g, 32,
		INFO(CT_HIT));
	ok(fc_hits() == n + 1,
	   "svc inval: B's cached flow survives A's removal");
	ok(xlbh_svc_remove(&H, A, true) == 0, "svc inval: A retired");
	ok(xlbh_svc_remove(&H, B, true) == 0, "svc inval: B removed");
	oracle_refresh();
}

static __u64 stat_of(int i)
{
	__u64 c[XLB_STAT__MAX];

	return xlbh_stats(&H, c) ? 0 : c[i];
}

/* n packets of a non-service flow: each one a flow cache probe that misses. */
static void fc_misses(const char *name, __u32 n, __u32 bypassed)
{
	struct pkt q = cli("192.0.2.171", 7400, "10.200.0.1", 80, IPPROTO_TCP,
			   TCP_ACK);
	__u64 pass = stat_of(XLB_STAT_PASS_NOT_SERVICE);
	__u64 byp = stat_of(XLB_STAT_FC_BYPASS);
	__u8 in[4096];
	size_t len = pkt_build(&q, in);
	__u32 v = 0;

	ok(xlbh_run_n(prog, if_a, in, len, n, &v) == 0 && v == XDP_PASS &&
		   stat_of(XLB_STAT_PASS_NOT_SERVICE) == pass + n &&
		   stat_of(XLB_STAT_FC_BYPASS) == byp + bypassed,
	   "%s: %u non-service packets (%u bypassed)", name, n, bypassed);
}

/*
 * The adaptive bypass (xlb_fc_adapt): probes that miss (non-service
 * packets: they probe and never fill) run up a debt of XLB_FC_MISS_COST
 * each, hits pay 1 back; at XLB_FC_DEBT_MAX the next XLB_FC_BYPASS_PKTS
 * established packets skip the cache (flow_cache_bypass, served by the
 * connection table, no fill), then probing starts again with no debt and
 * the cached flow hits again.
 */
static void test_fc_bypass(void)
{
	__u32 k = (XLB_FC_DEBT_MAX - 1) / XLB_FC_MISS_COST;
	struct pkt a;
	__u32 ba;
	__u64 n;

	a = cli("192.0.2.170", 7500, "10.100.0.1", 80, IPPROTO_TCP, TCP_SYN);
	ba = pick(S[0], &a);
	send_to("bypass: syn a", &a, ba, INFO(CT_MISS));
	send_cached("bypass: ack a", &a, ba);
	/* the first ACK missed the cache (it took the SYN's choice) */
	ok(xlbh_fc_adapt_set(&H, 0) == 0, "bypass: every CPU probing");
	fc_misses("bypass: debt just below the limit", k, 0);
	n = fc_hits();
	send_to("bypass: ack a still probes and hits (pays 1 back)", &a, ba,
		INFO(CT_HIT));
	send_to("bypass: and once more (pays 1 back)", &a, ba, INFO(CT_HIT));
	ok(fc_hits() == n + 2, "bypass: the two hits were flow cache hits");
	fc_misses("bypass: one miss more, still below the limit", 1, 0);
	n = fc_hits();
	send_to("bypass: ack a hits: the hits paid back", &a, ba, INFO(CT_HIT));
	ok(fc_hits() == n + 1, "bypass: a flow cache hit");
	fc_misses("bypass: one miss reaches the limit", 1, 0);
	fc_bypassed = true;
	send_to("bypass: ack a bypasses the cache -> connection table", &a, ba,
		INFO(CT_HIT) | INFO(FC_BYPASS));
	fc_misses("bypass: the rest of the bypass but one",
		  XLB_FC_BYPASS_PKTS - 2, XLB_FC_BYPASS_PKTS - 2);
	send_to("bypass: ack a, the last bypassed packet", &a, ba,
		INFO(CT_HIT) | INFO(FC_BYPASS));
	fc_bypassed = false;
	n = fc_hits();
	send_to("bypass: ack a probes again and hits", &a, ba, INFO(CT_HIT));
	ok(fc_hits() == n + 1, "bypass: a flow cache hit again");
}

/*
 * The flow cache: hits, slot collisions (a flow that served a packet keeps
 * its slot against another flow's fill, a stale or unused one does not),
 * and an entry past its lifetime
 * (a program instance with a 1-jiffy lifetime) is not used: the flow is
 * looked up in the connection table again.
 */
static void test_flow_cache(void)
{
	struct xlb_flow fa, fb;
	struct pkt a, b;
	__u16 port;

	a = cli("192.0.2.150", 7000, "10.100.0.1", 80, IPPROTO_TCP, TCP_SYN);
	pkt_flow(&a, &fa);
	b = a;
	for (port = 7001; port; port++) {
		b.sport = port;
		pkt_flow(&b, &fb);
		if (xlb_fc_index(&fb, XLB_DEFAULT_FC_BITS) ==
		    xlb_fc_index(&fa, XLB_DEFAULT_FC_BITS))
			break;
	}
	ok(port != 0, "two flows sharing a flow cache slot (sport %u)", port);
	send_to("fc: syn a", &a, pick(S[0], &a), INFO(CT_MISS));
	ok(memcmp(&fc_model[xlb_fc_index(&fa, XLB_DEFAULT_FC_BITS)].flow, &fa,
		  sizeof(fa)),
	   "model: a SYN fills no slot");
	a.tcp_flags = TCP_ACK;
	send_to("fc: ack a takes the SYN's choice, fills the slot", &a,
		pick(S[0], &a), INFO(CT_HIT));
	ok(!memcmp(&fc_model[xlb_fc_index(&fa, XLB_DEFAULT_FC_BITS)].flow, &fa,
		   sizeof(fa)),
	   "model: a is in the cache");
	send_to("fc: ack a served by the flow cache", &a, pick(S[0], &a),
		INFO(CT_HIT));
	send_to("fc: syn b", &b, pick(S[0], &b), INFO(CT_MISS));
	b.tcp_flags = TCP_ACK;
	send_to("fc: ack b takes the SYN's choice, leaves a's slot (a served "
		"a packet)",
		&b, pick(S[0], &b), INFO(CT_HIT));
	ok(!memcmp(&fc_model[xlb_fc_index(&fa, XLB_DEFAULT_FC_BITS)].flow, &fa,
		   sizeof(fa)),
	   "model: a is still in the cache");
	send_to("fc: ack a -> flow cache (a kept its slot)", &a, pick(S[0], &a),
		INFO(CT_HIT));
	send_to("fc: ack b again -> connection table", &b, pick(S[0], &b),
		INFO(CT_HIT));
	publish("publish (configuration generation moves)");
	ok(!fc_valid(&fc_model[xlb_fc_index(&fb, XLB_DEFAULT_FC_BITS)]),
	   "model: a publish of the service invalidates its flows");
	send_to("fc: ack b after a publish -> connection table, takes the "
		"slot of a's stale entry",
		&b, pick(S[0], &b), INFO(CT_HIT));
	ok(!memcmp(&fc_model[xlb_fc_index(&fb, XLB_DEFAULT_FC_BITS)].flow, &fb,
		   sizeof(fb)),
	   "model: b is in the cache");
	send_to("fc: ack a -> connection table, takes the slot (b served "
		"no packet yet)",
		&a, pick(S[0], &a), INFO(CT_HIT));
	send_to("fc: ack a -> flow cache", &a, pick(S[0], &a), INFO(CT_HIT));
	send_to("fc: ack b -> connection table (a holds the slot)", &b,
		pick(S[0], &b), INFO(CT_HIT));

	xlbh_close(&H);
	xlbh_fc_ttl = 1;
	if (!ok(xlbh_open(&H, 1021, 64) == 0, "load with a 1-jiffy flow cache"))
		return;
	prog = xlbh_prog_fd(&H);
	setup_config();
	H.flags = XLB_CTL_F_BOUND;
	publish("publish");
	fc_reset(true);
	a.tcp_flags = TCP_SYN;
	send_to("fc ttl 1: syn", &a, pick(S[0], &a), INFO(CT_MISS));
	a.tcp_flags = TCP_ACK;
	send_to("fc ttl 1: ack fills the slot", &a, pick(S[0], &a),
		INFO(CT_HIT));
	nanosleep(&(struct timespec){ .tv_nsec = 100000000L }, NULL);
	/* the model would say "cached": it knows no time, so turn it off */
	fc_reset(false);
	a.tcp_flags = TCP_ACK;
	send_to("fc ttl 1: ack 100 ms later -> connection table, not the "
		"expired cache entry",
		&a, pick(S[0], &a), INFO(CT_HIT));
}

int main(void)
{
	cpu_set_t cpus;
	__u8 in[4096];
	struct pkt p;
	size_t len;
	int err;

	/* one CPU: the per-CPU flow cache model holds */
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		return ok(false, "pin to CPU 0: %s", strerror(errno)),
		       tap_done();
	xlbh_fc_ttl = 1ULL << 40;
	if_a = if_nametoindex("xa0");
	if_b = if_nametoindex("xb0");
	if (!if_a || !if_b) {
		fprintf(stderr, "test_xdp: devices xa0/xb0 missing: run me "
				"through tests/bpf/run.sh\n");
		return 1;
	}
	err = xlbh_open(&H, 1021, 64);
	if (!ok(!err, "load xlb.bpf.o (table_max 1021, vip_slots 64): %d", err))
		return tap_done();
	prog = xlbh_prog_fd(&H);
	setup_config();

	/* not bound yet: everything passes untouched */
	publish("publish without XLB_CTL_F_BOUND");
	p = cli("192.0.2.1", 40000, "10.100.0.1", 80, IPPROTO_TCP, TCP_SYN);
	len = pkt_build(&p, in);
	fixture("not bound -> pass_not_bound", in, len, XDP_PASS,
		XLB_STAT_PASS_NOT_BOUND, 0, NULL, 0);
	H.flags = XLB_CTL_F_BOUND;
	publish("publish bound configuration");

	test_basic();
	test_flow_hash();
	test_not_service();
	test_vlan();
	test_options_fragments();
	test_table_change();
	test_drain_delete();
	test_icmp();
	test_truncated();
	test_sizes();
	test_counters();
	test_nh_cache();
	test_too_big();
	test_gue();
	test_encap_change();
	test_svc_invalidation();
	test_fc_bypass();
	test_flow_cache();
	test_no_nh_cache();
	test_too_big_ratelimit();
	xlbh_close(&H);
	return tap_done();
}
