/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xlb.h - internal interfaces of xlb.ko.
 *
 * State lives per network namespace (struct xlb_net).  Every change is a
 * transaction (struct xlb_txn): the new service objects, their Maglev
 * tables and ids are built and checked completely in fresh memory, then
 * xlb_txn_commit() publishes them into the bound maps and swaps them in.
 * Committing cannot fail, so a failed command never changes anything.
 */
#ifndef _XLB_KMOD_H
#define _XLB_KMOD_H

#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "uapi/xlb_maps.h"
#include "uapi/xlb_netlink.h"

struct bpf_map;
struct net;
struct xlb_stage;

extern unsigned int xlb_max_services;
extern unsigned int xlb_max_backends;

struct xlb_be {
	__be32	addr[4];
	u8	family;
	u8	admin;		/* enum xlb_be_admin */
	bool	fresh;		/* id allocated by the current transaction */
	bool	gone;		/* (old objects) removed by the transaction */
	u32	weight;
	u32	id;		/* index in xlb_backends */
	u32	gen;		/* allocation stamp, never 0 */
	u32	slots;		/* table slots held */
	/* as xlb-healthd last reported (XLB_BE_A_HEALTH, _HC_*) */
	u8	health;		/* enum xlb_be_health */
	u8	hc_result;	/* enum xlb_hc_result */
	u16	hc_detail;
	u32	hc_stamp;	/* boot time in s when reported, 0: never */
	struct xlb_hc *hc;	/* its own check (owned), NULL: the service's */
};

/* A service's health check (XLB_SVC_A_HEALTH), for xlb-healthd. */
struct xlb_hc {
	u8	type;		/* enum xlb_hc_type */
	u8	rise;
	u8	fall;
	u16	port;
	u16	expect;
	u32	interval;	/* ms */
	u32	timeout;	/* ms */
	char	path[XLB_HC_STR_MAX + 1];
	char	host[XLB_HC_STR_MAX + 1];
	char	send[XLB_HC_STR_MAX + 1];
	char	recv[XLB_HC_STR_MAX + 1];
	char	cmd[XLB_HC_STR_MAX + 1];
};

struct xlb_svc {
	u32			id;	/* index in xlb_services */
	u32			gen;	/* allocation stamp, never 0 */
	struct xlb_vip_key	key;
	u32			table_size;
	u32			flags;
	u32			udp_timeout;	/* seconds; 0 for TCP */
	u8			encap;		/* enum xlb_encap */
	u16			encap_port;	/* GUE: host order, 0 for IPIP */
	u32			nbe;
	struct xlb_be		*be;	/* nbe backends, kvmalloc'd */
	u32			*table;	/* table_size backend ids */
	u64			digest;
	struct xlb_hc		*hc;	/* NULL: no health check */
	u32			nslotted;	/* backends holding slots */
	u32			seed;	/* the table was built with */
	bool			fresh;	/* BIND: entry written from scratch */
	/* Publishing state, carried from one version of a service to the next. */
	u32			active;		/* live copy in xlb_tables */
	unsigned long		flip_cookie;	/* RCU state at the last flip */
};

/* Maps handed over by XLB_CMD_BIND, with the capacities derived from them. */
struct xlb_maps {
	struct bpf_map	*ctl;
	struct bpf_map	*vips;
	struct bpf_map	*svcs;
	struct bpf_map	*tables;
	struct bpf_map	*bes;
	struct bpf_map	*svc_stats;	/* counter maps: each may be NULL */
	struct bpf_map	*be_stats;
	struct bpf_map	*stats;
	u32		claimed;	/* maps whose writecnt we raised */
	u32		max_services;
	u32		max_backends;
	u32		table_max;
	u32		vip_slots;
};

/* A next hop the module keeps resolved (neigh.c); compared with memcmp. */
struct xlb_nhop {
	__be32	addr[4];
	int	ifindex;
	u8	family;
	u8	pad[3];
};

/*
 * Per network namespace.  Creating a namespace allocates only this small
 * struct; svcs and bid_map (up to 1 MiB with the largest parameters) are
 * allocated by the first command that changes something (xlb_net_state())
 * and stay NULL in namespaces that never use xlb.
 */
struct xlb_net {
	struct mutex	lock;
	u64		cookie;		/* net->net_cookie, owner of bound maps */
	struct xlb_svc	**svcs;		/* xlb_max_services slots, or NULL */
	u32		nsvcs;
	unsigned long	*bid_map;	/* backend ids in use */
	u32		bid_space;	/* bits in bid_map */
	u32		seed;
	__be32		src4;
	__be32		src6[4];
	u32		gen;		/* configuration generation (dumps) */
	u32		stamp;		/* last allocation stamp */
	struct xlb_maps	*maps;		/* NULL while unbound */
	u32		vip_active;
	unsigned long	vip_cookie;
	struct net	*net;
	/* neigh.c: next hops kept resolved while bound */
	struct delayed_work nh_work;
	struct xlb_nhop	*nh;		/* sorted, nnh entries */
	u32		nnh;
	bool		nh_stop;	/* namespace or module going away */
	struct xlb_stage *stage;	/* staged REPLACE in parts (nl_txn.c) */
	u32		txn_discarded;	/* stages their sender left behind */
};

/* One service of a transaction: old NULL = created, new NULL = deleted. */
struct xlb_change {
	struct xlb_svc	*old;
	struct xlb_svc	*new;
};

struct xlb_txn {
	struct xlb_change	*ch;
	u32			n;
	u32			cap;
	struct xlb_svc		**next;		/* services after commit */
	struct xlb_vip_slot	*vip;		/* VIP half to publish, or NULL */
	u32			nfresh;		/* backend ids taken by prepare */
	bool			seed_set;
	u32			seed;
	bool			src_set;
	__be32			src4;
	__be32			src6[4];
};

/*
 * An extack error naming the bad attribute (attr, may be NULL) and value:
 * fmt must be a string literal.  The message is formatted into storage of
 * the request itself (compat.h); xn is not used.
 */
#define xlb_err(xn, extack, attr, fmt, ...) do {			\
	struct netlink_ext_ack *__xe = (extack);			\
	const struct nlattr *__xa = (attr);				\
									\
	(void)(xn);							\
	if (__xa)							\
		NL_SET_BAD_ATTR(__xe, __xa);				\
	XLB_SET_ERR_MSG_FMT(__xe, fmt, ##__VA_ARGS__);			\
} while (0)

/* main.c */
struct xlb_net *xlb_net(const struct net *net);
int xlb_net_state(struct xlb_net *xn);
u32 xlb_stamp(struct xlb_net *xn);

/* state.c */
struct xlb_svc *xlb_svc_alloc(void);
void xlb_svc_free(struct xlb_svc *svc);
struct xlb_svc *xlb_svc_clone(const struct xlb_svc *old, u32 nbe_extra);
int xlb_svc_build(struct xlb_net *xn, struct xlb_svc *svc, u32 seed,
		  struct netlink_ext_ack *extack);
struct xlb_be *xlb_be_find(const struct xlb_svc *svc, u8 family,
			   const __be32 *addr);
struct xlb_be *xlb_be_find_id(const struct xlb_svc *svc, u32 id);
struct xlb_svc *xlb_svc_find_key(struct xlb_net *xn,
				 const struct xlb_vip_key *key);
u32 xlb_eff_max_services(const struct xlb_net *xn);
u32 xlb_eff_max_backends(const struct xlb_net *xn);
void xlb_txn_init(struct xlb_txn *txn);
int xlb_txn_add(struct xlb_txn *txn, struct xlb_svc *old, struct xlb_svc *new);
int xlb_txn_prepare(struct xlb_net *xn, struct xlb_txn *txn,
		    struct netlink_ext_ack *extack);
void xlb_txn_commit(struct xlb_net *xn, struct xlb_txn *txn);
void xlb_txn_abort(struct xlb_txn *txn);
void xlb_net_free_state(struct xlb_net *xn);
int xlb_fmt_key(char *buf, size_t len, const struct xlb_vip_key *key);
int xlb_fmt_addr(char *buf, size_t len, u8 family, const __be32 *addr);

/* publish.c */
int xlb_bind(struct xlb_net *xn, const u32 *fds,
	     const struct nlattr *const *attrs, struct netlink_ext_ack *extack);
void xlb_unbind(struct xlb_net *xn);
int xlb_vip_build(struct xlb_net *xn, struct xlb_svc *const *svcs, u32 nsvcs,
		  u32 seed, u32 vip_slots, struct xlb_vip_slot *img,
		  struct netlink_ext_ack *extack);
void xlb_publish_txn(struct xlb_net *xn, struct xlb_txn *txn);

/* neigh.c */
void xlb_nh_init(struct xlb_net *xn);
void xlb_nh_kick(struct xlb_net *xn);
void xlb_nh_stop(struct xlb_net *xn);

/* nl_txn.c */
void xlb_stage_free(struct xlb_net *xn);
u32 xlb_stage_port(const struct xlb_net *xn);

/* netlink.c */
int xlb_genl_init(void);
void xlb_genl_exit(void);

#endif /* _XLB_KMOD_H */
