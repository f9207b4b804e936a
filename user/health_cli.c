// SPDX-License-Identifier: GPL-2.0
/*
 * health_cli.c - "lbctl health VIP:PORT/PROTO TYPE [KEYWORD VALUE]...":
 * set (or with "none" remove) the health check xlb-healthd runs on the
 * service's backends.  The whole line is checked before anything is sent.
 */
#include <stdio.h>

#include "lbctl.h"
#include "nl.h"

int cmd_health(int argc, char **argv)
{
	char key[LB_SVCSTRLEN], what[LB_SVCSTRLEN + 16];
	struct lb_svc_key k;
	struct lb_hc hc;
	struct nl_msg *m;
	struct nlattr *n;
	int err;

	if (argc < 2)
		lb_die(EXIT_ERR, "missing VIP:PORT/PROTO after \"health\"");
	if (lb_parse_svc(argv[1], &k) || lb_hc_parse(argc - 2, argv + 2, &hc))
		lb_die_parse();
	xnl_open();
	m = xnl_msg(XLB_CMD_SERVICE_SET, 0);
	n = nla_nest_start(m, XLB_A_SERVICE);
	if (!n || xnl_put_svc_key(m, &k) || lb_put_hc(m, &hc))
		lb_die(EXIT_ENV, "out of memory");
	nla_nest_end(m, n);
	err = xnl_request(m, NULL, NULL);
	lb_fmt_svc(&k, false, key, sizeof(key));
	snprintf(what, sizeof(what), "health %s", key);
	return err ? xnl_report(err, what) : EXIT_OK;
}
