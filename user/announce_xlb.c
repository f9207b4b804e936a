// SPDX-License-Identifier: GPL-2.0
/*
 * announce_xlb.c - what the announcer (announce.c) learns from xlb itself:
 * whether its XDP program is attached in this network namespace, and the
 * services and backends (lbctl's netlink code).  Kept apart so that
 * announce.c links into a host unit test without the module.
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "announce.h"
#include "pins.h"

#define PIN_PROG "xlb_xdp" /* attach.c's pin of the program */

int xlb_ann_attached(void)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_prog_info info = { 0 };
	uint32_t len = sizeof(info);
	struct if_nameindex *ifs, *i;
	char path[256];
	int fd, found = 0;

	lb_pin_path(path, sizeof(path), PIN_PROG);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		found = -errno;
		close(fd);
		return found;
	}
	close(fd);
	ifs = if_nameindex();
	if (!ifs)
		return -errno;
	for (i = ifs; i->if_index && !found; i++)
		if (!bpf_xdp_query(i->if_index, 0, &q) &&
		    (q.drv_prog_id == info.id || q.skb_prog_id == info.id ||
		     q.hw_prog_id == info.id))
			found = 1;
	if_freenameindex(ifs);
	return found;
}

static bool module_loaded(void)
{
	struct stat st;

	return !stat("/sys/module/xlb", &st);
}

int xlb_ann_round(struct xlb_ann *a, FILE *log)
{
	struct lb_state st = { 0 };
	struct lb_config cfg;
	struct lb_addr *vips = NULL;
	int n = 0, err = 0, attached = 0;

	if (module_loaded()) {
		attached = xlb_ann_attached();
		if (attached > 0)
			err = lb_get_config(&cfg);
		if (attached > 0 && !err && cfg.bound)
			err = lb_load_state(&st, true);
		else
			attached = 0;
	}
	if (attached < 0 || err) {
		if (log)
			fprintf(log,
				"cannot read xlb's state (%s): "
				"announcements unchanged\n",
				strerror(attached < 0 ? -attached : -err));
		lb_free_state(&st);
		return attached < 0 ? attached : err;
	}
	n = xlb_ann_wanted(&st, attached > 0, &vips);
	lb_free_state(&st);
	if (n < 0)
		return n;
	err = xlb_ann_sync(a, vips, n, log);
	free(vips);
	return err;
}
