// SPDX-License-Identifier: GPL-2.0
/*
 * metrics.c - "lbctl stats prometheus": every counter in the Prometheus
 * text exposition format (version 0.0.4), for node_exporter's textfile
 * collector or any scraper that runs a command.  The metric names, types,
 * labels and HELP lines are listed in Documentation/metrics.md; keep the two
 * in step.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "metrics.h"

const struct lb_stat_name lb_stat_names[XLB_STAT__MAX] = {
#define XLB_STAT_NAME(name, text, info) [XLB_STAT_##name] = { text, info },
	XLB_STATS(XLB_STAT_NAME)
#undef XLB_STAT_NAME
};

/* A counter of struct lb_cnt, exported per service and per backend. */
static const struct {
	const char *name;
	size_t off;
	const char *svc_help, *be_help;
} cnt_fields[] = {
	{ "packets", offsetof(struct lb_cnt, packets),
	  "Packets the XDP program matched to the service.",
	  "Packets the XDP program forwarded to the backend." },
	{ "bytes", offsetof(struct lb_cnt, bytes),
	  "Bytes (IP length, before encapsulation) matched to the service.",
	  "Bytes (IP length, before encapsulation) forwarded to the backend." },
	{ "flows", offsetof(struct lb_cnt, flows),
	  "New flows (TCP SYNs, UDP without a connection table entry) the service balanced.",
	  "New flows (TCP SYNs, UDP without a connection table entry) given to the backend." },
};

/* Backend states of xlb_backend_state (a state set: one is 1). */
static const char *const be_states[] = { "active", "drain" };

/* xlb_backend_health, by enum xlb_be_health (also a state set). */
static const char *const be_health[] = {
	[XLB_BE_HEALTH_UNKNOWN] = "unknown",
	[XLB_BE_HEALTH_UP] = "up",
	[XLB_BE_HEALTH_DOWN] = "down",
};

static void family(FILE *f, const char *name, const char *type,
		   const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: backslash, double quote and newline escaped. */
static void label(FILE *f, const char *name, const char *v)
{
	fprintf(f, "%s=\"", name);
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', f);
		if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
	fputc('"', f);
}

static void global(FILE *f, const uint64_t *c, bool info)
{
	const char *name = info ? "xlb_events_total" : "xlb_verdicts_total";
	int i;

	if (info)
		family(f, name, "counter",
		       "Data path events counted beside the verdicts; a frame may count under several or none (conntrack_hit, conntrack_miss: connection table hits and misses).");
	else
		family(f, name, "counter",
		       "Frames the XDP program decided on, by reason; every frame counts under exactly one reason.");
	for (i = 0; i < XLB_STAT__MAX; i++) {
		if (lb_stat_names[i].info != info)
			continue;
		fprintf(f, "%s{", name);
		label(f, info ? "event" : "reason", lb_stat_names[i].name);
		fprintf(f, "} %llu\n", (unsigned long long)c[i]);
	}
}

static uint64_t field(const struct lb_cnt *c, size_t off)
{
	return *(const uint64_t *)((const char *)c + off);
}

static void svc_labels(FILE *f, const struct lb_service *s)
{
	char buf[LB_SVCSTRLEN];

	label(f, "service", lb_fmt_svc(&s->key, false, buf, sizeof(buf)));
}

static void be_labels(FILE *f, const struct lb_service *s,
		      const struct lb_backend *b)
{
	char buf[LB_ADDRSTRLEN];

	svc_labels(f, s);
	fputc(',', f);
	label(f, "backend", lb_fmt_addr(&b->addr, buf, sizeof(buf)));
}

static void counters(FILE *f, const struct lb_state *st)
{
	char name[64];
	size_t k;
	int i, j;

	for (k = 0; k < sizeof(cnt_fields) / sizeof(cnt_fields[0]); k++) {
		snprintf(name, sizeof(name), "xlb_service_%s_total",
			 cnt_fields[k].name);
		family(f, name, "counter", cnt_fields[k].svc_help);
		for (i = 0; i < st->nsvc; i++) {
			fprintf(f, "%s{", name);
			svc_labels(f, &st->svc[i]);
			fprintf(f, "} %llu\n",
				(unsigned long long)field(&st->svc[i].cnt,
							  cnt_fields[k].off));
		}
	}
	for (k = 0; k < sizeof(cnt_fields) / sizeof(cnt_fields[0]); k++) {
		snprintf(name, sizeof(name), "xlb_backend_%s_total",
			 cnt_fields[k].name);
		family(f, name, "counter", cnt_fields[k].be_help);
		for (i = 0; i < st->nsvc; i++) {
			for (j = 0; j < st->svc[i].nbe; j++) {
				const struct lb_backend *b = &st->svc[i].be[j];

				fprintf(f, "%s{", name);
				be_labels(f, &st->svc[i], b);
				fprintf(f, "} %llu\n",
					(unsigned long long)field(
						&b->cnt, cnt_fields[k].off));
			}
		}
	}
}

/* A state set of every backend: state names[k] is 1 when is(b, k). */
static void state_set(FILE *f, const struct lb_state *st, const char *name,
		      const char *lbl, const char *const *names, size_t n,
		      bool (*is)(const struct lb_backend *b, size_t k))
{
	const struct lb_backend *b;
	size_t k;
	int i, j;

	for (i = 0; i < st->nsvc; i++) {
		for (j = 0; j < st->svc[i].nbe; j++) {
			b = &st->svc[i].be[j];
			for (k = 0; k < n; k++) {
				fprintf(f, "%s{", name);
				be_labels(f, &st->svc[i], b);
				fputc(',', f);
				label(f, lbl, names[k]);
				fprintf(f, "} %d\n", is(b, k));
			}
		}
	}
}

static bool in_state(const struct lb_backend *b, size_t k)
{
	return !strcmp(lb_state_name(b), be_states[k]);
}

static bool in_health(const struct lb_backend *b, size_t k)
{
	return b->health == k;
}

static void gauges(FILE *f, const struct lb_state *st)
{
	const struct lb_backend *b;
	int i, j;

	family(f, "xlb_services", "gauge", "Services configured.");
	fprintf(f, "xlb_services %d\n", st->nsvc);
	family(f, "xlb_backend_weight", "gauge", "Weight of the backend.");
	for (i = 0; i < st->nsvc; i++) {
		for (j = 0; j < st->svc[i].nbe; j++) {
			b = &st->svc[i].be[j];
			fputs("xlb_backend_weight{", f);
			be_labels(f, &st->svc[i], b);
			fprintf(f, "} %u\n", b->weight);
		}
	}
	family(f, "xlb_backend_state", "gauge",
	       "State of the backend: 1 for the state it is in, 0 for the others.");
	state_set(f, st, "xlb_backend_state", "state", be_states,
		  sizeof(be_states) / sizeof(*be_states), in_state);
	family(f, "xlb_backend_health", "gauge",
	       "Health of the backend as xlb-healthd last set it: 1 for its health, 0 for the others.");
	state_set(f, st, "xlb_backend_health", "health", be_health,
		  sizeof(be_health) / sizeof(*be_health), in_health);
}

static void expose(FILE *f, const struct lb_sample *s)
{
	global(f, s->c, false);
	global(f, s->c, true);
	counters(f, &s->st);
	gauges(f, &s->st);
}

/* Into a temporary file beside path, renamed over path when complete. */
static int write_file(const struct lb_sample *s, const char *path)
{
	size_t n = strlen(path) + sizeof(".XXXXXX");
	char *tmp = malloc(n);
	FILE *f = NULL;
	int fd, err;

	if (!tmp)
		lb_die(EXIT_ENV, "out of memory");
	snprintf(tmp, n, "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		lb_die(EXIT_ENV, "cannot create a file beside %s: %s", path,
		       strerror(errno));
	f = fdopen(fd, "w");
	if (!f) {
		err = errno;
		close(fd);
		goto fail;
	}
	expose(f, s);
	if (fchmod(fd, 0644) || fflush(f) || ferror(f) || fsync(fd)) {
		err = errno ? errno : EIO;
		fclose(f);
		goto fail;
	}
	if (fclose(f) || rename(tmp, path)) {
		err = errno;
		goto fail;
	}
	free(tmp);
	return EXIT_OK;
fail:
	lb_err("cannot write %s: %s", path, strerror(err));
	unlink(tmp);
	free(tmp);
	return EXIT_ENV;
}

int lb_print_prometheus(struct lb_sample *s, const char *path)
{
	int ret = EXIT_OK;

	if (path) {
		ret = write_file(s, path);
	} else {
		expose(stdout, s);
		if (fflush(stdout))
			ret = EXIT_ENV;
	}
	lb_free_state(&s->st);
	return ret;
}
