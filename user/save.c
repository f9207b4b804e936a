// SPDX-License-Identifier: GPL-2.0
/*
 * save.c - "lbctl save", "lbctl restore [FILE|-]" and "lbctl flush".
 *
 * save prints the configuration as lbctl commands (config, service add,
 * health, add, attach); restore reads that language back, validates all of
 * it, and sends it as one XLB_CMD_REPLACE, or as a staged REPLACE in parts
 * when it is larger than one netlink attribute holds, so the module applies
 * it atomically either way.  Then it runs the attach lines: the module has
 * the whole state before attach hands it the maps, which it publishes at
 * once (after a module reload, attach before restore would publish an empty
 * state into the maps a still-attached program serves from).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attach.h"
#include "lbctl.h"
#include "nl.h"

/*
 * A backend the health checker drained (down-drained) is saved with the
 * operator's state, active: restored into a fresh module it is checked
 * again and drained after "fall" failures, where a saved "drain" would
 * keep it out for good.
 */
static void print_backend(const struct lb_backend *b, const char *k)
{
	char a[LB_ADDRSTRLEN];
	bool by_checker = b->health == XLB_BE_HEALTH_DRAINED;

	printf("add %s weight %u%s service %s%s\n",
	       lb_fmt_addr(&b->addr, a, sizeof(a)), b->weight,
	       b->state == XLB_BE_STATE_DRAIN && !by_checker ? " state drain" :
							       "",
	       k, by_checker ? "  # health down (xlb-healthd)" : "");
}

static void print_save(const struct lb_config *c, const struct lb_state *st)
{
	char a[LB_ADDRSTRLEN], k[LB_SVCSTRLEN], hc[2048];
	int i, j;

	printf("# lbctl save; apply with: lbctl restore FILE\n");
	printf("config seed 0x%08x", c->seed);
	if (c->has_src4)
		printf(" src4 %s", lb_fmt_addr(&c->src4, a, sizeof(a)));
	if (c->has_src6)
		printf(" src6 %s", lb_fmt_addr(&c->src6, a, sizeof(a)));
	printf("\n");
	for (i = 0; i < st->nsvc; i++) {
		const struct lb_service *s = &st->svc[i];

		lb_fmt_svc(&s->key, false, k, sizeof(k));
		printf("service add %s table-size %u hash %s", k, s->table_size,
		       lb_hash_name(s->flags));
		if (s->udp_timeout)
			printf(" udp-timeout %u", s->udp_timeout);
		printf("%s\n", lb_fmt_encap(s, a, sizeof(a)));
		if (s->hc.type)
			printf("health %s %s\n", k,
			       lb_hc_fmt(&s->hc, hc, sizeof(hc)));
		for (j = 0; j < s->nbe; j++) {
			print_backend(&s->be[j], k);
			if (s->be[j].hc)
				printf("health %s backend %s %s\n", k,
				       lb_fmt_addr(&s->be[j].addr, a,
						   sizeof(a)),
				       lb_hc_fmt(s->be[j].hc, hc, sizeof(hc)));
		}
	}
	lb_attach_save();
}

int cmd_save(int argc, char **argv)
{
	struct lb_config c;
	struct lb_state st;
	int err;

	if (argc > 1)
		lb_die_unknown(argv[1], "save");
	err = lb_get_config(&c);
	if (!err)
		err = lb_load_state(&st, true);
	if (err)
		return xnl_report(err, "save");
	print_save(&c, &st);
	lb_free_state(&st);
	return fflush(stdout) ? EXIT_ERR : EXIT_OK;
}

int cmd_flush(int argc, char **argv)
{
	int err;

	if (argc > 1)
		lb_die_unknown(argv[1], "flush");
	xnl_open();
	err = xnl_request(xnl_msg(XLB_CMD_FLUSH, 0), NULL, NULL);
	return err ? xnl_report(err, "flush") : EXIT_OK;
}

/* --- restore ------------------------------------------------------------ */

struct rs_backend {
	struct lb_addr addr;
	uint32_t weight;
	uint8_t state;
	bool has_state;
	int line; /* where it was listed */
	struct lb_hc *hc; /* its own check (malloc'd), or NULL */
};

struct rs_service {
	struct lb_svc_key key;
	uint32_t table_size, flags, udp_timeout;
	bool has_table_size, has_flags, has_udp_timeout, has_hc;
	struct lb_hc hc;
	struct lb_encap_opt encap;
	struct rs_backend *be;
	int nbe, cap;
};

struct rs_attach {
	struct lb_attach a;
	int line;
};

struct rs_config {
	bool has_seed, has_src4, has_src6;
	uint32_t seed;
	struct lb_addr src4, src6;
	struct rs_service *svc;
	int nsvc;
	struct rs_attach *att;
	int natt;
	const char *file;
	int line;
	char where[300]; /* "FILE:LINE" for lb_err_where */
};

static void rs_die(const struct rs_config *rc, const char *msg)
	__attribute__((noreturn));

static void rs_die(const struct rs_config *rc, const char *msg)
{
	lb_die(EXIT_ERR, "%s:%d: %s", rc->file, rc->line, msg);
}

static void rs_check(const struct rs_config *rc, int r)
{
	if (r)
		rs_die(rc, lb_parse_error());
}

static const char *rs_arg(const struct rs_config *rc, int argc, char **argv,
			  int i)
{
	char msg[128];

	if (i + 1 < argc)
		return argv[i + 1];
	snprintf(msg, sizeof(msg), "missing value after \"%s\"", argv[i]);
	rs_die(rc, msg);
}

/* rs_arg(), and argv[i] must not repeat a keyword of argv[first..i). */
static const char *rs_value(const struct rs_config *rc, int argc, char **argv,
			    int first, int i)
{
	const char *v = rs_arg(rc, argc, argv, i);

	rs_check(rc, lb_check_keyword(argv, first, i));
	return v;
}

static void rs_unknown(const struct rs_config *rc, const char *w)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "unknown argument \"%.64s\"", w);
	rs_die(rc, msg);
}

static void rs_config_line(struct rs_config *rc, int argc, char **argv)
{
	int first = argc > 1 && !strcmp(argv[1], "set") ? 2 : 1, i;

	for (i = first; i < argc; i += 2) {
		const char *v = rs_value(rc, argc, argv, first, i);

		if (!strcmp(argv[i], "seed")) {
			rs_check(rc, lb_parse_seed(v, &rc->seed));
			rc->has_seed = true;
		} else if (!strcmp(argv[i], "src4")) {
			rs_check(rc, lb_parse_addr(v, &rc->src4));
			if (rc->src4.family != AF_INET)
				rs_die(rc, "src4 must be an IPv4 address");
			rc->has_src4 = true;
		} else if (!strcmp(argv[i], "src6")) {
			rs_check(rc, lb_parse_addr(v, &rc->src6));
			if (rc->src6.family != AF_INET6)
				rs_die(rc, "src6 must be an IPv6 address");
			rc->has_src6 = true;
		} else {
			rs_unknown(rc, argv[i]);
		}
	}
}

static struct rs_service *rs_find(struct rs_config *rc,
				  const struct lb_svc_key *k)
{
	int i;

	for (i = 0; i < rc->nsvc; i++)
		if (!lb_svc_cmp(&rc->svc[i].key, k))
			return &rc->svc[i];
	return NULL;
}

static void rs_service_line(struct rs_config *rc, int argc, char **argv)
{
	struct rs_service s = { 0 };
	int i, rc_opt;

	if (argc < 3 || strcmp(argv[1], "add"))
		rs_die(rc, "expected: service add VIP:PORT/PROTO "
			   "[table-size M] [hash 5tuple|src] [udp-timeout S] "
			   "[encap ipip|gue] [port N]");
	rs_check(rc, lb_parse_svc(argv[2], &s.key));
	for (i = 3; i < argc; i += 2) {
		const char *v = rs_value(rc, argc, argv, 3, i);

		if (!strcmp(argv[i], "table-size")) {
			rs_check(rc, lb_parse_table_size(v, &s.table_size));
			s.has_table_size = true;
		} else if (!strcmp(argv[i], "hash")) {
			rs_check(rc, lb_parse_hash(v, &s.flags));
			s.has_flags = true;
		} else if (!strcmp(argv[i], "udp-timeout")) {
			rs_check(rc, lb_parse_udp_timeout(v, &s.udp_timeout));
			s.has_udp_timeout = true;
		} else {
			rc_opt = lb_parse_encap_opt(argv[i], v, &s.encap);
			if (rc_opt > 0)
				rs_unknown(rc, argv[i]);
			rs_check(rc, rc_opt);
		}
	}
	if (s.encap.has_port && s.encap.encap != XLB_ENCAP_GUE)
		rs_die(rc, "port applies to encap gue only");
	if (rs_find(rc, &s.key))
		rs_die(rc, "service declared twice");
	rc->svc = realloc(rc->svc, (rc->nsvc + 1) * sizeof(*rc->svc));
	if (!rc->svc)
		lb_die(EXIT_ENV, "out of memory");
	rc->svc[rc->nsvc++] = s;
}

/* health VIP:PORT/PROTO backend ADDR TYPE...: after that backend's line */
static void rs_be_health(struct rs_config *rc, struct rs_service *s, int argc,
			 char **argv)
{
	struct rs_backend *b = NULL;
	struct lb_addr a;
	int i;

	if (argc < 3)
		rs_die(rc, "expected: health VIP:PORT/PROTO backend ADDR TYPE "
			   "[KEYWORD VALUE]...");
	rs_check(rc, lb_parse_backend(argv[1], &a));
	/* from the last: save writes it right after its backend */
	for (i = s->nbe - 1; i >= 0 && !b; i--)
		if (lb_addr_eq(&s->be[i].addr, &a))
			b = &s->be[i];
	if (!b)
		rs_die(rc, "backend not declared before this line (expected: "
			   "add ADDR ... service VIP:PORT/PROTO)");
	if (b->hc)
		rs_die(rc, "health check given twice for this backend");
	b->hc = malloc(sizeof(*b->hc));
	if (!b->hc)
		lb_die(EXIT_ENV, "out of memory");
	rs_check(rc, lb_hc_parse(argc - 2, argv + 2, b->hc));
}

/* health VIP:PORT/PROTO TYPE [KEYWORD VALUE]... (after its service) */
static void rs_health_line(struct rs_config *rc, int argc, char **argv)
{
	struct rs_service *s;
	struct lb_svc_key k;

	if (argc < 3)
		rs_die(rc, "expected: health VIP:PORT/PROTO TYPE "
			   "[KEYWORD VALUE]...");
	rs_check(rc, lb_parse_svc(argv[1], &k));
	s = rs_find(rc, &k);
	if (!s)
		rs_die(rc, "service not declared before this line (expected: "
			   "service add ...)");
	if (!strcmp(argv[2], "backend")) {
		rs_be_health(rc, s, argc - 2, argv + 2);
		return;
	}
	if (s->has_hc)
		rs_die(rc, "health check given twice for this service");
	rs_check(rc, lb_hc_parse(argc - 2, argv + 2, &s->hc));
	s->has_hc = true;
}

static void rs_backend_line(struct rs_config *rc, int argc, char **argv)
{
	struct rs_backend b = { .weight = XLB_WEIGHT_DEFAULT };
	struct rs_service *s = NULL;
	struct lb_svc_key k;
	int i;

	if (argc < 2)
		rs_die(rc, "missing backend address after \"add\"");
	rs_check(rc, lb_parse_backend(argv[1], &b.addr));
	for (i = 2; i < argc; i += 2) {
		const char *v = rs_value(rc, argc, argv, 2, i);

		if (!strcmp(argv[i], "weight")) {
			rs_check(rc, lb_parse_weight(v, &b.weight));
		} else if (!strcmp(argv[i], "state")) {
			rs_check(rc, lb_parse_state(v, &b.state));
			b.has_state = true;
		} else if (!strcmp(argv[i], "service")) {
			rs_check(rc, lb_parse_svc(v, &k));
			s = rs_find(rc, &k);
			if (!s)
				rs_die(rc, "service not declared before this "
					   "line (expected: service add ...)");
		} else {
			rs_unknown(rc, argv[i]);
		}
	}
	if (!s && rc->nsvc != 1)
		rs_die(rc, rc->nsvc ? "several services: add `service "
				      "VIP:PORT/PROTO`" :
				      "no service declared before "
				      "this backend");
	if (!s)
		s = &rc->svc[0];
	/* backends listed twice: rs_check_dups(), once the file is read */
	if (s->nbe == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->be = realloc(s->be, (size_t)s->cap * sizeof(*s->be));
		if (!s->be)
			lb_die(EXIT_ENV, "out of memory");
	}
	b.line = rc->line;
	s->be[s->nbe++] = b;
}

/* lb_err() names FILE:LINE (line 0: rc->line) until rs_where_end(). */
static void rs_where(struct rs_config *rc, int line)
{
	snprintf(rc->where, sizeof(rc->where), "%s:%d", rc->file,
		 line ? line : rc->line);
	lb_err_where = rc->where;
}

static void rs_where_end(void)
{
	lb_err_where = NULL;
}

static void rs_attach_line(struct rs_config *rc, int argc, char **argv)
{
	struct rs_attach *t;
	int i;

	rc->att = realloc(rc->att, (rc->natt + 1) * sizeof(*rc->att));
	if (!rc->att)
		lb_die(EXIT_ENV, "out of memory");
	t = &rc->att[rc->natt];
	rs_where(rc, 0);
	lb_attach_parse(argc, argv, &t->a);
	/* the file is the whole configuration, published as restored */
	t->a.force = true;
	rs_where_end();
	t->line = rc->line;
	for (i = 0; i < rc->natt; i++)
		if (rc->att[i].a.ifindex == t->a.ifindex)
			rs_die(rc, "device attached twice");
	rc->natt++;
}

/*
 * Before anything changes: the attach lines can run (root; sizes those of
 * the maps pinned now, if any, and the same on every line).
 */
static void rs_check_attach(struct rs_config *rc)
{
	const struct lb_attach *a, *first = NULL;
	int i;

	if (rc->natt && geteuid() != 0)
		lb_die(EXIT_ENV, "restore: permission denied: attach lines "
				 "need root (CAP_BPF, CAP_NET_ADMIN)");
	for (i = 0; i < rc->natt; i++) {
		a = &rc->att[i].a;
		rs_where(rc, rc->att[i].line);
		lb_attach_check(a);
		if (a->sized && first &&
		    (a->max_services != first->max_services ||
		     a->max_backends != first->max_backends ||
		     a->table_max != first->table_max ||
		     a->ct_size != first->ct_size))
			lb_die(EXIT_ERR, "map sizes differ from the earlier "
					 "attach line's: every device shares "
					 "one set of maps");
		if (a->sized && !first)
			first = a;
		rs_where_end();
	}
}

/* After the REPLACE: attach in file order; an exit code. */
static int rs_run_attach(struct rs_config *rc)
{
	int i, err = EXIT_OK;

	for (i = 0; i < rc->natt && !err; i++) {
		rs_where(rc, rc->att[i].line);
		err = lb_attach_run(&rc->att[i].a);
		rs_where_end();
	}
	return err;
}

static int rs_be_cmp(const void *a, const void *b)
{
	const struct rs_backend *x = *(const struct rs_backend *const *)a;
	const struct rs_backend *y = *(const struct rs_backend *const *)b;
	int c = lb_addr_cmp(&x->addr, &y->addr);

	return c ? c : x->line - y->line;
}

/* A backend listed twice for its service: the error names the later line. */
static void rs_check_dups(struct rs_config *rc)
{
	const struct rs_backend **v;
	int k, i;

	for (k = 0; k < rc->nsvc; k++) {
		const struct rs_service *s = &rc->svc[k];

		if (s->nbe < 2)
			continue;
		v = calloc((size_t)s->nbe, sizeof(const struct rs_backend *));
		if (!v)
			lb_die(EXIT_ENV, "out of memory");
		for (i = 0; i < s->nbe; i++)
			v[i] = &s->be[i];
		qsort(v, (size_t)s->nbe, sizeof(const struct rs_backend *),
		      rs_be_cmp);
		for (i = 1; i < s->nbe; i++) {
			if (lb_addr_eq(&v[i - 1]->addr, &v[i]->addr)) {
				rc->line = v[i]->line;
				rs_die(rc,
				       "backend listed twice for its service");
			}
		}
		free(v);
	}
}

/* The line language: one parser per first word. */
static const struct rs_line {
	const char *word;
	void (*parse)(struct rs_config *rc, int argc, char **argv);
} rs_lines[] = {
	{ "config", rs_config_line }, { "service", rs_service_line },
	{ "add", rs_backend_line },   { "health", rs_health_line },
	{ "attach", rs_attach_line }, { NULL, NULL },
};

static void rs_parse(struct rs_config *rc, FILE *f)
{
	char line[4096], *argv[64];
	const struct rs_line *k;
	int argc;

	while (fgets(line, sizeof(line), f)) {
		rc->line++;
		if (!strchr(line, '\n') && !feof(f))
			rs_die(rc, "line too long");
		argc = lb_split_words(line, argv, 64);
		if (argc < 0)
			rs_die(rc, "too many words on the line");
		if (argc == 0)
			continue;
		for (k = rs_lines; k->word; k++)
			if (!strcmp(argv[0], k->word))
				break;
		if (!k->word)
			rs_unknown(rc, argv[0]);
		k->parse(rc, argc, argv);
	}
	if (ferror(f))
		lb_die(EXIT_ERR, "%s: read error", rc->file);
}

/*
 * A netlink attribute holds at most 64 KiB: the services of one request
 * (XLB_A_SERVICES) stay below RS_PART_BYTES, and a larger configuration
 * goes as a staged REPLACE in parts (XLB_A_TXN, include/uapi/xlb_netlink.h)
 * that the module applies at the last one, all at once, or not at all.
 * RS_SVC_BYTES and RS_BE_BYTES bound what one service (without backends)
 * and one backend take.
 */
#define RS_PART_BYTES ((size_t)48 * 1024)
#define RS_SVC_BYTES 96
#define RS_BE_BYTES 40
#define RS_HC_BYTES (64 + 5 * (XLB_HC_STR_MAX + 8))

/* A request being filled: message, its XLB_A_SERVICES nest, bytes used. */
struct rs_part {
	struct nl_msg *m;
	struct nlattr *svcs;
	size_t used;
	int n; /* parts sent */
	uint32_t id; /* XLB_TXN_A_ID, 0: one plain REPLACE */
};

static void rs_nomem(void) __attribute__((noreturn));

static void rs_nomem(void)
{
	lb_die(EXIT_ENV, "restore: out of memory building a request");
}

static void rs_nest_end(struct nl_msg *m, struct nlattr *n)
{
	/* libnl drops a nest above 64 KiB: never let that pass silently */
	if (nla_nest_end(m, n))
		lb_die(EXIT_ERR, "restore: a request part exceeds the 64 KiB "
				 "netlink attribute limit (internal error)");
}

static void rs_part_open(const struct rs_config *rc, struct rs_part *p)
{
	p->m = xnl_msg_size(XLB_CMD_REPLACE, 0, RS_PART_BYTES + 1024);
	if (!p->n && (rc->has_seed || rc->has_src4 || rc->has_src6) &&
	    lb_put_config(p->m, rc->has_seed ? &rc->seed : NULL,
			  rc->has_src4 ? &rc->src4 : NULL,
			  rc->has_src6 ? &rc->src6 : NULL))
		rs_nomem();
	p->svcs = nla_nest_start(p->m, XLB_A_SERVICES);
	if (!p->svcs)
		rs_nomem();
	p->used = 0;
}

/* Send the part being filled (last: commit); exits on an error. */
static void rs_part_send(struct rs_part *p, bool last)
{
	struct nlattr *t;
	int err;

	rs_nest_end(p->m, p->svcs);
	/*
	 * libnl trims an empty nest, and the module needs XLB_A_SERVICES in a
	 * plain REPLACE: a file without services (the empty configuration)
	 * sends it empty, which the module reads as no service.
	 */
	if (!p->id && !p->used &&
	    nla_put(p->m, XLB_A_SERVICES | NLA_F_NESTED, 0, NULL))
		rs_nomem();
	if (p->id) {
		t = nla_nest_start(p->m, XLB_A_TXN);
		if (!t || nla_put_u32(p->m, XLB_TXN_A_ID, p->id) ||
		    nla_put_u32(p->m, XLB_TXN_A_FLAGS,
				(p->n ? 0 : XLB_TXN_F_BEGIN) |
					(last ? XLB_TXN_F_COMMIT : 0)))
			rs_nomem();
		rs_nest_end(p->m, t);
	}
	err = xnl_request(p->m, NULL, NULL);
	if (err)
		exit(xnl_report(err,
				p->id ? "restore (staged, nothing applied)" :
					"restore"));
	p->n++;
	p->m = NULL;
}

static size_t rs_be_bytes(const struct rs_backend *b)
{
	return RS_BE_BYTES + (b->hc ? RS_HC_BYTES : 0);
}

/*
 * Backends [*i, nbe) of s into the part, as many as fit; a service whose
 * backends do not all fit goes on in the next part under the same key.
 */
static void rs_put_service(const struct rs_config *rc, struct rs_part *p,
			   const struct rs_service *s, int *i)
{
	struct nlattr *sn, *bsn, *bn;
	size_t svc_bytes = RS_SVC_BYTES + (s->has_hc ? RS_HC_BYTES : 0);

	if (p->used + svc_bytes + RS_BE_BYTES + RS_HC_BYTES > RS_PART_BYTES) {
		rs_part_send(p, false);
		rs_part_open(rc, p);
	}
	sn = nla_nest_start(p->m, XLB_A_SERVICE);
	if (!sn || xnl_put_svc_key(p->m, &s->key) ||
	    (s->has_table_size &&
	     nla_put_u32(p->m, XLB_SVC_A_TABLE_SIZE, s->table_size)) ||
	    (s->has_flags && nla_put_u32(p->m, XLB_SVC_A_FLAGS, s->flags)) ||
	    (s->has_udp_timeout &&
	     nla_put_u32(p->m, XLB_SVC_A_UDP_TIMEOUT, s->udp_timeout)) ||
	    lb_put_encap(p->m, &s->encap) ||
	    (s->has_hc && lb_put_hc(p->m, &s->hc)))
		rs_nomem();
	bsn = nla_nest_start(p->m, XLB_SVC_A_BACKENDS);
	if (!bsn)
		rs_nomem();
	p->used += svc_bytes;
	for (;
	     *i < s->nbe && p->used + rs_be_bytes(&s->be[*i]) <= RS_PART_BYTES;
	     (*i)++) {
		const struct rs_backend *b = &s->be[*i];

		bn = nla_nest_start(p->m, XLB_A_BACKEND);
		if (!bn ||
		    xnl_put_addr(p->m, XLB_BE_A_ADDR4, XLB_BE_A_ADDR6,
				 &b->addr) ||
		    nla_put_u32(p->m, XLB_BE_A_WEIGHT, b->weight) ||
		    (b->has_state &&
		     nla_put_u8(p->m, XLB_BE_A_STATE, b->state)) ||
		    (b->hc && lb_put_hc_as(p->m, XLB_BE_A_HEALTH_CHECK, b->hc)))
			rs_nomem();
		rs_nest_end(p->m, bn);
		p->used += rs_be_bytes(b);
	}
	rs_nest_end(p->m, bsn);
	rs_nest_end(p->m, sn);
}

/* The whole configuration as one REPLACE, or in parts when larger. */
static void rs_send(const struct rs_config *rc)
{
	struct rs_part p = { 0 };
	size_t total = 0;
	int k, i;

	for (k = 0; k < rc->nsvc; k++) {
		total += RS_SVC_BYTES + (rc->svc[k].has_hc ? RS_HC_BYTES : 0);
		for (i = 0; i < rc->svc[k].nbe; i++)
			total += rs_be_bytes(&rc->svc[k].be[i]);
	}
	if (total > RS_PART_BYTES)
		p.id = (uint32_t)getpid();
	rs_part_open(rc, &p);
	for (k = 0; k < rc->nsvc; k++) {
		i = 0;
		do
			rs_put_service(rc, &p, &rc->svc[k], &i);
		while (i < rc->svc[k].nbe);
	}
	rs_part_send(&p, true);
}

int cmd_restore(int argc, char **argv)
{
	struct rs_config rc = { .file = "-" };
	FILE *f = stdin;
	int i, err;

	if (argc > 2)
		lb_die_unknown(argv[2], "restore");
	if (argc == 2 && strcmp(argv[1], "-")) {
		rc.file = argv[1];
		f = fopen(rc.file, "r");
		if (!f)
			lb_die(EXIT_ERR, "cannot open \"%s\": %s", rc.file,
			       strerror(errno));
	}
	rs_parse(&rc, f);
	rs_check_dups(&rc);
	if (f != stdin)
		fclose(f);
	xnl_open();
	rs_check_attach(&rc);
	rs_send(&rc);
	err = rs_run_attach(&rc);
	for (i = 0; i < rc.nsvc; i++)
		free(rc.svc[i].be);
	free(rc.svc);
	free(rc.att);
	return err;
}
