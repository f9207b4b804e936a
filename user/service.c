// SPDX-License-Identifier: GPL-2.0
/*
 * service.c - "lbctl service add|set|del|list" (state.c reads the whole
 * configuration from the module).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lbctl.h"
#include "nl.h"

/* The administrative state alone; the weight is shown apart. */
const char *lb_state_name(const struct lb_backend *b)
{
	return b->state == XLB_BE_STATE_DRAIN ? "drain" : "active";
}

int lb_parse_state(const char *s, uint8_t *state)
{
	if (!strcmp(s, "active")) {
		*state = XLB_BE_STATE_ACTIVE;
		return 0;
	}
	if (!strcmp(s, "drain")) {
		*state = XLB_BE_STATE_DRAIN;
		return 0;
	}
	lb_set_error("invalid state \"%s\": expected active or drain", s);
	return -1;
}

const char *lb_hash_name(uint32_t flags)
{
	return flags & XLB_SVC_F_SRC_HASH ? "src" : "5tuple";
}

int lb_parse_hash(const char *s, uint32_t *flags)
{
	if (!strcmp(s, "5tuple")) {
		*flags &= ~(uint32_t)XLB_SVC_F_SRC_HASH;
		return 0;
	}
	if (!strcmp(s, "src")) {
		*flags |= XLB_SVC_F_SRC_HASH;
		return 0;
	}
	lb_set_error("invalid hash \"%s\": expected 5tuple or src", s);
	return -1;
}

int lb_put_encap(struct nl_msg *m, const struct lb_encap_opt *o)
{
	if (o->has_encap && nla_put_u8(m, XLB_SVC_A_ENCAP, o->encap))
		return -1;
	if (o->has_port && nla_put_u16(m, XLB_SVC_A_ENCAP_PORT, o->port))
		return -1;
	return 0;
}

const char *lb_fmt_encap(const struct lb_service *s, char *buf, size_t len)
{
	if (s->encap == XLB_ENCAP_GUE)
		snprintf(buf, len, " encap gue port %u", s->encap_port);
	else
		snprintf(buf, len, "%s", "");
	return buf;
}

/*
 * service add|set VIP:PORT/PROTO [table-size M] [hash 5tuple|src]
 *                 [udp-timeout S] [encap ipip|gue] [port N]
 */
static int service_change(int argc, char **argv, uint8_t cmd)
{
	struct lb_svc_key k;
	uint32_t m = 0, flags = 0, udp_timeout = 0;
	bool has_m = false, has_flags = false, has_udp = false;
	struct lb_encap_opt eo = { 0 };
	char what[LB_SVCSTRLEN + 32], key[LB_SVCSTRLEN];
	struct nl_msg *msg;
	struct nlattr *n;
	int i, err;

	if (argc < 2)
		lb_die(EXIT_ERR,
		       "missing service after \"service %s\": "
		       "expected VIP:PORT/PROTO",
		       argv[0]);
	if (lb_parse_svc(argv[1], &k))
		lb_die_parse();
	for (i = 2; i < argc; i += 2) {
		const char *v = lb_kw_value(argc, argv, 2, i);

		if (!strcmp(argv[i], "table-size")) {
			if (lb_parse_table_size(v, &m))
				lb_die_parse();
			has_m = true;
		} else if (!strcmp(argv[i], "hash")) {
			if (lb_parse_hash(v, &flags))
				lb_die_parse();
			has_flags = true;
		} else if (!strcmp(argv[i], "udp-timeout")) {
			if (lb_parse_udp_timeout(v, &udp_timeout))
				lb_die_parse();
			has_udp = true;
		} else if ((err = lb_parse_encap_opt(argv[i], v, &eo)) < 0) {
			lb_die_parse();
		} else if (err) {
			lb_die_unknown(argv[i], "service add/set");
		}
	}
	xnl_open();
	msg = xnl_msg(cmd, 0);
	n = nla_nest_start(msg, XLB_A_SERVICE);
	if (!n || xnl_put_svc_key(msg, &k) ||
	    (has_m && nla_put_u32(msg, XLB_SVC_A_TABLE_SIZE, m)) ||
	    (has_flags && nla_put_u32(msg, XLB_SVC_A_FLAGS, flags)) ||
	    (has_udp && nla_put_u32(msg, XLB_SVC_A_UDP_TIMEOUT, udp_timeout)) ||
	    lb_put_encap(msg, &eo))
		lb_die(EXIT_ENV, "out of memory");
	nla_nest_end(msg, n);
	err = xnl_request(msg, NULL, NULL);
	if (!err)
		return EXIT_OK;
	lb_fmt_svc(&k, false, key, sizeof(key));
	snprintf(what, sizeof(what), "service %s %s", argv[0], key);
	if (err == -EEXIST && !xnl_extack()[0])
		return lb_err("%s: service already exists", what), EXIT_ERR;
	if (err == -ENOENT && !xnl_extack()[0])
		return lb_err("%s: no such service", what), EXIT_ERR;
	return xnl_report(err, what);
}

static int service_del(int argc, char **argv)
{
	struct lb_svc_key k;
	char what[LB_SVCSTRLEN + 32], key[LB_SVCSTRLEN];
	struct nl_msg *msg;
	int err;

	if (argc != 2)
		lb_die(EXIT_ERR,
		       argc < 2 ? "missing service after \"service "
				  "del\": expected VIP:PORT/PROTO" :
				  "too many arguments to \"service del\"");
	if (lb_parse_svc(argv[1], &k))
		lb_die_parse();
	xnl_open();
	msg = xnl_msg(XLB_CMD_SERVICE_DEL, 0);
	if (xnl_put_service(msg, &k))
		lb_die(EXIT_ENV, "out of memory");
	err = xnl_request(msg, NULL, NULL);
	if (!err)
		return EXIT_OK;
	lb_fmt_svc(&k, false, key, sizeof(key));
	snprintf(what, sizeof(what), "service del %s", key);
	if (err == -ENOENT && !xnl_extack()[0])
		return lb_err("%s: no such service", what), EXIT_ERR;
	return xnl_report(err, what);
}

static int service_list(int argc, char **argv)
{
	struct lb_state st;
	int err;

	if (argc > 1)
		lb_die_unknown(argv[1], "service list");
	err = lb_load_state(&st, false);
	if (err)
		return xnl_report(err, "service list");
	lb_print_services(&st, false);
	lb_free_state(&st);
	return EXIT_OK;
}

int cmd_service(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "list") || !strcmp(argv[1], "show"))
		return service_list(argc < 2 ? 1 : argc - 1, argv + 1);
	if (!strcmp(argv[1], "add"))
		return service_change(argc - 1, argv + 1, XLB_CMD_SERVICE_NEW);
	if (!strcmp(argv[1], "set"))
		return service_change(argc - 1, argv + 1, XLB_CMD_SERVICE_SET);
	if (!strcmp(argv[1], "del"))
		return service_del(argc - 1, argv + 1);
	lb_die(EXIT_ERR,
	       "unknown service command \"%s\": expected add, set, "
	       "del or list",
	       argv[1]);
}
