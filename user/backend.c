// SPDX-License-Identifier: GPL-2.0
/*
 * backend.c - "lbctl add|set|drain|del ADDR ...": backends of a service.
 * Without "service", the target is the only service; with several, the
 * backend's own service when exactly one has it (set/drain/del), else an
 * error listing the choices.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lbctl.h"
#include "nl.h"

struct be_args {
	struct lb_addr addr;
	bool has_svc, has_weight, has_state;
	struct lb_svc_key svc;
	uint32_t weight;
	uint8_t state;
};

static void parse_be_args(int argc, char **argv, bool allow_weight,
			  struct be_args *a)
{
	int i;

	memset(a, 0, sizeof(*a));
	if (argc < 2)
		lb_die(EXIT_ERR, "missing backend address after \"%s\"",
		       argv[0]);
	if (lb_parse_backend(argv[1], &a->addr))
		lb_die_parse();
	for (i = 2; i < argc; i += 2) {
		const char *v = lb_kw_value(argc, argv, 2, i);

		if (!strcmp(argv[i], "service")) {
			if (lb_parse_svc(v, &a->svc))
				lb_die_parse();
			a->has_svc = true;
		} else if (allow_weight && !strcmp(argv[i], "weight")) {
			if (lb_parse_weight(v, &a->weight))
				lb_die_parse();
			a->has_weight = true;
		} else if (allow_weight && !strcmp(argv[i], "state")) {
			if (lb_parse_state(v, &a->state))
				lb_die_parse();
			a->has_state = true;
		} else {
			lb_die_unknown(argv[i], argv[0]);
		}
	}
}

static bool has_backend(const struct lb_service *s, const struct lb_addr *a)
{
	int i;

	for (i = 0; i < s->nbe; i++)
		if (lb_addr_eq(&s->be[i].addr, a))
			return true;
	return false;
}

static void die_choices(const struct lb_state *st, const char *why)
{
	char list[1024] = "", key[LB_SVCSTRLEN];
	size_t n = 0;
	int i;

	for (i = 0; i < st->nsvc && n < sizeof(list) - 1; i++) {
		lb_fmt_svc(&st->svc[i].key, false, key, sizeof(key));
		n += snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "",
			      key);
	}
	lb_die(EXIT_ERR, "%s: add `service VIP:PORT/PROTO`, one of: %s", why,
	       list);
}

/* Pick the service when none was given. */
static void pick_service(struct be_args *a, bool existing)
{
	struct lb_state st;
	char addr[LB_ADDRSTRLEN];
	int i, found = -1, err;

	err = lb_load_state(&st, existing);
	if (err)
		exit(xnl_report(err, "cannot read the services"));
	if (st.nsvc == 0)
		lb_die(EXIT_ERR, "no service is configured (add one first: "
				 "lbctl service add VIP:PORT/PROTO)");
	if (st.nsvc == 1) {
		a->svc = st.svc[0].key;
		goto out;
	}
	lb_fmt_addr(&a->addr, addr, sizeof(addr));
	if (!existing)
		die_choices(&st, "there are several services");
	for (i = 0; i < st.nsvc; i++) {
		if (!has_backend(&st.svc[i], &a->addr))
			continue;
		if (found >= 0)
			die_choices(&st, "backend is in several services");
		found = i;
	}
	if (found < 0)
		lb_die(EXIT_ERR, "backend %s not found in any service", addr);
	a->svc = st.svc[found].key;
out:
	a->has_svc = true;
	lb_free_state(&st);
}

static int be_request(uint8_t cmd, const char *verb, struct be_args *a)
{
	char what[LB_SVCSTRLEN + LB_ADDRSTRLEN + 32];
	char addr[LB_ADDRSTRLEN], key[LB_SVCSTRLEN];
	struct nl_msg *m;
	struct nlattr *n;
	int err;

	m = xnl_msg(cmd, 0);
	if (xnl_put_service(m, &a->svc))
		goto nomem;
	n = nla_nest_start(m, XLB_A_BACKEND);
	if (!n || xnl_put_addr(m, XLB_BE_A_ADDR4, XLB_BE_A_ADDR6, &a->addr) ||
	    (a->has_weight && nla_put_u32(m, XLB_BE_A_WEIGHT, a->weight)) ||
	    (a->has_state && nla_put_u8(m, XLB_BE_A_STATE, a->state)))
		goto nomem;
	nla_nest_end(m, n);
	err = xnl_request(m, NULL, NULL);
	if (!err)
		return EXIT_OK;
	lb_fmt_addr(&a->addr, addr, sizeof(addr));
	lb_fmt_svc(&a->svc, false, key, sizeof(key));
	snprintf(what, sizeof(what), "%s %s (service %s)", verb, addr, key);
	if (!xnl_extack()[0] && err == -EEXIST)
		return lb_err("%s: backend already exists", what), EXIT_ERR;
	if (!xnl_extack()[0] && err == -ENOENT)
		return lb_err("%s: no such service or backend", what), EXIT_ERR;
	return xnl_report(err, what);
nomem:
	lb_die(EXIT_ENV, "out of memory");
}

int cmd_add(int argc, char **argv)
{
	struct be_args a;

	parse_be_args(argc, argv, true, &a);
	xnl_open();
	if (!a.has_svc)
		pick_service(&a, false);
	if (!a.has_weight) {
		a.weight = XLB_WEIGHT_DEFAULT;
		a.has_weight = true;
	}
	return be_request(XLB_CMD_BACKEND_NEW, "add", &a);
}

int cmd_set(int argc, char **argv)
{
	struct be_args a;

	parse_be_args(argc, argv, true, &a);
	if (!a.has_weight && !a.has_state)
		lb_die(EXIT_ERR, "nothing to set: expected weight W or "
				 "state active|drain");
	xnl_open();
	if (!a.has_svc)
		pick_service(&a, true);
	return be_request(XLB_CMD_BACKEND_SET, "set", &a);
}

int cmd_drain(int argc, char **argv)
{
	struct be_args a;

	parse_be_args(argc, argv, false, &a);
	/* the state, not the weight: "set ADDR state active" undoes it */
	a.has_state = true;
	a.state = XLB_BE_STATE_DRAIN;
	xnl_open();
	if (!a.has_svc)
		pick_service(&a, true);
	return be_request(XLB_CMD_BACKEND_SET, "drain", &a);
}

int cmd_del(int argc, char **argv)
{
	struct be_args a;

	parse_be_args(argc, argv, false, &a);
	xnl_open();
	if (!a.has_svc)
		pick_service(&a, true);
	return be_request(XLB_CMD_BACKEND_DEL, "del", &a);
}
