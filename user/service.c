// SPDX-License-Identifier: GPL-2.0
/*
 * service.c - "lbctl service add|set|del|list", and reading the whole
 * configuration (services with their backends, global config) from the
 * module for the other commands.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lbctl.h"
#include "nl.h"

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p)
		lb_die(EXIT_ENV, "out of memory");
	return p;
}

const char *lb_state_name(const struct lb_backend *b)
{
	if (b->state == XLB_BE_STATE_DRAIN)
		return "drain";
	return b->weight ? "active" : "drain";
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

/* Fill s from an XLB_A_SERVICE nest. */
static int parse_service(struct nlattr *nest, struct lb_service *s)
{
	struct nlattr *tb[XLB_SVC_A_MAX + 1];

	memset(s, 0, sizeof(*s));
	if (xnl_parse_nested(tb, XLB_SVC_A_MAX, nest) ||
	    xnl_get_addr(tb, XLB_SVC_A_ADDR4, XLB_SVC_A_ADDR6, &s->key.addr))
		return -EPROTO;
	if (tb[XLB_SVC_A_ID])
		s->id = nla_get_u32(tb[XLB_SVC_A_ID]);
	if (tb[XLB_SVC_A_PORT])
		s->key.port = nla_get_u16(tb[XLB_SVC_A_PORT]);
	if (tb[XLB_SVC_A_PROTO])
		s->key.proto = nla_get_u8(tb[XLB_SVC_A_PROTO]);
	if (tb[XLB_SVC_A_TABLE_SIZE])
		s->table_size = nla_get_u32(tb[XLB_SVC_A_TABLE_SIZE]);
	if (tb[XLB_SVC_A_FLAGS])
		s->flags = nla_get_u32(tb[XLB_SVC_A_FLAGS]);
	if (tb[XLB_SVC_A_UDP_TIMEOUT])
		s->udp_timeout = nla_get_u32(tb[XLB_SVC_A_UDP_TIMEOUT]);
	if (tb[XLB_SVC_A_NBACKENDS])
		s->nbackends = nla_get_u32(tb[XLB_SVC_A_NBACKENDS]);
	if (tb[XLB_SVC_A_DIGEST])
		s->digest = nla_get_u64(tb[XLB_SVC_A_DIGEST]);
	return 0;
}

static int parse_backend(struct nlattr *nest, struct lb_backend *b)
{
	struct nlattr *tb[XLB_BE_A_MAX + 1];

	memset(b, 0, sizeof(*b));
	if (xnl_parse_nested(tb, XLB_BE_A_MAX, nest) ||
	    xnl_get_addr(tb, XLB_BE_A_ADDR4, XLB_BE_A_ADDR6, &b->addr))
		return -EPROTO;
	if (tb[XLB_BE_A_ID])
		b->id = nla_get_u32(tb[XLB_BE_A_ID]);
	if (tb[XLB_BE_A_WEIGHT])
		b->weight = nla_get_u32(tb[XLB_BE_A_WEIGHT]);
	if (tb[XLB_BE_A_STATE])
		b->state = nla_get_u8(tb[XLB_BE_A_STATE]);
	if (tb[XLB_BE_A_SLOTS])
		b->slots = nla_get_u32(tb[XLB_BE_A_SLOTS]);
	if (tb[XLB_BE_A_GEN])
		b->gen = nla_get_u32(tb[XLB_BE_A_GEN]);
	return 0;
}

/* Exported for monitor.c. */
int lb_nl_service(struct nlattr **tb, struct lb_service *s)
{
	return tb[XLB_A_SERVICE] ? parse_service(tb[XLB_A_SERVICE], s) :
				   -EPROTO;
}

int lb_nl_backend(struct nlattr **tb, struct lb_backend *b)
{
	return tb[XLB_A_BACKEND] ? parse_backend(tb[XLB_A_BACKEND], b) :
				   -EPROTO;
}

static int on_service(struct nlattr **tb, void *arg)
{
	struct lb_state *st = arg;
	struct lb_service s;

	if (lb_nl_service(tb, &s))
		return -EPROTO;
	st->svc = xrealloc(st->svc, (st->nsvc + 1) * sizeof(*st->svc));
	st->svc[st->nsvc++] = s;
	return 0;
}

static void reset_services(void *arg)
{
	lb_free_state(arg);
}

static int on_backend(struct nlattr **tb, void *arg)
{
	struct lb_service *s = arg;
	struct lb_backend b;

	if (lb_nl_backend(tb, &b))
		return -EPROTO;
	s->be = xrealloc(s->be, (s->nbe + 1) * sizeof(*s->be));
	s->be[s->nbe++] = b;
	return 0;
}

static void reset_backends(void *arg)
{
	struct lb_service *s = arg;

	free(s->be);
	s->be = NULL;
	s->nbe = 0;
}

static int build_backend_dump(struct nl_msg *m, void *arg)
{
	struct lb_service *s = arg;
	struct nlattr *n = nla_nest_start(m, XLB_A_SERVICE);

	if (!n || nla_put_u32(m, XLB_SVC_A_ID, s->id))
		return -EMSGSIZE;
	nla_nest_end(m, n);
	return 0;
}

static int cmp_service(const void *a, const void *b)
{
	const struct lb_service *x = a, *y = b;

	return lb_svc_cmp(&x->key, &y->key);
}

static int cmp_backend(const void *a, const void *b)
{
	const struct lb_backend *x = a, *y = b;

	return lb_addr_cmp(&x->addr, &y->addr);
}

int lb_load_state(struct lb_state *st, bool backends)
{
	int i, err;

	memset(st, 0, sizeof(*st));
	xnl_open();
	err = xnl_dump(XLB_CMD_SERVICE_GET, NULL, on_service, reset_services,
		       st);
	if (err)
		return err;
	for (i = 0; backends && i < st->nsvc; i++) {
		struct lb_service *s = &st->svc[i];

		err = xnl_dump(XLB_CMD_BACKEND_GET, build_backend_dump,
			       on_backend, reset_backends, s);
		if (err == -ENOENT) /* deleted meanwhile */
			continue;
		if (err)
			return err;
		qsort(s->be, s->nbe, sizeof(*s->be), cmp_backend);
	}
	/* A stable order so output compares equal across save/restore. */
	qsort(st->svc, st->nsvc, sizeof(*st->svc), cmp_service);
	return 0;
}

void lb_free_state(struct lb_state *st)
{
	int i;

	for (i = 0; i < st->nsvc; i++)
		free(st->svc[i].be);
	free(st->svc);
	st->svc = NULL;
	st->nsvc = 0;
}

static int on_config(struct nlattr **tb, void *arg)
{
	struct lb_config *c = arg;
	struct nlattr *ctb[XLB_CFG_A_MAX + 1];

	if (xnl_parse_nested(ctb, XLB_CFG_A_MAX, tb[XLB_A_CONFIG]))
		return -EPROTO;
	if (ctb[XLB_CFG_A_SEED])
		c->seed = nla_get_u32(ctb[XLB_CFG_A_SEED]);
	if (ctb[XLB_CFG_A_SRC4] && nla_len(ctb[XLB_CFG_A_SRC4]) == 4) {
		c->has_src4 = true;
		c->src4.family = AF_INET;
		memcpy(c->src4.a, nla_data(ctb[XLB_CFG_A_SRC4]), 4);
	}
	if (ctb[XLB_CFG_A_SRC6] && nla_len(ctb[XLB_CFG_A_SRC6]) == 16) {
		c->has_src6 = true;
		c->src6.family = AF_INET6;
		memcpy(c->src6.a, nla_data(ctb[XLB_CFG_A_SRC6]), 16);
	}
	if (ctb[XLB_CFG_A_BOUND])
		c->bound = nla_get_u8(ctb[XLB_CFG_A_BOUND]);
	if (ctb[XLB_CFG_A_MAX_SERVICES])
		c->max_services = nla_get_u32(ctb[XLB_CFG_A_MAX_SERVICES]);
	if (ctb[XLB_CFG_A_MAX_BACKENDS])
		c->max_backends = nla_get_u32(ctb[XLB_CFG_A_MAX_BACKENDS]);
	if (ctb[XLB_CFG_A_TABLE_MAX])
		c->table_max = nla_get_u32(ctb[XLB_CFG_A_TABLE_MAX]);
	if (ctb[XLB_CFG_A_TXN_DISCARDED])
		c->txn_discarded = nla_get_u32(ctb[XLB_CFG_A_TXN_DISCARDED]);
	return 0;
}

int lb_get_config(struct lb_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	xnl_open();
	return xnl_request(xnl_msg(XLB_CMD_CONFIG_GET, 0), on_config, cfg);
}

/*
 * service add|set VIP:PORT/PROTO [table-size M] [hash 5tuple|src]
 *                 [udp-timeout S]
 */
static int service_change(int argc, char **argv, uint8_t cmd)
{
	struct lb_svc_key k;
	uint32_t m = 0, flags = 0, udp_timeout = 0;
	bool has_m = false, has_flags = false, has_udp = false;
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
		const char *v = lb_need_arg(argc, argv, i, "value");

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
		} else {
			lb_die_unknown(argv[i], "service add/set");
		}
	}
	xnl_open();
	msg = xnl_msg(cmd, 0);
	n = nla_nest_start(msg, XLB_A_SERVICE);
	if (!n || xnl_put_svc_key(msg, &k) ||
	    (has_m && nla_put_u32(msg, XLB_SVC_A_TABLE_SIZE, m)) ||
	    (has_flags && nla_put_u32(msg, XLB_SVC_A_FLAGS, flags)) ||
	    (has_udp && nla_put_u32(msg, XLB_SVC_A_UDP_TIMEOUT, udp_timeout)))
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
