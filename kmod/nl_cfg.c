// SPDX-License-Identifier: GPL-2.0
/*
 * nl_cfg.c - configuration, maps and lookups: CONFIG_GET, CONFIG_SET,
 * BIND, UNBIND and LOOKUP.  Every handler runs under the namespace mutex
 * (netlink.c: xlb_doit()).
 */
#include <net/genetlink.h>

#include "xlb_hash.h"
#include "nl.h"

/* ---- configuration ---------------------------------------------------- */

/* XLB_A_CONFIG (validated by the command's policy) into the transaction. */
int xlb_parse_cfg(struct xlb_net *xn, struct netlink_ext_ack *extack,
		  const struct nlattr *nest, struct xlb_txn *txn)
{
	struct nlattr *tb[XLB_CFG_A_MAX + 1];
	int ret;

	lockdep_assert_held(&xn->lock);
	ret = nla_parse_nested(tb, XLB_CFG_A_MAX, nest, NULL, extack);
	if (ret)
		return ret;
	if (tb[XLB_CFG_A_SEED]) {
		txn->seed_set = true;
		txn->seed = nla_get_u32(tb[XLB_CFG_A_SEED]);
	}
	if (tb[XLB_CFG_A_SRC4] || tb[XLB_CFG_A_SRC6]) {
		txn->src_set = true;
		txn->src4 = xn->src4;
		memcpy(txn->src6, xn->src6, sizeof(txn->src6));
	}
	if (tb[XLB_CFG_A_SRC4])
		nla_memcpy(&txn->src4, tb[XLB_CFG_A_SRC4], 4);
	if (tb[XLB_CFG_A_SRC6])
		nla_memcpy(txn->src6, tb[XLB_CFG_A_SRC6], 16);
	return 0;
}

static int xlb_fill_cfg(struct sk_buff *skb, const void *arg)
{
	const struct xlb_net *xn = arg;
	static const __be32 zero6[4];
	struct nlattr *nest = nla_nest_start(skb, XLB_A_CONFIG);

	if (!nest || nla_put_u32(skb, XLB_CFG_A_SEED, xn->seed) ||
	    (xn->src4 && nla_put(skb, XLB_CFG_A_SRC4, 4, &xn->src4)) ||
	    (memcmp(xn->src6, zero6, 16) &&
	     nla_put(skb, XLB_CFG_A_SRC6, 16, xn->src6)) ||
	    nla_put_u8(skb, XLB_CFG_A_BOUND, !!xn->maps) ||
	    nla_put_u32(skb, XLB_CFG_A_MAX_SERVICES, xlb_eff_max_services(xn)) ||
	    nla_put_u32(skb, XLB_CFG_A_MAX_BACKENDS, xlb_eff_max_backends(xn)) ||
	    (xn->maps &&
	     nla_put_u32(skb, XLB_CFG_A_TABLE_MAX, xn->maps->table_max)) ||
	    nla_put_u32(skb, XLB_CFG_A_TXN_DISCARDED, xn->txn_discarded) ||
	    (xlb_stage_port(xn) &&
	     nla_put_u32(skb, XLB_CFG_A_TXN_PORT, xlb_stage_port(xn))))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

int xlb_cfg_get(struct xlb_net *xn, struct genl_info *info)
{
	lockdep_assert_held(&xn->lock);
	return xlb_reply_fill(xn, info, XLB_CMD_CONFIG_GET, xlb_fill_cfg, xn);
}

int xlb_cfg_set(struct xlb_net *xn, struct genl_info *info)
{
	struct xlb_txn txn;
	int ret;

	ret = xlb_need(info->extack, NULL, info->attrs, XLB_A_CONFIG,
		       "XLB_A_CONFIG");
	if (ret)
		return ret;
	xlb_txn_init(&txn);
	ret = xlb_parse_cfg(xn, info->extack, info->attrs[XLB_A_CONFIG], &txn);
	/* A new seed moves every table: rebuild them all. */
	if (!ret && txn.seed_set)
		ret = xlb_txn_all(xn, &txn, true);
	if (ret) {
		xlb_txn_abort(&txn);
		return ret;
	}
	return xlb_apply(xn, info, &txn, NULL, NULL);
}

/* ---- maps ------------------------------------------------------------- */

static const char *const xlb_fd_names[] = {
	[XLB_BIND_A_CTL_FD] = "XLB_BIND_A_CTL_FD",
	[XLB_BIND_A_VIPS_FD] = "XLB_BIND_A_VIPS_FD",
	[XLB_BIND_A_SERVICES_FD] = "XLB_BIND_A_SERVICES_FD",
	[XLB_BIND_A_TABLES_FD] = "XLB_BIND_A_TABLES_FD",
	[XLB_BIND_A_BACKENDS_FD] = "XLB_BIND_A_BACKENDS_FD",
};

int xlb_bind_cmd(struct xlb_net *xn, struct genl_info *info)
{
	struct nlattr *tb[XLB_BIND_A_MAX + 1];
	u32 fds[XLB_BIND_A_MAX + 1];
	int a, ret;

	lockdep_assert_held(&xn->lock);
	ret = xlb_nest(info, XLB_A_BIND, XLB_BIND_A_MAX, NULL, tb,
		       "XLB_A_BIND");
	if (ret)
		return ret;
	for (a = XLB_BIND_A_CTL_FD; a <= XLB_BIND_A_MAX; a++) {
		/* the counter maps are optional */
		if (a > XLB_BIND_A_BACKENDS_FD) {
			fds[a] = tb[a] ? nla_get_u32(tb[a]) : 0;
			continue;
		}
		ret = xlb_need(info->extack, info->attrs[XLB_A_BIND], tb, a,
			       xlb_fd_names[a]);
		if (ret)
			return ret;
		fds[a] = nla_get_u32(tb[a]);
	}
	ret = xlb_bind(xn, fds, (const struct nlattr *const *)tb,
		       info->extack);
	if (!ret)
		xlb_notify(info, xlb_msg(0, 0, XLB_CMD_BIND, NULL, NULL,
					 xn->gen));
	return ret;
}

int xlb_unbind_cmd(struct xlb_net *xn, struct genl_info *info)
{
	lockdep_assert_held(&xn->lock);
	xlb_unbind(xn);
	xn->gen++;
	xlb_notify(info, xlb_msg(0, 0, XLB_CMD_UNBIND, NULL, NULL, xn->gen));
	return 0;
}

/* ---- lookup ----------------------------------------------------------- */

static int xlb_parse_flow(struct genl_info *info, struct nlattr **tb,
			  struct xlb_flow *f)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *nest = info->attrs[XLB_A_FLOW];
	u8 sfam = 0;
	int ret;

	memset(f, 0, sizeof(*f));
	ret = xlb_addr(extack, nest, tb, XLB_FLOW_A_SRC4, XLB_FLOW_A_SRC6,
		       "flow source", &sfam, f->src);
	if (!ret)
		ret = xlb_addr(extack, nest, tb, XLB_FLOW_A_DST4,
			       XLB_FLOW_A_DST6, "flow destination", &f->family,
			       f->dst);
	if (!ret && sfam != f->family) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "flow source and destination address families differ");
		ret = -EINVAL;
	}
	if (!ret)
		ret = xlb_need(extack, nest, tb, XLB_FLOW_A_SPORT,
			       "XLB_FLOW_A_SPORT");
	if (!ret)
		ret = xlb_need(extack, nest, tb, XLB_FLOW_A_DPORT,
			       "XLB_FLOW_A_DPORT");
	if (!ret)
		ret = xlb_need(extack, nest, tb, XLB_FLOW_A_PROTO,
			       "XLB_FLOW_A_PROTO");
	if (!ret)
		ret = xlb_proto(extack, tb[XLB_FLOW_A_PROTO], &f->proto);
	if (ret)
		return ret;
	f->sport = htons(nla_get_u16(tb[XLB_FLOW_A_SPORT]));
	f->dport = htons(nla_get_u16(tb[XLB_FLOW_A_DPORT]));
	return 0;
}

struct xlb_flow_reply {
	struct xlb_flow	f;
	u32		hash;
	u32		slot;
};

static int xlb_fill_flow(struct sk_buff *skb, const void *arg)
{
	const struct xlb_flow_reply *r = arg;
	const struct xlb_flow *f = &r->f;
	struct nlattr *nest = nla_nest_start(skb, XLB_A_FLOW);

	if (!nest ||
	    xlb_put_addr(skb, XLB_FLOW_A_SRC4, XLB_FLOW_A_SRC6, f->family,
			 f->src) ||
	    xlb_put_addr(skb, XLB_FLOW_A_DST4, XLB_FLOW_A_DST6, f->family,
			 f->dst) ||
	    nla_put_u16(skb, XLB_FLOW_A_SPORT, ntohs(f->sport)) ||
	    nla_put_u16(skb, XLB_FLOW_A_DPORT, ntohs(f->dport)) ||
	    nla_put_u8(skb, XLB_FLOW_A_PROTO, f->proto) ||
	    nla_put_u32(skb, XLB_FLOW_A_HASH, r->hash) ||
	    nla_put_u32(skb, XLB_FLOW_A_SLOT, r->slot))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

int xlb_lookup(struct xlb_net *xn, struct genl_info *info)
{
	struct nlattr *tb[XLB_FLOW_A_MAX + 1];
	struct xlb_flow_reply r;
	struct xlb_flow *f = &r.f;
	struct xlb_vip_key key = {};
	struct xlb_svc *svc;
	struct xlb_be *be;
	char k[64];
	int ret;

	ret = xlb_nest(info, XLB_A_FLOW, XLB_FLOW_A_MAX, NULL, tb,
		       "XLB_A_FLOW");
	if (!ret)
		ret = xlb_parse_flow(info, tb, f);
	if (ret)
		return ret;
	memcpy(key.addr, f->dst, sizeof(key.addr));
	key.port = f->dport;
	key.proto = f->proto;
	key.family = f->family;
	xlb_fmt_key(k, sizeof(k), &key);
	svc = xlb_svc_by_key(xn, &key);
	if (!svc) {
		xlb_err(xn, info->extack, info->attrs[XLB_A_FLOW],
			"no service %s", k);
		return -ENOENT;
	}
	r.hash = xlb_hash_flow(f, xn->seed, svc->flags);
	r.slot = xlb_hash_slot(r.hash, svc->table_size);
	be = xlb_be_find_id(svc, svc->table[r.slot]);
	if (!be) {
		xlb_err(xn, info->extack, info->attrs[XLB_A_FLOW],
			"service %s has no backend with weight > 0", k);
		return -ENOENT;
	}
	return xlb_reply(info, xlb_msg_flow(info->snd_portid, info->snd_seq,
					    XLB_CMD_LOOKUP, svc, be, xn->gen,
					    xlb_fill_flow, &r));
}
