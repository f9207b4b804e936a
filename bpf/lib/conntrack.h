/* SPDX-License-Identifier: GPL-2.0 */
/*
 * conntrack.h - the connection table: lookup, UDP expiry, the per-CPU
 * budget of new entries, and recording a flow's backend.
 */
#ifndef XLB_BPF_LIB_CONNTRACK_H
#define XLB_BPF_LIB_CONNTRACK_H

#include "select.h"

/*
 * bpf_ktime_get_coarse_ns() through this CPU's copy (struct xlb_clock in
 * st): the helper is called once per jiffy at most, since the coarse
 * clock moves only at ticks; a call per packet cost more than the rest of
 * an established flow's connection table hit.
 */
static __always_inline __u64 xlb_coarse_ns(struct xlb_stats *st)
{
	__u64 j = bpf_jiffies64();

	if (st->clk.jiffies != j) {
		st->clk.jiffies = j;
		st->clk.ns = bpf_ktime_get_coarse_ns();
	}
	return st->clk.ns;
}

/*
 * The connection table's clock in ns (budget windows, ages of entries and
 * SYN table slots).  A test object may define XLB_CT_CLOCK before it
 * includes the data path, to drive that time itself
 * (tests/bpf/ct_clock.bpf.c).
 */
#ifndef XLB_CT_CLOCK
#define XLB_CT_CLOCK(st) xlb_coarse_ns(st)
#endif

/* The IPv4 connection table words of flow f: source, destination, ports. */
static __always_inline void xlb_ct4_words(__u32 *w, const struct xlb_flow *f)
{
	w[0] = (__u32)f->src[0];
	w[1] = (__u32)f->dst[0];
	w[2] = *(const __u32 *)&f->sport;
}

/* Bucket `second` (0 or 1) of an IPv4 flow of hash h (xlb_ct4_hash()). */
static __always_inline struct xlb_ct4_bucket *xlb_ct4_bucket(__u32 h,
							     int second)
{
	__u32 idx = xlb_ct4_bucket_idx(h, second, xlb_cfg_ct4_mask);

	return bpf_map_lookup_elem(&xlb_conntrack4, &idx);
}

/*
 * Does entry e hold flow (w, proto), intact?  The tag is read first, the
 * words after it: a rewrite in progress (tag 0, or words of the next flow
 * under the old tag) does not match.
 */
static __always_inline int xlb_ct4_match(const struct xlb_ct4 *e,
					 const __u32 *w, __u8 proto)
{
	__u32 tag = *(const volatile __u32 *)&e->tag;
	const __u32 *k = (const __u32 *)e;

	xlb_barrier();
	if ((tag & 0xff) != proto || k[0] != w[0] || k[1] != w[1] ||
	    k[2] != w[2])
		return 0;
	return tag == xlb_ct4_tag(w, proto, e->ce.bid, e->ce.gen);
}

/* Entry e of the IPv4 table becomes flow (w, proto) -> ce; tag last. */
static __always_inline void xlb_ct4_write(struct xlb_ct4 *e, const __u32 *w,
					  __u8 proto,
					  const struct xlb_ct_entry *ce)
{
	__u32 *k = (__u32 *)e;

	*(volatile __u32 *)&e->tag = 0;
	xlb_barrier();
	k[0] = w[0];
	k[1] = w[1];
	k[2] = w[2];
	e->ce.bid = ce->bid;
	e->ce.gen = ce->gen;
	e->ce.seen = ce->seen;
	xlb_barrier();
	*(volatile __u32 *)&e->tag = xlb_ct4_tag(w, proto, ce->bid, ce->gen);
}

/* The entry of IPv4 flow (w, proto) in bucket b, NULL if none. */
static __always_inline struct xlb_ct4 *xlb_ct4_find(struct xlb_ct4_bucket *b,
						    const __u32 *w, __u8 proto)
{
	int i;

	if (!b)
		return NULL;
#pragma unroll
	for (i = 0; i < XLB_CT4_WAYS; i++)
		if (xlb_ct4_match(&b->e[i], w, proto))
			return &b->e[i];
	return NULL;
}

/* The entry of IPv4 flow (w, proto), NULL if none. */
static __always_inline struct xlb_ct4 *xlb_ct4_entry(const __u32 *w, __u8 proto)
{
	__u32 h = xlb_ct4_hash(w, xlb_cfg_ct4_seed);
	struct xlb_ct4 *e;

	e = xlb_ct4_find(xlb_ct4_bucket(h, 0), w, proto);
	if (!e)
		e = xlb_ct4_find(xlb_ct4_bucket(h, 1), w, proto);
	return e;
}

static __always_inline struct xlb_ct_entry *
xlb_ct4_lookup(const struct xlb_flow *f)
{
	struct xlb_ct4 *e;
	__u32 w[3];

	xlb_ct4_words(w, f);
	e = xlb_ct4_entry(w, f->proto);
	return e ? &e->ce : NULL;
}

/* The first empty entry (tag 0) of bucket b in *e: 1, or 0 if none. */
static __always_inline int xlb_ct4_free(struct xlb_ct4_bucket *b,
					struct xlb_ct4 **e)
{
	int i;

#pragma unroll
	for (i = 0; i < XLB_CT4_WAYS; i++)
		if (!*(volatile __u32 *)&b->e[i].tag) {
			*e = &b->e[i];
			return 1;
		}
	return 0;
}

/* Of e and bucket b's entries, the one refreshed longest ago. */
static __always_inline struct xlb_ct4 *xlb_ct4_older(struct xlb_ct4_bucket *b,
						     struct xlb_ct4 *e)
{
	int i;

#pragma unroll
	for (i = 0; i < XLB_CT4_WAYS; i++)
		if (!e || (__s64)(b->e[i].ce.seen - e->ce.seen) < 0)
			e = &b->e[i];
	return e;
}

/*
 * Entry e sits in bucket idx: its flow's other bucket, NULL if it has no
 * other or e is not intact (being rewritten: it must not be copied).
 */
static __always_inline struct xlb_ct4_bucket *
xlb_ct4_other(const struct xlb_ct4 *e, __u32 idx, __u32 *w)
{
	const __u32 *k = (const __u32 *)e;
	__u32 h, o;

	w[0] = k[0];
	w[1] = k[1];
	w[2] = k[2];
	if (!xlb_ct4_match(e, w, e->tag & 0xff))
		return NULL;
	h = xlb_ct4_hash(w, xlb_cfg_ct4_seed);
	o = xlb_ct4_bucket_idx(h, 0, xlb_cfg_ct4_mask);
	if (o == idx)
		o = xlb_ct4_bucket_idx(h, 1, xlb_cfg_ct4_mask);
	if (o == idx)
		return NULL;
	return bpf_map_lookup_elem(&xlb_conntrack4, &o);
}

/*
 * Bucket b (index idx) is full: move one of its entries whose other
 * bucket has an empty entry there (copy first, so that its flow is always
 * found in one of the two), and return the entry it leaves; NULL if none
 * can move.  One level of cuckoo displacement: a table that would evict
 * 2.2 % of new flows at half full evicts 0.02 % (simulated).
 */
static __always_inline struct xlb_ct4 *
xlb_ct4_displace(struct xlb_ct4_bucket *b, __u32 idx)
{
	struct xlb_ct4_bucket *o;
	struct xlb_ct4 *f;
	__u32 w[3];
	int i;

#pragma unroll
	for (i = 0; i < XLB_CT4_WAYS; i++) {
		f = NULL;
		o = xlb_ct4_other(&b->e[i], idx, w);
		if (o && xlb_ct4_free(o, &f) && f) {
			xlb_ct4_write(f, w, b->e[i].tag & 0xff, &b->e[i].ce);
			return &b->e[i];
		}
	}
	return NULL;
}

/*
 * Record IPv4 flow f -> ce: in its entry if it has one, else in an empty
 * entry of its first bucket, else of its second (so most flows are found
 * in their first bucket, one cache line), else in the entry left by
 * moving one of the four to its other bucket (xlb_ct4_displace()), else
 * in place of the candidate refreshed longest ago (counted
 * conntrack_evicted).
 */
static __always_inline void xlb_ct4_record(const struct xlb_flow *f,
					   const struct xlb_ct_entry *ce,
					   struct xlb_stats *st)
{
	struct xlb_ct4 *e, *e0 = NULL, *e1 = NULL;
	struct xlb_ct4_bucket *b0, *b1;
	__u32 w[3], h, i0, i1;

	xlb_ct4_words(w, f);
	h = xlb_ct4_hash(w, xlb_cfg_ct4_seed);
	i0 = xlb_ct4_bucket_idx(h, 0, xlb_cfg_ct4_mask);
	i1 = xlb_ct4_bucket_idx(h, 1, xlb_cfg_ct4_mask);
	b0 = bpf_map_lookup_elem(&xlb_conntrack4, &i0);
	b1 = bpf_map_lookup_elem(&xlb_conntrack4, &i1);
	if (!b0 || !b1)
		return;
	e = xlb_ct4_find(b0, w, f->proto);
	if (!e)
		e = xlb_ct4_find(b1, w, f->proto);
	if (!e) {
		if (xlb_ct4_free(b0, &e0)) {
			e = e0;
		} else if (xlb_ct4_free(b1, &e1)) {
			e = e1;
		} else {
			e = xlb_ct4_displace(b0, i0);
			if (!e)
				e = xlb_ct4_displace(b1, i1);
			if (!e) {
				e = xlb_ct4_older(b1, xlb_ct4_older(b0, NULL));
				st->c[XLB_STAT_CT_EVICTED]++;
			}
		}
	}
	if (e)
		xlb_ct4_write(e, w, f->proto, ce);
}

/*
 * The connection table entry of packet p's flow: IPv6 flows in the LRU
 * hash xlb_conntrack, IPv4 flows in the buckets of xlb_conntrack4.
 */
static __always_inline struct xlb_ct_entry *
xlb_ct_lookup(const struct xlb_pkt *p)
{
	struct xlb_ct_entry *ct;

	if (p->flow.family != XLB_AF_INET) {
		ct = bpf_map_lookup_elem(&xlb_conntrack, &p->flow);
		xlb_keep_apart(ct);
		return ct;
	}
	return xlb_ct4_lookup(&p->flow);
}

static __always_inline void xlb_ct_record(const struct xlb_pkt *p,
					  const struct xlb_ct_entry *ce,
					  struct xlb_stats *st)
{
	long err;

	if (p->flow.family != XLB_AF_INET) {
		err = bpf_map_update_elem(&xlb_conntrack, &p->flow, ce,
					  BPF_ANY);
		xlb_keep_apart(err);
		return;
	}
	xlb_ct4_record(&p->flow, ce, st);
}

/*
 * Packet p's flow has a connection table entry: it takes ce's backend and
 * seen (1).  Else 0.
 */
static __always_inline int xlb_ct_renew(const struct xlb_pkt *p,
					const struct xlb_ct_entry *ce)
{
	struct xlb_ct_entry *ct;
	struct xlb_ct4 *e;
	__u32 w[3];

	if (p->flow.family != XLB_AF_INET) {
		ct = bpf_map_lookup_elem(&xlb_conntrack, &p->flow);
		xlb_keep_apart(ct);
		if (!ct)
			return 0;
		*(volatile __u64 *)ct = *(const __u64 *)ce;
		ct->seen = ce->seen;
		return 1;
	}
	xlb_ct4_words(w, &p->flow);
	e = xlb_ct4_entry(w, p->flow.proto);
	if (!e)
		return 0;
	xlb_ct4_write(e, w, p->flow.proto, ce);
	return 1;
}

/*
 * A UDP entry idle for longer than the service's timeout is expired (0 =
 * never).  seen is written back only when it is more than a slack of
 * timeout / 8 old, so a busy flow dirties its entry's cache line a few
 * times per timeout, not per packet; the check allows for that slack.
 * IPv4 entries of TCP (and of UDP without timeout) are refreshed the same
 * way with a slack of XLB_CT4_REFRESH_NS (~17 s), since the IPv4 table
 * evicts the candidate refreshed longest ago.
 */
static __always_inline int xlb_ct_expired(const struct xlb_pkt *p,
					  struct xlb_ct_entry *ct,
					  const struct xlb_svc_cfg *cfg,
					  struct xlb_stats *st)
{
	__u64 now, age, t = 0, slack = XLB_CT4_REFRESH_NS;

	if (p->flow.proto == IPPROTO_UDP && cfg->udp_timeout) {
		t = (__u64)cfg->udp_timeout * 1000000000ULL;
		slack = t >> 3;
	} else if (p->flow.family != XLB_AF_INET) {
		return 0;
	}
	now = XLB_CT_CLOCK(st);
	age = now - ct->seen;
	if (t && age > t + slack)
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
 * its SYN table slot for the flow's next packet.  The connection table
 * gets no new entry here.
 */
static __always_inline void xlb_syn_new(const struct xlb_pkt *p,
					struct xlb_fc *fc,
					const struct xlb_ct_entry *ce)
{
	struct xlb_syn *s;

	if (xlb_ct_renew(p, ce)) {
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
	ce.seen = XLB_CT_CLOCK(st);
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
	xlb_ct_record(p, &ce, st);
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
	if (xlb_ct_expired(p, ct, cfg, st)) {
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
	ce.seen = XLB_CT_CLOCK(st);
	if (!xlb_ct_admit(ce.seen)) {
		st->c[XLB_STAT_CT_RATE_LIMITED]++;
		return;
	}
	if (p->flow.proto == IPPROTO_TCP) {
		xlb_syn_new(p, fc, &ce);
		return;
	}
	xlb_ct_record(p, &ce, st);
	v->be_gen = be_gen;
	xlb_fc_fill(fc, &p->flow, v);
}

#endif /* XLB_BPF_LIB_CONNTRACK_H */
