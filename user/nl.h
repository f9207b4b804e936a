/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nl.h - lbctl's generic netlink layer over libnl-genl-3: family
 * resolution, request/ack with extended-ack messages, dumps restarted on
 * NLM_F_DUMP_INTR, and attribute helpers for addresses.
 */
#ifndef LBCTL_NL_H
#define LBCTL_NL_H

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "uapi/xlb_netlink.h"
#include "parse.h"

/* Called for each reply message with its parsed top-level attributes. */
typedef int (*xnl_reply_fn)(struct nlattr **tb, void *arg);
/* Called before a dump (re)starts, to drop what an interrupted dump gave. */
typedef void (*xnl_reset_fn)(void *arg);

/* Connect and resolve family "xlb"; exits with a clear message on failure. */
void xnl_open(void);
/*
 * The same without exiting (for xlb-healthd, which waits for the module):
 * 0, or a negative libnl error (-NLE_OBJ_NOTFOUND: module not loaded).
 */
int xnl_try_open(void);
/*
 * For daemons, before each use: open if closed, else resolve the family
 * again over the open socket (a reloaded module registers it with a new
 * id).  0, or a negative libnl error with the socket closed
 * (-NLE_OBJ_NOTFOUND: the module is not loaded).
 */
int xnl_refresh(void);
/* Close the socket; the next open resolves the family again. */
void xnl_close(void);
struct nl_sock *xnl_sock(void);
int xnl_family(void);

/* A new request for cmd (flags: e.g. NLM_F_DUMP).  Exits on ENOMEM. */
struct nl_msg *xnl_msg(uint8_t cmd, int flags);
/* The same with room for size bytes of attributes. */
struct nl_msg *xnl_msg_size(uint8_t cmd, int flags, size_t size);

/*
 * Send msg (consumed) and read replies until the ack (or the end of a
 * dump).  Returns 0 or a negative errno; the kernel's extended ack
 * message, if any, is then in xnl_extack().
 */
int xnl_request(struct nl_msg *msg, xnl_reply_fn fn, void *arg);

/*
 * A dump of cmd; build (may be NULL) adds request attributes.  Restarts
 * from scratch (calling reset first) whenever the kernel flags the dump
 * as interrupted by a concurrent change.
 */
int xnl_dump(uint8_t cmd, int (*build)(struct nl_msg *, void *),
	     xnl_reply_fn fn, xnl_reset_fn reset, void *arg);

const char *xnl_extack(void);

/*
 * Print "lbctl: <what>: <reason>" for a failed request, where reason is the
 * module's extack message or strerror, with advice for EPERM.  Returns the
 * exit code to use.
 */
int xnl_report(int err, const char *what);

/* Attribute helpers. */
int xnl_put_addr(struct nl_msg *m, int a4, int a6, const struct lb_addr *a);
int xnl_get_addr(struct nlattr **tb, int a4, int a6, struct lb_addr *a);
int xnl_put_svc_key(struct nl_msg *m, const struct lb_svc_key *k);
int xnl_parse_nested(struct nlattr **tb, int max, struct nlattr *nest);
/* Add XLB_A_SERVICE { key } to m. */
int xnl_put_service(struct nl_msg *m, const struct lb_svc_key *k);

#endif /* LBCTL_NL_H */
