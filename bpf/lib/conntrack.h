/* SPDX-License-Identifier: GPL-2.0 */
/*
 * conntrack.h - the connection table: lookup, UDP expiry, the per-CPU
 * budget of new entries, and recording a flow's backend.
 */
#ifndef XLB_BPF_LIB_CONNTRACK_H
#define XLB_BPF_LIB_CONNTRACK_H

#include "select.h"

/*
 * The connection table's clock in ns (budget windows, UDP idleness).  A
 * test object may define XLB_CT_CLOCK before it includes the data path, to
 * drive that time itself (tests/bpf/ct_clock.bpf.c).
 */
#ifndef XLB_CT_CLOCK
#define XLB_CT_CLOCK() bpf_ktime_get_coarse_ns()
#endif

/* The IPv4 conntrack key of a flow. */
static __always_inline void xlb_flow4(struct xlb_flow4 *k,
				      const struct xlb_flow *f)
{
	__u32 *w = (__u32 *)k;

	w[0] = (__u32)f->src[0];
	w[1] = (__u32)f->dst[0];
	w[2] = *(const __u32 *)&f->sport;
	w[3] = f->proto;
}

static __always_inline struct xlb_ct_entry *
xlb_ct_lookup(const struct xlb_pkt *p)
{
	struct xlb_ct_entry *ct;
	struct xlb_flow4 k;

	if (p->flow.family != XLB_AF_INET) {
		ct = bpf_map_lookup_elem(&xlb_conntrack, &p->flow);
		xlb_keep_apart(ct);
		return ct;
	}
	xlb_flow4(&k, &p->flow);
	return bpf_map_lookup_elem(&xlb_conntrack4, &k);
}

static __always_inline void xlb_ct_record(const struct xlb_pkt *p,
					  const struct xlb_ct_entry *ce)
{
	struct xlb_flow4 k;
	long err;

	if (p->flow.family != XLB_AF_INET) {
		err = bpf_map_update_elem(&xlb_conntrack, &p->flow, ce,
					  BPF_ANY);
		xlb_keep_apart(err);
		return;
	}
	xlb_flow4(&k, &p->flow);
	bpf_map_update_elem(&xlb_conntrack4, &k, ce, BPF_ANY);
}

/*
 * A UDP entry idle for longer than the service's timeout is expired (0 =
 * never).  seen is written back only when it is more than a slack of
 * timeout / 8 old, so a busy flow dirties its entry's cache line a few
 * times per timeout, not per packet; the check allows for that slack.
 */
static __always_inline int xlb_ct_expired(const struct xlb_pkt *p,
					  struct xlb_ct_entry *ct,
					  const struct xlb_svc_cfg *cfg)
{
	__u64 now, age, t, slack;

	if (p->flow.proto != IPPROTO_UDP || !cfg->udp_timeout)
		return 0;
	now = XLB_CT_CLOCK();
	age = now - ct->seen;
	t = (__u64)cfg->udp_timeout * 1000000000ULL;
	slack = t >> 3;
	if (age > t + slack)
		return 1;
	if (age > slack && !p->icmp)
		ct->seen = now;
	return 0;
}

/*
 * May this CPU create one more connection table entry now?  At most
 * xlb_cfg_ct_rate per window of 2^XLB_CT_WINDOW_SHIFT ns.
 */
static __always_inline int xlb_ct_admit(__u64 now)
{
	__u32 zero = 0;
	struct xlb_ct_budget *b;
	__u64 w = now >> XLB_CT_WINDOW_SHIFT;

	if (!xlb_cfg_ct_rate)
		return 1;
	b = bpf_map_lookup_elem(&xlb_ct_budget, &zero);
	if (!b)
		return 0;
	if (b->window != w) {
		b->window = w;
		b->used = 0;
	}
	if (b->used >= xlb_cfg_ct_rate)
		return 0;
	b->used++;
	return 1;
}

/* Flow f's slot in the SYN table (xlb_syn, include/uapi/xlb_maps.h). */
static __always_inline struct xlb_syn *xlb_syn_slot(const struct xlb_flow *f)
{
	__u32 idx = xlb_syn_index(f, XLB_DEFAULT_SYN_BITS);

	return bpf_map_lookup_elem(&xlb_syn, &idx);
}

/*
 * SYN p got backend ce->bid, within this CPU's budget of new entries: a
 * flow with a connection table entry (its client port reused for a new
 * connection) has the entry's backend rewritten in place (bid and gen in
 * one store), and this CPU's flow cache slot fc emptied if it holds the
 * flow (the old connection's choice); any other flow's choice waits in
 * its SYN table slot for the flow's next packet.  The LRU is never
 * inserted into here.
 */
static __always_inline void xlb_syn_new(const struct xlb_pkt *p,
					struct xlb_fc *fc,
					const struct xlb_ct_entry *ce)
{
	struct xlb_ct_entry *ct = xlb_ct_lookup(p);
	struct xlb_syn *s;

	if (ct) {
		*(volatile __u64 *)ct = *(const __u64 *)ce;
		ct->seen = ce->seen;
		if (fc && xlb_fc_match(fc, &p->flow))
			fc->expires = 0;
		return;
	}
	s = xlb_syn_slot(&p->flow);
	if (!s)
		return;
	__builtin_memcpy(&s->flow, &p->flow, sizeof(s->flow));
	s->bid = ce->bid;
	s->gen = ce->gen;
	s->stamp = ce->seen;
	*(volatile __u32 *)&s->check =
		xlb_syn_check(&p->flow, ce->bid, ce->gen, ce->seen);
}

/*
 * TCP packet p without SYN found no connection table entry: if its SYN
 * table slot holds the choice of the flow's SYN (fresh, intact, backend
 * still live), take it: empty the slot, record the choice in the
 * connection table (the SYN was within its CPU's budget) and this CPU's
 * flow cache slot fc, and return the backend (v->bid, v->be_gen).  A RST
 * (the handshake aborted) goes to that backend too, but records nothing.
 * Counts conntrack_hit then, conntrack_stale for a backend gone,
 * conntrack_miss for no choice; NULL in the last two cases.
 */
static __always_inline struct xlb_backend *xlb_syn_take(struct xlb_pkt *p,
							struct xlb_stats *st,
							struct xlb_fc *fc,
							struct xlb_fc_val *v)
{
	struct xlb_syn *s = xlb_syn_slot(&p->flow);
	struct xlb_ct_entry ce;
	struct xlb_backend *be;
	__u64 stamp;
	__u32 check;

	if (!s)
		goto miss;
	check = *(volatile __u32 *)&s->check;
	if (!check || !xlb_flow_eq(&s->flow, &p->flow))
		goto miss;
	ce.bid = s->bid;
	ce.gen = s->gen;
	stamp = s->stamp;
	if (check != xlb_syn_check(&p->flow, ce.bid, ce.gen, stamp))
		goto miss;
	s->check = 0;
	ce.seen = XLB_CT_CLOCK();
	if (ce.seen - stamp > XLB_SYN_TTL_NS)
		goto miss;
	v->bid = ce.bid;
	v->be_gen = ce.gen;
	be = xlb_live_backend(&v->bid, ce.gen);
	if (!be) {
		st->c[XLB_STAT_CT_STALE]++;
		return NULL;
	}
	st->c[XLB_STAT_CT_HIT]++;
	if (p->rst)
		return be;
	xlb_ct_record(p, &ce);
	xlb_fc_fill(fc, &p->flow, v);
	return be;
miss:
	st->c[XLB_STAT_CT_MISS]++;
	return NULL;
}

/*
 * Backend of an established flow from a live conntrack entry, NULL if none,
 * stale or expired.  A live entry fills this CPU's flow cache slot fc.  A
 * TCP packet without entry may find its SYN's choice (xlb_syn_take()).
 */
static __always_inline struct xlb_backend *
xlb_ct_backend(struct xlb_pkt *p, struct xlb_stats *st, struct xlb_fc *fc,
	       struct xlb_fc_val *v, const struct xlb_svc_cfg *cfg)
{
	struct xlb_ct_entry *ct;
	struct xlb_backend *be;

	ct = xlb_ct_lookup(p);
	if (!ct) {
		if (p->flow.proto == IPPROTO_TCP && !p->icmp)
			return xlb_syn_take(p, st, fc, v);
		st->c[XLB_STAT_CT_MISS]++;
		return NULL;
	}
	if (xlb_ct_expired(p, ct, cfg)) {
		st->c[XLB_STAT_CT_EXPIRED]++;
		return NULL;
	}
	v->bid = ct->bid;
	v->be_gen = ct->gen;
	be = xlb_live_backend(&v->bid, v->be_gen);
	if (be) {
		st->c[XLB_STAT_CT_HIT]++;
		xlb_fc_fill(fc, &p->flow, v);
		return be;
	}
	st->c[XLB_STAT_CT_STALE]++;
	return NULL;
}

/*
 * A flow without a live entry got backend v->bid from the Maglev table.
 * Record it only when it is a flow's first packet and this CPU's budget
 * allows: a UDP packet in the connection table, a TCP SYN in the SYN
 * table (xlb_syn_new(); the entry is made when the flow's next packet
 * takes it).  A TCP packet without SYN (ACK, RST, FIN, data) is forwarded
 * by the table but never creates an entry, so spoofed non-SYN floods
 * cannot evict established flows, and SYN floods cannot either
 * (Documentation/datapath.md).
 */
static __always_inline void xlb_ct_new(const struct xlb_pkt *p,
				       struct xlb_stats *st, struct xlb_fc *fc,
				       struct xlb_fc_val *v, __u32 be_gen)
{
	struct xlb_ct_entry ce = { .bid = v->bid, .gen = be_gen };

	if (p->flow.proto == IPPROTO_TCP && !p->syn) {
		st->c[XLB_STAT_CT_UNTRACKED]++;
		return;
	}
	xlb_count_flow(&xlb_svc_stats, v->sid, v->svc_gen);
	xlb_count_flow(&xlb_be_stats, v->bid, be_gen);
	ce.seen = XLB_CT_CLOCK();
	if (!xlb_ct_admit(ce.seen)) {
		st->c[XLB_STAT_CT_RATE_LIMITED]++;
		return;
	}
	if (p->flow.proto == IPPROTO_TCP) {
		xlb_syn_new(p, fc, &ce);
		return;
	}
	xlb_ct_record(p, &ce);
	v->be_gen = be_gen;
	xlb_fc_fill(fc, &p->flow, v);
}

#endif /* XLB_BPF_LIB_CONNTRACK_H */
