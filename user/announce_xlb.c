// SPDX-License-Identifier: GPL-2.0
/*
 * announce_xlb.c - one round of the announcer (announce.c) for its own
 * driver, xlb-announce: the services and backends read from the module
 * with lbctl's netlink code (state.c).  xlb-healthd has them already and
 * calls announce_hd.c instead.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "announce.h"

static bool module_loaded(void)
{
	struct stat st;

	return !stat("/sys/module/xlb", &st);
}

int xlb_ann_round(struct xlb_ann *a)
{
	struct xlb_ann_set v = { 0 };
	struct lb_state st = { 0 };
	struct lb_config cfg;
	int err = 0, attached = 0;

	if (module_loaded()) {
		attached = xlb_ann_attached(a);
		if (attached > 0)
			err = lb_get_config(&cfg);
		if (attached > 0 && !err && cfg.bound)
			err = lb_load_state(&st, true);
		else if (!err)
			attached = 0;
	}
	if (attached < 0 || err) {
		lb_err("cannot read xlb's state (%s): announcements unchanged",
		       strerror(attached < 0 ? -attached : -err));
		lb_free_state(&st);
		return attached < 0 ? attached : err;
	}
	err = xlb_ann_wanted(&st, attached > 0, &v);
	lb_free_state(&st);
	if (!err)
		err = xlb_ann_sync(a, &v);
	free(v.a);
	return err;
}
