/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nl.h - shared by the files of the generic netlink family: netlink.c
 * (family, policies, parsing, messages), nl_svc.c (services, backends,
 * REPLACE, FLUSH, dumps) and nl_cfg.c (configuration, BIND, LOOKUP).
 *
 * Handlers run under the namespace mutex (xlb_doit()) and get the request's
 * own extack (compat.h: xlb_ack_begin()).
 */
#ifndef _XLB_KMOD_NL_H
#define _XLB_KMOD_NL_H

#include <net/genetlink.h>

#include "xlb.h"

extern struct genl_family xlb_family;
extern const struct nla_policy xlb_svc_ref_policy[XLB_SVC_A_MAX + 1];

/* netlink.c: parsing */
int xlb_need(struct netlink_ext_ack *extack, const struct nlattr *nest,
	     struct nlattr **tb, int type, const char *name);
int xlb_addr(struct netlink_ext_ack *extack, const struct nlattr *nest,
	     struct nlattr **tb, int a4, int a6, const char *what, u8 *family,
	     __be32 *addr);
int xlb_proto(struct netlink_ext_ack *extack, const struct nlattr *attr,
	      u8 *proto);
int xlb_parse_key(struct netlink_ext_ack *extack, const struct nlattr *nest,
		  struct nlattr **tb, struct xlb_vip_key *key);
struct xlb_svc *xlb_svc_by_key(struct xlb_net *xn,
			       const struct xlb_vip_key *key);
struct xlb_svc *xlb_find_svc(struct xlb_net *xn,
			     struct netlink_ext_ack *extack,
			     const struct nlattr *nest, struct nlattr **tb,
			     int *err);
int xlb_svc_nest(struct netlink_ext_ack *extack, struct nlattr **tb);
int xlb_nest(struct genl_info *info, int type, int max,
	     const struct nla_policy *policy, struct nlattr **tb,
	     const char *name);
struct xlb_svc *xlb_req_svc(struct xlb_net *xn, struct genl_info *info,
			    struct nlattr **tb, int *err);

/* netlink.c: messages */
int xlb_put_addr(struct sk_buff *skb, int a4, int a6, u8 family,
		 const __be32 *addr);
/* m non-NULL: with the object's counters from m (stats.c) */
int xlb_fill_svc(struct sk_buff *skb, const struct xlb_svc *svc, bool full,
		 const struct xlb_maps *m);
int xlb_fill_be(struct sk_buff *skb, const struct xlb_be *be,
		const struct xlb_maps *m);
struct sk_buff *xlb_msg_flow(u32 portid, u32 seq, u8 cmd,
			     const struct xlb_svc *svc,
			     const struct xlb_be *be, u32 gen,
			     int (*extra)(struct sk_buff *skb, const void *arg),
			     const void *arg);
struct sk_buff *xlb_msg(u32 portid, u32 seq, u8 cmd,
			const struct xlb_svc *svc, const struct xlb_be *be,
			u32 gen);
int xlb_reply(struct genl_info *info, struct sk_buff *skb);
int xlb_reply_fill(struct xlb_net *xn, struct genl_info *info, u8 cmd,
		   int (*fill)(struct sk_buff *skb, const void *arg),
		   const void *arg);
void xlb_notify(struct genl_info *info, struct sk_buff *skb);
int xlb_apply(struct xlb_net *xn, struct genl_info *info,
	      struct xlb_txn *txn, const struct xlb_svc *svc,
	      const struct xlb_be *be);
void *xlb_dump_put(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd);

/* nl_svc.c */
int xlb_svc_new(struct xlb_net *xn, struct genl_info *info);
int xlb_svc_set(struct xlb_net *xn, struct genl_info *info);
int xlb_svc_del(struct xlb_net *xn, struct genl_info *info);
int xlb_svc_get(struct xlb_net *xn, struct genl_info *info);
int xlb_be_new(struct xlb_net *xn, struct genl_info *info);
int xlb_be_set(struct xlb_net *xn, struct genl_info *info);
int xlb_be_del(struct xlb_net *xn, struct genl_info *info);
int xlb_be_get(struct xlb_net *xn, struct genl_info *info);
int xlb_replace(struct xlb_net *xn, struct genl_info *info);
int xlb_replace_part(struct xlb_net *xn, struct genl_info *info,
		     struct xlb_txn *txn);
int xlb_replace_finish(struct xlb_net *xn, struct genl_info *info,
		       struct xlb_txn *txn);
int xlb_flush(struct xlb_net *xn, struct genl_info *info);
int xlb_txn_all(struct xlb_net *xn, struct xlb_txn *txn, bool keep);
int xlb_svc_dump(struct sk_buff *skb, struct netlink_callback *cb);
int xlb_be_dump_start(struct xlb_net *xn, struct netlink_callback *cb,
		      struct netlink_ext_ack *extack);
int xlb_be_dump(struct sk_buff *skb, struct netlink_callback *cb);

/* nl_cfg.c */
int xlb_parse_cfg(struct xlb_net *xn, struct netlink_ext_ack *extack,
		  const struct nlattr *nest, struct xlb_txn *txn);
int xlb_cfg_get(struct xlb_net *xn, struct genl_info *info);
int xlb_cfg_set(struct xlb_net *xn, struct genl_info *info);
int xlb_bind_cmd(struct xlb_net *xn, struct genl_info *info);
int xlb_unbind_cmd(struct xlb_net *xn, struct genl_info *info);
int xlb_lookup(struct xlb_net *xn, struct genl_info *info);

/* stats.c: counters of the bound maps */
int xlb_put_cnt(struct sk_buff *skb, int type, struct bpf_map *map, u32 id,
		u32 gen);
int xlb_stats_get(struct xlb_net *xn, struct genl_info *info);
int xlb_stats_zero(struct xlb_net *xn, struct genl_info *info);

/* nl_txn.c */
int xlb_txn_part(struct xlb_net *xn, struct genl_info *info);
int xlb_txn_notifier_init(void);
void xlb_txn_notifier_exit(void);

#endif /* _XLB_KMOD_NL_H */
