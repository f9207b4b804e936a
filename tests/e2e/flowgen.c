// SPDX-License-Identifier: GPL-2.0
/*
 * flowgen - traffic generator of the end-to-end tests.
 *
 * Every flow has a fixed five-tuple: flow i uses source address
 * SRC[i % nsrc] and source port BASE + i / nsrc (in loop mode the index wraps
 * around the -n tuple space), so running the same command twice repeats the
 * same flows.  The backend (namesrv) answers with its name, which is how a
 * flow learns where it landed.
 *
 *   run  (default)  N flows, each: connect, read the name, reset (TCP; the
 *                   RST leaves no TIME_WAIT, so the tuple can be reused at
 *                   once) or one datagram and its answer (UDP, -u; resent
 *                   every second, at most -r times).
 *
 * A flow fails when it gets no answer within -w ms (default 10 s: a slow
 * emulated machine is not a failure) or is reset.
 *   hold (-H K)     open K TCP connections and keep them; on SIGUSR1 send
 *                   data over every one and check the answer comes from the
 *                   same backend; SIGTERM ends.
 *   loop (-T SEC)   for SEC seconds: K held connections (-H) are pinged
 *                   every -i ms while new flows run continuously.
 *
 * Output: one JSON object per line on stdout (a summary per run / check);
 * -m FILE writes "SRC SPORT NAME" per flow ("-" when the flow failed).
 * Failed TCP flows are charged to a backend even when its name never
 * arrived: each backend advertises a distinct MSS (set by the topology), and
 * the MSS seen on successful flows identifies the backend of a failed one.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SRC 64
#define MAX_BE 64
#define BE_UNKNOWN MAX_BE /* index of the "?" bucket */
#define NAME_MAX_LEN 63
#define UDP_RESEND_MS 1000 /* UDP: resend the query this often */

enum cstate {
	C_FREE,
	C_CONNECTING,
	C_WAIT_NAME,
	C_HELD,
	C_WAIT_PING,
	C_DEAD
};

struct conn {
	int fd;
	enum cstate state;
	bool held; /* a long-lived connection (hold / loop) */
	unsigned int flow; /* flow index */
	int tries;
	int be; /* backend index, -1 until the name arrives */
	int mss;
	int err; /* errno of a failure, for -v */
	long long deadline; /* ms, CLOCK_MONOTONIC */
	long long next_ping;
	size_t blen;
	char buf[NAME_MAX_LEN + 2];
};

struct tally {
	unsigned long ok, fail;
	unsigned long be_ok[MAX_BE];
	unsigned long be_fail[MAX_BE + 1];
};

static struct {
	struct sockaddr_storage vip;
	socklen_t vip_len;
	struct sockaddr_storage src[MAX_SRC];
	socklen_t src_len[MAX_SRC];
	char src_str[MAX_SRC][INET6_ADDRSTRLEN];
	int nsrc;
	unsigned int port, base, nflows, conc, timeout, retries, hold;
	unsigned int interval, duration;
	bool udp, verbose;
	const char *mapfile;
} opt = {
	.port = 80,
	.base = 20000,
	.nflows = 1000,
	.conc = 64,
	.timeout = 10000,
	.retries = 10,
	.interval = 200,
};

static char be_name[MAX_BE][NAME_MAX_LEN + 2];
static int be_mss[MAX_BE];
static int nbe;
static int ep;
static volatile sig_atomic_t got_usr1, got_term;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: flowgen -d VIP -s SRC [-s SRC]... [-p PORT] [-u] [-b SPORT_BASE]\n"
		"               [-n FLOWS] [-c CONCURRENCY] [-w TIMEOUT_MS] [-r UDP_TRIES]\n"
		"               [-m MAPFILE] [-H HELD [-T SECONDS [-i PING_MS]]] [-v]\n");
	exit(2);
}

static void fatal(const char *fmt, const char *arg)
{
	fprintf(stderr, "flowgen: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

static unsigned int num(const char *s, unsigned int lo, unsigned int hi,
			const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi) {
		fprintf(stderr, "flowgen: bad %s '%s': expected %u..%u\n", what,
			s, lo, hi);
		exit(1);
	}
	return v;
}

static int parse_addr(const char *s, struct sockaddr_storage *ss,
		      socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		*len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		*len = sizeof(*sin6);
		return 0;
	}
	return -1;
}

static void set_port(struct sockaddr_storage *ss, unsigned int port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

static unsigned int flow_sport(unsigned int flow)
{
	return opt.base + (flow % opt.nflows) / opt.nsrc;
}

static int flow_src(unsigned int flow)
{
	return (flow % opt.nflows) % opt.nsrc;
}

static int be_index(const char *name)
{
	int i;

	for (i = 0; i < nbe; i++)
		if (!strcmp(be_name[i], name))
			return i;
	if (nbe == MAX_BE)
		return -1;
	snprintf(be_name[nbe], sizeof(be_name[nbe]), "%s", name);
	return nbe++;
}

/* Backend of a failed flow from its MSS, when exactly one backend has it. */
static int be_by_mss(int mss)
{
	int i, found = BE_UNKNOWN;

	if (mss <= 0)
		return BE_UNKNOWN;
	for (i = 0; i < nbe; i++) {
		if (be_mss[i] != mss)
			continue;
		if (found != BE_UNKNOWN)
			return BE_UNKNOWN;
		found = i;
	}
	return found;
}

/* ---- connection plumbing ---------------------------------------------- */

static void watch(struct conn *c, unsigned int events, int op)
{
	struct epoll_event ev = { .events = events, .data.ptr = c };

	if (epoll_ctl(ep, op, c->fd, &ev))
		fatal("epoll_ctl: %s", strerror(errno));
}

static void reset_close(struct conn *c)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	if (c->fd < 0)
		return;
	if (!opt.udp)
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(c->fd);
	c->fd = -1;
}

static int udp_send(struct conn *c)
{
	return send(c->fd, "q\n", 2, 0) == 2 ? 0 : -1;
}

/* Start flow c->flow; returns 0, or -1 if the socket could not be set up. */
static int conn_start(struct conn *c)
{
	struct sockaddr_storage src;
	int s = flow_src(c->flow), one = 1;

	c->fd = socket(opt.vip.ss_family,
		       (opt.udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK |
			       SOCK_CLOEXEC,
		       0);
	if (c->fd < 0)
		fatal("socket: %s", strerror(errno));
	setsockopt(c->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	src = opt.src[s];
	set_port(&src, flow_sport(c->flow));
	c->be = -1;
	c->mss = 0;
	c->err = 0;
	c->blen = 0;
	c->deadline = now_ms() + (opt.udp ? UDP_RESEND_MS : opt.timeout);
	if (bind(c->fd, (struct sockaddr *)&src, opt.src_len[s]))
		goto err;
	if (connect(c->fd, (struct sockaddr *)&opt.vip, opt.vip_len) &&
	    errno != EINPROGRESS)
		goto err;
	if (opt.udp) {
		if (udp_send(c))
			goto err;
		c->state = C_WAIT_NAME;
		watch(c, EPOLLIN, EPOLL_CTL_ADD);
	} else {
		c->state = C_CONNECTING;
		watch(c, EPOLLOUT, EPOLL_CTL_ADD);
	}
	return 0;
err:
	if (opt.verbose)
		fprintf(stderr, "flowgen: flow %s:%u: %s\n", opt.src_str[s],
			flow_sport(c->flow), strerror(errno));
	reset_close(c);
	return -1;
}

/* Reads a line; returns 1 with c->buf holding the name, 0 for more, -1. */
static int read_line(struct conn *c)
{
	ssize_t n;
	char *nl;

	n = recv(c->fd, c->buf + c->blen, sizeof(c->buf) - 1 - c->blen, 0);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		c->err = errno;
		return -1;
	}
	if (n == 0) {
		c->err = EPIPE;
		return -1;
	}
	c->blen += n;
	c->buf[c->blen] = '\0';
	nl = strchr(c->buf, '\n');
	if (!nl)
		return c->blen == sizeof(c->buf) - 1 ? -1 : 0;
	*nl = '\0';
	if (opt.udp)
		return 1;
	/* Anything after the newline is unexpected on this protocol. */
	return nl + 1 == c->buf + c->blen ? 1 : -1;
}

/* ---- outcomes --------------------------------------------------------- */

static int *flow_be; /* run / hold: backend per flow, -1 failed */
static struct tally t_new, t_est;
static unsigned long est_pings;

static void outcome(struct tally *t, struct conn *c, bool ok)
{
	int be = c->be;

	if (ok) {
		t->ok++;
		t->be_ok[be]++;
		return;
	}
	t->fail++;
	if (be < 0)
		be = be_by_mss(c->mss);
	t->be_fail[be]++;
	if (opt.verbose)
		fprintf(stderr, "flowgen: fail %s %u %s: %s\n",
			opt.src_str[flow_src(c->flow)], flow_sport(c->flow),
			be == BE_UNKNOWN ? "?" : be_name[be],
			c->err ? strerror(c->err) : "no answer");
}

/* A new flow ends (success or failure). */
static void flow_done(struct conn *c, bool ok)
{
	if (flow_be && c->flow < opt.nflows)
		flow_be[c->flow] = ok ? c->be : -1;
	outcome(&t_new, c, ok);
	if (ok && opt.hold && c->held) {
		c->state = C_HELD;
		c->blen = 0;
		c->next_ping = now_ms() + opt.interval;
		watch(c, 0, EPOLL_CTL_MOD);
		return;
	}
	reset_close(c);
	c->state = ok || !c->held ? C_FREE : C_DEAD;
}

static void name_arrived(struct conn *c)
{
	int be = be_index(c->buf);

	if (be < 0) {
		flow_done(c, false);
		return;
	}
	c->be = be;
	if (c->mss > 0)
		be_mss[be] = c->mss;
	flow_done(c, true);
}

static void ping_done(struct conn *c, bool ok)
{
	outcome(&t_est, c, ok);
	if (!ok) {
		reset_close(c);
		c->state = C_DEAD;
		return;
	}
	c->state = C_HELD;
	c->blen = 0;
	c->next_ping = now_ms() + opt.interval;
	watch(c, 0, EPOLL_CTL_MOD);
}

static void send_ping(struct conn *c)
{
	est_pings++;
	c->blen = 0;
	c->deadline = now_ms() + opt.timeout;
	if (send(c->fd, "p\n", 2, MSG_NOSIGNAL) != 2) {
		ping_done(c, false);
		return;
	}
	c->state = C_WAIT_PING;
	watch(c, EPOLLIN, EPOLL_CTL_MOD);
}

static void on_event(struct conn *c, unsigned int ev)
{
	int err = 0, r;
	socklen_t len = sizeof(err);

	switch (c->state) {
	case C_CONNECTING:
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err) {
			c->err = err;
			flow_done(c, false);
			return;
		}
		len = sizeof(c->mss);
		getsockopt(c->fd, IPPROTO_TCP, TCP_MAXSEG, &c->mss, &len);
		c->state = C_WAIT_NAME;
		watch(c, EPOLLIN, EPOLL_CTL_MOD);
		return;
	case C_WAIT_NAME:
		r = read_line(c);
		if (r > 0)
			name_arrived(c);
		else if (r < 0 && !opt.udp)
			flow_done(c, false);
		return;
	case C_WAIT_PING:
		r = read_line(c);
		if (r > 0)
			ping_done(c, !strcmp(c->buf, be_name[c->be]));
		else if (r < 0)
			ping_done(c, false);
		return;
	case C_HELD:
		/* Nothing may arrive unasked: a reset or close kills it. */
		if (ev & (EPOLLERR | EPOLLHUP)) {
			reset_close(c);
			c->state = C_DEAD;
		}
		return;
	default:
		return;
	}
}

static void on_timeout(struct conn *c, long long now)
{
	if (now < c->deadline)
		return;
	switch (c->state) {
	case C_CONNECTING:
	case C_WAIT_NAME:
		if (opt.udp && ++c->tries < (int)opt.retries) {
			c->deadline = now + UDP_RESEND_MS;
			if (udp_send(c) == 0)
				return;
		}
		flow_done(c, false);
		return;
	case C_WAIT_PING:
		ping_done(c, false);
		return;
	default:
		return;
	}
}

/* ---- the event loop --------------------------------------------------- */

static struct conn *conns;
static unsigned int nconns;

static bool busy(struct conn *c)
{
	return c->state == C_CONNECTING || c->state == C_WAIT_NAME ||
	       c->state == C_WAIT_PING;
}

/* One round of the event loop: wait at most max_wait ms. */
static void pump(int max_wait, const sigset_t *mask)
{
	struct epoll_event evs[128];
	long long now = now_ms(), wake = now + max_wait;
	unsigned int i;
	int n;

	for (i = 0; i < nconns; i++) {
		if (busy(&conns[i]) && conns[i].deadline < wake)
			wake = conns[i].deadline;
		if (conns[i].state == C_HELD && opt.duration &&
		    conns[i].next_ping < wake)
			wake = conns[i].next_ping;
	}
	n = epoll_pwait(ep, evs, 128, wake > now ? (int)(wake - now) : 0, mask);
	for (i = 0; n > 0 && i < (unsigned int)n; i++)
		on_event(evs[i].data.ptr, evs[i].events);
	now = now_ms();
	for (i = 0; i < nconns; i++)
		if (busy(&conns[i]))
			on_timeout(&conns[i], now);
}

static unsigned int count_busy(unsigned int from, unsigned int to)
{
	unsigned int i, k = 0;

	for (i = from; i < to; i++)
		k += busy(&conns[i]);
	return k;
}

/* ---- reports ---------------------------------------------------------- */

static void print_be(const char *key, const unsigned long *v, bool unknown)
{
	bool first = true;
	int i;

	printf("\"%s\":{", key);
	for (i = 0; i < nbe; i++) {
		if (!v[i])
			continue;
		printf("%s\"%s\":%lu", first ? "" : ",", be_name[i], v[i]);
		first = false;
	}
	if (unknown && v[BE_UNKNOWN])
		printf("%s\"?\":%lu", first ? "" : ",", v[BE_UNKNOWN]);
	printf("}");
}

static void print_tally(const char *key, const struct tally *t)
{
	if (key)
		printf("\"%s\":{", key);
	printf("\"ok\":%lu,\"fail\":%lu,", t->ok, t->fail);
	print_be("backends", t->be_ok, false);
	printf(",");
	print_be("fail_by", t->be_fail, true);
	if (key)
		printf("}");
}

static void write_map(unsigned int n)
{
	FILE *f;
	unsigned int i;

	if (!opt.mapfile)
		return;
	f = fopen(opt.mapfile, "w");
	if (!f)
		fatal("cannot write %s", opt.mapfile);
	for (i = 0; i < n; i++)
		fprintf(f, "%s %u %s\n", opt.src_str[flow_src(i)],
			flow_sport(i),
			flow_be[i] < 0 ? "-" : be_name[flow_be[i]]);
	if (fclose(f))
		fatal("cannot write %s", opt.mapfile);
}

/* ---- modes ------------------------------------------------------------ */

static void run_mode(const sigset_t *mask)
{
	unsigned int next = 0, i;

	while (next < opt.nflows || count_busy(0, nconns)) {
		for (i = 0; i < nconns && next < opt.nflows; i++) {
			if (conns[i].state != C_FREE)
				continue;
			conns[i].flow = next++;
			conns[i].tries = 0;
			if (conn_start(&conns[i]))
				flow_done(&conns[i], false);
		}
		pump(1000, mask);
	}
	write_map(opt.nflows);
	printf("{\"mode\":\"run\",\"proto\":\"%s\",\"flows\":%u,",
	       opt.udp ? "udp" : "tcp", opt.nflows);
	print_tally(NULL, &t_new);
	printf("}\n");
}

/* Opens the held connections (conns[0..hold-1], flows 0..hold-1). */
static void open_held(const sigset_t *mask)
{
	unsigned int started = 0, inflight;
	struct conn *c;

	for (;;) {
		inflight = count_busy(0, opt.hold);
		while (started < opt.hold && inflight < opt.conc) {
			c = &conns[started];
			c->flow = started++;
			c->held = true;
			if (conn_start(c))
				flow_done(c, false);
			else
				inflight++;
		}
		if (started == opt.hold && !inflight)
			break;
		pump(1000, mask);
	}
	write_map(opt.hold);
	printf("{\"mode\":\"hold\",\"event\":\"open\",\"conns\":%u,", opt.hold);
	print_tally(NULL, &t_new);
	printf("}\n");
	fflush(stdout);
}

static void hold_check(const sigset_t *mask)
{
	unsigned int i, dead = 0;

	memset(&t_est, 0, sizeof(t_est));
	for (i = 0; i < opt.hold; i++) {
		if (conns[i].state == C_HELD)
			send_ping(&conns[i]);
		else if (conns[i].be >= 0 && conns[i].state == C_DEAD)
			outcome(&t_est, &conns[i], false);
		else
			dead++;
	}
	while (count_busy(0, opt.hold))
		pump(1000, mask);
	printf("{\"mode\":\"hold\",\"event\":\"check\",\"never_opened\":%u,",
	       dead);
	print_tally(NULL, &t_est);
	printf("}\n");
	fflush(stdout);
}

static void hold_mode(const sigset_t *mask)
{
	open_held(mask);
	while (!got_term) {
		if (got_usr1) {
			got_usr1 = 0;
			hold_check(mask);
		}
		pump(1000, mask);
	}
}

static void loop_mode(const sigset_t *mask)
{
	unsigned int span = opt.nflows - opt.hold, k = 0, i;
	long long start, end, now;

	if (opt.hold)
		open_held(mask);
	memset(&t_new, 0, sizeof(t_new));
	start = now_ms();
	end = start + opt.duration * 1000LL;
	while (!got_term && (now = now_ms()) < end) {
		for (i = 0; i < opt.hold; i++)
			if (conns[i].state == C_HELD &&
			    now >= conns[i].next_ping)
				send_ping(&conns[i]);
		/* New flows use the tuples after the held ones, wrapping. */
		for (i = opt.hold; i < nconns; i++) {
			if (conns[i].state != C_FREE)
				continue;
			conns[i].flow = opt.hold + k++ % span;
			conns[i].tries = 0;
			conns[i].held = false;
			if (conn_start(&conns[i]))
				flow_done(&conns[i], false);
		}
		pump(100, mask);
	}
	while (count_busy(0, nconns))
		pump(1000, mask);
	printf("{\"mode\":\"loop\",\"proto\":\"tcp\",\"seconds\":%.1f,"
	       "\"held\":%u,\"new_flows\":%u,\"pings\":%lu,",
	       (now_ms() - start) / 1000.0, opt.hold, k, est_pings);
	print_tally("new", &t_new);
	printf(",");
	print_tally("est", &t_est);
	printf("}\n");
}

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_usr1 = 1;
	else
		got_term = 1;
}

static void parse_args(int argc, char **argv)
{
	const char *vip = NULL;
	int c;

	while ((c = getopt(argc, argv, "d:s:p:ub:n:c:w:r:m:H:T:i:v")) != -1) {
		switch (c) {
		case 'd':
			vip = optarg;
			if (parse_addr(optarg, &opt.vip, &opt.vip_len))
				fatal("bad VIP '%s': expected an IPv4 or IPv6 address",
				      optarg);
			break;
		case 's':
			if (opt.nsrc == MAX_SRC)
				fatal("too many source addresses at '%s' (max 64)",
				      optarg);
			if (parse_addr(optarg, &opt.src[opt.nsrc],
				       &opt.src_len[opt.nsrc]))
				fatal("bad source '%s': expected an IPv4 or IPv6 address",
				      optarg);
			snprintf(opt.src_str[opt.nsrc], INET6_ADDRSTRLEN, "%s",
				 optarg);
			opt.nsrc++;
			break;
		case 'p':
			opt.port = num(optarg, 1, 65535, "port");
			break;
		case 'u':
			opt.udp = true;
			break;
		case 'b':
			opt.base = num(optarg, 1, 65535, "source port base");
			break;
		case 'n':
			opt.nflows = num(optarg, 1, 4000000, "flow count");
			break;
		case 'c':
			opt.conc = num(optarg, 1, 4096, "concurrency");
			break;
		case 'w':
			opt.timeout = num(optarg, 10, 600000, "timeout");
			break;
		case 'r':
			opt.retries = num(optarg, 1, 100, "tries");
			break;
		case 'm':
			opt.mapfile = optarg;
			break;
		case 'H':
			opt.hold = num(optarg, 1, 60000, "held connections");
			break;
		case 'T':
			opt.duration = num(optarg, 1, 86400, "duration");
			break;
		case 'i':
			opt.interval = num(optarg, 1, 600000, "ping interval");
			break;
		case 'v':
			opt.verbose = true;
			break;
		default:
			usage();
		}
	}
	if (!vip || !opt.nsrc || optind != argc)
		usage();
	set_port(&opt.vip, opt.port);
	for (c = 0; c < opt.nsrc; c++)
		if (opt.src[c].ss_family != opt.vip.ss_family)
			fatal("source '%s' and the VIP are of different families",
			      opt.src_str[c]);
	if ((opt.hold || opt.duration) && opt.udp)
		fatal("%s", "-H and -T need TCP (drop -u)");
	if (opt.hold > opt.nflows)
		opt.nflows = opt.hold;
	if (opt.duration && opt.nflows <= opt.hold)
		fatal("%s",
		      "-T needs more flows (-n) than held connections (-H)");
	if (opt.base + (opt.nflows - 1) / opt.nsrc > 65535)
		fatal("%s",
		      "source ports run past 65535: lower -b or -n or add sources");
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, waitmask;
	unsigned int i;

	parse_args(argc, argv);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	sigdelset(&waitmask, SIGUSR1);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		fatal("epoll_create1: %s", strerror(errno));
	nconns = (opt.duration ? opt.hold : 0) + opt.conc;
	if (opt.hold && !opt.duration)
		nconns = opt.hold;
	conns = calloc(nconns, sizeof(*conns));
	flow_be = calloc(opt.nflows, sizeof(*flow_be));
	if (!conns || !flow_be)
		fatal("%s", "out of memory");
	for (i = 0; i < nconns; i++)
		conns[i].fd = -1;
	for (i = 0; i < opt.nflows; i++)
		flow_be[i] = -1;

	if (opt.duration)
		loop_mode(&waitmask);
	else if (opt.hold)
		hold_mode(&waitmask);
	else
		run_mode(&waitmask);
	fflush(stdout);
	return 0;
}
