/* SPDX-License-Identifier: GPL-2.0 */
/*
 * announce.h - VIP announcement through a kernel routing table.
 *
 * The announcer never speaks a routing protocol.  It keeps, in one kernel
 * routing table of its own (XLB_ANN_TABLE by default, never used for
 * forwarding), a blackhole route VIP/32 or VIP/128 with protocol
 * XLB_ANN_PROTO for every VIP this node can serve, and removes it when the
 * node cannot.  The routing daemon learns that table and exports its routes
 * (BIRD: protocol kernel { kernel table 100; learn; ... } into BGP; FRR:
 * ip import-table + redistribute table): see Documentation/scale-out.md.
 *
 * The rule, the same for both daemons: a node announces a VIP while it
 * can serve it, that is while xlb_ann_ready() says 1 (xlb's XDP program
 * attached to a device of this network namespace, the module loaded with
 * its maps bound) and at least one service on that VIP has a backend that
 * xlb_ann_be_serves() (state active, weight > 0).  It withdraws the VIP
 * when either is known to be false.  When the state cannot be read (an
 * error that does not say "not attached", e.g. EPERM without
 * CAP_SYS_ADMIN), the announcements stay as they are: like a checker that
 * cannot run a check, an announcer that cannot tell changes nothing.
 *
 * Routes are only ever created (never replaced) and deleted with
 * XLB_ANN_PROTO: another owner's route to a VIP in the table stays, and
 * the VIP is not announced while it is in the way (logged once).
 *
 * Users: xlb-healthd's hook (announce_hd.c) after every change and on its
 * tick, and the driver xlb-announce (xlb-announce.c, announce_xlb.c).
 */
#ifndef XLB_ANNOUNCE_H
#define XLB_ANNOUNCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lbctl.h"

#define XLB_ANN_TABLE 100 /* default routing table */
#define XLB_ANN_PROTO 77 /* rtm_protocol of the announcer's routes */
#define XLB_ANN_PROG "xlb_xdp" /* the name of xlb's XDP program */

struct xlb_ann;

/* A set of VIPs, sorted, no duplicates; free(a) when done. */
struct xlb_ann_set {
	struct lb_addr *a;
	int n, cap;
};

/* Called for each route change: err (0 or -errno) and a message. */
typedef void (*xlb_ann_log_fn)(int err, const char *msg);

/* A rtnetlink socket for routing table TABLE; NULL with errno set. */
struct xlb_ann *xlb_ann_open(uint32_t table);
void xlb_ann_set_log(struct xlb_ann *a, xlb_ann_log_fn log);
void xlb_ann_close(struct xlb_ann *a);

/* Does backend b take traffic (state active, weight > 0)? */
bool xlb_ann_be_serves(const struct lb_backend *b);
/* Add vip to v (once); 0 or -ENOMEM. */
int xlb_ann_add(struct xlb_ann_set *v, const struct lb_addr *vip);
/* Add the VIPs to announce for st to v: none when !attached (not ready). */
int xlb_ann_wanted(const struct lb_state *st, bool attached,
		   struct xlb_ann_set *v);

/*
 * Make the table hold exactly the routes for the VIPs of v: add the
 * missing ones, delete the others (only routes with XLB_ANN_PROTO; other
 * routes in the table are left alone).  Returns the number of changes or
 * a negative errno (the first failure; the other changes are still tried).
 */
int xlb_ann_sync(struct xlb_ann *a, const struct xlb_ann_set *v);

/*
 * Whether xlb's XDP program (XLB_ANN_PROG) is attached to a device of this
 * network namespace: 1, 0, or -errno (EPERM: an XDP program here cannot
 * be inspected without CAP_SYS_ADMIN).
 */
int xlb_ann_attached(struct xlb_ann *a);

/*
 * announce_xlb.c (lbctl's netlink code): can this node serve VIPs at all
 * (see the rule above)?  module: the xlb family is resolved (nl.c's
 * socket open).  1, 0, or -errno when it cannot be told; why (len bytes)
 * gets the reason in words either way.
 */
int xlb_ann_ready(struct xlb_ann *a, bool module, char *why, size_t len);

/*
 * announce_xlb.c, for the driver: one round.  Resolve the xlb family again
 * (a reloaded module has a new id), read the module's state, decide and
 * sync.  When the state cannot be read, the announcements stay and the
 * round returns the error; an unloaded module, unbound maps or a detached
 * program withdraw everything.  Returns as xlb_ann_sync(); on failure why
 * names the cause.
 */
int xlb_ann_round(struct xlb_ann *a, char *why, size_t len);

#endif /* XLB_ANNOUNCE_H */
