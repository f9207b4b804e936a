// SPDX-License-Identifier: GPL-2.0
/*
 * watch.bpf.c - reads service 0's entry of a pinned xlb_services map as
 * fast as the kernel can (bpf_loop, 2^20 reads per run, started with
 * BPF_PROG_TEST_RUN) and counts the reads that found it unused (gen 0).
 * tests/e2e_contract.bats runs it while the module rebinds the maps: a
 * rebind that rewrote a live entry as if new would be seen here, even for
 * the few stores it takes.  Loaded with the pinned map reused
 * (bpftool prog loadall ... map name xlb_services pinned PATH).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "uapi/xlb_maps.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_DEFAULT_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct xlb_service);
} xlb_services SEC(".maps");

/* [0]: reads, [1]: reads that found service 0 unused. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} xlb_watch SEC(".maps");

static long read_once(__u32 i, void *ctx)
{
	__u64 *n = ctx;
	__u32 k = 0;
	struct xlb_service *s = bpf_map_lookup_elem(&xlb_services, &k);

	(void)i;
	if (!s)
		return 1;
	n[0]++;
	if (!*(volatile __u32 *)&s->gen)
		n[1]++;
	return 0;
}

SEC("xdp")
int xlb_watch_gen(struct xdp_md *ctx)
{
	__u64 n[2] = {}, *c;
	__u32 k;

	(void)ctx;
	bpf_loop(1 << 20, read_once, n, 0);
	k = 0;
	c = bpf_map_lookup_elem(&xlb_watch, &k);
	if (c)
		__sync_fetch_and_add(c, n[0]);
	k = 1;
	c = bpf_map_lookup_elem(&xlb_watch, &k);
	if (c)
		__sync_fetch_and_add(c, n[1]);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
