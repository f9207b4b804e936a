// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * maglev.c - weighted Maglev lookup-table population (Eisenbud et al.,
 * NSDI 2016, section 3.4), compiled into xlb.ko and into userspace.
 *
 * Each backend with weight > 0 has a permutation of the table slots,
 *   perm[j] = (offset + j * skip) mod M,  M prime, 1 <= skip < M,
 * walked incrementally (only offset, skip and the current position are
 * kept: no N x M matrix).  Backends take turns; on its turn a backend claims
 * the next slot of its permutation that is still empty.  Every turn fills
 * exactly one slot, so the slot counts equal the turn counts.
 *
 * Weights: the k-th turn (k = 1, 2, ...) of a backend of weight w happens
 * at virtual time (2k - 1) / (2w).  Turns are taken in order of
 * (time, weight descending, address), i.e. the first M turns form the
 * Sainte-Lague/Webster apportionment of M slots: a backend's slot count is
 * M * w / sum(w) rounded, exactly, without quantising the weights.  A
 * backend's turn times depend only on its own weight, so adding or removing
 * a backend only inserts or deletes its own turns, as in unweighted Maglev.
 * Backends of equal weight move together ("groups"); the groups sit in a
 * binary heap keyed by their next round's time.  With equal weights there
 * is one group and the turns are a plain round robin in address order.
 *
 * Determinism: backends are sorted by (family, address) with a heapsort on
 * an index array, so the input order does not matter.  Offsets and skips
 * come from xlb_hash_addr() with two seeds derived from the caller's seed.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/types.h>
#else
#include <errno.h>
#include <string.h>
#endif

#include "maglev.h"
#include "xlb_hash.h"

const __u32 xlb_maglev_sizes[] = {
	251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65537,
	131071, 262139, 524287, 655373, 0
};

/* Salts deriving the offset and skip seeds from the caller's seed. */
#define MAGLEV_OFFSET_SALT	0x4f464653u	/* "OFFS" */
#define MAGLEV_SKIP_SALT	0x534b4950u	/* "SKIP" */

/* Digest constants. */
#define MAGLEV_DIGEST_SEED	0x44494753u	/* "DIGS" */
#define MAGLEV_DIGEST_EMPTY	0x454d5054u	/* "EMPT": hash of an empty slot */
#define MAGLEV_DIGEST_INIT	0x6a09e667f3bcc908ull
#define MAGLEV_DIGEST_MUL	0x9e3779b97f4a7c15ull

/* Largest n whose workspace size is computed (keeps index math in u32). */
#define MAGLEV_MAX_N		(1u << 26)

/* One backend with weight > 0, in turn order. */
struct maglev_perm {
	__u32	next;		/* slot at the current permutation position */
	__u32	skip;
	__u32	idx;		/* index into the caller's be[] */
	__u32	count;		/* slots claimed */
};

/* Backends of equal weight: perm[first..end), one turn each per round. */
struct maglev_group {
	__u32	first;
	__u32	end;
	__u32	weight;
	__u32	round;		/* next round, 1-based */
};

/* Workspace layout: all arrays of 32-bit words, so 4-byte alignment. */
struct maglev_work {
	__u32			*order;	/* n: backend indices, sorted */
	__u32			*heap;	/* n: group indices, min-heap */
	struct maglev_perm	*perm;	/* n */
	struct maglev_group	*grp;	/* n */
};

bool xlb_maglev_size_valid(__u32 m)
{
	const __u32 *s;

	for (s = xlb_maglev_sizes; *s; s++)
		if (*s == m)
			return true;
	return false;
}

size_t xlb_maglev_work_size(__u32 n)
{
	if (n > MAGLEV_MAX_N)
		return (size_t)-1;
	return (size_t)n * (2 * sizeof(__u32) + sizeof(struct maglev_perm) +
			    sizeof(struct maglev_group));
}

static void maglev_work_init(struct maglev_work *w, void *mem, __u32 n)
{
	w->order = mem;
	w->heap = w->order + n;
	w->perm = (struct maglev_perm *)(w->heap + n);
	w->grp = (struct maglev_group *)(w->perm + n);
}

/* Order by (family, address); with by_weight, by weight descending first. */
static int maglev_cmp(const struct xlb_maglev_backend *be, __u32 a, __u32 b,
		      bool by_weight)
{
	const struct xlb_maglev_backend *x = &be[a], *y = &be[b];

	if (by_weight && x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->addr, y->addr,
		      x->family == XLB_AF_INET6 ? sizeof(x->addr) : 4);
}

static void maglev_sift(const struct xlb_maglev_backend *be, __u32 *v,
			__u32 i, __u32 n, bool by_weight)
{
	for (;;) {
		__u32 c = 2 * i + 1, t;

		if (c >= n)
			return;
		if (c + 1 < n && maglev_cmp(be, v[c], v[c + 1], by_weight) < 0)
			c++;
		if (maglev_cmp(be, v[i], v[c], by_weight) >= 0)
			return;
		t = v[i];
		v[i] = v[c];
		v[c] = t;
		i = c;
	}
}

/* Heapsort of an index array: no recursion, no allocation, no libc. */
static void maglev_sort(const struct xlb_maglev_backend *be, __u32 *v,
			__u32 n, bool by_weight)
{
	__u32 i, t;

	for (i = n / 2; i-- > 0;)
		maglev_sift(be, v, i, n, by_weight);
	for (i = n; i-- > 1;) {
		t = v[0];
		v[0] = v[i];
		v[i] = t;
		maglev_sift(be, v, 0, i, by_weight);
	}
}

/* Group a goes before group b: earlier round time, then heavier weight. */
static bool maglev_before(const struct maglev_group *a,
			  const struct maglev_group *b)
{
	__u64 ta = (2 * (__u64)a->round - 1) * b->weight;
	__u64 tb = (2 * (__u64)b->round - 1) * a->weight;

	if (ta != tb)
		return ta < tb;
	return a->weight > b->weight;
}

static void maglev_heap_down(const struct maglev_group *grp, __u32 *heap,
			     __u32 i, __u32 n)
{
	__u32 c, t;

	for (;;) {
		c = 2 * i + 1;
		if (c >= n)
			return;
		if (c + 1 < n && maglev_before(&grp[heap[c + 1]], &grp[heap[c]]))
			c++;
		if (!maglev_before(&grp[heap[c]], &grp[heap[i]]))
			return;
		t = heap[i];
		heap[i] = heap[c];
		heap[c] = t;
		i = c;
	}
}

/*
 * Sort, reject bad families and duplicates, and leave the indices of the
 * backends with weight > 0 in order[0..*na), in turn order.
 */
static int maglev_prepare(const struct xlb_maglev_backend *be, __u32 n,
			  __u32 *order, __u32 *na)
{
	__u32 i, k = 0;

	for (i = 0; i < n; i++) {
		if (be[i].family != XLB_AF_INET && be[i].family != XLB_AF_INET6)
			return -EINVAL;
		order[i] = i;
	}
	maglev_sort(be, order, n, false);
	for (i = 0; i < n; i++) {
		if (i && !maglev_cmp(be, order[i - 1], order[i], false))
			return -EEXIST;
	}
	for (i = 0; i < n; i++)
		if (be[order[i]].weight)
			order[k++] = order[i];
	maglev_sort(be, order, k, true);
	*na = k;
	return 0;
}

void xlb_maglev_perm(const struct xlb_maglev_backend *b, __u32 m,
		     __u32 seed, __u32 *offset, __u32 *skip)
{
	__u32 seed_off = xlb_hash_final(xlb_hash_mix(seed, MAGLEV_OFFSET_SALT));
	__u32 seed_skip = xlb_hash_final(xlb_hash_mix(seed, MAGLEV_SKIP_SALT));

	*offset = xlb_hash_addr(b->addr, b->family, seed_off) % m;
	*skip = xlb_hash_addr(b->addr, b->family, seed_skip) % (m - 1) + 1;
}

/* Permutation parameters of each backend, groups of equal weight, heap. */
static __u32 maglev_setup(const struct xlb_maglev_backend *be,
			  struct maglev_work *w, __u32 na, __u32 m, __u32 seed)
{
	struct maglev_group *g = NULL;
	__u32 i, ng = 0;

	for (i = 0; i < na; i++) {
		const struct xlb_maglev_backend *b = &be[w->order[i]];
		struct maglev_perm *p = &w->perm[i];

		xlb_maglev_perm(b, m, seed, &p->next, &p->skip);
		p->idx = w->order[i];
		p->count = 0;
		if (!g || g->weight != b->weight) {
			g = &w->grp[ng];
			g->first = i;
			g->weight = b->weight;
			g->round = 1;
			w->heap[ng] = ng;
			ng++;
		}
		g->end = i + 1;
	}
	for (i = ng / 2; i-- > 0;)
		maglev_heap_down(w->grp, w->heap, i, ng);
	return ng;
}

/* Claim the next empty slot of p's permutation; the table is not full. */
static inline void maglev_turn(struct maglev_perm *p, __u32 *table, __u32 m)
{
	__u32 c = p->next, skip = p->skip;

	while (table[c] != XLB_MAGLEV_EMPTY) {
		c += skip;
		if (c >= m)
			c -= m;
	}
	table[c] = p->idx;
	p->count++;
	c += skip;
	if (c >= m)
		c -= m;
	p->next = c;
}

static void maglev_populate(struct maglev_work *w, __u32 ng, __u32 *table,
			    __u32 m)
{
	__u32 filled = 0, i;

	for (;;) {
		struct maglev_group *g = &w->grp[w->heap[0]];

		for (i = g->first; i < g->end; i++) {
			maglev_turn(&w->perm[i], table, m);
			if (++filled == m)
				return;
		}
		g->round++;
		maglev_heap_down(w->grp, w->heap, 0, ng);
	}
}

static void maglev_fill_empty(__u32 *table, __u32 m)
{
	__u32 i;

	for (i = 0; i < m; i++)
		table[i] = XLB_MAGLEV_EMPTY;
}

int xlb_maglev_build(const struct xlb_maglev_backend *be, __u32 n, __u32 m,
		     __u32 seed, __u32 *table, __u32 *slots,
		     void *work, size_t work_size)
{
	struct maglev_work w;
	__u32 na, ng, i;
	int ret;

	if (!xlb_maglev_size_valid(m) || work_size < xlb_maglev_work_size(n))
		return -EINVAL;
	memset(&w, 0, sizeof(w));
	if (n)
		maglev_work_init(&w, work, n);
	ret = maglev_prepare(be, n, w.order, &na);
	if (ret)
		return ret;
	if (na > m)
		return -E2BIG;

	maglev_fill_empty(table, m);
	if (slots)
		memset(slots, 0, (size_t)n * sizeof(*slots));
	if (!na)
		return -ENODATA;

	ng = maglev_setup(be, &w, na, m, seed);
	maglev_populate(&w, ng, table, m);
	if (slots)
		for (i = 0; i < na; i++)
			slots[w.perm[i].idx] = w.perm[i].count;
	return 0;
}

__u64 xlb_maglev_digest(const struct xlb_maglev_backend *be,
			const __u32 *table, __u32 m)
{
	__u64 d = MAGLEV_DIGEST_INIT;
	__u32 last = XLB_MAGLEV_EMPTY, h = MAGLEV_DIGEST_EMPTY, s;

	for (s = 0; s < m; s++) {
		__u32 b = table[s];

		if (b != last) {
			last = b;
			h = b == XLB_MAGLEV_EMPTY ? MAGLEV_DIGEST_EMPTY :
			    xlb_hash_addr(be[b].addr, be[b].family,
					  MAGLEV_DIGEST_SEED);
		}
		d ^= h;
		d *= MAGLEV_DIGEST_MUL;
		d ^= d >> 32;
	}
	/* murmur3 fmix64 over the size and the running state */
	d ^= m;
	d ^= d >> 33;
	d *= 0xff51afd7ed558ccdull;
	d ^= d >> 33;
	d *= 0xc4ceb53a85ec9fe3ull;
	d ^= d >> 33;
	return d;
}
