/* SPDX-License-Identifier: GPL-2.0 */
/*
 * select.h - which service and backend: the VIP table match, the Maglev
 * lookup, and the per-CPU flow cache in front of the connection table.
 */
#ifndef XLB_BPF_LIB_SELECT_H
#define XLB_BPF_LIB_SELECT_H

#include "parse.h"

/* Service id + 1 of the packet's destination, 0 if it is not a service. */
static __always_inline __u32 xlb_match(const struct xlb_ctl *ctl,
				       const struct xlb_pkt *p)
{
	struct xlb_vip_key k;
	__u32 h, half, base, mask = xlb_cfg_vip_slots - 1;
	int i;

	__builtin_memcpy(k.addr, p->flow.dst, sizeof(k.addr));
	k.port = p->flow.dport;
	k.proto = p->flow.proto;
	k.family = p->flow.family;
	/* One load of vip_active picks the half and the seed it was built with. */
	half = *(volatile __u32 *)&ctl->vip_active & 1;
	h = xlb_hash_vip(&k, ctl->seed[half]);
	base = half * xlb_cfg_vip_slots;

#pragma unroll
	for (i = 0; i < XLB_VIP_MAX_PROBE; i++) {
		__u32 idx = base + ((h + i) & mask);
		struct xlb_vip_slot *s = bpf_map_lookup_elem(&xlb_vips, &idx);

		if (!s || !s->sid_plus1)
			return 0;
		if (s->key.addr[0] == k.addr[0] &&
		    s->key.addr[1] == k.addr[1] &&
		    s->key.addr[2] == k.addr[2] &&
		    s->key.addr[3] == k.addr[3] && s->key.port == k.port &&
		    s->key.proto == k.proto && s->key.family == k.family)
			return s->sid_plus1;
	}
	return 0;
}

/*
 * This CPU's flow cache slot for packet p (not an ICMP error) of flow hash
 * hash (xlb_flow_hash()), NULL with
 * the cache off or, unless p is a SYN, bypassed (st->fc,
 * include/uapi/xlb_maps.h): then neither probe nor fill.  A SYN gets its
 * slot even then: one that rewrites its flow's connection table entry
 * empties the slot if it holds the flow (xlb_syn_new()).
 */
static __always_inline struct xlb_fc *
xlb_fc_slot(const struct xlb_pkt *p, __u32 hash, struct xlb_stats *st)
{
	__u32 idx;

	if (!xlb_cfg_fc_ttl_jiffies)
		return NULL;
	if (st->fc.debt >= XLB_FC_DEBT_MAX && !p->syn) {
		/* the last bypassed packet: probe again, with a clean slate */
		if (--st->fc.debt <= XLB_FC_DEBT_MAX)
			st->fc.debt = 0;
		st->c[XLB_STAT_FC_BYPASS]++;
		return NULL;
	}
	idx = xlb_fc_slot_of(hash, xlb_cfg_fc_bits);
	return bpf_map_lookup_elem(&xlb_flow_cache, &idx);
}

/*
 * A probe missed: the hits since the previous miss pay back (one each,
 * down to 0), this miss adds its cost; at the limit the bypass starts.
 * A hit costs nothing here: it is counted in flow_cache_hit anyway.
 */
static __always_inline void xlb_fc_missed(struct xlb_stats *st)
{
	__u32 hits = (__u32)st->c[XLB_STAT_FLOW_CACHE_HIT];
	__u32 paid = hits - st->fc.hits, debt = st->fc.debt;

	st->fc.hits = hits;
	debt = paid >= debt ? XLB_FC_MISS_COST : debt - paid + XLB_FC_MISS_COST;
	if (debt >= XLB_FC_DEBT_MAX)
		debt = XLB_FC_DEBT_MAX + XLB_FC_BYPASS_PKTS;
	st->fc.debt = debt;
}

/* Flow x equals flow y (all ten words, unused ones are zero). */
static __always_inline int xlb_flow_eq(const struct xlb_flow *x,
				       const struct xlb_flow *y)
{
	const __u64 *a = (const __u64 *)x, *b = (const __u64 *)y;

	return !((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]) |
		 (a[4] ^ b[4]));
}

/* The cached flow equals f. */
static __always_inline int xlb_fc_match(const struct xlb_fc *e,
					const struct xlb_flow *f)
{
	return xlb_flow_eq(&e->flow, f);
}

/* The backend of id bid if it still is the one of generation gen. */
static __always_inline struct xlb_backend *xlb_live_backend(__u32 *bid,
							    __u32 gen)
{
	struct xlb_backend *be = bpf_map_lookup_elem(&xlb_backends, bid);

	if (be && be->gen == gen && be->state != XLB_BE_UNUSED)
		return be;
	return NULL;
}

/*
 * Flow cache entry e's backend (id *bid = e->bid) if it still is the one
 * of e's choice and e's service has not been published since (the
 * backend's copy of the service's ver): a hit reads no xlb_services entry.
 */
static __always_inline struct xlb_backend *
xlb_fc_backend(const struct xlb_fc *e, __u32 *bid)
{
	struct xlb_backend *be = xlb_live_backend(bid, e->be_gen);

	if (be && *(volatile __u16 *)&be->svc_ver == (__u16)e->svc_ver)
		return be;
	return NULL;
}

/*
 * The live table copy's configuration of service sid if the service is
 * still the one of generation gen and unchanged since ver (no publish of
 * it, no removal), else NULL.
 */
static __always_inline const struct xlb_svc_cfg *
xlb_live_cfg(__u32 sid, __u32 gen, __u32 ver)
{
	struct xlb_service *svc = bpf_map_lookup_elem(&xlb_services, &sid);

	if (!svc || !gen || svc->gen != gen ||
	    *(volatile __u32 *)&svc->ver != ver)
		return NULL;
	return &svc->cfg[*(volatile __u32 *)&svc->active & 1];
}

/* What a flow cache entry records besides the flow. */
struct xlb_fc_val {
	__u32 bid, be_gen, sid, svc_gen, svc_ver;
	__u8 encap; /* the live copy's cfg->encap and encap_port */
	__be16 encap_port;
};

/* Entry e's service is unchanged (v: a choice made under the live one). */
static __always_inline int xlb_fc_valid(const struct xlb_fc *e,
					const struct xlb_fc_val *v)
{
	if (e->sid == v->sid)
		return e->svc_gen == v->svc_gen && e->svc_ver == v->svc_ver;
	return xlb_live_cfg(e->sid, e->svc_gen, e->svc_ver) != NULL;
}

/*
 * Fill slot e with flow f, unless it holds another flow that has served a
 * packet since its own fill and is still valid (its service unchanged, not
 * expired): such a flow is busy, and a flow that merely missed must not
 * push it out (a Zipf mix of many flows would otherwise churn the hot ones
 * out of the cache).
 */
static __always_inline void xlb_fc_fill(struct xlb_fc *e,
					const struct xlb_flow *f,
					const struct xlb_fc_val *v)
{
	__u64 now;

	if (!e)
		return;
	now = bpf_jiffies64();
	if (e->hit && e->expires > now && !xlb_fc_match(e, f) &&
	    xlb_fc_valid(e, v))
		return;
	__builtin_memcpy(&e->flow, f, sizeof(*f));
	e->bid = v->bid;
	e->be_gen = v->be_gen;
	e->sid = v->sid;
	e->svc_gen = v->svc_gen;
	e->svc_ver = v->svc_ver;
	e->hit = 0;
	e->encap = v->encap;
	e->encap_port = v->encap_port;
	e->expires = now + xlb_cfg_fc_ttl_jiffies;
}

/* Maglev: seeded flow hash -> slot of table copy c (config cfg) -> backend. */
static __always_inline struct xlb_backend *
xlb_maglev(const struct xlb_svc_cfg *cfg, __u32 c, __u32 sid, struct xlb_pkt *p,
	   __u32 *bid)
{
	__u32 key = XLB_TABLE_KEY(sid, c), m = cfg->table_size, slot, *tbl;
	struct xlb_backend *be;

	tbl = bpf_map_lookup_elem(&xlb_tables, &key);
	if (!tbl || m > xlb_cfg_table_max)
		return NULL;
	slot = xlb_hash_slot(xlb_hash_flow(&p->flow, cfg->seed, cfg->flags), m);
	if (slot >= xlb_cfg_table_max)
		return NULL;
	*bid = tbl[slot];
	if (*bid == XLB_TABLE_EMPTY)
		return NULL;
	be = bpf_map_lookup_elem(&xlb_backends, bid);
	if (!be || !be->gen || be->state == XLB_BE_UNUSED)
		return NULL;
	return be;
}

#endif /* XLB_BPF_LIB_SELECT_H */
