/* SPDX-License-Identifier: GPL-2.0 */
/*
 * parse.h - lbctl's input parsing: addresses, "VIP:PORT/PROTO" service keys,
 * endpoints, weights, table sizes.  Pure functions over strings, no netlink,
 * so the unit tests (tests/unit/test_lbctl_parse.c) link the same file.
 *
 * Every parser returns 0 on success or -1 with a one-line message naming the
 * bad value and the rule, available from lb_parse_error().
 */
#ifndef LBCTL_PARSE_H
#define LBCTL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An address in network byte order; IPv4 in a[0..3], the rest zero. */
struct lb_addr {
	int family; /* AF_INET or AF_INET6 */
	uint8_t a[16];
};

/* A service key: VIP, port (host order) and IP protocol number. */
struct lb_svc_key {
	struct lb_addr addr;
	uint16_t port;
	uint8_t proto;
};

/* ADDR:PORT, as in "lbctl lookup". */
struct lb_endpoint {
	struct lb_addr addr;
	uint16_t port;
};

#define LB_ADDRSTRLEN 48 /* "[" v6 "]" */
#define LB_SVCSTRLEN 80 /* "[v6]:port/proto" or with service names */

const char *lb_parse_error(void);
void lb_set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int lb_parse_addr(const char *s, struct lb_addr *a);
int lb_parse_proto(const char *s, uint8_t *proto);
int lb_parse_port(const char *s, const char *proto_name, uint16_t *port);
int lb_parse_svc(const char *s, struct lb_svc_key *k);
int lb_parse_endpoint(const char *s, struct lb_endpoint *e);
int lb_parse_weight(const char *s, uint32_t *w);
int lb_parse_table_size(const char *s, uint32_t *m);
int lb_parse_udp_timeout(const char *s, uint32_t *t);

/* "encap ipip|gue" and "port N" of service add/set and restore lines. */
struct lb_encap_opt {
	bool has_encap, has_port;
	uint8_t encap; /* enum xlb_encap */
	uint16_t port;
};
/* 1: key is not an encap option; 0: parsed; -1: bad value (lb_set_error) */
int lb_parse_encap_opt(const char *key, const char *v, struct lb_encap_opt *o);
/* Numbers are decimal; a leading 0 does not make them octal. */
int lb_parse_u32(const char *s, const char *what, uint32_t min, uint32_t max,
		 uint32_t *v);
/* The hash seed: decimal, or hexadecimal with 0x (as save writes it). */
int lb_parse_seed(const char *s, uint32_t *v);
/* A backend address; one written with a port gets its own message. */
int lb_parse_backend(const char *s, struct lb_addr *a);
/*
 * Keyword/value lists: refuse argv[i] when the keyword already appeared at
 * argv[first], argv[first + 2], ..., argv[i - 2].
 */
int lb_check_keyword(char **argv, int first, int i);

const char *lb_proto_name(uint8_t proto);
bool lb_addr_eq(const struct lb_addr *x, const struct lb_addr *y);
int lb_addr_cmp(const struct lb_addr *x, const struct lb_addr *y);
int lb_svc_cmp(const struct lb_svc_key *x, const struct lb_svc_key *y);

/* Plain address: "10.0.0.2", "2001:db8::1". */
char *lb_fmt_addr(const struct lb_addr *a, char *buf, size_t len);
/*
 * Service key "192.0.2.10:80/tcp", "[2001:db8::1]:80/tcp".  With
 * names, the port is shown by its /etc/services name when it has one.
 */
char *lb_fmt_svc(const struct lb_svc_key *k, bool names, char *buf, size_t len);

/*
 * Split a line into whitespace separated words in place (for restore).
 * '#' starts a comment.  Returns the number of words, or -1 when there are
 * more than max.
 */
int lb_split_words(char *line, char **argv, int max);

#endif /* LBCTL_PARSE_H */
