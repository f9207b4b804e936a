// SPDX-License-Identifier: GPL-2.0
/*
 * watch.bpf.c - reads a load balancer's pinned maps as fast as the kernel
 * can (bpf_loop, started with BPF_PROG_TEST_RUN) while the module publishes
 * into them, and counts what a packet must never see.  The programs are tc
 * programs: a test run of an XDP program updates the kernel's XDP
 * dispatcher (text patching) on every call, which crashed the VM under TCG
 * while XDP traffic ran on the other CPU ("Oops: int3" in
 * bpf_dispatcher_xdp_func).  Loaded by
 * tests/e2e_contract.bats with the pinned maps reused (bpftool prog loadall
 * ... map name xlb_ctl pinned PATH map name xlb_services pinned PATH ...).
 *
 * xlb_watch_cfg ("one packet, one configuration"): reads what one packet
 * decision reads, in the order the data path reads it - the VIP half and
 * the seed its slots were placed with, service 0's table copy and the size,
 * hash flags and seed the flow hash uses with it - and counts the reads
 * whose combination was never published together.  The combinations that
 * were published are learnt beforehand by xlb_watch_learn, run by the test
 * after each change has returned, while nothing else changes.
 *
 * xlb_watch_live (hitless rebind): reads every service and backend entry
 * that xlb_watch_snapshot found in use and counts the reads that found one
 * unused or with another generation.
 *
 * The map layout of the tree this file is built in is used, recognised by
 * the size of struct xlb_service: today's (include/uapi/xlb_maps.h: seed,
 * size and flags kept per table copy in xlb_service.cfg[] and per VIP half
 * in xlb_ctl.seed[]), or the one before it (commit a279d02: one seed in
 * xlb_ctl, table_size and flags beside xlb_service.active), so the same
 * test shows what the earlier code let a packet see.
 */
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "uapi/xlb_maps.h"

/* Byte offsets of the fields read, in the layout before cfg[] (a279d02). */
#define OLD_SVC_SIZE 44
#define OLD_CTL_SEED 0
#define OLD_CTL_VIP_ACTIVE 4
#define OLD_SVC_TABLE_SIZE 24
#define OLD_SVC_FLAGS 28
#define OLD_SVC_GEN 32
/*
 * And in today's layout (xlb_service.cfg[2], xlb_ctl.seed[2]; each cfg[]
 * 24 bytes since it carries udp_timeout).
 */
#define NEW_SVC_SIZE 80
#define NEW_CTL_SEED 0 /* + 4 * vip_active */
#define NEW_CTL_VIP_ACTIVE 8
#define NEW_SVC_GEN 24
#define NEW_SVC_CFG 32 /* + NEW_CFG_STRIDE * active */
#define NEW_CFG_STRIDE 24
#define NEW_CFG_TABLE_SIZE 0
#define NEW_CFG_FLAGS 4
#define NEW_CFG_SEED 8
#define SVC_ACTIVE 20 /* both layouts */

#define OLD_LAYOUT (sizeof(struct xlb_service) == OLD_SVC_SIZE)

_Static_assert(sizeof(struct xlb_service) == OLD_SVC_SIZE ||
		       sizeof(struct xlb_service) == NEW_SVC_SIZE,
	       "watch.bpf.c knows neither this xlb_service layout");
_Static_assert(offsetof(struct xlb_service, active) == SVC_ACTIVE,
	       "xlb_service.active moved");

/* Entries xlb_watch_live covers: every service, the first WATCH_BES backends. */
#define WATCH_SVCS XLB_DEFAULT_MAX_SERVICES
#define WATCH_BES 256

/*
 * Reads per run, each run one RCU read-side section as a packet's (a NAPI
 * poll's) is.  Short, and run back to back (bpftool prog run ... repeat N):
 * the module's grace periods end while the watcher keeps reading, as they
 * do under traffic.  One long section would make every publish that waits
 * for a grace period happen just after the watcher stopped reading.
 */
#define WATCH_READS 256

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_ctl);
} xlb_ctl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_DEFAULT_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct xlb_service);
} xlb_services SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_DEFAULT_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct xlb_backend);
} xlb_backends SEC(".maps");

/*
 * What one decision read.  kind 1: a = VIP half, b = its seed; kind 2:
 * a = table copy | hash flags << 8, b = table size, c = flow hash seed.
 */
struct watch_key {
	__u32 kind;
	__u32 a;
	__u32 b;
	__u32 c;
};

/* The combinations published (xlb_watch_learn), value unused. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct watch_key);
	__type(value, __u32);
} xlb_watch_ok SEC(".maps");

/*
 * Counters: [0] decisions read, [1] with a VIP half and seed never
 * published together, [2] with a table copy, size and seed never published
 * together; [3] entries read by xlb_watch_live, [4] of them a service in use
 * found unused or with another gen, [5] the same for a backend; [6] entries
 * in use xlb_watch_snapshot found.
 */
enum {
	W_READS,
	W_BAD_VIP,
	W_BAD_SVC,
	L_READS,
	L_BAD_SVC,
	L_BAD_BE,
	L_ENTRIES,
	W__MAX
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, W__MAX);
	__type(key, __u32);
	__type(value, __u64);
} xlb_watch SEC(".maps");

/*
 * [0], [1]: the first bad VIP and service combination seen; [2], [3]: the
 * last ones xlb_watch_learn read.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct watch_key);
} xlb_watch_seen SEC(".maps");

/*
 * xlb_watch_snapshot's view: the entries in use, [0, n) with n in
 * xlb_watch_state's n[0]; idx is a service id, or WATCH_SVCS + a backend id.
 */
struct snap_entry {
	__u32 idx;
	__u32 gen;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, WATCH_SVCS + WATCH_BES);
	__type(key, __u32);
	__type(value, struct snap_entry);
} xlb_watch_snap SEC(".maps");

static __always_inline __u32 rd32(const void *base, __u32 off)
{
	return *(volatile const __u32 *)((const char *)base + off);
}

/*
 * Service 0's decision, read as bpf/xlb.bpf.c reads it: today one load of
 * vip_active then seed[vip_active], one load of active then cfg[active];
 * before, the seed, vip_active, active, table_size, flags and the seed
 * again, each loaded on its own.
 */
static __always_inline int read_decision(struct watch_key *vip,
					 struct watch_key *svc)
{
	__u32 k = 0, c, h;
	struct xlb_ctl *ctl = bpf_map_lookup_elem(&xlb_ctl, &k);
	struct xlb_service *s = bpf_map_lookup_elem(&xlb_services, &k);

	if (!ctl || !s)
		return -1;
	vip->kind = 1;
	svc->kind = 2;
	vip->c = 0;
	if (OLD_LAYOUT) {
		vip->b = rd32(ctl, OLD_CTL_SEED);
		vip->a = rd32(ctl, OLD_CTL_VIP_ACTIVE) & 1;
		c = rd32(s, SVC_ACTIVE) & 1;
		svc->b = rd32(s, OLD_SVC_TABLE_SIZE);
		svc->a = c | rd32(s, OLD_SVC_FLAGS) << 8;
		svc->c = rd32(ctl, OLD_CTL_SEED);
		return 0;
	}
	h = rd32(ctl, NEW_CTL_VIP_ACTIVE) & 1;
	vip->a = h;
	vip->b = rd32(ctl, NEW_CTL_SEED + 4 * h);
	c = rd32(s, SVC_ACTIVE) & 1;
	svc->b = rd32(s, NEW_SVC_CFG + NEW_CFG_STRIDE * c + NEW_CFG_TABLE_SIZE);
	svc->a = c | rd32(s, NEW_SVC_CFG + NEW_CFG_STRIDE * c + NEW_CFG_FLAGS)
			     << 8;
	svc->c = rd32(s, NEW_SVC_CFG + NEW_CFG_STRIDE * c + NEW_CFG_SEED);
	return 0;
}

static __always_inline void count(__u32 i, __u64 n)
{
	__u64 *c = bpf_map_lookup_elem(&xlb_watch, &i);

	if (c && n)
		__sync_fetch_and_add(c, n);
}

static __always_inline void remember(__u32 i, const struct watch_key *key,
				     int first)
{
	struct watch_key *v = bpf_map_lookup_elem(&xlb_watch_seen, &i);

	if (v && (!first || !v->kind))
		*v = *key;
}

/* Run after a change has returned: the combinations now published. */
SEC("tc")
int xlb_watch_learn(struct __sk_buff *ctx)
{
	struct watch_key vip, svc;
	__u32 one = 1;

	(void)ctx;
	if (read_decision(&vip, &svc))
		return TC_ACT_SHOT;
	bpf_map_update_elem(&xlb_watch_ok, &vip, &one, BPF_ANY);
	bpf_map_update_elem(&xlb_watch_ok, &svc, &one, BPF_ANY);
	remember(2, &vip, 0);
	remember(3, &svc, 0);
	return TC_ACT_OK;
}

/*
 * The running state of xlb_watch_cfg (its counts, the last good
 * combinations) or xlb_watch_live (its counts); in a map, as the verifier
 * would otherwise follow every value a stack counter takes in bpf_loop.
 */
struct cfg_state {
	__u64 n[4];
	struct watch_key last_vip, last_svc;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cfg_state);
} xlb_watch_state SEC(".maps");

static __always_inline int same(const struct watch_key *x,
				const struct watch_key *y)
{
	return x->a == y->a && x->b == y->b && x->c == y->c;
}

/* A combination read: fine if it is the last good one or was published. */
static __always_inline void check(struct cfg_state *w,
				  const struct watch_key *key,
				  struct watch_key *last, __u32 bad)
{
	if (same(key, last))
		return;
	if (bpf_map_lookup_elem(&xlb_watch_ok, (void *)key)) {
		*last = *key;
		return;
	}
	w->n[bad]++;
	remember(bad - 1, key, 1);
}

static long cfg_once(__u32 i, void *arg)
{
	struct watch_key vip, svc;
	struct cfg_state *w;
	__u32 k = 0;

	(void)i;
	(void)arg;
	w = bpf_map_lookup_elem(&xlb_watch_state, &k);
	if (!w || read_decision(&vip, &svc))
		return 1;
	w->n[0]++;
	check(w, &vip, &w->last_vip, 1);
	check(w, &svc, &w->last_svc, 2);
	return 0;
}

/*
 * One run of a watcher: CB WATCH_READS times, its counts n[0..2] added to
 * xlb_watch[first..first + 2].
 */
static __always_inline int watch_loop(long (*cb)(__u32 i, void *arg),
				      __u32 first)
{
	struct cfg_state *w;
	__u32 k = 0;

	w = bpf_map_lookup_elem(&xlb_watch_state, &k);
	if (!w)
		return TC_ACT_SHOT;
	w->n[0] = w->n[1] = w->n[2] = 0;
	/* No table has size ~0: the first read of a run looks up. */
	w->last_vip.b = ~0U;
	w->last_svc.b = ~0U;
	bpf_loop(WATCH_READS, cb, NULL, 0);
	count(first, w->n[0]);
	count(first + 1, w->n[1]);
	count(first + 2, w->n[2]);
	return TC_ACT_OK;
}

SEC("tc")
int xlb_watch_cfg(struct __sk_buff *ctx)
{
	(void)ctx;
	return watch_loop(cfg_once, W_READS);
}

static __always_inline __u32 svc_gen(const struct xlb_service *s)
{
	return rd32(s, OLD_LAYOUT ? OLD_SVC_GEN : NEW_SVC_GEN);
}

static __always_inline __u32 be_gen(const struct xlb_backend *b)
{
	if (*(volatile const __u8 *)&b->state == XLB_BE_UNUSED)
		return 0;
	return *(volatile const __u32 *)&b->gen;
}

static __always_inline __u32 entry_gen(__u32 idx)
{
	__u32 k = idx;

	if (idx < WATCH_SVCS) {
		struct xlb_service *s = bpf_map_lookup_elem(&xlb_services, &k);

		return s ? svc_gen(s) : 0;
	} else {
		struct xlb_backend *b;

		k = idx - WATCH_SVCS;
		b = bpf_map_lookup_elem(&xlb_backends, &k);
		return b ? be_gen(b) : 0;
	}
}

static long snap_once(__u32 i, void *arg)
{
	__u32 z = 0, gen = entry_gen(i), k;
	struct cfg_state *w = bpf_map_lookup_elem(&xlb_watch_state, &z);
	struct snap_entry *e;

	(void)arg;
	if (!w || !gen)
		return 0;
	k = w->n[0];
	e = bpf_map_lookup_elem(&xlb_watch_snap, &k);
	if (!e)
		return 1;
	e->idx = i;
	e->gen = gen;
	w->n[0]++;
	return 0;
}

/* Run once before the rebinds: which entries are in use, with which gen. */
SEC("tc")
int xlb_watch_snapshot(struct __sk_buff *ctx)
{
	struct cfg_state *w;
	__u32 k = 0;

	(void)ctx;
	w = bpf_map_lookup_elem(&xlb_watch_state, &k);
	if (!w)
		return TC_ACT_SHOT;
	w->n[0] = 0;
	bpf_loop(WATCH_SVCS + WATCH_BES, snap_once, NULL, 0);
	w->n[3] = w->n[0]; /* entries in use, kept for xlb_watch_live */
	count(L_ENTRIES, w->n[0]);
	return TC_ACT_OK;
}

/* n[3]: entries in use; n[0]: reads; n[1]: of a service, bad; [2]: backend. */
static long live_once(__u32 i, void *arg)
{
	__u32 z = 0, k;
	struct cfg_state *w = bpf_map_lookup_elem(&xlb_watch_state, &z);
	struct snap_entry *e;

	(void)arg;
	if (!w || !w->n[3])
		return 1;
	k = i % (__u32)w->n[3];
	e = bpf_map_lookup_elem(&xlb_watch_snap, &k);
	if (!e)
		return 1;
	w->n[0]++;
	if (entry_gen(e->idx) != e->gen)
		w->n[e->idx < WATCH_SVCS ? 1 : 2]++;
	return 0;
}

SEC("tc")
int xlb_watch_live(struct __sk_buff *ctx)
{
	(void)ctx;
	return watch_loop(live_once, L_READS);
}

char _license[] SEC("license") = "GPL";
