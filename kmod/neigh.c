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
#define XLB_NH_SOON		(HZ / 50)

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

/*
 * The backends' addresses (family in nhop.family, address in nhop.addr),
 * copied under the namespace mutex so that route and neighbour work runs
 * without it; *nr set.  NULL: none (or unbound), ERR_PTR: no memory.
 */
static struct xlb_nhop *xlb_nh_backends(struct xlb_net *xn, u32 *nr)
{
	struct xlb_nhop *v;
	u32 i, j, n = 0;

	lockdep_assert_held(&xn->lock);
	*nr = 0;
	for (i = 0; i < xlb_max_services && xn->svcs; i++)
		if (xn->svcs[i])
			n += xn->svcs[i]->nbe;
	if (!n || !xn->maps)
		return NULL;
	v = kvmalloc_array(n, sizeof(*v), GFP_KERNEL | __GFP_ZERO);
	if (!v)
		return ERR_PTR(-ENOMEM);
	for (i = 0, n = 0; i < xlb_max_services; i++) {
		const struct xlb_svc *svc = xn->svcs[i];

		for (j = 0; svc && j < svc->nbe; j++, n++) {
			v[n].family = svc->be[j].family;
			memcpy(v[n].addr, svc->be[j].addr, sizeof(v[n].addr));
		}
	}
	*nr = n;
	return v;
}

/* Backend addresses in place into their sorted, distinct next hops. */
static u32 xlb_nh_resolve(struct net *net, struct xlb_nhop *v, u32 n)
{
	u32 i, j;

	for (i = 0, j = 0; i < n; i++) {
		struct xlb_nhop be = v[i];
		bool ok;

		memset(&v[j], 0, sizeof(v[j]));
		ok = be.family == XLB_AF_INET ?
			xlb_nh_route4(net, be.addr[0], &v[j]) :
			xlb_nh_route6(net, be.addr, &v[j]);
		if (ok)
			j++;
		if (!(i % 256))
			cond_resched();
	}
	sort(v, j, sizeof(*v), xlb_nh_cmp, NULL);
	for (i = 0, n = 0; i < j; i++)
		if (!n || xlb_nh_cmp(&v[n - 1], &v[i]))
			v[n++] = v[i];
	return n;
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

/*
 * One round: the backends are read under the mutex, the routes and
 * neighbours are worked on without it, so a round over thousands of
 * backends never delays a command.  xn->nh belongs to the work (one runs
 * at a time; xlb_nh_stop() cancels it first).
 */
static void xlb_nh_work(struct work_struct *work)
{
	struct xlb_net *xn = container_of(to_delayed_work(work),
					  struct xlb_net, nh_work);
	struct xlb_nhop *v;
	bool again;
	u32 n;

	mutex_lock(&xn->lock);
	if (xn->nh_stop) {
		mutex_unlock(&xn->lock);
		return;
	}
	v = xlb_nh_backends(xn, &n);
	again = xn->maps;
	mutex_unlock(&xn->lock);
	if (!IS_ERR(v)) {	/* else keep the old set: the next round */
		n = v ? xlb_nh_resolve(xn->net, v, n) : 0;
		xlb_nh_apply(xn->net, xn->nh, xn->nnh, v, n);
		kvfree(xn->nh);
		xn->nh = v;
		xn->nnh = n;
	}
	mutex_lock(&xn->lock);
	/* a kick during the round stays pending: it is not moved */
	if (again && !xn->nh_stop)
		queue_delayed_work(system_power_efficient_wq, &xn->nh_work,
				   XLB_NH_INTERVAL);
	mutex_unlock(&xn->lock);
}

void xlb_nh_init(struct xlb_net *xn)
{
	INIT_DELAYED_WORK(&xn->nh_work, xlb_nh_work);
}

/*
 * Reconcile soon: the backends or the binding changed.  A burst of changes
 * (a script of lbctl commands) makes one round, XLB_NH_SOON later; frames
 * sent meanwhile to a backend without a neighbour entry take the kernel's
 * path, which resolves it (Documentation/datapath.md, "Next hops").
 */
void xlb_nh_kick(struct xlb_net *xn)
{
	lockdep_assert_held(&xn->lock);
	if (!xn->nh_stop)
		mod_delayed_work(system_power_efficient_wq, &xn->nh_work,
				 XLB_NH_SOON);
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
