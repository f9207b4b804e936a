// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - module parameters, per network namespace state, module init.
 */
#include <linux/bitmap.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "compat.h"
#include "xlb_version.h"
#include "xlb.h"

unsigned int xlb_max_services = 1024;
module_param_named(max_services, xlb_max_services, uint, 0444);
MODULE_PARM_DESC(max_services, "services per network namespace (1..65536)");

unsigned int xlb_max_backends = 16384;
module_param_named(max_backends, xlb_max_backends, uint, 0444);
MODULE_PARM_DESC(max_backends, "backends per service (1..1048576)");

/* Upper bound of backend ids per namespace while no maps are bound. */
#define XLB_BID_SPACE_MAX	(1U << 22)

static unsigned int xlb_net_id __read_mostly;

struct xlb_net *xlb_net(const struct net *net)
{
	return net_generic(net, xlb_net_id);
}

/* A fresh non-zero allocation stamp (generation of a service or backend). */
u32 xlb_stamp(struct xlb_net *xn)
{
	lockdep_assert_held(&xn->lock);
	if (++xn->stamp == 0)
		++xn->stamp;
	return xn->stamp;
}

/*
 * The services table and the backend id bitmap of a namespace, allocated by
 * the first command that changes something: a namespace that never uses
 * xlb costs only its struct xlb_net.
 */
int xlb_net_state(struct xlb_net *xn)
{
	lockdep_assert_held(&xn->lock);
	if (xn->svcs)
		return 0;
	xn->bid_map = kvcalloc(BITS_TO_LONGS(xn->bid_space), sizeof(long),
			       GFP_KERNEL);
	if (!xn->bid_map)
		return -ENOMEM;
	/* kmalloc'd: a commit swaps in a kmemdup() copy (state.c). */
	xn->svcs = kcalloc(xlb_max_services, sizeof(*xn->svcs), GFP_KERNEL);
	if (!xn->svcs) {
		kvfree(xn->bid_map);
		xn->bid_map = NULL;
		return -ENOMEM;
	}
	return 0;
}

static int __net_init xlb_net_init(struct net *net)
{
	struct xlb_net *xn = xlb_net(net);
	u64 space = (u64)xlb_max_services * xlb_max_backends;

	mutex_init(&xn->lock);
	xn->cookie = net->net_cookie;
	xn->net = net;
	xlb_nh_init(xn);
	xn->seed = XLB_DEFAULT_SEED;
	xn->gen = 1;	/* dumps treat seq 0 as "unset" */
	xn->bid_space = min_t(u64, space, XLB_BID_SPACE_MAX);
	return 0;
}

static void __net_exit xlb_net_exit(struct net *net)
{
	struct xlb_net *xn = xlb_net(net);

	xlb_nh_stop(xn);
	/* No command runs any more: the lock only pleases lockdep. */
	mutex_lock(&xn->lock);
	/* Maps keep the last published state; only the references go. */
	xlb_unbind(xn);
	xlb_stage_free(xn);
	if (xn->svcs) {
		xlb_net_free_state(xn);
		kvfree(xn->bid_map);
		kfree(xn->svcs);
	}
	mutex_unlock(&xn->lock);
	mutex_destroy(&xn->lock);
}

static struct pernet_operations xlb_net_ops = {
	.init = xlb_net_init,
	.exit = xlb_net_exit,
	.id = &xlb_net_id,
	.size = sizeof(struct xlb_net),
};

static int __init xlb_init(void)
{
	int ret;

	if (!xlb_max_services || xlb_max_services > 65536 ||
	    !xlb_max_backends || xlb_max_backends > (1U << 20)) {
		pr_err("max_services must be 1..65536, max_backends 1..1048576\n");
		return -EINVAL;
	}
	ret = register_pernet_subsys(&xlb_net_ops);
	if (ret)
		goto err;
	ret = xlb_genl_init();
	if (ret)
		goto err_pernet;
	pr_info("loaded (max_services %u, max_backends %u)\n",
		xlb_max_services, xlb_max_backends);
	return 0;

err_pernet:
	unregister_pernet_subsys(&xlb_net_ops);
err:
	return ret;
}

static void __exit xlb_exit(void)
{
	/* No command runs after the family is gone; then drop every netns. */
	xlb_genl_exit();
	unregister_pernet_subsys(&xlb_net_ops);
}

module_init(xlb_init);
module_exit(xlb_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xlb: Maglev L4 load balancer control plane for XDP");
MODULE_AUTHOR("xlb developers");
MODULE_VERSION(XLB_VERSION);
MODULE_ALIAS_GENL_FAMILY(XLB_GENL_NAME);
XLB_IMPORT_BPF_INTERNAL();
