// SPDX-License-Identifier: GPL-2.0
/*
 * nl.c - generic netlink plumbing for lbctl (see nl.h).
 */
#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/handlers.h>

#include "lbctl.h"
#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static struct nl_sock *sk;
static int family = -1;
static char extack[256];

struct req_ctx {
	xnl_reply_fn fn;
	void *arg;
	int err; /* negative errno from the kernel or fn */
	bool done;
	bool intr; /* dump was interrupted */
};

int xnl_try_open(void)
{
	int one = 1, err;

	if (sk)
		return 0;
	sk = nl_socket_alloc();
	if (!sk)
		lb_die(EXIT_ENV, "out of memory");
	err = genl_connect(sk);
	if (err < 0)
		goto fail;
	/* Best effort: older kernels lack these options. */
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK, &one,
		   sizeof(one));
	err = genl_ctrl_resolve(sk, XLB_GENL_NAME);
	if (err < 0)
		goto fail;
	family = err;
	return 0;
fail:
	xnl_close();
	return err;
}

void xnl_open(void)
{
	int err = xnl_try_open();

	if (err == -NLE_OBJ_NOTFOUND)
		lb_die(EXIT_ENV,
		       "xlb kernel module is not loaded (try: modprobe xlb)");
	if (err < 0)
		lb_die(EXIT_ENV,
		       "cannot resolve generic netlink family \"%s\": %s",
		       XLB_GENL_NAME, nl_geterror(err));
}

int xnl_refresh(void)
{
	int id;

	if (!sk)
		return xnl_try_open();
	id = genl_ctrl_resolve(sk, XLB_GENL_NAME);
	if (id < 0) {
		xnl_close();
		return id;
	}
	family = id;
	return 0;
}

void xnl_close(void)
{
	if (sk)
		nl_socket_free(sk);
	sk = NULL;
	family = -1;
}

struct nl_sock *xnl_sock(void)
{
	return sk;
}

int xnl_family(void)
{
	return family;
}

const char *xnl_extack(void)
{
	return extack;
}

struct nl_msg *xnl_msg(uint8_t cmd, int flags)
{
	return xnl_msg_size(cmd, flags, 0);
}

struct nl_msg *xnl_msg_size(uint8_t cmd, int flags, size_t size)
{
	struct nl_msg *m = size ? nlmsg_alloc_size(size + 4096) : nlmsg_alloc();

	if (!m || !genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags,
			       cmd, XLB_GENL_VERSION))
		lb_die(EXIT_ENV, "out of memory");
	return m;
}

/* The extended ack TLVs follow struct nlmsgerr (capped: no request copy). */
static void read_extack(struct nlmsgerr *e)
{
	struct nlmsghdr *h = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = sizeof(*e);
	int len;

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	len = (int)h->nlmsg_len - NLMSG_HDRLEN - (int)off;
	if (len <= 0)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + off),
		      len, NULL))
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(extack, sizeof(extack), "%s",
			 (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct req_ctx *c = arg;

	(void)nla;
	read_extack(e);
	c->err = e->error;
	c->done = true;
	return NL_STOP;
}

static int on_ack(struct nl_msg *m, void *arg)
{
	struct req_ctx *c = arg;

	(void)m;
	c->done = true;
	return NL_STOP;
}

static int on_intr(struct nl_msg *m, void *arg)
{
	struct req_ctx *c = arg;

	(void)m;
	c->intr = true;
	return NL_OK;
}

static int on_valid(struct nl_msg *m, void *arg)
{
	struct req_ctx *c = arg;
	struct nlattr *tb[XLB_A_MAX + 1];
	int err;

	if (!c->fn || c->err)
		return NL_OK;
	err = genlmsg_parse(nlmsg_hdr(m), 0, tb, XLB_A_MAX, NULL);
	if (err < 0) {
		c->err = -EPROTO;
		return NL_OK;
	}
	err = c->fn(tb, c->arg);
	if (err < 0)
		c->err = err;
	return NL_OK;
}

static int run(struct nl_msg *msg, struct req_ctx *c)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int err;

	if (!cb)
		lb_die(EXIT_ENV, "out of memory");
	extack[0] = '\0';
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, c);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, c);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_ack, c);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_intr, c);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, c);

	err = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (err < 0) {
		c->err = err == -NLE_PERM ? -EPERM : -EIO;
		goto out;
	}
	/* The callbacks set c->done on the ack, the error or NLMSG_DONE. */
	for (;;) {
		err = nl_recvmsgs(sk, cb);
		if (c->done)
			break;
		if (err < 0) {
			if (!c->err)
				c->err = err == -NLE_PERM ? -EPERM : -EIO;
			break;
		}
	}
out:
	nl_cb_put(cb);
	return c->err;
}

int xnl_request(struct nl_msg *msg, xnl_reply_fn fn, void *arg)
{
	struct req_ctx c = { .fn = fn, .arg = arg };

	return run(msg, &c);
}

int xnl_dump(uint8_t cmd, int (*build)(struct nl_msg *, void *),
	     xnl_reply_fn fn, xnl_reset_fn reset, void *arg)
{
	int err, tries;

	for (tries = 0; tries < 100; tries++) {
		struct req_ctx c = { .fn = fn, .arg = arg };
		struct nl_msg *m;

		if (reset)
			reset(arg);
		m = xnl_msg(cmd, NLM_F_DUMP);
		if (build && build(m, arg) < 0) {
			nlmsg_free(m);
			return -EMSGSIZE;
		}
		/* A dump ends with NLMSG_DONE; an extra ACK would go stale. */
		nl_socket_disable_auto_ack(sk);
		err = run(m, &c);
		nl_socket_enable_auto_ack(sk);
		if (err || !c.intr)
			return err;
	}
	return -EAGAIN;
}

int xnl_report(int err, const char *what)
{
	if (err < 0)
		err = -err;
	if (err == EPERM) {
		lb_err("%s: permission denied: this needs CAP_NET_ADMIN "
		       "(run lbctl as root)",
		       what);
		return EXIT_ENV;
	}
	if (extack[0])
		lb_err("%s: %s", what, extack);
	else
		lb_err("%s: %s", what, strerror(err));
	return EXIT_ERR;
}

int xnl_put_addr(struct nl_msg *m, int a4, int a6, const struct lb_addr *a)
{
	if (a->family == AF_INET)
		return nla_put(m, a4, 4, a->a);
	return nla_put(m, a6, 16, a->a);
}

int xnl_get_addr(struct nlattr **tb, int a4, int a6, struct lb_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (tb[a4] && nla_len(tb[a4]) == 4) {
		a->family = AF_INET;
		memcpy(a->a, nla_data(tb[a4]), 4);
		return 0;
	}
	if (tb[a6] && nla_len(tb[a6]) == 16) {
		a->family = AF_INET6;
		memcpy(a->a, nla_data(tb[a6]), 16);
		return 0;
	}
	return -EPROTO;
}

int xnl_put_svc_key(struct nl_msg *m, const struct lb_svc_key *k)
{
	if (xnl_put_addr(m, XLB_SVC_A_ADDR4, XLB_SVC_A_ADDR6, &k->addr) ||
	    nla_put_u16(m, XLB_SVC_A_PORT, k->port) ||
	    nla_put_u8(m, XLB_SVC_A_PROTO, k->proto))
		return -EMSGSIZE;
	return 0;
}

int xnl_put_service(struct nl_msg *m, const struct lb_svc_key *k)
{
	struct nlattr *n = nla_nest_start(m, XLB_A_SERVICE);

	if (!n || xnl_put_svc_key(m, k))
		return -EMSGSIZE;
	nla_nest_end(m, n);
	return 0;
}

int xnl_parse_nested(struct nlattr **tb, int max, struct nlattr *nest)
{
	if (!nest)
		return -EPROTO;
	return nla_parse_nested(tb, max, nest, NULL) ? -EPROTO : 0;
}
