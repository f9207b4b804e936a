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
 * M * w / sum(w) rounded (by a common divisor), without quantising the
 * weights.  A
 * backend's turn times depend only on its own weight, so adding or removing
 * a backend only inserts or deletes its own turns, as in unweighted Maglev.
 * Backends of equal weight move together ("groups"); the groups sit in a
 * binary heap keyed by their next round's time.  With equal weights there
 * is one group and the turns are a plain round robin in address order.
 *
 * Determinism: backends are sorted by (family, address) with a heapsort on
 * an index array, so the input order does not matter.  Offsets and skips
 * come from xlb_hash_addr() with two seeds derived from the caller's seed.
 *
 * Speed: filled slots are tracked in a bitmap, and the last ~sqrt(M / 4)
 * turns pick the nearest empty slot arithmetically instead of probing
 * (same result).  Documentation/maglev.md has the measurements.
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
	131071, 262139, 524287, XLB_MAGLEV_SIZE_MAX, 0
};

/* Salts deriving the offset and skip seeds from the caller's seed. */
#define MAGLEV_OFFSET_SALT	0x4f464653u	/* "OFFS" */
#define MAGLEV_SKIP_SALT	0x534b4950u	/* "SKIP" */

/* Digest constants. */
#define MAGLEV_DIGEST_SEED	0x44494753u	/* "DIGS" */
#define MAGLEV_DIGEST_EMPTY	0x454d5054u	/* "EMPT": an empty slot */
#define MAGLEV_DIGEST_INIT	0x6a09e667f3bcc908ull
#define MAGLEV_DIGEST_MUL	0x9e3779b97f4a7c15ull

/*
 * Tail phase: once at most this many slots are empty, a turn no longer
 * probes (expected M / empty probes each) but computes, for every empty
 * slot, its distance along the backend's permutation and takes the nearest.
 */
#define MAGLEV_TAIL_MAX		2048

/*
 * Filled slots are tracked in a bitmap in the workspace, sized for the
 * largest table (80 KiB): 32 times denser than the table, so the probes of
 * a 655373-slot build stay in L2 and those of a 65537-slot one in L1.
 */
#define MAGLEV_USED_WORDS	((XLB_MAGLEV_SIZE_MAX + 31) / 32)

/* Largest n whose workspace size is computed (keeps index math in u32). */
#define MAGLEV_MAX_N		0x4000000u

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

/*
 * Workspace layout: all arrays of 32-bit words, so 4-byte alignment.
 * order[] holds the sorted backend indices until the permutations are set
 * up; in the tail phase it holds skip^-1 mod M per perm[] entry (0 until
 * computed).
 */
struct maglev_work {
	__u32			*used;	/* MAGLEV_USED_WORDS: filled slots */
	__u32			*empty;	/* MAGLEV_TAIL_MAX: tail phase */
	__u32			*order;	/* n */
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
	if (!n)
		return 0;
	return (size_t)n * (2 * sizeof(__u32) + sizeof(struct maglev_perm) +
			    sizeof(struct maglev_group)) +
	       (MAGLEV_USED_WORDS + MAGLEV_TAIL_MAX) * sizeof(__u32);
}

static void maglev_work_init(struct maglev_work *w, void *mem, __u32 n)
{
	w->used = mem;
	w->empty = w->used + MAGLEV_USED_WORDS;
	w->order = w->empty + MAGLEV_TAIL_MAX;
	w->heap = w->order + n;
	w->perm = (struct maglev_perm *)(w->heap + n);
	w->grp = (struct maglev_group *)(w->perm + n);
}

/* A network-order word as a number, on any host byte order. */
static inline __u32 maglev_word(const __be32 *w)
{
	const __u8 *p = (const __u8 *)w;

	return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
}

/*
 * Order by (family, address) - the address compared as a big-endian
 * number, i.e. bytewise - with by_weight, by weight descending first.
 */
static int maglev_cmp(const struct xlb_maglev_backend *be, __u32 a, __u32 b,
		      bool by_weight)
{
	const struct xlb_maglev_backend *x = &be[a], *y = &be[b];
	__u32 i, words, wx, wy;

	if (by_weight && x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	words = x->family == XLB_AF_INET6 ? 4 : 1;
	for (i = 0; i < words; i++) {
		wx = maglev_word(&x->addr[i]);
		wy = maglev_word(&y->addr[i]);
		if (wx != wy)
			return wx < wy ? -1 : 1;
	}
	return 0;
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
		if (c + 1 < n)	/* branch-free choice: it is a coin toss */
			c += maglev_before(&grp[heap[c + 1]], &grp[heap[c]]);
		if (!maglev_before(&grp[heap[c]], &grp[heap[i]]))
			return;
		t = heap[i];
		heap[i] = heap[c];
		heap[c] = t;
		i = c;
	}
}

/*
 * The top group's key grew: Floyd's bottom-up re-sift.  Walk the hole down
 * to a leaf along the earlier children (branch-free choice), then move the
 * old top up from there: no hard-to-predict "stop here?" branch per level.
 */
static void maglev_heap_top(const struct maglev_group *grp, __u32 *heap,
			    __u32 n)
{
	__u32 i = 0, c, p, top = heap[0];

	while ((c = 2 * i + 1) < n) {
		if (c + 1 < n)
			c += maglev_before(&grp[heap[c + 1]], &grp[heap[c]]);
		heap[i] = heap[c];
		i = c;
	}
	while (i > 0) {
		p = (i - 1) / 2;
		if (!maglev_before(&grp[top], &grp[heap[p]]))
			break;
		heap[i] = heap[p];
		i = p;
	}
	heap[i] = top;
}

/*
 * Sort, reject bad families and duplicates, and leave the indices of the
 * backends with weight > 0 in order[0..*na), in turn order.
 */
static int maglev_prepare(const struct xlb_maglev_backend *be, __u32 n,
			  __u32 *order, __u32 *na)
{
	bool mixed = false;
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
	for (i = 0; i < n; i++) {
		if (be[order[i]].weight) {
			order[k++] = order[i];
			mixed |= be[order[i]].weight != be[order[0]].weight;
		}
	}
	if (mixed)	/* equal weights: address order is turn order */
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
	for (i = 0; i < na; i++)
		w->order[i] = 0;	/* now the inverses of the tail phase */
	return ng;
}

static inline bool maglev_used(const __u32 *used, __u32 c)
{
	return used[c / 32] & (1u << (c % 32));
}

/*
 * Claim the next empty slot of p's permutation; the table is not full.
 * The step c -> (c + skip) mod m is written as a compare against m - skip
 * and a conditional move: two cycles of latency per probe, no division.
 */
static inline void maglev_turn(struct maglev_perm *p, __u32 *table,
			       __u32 *used, __u32 m)
{
	__u32 c = p->next, skip = p->skip, back = m - skip;

	while (maglev_used(used, c))
		c = c >= back ? c - back : c + skip;
	used[c / 32] |= 1u << (c % 32);
	table[c] = p->idx;
	p->count++;
	p->next = c >= back ? c - back : c + skip;
}

/* State of the tail phase: the empty slots and Barrett reduction mod M. */
struct maglev_tail {
	__u32	*empty;
	__u32	n;		/* entries in empty[] */
	__u32	m;
	__u32	shift;		/* 2 * bits(m) */
	__u64	mu;		/* floor(2^shift / m) */
};

/* a^-1 mod m (m prime, 0 < a < m), extended Euclid. */
static __u32 maglev_inverse(__u32 a, __u32 m)
{
	__s64 t = 0, nt = 1, q, tmp;
	__u32 r = m, nr = a, rtmp;

	while (nr) {
		q = r / nr;
		tmp = t - q * nt;
		t = nt;
		nt = tmp;
		rtmp = r - (__u32)q * nr;
		r = nr;
		nr = rtmp;
	}
	return (__u32)(t < 0 ? t + m : t);
}

/* Barrett constants by binary long division: no 64-bit divide. */
static void maglev_tail_init(struct maglev_tail *t, __u32 *empty, __u32 m)
{
	__u64 r = 0;
	int bit;

	t->empty = empty;
	t->n = 0;
	t->m = m;
	for (t->shift = 0; m >> (t->shift / 2); t->shift += 2)
		;
	t->mu = 0;
	for (bit = t->shift; bit >= 0; bit--) {
		r = (r << 1) | (bit == (int)t->shift);
		t->mu <<= 1;
		if (r >= m) {
			r -= m;
			t->mu |= 1;
		}
	}
}

/* (a * b) mod m for a, b < m: exact (the estimate is at most 2 low). */
static inline __u32 maglev_mulmod(const struct maglev_tail *t, __u32 a,
				  __u32 b)
{
	__u64 x = (__u64)a * b;
	__u32 r = (__u32)(x - ((x * t->mu) >> t->shift) * t->m);

	if (r >= t->m)
		r -= t->m;
	if (r >= t->m)
		r -= t->m;
	return r;
}

/*
 * Same result as maglev_turn(): the empty slot s nearest along p's
 * permutation, i.e. with the smallest (s - next) * skip^-1 mod M.
 */
static void maglev_tail_turn(struct maglev_perm *p, __u32 *inv,
			     struct maglev_tail *t, __u32 *table)
{
	__u64 best = ~0ull, key;
	__u32 e, s, c = p->next, m = t->m;

	if (!*inv)
		*inv = maglev_inverse(p->skip, m);
	for (e = 0; e < t->n; e++) {
		s = t->empty[e];
		key = (__u64)maglev_mulmod(t, s - c + (s < c ? m : 0), *inv)
		      << 32 | e;
		if (key < best)
			best = key;
	}
	e = (__u32)best;
	s = t->empty[e];
	t->empty[e] = t->empty[--t->n];
	table[s] = p->idx;
	p->count++;
	s += p->skip;
	p->next = s >= m ? s - m : s;
}

/*
 * Empty slots at which the tail phase starts: about sqrt(M / 4), where a
 * turn's expected probes (M / empty) cost about as much as the distance
 * computations over the empty list (measured, see Documentation/maglev.md).
 */
static __u32 maglev_tail_size(__u32 m)
{
	__u32 r = 1;

	while (4 * r * r < m && r < MAGLEV_TAIL_MAX)
		r++;
	return r;
}

/* Clear the bitmap; bits past m count as used. */
static void maglev_used_init(__u32 *used, __u32 m)
{
	memset(used, 0, (m + 31) / 32 * sizeof(*used));
	if (m % 32)
		used[m / 32] = ~0u << (m % 32);
}

/* The empty slots, from the bitmap, into the tail list. */
static void maglev_tail_collect(struct maglev_tail *t, const __u32 *used)
{
	__u32 i, free;

	for (i = 0; i < (t->m + 31) / 32; i++) {
		for (free = ~used[i]; free; free &= free - 1)
			t->empty[t->n++] = i * 32 + __builtin_ctz(free);
	}
}

/* Turn order: the group at the heap top, its members in order. */
struct maglev_sched {
	struct maglev_work	*w;
	struct maglev_group	*g;
	__u32			i;	/* next member of g */
	__u32			ng;
};

static inline __u32 maglev_next(struct maglev_sched *s)
{
	if (s->i == s->g->end) {
		s->g->round++;
		maglev_heap_top(s->w->grp, s->w->heap, s->ng);
		s->g = &s->w->grp[s->w->heap[0]];
		s->i = s->g->first;
	}
	return s->i++;
}

static void maglev_populate(struct maglev_work *w, __u32 ng, __u32 *table,
			    __u32 m)
{
	struct maglev_sched s = { .w = w, .g = &w->grp[w->heap[0]], .ng = ng };
	__u32 left, tail = maglev_tail_size(m), i;
	struct maglev_tail t;

	s.i = s.g->first;
	maglev_used_init(w->used, m);
	for (left = m; left > tail; left--)
		maglev_turn(&w->perm[maglev_next(&s)], table, w->used, m);
	maglev_tail_init(&t, w->empty, m);
	maglev_tail_collect(&t, w->used);
	for (; left; left--) {
		i = maglev_next(&s);
		maglev_tail_turn(&w->perm[i], &w->order[i], &t, table);
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

	if (slots)
		memset(slots, 0, (size_t)n * sizeof(*slots));
	if (!na) {
		maglev_fill_empty(table, m);
		return -ENODATA;
	}

	ng = maglev_setup(be, &w, na, m, seed);
	maglev_populate(&w, ng, table, m);
	if (slots)
		for (i = 0; i < na; i++)
			slots[w.perm[i].idx] = w.perm[i].count;
	return 0;
}

static __u32 maglev_digest_addr(const struct xlb_maglev_backend *b)
{
	return xlb_hash_addr(b->addr, b->family, MAGLEV_DIGEST_SEED);
}

void xlb_maglev_digest_prep(const struct xlb_maglev_backend *be, __u32 n,
			    __u32 *hashes)
{
	__u32 i;

	for (i = 0; i < n; i++)
		hashes[i] = maglev_digest_addr(&be[i]);
}

__u64 xlb_maglev_digest(const struct xlb_maglev_backend *be,
			const __u32 *hashes, const __u32 *table, __u32 m)
{
	__u64 d = MAGLEV_DIGEST_INIT;
	__u32 last = XLB_MAGLEV_EMPTY, h = MAGLEV_DIGEST_EMPTY, s;

	for (s = 0; s < m; s++) {
		__u32 b = table[s];

		if (b != last) {
			last = b;
			if (b == XLB_MAGLEV_EMPTY)
				h = MAGLEV_DIGEST_EMPTY;
			else
				h = hashes ? hashes[b] :
				    maglev_digest_addr(&be[b]);
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
