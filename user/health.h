/* SPDX-License-Identifier: GPL-2.0 */
/*
 * health.h - health check configuration and the rise/fall state machine,
 * shared by lbctl ("health" lines, show) and xlb-healthd.  Pure functions,
 * no netlink: the unit test (tests/unit/test_health.c) links the same file.
 */
#ifndef LBCTL_HEALTH_H
#define LBCTL_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uapi/xlb_netlink.h"

#define LB_HC_INTERVAL_DEFAULT 2000 /* ms */
#define LB_HC_TIMEOUT_DEFAULT 1000 /* ms */
#define LB_HC_RISE_DEFAULT 2
#define LB_HC_FALL_DEFAULT 3
#define LB_HC_EXPECT_DEFAULT 200

/* A check as stored in XLB_SVC_A_HEALTH; type 0 = none. */
struct lb_hc {
	uint8_t type; /* enum xlb_hc_type */
	uint16_t port; /* 0: the service's port */
	uint32_t interval; /* ms */
	uint32_t timeout; /* ms */
	uint8_t rise, fall;
	uint16_t expect; /* HTTP status */
	char path[XLB_HC_STR_MAX + 1];
	char host[XLB_HC_STR_MAX + 1];
	char send[XLB_HC_STR_MAX + 1];
	char recv[XLB_HC_STR_MAX + 1];
	char cmd[XLB_HC_STR_MAX + 1];
};

/* The defaults for type (interval 2 s, timeout 1 s, rise 2, fall 3, ...). */
void lb_hc_init(struct lb_hc *hc, uint8_t type);

/*
 * Parse "TYPE [KEYWORD VALUE]..." (the words after "health SERVICE"), or
 * "none" (type 0).  0, or -1 with lb_parse_error() naming the bad value
 * and the rule.
 */
int lb_hc_parse(int argc, char **argv, struct lb_hc *hc);
/*
 * A udp check's send or receive value as bytes: "hex:" and pairs of hex
 * digits (any bytes, e.g. spaces or NUL), or the text itself.  The length,
 * or -1 when it is malformed or longer than len.
 */
#define LB_HC_HEX "hex:"
int lb_hc_payload(const char *s, uint8_t *buf, size_t len);
/* Check the rules between fields (timeout <= interval, type's needs). */
int lb_hc_validate(const struct lb_hc *hc);
bool lb_hc_eq(const struct lb_hc *x, const struct lb_hc *y);
/* The words lb_hc_parse() reads back, without defaults; "none" if unset. */
char *lb_hc_fmt(const struct lb_hc *hc, char *buf, size_t len);

const char *lb_hc_type_name(uint8_t type);
const char *lb_hc_health_name(uint8_t health);
/* "ok", "timeout", "connect: Connection refused", "http status 503", ... */
char *lb_hc_result_fmt(uint8_t result, uint16_t detail, char *buf, size_t len);

/*
 * The rise/fall state machine of one backend.  lb_hc_step() feeds one
 * result and returns the new health when it changes, or -1.  A result of
 * XLB_HC_R_ERROR (the checker's own failure) or XLB_HC_R_NONE counts
 * neither way.  From UNKNOWN, rise successes go UP and fall failures DOWN.
 */
struct lb_hc_fsm {
	uint8_t health; /* enum xlb_be_health */
	uint8_t ok, bad; /* consecutive results */
};

int lb_hc_step(struct lb_hc_fsm *f, const struct lb_hc *hc, uint8_t result);

#endif /* LBCTL_HEALTH_H */
