// SPDX-License-Identifier: GPL-2.0
/*
 * bench_maglev.c - Maglev table build benchmark (`make bench-maglev`).
 *
 * For M in {65537, 655373} x N in {10, 100, 1000} equal-weight IPv4
 * backends, prints one line per case:
 *
 *   BENCH maglev_build M=<M> N=<N> <ms> ms max_mean=<r> disruption=<f>
 *
 * <ms> is the median of RUNS builds (workspace and table allocated once,
 * as the kernel module does; min= and max= follow), measured as CPU time
 * of the building thread so that other load on the machine (preemption)
 * does not count; wall= is the median wall-clock time, max_mean the largest
 * ratio of a backend's slots to its share M * w / sum(w), disruption the
 * fraction of surviving backends' slots that change owner when one backend
 * is removed, digest_ms the time of one digest (xlb_maglev_digest_prep() and
 * xlb_maglev_digest(), as the module computes it).  Further lines report weighted
 * builds (random weights 1..65535) and the digest.  A benchmark, not a
 * test: it asserts nothing about time.
 */
#include <time.h>

#include "../unit/maglev_test_util.h"

#define RUNS 21

static double now_ms(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct timing {
	double median, min, max; /* CPU time of the building thread */
	double wall; /* median wall-clock time */
};

/* Build time in ms over RUNS builds; exits on a build error. */
static struct timing time_build(const struct xlb_maglev_backend *be, uint32_t n,
				uint32_t m, uint32_t *table, uint32_t *slots)
{
	size_t ws = xlb_maglev_work_size(n);
	void *work = mtu_xmalloc(ws);
	double t[RUNS], w[RUNS], t0, w0;
	int i, ret;

	for (i = 0; i < RUNS; i++) {
		w0 = now_ms(CLOCK_MONOTONIC);
		t0 = now_ms(CLOCK_THREAD_CPUTIME_ID);
		ret = xlb_maglev_build(be, n, m, XLB_DEFAULT_SEED, table, slots,
				       work, ws);
		t[i] = now_ms(CLOCK_THREAD_CPUTIME_ID) - t0;
		w[i] = now_ms(CLOCK_MONOTONIC) - w0;
		if (ret) {
			fprintf(stderr, "build M=%u N=%u failed: %d\n", m, n,
				ret);
			exit(1);
		}
	}
	free(work);
	qsort(t, RUNS, sizeof(t[0]), cmp_double);
	qsort(w, RUNS, sizeof(w[0]), cmp_double);
	return (struct timing){ t[RUNS / 2], t[0], t[RUNS - 1], w[RUNS / 2] };
}

static double max_mean(const struct xlb_maglev_backend *be, uint32_t n,
		       uint32_t m, const uint32_t *slots)
{
	double sum = 0, worst = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		sum += be[i].weight;
	for (i = 0; i < n; i++) {
		double r = slots[i] / (m * (double)be[i].weight / sum);

		if (r > worst)
			worst = r;
	}
	return worst;
}

static void bench_case(const char *name, uint32_t m, uint32_t n, bool weighted)
{
	struct xlb_maglev_backend *be = mtu_equal4(n);
	uint32_t *table = mtu_xmalloc((size_t)m * 4);
	uint32_t *slots = mtu_xmalloc((size_t)n * 4);
	uint32_t *hashes = mtu_xmalloc((size_t)n * 4);
	uint64_t rs = 0x5eed + n;
	struct timing tb;
	double dis, t0, dig;
	uint64_t d;
	uint32_t i;

	if (weighted)
		for (i = 0; i < n; i++)
			be[i].weight = 1 + mtu_rand(&rs) % 65535;
	memset(table, 0, (size_t)m * 4);
	tb = time_build(be, n, m, table, slots);
	dis = mtu_disruption(be, n, n / 2, m, XLB_DEFAULT_SEED, table);
	t0 = now_ms(CLOCK_THREAD_CPUTIME_ID);
	xlb_maglev_digest_prep(be, n, hashes); /* as the module does */
	d = xlb_maglev_digest(be, hashes, table, m);
	dig = now_ms(CLOCK_THREAD_CPUTIME_ID) - t0;
	printf("BENCH %s M=%u N=%u %.3f ms min=%.3f max=%.3f n=%d wall=%.3f max_mean=%.4f disruption=%.4f digest_ms=%.3f digest=0x%016llx\n",
	       name, m, n, tb.median, tb.min, tb.max, RUNS, tb.wall,
	       max_mean(be, n, m, slots), dis, dig, (unsigned long long)d);
	fflush(stdout);
	free(be);
	free(table);
	free(slots);
	free(hashes);
}

int main(void)
{
	static const uint32_t ms[] = { 65537, 655373 };
	static const uint32_t ns[] = { 10, 100, 1000 };
	unsigned int i, j;

	for (i = 0; i < 2; i++)
		for (j = 0; j < 3; j++)
			bench_case("maglev_build", ms[i], ns[j], false);
	for (i = 0; i < 2; i++)
		for (j = 0; j < 3; j++)
			bench_case("maglev_build_weighted", ms[i], ns[j], true);
	return 0;
}
