/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - everything in xlb.ko that depends on the kernel version.
 *
 * Supported: Debian's 6.1 (bookworm default) and 6.12 (bookworm backport,
 * trixie) kernels.  Nothing outside this header tests LINUX_VERSION_CODE.
 */
#ifndef _XLB_COMPAT_H
#define _XLB_COMPAT_H

#include <linux/module.h>
#include <linux/version.h>
#include <linux/netlink.h>
#include <linux/string.h>
#include <net/genetlink.h>

/*
 * Request attributes of a dump: 6.1's genl_dumpit_info has them itself,
 * 6.6 and later keep them in an embedded genl_info (genl_info_dump()).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
static inline struct nlattr **xlb_dump_attrs(struct netlink_callback *cb)
{
	return genl_info_dump(cb)->attrs;
}
#else
static inline struct nlattr **xlb_dump_attrs(struct netlink_callback *cb)
{
	return genl_dumpit_info(cb)->attrs;
}
#endif

/*
 * bpf_map_get() is exported in namespace BPF_INTERNAL since v6.15 and in
 * the 6.12.y stable series (plain EXPORT_SYMBOL in 6.1).  MODULE_IMPORT_NS
 * takes a bare identifier up to 6.12 and a string literal from 6.13 on.
 * Importing a namespace a kernel does not have is harmless.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define XLB_IMPORT_BPF_INTERNAL()	MODULE_IMPORT_NS("BPF_INTERNAL")
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#define XLB_IMPORT_BPF_INTERNAL()	MODULE_IMPORT_NS(BPF_INTERNAL)
#else
#define XLB_IMPORT_BPF_INTERNAL()
#endif

/*
 * Formatted extended-ack messages, one buffer per request.
 *
 * Kernels with NL_SET_ERR_MSG_FMT() (6.2 and later) format into
 * extack->_msg_buf, which lives as long as the request's extack.
 *
 * 6.1 has neither the macro nor the buffer, and netlink_ack() reads
 * extack->_msg after the doit (or the dump's start) has returned.  There,
 * each request gets a struct xlb_ack on the stack of xlb_doit() or of the
 * dump's start callback: the handler works on its embedded extack, a
 * formatted message goes into its buffer, and xlb_ack_end() sends the error
 * ack itself with netlink_ack() while the buffer is alive, then returns
 * -EINTR, the value by which a netlink_rcv_skb() callback says "answered
 * already" (net/netlink/af_netlink.c: no second ack).  Messages that are
 * string literals are handed to the core unchanged.  No buffer is shared
 * between requests, nothing outlives the request.  Every extack handed to
 * xlb_err() must come from xlb_ack_begin() (or be NULL).  (A kmalloc'd
 * message freed by task_work_add(TWA_RESUME) would also outlive the ack,
 * but module unload would then have to wait for callbacks that return into
 * module text after their last store: this way there is nothing to wait
 * for.)
 */
#define XLB_MSG_LEN	80	/* NETLINK_MAX_FMTMSG_LEN from 6.2 on */

#ifdef NL_SET_ERR_MSG_FMT
struct xlb_ack {
	struct netlink_ext_ack	*core;
};

static inline struct netlink_ext_ack *
xlb_ack_begin(struct xlb_ack *a, struct netlink_ext_ack *core)
{
	a->core = core;
	return core;
}

static inline int xlb_ack_end(struct xlb_ack *a, struct sk_buff *skb,
			      const struct nlmsghdr *nlh, int err)
{
	return err;
}

#define XLB_SET_ERR_MSG_FMT(extack, fmt, ...) \
	NL_SET_ERR_MSG_FMT(extack, fmt, ##__VA_ARGS__)
#else
struct xlb_ack {
	struct netlink_ext_ack	ext;
	struct netlink_ext_ack	*core;
	char			buf[XLB_MSG_LEN];
};

static inline struct netlink_ext_ack *
xlb_ack_begin(struct xlb_ack *a, struct netlink_ext_ack *core)
{
	memset(&a->ext, 0, sizeof(a->ext));
	a->core = core;
	return &a->ext;
}

static inline int xlb_ack_end(struct xlb_ack *a, struct sk_buff *skb,
			      const struct nlmsghdr *nlh, int err)
{
	if (!err || a->ext._msg != a->buf) {
		if (err && a->core)
			*a->core = a->ext;
		return err;
	}
	netlink_ack(skb, (struct nlmsghdr *)nlh, err, &a->ext);
	return -EINTR;
}

static inline __printf(2, 3) void xlb_ack_fmt(struct netlink_ext_ack *extack,
					      const char *fmt, ...)
{
	struct xlb_ack *a;
	va_list ap;

	if (!extack)
		return;
	a = container_of(extack, struct xlb_ack, ext);
	va_start(ap, fmt);
	vsnprintf(a->buf, sizeof(a->buf), fmt, ap);
	va_end(ap);
	extack->_msg = a->buf;
}

#define XLB_SET_ERR_MSG_FMT(extack, fmt, ...) \
	xlb_ack_fmt(extack, fmt, ##__VA_ARGS__)
#endif

#endif /* _XLB_COMPAT_H */
