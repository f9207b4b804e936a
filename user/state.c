// SPDX-License-Identifier: GPL-2.0
/*
 * state.c - reading the whole configuration (services with their
 * backends, global config) from the module: shared by lbctl's commands
 * and xlb-healthd.
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

/* Counters of an XLB_SVC_A_STATS / XLB_BE_A_STATS nest, if any. */
static int parse_cnt(struct nlattr *nest, struct lb_cnt *c)
{
	struct nlattr *tb[XLB_CNT_A_MAX + 1];

	if (!nest)
		return 0;
	if (xnl_parse_nested(tb, XLB_CNT_A_MAX, nest))
		return -EPROTO;
	if (tb[XLB_CNT_A_PACKETS])
		c->packets = nla_get_u64(tb[XLB_CNT_A_PACKETS]);
	if (tb[XLB_CNT_A_BYTES])
		c->bytes = nla_get_u64(tb[XLB_CNT_A_BYTES]);
	if (tb[XLB_CNT_A_FLOWS])
		c->flows = nla_get_u64(tb[XLB_CNT_A_FLOWS]);
	return 0;
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
	if (tb[XLB_SVC_A_ENCAP])
		s->encap = nla_get_u8(tb[XLB_SVC_A_ENCAP]);
	if (tb[XLB_SVC_A_ENCAP_PORT])
		s->encap_port = nla_get_u16(tb[XLB_SVC_A_ENCAP_PORT]);
	if (tb[XLB_SVC_A_NBACKENDS])
		s->nbackends = nla_get_u32(tb[XLB_SVC_A_NBACKENDS]);
	if (tb[XLB_SVC_A_DIGEST])
		s->digest = nla_get_u64(tb[XLB_SVC_A_DIGEST]);
	if (tb[XLB_SVC_A_HEALTH] && lb_nl_hc(tb[XLB_SVC_A_HEALTH], &s->hc))
		return -EPROTO;
	return parse_cnt(tb[XLB_SVC_A_STATS], &s->cnt);
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
	if (tb[XLB_BE_A_HEALTH])
		b->health = nla_get_u8(tb[XLB_BE_A_HEALTH]);
	if (tb[XLB_BE_A_HC_RESULT])
		b->hc_result = nla_get_u8(tb[XLB_BE_A_HC_RESULT]);
	if (tb[XLB_BE_A_HC_DETAIL])
		b->hc_detail = nla_get_u16(tb[XLB_BE_A_HC_DETAIL]);
	b->has_hc_age = tb[XLB_BE_A_HC_AGE];
	if (b->has_hc_age)
		b->hc_age = nla_get_u32(tb[XLB_BE_A_HC_AGE]);
	if (tb[XLB_BE_A_HEALTH_CHECK]) {
		b->hc = xrealloc(NULL, sizeof(*b->hc));
		if (lb_nl_hc(tb[XLB_BE_A_HEALTH_CHECK], b->hc)) {
			free(b->hc);
			b->hc = NULL;
			return -EPROTO;
		}
	}
	return parse_cnt(tb[XLB_BE_A_STATS], &b->cnt);
}

static void get_str(struct nlattr *a, char *dst)
{
	int n = a ? nla_len(a) : 0;

	if (n > XLB_HC_STR_MAX)
		n = XLB_HC_STR_MAX;
	memcpy(dst, a ? nla_data(a) : "", n);
	dst[n] = '\0';
	/* strings come with their NUL, binary payloads without */
	dst[strnlen(dst, n)] = '\0';
}

int lb_nl_hc(struct nlattr *nest, struct lb_hc *hc)
{
	struct nlattr *tb[XLB_HC_A_MAX + 1];

	if (xnl_parse_nested(tb, XLB_HC_A_MAX, nest))
		return -EPROTO;
	lb_hc_init(hc, tb[XLB_HC_A_TYPE] ? nla_get_u8(tb[XLB_HC_A_TYPE]) : 0);
	if (tb[XLB_HC_A_PORT])
		hc->port = nla_get_u16(tb[XLB_HC_A_PORT]);
	if (tb[XLB_HC_A_INTERVAL])
		hc->interval = nla_get_u32(tb[XLB_HC_A_INTERVAL]);
	if (tb[XLB_HC_A_TIMEOUT])
		hc->timeout = nla_get_u32(tb[XLB_HC_A_TIMEOUT]);
	if (tb[XLB_HC_A_RISE])
		hc->rise = nla_get_u8(tb[XLB_HC_A_RISE]);
	if (tb[XLB_HC_A_FALL])
		hc->fall = nla_get_u8(tb[XLB_HC_A_FALL]);
	if (tb[XLB_HC_A_EXPECT])
		hc->expect = nla_get_u16(tb[XLB_HC_A_EXPECT]);
	if (tb[XLB_HC_A_PATH])
		get_str(tb[XLB_HC_A_PATH], hc->path);
	get_str(tb[XLB_HC_A_HOST], hc->host);
	get_str(tb[XLB_HC_A_SEND], hc->send);
	get_str(tb[XLB_HC_A_RECV], hc->recv);
	get_str(tb[XLB_HC_A_CMD], hc->cmd);
	return 0;
}

static int put_str(struct nl_msg *m, int type, const char *s)
{
	return *s ? nla_put_string(m, type, s) : 0;
}

/* Type 0 alone: no check (SERVICE_SET, BACKEND_SET remove it). */
int lb_put_hc_as(struct nl_msg *m, int type, const struct lb_hc *hc)
{
	struct nlattr *n = nla_nest_start(m, type);

	if (!n || nla_put_u8(m, XLB_HC_A_TYPE, hc->type))
		return -EMSGSIZE;
	if (hc->type &&
	    ((hc->port && nla_put_u16(m, XLB_HC_A_PORT, hc->port)) ||
	     nla_put_u32(m, XLB_HC_A_INTERVAL, hc->interval) ||
	     nla_put_u32(m, XLB_HC_A_TIMEOUT, hc->timeout) ||
	     nla_put_u8(m, XLB_HC_A_RISE, hc->rise) ||
	     nla_put_u8(m, XLB_HC_A_FALL, hc->fall) ||
	     (hc->type == XLB_HC_HTTP &&
	      nla_put_u16(m, XLB_HC_A_EXPECT, hc->expect)) ||
	     put_str(m, XLB_HC_A_PATH, hc->path) ||
	     put_str(m, XLB_HC_A_HOST, hc->host) ||
	     put_str(m, XLB_HC_A_SEND, hc->send) ||
	     put_str(m, XLB_HC_A_RECV, hc->recv) ||
	     put_str(m, XLB_HC_A_CMD, hc->cmd)))
		return -EMSGSIZE;
	nla_nest_end(m, n);
	return 0;
}

int lb_put_hc(struct nl_msg *m, const struct lb_hc *hc)
{
	return lb_put_hc_as(m, XLB_SVC_A_HEALTH, hc);
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
	lb_free_backends(arg);
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

void lb_free_backends(struct lb_service *s)
{
	int i;

	for (i = 0; i < s->nbe; i++)
		free(s->be[i].hc);
	free(s->be);
	s->be = NULL;
	s->nbe = 0;
}

void lb_free_state(struct lb_state *st)
{
	int i;

	for (i = 0; i < st->nsvc; i++)
		lb_free_backends(&st->svc[i]);
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
	if (ctb[XLB_CFG_A_TXN_PORT])
		c->txn_port = nla_get_u32(ctb[XLB_CFG_A_TXN_PORT]);
	return 0;
}

int lb_get_config(struct lb_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	xnl_open();
	return xnl_request(xnl_msg(XLB_CMD_CONFIG_GET, 0), on_config, cfg);
}
