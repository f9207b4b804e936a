// SPDX-License-Identifier: GPL-2.0
/*
 * namesrv - the backend server of the end-to-end tests.
 *
 *   namesrv [-f PIDFILE] NAME PORT ADDR...
 *
 * Listens on every ADDR:PORT with TCP and UDP and answers with its own name:
 *   TCP: "NAME\n" right after accept, and again for every chunk received;
 *        the connection closes when the peer closes or resets it.
 *   UDP: "NAME\n" for every datagram, sent from the address it arrived on
 *        (each socket is bound to one address, so direct server return
 *        replies carry the VIP as source).
 * Sockets use IP_FREEBIND so the VIP may be added after start.  PIDFILE is
 * written once every socket is bound, so callers can wait for it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_EVENTS 64

/* Listening sockets are tagged by setting the high bit of their epoll data. */
#define TAG_LISTEN (1ULL << 62)
#define TAG_UDP (1ULL << 61)

static const char *name;
static size_t name_len;
static char reply[256];

static void die(const char *what, const char *arg)
{
	fprintf(stderr, "namesrv: %s %s: %s\n", what, arg ? arg : "",
		strerror(errno));
	exit(1);
}

static int parse_addr(const char *s, unsigned short port,
		      struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*len = sizeof(*sin6);
		return 0;
	}
	return -1;
}

/* The socket lives in the epoll set for the life of the process. */
static void open_sock(int ep, const char *addr, unsigned short port, int type)
{
	struct sockaddr_storage ss;
	struct epoll_event ev = { .events = EPOLLIN };
	socklen_t len;
	int one = 1, fd;

	if (parse_addr(addr, port, &ss, &len)) {
		fprintf(stderr,
			"namesrv: bad address '%s': expected IPv4 or IPv6\n",
			addr);
		exit(1);
	}
	fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket", addr);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
	} else {
		setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	}
	if (bind(fd, (struct sockaddr *)&ss, len))
		die("bind", addr);
	if (type == SOCK_STREAM && listen(fd, 1024))
		die("listen", addr);
	ev.data.u64 = (unsigned int)fd | TAG_LISTEN |
		      (type == SOCK_DGRAM ? TAG_UDP : 0);
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
		die("epoll_ctl", addr);
}

static void serve_udp(int fd)
{
	struct sockaddr_storage peer;
	char buf[2048];
	socklen_t plen;
	int i;

	/* Bounded batch so one busy socket cannot starve the others. */
	for (i = 0; i < 64; i++) {
		plen = sizeof(peer);
		if (recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer,
			     &plen) < 0)
			return;
		sendto(fd, reply, name_len + 1, MSG_DONTWAIT,
		       (struct sockaddr *)&peer, plen);
	}
}

static void accept_tcp(int ep, int lfd)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP };
	struct sockaddr_storage peer;
	socklen_t plen;
	int fd;

	for (;;) {
		plen = sizeof(peer);
		fd = accept4(lfd, (struct sockaddr *)&peer, &plen,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			break;
		if (send(fd, reply, name_len + 1, MSG_NOSIGNAL) < 0) {
			close(fd);
			continue;
		}
		ev.data.u64 = (unsigned int)fd;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
			close(fd);
	}
}

static void serve_tcp(int fd)
{
	char buf[2048];
	ssize_t n = recv(fd, buf, sizeof(buf), 0);

	if (n > 0) {
		if (send(fd, reply, name_len + 1, MSG_NOSIGNAL) >= 0)
			return;
	} else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		return;
	}
	close(fd); /* also removes it from the epoll set */
}

int main(int argc, char **argv)
{
	struct epoll_event evs[MAX_EVENTS];
	const char *pidfile = NULL;
	unsigned long port;
	char *end;
	int ep, i, n;

	if (argc > 2 && !strcmp(argv[1], "-f")) {
		pidfile = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc < 4) {
		fprintf(stderr,
			"usage: namesrv [-f PIDFILE] NAME PORT ADDR...\n");
		return 2;
	}
	name = argv[1];
	name_len = strlen(name);
	if (name_len == 0 || name_len >= sizeof(reply) - 1) {
		fprintf(stderr, "namesrv: bad name '%s': 1..%zu characters\n",
			name, sizeof(reply) - 2);
		return 1;
	}
	memcpy(reply, name, name_len);
	reply[name_len] = '\n';
	port = strtoul(argv[2], &end, 10);
	if (*end || port == 0 || port > 65535) {
		fprintf(stderr, "namesrv: bad port '%s': expected 1..65535\n",
			argv[2]);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		die("epoll_create1", NULL);
	for (i = 3; i < argc; i++) {
		open_sock(ep, argv[i], port, SOCK_STREAM);
		open_sock(ep, argv[i], port, SOCK_DGRAM);
	}
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");

		if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f))
			die("write", pidfile);
	}
	for (;;) {
		n = epoll_wait(ep, evs, MAX_EVENTS, -1);
		if (n < 0 && errno != EINTR)
			die("epoll_wait", NULL);
		for (i = 0; i < n; i++) {
			unsigned long long d = evs[i].data.u64;
			int fd = (int)(d & 0xffffffffu);

			if (!(d & TAG_LISTEN))
				serve_tcp(fd);
			else if (d & TAG_UDP)
				serve_udp(fd);
			else
				accept_tcp(ep, fd);
		}
	}
}
