/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xlb_version.h - the one definition of xlb's version, shared by the module
 * (MODULE_VERSION), lbctl (--version) and the build (make version, which
 * packaging reads).  dkms.conf and the man pages' headers carry copies that
 * tests/unit/test_version.sh checks against this line.
 */
#ifndef XLB_VERSION_H
#define XLB_VERSION_H

#define XLB_VERSION "0.1.0"

#endif /* XLB_VERSION_H */
