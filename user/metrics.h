/* SPDX-License-Identifier: GPL-2.0 */
/*
 * metrics.h - one reading of every counter (stats.c) and its Prometheus
 * text exposition (metrics.c, Documentation/metrics.md).
 */
#ifndef LBCTL_METRICS_H
#define LBCTL_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "lbctl.h"
#include "uapi/xlb_maps.h"

struct lb_stat_name {
	const char *name;
	bool info; /* informational: not one of the per-frame verdicts */
};

/* The XLB_STATS names, by enum xlb_stat. */
extern const struct lb_stat_name lb_stat_names[XLB_STAT__MAX];

/* Services and backends with their counters, and the global counters. */
struct lb_sample {
	struct lb_state st;
	uint64_t c[XLB_STAT__MAX];
	double t; /* CLOCK_MONOTONIC seconds when read */
};

/*
 * Write s in the Prometheus text format to stdout, or when path is given,
 * to a temporary file beside it renamed over it (the textfile collector
 * must never read a half-written file).  Frees s->st.  Returns the exit code.
 */
int lb_print_prometheus(struct lb_sample *s, const char *path);

#endif /* LBCTL_METRICS_H */
