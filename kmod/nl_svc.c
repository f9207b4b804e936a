// SPDX-License-Identifier: GPL-2.0
/*
 * nl_svc.c - services and backends: SERVICE_*, BACKEND_*, REPLACE, FLUSH
 * and the dumps of services and backends.  Every handler runs under the
 * namespace mutex (netlink.c: xlb_doit()), in a namespace with state when
 * it may change something.
 */
#include <linux/ctype.h>
#include <linux/sort.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "maglev.h"
#include "nl.h"

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

/*
 * encap ipip | gue and the GUE port (ranges checked by the policy).  A
 * service that becomes GUE without a port gets XLB_GUE_PORT_DEFAULT; one
 * that stays GUE keeps its port; IPIP has none.
 */
static int xlb_parse_encap(struct netlink_ext_ack *extack, struct nlattr **tb,
			   struct xlb_svc *svc)
{
	struct nlattr *a = tb[XLB_SVC_A_ENCAP], *port = tb[XLB_SVC_A_ENCAP_PORT];
	u8 encap = a ? nla_get_u8(a) : svc->encap;

	if (port && encap != XLB_ENCAP_GUE) {
		xlb_err(NULL, extack, port,
			"encap port %u applies to encap gue only",
			nla_get_u16(port));
		return -EINVAL;
	}
	if (encap != XLB_ENCAP_GUE)
		svc->encap_port = 0;
	else if (port)
		svc->encap_port = nla_get_u16(port);
	else if (svc->encap != XLB_ENCAP_GUE)
		svc->encap_port = XLB_GUE_PORT_DEFAULT;
	svc->encap = encap;
	return 0;
}

/* The attributes of a health check only some types use. */
static const struct {
	u8 attr;
	u8 type;
	const char *name;
} xlb_hc_only[] = {
	{ XLB_HC_A_PATH, XLB_HC_HTTP, "path" },
	{ XLB_HC_A_HOST, XLB_HC_HTTP, "host" },
	{ XLB_HC_A_EXPECT, XLB_HC_HTTP, "expect" },
	{ XLB_HC_A_SEND, XLB_HC_UDP, "send" },
	{ XLB_HC_A_RECV, XLB_HC_UDP, "receive" },
	{ XLB_HC_A_CMD, XLB_HC_EXEC, "command" },
};

static const char *const xlb_hc_names[] = {
	"none", "tcp", "http", "udp", "exec",
};

/*
 * A string of a check is one word of a saved line (user/health.c):
 * printable ASCII without spaces, no '#' first; a udp payload may be
 * "hex:" and pairs of hex digits instead, for any bytes.
 */
static bool xlb_hc_word(const char *s, bool payload)
{
	const unsigned char *p;
	size_t n;

	if (!*s || *s == '#')
		return false;
	for (p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p >= 0x7f)
			return false;
	if (!payload || strncmp(s, "hex:", 4))
		return true;
	for (n = 0, p = (const unsigned char *)s + 4; *p; p++, n++)
		if (!isxdigit(*p))
			return false;
	return n && !(n % 2);
}

static int xlb_hc_words(struct netlink_ext_ack *extack, struct nlattr **tb,
			const struct xlb_hc *hc)
{
	const struct {
		u8 attr;
		bool payload;
		const char *name, *s;
	} w[] = {
		{ XLB_HC_A_PATH, false, "path", hc->path },
		{ XLB_HC_A_HOST, false, "host", hc->host },
		{ XLB_HC_A_SEND, true, "send", hc->send },
		{ XLB_HC_A_RECV, true, "receive", hc->recv },
		{ XLB_HC_A_CMD, false, "command", hc->cmd },
	};
	u32 i;

	for (i = 0; i < ARRAY_SIZE(w); i++) {
		if (!tb[w[i].attr] || xlb_hc_word(w[i].s, w[i].payload))
			continue;
		/* XLB_MSG_LEN: the value last, cut if long */
		xlb_err(NULL, extack, tb[w[i].attr],
			"health check: %s is not one printable word%s: \"%s\"",
			w[i].name, w[i].payload ? " or hex:HEX" : "", w[i].s);
		return -EINVAL;
	}
	return 0;
}

/* The rules between the fields of a check the policy validated. */
static int xlb_hc_check(struct netlink_ext_ack *extack,
			const struct nlattr *nest, struct nlattr **tb,
			const struct xlb_hc *hc)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(xlb_hc_only); i++) {
		struct nlattr *a = tb[xlb_hc_only[i].attr];

		if (a && xlb_hc_only[i].type != hc->type) {
			xlb_err(NULL, extack, a,
				"health check: %s does not apply to a %s check",
				xlb_hc_only[i].name, xlb_hc_names[hc->type]);
			return -EINVAL;
		}
	}
	if (xlb_hc_words(extack, tb, hc))
		return -EINVAL;
	if (hc->timeout > hc->interval) {
		xlb_err(NULL, extack, tb[XLB_HC_A_TIMEOUT] ?: nest,
			"health check: timeout %u ms exceeds the interval (%u ms)",
			hc->timeout, hc->interval);
		return -EINVAL;
	}
	if (hc->type == XLB_HC_HTTP && hc->path[0] != '/') {
		xlb_err(NULL, extack, tb[XLB_HC_A_PATH],
			"health check: path \"%s\" does not start with /",
			hc->path);
		return -EINVAL;
	}
	if (hc->type == XLB_HC_UDP && !hc->send[0]) {
		xlb_err(NULL, extack, nest,
			"health check: a udp check needs a request (send)");
		return -EINVAL;
	}
	if (hc->type == XLB_HC_EXEC && hc->cmd[0] != '/') {
		xlb_err(NULL, extack, tb[XLB_HC_A_CMD] ?: nest,
			"health check: an exec check needs an absolute command path");
		return -EINVAL;
	}
	return 0;
}

static void xlb_hc_str(char *dst, const struct nlattr *a)
{
	if (a)
		nla_strscpy(dst, a, XLB_HC_STR_MAX + 1);
}

static u8 xlb_u8_or(const struct nlattr *a, u8 d)
{
	return a ? nla_get_u8(a) : d;
}

static u16 xlb_u16_or(const struct nlattr *a, u16 d)
{
	return a ? nla_get_u16(a) : d;
}

static u32 xlb_u32_or(const struct nlattr *a, u32 d)
{
	return a ? nla_get_u32(a) : d;
}

/*
 * A check nest (XLB_SVC_A_HEALTH, XLB_BE_A_HEALTH_CHECK) the policy
 * validated into *dst, replacing it; type 0 removes the check.  On error
 * *dst is unchanged.
 */
static int xlb_parse_hc(struct netlink_ext_ack *extack,
			const struct nlattr *nest, struct xlb_hc **dst)
{
	struct nlattr *tb[XLB_HC_A_MAX + 1];
	struct xlb_hc *hc;
	int ret;

	ret = nla_parse_nested(tb, XLB_HC_A_MAX, nest, NULL, extack);
	if (ret)
		return ret;
	ret = xlb_need(extack, nest, tb, XLB_HC_A_TYPE, "XLB_HC_A_TYPE");
	if (ret)
		return ret;
	if (!nla_get_u8(tb[XLB_HC_A_TYPE])) {
		kfree(*dst);
		*dst = NULL;
		return 0;
	}
	hc = kzalloc(sizeof(*hc), GFP_KERNEL);
	if (!hc)
		return -ENOMEM;
	hc->type = nla_get_u8(tb[XLB_HC_A_TYPE]);
	hc->interval = xlb_u32_or(tb[XLB_HC_A_INTERVAL],
				  XLB_HC_INTERVAL_DEFAULT);
	hc->timeout = xlb_u32_or(tb[XLB_HC_A_TIMEOUT], XLB_HC_TIMEOUT_DEFAULT);
	hc->rise = xlb_u8_or(tb[XLB_HC_A_RISE], XLB_HC_RISE_DEFAULT);
	hc->fall = xlb_u8_or(tb[XLB_HC_A_FALL], XLB_HC_FALL_DEFAULT);
	hc->port = xlb_u16_or(tb[XLB_HC_A_PORT], 0);
	if (hc->type == XLB_HC_HTTP) {
		hc->expect = xlb_u16_or(tb[XLB_HC_A_EXPECT],
					XLB_HC_EXPECT_DEFAULT);
		strscpy(hc->path, "/", sizeof(hc->path));
	}
	xlb_hc_str(hc->path, tb[XLB_HC_A_PATH]);
	xlb_hc_str(hc->host, tb[XLB_HC_A_HOST]);
	xlb_hc_str(hc->send, tb[XLB_HC_A_SEND]);
	xlb_hc_str(hc->recv, tb[XLB_HC_A_RECV]);
	xlb_hc_str(hc->cmd, tb[XLB_HC_A_CMD]);
	ret = xlb_hc_check(extack, nest, tb, hc);
	if (ret) {
		kfree(hc);
		return ret;
	}
	kfree(*dst);
	*dst = hc;
	return 0;
}

static int xlb_parse_svc_opts(struct netlink_ext_ack *extack,
			      struct nlattr **tb, struct xlb_svc *svc)
{
	struct nlattr *a;
	int ret;

	a = tb[XLB_SVC_A_TABLE_SIZE];
	if (a) {
		svc->table_size = nla_get_u32(a);
		if (!xlb_maglev_size_valid(svc->table_size)) {
			xlb_err(NULL, extack, a,
				"table size %u is not a prime from the supported list (251 ... 655373)",
				svc->table_size);
			return -EINVAL;
		}
	}
	a = tb[XLB_SVC_A_FLAGS];
	if (a) {
		svc->flags = nla_get_u32(a);
		if (svc->flags & ~__XLB_SVC_F_ALL) {
			xlb_err(NULL, extack, a, "unknown service flags 0x%x",
				svc->flags & ~__XLB_SVC_F_ALL);
			return -EOPNOTSUPP;
		}
	}
	/* range checked by the policy (XLB_UDP_TIMEOUT_MIN..MAX) */
	a = tb[XLB_SVC_A_UDP_TIMEOUT];
	if (a) {
		if (svc->key.proto != IPPROTO_UDP) {
			xlb_err(NULL, extack, a,
				"udp-timeout applies to UDP services only");
			return -EINVAL;
		}
		svc->udp_timeout = nla_get_u32(a);
	}
	ret = xlb_parse_encap(extack, tb, svc);
	if (ret || !tb[XLB_SVC_A_HEALTH])
		return ret;
	return xlb_parse_hc(extack, tb[XLB_SVC_A_HEALTH], &svc->hc);
}

/* A new service from its nest (SERVICE_NEW, an entry of REPLACE). */
static struct xlb_svc *xlb_svc_parse(struct netlink_ext_ack *extack,
				     const struct nlattr *nest,
				     struct nlattr **tb, int *err)
{
	struct xlb_svc *svc = xlb_svc_alloc();

	*err = -ENOMEM;
	if (!svc)
		return NULL;
	svc->table_size = XLB_TABLE_SIZE_DEFAULT;
	*err = xlb_parse_key(extack, nest, tb, &svc->key);
	if (!*err && svc->key.proto == IPPROTO_UDP)
		svc->udp_timeout = XLB_UDP_TIMEOUT_DEFAULT;
	if (!*err)
		*err = xlb_parse_svc_opts(extack, tb, svc);
	if (!*err)
		return svc;
	xlb_svc_free(svc);
	return NULL;
}

/* Backend attributes; fresh = defaults for a new backend. */
static int xlb_parse_be(struct netlink_ext_ack *extack,
			const struct nlattr *nest, struct nlattr **tb,
			struct xlb_be *be, bool fresh)
{
	int ret;

	ret = xlb_addr(extack, nest, tb, XLB_BE_A_ADDR4, XLB_BE_A_ADDR6,
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
	if (tb[XLB_BE_A_HEALTH] || tb[XLB_BE_A_HC_RESULT] ||
	    tb[XLB_BE_A_HC_DETAIL]) {
		be->health = xlb_u8_or(tb[XLB_BE_A_HEALTH], 0);
		be->hc_result = xlb_u8_or(tb[XLB_BE_A_HC_RESULT], 0);
		be->hc_detail = xlb_u16_or(tb[XLB_BE_A_HC_DETAIL], 0);
		be->hc_stamp = max_t(u32, ktime_get_boottime_seconds(), 1);
	}
	/* last: nothing fails once it is allocated (be->hc starts NULL) */
	if (tb[XLB_BE_A_HEALTH_CHECK])
		return xlb_parse_hc(extack, tb[XLB_BE_A_HEALTH_CHECK], &be->hc);
	return 0;
}

/* ---- services --------------------------------------------------------- */

int xlb_svc_new(struct xlb_net *xn, struct genl_info *info)
{
	struct nlattr *tb[XLB_SVC_A_MAX + 1];
	struct xlb_svc *svc;
	char k[64];
	int ret;

	/* The policy validated the nest: reparse it for the attributes. */
	ret = xlb_nest(info, XLB_A_SERVICE, XLB_SVC_A_MAX, NULL, tb,
		       "XLB_A_SERVICE");
	if (ret)
		return ret;
	svc = xlb_svc_parse(info->extack, info->attrs[XLB_A_SERVICE], tb,
			    &ret);
	if (!svc)
		return ret;
	if (xlb_svc_by_key(xn, &svc->key)) {
		xlb_fmt_key(k, sizeof(k), &svc->key);
		xlb_err(xn, info->extack, info->attrs[XLB_A_SERVICE],
			"service %s already exists", k);
		xlb_svc_free(svc);
		return -EEXIST;
	}
	return xlb_apply1(xn, info, NULL, svc, NULL);
}

int xlb_svc_set(struct xlb_net *xn, struct genl_info *info)
{
	struct nlattr *tb[XLB_SVC_A_MAX + 1];
	struct xlb_svc *old, *svc;
	int ret;

	ret = xlb_nest(info, XLB_A_SERVICE, XLB_SVC_A_MAX, NULL, tb,
		       "XLB_A_SERVICE");
	if (ret)
		return ret;
	old = xlb_find_svc(xn, info->extack, info->attrs[XLB_A_SERVICE], tb,
			   &ret);
	if (!old)
		return ret;
	svc = xlb_svc_clone(old, 0);
	if (!svc)
		return -ENOMEM;
	ret = xlb_parse_svc_opts(info->extack, tb, svc);
	if (ret) {
		xlb_svc_free(svc);
		return ret;
	}
	return xlb_apply1(xn, info, old, svc, NULL);
}

int xlb_svc_del(struct xlb_net *xn, struct genl_info *info)
{
	struct nlattr *tb[XLB_SVC_A_MAX + 1];
	struct xlb_svc *old;
	int ret;

	old = xlb_req_svc(xn, info, tb, &ret);
	if (!old)
		return ret;
	return xlb_apply1(xn, info, old, NULL, NULL);
}

int xlb_svc_get(struct xlb_net *xn, struct genl_info *info)
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
	*err = xlb_nest(info, XLB_A_BACKEND, XLB_BE_A_MAX, NULL, btb,
			"XLB_A_BACKEND");
	if (!*err && btb[XLB_BE_A_HEALTH_CHECK] &&
	    (info->genlhdr->cmd == XLB_CMD_BACKEND_DEL ||
	     info->genlhdr->cmd == XLB_CMD_BACKEND_GET)) {
		NL_SET_ERR_MSG_ATTR(info->extack, btb[XLB_BE_A_HEALTH_CHECK],
				    "XLB_BE_A_HEALTH_CHECK belongs to BACKEND_NEW, BACKEND_SET and REPLACE");
		*err = -EINVAL;
	}
	if (!*err)
		*err = xlb_parse_be(info->extack, info->attrs[XLB_A_BACKEND],
				    btb, be, fresh);
	return *err ? NULL : svc;
}

static int xlb_be_missing(struct genl_info *info, const struct xlb_svc *svc,
			  const struct xlb_be *be, bool exists)
{
	char k[64], a[48];

	xlb_fmt_key(k, sizeof(k), &svc->key);
	xlb_fmt_addr(a, sizeof(a), be->family, be->addr);
	if (exists) {
		xlb_err(NULL, info->extack, info->attrs[XLB_A_BACKEND],
			"backend %s already exists in service %s", a, k);
		return -EEXIST;
	}
	xlb_err(NULL, info->extack, info->attrs[XLB_A_BACKEND],
		"backend %s does not exist in service %s", a, k);
	return -ENOENT;
}

int xlb_be_new(struct xlb_net *xn, struct genl_info *info)
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
	if (xlb_be_find(old, be.family, be.addr)) {
		ret = xlb_be_missing(info, old, &be, true);
		goto out;
	}
	if (old->nbe >= max) {
		xlb_fmt_key(k, sizeof(k), &old->key);
		xlb_err(xn, info->extack, info->attrs[XLB_A_BACKEND],
			"service %s already has the maximum of %u backends",
			k, max);
		ret = -ENOSPC;
		goto out;
	}
	svc = xlb_svc_clone(old, 1);
	if (!svc) {
		ret = -ENOMEM;
		goto out;
	}
	svc->be[svc->nbe++] = be; /* with its check */
	return xlb_apply1(xn, info, old, svc, &svc->be[svc->nbe - 1]);
out:
	kfree(be.hc);
	return ret;
}

/* The checker's report in be (if any) onto b. */
static void xlb_be_take_report(struct xlb_be *b, const struct xlb_be *be)
{
	if (!be->hc_stamp)
		return;
	b->health = be->health;
	b->hc_result = be->hc_result;
	b->hc_detail = be->hc_detail;
	b->hc_stamp = be->hc_stamp;
}

/*
 * A health report (xlb-healthd) or the backend's own check alone changes
 * nothing the data path sees: written in place, under the namespace mutex
 * that dumps and the neighbour rounds hold too, without building a table.
 * be's check (set_hc) moves to b.
 */
static int xlb_be_report(struct xlb_net *xn, struct genl_info *info,
			 const struct xlb_svc *svc, struct xlb_be *b,
			 struct xlb_be *be, bool set_hc)
{
	xlb_be_take_report(b, be);
	if (set_hc) {
		kfree(b->hc);
		b->hc = be->hc;
		be->hc = NULL;
	}
	xn->gen++;
	xlb_notify(info, xlb_msg(0, 0, XLB_CMD_BACKEND_SET, svc, b, xn->gen));
	return 0;
}

int xlb_be_set(struct xlb_net *xn, struct genl_info *info)
{
	struct nlattr *btb[XLB_BE_A_MAX + 1];
	struct xlb_be be = {}, *b;
	struct xlb_svc *old, *svc;
	bool set_hc;
	int ret;

	old = xlb_be_target(xn, info, btb, &be, false, &ret);
	if (!old)
		return ret;
	set_hc = btb[XLB_BE_A_HEALTH_CHECK];
	b = xlb_be_find(old, be.family, be.addr);
	if (!b) {
		ret = xlb_be_missing(info, old, &be, false);
		goto out;
	}
	if (!btb[XLB_BE_A_WEIGHT] && !btb[XLB_BE_A_STATE] &&
	    (be.hc_stamp || set_hc))
		return xlb_be_report(xn, info, old, b, &be, set_hc);
	svc = xlb_svc_clone(old, 0);
	if (!svc) {
		ret = -ENOMEM;
		goto out;
	}
	b = &svc->be[b - old->be];
	if (btb[XLB_BE_A_WEIGHT])
		b->weight = be.weight;
	if (btb[XLB_BE_A_STATE])
		b->admin = be.admin;
	xlb_be_take_report(b, &be);
	if (set_hc) {
		kfree(b->hc);
		b->hc = be.hc;
	}
	return xlb_apply1(xn, info, old, svc, b);
out:
	kfree(be.hc);
	return ret;
}

int xlb_be_del(struct xlb_net *xn, struct genl_info *info)
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
		return xlb_be_missing(info, old, &be, false);
	svc = xlb_svc_clone(old, 0);
	if (!svc)
		return -ENOMEM;
	i = b - old->be;
	kfree(svc->be[i].hc);
	memmove(&svc->be[i], &svc->be[i + 1],
		(svc->nbe - i - 1) * sizeof(*svc->be));
	svc->nbe--;
	/* The notice names the old backend: build it from the old object. */
	return xlb_apply1(xn, info, old, svc, b);
}

int xlb_be_get(struct xlb_net *xn, struct genl_info *info)
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
		return xlb_be_missing(info, svc, &be, false);
	return xlb_reply(info, xlb_msg(info->snd_portid, info->snd_seq,
				       XLB_CMD_BACKEND_GET, svc, b, xn->gen));
}

/* ---- replace and flush ------------------------------------------------ */

/*
 * Count the entries of a nested list.  Bytes after the last whole entry are
 * rejected: nested-array validation does not look at them, and accepting
 * them would apply a request the caller did not fully describe.
 */
static int xlb_count_nested(struct netlink_ext_ack *extack,
			    const struct nlattr *list, const char *name,
			    u32 *n)
{
	const struct nlattr *a;
	int rem;

	*n = 0;
	nla_for_each_nested(a, list, rem)
		(*n)++;
	if (rem) {
		xlb_err(NULL, extack, list,
			"%s: %d trailing bytes after the last entry", name, rem);
		return -EINVAL;
	}
	return 0;
}

/* One backend of a REPLACE entry, appended to svc->be (room is there). */
static int xlb_replace_be(struct netlink_ext_ack *extack, struct nlattr *a,
			  struct xlb_svc *svc)
{
	struct nlattr *btb[XLB_BE_A_MAX + 1];
	struct xlb_be *be = &svc->be[svc->nbe];
	int ret;

	/* Validated with the request: parse only. */
	ret = nla_parse_nested(btb, XLB_BE_A_MAX, a, NULL, extack);
	if (!ret)
		ret = xlb_parse_be(extack, a, btb, be, true);
	if (ret)
		return ret;
	/* duplicates: xlb_replace_sorted(), once all parts are in */
	svc->nbe++;
	return 0;
}

/* Backends of one REPLACE entry, after those svc has (an earlier part's). */
static int xlb_replace_bes(struct xlb_net *xn, struct netlink_ext_ack *extack,
			   struct nlattr *list, struct xlb_svc *svc)
{
	u32 n = 0, max = xlb_eff_max_backends(xn);
	struct xlb_be *be;
	struct nlattr *a;
	char k[64];
	int rem, ret;

	ret = xlb_count_nested(extack, list, "XLB_SVC_A_BACKENDS", &n);
	if (ret)
		return ret;
	if (svc->nbe + n > max) {
		xlb_fmt_key(k, sizeof(k), &svc->key);
		xlb_err(xn, extack, list,
			"service %s: %u backends exceed the limit of %u", k,
			svc->nbe + n, max);
		return -ENOSPC;
	}
	be = kvcalloc(max_t(u32, svc->nbe + n, 1), sizeof(*be), GFP_KERNEL);
	if (!be)
		return -ENOMEM;
	if (svc->nbe)
		memcpy(be, svc->be, svc->nbe * sizeof(*be));
	kvfree(svc->be);
	svc->be = be;
	nla_for_each_nested(a, list, rem) {
		ret = xlb_replace_be(extack, a, svc);
		if (ret)
			return ret;
		if (!(svc->nbe % 256))
			cond_resched();
	}
	return 0;
}

/* A service named again by a later part: its options must not change. */
static int xlb_replace_more(struct netlink_ext_ack *extack, struct nlattr *a,
			    struct nlattr **tb, const struct xlb_svc *staged,
			    const struct xlb_svc *svc)
{
	char k[64];

	if ((!tb[XLB_SVC_A_TABLE_SIZE] ||
	     svc->table_size == staged->table_size) &&
	    (!tb[XLB_SVC_A_FLAGS] || svc->flags == staged->flags))
		return 0;
	xlb_fmt_key(k, sizeof(k), &svc->key);
	xlb_err(NULL, extack, a,
		"service %s: table size or flags differ from its first part",
		k);
	return -EINVAL;
}

/*
 * One service of a REPLACE request into txn.  A key already in txn from an
 * earlier part (index < first) gets the further backends; twice in one
 * request is an error.  Live services are matched at the end
 * (xlb_replace_finish()).
 */
static int xlb_replace_svc(struct xlb_net *xn, struct netlink_ext_ack *extack,
			   struct nlattr *a, struct xlb_txn *txn, u32 first)
{
	struct nlattr *tb[XLB_SVC_A_MAX + 1];
	struct xlb_svc *svc, *dst;
	char k[64];
	u32 i;
	int ret;

	ret = nla_parse_nested(tb, XLB_SVC_A_MAX, a, NULL, extack);
	if (ret)
		return ret;
	svc = xlb_svc_parse(extack, a, tb, &ret);
	if (!svc)
		return ret;
	for (i = 0; i < txn->n; i++)
		if (!memcmp(&txn->ch[i].new->key, &svc->key, sizeof(svc->key)))
			break;
	dst = i < txn->n ? txn->ch[i].new : svc;
	if (i < txn->n && i >= first) {
		xlb_fmt_key(k, sizeof(k), &svc->key);
		xlb_err(xn, extack, a, "service %s appears twice", k);
		ret = -EEXIST;
	} else if (dst != svc) {
		ret = xlb_replace_more(extack, a, tb, dst, svc);
	}
	if (!ret && tb[XLB_SVC_A_BACKENDS])
		ret = xlb_replace_bes(xn, extack, tb[XLB_SVC_A_BACKENDS], dst);
	if (!ret && dst == svc)
		ret = xlb_txn_add(txn, NULL, svc);
	if (ret || dst != svc)
		xlb_svc_free(svc);
	return ret;
}

/* The services and configuration of one REPLACE request into txn. */
int xlb_replace_part(struct xlb_net *xn, struct genl_info *info,
		     struct xlb_txn *txn)
{
	struct nlattr *list = info->attrs[XLB_A_SERVICES], *a;
	u32 n = 0, max = xlb_eff_max_services(xn), first = txn->n;
	int rem, ret = 0;

	if (list)
		ret = xlb_count_nested(info->extack, list, "XLB_A_SERVICES",
				       &n);
	if (ret)
		return ret;
	if (info->attrs[XLB_A_CONFIG])
		ret = xlb_parse_cfg(xn, info->extack, info->attrs[XLB_A_CONFIG],
				    txn);
	if (!list)
		return ret;
	nla_for_each_nested(a, list, rem) {
		if (ret)
			break;
		ret = xlb_replace_svc(xn, info->extack, a, txn, first);
	}
	if (!ret && txn->n > max) {
		xlb_err(xn, info->extack, list,
			"%u services exceed the limit of %u", txn->n, max);
		ret = -ENOSPC;
	}
	return ret;
}

static int xlb_be_cmp(const void *a, const void *b)
{
	const struct xlb_be *x = *(const struct xlb_be *const *)a;
	const struct xlb_be *y = *(const struct xlb_be *const *)b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->addr, y->addr, sizeof(x->addr));
}

/* svc's backends sorted by address (kvfree it), or NULL: no memory. */
static struct xlb_be **xlb_replace_sorted(const struct xlb_svc *svc)
{
	struct xlb_be **v;
	u32 i;

	v = kvmalloc_array(max_t(u32, svc->nbe, 1), sizeof(*v), GFP_KERNEL);
	if (!v)
		return NULL;
	for (i = 0; i < svc->nbe; i++)
		v[i] = &svc->be[i];
	sort(v, svc->nbe, sizeof(*v), xlb_be_cmp, NULL);
	return v;
}

/* A backend named twice in svc (v sorted): EEXIST naming it. */
static int xlb_replace_dups(struct netlink_ext_ack *extack,
			    const struct xlb_svc *svc, struct xlb_be **v)
{
	char k[64], s[48];
	u32 i;

	for (i = 1; i < svc->nbe; i++) {
		if (xlb_be_cmp(&v[i - 1], &v[i]))
			continue;
		xlb_fmt_key(k, sizeof(k), &svc->key);
		xlb_fmt_addr(s, sizeof(s), v[i]->family, v[i]->addr);
		xlb_err(NULL, extack, NULL,
			"backend %s appears twice in service %s", s, k);
		return -EEXIST;
	}
	return 0;
}

/*
 * Backends of svc that old has too keep their ids (same backend: its flows
 * stay valid).  Both sorted: one merge pass, O(n log n) for the sorts.
 */
static int xlb_replace_adopt_bes(struct xlb_svc *svc, struct xlb_be **v,
				 const struct xlb_svc *old)
{
	struct xlb_be **o = xlb_replace_sorted(old);
	u32 i = 0, j = 0;
	int c;

	if (!o)
		return -ENOMEM;
	while (i < svc->nbe && j < old->nbe) {
		c = xlb_be_cmp(&v[i], &o[j]);
		if (c < 0) {
			i++;
		} else if (c > 0) {
			j++;
		} else {
			v[i]->fresh = false;
			v[i]->id = o[j]->id;
			v[i]->gen = o[j]->gen;
			/* the checker's last report outlives a restore */
			if (!v[i]->hc_stamp) {
				v[i]->health = o[j]->health;
				v[i]->hc_result = o[j]->hc_result;
				v[i]->hc_detail = o[j]->hc_detail;
				v[i]->hc_stamp = o[j]->hc_stamp;
			}
			i++;
			j++;
		}
	}
	kvfree(o);
	return 0;
}

/*
 * Every service of txn: no backend twice; services and backends keep the
 * ids of the live ones they match (by key, by address).
 */
static int xlb_replace_adopt(struct xlb_net *xn, struct genl_info *info,
			     struct xlb_txn *txn)
{
	struct xlb_be **v;
	u32 i;
	int ret = 0;

	for (i = 0; !ret && i < txn->n; i++) {
		struct xlb_svc *svc = txn->ch[i].new;
		struct xlb_svc *old = xlb_svc_by_key(xn, &svc->key);

		v = xlb_replace_sorted(svc);
		if (!v)
			return -ENOMEM;
		ret = xlb_replace_dups(info->extack, svc, v);
		txn->ch[i].old = old;
		if (!ret && old) {
			svc->id = old->id;
			svc->gen = old->gen;
			svc->active = old->active;
			svc->flip_cookie = old->flip_cookie;
			ret = xlb_replace_adopt_bes(svc, v, old);
		}
		kvfree(v);
		cond_resched();
	}
	return ret;
}

/* Apply txn as the whole configuration; txn is consumed. */
int xlb_replace_finish(struct xlb_net *xn, struct genl_info *info,
		       struct xlb_txn *txn)
{
	int ret;

	ret = xlb_replace_adopt(xn, info, txn);
	if (!ret)
		ret = xlb_txn_all(xn, txn, false);
	if (ret) {
		xlb_txn_abort(txn);
		return ret;
	}
	return xlb_apply(xn, info, txn, NULL, NULL);
}

/* Every live service not in the transaction yet goes (or is rebuilt). */
int xlb_txn_all(struct xlb_net *xn, struct xlb_txn *txn, bool keep)
{
	u32 i, j;
	int ret;

	lockdep_assert_held(&xn->lock);
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

int xlb_replace(struct xlb_net *xn, struct genl_info *info)
{
	struct xlb_txn txn;
	int ret;

	if (info->attrs[XLB_A_TXN])
		return xlb_txn_part(xn, info);
	ret = xlb_need(info->extack, NULL, info->attrs, XLB_A_SERVICES,
		       "XLB_A_SERVICES");
	if (ret)
		return ret;
	xlb_txn_init(&txn);
	ret = xlb_replace_part(xn, info, &txn);
	if (ret) {
		xlb_txn_abort(&txn);
		return ret;
	}
	return xlb_replace_finish(xn, info, &txn);
}

int xlb_flush(struct xlb_net *xn, struct genl_info *info)
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

/* ---- dumps ------------------------------------------------------------ */

/* cb->args[0]: next service id. */
int xlb_svc_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct xlb_net *xn = xlb_net(sock_net(skb->sk));
	u32 sid = cb->args[0];
	void *hdr;

	mutex_lock(&xn->lock);
	cb->seq = xn->gen;
	for (; xn->svcs && sid < xlb_max_services; sid++) {
		if (!xn->svcs[sid])
			continue;
		hdr = xlb_dump_put(skb, cb, XLB_CMD_SERVICE_GET);
		if (!hdr)
			break;
		if (xlb_fill_svc(skb, xn->svcs[sid], true, xn->maps) ||
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

/* The service of a BACKEND_GET dump; extack NULL: no message. */
static struct xlb_svc *xlb_be_dump_svc(struct xlb_net *xn,
				       struct netlink_callback *cb,
				       struct netlink_ext_ack *extack,
				       int *err)
{
	struct nlattr *nest = xlb_dump_attrs(cb)[XLB_A_SERVICE];
	struct nlattr *tb[XLB_SVC_A_MAX + 1];

	if (!nest) {
		NL_SET_ERR_ATTR_MISS(extack, NULL, XLB_A_SERVICE);
		NL_SET_ERR_MSG(extack, "missing attribute XLB_A_SERVICE");
		*err = -EINVAL;
		return NULL;
	}
	*err = nla_parse_nested(tb, XLB_SVC_A_MAX, nest, NULL, extack);
	if (!*err)
		*err = xlb_svc_nest(extack, tb);
	if (*err)
		return NULL;
	return xlb_find_svc(xn, extack, nest, tb, err);
}

int xlb_be_dump_start(struct xlb_net *xn, struct netlink_callback *cb,
		      struct netlink_ext_ack *extack)
{
	int ret;

	lockdep_assert_held(&xn->lock);
	xlb_be_dump_svc(xn, cb, extack, &ret);
	return ret;
}

/* cb->args[0]: next backend index of the requested service. */
static int xlb_be_dump_locked(struct xlb_net *xn, struct sk_buff *skb,
			      struct netlink_callback *cb)
{
	struct xlb_svc *svc;
	u32 i = cb->args[0];
	void *hdr;
	int ret;

	lockdep_assert_held(&xn->lock);
	svc = xlb_be_dump_svc(xn, cb, NULL, &ret);
	if (!svc)
		return i ? 0 : ret;	/* gone mid-dump: the seq tells */
	for (; i < svc->nbe; i++) {
		hdr = xlb_dump_put(skb, cb, XLB_CMD_BACKEND_GET);
		if (!hdr)
			break;
		if (xlb_fill_svc(skb, svc, false, NULL) ||
		    xlb_fill_be(skb, &svc->be[i], xn->maps) ||
		    nla_put_u32(skb, XLB_A_GENERATION, xn->gen)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = i;
	return skb->len;
}

int xlb_be_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct xlb_net *xn = xlb_net(sock_net(skb->sk));
	int ret;

	mutex_lock(&xn->lock);
	cb->seq = xn->gen;
	ret = xlb_be_dump_locked(xn, skb, cb);
	mutex_unlock(&xn->lock);
	return ret;
}
