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
 * "ip import-table 100" + "redistribute table 100"): see
 * Documentation/scale-out.md.
 *
 * A VIP can be served while xlb is attached (its pinned XDP program runs on
 * a device of this network namespace and the module has its maps bound)
 * and at least one service on that VIP has an active backend with a weight.
 */
#ifndef XLB_ANNOUNCE_H
#define XLB_ANNOUNCE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lbctl.h"

#define XLB_ANN_TABLE 100 /* default routing table */
#define XLB_ANN_PROTO 77 /* rtm_protocol of the announcer's routes */

struct xlb_ann;

/* A rtnetlink socket for routing table TABLE; NULL with errno set. */
struct xlb_ann *xlb_ann_open(uint32_t table);
void xlb_ann_close(struct xlb_ann *a);

/*
 * The VIPs to announce, in a new array (*out, free() it; sorted, no
 * duplicates): none when !attached, else every VIP with a servable
 * service.  Returns the count, or -ENOMEM.
 */
int xlb_ann_wanted(const struct lb_state *st, bool attached,
		   struct lb_addr **out);

/*
 * Make the table hold exactly the routes for vips[0..n-1]: add the
 * missing ones, delete the others (only routes with XLB_ANN_PROTO; other
 * routes in the table are left alone).  Each change is written to log
 * ("announce VIP" / "withdraw VIP") when log is not NULL.  Returns the
 * number of changes or a negative errno (the first failure; the other
 * changes are still tried).
 */
int xlb_ann_sync(struct xlb_ann *a, const struct lb_addr *vips, int n,
		 FILE *log);

/*
 * Whether xlb's pinned XDP program is attached to a device of this
 * network namespace: 1, 0 (no pins, no device runs it), or -errno.
 */
int xlb_ann_attached(void);

/*
 * One round for a daemon's hook or tick: read the module's state (when the
 * module is loaded), decide and sync.  A failure to read the state keeps
 * the current announcements (logged); an unloaded module, unbound maps or
 * a detached program withdraw everything.  Returns as xlb_ann_sync().
 */
int xlb_ann_round(struct xlb_ann *a, FILE *log);

#endif /* XLB_ANNOUNCE_H */
