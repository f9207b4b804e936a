// SPDX-License-Identifier: GPL-2.0
/*
 * stats.c - "lbctl stats": the data path's counters, read through the
 * module (XLB_CMD_STATS_GET for the global counters, the counters in the
 * SERVICE_GET / BACKEND_GET dumps for each service and backend), so any
 * user of the namespace may read them, as "show" (Documentation/metrics.md).
 * "rate" samples twice and prints per-second rates, "prometheus" the text
 * exposition format (metrics.c), "zero" zeroes every counter (CAP_NET_ADMIN).
 * Each of the three is also spelled as an option: --rate, --prometheus, --zero.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "lbctl.h"
#include "metrics.h"
#include "nl.h"

#define RATE_INTERVAL_MAX 3600

struct stats_args {
	const char *svc; /* "service VIP:PORT/PROTO" or NULL */
	bool rate, prom, zero, interval_set;
	uint32_t interval; /* rate: seconds between the samples */
	const char *output; /* prometheus: file written atomically */
};

/*
 * "--rate", "--prometheus", "--zero": the option spellings of the bare
 * keywords (as "ipvsadm --rate"), read as the keyword.
 */
static const char *keyword(const char *w)
{
	static const char *const dashed[] = { "rate", "prometheus", "zero" };
	size_t i;

	if (strncmp(w, "--", 2))
		return w;
	for (i = 0; i < sizeof(dashed) / sizeof(dashed[0]); i++)
		if (!strcmp(w + 2, dashed[i]))
			return dashed[i];
	return w;
}

static void parse_args(int argc, char **argv, struct stats_args *a)
{
	struct lb_svc_key k;
	int i;

	memset(a, 0, sizeof(*a));
	a->interval = 1;
	for (i = 1; i < argc; i++) {
		const char *w = keyword(argv[i]);

		if (!strcmp(w, "service")) {
			a->svc = lb_need_arg(argc, argv, i++, "VIP:PORT/PROTO");
			if (lb_parse_svc(a->svc, &k))
				lb_die_parse();
		} else if (!strcmp(w, "rate")) {
			a->rate = true;
		} else if (!strcmp(w, "interval")) {
			if (lb_parse_u32(lb_need_arg(argc, argv, i++,
						     "seconds"),
					 "interval", 1, RATE_INTERVAL_MAX,
					 &a->interval))
				lb_die_parse();
			a->interval_set = true;
		} else if (!strcmp(w, "prometheus")) {
			a->prom = true;
		} else if (!strcmp(w, "output")) {
			a->output = lb_need_arg(argc, argv, i++, "FILE");
		} else if (!strcmp(w, "zero")) {
			a->zero = true;
		} else {
			lb_die_unknown(w, argv[0]);
		}
	}
	if (a->zero && argc > 2)
		lb_die(EXIT_ERR, "\"stats zero\" takes no other argument: "
				 "it zeroes every counter of the namespace");
	if (a->prom && a->rate)
		lb_die(EXIT_ERR, "\"rate\" and \"prometheus\" do not go "
				 "together: Prometheus computes rates itself");
	if (a->interval_set && !a->rate)
		lb_die(EXIT_ERR, "\"interval\" needs \"rate\"");
	if (a->output && !a->prom)
		lb_die(EXIT_ERR, "\"output\" needs \"prometheus\"");
	if (a->prom && opts.json)
		lb_die(EXIT_ERR, "\"prometheus\" is a format of its own: "
				 "drop -j");
}

static int on_stats(struct nlattr **tb, void *arg)
{
	struct nlattr *c[XLB_STATS_A_MAX + 1];
	uint64_t *v = arg;
	int i;

	if (xnl_parse_nested(c, XLB_STATS_A_MAX, tb[XLB_A_STATS]))
		return -EPROTO;
	for (i = 0; i < XLB_STAT__MAX; i++)
		if (c[XLB_STATS_A_FIRST + i])
			v[i] = nla_get_u64(c[XLB_STATS_A_FIRST + i]);
	return 0;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void read_sample(struct lb_sample *s, const struct stats_args *a)
{
	char *filter[] = { "stats", "service", (char *)a->svc, NULL };
	int err;

	memset(s->c, 0, sizeof(s->c));
	err = lb_load_state(&s->st, true);
	if (err)
		exit(xnl_report(err, "stats"));
	if (a->svc)
		lb_filter_service(&s->st, 3, filter);
	err = xnl_request(xnl_msg(XLB_CMD_STATS_GET, 0), on_stats, s->c);
	if (err == -ENODATA)
		lb_die(EXIT_ENV, "no data path counters: attach a device "
				 "first (lbctl attach DEV)");
	if (err)
		exit(xnl_report(err, "stats"));
	s->t = now();
}

/* Per second from a to b; a counter that went back restarted from 0. */
static uint64_t per_sec(uint64_t a, uint64_t b, double dt)
{
	return (uint64_t)((double)(b >= a ? b - a : b) / dt + 0.5);
}

static void cnt_rate(const struct lb_cnt *a, struct lb_cnt *b, double dt)
{
	b->packets = per_sec(a->packets, b->packets, dt);
	b->bytes = per_sec(a->bytes, b->bytes, dt);
	b->flows = per_sec(a->flows, b->flows, dt);
}

static const struct lb_service *find_svc(const struct lb_state *st,
					 const struct lb_service *s)
{
	int i;

	for (i = 0; i < st->nsvc; i++)
		if (!lb_svc_cmp(&st->svc[i].key, &s->key))
			return &st->svc[i];
	return NULL;
}

static void be_rate(const struct lb_service *old, struct lb_backend *b,
		    double dt)
{
	static const struct lb_cnt none;
	int j;

	for (j = 0; old && j < old->nbe; j++) {
		if (old->be[j].gen == b->gen &&
		    lb_addr_eq(&old->be[j].addr, &b->addr)) {
			cnt_rate(&old->be[j].cnt, &b->cnt, dt);
			return;
		}
	}
	cnt_rate(&none, &b->cnt, dt); /* new since the first sample */
}

/* Turn b's counters into per-second rates since a. */
static void to_rates(const struct lb_sample *a, struct lb_sample *b)
{
	static const struct lb_cnt none;
	double dt = b->t - a->t;
	const struct lb_service *old;
	int i, j;

	for (i = 0; i < XLB_STAT__MAX; i++)
		b->c[i] = per_sec(a->c[i], b->c[i], dt);
	for (i = 0; i < b->st.nsvc; i++) {
		struct lb_service *s = &b->st.svc[i];

		old = find_svc(&a->st, s);
		cnt_rate(old ? &old->cnt : &none, &s->cnt, dt);
		for (j = 0; j < s->nbe; j++)
			be_rate(old, &s->be[j], dt);
	}
}

static void json_cnt(const struct lb_cnt *c)
{
	json_u64("packets", c->packets);
	json_u64("bytes", c->bytes);
	json_u64("flows", c->flows);
}

static void print_json(const struct lb_sample *s, uint32_t interval)
{
	char buf[LB_SVCSTRLEN];
	int i, j;

	json_init(stdout);
	json_obj_open(NULL);
	if (interval)
		json_u64("interval", interval);
	json_obj_open("global");
	for (i = 0; i < XLB_STAT__MAX; i++)
		json_u64(lb_stat_names[i].name, s->c[i]);
	json_obj_close();
	json_arr_open("services");
	for (i = 0; i < s->st.nsvc; i++) {
		const struct lb_service *v = &s->st.svc[i];

		json_obj_open(NULL);
		json_str("service",
			 lb_fmt_svc(&v->key, false, buf, sizeof(buf)));
		json_cnt(&v->cnt);
		json_arr_open("backends");
		for (j = 0; j < v->nbe; j++) {
			json_obj_open(NULL);
			json_str("address",
				 lb_fmt_addr(&v->be[j].addr, buf, sizeof(buf)));
			json_cnt(&v->be[j].cnt);
			json_obj_close();
		}
		json_arr_close();
		json_obj_close();
	}
	json_arr_close();
	json_obj_close();
	json_done();
}

static void print_text(const struct lb_sample *s, uint32_t interval)
{
	const char *u = interval ? "/s" : "";
	char buf[LB_SVCSTRLEN];
	int i, j;

	if (interval)
		printf("rates per second over %u s\n", interval);
	printf("global\n");
	for (i = 0; i < XLB_STAT__MAX; i++)
		printf("  %-20s %llu%s\n", lb_stat_names[i].name,
		       (unsigned long long)s->c[i],
		       lb_stat_names[i].info ? "  (info)" : "");
	for (i = 0; i < s->st.nsvc; i++) {
		const struct lb_service *v = &s->st.svc[i];

		printf("service %s packets%s %llu bytes%s %llu flows%s %llu\n",
		       lb_fmt_svc(&v->key, !opts.numeric, buf, sizeof(buf)), u,
		       (unsigned long long)v->cnt.packets, u,
		       (unsigned long long)v->cnt.bytes, u,
		       (unsigned long long)v->cnt.flows);
		for (j = 0; j < v->nbe; j++) {
			const struct lb_backend *b = &v->be[j];

			printf("  backend %-39s packets%s %llu bytes%s %llu "
			       "flows%s %llu\n",
			       lb_fmt_addr(&b->addr, buf, sizeof(buf)), u,
			       (unsigned long long)b->cnt.packets, u,
			       (unsigned long long)b->cnt.bytes, u,
			       (unsigned long long)b->cnt.flows);
		}
	}
}

static int zero(void)
{
	int err;

	xnl_open();
	err = xnl_request(xnl_msg(XLB_CMD_STATS_ZERO, 0), NULL, NULL);
	if (err == -ENODATA)
		lb_die(EXIT_ENV, "no data path counters: attach a device "
				 "first (lbctl attach DEV)");
	return err ? xnl_report(err, "stats zero") : EXIT_OK;
}

int cmd_stats(int argc, char **argv)
{
	struct lb_sample s, r;
	struct stats_args a;
	struct timespec t;

	parse_args(argc, argv, &a);
	if (a.zero)
		return zero();
	read_sample(&s, &a);
	if (a.prom)
		return lb_print_prometheus(&s, a.output);
	if (a.rate) {
		t.tv_sec = a.interval;
		t.tv_nsec = 0;
		while (nanosleep(&t, &t) && errno == EINTR)
			;
		read_sample(&r, &a);
		to_rates(&s, &r);
		lb_free_state(&s.st);
		s = r;
	}
	if (opts.json)
		print_json(&s, a.rate ? a.interval : 0);
	else
		print_text(&s, a.rate ? a.interval : 0);
	lb_free_state(&s.st);
	return EXIT_OK;
}
