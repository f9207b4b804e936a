// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_info - load a BPF object on the running kernel (which runs the
 * verifier on every program in it) and report what the kernel says about
 * the result, as benchmark lines:
 *
 *   BENCH bpf <prefix>verifier_insns <n> insns     instructions the verifier
 *                                                  processed (prog_info
 *                                                  verified_insns)
 *   BENCH bpf <prefix>xlated_bytes <n> bytes       program after rewriting
 *   BENCH bpf <prefix>jited_bytes <n> bytes        native code
 *   BENCH bpfmem <prefix><map> <n> bytes           memlock of each map, as
 *                                                  /proc/self/fdinfo reports
 *   BENCH bpfmem <prefix>per_service <n> bytes     per-service maps divided
 *                                                  by their service capacity
 *
 * Maps get the sizes compiled into the object (the XLB_DEFAULT_* of
 * include/uapi/xlb_maps.h), i.e. what lbctl attach uses without options.
 * With more than one program in the object, the bpf cases are named
 * <prefix><program>.<figure>.
 *
 * usage: bpf_info [-p PREFIX] OBJECT.bpf.o
 * Exit status 0 only if every program loaded.  On a load failure the
 * verifier log is printed to stderr.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "uapi/xlb_maps.h"

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* The "memlock:" figure the kernel reports for a map fd. */
static long long map_memlock(int fd)
{
	char path[64], line[256];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *end;

		if (strncmp(line, "memlock:", 8))
			continue;
		errno = 0;
		v = strtoll(line + 8, &end, 10);
		if (errno || end == line + 8)
			v = -1;
		break;
	}
	fclose(f);
	return v;
}

static int report_progs(struct bpf_object *obj, const char *prefix)
{
	struct bpf_program *prog;
	int nprogs = 0;

	bpf_object__for_each_program(prog, obj)
		nprogs++;
	bpf_object__for_each_program(prog, obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		char name[128];
		int err;

		memset(&info, 0, sizeof(info));
		err = bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info,
					     &len);
		if (err) {
			fprintf(stderr, "bpf_info: prog info of %s: %s\n",
				bpf_program__name(prog), strerror(-err));
			return -1;
		}
		if (nprogs > 1)
			snprintf(name, sizeof(name), "%s%s.", prefix,
				 bpf_program__name(prog));
		else
			snprintf(name, sizeof(name), "%s", prefix);
		printf("BENCH bpf %sverifier_insns %u insns\n", name,
		       info.verified_insns);
		printf("BENCH bpf %sxlated_bytes %u bytes\n", name,
		       info.xlated_prog_len);
		printf("BENCH bpf %sjited_bytes %u bytes\n", name,
		       info.jited_prog_len);
	}
	return 0;
}

/* Maps whose entries belong to one service each (see xlb_maps.h). */
static int per_service_map(const char *name)
{
	return !strcmp(name, XLB_MAP_SERVICES) ||
	       !strcmp(name, XLB_MAP_TABLES) ||
	       !strcmp(name, XLB_MAP_SVC_STATS);
}

static void report_maps(struct bpf_object *obj, const char *prefix)
{
	long long total = 0, per_svc = 0;
	__u32 max_services = 0;
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);
		long long b = map_memlock(bpf_map__fd(map));

		/* .rodata/.bss etc. are an implementation detail. */
		if (name[0] == '.' || strchr(name, '.'))
			continue;
		if (b < 0)
			continue;
		printf("BENCH bpfmem %s%s %lld bytes\n", prefix, name, b);
		total += b;
		if (per_service_map(name))
			per_svc += b;
		if (!strcmp(name, XLB_MAP_SERVICES))
			max_services = bpf_map__max_entries(map);
	}
	printf("BENCH bpfmem %stotal %lld bytes\n", prefix, total);
	if (max_services)
		printf("BENCH bpfmem %sper_service %lld bytes\n", prefix,
		       per_svc / max_services);
}

int main(int argc, char **argv)
{
	const char *prefix = "";
	struct bpf_object *obj;
	struct utsname u;
	int opt, err;

	while ((opt = getopt(argc, argv, "p:")) != -1) {
		switch (opt) {
		case 'p':
			prefix = optarg;
			break;
		default:
			fprintf(stderr, "usage: bpf_info [-p PREFIX] OBJECT\n");
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: bpf_info [-p PREFIX] OBJECT\n");
		return 2;
	}
	libbpf_set_print(libbpf_print);
	obj = bpf_object__open_file(argv[optind], NULL);
	if (!obj) {
		fprintf(stderr, "bpf_info: cannot open %s: %s\n", argv[optind],
			strerror(errno));
		return 1;
	}
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "bpf_info: %s does not load: %s\n",
			argv[optind], strerror(-err));
		bpf_object__close(obj);
		return 1;
	}
	if (uname(&u) == 0)
		printf("# bpf_info: %s loaded on kernel %s\n", argv[optind],
		       u.release);
	err = report_progs(obj, prefix);
	if (!err)
		report_maps(obj, prefix);
	bpf_object__close(obj);
	return err ? 1 : 0;
}
