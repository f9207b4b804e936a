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
 * Backend of an established flow from a live conntrack entry, NULL if none,
 * stale or expired.  A live entry fills this CPU's flow cache slot fc.
 */
static __always_inline struct xlb_backend *
xlb_ct_backend(struct xlb_pkt *p, struct xlb_stats *st, struct xlb_fc *fc,
	       struct xlb_fc_val *v, const struct xlb_svc_cfg *cfg)
{
	struct xlb_ct_entry *ct;
	struct xlb_backend *be;

	ct = xlb_ct_lookup(p);
	if (!ct) {
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

/*
 * A flow without a live entry got backend v->bid from the Maglev table.
 * Record it only when it is a flow's first packet (TCP SYN, any UDP) and
 * this CPU's budget allows: a TCP packet without SYN (ACK, RST, FIN, data)
 * is forwarded by the table but never creates an entry, so spoofed non-SYN
 * floods cannot evict established flows (Documentation/datapath.md).
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
	xlb_ct_record(p, &ce);
	v->be_gen = be_gen;
	xlb_fc_fill(fc, &p->flow, v);
}

#endif /* XLB_BPF_LIB_CONNTRACK_H */
