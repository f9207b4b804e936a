/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * maglev.h - weighted Maglev lookup-table population (Eisenbud et al.,
 * NSDI 2016, section 3.4).  One implementation, lib/maglev.c, compiled into
 * xlb.ko and into userspace (lbctl, unit tests, benchmarks).  It allocates
 * nothing: the caller provides a workspace of xlb_maglev_work_size() bytes.
 */
#ifndef _XLB_MAGLEV_H
#define _XLB_MAGLEV_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#endif

#define XLB_MAGLEV_EMPTY	0xffffffffu

struct xlb_maglev_backend {
	__be32	addr[4];	/* network order; IPv4 in word 0, rest zero */
	__u8	family;		/* XLB_AF_INET or XLB_AF_INET6 */
	__u8	pad[3];
	__u32	weight;		/* 0 = takes no slots */
};

/* Accepted table sizes, ascending primes; the list ends with 0. */
#define XLB_MAGLEV_SIZE_MAX	655373
extern const __u32 xlb_maglev_sizes[];

bool xlb_maglev_size_valid(__u32 m);

/*
 * Bytes of workspace xlb_maglev_build() needs for n backends: 40 per
 * backend plus about 88 KiB (a used-slot bitmap for the largest table and
 * the tail-phase list), 0 for n = 0.  Any 4-byte aligned memory will do
 * (kvmalloc()/malloc()); its contents need no initialisation.
 */
size_t xlb_maglev_work_size(__u32 n);

/*
 * Fill table[0..m-1] with indices into be[] (or XLB_MAGLEV_EMPTY when every
 * weight is 0).  The result is a pure function of the set of
 * (address, weight) pairs, m and seed: the order of be[] does not matter.
 * A backend of weight w gets about m * w / sum(w) slots (Sainte-Lague
 * apportionment, no quantisation of weights); weight 0 gets none.  See
 * Documentation/maglev.md for the algorithm.
 * slots[], if not NULL, receives the number of slots of each backend.
 * Returns 0, or
 *   -EINVAL  m is not in xlb_maglev_sizes, work_size is too small, or a
 *            family is neither XLB_AF_INET nor XLB_AF_INET6
 *   -E2BIG   more backends with weight > 0 than m
 *   -EEXIST  the same address appears twice (IPv4: word 0 compared)
 *   -ENODATA every weight is 0 (table filled with XLB_MAGLEV_EMPTY)
 * On the other errors table[] and slots[] are left untouched.
 */
int xlb_maglev_build(const struct xlb_maglev_backend *be, __u32 n, __u32 m,
		     __u32 seed, __u32 *table, __u32 *slots,
		     void *work, size_t work_size);

/*
 * The permutation of one backend: its j-th preferred slot is
 * (offset + j * skip) mod m, 0 <= offset < m, 1 <= skip < m.  m must be
 * valid.  Used by xlb_maglev_build(); exposed for tests and tools.
 */
void xlb_maglev_perm(const struct xlb_maglev_backend *b, __u32 m,
		     __u32 seed, __u32 *offset, __u32 *skip);

/*
 * 64-bit digest of a table, independent of how backends are numbered: it
 * hashes, slot by slot, the address of the backend in the slot.  Two load
 * balancers with the same configuration have the same digest.  hashes is
 * NULL, or the n backends' address hashes from xlb_maglev_digest_prep():
 * the same digest, with one address hash per backend instead of one per
 * slot (a 65537-slot table mostly changes backend from slot to slot).
 */
void xlb_maglev_digest_prep(const struct xlb_maglev_backend *be, __u32 n,
			    __u32 *hashes);
__u64 xlb_maglev_digest(const struct xlb_maglev_backend *be,
			const __u32 *hashes, const __u32 *table, __u32 m);

#endif /* _XLB_MAGLEV_H */
