// SPDX-License-Identifier: GPL-2.0
/*
 * announce.c - VIP announcement through a kernel routing table (see
 * announce.h).  Raw rtnetlink: a dump of the routes of one table and
 * RTM_NEWROUTE / RTM_DELROUTE of blackhole host routes.  The table is the
 * state: a restarted announcer finds its routes there and only changes
 * what differs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "announce.h"
#include "uapi/xlb_netlink.h"

#define ANN_BUF 32768

struct xlb_ann {
	int fd;
	uint32_t table;
	uint32_t seq;
	char buf[ANN_BUF];
};

struct addr_list {
	struct lb_addr *a;
	int n, cap;
};

/* What a dump of the routing tables collects. */
struct dump_state {
	int err;
	struct addr_list l;
};

static int list_add(struct addr_list *l, const struct lb_addr *a)
{
	struct lb_addr *p;

	if (l->n == l->cap) {
		p = realloc(l->a, (l->cap * 2 + 8) * sizeof(*p));
		if (!p)
			return -ENOMEM;
		l->a = p;
		l->cap = l->cap * 2 + 8;
	}
	l->a[l->n++] = *a;
	return 0;
}

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

void xlb_ann_close(struct xlb_ann *a)
{
	if (!a)
		return;
	close(a->fd);
	free(a);
}

static bool svc_servable(const struct lb_service *s)
{
	int i;

	for (i = 0; i < s->nbe; i++)
		if (s->be[i].state == XLB_BE_STATE_ACTIVE && s->be[i].weight)
			return true;
	return false;
}

static int cmp_addr(const void *x, const void *y)
{
	return lb_addr_cmp(x, y);
}

int xlb_ann_wanted(const struct lb_state *st, bool attached,
		   struct lb_addr **out)
{
	struct addr_list l = { 0 };
	int i;

	for (i = 0; attached && i < st->nsvc; i++) {
		const struct lb_addr *vip = &st->svc[i].key.addr;

		if (!svc_servable(&st->svc[i]) || list_has(l.a, l.n, vip))
			continue;
		if (list_add(&l, vip)) {
			free(l.a);
			return -ENOMEM;
		}
	}
	if (l.n)
		qsort(l.a, l.n, sizeof(*l.a), cmp_addr);
	*out = l.a;
	return l.n;
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
		ds->err = list_add(&ds->l, &dst);
}

/* Our routes now in the table. */
static int ann_current(struct xlb_ann *a, struct addr_list *cur)
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

/* The time of day for log lines, "HH:MM:SS.mmm" (UTC). */
static const char *ann_now(void)
{
	static char buf[32];
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(buf, sizeof(buf), "%02d:%02d:%02d.%03u", tm.tm_hour, tm.tm_min,
		 tm.tm_sec, (unsigned int)(ts.tv_nsec / 1000000));
	return buf;
}

static int ann_apply(struct xlb_ann *a, const struct lb_addr *vip, bool add,
		     FILE *log)
{
	char s[LB_ADDRSTRLEN];
	int err = ann_change(a, vip, add);

	if (log)
		fprintf(log, "%s %s %s (table %u)%s%s\n", ann_now(),
			add ? "announce" : "withdraw",
			lb_fmt_addr(vip, s, sizeof(s)), a->table,
			err ? ": " : "", err ? strerror(-err) : "");
	return err;
}

int xlb_ann_sync(struct xlb_ann *a, const struct lb_addr *vips, int n,
		 FILE *log)
{
	struct addr_list cur;
	int i, err, first = 0, changes = 0;

	err = ann_current(a, &cur);
	if (err)
		return err;
	for (i = 0; i < cur.n; i++) {
		if (list_has(vips, n, &cur.a[i]))
			continue;
		err = ann_apply(a, &cur.a[i], false, log);
		changes++;
		if (err && !first)
			first = err;
	}
	for (i = 0; i < n; i++) {
		if (list_has(cur.a, cur.n, &vips[i]))
			continue;
		err = ann_apply(a, &vips[i], true, log);
		changes++;
		if (err && !first)
			first = err;
	}
	free(cur.a);
	return first ? first : changes;
}
