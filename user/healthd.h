/* SPDX-License-Identifier: GPL-2.0 */
/*
 * healthd.h - xlb-healthd: the health checker daemon.  It reads the
 * services, their health checks (XLB_SVC_A_HEALTH) and backends from the
 * module, runs the checks on one poll() loop, drains a backend after
 * "fall" failures and activates it after "rise" successes (XLB_BE_A_STATE,
 * never the weight), and reports each backend's health and last result to
 * the module (XLB_BE_A_HEALTH, _HC_RESULT, _HC_DETAIL) for lbctl show and
 * the monitor.  Documentation/health.md has the long form.
 */
#ifndef XLB_HEALTHD_H
#define XLB_HEALTHD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "health.h"
#include "lbctl.h"

/* The tick: resync when the module is missing, call the hook. */
#define HD_TICK_MS 1000

/* One backend under check. */
struct hd_be {
	struct lb_backend b; /* as last read from the module (b.hc NULL) */
	struct lb_hc hc; /* the check it gets: its own or its service's */
	bool own_hc; /* hc is its own (XLB_BE_A_HEALTH_CHECK) */
	struct lb_hc_fsm fsm;
	uint8_t result; /* enum xlb_hc_result, last check */
	uint16_t detail;
	uint64_t next; /* ms (CLOCK_MONOTONIC): next check */
	/* the check in flight: fd >= 0 or pid > 0 */
	int fd;
	pid_t pid;
	uint64_t deadline; /* ms */
	int stage; /* checker's own progress */
	char buf[512]; /* HTTP reply so far */
	size_t len;
};

struct hd_svc {
	struct lb_service s; /* s.be unused: see be */
	struct hd_be *be;
	int nbe;
};

/* What the daemon knows; handed to the hook. */
struct hd_world {
	struct hd_svc *svc;
	int nsvc;
	bool module; /* the xlb family is present */
	bool bound; /* maps bound: xlb attached */
};

enum hd_event {
	HD_EV_TICK, /* every HD_TICK_MS */
	HD_EV_HEALTH, /* a backend went up or down */
	HD_EV_CONFIG, /* services/backends re-read (resync) */
	HD_EV_MODULE, /* the module went away or came back */
	HD_EV_STOP, /* SIGTERM/SIGINT: the daemon exits after this call */
};

/*
 * The announcement hook point: if a file defining hd_announce() is linked
 * in (user/announce.c: routes for VIPs), the loop calls it after every
 * change (ev names which) and on every tick.  It must not block.
 */
void hd_announce(const struct hd_world *w, enum hd_event ev)
	__attribute__((weak));

/* checks.c: start a check on be (sets fd or pid), advance it on events. */
void hd_check_start(const struct hd_svc *s, struct hd_be *be, uint64_t now);
/* fd readable/writable (revents); returns true when the check finished */
bool hd_check_io(struct hd_be *be, short revents);
/* the child exited with status */
void hd_check_exited(struct hd_be *be, int status);
/* deadline passed: record a timeout and clean up */
void hd_check_timeout(struct hd_be *be);
void hd_check_cancel(struct hd_be *be);
/* the events poll() should wait for on be->fd */
short hd_check_events(const struct hd_svc *s, const struct hd_be *be);

/* Log a line to stderr with a syslog priority prefix (<N>). */
void hd_log(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

uint64_t hd_now(void);

#endif /* XLB_HEALTHD_H */
