// SPDX-License-Identifier: GPL-2.0
/*
 * nl_txn.c - REPLACE in parts.  A netlink attribute holds at most 64 KiB,
 * so a configuration larger than that (thousands of backends) is sent as
 * several REPLACE requests carrying XLB_A_TXN: the first part
 * (XLB_TXN_F_BEGIN) starts a stage, every part adds services and backends
 * to it, the last one (XLB_TXN_F_COMMIT) applies the whole stage as one
 * REPLACE.  Nothing changes before the commit.  An error in any part
 * discards the stage, and so does the sending socket closing
 * (NETLINK_URELEASE): a restore killed half-way leaves the old
 * configuration.  The staged services are matched with the live ones only
 * at the commit, so commands between parts do no harm.
 *
 * One stage per namespace, owned by the sender's socket (portid) and named
 * by its id.  A stage idle for XLB_TXN_IDLE may be taken over by another
 * sender, so a client that neither commits nor closes cannot block others.
 */
#include <linux/jiffies.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "nl.h"

#define XLB_TXN_IDLE	(10 * HZ)

struct xlb_stage {
	u32		portid;		/* owner socket */
	u32		id;		/* the owner's name for it */
	unsigned long	touched;	/* jiffies of the last part */
	struct xlb_txn	txn;		/* services staged so far */
};

void xlb_stage_free(struct xlb_net *xn)
{
	struct xlb_stage *st = xn->stage;

	if (!st)
		return;
	xn->stage = NULL;
	xlb_txn_abort(&st->txn);
	kfree(st);
}

/* The owner socket's port of the stage in progress, 0 without one. */
u32 xlb_stage_port(const struct xlb_net *xn)
{
	return xn->stage ? xn->stage->portid : 0;
}

/* A new stage for the sender, or EBUSY while another sender's is live. */
static int xlb_stage_begin(struct xlb_net *xn, struct genl_info *info, u32 id)
{
	struct xlb_stage *st = xn->stage;

	if (st && st->portid != info->snd_portid &&
	    time_before(jiffies, st->touched + XLB_TXN_IDLE)) {
		xlb_err(xn, info->extack, info->attrs[XLB_A_TXN],
			"a staged REPLACE of netlink port %u is in progress",
			st->portid);
		return -EBUSY;
	}
	if (st && st->portid != info->snd_portid)
		xn->txn_discarded++;
	xlb_stage_free(xn);
	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	st->portid = info->snd_portid;
	st->id = id;
	xlb_txn_init(&st->txn);
	xn->stage = st;
	return 0;
}

static int xlb_txn_parse(struct genl_info *info, u32 *id, u32 *flags)
{
	struct nlattr *nest = info->attrs[XLB_A_TXN];
	struct nlattr *tb[XLB_TXN_A_MAX + 1];
	int ret;

	/* Validated with the request: parse only. */
	ret = nla_parse_nested(tb, XLB_TXN_A_MAX, nest, NULL, info->extack);
	if (!ret)
		ret = xlb_need(info->extack, nest, tb, XLB_TXN_A_ID,
			       "XLB_TXN_A_ID");
	if (ret)
		return ret;
	*id = nla_get_u32(tb[XLB_TXN_A_ID]);
	*flags = tb[XLB_TXN_A_FLAGS] ? nla_get_u32(tb[XLB_TXN_A_FLAGS]) : 0;
	if (*flags & ~__XLB_TXN_F_ALL) {
		xlb_err(NULL, info->extack, tb[XLB_TXN_A_FLAGS],
			"unknown transaction flags 0x%x",
			*flags & ~__XLB_TXN_F_ALL);
		return -EOPNOTSUPP;
	}
	return 0;
}

/* REPLACE with XLB_A_TXN: one part of a staged REPLACE. */
int xlb_txn_part(struct xlb_net *xn, struct genl_info *info)
{
	struct xlb_stage *st;
	u32 id, flags;
	int ret;

	lockdep_assert_held(&xn->lock);
	ret = xlb_txn_parse(info, &id, &flags);
	if (ret)
		return ret;
	if (flags & XLB_TXN_F_BEGIN) {
		ret = xlb_stage_begin(xn, info, id);
		if (ret)
			return ret;
	} else if (!xn->stage || xn->stage->portid != info->snd_portid ||
		   xn->stage->id != id) {
		xlb_err(xn, info->extack, info->attrs[XLB_A_TXN],
			"no staged REPLACE %u of this socket (not begun, or discarded after an error)",
			id);
		return -ENOENT;
	}
	st = xn->stage;
	st->touched = jiffies;
	ret = xlb_replace_part(xn, info, &st->txn);
	if (ret) {
		xlb_stage_free(xn);
		return ret;
	}
	if (!(flags & XLB_TXN_F_COMMIT))
		return 0;
	xn->stage = NULL;
	ret = xlb_replace_finish(xn, info, &st->txn);
	kfree(st);
	return ret;
}

/* The sender's socket closed: its stage goes, nothing was applied. */
static int xlb_txn_release(struct notifier_block *nb, unsigned long event,
			   void *ptr)
{
	struct netlink_notify *n = ptr;
	struct xlb_net *xn;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;
	xn = xlb_net(n->net);
	mutex_lock(&xn->lock);
	if (xn->stage && xn->stage->portid == n->portid) {
		xlb_stage_free(xn);
		xn->txn_discarded++;
	}
	mutex_unlock(&xn->lock);
	return NOTIFY_DONE;
}

static struct notifier_block xlb_txn_nb = {
	.notifier_call = xlb_txn_release,
};

int xlb_txn_notifier_init(void)
{
	return netlink_register_notifier(&xlb_txn_nb);
}

void xlb_txn_notifier_exit(void)
{
	netlink_unregister_notifier(&xlb_txn_nb);
}
