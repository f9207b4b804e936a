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
#include <linux/bitmap.h>
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

/* Every map of a binding, in BIND attribute order. */
static struct bpf_map **xlb_maps_slot(struct xlb_maps *m, int a)
{
	switch (a) {
	case XLB_BIND_A_CTL_FD:
		return &m->ctl;
	case XLB_BIND_A_VIPS_FD:
		return &m->vips;
	case XLB_BIND_A_SERVICES_FD:
		return &m->svcs;
	case XLB_BIND_A_TABLES_FD:
		return &m->tables;
	case XLB_BIND_A_SVC_STATS_FD:
		return &m->svc_stats;
	case XLB_BIND_A_BE_STATS_FD:
		return &m->be_stats;
	case XLB_BIND_A_STATS_FD:
		return &m->stats;
	default:
		return &m->bes;
	}
}

static void xlb_maps_put(struct xlb_maps *m)
{
	struct bpf_map *map;
	int a;

	if (!m)
		return;
	for (a = XLB_BIND_A_CTL_FD; a <= XLB_BIND_A_MAX; a++) {
		map = *xlb_maps_slot(m, a);
		if (!map)
			continue;
		if (m->claimed & BIT(a))
			atomic64_dec(&map->writecnt);
		bpf_map_put(map);
	}
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
	/* What a packet needs of copy c switches with it (one flip). */
	sv->cfg[c].table_size = svc->table_size;
	sv->cfg[c].flags = svc->flags;
	sv->cfg[c].seed = svc->seed;
	sv->cfg[c].nbackends = svc->nslotted;
	sv->cfg[c].udp_timeout = svc->udp_timeout;
	sv->cfg[c].encap = svc->encap;
	sv->cfg[c].encap_port = htons(svc->encap_port);
	svc->active = c;
}

/*
 * The caches' per-service invalidation: a flow cache or next-hop cache
 * entry made before this store is not used after it.  After the flip, so
 * an entry tagged with the new ver was made under the new copy.
 */
static void xlb_pub_ver(struct xlb_service *v)
{
	smp_wmb();	/* the flip (or the VIP flip) before the new ver */
	WRITE_ONCE(v->ver, READ_ONCE(v->ver) + 1);
}

/*
 * The backends' copy of the service's ver (low 16 bits), which a flow
 * cache hit checks instead of reading xlb_services: stored after the ver,
 * for every backend the service had (svc) or has now.
 */
static void xlb_pub_be_ver(struct xlb_maps *m, const struct xlb_service *v,
			   const struct xlb_svc *svc)
{
	u16 ver = READ_ONCE(v->ver);
	u32 j;

	smp_wmb();	/* the ver before its copies */
	for (j = 0; svc && j < svc->nbe; j++) {
		struct xlb_backend *b = xlb_value(m->bes, svc->be[j].id);

		if (b)
			WRITE_ONCE(b->svc_ver, ver);
	}
}

static void xlb_pub_svc(struct xlb_maps *m, struct xlb_svc *svc, bool fresh,
			const struct xlb_svc *old)
{
	struct xlb_service *v = xlb_value(m->svcs, svc->id);

	if (WARN_ON_ONCE(!v))
		return;
	if (fresh) {
		WRITE_ONCE(v->gen, 0);
		smp_wmb();	/* unused entry while its key changes */
		v->key = svc->key;
	}
	smp_wmb();	/* the table copy and its cfg before the flip */
	WRITE_ONCE(v->active, svc->active);
	if (fresh) {
		smp_wmb();	/* complete entry before it is in use */
		WRITE_ONCE(v->gen, svc->gen);
	}
	xlb_pub_ver(v);
	xlb_pub_be_ver(m, v, old);
	xlb_pub_be_ver(m, v, svc);
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
	WRITE_ONCE(ctl->seed[c], seed);
	smp_wmb();	/* the VIP half and its seed before the flip */
	WRITE_ONCE(ctl->vip_active, c);
	xn->vip_cookie = get_state_synchronize_rcu();
}

/*
 * xlb_ctl.gen (every cache entry's) moves only when what all services
 * share changes: the outer sources, or a bind.  A change to one service
 * moves that service's ver instead (xlb_pub_ver()).
 */
static void xlb_pub_ctl(struct xlb_net *xn, struct xlb_maps *m, __be32 src4,
			const __be32 *src6, bool bound)
{
	struct xlb_ctl *ctl = xlb_value(m->ctl, 0);
	bool moved;

	if (WARN_ON_ONCE(!ctl))
		return;
	moved = bound || READ_ONCE(ctl->src4) != src4 ||
		memcmp(ctl->src6, src6, sizeof(ctl->src6));
	WRITE_ONCE(ctl->src4, src4);
	memcpy(ctl->src6, src6, sizeof(ctl->src6));
	WRITE_ONCE(ctl->vip_slots, m->vip_slots);
	WRITE_ONCE(ctl->table_max, m->table_max);
	if (bound)
		WRITE_ONCE(ctl->flags, READ_ONCE(ctl->flags) | XLB_CTL_F_BOUND);
	if (moved)
		WRITE_ONCE(ctl->gen, READ_ONCE(ctl->gen) + 1);
}

/* Removed services: after the VIP flip, their cached flows end too. */
static void xlb_pub_removed(struct xlb_maps *m, struct xlb_txn *txn)
{
	u32 i;

	for (i = 0; i < txn->n; i++) {
		struct xlb_service *v;

		if (!txn->ch[i].old || txn->ch[i].new)
			continue;
		v = xlb_value(m->svcs, txn->ch[i].old->id);
		if (!v)
			continue;
		xlb_pub_ver(v);
		xlb_pub_be_ver(m, v, txn->ch[i].old);
	}
}

/*
 * The highest allocation stamp, recorded in the maps before any object
 * carrying it is published: a later module instance binding these maps
 * starts above it, so a connection entry (bid, gen) of a retired backend
 * can never match a backend allocated after a reload.
 */
static void xlb_pub_stamp(struct xlb_maps *m, u32 stamp)
{
	struct xlb_ctl *ctl = xlb_value(m->ctl, 0);

	if (WARN_ON_ONCE(!ctl))
		return;
	if (stamp > READ_ONCE(ctl->stamp))
		WRITE_ONCE(ctl->stamp, stamp);
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

	lockdep_assert_held(&xn->lock);
	xlb_pub_stamp(m, xn->stamp);
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
			xlb_pub_svc(m, new, !old, old);
		if (old && !new)
			removed = true;
		for (j = 0; old && j < old->nbe; j++)
			removed |= old->be[j].gone;
	}
	if (txn->vip)
		xlb_pub_vips(xn, m, txn->vip, seed, true);
	if (removed)
		xlb_pub_removed(m, txn);
	/* Source addresses, and xlb_ctl.gen when they change. */
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
	[XLB_BIND_A_SVC_STATS_FD] = XLB_MAP_SVC_STATS,
	[XLB_BIND_A_BE_STATS_FD] = XLB_MAP_BE_STATS,
	[XLB_BIND_A_STATS_FD] = XLB_MAP_STATS,
};

static const u32 xlb_bind_vsize[] = {
	[XLB_BIND_A_CTL_FD] = sizeof(struct xlb_ctl),
	[XLB_BIND_A_VIPS_FD] = sizeof(struct xlb_vip_slot),
	[XLB_BIND_A_SERVICES_FD] = sizeof(struct xlb_service),
	[XLB_BIND_A_TABLES_FD] = 0,	/* 4 * table_max */
	[XLB_BIND_A_BACKENDS_FD] = sizeof(struct xlb_backend),
	[XLB_BIND_A_SVC_STATS_FD] = sizeof(struct xlb_counter),
	[XLB_BIND_A_BE_STATS_FD] = sizeof(struct xlb_counter),
	[XLB_BIND_A_STATS_FD] = sizeof(struct xlb_stats),
};

/* The counter maps (optional) are per CPU; the module only reads and zeroes them. */
static u32 xlb_bind_type(int a)
{
	return a > XLB_BIND_A_BACKENDS_FD ? BPF_MAP_TYPE_PERCPU_ARRAY :
					    BPF_MAP_TYPE_ARRAY;
}

/*
 * Serialises BIND's check of xlb_ctl.owner with its claim across
 * namespaces (each BIND otherwise holds only its own namespace's mutex).
 */
static DEFINE_MUTEX(xlb_bind_lock);

/*
 * The caller must be allowed to write the map through this very fd: BIND
 * is a write, so a read-only fd (O_RDONLY, BPF_F_RDONLY) cannot grant it.
 */
static int xlb_bind_fd_mode(struct xlb_net *xn, const char *name, u32 fd,
			    struct bpf_map *map, const struct nlattr *attr,
			    struct netlink_ext_ack *extack)
{
	struct file *file = fget(fd);
	int ret = 0;

	if (!file || file->private_data != map) {
		xlb_err(xn, extack, attr, "%s: fd %u changed during BIND",
			name, fd);
		ret = -EBADF;
	} else if (!(file->f_mode & FMODE_CAN_WRITE)) {
		xlb_err(xn, extack, attr,
			"%s: fd %u is read-only: BIND needs a map fd opened for writing",
			name, fd);
		ret = -EPERM;
	}
	if (file)
		fput(file);
	return ret;
}

/*
 * Refuse maps whose values programs may treat as constants (RDONLY_PROG,
 * frozen), and keep the map from being frozen while bound: a raised
 * writecnt makes BPF_MAP_FREEZE fail with EBUSY, as for a writable mmap.
 */
static int xlb_bind_claim(struct xlb_net *xn, struct xlb_maps *m, int a,
			  struct bpf_map *map, const struct nlattr *attr,
			  struct netlink_ext_ack *extack)
{
	const char *name = xlb_bind_names[a];
	int ret = 0;

	if (map->map_flags & BPF_F_RDONLY_PROG) {
		xlb_err(xn, extack, attr,
			"%s: BPF_F_RDONLY_PROG map: programs may treat values as constants",
			name);
		return -EPERM;
	}
	mutex_lock(&map->freeze_mutex);
	if (READ_ONCE(map->frozen)) {
		xlb_err(xn, extack, attr,
			"%s: map is frozen (BPF_MAP_FREEZE): it must not change",
			name);
		ret = -EPERM;
	} else {
		atomic64_inc(&map->writecnt);
		m->claimed |= BIT(a);
	}
	mutex_unlock(&map->freeze_mutex);
	return ret;
}

static int xlb_bind_get(struct xlb_net *xn, struct xlb_maps *m, int a,
			u32 fd, const struct nlattr *attr,
			struct netlink_ext_ack *extack)
{
	const char *name = xlb_bind_names[a];
	struct bpf_map *map = bpf_map_get(fd);
	u32 vs = xlb_bind_vsize[a];
	int ret;

	if (IS_ERR(map)) {
		xlb_err(xn, extack, attr, "%s: fd %u is not a BPF map", name, fd);
		return -EBADF;
	}
	*xlb_maps_slot(m, a) = map;
	ret = xlb_bind_fd_mode(xn, name, fd, map, attr, extack);
	if (ret)
		return ret;
	if (map->map_type != xlb_bind_type(a)) {
		xlb_err(xn, extack, attr, "%s: map type %u is not %s (%u)",
			name, map->map_type,
			xlb_bind_type(a) == BPF_MAP_TYPE_ARRAY ?
			"BPF_MAP_TYPE_ARRAY" : "BPF_MAP_TYPE_PERCPU_ARRAY",
			xlb_bind_type(a));
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
	return xlb_bind_claim(xn, m, a, map, attr, extack);
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

/* One namespace's data path: maps another namespace bound are refused. */
static int xlb_bind_owner(struct xlb_net *xn, struct xlb_maps *m,
			  const struct nlattr *const *attrs,
			  struct netlink_ext_ack *extack)
{
	struct xlb_ctl *ctl = xlb_value(m->ctl, 0);
	u64 owner;

	if (WARN_ON_ONCE(!ctl))
		return -EINVAL;
	owner = READ_ONCE(ctl->owner);
	if (!owner || owner == xn->cookie)
		return 0;
	xlb_err(xn, extack, attrs[XLB_BIND_A_CTL_FD],
		"%s: maps of netns cookie %llu, not this one (%llu): attach its own",
		XLB_MAP_CTL, owner, xn->cookie);
	return -EBUSY;
}

/* Does the state svcs[] (ids already those of m) fit maps m? */
static int xlb_bind_fit(struct xlb_net *xn, struct xlb_svc *const *svcs,
			const struct xlb_maps *m,
			struct netlink_ext_ack *extack)
{
	u32 smax = min(xlb_max_services, m->max_services), i, j;
	char k[64];

	for (i = 0; i < xlb_max_services; i++) {
		const struct xlb_svc *svc = svcs[i];

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

/*
 * BIND adopts what the maps already hold.  A service whose key has a live
 * entry keeps that entry's id and stamp, and so does each of its backends
 * with a live entry of the same address: established connections (bid,
 * gen) stay valid through a module reload or a rebind, and nothing in use
 * is rewritten as if new.  Everything else gets ids free in the maps and
 * stamps above every stamp the maps have seen.
 */
struct xlb_adopt {
	struct xlb_svc	**next;		/* state with the maps' ids */
	unsigned long	*bids;		/* backend ids of next */
	unsigned long	*live_b;	/* backend ids live in the maps */
	unsigned long	*sids;		/* service ids of next */
	unsigned long	*live_s;	/* service ids live in the maps */
	struct xlb_vip_slot *img;	/* VIP half of next */
	u32		smax;		/* bitmap sizes */
	u32		bmax;
	u32		stamp;		/* highest stamp the maps have seen */
};

static void xlb_adopt_free(struct xlb_adopt *ad, bool objects)
{
	u32 i;

	if (ad->next && objects)
		for (i = 0; i < xlb_max_services; i++)
			xlb_svc_free(ad->next[i]);
	kfree(ad->next);
	bitmap_free(ad->bids);
	bitmap_free(ad->live_b);
	bitmap_free(ad->sids);
	bitmap_free(ad->live_s);
	kvfree(ad->img);
}

/* The live service entry of key in m, or -1. */
static int xlb_adopt_sid(const struct xlb_maps *m, const struct xlb_vip_key *key,
			 u32 *gen)
{
	u32 sid;

	for (sid = 0; sid < m->max_services; sid++) {
		struct xlb_service *v = xlb_value(m->svcs, sid);

		if (!v || !READ_ONCE(v->gen) ||
		    memcmp(&v->key, key, sizeof(*key)))
			continue;
		*gen = v->gen;
		return sid;
	}
	return -1;
}

/* Ids and stamps live in the maps, and the highest stamp they have seen. */
static int xlb_adopt_scan(struct xlb_adopt *ad, const struct xlb_maps *m)
{
	struct xlb_ctl *ctl = xlb_value(m->ctl, 0);
	u32 i;

	ad->smax = max(xlb_max_services, m->max_services);
	ad->bmax = m->max_backends;
	ad->next = kcalloc(xlb_max_services, sizeof(*ad->next), GFP_KERNEL);
	ad->sids = bitmap_zalloc(ad->smax, GFP_KERNEL);
	ad->live_s = bitmap_zalloc(ad->smax, GFP_KERNEL);
	ad->bids = bitmap_zalloc(ad->bmax, GFP_KERNEL);
	ad->live_b = bitmap_zalloc(ad->bmax, GFP_KERNEL);
	ad->img = kvcalloc(m->vip_slots, sizeof(*ad->img), GFP_KERNEL);
	if (!ctl || !ad->next || !ad->sids || !ad->live_s || !ad->bids ||
	    !ad->live_b || !ad->img)
		return -ENOMEM;
	ad->stamp = READ_ONCE(ctl->stamp);
	for (i = 0; i < m->max_services; i++) {
		struct xlb_service *v = xlb_value(m->svcs, i);

		if (v && v->gen) {
			__set_bit(i, ad->live_s);
			ad->stamp = max(ad->stamp, v->gen);
		}
	}
	for (i = 0; i < m->max_backends; i++) {
		struct xlb_backend *v = xlb_value(m->bes, i);

		if (v && (v->gen || v->state != XLB_BE_UNUSED)) {
			__set_bit(i, ad->live_b);
			ad->stamp = max(ad->stamp, v->gen);
		}
	}
	return 0;
}

/* Backends of svc that the maps hold live for service sid: keep them. */
static void xlb_adopt_bes(struct xlb_net *xn, struct xlb_adopt *ad,
			  const struct xlb_maps *m, struct xlb_svc *svc, u32 sid)
{
	u32 i;

	for (i = 0; i < m->max_backends; i++) {
		struct xlb_backend *v = xlb_value(m->bes, i);
		struct xlb_be *be;

		if (!v || v->state == XLB_BE_UNUSED || !v->gen ||
		    v->sid != sid || i >= xn->bid_space ||
		    test_bit(i, ad->bids))
			continue;
		be = xlb_be_find(svc, v->family, v->addr);
		if (!be || !be->fresh)
			continue;
		be->id = i;
		be->gen = v->gen;
		be->fresh = false;
		__set_bit(i, ad->bids);
		if (!(i % 1024))
			cond_resched();
	}
}

/* First id below max free in taken, preferring ids not live in the maps. */
static u32 xlb_adopt_free_id(const unsigned long *taken,
			     const unsigned long *live, u32 max, u32 cur)
{
	u32 id;

	if (cur < max && !test_bit(cur, taken) && !test_bit(cur, live))
		return cur;
	for (id = 0; id < max; id++)
		if (!test_bit(id, taken) && !test_bit(id, live))
			return id;
	return find_first_zero_bit(taken, max);
}


/* Give svc's backends that were not adopted their ids and stamps. */
static int xlb_adopt_fresh_bes(struct xlb_net *xn, struct xlb_adopt *ad,
			       struct xlb_svc *svc,
			       struct netlink_ext_ack *extack)
{
	u32 j;

	for (j = 0; j < svc->nbe; j++) {
		struct xlb_be *be = &svc->be[j];

		if (!be->fresh)
			continue;
		be->id = xlb_adopt_free_id(ad->bids, ad->live_b, ad->bmax,
					   be->id);
		if (be->id >= ad->bmax || be->id >= xn->bid_space) {
			char a[48];

			xlb_fmt_addr(a, sizeof(a), be->family, be->addr);
			xlb_err(xn, extack, NULL,
				"backend %s: no free id in %s of %u entries",
				a, XLB_MAP_BACKENDS, min(ad->bmax, xn->bid_space));
			return -ENOSPC;
		}
		__set_bit(be->id, ad->bids);
		be->gen = xlb_stamp(xn);
	}
	return 0;
}

/* Clones of every service with the maps' ids (first pass: adoption). */
static int xlb_adopt_svcs(struct xlb_net *xn, struct xlb_adopt *ad,
			  const struct xlb_maps *m, struct xlb_svc **clones)
{
	u32 i, j, gen;
	int sid;

	for (i = 0; i < xlb_max_services; i++) {
		struct xlb_svc *svc;

		if (!xn->svcs[i])
			continue;
		svc = xlb_svc_clone(xn->svcs[i], 0);
		if (!svc)
			return -ENOMEM;
		clones[i] = svc;
		svc->fresh = true;
		for (j = 0; j < svc->nbe; j++)
			svc->be[j].fresh = true;
		sid = xlb_adopt_sid(m, &svc->key, &gen);
		if (sid < 0 || test_bit(sid, ad->sids))
			continue;
		svc->id = sid;
		svc->gen = gen;
		svc->fresh = false;
		__set_bit(sid, ad->sids);
		xlb_adopt_bes(xn, ad, m, svc, sid);
	}
	return 0;
}

/* Second pass: ids and stamps for the rest, tables with the final ids. */
static int xlb_adopt_rest(struct xlb_net *xn, struct xlb_adopt *ad,
			  const struct xlb_maps *m, struct xlb_svc **clones,
			  struct netlink_ext_ack *extack)
{
	u32 smax = min(xlb_max_services, m->max_services), i;
	int ret;

	for (i = 0; i < xlb_max_services; i++) {
		struct xlb_svc *svc = clones[i];

		if (!svc)
			continue;
		if (svc->fresh) {
			svc->id = xlb_adopt_free_id(ad->sids, ad->live_s, smax,
						    svc->id);
			if (svc->id >= smax) {
				xlb_err(xn, extack, NULL,
					"service limit %u reached", smax);
				return -ENOSPC;
			}
			__set_bit(svc->id, ad->sids);
			svc->gen = xlb_stamp(xn);
		}
		ret = xlb_adopt_fresh_bes(xn, ad, svc, extack);
		if (ret)
			return ret;
		ret = xlb_svc_build(xn, svc, xn->seed, extack);
		if (ret)
			return ret;
		clones[i] = NULL;
		ad->next[svc->id] = svc;
		cond_resched();
	}
	return 0;
}

static int xlb_adopt(struct xlb_net *xn, struct xlb_adopt *ad,
		     const struct xlb_maps *m, struct netlink_ext_ack *extack)
{
	struct xlb_svc **clones;
	u32 i;
	int ret;

	ret = xlb_adopt_scan(ad, m);
	if (ret)
		return ret;
	/* Every later stamp, adopted state or not, is above the maps'. */
	if (xn->stamp < ad->stamp)
		xn->stamp = ad->stamp;
	clones = kcalloc(xlb_max_services, sizeof(*clones), GFP_KERNEL);
	if (!clones)
		return -ENOMEM;
	ret = xlb_adopt_svcs(xn, ad, m, clones);
	if (!ret)
		ret = xlb_adopt_rest(xn, ad, m, clones, extack);
	for (i = 0; i < xlb_max_services; i++)
		xlb_svc_free(clones[i]);
	kfree(clones);
	if (ret)
		return ret;
	ret = xlb_bind_fit(xn, ad->next, m, extack);
	if (ret)
		return ret;
	return xlb_vip_build(xn, ad->next, xlb_max_services, xn->seed,
			     m->vip_slots, ad->img, extack);
}

/* Retire what a previous user of the maps left and the state does not use. */
static void xlb_bind_retire(struct xlb_maps *m, const struct xlb_adopt *ad)
{
	u32 i;

	for (i = 0; i < m->max_services; i++) {
		struct xlb_service *v = xlb_value(m->svcs, i);

		if (v && v->gen && !test_bit(i, ad->sids))
			WRITE_ONCE(v->gen, 0);
	}
	for (i = 0; i < m->max_backends; i++) {
		struct xlb_backend *v = xlb_value(m->bes, i);

		if (!v || test_bit(i, ad->bids))
			continue;
		if (v->state != XLB_BE_UNUSED || v->gen) {
			WRITE_ONCE(v->state, XLB_BE_UNUSED);
			WRITE_ONCE(v->gen, 0);
		}
		if (!(i % 1024))
			cond_resched();
	}
}

/*
 * Publish the complete state into maps that may be live already.  Adopted
 * entries are updated in place (weight, state, a new table copy and its
 * flip), never made unused first: a rebind is hitless.
 */
static void xlb_bind_publish(struct xlb_net *xn, struct xlb_maps *m,
			     const struct xlb_adopt *ad)
{
	struct xlb_ctl *ctl = xlb_value(m->ctl, 0);
	struct xlb_svc *const *svcs = ad->next;
	u32 i, j;

	/*
	 * The maps may be live (bound before, by us or by an earlier module
	 * instance): let readers of copies flipped away lately finish first.
	 */
	synchronize_rcu();
	xlb_pub_stamp(m, xn->stamp);
	WRITE_ONCE(ctl->owner, xn->cookie);
	xlb_pub_ctl(xn, m, xn->src4, xn->src6, false);
	for (i = 0; i < xlb_max_services; i++) {
		struct xlb_svc *svc = svcs[i];

		for (j = 0; svc && j < svc->nbe; j++)
			xlb_pub_be(m, svc->id, &svc->be[j], svc->be[j].fresh);
	}
	for (i = 0; i < xlb_max_services; i++) {
		struct xlb_svc *svc = svcs[i];

		if (!svc)
			continue;
		xlb_pub_table(m, svc, false);
		xlb_pub_svc(m, svc, svc->fresh, NULL);
	}
	xlb_pub_vips(xn, m, ad->img, xn->seed, false);
	xlb_pub_ctl(xn, m, xn->src4, xn->src6, true);
	/* Entries a previous user of these maps left behind go unused. */
	synchronize_rcu();
	xlb_bind_retire(m, ad);
}

/* The adopted state becomes the live one; the old objects go. */
static void xlb_bind_swap(struct xlb_net *xn, struct xlb_adopt *ad)
{
	u32 i;

	xlb_net_free_state(xn);
	for (i = 0; i < xlb_max_services; i++) {
		struct xlb_svc *svc = ad->next[i];

		xn->svcs[i] = svc;
		if (svc)
			xn->nsvcs++;
		ad->next[i] = NULL;
	}
	for (i = 0; i < ad->bmax && i < xn->bid_space; i++)
		if (test_bit(i, ad->bids))
			__set_bit(i, xn->bid_map);
}

int xlb_bind(struct xlb_net *xn, const u32 *fds,
	     const struct nlattr *const *attrs, struct netlink_ext_ack *extack)
{
	struct xlb_adopt ad = {};
	struct xlb_maps *m;
	int a, ret;

	lockdep_assert_held(&xn->lock);
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	for (a = XLB_BIND_A_CTL_FD; a <= XLB_BIND_A_MAX; a++) {
		if (a > XLB_BIND_A_BACKENDS_FD && !attrs[a])
			continue;	/* a counter map left out */
		ret = xlb_bind_get(xn, m, a, fds[a], attrs[a], extack);
		if (ret)
			goto err;
	}
	ret = xlb_bind_caps(xn, m, attrs, extack);
	if (ret)
		goto err;
	mutex_lock(&xlb_bind_lock);
	ret = xlb_bind_owner(xn, m, attrs, extack);
	if (!ret)
		ret = xlb_adopt(xn, &ad, m, extack);
	if (ret) {
		mutex_unlock(&xlb_bind_lock);
		goto err;
	}
	xlb_bind_publish(xn, m, &ad);
	mutex_unlock(&xlb_bind_lock);
	xlb_bind_swap(xn, &ad);
	xlb_adopt_free(&ad, false);
	xlb_maps_put(xn->maps);
	xn->maps = m;
	xn->gen++;
	xlb_nh_kick(xn);
	return 0;

err:
	xlb_adopt_free(&ad, true);
	xlb_maps_put(m);
	return ret;
}

/* The maps keep what was published last: the XDP program goes on with it. */
void xlb_unbind(struct xlb_net *xn)
{
	xlb_maps_put(xn->maps);
	xn->maps = NULL;
	xlb_nh_kick(xn);
}
