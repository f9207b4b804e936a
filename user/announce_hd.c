// SPDX-License-Identifier: GPL-2.0
/*
 * announce_hd.c - the announcer (announce.c) in xlb-healthd: its hook
 * (healthd.h), called after every change the daemon sees (a backend
 * drained or activated, the configuration re-read, the module gone or
 * back) and on every tick, the tick catching what sends no event (a
 * detached program).  The VIPs go to routing table XLB_ANN_TABLE.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "announce.h"
#include "healthd.h"

static void hd_ann_log(int err, const char *msg)
{
	hd_log(err ? 3 : 5, "%s", msg);
}

/* The VIPs of w that can be served. */
static int hd_wanted(const struct hd_world *w, struct xlb_ann_set *v)
{
	int i, err;

	for (i = 0; i < w->nsvc; i++) {
		if (!hd_svc_active(&w->svc[i]))
			continue;
		err = xlb_ann_add(v, &w->svc[i].s.key.addr);
		if (err)
			return err;
	}
	return 0;
}

void hd_announce(const struct hd_world *w, enum hd_event ev)
{
	static struct xlb_ann *a;
	struct xlb_ann_set v = { 0 };
	int attached = 0, err = 0;

	if (!a) {
		a = xlb_ann_open(XLB_ANN_TABLE);
		if (!a) {
			hd_log(3,
			       "announce: cannot open a rtnetlink socket: %s",
			       strerror(errno));
			return;
		}
		xlb_ann_set_log(a, hd_ann_log);
	}
	/*
	 * Not w->bound: it is read with the configuration only, and the
	 * first attach (which binds) may come later without a resync.
	 * Stopping: withdraw everything, as xlb-announce does; nobody would
	 * withdraw the routes if xlb were detached or its backends failed
	 * while the daemon is away (Documentation/health.md).
	 */
	if (w->module && ev != HD_EV_STOP)
		attached = xlb_ann_attached(a);
	if (attached < 0) {
		hd_log(3,
		       "announce: cannot tell whether xlb is attached (%s): "
		       "announcements unchanged",
		       strerror(-attached));
		return;
	}
	if (attached)
		err = hd_wanted(w, &v);
	if (!err)
		err = xlb_ann_sync(a, &v);
	if (err < 0)
		hd_log(3, "announce: %s", strerror(-err));
	free(v.a);
}
