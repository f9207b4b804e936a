// SPDX-License-Identifier: GPL-2.0
/*
 * monitor.c - "lbctl monitor": print every change announced on the xlb
 * multicast group "changes", one line (or one JSON object) per event, in
 * the same words the commands use.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/ctrl.h>

#include "json.h"
#include "lbctl.h"
#include "nl.h"

static const char *const event_names[XLB_CMD_MAX + 1] = {
	[XLB_CMD_SERVICE_NEW] = "service add",
	[XLB_CMD_SERVICE_SET] = "service set",
	[XLB_CMD_SERVICE_DEL] = "service del",
	[XLB_CMD_BACKEND_NEW] = "add",
	[XLB_CMD_BACKEND_SET] = "set",
	[XLB_CMD_BACKEND_DEL] = "del",
	[XLB_CMD_REPLACE] = "restore",
	[XLB_CMD_FLUSH] = "flush",
	[XLB_CMD_CONFIG_SET] = "config set",
	[XLB_CMD_BIND] = "bind",
	[XLB_CMD_UNBIND] = "unbind",
};

static void print_config_attrs(struct nlattr *nest)
{
	struct nlattr *tb[XLB_CFG_A_MAX + 1];
	struct lb_addr a;
	char buf[LB_ADDRSTRLEN];

	if (xnl_parse_nested(tb, XLB_CFG_A_MAX, nest))
		return;
	if (tb[XLB_CFG_A_SEED]) {
		if (opts.json)
			json_u64("seed", nla_get_u32(tb[XLB_CFG_A_SEED]));
		else
			printf(" seed 0x%08x", nla_get_u32(tb[XLB_CFG_A_SEED]));
	}
	if (!xnl_get_addr(tb, XLB_CFG_A_SRC4, XLB_CFG_A_UNSPEC, &a)) {
		lb_fmt_addr(&a, buf, sizeof(buf));
		opts.json ? json_str("src4", buf) :
			    (void)printf(" src4 %s", buf);
	}
	if (!xnl_get_addr(tb, XLB_CFG_A_UNSPEC, XLB_CFG_A_SRC6, &a)) {
		lb_fmt_addr(&a, buf, sizeof(buf));
		opts.json ? json_str("src6", buf) :
			    (void)printf(" src6 %s", buf);
	}
}

static void print_backend(const struct lb_backend *b, bool del)
{
	char buf[LB_ADDRSTRLEN];

	lb_fmt_addr(&b->addr, buf, sizeof(buf));
	if (opts.json) {
		json_str("address", buf);
		if (!del) {
			json_u64("weight", b->weight);
			json_str("state", lb_state_name(b));
		}
		return;
	}
	printf(" %s", buf);
	if (!del)
		printf(" weight %u state %s", b->weight, lb_state_name(b));
}

/* " health CHECK", in the words of "lbctl health". */
static void print_hc(const struct lb_hc *hc)
{
	char buf[2048];

	lb_hc_fmt(hc, buf, sizeof(buf));
	if (opts.json)
		json_str("health_check", buf);
	else
		printf(" health %s", buf);
}

static void print_service(const struct lb_service *s, uint8_t cmd, bool has_be)
{
	char key[LB_SVCSTRLEN];
	bool full = cmd == XLB_CMD_SERVICE_NEW || cmd == XLB_CMD_SERVICE_SET;

	lb_fmt_svc(&s->key, !opts.numeric && !opts.json, key, sizeof(key));
	if (opts.json) {
		json_str("service", key);
		if (full) {
			json_u64("table_size", s->table_size);
			json_str("hash", lb_hash_name(s->flags));
		}
		return;
	}
	printf(has_be ? " service %s" : " %s", key);
	if (full)
		printf(" table-size %u hash %s", s->table_size,
		       lb_hash_name(s->flags));
}

static int on_event(struct nl_msg *m, void *arg)
{
	struct genlmsghdr *gh = genlmsg_hdr(nlmsg_hdr(m));
	struct nlattr *tb[XLB_A_MAX + 1];
	struct lb_service s;
	struct lb_backend b;
	bool has_be;
	const char *name = gh->cmd <= XLB_CMD_MAX ? event_names[gh->cmd] : NULL;

	(void)arg;
	if (genlmsg_parse(nlmsg_hdr(m), 0, tb, XLB_A_MAX, NULL) < 0)
		return NL_SKIP;
	if (!name)
		name = "unknown";
	has_be = !lb_nl_backend(tb, &b);
	if (opts.json) {
		json_init(stdout);
		json_obj_open(NULL);
		json_str("event", name);
	} else {
		fputs(name, stdout);
	}
	if (has_be)
		print_backend(&b, gh->cmd == XLB_CMD_BACKEND_DEL);
	if (!lb_nl_service(tb, &s)) {
		print_service(&s, gh->cmd, has_be);
		/* the service's check with the service, not with a backend */
		if (!has_be && s.hc.type)
			print_hc(&s.hc);
	}
	if (has_be) {
		if (b.hc) /* the backend's own check */
			print_hc(b.hc);
		free(b.hc);
	}
	if (tb[XLB_A_CONFIG])
		print_config_attrs(tb[XLB_A_CONFIG]);
	if (opts.json) {
		json_obj_close();
		json_done();
	} else {
		putchar('\n');
		fflush(stdout);
	}
	return NL_OK;
}

int cmd_monitor(int argc, char **argv)
{
	struct nl_sock *sk;
	int grp, err;

	if (argc > 1)
		lb_die_unknown(argv[1], "monitor");
	xnl_open();
	sk = xnl_sock();
	grp = genl_ctrl_resolve_grp(sk, XLB_GENL_NAME, XLB_GENL_MCGRP);
	if (grp < 0)
		lb_die(EXIT_ENV, "cannot find multicast group \"%s\": %s",
		       XLB_GENL_MCGRP, nl_geterror(grp));
	err = nl_socket_add_membership(sk, grp);
	if (err < 0)
		lb_die(EXIT_ENV, "cannot join multicast group \"%s\": %s",
		       XLB_GENL_MCGRP, nl_geterror(err));
	nl_socket_disable_seq_check(sk);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_event, NULL);
	for (;;) {
		err = nl_recvmsgs_default(sk);
		if (err < 0 && err != -NLE_INTR && err != -NLE_AGAIN &&
		    err != -NLE_NOMEM)
			lb_die(EXIT_ERR, "monitor: %s", nl_geterror(err));
		if (err == -NLE_NOMEM) /* ENOBUFS: we fell behind */
			lb_err("monitor: events were lost (receive buffer "
			       "overrun)");
	}
}
