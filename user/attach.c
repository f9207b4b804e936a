// SPDX-License-Identifier: GPL-2.0
/*
 * attach.c - "lbctl attach DEV" and "lbctl detach DEV".
 *
 * The first attach loads the XDP object embedded in lbctl (libbpf skeleton
 * of build/xlb.bpf.o, so no object file has to be found at run time), sizes
 * its maps from the options, pins every map and the program under
 * the namespace's pin directory (pins.c; directory 0700, pins 0600), attaches the program to DEV and
 * hands the control maps to the module (XLB_CMD_BIND).  Later attaches to
 * other devices reuse the pinned program and maps, so every device shares
 * one data path state.  Each attach also writes DEV and its 802.1Q VLAN
 * devices into xlb_vlan_in/xlb_egress (vlan.c); attaching again refreshes
 * them, detach removes them.
 */
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attach.h"
#include "lbctl.h"
#include "maglev.h"
#include "nl.h"
#include "pins.h"
#include "uapi/xlb_maps.h"
#include "vlan.h"
#include "xlb_hash.h"
#include "xlb.skel.h"

#define PIN_PROG "xlb_xdp"

/* The maps handed to the module, in XLB_BIND_A_* order. */
static const char *const bind_maps[] = {
	[XLB_BIND_A_CTL_FD] = XLB_MAP_CTL,
	[XLB_BIND_A_VIPS_FD] = XLB_MAP_VIPS,
	[XLB_BIND_A_SERVICES_FD] = XLB_MAP_SERVICES,
	[XLB_BIND_A_TABLES_FD] = XLB_MAP_TABLES,
	[XLB_BIND_A_BACKENDS_FD] = XLB_MAP_BACKENDS,
	[XLB_BIND_A_SVC_STATS_FD] = XLB_MAP_SVC_STATS,
	[XLB_BIND_A_BE_STATS_FD] = XLB_MAP_BE_STATS,
	[XLB_BIND_A_STATS_FD] = XLB_MAP_STATS,
};

static const char *const all_maps[] = {
	XLB_MAP_CTL,	    XLB_MAP_VIPS,      XLB_MAP_SERVICES,
	XLB_MAP_TABLES,	    XLB_MAP_BACKENDS,  XLB_MAP_CONNTRACK,
	XLB_MAP_CONNTRACK4, XLB_MAP_SVC_STATS, XLB_MAP_BE_STATS,
	XLB_MAP_STATS,	    XLB_MAP_NH_CACHE,  XLB_MAP_FLOW_CACHE,
	XLB_MAP_ICMP_RL,    XLB_MAP_VLAN_IN,   XLB_MAP_EGRESS,
	XLB_MAP_CT_BUDGET,  XLB_MAP_SYN,
};
#define NMAPS (sizeof(all_maps) / sizeof(all_maps[0]))

static unsigned int dev_index(const char *dev)
{
	unsigned int ifindex = if_nametoindex(dev);

	if (!ifindex)
		lb_die(EXIT_ERR,
		       "device \"%s\" not found (list devices: "
		       "ip link show)",
		       dev);
	return ifindex;
}

static void parse_src(const char *v, int family, struct lb_addr *a)
{
	if (lb_parse_addr(v, a))
		lb_die_parse();
	if (a->family != family)
		lb_die(EXIT_ERR, "invalid %s \"%s\": expected an %s address",
		       family == AF_INET ? "src4" : "src6", v,
		       family == AF_INET ? "IPv4" : "IPv6");
}

void lb_attach_parse(int argc, char **argv, struct lb_attach *a)
{
	int i;

	memset(a, 0, sizeof(*a));
	a->xdp_flags = XDP_FLAGS_DRV_MODE;
	a->max_services = XLB_DEFAULT_MAX_SERVICES;
	a->max_backends = XLB_DEFAULT_MAX_BACKENDS;
	a->table_max = XLB_DEFAULT_TABLE_MAX;
	a->ct_size = XLB_DEFAULT_CT_ENTRIES;
	if (argc < 2)
		lb_die(EXIT_ERR, "missing device after \"attach\"");
	a->ifindex = dev_index(argv[1]);
	snprintf(a->dev, sizeof(a->dev), "%s", argv[1]);
	/* "force", a word without value, ends the line: keywords stay pairs */
	if (argc % 2 && !strcmp(argv[argc - 1], "force")) {
		a->force = true;
		argc--;
	}
	for (i = 2; i < argc; i += 2) {
		const char *k = argv[i], *v = lb_kw_value(argc, argv, 2, i);

		if (!strcmp(k, "mode")) {
			if (!strcmp(v, "native"))
				a->xdp_flags = XDP_FLAGS_DRV_MODE;
			else if (!strcmp(v, "generic"))
				a->xdp_flags = XDP_FLAGS_SKB_MODE;
			else
				lb_die(EXIT_ERR,
				       "invalid mode \"%s\": expected "
				       "native or generic",
				       v);
		} else if (!strcmp(k, "src4")) {
			parse_src(v, AF_INET, &a->src4);
			a->has_src4 = true;
		} else if (!strcmp(k, "src6")) {
			parse_src(v, AF_INET6, &a->src6);
			a->has_src6 = true;
		} else if (!strcmp(k, "max-services")) {
			if (lb_parse_u32(v, "max-services", 1, 4096,
					 &a->max_services))
				lb_die_parse();
			a->sized = true;
		} else if (!strcmp(k, "max-backends")) {
			if (lb_parse_u32(v, "max-backends", 1, 1U << 20,
					 &a->max_backends))
				lb_die_parse();
			a->sized = true;
		} else if (!strcmp(k, "table-max")) {
			if (lb_parse_table_size(v, &a->table_max))
				lb_die_parse();
			a->sized = true;
		} else if (!strcmp(k, "conntrack-size")) {
			if (lb_parse_u32(v, "conntrack-size", 1, 1U << 26,
					 &a->ct_size))
				lb_die_parse();
			a->sized = true;
		} else if (!strcmp(k, "force")) {
			lb_die(EXIT_ERR, "\"force\" goes last: attach DEV "
					 "[options] force");
		} else {
			lb_die_unknown(k, "attach");
		}
	}
}

static bool pinned(const char *name)
{
	char path[256];

	lb_pin_path(path, sizeof(path), name);
	return access(path, F_OK) == 0;
}

static uint32_t pow2_at_least(uint32_t x)
{
	uint32_t p = 1;

	while (p < x)
		p <<= 1;
	return p;
}

/*
 * The IPv4 connection table's buckets (xlb_maps.h): a power of two at least
 * conntrack-size, two entries each; its bucket hash gets a secret seed, so
 * that nobody outside can aim flows at one bucket.  Both are constants of
 * the program pinned with the maps: every attach that reuses them keeps
 * them.
 */
static int size_ct4(struct xlb *skel, const struct lb_attach *a)
{
	uint32_t buckets = xlb_ct4_nbuckets(a->ct_size), seed;

	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		return -1;
	skel->rodata->xlb_cfg_ct4_seed = seed;
	skel->rodata->xlb_cfg_ct4_mask = buckets - 1;
	return bpf_map__set_max_entries(skel->maps.xlb_conntrack4, buckets);
}

static int size_maps(struct xlb *skel, const struct lb_attach *a)
{
	uint32_t vip_slots = pow2_at_least(4 * a->max_services);

	if (vip_slots < XLB_DEFAULT_VIP_SLOTS)
		vip_slots = XLB_DEFAULT_VIP_SLOTS;
	skel->rodata->xlb_cfg_table_max = a->table_max;
	skel->rodata->xlb_cfg_vip_slots = vip_slots;
	if (size_ct4(skel, a))
		return -1;
	if (bpf_map__set_max_entries(skel->maps.xlb_vips, 2 * vip_slots) ||
	    bpf_map__set_max_entries(skel->maps.xlb_services,
				     a->max_services) ||
	    bpf_map__set_max_entries(skel->maps.xlb_tables,
				     2 * a->max_services) ||
	    bpf_map__set_value_size(skel->maps.xlb_tables, 4 * a->table_max) ||
	    bpf_map__set_max_entries(skel->maps.xlb_backends,
				     a->max_backends) ||
	    bpf_map__set_max_entries(skel->maps.xlb_conntrack, a->ct_size) ||
	    bpf_map__set_max_entries(skel->maps.xlb_svc_stats,
				     a->max_services) ||
	    bpf_map__set_max_entries(skel->maps.xlb_be_stats,
				     a->max_backends) ||
	    bpf_map__set_max_entries(skel->maps.xlb_nh_cache, a->max_backends))
		return -1;
	return 0;
}

/* Undo a half-made pin directory (every entry in it is ours). */
static void unpin_all(void)
{
	char path[512];
	struct dirent *de;
	DIR *d = opendir(lb_pin_dir());

	if (!d)
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", lb_pin_dir(),
				 de->d_name);
			unlink(path);
		}
	closedir(d);
	rmdir(lb_pin_dir());
}

static int pin_one(int fd, const char *name)
{
	char path[256];

	lb_pin_path(path, sizeof(path), name);
	if (bpf_obj_pin(fd, path) || chmod(path, 0600)) {
		lb_err("cannot pin %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Load the embedded object with the requested sizes and pin it.  Returns
 * the program fd; the maps stay reachable through their pins.
 */
static int load_fresh(const struct lb_attach *a)
{
	struct xlb *skel;
	struct bpf_map *map;
	int prog_fd, err;

	skel = xlb__open();
	if (!skel)
		lb_die(EXIT_ENV, "cannot open the embedded XDP object: %s",
		       strerror(errno));
	if (size_maps(skel, a))
		lb_die(EXIT_ENV, "cannot size the XDP maps: %s",
		       strerror(errno));
	err = xlb__load(skel);
	if (err == -EPERM)
		lb_die(EXIT_ENV,
		       "cannot load the XDP program: %s (run lbctl "
		       "as root; check `ulimit -l`)",
		       strerror(-err));
	if (err == -ENOMEM || err == -E2BIG)
		lb_die(EXIT_ENV,
		       "cannot load the XDP program: %s (lower "
		       "table-max, max-services or conntrack-size)",
		       strerror(-err));
	if (err)
		lb_die(EXIT_ENV,
		       "cannot load the XDP program: %s (run with "
		       "LBCTL_DEBUG=1 for libbpf's log)",
		       strerror(-err));
	if (mkdir(lb_pin_dir(), 0700) && errno != EEXIST)
		lb_die(EXIT_ENV, "cannot create %s: %s", lb_pin_dir(),
		       strerror(errno));
	chmod(lb_pin_dir(), 0700);
	bpf_object__for_each_map(map, skel->obj) {
		if (!strcmp(bpf_map__name(map), "xlb.rodata") ||
		    strchr(bpf_map__name(map), '.'))
			continue;
		if (pin_one(bpf_map__fd(map), bpf_map__name(map)))
			goto fail;
	}
	if (pin_one(bpf_program__fd(skel->progs.xlb_xdp), PIN_PROG))
		goto fail;
	prog_fd = dup(bpf_program__fd(skel->progs.xlb_xdp));
	xlb__destroy(skel);
	return prog_fd;
fail:
	unpin_all();
	xlb__destroy(skel);
	exit(EXIT_ENV);
}

/* The info of pinned map NAME; exits when it cannot be read. */
static void pinned_info(const char *name, struct bpf_map_info *info)
{
	uint32_t len = sizeof(*info);
	int fd = lb_pin_get(name);

	memset(info, 0, sizeof(*info));
	if (bpf_obj_get_info_by_fd(fd, info, &len))
		lb_die(EXIT_ENV, "cannot inspect %s: %s", name,
		       strerror(errno));
	close(fd);
}

/* Refuse sizing options that differ from the maps already pinned. */
static void check_sizes(const struct lb_attach *a)
{
	struct bpf_map_info info;

	if (!a->sized)
		return;
	pinned_info(XLB_MAP_TABLES, &info);
	if (info.max_entries != 2 * a->max_services ||
	    info.value_size != 4 * a->table_max)
		lb_die(EXIT_ERR,
		       "the maps pinned under %s have other sizes "
		       "(max-services %u, table-max %u): detach every device "
		       "and remove %s to resize",
		       lb_pin_dir(), info.max_entries / 2, info.value_size / 4,
		       lb_pin_dir());
}

void lb_attach_check(const struct lb_attach *a)
{
	size_t i;

	/* no maps, or part of them: attach loads fresh ones, or refuses */
	for (i = 0; i < NMAPS; i++)
		if (!pinned(all_maps[i]))
			return;
	check_sizes(a);
}

static int get_prog(const struct lb_attach *a)
{
	size_t i, n = 0;

	for (i = 0; i < NMAPS; i++)
		n += pinned(all_maps[i]);
	if (n == 0 && !pinned(PIN_PROG))
		return load_fresh(a);
	if (n != NMAPS || !pinned(PIN_PROG))
		lb_die(EXIT_ENV,
		       "%s holds only part of xlb's pins: detach "
		       "every device and remove it (rm -r %s)",
		       lb_pin_dir(), lb_pin_dir());
	check_sizes(a);
	return lb_pin_get(PIN_PROG);
}

static uint32_t prog_id(int fd)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.id;
}

static void xdp_attach(const struct lb_attach *a, int prog_fd)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int err;

	err = bpf_xdp_attach((int)a->ifindex, prog_fd,
			     a->xdp_flags | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
	if (!err)
		return;
	if ((err == -EBUSY || err == -EEXIST) &&
	    !bpf_xdp_query((int)a->ifindex, 0, &q) &&
	    (q.prog_id == prog_id(prog_fd)))
		return; /* already ours: attach is idempotent */
	if (err == -EBUSY || err == -EEXIST)
		lb_die(EXIT_ERR,
		       "device \"%s\" already has another XDP "
		       "program (remove it first: ip link set dev %s xdp off)",
		       a->dev, a->dev);
	if (err == -EOPNOTSUPP && (a->xdp_flags & XDP_FLAGS_DRV_MODE))
		lb_die(EXIT_ENV,
		       "the driver of \"%s\" has no native XDP "
		       "support (try: lbctl attach %s mode generic)",
		       a->dev, a->dev);
	if (err == -EPERM)
		lb_die(EXIT_ENV,
		       "cannot attach XDP to \"%s\": permission "
		       "denied (run lbctl as root)",
		       a->dev);
	lb_die(EXIT_ENV, "cannot attach XDP to \"%s\": %s", a->dev,
	       strerror(-err));
}

static int bind_module(void)
{
	struct nl_msg *m = xnl_msg(XLB_CMD_BIND, 0);
	struct nlattr *n = nla_nest_start(m, XLB_A_BIND);
	int fds[XLB_BIND_A_MAX + 1], i, err;

	if (!n)
		lb_die(EXIT_ENV, "out of memory");
	for (i = 1; i <= XLB_BIND_A_MAX; i++) {
		fds[i] = lb_pin_get(bind_maps[i]);
		if (nla_put_u32(m, i, (uint32_t)fds[i]))
			lb_die(EXIT_ENV, "out of memory");
	}
	nla_nest_end(m, n);
	err = xnl_request(m, NULL, NULL);
	for (i = 1; i <= XLB_BIND_A_MAX; i++)
		close(fds[i]);
	return err;
}

/*
 * Services the pinned maps serve: the VIP slots of the live half, once a
 * module has published into them (none in fresh maps).
 */
static uint32_t pinned_services(void)
{
	struct xlb_vip_slot slot;
	struct xlb_ctl ctl;
	uint32_t key = 0, i, n = 0;
	int fd = lb_pin_get(XLB_MAP_CTL);

	if (bpf_map_lookup_elem(fd, &key, &ctl))
		lb_die(EXIT_ENV, "cannot read %s: %s", XLB_MAP_CTL,
		       strerror(errno));
	close(fd);
	if (!(ctl.flags & XLB_CTL_F_BOUND))
		return 0;
	fd = lb_pin_get(XLB_MAP_VIPS);
	for (i = 0; i < ctl.vip_slots; i++) {
		key = (ctl.vip_active & 1) * ctl.vip_slots + i;
		if (!bpf_map_lookup_elem(fd, &key, &slot) && slot.sid_plus1)
			n++;
	}
	close(fd);
	return n;
}

/*
 * Refuse to bind a module that has no service (reloaded, or flushed after
 * unbind) to maps that still serve some: it would publish its empty
 * configuration into them at once (lbctl(8), "BOOT AND MODULE RELOAD").
 */
static int check_publish(const struct lb_attach *a)
{
	struct lb_config cfg;
	struct lb_state st;
	uint32_t live;
	int err, nsvc;

	if (a->force)
		return 0;
	err = lb_get_config(&cfg);
	if (err || cfg.bound)
		return err;
	live = pinned_services();
	if (!live)
		return 0;
	err = lb_load_state(&st, false);
	if (err)
		return err;
	nsvc = st.nsvc;
	lb_free_state(&st);
	if (nsvc)
		return 0;
	lb_die(EXIT_ERR,
	       "attach: the maps pinned under %s serve %u service%s and the "
	       "module has none (reloaded?): attaching would publish its "
	       "empty configuration into them; restore the configuration "
	       "first (lbctl restore FILE), or add \"force\" to publish the "
	       "empty one",
	       lb_pin_dir(), live, live == 1 ? "" : "s");
}

/* The first address of each family on dev (IPv6: not link-local). */
static void dev_addrs(const char *dev, struct lb_addr *a4, bool *has4,
		      struct lb_addr *a6, bool *has6)
{
	struct ifaddrs *ifa, *i;

	*has4 = *has6 = false;
	if (getifaddrs(&ifa))
		return;
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || strcmp(i->ifa_name, dev))
			continue;
		if (i->ifa_addr->sa_family == AF_INET && !*has4) {
			a4->family = AF_INET;
			memcpy(a4->a,
			       &((struct sockaddr_in *)i->ifa_addr)->sin_addr,
			       4);
			*has4 = true;
		} else if (i->ifa_addr->sa_family == AF_INET6 && !*has6) {
			struct in6_addr *p =
				&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;

			if (IN6_IS_ADDR_LINKLOCAL(p))
				continue;
			a6->family = AF_INET6;
			memcpy(a6->a, p, 16);
			*has6 = true;
		}
	}
	freeifaddrs(ifa);
}

/* Set src4/src6 when given, or from DEV when the module has none yet. */
static int set_sources(struct lb_attach *a)
{
	struct lb_config cfg;
	struct lb_addr d4, d6;
	bool h4, h6;
	struct nl_msg *m;
	int err;

	err = lb_get_config(&cfg);
	if (err)
		return err;
	dev_addrs(a->dev, &d4, &h4, &d6, &h6);
	if (!a->has_src4 && !cfg.has_src4 && h4) {
		a->src4 = d4;
		a->has_src4 = true;
	}
	if (!a->has_src6 && !cfg.has_src6 && h6) {
		a->src6 = d6;
		a->has_src6 = true;
	}
	if (!a->has_src4 && !a->has_src6)
		return 0;
	m = xnl_msg(XLB_CMD_CONFIG_SET, 0);
	if (lb_put_config(m, NULL, a->has_src4 ? &a->src4 : NULL,
			  a->has_src6 ? &a->src6 : NULL))
		lb_die(EXIT_ENV, "out of memory");
	return xnl_request(m, NULL, NULL);
}

/* Write VALUE to /proc/sys/net/FAMILY/conf/DEV/KEY; 0 or an errno. */
static int dev_sysctl(const char *family, const char *dev, const char *key,
		      const char *value)
{
	char path[128], cur[16] = "";
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/%s", family, dev,
		 key);
	f = fopen(path, "r");
	if (f) {
		if (!fgets(cur, sizeof(cur), f))
			cur[0] = 0;
		fclose(f);
	}
	if (!strncmp(cur, value, strlen(value)) && cur[strlen(value)] == '\n')
		return 0;
	f = fopen(path, "w");
	if (!f)
		return errno;
	if (fputs(value, f) < 0)
		err = errno;
	if (fclose(f) && !err)
		err = errno;
	return err;
}

/*
 * What the data path needs of DEV's IPv4 settings (Documentation/datapath.md,
 * "Next hops"): forwarding, since bpf_fib_lookup() answers "forwarding
 * disabled" without it, and accept_local, since a frame whose next hop is
 * not resolved yet is handed to the kernel already encapsulated, with this
 * host's address as its source; the kernel forwards it (and resolves the
 * neighbour) only with accept_local set, and drops it as a martian
 * otherwise.  IPv6 forwarding is one host-wide switch that changes more
 * than xlb's device: only checked.
 */
static void prepare_dev4(const char *dev)
{
	static const char *const keys[] = { "forwarding", "accept_local" };
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		int err = dev_sysctl("ipv4", dev, keys[i], "1");

		if (err)
			fprintf(stderr,
				"lbctl: warning: cannot set "
				"net.ipv4.conf.%s.%s=1 (%s): IPv4 backends "
				"may be unreachable\n",
				dev, keys[i], strerror(err));
	}
}

/*
 * DEV and its VLAN devices (a tagged frame reaches the kernel, and is looked
 * up, as arriving on its VLAN device).
 */
static void prepare_dev(const char *dev, const struct lb_vlans *vlans)
{
	char v6[4] = "", name[IF_NAMESIZE];
	size_t i;
	FILE *f;

	prepare_dev4(dev);
	for (i = 0; i < vlans->n; i++)
		if (if_indextoname(vlans->v[i].ifindex, name))
			prepare_dev4(name);
	f = fopen("/proc/sys/net/ipv6/conf/all/forwarding", "r");
	if (f) {
		if (fgets(v6, sizeof(v6), f) && v6[0] == '0')
			fprintf(stderr,
				"lbctl: warning: net.ipv6.conf.all.forwarding"
				" is 0: IPv6 backends are unreachable until it "
				"is 1\n");
		fclose(f);
	}
}

int cmd_attach(int argc, char **argv)
{
	struct lb_attach a;

	lb_attach_parse(argc, argv, &a);
	xnl_open();
	return lb_attach_run(&a);
}

int lb_attach_run(struct lb_attach *a)
{
	static struct lb_vlans vlans;
	int prog_fd, err;

	if (geteuid() != 0)
		lb_die(EXIT_ENV,
		       "attach: permission denied: loading XDP "
		       "programs needs root (CAP_BPF, CAP_NET_ADMIN)");
	if (!getenv("LBCTL_DEBUG"))
		libbpf_set_print(NULL);
	/* refuse what the data path cannot serve before touching anything */
	lb_vlans_scan(a->ifindex, &vlans);
	lb_pin_dir_mount();
	prog_fd = get_prog(a);
	err = check_publish(a);
	if (err)
		return xnl_report(err, "attach");
	/*
	 * Bind first: the program never sees traffic before the module has
	 * published this namespace's state into its maps, and maps the
	 * module refuses (another namespace's) never reach a device.
	 */
	err = bind_module();
	if (err)
		return xnl_report(err,
				  "attach: handing the maps to the module");
	prepare_dev(a->dev, &vlans);
	xdp_attach(a, prog_fd);
	/* only now may frames be sent out through DEV */
	lb_vlans_publish(a->ifindex, &vlans);
	err = set_sources(a);
	if (err)
		return xnl_report(err, "attach: setting the outer source "
				       "addresses");
	close(prog_fd);
	return EXIT_OK;
}

#define XLB_PROG_NAME "xlb_xdp"
/* Fails to build when the entry point of bpf/xlb.bpf.c is renamed. */
_Static_assert(offsetof(struct xlb, progs.xlb_xdp) < sizeof(struct xlb),
	       "XLB_PROG_NAME names the XDP entry point");

/*
 * Is program id xlb's?  With the pins, it must be the pinned program; without
 * them (pin directory removed), a program named like xlb's entry point.
 */
static bool is_xlb_prog(uint32_t id)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	int fd;
	bool ours;

	if (pinned(PIN_PROG)) {
		fd = lb_pin_get(PIN_PROG);
		ours = prog_id(fd) == id;
		close(fd);
		return ours;
	}
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		lb_die(EXIT_ENV, "cannot open XDP program %u: %s", id,
		       strerror(errno));
	memset(&info, 0, sizeof(info));
	ours = !bpf_obj_get_info_by_fd(fd, &info, &len) &&
	       !strcmp(info.name, XLB_PROG_NAME);
	close(fd);
	return ours;
}

/* The mode DEV runs program ID in, or NULL when it does not. */
static const char *attached_mode(unsigned int ifindex, uint32_t id)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if (!id || bpf_xdp_query((int)ifindex, 0, &q))
		return NULL;
	if (q.drv_prog_id == id)
		return "native";
	if (q.skb_prog_id == id)
		return "generic";
	return NULL;
}

/*
 * The sizes attach gave the pinned maps, as its options (size_maps()):
 * every device shares them, so each attach line repeats them.
 */
static void pinned_sizes(struct lb_attach *a)
{
	struct bpf_map_info info;

	pinned_info(XLB_MAP_TABLES, &info);
	a->max_services = info.max_entries / 2;
	a->table_max = info.value_size / 4;
	pinned_info(XLB_MAP_BACKENDS, &info);
	a->max_backends = info.max_entries;
	pinned_info(XLB_MAP_CONNTRACK, &info);
	a->ct_size = info.max_entries;
}

void lb_attach_save(void)
{
	struct if_nameindex *ifs, *i;
	struct lb_attach a;
	const char *mode;
	char path[512];
	uint32_t id;
	int fd, err;

	lb_pin_path(path, sizeof(path), PIN_PROG);
	fd = bpf_obj_get(path);
	err = fd < 0 ? errno : 0;
	if (err == ENOENT)
		return; /* never attached in this namespace */
	if (err == EACCES || err == EPERM) {
		/* reads need no privilege; the pins do (directory 0700) */
		fprintf(stderr,
			"lbctl: warning: save: attach lines left out: "
			"%s: %s (run lbctl save as root)\n",
			path, strerror(err));
		return;
	}
	if (err)
		lb_die(EXIT_ENV, "save: cannot read %s: %s", path,
		       strerror(err));
	id = prog_id(fd);
	close(fd);
	pinned_sizes(&a);
	ifs = if_nameindex();
	if (!ifs)
		lb_die(EXIT_ENV, "save: cannot list the devices: %s",
		       strerror(errno));
	for (i = ifs; i->if_index; i++) {
		mode = attached_mode(i->if_index, id);
		if (mode)
			printf("attach %s mode %s max-services %u "
			       "max-backends %u table-max %u "
			       "conntrack-size %u\n",
			       i->if_name, mode, a.max_services, a.max_backends,
			       a.table_max, a.ct_size);
	}
	if_freenameindex(ifs);
}

int cmd_detach(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	unsigned int ifindex;
	uint32_t flags = 0;
	int err;

	if (argc != 2)
		lb_die(EXIT_ERR, argc < 2 ? "missing device after \"detach\"" :
					    "too many arguments to \"detach\"");
	ifindex = dev_index(argv[1]);
	if (geteuid() != 0)
		lb_die(EXIT_ENV, "detach: permission denied: run lbctl as "
				 "root");
	err = bpf_xdp_query((int)ifindex, 0, &q);
	if (err)
		lb_die(EXIT_ENV, "cannot query XDP on \"%s\": %s", argv[1],
		       strerror(-err));
	if (!q.prog_id)
		lb_die(EXIT_ERR, "device \"%s\" has no XDP program attached",
		       argv[1]);
	lb_pin_dir_mount();
	if (!is_xlb_prog(q.prog_id))
		lb_die(EXIT_ERR,
		       "the XDP program on \"%s\" is not xlb's; not touching it",
		       argv[1]);
	if (q.attach_mode == XDP_ATTACHED_SKB)
		flags = XDP_FLAGS_SKB_MODE;
	else if (q.attach_mode == XDP_ATTACHED_DRV)
		flags = XDP_FLAGS_DRV_MODE;
	else if (q.attach_mode == XDP_ATTACHED_HW)
		flags = XDP_FLAGS_HW_MODE;
	/* first: no frame is redirected to a device without the program */
	if (pinned(XLB_MAP_EGRESS))
		lb_vlans_forget(ifindex);
	err = bpf_xdp_detach((int)ifindex, flags, NULL);
	if (err)
		lb_die(EXIT_ENV, "cannot detach XDP from \"%s\": %s", argv[1],
		       strerror(-err));
	return EXIT_OK;
}

/* Drop the module's references to the maps (XLB_CMD_UNBIND). */
int cmd_unbind(int argc, char **argv)
{
	int err;

	if (argc > 1)
		lb_die_unknown(argv[1], "unbind");
	xnl_open();
	err = xnl_request(xnl_msg(XLB_CMD_UNBIND, 0), NULL, NULL);
	return err ? xnl_report(err, "unbind") : EXIT_OK;
}
