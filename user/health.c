// SPDX-License-Identifier: GPL-2.0
/*
 * health.c - health check lines and the rise/fall state machine (see
 * health.h).  No netlink: linked into lbctl, xlb-healthd and the unit test.
 */
#include <stdio.h>
#include <string.h>

#include "health.h"
#include "parse.h"

static const char *const type_names[] = {
	[XLB_HC_TCP] = "tcp",
	[XLB_HC_HTTP] = "http",
	[XLB_HC_UDP] = "udp",
	[XLB_HC_EXEC] = "exec",
};

const char *lb_hc_type_name(uint8_t type)
{
	if (type && type <= __XLB_HC_TYPE_MAX)
		return type_names[type];
	return "none";
}

const char *lb_hc_health_name(uint8_t health)
{
	if (health == XLB_BE_HEALTH_UP)
		return "up";
	if (health == XLB_BE_HEALTH_DOWN)
		return "down";
	if (health == XLB_BE_HEALTH_DRAINED)
		return "down-drained";
	return "unknown";
}

void lb_hc_init(struct lb_hc *hc, uint8_t type)
{
	memset(hc, 0, sizeof(*hc));
	hc->type = type;
	hc->interval = XLB_HC_INTERVAL_DEFAULT;
	hc->timeout = XLB_HC_TIMEOUT_DEFAULT;
	hc->rise = XLB_HC_RISE_DEFAULT;
	hc->fall = XLB_HC_FALL_DEFAULT;
	if (type == XLB_HC_HTTP) {
		hc->expect = XLB_HC_EXPECT_DEFAULT;
		strcpy(hc->path, "/");
	}
}

/* Seconds with up to three decimals ("2", "0.5") or milliseconds ("500ms"). */
static int parse_ms(const char *s, const char *what, uint32_t *ms)
{
	unsigned long long v = 0;
	const char *p = s;
	int frac = -1;

	for (; *p >= '0' && *p <= '9' && v <= XLB_HC_INTERVAL_MAX; p++)
		v = v * 10 + (unsigned int)(*p - '0');
	if (p != s && !strcmp(p, "ms"))
		goto range;
	v *= 1000;
	if (p != s && *p == '.') {
		unsigned int scale = 100;

		for (frac = 0, p++; *p >= '0' && *p <= '9' && scale; p++) {
			v += (unsigned long long)(*p - '0') * scale;
			scale /= 10;
			frac++;
		}
	}
	if (p == s || *p || !frac)
		goto bad;
range:
	if (v < XLB_HC_INTERVAL_MIN || v > XLB_HC_INTERVAL_MAX)
		goto bad;
	*ms = (uint32_t)v;
	return 0;
bad:
	lb_set_error("invalid %s \"%s\": expected seconds 0.1..3600 (e.g. 2, "
		     "0.5) or milliseconds (e.g. 500ms)",
		     what, s);
	return -1;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int lb_hc_payload(const char *s, uint8_t *buf, size_t len)
{
	size_t n = 0;

	if (strncmp(s, LB_HC_HEX, strlen(LB_HC_HEX))) {
		n = strlen(s);
		if (n > len)
			return -1;
		memcpy(buf, s, n);
		return (int)n;
	}
	for (s += strlen(LB_HC_HEX); s[0] && s[1]; s += 2) {
		if (hex_digit(s[0]) < 0 || hex_digit(s[1]) < 0 || n == len)
			return -1;
		buf[n++] = (uint8_t)(hex_digit(s[0]) << 4 | hex_digit(s[1]));
	}
	return *s || !n ? -1 : (int)n;
}

/*
 * A value is one word of a saved line: printable ASCII without spaces, no
 * '#' first (a comment).  send and receive take hex:HEX for anything else.
 */
static int parse_str(const char *s, const char *what, char *dst, bool payload)
{
	uint8_t bin[XLB_HC_STR_MAX];
	const char *p;

	if (strlen(s) > XLB_HC_STR_MAX) {
		lb_set_error("invalid %s \"%.40s...\": longer than %d bytes",
			     what, s, XLB_HC_STR_MAX);
		return -1;
	}
	for (p = s; *p > ' ' && *p < 0x7f; p++)
		;
	if (*p || !*s || *s == '#') {
		lb_set_error("invalid %s \"%s\": expected printable characters "
			     "without spaces, not starting with #%s",
			     what, s,
			     payload ? " (hex:HEX for any bytes, e.g. "
				       "hex:70696e670a)" :
				       "");
		return -1;
	}
	if (payload && !strncmp(s, LB_HC_HEX, strlen(LB_HC_HEX)) &&
	    lb_hc_payload(s, bin, sizeof(bin)) < 0) {
		lb_set_error("invalid %s \"%s\": expected hex: and pairs of "
			     "hex digits (at least one byte)",
			     what, s);
		return -1;
	}
	strcpy(dst, s);
	return 0;
}

static int parse_type(const char *s, uint8_t *type)
{
	unsigned int t;

	if (!strcmp(s, "none")) {
		*type = 0;
		return 0;
	}
	for (t = 1; t <= __XLB_HC_TYPE_MAX; t++) {
		if (!strcmp(s, type_names[t])) {
			*type = (uint8_t)t;
			return 0;
		}
	}
	lb_set_error("invalid health check type \"%s\": expected tcp, http, "
		     "udp, exec or none",
		     s);
	return -1;
}

/* The keywords, and the check types each applies to. */
enum {
	KW_ALL = 0xff,
	KW_HTTP = 1 << XLB_HC_HTTP,
	KW_UDP = 1 << XLB_HC_UDP,
	KW_EXEC = 1 << XLB_HC_EXEC
};

static int parse_kw(struct lb_hc *hc, const char *kw, const char *v)
{
	uint32_t x;

	if (!strcmp(kw, "interval"))
		return parse_ms(v, "interval", &hc->interval);
	if (!strcmp(kw, "timeout"))
		return parse_ms(v, "timeout", &hc->timeout);
	if (!strcmp(kw, "rise") || !strcmp(kw, "fall")) {
		if (lb_parse_u32(v, kw, 1, XLB_HC_COUNT_MAX, &x))
			return -1;
		*(kw[0] == 'r' ? &hc->rise : &hc->fall) = (uint8_t)x;
		return 0;
	}
	if (!strcmp(kw, "port")) {
		if (lb_parse_u32(v, "health check port", 1, 65535, &x))
			return -1;
		hc->port = (uint16_t)x;
		return 0;
	}
	if (!strcmp(kw, "expect")) {
		if (lb_parse_u32(v, "expected HTTP status", 100, 599, &x))
			return -1;
		hc->expect = (uint16_t)x;
		return 0;
	}
	if (!strcmp(kw, "path"))
		return parse_str(v, "path", hc->path, false);
	if (!strcmp(kw, "host"))
		return parse_str(v, "host", hc->host, false);
	if (!strcmp(kw, "send"))
		return parse_str(v, "send", hc->send, true);
	if (!strcmp(kw, "receive"))
		return parse_str(v, "receive", hc->recv, true);
	if (!strcmp(kw, "command"))
		return parse_str(v, "command", hc->cmd, false);
	return 1;
}

static int kw_types(const char *kw)
{
	if (!strcmp(kw, "path") || !strcmp(kw, "host") || !strcmp(kw, "expect"))
		return KW_HTTP;
	if (!strcmp(kw, "send") || !strcmp(kw, "receive"))
		return KW_UDP;
	if (!strcmp(kw, "command"))
		return KW_EXEC;
	return KW_ALL;
}

int lb_hc_parse(int argc, char **argv, struct lb_hc *hc)
{
	uint8_t type;
	int i, r;

	if (argc < 1) {
		lb_set_error("missing health check type: expected tcp, http, "
			     "udp, exec or none");
		return -1;
	}
	if (parse_type(argv[0], &type))
		return -1;
	lb_hc_init(hc, type);
	if (!type && argc > 1) {
		lb_set_error("unexpected \"%s\" after \"none\"", argv[1]);
		return -1;
	}
	for (i = 1; i < argc; i += 2) {
		if (!(kw_types(argv[i]) & (1 << type))) {
			lb_set_error("\"%s\" does not apply to a %s check",
				     argv[i], type_names[type]);
			return -1;
		}
		if (i + 1 >= argc) {
			lb_set_error("missing value after \"%s\"", argv[i]);
			return -1;
		}
		r = parse_kw(hc, argv[i], argv[i + 1]);
		if (r < 0)
			return -1;
		if (r > 0) {
			lb_set_error("unknown health check keyword \"%s\"",
				     argv[i]);
			return -1;
		}
	}
	return lb_hc_validate(hc);
}

bool lb_hc_eq(const struct lb_hc *x, const struct lb_hc *y)
{
	return x->type == y->type && x->port == y->port &&
	       x->interval == y->interval && x->timeout == y->timeout &&
	       x->rise == y->rise && x->fall == y->fall &&
	       x->expect == y->expect && !strcmp(x->path, y->path) &&
	       !strcmp(x->host, y->host) && !strcmp(x->send, y->send) &&
	       !strcmp(x->recv, y->recv) && !strcmp(x->cmd, y->cmd);
}

int lb_hc_validate(const struct lb_hc *hc)
{
	if (!hc->type)
		return 0;
	if (hc->timeout > hc->interval) {
		lb_set_error("invalid timeout %u ms: must not exceed the "
			     "interval (%u ms)",
			     hc->timeout, hc->interval);
		return -1;
	}
	if (hc->type == XLB_HC_HTTP && hc->path[0] != '/') {
		lb_set_error("invalid path \"%s\": must start with /",
			     hc->path);
		return -1;
	}
	if (hc->type == XLB_HC_UDP && !hc->send[0]) {
		lb_set_error("a udp check needs \"send PAYLOAD\"");
		return -1;
	}
	if (hc->type == XLB_HC_EXEC && hc->cmd[0] != '/') {
		lb_set_error("invalid command \"%s\": an exec check needs "
			     "\"command /absolute/path\"",
			     hc->cmd);
		return -1;
	}
	return 0;
}

static size_t put_ms(char *buf, size_t len, const char *kw, uint32_t ms)
{
	if (ms % 1000 == 0)
		return (size_t)snprintf(buf, len, " %s %u", kw, ms / 1000);
	return (size_t)snprintf(buf, len, " %s %ums", kw, ms);
}

static size_t put_str(char *buf, size_t len, const char *kw, const char *v)
{
	return *v ? (size_t)snprintf(buf, len, " %s %s", kw, v) : 0;
}

char *lb_hc_fmt(const struct lb_hc *hc, char *buf, size_t len)
{
	size_t n;

	n = (size_t)snprintf(buf, len, "%s", lb_hc_type_name(hc->type));
	if (!hc->type)
		return buf;
#define ROOM (n < len ? len - n : 0)
	if (hc->port)
		n += (size_t)snprintf(buf + n, ROOM, " port %u", hc->port);
	n += put_str(buf + n, ROOM, "path", hc->path);
	n += put_str(buf + n, ROOM, "host", hc->host);
	if (hc->type == XLB_HC_HTTP)
		n += (size_t)snprintf(buf + n, ROOM, " expect %u", hc->expect);
	n += put_str(buf + n, ROOM, "send", hc->send);
	n += put_str(buf + n, ROOM, "receive", hc->recv);
	n += put_str(buf + n, ROOM, "command", hc->cmd);
	n += put_ms(buf + n, ROOM, "interval", hc->interval);
	n += put_ms(buf + n, ROOM, "timeout", hc->timeout);
	snprintf(buf + n, ROOM, " rise %u fall %u", hc->rise, hc->fall);
#undef ROOM
	return buf;
}

char *lb_hc_result_fmt(uint8_t result, uint16_t detail, char *buf, size_t len)
{
	switch (result) {
	case XLB_HC_R_OK:
		snprintf(buf, len, "ok");
		break;
	case XLB_HC_R_TIMEOUT:
		snprintf(buf, len, "timeout");
		break;
	case XLB_HC_R_CONNECT:
		snprintf(buf, len, "connect: %s", strerror(detail));
		break;
	case XLB_HC_R_STATUS:
		snprintf(buf, len, "http status %u", detail);
		break;
	case XLB_HC_R_REPLY:
		snprintf(buf, len, "unexpected reply");
		break;
	case XLB_HC_R_EXIT:
		snprintf(buf, len, "exit status %u", detail);
		break;
	case XLB_HC_R_SIGNAL:
		snprintf(buf, len, "killed by signal %u", detail);
		break;
	case XLB_HC_R_ERROR:
		snprintf(buf, len, "check not run: %s", strerror(detail));
		break;
	default:
		snprintf(buf, len, "none");
	}
	return buf;
}

int lb_hc_step(struct lb_hc_fsm *f, const struct lb_hc *hc, uint8_t result)
{
	if (result == XLB_HC_R_NONE || result == XLB_HC_R_ERROR)
		return -1;
	if (result == XLB_HC_R_OK) {
		f->bad = 0;
		if (f->ok < XLB_HC_COUNT_MAX)
			f->ok++;
		if (f->health != XLB_BE_HEALTH_UP && f->ok >= hc->rise) {
			f->health = XLB_BE_HEALTH_UP;
			return f->health;
		}
		return -1;
	}
	f->ok = 0;
	if (f->bad < XLB_HC_COUNT_MAX)
		f->bad++;
	if (f->health != XLB_BE_HEALTH_DOWN && f->bad >= hc->fall) {
		f->health = XLB_BE_HEALTH_DOWN;
		return f->health;
	}
	return -1;
}
