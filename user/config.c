// SPDX-License-Identifier: GPL-2.0
/*
 * config.c - "lbctl config [show]" and "lbctl config set": the namespace's
 * hash seed, IPIP outer source addresses and the bound maps' capacities.
 */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "lbctl.h"
#include "nl.h"

static void print_config(const struct lb_config *c)
{
	char a4[LB_ADDRSTRLEN] = "", a6[LB_ADDRSTRLEN] = "";

	if (c->has_src4)
		lb_fmt_addr(&c->src4, a4, sizeof(a4));
	if (c->has_src6)
		lb_fmt_addr(&c->src6, a6, sizeof(a6));
	if (opts.json) {
		json_init(stdout);
		json_obj_open(NULL);
		json_u64("seed", c->seed);
		if (c->has_src4)
			json_str("src4", a4);
		if (c->has_src6)
			json_str("src6", a6);
		json_bool("bound", c->bound);
		json_u64("max_services", c->max_services);
		json_u64("max_backends", c->max_backends);
		json_u64("table_max", c->table_max);
		json_u64("txn_discarded", c->txn_discarded);
		json_u64("txn_port", c->txn_port);
		json_obj_close();
		json_done();
		return;
	}
	printf("seed 0x%08x\n", c->seed);
	printf("src4 %s\nsrc6 %s\n", c->has_src4 ? a4 : "none",
	       c->has_src6 ? a6 : "none");
	if (c->bound)
		printf("bound yes max-services %u max-backends %u "
		       "table-max %u\n",
		       c->max_services, c->max_backends, c->table_max);
	else
		printf("bound no (attach a device: lbctl attach DEV)\n");
	if (c->txn_port)
		printf("staged-replace port %u (a restore in parts is in "
		       "progress)\n",
		       c->txn_port);
}

/* Add XLB_A_CONFIG with the given members; NULL/false members are left out. */
int lb_put_config(struct nl_msg *m, const uint32_t *seed,
		  const struct lb_addr *src4, const struct lb_addr *src6)
{
	struct nlattr *n = nla_nest_start(m, XLB_A_CONFIG);

	if (!n || (seed && nla_put_u32(m, XLB_CFG_A_SEED, *seed)) ||
	    (src4 && nla_put(m, XLB_CFG_A_SRC4, 4, src4->a)) ||
	    (src6 && nla_put(m, XLB_CFG_A_SRC6, 16, src6->a)))
		return -1;
	nla_nest_end(m, n);
	return 0;
}

static int config_set(int argc, char **argv)
{
	struct lb_addr src4, src6;
	bool has4 = false, has6 = false, has_seed = false;
	uint32_t seed = 0;
	struct nl_msg *m;
	int i, err;

	if (argc < 2)
		lb_die(EXIT_ERR, "nothing to set: expected seed N, src4 ADDR "
				 "or src6 ADDR");
	for (i = 1; i < argc; i += 2) {
		const char *v = lb_kw_value(argc, argv, 1, i);

		if (!strcmp(argv[i], "seed")) {
			if (lb_parse_seed(v, &seed))
				lb_die_parse();
			has_seed = true;
		} else if (!strcmp(argv[i], "src4")) {
			if (lb_parse_addr(v, &src4))
				lb_die_parse();
			if (src4.family != AF_INET)
				lb_die(EXIT_ERR,
				       "invalid src4 \"%s\": "
				       "expected an IPv4 address",
				       v);
			has4 = true;
		} else if (!strcmp(argv[i], "src6")) {
			if (lb_parse_addr(v, &src6))
				lb_die_parse();
			if (src6.family != AF_INET6)
				lb_die(EXIT_ERR,
				       "invalid src6 \"%s\": "
				       "expected an IPv6 address",
				       v);
			has6 = true;
		} else {
			lb_die_unknown(argv[i], "config set");
		}
	}
	xnl_open();
	m = xnl_msg(XLB_CMD_CONFIG_SET, 0);
	if (lb_put_config(m, has_seed ? &seed : NULL, has4 ? &src4 : NULL,
			  has6 ? &src6 : NULL))
		lb_die(EXIT_ENV, "out of memory");
	err = xnl_request(m, NULL, NULL);
	return err ? xnl_report(err, "config set") : EXIT_OK;
}

int cmd_config(int argc, char **argv)
{
	struct lb_config c;
	int err;

	if (argc > 1 && !strcmp(argv[1], "set"))
		return config_set(argc - 1, argv + 1);
	if (argc > 2 || (argc == 2 && strcmp(argv[1], "show")))
		lb_die(EXIT_ERR,
		       "unknown config command \"%s\": expected show "
		       "or set",
		       argv[1]);
	err = lb_get_config(&c);
	if (err)
		return xnl_report(err, "config");
	print_config(&c);
	return EXIT_OK;
}
