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

#endif /* _XLB_COMPAT_H */
