/* SPDX-License-Identifier: GPL-2.0 */
/*
 * maglev_test_util.h - helpers shared by the Maglev unit test and the
 * Maglev benchmark: backend constructors, a malloc'ing build wrapper, a
 * deterministic PRNG and the disruption measurement.
 */
#ifndef XLB_MAGLEV_TEST_UTIL_H
#define XLB_MAGLEV_TEST_UTIL_H

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maglev.h"
#include "xlb_hash.h"

#define MTU_UNUSED __attribute__((unused))

static MTU_UNUSED void *mtu_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fprintf(stderr, "out of memory (%zu bytes)\n", n);
		exit(2);
	}
	return p;
}

/* IPv4 backend from a host-order address. */
static MTU_UNUSED void mtu_be4(struct xlb_maglev_backend *b, uint32_t addr,
			       uint32_t weight)
{
	memset(b, 0, sizeof(*b));
	b->family = XLB_AF_INET;
	b->addr[0] = htonl(addr);
	b->weight = weight;
}

/* IPv6 backend 2001:db8:<hi>::<lo> (hi, lo host order). */
static MTU_UNUSED void mtu_be6(struct xlb_maglev_backend *b, uint32_t hi,
			       uint32_t lo, uint32_t weight)
{
	memset(b, 0, sizeof(*b));
	b->family = XLB_AF_INET6;
	b->addr[0] = htonl(0x20010db8);
	b->addr[1] = htonl(hi);
	b->addr[3] = htonl(lo);
	b->weight = weight;
}

/* n IPv4 backends 10.0.0.1 + i, weight 1. */
static MTU_UNUSED struct xlb_maglev_backend *mtu_equal4(uint32_t n)
{
	struct xlb_maglev_backend *be = mtu_xmalloc(n * sizeof(*be));
	uint32_t i;

	for (i = 0; i < n; i++)
		mtu_be4(&be[i], 0x0a000001 + i, 1);
	return be;
}

/* xlb_maglev_build() with a workspace of exactly the advertised size. */
static MTU_UNUSED int mtu_build(const struct xlb_maglev_backend *be, uint32_t n,
				uint32_t m, uint32_t seed, uint32_t *table,
				uint32_t *slots)
{
	size_t ws = xlb_maglev_work_size(n);
	void *work = mtu_xmalloc(ws);
	int ret;

	ret = xlb_maglev_build(be, n, m, seed, table, slots, work, ws);
	free(work);
	return ret;
}

/* xorshift64*: deterministic pseudo-random numbers for test inputs. */
static MTU_UNUSED uint32_t mtu_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (uint32_t)((*s * 0x2545f4914f6cdd1dull) >> 32);
}

static MTU_UNUSED bool mtu_same_addr(const struct xlb_maglev_backend *a,
				     const struct xlb_maglev_backend *b)
{
	return a->family == b->family &&
	       !memcmp(a->addr, b->addr,
		       a->family == XLB_AF_INET6 ? sizeof(a->addr) : 4);
}

/*
 * Remove backend r from be[0..n) and rebuild: the fraction of the slots that
 * belonged to a surviving backend in `old` whose owner changed.
 */
static MTU_UNUSED double mtu_disruption(const struct xlb_maglev_backend *be,
					uint32_t n, uint32_t r, uint32_t m,
					uint32_t seed, const uint32_t *old)
{
	struct xlb_maglev_backend *be2 = mtu_xmalloc(n * sizeof(*be2));
	uint32_t *t2 = mtu_xmalloc((size_t)m * sizeof(*t2));
	uint64_t kept = 0, moved = 0;
	uint32_t s;

	memcpy(be2, be, r * sizeof(*be2));
	memcpy(be2 + r, be + r + 1, (n - r - 1) * sizeof(*be2));
	if (mtu_build(be2, n - 1, m, seed, t2, NULL)) {
		free(be2);
		free(t2);
		return -1.0;
	}
	for (s = 0; s < m; s++) {
		if (old[s] == r || old[s] == XLB_MAGLEV_EMPTY)
			continue;
		kept++;
		if (t2[s] == XLB_MAGLEV_EMPTY ||
		    !mtu_same_addr(&be[old[s]], &be2[t2[s]]))
			moved++;
	}
	free(be2);
	free(t2);
	return kept ? (double)moved / (double)kept : 0.0;
}

#endif /* XLB_MAGLEV_TEST_UTIL_H */
