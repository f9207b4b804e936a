// SPDX-License-Identifier: GPL-2.0
/*
 * publish.c - the bound BPF maps: BIND checks, and publishing state into
 * them without a packet ever seeing a half-written table.
 *
 * Only ARRAY maps are written, through the value pointer their
 * map_lookup_elem returns (the memory lives as long as our reference).  The
 * rules, explained in Documentation/design.md:
 *   - a backend entry is written before any table that refers to it;
 *   - a table is written into the copy that is not live, and one store of
 *     xlb_services[sid].active flips it; the VIP table likewise with
 *     xlb_ctl.vip_active;
 *   - a copy is rewritten only after an RCU grace period has passed since it
 *     stopped being live (the XDP program reads it under RCU);
 *   - anything removed is marked unused only after a grace period that
 *     follows the publication without it.
 */
#include <linux/bpf.h>
#include <linux/file.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "xlb_hash.h"
#include "xlb.h"

static void *xlb_value(struct bpf_map *map, u32 key)
{
	void *v;

	rcu_read_lock();
	v = map->ops->map_lookup_elem(map, &key);
	rcu_read_unlock();
	return v;
}

static void xlb_maps_put(struct xlb_maps *m)
{
	if (!m)
		return;
	if (m->ctl)
		bpf_map_put(m->ctl);
	if (m->vips)
		bpf_map_put(m->vips);
	if (m->svcs)
		bpf_map_put(m->svcs);
	if (m->tables)
		bpf_map_put(m->tables);
	if (m->bes)
		bpf_map_put(m->bes);
	kfree(m);
}

static u8 xlb_be_state(const struct xlb_be *be)
{
	if (be->admin == XLB_BE_STATE_ACTIVE && be->weight)
		return XLB_BE_ACTIVE;
	return XLB_BE_DRAIN;
}

/* Entry of a backend; a fresh one is complete before it turns in use. */
static void xlb_pub_be(struct xlb_maps *m, u32 sid, const struct xlb_be *be,
		       bool fresh)
{
	struct xlb_backend *v = xlb_value(m->bes, be->id);

	if (WARN_ON_ONCE(!v))
		return;
	if (fresh) {
		WRITE_ONCE(v->state, XLB_BE_UNUSED);
		smp_wmb();	/* not in use while its fields change */
		memcpy(v->addr, be->addr, sizeof(v->addr));
		v->family = be->family;
		v->sid = sid;
		v->gen = be->gen;
	}
	WRITE_ONCE(v->weight, be->weight);
	smp_wmb();	/* fields before the state that makes them valid */
	WRITE_ONCE(v->state, xlb_be_state(be));
}

/* Fill the copy of svc's table that is not live; it becomes svc->active. */
static void xlb_pub_table(struct xlb_maps *m, struct xlb_svc *svc, bool wait)
{
	struct xlb_service *sv = xlb_value(m->svcs, svc->id);
	u32 c, *t;

	if (WARN_ON_ONCE(!sv))
		return;
	c = !(READ_ONCE(sv->active) & 1);
	/* Readers that saw copy c live before the last flip are gone. */
	if (wait)
		cond_synchronize_rcu(svc->flip_cookie);
	t = xlb_value(m->tables, XLB_TABLE_KEY(svc->id, c));
	if (WARN_ON_ONCE(!t))
		return;
	/*
	 * Slots past table_size are EMPTY, so a reader that pairs this copy
	 * with a different table_size drops a packet, never misroutes it.
	 */
	memcpy(t, svc->table, svc->table_size * sizeof(*t));
	memset32(t + svc->table_size, XLB_TABLE_EMPTY,
		 m->table_max - svc->table_size);
	svc->active = c;
}

static void xlb_pub_svc(struct xlb_maps *m, struct xlb_svc *svc, bool fresh)
{
	struct xlb_service *v = xlb_value(m->svcs, svc->id);

	if (WARN_ON_ONCE(!v))
		return;
	if (fresh) {
		WRITE_ONCE(v->gen, 0);
		smp_wmb();	/* unused entry while its key changes */
		v->key = svc->key;
	}
	WRITE_ONCE(v->table_size, svc->table_size);
	WRITE_ONCE(v->flags, svc->flags);
	WRITE_ONCE(v->nbackends, svc->nslotted);
	smp_wmb();	/* the table copy and fields before the flip */
	WRITE_ONCE(v->active, svc->active);
	if (fresh) {
		smp_wmb();	/* complete entry before it is in use */
		WRITE_ONCE(v->gen, svc->gen);
	}
	svc->flip_cookie = get_state_synchronize_rcu();
}

/* Place every service of svcs[] in a VIP table half (img, zeroed). */
int xlb_vip_build(struct xlb_net *xn, struct xlb_svc *const *svcs, u32 nsvcs,
		  u32 seed, u32 vip_slots, struct xlb_vip_slot *img,
		  struct netlink_ext_ack *extack)
{
	u32 sid, i, h;
	char k[64];

	for (sid = 0; sid < nsvcs; sid++) {
		const struct xlb_svc *svc = svcs[sid];

		if (!svc)
			continue;
		h = xlb_hash_vip(&svc->key, seed);
		for (i = 0; i < XLB_VIP_MAX_PROBE; i++) {
			struct xlb_vip_slot *s = &img[(h + i) & (vip_slots - 1)];

			if (s->sid_plus1)
				continue;
			s->key = svc->key;
			s->sid_plus1 = sid + 1;
			break;
		}
		if (i == XLB_VIP_MAX_PROBE) {
			xlb_fmt_key(k, sizeof(k), &svc->key);
			xlb_err(xn, extack, NULL,
				"VIP table full: service %s has no free slot within %u probes of %u",
				k, XLB_VIP_MAX_PROBE, vip_slots);
			return -ENOSPC;
		}
	}
	return 0;
}

/* Write the VIP half that is not live, then flip xlb_ctl.vip_active. */
static void xlb_pub_vips(struct xlb_net *xn, struct xlb_maps *m,
			 const struct xlb_vip_slot *img, u32 seed, bool wait)
{
	struct xlb_ctl *ctl = xlb_value(m->ctl, 0);
	u32 c, i;

	if (WARN_ON_ONCE(!ctl))
		return;
	c = !(READ_ONCE(ctl->vip_active) & 1);
	if (wait)
		cond_synchronize_rcu(xn->vip_cookie);
	for (i = 0; i < m->vip_slots; i++) {
		struct xlb_vip_slot *s = xlb_value(m->vips, c * m->vip_slots + i);

		if (s)
			*s = img[i];
	}
	WRITE_ONCE(ctl->seed, seed);
	smp_wmb();	/* the VIP half before the flip */
	WRITE_ONCE(ctl->vip_active, c);
	xn->vip_cookie = get_state_synchronize_rcu();
}

static void xlb_pub_ctl(struct xlb_net *xn, struct xlb_maps *m, __be32 src4,
			const __be32 *src6, bool bound)
{
	struct xlb_ctl *ctl = xlb_value(m->ctl, 0);

	if (WARN_ON_ONCE(!ctl))
		return;
	WRITE_ONCE(ctl->src4, src4);
	memcpy(ctl->src6, src6, sizeof(ctl->src6));
	WRITE_ONCE(ctl->vip_slots, m->vip_slots);
	WRITE_ONCE(ctl->table_max, m->table_max);
	if (bound)
		WRITE_ONCE(ctl->flags, READ_ONCE(ctl->flags) | XLB_CTL_F_BOUND);
	WRITE_ONCE(ctl->gen, READ_ONCE(ctl->gen) + 1);
}

/* After a grace period: retire removed services and backends. */
static void xlb_pub_retire(struct xlb_maps *m, struct xlb_txn *txn)
{
	u32 i, j;

	for (i = 0; i < txn->n; i++) {
		struct xlb_svc *old = txn->ch[i].old;

		if (!old)
			continue;
		if (!txn->ch[i].new) {
			struct xlb_service *v = xlb_value(m->svcs, old->id);

			if (v)
				WRITE_ONCE(v->gen, 0);
		}
		for (j = 0; j < old->nbe; j++) {
			struct xlb_backend *v;

			if (!old->be[j].gone)
				continue;
			v = xlb_value(m->bes, old->be[j].id);
			if (!v)
				continue;
			WRITE_ONCE(v->state, XLB_BE_UNUSED);
			WRITE_ONCE(v->gen, 0);
		}
	}
}

void xlb_publish_txn(struct xlb_net *xn, struct xlb_txn *txn)
{
	struct xlb_maps *m = xn->maps;
	u32 seed = txn->seed_set ? txn->seed : xn->seed, i, j;
	bool removed = false;

	for (i = 0; i < txn->n; i++) {
		struct xlb_svc *new = txn->ch[i].new;

		for (j = 0; new && j < new->nbe; j++)
			xlb_pub_be(m, new->id, &new->be[j], new->be[j].fresh);
	}
	for (i = 0; i < txn->n; i++) {
		struct xlb_svc *old = txn->ch[i].old, *new = txn->ch[i].new;

		if (new)
			xlb_pub_table(m, new, old);
		if (new)
			xlb_pub_svc(m, new, !old);
		if (old && !new)
			removed = true;
		for (j = 0; old && j < old->nbe; j++)
			removed |= old->be[j].gone;
	}
	if (txn->vip)
		xlb_pub_vips(xn, m, txn->vip, seed, true);
	/* Source addresses, and xlb_ctl.gen: bumped on every publish. */
	xlb_pub_ctl(xn, m, txn->src_set ? txn->src4 : xn->src4,
		    txn->src_set ? txn->src6 : xn->src6, false);
	if (!removed)
		return;
	synchronize_rcu();
	xlb_pub_retire(m, txn);
}

static const char *const xlb_bind_names[] = {
	[XLB_BIND_A_CTL_FD] = XLB_MAP_CTL,
	[XLB_BIND_A_VIPS_FD] = XLB_MAP_VIPS,
	[XLB_BIND_A_SERVICES_FD] = XLB_MAP_SERVICES,
	[XLB_BIND_A_TABLES_FD] = XLB_MAP_TABLES,
	[XLB_BIND_A_BACKENDS_FD] = XLB_MAP_BACKENDS,
};

static const u32 xlb_bind_vsize[] = {
	[XLB_BIND_A_CTL_FD] = sizeof(struct xlb_ctl),
	[XLB_BIND_A_VIPS_FD] = sizeof(struct xlb_vip_slot),
	[XLB_BIND_A_SERVICES_FD] = sizeof(struct xlb_service),
	[XLB_BIND_A_TABLES_FD] = 0,	/* 4 * table_max */
	[XLB_BIND_A_BACKENDS_FD] = sizeof(struct xlb_backend),
};

static int xlb_bind_get(struct xlb_net *xn, int a, u32 fd,
			const struct nlattr *attr, struct bpf_map **out,
			struct netlink_ext_ack *extack)
{
	const char *name = xlb_bind_names[a];
	struct bpf_map *map = bpf_map_get(fd);
	u32 vs = xlb_bind_vsize[a];

	if (IS_ERR(map)) {
		xlb_err(xn, extack, attr, "%s: fd %u is not a BPF map", name, fd);
		return -EBADF;
	}
	*out = map;
	if (map->map_type != BPF_MAP_TYPE_ARRAY) {
		xlb_err(xn, extack, attr,
			"%s: map type %u is not BPF_MAP_TYPE_ARRAY (%u)", name,
			map->map_type, BPF_MAP_TYPE_ARRAY);
		return -EINVAL;
	}
	if (map->key_size != 4) {
		xlb_err(xn, extack, attr, "%s: key size %u is not 4", name,
			map->key_size);
		return -EINVAL;
	}
	if ((vs && map->value_size != vs) ||
	    (!vs && (!map->value_size || map->value_size % 4))) {
		xlb_err(xn, extack, attr,
			"%s: value size %u does not match the layout (%u)",
			name, map->value_size, vs ? vs : 4 * XLB_TABLE_SIZE_DEFAULT);
		return -EINVAL;
	}
	return 0;
}

static int xlb_bind_caps(struct xlb_net *xn, struct xlb_maps *m,
			 const struct nlattr *const *attrs,
			 struct netlink_ext_ack *extack)
{
	u32 vs = m->vips->max_entries;

	m->max_services = m->svcs->max_entries;
	m->max_backends = m->bes->max_entries;
	m->table_max = m->tables->value_size / 4;
	m->vip_slots = vs / 2;
	if (m->tables->max_entries != 2 * m->max_services) {
		xlb_err(xn, extack, attrs[XLB_BIND_A_TABLES_FD],
			"%s: %u entries, need 2 * %s entries = %u",
			XLB_MAP_TABLES, m->tables->max_entries,
			XLB_MAP_SERVICES, 2 * m->max_services);
		return -EINVAL;
	}
	if (vs % 2 || !is_power_of_2(m->vip_slots) ||
	    m->vip_slots < 2 * m->max_services) {
		xlb_err(xn, extack, attrs[XLB_BIND_A_VIPS_FD],
			"%s: %u entries, need 2 * a power of two >= 2 * %u services",
			XLB_MAP_VIPS, vs, m->max_services);
		return -EINVAL;
	}
	return 0;
}

/* Does the current state fit maps m? */
static int xlb_bind_fit(struct xlb_net *xn, const struct xlb_maps *m,
			struct netlink_ext_ack *extack)
{
	u32 smax = min(xlb_max_services, m->max_services), i, j;
	char k[64];

	for (i = 0; i < xlb_max_services; i++) {
		const struct xlb_svc *svc = xn->svcs[i];

		if (!svc)
			continue;
		xlb_fmt_key(k, sizeof(k), &svc->key);
		if (svc->id >= smax) {
			xlb_err(xn, extack, NULL,
				"service %s (id %u) does not fit %s of %u entries",
				k, svc->id, XLB_MAP_SERVICES, m->max_services);
			return -ENOSPC;
		}
		if (svc->table_size > m->table_max) {
			xlb_err(xn, extack, NULL,
				"service %s: table size %u exceeds table_max %u",
				k, svc->table_size, m->table_max);
			return -E2BIG;
		}
		if (svc->nbe > min(xlb_max_backends, m->max_backends)) {
			xlb_err(xn, extack, NULL,
				"service %s: %u backends exceed the limit of %u",
				k, svc->nbe, min(xlb_max_backends, m->max_backends));
			return -ENOSPC;
		}
		for (j = 0; j < svc->nbe; j++) {
			if (svc->be[j].id < m->max_backends)
				continue;
			xlb_err(xn, extack, NULL,
				"backend id %u does not fit %s of %u entries",
				svc->be[j].id, XLB_MAP_BACKENDS, m->max_backends);
			return -ENOSPC;
		}
	}
	return 0;
}

/* Publish the complete state into maps that may be live already. */
static void xlb_bind_publish(struct xlb_net *xn, struct xlb_maps *m,
			     const struct xlb_vip_slot *img)
{
	u32 i, j;

	/*
	 * The maps may be live (bound before, by us or by an earlier module
	 * instance): let readers of copies flipped away lately finish first.
	 */
	synchronize_rcu();
	xlb_pub_ctl(xn, m, xn->src4, xn->src6, false);
	for (i = 0; i < xlb_max_services; i++) {
		struct xlb_svc *svc = xn->svcs[i];

		for (j = 0; svc && j < svc->nbe; j++)
			xlb_pub_be(m, svc->id, &svc->be[j], true);
	}
	for (i = 0; i < xlb_max_services; i++) {
		struct xlb_svc *svc = xn->svcs[i];

		if (!svc)
			continue;
		xlb_pub_table(m, svc, false);
		xlb_pub_svc(m, svc, true);
	}
	xlb_pub_vips(xn, m, img, xn->seed, false);
	xlb_pub_ctl(xn, m, xn->src4, xn->src6, true);
	/* Entries a previous user of these maps left behind go unused. */
	synchronize_rcu();
	for (i = 0; i < m->max_services; i++) {
		struct xlb_service *v = xlb_value(m->svcs, i);

		if (v && (i >= xlb_max_services || !xn->svcs[i]) && v->gen)
			WRITE_ONCE(v->gen, 0);
	}
	for (i = 0; i < m->max_backends; i++) {
		struct xlb_backend *v = xlb_value(m->bes, i);

		if (!v || (i < xn->bid_space && test_bit(i, xn->bid_map)))
			continue;
		if (v->state != XLB_BE_UNUSED || v->gen) {
			WRITE_ONCE(v->state, XLB_BE_UNUSED);
			WRITE_ONCE(v->gen, 0);
		}
		if (!(i % 1024))
			cond_resched();
	}
}

int xlb_bind(struct xlb_net *xn, const u32 *fds,
	     const struct nlattr *const *attrs, struct netlink_ext_ack *extack)
{
	struct bpf_map **slot[XLB_BIND_A_MAX + 1];
	struct xlb_vip_slot *img = NULL;
	struct xlb_maps *m;
	int a, ret;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	slot[XLB_BIND_A_CTL_FD] = &m->ctl;
	slot[XLB_BIND_A_VIPS_FD] = &m->vips;
	slot[XLB_BIND_A_SERVICES_FD] = &m->svcs;
	slot[XLB_BIND_A_TABLES_FD] = &m->tables;
	slot[XLB_BIND_A_BACKENDS_FD] = &m->bes;
	for (a = XLB_BIND_A_CTL_FD; a <= XLB_BIND_A_MAX; a++) {
		ret = xlb_bind_get(xn, a, fds[a], attrs[a], slot[a], extack);
		if (ret)
			goto err;
	}
	ret = xlb_bind_caps(xn, m, attrs, extack);
	if (ret)
		goto err;
	ret = xlb_bind_fit(xn, m, extack);
	if (ret)
		goto err;
	ret = -ENOMEM;
	img = kvcalloc(m->vip_slots, sizeof(*img), GFP_KERNEL);
	if (!img)
		goto err;
	ret = xlb_vip_build(xn, xn->svcs, xlb_max_services, xn->seed,
			    m->vip_slots, img, extack);
	if (ret)
		goto err;
	xlb_bind_publish(xn, m, img);
	kvfree(img);
	xlb_maps_put(xn->maps);
	xn->maps = m;
	xn->gen++;
	return 0;

err:
	kvfree(img);
	xlb_maps_put(m);
	return ret;
}

/* The maps keep what was published last: the XDP program goes on with it. */
void xlb_unbind(struct xlb_net *xn)
{
	xlb_maps_put(xn->maps);
	xn->maps = NULL;
}
