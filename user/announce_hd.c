// SPDX-License-Identifier: GPL-2.0
/*
 * announce_hd.c - the announcer (announce.c) in xlb-healthd: its hook
 * (healthd.h), called after every change the daemon sees (a backend
 * drained or activated, the configuration re-read, the module gone or
 * back) and on every tick, the tick catching what sends no event (a
 * detached program).  The VIPs go to routing table XLB_ANN_TABLE.  The
 * rule is xlb-announce's (announce.h): xlb_ann_ready() for the node,
 * xlb_ann_be_serves() for each VIP's backends.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "announce.h"
#include "healthd.h"
#include "nl.h"

static void hd_ann_log(int err, const char *msg)
{
	hd_log(err ? 3 : 5, "%s", msg);
}

/* The VIPs of w with a backend that serves. */
static int hd_wanted(const struct hd_world *w, struct xlb_ann_set *v)
{
	int i, j, err;

	for (i = 0; i < w->nsvc; i++) {
		const struct hd_svc *s = &w->svc[i];

		for (j = 0; j < s->nbe && !xlb_ann_be_serves(&s->be[j].b); j++)
			;
		if (j == s->nbe)
			continue;
		err = xlb_ann_add(v, &s->s.key.addr);
		if (err)
			return err;
	}
	return 0;
}

/* Logs what + why when why differs from the last time (once per cause). */
static void log_once(int prio, const char *what, const char *why)
{
	static char last[256];

	if (!strcmp(why, last))
		return;
	snprintf(last, sizeof(last), "%s", why);
	if (why[0])
		hd_log(prio, "%s%s", what, why);
}

/*
 * Can the node serve, 1, 0 or -errno (why says it)?  Stopping: no, so
 * everything is withdrawn, as xlb-announce does; nobody would withdraw the
 * routes if xlb were detached or its backends failed while the daemon is
 * away (Documentation/health.md).  The module's socket closed after a
 * failed read (the module itself not known to be gone): unknown.
 */
static int hd_ready(struct xlb_ann *a, const struct hd_world *w,
		    enum hd_event ev, char *why, size_t len)
{
	if (ev == HD_EV_STOP) {
		snprintf(why, len, "xlb-healthd stops");
		return 0;
	}
	if (w->module && !xnl_sock()) {
		snprintf(why, len, "cannot read xlb's configuration");
		return -EAGAIN;
	}
	return xlb_ann_ready(a, w->module, why, len);
}

void hd_announce(const struct hd_world *w, enum hd_event ev)
{
	static struct xlb_ann *a;
	struct xlb_ann_set v = { 0 };
	char why[256];
	int ready, err = 0;

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
	ready = hd_ready(a, w, ev, why, sizeof(why));
	if (ready < 0) {
		strncat(why, ": announcements unchanged",
			sizeof(why) - strlen(why) - 1);
		log_once(3, "", why);
		return;
	}
	log_once(6, "no VIP announced: ", ready ? "" : why);
	if (ready)
		err = hd_wanted(w, &v);
	if (!err)
		err = xlb_ann_sync(a, &v);
	if (err < 0 && err != -EEXIST)
		hd_log(3, "announce: %s", strerror(-err));
	free(v.a);
}
