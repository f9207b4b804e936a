// SPDX-License-Identifier: GPL-2.0
/*
 * netlink.c - the generic netlink family "xlb" (include/uapi/xlb_netlink.h,
 * Documentation/netlink.md).
 *
 * Every attribute is checked by a policy (strict parsing: unknown attributes
 * and wrong lengths are rejected by the core); what a policy cannot express
 * (prime table sizes, protocols, address pairs) is checked here with an
 * extack message naming the attribute.  Handlers run under the namespace
 * mutex; a mutating handler builds a transaction and either commits it
 * whole or returns an error having changed nothing.
 */
#include <linux/in.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "maglev.h"
#include "compat.h"
#include "xlb_hash.h"
#include "xlb.h"

static struct netlink_range_validation xlb_weight_range = {
	.min = 0,
	.max = XLB_WEIGHT_MAX,
};

static const struct nla_policy xlb_be_policy[XLB_BE_A_MAX + 1] = {
	[XLB_BE_A_ID]		= { .type = NLA_REJECT },
	[XLB_BE_A_ADDR4]	= NLA_POLICY_EXACT_LEN(4),
	[XLB_BE_A_ADDR6]	= NLA_POLICY_EXACT_LEN(16),
	[XLB_BE_A_WEIGHT]	= NLA_POLICY_FULL_RANGE(NLA_U32, &xlb_weight_range),
	[XLB_BE_A_STATE]	= NLA_POLICY_MAX(NLA_U8, __XLB_BE_STATE_MAX),
	[XLB_BE_A_SLOTS]	= { .type = NLA_REJECT },
	[XLB_BE_A_GEN]		= { .type = NLA_REJECT },
};

static const struct nla_policy xlb_svc_policy[XLB_SVC_A_MAX + 1] = {
	[XLB_SVC_A_ID]		= { .type = NLA_U32 },
	[XLB_SVC_A_ADDR4]	= NLA_POLICY_EXACT_LEN(4),
	[XLB_SVC_A_ADDR6]	= NLA_POLICY_EXACT_LEN(16),
	[XLB_SVC_A_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
	[XLB_SVC_A_PROTO]	= { .type = NLA_U8 },
	[XLB_SVC_A_TABLE_SIZE]	= { .type = NLA_U32 },
	[XLB_SVC_A_FLAGS]	= { .type = NLA_U32 },
	[XLB_SVC_A_BACKENDS]	= NLA_POLICY_NESTED_ARRAY(xlb_be_policy),
	[XLB_SVC_A_NBACKENDS]	= { .type = NLA_REJECT },
	[XLB_SVC_A_DIGEST]	= { .type = NLA_REJECT },
	[XLB_SVC_A_PAD]		= { .type = NLA_REJECT },
};

static const struct nla_policy xlb_cfg_policy[XLB_CFG_A_MAX + 1] = {
	[XLB_CFG_A_SEED]	= { .type = NLA_U32 },
	[XLB_CFG_A_SRC4]	= NLA_POLICY_EXACT_LEN(4),
	[XLB_CFG_A_SRC6]	= NLA_POLICY_EXACT_LEN(16),
	[XLB_CFG_A_BOUND]	= { .type = NLA_REJECT },
	[XLB_CFG_A_MAX_SERVICES] = { .type = NLA_REJECT },
	[XLB_CFG_A_MAX_BACKENDS] = { .type = NLA_REJECT },
	[XLB_CFG_A_TABLE_MAX]	= { .type = NLA_REJECT },
};

static const struct nla_policy xlb_bind_policy[XLB_BIND_A_MAX + 1] = {
	[XLB_BIND_A_CTL_FD]	= { .type = NLA_U32 },
	[XLB_BIND_A_VIPS_FD]	= { .type = NLA_U32 },
	[XLB_BIND_A_SERVICES_FD] = { .type = NLA_U32 },
	[XLB_BIND_A_TABLES_FD]	= { .type = NLA_U32 },
	[XLB_BIND_A_BACKENDS_FD] = { .type = NLA_U32 },
};

static const struct nla_policy xlb_flow_policy[XLB_FLOW_A_MAX + 1] = {
	[XLB_FLOW_A_SRC4]	= NLA_POLICY_EXACT_LEN(4),
	[XLB_FLOW_A_SRC6]	= NLA_POLICY_EXACT_LEN(16),
	[XLB_FLOW_A_DST4]	= NLA_POLICY_EXACT_LEN(4),
	[XLB_FLOW_A_DST6]	= NLA_POLICY_EXACT_LEN(16),
	[XLB_FLOW_A_SPORT]	= { .type = NLA_U16 },
	[XLB_FLOW_A_DPORT]	= { .type = NLA_U16 },
	[XLB_FLOW_A_PROTO]	= { .type = NLA_U8 },
	[XLB_FLOW_A_HASH]	= { .type = NLA_REJECT },
	[XLB_FLOW_A_SLOT]	= { .type = NLA_REJECT },
};

static const struct nla_policy xlb_policy[XLB_A_MAX + 1] = {
	[XLB_A_SERVICE]		= NLA_POLICY_NESTED(xlb_svc_policy),
	[XLB_A_BACKEND]		= NLA_POLICY_NESTED(xlb_be_policy),
	[XLB_A_SERVICES]	= NLA_POLICY_NESTED_ARRAY(xlb_svc_policy),
	[XLB_A_CONFIG]		= NLA_POLICY_NESTED(xlb_cfg_policy),
	[XLB_A_BIND]		= NLA_POLICY_NESTED(xlb_bind_policy),
	[XLB_A_FLOW]		= NLA_POLICY_NESTED(xlb_flow_policy),
	[XLB_A_GENERATION]	= { .type = NLA_REJECT },
};

static struct genl_family xlb_family;

/* ---- parsing ---------------------------------------------------------- */

static int xlb_need(struct xlb_net *xn, struct netlink_ext_ack *extack,
		    const struct nlattr *nest, struct nlattr **tb, int type,
		    const char *name)
{
	if (tb[type])
		return 0;
	NL_SET_ERR_ATTR_MISS(extack, (struct nlattr *)nest, type);
	xlb_err(xn, extack, NULL, "missing attribute %s", name);
	return -EINVAL;
}

static int xlb_addr(struct xlb_net *xn, struct netlink_ext_ack *extack,
		    const struct nlattr *nest, struct nlattr **tb, int a4,
		    int a6, const char *what, u8 *family, __be32 *addr)
{
	memset(addr, 0, 16);
	if (tb[a4] && tb[a6]) {
		xlb_err(xn, extack, tb[a6],
			"%s: give an IPv4 or an IPv6 address, not both", what);
		return -EINVAL;
	}
	if (tb[a4]) {
		*family = XLB_AF_INET;
		nla_memcpy(addr, tb[a4], 4);
	} else if (tb[a6]) {
		*family = XLB_AF_INET6;
		nla_memcpy(addr, tb[a6], 16);
	} else {
		NL_SET_ERR_ATTR_MISS(extack, (struct nlattr *)nest, a4);
		xlb_err(xn, extack, NULL, "%s: missing address (IPv4 or IPv6)",
			what);
		return -EINVAL;
	}
	return 0;
}

static int xlb_proto(struct xlb_net *xn, struct netlink_ext_ack *extack,
		     const struct nlattr *attr, u8 *proto)
{
	*proto = nla_get_u8(attr);
	if (*proto == IPPROTO_TCP || *proto == IPPROTO_UDP)
		return 0;
	xlb_err(xn, extack, attr, "protocol %u is not tcp (6) or udp (17)",
		*proto);
	return -EINVAL;
}

static int xlb_parse_key(struct xlb_net *xn, struct netlink_ext_ack *extack,
			 const struct nlattr *nest, struct nlattr **tb,
			 struct xlb_vip_key *key)
{
	int ret;

	memset(key, 0, sizeof(*key));
	ret = xlb_addr(xn, extack, nest, tb, XLB_SVC_A_ADDR4, XLB_SVC_A_ADDR6,
		       "service", &key->family, key->addr);
	if (!ret)
		ret = xlb_need(xn, extack, nest, tb, XLB_SVC_A_PORT,
			       "XLB_SVC_A_PORT (service port)");
	if (!ret)
		ret = xlb_need(xn, extack, nest, tb, XLB_SVC_A_PROTO,
			       "XLB_SVC_A_PROTO (service protocol)");
	if (!ret)
		ret = xlb_proto(xn, extack, tb[XLB_SVC_A_PROTO], &key->proto);
	if (!ret)
		key->port = htons(nla_get_u16(tb[XLB_SVC_A_PORT]));
	return ret;
}

static bool xlb_has_key(struct nlattr **tb)
{
	return tb[XLB_SVC_A_ADDR4] || tb[XLB_SVC_A_ADDR6] ||
	       tb[XLB_SVC_A_PORT] || tb[XLB_SVC_A_PROTO];
}

/* The service an XLB_A_SERVICE nest names by ID or by key. */
static struct xlb_svc *xlb_find_svc(struct xlb_net *xn,
				    struct netlink_ext_ack *extack,
				    const struct nlattr *nest,
				    struct nlattr **tb, int *err)
{
	struct xlb_vip_key key;
	struct xlb_svc *svc;
	char k[64];

	if (tb[XLB_SVC_A_ID]) {
		u32 id = nla_get_u32(tb[XLB_SVC_A_ID]);

		svc = id < xlb_max_services ? xn->svcs[id] : NULL;
		*err = -ENOENT;
		if (!svc) {
			xlb_err(xn, extack, tb[XLB_SVC_A_ID],
				"service id %u does not exist", id);
			return NULL;
		}
		if (!xlb_has_key(tb))
			return svc;
		*err = xlb_parse_key(xn, extack, nest, tb, &key);
		if (*err)
			return NULL;
		if (memcmp(&key, &svc->key, sizeof(key))) {
			xlb_fmt_key(k, sizeof(k), &key);
			xlb_err(xn, extack, tb[XLB_SVC_A_ID],
				"service id %u is not service %s", id, k);
			*err = -EINVAL;
			return NULL;
		}
		return svc;
	}
	*err = xlb_parse_key(xn, extack, nest, tb, &key);
	if (*err)
		return NULL;
	svc = xlb_svc_find_key(xn, &key);
	if (!svc) {
		xlb_fmt_key(k, sizeof(k), &key);
		xlb_err(xn, extack, nest, "service %s does not exist", k);
		*err = -ENOENT;
	}
	return svc;
}

static int xlb_parse_svc_opts(struct xlb_net *xn,
			      struct netlink_ext_ack *extack,
			      struct nlattr **tb, struct xlb_svc *svc)
{
	struct nlattr *a;

	a = tb[XLB_SVC_A_TABLE_SIZE];
	if (a) {
		svc->table_size = nla_get_u32(a);
		if (!xlb_maglev_size_valid(svc->table_size)) {
			xlb_err(xn, extack, a,
				"table size %u is not a prime from the supported list (251 ... 655373)",
				svc->table_size);
			return -EINVAL;
		}
	}
	a = tb[XLB_SVC_A_FLAGS];
	if (a) {
		svc->flags = nla_get_u32(a);
		if (svc->flags & ~__XLB_SVC_F_ALL) {
			xlb_err(xn, extack, a, "unknown service flags 0x%x",
				svc->flags & ~__XLB_SVC_F_ALL);
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

/* Backend attributes; fresh = defaults for a new backend. */
static int xlb_parse_be(struct xlb_net *xn, struct netlink_ext_ack *extack,
			const struct nlattr *nest, struct nlattr **tb,
			struct xlb_be *be, bool fresh)
{
	int ret;

	ret = xlb_addr(xn, extack, nest, tb, XLB_BE_A_ADDR4, XLB_BE_A_ADDR6,
		       "backend", &be->family, be->addr);
	if (ret)
		return ret;
	if (fresh) {
		be->weight = XLB_WEIGHT_DEFAULT;
		be->admin = XLB_BE_STATE_ACTIVE;
		be->fresh = true;
	}
	if (tb[XLB_BE_A_WEIGHT])
		be->weight = nla_get_u32(tb[XLB_BE_A_WEIGHT]);
	if (tb[XLB_BE_A_STATE])
		be->admin = nla_get_u8(tb[XLB_BE_A_STATE]);
	return 0;
}

static int xlb_nest(struct xlb_net *xn, struct genl_info *info, int type,
		    int max, const struct nla_policy *policy,
		    struct nlattr **tb, const char *name)
{
	struct nlattr *nest = info->attrs[type];

	if (!nest) {
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, type);
		xlb_err(xn, info->extack, NULL, "missing attribute %s", name);
		return -EINVAL;
	}
	return nla_parse_nested(tb, max, nest, policy, info->extack);
}

#define XLB_NEST_SVC(xn, info, tb) \
	xlb_nest(xn, info, XLB_A_SERVICE, XLB_SVC_A_MAX, xlb_svc_policy, tb, \
		 "XLB_A_SERVICE")
#define XLB_NEST_BE(xn, info, tb) \
	xlb_nest(xn, info, XLB_A_BACKEND, XLB_BE_A_MAX, xlb_be_policy, tb, \
		 "XLB_A_BACKEND")

/* The service the request's XLB_A_SERVICE names; tb receives its nest. */
static struct xlb_svc *xlb_req_svc(struct xlb_net *xn, struct genl_info *info,
				   struct nlattr **tb, int *err)
{
	*err = XLB_NEST_SVC(xn, info, tb);
	if (*err)
		return NULL;
	return xlb_find_svc(xn, info->extack, info->attrs[XLB_A_SERVICE], tb,
			    err);
}

/* ---- messages --------------------------------------------------------- */

static int xlb_put_addr(struct sk_buff *skb, int a4, int a6, u8 family,
			const __be32 *addr)
{
	if (family == XLB_AF_INET6)
		return nla_put(skb, a6, 16, addr);
	return nla_put(skb, a4, 4, addr);
}

static int xlb_fill_svc(struct sk_buff *skb, const struct xlb_svc *svc,
			bool full)
{
	struct nlattr *nest = nla_nest_start(skb, XLB_A_SERVICE);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, XLB_SVC_A_ID, svc->id) ||
	    xlb_put_addr(skb, XLB_SVC_A_ADDR4, XLB_SVC_A_ADDR6,
			 svc->key.family, svc->key.addr) ||
	    nla_put_u16(skb, XLB_SVC_A_PORT, ntohs(svc->key.port)) ||
	    nla_put_u8(skb, XLB_SVC_A_PROTO, svc->key.proto))
		goto fail;
	if (full &&
	    (nla_put_u32(skb, XLB_SVC_A_TABLE_SIZE, svc->table_size) ||
	     nla_put_u32(skb, XLB_SVC_A_FLAGS, svc->flags) ||
	     nla_put_u32(skb, XLB_SVC_A_NBACKENDS, svc->nbe) ||
	     nla_put_u64_64bit(skb, XLB_SVC_A_DIGEST, svc->digest,
			       XLB_SVC_A_PAD)))
		goto fail;
	nla_nest_end(skb, nest);
	return 0;
fail:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int xlb_fill_be(struct sk_buff *skb, const struct xlb_be *be)
{
	struct nlattr *nest = nla_nest_start(skb, XLB_A_BACKEND);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, XLB_BE_A_ID, be->id) ||
	    xlb_put_addr(skb, XLB_BE_A_ADDR4, XLB_BE_A_ADDR6, be->family,
			 be->addr) ||
	    nla_put_u32(skb, XLB_BE_A_WEIGHT, be->weight) ||
	    nla_put_u8(skb, XLB_BE_A_STATE, be->admin) ||
	    nla_put_u32(skb, XLB_BE_A_SLOTS, be->slots) ||
	    nla_put_u32(skb, XLB_BE_A_GEN, be->gen)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* A message about a service and/or backend, e.g. a reply or a notice. */
static struct sk_buff *xlb_msg_flow(u32 portid, u32 seq, u8 cmd,
				    const struct xlb_svc *svc,
				    const struct xlb_be *be, u32 gen,
				    int (*extra)(struct sk_buff *skb,
						 const void *arg),
				    const void *arg)
{
	struct sk_buff *skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	void *hdr;

	if (!skb)
		return NULL;
	hdr = genlmsg_put(skb, portid, seq, &xlb_family, 0, cmd);
	if (!hdr)
		goto fail;
	if ((svc && xlb_fill_svc(skb, svc, !be && !extra)) ||
	    (be && xlb_fill_be(skb, be)) ||
	    (extra && extra(skb, arg)) ||
	    nla_put_u32(skb, XLB_A_GENERATION, gen))
		goto fail;
	genlmsg_end(skb, hdr);
	return skb;
fail:
	nlmsg_free(skb);
	return NULL;
}

static struct sk_buff *xlb_msg(u32 portid, u32 seq, u8 cmd,
			       const struct xlb_svc *svc,
			       const struct xlb_be *be, u32 gen)
{
	return xlb_msg_flow(portid, seq, cmd, svc, be, gen, NULL, NULL);
}

static int xlb_reply(struct genl_info *info, struct sk_buff *skb)
{
	if (!skb)
		return -ENOMEM;
	return genlmsg_reply(skb, info);
}

/*
 * Prepare the transaction, then commit it and announce the change.  The
 * notice is built before the commit, which frees deleted objects.
 */
static int xlb_apply(struct xlb_net *xn, struct genl_info *info,
		     struct xlb_txn *txn, const struct xlb_svc *svc,
		     const struct xlb_be *be)
{
	struct sk_buff *skb;
	int ret;

	ret = xlb_txn_prepare(xn, txn, info->extack);
	if (ret) {
		xlb_txn_abort(txn);
		return ret;
	}
	skb = xlb_msg(0, 0, info->genlhdr->cmd, svc, be, xn->gen + 1);
	xlb_txn_commit(xn, txn);
	if (skb)
		genlmsg_multicast_netns(&xlb_family, genl_info_net(info), skb,
					0, 0, GFP_KERNEL);
	return 0;
}

/* Queue a change of one service, then apply. */
static int xlb_apply1(struct xlb_net *xn, struct genl_info *info,
		      struct xlb_svc *old, struct xlb_svc *new,
		      const struct xlb_be *be)
{
	struct xlb_txn txn;

	xlb_txn_init(&txn);
	if (xlb_txn_add(&txn, old, new)) {
		xlb_svc_free(new);
		return -ENOMEM;
	}
	return xlb_apply(xn, info, &txn, new ? new : old, be);
}

/* ---- services --------------------------------------------------------- */

static int xlb_svc_new(struct xlb_net *xn, struct genl_info *info)
{
	struct nlattr *tb[XLB_SVC_A_MAX + 1];
	struct xlb_svc *svc;
	char k[64];
	int ret;

	ret = XLB_NEST_SVC(xn, info, tb);
	if (ret)
		return ret;
	if (tb[XLB_SVC_A_ID] || tb[XLB_SVC_A_BACKENDS]) {
		xlb_err(xn, info->extack,
			tb[XLB_SVC_A_ID] ?: tb[XLB_SVC_A_BACKENDS],
			"XLB_SVC_A_ID is assigned by the module and XLB_SVC_A_BACKENDS belongs to XLB_CMD_REPLACE");
		return -EINVAL;
	}
	svc = xlb_svc_alloc();
	if (!svc)
		return -ENOMEM;
	svc->table_size = XLB_TABLE_SIZE_DEFAULT;
	ret = xlb_parse_key(xn, info->extack, info->attrs[XLB_A_SERVICE], tb,
			    &svc->key);
	if (!ret)
		ret = xlb_parse_svc_opts(xn, info->extack, tb, svc);
	if (!ret && xlb_svc_find_key(xn, &svc->key)) {
		xlb_fmt_key(k, sizeof(k), &svc->key);
		xlb_err(xn, info->extack, info->attrs[XLB_A_SERVICE],
			"service %s already exists", k);
		ret = -EEXIST;
	}
	if (ret) {
		xlb_svc_free(svc);
		return ret;
	}
	return xlb_apply1(xn, info, NULL, svc, NULL);
}

static int xlb_svc_set(struct xlb_net *xn, struct genl_info *info)
{
	struct nlattr *tb[XLB_SVC_A_MAX + 1];
	struct xlb_svc *old, *svc;
	int ret;

	old = xlb_req_svc(xn, info, tb, &ret);
	if (!old)
		return ret;
	if (tb[XLB_SVC_A_BACKENDS]) {
		xlb_err(xn, info->extack, tb[XLB_SVC_A_BACKENDS],
			"XLB_SVC_A_BACKENDS belongs to XLB_CMD_REPLACE");
		return -EINVAL;
	}
	svc = xlb_svc_clone(old, 0);
	if (!svc)
		return -ENOMEM;
	ret = xlb_parse_svc_opts(xn, info->extack, tb, svc);
	if (ret) {
		xlb_svc_free(svc);
		return ret;
	}
	return xlb_apply1(xn, info, old, svc, NULL);
}

static int xlb_svc_del(struct xlb_net *xn, struct genl_info *info)
{
	struct nlattr *tb[XLB_SVC_A_MAX + 1];
	struct xlb_svc *old;
	int ret;

	old = xlb_req_svc(xn, info, tb, &ret);
	if (!old)
		return ret;
	return xlb_apply1(xn, info, old, NULL, NULL);
}

static int xlb_svc_get(struct xlb_net *xn, struct genl_info *info)
{
	struct nlattr *tb[XLB_SVC_A_MAX + 1];
	struct xlb_svc *svc;
	int ret;

	svc = xlb_req_svc(xn, info, tb, &ret);
	if (!svc)
		return ret;
	return xlb_reply(info, xlb_msg(info->snd_portid, info->snd_seq,
				       XLB_CMD_SERVICE_GET, svc, NULL, xn->gen));
}

/* ---- backends --------------------------------------------------------- */

/* The service and the parsed backend nest of a backend command. */
static struct xlb_svc *xlb_be_target(struct xlb_net *xn,
				     struct genl_info *info,
				     struct nlattr **btb, struct xlb_be *be,
				     bool fresh, int *err)
{
	struct nlattr *tb[XLB_SVC_A_MAX + 1];
	struct xlb_svc *svc;

	svc = xlb_req_svc(xn, info, tb, err);
	if (!svc)
		return NULL;
	*err = XLB_NEST_BE(xn, info, btb);
	if (!*err)
		*err = xlb_parse_be(xn, info->extack, info->attrs[XLB_A_BACKEND],
				    btb, be, fresh);
	return *err ? NULL : svc;
}

static int xlb_be_missing(struct xlb_net *xn, struct genl_info *info,
			  const struct xlb_svc *svc, const struct xlb_be *be,
			  bool exists)
{
	char k[64], a[48];

	xlb_fmt_key(k, sizeof(k), &svc->key);
	xlb_fmt_addr(a, sizeof(a), be->family, be->addr);
	xlb_err(xn, info->extack, info->attrs[XLB_A_BACKEND],
		exists ? "backend %s already exists in service %s" :
			 "backend %s does not exist in service %s", a, k);
	return exists ? -EEXIST : -ENOENT;
}

static int xlb_be_new(struct xlb_net *xn, struct genl_info *info)
{
	struct nlattr *btb[XLB_BE_A_MAX + 1];
	struct xlb_be be = {};
	struct xlb_svc *old, *svc;
	u32 max = xlb_eff_max_backends(xn);
	char k[64];
	int ret;

	old = xlb_be_target(xn, info, btb, &be, true, &ret);
	if (!old)
		return ret;
	if (xlb_be_find(old, be.family, be.addr))
		return xlb_be_missing(xn, info, old, &be, true);
	if (old->nbe >= max) {
		xlb_fmt_key(k, sizeof(k), &old->key);
		xlb_err(xn, info->extack, info->attrs[XLB_A_BACKEND],
			"service %s already has the maximum of %u backends",
			k, max);
		return -ENOSPC;
	}
	svc = xlb_svc_clone(old, 1);
	if (!svc)
		return -ENOMEM;
	svc->be[svc->nbe++] = be;
	return xlb_apply1(xn, info, old, svc, &svc->be[svc->nbe - 1]);
}

static int xlb_be_set(struct xlb_net *xn, struct genl_info *info)
{
	struct nlattr *btb[XLB_BE_A_MAX + 1];
	struct xlb_be be = {}, *b;
	struct xlb_svc *old, *svc;
	int ret;

	old = xlb_be_target(xn, info, btb, &be, false, &ret);
	if (!old)
		return ret;
	b = xlb_be_find(old, be.family, be.addr);
	if (!b)
		return xlb_be_missing(xn, info, old, &be, false);
	svc = xlb_svc_clone(old, 0);
	if (!svc)
		return -ENOMEM;
	b = &svc->be[b - old->be];
	if (btb[XLB_BE_A_WEIGHT])
		b->weight = be.weight;
	if (btb[XLB_BE_A_STATE])
		b->admin = be.admin;
	return xlb_apply1(xn, info, old, svc, b);
}

static int xlb_be_del(struct xlb_net *xn, struct genl_info *info)
{
	struct nlattr *btb[XLB_BE_A_MAX + 1];
	struct xlb_be be = {}, *b;
	struct xlb_svc *old, *svc;
	u32 i;
	int ret;

	old = xlb_be_target(xn, info, btb, &be, false, &ret);
	if (!old)
		return ret;
	b = xlb_be_find(old, be.family, be.addr);
	if (!b)
		return xlb_be_missing(xn, info, old, &be, false);
	svc = xlb_svc_clone(old, 0);
	if (!svc)
		return -ENOMEM;
	i = b - old->be;
	memmove(&svc->be[i], &svc->be[i + 1],
		(svc->nbe - i - 1) * sizeof(*svc->be));
	svc->nbe--;
	/* The notice names the old backend: build it from the old object. */
	return xlb_apply1(xn, info, old, svc, b);
}

static int xlb_be_get(struct xlb_net *xn, struct genl_info *info)
{
	struct nlattr *btb[XLB_BE_A_MAX + 1];
	struct xlb_be be = {}, *b;
	struct xlb_svc *svc;
	int ret;

	svc = xlb_be_target(xn, info, btb, &be, false, &ret);
	if (!svc)
		return ret;
	b = xlb_be_find(svc, be.family, be.addr);
	if (!b)
		return xlb_be_missing(xn, info, svc, &be, false);
	return xlb_reply(info, xlb_msg(info->snd_portid, info->snd_seq,
				       XLB_CMD_BACKEND_GET, svc, b, xn->gen));
}

/* ---- replace and flush ------------------------------------------------ */

/*
 * Count the entries of a nested list.  Bytes after the last whole entry are
 * rejected: nested-array validation does not look at them, and accepting
 * them would apply a request the caller did not fully describe.
 */
static int xlb_count_nested(struct xlb_net *xn, struct netlink_ext_ack *extack,
			    const struct nlattr *list, const char *name,
			    u32 *n)
{
	const struct nlattr *a;
	int rem;

	*n = 0;
	nla_for_each_nested(a, list, rem)
		(*n)++;
	if (rem) {
		xlb_err(xn, extack, list,
			"%s: %d trailing bytes after the last entry", name, rem);
		return -EINVAL;
	}
	return 0;
}

/* Backends of one service of a REPLACE request into svc->be. */
static int xlb_replace_bes(struct xlb_net *xn, struct netlink_ext_ack *extack,
			   struct nlattr *list, struct xlb_svc *svc,
			   const struct xlb_svc *old)
{
	struct nlattr *btb[XLB_BE_A_MAX + 1], *a;
	u32 n = 0, max = xlb_eff_max_backends(xn);
	char k[64], s[48];
	int rem, ret;

	xlb_fmt_key(k, sizeof(k), &svc->key);
	ret = xlb_count_nested(xn, extack, list, "XLB_SVC_A_BACKENDS", &n);
	if (ret)
		return ret;
	if (n > max) {
		xlb_err(xn, extack, list,
			"service %s: %u backends exceed the limit of %u", k, n,
			max);
		return -ENOSPC;
	}
	svc->be = kvcalloc(max_t(u32, n, 1), sizeof(*svc->be), GFP_KERNEL);
	if (!svc->be)
		return -ENOMEM;
	nla_for_each_nested(a, list, rem) {
		struct xlb_be *be = &svc->be[svc->nbe], *ob;

		ret = nla_parse_nested(btb, XLB_BE_A_MAX, a, xlb_be_policy,
				       extack);
		if (!ret)
			ret = xlb_parse_be(xn, extack, a, btb, be, true);
		if (ret)
			return ret;
		if (xlb_be_find(svc, be->family, be->addr)) {
			xlb_fmt_addr(s, sizeof(s), be->family, be->addr);
			xlb_err(xn, extack, a,
				"backend %s appears twice in service %s", s, k);
			return -EEXIST;
		}
		ob = old ? xlb_be_find(old, be->family, be->addr) : NULL;
		if (ob) {
			/* Same backend: keep its id, its flows stay valid. */
			be->fresh = false;
			be->id = ob->id;
			be->gen = ob->gen;
		}
		svc->nbe++;
		if (!(svc->nbe % 256))
			cond_resched();
	}
	return 0;
}

/* One service of a REPLACE request, matched to the live one by key. */
static int xlb_replace_svc(struct xlb_net *xn, struct netlink_ext_ack *extack,
			   struct nlattr *a, struct xlb_txn *txn)
{
	struct nlattr *tb[XLB_SVC_A_MAX + 1];
	struct xlb_svc *svc, *old;
	char k[64];
	u32 i;
	int ret;

	ret = nla_parse_nested(tb, XLB_SVC_A_MAX, a, xlb_svc_policy, extack);
	if (ret)
		return ret;
	if (tb[XLB_SVC_A_ID]) {
		xlb_err(xn, extack, tb[XLB_SVC_A_ID],
			"XLB_SVC_A_ID is assigned by the module");
		return -EINVAL;
	}
	svc = xlb_svc_alloc();
	if (!svc)
		return -ENOMEM;
	svc->table_size = XLB_TABLE_SIZE_DEFAULT;
	ret = xlb_parse_key(xn, extack, a, tb, &svc->key);
	if (!ret)
		ret = xlb_parse_svc_opts(xn, extack, tb, svc);
	for (i = 0; !ret && i < txn->n; i++) {
		if (memcmp(&txn->ch[i].new->key, &svc->key, sizeof(svc->key)))
			continue;
		xlb_fmt_key(k, sizeof(k), &svc->key);
		xlb_err(xn, extack, a, "service %s appears twice", k);
		ret = -EEXIST;
	}
	old = ret ? NULL : xlb_svc_find_key(xn, &svc->key);
	if (old) {
		svc->id = old->id;
		svc->gen = old->gen;
		svc->active = old->active;
		svc->flip_cookie = old->flip_cookie;
	}
	if (!ret && tb[XLB_SVC_A_BACKENDS])
		ret = xlb_replace_bes(xn, extack, tb[XLB_SVC_A_BACKENDS], svc,
				      old);
	if (!ret)
		ret = xlb_txn_add(txn, old, svc);
	if (ret)
		xlb_svc_free(svc);
	return ret;
}

static int xlb_parse_cfg(struct xlb_net *xn, struct genl_info *info,
			 struct xlb_txn *txn)
{
	struct nlattr *tb[XLB_CFG_A_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, XLB_CFG_A_MAX, info->attrs[XLB_A_CONFIG],
			       xlb_cfg_policy, info->extack);
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

/* Every live service not in the transaction yet goes (or is rebuilt). */
static int xlb_txn_all(struct xlb_net *xn, struct xlb_txn *txn, bool keep)
{
	u32 i, j;
	int ret;

	for (i = 0; i < xlb_max_services; i++) {
		struct xlb_svc *old = xn->svcs[i], *new = NULL;

		if (!old)
			continue;
		for (j = 0; j < txn->n; j++)
			if (txn->ch[j].old == old)
				break;
		if (j < txn->n)
			continue;
		if (keep) {
			new = xlb_svc_clone(old, 0);
			if (!new)
				return -ENOMEM;
		}
		ret = xlb_txn_add(txn, old, new);
		if (ret) {
			xlb_svc_free(new);
			return ret;
		}
	}
	return 0;
}

static int xlb_replace(struct xlb_net *xn, struct genl_info *info)
{
	struct nlattr *list = info->attrs[XLB_A_SERVICES], *a;
	u32 n = 0, max = xlb_eff_max_services(xn);
	struct xlb_txn txn;
	int rem, ret;

	ret = xlb_need(xn, info->extack, NULL, info->attrs, XLB_A_SERVICES,
		       "XLB_A_SERVICES");
	if (ret)
		return ret;
	ret = xlb_count_nested(xn, info->extack, list, "XLB_A_SERVICES", &n);
	if (ret)
		return ret;
	if (n > max) {
		xlb_err(xn, info->extack, list,
			"%u services exceed the limit of %u", n, max);
		return -ENOSPC;
	}
	xlb_txn_init(&txn);
	if (info->attrs[XLB_A_CONFIG])
		ret = xlb_parse_cfg(xn, info, &txn);
	nla_for_each_nested(a, list, rem) {
		if (ret)
			break;
		ret = xlb_replace_svc(xn, info->extack, a, &txn);
	}
	if (!ret)
		ret = xlb_txn_all(xn, &txn, false);
	if (ret) {
		xlb_txn_abort(&txn);
		return ret;
	}
	return xlb_apply(xn, info, &txn, NULL, NULL);
}

static int xlb_flush(struct xlb_net *xn, struct genl_info *info)
{
	struct xlb_txn txn;
	int ret;

	xlb_txn_init(&txn);
	ret = xlb_txn_all(xn, &txn, false);
	if (ret) {
		xlb_txn_abort(&txn);
		return ret;
	}
	return xlb_apply(xn, info, &txn, NULL, NULL);
}

/* ---- configuration and maps ------------------------------------------- */

static int xlb_cfg_get(struct xlb_net *xn, struct genl_info *info)
{
	struct sk_buff *skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	static const __be32 zero6[4];
	struct nlattr *nest;
	void *hdr;

	if (!skb)
		return -ENOMEM;
	hdr = genlmsg_put(skb, info->snd_portid, info->snd_seq, &xlb_family, 0,
			  XLB_CMD_CONFIG_GET);
	if (!hdr)
		goto fail;
	nest = nla_nest_start(skb, XLB_A_CONFIG);
	if (!nest || nla_put_u32(skb, XLB_CFG_A_SEED, xn->seed) ||
	    (xn->src4 && nla_put(skb, XLB_CFG_A_SRC4, 4, &xn->src4)) ||
	    (memcmp(xn->src6, zero6, 16) &&
	     nla_put(skb, XLB_CFG_A_SRC6, 16, xn->src6)) ||
	    nla_put_u8(skb, XLB_CFG_A_BOUND, !!xn->maps) ||
	    nla_put_u32(skb, XLB_CFG_A_MAX_SERVICES, xlb_eff_max_services(xn)) ||
	    nla_put_u32(skb, XLB_CFG_A_MAX_BACKENDS, xlb_eff_max_backends(xn)) ||
	    (xn->maps &&
	     nla_put_u32(skb, XLB_CFG_A_TABLE_MAX, xn->maps->table_max)))
		goto fail;
	nla_nest_end(skb, nest);
	if (nla_put_u32(skb, XLB_A_GENERATION, xn->gen))
		goto fail;
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
fail:
	nlmsg_free(skb);
	return -EMSGSIZE;
}

static int xlb_cfg_set(struct xlb_net *xn, struct genl_info *info)
{
	struct xlb_txn txn;
	int ret;

	ret = xlb_need(xn, info->extack, NULL, info->attrs, XLB_A_CONFIG,
		       "XLB_A_CONFIG");
	if (ret)
		return ret;
	xlb_txn_init(&txn);
	ret = xlb_parse_cfg(xn, info, &txn);
	/* A new seed moves every table: rebuild them all. */
	if (!ret && txn.seed_set)
		ret = xlb_txn_all(xn, &txn, true);
	if (ret) {
		xlb_txn_abort(&txn);
		return ret;
	}
	return xlb_apply(xn, info, &txn, NULL, NULL);
}

static void xlb_notify_simple(struct xlb_net *xn, struct genl_info *info)
{
	struct sk_buff *skb = xlb_msg(0, 0, info->genlhdr->cmd, NULL, NULL,
				      xn->gen);

	if (skb)
		genlmsg_multicast_netns(&xlb_family, genl_info_net(info), skb,
					0, 0, GFP_KERNEL);
}

static const char *const xlb_fd_names[] = {
	[XLB_BIND_A_CTL_FD] = "XLB_BIND_A_CTL_FD",
	[XLB_BIND_A_VIPS_FD] = "XLB_BIND_A_VIPS_FD",
	[XLB_BIND_A_SERVICES_FD] = "XLB_BIND_A_SERVICES_FD",
	[XLB_BIND_A_TABLES_FD] = "XLB_BIND_A_TABLES_FD",
	[XLB_BIND_A_BACKENDS_FD] = "XLB_BIND_A_BACKENDS_FD",
};

static int xlb_bind_cmd(struct xlb_net *xn, struct genl_info *info)
{
	struct nlattr *tb[XLB_BIND_A_MAX + 1];
	u32 fds[XLB_BIND_A_MAX + 1];
	int a, ret;

	ret = xlb_nest(xn, info, XLB_A_BIND, XLB_BIND_A_MAX, xlb_bind_policy,
		       tb, "XLB_A_BIND");
	if (ret)
		return ret;
	for (a = XLB_BIND_A_CTL_FD; a <= XLB_BIND_A_MAX; a++) {
		ret = xlb_need(xn, info->extack, info->attrs[XLB_A_BIND], tb, a,
			       xlb_fd_names[a]);
		if (ret)
			return ret;
		fds[a] = nla_get_u32(tb[a]);
	}
	ret = xlb_bind(xn, fds, (const struct nlattr *const *)tb,
		       info->extack);
	if (!ret)
		xlb_notify_simple(xn, info);
	return ret;
}

static int xlb_unbind_cmd(struct xlb_net *xn, struct genl_info *info)
{
	xlb_unbind(xn);
	xn->gen++;
	xlb_notify_simple(xn, info);
	return 0;
}

/* ---- lookup ----------------------------------------------------------- */

static int xlb_parse_flow(struct xlb_net *xn, struct genl_info *info,
			  struct nlattr **tb, struct xlb_flow *f)
{
	struct nlattr *nest = info->attrs[XLB_A_FLOW];
	u8 sfam = 0;
	int ret;

	memset(f, 0, sizeof(*f));
	ret = xlb_addr(xn, info->extack, nest, tb, XLB_FLOW_A_SRC4,
		       XLB_FLOW_A_SRC6, "flow source", &sfam, f->src);
	if (!ret)
		ret = xlb_addr(xn, info->extack, nest, tb, XLB_FLOW_A_DST4,
			       XLB_FLOW_A_DST6, "flow destination", &f->family,
			       f->dst);
	if (!ret && sfam != f->family) {
		xlb_err(xn, info->extack, nest,
			"flow source and destination address families differ");
		ret = -EINVAL;
	}
	if (!ret)
		ret = xlb_need(xn, info->extack, nest, tb, XLB_FLOW_A_SPORT,
			       "XLB_FLOW_A_SPORT");
	if (!ret)
		ret = xlb_need(xn, info->extack, nest, tb, XLB_FLOW_A_DPORT,
			       "XLB_FLOW_A_DPORT");
	if (!ret)
		ret = xlb_need(xn, info->extack, nest, tb, XLB_FLOW_A_PROTO,
			       "XLB_FLOW_A_PROTO");
	if (!ret)
		ret = xlb_proto(xn, info->extack, tb[XLB_FLOW_A_PROTO],
				&f->proto);
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

static int xlb_lookup(struct xlb_net *xn, struct genl_info *info)
{
	struct nlattr *tb[XLB_FLOW_A_MAX + 1];
	struct xlb_flow_reply r;
	struct xlb_flow *f = &r.f;
	struct xlb_vip_key key = {};
	struct xlb_svc *svc;
	struct xlb_be *be;
	char k[64];
	int ret;

	ret = xlb_nest(xn, info, XLB_A_FLOW, XLB_FLOW_A_MAX, xlb_flow_policy,
		       tb, "XLB_A_FLOW");
	if (!ret)
		ret = xlb_parse_flow(xn, info, tb, f);
	if (ret)
		return ret;
	memcpy(key.addr, f->dst, sizeof(key.addr));
	key.port = f->dport;
	key.proto = f->proto;
	key.family = f->family;
	xlb_fmt_key(k, sizeof(k), &key);
	svc = xlb_svc_find_key(xn, &key);
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

/* ---- dumps ------------------------------------------------------------ */

static void *xlb_dump_put(struct sk_buff *skb, struct netlink_callback *cb,
			  u8 cmd)
{
	void *hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				cb->nlh->nlmsg_seq, &xlb_family, NLM_F_MULTI,
				cmd);

	if (hdr)
		genl_dump_check_consistent(cb, hdr);
	return hdr;
}

/* cb->args[0]: next service id. */
static int xlb_svc_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct xlb_net *xn = xlb_net(sock_net(skb->sk));
	u32 sid = cb->args[0];
	void *hdr;

	mutex_lock(&xn->lock);
	cb->seq = xn->gen;
	for (; sid < xlb_max_services; sid++) {
		if (!xn->svcs[sid])
			continue;
		hdr = xlb_dump_put(skb, cb, XLB_CMD_SERVICE_GET);
		if (!hdr)
			break;
		if (xlb_fill_svc(skb, xn->svcs[sid], true) ||
		    nla_put_u32(skb, XLB_A_GENERATION, xn->gen)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = sid;
	mutex_unlock(&xn->lock);
	return skb->len;
}

/* cb->args[0]: next backend index of the requested service. */
static int xlb_be_dump_locked(struct xlb_net *xn, struct sk_buff *skb,
			      struct netlink_callback *cb)
{
	struct nlattr *tb[XLB_SVC_A_MAX + 1];
	struct nlattr *nest = xlb_dump_attrs(cb)[XLB_A_SERVICE];
	struct xlb_svc *svc;
	u32 i = cb->args[0];
	void *hdr;
	int ret;

	if (!nest) {
		NL_SET_ERR_ATTR_MISS(cb->extack, NULL, XLB_A_SERVICE);
		xlb_err(xn, cb->extack, NULL, "missing attribute XLB_A_SERVICE");
		return -EINVAL;
	}
	ret = nla_parse_nested(tb, XLB_SVC_A_MAX, nest, xlb_svc_policy,
			       cb->extack);
	if (ret)
		return ret;
	svc = xlb_find_svc(xn, cb->extack, nest, tb, &ret);
	if (!svc)
		return i ? 0 : ret;	/* gone mid-dump: the seq tells */
	for (; i < svc->nbe; i++) {
		hdr = xlb_dump_put(skb, cb, XLB_CMD_BACKEND_GET);
		if (!hdr)
			break;
		if (xlb_fill_svc(skb, svc, false) ||
		    xlb_fill_be(skb, &svc->be[i]) ||
		    nla_put_u32(skb, XLB_A_GENERATION, xn->gen)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = i;
	return skb->len;
}

static int xlb_be_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct xlb_net *xn = xlb_net(sock_net(skb->sk));
	int ret;

	mutex_lock(&xn->lock);
	cb->seq = xn->gen;
	ret = xlb_be_dump_locked(xn, skb, cb);
	mutex_unlock(&xn->lock);
	return ret;
}

/* ---- family ----------------------------------------------------------- */

typedef int (*xlb_handler_t)(struct xlb_net *xn, struct genl_info *info);

static const xlb_handler_t xlb_handlers[XLB_CMD_MAX + 1] = {
	[XLB_CMD_SERVICE_NEW]	= xlb_svc_new,
	[XLB_CMD_SERVICE_SET]	= xlb_svc_set,
	[XLB_CMD_SERVICE_DEL]	= xlb_svc_del,
	[XLB_CMD_SERVICE_GET]	= xlb_svc_get,
	[XLB_CMD_BACKEND_NEW]	= xlb_be_new,
	[XLB_CMD_BACKEND_SET]	= xlb_be_set,
	[XLB_CMD_BACKEND_DEL]	= xlb_be_del,
	[XLB_CMD_BACKEND_GET]	= xlb_be_get,
	[XLB_CMD_REPLACE]	= xlb_replace,
	[XLB_CMD_FLUSH]		= xlb_flush,
	[XLB_CMD_CONFIG_GET]	= xlb_cfg_get,
	[XLB_CMD_CONFIG_SET]	= xlb_cfg_set,
	[XLB_CMD_BIND]		= xlb_bind_cmd,
	[XLB_CMD_UNBIND]	= xlb_unbind_cmd,
	[XLB_CMD_LOOKUP]	= xlb_lookup,
};

/* Every doit: the namespace's handler under its mutex. */
static int xlb_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct xlb_net *xn = xlb_net(genl_info_net(info));
	int ret;

	mutex_lock(&xn->lock);
	ret = xlb_handlers[info->genlhdr->cmd](xn, info);
	mutex_unlock(&xn->lock);
	return ret;
}

#define XLB_OP_W(c) { .cmd = (c), .doit = xlb_doit, \
		      .flags = GENL_UNS_ADMIN_PERM }
#define XLB_OP_R(c) { .cmd = (c), .doit = xlb_doit }

static const struct genl_small_ops xlb_ops[] = {
	XLB_OP_W(XLB_CMD_SERVICE_NEW),
	XLB_OP_W(XLB_CMD_SERVICE_SET),
	XLB_OP_W(XLB_CMD_SERVICE_DEL),
	{ .cmd = XLB_CMD_SERVICE_GET, .doit = xlb_doit,
	  .dumpit = xlb_svc_dump },
	XLB_OP_W(XLB_CMD_BACKEND_NEW),
	XLB_OP_W(XLB_CMD_BACKEND_SET),
	XLB_OP_W(XLB_CMD_BACKEND_DEL),
	{ .cmd = XLB_CMD_BACKEND_GET, .doit = xlb_doit,
	  .dumpit = xlb_be_dump },
	XLB_OP_W(XLB_CMD_REPLACE),
	XLB_OP_W(XLB_CMD_FLUSH),
	XLB_OP_R(XLB_CMD_CONFIG_GET),
	XLB_OP_W(XLB_CMD_CONFIG_SET),
	XLB_OP_W(XLB_CMD_BIND),
	XLB_OP_W(XLB_CMD_UNBIND),
	XLB_OP_R(XLB_CMD_LOOKUP),
};

static const struct genl_multicast_group xlb_mcgrps[] = {
	{ .name = XLB_GENL_MCGRP },
};

static struct genl_family xlb_family __ro_after_init = {
	.name		= XLB_GENL_NAME,
	.version	= XLB_GENL_VERSION,
	.maxattr	= XLB_A_MAX,
	.policy		= xlb_policy,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.small_ops	= xlb_ops,
	.n_small_ops	= ARRAY_SIZE(xlb_ops),
	.mcgrps		= xlb_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(xlb_mcgrps),
};

int __init xlb_genl_init(void)
{
	return genl_register_family(&xlb_family);
}

void xlb_genl_exit(void)
{
	genl_unregister_family(&xlb_family);
}
