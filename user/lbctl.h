/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lbctl.h - what lbctl's command files share: global options, exit codes,
 * the in-memory view of the configuration, and each command's entry point.
 */
#ifndef LBCTL_H
#define LBCTL_H

#include <stdbool.h>
#include <stdint.h>

#include "health.h"
#include "parse.h"
#include "xlb_version.h"

#define LBCTL_VERSION XLB_VERSION

/* Exit codes, documented in Documentation/lbctl.8. */
enum {
	EXIT_OK = 0,
	EXIT_ERR = 1, /* bad input, or the request was refused */
	EXIT_ENV = 2, /* module missing, no privilege, BPF/XDP failure */
};

struct lb_opts {
	bool json;
	bool numeric;
};
extern struct lb_opts opts;

/* err.c: the program name in messages ("lbctl" unless its main sets it). */
extern const char *lb_prog;
/* Where the input being read is ("FILE:LINE"): lb_err() names it. */
extern const char *lb_err_where;
/* Print "<lb_prog>: [<lb_err_where>: ]<message>" to stderr. */
void lb_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* lb_err() then exit(code). */
void lb_die(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
/* The last parse error (lb_parse_error()), then exit 1. */
void lb_die_parse(void) __attribute__((noreturn));
/* "missing value after KEYWORD" etc. */
const char *lb_need_arg(int argc, char **argv, int i, const char *what);
/* The value of keyword argv[i]; dies when argv[first..i) had it already. */
const char *lb_kw_value(int argc, char **argv, int first, int i);
void lb_die_unknown(const char *word, const char *context)
	__attribute__((noreturn));

/* Counters of a service or backend (XLB_CNT_A_*), from a dump. */
struct lb_cnt {
	uint64_t packets, bytes, flows;
};

/* The configuration as read from the module. */
struct lb_backend {
	uint32_t id;
	struct lb_addr addr;
	uint32_t weight;
	uint8_t state; /* enum xlb_be_admin */
	uint32_t slots;
	uint32_t gen;
	uint8_t health; /* enum xlb_be_health */
	uint8_t hc_result; /* enum xlb_hc_result */
	uint16_t hc_detail;
	uint32_t hc_age; /* seconds */
	bool has_hc_age;
	struct lb_cnt cnt;
	struct lb_hc *hc; /* its own check (malloc'd), NULL: the service's */
};

struct lb_service {
	uint32_t id;
	struct lb_svc_key key;
	uint32_t table_size;
	uint32_t flags;
	uint32_t udp_timeout; /* 0: not a UDP service */
	uint8_t encap; /* enum xlb_encap */
	uint16_t encap_port; /* GUE destination port */
	uint32_t nbackends;
	uint64_t digest;
	struct lb_hc hc; /* type 0: no health check */
	struct lb_backend *be;
	int nbe;
	struct lb_cnt cnt;
};

struct lb_config {
	uint32_t seed;
	bool has_src4, has_src6;
	struct lb_addr src4, src6;
	bool bound;
	uint32_t max_services, max_backends, table_max;
	uint32_t txn_discarded; /* staged REPLACEs their sender left */
	uint32_t txn_port; /* owner of the staged REPLACE in progress, or 0 */
};

struct lb_state {
	struct lb_service *svc;
	int nsvc;
};

/* state.c-like helpers living in service.c */
int lb_load_state(struct lb_state *st, bool backends);
void lb_free_state(struct lb_state *st);
/* Free s's backends (their own checks too). */
void lb_free_backends(struct lb_service *s);
int lb_get_config(struct lb_config *cfg);
const char *lb_state_name(const struct lb_backend *b);
const char *lb_hash_name(uint32_t flags);
int lb_parse_hash(const char *s, uint32_t *flags);
int lb_parse_state(const char *s, uint8_t *state);

/* " encap gue port N" of a GUE service, "" for IPIP (show, save). */
const char *lb_fmt_encap(const struct lb_service *s, char *buf, size_t len);

struct nlattr;
/* Parse XLB_A_SERVICE / XLB_A_BACKEND of a reply (tb: top-level attrs). */
int lb_nl_service(struct nlattr **tb, struct lb_service *s);
int lb_nl_backend(struct nlattr **tb, struct lb_backend *b);

struct nl_msg;
/* state.c: XLB_SVC_A_HEALTH from/to struct lb_hc. */
int lb_nl_hc(struct nlattr *nest, struct lb_hc *hc);
int lb_put_hc(struct nl_msg *m, const struct lb_hc *hc);
/* The same as nest type (XLB_BE_A_HEALTH_CHECK: a backend's own check). */
int lb_put_hc_as(struct nl_msg *m, int type, const struct lb_hc *hc);
/* config.c: add XLB_A_CONFIG; NULL members are left out. */
int lb_put_config(struct nl_msg *m, const uint32_t *seed,
		  const struct lb_addr *src4, const struct lb_addr *src6);
/* service.c: XLB_SVC_A_ENCAP / _ENCAP_PORT of the options given. */
int lb_put_encap(struct nl_msg *m, const struct lb_encap_opt *o);

/* show.c: "show" and "service list" output, text or JSON. */
void lb_print_services(const struct lb_state *st, bool backends);
void lb_check_service_arg(int argc, char **argv);
void lb_filter_service(struct lb_state *st, int argc, char **argv);

/* Command entry points: argv[0] is the command word. */
int cmd_service(int argc, char **argv);
int cmd_add(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_drain(int argc, char **argv);
int cmd_del(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_lookup(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_unbind(int argc, char **argv);
int cmd_save(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_flush(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_health(int argc, char **argv);

#endif /* LBCTL_H */
