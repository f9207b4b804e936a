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
	struct xlb_ann_set blocked; /* VIPs another route was in the way of */
	char buf[ANN_BUF];
};

/* A host route of another protocol in the table. */
struct foreign {
	struct lb_addr dst;
	uint8_t proto;
};

/* What a dump of the routing tables or links collects. */
struct dump_state {
	int err;
	struct xlb_ann_set l; /* our routes */
	struct foreign *f; /* the others' host routes */
	int nf;
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
	free(a->blocked.a);
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

/* Records another protocol's host route (the owner named in the log). */
static void add_foreign(struct dump_state *ds, const struct lb_addr *dst,
			uint8_t proto)
{
	struct foreign *f = realloc(ds->f, (ds->nf + 1) * sizeof(*f));

	if (!f) {
		ds->err = -ENOMEM;
		return;
	}
	ds->f = f;
	ds->f[ds->nf].dst = *dst;
	ds->f[ds->nf++].proto = proto;
}

/*
 * A host route in our table: ours (blackhole, XLB_ANN_PROTO) goes into
 * the list, another protocol's into the others'.
 */
static void on_route(struct xlb_ann *a, struct nlmsghdr *nh, void *arg)
{
	struct rtmsg *rt = NLMSG_DATA(nh);
	struct dump_state *ds = arg;
	int len = RTM_PAYLOAD(nh);
	uint32_t table = rt->rtm_table;
	struct lb_addr dst = { .family = rt->rtm_family };
	bool has_dst = false;
	struct rtattr *rta;

	if (nh->nlmsg_type != RTM_NEWROUTE ||
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
	if (table != a->table || !has_dst || ds->err)
		return;
	if (rt->rtm_protocol == XLB_ANN_PROTO && rt->rtm_type == RTN_BLACKHOLE)
		ds->err = xlb_ann_add(&ds->l, &dst);
	else
		add_foreign(ds, &dst, rt->rtm_protocol);
}

/* The host routes now in the table: ours and the others' (ds->f). */
static int ann_current(struct xlb_ann *a, struct dump_state *ds)
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
	int err;

	memset(ds, 0, sizeof(*ds));
	err = ann_send(a, &req.nh);
	if (!err)
		err = ann_recv(a, on_route, ds);
	if (!err)
		err = ds->err;
	if (err) {
		free(ds->l.a);
		free(ds->f);
	}
	return err;
}

/*
 * Create (never replace: NLM_F_EXCL) or delete our route to vip.  A delete
 * names our protocol and type, so the kernel only removes a route that
 * has both, never another owner's.
 */
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
			  (add ? NLM_F_CREATE | NLM_F_EXCL : 0);
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

static void ann_log(struct xlb_ann *a, int err, const char *msg)
{
	if (a->log)
		a->log(err, msg);
}

static void log_change(struct xlb_ann *a, const struct lb_addr *vip, bool add,
		       int err)
{
	char s[LB_ADDRSTRLEN], msg[LB_ADDRSTRLEN + 128];

	snprintf(msg, sizeof(msg), "%s %s (table %u)%s%s",
		 add ? "announce" : "withdraw", lb_fmt_addr(vip, s, sizeof(s)),
		 a->table, err ? ": " : "", err ? strerror(-err) : "");
	ann_log(a, err, msg);
}

/*
 * Another protocol's route to vip is in the table: never replaced, never
 * deleted.  Said once while it stays in the way; -EEXIST.
 */
static int ann_blocked(struct xlb_ann *a, const struct foreign *f,
		       struct xlb_ann_set *now)
{
	char s[LB_ADDRSTRLEN], msg[LB_ADDRSTRLEN + 160], owner[32] = "";

	if (f->proto)
		snprintf(owner, sizeof(owner), "of protocol %u ",
			 (unsigned int)f->proto);
	if (!list_has(a->blocked.a, a->blocked.n, &f->dst)) {
		snprintf(msg, sizeof(msg),
			 "announce %s (table %u): not done: another route "
			 "%s(not xlb's %u) is in the way",
			 lb_fmt_addr(&f->dst, s, sizeof(s)), a->table, owner,
			 (unsigned int)XLB_ANN_PROTO);
		ann_log(a, -EEXIST, msg);
	}
	return xlb_ann_add(now, &f->dst) ? -ENOMEM : -EEXIST;
}

static const struct foreign *find_foreign(const struct dump_state *ds,
					  const struct lb_addr *vip)
{
	int i;

	for (i = 0; i < ds->nf; i++)
		if (lb_addr_eq(&ds->f[i].dst, vip))
			return &ds->f[i];
	return NULL;
}

/* Announce vip (not in the table yet). */
static int ann_add(struct xlb_ann *a, const struct lb_addr *vip,
		   struct dump_state *ds, struct xlb_ann_set *blocked)
{
	const struct foreign *f = find_foreign(ds, vip);
	struct foreign race = { .dst = *vip };
	int err;

	if (f)
		return ann_blocked(a, f, blocked);
	err = ann_change(a, vip, true);
	if (err == -EEXIST) /* created since the dump: owner unknown */
		return ann_blocked(a, &race, blocked);
	log_change(a, vip, true, err);
	return err;
}

int xlb_ann_sync(struct xlb_ann *a, const struct xlb_ann_set *v)
{
	struct xlb_ann_set blocked = { 0 };
	struct dump_state ds;
	int i, err, first = 0, changes = 0;

	err = ann_current(a, &ds);
	if (err)
		return err;
	for (i = 0; i < ds.l.n; i++) {
		if (list_has(v->a, v->n, &ds.l.a[i]))
			continue;
		err = ann_change(a, &ds.l.a[i], false);
		log_change(a, &ds.l.a[i], false, err);
		changes++;
		if (err && !first)
			first = err;
	}
	for (i = 0; i < v->n; i++) {
		if (list_has(ds.l.a, ds.l.n, &v->a[i]))
			continue;
		err = ann_add(a, &v->a[i], &ds, &blocked);
		if (err != -EEXIST)
			changes++;
		if (err && !first)
			first = err;
	}
	free(ds.l.a);
	free(ds.f);
	free(a->blocked.a);
	a->blocked = blocked;
	return first ? first : changes;
}

/*
 * Is program ID xlb's XDP program (by name: attach.c loads it)?  1, 0 or
 * -errno when it cannot be told (EPERM without CAP_SYS_ADMIN).  A program
 * gone since the link dump (ENOENT) is not xlb's.
 */
static int prog_is_xlb(uint32_t id)
{
	struct bpf_prog_info info;
	union bpf_attr attr;
	int fd, err;

	memset(&attr, 0, sizeof(attr));
	attr.prog_id = id;
	fd = (int)syscall(__NR_bpf, BPF_PROG_GET_FD_BY_ID, &attr, sizeof(attr));
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = (uint32_t)fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (uintptr_t)&info;
	err = (int)syscall(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, &attr,
			   sizeof(attr));
	err = err ? -errno : !strcmp(info.name, XLB_ANN_PROG);
	close(fd);
	return err;
}

/*
 * A link with xlb's program attached (any XDP mode)?  A program that
 * cannot be inspected leaves its error in ds->err.
 */
static void on_link(struct xlb_ann *a, struct nlmsghdr *nh, void *arg)
{
	struct ifinfomsg *ifi = NLMSG_DATA(nh);
	struct dump_state *ds = arg;
	int len = IFLA_PAYLOAD(nh), xlen, is;
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
			if (ds->found || (x->rta_type != IFLA_XDP_PROG_ID &&
					  x->rta_type != IFLA_XDP_DRV_PROG_ID &&
					  x->rta_type != IFLA_XDP_SKB_PROG_ID &&
					  x->rta_type != IFLA_XDP_HW_PROG_ID))
				continue;
			memcpy(&id, RTA_DATA(x), sizeof(id));
			is = prog_is_xlb(id);
			if (is > 0)
				ds->found = true;
			else if (is < 0 && !ds->err)
				ds->err = is;
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
	if (!err && !st.found) /* found: xlb's, whatever the others are */
		err = st.err;
	return err ? err : st.found;
}
