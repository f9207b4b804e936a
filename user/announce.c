// SPDX-License-Identifier: GPL-2.0
/*
 * announce.c - VIP announcement through a kernel routing table (see
 * announce.h).  Raw rtnetlink: a dump of the routes of one table and
 * RTM_NEWROUTE / RTM_DELROUTE of blackhole host routes.  The table is the
 * state: a restarted announcer finds its routes there and only changes
 * what differs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "announce.h"
#include "uapi/xlb_netlink.h"

#define ANN_BUF 32768

struct xlb_ann {
	int fd;
	uint32_t table;
	uint32_t seq;
	xlb_ann_log_fn log;
	char buf[ANN_BUF];
};

/* What a dump of the routing tables or links collects. */
struct dump_state {
	int err;
	struct xlb_ann_set l;
	bool found;
};

static bool list_has(const struct lb_addr *v, int n, const struct lb_addr *a)
{
	int i;

	for (i = 0; i < n; i++)
		if (lb_addr_eq(&v[i], a))
			return true;
	return false;
}

struct xlb_ann *xlb_ann_open(uint32_t table)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct xlb_ann *a;
	int one = 1;

	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->table = table;
	a->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (a->fd < 0)
		goto err;
	setsockopt(a->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (bind(a->fd, (struct sockaddr *)&sa, sizeof(sa)))
		goto err;
	return a;
err:
	one = errno;
	if (a->fd >= 0)
		close(a->fd);
	free(a);
	errno = one;
	return NULL;
}

void xlb_ann_set_log(struct xlb_ann *a, xlb_ann_log_fn log)
{
	a->log = log;
}

void xlb_ann_close(struct xlb_ann *a)
{
	if (!a)
		return;
	close(a->fd);
	free(a);
}

bool xlb_ann_be_serves(const struct lb_backend *b)
{
	return b->state == XLB_BE_STATE_ACTIVE && b->weight;
}

static int cmp_addr(const void *x, const void *y)
{
	return lb_addr_cmp(x, y);
}

int xlb_ann_add(struct xlb_ann_set *v, const struct lb_addr *vip)
{
	struct lb_addr *p;

	if (list_has(v->a, v->n, vip))
		return 0;
	if (v->n == v->cap) {
		p = realloc(v->a, (v->cap * 2 + 8) * sizeof(*p));
		if (!p)
			return -ENOMEM;
		v->a = p;
		v->cap = v->cap * 2 + 8;
	}
	v->a[v->n++] = *vip;
	if (v->n > 1)
		qsort(v->a, v->n, sizeof(*v->a), cmp_addr);
	return 0;
}

int xlb_ann_wanted(const struct lb_state *st, bool attached,
		   struct xlb_ann_set *v)
{
	int i, j, err;

	for (i = 0; attached && i < st->nsvc; i++) {
		const struct lb_service *s = &st->svc[i];

		for (j = 0; j < s->nbe && !xlb_ann_be_serves(&s->be[j]); j++)
			;
		if (j < s->nbe) {
			err = xlb_ann_add(v, &s->key.addr);
			if (err)
				return err;
		}
	}
	return 0;
}

static int addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* Appends an attribute to the message in buf (room checked by callers). */
static void put_attr(char *buf, int type, const void *data, int len)
{
	struct nlmsghdr *nh = (void *)buf;
	struct rtattr *rta = (void *)(buf + NLMSG_ALIGN(nh->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* Reads replies to seq until NLMSG_DONE or the ack; fn sees each route. */
static int ann_recv(struct xlb_ann *a,
		    void (*fn)(struct xlb_ann *, struct nlmsghdr *, void *),
		    void *arg)
{
	struct nlmsghdr *nh;
	ssize_t len;

	for (;;) {
		len = recv(a->fd, a->buf, sizeof(a->buf), 0);
		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0)
			return -errno;
		for (nh = (void *)a->buf; NLMSG_OK(nh, (size_t)len);
		     nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_seq != a->seq)
				continue;
			if (nh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (nh->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(nh))
					->error;
			if (fn)
				fn(a, nh, arg);
		}
	}
}

static int ann_send(struct xlb_ann *a, struct nlmsghdr *nh)
{
	nh->nlmsg_seq = ++a->seq;
	if (send(a->fd, nh, nh->nlmsg_len, 0) < 0)
		return -errno;
	return 0;
}

/* One of our routes?  Then its destination goes into the list. */
static void on_route(struct xlb_ann *a, struct nlmsghdr *nh, void *arg)
{
	struct rtmsg *rt = NLMSG_DATA(nh);
	struct dump_state *ds = arg;
	int len = RTM_PAYLOAD(nh);
	uint32_t table = rt->rtm_table;
	struct lb_addr dst = { .family = rt->rtm_family };
	bool has_dst = false;
	struct rtattr *rta;

	if (nh->nlmsg_type != RTM_NEWROUTE || rt->rtm_type != RTN_BLACKHOLE ||
	    rt->rtm_protocol != XLB_ANN_PROTO ||
	    (rt->rtm_family != AF_INET && rt->rtm_family != AF_INET6) ||
	    rt->rtm_dst_len != addr_len(rt->rtm_family) * 8)
		return;
	for (rta = RTM_RTA(rt); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == RTA_TABLE)
			memcpy(&table, RTA_DATA(rta), sizeof(table));
		if (rta->rta_type == RTA_DST &&
		    RTA_PAYLOAD(rta) == (size_t)addr_len(dst.family)) {
			memcpy(dst.a, RTA_DATA(rta), RTA_PAYLOAD(rta));
			has_dst = true;
		}
	}
	if (table == a->table && has_dst && !ds->err)
		ds->err = xlb_ann_add(&ds->l, &dst);
}

/* Our routes now in the table. */
static int ann_current(struct xlb_ann *a, struct xlb_ann_set *cur)
{
	struct {
		struct nlmsghdr nh;
		struct rtmsg rt;
	} req = {
		.nh = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg)),
			.nlmsg_type = RTM_GETROUTE,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.rt = { .rtm_family = AF_UNSPEC },
	};
	struct dump_state st = { 0 };
	int err;

	err = ann_send(a, &req.nh);
	if (!err)
		err = ann_recv(a, on_route, &st);
	if (!err)
		err = st.err;
	if (err)
		free(st.l.a);
	else
		*cur = st.l;
	return err;
}

static int ann_change(struct xlb_ann *a, const struct lb_addr *vip, bool add)
{
	char buf[NLMSG_SPACE(sizeof(struct rtmsg)) + 64]
		__attribute__((aligned(NLMSG_ALIGNTO))) = { 0 };
	struct nlmsghdr *nh = (void *)buf;
	struct rtmsg *rt = NLMSG_DATA(nh);
	int err;

	nh->nlmsg_len = NLMSG_LENGTH(sizeof(*rt));
	nh->nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
			  (add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	rt->rtm_family = vip->family;
	rt->rtm_dst_len = addr_len(vip->family) * 8;
	rt->rtm_table = RT_TABLE_UNSPEC;
	rt->rtm_protocol = XLB_ANN_PROTO;
	rt->rtm_scope = add ? RT_SCOPE_UNIVERSE : RT_SCOPE_NOWHERE;
	rt->rtm_type = RTN_BLACKHOLE;
	put_attr(buf, RTA_DST, vip->a, addr_len(vip->family));
	put_attr(buf, RTA_TABLE, &a->table, sizeof(a->table));
	err = ann_send(a, nh);
	return err ? err : ann_recv(a, NULL, NULL);
}

static int ann_apply(struct xlb_ann *a, const struct lb_addr *vip, bool add)
{
	char s[LB_ADDRSTRLEN], msg[LB_ADDRSTRLEN + 128];
	int err = ann_change(a, vip, add);

	if (a->log) {
		snprintf(msg, sizeof(msg), "%s %s (table %u)%s%s",
			 add ? "announce" : "withdraw",
			 lb_fmt_addr(vip, s, sizeof(s)), a->table,
			 err ? ": " : "", err ? strerror(-err) : "");
		a->log(err, msg);
	}
	return err;
}

int xlb_ann_sync(struct xlb_ann *a, const struct xlb_ann_set *v)
{
	struct xlb_ann_set cur = { 0 };
	int i, err, first = 0, changes = 0;

	err = ann_current(a, &cur);
	if (err)
		return err;
	for (i = 0; i < cur.n; i++) {
		if (list_has(v->a, v->n, &cur.a[i]))
			continue;
		err = ann_apply(a, &cur.a[i], false);
		changes++;
		if (err && !first)
			first = err;
	}
	for (i = 0; i < v->n; i++) {
		if (list_has(cur.a, cur.n, &v->a[i]))
			continue;
		err = ann_apply(a, &v->a[i], true);
		changes++;
		if (err && !first)
			first = err;
	}
	free(cur.a);
	return first ? first : changes;
}

/* Is program ID xlb's XDP program?  (By name: attach.c loads it.) */
static bool prog_is_xlb(uint32_t id)
{
	struct bpf_prog_info info;
	union bpf_attr attr;
	bool is;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_id = id;
	fd = (int)syscall(__NR_bpf, BPF_PROG_GET_FD_BY_ID, &attr, sizeof(attr));
	if (fd < 0)
		return false;
	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = (uint32_t)fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (uintptr_t)&info;
	is = !syscall(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr)) &&
	     !strcmp(info.name, XLB_ANN_PROG);
	close(fd);
	return is;
}

/* A link with xlb's program attached (any XDP mode)? */
static void on_link(struct xlb_ann *a, struct nlmsghdr *nh, void *arg)
{
	struct ifinfomsg *ifi = NLMSG_DATA(nh);
	struct dump_state *ds = arg;
	int len = IFLA_PAYLOAD(nh), xlen;
	struct rtattr *rta, *x;
	uint32_t id;

	(void)a;
	if (nh->nlmsg_type != RTM_NEWLINK)
		return;
	for (rta = IFLA_RTA(ifi); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type != IFLA_XDP)
			continue;
		xlen = RTA_PAYLOAD(rta);
		for (x = RTA_DATA(rta); RTA_OK(x, xlen);
		     x = RTA_NEXT(x, xlen)) {
			if (x->rta_type != IFLA_XDP_PROG_ID &&
			    x->rta_type != IFLA_XDP_DRV_PROG_ID &&
			    x->rta_type != IFLA_XDP_SKB_PROG_ID &&
			    x->rta_type != IFLA_XDP_HW_PROG_ID)
				continue;
			memcpy(&id, RTA_DATA(x), sizeof(id));
			if (!ds->found && prog_is_xlb(id))
				ds->found = true;
		}
	}
}

int xlb_ann_attached(struct xlb_ann *a)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req = {
		.nh = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
			.nlmsg_type = RTM_GETLINK,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.ifi = { .ifi_family = AF_UNSPEC },
	};
	struct dump_state st = { 0 };
	int err;

	err = ann_send(a, &req.nh);
	if (!err)
		err = ann_recv(a, on_link, &st);
	return err ? err : st.found;
}
