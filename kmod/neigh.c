// SPDX-License-Identifier: GPL-2.0
/*
 * neigh.c - keep the backends' next hops resolved.
 *
 * The XDP program finds a backend's next hop with bpf_fib_lookup(), which
 * answers "no neighbour" unless the kernel already holds a valid neighbour
 * entry for it; frames forwarded by XDP never create, confirm or refresh
 * one.  So, for every backend of a bound namespace, the module keeps a
 * managed neighbour entry (NTF_MANAGED, Linux 5.16+) for the next hop its
 * route names: the kernel resolves such an entry at once and keeps probing
 * it, so it stays valid, is never garbage-collected and follows a changed
 * MAC address.  Routes change and an operator may flush the table, so the
 * set is reconciled after every change and every XLB_NH_INTERVAL; next hops
 * no longer used by a backend lose the managed flag again.
 *
 * Entries an operator made permanent (or NOARP devices) are left alone.
 */
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/workqueue.h>
#include <net/arp.h>
#include <net/ip6_route.h>
#include <net/ndisc.h>
#include <net/neighbour.h>
#include <net/route.h>

#include "xlb.h"

#define XLB_NH_INTERVAL		HZ

/* The next hop of a backend's route: neighbour table key and device. */
static bool xlb_nh_route4(struct net *net, __be32 daddr, struct xlb_nhop *h)
{
	struct flowi4 fl4 = { .daddr = daddr };
	struct rtable *rt;
	bool ok;

	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt))
		return false;
	ok = rt->rt_type == RTN_UNICAST && rt->rt_gw_family != AF_INET6 &&
	     !(rt->dst.dev->flags & (IFF_LOOPBACK | IFF_NOARP));
	h->family = AF_INET;
	h->ifindex = rt->dst.dev->ifindex;
	h->addr[0] = rt_nexthop(rt, daddr);
	ip_rt_put(rt);
	return ok;
}

static bool xlb_nh_route6(struct net *net, const __be32 *daddr,
			  struct xlb_nhop *h)
{
	struct flowi6 fl6 = {};
	struct dst_entry *dst;
	bool ok;

	memcpy(&fl6.daddr, daddr, sizeof(fl6.daddr));
	dst = ip6_route_output(net, NULL, &fl6);
	ok = !dst->error && !(dst->dev->flags & (IFF_LOOPBACK | IFF_NOARP));
	if (ok) {
		const struct rt6_info *rt = container_of(dst, struct rt6_info,
							 dst);

		h->family = AF_INET6;
		h->ifindex = dst->dev->ifindex;
		memcpy(h->addr, rt6_nexthop(rt, &fl6.daddr), sizeof(h->addr));
	}
	dst_release(dst);
	return ok;
}

static int xlb_nh_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct xlb_nhop));
}

static struct neigh_table *xlb_nh_tbl(const struct xlb_nhop *h)
{
	return h->family == AF_INET ? &arp_tbl : &nd_tbl;
}

/* The entry of h, created when create is set; a reference, or NULL. */
static struct neighbour *xlb_nh_get(struct net *net, const struct xlb_nhop *h,
				    bool create)
{
	struct neigh_table *tbl = xlb_nh_tbl(h);
	struct net_device *dev;
	struct neighbour *n;

	dev = dev_get_by_index(net, h->ifindex);
	if (!dev)
		return NULL;
	n = neigh_lookup(tbl, h->addr, dev);
	if (!n && create) {
		n = __neigh_create(tbl, h->addr, dev, true);
		if (IS_ERR(n))
			n = NULL;
	}
	dev_put(dev);
	return n;
}

static bool xlb_nh_ours(const struct neighbour *n)
{
	return !(READ_ONCE(n->nud_state) & (NUD_PERMANENT | NUD_NOARP)) &&
	       !(n->flags & NTF_EXT_LEARNED);
}

static void xlb_nh_manage(struct net *net, const struct xlb_nhop *h)
{
	struct neighbour *n = xlb_nh_get(net, h, true);

	if (!n)
		return;
	if (xlb_nh_ours(n) && !(n->flags & NTF_MANAGED))
		neigh_update(n, NULL, READ_ONCE(n->nud_state),
			     NEIGH_UPDATE_F_ADMIN | NEIGH_UPDATE_F_MANAGED, 0);
	/* resolve now rather than at the next managed probe round */
	if (!(READ_ONCE(n->nud_state) & NUD_VALID))
		neigh_event_send(n, NULL);
	neigh_release(n);
}

static void xlb_nh_unmanage(struct net *net, const struct xlb_nhop *h)
{
	struct neighbour *n = xlb_nh_get(net, h, false);
	u8 state;

	if (!n)
		return;
	state = READ_ONCE(n->nud_state) & NUD_VALID ? NUD_STALE : NUD_FAILED;
	if (xlb_nh_ours(n) && (n->flags & NTF_MANAGED))
		neigh_update(n, NULL, state, NEIGH_UPDATE_F_ADMIN, 0);
	neigh_release(n);
}

/* The sorted, distinct next hops of every backend; *nr set.  May be NULL. */
static struct xlb_nhop *xlb_nh_collect(struct xlb_net *xn, u32 *nr)
{
	struct xlb_nhop *v;
	u32 i, j, n = 0, cap = 0;

	*nr = 0;
	for (i = 0; i < xlb_max_services && xn->svcs; i++)
		if (xn->svcs[i])
			cap += xn->svcs[i]->nbe;
	if (!cap || !xn->maps)
		return NULL;
	v = kvmalloc_array(cap, sizeof(*v), GFP_KERNEL | __GFP_ZERO);
	if (!v)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < xlb_max_services; i++) {
		const struct xlb_svc *svc = xn->svcs[i];

		for (j = 0; svc && j < svc->nbe; j++) {
			const struct xlb_be *be = &svc->be[j];
			bool ok = be->family == XLB_AF_INET ?
				xlb_nh_route4(xn->net, be->addr[0], &v[n]) :
				xlb_nh_route6(xn->net, be->addr, &v[n]);

			if (ok)
				n++;
			else
				memset(&v[n], 0, sizeof(v[n]));
		}
	}
	sort(v, n, sizeof(*v), xlb_nh_cmp, NULL);
	for (i = 0, j = 0; i < n; i++)
		if (!j || xlb_nh_cmp(&v[j - 1], &v[i]))
			v[j++] = v[i];
	*nr = j;
	return v;
}

/* Manage every next hop of new, unmanage those only old has (both sorted). */
static void xlb_nh_apply(struct net *net, const struct xlb_nhop *old, u32 nold,
			 const struct xlb_nhop *new, u32 nnew)
{
	u32 i = 0, j = 0;

	while (i < nold || j < nnew) {
		int c = i == nold ? 1 : j == nnew ? -1 :
			xlb_nh_cmp(&old[i], &new[j]);

		if (c < 0) {
			xlb_nh_unmanage(net, &old[i++]);
			continue;
		}
		xlb_nh_manage(net, &new[j++]);
		if (!c)
			i++;
	}
}

static void xlb_nh_sync(struct xlb_net *xn)
{
	struct xlb_nhop *v;
	u32 n;

	lockdep_assert_held(&xn->lock);
	v = xlb_nh_collect(xn, &n);
	if (IS_ERR(v))
		return;	/* keep the old set; the next round tries again */
	xlb_nh_apply(xn->net, xn->nh, xn->nnh, v, n);
	kvfree(xn->nh);
	xn->nh = v;
	xn->nnh = n;
}

static void xlb_nh_work(struct work_struct *work)
{
	struct xlb_net *xn = container_of(to_delayed_work(work),
					  struct xlb_net, nh_work);

	mutex_lock(&xn->lock);
	if (!xn->nh_stop) {
		xlb_nh_sync(xn);
		if (xn->maps)
			queue_delayed_work(system_power_efficient_wq,
					   &xn->nh_work, XLB_NH_INTERVAL);
	}
	mutex_unlock(&xn->lock);
}

void xlb_nh_init(struct xlb_net *xn)
{
	INIT_DELAYED_WORK(&xn->nh_work, xlb_nh_work);
}

/* Reconcile soon: the backends, the binding or the routes changed. */
void xlb_nh_kick(struct xlb_net *xn)
{
	lockdep_assert_held(&xn->lock);
	if (!xn->nh_stop)
		mod_delayed_work(system_power_efficient_wq, &xn->nh_work, 0);
}

/*
 * Namespace exit or module unload: stop reconciling.  The entries stay
 * managed, so a program still attached keeps resolved next hops.  Called
 * without xn->lock (the work takes it).
 */
void xlb_nh_stop(struct xlb_net *xn)
{
	mutex_lock(&xn->lock);
	xn->nh_stop = true;
	mutex_unlock(&xn->lock);
	cancel_delayed_work_sync(&xn->nh_work);
	kvfree(xn->nh);
	xn->nh = NULL;
	xn->nnh = 0;
}
