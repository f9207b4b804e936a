/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * xlb_netlink.h - the generic netlink ABI of the xlb kernel module.  This
 * header is the single definition of the ABI; the module (kmod/) and lbctl
 * (user/) both include it.  Documentation/netlink.md has the long form.
 *
 * Family "xlb", version 1, netnsok: every namespace has its own services.
 * Multicast group "changes": every successful change is announced with the
 * command that made it and the object's new state (or its key on delete).
 *
 * Permissions: mutating commands need CAP_NET_ADMIN in the user namespace
 * owning the network namespace (GENL_UNS_ADMIN_PERM); so does STATS_ZERO.
 * Reads (GET, dumps, LOOKUP, CONFIG_GET, STATS_GET) need no privilege: the
 * configuration of a load balancer and its counters are not secret inside
 * its own namespace, as with ip(8), `ip -s link` and ipvsadm listing.  The
 * module reads the counters from the maps BIND handed it, so a reader needs
 * no access to the pinned maps (which are root's, 0600).
 *
 * Identifying a service: either XLB_SVC_A_ID, or the key
 *   (XLB_SVC_A_ADDR4 | XLB_SVC_A_ADDR6) + XLB_SVC_A_PORT + XLB_SVC_A_PROTO.
 * Identifying a backend of a service: XLB_BE_A_ADDR4 | XLB_BE_A_ADDR6.
 *
 * Commands and their attribute trees ([] optional, {} reply only):
 *
 * XLB_CMD_SERVICE_NEW   XLB_A_SERVICE: key, [TABLE_SIZE], [FLAGS]
 * XLB_CMD_SERVICE_SET   XLB_A_SERVICE: key or ID, [TABLE_SIZE], [FLAGS]
 * XLB_CMD_SERVICE_DEL   XLB_A_SERVICE: key or ID (its backends go too)
 * XLB_CMD_SERVICE_GET   XLB_A_SERVICE: key or ID; with NLM_F_DUMP: none.
 *     reply: XLB_A_SERVICE: {ID}, key, TABLE_SIZE, FLAGS, {NBACKENDS},
 *            {DIGEST}, {STATS}; XLB_A_GENERATION
 * XLB_CMD_BACKEND_NEW   XLB_A_SERVICE: key or ID
 *                       XLB_A_BACKEND: addr, [WEIGHT] (default 1), [STATE],
 *                       [HEALTH_CHECK]
 * XLB_CMD_BACKEND_SET   XLB_A_SERVICE, XLB_A_BACKEND: addr, [WEIGHT], [STATE],
 *                       [HEALTH_CHECK]
 * XLB_CMD_BACKEND_DEL   XLB_A_SERVICE, XLB_A_BACKEND: addr
 * XLB_CMD_BACKEND_GET   XLB_A_SERVICE, XLB_A_BACKEND: addr;
 *                       with NLM_F_DUMP: XLB_A_SERVICE (all its backends)
 *     reply: XLB_A_SERVICE: {ID}, key; XLB_A_BACKEND: {ID}, addr, WEIGHT,
 *            STATE, {SLOTS}, {GEN}, {STATS}
 *     {STATS} (XLB_SVC_A_STATS, XLB_BE_A_STATS: enum xlb_cnt_attr) only
 *     while the namespace's xlb_svc_stats / xlb_be_stats are bound.
 * XLB_CMD_REPLACE       [XLB_A_CONFIG], XLB_A_SERVICES: nest of services,
 *                       each like SERVICE_NEW plus XLB_SVC_A_BACKENDS: nest
 *                       of backends, each like BACKEND_NEW.
 *     Replaces the whole configuration of the namespace atomically: the
 *     request is validated completely before anything changes, each table
 *     is built once, and either all of it takes effect or none.
 *     With XLB_A_TXN the request is one part of a staged REPLACE, for a
 *     configuration larger than one message (an attribute holds at most
 *     64 KiB): the part with XLB_TXN_F_BEGIN starts it, parts add services
 *     and backends (a service named again in a later part gets the further
 *     backends), the part with XLB_TXN_F_COMMIT applies everything as one
 *     REPLACE.  Nothing changes before the commit; an error in any part,
 *     or the sending socket closing, discards the staged parts
 *     (XLB_CFG_A_TXN_DISCARDED counts those the sender left behind).  One
 *     staged REPLACE per namespace: another socket's BEGIN gets EBUSY
 *     unless the stage has been idle for 10 s.
 * XLB_CMD_FLUSH         (none) deletes every service and backend.
 * XLB_CMD_CONFIG_GET    reply: XLB_A_CONFIG: SEED, [SRC4], [SRC6], {BOUND},
 *                       {MAX_SERVICES}, {MAX_BACKENDS}, {TABLE_MAX},
 *                       {TXN_DISCARDED}, [{TXN_PORT}]: the netlink port
 *                       of the socket whose staged REPLACE is in progress
 * XLB_CMD_CONFIG_SET    XLB_A_CONFIG: [SEED], [SRC4], [SRC6]
 * XLB_CMD_BIND          XLB_A_BIND: every *_FD attribute (the counter maps'
 *     are optional: without one, its counters are not reported).  The fds are
 *     resolved in the sender's file table.  The module checks each map's
 *     type, key and value sizes and capacities, takes references and
 *     publishes the complete current state.  A new BIND replaces the old
 *     maps; UNBIND and module unload drop the references.
 * XLB_CMD_UNBIND        (none)
 * XLB_CMD_LOOKUP        XLB_A_FLOW: SRC4|SRC6, DST4|DST6, SPORT, DPORT, PROTO
 *     reply: XLB_A_SERVICE: {ID}, key; XLB_A_BACKEND: {ID}, addr, WEIGHT;
 *            XLB_A_FLOW: ..., {HASH}, {SLOT}
 * XLB_CMD_STATS_GET     (none)
 *     reply: {XLB_A_STATS} (enum xlb_stats_attr); XLB_A_GENERATION.
 *     ENODATA while no xlb_stats map is bound.
 * XLB_CMD_STATS_ZERO    (none) zeroes every counter of the namespace: the
 *     global ones and those of every service and backend.  ENODATA while
 *     none of the counter maps is bound.  Counting goes on meanwhile: a
 *     packet in flight on another CPU may be counted just before or after.
 *
 * Policies: every command has its own, at every nesting level, parsed
 * strictly.  An attribute a command does not use (e.g. XLB_A_SERVICES in
 * BACKEND_DEL, XLB_BE_A_WEIGHT in the backend of BACKEND_DEL, TABLE_SIZE in
 * the service naming the target of a backend command), a reply-only ({})
 * attribute or an unknown one is refused with EINVAL, the attribute's offset
 * and a message; no request is accepted with parts ignored.  A SERVICE_GET
 * dump takes no attribute, a BACKEND_GET dump only XLB_A_SERVICE.
 *
 * Dumps: SERVICE_GET and BACKEND_GET dumps are resumable; every message of a
 * dump carries the namespace generation in nlmsg_seq consistency checking
 * (genl_dump_check_consistent): NLM_F_DUMP_INTR means the configuration
 * changed during the dump and the caller must restart it.
 *
 * Errors (negative errno, with an extended ack message naming the bad
 * attribute or value):
 *   EINVAL   malformed or out-of-range attribute, attribute not used by the
 *            command, reply-only attribute, missing attribute, address
 *            family mix-up, table size not in the prime list, unknown proto
 *   ERANGE   integer outside its policy range (weight > 65535, state > 1,
 *            port 0) or address of the wrong length: refused by the netlink
 *            core's policy check
 *   EOPNOTSUPP  unknown flag bits
 *   ENOENT   unknown service or backend
 *   EEXIST   service or backend already exists
 *   ENOSPC   a limit (services per namespace, backends per service, bound
 *            map capacity, VIP table probe bound) would be exceeded
 *   E2BIG    more backends than table slots, or a table larger than the
 *            bound maps' table_max
 *   EBADF    a map fd is not a BPF map
 *   EPERM    missing CAP_NET_ADMIN
 *   ENODATA  STATS_GET / STATS_ZERO: no counter map is bound
 *   ENOMEM   allocation failure; nothing changed
 */
#ifndef _UAPI_XLB_NETLINK_H
#define _UAPI_XLB_NETLINK_H

#include <linux/types.h>

#include "xlb_maps.h"	/* XLB_STAT__MAX */

#define XLB_GENL_NAME		"xlb"
#define XLB_GENL_VERSION	1
#define XLB_GENL_MCGRP		"changes"

/* Table sizes (Maglev M) accepted: see lib/maglev.c for the prime list. */
#define XLB_TABLE_SIZE_DEFAULT	65537
#define XLB_WEIGHT_MAX		65535
#define XLB_WEIGHT_DEFAULT	1

enum xlb_cmd {
	XLB_CMD_UNSPEC,
	XLB_CMD_SERVICE_NEW,
	XLB_CMD_SERVICE_SET,
	XLB_CMD_SERVICE_DEL,
	XLB_CMD_SERVICE_GET,
	XLB_CMD_BACKEND_NEW,
	XLB_CMD_BACKEND_SET,
	XLB_CMD_BACKEND_DEL,
	XLB_CMD_BACKEND_GET,
	XLB_CMD_REPLACE,
	XLB_CMD_FLUSH,
	XLB_CMD_CONFIG_GET,
	XLB_CMD_CONFIG_SET,
	XLB_CMD_BIND,
	XLB_CMD_UNBIND,
	XLB_CMD_LOOKUP,
	XLB_CMD_STATS_GET,
	XLB_CMD_STATS_ZERO,
	__XLB_CMD_MAX
};
#define XLB_CMD_MAX (__XLB_CMD_MAX - 1)

enum xlb_attr {
	XLB_A_UNSPEC,
	XLB_A_SERVICE,		/* nest: enum xlb_svc_attr */
	XLB_A_BACKEND,		/* nest: enum xlb_be_attr */
	XLB_A_SERVICES,		/* nest of XLB_A_SERVICE nests (REPLACE) */
	XLB_A_CONFIG,		/* nest: enum xlb_cfg_attr */
	XLB_A_BIND,		/* nest: enum xlb_bind_attr */
	XLB_A_FLOW,		/* nest: enum xlb_flow_attr */
	XLB_A_GENERATION,	/* u32: namespace configuration generation */
	XLB_A_TXN,		/* nest: enum xlb_txn_attr (REPLACE in parts) */
	XLB_A_STATS,		/* nest: enum xlb_stats_attr (reply only) */
	__XLB_A_LAST
};
#define XLB_A_MAX (__XLB_A_LAST - 1)

enum xlb_svc_flag {
	XLB_SVC_F_SRC_HASH	= 1U << 0,	/* hash the source address only */
	__XLB_SVC_F_ALL		= XLB_SVC_F_SRC_HASH
};

/*
 * How a service's packets travel to its backends (XLB_SVC_A_ENCAP).  IPIP:
 * the outer IP header only (IPIP, ip6ip6, 4in6, 6in4 by the families).
 * GUE: outer IP + UDP, GUE variant 1 (the inner IP packet directly after
 * the UDP header), which Linux decapsulates with `ip fou add port PORT gue`;
 * the UDP source port carries the flow's entropy.
 */
enum xlb_encap {
	XLB_ENCAP_IPIP		= 0,
	XLB_ENCAP_GUE		= 1,
	__XLB_ENCAP_MAX		= XLB_ENCAP_GUE
};

#define XLB_GUE_PORT_DEFAULT	6080

enum xlb_svc_attr {
	XLB_SVC_A_UNSPEC,
	XLB_SVC_A_ID,		/* u32 */
	XLB_SVC_A_ADDR4,	/* 4 bytes, network order */
	XLB_SVC_A_ADDR6,	/* 16 bytes, network order */
	XLB_SVC_A_PORT,		/* u16, host order, 1..65535 */
	XLB_SVC_A_PROTO,	/* u8: IPPROTO_TCP (6) or IPPROTO_UDP (17) */
	XLB_SVC_A_TABLE_SIZE,	/* u32: Maglev M, a prime from the list */
	XLB_SVC_A_FLAGS,	/* u32: enum xlb_svc_flag */
	XLB_SVC_A_BACKENDS,	/* nest of XLB_A_BACKEND nests (REPLACE) */
	XLB_SVC_A_NBACKENDS,	/* u32 */
	XLB_SVC_A_DIGEST,	/* u64: digest of the Maglev table */
	XLB_SVC_A_PAD,
	XLB_SVC_A_UDP_TIMEOUT,	/* u32: seconds an idle UDP flow keeps its
				 * backend, XLB_UDP_TIMEOUT_MIN..MAX
				 * (xlb_maps.h); UDP services only
				 */
	XLB_SVC_A_ENCAP,	/* u8: enum xlb_encap; absent: IPIP */
	XLB_SVC_A_ENCAP_PORT,	/* u16, host order, 1..65535: the outer UDP
				 * destination port of XLB_ENCAP_GUE
				 * (default XLB_GUE_PORT_DEFAULT)
				 */
	XLB_SVC_A_HEALTH,	/* nest: enum xlb_hc_attr, the health check
				 * xlb-healthd runs on every backend
				 */
	XLB_SVC_A_STATS,	/* nest: enum xlb_cnt_attr (reply only) */
	__XLB_SVC_A_LAST
};
#define XLB_SVC_A_MAX (__XLB_SVC_A_LAST - 1)

/* Backend administrative state (XLB_BE_A_STATE). */
enum xlb_be_admin {
	XLB_BE_STATE_ACTIVE	= 0,	/* takes slots in proportion to weight */
	XLB_BE_STATE_DRAIN	= 1,	/* takes no slots, keeps its flows */
	__XLB_BE_STATE_MAX	= XLB_BE_STATE_DRAIN
};

enum xlb_be_attr {
	XLB_BE_A_UNSPEC,
	XLB_BE_A_ID,		/* u32 */
	XLB_BE_A_ADDR4,		/* 4 bytes, network order */
	XLB_BE_A_ADDR6,		/* 16 bytes, network order */
	XLB_BE_A_WEIGHT,	/* u32: 0..XLB_WEIGHT_MAX, 0 = drain */
	XLB_BE_A_STATE,		/* u8: enum xlb_be_admin */
	XLB_BE_A_SLOTS,		/* u32: table slots held */
	XLB_BE_A_GEN,		/* u32: generation stamp in xlb_backends */
	XLB_BE_A_HEALTH,	/* u8: enum xlb_be_health, set by the checker */
	XLB_BE_A_HC_RESULT,	/* u8: enum xlb_hc_result of the last check */
	XLB_BE_A_HC_DETAIL,	/* u16: HTTP status, exit code or errno */
	XLB_BE_A_HC_AGE,	/* u32 reply: seconds since HEALTH was set */
	XLB_BE_A_STATS,		/* nest: enum xlb_cnt_attr (reply only) */
	XLB_BE_A_HEALTH_CHECK,	/* nest: enum xlb_hc_attr, this backend's own
				 * check instead of the service's
				 * (BACKEND_NEW, BACKEND_SET, REPLACE; type 0
				 * removes it); in replies when it has one
				 */
	__XLB_BE_A_LAST
};
#define XLB_BE_A_MAX (__XLB_BE_A_LAST - 1)

enum xlb_cfg_attr {
	XLB_CFG_A_UNSPEC,
	XLB_CFG_A_SEED,		/* u32 */
	XLB_CFG_A_SRC4,		/* 4 bytes: outer source address for IPIP */
	XLB_CFG_A_SRC6,		/* 16 bytes: outer source for ip6ip6 */
	XLB_CFG_A_BOUND,	/* u8: 1 when maps are bound */
	XLB_CFG_A_MAX_SERVICES,	/* u32: effective limit */
	XLB_CFG_A_MAX_BACKENDS,	/* u32: effective limit per service */
	XLB_CFG_A_TABLE_MAX,	/* u32: largest table the bound maps hold */
	XLB_CFG_A_TXN_DISCARDED, /* u32: staged REPLACEs their sender left */
	XLB_CFG_A_TXN_PORT,	/* u32 reply: owner of the staged REPLACE */
	__XLB_CFG_A_LAST
};
#define XLB_CFG_A_MAX (__XLB_CFG_A_LAST - 1)

enum xlb_bind_attr {
	XLB_BIND_A_UNSPEC,
	XLB_BIND_A_CTL_FD,	/* u32 fd of xlb_ctl */
	XLB_BIND_A_VIPS_FD,	/* u32 fd of xlb_vips */
	XLB_BIND_A_SERVICES_FD,	/* u32 fd of xlb_services */
	XLB_BIND_A_TABLES_FD,	/* u32 fd of xlb_tables */
	XLB_BIND_A_BACKENDS_FD,	/* u32 fd of xlb_backends */
	XLB_BIND_A_SVC_STATS_FD, /* u32 fd of xlb_svc_stats (optional) */
	XLB_BIND_A_BE_STATS_FD,	/* u32 fd of xlb_be_stats (optional) */
	XLB_BIND_A_STATS_FD,	/* u32 fd of xlb_stats (optional) */
	__XLB_BIND_A_LAST
};
#define XLB_BIND_A_MAX (__XLB_BIND_A_LAST - 1)

enum xlb_flow_attr {
	XLB_FLOW_A_UNSPEC,
	XLB_FLOW_A_SRC4,	/* 4 bytes */
	XLB_FLOW_A_SRC6,	/* 16 bytes */
	XLB_FLOW_A_DST4,	/* 4 bytes */
	XLB_FLOW_A_DST6,	/* 16 bytes */
	XLB_FLOW_A_SPORT,	/* u16 host order */
	XLB_FLOW_A_DPORT,	/* u16 host order */
	XLB_FLOW_A_PROTO,	/* u8 */
	XLB_FLOW_A_HASH,	/* u32 reply: xlb_hash_flow() */
	XLB_FLOW_A_SLOT,	/* u32 reply: table slot */
	__XLB_FLOW_A_LAST
};
#define XLB_FLOW_A_MAX (__XLB_FLOW_A_LAST - 1)

/*
 * Health checks (Documentation/health.md).  The module stores a service's
 * check (XLB_SVC_A_HEALTH) and each backend's last result; xlb-healthd runs
 * the checks and drives XLB_BE_A_STATE.
 */
enum xlb_hc_type {
	XLB_HC_TCP	= 1,	/* connect() completes */
	XLB_HC_HTTP	= 2,	/* GET PATH answers with status EXPECT */
	XLB_HC_UDP	= 3,	/* SEND gets a datagram starting with RECV */
	XLB_HC_EXEC	= 4,	/* CMD ADDR PORT exits 0 */
	__XLB_HC_TYPE_MAX = XLB_HC_EXEC
};

#define XLB_HC_INTERVAL_MIN	100		/* ms */
#define XLB_HC_INTERVAL_MAX	3600000		/* ms */
#define XLB_HC_COUNT_MAX	100		/* rise, fall */
#define XLB_HC_STR_MAX		255		/* path, host, send, recv, cmd */
/* What an absent attribute means */
#define XLB_HC_INTERVAL_DEFAULT	2000		/* ms */
#define XLB_HC_TIMEOUT_DEFAULT	1000		/* ms */
#define XLB_HC_RISE_DEFAULT	2
#define XLB_HC_FALL_DEFAULT	3
#define XLB_HC_EXPECT_DEFAULT	200		/* HTTP status; path "/" */

enum xlb_hc_attr {
	XLB_HC_A_UNSPEC,
	XLB_HC_A_TYPE,		/* u8: enum xlb_hc_type; 0 (and nothing else)
				 * in SERVICE_SET removes the check
				 */
	XLB_HC_A_PORT,		/* u16: port checked (default: the service's) */
	XLB_HC_A_INTERVAL,	/* u32 ms: XLB_HC_INTERVAL_MIN..MAX */
	XLB_HC_A_TIMEOUT,	/* u32 ms: XLB_HC_INTERVAL_MIN..INTERVAL */
	XLB_HC_A_RISE,		/* u8: successes to go up, 1..XLB_HC_COUNT_MAX */
	XLB_HC_A_FALL,		/* u8: failures to go down, 1..COUNT_MAX */
	XLB_HC_A_PATH,		/* string: HTTP path, starts with '/' */
	XLB_HC_A_HOST,		/* string: HTTP Host header */
	XLB_HC_A_EXPECT,	/* u16: HTTP status, 100..599 */
	XLB_HC_A_SEND,		/* string: UDP request (without the NUL) */
	XLB_HC_A_RECV,		/* string: expected start of the UDP reply */
	XLB_HC_A_CMD,		/* string: EXEC program, an absolute path */
	__XLB_HC_A_LAST
};
#define XLB_HC_A_MAX (__XLB_HC_A_LAST - 1)

/* A backend's health as the checker last set it (XLB_BE_A_HEALTH). */
enum xlb_be_health {
	XLB_BE_HEALTH_UNKNOWN	= 0,	/* not checked yet */
	XLB_BE_HEALTH_UP	= 1,
	XLB_BE_HEALTH_DOWN	= 2,	/* failing, drained by the operator */
	XLB_BE_HEALTH_DRAINED	= 3,	/* failing, the checker drained it */
	__XLB_BE_HEALTH_MAX	= XLB_BE_HEALTH_DRAINED
};

/* The outcome of the last check (XLB_BE_A_HC_RESULT). */
enum xlb_hc_result {
	XLB_HC_R_NONE,		/* no check ran yet */
	XLB_HC_R_OK,
	XLB_HC_R_TIMEOUT,	/* no answer within the timeout */
	XLB_HC_R_CONNECT,	/* connect/send failed: DETAIL = errno */
	XLB_HC_R_STATUS,	/* HTTP status: DETAIL = the status */
	XLB_HC_R_REPLY,		/* malformed or unexpected reply */
	XLB_HC_R_EXIT,		/* command failed: DETAIL = exit code */
	XLB_HC_R_SIGNAL,	/* command killed: DETAIL = signal */
	XLB_HC_R_ERROR,		/* the checker could not run the check:
				 * DETAIL = errno; never drains
				 */
	__XLB_HC_R_MAX = XLB_HC_R_ERROR
};

/*
 * Counters of one service or backend (XLB_SVC_A_STATS, XLB_BE_A_STATS):
 * the data path's per-CPU struct xlb_counter summed over the CPUs whose gen
 * is the object's.
 */
enum xlb_cnt_attr {
	XLB_CNT_A_UNSPEC,
	XLB_CNT_A_PAD,
	XLB_CNT_A_PACKETS,	/* u64: packets forwarded */
	XLB_CNT_A_BYTES,	/* u64: their bytes (L3, before encapsulation) */
	XLB_CNT_A_FLOWS,	/* u64: new flows balanced (struct xlb_counter) */
	__XLB_CNT_A_LAST
};
#define XLB_CNT_A_MAX (__XLB_CNT_A_LAST - 1)

/*
 * Global counters (XLB_A_STATS): one u64 per enum xlb_stat (xlb_maps.h),
 * summed over the CPUs, of type XLB_STATS_A_FIRST + the counter's index.
 * XLB_STATS only grows at its end, so a counter keeps its type; a reader
 * skips types it does not know.
 */
enum xlb_stats_attr {
	XLB_STATS_A_UNSPEC,
	XLB_STATS_A_PAD,
	XLB_STATS_A_FIRST,	/* XLB_STAT_PASS_NOT_SERVICE */
};
#define XLB_STATS_A_MAX (XLB_STATS_A_FIRST + XLB_STAT__MAX - 1)

/* A part of a staged REPLACE (XLB_A_TXN). */
enum xlb_txn_flag {
	XLB_TXN_F_BEGIN		= 1U << 0,	/* first part: a new stage */
	XLB_TXN_F_COMMIT	= 1U << 1,	/* last part: apply the stage */
	__XLB_TXN_F_ALL		= XLB_TXN_F_BEGIN | XLB_TXN_F_COMMIT
};

enum xlb_txn_attr {
	XLB_TXN_A_UNSPEC,
	XLB_TXN_A_ID,		/* u32: the sender's name for the stage */
	XLB_TXN_A_FLAGS,	/* u32: enum xlb_txn_flag */
	__XLB_TXN_A_LAST
};
#define XLB_TXN_A_MAX (__XLB_TXN_A_LAST - 1)

#endif /* _UAPI_XLB_NETLINK_H */
