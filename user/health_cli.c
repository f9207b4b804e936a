// SPDX-License-Identifier: GPL-2.0
/*
 * health_cli.c - "lbctl health VIP:PORT/PROTO [backend ADDR] TYPE
 * [KEYWORD VALUE]...": set (or with "none" remove) the health check
 * xlb-healthd runs on the service's backends, or one backend's own check,
 * which it runs instead of the service's.  The whole line is checked before
 * anything is sent.
 */
#include <stdio.h>
#include <string.h>

#include "lbctl.h"
#include "nl.h"

/* SERVICE_SET with XLB_SVC_A_HEALTH, or BACKEND_SET with its own check. */
static struct nl_msg *health_msg(const struct lb_svc_key *k,
				 const struct lb_addr *be,
				 const struct lb_hc *hc)
{
	struct nl_msg *m;
	struct nlattr *n;

	if (!be) {
		m = xnl_msg(XLB_CMD_SERVICE_SET, 0);
		n = nla_nest_start(m, XLB_A_SERVICE);
		if (!n || xnl_put_svc_key(m, k) || lb_put_hc(m, hc))
			lb_die(EXIT_ENV, "out of memory");
		nla_nest_end(m, n);
		return m;
	}
	m = xnl_msg(XLB_CMD_BACKEND_SET, 0);
	if (xnl_put_service(m, k))
		lb_die(EXIT_ENV, "out of memory");
	n = nla_nest_start(m, XLB_A_BACKEND);
	if (!n || xnl_put_addr(m, XLB_BE_A_ADDR4, XLB_BE_A_ADDR6, be) ||
	    lb_put_hc_as(m, XLB_BE_A_HEALTH_CHECK, hc))
		lb_die(EXIT_ENV, "out of memory");
	nla_nest_end(m, n);
	return m;
}

int cmd_health(int argc, char **argv)
{
	char key[LB_SVCSTRLEN], addr[LB_ADDRSTRLEN];
	char what[LB_SVCSTRLEN + LB_ADDRSTRLEN + 24];
	bool own = argc > 2 && !strcmp(argv[2], "backend");
	int words = own ? 4 : 2, err;
	struct lb_svc_key k;
	struct lb_addr a;
	struct lb_hc hc;

	if (argc < 2)
		lb_die(EXIT_ERR, "missing VIP:PORT/PROTO after \"health\"");
	if (lb_parse_svc(argv[1], &k))
		lb_die_parse();
	if (own && argc < 4)
		lb_die(EXIT_ERR, "missing backend address after \"backend\"");
	if ((own && lb_parse_backend(argv[3], &a)) ||
	    lb_hc_parse(argc - words, argv + words, &hc))
		lb_die_parse();
	xnl_open();
	err = xnl_request(health_msg(&k, own ? &a : NULL, &hc), NULL, NULL);
	lb_fmt_svc(&k, false, key, sizeof(key));
	if (own)
		snprintf(what, sizeof(what), "health %s backend %s", key,
			 lb_fmt_addr(&a, addr, sizeof(addr)));
	else
		snprintf(what, sizeof(what), "health %s", key);
	return err ? xnl_report(err, what) : EXIT_OK;
}
