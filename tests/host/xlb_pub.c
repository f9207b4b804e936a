// SPDX-License-Identifier: GPL-2.0
/*
 * xlb_pub.c - load build/xlb.bpf.o, publish a configuration into its maps
 * the way the kernel module does (tests/bpf/xlbh.c), attach it to a device
 * (native XDP) and keep it there until stdin reaches EOF; then print the
 * global counters ("stat <name> <value>") and detach.  For the host DSR
 * test (tests/host/dsr.sh), where no kernel module is available.
 *
 *   xlb_pub -i DEV [-e EGRESS]... -4 SRC4 -6 SRC6 -s VIP,PORT,tcp|udp -b BACKEND ... \
 *           [-s ... -b ...]
 * Each -b adds a backend (weight 1) to the last -s.  Each -e names another
 * device encapsulated frames may leave through (xlb_egress; DEV is one).
 */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/libbpf.h>

#include "xlbh.h"

static const char *const stat_name[XLB_STAT__MAX] = {
#define X(name, text, info) [XLB_STAT_##name] = (text),
	XLB_STATS(X)
#undef X
};

static void usage(void)
{
	fprintf(stderr, "usage: xlb_pub -i DEV [-e EGRESS]... -4 SRC4 -6 SRC6 "
			"-s VIP,PORT,tcp|udp -b ADDR... [-s ... -b ...]\n");
	exit(2);
}

static struct xlbh_svc *add_service(struct xlbh *h, __u32 sid, char *arg)
{
	char *vip = strtok(arg, ","), *port = strtok(NULL, ","),
	     *proto = strtok(NULL, ",");
	char *e;
	long n;
	__u8 p;

	if (!vip || !port || !proto)
		usage();
	if (!strcmp(proto, "tcp"))
		p = IPPROTO_TCP;
	else if (!strcmp(proto, "udp"))
		p = IPPROTO_UDP;
	else {
		fprintf(stderr, "xlb_pub: bad protocol '%s': want tcp or udp\n",
			proto);
		exit(2);
	}
	n = strtol(port, &e, 10);
	if (*e || n < 1 || n > 65535) {
		fprintf(stderr, "xlb_pub: bad port '%s': want 1..65535\n",
			port);
		exit(2);
	}
	return xlbh_svc_add(h, sid, vip, n, p, 251);
}

int main(int argc, char **argv)
{
	struct xlbh h;
	struct xlbh_svc *s = NULL;
	__u64 c[XLB_STAT__MAX];
	__u32 sid = 0, bid = 0;
	int ifindex = 0, opt, err, i;
	__be32 a[4], src4 = 0, src6[4] = { 0 };
	char buf[64];

	err = xlbh_open(&h, 251, 64);
	if (err) {
		fprintf(stderr, "xlb_pub: load: %s\n", strerror(-err));
		return 1;
	}
	while ((opt = getopt(argc, argv, "i:e:4:6:s:b:")) != -1) {
		switch (opt) {
		case 'i':
		case 'e':
			i = (int)if_nametoindex(optarg);
			if (opt == 'i')
				ifindex = i;
			if (!i) {
				fprintf(stderr, "xlb_pub: no device '%s'\n",
					optarg);
				return 2;
			}
			/* as lbctl attach: frames leave through it */
			err = xlbh_vlan_add(&h, i, 0, i);
			if (err) {
				fprintf(stderr, "xlb_pub: xlb_egress: %s\n",
					strerror(-err));
				return 2;
			}
			break;
		case '4':
			xlbh_addr(optarg, a);
			src4 = a[0];
			break;
		case '6':
			xlbh_addr(optarg, src6);
			break;
		case 's':
			if (sid >= XLBH_MAX_SVC)
				usage();
			s = add_service(&h, sid++, optarg);
			break;
		case 'b':
			if (!s || s->nbe >= XLBH_MAX_BE)
				usage();
			xlbh_be_add(&h, s, bid++, optarg, 1);
			break;
		default:
			usage();
		}
	}
	if (!ifindex || !sid)
		usage();
	h.src4 = src4;
	memcpy(h.src6, src6, 16);
	h.flags = XLB_CTL_F_BOUND;
	err = xlbh_publish(&h);
	if (!err)
		err = bpf_xdp_attach(ifindex, xlbh_prog_fd(&h),
				     XDP_FLAGS_DRV_MODE, NULL);
	if (err) {
		fprintf(stderr, "xlb_pub: publish/attach: %s\n",
			strerror(-err));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (fgets(buf, sizeof(buf), stdin))
		;
	xlbh_stats(&h, c);
	for (i = 0; i < XLB_STAT__MAX; i++)
		printf("stat %s %llu\n", stat_name[i],
		       (unsigned long long)c[i]);
	bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
	xlbh_close(&h);
	return 0;
}
