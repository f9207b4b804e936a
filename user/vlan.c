// SPDX-License-Identifier: GPL-2.0
/*
 * vlan.c - the devices an attached device sends through: itself and its
 * 802.1Q VLAN devices, written into the data path's xlb_vlan_in and
 * xlb_egress maps (include/uapi/xlb_maps.h, Documentation/datapath.md
 * "VLANs").  The VLAN devices are read from the kernel with an RTM_GETLINK
 * dump when lbctl attach runs; attaching again refreshes them.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/ethtool.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>

#include <bpf/bpf.h>
#include <netlink/attr.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "lbctl.h"
#include "pins.h"
#include "uapi/xlb_maps.h"
#include "vlan.h"

/* One VLAN device as the link dump shows it. */
struct vlan_link {
	unsigned int ifindex, link;
	uint16_t vid, proto; /* proto in host order: ETH_P_8021Q or AD */
	char name[IF_NAMESIZE];
};

struct link_dump {
	struct vlan_link *v;
	size_t n, cap;
};

/* The IFLA_VLAN_* of a "vlan" link, 0 if it is not one. */
static int vlan_info(struct nlattr *linkinfo, uint16_t *vid, uint16_t *proto)
{
	struct nlattr *li[IFLA_INFO_MAX + 1], *vi[IFLA_VLAN_MAX + 1];

	if (!linkinfo ||
	    nla_parse_nested(li, IFLA_INFO_MAX, linkinfo, NULL) < 0 ||
	    !li[IFLA_INFO_KIND] || !li[IFLA_INFO_DATA] ||
	    strcmp(nla_get_string(li[IFLA_INFO_KIND]), "vlan") ||
	    nla_parse_nested(vi, IFLA_VLAN_MAX, li[IFLA_INFO_DATA], NULL) < 0 ||
	    !vi[IFLA_VLAN_ID])
		return 0;
	*vid = nla_get_u16(vi[IFLA_VLAN_ID]);
	*proto = vi[IFLA_VLAN_PROTOCOL] ?
			 ntohs(nla_get_u16(vi[IFLA_VLAN_PROTOCOL])) :
			 ETH_P_8021Q;
	return 1;
}

static int on_link(struct nl_msg *m, void *arg)
{
	struct nlmsghdr *h = nlmsg_hdr(m);
	struct ifinfomsg *ifi = nlmsg_data(h);
	struct nlattr *tb[IFLA_MAX + 1];
	struct link_dump *d = arg;
	struct vlan_link v = { .ifindex = (unsigned int)ifi->ifi_index };

	if (h->nlmsg_type != RTM_NEWLINK ||
	    nlmsg_parse(h, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0)
		return NL_SKIP;
	/* a link in another namespace is not one of ours */
	if (!tb[IFLA_LINK] || tb[IFLA_LINK_NETNSID] || !tb[IFLA_IFNAME] ||
	    !vlan_info(tb[IFLA_LINKINFO], &v.vid, &v.proto))
		return NL_SKIP;
	v.link = nla_get_u32(tb[IFLA_LINK]);
	snprintf(v.name, sizeof(v.name), "%s", nla_get_string(tb[IFLA_IFNAME]));
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 16;
		d->v = realloc(d->v, d->cap * sizeof(*d->v));
		if (!d->v)
			lb_die(EXIT_ENV, "out of memory");
	}
	d->v[d->n++] = v;
	return NL_OK;
}

/* Every VLAN device of the namespace. */
static void dump_vlans(struct link_dump *d)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl_sock *rt = nl_socket_alloc();
	int err;

	if (!rt)
		lb_die(EXIT_ENV, "out of memory");
	err = nl_connect(rt, NETLINK_ROUTE);
	if (!err)
		err = nl_socket_modify_cb(rt, NL_CB_VALID, NL_CB_CUSTOM,
					  on_link, d);
	if (!err)
		err = nl_send_simple(rt, RTM_GETLINK, NLM_F_DUMP, &ifi,
				     sizeof(ifi));
	if (err >= 0)
		err = nl_recvmsgs_default(rt);
	nl_socket_free(rt);
	if (err < 0)
		lb_die(EXIT_ENV, "cannot list the network devices: %s",
		       nl_geterror(err));
}

static const char *dev_name(unsigned int ifindex, char *buf)
{
	if (!if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "#%u", ifindex);
	return buf;
}

/*
 * The device hands received VLAN tags to the stack beside the frame (VLAN
 * receive offload, ETH_FLAG_RXVLAN): XDP then sees the frame untagged.
 */
static bool strips_tags(const char *dev)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_GFLAGS };
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err;

	if (fd < 0)
		lb_die(EXIT_ENV, "cannot open a socket: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	ifr.ifr_data = (void *)&ev;
	err = ioctl(fd, SIOCETHTOOL, &ifr);
	close(fd);
	return !err && (ev.data & ETH_FLAG_RXVLAN);
}

void lb_vlans_scan(unsigned int dev, struct lb_vlans *out)
{
	struct link_dump d = { 0 };
	char n1[IF_NAMESIZE];
	size_t i, j;

	dump_vlans(&d);
	out->n = 0;
	for (i = 0; i < d.n; i++) {
		const struct vlan_link *v = &d.v[i];

		for (j = 0; j < d.n; j++)
			if (d.v[j].link == v->ifindex && v->link == dev)
				lb_die(EXIT_ERR,
				       "VLAN device \"%s\" is stacked on \"%s\", "
				       "a VLAN device of \"%s\": xlb handles "
				       "one 802.1Q tag only (delete \"%s\")",
				       d.v[j].name, v->name, dev_name(dev, n1),
				       d.v[j].name);
		if (v->link != dev)
			continue;
		if (v->proto != ETH_P_8021Q)
			lb_die(EXIT_ERR,
			       "VLAN device \"%s\" on \"%s\" uses protocol "
			       "802.1ad: xlb handles 802.1Q tags only "
			       "(delete \"%s\")",
			       v->name, dev_name(dev, n1), v->name);
		if (out->n == XLB_VLAN_MAX - 1)
			lb_die(EXIT_ERR, "\"%s\" has more than %d VLAN devices",
			       dev_name(dev, n1), XLB_VLAN_MAX - 1);
		out->v[out->n].ifindex = v->ifindex;
		out->v[out->n].vid = v->vid;
		out->n++;
	}
	free(d.v);
	if (out->n && strips_tags(dev_name(dev, n1)))
		lb_die(EXIT_ERR,
		       "\"%s\" has VLAN devices but strips VLAN tags before "
		       "XDP sees them (rx-vlan-offload on): turn it off first "
		       "(ethtool -K %s rxvlan off)",
		       n1, n1);
}

/* v lists a VLAN device of id x (by_vid) or of ifindex x. */
static bool listed(const struct lb_vlans *v, bool by_vid, uint32_t x)
{
	size_t i;

	for (i = 0; v && i < v->n; i++)
		if ((by_vid ? v->v[i].vid : v->v[i].ifindex) == x)
			return true;
	return false;
}

/*
 * Delete dev's entries that keep (v NULL: none) does not list: the keys
 * are collected first, a hash map's walk restarts after a deletion.
 */
static void prune(int in_fd, int eg_fd, unsigned int dev,
		  const struct lb_vlans *keep)
{
	static struct xlb_vlan_key ks[XLB_VLAN_MAX];
	static uint32_t es[XLB_VLAN_MAX];
	struct xlb_vlan_key k, *kp = NULL;
	struct xlb_egress e;
	uint32_t i, *ip = NULL;
	size_t nk = 0, ne = 0, j;

	while (nk < XLB_VLAN_MAX && !bpf_map_get_next_key(in_fd, kp, &k)) {
		if (k.ifindex == dev && (!keep || !listed(keep, true, k.vid)))
			ks[nk++] = k;
		kp = &k;
	}
	while (ne < XLB_VLAN_MAX && !bpf_map_get_next_key(eg_fd, ip, &i)) {
		if (!bpf_map_lookup_elem(eg_fd, &i, &e) && e.ifindex == dev &&
		    (!keep || (i != dev && !listed(keep, false, i))))
			es[ne++] = i;
		ip = &i;
	}
	for (j = 0; j < nk; j++)
		bpf_map_delete_elem(in_fd, &ks[j]);
	for (j = 0; j < ne; j++)
		bpf_map_delete_elem(eg_fd, &es[j]);
}

void lb_vlans_publish(unsigned int dev, const struct lb_vlans *v)
{
	int in_fd = lb_pin_get(XLB_MAP_VLAN_IN),
	    eg_fd = lb_pin_get(XLB_MAP_EGRESS);
	struct xlb_egress e = { .ifindex = dev, .vid = 0 };
	uint32_t key = dev;
	size_t i;

	prune(in_fd, eg_fd, dev, v);
	if (bpf_map_update_elem(eg_fd, &key, &e, BPF_ANY))
		goto err;
	for (i = 0; i < v->n; i++) {
		struct xlb_vlan_key k = { .ifindex = dev, .vid = v->v[i].vid };
		uint32_t vdev = v->v[i].ifindex;

		e.vid = v->v[i].vid;
		if (bpf_map_update_elem(eg_fd, &vdev, &e, BPF_ANY) ||
		    bpf_map_update_elem(in_fd, &k, &vdev, BPF_ANY))
			goto err;
	}
	close(in_fd);
	close(eg_fd);
	return;
err:
	lb_die(EXIT_ENV, "cannot write %s/%s: %s", XLB_MAP_VLAN_IN,
	       XLB_MAP_EGRESS, strerror(errno));
}

void lb_vlans_forget(unsigned int dev)
{
	int in_fd = lb_pin_get(XLB_MAP_VLAN_IN),
	    eg_fd = lb_pin_get(XLB_MAP_EGRESS);

	prune(in_fd, eg_fd, dev, NULL);
	close(in_fd);
	close(eg_fd);
}
