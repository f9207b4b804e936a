// SPDX-License-Identifier: GPL-2.0
/*
 * stats.c - "lbctl stats": the data path's counters, read from the per-CPU
 * maps pinned in the namespace's pin directory (pins.c) and summed over CPUs.  A per-service or
 * per-backend counter of a CPU counts only while its gen equals the owner's
 * current gen (struct xlb_counter): a reused id must not inherit counts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "json.h"
#include "lbctl.h"
#include "pins.h"
#include "nl.h"
#include "uapi/xlb_maps.h"

static const struct {
	const char *name;
	bool info;
} stat_names[XLB_STAT__MAX] = {
#define XLB_STAT_NAME(name, text, info) [XLB_STAT_##name] = { text, info },
	XLB_STATS(XLB_STAT_NAME)
#undef XLB_STAT_NAME
};

struct pins {
	int svc_stats, be_stats, stats, services, backends;
	int ncpu;
};

struct total {
	uint64_t packets, bytes;
};

static int open_pin(const char *name)
{
	char path[256];
	int fd;

	lb_pin_path(path, sizeof(path), name);
	fd = bpf_obj_get(path);
	if (fd >= 0)
		return fd;
	if (errno == ENOENT)
		lb_die(EXIT_ENV,
		       "no data path maps at %s: attach a device "
		       "first (lbctl attach DEV)",
		       path);
	if (errno == EPERM || errno == EACCES)
		lb_die(EXIT_ENV, "cannot open %s: %s (run lbctl as root)", path,
		       strerror(errno));
	lb_die(EXIT_ENV, "cannot open %s: %s", path, strerror(errno));
}

static void open_pins(struct pins *p)
{
	p->svc_stats = open_pin(XLB_MAP_SVC_STATS);
	p->be_stats = open_pin(XLB_MAP_BE_STATS);
	p->stats = open_pin(XLB_MAP_STATS);
	p->services = open_pin(XLB_MAP_SERVICES);
	p->backends = open_pin(XLB_MAP_BACKENDS);
	p->ncpu = libbpf_num_possible_cpus();
	if (p->ncpu <= 0)
		lb_die(EXIT_ENV, "cannot count the possible CPUs");
}

/* Sum the per-CPU counters of id whose gen equals the owner's. */
static struct total sum_counter(const struct pins *p, int fd, uint32_t id,
				uint32_t gen)
{
	struct xlb_counter *v = calloc(p->ncpu, sizeof(*v));
	struct total t = { 0, 0 };
	int cpu;

	if (!v)
		lb_die(EXIT_ENV, "out of memory");
	if (bpf_map_lookup_elem(fd, &id, v) == 0) {
		for (cpu = 0; cpu < p->ncpu; cpu++) {
			if (v[cpu].gen != gen)
				continue;
			t.packets += v[cpu].packets;
			t.bytes += v[cpu].bytes;
		}
	}
	free(v);
	return t;
}

static uint32_t service_gen(const struct pins *p, uint32_t sid)
{
	struct xlb_service s;

	if (bpf_map_lookup_elem(p->services, &sid, &s))
		return 0;
	return s.gen;
}

static uint32_t backend_gen(const struct pins *p, const struct lb_backend *b)
{
	struct xlb_backend v;

	if (b->gen)
		return b->gen;
	if (bpf_map_lookup_elem(p->backends, &b->id, &v))
		return 0;
	return v.gen;
}

static void global_stats(const struct pins *p, uint64_t *c)
{
	struct xlb_stats *v = calloc(p->ncpu, sizeof(*v));
	uint32_t key = 0;
	int cpu, i;

	if (!v)
		lb_die(EXIT_ENV, "out of memory");
	memset(c, 0, sizeof(uint64_t) * XLB_STAT__MAX);
	if (bpf_map_lookup_elem(p->stats, &key, v))
		lb_die(EXIT_ENV, "cannot read %s: %s", XLB_MAP_STATS,
		       strerror(errno));
	for (cpu = 0; cpu < p->ncpu; cpu++)
		for (i = 0; i < XLB_STAT__MAX; i++)
			c[i] += v[cpu].c[i];
	free(v);
}

static void print_json(const struct pins *p, const struct lb_state *st,
		       const uint64_t *c)
{
	char buf[LB_SVCSTRLEN];
	struct total t;
	int i, j;

	json_init(stdout);
	json_obj_open(NULL);
	json_obj_open("global");
	for (i = 0; i < XLB_STAT__MAX; i++)
		json_u64(stat_names[i].name, c[i]);
	json_obj_close();
	json_arr_open("services");
	for (i = 0; i < st->nsvc; i++) {
		const struct lb_service *s = &st->svc[i];

		t = sum_counter(p, p->svc_stats, s->id, service_gen(p, s->id));
		json_obj_open(NULL);
		json_str("service",
			 lb_fmt_svc(&s->key, false, buf, sizeof(buf)));
		json_u64("packets", t.packets);
		json_u64("bytes", t.bytes);
		json_arr_open("backends");
		for (j = 0; j < s->nbe; j++) {
			const struct lb_backend *b = &s->be[j];

			t = sum_counter(p, p->be_stats, b->id,
					backend_gen(p, b));
			json_obj_open(NULL);
			json_str("address",
				 lb_fmt_addr(&b->addr, buf, sizeof(buf)));
			json_u64("packets", t.packets);
			json_u64("bytes", t.bytes);
			json_obj_close();
		}
		json_arr_close();
		json_obj_close();
	}
	json_arr_close();
	json_obj_close();
	json_done();
}

static void print_text(const struct pins *p, const struct lb_state *st,
		       const uint64_t *c)
{
	char buf[LB_SVCSTRLEN];
	struct total t;
	int i, j;

	printf("global\n");
	for (i = 0; i < XLB_STAT__MAX; i++)
		printf("  %-20s %llu%s\n", stat_names[i].name,
		       (unsigned long long)c[i],
		       stat_names[i].info ? "  (info)" : "");
	for (i = 0; i < st->nsvc; i++) {
		const struct lb_service *s = &st->svc[i];

		t = sum_counter(p, p->svc_stats, s->id, service_gen(p, s->id));
		printf("service %s packets %llu bytes %llu\n",
		       lb_fmt_svc(&s->key, !opts.numeric, buf, sizeof(buf)),
		       (unsigned long long)t.packets,
		       (unsigned long long)t.bytes);
		for (j = 0; j < s->nbe; j++) {
			const struct lb_backend *b = &s->be[j];

			t = sum_counter(p, p->be_stats, b->id,
					backend_gen(p, b));
			printf("  backend %-39s packets %llu bytes %llu\n",
			       lb_fmt_addr(&b->addr, buf, sizeof(buf)),
			       (unsigned long long)t.packets,
			       (unsigned long long)t.bytes);
		}
	}
}

int cmd_stats(int argc, char **argv)
{
	uint64_t c[XLB_STAT__MAX];
	struct lb_state st;
	struct pins p;
	int err;

	lb_check_service_arg(argc, argv);
	err = lb_load_state(&st, true);
	if (err)
		return xnl_report(err, "stats");
	lb_filter_service(&st, argc, argv);
	open_pins(&p);
	global_stats(&p, c);
	if (opts.json)
		print_json(&p, &st, c);
	else
		print_text(&p, &st, c);
	lb_free_state(&st);
	return EXIT_OK;
}
