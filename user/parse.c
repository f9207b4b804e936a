// SPDX-License-Identifier: GPL-2.0
/*
 * parse.c - lbctl input parsing (see parse.h).  Compiled into lbctl and
 * into the host unit test, so it must not depend on netlink or libbpf.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "uapi/xlb_maps.h"
#include "uapi/xlb_netlink.h"
#include "maglev.h"

static char parse_err[256];

const char *lb_parse_error(void)
{
	return parse_err;
}

void lb_set_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(parse_err, sizeof(parse_err), fmt, ap);
	va_end(ap);
}

/*
 * Strict unsigned decimal: no sign, no spaces, no trailing junk.  A leading
 * 0 is decimal (010 is ten, not octal eight); with hex, "0x" starts a
 * hexadecimal number.
 */
static int parse_ulong(const char *s, bool hex, unsigned long long *v)
{
	int base = 10;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	if (hex && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		base = 16;
		if (!isxdigit((unsigned char)*s))
			return -1;
	}
	errno = 0;
	*v = strtoull(s, &end, base);
	if (errno || *end)
		return -1;
	return 0;
}

int lb_parse_u32(const char *s, const char *what, uint32_t min, uint32_t max,
		 uint32_t *v)
{
	unsigned long long x;

	if (parse_ulong(s, false, &x) || x < min || x > max) {
		lb_set_error("invalid %s \"%s\": expected a decimal integer "
			     "%u..%u",
			     what, s, min, max);
		return -1;
	}
	*v = (uint32_t)x;
	return 0;
}

int lb_parse_seed(const char *s, uint32_t *v)
{
	unsigned long long x;

	if (parse_ulong(s, true, &x) || x > UINT32_MAX) {
		lb_set_error("invalid seed \"%s\": expected a decimal or 0x "
			     "hexadecimal integer 0..%u",
			     s, UINT32_MAX);
		return -1;
	}
	*v = (uint32_t)x;
	return 0;
}

int lb_parse_weight(const char *s, uint32_t *w)
{
	return lb_parse_u32(s, "weight", 0, 65535, w);
}

int lb_parse_table_size(const char *s, uint32_t *m)
{
	unsigned long long x;
	const __u32 *p = xlb_maglev_sizes;
	__u32 lo = p[0], hi = p[0];

	while (*p)
		hi = *p++;
	if (parse_ulong(s, false, &x) || x > UINT32_MAX ||
	    !xlb_maglev_size_valid((__u32)x)) {
		lb_set_error("invalid table size \"%s\": expected a prime from "
			     "the Maglev size list, %u..%u, in decimal "
			     "(e.g. 65537)",
			     s, lo, hi);
		return -1;
	}
	*m = (uint32_t)x;
	return 0;
}

/* Seconds; the module's policy enforces the same range. */
int lb_parse_udp_timeout(const char *s, uint32_t *t)
{
	return lb_parse_u32(s, "udp-timeout", XLB_UDP_TIMEOUT_MIN,
			    XLB_UDP_TIMEOUT_MAX, t);
}

int lb_parse_encap_opt(const char *key, const char *v, struct lb_encap_opt *o)
{
	uint32_t port;

	if (!strcmp(key, "encap")) {
		if (!strcmp(v, "ipip")) {
			o->encap = XLB_ENCAP_IPIP;
		} else if (!strcmp(v, "gue")) {
			o->encap = XLB_ENCAP_GUE;
		} else {
			lb_set_error(
				"invalid encap \"%s\": expected ipip or gue",
				v);
			return -1;
		}
		o->has_encap = true;
		return 0;
	}
	if (strcmp(key, "port"))
		return 1;
	if (lb_parse_u32(v, "port", 1, 65535, &port))
		return -1;
	o->port = (uint16_t)port;
	o->has_port = true;
	return 0;
}

int lb_parse_addr(const char *s, struct lb_addr *a)
{
	char buf[LB_ADDRSTRLEN];
	size_t n = strlen(s);

	memset(a, 0, sizeof(*a));
	if (n >= 2 && n < sizeof(buf) && s[0] == '[' && s[n - 1] == ']') {
		memcpy(buf, s + 1, n - 2);
		buf[n - 2] = '\0';
		if (inet_pton(AF_INET6, buf, a->a) == 1) {
			a->family = AF_INET6;
			return 0;
		}
	} else if (inet_pton(AF_INET, s, a->a) == 1) {
		a->family = AF_INET;
		return 0;
	} else if (inet_pton(AF_INET6, s, a->a) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	lb_set_error("invalid address \"%s\": expected an IPv4 or IPv6 address",
		     s);
	return -1;
}

int lb_parse_proto(const char *s, uint8_t *proto)
{
	if (!strcmp(s, "tcp") || !strcmp(s, "6")) {
		*proto = IPPROTO_TCP;
		return 0;
	}
	if (!strcmp(s, "udp") || !strcmp(s, "17")) {
		*proto = IPPROTO_UDP;
		return 0;
	}
	lb_set_error("invalid protocol \"%s\": expected tcp or udp", s);
	return -1;
}

const char *lb_proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	default:
		return "?";
	}
}

/* A port number, or a name from /etc/services (files only, no network). */
int lb_parse_port(const char *s, const char *proto_name, uint16_t *port)
{
	unsigned long long x;
	struct servent *se;

	if (!parse_ulong(s, false, &x)) {
		if (x >= 1 && x <= 65535) {
			*port = (uint16_t)x;
			return 0;
		}
	} else if (*s && !isdigit((unsigned char)*s)) {
		se = getservbyname(s, proto_name);
		if (se) {
			*port = ntohs((uint16_t)se->s_port);
			return 0;
		}
	}
	lb_set_error("invalid port \"%s\": expected 1..65535 or a service name",
		     s);
	return -1;
}

/*
 * Split "ADDR:PORT" or "[ADDR6]:PORT" into its parts (in place in buf).
 * A bare IPv6 address with a port is ambiguous, so brackets are required.
 */
static int split_host_port(char *buf, char **host, char **port)
{
	char *colon;

	if (buf[0] == '[') {
		char *close = strchr(buf, ']');

		if (!close || close[1] != ':')
			return -1;
		*close = '\0';
		*host = buf + 1;
		*port = close + 2;
		return 0;
	}
	colon = strchr(buf, ':');
	if (!colon || strchr(colon + 1, ':'))
		return -1;
	*colon = '\0';
	*host = buf;
	*port = colon + 1;
	return 0;
}

static int parse_host_v(const char *host, const char *orig, const char *what,
			const char *example, struct lb_addr *a)
{
	if (inet_pton(AF_INET, host, a->a) == 1 && !strchr(orig, '[')) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, host, a->a) == 1 && orig[0] == '[') {
		a->family = AF_INET6;
		return 0;
	}
	lb_set_error("invalid address in %s \"%s\": expected %s", what, orig,
		     example);
	return -1;
}

#define SVC_EXAMPLE \
	"VIP:PORT/PROTO, e.g. 192.0.2.10:80/tcp or [2001:db8::1]:80/tcp"
#define EP_EXAMPLE "ADDR:PORT, e.g. 198.51.100.7:40000 or [2001:db8::7]:40000"

int lb_parse_svc(const char *s, struct lb_svc_key *k)
{
	char buf[LB_SVCSTRLEN], *slash, *host, *port;

	memset(k, 0, sizeof(*k));
	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	slash = strrchr(buf, '/');
	if (!slash)
		goto bad;
	*slash = '\0';
	if (lb_parse_proto(slash + 1, &k->proto))
		return -1;
	if (split_host_port(buf, &host, &port))
		goto bad;
	if (parse_host_v(host, s, "service", SVC_EXAMPLE, &k->addr))
		return -1;
	return lb_parse_port(port, lb_proto_name(k->proto), &k->port);
bad:
	lb_set_error("invalid service \"%s\": expected " SVC_EXAMPLE, s);
	return -1;
}

int lb_parse_endpoint(const char *s, struct lb_endpoint *e)
{
	char buf[LB_SVCSTRLEN], *host, *port;

	memset(e, 0, sizeof(*e));
	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	if (split_host_port(buf, &host, &port))
		goto bad;
	if (parse_host_v(host, s, "endpoint", EP_EXAMPLE, &e->addr))
		return -1;
	return lb_parse_port(port, NULL, &e->port);
bad:
	lb_set_error("invalid endpoint \"%s\": expected " EP_EXAMPLE, s);
	return -1;
}

/* A backend: an address without a port (packets keep the service's). */
int lb_parse_backend(const char *s, struct lb_addr *a)
{
	char buf[LB_SVCSTRLEN], *host, *port;
	struct lb_addr tmp;

	if (!lb_parse_addr(s, a))
		return 0;
	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	if (split_host_port(buf, &host, &port) ||
	    (inet_pton(AF_INET, host, tmp.a) != 1 &&
	     inet_pton(AF_INET6, host, tmp.a) != 1))
		return -1;
	lb_set_error("invalid backend \"%s\": backends take no port (packets "
		     "keep the service's port): expected an IPv4 or IPv6 "
		     "address",
		     s);
	return -1;
}

int lb_check_keyword(char **argv, int first, int i)
{
	int j;

	for (j = first; j < i; j += 2) {
		if (!strcmp(argv[j], argv[i])) {
			lb_set_error("keyword \"%s\" given twice: give each "
				     "keyword once",
				     argv[i]);
			return -1;
		}
	}
	return 0;
}

bool lb_addr_eq(const struct lb_addr *x, const struct lb_addr *y)
{
	return !lb_addr_cmp(x, y);
}

int lb_addr_cmp(const struct lb_addr *x, const struct lb_addr *y)
{
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->a, y->a, x->family == AF_INET ? 4 : 16);
}

int lb_svc_cmp(const struct lb_svc_key *x, const struct lb_svc_key *y)
{
	int r = lb_addr_cmp(&x->addr, &y->addr);

	if (r)
		return r;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return (int)x->proto - (int)y->proto;
}

char *lb_fmt_addr(const struct lb_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family, a->a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

char *lb_fmt_svc(const struct lb_svc_key *k, bool names, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], p[32];
	const char *pn = lb_proto_name(k->proto);
	struct servent *se = NULL;

	if (names)
		se = getservbyport(htons(k->port), pn);
	if (se)
		snprintf(p, sizeof(p), "%s", se->s_name);
	else
		snprintf(p, sizeof(p), "%u", k->port);
	lb_fmt_addr(&k->addr, a, sizeof(a));
	if (k->addr.family == AF_INET6)
		snprintf(buf, len, "[%s]:%s/%s", a, p, pn);
	else
		snprintf(buf, len, "%s:%s/%s", a, p, pn);
	return buf;
}

int lb_split_words(char *line, char **argv, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			return n;
		if (n == max)
			return -1;
		argv[n++] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (*p)
			*p++ = '\0';
	}
}
