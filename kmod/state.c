// SPDX-License-Identifier: GPL-2.0
/*
 * state.c - services, backends, their Maglev tables, and transactions.
 *
 * A transaction never modifies a live object: every service it touches is
 * replaced by a new object built in fresh memory (backend array, table).
 * xlb_txn_prepare() assigns ids, checks every limit and builds the VIP table
 * image; only then does xlb_txn_commit() publish and swap, and that cannot
 * fail.
 */
#include <linux/bitmap.h>
#include <linux/inet.h>
#include <linux/in.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/bsearch.h>

#include "maglev.h"
#include "xlb.h"

struct xlb_svc *xlb_svc_alloc(void)
{
	return kzalloc(sizeof(struct xlb_svc), GFP_KERNEL);
}

void xlb_svc_free(struct xlb_svc *svc)
{
	u32 i;

	if (!svc)
		return;
	for (i = 0; svc->be && i < svc->nbe; i++)
		kfree(svc->be[i].hc);
	kvfree(svc->be);
	kvfree(svc->table);
	kfree(svc->hc);
	kfree(svc);
}

/* A copy of old without its table, with room for nbe_extra more backends. */
struct xlb_svc *xlb_svc_clone(const struct xlb_svc *old, u32 nbe_extra)
{
	struct xlb_svc *svc = xlb_svc_alloc();
	u32 i;

	if (!svc)
		return NULL;
	*svc = *old;
	svc->table = NULL;
	svc->be = NULL;
	svc->hc = NULL;
	if (old->hc) {
		svc->hc = kmemdup(old->hc, sizeof(*old->hc), GFP_KERNEL);
		if (!svc->hc)
			goto fail;
	}
	if (old->nbe + nbe_extra) {
		svc->be = kvcalloc(old->nbe + nbe_extra, sizeof(*svc->be),
				   GFP_KERNEL);
		if (!svc->be)
			goto fail;
		memcpy(svc->be, old->be, old->nbe * sizeof(*svc->be));
	}
	for (i = 0; i < svc->nbe; i++) {
		svc->be[i].fresh = false;
		svc->be[i].hc = NULL;
	}
	/* each copy owns its backends' checks */
	for (i = 0; i < svc->nbe; i++) {
		if (!old->be[i].hc)
			continue;
		svc->be[i].hc = kmemdup(old->be[i].hc, sizeof(*old->be[i].hc),
					GFP_KERNEL);
		if (!svc->be[i].hc)
			goto fail;
	}
	return svc;
fail:
	xlb_svc_free(svc);
	return NULL;
}

int xlb_fmt_addr(char *buf, size_t len, u8 family, const __be32 *addr)
{
	if (family == XLB_AF_INET6)
		return snprintf(buf, len, "%pI6c", addr);
	return snprintf(buf, len, "%pI4", addr);
}

int xlb_fmt_key(char *buf, size_t len, const struct xlb_vip_key *key)
{
	const char *proto = key->proto == IPPROTO_TCP ? "tcp" : "udp";

	if (key->family == XLB_AF_INET6)
		return snprintf(buf, len, "[%pI6c]:%u/%s", key->addr,
				ntohs(key->port), proto);
	return snprintf(buf, len, "%pI4:%u/%s", key->addr, ntohs(key->port),
			proto);
}

static bool xlb_addr_eq(u8 fa, const __be32 *a, u8 fb, const __be32 *b)
{
	return fa == fb && !memcmp(a, b, 16);
}

struct xlb_be *xlb_be_find(const struct xlb_svc *svc, u8 family,
			   const __be32 *addr)
{
	u32 i;

	for (i = 0; i < svc->nbe; i++)
		if (xlb_addr_eq(svc->be[i].family, svc->be[i].addr, family,
				addr))
			return &svc->be[i];
	return NULL;
}

struct xlb_be *xlb_be_find_id(const struct xlb_svc *svc, u32 id)
{
	u32 i;

	for (i = 0; i < svc->nbe; i++)
		if (svc->be[i].id == id)
			return &svc->be[i];
	return NULL;
}

struct xlb_svc *xlb_svc_find_key(struct xlb_net *xn,
				 const struct xlb_vip_key *key)
{
	u32 i;

	for (i = 0; i < xlb_max_services; i++)
		if (xn->svcs[i] && !memcmp(&xn->svcs[i]->key, key, sizeof(*key)))
			return xn->svcs[i];
	return NULL;
}

u32 xlb_eff_max_services(const struct xlb_net *xn)
{
	if (xn->maps)
		return min(xlb_max_services, xn->maps->max_services);
	return xlb_max_services;
}

u32 xlb_eff_max_backends(const struct xlb_net *xn)
{
	if (xn->maps)
		return min(xlb_max_backends, xn->maps->max_backends);
	return xlb_max_backends;
}

/*
 * Compute svc's Maglev table (backend ids) into fresh memory, with the slot
 * counts and the digest.  Backend ids must already be assigned.
 */
int xlb_svc_build(struct xlb_net *xn, struct xlb_svc *svc, u32 seed,
		  struct netlink_ext_ack *extack)
{
	struct xlb_maglev_backend *mb = NULL;
	u32 *table, *slots = NULL, i, n = svc->nbe, m = svc->table_size;
	size_t wsize = xlb_maglev_work_size(n);
	void *work = NULL;
	int ret = -ENOMEM;

	table = kvmalloc_array(m, sizeof(*table), GFP_KERNEL);
	if (!table)
		return -ENOMEM;
	if (n) {
		mb = kvcalloc(n, sizeof(*mb), GFP_KERNEL);
		slots = kvcalloc(n, sizeof(*slots), GFP_KERNEL);
		work = kvmalloc(wsize, GFP_KERNEL);
		if (!mb || !slots || !work)
			goto out;
	}
	for (i = 0; i < n; i++) {
		memcpy(mb[i].addr, svc->be[i].addr, sizeof(mb[i].addr));
		mb[i].family = svc->be[i].family;
		mb[i].weight = svc->be[i].admin == XLB_BE_STATE_ACTIVE ?
			       svc->be[i].weight : 0;
	}
	ret = xlb_maglev_build(mb, n, m, seed, table, slots, work, wsize);
	if (ret == -ENODATA)
		ret = 0;
	if (ret == -E2BIG) {
		char k[64];

		xlb_fmt_key(k, sizeof(k), &svc->key);
		xlb_err(xn, extack, NULL,
			"service %s has more weighted backends than its table size %u",
			k, m);
		goto out;
	}
	if (ret) {
		xlb_err(xn, extack, NULL, "Maglev table build failed (%d)", ret);
		goto out;
	}
	svc->seed = seed;
	svc->nslotted = 0;
	for (i = 0; i < n; i++) {
		svc->be[i].slots = slots[i];
		if (slots[i])
			svc->nslotted++;
	}
	/* slots[] is free again: the backends' hashes for the digest */
	xlb_maglev_digest_prep(mb, n, slots);
	svc->digest = xlb_maglev_digest(mb, slots, table, m);
	for (i = 0; i < m; i++)
		if (table[i] != XLB_MAGLEV_EMPTY)
			table[i] = svc->be[table[i]].id;
	kvfree(svc->table);
	svc->table = table;
	table = NULL;
out:
	kvfree(work);
	kvfree(slots);
	kvfree(mb);
	kvfree(table);
	return ret;
}

void xlb_txn_init(struct xlb_txn *txn)
{
	memset(txn, 0, sizeof(*txn));
}

int xlb_txn_add(struct xlb_txn *txn, struct xlb_svc *old, struct xlb_svc *new)
{
	if (txn->n == txn->cap) {
		u32 cap = txn->cap ? 2 * txn->cap : 4;
		struct xlb_change *ch;

		ch = krealloc_array(txn->ch, cap, sizeof(*ch), GFP_KERNEL);
		if (!ch)
			return -ENOMEM;
		txn->ch = ch;
		txn->cap = cap;
	}
	txn->ch[txn->n].old = old;
	txn->ch[txn->n].new = new;
	txn->n++;
	return 0;
}

/* Free what the transaction built; the live state is untouched. */
void xlb_txn_abort(struct xlb_txn *txn)
{
	u32 i;

	for (i = 0; i < txn->n; i++)
		xlb_svc_free(txn->ch[i].new);
	kfree(txn->ch);
	kfree(txn->next);
	kvfree(txn->vip);
	xlb_txn_init(txn);
}

static int xlb_u32_cmp(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/* Whether new keeps old's backends, in order (a weight or state change). */
static bool xlb_svc_same_bes(const struct xlb_svc *old,
			     const struct xlb_svc *new)
{
	u32 j;

	if (!new || new->nbe != old->nbe)
		return false;
	for (j = 0; j < new->nbe; j++)
		if (new->be[j].fresh || new->be[j].id != old->be[j].id)
			return false;
	return true;
}

/*
 * Mark the old backends that the transaction removes: those whose id the
 * new version of their service does not keep (an id never moves between
 * services).  Costs the changed services' sizes, not the namespace's.
 */
static int xlb_txn_mark_gone(struct xlb_txn *txn)
{
	u32 i, j, n, *keep;

	for (i = 0; i < txn->n; i++) {
		const struct xlb_svc *new = txn->ch[i].new;
		struct xlb_svc *old = txn->ch[i].old;

		if (!old)
			continue;
		if (xlb_svc_same_bes(old, new)) {
			for (j = 0; j < old->nbe; j++)
				old->be[j].gone = false;
			continue;
		}
		keep = kvmalloc_array(new ? max_t(u32, new->nbe, 1) : 1,
				      sizeof(*keep), GFP_KERNEL);
		if (!keep)
			return -ENOMEM;
		for (j = 0, n = 0; new && j < new->nbe; j++)
			if (!new->be[j].fresh)
				keep[n++] = new->be[j].id;
		sort(keep, n, sizeof(*keep), xlb_u32_cmp, NULL);
		for (j = 0; j < old->nbe; j++)
			old->be[j].gone = !bsearch(&old->be[j].id, keep, n,
						   sizeof(*keep), xlb_u32_cmp);
		kvfree(keep);
	}
	return 0;
}

/* Give back the first n fresh backend ids xlb_txn_ids() took. */
static void xlb_txn_ids_undo(struct xlb_net *xn, struct xlb_txn *txn, u32 n)
{
	u32 i, j;

	for (i = 0; i < txn->n && n; i++) {
		struct xlb_svc *new = txn->ch[i].new;

		for (j = 0; new && j < new->nbe && n; j++) {
			if (!new->be[j].fresh)
				continue;
			__clear_bit(new->be[j].id, xn->bid_map);
			n--;
		}
	}
}

/*
 * Assign ids to new services and fresh backends, taking the backend ids in
 * xn->bid_map right away (txn->nfresh of them: xlb_txn_ids_undo() gives
 * them back if the transaction fails before its commit).  An id removed by
 * this transaction is not reused by it: its bit stays set until the commit,
 * and the data path may still use the old object until the grace period
 * that commit waits for.
 */
static int xlb_txn_ids(struct xlb_net *xn, struct xlb_txn *txn,
		       unsigned long *sids, struct netlink_ext_ack *extack)
{
	u32 smax = xlb_eff_max_services(xn), bmax = xn->bid_space, i, j;
	bool reuse = !xn->maps;

	lockdep_assert_held(&xn->lock);
	if (xn->maps)
		bmax = min(bmax, xn->maps->max_backends);
	for (i = 0; i < xlb_max_services; i++)
		if (xn->svcs[i])
			__set_bit(i, sids);
	for (i = 0; i < txn->n; i++) {
		struct xlb_svc *old = txn->ch[i].old;

		if (old && !txn->ch[i].new && reuse)
			__clear_bit(old->id, sids);
	}
	for (i = 0; i < txn->n; i++) {
		struct xlb_svc *new = txn->ch[i].new;

		if (!new)
			continue;
		if (!txn->ch[i].old) {
			new->id = find_first_zero_bit(sids, xlb_max_services);
			if (new->id >= smax) {
				xlb_err(xn, extack, NULL,
					"service limit %u reached", smax);
				return -ENOSPC;
			}
			__set_bit(new->id, sids);
			new->gen = xlb_stamp(xn);
		}
		for (j = 0; j < new->nbe; j++) {
			struct xlb_be *b = &new->be[j];

			if (!b->fresh)
				continue;
			b->id = find_first_zero_bit(xn->bid_map, bmax);
			if (b->id >= bmax) {
				xlb_err(xn, extack, NULL,
					"backend id space of %u entries is full",
					bmax);
				return -ENOSPC;
			}
			__set_bit(b->id, xn->bid_map);
			txn->nfresh++;
			b->gen = xlb_stamp(xn);
		}
	}
	return 0;
}

/* The service set after the transaction; keys must stay unique. */
static int xlb_txn_next(struct xlb_net *xn, struct xlb_txn *txn,
			struct netlink_ext_ack *extack)
{
	struct xlb_svc **next;
	u32 i, j;

	next = kmemdup(xn->svcs, xlb_max_services * sizeof(*next), GFP_KERNEL);
	if (!next)
		return -ENOMEM;
	txn->next = next;
	for (i = 0; i < txn->n; i++)
		if (txn->ch[i].old)
			next[txn->ch[i].old->id] = NULL;
	for (i = 0; i < txn->n; i++)
		if (txn->ch[i].new)
			next[txn->ch[i].new->id] = txn->ch[i].new;
	for (i = 0; i < txn->n; i++) {
		struct xlb_svc *new = txn->ch[i].new;

		if (!new)
			continue;
		for (j = 0; j < xlb_max_services; j++) {
			char k[64];

			if (!next[j] || next[j] == new ||
			    memcmp(&next[j]->key, &new->key, sizeof(new->key)))
				continue;
			xlb_fmt_key(k, sizeof(k), &new->key);
			xlb_err(xn, extack, NULL, "service %s already exists", k);
			return -EEXIST;
		}
	}
	return 0;
}

/* Limits of the bound maps that a service must respect. */
static int xlb_txn_fit(struct xlb_net *xn, struct xlb_txn *txn,
		       struct netlink_ext_ack *extack)
{
	u32 bmax = xlb_eff_max_backends(xn), i;
	char k[64];

	for (i = 0; i < txn->n; i++) {
		struct xlb_svc *new = txn->ch[i].new;

		if (!new)
			continue;
		xlb_fmt_key(k, sizeof(k), &new->key);
		if (new->nbe > bmax) {
			xlb_err(xn, extack, NULL,
				"service %s: %u backends exceed the limit of %u",
				k, new->nbe, bmax);
			return -ENOSPC;
		}
		if (xn->maps && new->table_size > xn->maps->table_max) {
			xlb_err(xn, extack, NULL,
				"service %s: table size %u exceeds the bound maps' table_max %u",
				k, new->table_size, xn->maps->table_max);
			return -E2BIG;
		}
	}
	return 0;
}

static bool xlb_txn_vips_change(const struct xlb_txn *txn)
{
	u32 i;

	if (txn->seed_set)
		return true;
	for (i = 0; i < txn->n; i++)
		if (!txn->ch[i].old || !txn->ch[i].new)
			return true;
	return false;
}

int xlb_txn_prepare(struct xlb_net *xn, struct xlb_txn *txn,
		    struct netlink_ext_ack *extack)
{
	u32 seed = txn->seed_set ? txn->seed : xn->seed, i;
	unsigned long *sids;
	int ret;

	ret = xlb_txn_mark_gone(txn);
	if (ret)
		return ret;
	sids = bitmap_zalloc(xlb_max_services, GFP_KERNEL);
	if (!sids)
		return -ENOMEM;
	ret = xlb_txn_ids(xn, txn, sids, extack);
	if (!ret)
		ret = xlb_txn_fit(xn, txn, extack);
	for (i = 0; !ret && i < txn->n; i++) {
		if (!txn->ch[i].new)
			continue;
		ret = xlb_svc_build(xn, txn->ch[i].new, seed, extack);
		cond_resched();
	}
	if (!ret)
		ret = xlb_txn_next(xn, txn, extack);
	if (!ret && xn->maps && xlb_txn_vips_change(txn)) {
		ret = -ENOMEM;
		txn->vip = kvcalloc(xn->maps->vip_slots, sizeof(*txn->vip),
				    GFP_KERNEL);
		if (txn->vip)
			ret = xlb_vip_build(xn, txn->next, xlb_max_services,
					    seed, xn->maps->vip_slots, txn->vip,
					    extack);
	}
	bitmap_free(sids);
	if (ret) {
		xlb_txn_ids_undo(xn, txn, txn->nfresh);
		txn->nfresh = 0;
	}
	return ret;
}

/* Publish (when bound), then make the new objects the live state. */
void xlb_txn_commit(struct xlb_net *xn, struct xlb_txn *txn)
{
	bool addrs = txn->nfresh;	/* the set of backend addresses moved */
	u32 i, j;

	if (xn->maps)
		xlb_publish_txn(xn, txn);
	for (i = 0; i < txn->n; i++) {
		struct xlb_svc *old = txn->ch[i].old;

		if (!old)
			continue;
		for (j = 0; j < old->nbe; j++) {
			if (!old->be[j].gone)
				continue;
			__clear_bit(old->be[j].id, xn->bid_map);
			addrs = true;
		}
	}
	/* fresh backends' ids: taken in xn->bid_map by xlb_txn_ids() */
	if (txn->seed_set)
		xn->seed = txn->seed;
	if (txn->src_set) {
		xn->src4 = txn->src4;
		memcpy(xn->src6, txn->src6, sizeof(xn->src6));
	}
	kfree(xn->svcs);
	xn->svcs = txn->next;
	txn->next = NULL;
	xn->nsvcs = 0;
	for (i = 0; i < xlb_max_services; i++)
		if (xn->svcs[i])
			xn->nsvcs++;
	for (i = 0; i < txn->n; i++) {
		xlb_svc_free(txn->ch[i].old);
		txn->ch[i].new = NULL;
	}
	xn->gen++;
	xlb_txn_abort(txn);
	/* Next hops follow the addresses only: a weight or state change
	 * leaves them (the periodic round still runs).
	 */
	if (addrs)
		xlb_nh_kick(xn);
}

void xlb_net_free_state(struct xlb_net *xn)
{
	u32 i;

	for (i = 0; i < xlb_max_services; i++) {
		xlb_svc_free(xn->svcs[i]);
		xn->svcs[i] = NULL;
	}
	xn->nsvcs = 0;
	bitmap_zero(xn->bid_map, xn->bid_space);
}
