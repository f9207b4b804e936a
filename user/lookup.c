// SPDX-License-Identifier: GPL-2.0
/*
 * lookup.c - "lbctl lookup SRC:SPORT DST:DPORT tcp|udp ...": which backend
 * the module's current table gives each flow (XLB_CMD_LOOKUP), with its hash
 * and slot, one line (or JSON object) per flow.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "lbctl.h"
#include "nl.h"

struct lookup_reply {
	struct lb_service svc;
	struct lb_backend be;
	uint32_t hash, slot;
	bool ok;
};

static int on_lookup(struct nlattr **tb, void *arg)
{
	struct lookup_reply *r = arg;
	struct nlattr *ftb[XLB_FLOW_A_MAX + 1];

	if (lb_nl_service(tb, &r->svc) || lb_nl_backend(tb, &r->be) ||
	    xnl_parse_nested(ftb, XLB_FLOW_A_MAX, tb[XLB_A_FLOW]))
		return -EPROTO;
	if (ftb[XLB_FLOW_A_HASH])
		r->hash = nla_get_u32(ftb[XLB_FLOW_A_HASH]);
	if (ftb[XLB_FLOW_A_SLOT])
		r->slot = nla_get_u32(ftb[XLB_FLOW_A_SLOT]);
	r->ok = true;
	return 0;
}

static void print_reply(const struct lookup_reply *r)
{
	char be[LB_ADDRSTRLEN], svc[LB_SVCSTRLEN];

	lb_fmt_addr(&r->be.addr, be, sizeof(be));
	if (opts.json) {
		json_init(stdout);
		json_obj_open(NULL);
		json_str("address", be);
		json_u64("weight", r->be.weight);
		json_str("service",
			 lb_fmt_svc(&r->svc.key, false, svc, sizeof(svc)));
		json_u64("hash", r->hash);
		json_u64("slot", r->slot);
		json_obj_close();
		json_done();
		return;
	}
	printf("backend %s service %s hash 0x%08x slot %u\n", be,
	       lb_fmt_svc(&r->svc.key, !opts.numeric, svc, sizeof(svc)),
	       r->hash, r->slot);
}

static int lookup_one(char **argv)
{
	struct lb_endpoint src, dst;
	struct lookup_reply r;
	struct nl_msg *m;
	struct nlattr *n;
	uint8_t proto;
	int err;

	if (lb_parse_endpoint(argv[0], &src) ||
	    lb_parse_endpoint(argv[1], &dst) || lb_parse_proto(argv[2], &proto))
		lb_die_parse();
	if (src.addr.family != dst.addr.family)
		lb_die(EXIT_ERR,
		       "invalid flow \"%s\" -> \"%s\": source and "
		       "destination must be of the same address family",
		       argv[0], argv[1]);
	m = xnl_msg(XLB_CMD_LOOKUP, 0);
	n = nla_nest_start(m, XLB_A_FLOW);
	if (!n ||
	    xnl_put_addr(m, XLB_FLOW_A_SRC4, XLB_FLOW_A_SRC6, &src.addr) ||
	    xnl_put_addr(m, XLB_FLOW_A_DST4, XLB_FLOW_A_DST6, &dst.addr) ||
	    nla_put_u16(m, XLB_FLOW_A_SPORT, src.port) ||
	    nla_put_u16(m, XLB_FLOW_A_DPORT, dst.port) ||
	    nla_put_u8(m, XLB_FLOW_A_PROTO, proto))
		lb_die(EXIT_ENV, "out of memory");
	nla_nest_end(m, n);
	memset(&r, 0, sizeof(r));
	err = xnl_request(m, on_lookup, &r);
	if (err == -ENOENT && !xnl_extack()[0])
		lb_die(EXIT_ERR,
		       "lookup: no service at %s/%s, or it has no "
		       "active backend with a non-zero weight",
		       argv[1], argv[2]);
	if (err)
		return xnl_report(err, "lookup");
	if (!r.ok)
		lb_die(EXIT_ERR, "lookup: the module sent no answer");
	print_reply(&r);
	free(r.be.hc);
	return EXIT_OK;
}

/* One flow, or several (one line each): SRC:SPORT DST:DPORT PROTO ... */
int cmd_lookup(int argc, char **argv)
{
	int i, err;

	if (argc < 4 || (argc - 1) % 3)
		lb_die(EXIT_ERR, "usage: lbctl lookup SRC:SPORT DST:DPORT "
				 "tcp|udp [SRC:SPORT DST:DPORT tcp|udp]...");
	xnl_open();
	for (i = 1; i < argc; i += 3) {
		err = lookup_one(argv + i);
		if (err)
			return err;
	}
	return EXIT_OK;
}
