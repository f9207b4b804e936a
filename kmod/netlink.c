// SPDX-License-Identifier: GPL-2.0
/*
 * netlink.c - the generic netlink family "xlb" (include/uapi/xlb_netlink.h,
 * Documentation/netlink.md): policies, operations, request parsing and
 * message building shared by nl_svc.c and nl_cfg.c.
 *
 * Every command has its own policy, down to the nests (strict parsing): an
 * attribute the command does not use, a reply-only attribute, an unknown
 * attribute or a wrong length is refused by the core with EINVAL, the
 * offending attribute and a message.  What a policy cannot express (prime
 * table sizes, protocols, address pairs) is checked by the handlers with an
 * extack message naming the value.  Handlers run under the namespace mutex;
 * a mutating handler builds a transaction and either commits it whole or
 * returns an error having changed nothing.
 */
#include <linux/in.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "compat.h"
#include "nl.h"

/* ---- policies --------------------------------------------------------- */

#define XLB_UNUSED { .type = NLA_REJECT, \
		     .reject_message = "attribute not used by this command" }
#define XLB_REPLY { .type = NLA_REJECT, \
		    .reject_message = "attribute only appears in replies" }
/*
 * A nest the command does not use: the core would refuse NLA_REJECT with
 * "NLA_F_NESTED not expected", so its type is accepted here and the nest
 * refused with a clear message before any handler looks at it
 * (xlb_unused_attrs(), xlb_svc_nest(), xlb_be_target()).
 */
#define XLB_NEST_UNUSED { .type = NLA_NESTED }

static struct netlink_range_validation xlb_weight_range = {
	.min = 0,
	.max = XLB_WEIGHT_MAX,
};

/* nla_policy min/max are s16: the interval's range needs a struct. */
static struct netlink_range_validation xlb_hc_ms_range = {
	.min = XLB_HC_INTERVAL_MIN,
	.max = XLB_HC_INTERVAL_MAX,
};

#define XLB_HC_STR { .type = NLA_NUL_STRING, .len = XLB_HC_STR_MAX }

/*
 * A health check (XLB_SVC_A_HEALTH, XLB_BE_A_HEALTH_CHECK); nl_svc.c checks
 * the rules between.
 */
static const struct nla_policy xlb_hc_policy[XLB_HC_A_MAX + 1] = {
	[XLB_HC_A_TYPE]		= NLA_POLICY_MAX(NLA_U8, __XLB_HC_TYPE_MAX),
	[XLB_HC_A_PORT]		= NLA_POLICY_MIN(NLA_U16, 1),
	[XLB_HC_A_INTERVAL]	= NLA_POLICY_FULL_RANGE(NLA_U32,
							&xlb_hc_ms_range),
	[XLB_HC_A_TIMEOUT]	= NLA_POLICY_FULL_RANGE(NLA_U32,
							&xlb_hc_ms_range),
	[XLB_HC_A_RISE]		= NLA_POLICY_RANGE(NLA_U8, 1, XLB_HC_COUNT_MAX),
	[XLB_HC_A_FALL]		= NLA_POLICY_RANGE(NLA_U8, 1, XLB_HC_COUNT_MAX),
	[XLB_HC_A_PATH]		= XLB_HC_STR,
	[XLB_HC_A_HOST]		= XLB_HC_STR,
	[XLB_HC_A_EXPECT]	= NLA_POLICY_RANGE(NLA_U16, 100, 599),
	[XLB_HC_A_SEND]		= XLB_HC_STR,
	[XLB_HC_A_RECV]		= XLB_HC_STR,
	[XLB_HC_A_CMD]		= XLB_HC_STR,
};
#define XLB_SVC_HEALTH NLA_POLICY_NESTED(xlb_hc_policy)

#define XLB_BE_POLICY(weight, state, health, result, detail, hc) {	\
	[XLB_BE_A_ID]		= XLB_REPLY,				\
	[XLB_BE_A_ADDR4]	= NLA_POLICY_EXACT_LEN(4),		\
	[XLB_BE_A_ADDR6]	= NLA_POLICY_EXACT_LEN(16),		\
	[XLB_BE_A_WEIGHT]	= weight,				\
	[XLB_BE_A_STATE]	= state,				\
	[XLB_BE_A_SLOTS]	= XLB_REPLY,				\
	[XLB_BE_A_GEN]		= XLB_REPLY,				\
	[XLB_BE_A_HEALTH]	= health,				\
	[XLB_BE_A_HC_RESULT]	= result,				\
	[XLB_BE_A_HC_DETAIL]	= detail,				\
	[XLB_BE_A_HC_AGE]	= XLB_REPLY,				\
	[XLB_BE_A_STATS]	= XLB_REPLY,				\
	[XLB_BE_A_HEALTH_CHECK]	= hc,					\
}

/* A backend with its settings: BACKEND_NEW, BACKEND_SET, REPLACE. */
static const struct nla_policy xlb_be_policy[XLB_BE_A_MAX + 1] =
	XLB_BE_POLICY(NLA_POLICY_FULL_RANGE(NLA_U32, &xlb_weight_range),
		      NLA_POLICY_MAX(NLA_U8, __XLB_BE_STATE_MAX),
		      NLA_POLICY_MAX(NLA_U8, __XLB_BE_HEALTH_MAX),
		      NLA_POLICY_MAX(NLA_U8, __XLB_HC_R_MAX),
		      { .type = NLA_U16 }, XLB_SVC_HEALTH);

/* A backend named by its address: BACKEND_DEL, BACKEND_GET. */
static const struct nla_policy xlb_be_ref_policy[XLB_BE_A_MAX + 1] =
	XLB_BE_POLICY(XLB_UNUSED, XLB_UNUSED, XLB_UNUSED, XLB_UNUSED,
		      XLB_UNUSED, XLB_NEST_UNUSED);

#define XLB_SVC_POLICY(id, opts, udp, backends, encap, encap_port, health) \
{								\
	[XLB_SVC_A_ID]		= id,					\
	[XLB_SVC_A_ADDR4]	= NLA_POLICY_EXACT_LEN(4),		\
	[XLB_SVC_A_ADDR6]	= NLA_POLICY_EXACT_LEN(16),		\
	[XLB_SVC_A_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),		\
	[XLB_SVC_A_PROTO]	= { .type = NLA_U8 },			\
	[XLB_SVC_A_TABLE_SIZE]	= opts,					\
	[XLB_SVC_A_FLAGS]	= opts,					\
	[XLB_SVC_A_BACKENDS]	= backends,				\
	[XLB_SVC_A_NBACKENDS]	= XLB_REPLY,				\
	[XLB_SVC_A_DIGEST]	= XLB_REPLY,				\
	[XLB_SVC_A_PAD]		= XLB_REPLY,				\
	[XLB_SVC_A_UDP_TIMEOUT]	= udp,					\
	[XLB_SVC_A_ENCAP]	= encap,				\
	[XLB_SVC_A_ENCAP_PORT]	= encap_port,				\
	[XLB_SVC_A_HEALTH]	= health,				\
	[XLB_SVC_A_STATS]	= XLB_REPLY,				\
}

/* nla_policy min/max are s16, so 86400 needs a range (not const on 6.1). */
static struct netlink_range_validation xlb_udp_timeout_range = {
	.min = XLB_UDP_TIMEOUT_MIN,
	.max = XLB_UDP_TIMEOUT_MAX,
};

#define XLB_SVC_UDP_TIMEOUT \
	NLA_POLICY_FULL_RANGE(NLA_U32, &xlb_udp_timeout_range)

/* encap ipip | gue, and the GUE destination port (not 0) */
#define XLB_SVC_ENCAP		NLA_POLICY_MAX(NLA_U8, __XLB_ENCAP_MAX)
#define XLB_SVC_ENCAP_PORT	NLA_POLICY_MIN(NLA_U16, 1)

#define XLB_SVC_ID_ASSIGNED { .type = NLA_REJECT, \
	.reject_message = "XLB_SVC_A_ID is assigned by the module" }
#define XLB_SVC_BES_REPLACE { .type = NLA_NESTED_ARRAY }

/* A service named by ID or key: SERVICE_DEL/GET, backend commands. */
const struct nla_policy xlb_svc_ref_policy[XLB_SVC_A_MAX + 1] =
	XLB_SVC_POLICY({ .type = NLA_U32 }, XLB_UNUSED, XLB_UNUSED,
		       XLB_SVC_BES_REPLACE, XLB_UNUSED, XLB_UNUSED,
		       XLB_NEST_UNUSED);

static const struct nla_policy xlb_svc_new_policy[XLB_SVC_A_MAX + 1] =
	XLB_SVC_POLICY(XLB_SVC_ID_ASSIGNED, { .type = NLA_U32 },
		       XLB_SVC_UDP_TIMEOUT, XLB_SVC_BES_REPLACE,
		       XLB_SVC_ENCAP, XLB_SVC_ENCAP_PORT, XLB_SVC_HEALTH);

static const struct nla_policy xlb_svc_set_policy[XLB_SVC_A_MAX + 1] =
	XLB_SVC_POLICY({ .type = NLA_U32 }, { .type = NLA_U32 },
		       XLB_SVC_UDP_TIMEOUT, XLB_SVC_BES_REPLACE,
		       XLB_SVC_ENCAP, XLB_SVC_ENCAP_PORT, XLB_SVC_HEALTH);

/* One service of REPLACE, with its backends. */
static const struct nla_policy xlb_svc_repl_policy[XLB_SVC_A_MAX + 1] =
	XLB_SVC_POLICY(XLB_SVC_ID_ASSIGNED, { .type = NLA_U32 },
		       XLB_SVC_UDP_TIMEOUT,
		       NLA_POLICY_NESTED_ARRAY(xlb_be_policy),
		       XLB_SVC_ENCAP, XLB_SVC_ENCAP_PORT, XLB_SVC_HEALTH);

static const struct nla_policy xlb_cfg_policy[XLB_CFG_A_MAX + 1] = {
	[XLB_CFG_A_SEED]	= { .type = NLA_U32 },
	[XLB_CFG_A_SRC4]	= NLA_POLICY_EXACT_LEN(4),
	[XLB_CFG_A_SRC6]	= NLA_POLICY_EXACT_LEN(16),
	[XLB_CFG_A_BOUND]	= XLB_REPLY,
	[XLB_CFG_A_MAX_SERVICES] = XLB_REPLY,
	[XLB_CFG_A_MAX_BACKENDS] = XLB_REPLY,
	[XLB_CFG_A_TABLE_MAX]	= XLB_REPLY,
	[XLB_CFG_A_TXN_DISCARDED] = XLB_REPLY,
	[XLB_CFG_A_TXN_PORT]	= XLB_REPLY,
};

static const struct nla_policy xlb_bind_policy[XLB_BIND_A_MAX + 1] = {
	[XLB_BIND_A_CTL_FD]	= { .type = NLA_U32 },
	[XLB_BIND_A_VIPS_FD]	= { .type = NLA_U32 },
	[XLB_BIND_A_SERVICES_FD] = { .type = NLA_U32 },
	[XLB_BIND_A_TABLES_FD]	= { .type = NLA_U32 },
	[XLB_BIND_A_BACKENDS_FD] = { .type = NLA_U32 },
	[XLB_BIND_A_SVC_STATS_FD] = { .type = NLA_U32 },
	[XLB_BIND_A_BE_STATS_FD] = { .type = NLA_U32 },
	[XLB_BIND_A_STATS_FD]	= { .type = NLA_U32 },
};

static const struct nla_policy xlb_txn_policy[XLB_TXN_A_MAX + 1] = {
	[XLB_TXN_A_ID]		= { .type = NLA_U32 },
	[XLB_TXN_A_FLAGS]	= { .type = NLA_U32 },
};

static const struct nla_policy xlb_flow_policy[XLB_FLOW_A_MAX + 1] = {
	[XLB_FLOW_A_SRC4]	= NLA_POLICY_EXACT_LEN(4),
	[XLB_FLOW_A_SRC6]	= NLA_POLICY_EXACT_LEN(16),
	[XLB_FLOW_A_DST4]	= NLA_POLICY_EXACT_LEN(4),
	[XLB_FLOW_A_DST6]	= NLA_POLICY_EXACT_LEN(16),
	[XLB_FLOW_A_SPORT]	= { .type = NLA_U16 },
	[XLB_FLOW_A_DPORT]	= { .type = NLA_U16 },
	[XLB_FLOW_A_PROTO]	= { .type = NLA_U8 },
	[XLB_FLOW_A_HASH]	= XLB_REPLY,
	[XLB_FLOW_A_SLOT]	= XLB_REPLY,
};

/* The top level of one command: every attribute it does not use refused. */
#define XLB_TOP(svc, be, svcs, cfg, bind, flow) {			\
	[XLB_A_SERVICE]		= svc,					\
	[XLB_A_BACKEND]		= be,					\
	[XLB_A_SERVICES]	= svcs,					\
	[XLB_A_CONFIG]		= cfg,					\
	[XLB_A_BIND]		= bind,					\
	[XLB_A_FLOW]		= flow,					\
	[XLB_A_GENERATION]	= XLB_REPLY,				\
	[XLB_A_TXN]		= XLB_NEST_UNUSED,			\
	[XLB_A_STATS]		= XLB_REPLY,				\
}

#define XLB_NA XLB_NEST_UNUSED

static const struct nla_policy xlb_p_none[XLB_A_MAX + 1] =
	XLB_TOP(XLB_NA, XLB_NA, XLB_NA, XLB_NA, XLB_NA, XLB_NA);
static const struct nla_policy xlb_p_svc_new[XLB_A_MAX + 1] =
	XLB_TOP(NLA_POLICY_NESTED(xlb_svc_new_policy),
		XLB_NA, XLB_NA, XLB_NA, XLB_NA, XLB_NA);
static const struct nla_policy xlb_p_svc_set[XLB_A_MAX + 1] =
	XLB_TOP(NLA_POLICY_NESTED(xlb_svc_set_policy),
		XLB_NA, XLB_NA, XLB_NA, XLB_NA, XLB_NA);
static const struct nla_policy xlb_p_svc_ref[XLB_A_MAX + 1] =
	XLB_TOP(NLA_POLICY_NESTED(xlb_svc_ref_policy),
		XLB_NA, XLB_NA, XLB_NA, XLB_NA, XLB_NA);
static const struct nla_policy xlb_p_be[XLB_A_MAX + 1] =
	XLB_TOP(NLA_POLICY_NESTED(xlb_svc_ref_policy),
		NLA_POLICY_NESTED(xlb_be_policy),
		XLB_NA, XLB_NA, XLB_NA, XLB_NA);
static const struct nla_policy xlb_p_be_ref[XLB_A_MAX + 1] =
	XLB_TOP(NLA_POLICY_NESTED(xlb_svc_ref_policy),
		NLA_POLICY_NESTED(xlb_be_ref_policy),
		XLB_NA, XLB_NA, XLB_NA, XLB_NA);
/* REPLACE: written out, the only command with XLB_A_TXN. */
static const struct nla_policy xlb_p_replace[XLB_A_MAX + 1] = {
	[XLB_A_SERVICE]		= XLB_NA,
	[XLB_A_BACKEND]		= XLB_NA,
	[XLB_A_SERVICES]	= NLA_POLICY_NESTED_ARRAY(xlb_svc_repl_policy),
	[XLB_A_CONFIG]		= NLA_POLICY_NESTED(xlb_cfg_policy),
	[XLB_A_BIND]		= XLB_NA,
	[XLB_A_FLOW]		= XLB_NA,
	[XLB_A_GENERATION]	= XLB_REPLY,
	[XLB_A_TXN]		= NLA_POLICY_NESTED(xlb_txn_policy),
	[XLB_A_STATS]		= XLB_REPLY,
};
static const struct nla_policy xlb_p_cfg[XLB_A_MAX + 1] =
	XLB_TOP(XLB_NA, XLB_NA, XLB_NA, NLA_POLICY_NESTED(xlb_cfg_policy),
		XLB_NA, XLB_NA);
static const struct nla_policy xlb_p_bind[XLB_A_MAX + 1] =
	XLB_TOP(XLB_NA, XLB_NA, XLB_NA, XLB_NA,
		NLA_POLICY_NESTED(xlb_bind_policy), XLB_NA);
static const struct nla_policy xlb_p_lookup[XLB_A_MAX + 1] =
	XLB_TOP(XLB_NA, XLB_NA, XLB_NA, XLB_NA, XLB_NA,
		NLA_POLICY_NESTED(xlb_flow_policy));

/* ---- parsing ---------------------------------------------------------- */

int xlb_need(struct netlink_ext_ack *extack, const struct nlattr *nest,
	     struct nlattr **tb, int type, const char *name)
{
	if (tb[type])
		return 0;
	NL_SET_ERR_ATTR_MISS(extack, (struct nlattr *)nest, type);
	xlb_err(NULL, extack, NULL, "missing attribute %s", name);
	return -EINVAL;
}

int xlb_addr(struct netlink_ext_ack *extack, const struct nlattr *nest,
	     struct nlattr **tb, int a4, int a6, const char *what, u8 *family,
	     __be32 *addr)
{
	memset(addr, 0, 16);
	if (tb[a4] && tb[a6]) {
		xlb_err(NULL, extack, tb[a6],
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
		xlb_err(NULL, extack, NULL,
			"%s: missing address (IPv4 or IPv6)", what);
		return -EINVAL;
	}
	return 0;
}

int xlb_proto(struct netlink_ext_ack *extack, const struct nlattr *attr,
	      u8 *proto)
{
	*proto = nla_get_u8(attr);
	if (*proto == IPPROTO_TCP || *proto == IPPROTO_UDP)
		return 0;
	xlb_err(NULL, extack, attr, "protocol %u is not tcp (6) or udp (17)",
		*proto);
	return -EINVAL;
}

int xlb_parse_key(struct netlink_ext_ack *extack, const struct nlattr *nest,
		  struct nlattr **tb, struct xlb_vip_key *key)
{
	int ret;

	memset(key, 0, sizeof(*key));
	ret = xlb_addr(extack, nest, tb, XLB_SVC_A_ADDR4, XLB_SVC_A_ADDR6,
		       "service", &key->family, key->addr);
	if (!ret)
		ret = xlb_need(extack, nest, tb, XLB_SVC_A_PORT,
			       "XLB_SVC_A_PORT (service port)");
	if (!ret)
		ret = xlb_need(extack, nest, tb, XLB_SVC_A_PROTO,
			       "XLB_SVC_A_PROTO (service protocol)");
	if (!ret)
		ret = xlb_proto(extack, tb[XLB_SVC_A_PROTO], &key->proto);
	if (!ret)
		key->port = htons(nla_get_u16(tb[XLB_SVC_A_PORT]));
	return ret;
}

static bool xlb_has_key(struct nlattr **tb)
{
	return tb[XLB_SVC_A_ADDR4] || tb[XLB_SVC_A_ADDR6] ||
	       tb[XLB_SVC_A_PORT] || tb[XLB_SVC_A_PROTO];
}

/* A live service by key; a namespace without state has none. */
struct xlb_svc *xlb_svc_by_key(struct xlb_net *xn,
			       const struct xlb_vip_key *key)
{
	lockdep_assert_held(&xn->lock);
	return xn->svcs ? xlb_svc_find_key(xn, key) : NULL;
}

static struct xlb_svc *xlb_svc_by_id(struct xlb_net *xn, u32 id)
{
	lockdep_assert_held(&xn->lock);
	return xn->svcs && id < xlb_max_services ? xn->svcs[id] : NULL;
}

static int xlb_svc_missing(struct netlink_ext_ack *extack,
			   const struct nlattr *nest,
			   const struct xlb_vip_key *key)
{
	char k[64];

	xlb_fmt_key(k, sizeof(k), key);
	xlb_err(NULL, extack, nest, "service %s does not exist", k);
	return -ENOENT;
}

/* The service an XLB_A_SERVICE nest names by ID, and by key if given. */
static struct xlb_svc *xlb_find_svc_id(struct xlb_net *xn,
				       struct netlink_ext_ack *extack,
				       const struct nlattr *nest,
				       struct nlattr **tb, int *err)
{
	u32 id = nla_get_u32(tb[XLB_SVC_A_ID]);
	struct xlb_svc *svc = xlb_svc_by_id(xn, id);
	struct xlb_vip_key key;
	char k[64];

	*err = -ENOENT;
	if (!svc) {
		xlb_err(xn, extack, tb[XLB_SVC_A_ID],
			"service id %u does not exist", id);
		return NULL;
	}
	*err = 0;
	if (!xlb_has_key(tb))
		return svc;
	*err = xlb_parse_key(extack, nest, tb, &key);
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

/* The service an XLB_A_SERVICE nest names by ID or by key. */
struct xlb_svc *xlb_find_svc(struct xlb_net *xn,
			     struct netlink_ext_ack *extack,
			     const struct nlattr *nest, struct nlattr **tb,
			     int *err)
{
	struct xlb_vip_key key;
	struct xlb_svc *svc;

	if (tb[XLB_SVC_A_ID])
		return xlb_find_svc_id(xn, extack, nest, tb, err);
	*err = xlb_parse_key(extack, nest, tb, &key);
	if (*err)
		return NULL;
	svc = xlb_svc_by_key(xn, &key);
	if (!svc)
		*err = xlb_svc_missing(extack, nest, &key);
	return svc;
}

/*
 * A nest of the request, already validated by the command's policy; tb
 * receives its attributes.
 */
int xlb_nest(struct genl_info *info, int type, int max,
	     const struct nla_policy *policy, struct nlattr **tb,
	     const char *name)
{
	struct nlattr *nest = info->attrs[type];

	int ret;

	if (!nest) {
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, type);
		xlb_err(NULL, info->extack, NULL, "missing attribute %s", name);
		return -EINVAL;
	}
	ret = nla_parse_nested(tb, max, nest, policy, info->extack);
	if (!ret && type == XLB_A_SERVICE)
		ret = xlb_svc_nest(info->extack, tb);
	return ret;
}

/* XLB_SVC_A_BACKENDS outside REPLACE (the policy only checks its type). */
int xlb_svc_nest(struct netlink_ext_ack *extack, struct nlattr **tb)
{
	if (!tb[XLB_SVC_A_BACKENDS])
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, tb[XLB_SVC_A_BACKENDS],
			    "XLB_SVC_A_BACKENDS belongs to XLB_CMD_REPLACE");
	return -EINVAL;
}

/* The service the request's XLB_A_SERVICE names; tb receives its nest. */
struct xlb_svc *xlb_req_svc(struct xlb_net *xn, struct genl_info *info,
			    struct nlattr **tb, int *err)
{
	*err = xlb_nest(info, XLB_A_SERVICE, XLB_SVC_A_MAX,
			xlb_svc_ref_policy, tb, "XLB_A_SERVICE");
	if (!*err && tb[XLB_SVC_A_HEALTH]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[XLB_SVC_A_HEALTH],
				    "XLB_SVC_A_HEALTH belongs to SERVICE_NEW, SERVICE_SET and REPLACE");
		*err = -EINVAL;
	}
	if (*err)
		return NULL;
	return xlb_find_svc(xn, info->extack, info->attrs[XLB_A_SERVICE], tb,
			    err);
}

/* ---- messages --------------------------------------------------------- */

int xlb_put_addr(struct sk_buff *skb, int a4, int a6, u8 family,
		 const __be32 *addr)
{
	if (family == XLB_AF_INET6)
		return nla_put(skb, a6, 16, addr);
	return nla_put(skb, a4, 4, addr);
}

static int xlb_put_str(struct sk_buff *skb, int type, const char *s)
{
	return *s ? nla_put_string(skb, type, s) : 0;
}

static int xlb_fill_hc(struct sk_buff *skb, int type, const struct xlb_hc *hc)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(skb, XLB_HC_A_TYPE, hc->type) ||
	    (hc->port && nla_put_u16(skb, XLB_HC_A_PORT, hc->port)) ||
	    nla_put_u32(skb, XLB_HC_A_INTERVAL, hc->interval) ||
	    nla_put_u32(skb, XLB_HC_A_TIMEOUT, hc->timeout) ||
	    nla_put_u8(skb, XLB_HC_A_RISE, hc->rise) ||
	    nla_put_u8(skb, XLB_HC_A_FALL, hc->fall) ||
	    (hc->expect && nla_put_u16(skb, XLB_HC_A_EXPECT, hc->expect)) ||
	    xlb_put_str(skb, XLB_HC_A_PATH, hc->path) ||
	    xlb_put_str(skb, XLB_HC_A_HOST, hc->host) ||
	    xlb_put_str(skb, XLB_HC_A_SEND, hc->send) ||
	    xlb_put_str(skb, XLB_HC_A_RECV, hc->recv) ||
	    xlb_put_str(skb, XLB_HC_A_CMD, hc->cmd)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

int xlb_fill_svc(struct sk_buff *skb, const struct xlb_svc *svc, bool full,
		 const struct xlb_maps *m)
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
	     (svc->udp_timeout &&
	      nla_put_u32(skb, XLB_SVC_A_UDP_TIMEOUT, svc->udp_timeout)) ||
	     (svc->encap &&
	      (nla_put_u8(skb, XLB_SVC_A_ENCAP, svc->encap) ||
	       nla_put_u16(skb, XLB_SVC_A_ENCAP_PORT, svc->encap_port))) ||
	     nla_put_u64_64bit(skb, XLB_SVC_A_DIGEST, svc->digest,
			       XLB_SVC_A_PAD) ||
	     (svc->hc && xlb_fill_hc(skb, XLB_SVC_A_HEALTH, svc->hc))))
		goto fail;
	if (m && xlb_put_cnt(skb, XLB_SVC_A_STATS, m->svc_stats, svc->id,
			     svc->gen))
		goto fail;
	nla_nest_end(skb, nest);
	return 0;
fail:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int xlb_fill_be_hc(struct sk_buff *skb, const struct xlb_be *be)
{
	u32 age = (u32)ktime_get_boottime_seconds() - be->hc_stamp;

	return nla_put_u8(skb, XLB_BE_A_HEALTH, be->health) ||
	       nla_put_u8(skb, XLB_BE_A_HC_RESULT, be->hc_result) ||
	       nla_put_u16(skb, XLB_BE_A_HC_DETAIL, be->hc_detail) ||
	       nla_put_u32(skb, XLB_BE_A_HC_AGE, age);
}

int xlb_fill_be(struct sk_buff *skb, const struct xlb_be *be,
		const struct xlb_maps *m)
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
	    nla_put_u32(skb, XLB_BE_A_GEN, be->gen) ||
	    (m && xlb_put_cnt(skb, XLB_BE_A_STATS, m->be_stats, be->id,
			      be->gen)) ||
	    (be->hc_stamp && xlb_fill_be_hc(skb, be)) ||
	    (be->hc && xlb_fill_hc(skb, XLB_BE_A_HEALTH_CHECK, be->hc))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* A message about a service and/or backend, e.g. a reply or a notice. */
struct sk_buff *xlb_msg_flow(u32 portid, u32 seq, u8 cmd,
			     const struct xlb_svc *svc,
			     const struct xlb_be *be, u32 gen,
			     int (*extra)(struct sk_buff *skb, const void *arg),
			     const void *arg)
{
	struct sk_buff *skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	void *hdr;

	if (!skb)
		return NULL;
	hdr = genlmsg_put(skb, portid, seq, &xlb_family, 0, cmd);
	if (!hdr)
		goto fail;
	if ((svc && xlb_fill_svc(skb, svc, !be && !extra, NULL)) ||
	    (be && xlb_fill_be(skb, be, NULL)) ||
	    (extra && extra(skb, arg)) ||
	    nla_put_u32(skb, XLB_A_GENERATION, gen))
		goto fail;
	genlmsg_end(skb, hdr);
	return skb;
fail:
	nlmsg_free(skb);
	return NULL;
}

struct sk_buff *xlb_msg(u32 portid, u32 seq, u8 cmd,
			const struct xlb_svc *svc, const struct xlb_be *be,
			u32 gen)
{
	return xlb_msg_flow(portid, seq, cmd, svc, be, gen, NULL, NULL);
}

int xlb_reply(struct genl_info *info, struct sk_buff *skb)
{
	if (!skb)
		return -ENOMEM;
	return genlmsg_reply(skb, info);
}

/* A reply of cmd: what fill(skb, arg) puts, then XLB_A_GENERATION. */
int xlb_reply_fill(struct xlb_net *xn, struct genl_info *info, u8 cmd,
		   int (*fill)(struct sk_buff *skb, const void *arg),
		   const void *arg)
{
	struct sk_buff *skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	void *hdr;

	if (!skb)
		return -ENOMEM;
	hdr = genlmsg_put(skb, info->snd_portid, info->snd_seq, &xlb_family, 0,
			  cmd);
	if (!hdr || fill(skb, arg) ||
	    nla_put_u32(skb, XLB_A_GENERATION, xn->gen)) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
}

/* Announce a change to the namespace's "changes" group. */
void xlb_notify(struct genl_info *info, struct sk_buff *skb)
{
	if (skb)
		genlmsg_multicast_netns(&xlb_family, genl_info_net(info), skb,
					0, 0, GFP_KERNEL);
}

/*
 * Prepare the transaction, then commit it and announce the change.  The
 * notice is built before the commit, which frees deleted objects.
 */
int xlb_apply(struct xlb_net *xn, struct genl_info *info,
	      struct xlb_txn *txn, const struct xlb_svc *svc,
	      const struct xlb_be *be)
{
	struct sk_buff *skb;
	int ret;

	lockdep_assert_held(&xn->lock);
	ret = xlb_txn_prepare(xn, txn, info->extack);
	if (ret) {
		xlb_txn_abort(txn);
		return ret;
	}
	skb = xlb_msg(0, 0, info->genlhdr->cmd, svc, be, xn->gen + 1);
	xlb_txn_commit(xn, txn);
	xlb_notify(info, skb);
	return 0;
}

void *xlb_dump_put(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd)
{
	void *hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				cb->nlh->nlmsg_seq, &xlb_family, NLM_F_MULTI,
				cmd);

	if (hdr)
		genl_dump_check_consistent(cb, hdr);
	return hdr;
}

/* ---- family ----------------------------------------------------------- */

typedef int (*xlb_handler_t)(struct xlb_net *xn, struct genl_info *info);

#define A(x)	BIT(XLB_A_##x)

/*
 * Handlers, the top-level attributes each one uses (the policies accept the
 * type of the others: xlb_unused_attrs() refuses them), and whether it
 * needs the namespace's state (xlb_net_state()).
 */
static const struct {
	xlb_handler_t	fn;
	u32		attrs;
	bool		change;
} xlb_handlers[XLB_CMD_MAX + 1] = {
	[XLB_CMD_SERVICE_NEW]	= { xlb_svc_new, A(SERVICE), true },
	[XLB_CMD_SERVICE_SET]	= { xlb_svc_set, A(SERVICE), true },
	[XLB_CMD_SERVICE_DEL]	= { xlb_svc_del, A(SERVICE), true },
	[XLB_CMD_SERVICE_GET]	= { xlb_svc_get, A(SERVICE), false },
	[XLB_CMD_BACKEND_NEW]	= { xlb_be_new, A(SERVICE) | A(BACKEND), true },
	[XLB_CMD_BACKEND_SET]	= { xlb_be_set, A(SERVICE) | A(BACKEND), true },
	[XLB_CMD_BACKEND_DEL]	= { xlb_be_del, A(SERVICE) | A(BACKEND), true },
	[XLB_CMD_BACKEND_GET]	= { xlb_be_get, A(SERVICE) | A(BACKEND), false },
	[XLB_CMD_REPLACE]	= { xlb_replace,
				    A(SERVICES) | A(CONFIG) | A(TXN), true },
	[XLB_CMD_FLUSH]		= { xlb_flush, 0, true },
	[XLB_CMD_CONFIG_GET]	= { xlb_cfg_get, 0, false },
	[XLB_CMD_CONFIG_SET]	= { xlb_cfg_set, A(CONFIG), true },
	[XLB_CMD_BIND]		= { xlb_bind_cmd, A(BIND), true },
	[XLB_CMD_UNBIND]	= { xlb_unbind_cmd, 0, false },
	[XLB_CMD_LOOKUP]	= { xlb_lookup, A(FLOW), false },
	[XLB_CMD_STATS_GET]	= { xlb_stats_get, 0, false },
	[XLB_CMD_STATS_ZERO]	= { xlb_stats_zero, 0, false },
};

#undef A

/* A top-level attribute outside used: EINVAL, the attribute, a message. */
static int xlb_unused_attrs(struct netlink_ext_ack *extack,
			    struct nlattr **attrs, u32 used, const char *what)
{
	int a;

	for (a = 1; a <= XLB_A_MAX; a++) {
		if (!attrs[a] || (used & BIT(a)))
			continue;
		NL_SET_BAD_ATTR(extack, attrs[a]);
		XLB_SET_ERR_MSG_FMT(extack, "attribute not used by this %s",
				    what);
		return -EINVAL;
	}
	return 0;
}

/*
 * Every doit: the namespace's handler under its mutex.  A command that may
 * change something first makes sure the namespace has its state; the
 * others answer from a namespace without state as from an empty one.
 */
static int xlb_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct xlb_net *xn = xlb_net(genl_info_net(info));
	struct netlink_ext_ack *core = info->extack;
	u8 cmd = info->genlhdr->cmd;
	struct xlb_ack ack;
	int ret = 0;

	info->extack = xlb_ack_begin(&ack, core);
	ret = xlb_unused_attrs(info->extack, info->attrs,
			       xlb_handlers[cmd].attrs, "command");
	if (ret)
		goto out;
	mutex_lock(&xn->lock);
	if (xlb_handlers[cmd].change)
		ret = xlb_net_state(xn);
	if (!ret)
		ret = xlb_handlers[cmd].fn(xn, info);
	mutex_unlock(&xn->lock);
out:
	info->extack = core;
	return xlb_ack_end(&ack, skb, info->nlhdr, ret);
}

/*
 * Start of a dump: a SERVICE_GET dump takes no attribute, a BACKEND_GET
 * dump only XLB_A_SERVICE, which must name an existing service.
 */
static int xlb_dump_start(struct netlink_callback *cb)
{
	const struct genl_dumpit_info *di = genl_dumpit_info(cb);
	struct nlattr **attrs = xlb_dump_attrs(cb);
	struct xlb_net *xn = xlb_net(sock_net(cb->skb->sk));
	struct netlink_ext_ack *extack;
	struct xlb_ack ack;
	u8 cmd = di->op.cmd;
	int ret;

	extack = xlb_ack_begin(&ack, cb->extack);
	ret = xlb_unused_attrs(extack, attrs, cmd == XLB_CMD_BACKEND_GET ?
			       BIT(XLB_A_SERVICE) : 0, "dump");
	if (!ret && cmd == XLB_CMD_BACKEND_GET) {
		mutex_lock(&xn->lock);
		ret = xlb_be_dump_start(xn, cb, extack);
		mutex_unlock(&xn->lock);
	}
	return xlb_ack_end(&ack, cb->skb, cb->nlh, ret);
}

#define XLB_OP(c, p, f) { .cmd = (c), .doit = xlb_doit, .policy = (p), \
			  .maxattr = XLB_A_MAX, .flags = (f) }
#define XLB_OP_W(c, p) XLB_OP(c, p, GENL_UNS_ADMIN_PERM)
#define XLB_OP_DUMP(c, p, d) { .cmd = (c), .doit = xlb_doit,		\
			       .start = xlb_dump_start, .dumpit = (d),	\
			       .policy = (p), .maxattr = XLB_A_MAX }

static const struct genl_ops xlb_ops[] = {
	XLB_OP_W(XLB_CMD_SERVICE_NEW, xlb_p_svc_new),
	XLB_OP_W(XLB_CMD_SERVICE_SET, xlb_p_svc_set),
	XLB_OP_W(XLB_CMD_SERVICE_DEL, xlb_p_svc_ref),
	XLB_OP_DUMP(XLB_CMD_SERVICE_GET, xlb_p_svc_ref, xlb_svc_dump),
	XLB_OP_W(XLB_CMD_BACKEND_NEW, xlb_p_be),
	XLB_OP_W(XLB_CMD_BACKEND_SET, xlb_p_be),
	XLB_OP_W(XLB_CMD_BACKEND_DEL, xlb_p_be_ref),
	XLB_OP_DUMP(XLB_CMD_BACKEND_GET, xlb_p_be_ref, xlb_be_dump),
	XLB_OP_W(XLB_CMD_REPLACE, xlb_p_replace),
	XLB_OP_W(XLB_CMD_FLUSH, xlb_p_none),
	XLB_OP(XLB_CMD_CONFIG_GET, xlb_p_none, 0),
	XLB_OP_W(XLB_CMD_CONFIG_SET, xlb_p_cfg),
	XLB_OP_W(XLB_CMD_BIND, xlb_p_bind),
	XLB_OP_W(XLB_CMD_UNBIND, xlb_p_none),
	XLB_OP(XLB_CMD_LOOKUP, xlb_p_lookup, 0),
	XLB_OP(XLB_CMD_STATS_GET, xlb_p_none, 0),
	XLB_OP_W(XLB_CMD_STATS_ZERO, xlb_p_none),
};

static const struct genl_multicast_group xlb_mcgrps[] = {
	{ .name = XLB_GENL_MCGRP },
};

struct genl_family xlb_family __ro_after_init = {
	.name		= XLB_GENL_NAME,
	.version	= XLB_GENL_VERSION,
	.maxattr	= XLB_A_MAX,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= xlb_ops,
	.n_ops		= ARRAY_SIZE(xlb_ops),
	.mcgrps		= xlb_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(xlb_mcgrps),
};

int __init xlb_genl_init(void)
{
	int ret = xlb_txn_notifier_init();

	if (ret)
		return ret;
	ret = genl_register_family(&xlb_family);
	if (ret)
		xlb_txn_notifier_exit();
	return ret;
}

void xlb_genl_exit(void)
{
	genl_unregister_family(&xlb_family);
	xlb_txn_notifier_exit();
}
