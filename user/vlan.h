/* SPDX-License-Identifier: GPL-2.0 */
/* vlan.h - an attached device's VLAN devices in the data path (vlan.c). */
#ifndef LBCTL_VLAN_H
#define LBCTL_VLAN_H

#include <stddef.h>
#include <stdint.h>

#include "uapi/xlb_maps.h"

struct lb_vlans {
	size_t n;
	struct {
		uint32_t ifindex;
		uint32_t vid;
	} v[XLB_VLAN_MAX];
};

/*
 * The 802.1Q VLAN devices on dev.  Exits with a clear error for what the
 * data path cannot serve: an 802.1ad VLAN device on dev, a VLAN device
 * stacked on one of dev's, or VLAN devices on a dev whose VLAN receive
 * offload hides the tags from XDP.
 */
void lb_vlans_scan(unsigned int dev, struct lb_vlans *out);
/* Make xlb_vlan_in and xlb_egress hold exactly dev and its VLAN devices. */
void lb_vlans_publish(unsigned int dev, const struct lb_vlans *v);
/* Remove dev and its VLAN devices from both maps (detach). */
void lb_vlans_forget(unsigned int dev);

#endif /* LBCTL_VLAN_H */
