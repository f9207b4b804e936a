// SPDX-License-Identifier: GPL-2.0
/*
 * test_maglev.c - unit tests of lib/maglev.c: balance, weights, disruption,
 * determinism, errors, and a byte-for-byte comparison with a naive
 * reference implementation written from the specification.
 */
#include <errno.h>
#include <math.h>

#include "maglev_test_util.h"
#include "tap.h"

/* Bytes of a table (or slot array) of x entries. */
#define TBYTES(x) ((size_t)(x) * sizeof(uint32_t))

/* ---- helpers ---------------------------------------------------------- */

static int addr_cmp(const struct xlb_maglev_backend *x,
		    const struct xlb_maglev_backend *y)
{
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->addr, y->addr,
		      x->family == XLB_AF_INET6 ? sizeof(x->addr) : 4);
}

/* Every slot holds a valid index with weight > 0; slots[] matches. */
static bool table_consistent(const struct xlb_maglev_backend *be, uint32_t n,
			     const uint32_t *table, uint32_t m,
			     const uint32_t *slots)
{
	uint32_t *cnt = calloc(n ? n : 1, sizeof(*cnt));
	bool good = true;
	uint32_t s, i;

	for (s = 0; s < m && good; s++) {
		if (table[s] >= n || !be[table[s]].weight)
			good = false;
		else
			cnt[table[s]]++;
	}
	for (i = 0; i < n && good; i++)
		if (slots && cnt[i] != slots[i])
			good = false;
	free(cnt);
	return good;
}

static void minmax(const uint32_t *v, uint32_t n, uint32_t *lo, uint32_t *hi)
{
	uint32_t i;

	*lo = UINT32_MAX;
	*hi = 0;
	for (i = 0; i < n; i++) {
		if (v[i] < *lo)
			*lo = v[i];
		if (v[i] > *hi)
			*hi = v[i];
	}
}

static void shuffle(struct xlb_maglev_backend *be, uint32_t n, uint64_t *rs)
{
	struct xlb_maglev_backend t;
	uint32_t i, j;

	for (i = n; i > 1; i--) {
		j = mtu_rand(rs) % i;
		t = be[i - 1];
		be[i - 1] = be[j];
		be[j] = t;
	}
}

/*
 * Naive reference, straight from the documented algorithm: each turn goes
 * to the backend with the smallest (2k - 1) / (2w) (k = its next turn
 * number), ties to the heavier weight, then the lower (family, address);
 * it takes the first empty slot of (offset + j * skip) % m, j = 0, 1, ...
 * O(M * N): for small cases only.
 */
static void ref_build(const struct xlb_maglev_backend *be, uint32_t n,
		      uint32_t m, uint32_t seed, uint32_t *table)
{
	uint32_t *off = calloc(n, 4), *skip = calloc(n, 4);
	uint64_t *j = calloc(n, 8), *k = calloc(n, 8);
	uint32_t s, i, filled;

	for (s = 0; s < m; s++)
		table[s] = XLB_MAGLEV_EMPTY;
	for (i = 0; i < n; i++) {
		xlb_maglev_perm(&be[i], m, seed, &off[i], &skip[i]);
		k[i] = 1;
	}
	for (filled = 0; filled < m; filled++) {
		uint32_t best = UINT32_MAX;

		for (i = 0; i < n; i++) {
			long double ti, tb;

			if (!be[i].weight)
				continue;
			if (best == UINT32_MAX) {
				best = i;
				continue;
			}
			ti = (2.0L * k[i] - 1) / be[i].weight;
			tb = (2.0L * k[best] - 1) / be[best].weight;
			if (ti < tb ||
			    (ti == tb && (be[i].weight > be[best].weight ||
					  (be[i].weight == be[best].weight &&
					   addr_cmp(&be[i], &be[best]) < 0))))
				best = i;
		}
		do {
			s = (uint32_t)((off[best] + j[best] * skip[best]) % m);
			j[best]++;
		} while (table[s] != XLB_MAGLEV_EMPTY);
		table[s] = best;
		k[best]++;
	}
	free(off);
	free(skip);
	free(j);
	free(k);
}

static bool is_prime(uint32_t v)
{
	uint32_t d;

	if (v < 2)
		return false;
	for (d = 2; (uint64_t)d * d <= v; d++)
		if (v % d == 0)
			return false;
	return true;
}

/* ---- tests ------------------------------------------------------------ */

static void test_sizes(void)
{
	uint32_t i, prev = 0;
	bool primes = true, ascending = true, has251 = false, has65537 = false;
	bool has655373 = false;
	size_t per;

	for (i = 0; xlb_maglev_sizes[i]; i++) {
		uint32_t m = xlb_maglev_sizes[i];

		if (!is_prime(m)) {
			diag("size %u is not prime", m);
			primes = false;
		}
		if (m <= prev)
			ascending = false;
		prev = m;
		has251 |= m == 251;
		has65537 |= m == 65537;
		has655373 |= m == 655373;
		if (!xlb_maglev_size_valid(m))
			primes = false;
	}
	ok(primes, "every listed table size (%u of them) is prime and valid",
	   i);
	ok(ascending, "table sizes ascend");
	ok(has251 && has65537 && has655373, "251, 65537 and 655373 are listed");
	ok(!xlb_maglev_size_valid(0) && !xlb_maglev_size_valid(1) &&
		   !xlb_maglev_size_valid(65536) &&
		   !xlb_maglev_size_valid(65539) &&
		   !xlb_maglev_size_valid(1000),
	   "0, 1, 65536, 1000 and the unlisted prime 65539 are invalid");
	per = xlb_maglev_work_size(2) - xlb_maglev_work_size(1);
	ok(xlb_maglev_work_size(0) == 0 && per <= 64 &&
		   xlb_maglev_work_size(1000) ==
			   xlb_maglev_work_size(1) + 999 * per &&
		   xlb_maglev_work_size(1) - per <= (size_t)96 * 1024,
	   "workspace: %zu bytes per backend + %zu fixed, nothing for n = 0",
	   per, xlb_maglev_work_size(1) - per);
}

static void test_equal(uint32_t m, uint32_t n, uint32_t seed)
{
	struct xlb_maglev_backend *be = mtu_equal4(n);
	uint32_t *t = mtu_xmalloc(TBYTES(m)), *sl = mtu_xmalloc(TBYTES(n));
	uint32_t lo, hi;
	int ret = mtu_build(be, n, m, seed, t, sl);

	minmax(sl, n, &lo, &hi);
	ok(!ret && table_consistent(be, n, t, m, sl) && hi - lo <= 1 &&
		   lo == m / n,
	   "equal weights M=%u N=%u: every slot filled, slots %u..%u", m, n, lo,
	   hi);
	free(be);
	free(t);
	free(sl);
}

/* Check each share against w / sum(w); max_rel < 0 only reports. */
static void check_weights(const char *name, struct xlb_maglev_backend *be,
			  uint32_t n, uint32_t m, double max_rel)
{
	uint32_t *t = mtu_xmalloc(TBYTES(m)), *sl = mtu_xmalloc(TBYTES(n));
	double sum = 0, worst_rel = 0, worst_abs = 0;
	uint32_t i, zero_ok = 1;
	int ret;

	for (i = 0; i < n; i++)
		sum += be[i].weight;
	ret = mtu_build(be, n, m, 7, t, sl);
	for (i = 0; i < n; i++) {
		double e = m * (double)be[i].weight / sum;
		double d = fabs(sl[i] - e);

		if (!be[i].weight) {
			zero_ok &= sl[i] == 0;
			continue;
		}
		if (d / e > worst_rel)
			worst_rel = d / e;
		if (d > worst_abs)
			worst_abs = d;
	}
	diag("%s M=%u N=%u: worst relative error %.5f%%, worst absolute %.3f slots",
	     name, m, n, 100 * worst_rel, worst_abs);
	ok(!ret && table_consistent(be, n, t, m, sl) && zero_ok,
	   "%s M=%u: table filled, weight-0 backends hold no slot", name, m);
	/* Sainte-Lague apportionment: every count is e rounded (< 1 off) */
	ok(worst_abs < 1.0, "%s M=%u: every count within 1 slot of M*w/sum(w)",
	   name, m);
	if (max_rel >= 0)
		ok(worst_rel <= max_rel,
		   "%s M=%u: every share within %.1f%% of w/sum(w)", name, m,
		   100 * max_rel);
	free(t);
	free(sl);
}

static void test_weights(void)
{
	static const uint32_t w102030[] = { 10, 20, 30 };
	static const uint32_t wskew[] = { 1, 65535 };
	static const uint32_t wskew3[] = { 1, 1, 1, 65535 };
	static const uint32_t wsteps[] = { 1, 100, 10000 };
	struct xlb_maglev_backend be[1000];
	uint64_t rs = 0x1234;
	uint32_t i;

	for (i = 0; i < 3; i++)
		mtu_be4(&be[i], 0x0a000001 + i, w102030[i]);
	check_weights("10/20/30", be, 3, 65537, 0.01);
	check_weights("10/20/30", be, 3, 251, -1);
	for (i = 0; i < 2; i++)
		mtu_be4(&be[i], 0x0a000001 + i, wskew[i]);
	check_weights("1/65535", be, 2, 65537, 0.01);
	check_weights("1/65535", be, 2, 655373, 0.01);
	for (i = 0; i < 4; i++)
		mtu_be6(&be[i], 1, i + 1, wskew3[i]);
	check_weights("1/1/1/65535", be, 4, 65537, 0.01);
	for (i = 0; i < 3; i++)
		mtu_be4(&be[i], 0xc0a80001 + i, wsteps[i]);
	check_weights("1/100/10000", be, 3, 655373, 0.01);
	for (i = 0; i < 10; i++)
		mtu_be4(&be[i], 0x0a000001 + i, i + 1);
	check_weights("1..10", be, 10, 65537, 0.01);
	for (i = 0; i < 10; i++)
		mtu_be4(&be[i], 0x0a000001 + i, i % 3 ? i : 0);
	check_weights("with zeros", be, 10, 4093, 0.01);
	/* 100 backends, weights 100..199: M >= 100 N, every share >= 100 */
	for (i = 0; i < 100; i++)
		mtu_be4(&be[i], 0x0a000001 + i * 7, 100 + mtu_rand(&rs) % 100);
	check_weights("random 100..199 x100", be, 100, 65537, 0.01);
	check_weights("random 100..199 x100", be, 100, 655373, 0.01);
	/* random weights 1..65535: tiny shares cannot be within 1% */
	for (i = 0; i < 1000; i++)
		mtu_be4(&be[i], 0x0a000001 + i * 13, 1 + mtu_rand(&rs) % 65535);
	check_weights("random 1..65535 x1000", be, 1000, 655373, -1);
	check_weights("random 1..65535 x100", be, 100, 65537, -1);
}

static void test_reference(void)
{
	static const uint32_t sizes[] = { 251, 509, 4093 };
	struct xlb_maglev_backend be[40];
	uint32_t t[4093], r[4093];
	uint64_t rs = 0xfeedface;
	uint32_t c, i, bad = 0;

	for (c = 0; c < 60; c++) {
		uint32_t m = sizes[c % 3], n = 1 + mtu_rand(&rs) % 40;
		uint32_t seed = mtu_rand(&rs), wmax;
		int ret;

		/* mixes of equal, few-valued and arbitrary weights */
		wmax = c % 4 == 0 ? 1 :
		       c % 4 == 1 ? 3 :
		       c % 4 == 2 ? 100 :
				    65535;
		for (i = 0; i < n; i++) {
			if (mtu_rand(&rs) & 1)
				mtu_be4(&be[i], 0x0a000000 + i * 4099, 0);
			else
				mtu_be6(&be[i], i, mtu_rand(&rs), 0);
			be[i].weight = 1 + mtu_rand(&rs) % wmax;
			if (c % 5 == 0 && i % 4 == 1)
				be[i].weight = 0;
		}
		be[0].weight = 1; /* at least one active backend */
		ret = mtu_build(be, n, m, seed, t, NULL);
		ref_build(be, n, m, seed, r);
		if (ret || memcmp(t, r, TBYTES(m)) != 0) {
			diag("case %u: M=%u N=%u seed=%u differs (ret %d)", c,
			     m, n, seed, ret);
			bad++;
		}
	}
	ok(!bad,
	   "60 random cases (v4/v6, weights 0..65535) equal the naive reference byte for byte");
}

/* Large tables: exercises the tail phase's modular arithmetic near 2^20. */
static void test_reference_large(void)
{
	static const uint32_t sizes[] = { 65537, 524287, 655373 };
	struct xlb_maglev_backend be[6];
	uint32_t *t = mtu_xmalloc(TBYTES(655373)),
		 *r = mtu_xmalloc(TBYTES(655373));
	uint64_t rs = 0xabcdef;
	uint32_t c, i, bad = 0;

	for (c = 0; c < 3; c++) {
		uint32_t m = sizes[c], n = 3 + c, seed = mtu_rand(&rs);

		for (i = 0; i < n; i++)
			mtu_be6(&be[i], c, mtu_rand(&rs),
				1 + mtu_rand(&rs) % 9);
		if (mtu_build(be, n, m, seed, t, NULL)) {
			bad++;
			continue;
		}
		ref_build(be, n, m, seed, r);
		if (memcmp(t, r, TBYTES(m)) != 0) {
			diag("M=%u N=%u seed=%u differs from the reference", m,
			     n, seed);
			bad++;
		}
	}
	ok(!bad, "M = 65537, 524287, 655373: equal to the naive reference");
	free(t);
	free(r);
}

static void test_disruption(uint32_t m, uint32_t n, bool weighted, double bound)
{
	struct xlb_maglev_backend *be = mtu_equal4(n);
	uint32_t *t = mtu_xmalloc(TBYTES(m));
	double worst = 0, sum = 0, d;
	uint64_t rs = n;
	const uint32_t tries = 10; /* removals measured; n >= 10 */
	uint32_t r, k;
	bool good;

	if (weighted)
		for (r = 0; r < n; r++)
			be[r].weight = 1 + mtu_rand(&rs) % 100;
	good = mtu_build(be, n, m, 1, t, NULL) == 0;
	for (k = 0; k < tries; k++) {
		r = (uint32_t)((uint64_t)k * n / tries);
		d = mtu_disruption(be, n, r, m, 1, t);
		if (d < 0)
			good = false;
		sum += d;
		if (d > worst)
			worst = d;
	}
	diag("disruption M=%u N=%u%s: survivors' slots moved: mean %.4f%% worst %.4f%% (%u removals)",
	     m, n, weighted ? " weighted 1..100" : "", 100 * sum / tries,
	     100 * worst, tries);
	ok(good && worst <= bound,
	   "removing 1 of %u backends (M=%u%s) moves <= %.1f%% of survivors' slots",
	   n, m, weighted ? ", weighted" : "", 100 * bound);
	free(be);
	free(t);
}

/* Map a table to ranks in (family, address) order: comparable across inputs. */
static void canonical(const struct xlb_maglev_backend *be, uint32_t n,
		      const uint32_t *t, uint32_t m, uint32_t *out)
{
	uint32_t *rank = calloc(n, 4), i, j, s;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			if (addr_cmp(&be[j], &be[i]) < 0)
				rank[i]++;
	for (s = 0; s < m; s++)
		out[s] = t[s] == XLB_MAGLEV_EMPTY ? t[s] : rank[t[s]];
	free(rank);
}

static void test_order_independence(void)
{
	enum {
		N = 60,
		M = 65537
	};
	struct xlb_maglev_backend be[N];
	uint32_t *t = mtu_xmalloc(TBYTES(M)), *c0 = mtu_xmalloc(TBYTES(M));
	uint32_t *c1 = mtu_xmalloc(TBYTES(M));
	uint64_t rs = 99, d0, d1;
	uint32_t i, k, same = 1, dsame = 1, sl0[N], sl[N];

	for (i = 0; i < N; i++) {
		if (i % 3)
			mtu_be4(&be[i], 0xac100000 + i * 101, 1 + i % 7);
		else
			mtu_be6(&be[i], 7, i, 1 + i % 5);
	}
	mtu_build(be, N, M, 42, t, sl0);
	canonical(be, N, t, M, c0);
	d0 = xlb_maglev_digest(be, NULL, t, M);
	for (k = 0; k < 8; k++) {
		shuffle(be, N, &rs);
		if (mtu_build(be, N, M, 42, t, sl))
			same = 0;
		canonical(be, N, t, M, c1);
		d1 = xlb_maglev_digest(be, NULL, t, M);
		same &= memcmp(c0, c1, TBYTES(M)) == 0;
		dsame &= d0 == d1;
	}
	ok(same,
	   "8 shuffles of 60 mixed v4/v6 weighted backends: identical tables");
	ok(dsame, "... and identical digests (0x%016llx)",
	   (unsigned long long)d0);
	free(t);
	free(c0);
	free(c1);
}

static void test_digest(void)
{
	enum {
		N = 20,
		M = 4093
	};
	struct xlb_maglev_backend *be = mtu_equal4(N);
	uint32_t t[M], t2[M], e[M], h[N], i;
	uint64_t d, d2;

	mtu_build(be, N, M, 1, t, NULL);
	d = xlb_maglev_digest(be, NULL, t, M);
	ok(d == xlb_maglev_digest(be, NULL, t, M), "digest is deterministic");
	xlb_maglev_digest_prep(be, N, h);
	ok(d == xlb_maglev_digest(be, h, t, M),
	   "digest from per-backend hashes is the same");
	mtu_build(be, N, M, 2, t2, NULL);
	ok(d != xlb_maglev_digest(be, NULL, t2, M),
	   "another seed, another digest");
	memcpy(t2, t, sizeof(t));
	for (i = 0; t2[i] == t2[i + 1]; i++)
		;
	t2[i] = t[i + 1];
	t2[i + 1] = t[i];
	ok(d != xlb_maglev_digest(be, NULL, t2, M),
	   "swapping two slots changes the digest");
	be[5].weight = 2;
	mtu_build(be, N, M, 1, t2, NULL);
	ok(d != xlb_maglev_digest(be, NULL, t2, M),
	   "changing one weight changes the digest");
	for (i = 0; i < M; i++)
		e[i] = XLB_MAGLEV_EMPTY;
	d = xlb_maglev_digest(be, NULL, e, M);
	d2 = xlb_maglev_digest(be, NULL, e, 2039);
	ok(d != d2 && d == xlb_maglev_digest(NULL, NULL, e, M),
	   "empty tables: digest depends on M only");
	free(be);
}

static void test_errors(void)
{
	enum {
		M = 251
	};
	struct xlb_maglev_backend *be = mtu_equal4(M + 1);
	uint32_t t[M], sl[M + 1], i, untouched = 1;
	size_t ws = xlb_maglev_work_size(M + 1);
	void *work = mtu_xmalloc(ws);

	for (i = 0; i < M; i++)
		t[i] = 0x5a5a5a5a;
	is_int(xlb_maglev_build(be, M + 1, M, 0, t, sl, work, ws), -E2BIG,
	       "%u active backends in %u slots: -E2BIG", M + 1, M);
	is_int(xlb_maglev_build(be, 3, 65536, 0, t, sl, work, ws), -EINVAL,
	       "M=65536 (not prime): -EINVAL");
	is_int(xlb_maglev_build(be, 3, 1000, 0, t, sl, work, ws), -EINVAL,
	       "M=1000: -EINVAL");
	is_int(xlb_maglev_build(be, 3, 65539, 0, t, sl, work, ws), -EINVAL,
	       "M=65539 (prime, not listed): -EINVAL");
	is_int(xlb_maglev_build(be, 3, M, 0, t, sl, work,
				xlb_maglev_work_size(3) - 1),
	       -EINVAL, "workspace one byte short: -EINVAL");
	be[7].family = 0;
	is_int(xlb_maglev_build(be, 10, M, 0, t, sl, work, ws), -EINVAL,
	       "family 0: -EINVAL");
	be[7] = be[3];
	is_int(xlb_maglev_build(be, 10, M, 0, t, sl, work, ws), -EEXIST,
	       "duplicate IPv4 address: -EEXIST");
	be[7].weight = 0;
	is_int(xlb_maglev_build(be, 10, M, 0, t, sl, work, ws), -EEXIST,
	       "duplicate with weight 0: -EEXIST");
	be[7].addr[2] = 0x1234; /* v4 ignores words 1..3 */
	is_int(xlb_maglev_build(be, 10, M, 0, t, sl, work, ws), -EEXIST,
	       "IPv4 duplicate differing only in unused words: -EEXIST");
	mtu_be6(&be[7], 1, 1, 1);
	mtu_be6(&be[8], 1, 1, 3);
	is_int(xlb_maglev_build(be, 10, M, 0, t, sl, work, ws), -EEXIST,
	       "duplicate IPv6 address: -EEXIST");
	for (i = 0; i < M; i++)
		untouched &= t[i] == 0x5a5a5a5a;
	ok(untouched, "rejected builds leave the table untouched");

	free(be);
	be = mtu_equal4(M + 1);
	be[M].weight = 0;
	ok(!xlb_maglev_build(be, M + 1, M, 0, t, sl, work, ws) &&
		   table_consistent(be, M + 1, t, M, sl) && sl[M] == 0,
	   "%u backends, one of weight 0, in %u slots: accepted, one slot each",
	   M + 1, M);
	for (i = 0; i <= M; i++)
		be[i].weight = 0;
	sl[0] = 77;
	is_int(xlb_maglev_build(be, M + 1, M, 0, t, sl, work, ws), -ENODATA,
	       "every weight 0: -ENODATA");
	untouched = sl[0] == 0;
	for (i = 0; i < M; i++)
		untouched &= t[i] == XLB_MAGLEV_EMPTY;
	ok(untouched, "... table all XLB_MAGLEV_EMPTY, slots all 0");
	for (i = 0; i < M; i++)
		t[i] = 0;
	is_int(xlb_maglev_build(NULL, 0, M, 0, t, NULL, NULL, 0), -ENODATA,
	       "no backends at all: -ENODATA");
	ok(t[0] == XLB_MAGLEV_EMPTY && t[M - 1] == XLB_MAGLEV_EMPTY,
	   "... table all XLB_MAGLEV_EMPTY");
	free(be);
	free(work);
}

static void test_mixed_families(void)
{
	enum {
		M = 65537
	};
	struct xlb_maglev_backend be[4];
	uint32_t *t = mtu_xmalloc(TBYTES(M)), sl[4], lo, hi;
	int ret;

	mtu_be4(&be[0], 0x0a000001, 1);
	/* same 32 bits in word 0 as 10.0.0.1, but IPv6: a different backend */
	memset(&be[1], 0, sizeof(be[1]));
	be[1].family = XLB_AF_INET6;
	be[1].addr[0] = htonl(0x0a000001);
	be[1].weight = 1;
	mtu_be6(&be[2], 0, 1, 1);
	mtu_be4(&be[3], 0xc0000201, 1);
	ret = mtu_build(be, 4, M, 3, t, sl);
	minmax(sl, 4, &lo, &hi);
	ok(!ret && table_consistent(be, 4, t, M, sl) && hi - lo <= 1,
	   "IPv4 + IPv6 (incl. v6 with the v4 address in word 0): balanced %u..%u",
	   lo, hi);
	free(t);
}

static void test_single_and_seed(void)
{
	enum {
		M = 8191
	};
	struct xlb_maglev_backend *be = mtu_equal4(50);
	uint32_t *t = mtu_xmalloc(TBYTES(M)), *t2 = mtu_xmalloc(TBYTES(M)),
		 sl[50];
	uint32_t s, diff = 0;

	be[0].weight = 65535;
	ok(!mtu_build(be, 1, M, 0, t, sl) && sl[0] == M &&
		   table_consistent(be, 1, t, M, sl),
	   "a single backend takes all %u slots", M);
	be[0].weight = 1;
	mtu_build(be, 50, M, 1, t, NULL);
	mtu_build(be, 50, M, 2, t2, NULL);
	for (s = 0; s < M; s++)
		diff += t[s] != t2[s];
	ok(diff > M / 2, "another seed reassigns most slots (%u of %u)", diff,
	   M);
	mtu_build(be, 50, M, 1, t2, NULL);
	ok(memcmp(t, t2, TBYTES(M)) == 0,
	   "same input, same seed: byte-identical table");
	free(be);
	free(t);
	free(t2);
}

int main(void)
{
	static const uint32_t ns[] = { 1, 2, 3, 7, 10, 100, 1000 };
	uint32_t i;

	test_sizes();
	test_errors();
	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		test_equal(65537, ns[i], 1);
		test_equal(655373, ns[i], 2);
	}
	test_equal(251, 251, 5);
	test_equal(251, 250, 5);
	test_equal(4093, 17, 6);
	test_weights();
	test_reference();
	test_reference_large();
	test_mixed_families();
	test_single_and_seed();
	test_order_independence();
	test_digest();
	test_disruption(65537, 10, false, 0.015);
	test_disruption(65537, 50, false, 0.015);
	test_disruption(65537, 100, false, 0.015);
	test_disruption(65537, 100, true, 0.015);
	test_disruption(655373, 1000, false, 0.015);
	return tap_done();
}
