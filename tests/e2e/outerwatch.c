// SPDX-License-Identifier: GPL-2.0
/*
 * outerwatch - what the encapsulated frames arriving on a device carry in
 * their outer headers (tests/e2e_gue.bats).
 *
 *   outerwatch DEV UDP_PORT
 *
 * Reads the frames DEV receives with a packet socket, before any
 * decapsulation, and counts GUE frames (outer IPv4 or IPv6 + UDP to
 * UDP_PORT) with their distinct UDP source ports, and the distinct flow
 * labels of the IPv6 frames that carry UDP to UDP_PORT or an IP packet
 * (IPIP / ip6ip6).  Writes "ready" on stderr once the socket is open; on
 * SIGTERM prints one JSON object and exits:
 *   {"gue4":N,"gue6":N,"zero_csum":N,"sports":DISTINCT,"sport_min":P,
 *    "sport_max":P,"frames6":N,"labels6":DISTINCT}
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static uint8_t seen_port[65536 / 8], seen_label[(1 << 20) / 8];

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* Set bit v of map; 1 if it was clear. */
static int mark(uint8_t *map, uint32_t v)
{
	uint8_t bit = (uint8_t)(1u << (v & 7));

	if (map[v >> 3] & bit)
		return 0;
	map[v >> 3] |= bit;
	return 1;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

struct tally {
	unsigned long gue4, gue6, zero_csum, frames6;
	unsigned int sports, labels, sport_min, sport_max;
};

/* One received frame of len bytes. */
static void count(struct tally *t, const uint8_t *f, size_t len, uint16_t port)
{
	const uint8_t *ip = f + ETH_HLEN, *u;
	uint16_t type;
	uint8_t proto;
	int v6;

	if (len < ETH_HLEN + 48)
		return;
	type = be16(f + 12);
	if (type == ETH_P_IP) {
		proto = ip[9];
		u = ip + (size_t)(ip[0] & 0xf) * 4;
		v6 = 0;
	} else if (type == ETH_P_IPV6) {
		proto = ip[6];
		u = ip + 40;
		v6 = 1;
		if (proto == 4 || proto == 41 ||
		    (proto == 17 && be16(u + 2) == port)) {
			t->frames6++;
			t->labels +=
				mark(seen_label, (uint32_t)(ip[1] & 0xf) << 16 |
							 be16(ip + 2));
		}
	} else {
		return;
	}
	if (proto != 17 || u + 8 > f + len || be16(u + 2) != port)
		return;
	*(v6 ? &t->gue6 : &t->gue4) += 1;
	t->zero_csum += !be16(u + 6);
	t->sports += mark(seen_port, be16(u));
	if (!t->sport_min || be16(u) < t->sport_min)
		t->sport_min = be16(u);
	if (be16(u) > t->sport_max)
		t->sport_max = be16(u);
}

int main(int argc, char **argv)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct sigaction sa = { .sa_handler = on_term };
	struct tally t = { 0 };
	static uint8_t buf[65536];
	int fd, rcvbuf = 8 << 20;
	uint16_t port;

	if (argc != 3) {
		fprintf(stderr, "usage: outerwatch DEV UDP_PORT\n");
		return 2;
	}
	port = (uint16_t)strtoul(argv[2], NULL, 10);
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex(argv[1]);
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0 || !sll.sll_ifindex ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)) ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		fprintf(stderr, "outerwatch: %s: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL); /* no SA_RESTART: recvfrom returns */
	fprintf(stderr, "ready\n");
	while (!stop) {
		struct sockaddr_ll from = { 0 };
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &flen);

		if (n > 0 && from.sll_pkttype != PACKET_OUTGOING)
			count(&t, buf, (size_t)n, port);
	}
	printf("{\"gue4\":%lu,\"gue6\":%lu,\"zero_csum\":%lu,\"sports\":%u,"
	       "\"sport_min\":%u,\"sport_max\":%u,\"frames6\":%lu,"
	       "\"labels6\":%u}\n",
	       t.gue4, t.gue6, t.zero_csum, t.sports, t.sport_min, t.sport_max,
	       t.frames6, t.labels);
	return 0;
}
