/* SPDX-License-Identifier: GPL-2.0 */
/*
 * attach.h - "lbctl attach" as restore uses it: parse an attach line, run
 * it, and print the attach lines of what is attached now (save).
 */
#ifndef LBCTL_ATTACH_H
#define LBCTL_ATTACH_H

#include <stdbool.h>
#include <stdint.h>

#include "parse.h"

struct lb_attach {
	char dev[16]; /* IF_NAMESIZE */
	unsigned int ifindex;
	uint32_t xdp_flags;
	bool has_src4, has_src6, sized;
	bool force; /* publish an empty configuration over a live one */
	struct lb_addr src4, src6;
	uint32_t max_services, max_backends, table_max, ct_size;
};

/* argv: "attach DEV [options]"; exits with a message on bad input. */
void lb_attach_parse(int argc, char **argv, struct lb_attach *a);
/* Attach as parsed (netlink socket open); an exit code. */
int lb_attach_run(struct lb_attach *a);
/*
 * Exit unless the maps pinned now, if any, have a's sizes: restore checks
 * this before it changes anything.
 */
void lb_attach_check(const struct lb_attach *a);
/* One "attach DEV mode M max-services ..." line per device xlb is on. */
void lb_attach_save(void);

#endif /* LBCTL_ATTACH_H */
