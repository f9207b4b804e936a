// SPDX-License-Identifier: GPL-2.0
/*
 * checks.c - xlb-healthd's checkers: tcp (non-blocking connect), http (GET,
 * status line), udp (request, reply prefix) and exec (a program, exit 0).
 * Each runs as a small state machine on the main loop's poll(); a check
 * goes straight to the backend's address (Documentation/health.md says
 * why).  An error of the checker itself (no socket, no fork) is
 * XLB_HC_R_ERROR, which never counts against the backend.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "healthd.h"

enum {
	ST_CONNECT,
	ST_SEND,
	ST_RECV
};

static void done(struct hd_be *be, uint8_t result, int detail)
{
	be->result = result;
	be->detail = (uint16_t)detail;
	hd_check_cancel(be);
}

/* connect() errors that say something about the backend or the path. */
static bool backend_errno(int e)
{
	return e == ECONNREFUSED || e == ENETUNREACH || e == EHOSTUNREACH ||
	       e == ECONNRESET || e == ETIMEDOUT || e == EHOSTDOWN ||
	       e == ENETDOWN || e == EPIPE;
}

static void io_error(struct hd_be *be, int e)
{
	done(be, backend_errno(e) ? XLB_HC_R_CONNECT : XLB_HC_R_ERROR, e);
}

static uint16_t check_port(const struct hd_svc *s, const struct hd_be *be)
{
	return be->hc.port ? be->hc.port : s->s.key.port;
}

static socklen_t sockaddr_of(const struct hd_svc *s, const struct hd_be *be,
			     struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (be->b.addr.family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(check_port(s, be));
		memcpy(&sin->sin_addr, be->b.addr.a, 4);
		return sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(check_port(s, be));
		memcpy(&sin6->sin6_addr, be->b.addr.a, 16);
		return sizeof(*sin6);
	}
}

static void start_socket(const struct hd_svc *s, struct hd_be *be)
{
	int type = be->hc.type == XLB_HC_UDP ? SOCK_DGRAM : SOCK_STREAM;
	struct sockaddr_storage ss;
	socklen_t sl = sockaddr_of(s, be, &ss);

	be->fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (be->fd < 0) {
		done(be, XLB_HC_R_ERROR, errno);
		return;
	}
	be->stage = ST_CONNECT;
	if (connect(be->fd, (struct sockaddr *)&ss, sl) < 0 &&
	    errno != EINPROGRESS) {
		io_error(be, errno);
		return;
	}
	if (type == SOCK_DGRAM)
		be->stage = ST_SEND;
}

static void start_exec(const struct hd_svc *s, struct hd_be *be)
{
	char addr[LB_ADDRSTRLEN], port[8];
	const char *cmd = be->hc.cmd;
	pid_t pid;

	if (access(cmd, X_OK) < 0) {
		done(be, XLB_HC_R_ERROR, errno);
		return;
	}
	lb_fmt_addr(&be->b.addr, addr, sizeof(addr));
	snprintf(port, sizeof(port), "%u", check_port(s, be));
	pid = fork();
	if (pid < 0) {
		done(be, XLB_HC_R_ERROR, errno);
		return;
	}
	if (!pid) {
		sigset_t none;
		int null = open("/dev/null", O_RDWR);

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setpgid(0, 0);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
		}
		execl(cmd, cmd, addr, port, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	be->pid = pid;
}

void hd_check_start(const struct hd_svc *s, struct hd_be *be, uint64_t now)
{
	be->deadline = now + be->hc.timeout;
	be->len = 0;
	be->result = XLB_HC_R_NONE;
	be->detail = 0;
	if (be->hc.type == XLB_HC_EXEC)
		start_exec(s, be);
	else
		start_socket(s, be);
}

short hd_check_events(const struct hd_svc *s, const struct hd_be *be)
{
	(void)s;
	return be->stage == ST_RECV ? POLLIN : POLLOUT;
}

static void http_request(struct hd_be *be)
{
	char req[2 * XLB_HC_STR_MAX + 128], host[LB_ADDRSTRLEN + 8];
	const char *h = be->hc.host;
	int n;

	if (!h[0]) {
		lb_fmt_addr(&be->b.addr, host + 1, sizeof(host) - 1);
		if (be->b.addr.family == AF_INET6) {
			host[0] = '[';
			strcat(host, "]");
			h = host;
		} else {
			h = host + 1;
		}
	}
	n = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.0\r\nHost: %s\r\n"
		     "User-Agent: xlb-healthd\r\nConnection: close\r\n\r\n",
		     be->hc.path, h);
	if (send(be->fd, req, (size_t)n, MSG_NOSIGNAL) != n) {
		io_error(be, errno ? errno : EMSGSIZE);
		return;
	}
	be->stage = ST_RECV;
}

/* "HTTP/1.x NNN ..." once the first line is in. */
static void http_status(struct hd_be *be, bool eof)
{
	const char *p = be->buf + 9; /* "HTTP/1.x NNN" */
	int status;

	if (!memchr(be->buf, '\n', be->len) && !eof &&
	    be->len < sizeof(be->buf) - 1)
		return;
	be->buf[be->len] = '\0';
	if (be->len < 12 || memcmp(be->buf, "HTTP/1.", 7) ||
	    !isdigit((unsigned char)be->buf[7]) || be->buf[8] != ' ' ||
	    !isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) ||
	    !isdigit((unsigned char)p[2])) {
		done(be, XLB_HC_R_REPLY, 0);
		return;
	}
	status = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	if (status == be->hc.expect)
		done(be, XLB_HC_R_OK, status);
	else
		done(be, XLB_HC_R_STATUS, status);
}

static void on_recv(struct hd_be *be)
{
	uint8_t want[XLB_HC_STR_MAX];
	int wlen = 0;
	ssize_t n;

	n = recv(be->fd, be->buf + be->len, sizeof(be->buf) - 1 - be->len, 0);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			io_error(be, errno);
		return;
	}
	if (be->hc.type == XLB_HC_HTTP) {
		be->len += (size_t)n;
		http_status(be, n == 0);
		return;
	}
	/* udp: one datagram decides (the module checked the hex form) */
	if (be->hc.recv[0])
		wlen = lb_hc_payload(be->hc.recv, want, sizeof(want));
	if (wlen >= 0 && n >= wlen && !memcmp(be->buf, want, (size_t)wlen))
		done(be, XLB_HC_R_OK, 0);
	else
		done(be, XLB_HC_R_REPLY, 0);
}

static void on_send(struct hd_be *be)
{
	uint8_t req[XLB_HC_STR_MAX];
	int len;

	if (be->hc.type == XLB_HC_HTTP) {
		http_request(be);
		return;
	}
	len = lb_hc_payload(be->hc.send, req, sizeof(req));
	if (len < 0) { /* not from lbctl or the module: say so, drain nothing */
		done(be, XLB_HC_R_ERROR, EINVAL);
		return;
	}
	if (send(be->fd, req, (size_t)len, 0) != len) {
		io_error(be, errno);
		return;
	}
	be->stage = ST_RECV;
}

bool hd_check_io(struct hd_be *be, short revents)
{
	int err = 0;
	socklen_t el = sizeof(err);

	if (be->stage == ST_CONNECT) {
		if (getsockopt(be->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
			err = errno;
		if (err) {
			io_error(be, err);
			return true;
		}
		if (be->hc.type == XLB_HC_TCP) {
			done(be, XLB_HC_R_OK, 0);
			return true;
		}
		be->stage = ST_SEND;
	}
	if (be->stage == ST_SEND && (revents & POLLOUT))
		on_send(be);
	else if (be->stage == ST_RECV &&
		 (revents & (POLLIN | POLLERR | POLLHUP)))
		on_recv(be);
	return be->fd < 0;
}

void hd_check_exited(struct hd_be *be, int status)
{
	be->pid = 0;
	if (WIFEXITED(status))
		done(be, WEXITSTATUS(status) ? XLB_HC_R_EXIT : XLB_HC_R_OK,
		     WEXITSTATUS(status));
	else
		done(be, XLB_HC_R_SIGNAL,
		     WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

void hd_check_timeout(struct hd_be *be)
{
	done(be, XLB_HC_R_TIMEOUT, 0);
}

void hd_check_cancel(struct hd_be *be)
{
	if (be->fd >= 0)
		close(be->fd);
	be->fd = -1;
	if (be->pid > 0)
		kill(-be->pid, SIGKILL); /* reaped by the loop */
	be->pid = 0;
}
