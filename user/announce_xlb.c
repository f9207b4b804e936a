// SPDX-License-Identifier: GPL-2.0
/*
 * announce_xlb.c - what the announcer (announce.c) reads from the module,
 * with lbctl's netlink code (nl.c, state.c): whether this node can serve
 * VIPs at all (xlb_ann_ready, for both daemons), and one round of the
 * driver xlb-announce.  xlb-healthd has the services and backends already
 * and decides per VIP in announce_hd.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "announce.h"
#include "nl.h"

int xlb_ann_ready(struct xlb_ann *a, bool module, char *why, size_t len)
{
	struct lb_config cfg;
	int err = xlb_ann_attached(a);

	if (err < 0) {
		snprintf(why, len, "cannot tell whether xlb is attached: %s",
			 strerror(-err));
		return err;
	}
	if (!err) {
		snprintf(why, len, "xlb is not attached");
		return 0;
	}
	if (!module) {
		snprintf(why, len, "the xlb module is not loaded");
		return 0;
	}
	err = lb_get_config(&cfg);
	if (err) {
		snprintf(why, len, "cannot read xlb's configuration: %s",
			 xnl_extack()[0] ? xnl_extack() : strerror(-err));
		return err;
	}
	if (!cfg.bound) {
		snprintf(why, len, "xlb's maps are not bound");
		return 0;
	}
	snprintf(why, len, "xlb is attached");
	return 1;
}

/* The family "xlb", resolved again each round: a reloaded module has a new id. */
static int module_present(char *why, size_t len)
{
	int err = xnl_refresh();

	if (err == -NLE_OBJ_NOTFOUND)
		return 0;
	if (err < 0) {
		snprintf(why, len,
			 "cannot resolve generic netlink family \"%s\": %s",
			 XLB_GENL_NAME, nl_geterror(err));
		return -EIO;
	}
	return 1;
}

int xlb_ann_round(struct xlb_ann *a, char *why, size_t len)
{
	struct xlb_ann_set v = { 0 };
	struct lb_state st = { 0 };
	int err, ready;

	ready = module_present(why, len);
	if (ready >= 0)
		ready = xlb_ann_ready(a, ready, why, len);
	if (ready > 0) {
		err = lb_load_state(&st, true);
		if (err) {
			snprintf(why, len, "cannot read xlb's services: %s",
				 xnl_extack()[0] ? xnl_extack() :
						   strerror(-err));
			ready = err;
		}
	}
	if (ready < 0) { /* unknown: keep the announcements */
		lb_free_state(&st);
		snprintf(why + strlen(why), len - strlen(why),
			 ": announcements unchanged");
		return ready;
	}
	err = xlb_ann_wanted(&st, ready > 0, &v);
	lb_free_state(&st);
	if (!err)
		err = xlb_ann_sync(a, &v);
	if (err == -EEXIST)
		snprintf(why, len, "another owner's route is in the way");
	else if (err < 0)
		snprintf(why, len, "cannot change the routing table: %s",
			 strerror(-err));
	free(v.a);
	return err;
}
