// SPDX-License-Identifier: GPL-2.0
/*
 * maglev_tool.c - build/maglev-tool: compute a Maglev table with the same
 * lib/maglev.c that xlb.ko uses, and print it for comparison in tests.
 * See usage() for the output formats.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maglev.h"
#include "xlb_hash.h"

static const char *prog = "maglev-tool";

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [--m M] [--seed S] [--digest | --counts] BACKEND...\n"
		"\n"
		"Builds the weighted Maglev table of the given backends with lib/maglev.c,\n"
		"the code compiled into xlb.ko, and prints it.\n"
		"\n"
		"  BACKEND      IPv4[:WEIGHT], IPv6 or [IPv6][:WEIGHT]; WEIGHT 0..%u,\n"
		"               default %u.  The order of backends does not matter.\n"
		"  --m M        table size, one of the accepted primes (default %u):\n"
		"               ",
		prog, (unsigned int)XLB_WEIGHT_MAX,
		(unsigned int)XLB_WEIGHT_DEFAULT,
		(unsigned int)XLB_TABLE_SIZE_DEFAULT);
	for (const __u32 *s = xlb_maglev_sizes; *s; s++)
		fprintf(f, "%u%s", *s, s[1] ? " " : "\n");
	fprintf(f,
		"  --seed S     Maglev seed, decimal or 0x hex (default 0x%08x, the\n"
		"               module's default XLB_DEFAULT_SEED)\n"
		"  --digest     print only the table digest, as 0x%%016llx\n"
		"  --counts     print \"ADDR SLOTS\" per backend, in command-line order\n"
		"  -h, --help   this text\n"
		"\n"
		"Default output: M lines, line i (0-based) is slot i: the address of the\n"
		"backend owning it (IPv4 dotted quad, IPv6 in inet_ntop form, no\n"
		"brackets), or \"-\" when the slot is empty (every weight 0).\n"
		"Exit status: 0 success (also when every weight is 0), 1 bad input or a\n"
		"rejected backend set (duplicate address, more backends than slots).\n",
		XLB_DEFAULT_SEED);
}

static int parse_u32(const char *s, __u32 max, __u32 *v)
{
	unsigned long long x;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || *end || x > max)
		return -1;
	*v = (__u32)x;
	return 0;
}

/* ADDR[:WEIGHT] with [v6] brackets when a weight follows a v6 address. */
static int parse_backend(const char *arg, struct xlb_maglev_backend *b)
{
	char buf[INET6_ADDRSTRLEN + 16], *addr = buf, *w = NULL, *colon;
	size_t len = strlen(arg);

	memset(b, 0, sizeof(*b));
	b->weight = XLB_WEIGHT_DEFAULT;
	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, arg, len + 1);
	if (buf[0] == '[') {
		char *close = strchr(buf, ']');

		if (!close || (close[1] && close[1] != ':'))
			return -1;
		*close = '\0';
		addr = buf + 1;
		if (close[1])
			w = close + 2;
	} else {
		colon = strchr(buf, ':');
		if (colon && !strchr(colon + 1, ':')) { /* v4:weight */
			*colon = '\0';
			w = colon + 1;
		}
	}
	if (w && parse_u32(w, XLB_WEIGHT_MAX, &b->weight))
		return -1;
	if (inet_pton(AF_INET, addr, &b->addr[0]) == 1)
		b->family = XLB_AF_INET;
	else if (inet_pton(AF_INET6, addr, b->addr) == 1)
		b->family = XLB_AF_INET6;
	else
		return -1;
	return 0;
}

static const char *fmt_addr(const struct xlb_maglev_backend *b, char *buf)
{
	return inet_ntop(b->family == XLB_AF_INET ? AF_INET : AF_INET6, b->addr,
			 buf, INET6_ADDRSTRLEN);
}

static void print_table(const struct xlb_maglev_backend *be, const __u32 *t,
			__u32 m)
{
	char buf[INET6_ADDRSTRLEN];
	__u32 s;

	for (s = 0; s < m; s++)
		puts(t[s] == XLB_MAGLEV_EMPTY ? "-" : fmt_addr(&be[t[s]], buf));
}

static int build_and_print(const struct xlb_maglev_backend *be, __u32 n,
			   __u32 m, __u32 seed, int mode)
{
	size_t ws = xlb_maglev_work_size(n);
	__u32 *table = malloc((size_t)m * sizeof(*table));
	__u32 *slots = calloc(n ? n : 1, sizeof(*slots));
	void *work = malloc(ws ? ws : 1);
	char buf[INET6_ADDRSTRLEN];
	__u32 i, active = 0;
	int ret;

	if (!table || !slots || !work) {
		fprintf(stderr, "%s: out of memory\n", prog);
		exit(1);
	}
	ret = xlb_maglev_build(be, n, m, seed, table, slots, work, ws);
	for (i = 0; i < n; i++)
		active += be[i].weight > 0;
	if (ret == -E2BIG)
		fprintf(stderr,
			"%s: %u backends with weight > 0 do not fit a table of %u slots\n",
			prog, active, m);
	else if (ret && ret != -ENODATA)
		fprintf(stderr, "%s: table build failed: %s\n", prog,
			strerror(-ret));
	if (ret && ret != -ENODATA)
		goto out;
	ret = 0;
	if (mode == 'd')
		printf("0x%016llx\n", (unsigned long long)xlb_maglev_digest(
					      be, NULL, table, m));
	else if (mode == 'c')
		for (i = 0; i < n; i++)
			printf("%s %u\n", fmt_addr(&be[i], buf), slots[i]);
	else
		print_table(be, table, m);
out:
	free(table);
	free(slots);
	free(work);
	return ret ? 1 : 0;
}

/* Duplicates get a message naming the address (the library says -EEXIST). */
static int check_duplicates(const struct xlb_maglev_backend *be, __u32 n)
{
	char buf[INET6_ADDRSTRLEN];
	__u32 i, j;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (be[i].family == be[j].family &&
			    !memcmp(be[i].addr, be[j].addr,
				    sizeof(be[i].addr))) {
				fprintf(stderr,
					"%s: backend %s given twice: addresses must be unique\n",
					prog, fmt_addr(&be[i], buf));
				return -1;
			}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "m", required_argument, NULL, 'm' },
		{ "seed", required_argument, NULL, 's' },
		{ "digest", no_argument, NULL, 'd' },
		{ "counts", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	__u32 m = XLB_TABLE_SIZE_DEFAULT, seed = XLB_DEFAULT_SEED, n, i;
	struct xlb_maglev_backend *be;
	int c, mode = 0, ret;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (parse_u32(optarg, 0xffffffffu, &m) ||
			    !xlb_maglev_size_valid(m)) {
				fprintf(stderr,
					"%s: table size '%s' is not one of the accepted primes (see --help)\n",
					prog, optarg);
				return 1;
			}
			break;
		case 's':
			if (parse_u32(optarg, 0xffffffffu, &seed)) {
				fprintf(stderr,
					"%s: seed '%s' is not a 32-bit unsigned number\n",
					prog, optarg);
				return 1;
			}
			break;
		case 'd':
		case 'c':
			if (mode && mode != c) {
				fprintf(stderr,
					"%s: --digest and --counts exclude each other\n",
					prog);
				return 1;
			}
			mode = c;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	n = (__u32)(argc - optind);
	be = calloc(n ? n : 1, sizeof(*be));
	if (!be)
		return 1;
	for (i = 0; i < n; i++) {
		if (parse_backend(argv[optind + i], &be[i])) {
			fprintf(stderr,
				"%s: bad backend '%s': expected IPv4[:WEIGHT], IPv6 or [IPv6][:WEIGHT], WEIGHT 0..%u\n",
				prog, argv[optind + i],
				(unsigned int)XLB_WEIGHT_MAX);
			free(be);
			return 1;
		}
	}
	if (check_duplicates(be, n)) {
		free(be);
		return 1;
	}
	ret = build_and_print(be, n, m, seed, mode);
	free(be);
	return ret;
}
