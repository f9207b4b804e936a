// SPDX-License-Identifier: GPL-2.0
/*
 * xlbh.c - host harness for the XDP data path (see xlbh.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xlbh.h"
#include "xlb_hash.h"
#include "maglev.h"
#include "xlb.skel.h"

__u8 xlbh_addr(const char *s, __be32 a[4])
{
	memset(a, 0, 16);
	if (inet_pton(AF_INET, s, a) == 1)
		return XLB_AF_INET;
	if (inet_pton(AF_INET6, s, a) == 1)
		return XLB_AF_INET6;
	fprintf(stderr, "xlbh: bad address '%s': want IPv4 or IPv6\n", s);
	exit(2);
}

static struct bpf_map *find_map(struct bpf_object *obj, const char *name,
				int *err)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	if (!m)
		*err = -ENOENT;
	return m;
}

int xlbh_bind(struct xlbh *h, struct bpf_object *obj, __u32 table_max,
	      __u32 vip_slots)
{
	struct xlbh_maps *m = &h->m;
	int err = 0, i;

	memset(h, 0, sizeof(*h));
	h->seed = XLB_DEFAULT_SEED;
	h->table_max = table_max;
	h->vip_slots = vip_slots;
	h->next_gen = 1;
	m->ctl = find_map(obj, XLB_MAP_CTL, &err);
	m->vips = find_map(obj, XLB_MAP_VIPS, &err);
	m->services = find_map(obj, XLB_MAP_SERVICES, &err);
	m->tables = find_map(obj, XLB_MAP_TABLES, &err);
	m->backends = find_map(obj, XLB_MAP_BACKENDS, &err);
	m->conntrack = find_map(obj, XLB_MAP_CONNTRACK, &err);
	m->conntrack4 = find_map(obj, XLB_MAP_CONNTRACK4, &err);
	m->svc_stats = find_map(obj, XLB_MAP_SVC_STATS, &err);
	m->be_stats = find_map(obj, XLB_MAP_BE_STATS, &err);
	m->stats = find_map(obj, XLB_MAP_STATS, &err);
	m->vlan_in = find_map(obj, XLB_MAP_VLAN_IN, &err);
	m->egress = find_map(obj, XLB_MAP_EGRESS, &err);
	m->syn = find_map(obj, XLB_MAP_SYN, &err);
	if (!err)
		h->ct4_mask = bpf_map__max_entries(m->conntrack4) - 1;
	/* as lbctl attach on both devices of tests/bpf/run.sh */
	for (i = 0; !err && i < 2; i++) {
		int ifindex = (int)if_nametoindex(i ? "xb0" : "xa0");

		if (ifindex)
			err = xlbh_vlan_add(h, ifindex, 0, ifindex);
	}
	return err;
}

int xlbh_vlan_add(struct xlbh *h, int real, __u16 vid, int dev)
{
	struct xlb_vlan_key k = { .ifindex = (__u32)real, .vid = vid };
	struct xlb_egress e = { .ifindex = (__u32)real, .vid = vid };
	__u32 d = (__u32)dev;

	if (vid &&
	    bpf_map__update_elem(h->m.vlan_in, &k, sizeof(k), &d, sizeof(d), 0))
		return -errno;
	if (bpf_map__update_elem(h->m.egress, &d, sizeof(d), &e, sizeof(e), 0))
		return -errno;
	return 0;
}

__u64 xlbh_fc_ttl = XLB_DEFAULT_FC_TTL_JIFFIES;
__u64 xlbh_icmp_cost_ns = XLB_DEFAULT_ICMP_COST_NS;
__u32 xlbh_icmp_burst = XLB_DEFAULT_ICMP_BURST;
__u32 xlbh_ct_rate = XLB_DEFAULT_CT_RATE;
__u32 xlbh_ct_entries;

int xlbh_open(struct xlbh *h, __u32 table_max, __u32 vip_slots)
{
	return xlbh_open_nh(h, table_max, vip_slots, XLB_DEFAULT_NH_TTL_JIFFIES,
			    0);
}

int xlbh_open_nh(struct xlbh *h, __u32 table_max, __u32 vip_slots, __u64 nh_ttl,
		 __u32 nh_entries)
{
	struct xlb *skel;
	int err = 0;

	skel = xlb__open();
	if (!skel)
		return -errno;
	skel->rodata->xlb_cfg_nh_ttl_jiffies = nh_ttl;
	skel->rodata->xlb_cfg_fc_ttl_jiffies = xlbh_fc_ttl;
	skel->rodata->xlb_cfg_icmp_cost_ns = xlbh_icmp_cost_ns;
	skel->rodata->xlb_cfg_icmp_burst = xlbh_icmp_burst;
	skel->rodata->xlb_cfg_ct_rate = xlbh_ct_rate;
	skel->rodata->xlb_cfg_ct4_seed = XLBH_CT4_SEED;
	if (xlbh_ct_entries) {
		skel->rodata->xlb_cfg_ct4_mask =
			xlb_ct4_nbuckets(xlbh_ct_entries) - 1;
		err = bpf_map__set_max_entries(skel->maps.xlb_conntrack4, xlb_ct4_nbuckets(xlbh_ct_entries)) ?:
			      bpf_map__set_max_entries(skel->maps.xlb_conntrack,
						       xlbh_ct_entries);
	}
	if (!err && nh_entries)
		err = bpf_map__set_max_entries(skel->maps.xlb_nh_cache,
					       nh_entries);
	skel->rodata->xlb_cfg_table_max = table_max;
	skel->rodata->xlb_cfg_vip_slots = vip_slots;
	if (!err)
		err = bpf_map__set_value_size(skel->maps.xlb_tables,
					      4 * table_max);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.xlb_vips,
					       2 * vip_slots);
	if (!err)
		err = xlb__load(skel);
	if (!err)
		err = xlbh_bind(h, skel->obj, table_max, vip_slots);
	if (err) {
		xlb__destroy(skel);
		return err;
	}
	h->skel = skel;
	return 0;
}

void xlbh_close(struct xlbh *h)
{
	int i;

	for (i = 0; i < XLBH_MAX_SVC; i++)
		free(h->svc[i].table);
	if (h->skel)
		xlb__destroy(h->skel);
	h->skel = NULL;
}

int xlbh_prog_fd(const struct xlbh *h)
{
	return bpf_program__fd(h->skel->progs.xlb_xdp);
}

struct xlbh_svc *xlbh_svc_add(struct xlbh *h, __u32 sid, const char *vip,
			      __u16 port, __u8 proto, __u32 table_size)
{
	struct xlbh_svc *s = &h->svc[sid];

	memset(s, 0, sizeof(*s));
	s->used = true;
	s->sid = sid;
	s->key.family = xlbh_addr(vip, s->key.addr);
	s->key.port = htons(port);
	s->key.proto = proto;
	s->table_size = table_size;
	s->udp_timeout = proto == IPPROTO_UDP ? XLB_UDP_TIMEOUT_DEFAULT : 0;
	s->gen = h->next_gen++;
	return s;
}

struct xlbh_be *xlbh_be_add(struct xlbh *h, struct xlbh_svc *s, __u32 bid,
			    const char *addr, __u32 weight)
{
	struct xlbh_be *b = &s->be[s->nbe++];

	b->family = xlbh_addr(addr, b->addr);
	b->state = XLB_BE_ACTIVE;
	b->weight = weight;
	b->bid = bid;
	b->gen = h->next_gen++;
	return b;
}

struct xlbh_be *xlbh_be_by_bid(struct xlbh *h, __u32 bid)
{
	__u32 i, j;

	for (i = 0; i < XLBH_MAX_SVC; i++)
		for (j = 0; j < h->svc[i].nbe; j++)
			if (h->svc[i].used && h->svc[i].be[j].bid == bid &&
			    h->svc[i].be[j].state != XLB_BE_UNUSED)
				return &h->svc[i].be[j];
	return NULL;
}

static int put(struct bpf_map *m, __u32 key, const void *val)
{
	return bpf_map__update_elem(m, &key, sizeof(key), val,
				    bpf_map__value_size(m), 0);
}

/* The entries of s's backends, with the service's ver as published last. */
static int publish_svc_backends(struct xlbh *h, const struct xlbh_svc *s)
{
	__u32 j;
	int err;

	for (j = 0; j < s->nbe; j++) {
		const struct xlbh_be *b = &s->be[j];
		struct xlb_backend v = {
			.family = b->family,
			.state = b->state,
			.svc_ver = (__u16)s->ver,
			.sid = s->sid,
			.gen = b->gen,
			.weight = b->weight,
		};

		memcpy(v.addr, b->addr, 16);
		err = put(h->m.backends, b->bid, &v);
		if (err)
			return err;
	}
	return 0;
}

static int publish_backends(struct xlbh *h)
{
	__u32 i;
	int err;

	for (i = 0; i < XLBH_MAX_SVC; i++) {
		if (!h->svc[i].used)
			continue;
		err = publish_svc_backends(h, &h->svc[i]);
		if (err)
			return err;
	}
	return 0;
}

/* Build the service's table into its inactive copy, then flip. */
static int publish_service(struct xlbh *h, struct xlbh_svc *s)
{
	struct xlb_maglev_backend mb[XLBH_MAX_BE];
	__u32 map[XLBH_MAX_BE], n = 0, i, *tbl, *val;
	size_t ws = xlb_maglev_work_size(s->nbe);
	void *work = malloc(ws);
	struct xlb_service sv;
	int err;

	tbl = calloc(s->table_size, 4);
	val = malloc(4ul * h->table_max);
	if (!work || !tbl || !val) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < s->nbe; i++) {
		if (s->be[i].state == XLB_BE_UNUSED)
			continue;
		memset(&mb[n], 0, sizeof(mb[n]));
		memcpy(mb[n].addr, s->be[i].addr, 16);
		mb[n].family = s->be[i].family;
		mb[n].weight =
			s->be[i].state == XLB_BE_ACTIVE ? s->be[i].weight : 0;
		map[n++] = s->be[i].bid;
	}
	err = xlb_maglev_build(mb, n, s->table_size, h->seed, tbl, NULL, work,
			       ws);
	if (err && err != -ENODATA) {
		fprintf(stderr, "xlbh: maglev build: %d\n", err);
		goto out;
	}
	for (i = 0; i < h->table_max; i++)
		val[i] = XLB_TABLE_EMPTY;
	for (i = 0; i < s->table_size; i++) {
		tbl[i] = tbl[i] == XLB_MAGLEV_EMPTY ? XLB_TABLE_EMPTY :
						      map[tbl[i]];
		val[i] = tbl[i];
	}
	err = put(h->m.tables, XLB_TABLE_KEY(s->sid, !s->active), val);
	if (!err) {
		s->active = !s->active;
		memset(&sv, 0, sizeof(sv));
		sv.key = s->key;
		sv.active = s->active;
		sv.cfg[s->active].table_size = s->table_size;
		sv.cfg[s->active].flags = s->flags;
		sv.cfg[s->active].seed = h->seed;
		sv.cfg[s->active].nbackends = n;
		sv.cfg[s->active].udp_timeout = s->udp_timeout;
		sv.cfg[s->active].encap = s->encap;
		sv.cfg[s->active].encap_port = htons(s->encap_port);
		sv.gen = s->gen;
		sv.ver = ++s->ver;
		err = put(h->m.services, s->sid, &sv);
	}
	/* after the ver, as the module does (kmod/publish.c, xlb_pub_ver()) */
	if (!err)
		err = publish_svc_backends(h, s);
	free(s->table);
	s->table = tbl;
	tbl = NULL;
out:
	free(tbl);
	free(val);
	free(work);
	return err;
}

static int publish_vips(struct xlbh *h)
{
	__u32 copy = !h->vip_active, base = copy * h->vip_slots, i, k;
	struct xlb_vip_slot *v = calloc(h->vip_slots, sizeof(*v));
	int err = 0;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < XLBH_MAX_SVC; i++) {
		struct xlbh_svc *s = &h->svc[i];
		__u32 home;

		if (!s->used)
			continue;
		home = xlb_hash_vip(&s->key, h->seed);
		for (k = 0; k < XLB_VIP_MAX_PROBE; k++) {
			struct xlb_vip_slot *e =
				&v[(home + k) & (h->vip_slots - 1)];

			if (!e->sid_plus1) {
				e->key = s->key;
				e->sid_plus1 = s->sid + 1;
				break;
			}
		}
		if (k == XLB_VIP_MAX_PROBE) {
			free(v);
			return -ENOSPC;
		}
	}
	for (i = 0; i < h->vip_slots && !err; i++)
		err = put(h->m.vips, base + i, &v[i]);
	free(v);
	if (!err)
		h->vip_active = copy;
	return err;
}

/* xlb_ctl; gen moves when what all services share does (the module's rule). */
static int publish_ctl(struct xlbh *h)
{
	struct xlb_ctl c, old;
	__u32 key = 0;

	if (bpf_map__lookup_elem(h->m.ctl, &key, sizeof(key), &old, sizeof(old),
				 0))
		memset(&old, 0, sizeof(old));
	memset(&c, 0, sizeof(c));
	c.seed[0] = h->seed; /* the live half was built with it */
	c.seed[1] = h->seed;
	c.vip_active = h->vip_active;
	c.vip_slots = h->vip_slots;
	c.table_max = h->table_max;
	c.flags = h->flags;
	c.src4 = h->src4;
	memcpy(c.src6, h->src6, 16);
	if (old.flags != c.flags || old.src4 != c.src4 ||
	    memcmp(old.src6, c.src6, 16))
		h->gen++;
	c.gen = h->gen;
	return put(h->m.ctl, 0, &c);
}

int xlbh_publish(struct xlbh *h)
{
	__u32 i;
	int err;

	err = publish_backends(h);
	for (i = 0; i < XLBH_MAX_SVC && !err; i++)
		if (h->svc[i].used)
			err = publish_service(h, &h->svc[i]);
	if (!err)
		err = publish_vips(h);
	if (err)
		return err;
	return publish_ctl(h);
}

int xlbh_publish_svc(struct xlbh *h, struct xlbh_svc *s)
{
	int err = publish_backends(h);

	return err ? err : publish_service(h, s);
}

int xlbh_svc_remove(struct xlbh *h, struct xlbh_svc *s, bool retire)
{
	struct xlb_service sv;
	__u32 j;
	int err;

	s->used = false;
	err = publish_vips(h);
	if (!err)
		err = publish_ctl(h);
	if (!err)
		err = bpf_map__lookup_elem(h->m.services, &s->sid,
					   sizeof(s->sid), &sv, sizeof(sv), 0);
	if (err)
		return err;
	sv.ver = ++s->ver;
	if (retire)
		sv.gen = 0;
	err = put(h->m.services, s->sid, &sv);
	/* not retired yet: the backends carry the new ver (kmod/publish.c) */
	if (!retire && !err)
		err = publish_svc_backends(h, s);
	for (j = 0; retire && !err && j < s->nbe; j++) {
		struct xlb_backend b = { .state = XLB_BE_UNUSED };

		s->be[j].state = XLB_BE_UNUSED;
		err = put(h->m.backends, s->be[j].bid, &b);
	}
	return err;
}

__u32 xlbh_pick(const struct xlbh *h, const struct xlbh_svc *s,
		const struct xlb_flow *f)
{
	__u32 hash = xlb_hash_flow(f, h->seed, s->flags);

	if (!s->table)
		return XLB_TABLE_EMPTY;
	return s->table[xlb_hash_slot(hash, s->table_size)];
}

/*
 * The IPv4 entry of flow f as the data path finds it (conntrack.h): bucket
 * `second` read into *b, the way holding f in *way.  -ENOENT if none.
 */
static int ct4_find(const struct xlbh *h, const struct xlb_flow *f,
		    struct xlb_ct4_bucket *b, __u32 *idx, int *way)
{
	__u32 w[3] = { f->src[0], f->dst[0] }, hash;
	int s, i;

	memcpy(&w[2], &f->sport, 4);
	hash = xlb_ct4_hash(w, XLBH_CT4_SEED);
	for (s = 0; s < 2; s++) {
		*idx = xlb_ct4_bucket_idx(hash, s, h->ct4_mask);
		if (bpf_map__lookup_elem(h->m.conntrack4, idx, sizeof(*idx), b,
					 sizeof(*b), 0))
			return -ENOENT;
		for (i = 0; i < XLB_CT4_WAYS; i++) {
			const struct xlb_ct4 *e = &b->e[i];

			if (e->tag && e->src == w[0] && e->dst == w[1] &&
			    !memcmp(&e->sport, &w[2], 4) &&
			    e->tag == xlb_ct4_tag(w, f->proto, e->ce.bid,
						  e->ce.gen)) {
				*way = i;
				return 0;
			}
		}
	}
	return -ENOENT;
}

int xlbh_ct_get(const struct xlbh *h, const struct xlb_flow *f,
		struct xlb_ct_entry *e)
{
	struct xlb_ct4_bucket b;
	__u32 idx;
	int way;

	if (f->family != XLB_AF_INET)
		return bpf_map__lookup_elem(h->m.conntrack, f, sizeof(*f), e,
					    sizeof(*e), 0) ?
			       -ENOENT :
			       0;
	if (ct4_find(h, f, &b, &idx, &way))
		return -ENOENT;
	*e = b.e[way].ce;
	return 0;
}

int xlbh_syn_get(const struct xlbh *h, const struct xlb_flow *f,
		 struct xlb_syn *s)
{
	__u32 k = xlb_syn_index(f, XLB_DEFAULT_SYN_BITS);

	if (bpf_map__lookup_elem(h->m.syn, &k, sizeof(k), s, sizeof(*s), 0) ||
	    !s->check || memcmp(&s->flow, f, sizeof(*f)))
		return -ENOENT;
	return 0;
}

int xlbh_ct_del(const struct xlbh *h, const struct xlb_flow *f)
{
	struct xlb_ct4_bucket b;
	__u32 idx;
	int way;

	if (f->family != XLB_AF_INET)
		return bpf_map__delete_elem(h->m.conntrack, f, sizeof(*f), 0);
	if (ct4_find(h, f, &b, &idx, &way))
		return -ENOENT;
	memset(&b.e[way], 0, sizeof(b.e[way]));
	return bpf_map__update_elem(h->m.conntrack4, &idx, sizeof(idx), &b,
				    sizeof(b), 0);
}

int xlbh_stats(const struct xlbh *h, __u64 c[XLB_STAT__MAX])
{
	int ncpu = libbpf_num_possible_cpus(), i, j;
	struct xlb_stats *v = calloc(ncpu, sizeof(*v));
	__u32 key = 0;
	int err;

	if (!v)
		return -ENOMEM;
	err = bpf_map__lookup_elem(h->m.stats, &key, sizeof(key), v,
				   sizeof(*v) * ncpu, 0);
	memset(c, 0, sizeof(__u64) * XLB_STAT__MAX);
	for (i = 0; !err && i < ncpu; i++)
		for (j = 0; j < XLB_STAT__MAX; j++)
			c[j] += v[i].c[j];
	free(v);
	return err;
}

int xlbh_counter(const struct xlbh *h, bool backend, __u32 id, __u32 gen,
		 struct xlbh_cnt *cnt)
{
	struct bpf_map *m = backend ? h->m.be_stats : h->m.svc_stats;
	int ncpu = libbpf_num_possible_cpus(), i, err;
	struct xlb_counter *v = calloc(ncpu, sizeof(*v));

	if (!v)
		return -ENOMEM;
	err = bpf_map__lookup_elem(m, &id, sizeof(id), v, sizeof(*v) * ncpu, 0);
	memset(cnt, 0, sizeof(*cnt));
	for (i = 0; !err && i < ncpu; i++) {
		if (v[i].gen != gen)
			continue;
		cnt->packets += v[i].packets;
		cnt->bytes += v[i].bytes;
		cnt->flows += v[i].flows;
	}
	free(v);
	return err;
}

static int run_n(int prog_fd, int ifindex, const void *in, size_t len,
		 void *out, size_t *out_len, __u32 repeat, __u32 *verdict)
{
	struct xdp_md ctx = {
		.data_end = len,
		.ingress_ifindex = ifindex,
	};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = len,
		    .data_out = out,
		    .data_size_out = out && out_len ? *out_len : 0,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
		    .repeat = repeat, );
	int err = bpf_prog_test_run_opts(prog_fd, &o);

	if (err)
		return err < 0 ? err : -errno;
	if (out_len)
		*out_len = o.data_size_out;
	*verdict = o.retval;
	return 0;
}

int xlbh_run(int prog_fd, int ifindex, const void *in, size_t len, void *out,
	     size_t *out_len, __u32 *verdict)
{
	return run_n(prog_fd, ifindex, in, len, out, out_len, 1, verdict);
}

int xlbh_run_n(int prog_fd, int ifindex, const void *in, size_t len,
	       __u32 repeat, __u32 *verdict)
{
	return run_n(prog_fd, ifindex, in, len, NULL, NULL, repeat, verdict);
}

int xlbh_fc_adapt_set(const struct xlbh *h, __u32 debt)
{
	int ncpu = libbpf_num_possible_cpus(), i, err;
	struct xlb_stats *v = calloc(ncpu, sizeof(*v));
	__u32 key = 0;

	if (!v)
		return -ENOMEM;
	err = bpf_map__lookup_elem(h->m.stats, &key, sizeof(key), v,
				   sizeof(*v) * ncpu, 0);
	for (i = 0; !err && i < ncpu; i++) {
		v[i].fc.debt = debt;
		v[i].fc.hits = (__u32)v[i].c[XLB_STAT_FLOW_CACHE_HIT];
	}
	if (!err)
		err = bpf_map__update_elem(h->m.stats, &key, sizeof(key), v,
					   sizeof(*v) * ncpu, 0);
	free(v);
	return err;
}

/* ---- packets ---- */

__u16 pkt_csum(const void *b, size_t len)
{
	const __u8 *p = b;
	__u32 s = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (__u32)p[i] << 8 | p[i + 1];
	if (len & 1)
		s += (__u32)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return htons(~s & 0xffff);
}

static __u8 *put16(__u8 *b, __u16 v)
{
	b[0] = v >> 8;
	b[1] = v & 0xff;
	return b + 2;
}

/* IPv4 header checksum of hlen bytes at b, stored at offset 10. */
static void put_csum(__u8 *b, size_t hlen)
{
	__u16 c = pkt_csum(b, hlen);

	memcpy(b + 10, &c, 2);
}

size_t pkt_l2_len(const struct pkt *p)
{
	return p->vlan ? 18 : 14;
}

static size_t l4_len(const struct pkt *p)
{
	if (p->proto == IPPROTO_TCP)
		return 20 + p->payload;
	if (p->proto == IPPROTO_UDP)
		return 8 + p->payload;
	return p->raw_l4_len;
}

static __u8 *put_eth(__u8 *b, const __u8 *dmac, const __u8 *smac, bool vlan,
		     __u16 tci, __u16 type)
{
	memcpy(b, dmac, 6);
	memcpy(b + 6, smac, 6);
	b += 12;
	if (vlan) {
		b = put16(b, 0x8100);
		b = put16(b, tci);
	}
	return put16(b, type);
}

size_t pkt_build(const struct pkt *p, __u8 *buf)
{
	size_t l4 = l4_len(p), i;
	__u8 *b;

	b = put_eth(buf, p->dmac, p->smac, p->vlan, p->tci,
		    p->family == XLB_AF_INET ? 0x0800 : 0x86dd);
	if (p->family == XLB_AF_INET) {
		b[0] = 0x40 | (5 + p->optlen / 4);
		b[1] = p->tos;
		put16(b + 2, 20 + p->optlen + l4);
		put16(b + 4, 0x1234);
		put16(b + 6, p->frag_off);
		b[8] = 64;
		b[9] = p->proto;
		b[10] = b[11] = 0;
		memcpy(b + 12, p->src, 4);
		memcpy(b + 16, p->dst, 4);
		memset(b + 20, 1, p->optlen); /* NOP options */
		put_csum(b, 20 + p->optlen);
		b += 20 + p->optlen;
	} else {
		b[0] = 0x60 | p->tos >> 4;
		b[1] = (p->tos & 0xf) << 4;
		b[2] = b[3] = 0;
		put16(b + 4, l4 + (p->v6frag ? 8 : 0));
		b[6] = p->v6frag ? 44 : p->proto;
		b[7] = 64;
		memcpy(b + 8, p->src, 16);
		memcpy(b + 24, p->dst, 16);
		b += 40;
		if (p->v6frag) {
			b[0] = p->proto;
			b[1] = 0;
			put16(b + 2, 1); /* offset 0, more fragments */
			memcpy(b + 4, "\0\0\x12\x34", 4);
			b += 8;
		}
	}
	if (p->proto == IPPROTO_TCP) {
		put16(b, p->sport);
		put16(b + 2, p->dport);
		memcpy(b + 4, "\0\0\0\1\0\0\0\0", 8);
		b[12] = 5 << 4;
		b[13] = p->tcp_flags;
		put16(b + 14, 512);
		memset(b + 16, 0, 4);
		b += 20;
	} else if (p->proto == IPPROTO_UDP) {
		put16(b, p->sport);
		put16(b + 2, p->dport);
		put16(b + 4, 8 + p->payload);
		put16(b + 6, 0);
		b += 8;
	} else {
		memcpy(b, p->raw_l4, p->raw_l4_len);
		return b + p->raw_l4_len - buf;
	}
	for (i = 0; i < p->payload; i++)
		*b++ = (__u8)(i * 7 + 3);
	return b - buf;
}

void pkt_flow(const struct pkt *p, struct xlb_flow *f)
{
	memset(f, 0, sizeof(*f));
	memcpy(f->src, p->src, 16);
	memcpy(f->dst, p->dst, 16);
	f->sport = htons(p->sport);
	f->dport = htons(p->dport);
	f->proto = p->proto;
	f->family = p->family;
}

size_t pkt_encap(const __u8 *dmac, const __u8 *smac, bool vlan, __u16 tci,
		 __u8 ofamily, const __be32 osrc[4], const __be32 odst[4],
		 __u8 tos, __u8 inner_family, const __u8 *l3, size_t l3_len,
		 const struct pkt_outer *o, __u8 *out)
{
	__u8 inner = inner_family == XLB_AF_INET ? 4 : 41;
	__u8 *b = put_eth(out, dmac, smac, vlan, tci,
			  ofamily == XLB_AF_INET ? 0x0800 : 0x86dd);
	size_t ulen = o->gue_port ? 8 : 0;
	__u32 label = XLB_ENT_LABEL(o->ent);

	if (ulen)
		inner = IPPROTO_UDP;
	if (ofamily == XLB_AF_INET) {
		b[0] = 0x45;
		b[1] = tos;
		put16(b + 2, l3_len + 20 + ulen);
		put16(b + 4, 0);
		put16(b + 6, 0x4000);
		b[8] = 64;
		b[9] = inner;
		b[10] = b[11] = 0;
		memcpy(b + 12, osrc, 4);
		memcpy(b + 16, odst, 4);
		put_csum(b, 20);
		b += 20;
	} else {
		b[0] = 0x60 | tos >> 4;
		b[1] = (tos & 0xf) << 4 | (label >> 16 & 0xf);
		put16(b + 2, label & 0xffff);
		put16(b + 4, l3_len + ulen);
		b[6] = inner;
		b[7] = 64;
		memcpy(b + 8, osrc, 16);
		memcpy(b + 24, odst, 16);
		b += 40;
	}
	if (ulen) {
		put16(b, XLB_ENT_SPORT(o->ent));
		put16(b + 2, o->gue_port);
		put16(b + 4, l3_len + 8);
		put16(b + 6, 0);
		b += 8;
	}
	memcpy(b, l3, l3_len);
	return b + l3_len - out;
}

size_t pkt_too_big(const struct pkt *p, const __u8 *frame, size_t len,
		   __u32 mtu, __u8 *out)
{
	size_t l2 = pkt_l2_len(p), max, quote, n;
	bool v4 = p->family == XLB_AF_INET;
	__u8 *b = put_eth(out, p->smac, p->dmac, p->vlan, p->tci,
			  v4 ? 0x0800 : 0x86dd);
	__u8 pseudo[40 + 8 + 1232];

	max = v4 ? 576 - 28 : 1280 - 48;
	quote = len - l2 < max ? len - l2 : max;
	quote &= ~(size_t)3;
	n = 8 + quote;
	if (v4) {
		b[0] = 0x45;
		b[1] = 0;
		put16(b + 2, 20 + n);
		memset(b + 4, 0, 4); /* id 0, no DF */
		b[8] = 64;
		b[9] = IPPROTO_ICMP;
		b[10] = b[11] = 0;
		memcpy(b + 12, p->dst, 4);
		memcpy(b + 16, p->src, 4);
		put_csum(b, 20);
		b += 20;
		b[0] = 3; /* destination unreachable */
		b[1] = 4; /* fragmentation needed */
		memset(b + 2, 0, 4);
		put16(b + 6, mtu);
		memcpy(b + 8, frame + l2, quote);
		memcpy(b + 2, (__u16[]){ pkt_csum(b, n) }, 2);
		return b + n - out;
	}
	b[0] = 0x60;
	memset(b + 1, 0, 3);
	put16(b + 4, n);
	b[6] = IPPROTO_ICMPV6;
	b[7] = 64;
	memcpy(b + 8, p->dst, 16);
	memcpy(b + 24, p->src, 16);
	b += 40;
	b[0] = 2; /* packet too big */
	memset(b + 1, 0, 3);
	put16(b + 4, mtu >> 16);
	put16(b + 6, mtu & 0xffff);
	memcpy(b + 8, frame + l2, quote);
	/* RFC 4443 2.3: the pseudo header of RFC 8200 8.1 */
	memcpy(pseudo, p->dst, 16);
	memcpy(pseudo + 16, p->src, 16);
	put16(pseudo + 32, 0);
	put16(pseudo + 34, n);
	memset(pseudo + 36, 0, 3);
	pseudo[39] = IPPROTO_ICMPV6;
	memcpy(pseudo + 40, b, n);
	memcpy(b + 2, (__u16[]){ pkt_csum(pseudo, 40 + n) }, 2);
	return b + n - out;
}
